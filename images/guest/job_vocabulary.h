// The one written vocabulary between the harness and the model guest: the job
// the harness hands a VM (keys, phase names, the names of enum values) and the
// report lines the guest answers with (event names, the fields the harness
// reads, outcome names). Both sides spell these words only through this
// header: harness/run/run_plan.cc writes the job with it, the guest
// (images/guest/) reads the job and reports with it.
//
// Header-only and without dependencies beyond the standard library: the guest
// is a static PID 1 that links nothing of the harness, and the harness must not
// link the guest. The HAL, disk-bus, firmware, OS-version and kind names are
// the scenario format's (rules/model.h `EnumNames`), which the guest cannot
// link; tests/images/guest_job_vocabulary_test.cc checks both lists are equal.
//
// The job format (images/README.md, "The job"): `key=value` lines, `#`
// comments; the guest (KeyValues::Parse) trims blanks around a value and
// splits a list on ',' (trimming and dropping empty items). CheckValue and
// CheckListItem say which values read back unchanged; the harness refuses the
// others instead of writing a job the guest would read differently.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace restorelab::vocabulary {

// ---- job keys ----------------------------------------------------------------

inline constexpr std::string_view kKeyPhase = "phase";
inline constexpr std::string_view kKeyScenario = "scenario";
inline constexpr std::string_view kKeyMachineHal = "machine.hal";
inline constexpr std::string_view kKeyMachineCpus = "machine.cpus";
inline constexpr std::string_view kKeyMachineStorageDrivers = "machine.storage_drivers";
inline constexpr std::string_view kKeyOsVersion = "os.version";
inline constexpr std::string_view kKeyOsEdition = "os.edition";
inline constexpr std::string_view kKeyOsChannel = "os.channel";
inline constexpr std::string_view kKeyOsServicePack = "os.service_pack";
inline constexpr std::string_view kKeyOsHotfixes = "os.hotfixes";
inline constexpr std::string_view kKeyOsSystemdrive = "os.systemdrive";
inline constexpr std::string_view kKeyOsSystemroot = "os.systemroot";
inline constexpr std::string_view kKeyOsRoles = "os.roles";
inline constexpr std::string_view kKeyOsFilterDrivers = "os.filter_drivers";
inline constexpr std::string_view kKeyOsApps = "os.apps";
inline constexpr std::string_view kKeyOsUpgradedFrom = "os.upgraded_from";
inline constexpr std::string_view kKeyOsAdDatabase = "os.ad.database";
inline constexpr std::string_view kKeyOsAdLogs = "os.ad.logs";
inline constexpr std::string_view kKeyOsAdFrsDatabase = "os.ad.frs_database";
inline constexpr std::string_view kKeyOsAdFrsLogs = "os.ad.frs_logs";
inline constexpr std::string_view kKeyBackupKind = "backup.kind";
inline constexpr std::string_view kKeyRestoreKind = "restore.kind";
inline constexpr std::string_view kKeyRestoreAsr = "restore.asr";
inline constexpr std::string_view kKeyRestoreOffline = "restore.offline";
/// The remediation actions to carry out (phase remediate), rules `Action` names.
inline constexpr std::string_view kKeyRemediateActions = "remediate.actions";

/// The prefix of the OS keys; the guest records every one of them in its
/// registry.
inline constexpr std::string_view kOsKeyPrefix = "os.";

/// One job key: its name and whether its value is a list.
struct JobKey {
  std::string_view name;
  bool list = false;
};

/// Every key a job may hold.
inline constexpr std::array<JobKey, 25> kJobKeys = {{
    {kKeyPhase, true},
    {kKeyScenario, false},
    {kKeyMachineHal, false},
    {kKeyMachineCpus, false},
    {kKeyMachineStorageDrivers, true},
    {kKeyOsVersion, false},
    {kKeyOsEdition, false},
    {kKeyOsChannel, false},
    {kKeyOsServicePack, false},
    {kKeyOsHotfixes, true},
    {kKeyOsSystemdrive, false},
    {kKeyOsSystemroot, false},
    {kKeyOsRoles, true},
    {kKeyOsFilterDrivers, true},
    {kKeyOsApps, true},
    {kKeyOsUpgradedFrom, false},
    {kKeyOsAdDatabase, false},
    {kKeyOsAdLogs, false},
    {kKeyOsAdFrsDatabase, false},
    {kKeyOsAdFrsLogs, false},
    {kKeyBackupKind, false},
    {kKeyRestoreKind, false},
    {kKeyRestoreAsr, false},
    {kKeyRestoreOffline, false},
    {kKeyRemediateActions, true},
}};

