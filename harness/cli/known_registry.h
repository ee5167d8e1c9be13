// `--known FILE`: the registry of understood disagreements
// (rules/known_deviations.h) as the campaign asks it, and how run loads it.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "harness/cli/cli.h"
#include "harness/run/campaign.h"
#include "rules/known_deviations.h"

namespace restorelab {

/// Matches disagreements against a loaded registry as of one day (UTC), and
/// remembers what each entry excused. Thread-safe.
class KnownRegistry final : public run::DeviationRegistry {
 public:
  KnownRegistry(KnownDeviations known, std::chrono::year_month_day today)
      : known_(std::move(known)), today_(today) {}
  std::string excuse(const std::string& id, const Scenario& s, Outcome observed) override;
  /// The warning for an entry that excused every disagreement so far (at
  /// least two; KnownDeviations::excused_all), or "" when none did.
  std::string excused_everything() const;
  /// The entries that excused nothing in a run of `items` although they
  /// apply to one of them (KnownDeviation::applies_to), in file order: an
  /// entry that could never have applied to this run is no news.
  std::vector<std::string> stale_among(std::span<const run::CampaignItem> items) const;

 private:
  KnownDeviations known_;
  std::chrono::year_month_day today_;
  mutable std::mutex mutex_;
  std::vector<std::string> excused_;
  std::size_t disagreements_ = 0;  ///< excuse() calls: every disagreement is asked about
};

/// Today in UTC.
std::chrono::year_month_day today_utc();

/// The registry of `path` (`--known`), or the project's when `path` is empty
/// and it exists; "none" turns it off. Nothing when there is none to use;
/// false after printing the file's errors.
bool load_known_registry(const std::string& path, const Rulebook& book, std::optional<KnownRegistry>& out,
                         Streams& io);

}  // namespace restorelab
