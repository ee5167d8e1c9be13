// How much of a matrix's behaviour has been seen on machines
// (`restorelab results coverage`, and the campaign report's coverage
// section): for each behaviour class of the matrix under today's rulebook
// (rules/behaviour_cover.h), whether the store holds an observation that
// `run` would reuse today for one of its combinations (same observation key:
// observation_key.h), and what that observation says against the class's
// prediction.
//
// A class is, of its members' observations, in this order of precedence:
//   disagree         one disagrees and the known-deviations registry does not excuse it
//   flaky            the observations of one key do not all judge alike, or one
//                    was recorded flaky (its attempts differed)
//   known_deviation  one disagrees and the registry excuses it
//   agree            every observation agrees
//   unobserved       no member has a usable observation
// Only results that observed something (not verdict error) count, as only
// error-free attempts are reused by `run`.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <unordered_set>
#include <vector>

#include "harness/run/campaign.h"
#include "harness/run/observation_key.h"
#include "harness/run/verdict.h"
#include "harness/store/results_store.h"
#include "rules/behaviour_cover.h"

namespace restorelab::run {

enum class ClassStatus : std::uint8_t { Agree, KnownDeviation, Disagree, Flaky, Unobserved };
inline constexpr std::size_t kClassStatusCount = 5;
/// "agree", "known_deviation", "disagree", "flaky", "unobserved" (the JSON field names).
std::string_view class_status_name(ClassStatus s);

struct ClassCoverage {
  std::string summary;         ///< behaviour_summary()
  std::string outcome;         ///< the predicted outcome's name
  std::uint64_t members = 0;   ///< valid combinations in the class
  std::string representative;  ///< the combination `--cover behaviours` selects for it
  ClassStatus status = ClassStatus::Unobserved;
  std::string observed;        ///< the member whose observation decided the status; empty when unobserved
  std::string deviation;       ///< with known_deviation: the registry entry
};

struct MatrixCoverage {
  std::string matrix;              ///< the matrix's name
  std::uint64_t combinations = 0;  ///< valid combinations
  std::vector<ClassCoverage> classes;
  std::uint64_t pairs = 0;           ///< pairs some valid combination holds
  std::uint64_t pairs_observed = 0;  ///< ... held by a combination with a usable observation
  std::uint64_t count(ClassStatus s) const;
  std::uint64_t observed() const { return classes.size() - count(ClassStatus::Unobserved); }
  /// Exit 1 when a class disagrees or is flaky, else 0.
  int exit_code() const;
};

/// One stored observation in scope, by the key it was made under.
struct KeyedObservation {
  std::string key;
  Observation observed;
  bool flaky = false;  ///< recorded flaky
};

/// The results whose observations count: run `run`'s (> 0), the newest of
/// each scenario over the runs labelled `campaign` (not empty), or every
/// run's. BadInput when the run or the label is not there.
store::Result<std::vector<store::ResultRecord>> results_in_scope(const store::ResultsStore& s, std::int64_t run,
                                                                 const std::string& campaign);

/// The usable observations of `records` (those that observed something), or
/// the first record whose columns do not read back as an error message.
std::expected<std::vector<KeyedObservation>, std::string> stored_observations(
    const std::vector<store::ResultRecord>& records);

/// `preferred` (one flag per valid combination of `classes`, or empty),
/// with every class that has no preferred member given its members that
/// this host can run (firmware_boots()): the classes' representatives
/// are then ones a VM run can observe wherever the class has one.
std::vector<bool> prefer_runnable(const Matrix& m, const BehaviourClasses& classes, std::vector<bool> preferred);

/// For each valid combination of `classes` (in its order), whether one of
/// `keys` is its observation key under `inputs`: what `run --cover
/// behaviours` prefers (cover_behaviours()). All false when `keys` is empty,
/// without making a key.
std::vector<bool> observed_combinations(const Matrix& m, const BehaviourClasses& classes,
                                        const std::unordered_set<std::string>& keys, const KeyInputs& inputs);

/// The coverage of `m` by `observations`, judged with `book` (and `known`
/// when not null); keys are made with `inputs` as `run` makes them.
/// Precondition: `m` is within check_matrix_work()'s limits with `behaviours`.
MatrixCoverage matrix_coverage(const Matrix& m, const Rulebook& book, const std::vector<KeyedObservation>& observations,
                               const KeyInputs& inputs, DeviationRegistry* known, std::uint64_t seed = 1);

/// The coverage of a campaign's rows (the campaign report's section): each
/// class is its rows' verdicts (`statuses`, parallel to `rows`; Unobserved
/// for a row that did not run: interrupted, or in another shard).
struct CampaignRow {
  std::uint32_t behaviour = 0;  ///< its class
  std::string id;
  Choice choice;
  ClassStatus status = ClassStatus::Unobserved;
};
MatrixCoverage campaign_coverage(const Matrix& m, const Rulebook& book, const std::vector<BehaviourClass>& classes,
                                 const std::vector<CampaignRow>& rows, std::uint64_t pairs_held);

/// The status a verdict gives a class.
ClassStatus status_of(Verdict::Kind v);

/// The one JSON object of `results coverage --json` (harness/store/README.md).
std::string coverage_json(const MatrixCoverage& c);
/// The text report: counts, then the classes that disagree, are flaky or unobserved.
std::string coverage_text(const MatrixCoverage& c);

}  // namespace restorelab::run
