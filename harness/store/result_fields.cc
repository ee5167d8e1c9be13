#include "harness/store/result_fields.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "harness/output/json_writer.h"

namespace restorelab {

namespace {

using F = ResultField;
using S = ResultScope;
using T = ResultType;
using Src = ResultSource;
constexpr bool kOmitted = true, kNull = false;
constexpr bool kRequired = true, kOptional = false;
constexpr std::nullopt_t kNoScope = std::nullopt;  // members: not an object, or a free one

// clang-format off
constexpr std::array kFields = std::to_array<ResultFieldInfo>({
  // field                      scope           name                 type           source            absent    required   members         compared
  {F::id,                      S::Line,        "id",                T::String,     Src::Scenario,    kNull,    kRequired, kNoScope,       0},
  {F::run,                     S::Line,        "run",               T::Integer,    Src::Run,         kNull,    kOptional, kNoScope,       0},
  {F::scenario,                S::Line,        "scenario",          T::String,     Src::Scenario,    kNull,    kRequired, kNoScope,       0},
  {F::file,                    S::Line,        "file",              T::String,     Src::Scenario,    kOmitted, kOptional, kNoScope,       0},
  {F::axes,                    S::Line,        "axes",              T::Object,     Src::Scenario,    kOmitted, kOptional, kNoScope,       0},
  {F::predicted,               S::Line,        "predicted",         T::Object,     Src::Prediction,  kNull,    kRequired, S::Predicted,   0},
  {F::observed,                S::Line,        "observed",          T::Object,     Src::Observation, kNull,    kRequired, S::Observed,    0},
  {F::verdict,                 S::Line,        "verdict",           T::String,     Src::Verdict,     kNull,    kRequired, kNoScope,       1},
  {F::error,                   S::Line,        "error",             T::String,     Src::Verdict,     kOmitted, kOptional, kNoScope,       0},
  {F::deviation,               S::Line,        "deviation",         T::String,     Src::Verdict,     kNull,    kOptional, kNoScope,       0},
  {F::differences,             S::Line,        "differences",       T::StringList, Src::Verdict,     kNull,    kOptional, kNoScope,       0},
  {F::attempts,                S::Line,        "attempts",          T::Integer,    Src::Run,         kNull,    kOptional, kNoScope,       0},
  {F::attempt_outcomes,        S::Line,        "attempt_outcomes",  T::StringList, Src::Run,         kOmitted, kOptional, kNoScope,       0},
  {F::reused,                  S::Line,        "reused",            T::Boolean,    Src::Run,         kNull,    kOptional, kNoScope,       0},
  {F::reused_from,             S::Line,        "reused_from",       T::Integer,    Src::Run,         kNull,    kOptional, kNoScope,       0},
  {F::accelerator,             S::Line,        "accelerator",       T::String,     Src::Run,         kNull,    kOptional, kNoScope,       0},
  {F::timings_s,               S::Line,        "timings_s",         T::Object,     Src::Run,         kNull,    kOptional, S::Timings,     0},
  {F::source_cached,           S::Line,        "source_cached",     T::Boolean,    Src::Run,         kNull,    kOptional, kNoScope,       0},
  {F::observation_key,         S::Line,        "observation_key",   T::String,     Src::Scenario,    kNull,    kOptional, kNoScope,       0},
  {F::evidence,                S::Line,        "evidence",          T::String,     Src::Run,         kNull,    kOptional, kNoScope,       0},
  {F::kept,                    S::Line,        "kept",              T::Object,     Src::Run,         kOmitted, kOptional, S::Kept,        0},
  {F::remediation,             S::Line,        "remediation",       T::Object,     Src::Remediation, kOmitted, kOptional, S::Remediation, 0},

  {F::predicted_supported,     S::Predicted,   "supported",         T::Boolean,    Src::Prediction,  kNull,    kOptional, kNoScope,       0},
  {F::predicted_outcome,       S::Predicted,   "outcome",           T::String,     Src::Prediction,  kNull,    kRequired, kNoScope,       0},
  {F::predicted_cpus_used,     S::Predicted,   "cpus_used",         T::Integer,    Src::Prediction,  kNull,    kOptional, kNoScope,       0},
  {F::predicted_actions,       S::Predicted,   "actions",           T::StringList, Src::Prediction,  kNull,    kOptional, kNoScope,       0},
  {F::predicted_rules,         S::Predicted,   "rules",             T::StringList, Src::Prediction,  kNull,    kOptional, kNoScope,       0},
  {F::predicted_reasons,       S::Predicted,   "reasons",           T::StringList, Src::Prediction,  kNull,    kOptional, kNoScope,       0},

  {F::observed_outcome,        S::Observed,    "outcome",           T::String,     Src::Observation, kNull,    kOptional, kNoScope,       2},
  {F::observed_stop_code,      S::Observed,    "stop_code",         T::String,     Src::Observation, kNull,    kOptional, kNoScope,       4},
  {F::observed_cpus_used,      S::Observed,    "cpus_used",         T::Integer,    Src::Observation, kNull,    kOptional, kNoScope,       3},
  {F::observed_cpus_present,   S::Observed,    "cpus_present",      T::Integer,    Src::Observation, kNull,    kOptional, kNoScope,       0},
  {F::observed_nics_configured,S::Observed,    "nics_configured",   T::Integer,    Src::Observation, kNull,    kOptional, kNoScope,       0},
  {F::observed_nics_orphaned,  S::Observed,    "nics_orphaned",     T::Integer,    Src::Observation, kNull,    kOptional, kNoScope,       0},
  {F::observed_nics_unconfigured,S::Observed,    "nics_unconfigured", T::Integer,    Src::Observation, kNull,    kOptional, kNoScope,       0},
  {F::observed_mac_changed,    S::Observed,    "mac_changed",       T::StringList, Src::Observation, kNull,    kOptional, kNoScope,       0},
  {F::observed_degraded,       S::Observed,    "degraded",          T::StringList, Src::Observation, kNull,    kOptional, kNoScope,       0},
  {F::observed_detail,         S::Observed,    "detail",            T::String,     Src::Observation, kOmitted, kOptional, kNoScope,       0},
  {F::observed_seen,           S::Observed,    "seen",              T::String,     Src::Observation, kOmitted, kOptional, kNoScope,       0},
  {F::observed_error,          S::Observed,    "error",             T::String,     Src::Observation, kOmitted, kOptional, kNoScope,       0},

  {F::timing_source,           S::Timings,     "source",            T::Seconds,    Src::Run,         kOmitted, kOptional, kNoScope,       0},
  {F::timing_restore,          S::Timings,     "restore",           T::Seconds,    Src::Run,         kOmitted, kOptional, kNoScope,       0},
  {F::timing_destination,      S::Timings,     "destination",       T::Seconds,    Src::Run,         kOmitted, kOptional, kNoScope,       0},
  {F::timing_total,            S::Timings,     "total",             T::Seconds,    Src::Run,         kOmitted, kOptional, kNoScope,       0},
  {F::timing_disks,            S::Timings,     "disks",             T::Seconds,    Src::Run,         kOmitted, kOptional, kNoScope,       0},

  {F::kept_uri,                S::Kept,        "uri",               T::String,     Src::Run,         kNull,    kRequired, kNoScope,       0},
  {F::kept_domains,            S::Kept,        "domains",           T::StringList, Src::Run,         kNull,    kOptional, kNoScope,       0},
  {F::kept_commands,           S::Kept,        "commands",          T::StringList, Src::Run,         kNull,    kOptional, kNoScope,       0},

  {F::remediation_applied,     S::Remediation, "applied",           T::StringList, Src::Remediation, kNull,    kOptional, kNoScope,       0},
  {F::remediation_skipped,     S::Remediation, "skipped",           T::StringList, Src::Remediation, kNull,    kOptional, kNoScope,       0},
  {F::remediation_from,        S::Remediation, "from",              T::String,     Src::Remediation, kNull,    kOptional, kNoScope,       0},
  {F::remediation_changes,     S::Remediation, "changes",           T::StringList, Src::Remediation, kNull,    kOptional, kNoScope,       0},
  {F::remediation_observed,    S::Remediation, "observed",          T::Object,     Src::Observation, kNull,    kOptional, S::Observed,    0},
  {F::remediation_verdict,     S::Remediation, "verdict",           T::String,     Src::Remediation, kNull,    kRequired, kNoScope,       5},
  {F::remediation_differences, S::Remediation, "differences",       T::StringList, Src::Remediation, kNull,    kOptional, kNoScope,       0},
  {F::remediation_expected,    S::Remediation, "expected",          T::StringList, Src::Remediation, kNull,    kOptional, kNoScope,       0},
  {F::remediation_error,       S::Remediation, "error",             T::String,     Src::Remediation, kOmitted, kOptional, kNoScope,       0},
  {F::remediation_note,        S::Remediation, "note",              T::String,     Src::Remediation, kOmitted, kOptional, kNoScope,       0},
  {F::remediation_timings_s,   S::Remediation, "timings_s",         T::Object,     Src::Remediation, kNull,    kOptional, kNoScope,       0},
});
// clang-format on

constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < kFields.size(); ++i)
    if (static_cast<std::size_t>(kFields[i].field) != i) return false;
  return true;
}
static_assert(in_enum_order(), "kFields lists every ResultField once, in the enum's order");

