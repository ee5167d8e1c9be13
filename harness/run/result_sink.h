// Where the results of a run go. Every output of `run` and `results show`
// is one ResultSink: readable text and JSON Lines on stdout, JUnit XML and
// the HTML report as files, the results store. A sink gets each result as
// it finishes and then the whole run once.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "harness/output/output_file.h"
#include "harness/run/scenario_result.h"

namespace restorelab::run {

/// The run as a whole, when it is over.
struct RunSummary {
  std::int64_t run = 0;                        ///< the store's id; 0 without a store
  std::string title;                           ///< "run 17 (campaign nightly)" or the evidence folder
  double seconds = 0;
  std::string accelerator;
  bool interrupted = false;
  std::vector<std::string> stale_deviations;   ///< known deviations that excused nothing
  std::vector<ScenarioResult> results;         ///< every finished result, in input order
  /// With `--cover behaviours`: each matrix's coverage_json() (behaviour_coverage.h), for the report.
  std::vector<std::string> coverage;
};

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  /// One result, as it finishes. Called from one thread at a time.
  virtual OutputStatus add(const ScenarioResult& r) {
    (void)r;
    return {};
  }
  /// The run is over (also after an interrupt).
  virtual OutputStatus finish(const RunSummary& summary) {
    (void)summary;
    return {};
  }
};

/// The readable report of each result on a stream, and the counts at the end.
class TextSink final : public ResultSink {
 public:
  explicit TextSink(std::ostream& out) : out_(out) {}
  OutputStatus add(const ScenarioResult& r) override;
  OutputStatus finish(const RunSummary& summary) override;

 private:
  std::ostream& out_;
};

/// One JSON line per result (result_json.h), flushed as it finishes.
class JsonLinesSink final : public ResultSink {
 public:
  explicit JsonLinesSink(std::ostream& out) : out_(out) {}
  OutputStatus add(const ScenarioResult& r) override;

 private:
  std::ostream& out_;
};

/// JUnit XML written at the end: a testcase per scenario, a failure per
/// disagreement or flaky result, an error per failed run; known deviations
/// pass, with their reason as output.
class JunitSink final : public ResultSink {
 public:
  explicit JunitSink(std::string path) : path_(std::move(path)) {}
  OutputStatus finish(const RunSummary& summary) override;

 private:
  std::string path_;
};

/// The readable report of one result (several lines).
std::string result_text(const ScenarioResult& r);

/// "3 agree, 1 disagree, 1 error" (verdicts in a fixed order, zeros left out).
std::string verdict_counts_text(const std::map<std::string, int>& counts);

}  // namespace restorelab::run
