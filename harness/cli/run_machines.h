// The machines of a `run`, set up when the first scenario needs a VM: the
// accelerator probe, the model guest's artifacts, the backend connection and
// the removal of what a killed run left. A run whose observations are all
// reused never calls it, so it starts no QEMU at all.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "harness/cli/cli.h"
#include "harness/cli/embed_lock.h"
#include "harness/machines/backend.h"
#include "harness/run/campaign.h"
#include "harness/run/disk_tool.h"
#include "harness/run/kept_runs.h"

namespace restorelab {

class RunMachines final : public run::MachineAccess {
 public:
  /// `settings`: the run's paths and limits (the domain type and the limits
  /// of the accelerator are filled in on setup). `uri`: the backend to open.
  /// `verbose` (-v): also print the accelerator probes' outcomes.
  RunMachines(run::RunSettings settings, std::string uri, std::filesystem::path work_root,
              const std::atomic<int>& interrupt, Streams& io, bool verbose = false);
  ~RunMachines() override;

  machines::Result<run::Machines> get() override;

  /// Removes this run's domains and its work folder, except the domains
  /// and disks of `kept` (scenarios whose machines were kept: `--keep`,
  /// `--pause-on-failure`); when any are kept, writes the record (kept.json,
  /// kept_runs.h) that keeps later runs from removing them. After an
  /// interrupt everything goes. Called at the end; does nothing when
  /// nothing was set up. `store_run`: the results store's id of the run.
  void clean_up(bool interrupted, const std::vector<run::KeptScenario>& kept, std::int64_t store_run);

 private:
  machines::Result<run::Machines> set_up();

  run::RunSettings settings_;
  std::string uri_;
  std::filesystem::path work_root_;
  const std::atomic<int>& interrupt_;
  Streams& io_;
  bool verbose_ = false;
  std::mutex mutex_;
  std::optional<machines::Result<run::Machines>> result_;
  std::unique_ptr<run::ScriptDiskTool> disks_;
  std::optional<machines::Backend> backend_;
  EmbedRootLock lock_;
};

}  // namespace restorelab
