// How a campaign shows its progress on stderr: on a terminal one status line
// rewritten in place (done of total, verdicts so far, what is running, an
// estimate of the time left); otherwise one line per finished scenario, which
// reads well in a CI log.
#pragma once

#include <chrono>
#include <map>
#include <mutex>

#include "harness/cli/cli.h"
#include "harness/run/campaign.h"

namespace restorelab {

class RunProgress final : public run::CampaignObserver {
 public:
  RunProgress(Streams& io, int jobs) : io_(io), jobs_(jobs) {}
  void phase(const std::vector<run::InFlight>& running) override;
  void finished(const run::ScenarioResult& r, std::size_t done, std::size_t total) override;
  void warning(const std::string& message) override;
  /// Clears the status line (before other output at the end).
  void clear();

  /// "4 min" / "35 s": the estimate for `left` scenarios, from the mean time
  /// of those that ran (reused ones cost nothing), `jobs` at a time.
  static std::string estimate(double mean_seconds, std::size_t left, int jobs);

 private:
  void draw();
  Streams& io_;
  int jobs_;
  std::mutex mutex_;
  std::vector<run::InFlight> running_;
  std::map<std::string, int> verdicts_;
  std::size_t done_ = 0, total_ = 0, ran_ = 0;
  double ran_seconds_ = 0;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace restorelab
