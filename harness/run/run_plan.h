// What one scenario's run consists of: the disks to make and the VMs to boot
// in order, each with its domain XML spec and its job (images/README.md, "VM
// shapes the harness must build"). A pure function of the scenario and the
// paths; it never reads a prediction.
//
// Chains (VM names are PREFIX + scenario + "-" + phase):
//   system-state       source (install,backup) -> restore (destination's own
//                      install, then restore-system-state, one boot) -> destination (boot)
//   system-state, restore.after = "bmr"
//                      source (backup of at least kind bmr) -> recovery (the
//                      bare-metal recovery from that backup onto a blank disk,
//                      with restore.asr) -> restore (boot,restore-system-state:
//                      the OS the BMR left starts, then restores the system
//                      state) -> destination
//   system-state, restore.after = "full-server"
//                      source (backup of kind full-server) -> reset (the
//                      destination's own installation) -> recovery (the
//                      full-server restore, keeping its boot.ini) -> restore
//                      (boot,restore-system-state) -> destination
//                      The restore VM of a chain is started with what the
//                      earlier restore left on the disk (the source's boot-start
//                      drivers and HAL, or with ASR the destination's bus and
//                      HAL), never with the prediction: when that OS cannot
//                      start (0x7B, a HAL stop, a missing file) its boot line is
//                      the scenario's outcome, observed in the restore VM.
//   bmr                source -> recovery (the recovery environment restores
//                      onto a blank disk of the destination) -> destination
//   full-server        source -> reset (the destination's own installation of
//                      [destination.os]) -> recovery (restores onto that disk
//                      and keeps its boot.ini) -> destination
//   push-button-reset  reset (a fresh install of [destination.os] on the
//                      destination, from "the device's own image") -> destination.
//                      No backup and no other hardware is involved, so this is
//                      the one honest reproduction: Windows reinstalled in place.
// Starting the kernel: only the destination boot goes through the firmware,
// the boot loader and the kernel on its disk; that boot is the test. The
// other VMs get their kernel from the hypervisor (like booting installation
// or recovery media), with the initramfs the disk's loader would load: the
// uncompressed kernel through its PVH entry on SeaBIOS, the packaged bzImage
// through OVMF's loader on UEFI. The guest sees the same hardware, firmware
// type and drivers either way; it only saves the loader and, on SeaBIOS, the
// kernel's self-decompression (~2.4 s each under TCG).
// Backup disks: the source's backup disk sits on the source's disk bus (only
// boot-start drivers are loaded, so it must be reachable with them); the
// recovery VM's backup disk is on IDE (the recovery environment loads every
// driver) and the blank target on the destination's bus.
// NICs: every VM of one computer derives its MACs from the same seed; the
// destination uses the source's seed only for restore.to_same_computer.
#pragma once

#include <chrono>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/machines/domain_xml.h"
#include "harness/run/disk_tool.h"
#include "rules/diagnostic.h"
#include "rules/model.h"

