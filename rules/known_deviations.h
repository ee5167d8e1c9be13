// The registry of known deviations (results-format.md, "Retries, flakiness,
// known deviations"): disagreements between the rulebook and what the VMs
// did that are understood, each with its reason. A `restorelab run` gives a
// matching disagreement the verdict `known-deviation` instead of `disagree`,
// and lists the entries that excused nothing as stale.
//
//   [[deviation]]
//   id = "guest-checks-controller-first"   # unique, [a-z0-9._-]+
//   scenario = "hal-by-disk/*.virtio"        # glob on scenario ids: * any run, ? one character
//   when = 'paths_differ()'                  # the rulebook's condition language
//   observed = "stop-0x7b"                   # optional: only this observed outcome is excused
//   reason = "..."                           # required
//   reference = "images/README.md#..."       # optional
//   until = 2027-06-30                       # optional: after this day it excuses nothing
//
// An entry needs `scenario` or `when`; with both, both must hold.
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "rules/condition.h"
#include "rules/diagnostic.h"
#include "rules/model.h"
#include "rules/toml_source.h"

namespace restorelab {

/// One `[[deviation]]` entry.
struct KnownDeviation {
  std::string id;
  std::string scenario;                          ///< the glob; empty: any scenario id
  std::optional<Condition> when;                 ///< absent: any scenario
  std::optional<Outcome> observed;               ///< absent: any observed outcome
  std::string reason;
  std::string reference;                         ///< may be empty
  std::optional<std::chrono::year_month_day> until;  ///< the last day it excuses anything
  toml::source_region where;                     ///< the [[deviation]] table, for messages

  /// True when `today` is after `until`: the entry excuses nothing any more.
  bool expired(std::chrono::year_month_day today) const { return until && today > *until; }

  /// True when the entry excuses observing `observed` for the scenario with
  /// this id (a matrix combination's id, else the scenario's name), on
  /// `today` (UTC). It does not know the prediction: ask only about a
  /// disagreement. Thread-safe; allocates nothing.
  bool excuses(std::string_view scenario_id, const Scenario& s, Outcome observed,
               std::chrono::year_month_day today) const;

  /// True when `scenario` (the glob) and `when` both hold for this scenario:
  /// the entry could excuse a disagreement of it, whatever was observed and
  /// whatever the day. Thread-safe; allocates nothing.
  bool applies_to(std::string_view scenario_id, const Scenario& s) const;
};

/// A loaded registry: the entries in file order. Empty is valid (no entries).
struct KnownDeviations {
  std::string file;
  std::vector<KnownDeviation> entries;

  /// The first entry, in file order, that excuses observing `observed` for
  /// this scenario on `today` (see KnownDeviation::excuses), or nullptr. The
  /// caller records the entry's id with the verdict. Thread-safe: pure.
  const KnownDeviation* match(std::string_view scenario_id, const Scenario& s, Outcome observed,
                              std::chrono::year_month_day today) const;

  /// How many verdicts each entry excused, index for index with `entries`:
  /// the caller folds the ids that match() returned over a run (as recorded
  /// with the verdicts, so reused, merged and concurrent results count too).
  /// Ids that name no entry are ignored.
  std::vector<std::size_t> excused_counts(std::span<const std::string> excused_ids) const;

  /// The entries that excused nothing in a run whose known-deviation
  /// verdicts named `excused_ids`, in file order. Expired entries are among
  /// them (KnownDeviation::expired tells them apart).
  std::vector<const KnownDeviation*> stale(std::span<const std::string> excused_ids) const;

  /// The entry that excused every one of a run's `disagreements` (at least
  /// two) when its known-deviation verdicts named `excused_ids`, or nullptr.
  /// An entry such as `scenario = "*"` or `when = "true"` excuses whatever
  /// the rulebook gets wrong; the run says so rather than stay silent.
  const KnownDeviation* excused_all(std::span<const std::string> excused_ids, std::size_t disagreements) const;
};

/// True when `glob` matches all of `text`: `*` matches any run of characters
/// (none, and '/' too), `?` exactly one; every other character itself. Linear
/// space, no recursion.
bool glob_match(std::string_view glob, std::string_view text);

/// Loads a registry. `when` conditions are compiled with `compiler`, which
/// should be the rulebook's (`Rulebook::compiler`), so its helpers such as
/// `paths_differ()` can be called. Every error of the file is reported, in
/// text order, at file:line:column with what was expected and a suggestion
/// for a near miss; the registry is returned only when there are none.
std::expected<KnownDeviations, Diagnostics> load_known_deviations_text(std::string_view text,
                                                                       const std::string& path,
                                                                       const ConditionCompiler& compiler);
std::expected<KnownDeviations, Diagnostics> load_known_deviations(const FileReader& reader,
                                                                  const std::string& path,
                                                                  const ConditionCompiler& compiler);

/// The registry `restorelab run` uses without `--known`: the source tree's
/// scenarios/known-deviations.toml (read at run time; the caller checks that
/// it exists, as the default is optional).
std::string default_known_deviations_path();

}  // namespace restorelab
