// Remediation: the fixes KB 249694 prescribes, carried out on a restored
// installation the way an operator (or setup) would make them, so that the
// next start through firmware and loader shows whether they cure anything.
//
// Each action changes the installation's files: the registry (SYSTEM hive),
// hal.dll, boot.ini and the compiled loader configuration. The next boot
// reads only those files and the hardware, so what a fix changed is what the
// start sees: an HAL update removes `nosmp` from the loader line and the
// kernel really starts every processor; an in-place upgrade adds the
// boot-start driver of the present controller and the loader really loads it.
//
// Where they run (the harness decides, images/README.md "Remediation"): in
// the started system when the destination booted, from installation media
// (the recovery environment, with every driver) when it did not.
#pragma once

#include <string>
#include <vector>

#include "images/guest/hardware.h"
#include "images/guest/installation.h"
#include "images/guest/result.h"

namespace restorelab::guest {

/// The machine the fixes are made for, as the guest found it.
struct RemediationHardware {
  std::string machine_hal;        ///< the HAL type this machine calls for
  std::string disk_bus;           ///< bus of the disk holding the installation
  std::vector<NetAdapter> nics;   ///< adapters present
  std::string display;            ///< display adapter present
};

/// What one remediation did: every requested action is in exactly one of
/// `applied` and `skipped`.
struct RemediationReport {
  std::vector<std::string> applied;
  std::vector<std::string> skipped;  ///< actions the model has nothing of
  /// "action: what changed" for people reading the evidence, one per applied
  /// action, e.g. "update-hal: acpi-uniprocessor -> acpi-multiprocessor".
  std::vector<std::string> changes;
};

/// The order actions are carried out in, whatever order they were asked in:
/// the in-place upgrade first (it re-detects everything the others adjust),
/// then the HAL, drivers, adapters, display, profiles, prerequisites.
/// Unknown names sort last, in the order given.
std::vector<std::string> RemediationOrder(const std::vector<std::string>& actions);

/// True for the actions the model carries out; the others (reinstall-office,
/// verify-rpc-client-protocols, install-prerequisites,
/// reset-profiles-directory) are reported skipped.
bool ModelCarriesOut(std::string_view action);

/// Applies `actions` (in RemediationOrder) to `installation` on `hardware`.
/// Fails when the installation cannot be read or written; an action the
/// model has nothing of is skipped, never failed.
Result<RemediationReport> Remediate(const Installation& installation, const std::vector<std::string>& actions,
                                    const RemediationHardware& hardware);

}  // namespace restorelab::guest
