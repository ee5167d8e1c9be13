// `restorelab results compare BASE HEAD`: what changed between two sets of
// results (two runs, or the newest results of two campaigns). A pure
// function over the records; the store only supplies them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/store/store_records.h"

namespace restorelab::store {

/// One field that differs. Fields, in the order of result_fields.h's
/// compared fields: `verdict`; from the observed JSON `outcome`,
/// `cpus_used`, `stop_code`; `remediation` (the remediation's verdict,
/// remediation.md). A value is null when the result has none (nothing
/// observed, a stop code only for stops, ...).
struct FieldChange {
  std::string field;
  nlohmann::json base, head;
  bool operator==(const FieldChange&) const = default;
};

/// A scenario in both sets whose fields differ.
struct ScenarioChange {
  std::string id;
  std::vector<FieldChange> changes;
  /// agree or known-deviation in BASE; disagree, flaky or error in HEAD.
  bool regression = false;
  bool operator==(const ScenarioChange&) const = default;
};

struct Comparison {
  int in_both = 0;                        ///< scenario ids in both sets
  std::vector<ScenarioChange> changed;    ///< by scenario id
  std::vector<std::string> only_in_base;  ///< sorted
  std::vector<std::string> only_in_head;  ///< sorted
  /// The ids of the regressions among `changed`, sorted.
  std::vector<std::string> regressions() const;
  /// `results compare` exits 1 when true.
  bool has_regression() const;
};

/// Compares two sets of results keyed by ResultRecord::id (each id once per
/// set, as the store's lookups return them). Observed JSON that does not
/// parse counts as nothing observed.
Comparison compare(const std::vector<ResultRecord>& base, const std::vector<ResultRecord>& head);

/// The readable report: a summary line naming `base_name` and `head_name`
/// (e.g. "run 3", "campaign nightly"), then each changed scenario (flagged
/// REGRESSION or changed) with a line per field, then the ids in one set only.
std::string comparison_text(const Comparison& c, std::string_view base_name, std::string_view head_name);

/// One JSON object and '\n': base, head, in_both, changed [{id, regression,
/// changes [{field, base, head}]}], only_in_base, only_in_head, regressions.
std::string comparison_json(const Comparison& c, std::string_view base_name, std::string_view head_name);

}  // namespace restorelab::store
