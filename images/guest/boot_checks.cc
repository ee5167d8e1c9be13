#include "images/guest/boot_checks.h"

#include "images/guest/hal.h"
#include "images/guest/job_vocabulary.h"

namespace restorelab::guest {
namespace {

namespace vocab = vocabulary;

BootResult Stop(std::string_view outcome, std::string code, std::string name, std::string detail) {
  BootResult result;
  result.outcome = outcome;
  result.stop_code = std::move(code);
  result.stop_name = std::move(name);
  result.detail = std::move(detail);
  return result;
}

}  // namespace

BootResult DecideBoot(const BootFacts& facts) {
  if (!facts.system_volume_found) {
    return Stop(vocab::kOutcomeStop0x7B, "0x0000007B", "INACCESSIBLE_BOOT_DEVICE",
                "no boot-start driver for the system disk's controller (loaded: " + Join(facts.drivers_loaded, ",") +
                    ")");
  }
  if (!facts.registry) {
    BootResult result;
    result.outcome = vocab::kOutcomeBootFileMissing;
    result.detail = facts.registry.error().message;
    return result;
  }
  const KeyValues& registry = *facts.registry;
  std::string installed_hal = registry.Get("hal");
  BootResult result;
  result.hal_check = "not-applicable";
  if (IsNt5(registry.Get("os.version"))) {
    HalVerdict verdict = CheckHal(installed_hal, facts.machine_hal);
    // Whether the firmware really has ACPI tables decides between 0xA5 and
    // the hang, as for Windows' HAL, which looks for them first: an ACPI HAL
    // finds none, a non-ACPI HAL meets ACPI hardware it cannot drive. Names
    // that differ only in ACPI on firmware that agrees are another mismatch.
    if (HalHasAcpi(installed_hal) != facts.firmware_acpi)
      verdict = facts.firmware_acpi ? HalVerdict::kHang : HalVerdict::kStopA5;
    else if (verdict == HalVerdict::kStopA5 || verdict == HalVerdict::kHang)
      verdict = HalVerdict::kStop79;
    result.hal_check = std::string(HalVerdictName(verdict));
    std::string pair = "installed " + installed_hal + ", machine " + facts.machine_hal + ", firmware ACPI tables " +
                       (facts.firmware_acpi ? "present" : "none");
    if (verdict == HalVerdict::kStopA5) return Stop(vocab::kOutcomeStop0xA5, "0x000000A5", "ACPI_BIOS_ERROR", pair);
    if (verdict == HalVerdict::kStop79) return Stop(vocab::kOutcomeStop0x79, "0x00000079", "HAL_MISMATCH", pair);
    if (verdict == HalVerdict::kHang) {
      BootResult hang;
      hang.outcome = vocab::kOutcomeHang;
      hang.detail = pair;
      return hang;
    }
    if (HalIsUniprocessor(installed_hal) && facts.cpus_online < facts.cpus_present) {
      result.degraded.push_back("uniprocessor-hal");
    }
  }
  if (!facts.missing_ad_files.empty()) {
    BootResult role;
    role.outcome = vocab::kOutcomeRoleFails;
    role.detail = "directory service cannot open " + Join(facts.missing_ad_files, ",");
    return role;
  }
  result.nics = EvaluateNics(registry, facts.nics);
  if (result.nics.orphaned > 0) result.degraded.push_back("nic-orphaned");
  // An adapter the restored configuration has no entry for comes up
  // unconfigured (restore-rules.md: the NIC count differs); only when the
  // source configured adapters at all.
  if (result.nics.unconfigured > 0 && registry.GetInt("nic.count", 0) > 0 && result.nics.orphaned == 0)
    result.degraded.push_back("nic-unconfigured");
  result.display_settings_lost = DisplaySettingsLost(registry, facts.display);
  if (result.display_settings_lost) result.degraded.push_back("display");
  result.outcome = result.degraded.empty() ? vocab::kOutcomeBoots : vocab::kOutcomeBootsDegraded;
  return result;
}

std::string StopText(const BootResult& result) {
  return "*** STOP: " + result.stop_code + " (" + result.stop_name + ")";
}

}  // namespace restorelab::guest