namespace restorelab::run {

/// Remediate and Remediated come after the destination boot with
/// `run --remediate` (remediation.md): the predicted actions carried out,
/// then the destination booted again through its firmware and loader.
enum class Phase : std::uint8_t { Source, Restore, Recovery, Reset, Destination, Remediate, Remediated };
/// "source", "restore", "recovery", "reset", "destination", "remediate", "remediated".
std::string_view phase_name(Phase p);
/// The timings_s key a phase counts towards: "source", "restore" (restore,
/// recovery and reset: everything between the source and the destination
/// boot, the chain's middle), "destination", "remediate" or "remediated".
/// Results recorded before it was named "restore" say "recovery"; readers
/// take that as "restore".
std::string_view timing_key(Phase p);
/// True for the boots whose outcome is observed: the destination's, and the
/// remediated destination's.
bool is_test_boot(Phase p);

/// One VM boot of the chain.
struct PlannedVm {
  Phase phase = Phase::Source;
  machines::VmSpec spec;                ///< complete: disks, serial log, fw_cfg job
  std::string job;                     ///< the job text (written to the fw_cfg file)
  std::filesystem::path job_file;      ///< spec.fw_cfg[0].host_file
  std::filesystem::path xml_file;      ///< evidence: the domain XML
  std::filesystem::path screenshot;    ///< evidence: PNG at the end of the boot
  std::vector<std::size_t> disks;      ///< indices into RunPlan::disks it attaches
};

/// The VMs of `run --remediate`, after the destination boot. Which of the
/// two remediate VMs runs depends on that boot (the orchestrator picks it):
/// `in_system` when the destination started, `from_media` when it did not.
struct RemediationPlan {
  std::vector<std::string> actions;  ///< handed to the guest, in the guest's order
  PlannedVm in_system;   ///< the destination booted through its loader, phase remediate
  PlannedVm from_media;  ///< installation media (the recovery environment) with the destination disk
  PlannedVm boot;        ///< the destination booted again through firmware and loader
};

struct RunPlan {
  std::filesystem::path disk_dir;      ///< absolute: PlanPaths::disk_dir
  std::filesystem::path evidence_dir;  ///< absolute: PlanPaths::evidence_dir
  std::vector<DiskRequest> disks;
  std::vector<PlannedVm> vms;  ///< in boot order; the last one is the destination boot
  /// Non-empty: job_text refused a job of this scenario, and nothing of the
  /// plan may run. The VMs are still planned (their XML is evidence), but a
  /// refused job holds only comments: a guest given it reports an error
  /// (no phase) instead of running a job other than the scenario's.
  Diagnostics refused;
  /// With `run --remediate` and something to carry out.
  std::optional<RemediationPlan> remediation;
};

/// Where a plan puts things.
struct PlanPaths {
  std::filesystem::path disk_dir;      ///< disk images and NVRAM (deleted after the run)
  std::filesystem::path evidence_dir;  ///< serial logs, XMLs, jobs, screenshots (kept)
  std::string domain_prefix = "rl-";   ///< every domain name starts with it
  machines::DomainType type = machines::DomainType::Qemu;
  std::filesystem::path artifacts;     ///< the model guest's artifacts (kernels)
};

/// The kernel command line of a directly started model guest: the line the
/// guest's loader configuration gives (images/guest/boot_config.cc) plus
/// `rl.boot=direct`, which tells the guest no firmware booted it from a disk.
/// `role`: "system" or "recovery".
std::string direct_kernel_cmdline(std::string_view role, bool uniprocessor);

/// The plan for `s`. Paths are made absolute. A job the guest could not read
/// as written is refused (RunPlan::refused), never planned. Non-empty
/// `remediate`: also the remediation VMs that carry out these actions
/// (action names; the caller leaves out those the guest does not carry out).
RunPlan plan_run(const Scenario& s, const PlanPaths& paths, const std::vector<std::string>& remediate = {});

/// Writes one job (`key=value` lines, images/guest/job_vocabulary.h) and
/// refuses every value the guest would not read back exactly as written.
class JobWriter {
 public:
  /// `file` names the scenario's file in diagnostics (may be empty).
  explicit JobWriter(std::string file) : file_(std::move(file)) {}

  /// `# text`, for people reading the job; a control character in `text`
  /// becomes '?' (the comment stays one line).
  void comment(std::string_view text);
  /// `key=value`. Refused: a key not in the vocabulary or one that holds a
  /// list, a control character in `value`, a blank at either end of it.
  /// `where` names the value's scenario key ("source.os.systemroot").
  void value(std::string_view key, std::string_view value, std::string_view where);
  /// `key=item,item`. Refused: a key not in the vocabulary or one that does
  /// not hold a list, and items that are empty, hold a ',' or a control
  /// character, or start or end with a blank.
  void list(std::string_view key, const std::vector<std::string>& items, std::string_view where);

  /// The job text, or every refusal (file, message, suggestion; no line: a
  /// Scenario does not keep where its values were written).
  std::expected<std::string, Diagnostics> finish() const;

 private:
  void refuse(std::string message, std::string suggestion);
  bool known(std::string_view key, bool list, std::string_view where);

  std::string file_;
  std::string text_;
  Diagnostics refused_;
};

/// The job text of one phase, or why the scenario's values cannot be handed
/// to the guest (see JobWriter).
/// `remediate`: the actions of a Remediate phase's job.
std::expected<std::string, Diagnostics> job_text(const Scenario& s, Phase phase,
                                                 const std::vector<std::string>& remediate = {});

}  // namespace restorelab::run