constexpr std::array kCompared = [] {
  std::array<const ResultFieldInfo*, 5> out{};
  for (const ResultFieldInfo& f : kFields)
    if (f.compared) out[f.compared - 1] = &f;
  return out;
}();

using Json = nlohmann::ordered_json;

void write_value(JsonWriter& w, const Json& v) {
  switch (v.type()) {
    case Json::value_t::string: w.value(v.get_ref<const std::string&>()); break;
    case Json::value_t::boolean: w.value(v.get<bool>()); break;
    case Json::value_t::number_integer: w.value(v.get<std::int64_t>()); break;
    case Json::value_t::number_unsigned: w.value(static_cast<std::int64_t>(v.get<std::uint64_t>())); break;
    case Json::value_t::number_float: w.value(std::round(v.get<double>() * 10) / 10); break;
    case Json::value_t::array:
      w.begin_array();
      for (const Json& item : v) write_value(w, item);
      w.end_array();
      break;
    case Json::value_t::object:
      w.begin_object();
      for (const auto& [k, item] : v.items()) write_value(w.key(k), item);
      w.end_object();
      break;
    default: w.null();
  }
}

void write_object(JsonWriter& w, ResultScope scope, const Json& object) {
  w.begin_object();
  for (const ResultFieldInfo& f : kFields) {
    if (f.scope != scope) continue;
    const auto it = object.find(f.name);
    const bool absent = it == object.end() || it->is_null();
    if (absent && f.omitted_when_absent) continue;
    w.key(f.name);
    if (absent) w.null();
    else if (f.members) write_object(w, *f.members, *it);
    else write_value(w, *it);
  }
  w.end_object();
}