/// The key named `name`, or null when a job has no such key.
constexpr const JobKey* FindJobKey(std::string_view name) {
  for (const JobKey& key : kJobKeys)
    if (key.name == name) return &key;
  return nullptr;
}

/// The separator of list items in a job value.
inline constexpr char kListSeparator = ',';
/// Values of boolean keys (restore.asr, restore.offline).
inline constexpr std::string_view kTrue = "true";
inline constexpr std::string_view kFalse = "false";

/// Why a value would not read back unchanged.
enum class ValueFault : std::uint8_t {
  kNone,
  kControlCharacter,  ///< a byte below 0x20 or 0x7F: a newline would start another key
  kSurroundingBlank,  ///< a blank at the start or the end: the guest trims it
  kSeparatorInItem,   ///< a ',' inside a list item: the guest would read two items
  kEmptyItem,         ///< an empty list item: the guest drops it
};

/// A fault and the 0-based byte offset in the value where it is.
struct ValueCheck {
  ValueFault fault = ValueFault::kNone;
  std::size_t at = 0;
};

/// The blanks the guest trims around values and list items (the C locale's
/// isspace). All but ' ' are control characters as well.
constexpr bool IsBlank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
constexpr bool IsControl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}

/// Whether `value`, written as one whole (not list) value, reads back as is.
constexpr ValueCheck CheckValue(std::string_view value) {
  for (std::size_t i = 0; i < value.size(); ++i)
    if (IsControl(value[i])) return {ValueFault::kControlCharacter, i};
  if (!value.empty() && IsBlank(value.front())) return {ValueFault::kSurroundingBlank, 0};
  if (!value.empty() && IsBlank(value.back())) return {ValueFault::kSurroundingBlank, value.size() - 1};
  return {};
}

/// Whether `item`, written as one item of a list value, reads back as is.
constexpr ValueCheck CheckListItem(std::string_view item) {
  if (item.empty()) return {ValueFault::kEmptyItem, 0};
  if (const ValueCheck check = CheckValue(item); check.fault != ValueFault::kNone) return check;
  for (std::size_t i = 0; i < item.size(); ++i)
    if (item[i] == kListSeparator) return {ValueFault::kSeparatorInItem, i};
  return {};
}

// ---- phases (values of `phase`, run in order) -------------------------------

inline constexpr std::string_view kPhaseInstall = "install";
inline constexpr std::string_view kPhaseBackup = "backup";
inline constexpr std::string_view kPhaseRestoreSystemState = "restore-system-state";
inline constexpr std::string_view kPhaseBoot = "boot";
inline constexpr std::string_view kPhaseRecover = "recover";
/// Carries out remediate.actions on the installation: in the started system
/// (role system) or from installation media (role recovery).
inline constexpr std::string_view kPhaseRemediate = "remediate";
inline constexpr std::array<std::string_view, 6> kPhases = {kPhaseInstall, kPhaseBackup, kPhaseRestoreSystemState,
                                                           kPhaseBoot,    kPhaseRecover, kPhaseRemediate};

// ---- names of the scenario format's enum values -----------------------------

/// HAL types (rules `Hal`), in the order of rules/model.h.
inline constexpr std::string_view kHalStandardPc = "standard-pc";
inline constexpr std::string_view kHalMpsUniprocessor = "mps-uniprocessor";
inline constexpr std::string_view kHalMpsMultiprocessor = "mps-multiprocessor";
inline constexpr std::string_view kHalAcpiPc = "acpi-pc";
inline constexpr std::string_view kHalAcpiUniprocessor = "acpi-uniprocessor";
inline constexpr std::string_view kHalAcpiMultiprocessor = "acpi-multiprocessor";
inline constexpr std::string_view kHalAcpiX64 = "acpi-x64";
inline constexpr std::array<std::string_view, 7> kHalTypes = {
    kHalStandardPc,       kHalMpsUniprocessor,    kHalMpsMultiprocessor, kHalAcpiPc,
    kHalAcpiUniprocessor, kHalAcpiMultiprocessor, kHalAcpiX64};

/// Disk buses (rules `DiskBus`); also the names of the boot-start driver
/// images, and the loader's order for them.
inline constexpr std::string_view kBusIde = "ide";
inline constexpr std::string_view kBusSata = "sata";
inline constexpr std::string_view kBusScsi = "scsi";
inline constexpr std::string_view kBusVirtio = "virtio";
inline constexpr std::array<std::string_view, 4> kDiskBuses = {kBusIde, kBusSata, kBusScsi, kBusVirtio};

