// The start of an installed system on the hardware it finds itself on: the
// checks Windows makes (or fails) while starting, in the order it makes them
// here, turned into one outcome.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "images/guest/hardware.h"
#include "images/guest/kv.h"
#include "images/guest/nic_binding.h"
#include "images/guest/result.h"

namespace restorelab::guest {

/// Everything the decision needs, gathered by the caller.
struct BootFacts {
  bool system_volume_found = false;       ///< the root was reachable through the loaded drivers
  std::string disk_bus;                   ///< bus of the system disk ("" if not found)
  std::vector<std::string> drivers_loaded;///< boot-start driver images the loader loaded
  Result<KeyValues> registry = Fail("not read");  ///< error: the missing file's Windows path
  std::string machine_hal;                ///< this machine's HAL type (declared or detected)
  bool firmware_acpi = false;             ///< the kernel found the firmware's ACPI tables (FACP)
  int cpus_online = 1;
  int cpus_present = 1;
  std::vector<NetAdapter> nics;
  std::string display;
  std::vector<std::string> missing_ad_files;  ///< Windows paths the DC role cannot find
};

/// The decision. `outcome` takes the Outcomes values of scenario-format.md.
struct BootResult {
  /// A vocabulary::kOutcome* name: boots | boots-degraded | stop-0x7b |
  /// stop-0x79 | stop-0xa5 | hang | boot-file-missing | role-fails.
  std::string outcome;
  std::string stop_code;    ///< "0x0000007B" for stops, else ""
  std::string stop_name;    ///< "INACCESSIBLE_BOOT_DEVICE" ...
  std::string detail;       ///< the missing file, the HAL pair, ...
  std::string hal_check;    ///< HalVerdictName, or "not-applicable" (Vista and later)
  NicReport nics;
  bool display_settings_lost = false;
  std::vector<std::string> degraded;  ///< why boots-degraded: "uniprocessor-hal", "nic-orphaned", "nic-unconfigured", "display"
};

/// Decides the outcome:
///  1. system volume not reachable        -> stop-0x7b (physical)
///  2. boot.ini/systemroot files missing  -> boot-file-missing (physical file lookup)
///  3. NT 5.x HAL rule                    -> stop-0xa5 | hang | stop-0x79 (emulated)
///  4. DC role data missing at its paths  -> role-fails (emulated)
///  5. fewer CPUs than present with a UP HAL, orphaned NIC configuration,
///     an added adapter the configuration lacks (when it had any), lost
///     display settings                    -> boots-degraded; else boots.
BootResult DecideBoot(const BootFacts& facts);

/// The text Windows prints for a stop, e.g.
/// "*** STOP: 0x0000007B (INACCESSIBLE_BOOT_DEVICE)".
std::string StopText(const BootResult& result);

}  // namespace restorelab::guest
