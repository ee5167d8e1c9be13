// HAL types: detection from the firmware's tables, and the NT 5.x rules for
// starting an installed HAL on other hardware.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace restorelab::guest {

/// What the firmware and processors offer, as setup would see it.
struct PlatformFacts {
  bool acpi = false;    ///< the firmware publishes ACPI tables (RSDT/XSDT, FADT)
  bool apic = false;    ///< a local APIC is present (cpuinfo flag or MADT/MP table)
  int processors = 1;   ///< processors the firmware describes (present, not online)
};

/// The HAL type setup picks for `facts` (scenario-format.md, "HAL types").
/// For Windows Vista and later it is always "acpi-x64".
std::string DetectHal(const PlatformFacts& facts, bool vista_or_later);

/// True for windows-nt4, windows-2000, windows-xp and windows-server-2003.
bool IsNt5(std::string_view os_version);
bool HalHasAcpi(std::string_view hal);
bool HalIsUniprocessor(std::string_view hal);
bool IsKnownHal(std::string_view hal);

/// What happens when an NT 5.x installation with HAL `installed` starts on a
/// machine whose own HAL type is `machine`.
enum class HalVerdict {
  kIdentical,     ///< same HAL: starts normally
  kCompatible,    ///< {acpi-up, acpi-mp} or {mps-up, mps-mp}: starts; UP uses one CPU
  kStopA5,        ///< ACPI HAL, firmware without ACPI: Stop 0xA5 ACPI_BIOS_ERROR
  kHang,          ///< non-ACPI HAL on ACPI firmware: stops responding
  kStop79,        ///< any other pair: Stop 0x79 HAL_MISMATCH
};

/// The NT 5.x rule (Microsoft bug check reference for 0x79 and 0xA5; the
/// compatible pairs of KB 249694). Callers skip it for Vista and later, which
/// detect the HAL at every start.
HalVerdict CheckHal(std::string_view installed, std::string_view machine);
std::string_view HalVerdictName(HalVerdict verdict);

}  // namespace restorelab::guest