/// Firmware types (rules `Firmware`).
inline constexpr std::string_view kFirmwareBios = "bios";
inline constexpr std::string_view kFirmwareUefi = "uefi";
inline constexpr std::array<std::string_view, 2> kFirmwares = {kFirmwareBios, kFirmwareUefi};

/// The OS versions the NT 5.x HAL rules apply to (rules `is_nt5`).
inline constexpr std::string_view kOsWindowsNt4 = "windows-nt4";
inline constexpr std::string_view kOsWindows2000 = "windows-2000";
inline constexpr std::string_view kOsWindowsXp = "windows-xp";
inline constexpr std::string_view kOsWindowsServer2003 = "windows-server-2003";
inline constexpr std::array<std::string_view, 4> kNt5Versions = {kOsWindowsNt4, kOsWindows2000, kOsWindowsXp,
                                                                kOsWindowsServer2003};

/// Kinds of backup.kind and restore.kind (rules `BackupKind` without "none";
/// rules `RestoreKind` without "push-button-reset", which is a chain of its own).
inline constexpr std::string_view kKindSystemState = "system-state";
inline constexpr std::string_view kKindBmr = "bmr";
inline constexpr std::string_view kKindFullServer = "full-server";
inline constexpr std::array<std::string_view, 3> kKinds = {kKindSystemState, kKindBmr, kKindFullServer};

// ---- remediation actions (rules `Action` names) ----------------------------

inline constexpr std::string_view kActionUpdateHal = "update-hal";
inline constexpr std::string_view kActionRemoveDisplayAdapter = "remove-display-adapter";
inline constexpr std::string_view kActionRemoveNetworkAdapter = "remove-network-adapter";
inline constexpr std::string_view kActionReconfigureHardwareBoundApps = "reconfigure-hardware-bound-apps";
inline constexpr std::string_view kActionInPlaceUpgrade = "in-place-upgrade";
inline constexpr std::string_view kActionVerifyRpcClientProtocols = "verify-rpc-client-protocols";
inline constexpr std::string_view kActionResetProfilesDirectory = "reset-profiles-directory";
inline constexpr std::string_view kActionDisableExtraNics = "disable-extra-nics";
inline constexpr std::string_view kActionUninstallFilterDrivers = "uninstall-filter-drivers";
inline constexpr std::string_view kActionInstallPrerequisites = "install-prerequisites";
inline constexpr std::string_view kActionReinstallOffice = "reinstall-office";
/// Every action, in the order of rules/model.h.
inline constexpr std::array<std::string_view, 11> kActions = {
    kActionUpdateHal,       kActionRemoveDisplayAdapter,     kActionRemoveNetworkAdapter,
    kActionReconfigureHardwareBoundApps, kActionInPlaceUpgrade, kActionVerifyRpcClientProtocols,
    kActionResetProfilesDirectory, kActionDisableExtraNics,  kActionUninstallFilterDrivers,
    kActionInstallPrerequisites, kActionReinstallOffice};
/// The order the guest carries actions out in (images/README.md,
/// "Remediation"): the in-place upgrade re-detects everything first; NIC
/// configuration is re-bound before orphans are removed.
inline constexpr std::array<std::string_view, 11> kActionOrder = {
    kActionInPlaceUpgrade,       kActionUpdateHal,           kActionUninstallFilterDrivers,
    kActionReconfigureHardwareBoundApps, kActionRemoveNetworkAdapter, kActionDisableExtraNics,
    kActionRemoveDisplayAdapter, kActionResetProfilesDirectory, kActionInstallPrerequisites,
    kActionVerifyRpcClientProtocols, kActionReinstallOffice};
/// The actions the model guest carries out; the others are reported skipped
/// (it has nothing of them: no profiles folder, no prerequisites, no RPC, no Office).
inline constexpr std::array<std::string_view, 7> kActionsCarriedOut = {
    kActionInPlaceUpgrade,       kActionUpdateHal,           kActionUninstallFilterDrivers,
    kActionReconfigureHardwareBoundApps, kActionRemoveNetworkAdapter, kActionDisableExtraNics,
    kActionRemoveDisplayAdapter};

// ---- the report lines --------------------------------------------------------

/// Every report line is this prefix, one JSON object, then '\n'.
inline constexpr std::string_view kReportPrefix = "RESTORELAB ";

inline constexpr std::string_view kEventKernelStart = "kernel-start";
inline constexpr std::string_view kEventJob = "job";
inline constexpr std::string_view kEventInstalled = "installed";
inline constexpr std::string_view kEventBackup = "backup";
inline constexpr std::string_view kEventRestore = "restore";
inline constexpr std::string_view kEventBoot = "boot";
inline constexpr std::string_view kEventError = "error";
inline constexpr std::string_view kEventDisks = "disks";
inline constexpr std::string_view kEventDone = "done";
/// A remediate phase's report: applied, skipped, changes.
inline constexpr std::string_view kEventRemediated = "remediated";
/// Warm starts: the guest reached its ready point and waits for its job.
inline constexpr std::string_view kEventReady = "ready";