// "is not a string" ..., or nothing when `v` has `type`.
std::optional<std::string_view> type_error(ResultType type, const Json& v) {
  switch (type) {
    case T::String: return v.is_string() ? std::nullopt : std::optional<std::string_view>("is not a string");
    case T::Integer: return v.is_number_integer() ? std::nullopt : std::optional<std::string_view>("is not an integer");
    case T::Boolean: return v.is_boolean() ? std::nullopt : std::optional<std::string_view>("is not true or false");
    case T::Seconds: return std::nullopt;
    case T::StringList:
      if (!v.is_array()) return "is not a list";
      if (!std::ranges::all_of(v, [](const Json& item) { return item.is_string(); }))
        return "holds a value that is not a string";
      return std::nullopt;
    case T::Object: return v.is_object() ? std::nullopt : std::optional<std::string_view>("is not an object");
  }
  return std::nullopt;
}

}  // namespace

std::span<const ResultFieldInfo> all_result_fields() { return kFields; }

const ResultFieldInfo& info(ResultField f) { return kFields[static_cast<std::size_t>(f)]; }

std::string_view name_of(ResultField f) { return info(f).name; }

std::span<const ResultFieldInfo* const> compared_result_fields() { return kCompared; }

std::string json_text(const Json& value) {
  std::string out;
  JsonWriter w(out);
  write_value(w, value);
  return out;
}

std::string result_json_text(ResultScope scope, const Json& object) {
  std::string out;
  JsonWriter w(out);
  write_object(w, scope, object);
  return out;
}

std::optional<std::string> result_type_error(ResultScope scope, const Json& object) {
  for (const ResultFieldInfo& f : kFields) {
    if (f.scope != scope) continue;
    const std::string quoted = "\"" + std::string(f.name) + "\"";
    const auto it = object.find(f.name);
    if (it == object.end() || it->is_null()) {
      if (f.required) return "no " + quoted + (f.type == T::Object ? " object" : "");
      continue;
    }
    if (auto wrong = type_error(f.type, *it)) return quoted + " " + std::string(*wrong);
    if (f.members)
      if (auto inner = result_type_error(*f.members, *it)) return std::string(f.name) + ": " + *inner;
  }
  return std::nullopt;
}

}  // namespace restorelab
