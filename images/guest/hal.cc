#include "images/guest/hal.h"

#include <array>
#include <algorithm>

namespace restorelab::guest {
namespace {

constexpr std::array<std::string_view, 7> kHalTypes = {
    "standard-pc", "mps-uniprocessor", "mps-multiprocessor", "acpi-pc",
    "acpi-uniprocessor", "acpi-multiprocessor", "acpi-x64"};

bool SameFamily(std::string_view a, std::string_view b) {
  auto in = [&](std::string_view x, std::string_view y) {
    return (a == x && b == y) || (a == y && b == x);
  };
  return in("acpi-uniprocessor", "acpi-multiprocessor") ||
         in("mps-uniprocessor", "mps-multiprocessor");
}

}  // namespace

bool IsKnownHal(std::string_view hal) { return std::ranges::find(kHalTypes, hal) != kHalTypes.end(); }

std::string DetectHal(const PlatformFacts& facts, bool vista_or_later) {
  if (vista_or_later) return "acpi-x64";
  bool multi = facts.processors > 1;
  if (facts.acpi) {
    if (!facts.apic) return "acpi-pc";
    return multi ? "acpi-multiprocessor" : "acpi-uniprocessor";
  }
  if (!facts.apic) return "standard-pc";
  return multi ? "mps-multiprocessor" : "mps-uniprocessor";
}

bool IsNt5(std::string_view os_version) {
  return os_version == "windows-nt4" || os_version == "windows-2000" ||
         os_version == "windows-xp" || os_version == "windows-server-2003";
}

bool HalHasAcpi(std::string_view hal) { return hal.starts_with("acpi-"); }

bool HalIsUniprocessor(std::string_view hal) {
  return hal == "standard-pc" || hal == "mps-uniprocessor" || hal == "acpi-pc" ||
         hal == "acpi-uniprocessor";
}

HalVerdict CheckHal(std::string_view installed, std::string_view machine) {
  if (installed == machine) return HalVerdict::kIdentical;
  if (SameFamily(installed, machine)) return HalVerdict::kCompatible;
  if (HalHasAcpi(installed) && !HalHasAcpi(machine)) return HalVerdict::kStopA5;
  if (!HalHasAcpi(installed) && HalHasAcpi(machine)) return HalVerdict::kHang;
  return HalVerdict::kStop79;
}

std::string_view HalVerdictName(HalVerdict verdict) {
  switch (verdict) {
    case HalVerdict::kIdentical: return "identical";
    case HalVerdict::kCompatible: return "compatible";
    case HalVerdict::kStopA5: return "stop-0xa5";
    case HalVerdict::kHang: return "hang";
    case HalVerdict::kStop79: return "stop-0x79";
  }
  return "unknown";
}

}  // namespace restorelab::guest