// ---- warm starts ---------------------------------------------------------------

/// The job the host hands a VM it boots only to save it at the ready point
/// (harness/run/warm_start.h). A guest whose job is exactly this text prints
/// `ready` once its drivers are loaded (file systems, NICs, the storage
/// drivers and the controllers' probes of their disks), before it mounts or
/// scans anything, then reads the job again until it is another text: the
/// job of the VM restored from the saved state. That VM's disks are other
/// images of the same sizes, so it first drops what the kernel read from
/// the disks and reads every partition table again (a failure there is an
/// error before `kernel-start`: the host then boots the VM cold). Cold boots
/// never see it.
inline constexpr std::string_view kWarmWaitJob = "# restorelab: warm start, wait at the ready point\nwarm=wait\n";
/// How often a waiting guest reads the job again.
inline constexpr int kWarmPollMilliseconds = 20;

/// The fields of report lines the harness reads.
inline constexpr std::string_view kFieldEvent = "event";
inline constexpr std::string_view kFieldOutcome = "outcome";      ///< boot, restore
inline constexpr std::string_view kFieldReason = "reason";        ///< restore (refused)
inline constexpr std::string_view kFieldPhase = "phase";          ///< error
inline constexpr std::string_view kFieldError = "error";          ///< error, done
inline constexpr std::string_view kFieldStopCode = "stop_code";   ///< boot
inline constexpr std::string_view kFieldDetail = "detail";        ///< boot
inline constexpr std::string_view kFieldCpusOnline = "cpus_online";
inline constexpr std::string_view kFieldCpusPresent = "cpus_present";
inline constexpr std::string_view kFieldNicsConfigured = "nics_configured";
inline constexpr std::string_view kFieldNicsOrphaned = "nics_orphaned";
inline constexpr std::string_view kFieldNicsUnconfigured = "nics_unconfigured";
inline constexpr std::string_view kFieldMacChanged = "mac_changed";
inline constexpr std::string_view kFieldDegraded = "degraded";
/// kernel-start: one message per module the guest could not load.
inline constexpr std::string_view kFieldModuleErrors = "module_errors";
/// done: the guest's own milliseconds per step (diskless_modules,
/// storage_drivers, platform_scan, job, disks_and_unmount), in order; a
/// warm start's steps after the ready point count from its resume.
inline constexpr std::string_view kFieldStepMs = "step_ms";
inline constexpr std::string_view kFieldApplied = "applied";      ///< remediated
inline constexpr std::string_view kFieldSkipped = "skipped";      ///< remediated
inline constexpr std::string_view kFieldChanges = "changes";      ///< remediated
inline constexpr std::string_view kFieldPhases = "phases";        ///< job: the job's phases, in order

/// Outcomes the guest decides (rules `Outcome` names). A `boot` line's
/// outcome is one of them except restore-refused and hang (a hang prints
/// nothing); a `restore` line's outcome is restore-refused or kRestored.
/// no-bootable-device is the harness's alone: no guest ever starts.
inline constexpr std::string_view kOutcomeBoots = "boots";
inline constexpr std::string_view kOutcomeBootsDegraded = "boots-degraded";
inline constexpr std::string_view kOutcomeStop0x7B = "stop-0x7b";
inline constexpr std::string_view kOutcomeStop0x79 = "stop-0x79";
inline constexpr std::string_view kOutcomeStop0xA5 = "stop-0xa5";
inline constexpr std::string_view kOutcomeHang = "hang";
inline constexpr std::string_view kOutcomeBootFileMissing = "boot-file-missing";
inline constexpr std::string_view kOutcomeRoleFails = "role-fails";
inline constexpr std::string_view kOutcomeRestoreRefused = "restore-refused";
inline constexpr std::array<std::string_view, 9> kGuestOutcomes = {
    kOutcomeBoots,    kOutcomeBootsDegraded,   kOutcomeStop0x7B,  kOutcomeStop0x79,      kOutcomeStop0xA5,
    kOutcomeHang,     kOutcomeBootFileMissing, kOutcomeRoleFails, kOutcomeRestoreRefused};
/// The other value of a `restore` line's outcome: the restore ran (not an
/// outcome of the scenario; the destination boot decides that).
inline constexpr std::string_view kRestored = "restored";

}  // namespace restorelab::vocabulary
