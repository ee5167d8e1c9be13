// Runs one scenario on VMs end to end: makes its disks (in the background,
// the first VM's first), boots the chain of run_plan.h one VM after the
// other (each warm one restored, paused, while the VM before it runs, and
// resumed at that VM's `done` line), stops at the first VM that decides the
// observation, writes the evidence (domain XMLs, jobs, serial logs,
// screenshots, timings.json) and removes every domain, NVRAM file and disk
// it created unless told to keep them. It returns the observation; it never
// sees a prediction.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/machines/hypervisor.h"
#include "harness/run/disk_tool.h"
#include "harness/run/observation.h"
#include "harness/run/remediation.h"
#include "harness/run/run_plan.h"
#include "harness/run/vm_runner.h"
#include "harness/run/warm_start.h"
#include "rules/model.h"

namespace restorelab::run {

struct RunSettings {
  std::filesystem::path artifacts;     ///< built model-guest artifacts
  std::filesystem::path work_dir;      ///< disks go to work_dir/<scenario>/ (removed afterwards)
  std::filesystem::path evidence_dir;  ///< evidence goes to evidence_dir/<scenario>/
  std::string domain_prefix = "rl-";   ///< this run's domain name prefix
  machines::DomainType type = machines::DomainType::Qemu;
  /// Limits for the source/restore/recovery/reset VMs and for the destination boot.
  VmLimits chain_limits;
  VmLimits destination_limits{std::chrono::seconds(120)};
  bool keep = false;                   ///< leave domains (defined, stopped) and disks
  /// Reuse source runs (source_cache.h); empty: always boot the source.
  std::filesystem::path source_cache;
  /// Start the VMs whose kernel the hypervisor starts from saved states
  /// (warm_start.h); null: every VM boots cold. A kept run's machines are
  /// defined under the scenario's names afterwards either way.
  std::shared_ptr<WarmStates> warm;
  /// With `warm`: the campaign's count of VMs by shape; a state is then
  /// built only for a shape another VM starts from. Null: built for every
  /// shape (a run of one scenario, or `--warm-every-shape`).
  std::shared_ptr<WarmDemand> warm_demand;
};

/// Limits scaled for the accelerator: TCG gets the defaults, KVM a third of
/// the total time (the silence limits stay: they define a hang).
RunSettings scaled_for(RunSettings settings, bool kvm);

/// The VMs of `run --remediate` after the destination boot.
struct RemediationRun {
  std::vector<VmRecord> records;        ///< remediate, then the remediated boot
  Observation observation;              ///< of the remediated boot, or why the remediation failed
  std::optional<RemediatedLine> line;   ///< what the remediate VM said it did
  std::map<std::string, double> timings;  ///< seconds: "remediate", "boot"
  std::string not_run;                  ///< non-empty: nothing ran, and why
};

struct ScenarioRun {
  Observation observation;
  std::vector<VmRecord> records;
  /// Seconds: "source", "restore", "destination" (phases that ran), "disks"
  /// (waiting for disks after the first VM was due), "total".
  std::map<std::string, double> timings;
  std::filesystem::path evidence;      ///< the scenario's evidence folder
  bool interrupted = false;
  bool source_cached = false;          ///< the source VM's result came from the cache
  std::vector<std::string> cleanup_problems;
  /// What the user should know that decides nothing: a warm start that
  /// fell back to a cold boot, and why.
  std::vector<std::string> notes;
  /// The domains left defined (stopped) with their disks, in chain order:
  /// every VM that was defined, when the run was kept; empty otherwise.
  std::vector<std::string> kept_domains;
  /// With a plan that has remediation VMs, and a destination boot that was
  /// observed (not failed, not interrupted).
  std::optional<RemediationRun> remediation;
};

/// Decides, once the observation is known, whether a run that is not kept
/// anyway (RunSettings::keep) keeps its machines: `--pause-on-failure`.
using KeepIfFn = std::function<bool(const Observation& observation)>;

/// Called with a phase name ("disks", "source", ...) and its elapsed seconds.
using PhaseProgressFn = std::function<void(std::string_view phase, double seconds)>;

class Orchestrator {
 public:
  /// All references must outlive the orchestrator. `interrupt` non-zero:
  /// stop at the next check, clean up, return with `interrupted`.
  Orchestrator(machines::Hypervisor& hypervisor, DiskTool& disks, const std::atomic<int>& interrupt,
               PhaseProgressFn progress = {})
      : hypervisor_(hypervisor), disks_(disks), interrupt_(interrupt), progress_(std::move(progress)) {}

  /// Runs `plan` (plan_run() of a scenario with plan_paths()) once.
  /// Thread-safe when the hypervisor and disk tool are: a campaign runs
  /// several orchestrators at once on one hypervisor. The machines are kept
  /// (domains stopped but defined, NVRAM and disks left) when
  /// `settings.keep` or `keep_if` says so, never after an interrupt.
  ScenarioRun run(const RunPlan& plan, const RunSettings& settings, const KeepIfFn& keep_if = {});

 private:
  machines::Hypervisor& hypervisor_;
  DiskTool& disks_;
  const std::atomic<int>& interrupt_;
  PhaseProgressFn progress_;
};

/// Where the plan of attempt `attempt` (1, 2, ...) of `s` puts things:
/// work_dir/NAME and evidence_dir/NAME for the first, work_dir/NAME.attempt-N
/// and evidence_dir/NAME/attempt-N for a retry.
PlanPaths plan_paths(const Scenario& s, const RunSettings& settings, int attempt = 1);

/// The domain XML of every VM of `plan`, in boot order, with the run's
/// domain type: what a run defines. An error names the VM that cannot be
/// built (checked before any VM starts).
machines::Result<std::vector<std::string>> plan_xmls(const RunPlan& plan, machines::DomainType type);

}  // namespace restorelab::run
