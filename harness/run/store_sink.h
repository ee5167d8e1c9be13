// The results store (harness/store) as a campaign sees it: a sink that
// records each result with its attempts as it finishes, and the archive of
// observations a later run may reuse.
#pragma once

#include <chrono>

#include "harness/run/campaign.h"
#include "harness/run/result_sink.h"
#include "harness/store/results_store.h"

namespace restorelab::run {

/// An OutputError for a store error: bad input (2) or a failure (3).
OutputError output_error(const store::StoreError& e);

/// The store's record of `r` (its JSON columns from result_json.h).
store::ResultRecord to_record(const ScenarioResult& r);

/// A result from the store's record: its JSON line read back, with the
/// run id and what only the store keeps.
std::expected<ScenarioResult, std::string> from_record(const store::ResultRecord& record);

/// What is needed to judge a record again, from its columns alone (faster
/// than its whole line): id, scenario, observation, verdict, deviation,
/// attempts, reuse, accelerator, timings, evidence and key. The prediction
/// is left for the caller to make.
std::expected<ScenarioResult, std::string> observation_of(const store::ResultRecord& record);

class StoreSink final : public ResultSink, public ObservationArchive {
 public:
  /// Records into run `run_id` of `store`, which must outlive the sink.
  StoreSink(store::ResultsStore& store, std::int64_t run_id)
      : store_(store), run_id_(run_id), started_(std::chrono::steady_clock::now()) {}

  /// The attempts, then the result, each in its own transaction.
  OutputStatus add(const ScenarioResult& r) override;
  /// Ends the run: finished, or interrupted.
  OutputStatus finish(const RunSummary& summary) override;
  /// The newest error-free observation with this key, from any run.
  std::optional<StoredObservation> find(const std::string& key) override;

 private:
  store::ResultsStore& store_;
  std::int64_t run_id_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace restorelab::run
