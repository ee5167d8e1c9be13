// A campaign: many scenarios on machines, up to `jobs` at once on one
// hypervisor, each result judged and handed to the sinks as it finishes
// (results-format.md). Observations are reused from an archive when their
// key matches, never verdicts; a disagreement or error is retried; attempts
// that saw different outcomes are flaky; a disagreement the registry of
// known deviations excuses is a known deviation.
//
// Nothing starts until a scenario needs a VM: the accelerator probe, the
// guest image and the hypervisor connection come from MachineAccess on first
// use, so a run whose every observation is reused starts no QEMU at all.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/machines/hypervisor.h"
#include "harness/run/disk_tool.h"
#include "harness/run/observation_key.h"
#include "harness/run/orchestrator.h"
#include "harness/run/result_sink.h"
#include "harness/run/scenario_result.h"
#include "rules/engine.h"

namespace restorelab::run {

/// One scenario of a campaign.
struct CampaignItem {
  std::string id;         ///< the combination id of a matrix, else the scenario's name; unique
  Scenario scenario;      ///< resolved; its name is a safe path component, unique in the run
  std::string axes_json;  ///< a combination's axes as a JSON object; empty otherwise
  RunPlan plan;           ///< plan_run() of the first attempt, built once by the caller's check
};

/// The machines, set up on first need.
struct Machines {
  machines::Hypervisor* hypervisor = nullptr;
  DiskTool* disks = nullptr;
  std::string accelerator;  ///< "kvm" or "tcg"
  RunSettings settings;     ///< the run's settings with the domain type and limits of the accelerator
  std::string uri;          ///< the hypervisor's connection, for the way into kept machines
};

class MachineAccess {
 public:
  virtual ~MachineAccess() = default;
  /// Sets up (once: probe, image, connection, cleanup of leftovers) and
  /// returns the machines; later calls return the same, or the same error.
  /// Thread-safe.
  virtual machines::Result<Machines> get() = 0;
};

/// A stored observation that can stand in for running a scenario.
struct StoredObservation {
  std::int64_t run = 0;
  Observation observed;
  std::map<std::string, double> timings;
  std::string evidence;
  std::string accelerator;
};

/// Where stored observations are found by key (the results store).
class ObservationArchive {
 public:
  virtual ~ObservationArchive() = default;
  /// The newest error-free observation with this key, if any. Thread-safe.
  virtual std::optional<StoredObservation> find(const std::string& key) = 0;
};

/// The registry of understood disagreements (`--known`).
class DeviationRegistry {
 public:
  virtual ~DeviationRegistry() = default;
  /// The id of the entry that excuses a disagreement of scenario `id`
  /// observed as `observed`, or empty. Thread-safe.
  virtual std::string excuse(const std::string& id, const Scenario& s, Outcome observed) = 0;
};

struct CampaignOptions {
  int jobs = 1;        ///< scenarios in flight at once (>= 1)
  int retries = 0;     ///< more attempts after a disagreement or an error
  bool reuse = true;   ///< take stored observations
  KeyInputs key_inputs;
  std::int64_t run_id = 0;  ///< the store's id of this run (0: none)
  /// Keep the machines of a scenario whose last attempt does not agree (a
  /// disagreement, or an error after its VMs started) for inspection. A
  /// stored observation that does not agree is not reused: it runs again.
  bool pause_on_failure = false;
  /// `--keep`: keep every scenario's machines. Asking for machines means
  /// wanting them, so no stored observation is reused: every scenario boots.
  bool keep = false;
  /// `--remediate` (remediation.md): after the destination boot, carry out
  /// the predicted actions and boot it again. Stored observations are not
  /// reused then (a remediation needs the machines).
  bool remediate = false;
  /// `--remediate-actions`: carry out these instead of the predicted ones.
  std::optional<std::vector<std::string>> remediate_only;
};

/// What a scenario in flight is doing, for the progress display.
struct InFlight {
  std::string id;
  std::string phase;
  double seconds = 0;
};

/// Told as the campaign goes (from worker threads, one call at a time).
class CampaignObserver {
 public:
  virtual ~CampaignObserver() = default;
  virtual void phase(const std::vector<InFlight>& running) { (void)running; }
  virtual void finished(const ScenarioResult& r, std::size_t done, std::size_t total) {
    (void)r, (void)done, (void)total;
  }
  /// Something to tell the user that is not a result (a cleanup problem).
  virtual void warning(const std::string& message) { (void)message; }
};

struct CampaignOutcome {
  std::vector<ScenarioResult> results;  ///< those that finished, in input order
  bool interrupted = false;
  /// A sink that could not take a result (its output is incomplete).
  std::optional<OutputError> sink_error;
  std::string accelerator;   ///< of the machines, when any VM ran; else empty
};

class Campaign {
 public:
  /// Everything must outlive the campaign. `archive` and `deviations` may be
  /// null. `interrupt` non-zero: no scenario starts any more, those in flight
  /// stop and clean up, and their results are dropped.
  Campaign(MachineAccess& machines, const Engine& engine, const std::atomic<int>& interrupt,
           ObservationArchive* archive, DeviationRegistry* deviations, CampaignObserver* observer)
      : machines_(machines),
        engine_(engine),
        interrupt_(interrupt),
        archive_(archive),
        deviations_(deviations),
        observer_(observer) {}

  /// Runs the items; each result goes to every sink as it finishes (one sink
  /// call at a time). The caller calls the sinks' finish(). A sink that
  /// fails stops the campaign from starting more scenarios.
  CampaignOutcome run(const std::vector<CampaignItem>& items, const CampaignOptions& options,
                      const std::vector<ResultSink*>& sinks);

  /// The verdict over the attempts of one scenario: agree when the last
  /// attempt agrees and all saw the same; flaky when attempts saw different
  /// outcomes or some failed and some did not; otherwise the last verdict.
  static Verdict combine(const std::vector<Verdict>& verdicts, const std::vector<AttemptResult>& attempts);

 private:
  /// Nothing when interrupted.
  std::optional<ScenarioResult> run_one(const CampaignItem& item, const CampaignOptions& options, std::size_t slot);
  void report_phase(std::size_t slot, const std::string& id, std::string_view phase, double seconds);

  MachineAccess& machines_;
  const Engine& engine_;
  const std::atomic<int>& interrupt_;
  ObservationArchive* archive_;
  DeviationRegistry* deviations_;
  CampaignObserver* observer_;
  std::mutex progress_mutex_;
  std::vector<InFlight> in_flight_;
};

}  // namespace restorelab::run
