// The one table of a result's fields: what `restorelab run --json` prints
// per scenario, what the results store keeps and compares, what JUnit and
// the HTML report name (docs/results-format.md). The JSON line's writer and
// reader (harness/run/result_json.cc), `results compare` (store_compare.cc),
// JUnit and HTML take a field's name, JSON type and place from here; a new
// field is one entry plus the code that gives its value.
//
// It lives beside the store, the lowest layer that reads results, so that
// the store's comparison and the run's writer read one table. A result's
// JSON is an nlohmann value in both directions; result_json_text() writes it
// with restorelab's escaping (json_writer.h), in this table's order.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace restorelab {

/// Where a field sits: the line itself or one of its objects. A
/// remediation's `observed` object has the fields of Observed.
enum class ResultScope : std::uint8_t { Line, Predicted, Observed, Timings, Kept, Remediation };

/// A field's JSON type.
enum class ResultType : std::uint8_t {
  String,
  Integer,
  Boolean,
  Seconds,     ///< a number, written to a tenth
  StringList,
  Object,      ///< its members are the fields of ResultFieldInfo::members, or free (axes)
};

/// Where a field's value comes from.
enum class ResultSource : std::uint8_t {
  Scenario,     ///< the scenario or matrix combination
  Prediction,   ///< the rulebook's prediction
  Observation,  ///< what the VMs showed: the observer, blind to the prediction
  Verdict,      ///< the one comparison of the two (verdict.h)
  Run,          ///< how the run went: attempts, reuse, accelerator, timings, evidence
  Remediation,  ///< `run --remediate` (docs/remediation.md)
};

/// Every field, grouped by scope, each group in the order the line writes it.
enum class ResultField : std::uint8_t {
  // the line
  id, run, scenario, file, axes, predicted, observed, verdict, error, deviation, differences, attempts,
  attempt_outcomes, reused, reused_from, accelerator, timings_s, source_cached, observation_key, evidence, kept,
  remediation,
  // predicted
  predicted_supported, predicted_outcome, predicted_cpus_used, predicted_actions, predicted_rules,
  predicted_reasons,
  // observed
  observed_outcome, observed_stop_code, observed_cpus_used, observed_cpus_present, observed_nics_configured,
  observed_nics_orphaned, observed_nics_unconfigured, observed_mac_changed, observed_degraded, observed_detail,
  observed_seen, observed_error,
  // timings_s: seconds by phase
  timing_source, timing_restore, timing_destination, timing_total, timing_disks,
  // kept
  kept_uri, kept_domains, kept_commands,
  // remediation
  remediation_applied, remediation_skipped, remediation_from, remediation_changes, remediation_observed,
  remediation_verdict, remediation_differences, remediation_expected, remediation_error, remediation_note,
  remediation_timings_s,
};

struct ResultFieldInfo {
  ResultField field;
  ResultScope scope;
  std::string_view name;
  ResultType type;
  ResultSource source;
  /// A value the result does not have is left out of its object; else it is
  /// written as null.
  bool omitted_when_absent = false;
  /// A reader refuses an object without it.
  bool required = false;
  /// For an Object: the scope of its members; nothing for a free object,
  /// written as it is (a matrix combination's axes, a remediation's timings).
  std::optional<ResultScope> members;
  /// Its place among the fields `results compare` reports, 1 first; 0 when
  /// the comparison does not look at it. A compared field of Remediation is
  /// reported under the name of the line's `remediation`.
  std::uint8_t compared = 0;
};

/// Every field, in ResultField's order.
std::span<const ResultFieldInfo> all_result_fields();

const ResultFieldInfo& info(ResultField f);
std::string_view name_of(ResultField f);

/// The compared fields (ResultFieldInfo::compared), in the order `results
/// compare` reports them.
std::span<const ResultFieldInfo* const> compared_result_fields();

/// A result's JSON value, as restorelab writes JSON: an object of `scope`
/// with its fields in the table's order, a missing or null field left out
/// or null as the table says, Seconds to a tenth, strings escaped by
/// append_json_string. Members the table does not name are not written.
std::string result_json_text(ResultScope scope, const nlohmann::ordered_json& object);

/// Any JSON value as restorelab writes JSON (json_writer.h): objects in
/// their own order, numbers that are not integers to a tenth.
std::string json_text(const nlohmann::ordered_json& value);

/// The first field of `object` (a `scope` object, nested objects included)
/// that is missing though required (`no "id"`) or has the wrong JSON type
/// (`"attempts" is not an integer`), as a reader reports it: a nested
/// object's error after its name (`observed: "cpus_used" is not an
/// integer`). Nothing when every field is well-typed; values of free
/// objects and Seconds are not checked (a reader skips what is not a number).
std::optional<std::string> result_type_error(ResultScope scope, const nlohmann::ordered_json& object);

}  // namespace restorelab
