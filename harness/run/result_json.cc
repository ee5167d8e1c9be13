#include "harness/run/result_json.h"

#include "harness/store/result_fields.h"
#include "rules/utf8.h"

namespace restorelab::run {

namespace {

// A result's JSON is an nlohmann value both ways: built here field by field,
// written by result_json_text() in the table's order (an absent value set as
// null is left out or written null as the table says), and read back after
// result_type_error() has checked every field's type.
using Json = nlohmann::ordered_json;
using F = ResultField;
using S = ResultScope;

// ---- writing ----

void put(Json& object, F f, Json value) { object[std::string(name_of(f))] = std::move(value); }

template <class T>
Json number_or_null(const std::optional<T>& v) {
  return v ? Json(static_cast<std::int64_t>(*v)) : Json();
}

Json text_or_null(const std::string& v) { return v.empty() ? Json() : Json(v); }

Json name_json(std::string_view name) { return Json(std::string(name)); }

Json observation_value(const Observation& o) {
  Json j = Json::object();
  put(j, F::observed_outcome, o.outcome ? name_json(name_of(*o.outcome)) : Json());
  put(j, F::observed_stop_code, text_or_null(o.stop_code));
  put(j, F::observed_cpus_used, number_or_null(o.cpus_used));
  put(j, F::observed_cpus_present, number_or_null(o.cpus_present));
  put(j, F::observed_nics_configured, number_or_null(o.nics_configured));
  put(j, F::observed_nics_orphaned, number_or_null(o.nics_orphaned));
  put(j, F::observed_nics_unconfigured, number_or_null(o.nics_unconfigured));
  put(j, F::observed_mac_changed, o.mac_changed);
  put(j, F::observed_degraded, o.degraded);
  put(j, F::observed_detail, text_or_null(o.detail));
  put(j, F::observed_seen, text_or_null(o.evidence));
  put(j, F::observed_error, text_or_null(o.error));
  return j;
}

Json predicted_value(const PredictedSummary& p) {
  Json j = Json::object();
  put(j, F::predicted_supported, p.supported);
  put(j, F::predicted_outcome, name_json(name_of(p.outcome)));
  put(j, F::predicted_cpus_used, number_or_null(p.cpus_used));
  put(j, F::predicted_actions, p.actions);
  put(j, F::predicted_rules, p.rules);
  put(j, F::predicted_reasons, p.reasons);
  return j;
}

// Every phase; the table says which the line has.
Json timings_value(const std::map<std::string, double>& timings) {
  Json j = Json::object();
  for (const auto& [k, v] : timings) j[k] = v;
  return j;
}

Json remediation_value(const RemediationResult& m) {
  Json j = Json::object();
  put(j, F::remediation_applied, m.applied);
  put(j, F::remediation_skipped, m.skipped);
  put(j, F::remediation_from, text_or_null(m.from));
  put(j, F::remediation_changes, m.changes);
  put(j, F::remediation_observed, observation_value(m.observed));
  put(j, F::remediation_verdict, name_json(remediation_verdict_name(m.verdict)));
  put(j, F::remediation_differences, m.differences);
  put(j, F::remediation_expected, m.expected);
  put(j, F::remediation_error, text_or_null(m.error));
  put(j, F::remediation_note, text_or_null(m.note));
  put(j, F::remediation_timings_s, timings_value(m.timings));
  return j;
}

Json kept_value(const KeptAccess& k) {
  Json j = Json::object();
  put(j, F::kept_uri, k.uri);
  put(j, F::kept_domains, k.domains);
  put(j, F::kept_commands, k.commands);
  return j;
}

Json line_value(const ScenarioResult& r) {
  Json j = Json::object();
  put(j, F::id, r.id);
  put(j, F::run, r.run > 0 ? Json(r.run) : Json());
  put(j, F::scenario, r.scenario);
  put(j, F::file, text_or_null(r.file));
  // Stored text (data): what is not a JSON object is left out.
  if (Json axes = Json::parse(valid_utf8(r.axes_json), nullptr, false); axes.is_object()) put(j, F::axes, axes);
  put(j, F::predicted, predicted_value(r.predicted));
  put(j, F::observed, observation_value(r.observed));
  put(j, F::verdict, name_json(verdict_name(r.verdict.kind)));
  put(j, F::error, r.verdict.kind == Verdict::Kind::Error ? Json(r.verdict.error) : Json());
  put(j, F::deviation, text_or_null(r.deviation));
  put(j, F::differences, r.verdict.differences);
  put(j, F::attempts, r.attempt_count);
  const auto outcomes = r.attempts.empty() ? r.attempt_outcomes : attempt_outcome_names(r.attempts);
  put(j, F::attempt_outcomes, outcomes.size() > 1 ? Json(outcomes) : Json());
  put(j, F::reused, r.reused);
  put(j, F::reused_from, number_or_null(r.reused_from));
  put(j, F::accelerator, r.accelerator);
  put(j, F::timings_s, timings_value(r.timings));
  put(j, F::source_cached, r.source_cached);
  put(j, F::observation_key, r.observation_key);
  put(j, F::evidence, r.evidence);
  put(j, F::kept, r.kept ? kept_value(*r.kept) : Json());
  put(j, F::remediation, r.remediation ? remediation_value(*r.remediation) : Json());
  return j;
}

// ---- reading: every field's type is checked already ----

const Json* member(const Json& object, F f) {
  const auto it = object.find(std::string(name_of(f)));
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string text(const Json& object, F f) {
  const Json* v = member(object, f);
  return v ? v->get<std::string>() : std::string();
}

bool flag(const Json& object, F f) {
  const Json* v = member(object, f);
  return v && v->get<bool>();
}

template <class T>
std::optional<T> number(const Json& object, F f) {
  const Json* v = member(object, f);
  return v ? std::optional<T>(v->get<T>()) : std::nullopt;
}

std::vector<std::string> strings(const Json& object, F f) {
  const Json* v = member(object, f);
  return v ? v->get<std::vector<std::string>>() : std::vector<std::string>();
}

/// The value `parse` makes of the name in field `f`; nothing when the field
/// is absent; `"f": unknown value "x"` when `parse` knows no such name.
template <class Parse>
auto named(const Json& object, F f, Parse parse)
    -> std::expected<decltype(parse(std::string_view())), std::string> {
  const std::string name = text(object, f);
  if (name.empty()) return std::nullopt;
  auto value = parse(name);
  if (!value) return std::unexpected("\"" + std::string(name_of(f)) + "\": unknown value \"" + name + "\"");
  return value;
}

std::expected<RemediationResult, std::string> parse_remediation(const Json& j) {
  RemediationResult m;
  m.applied = strings(j, F::remediation_applied);
  m.skipped = strings(j, F::remediation_skipped);
  m.from = text(j, F::remediation_from);
  m.changes = strings(j, F::remediation_changes);
  auto verdict = named(j, F::remediation_verdict, parse_remediation_verdict);
  if (!verdict) return std::unexpected("remediation: " + verdict.error());
  m.verdict = verdict->value_or(RemediationResult::Kind::None);
  m.differences = strings(j, F::remediation_differences);
  m.expected = strings(j, F::remediation_expected);
  m.error = text(j, F::remediation_error);
  m.note = text(j, F::remediation_note);
  if (const Json* t = member(j, F::remediation_timings_s)) m.timings = parse_timings(*t);
  if (const Json* o = member(j, F::remediation_observed)) {
    auto observed = parse_observation(*o);
    if (!observed) return std::unexpected("remediation: " + observed.error());
    m.observed = std::move(*observed);
  }
  return m;
}

std::expected<PredictedSummary, std::string> parse_predicted(const Json& j) {
  PredictedSummary p;
  p.supported = flag(j, F::predicted_supported);
  auto outcome = named(j, F::predicted_outcome, parse_enum<Outcome>);
  if (!outcome) return std::unexpected("predicted: " + outcome.error());
  p.outcome = outcome->value_or(Outcome::Boots);
  p.cpus_used = number<int>(j, F::predicted_cpus_used);
  p.actions = strings(j, F::predicted_actions);
  p.rules = strings(j, F::predicted_rules);
  p.reasons = strings(j, F::predicted_reasons);
  return p;
}

KeptAccess parse_kept(const Json& j) {
  return KeptAccess{text(j, F::kept_uri), strings(j, F::kept_domains), strings(j, F::kept_commands)};
}

/// The line's own fields of `res` (not its objects) from `j`.
std::expected<void, std::string> read_line_fields(const Json& j, ScenarioResult& res) {
  res.id = text(j, F::id);
  res.run = number<std::int64_t>(j, F::run).value_or(0);
  res.scenario = text(j, F::scenario);
  res.file = text(j, F::file);
  // Keys sorted, as the store's readers have always had them.
  if (const Json* axes = member(j, F::axes)) res.axes_json = nlohmann::json(*axes).dump();
  auto verdict = named(j, F::verdict, [](std::string_view n) { return parse_verdict(n); });
  if (!verdict) return std::unexpected(verdict.error());
  res.verdict.kind = verdict->value_or(Verdict::Kind::Error);
  res.verdict.error = text(j, F::error);
  res.deviation = text(j, F::deviation);
  res.verdict.differences = strings(j, F::differences);
  res.attempt_count = number<int>(j, F::attempts).value_or(0);
  res.attempt_outcomes = strings(j, F::attempt_outcomes);
  res.reused = flag(j, F::reused);
  res.reused_from = number<std::int64_t>(j, F::reused_from);
  res.accelerator = text(j, F::accelerator);
  if (const Json* t = member(j, F::timings_s)) res.timings = parse_timings(*t);
  res.source_cached = flag(j, F::source_cached);
  res.observation_key = text(j, F::observation_key);
  res.evidence = text(j, F::evidence);
  return {};
}

}  // namespace

std::expected<Observation, std::string> parse_observation(const Json& j) {
  if (!j.is_object()) return std::unexpected("\"observed\" is not an object");
  if (auto error = result_type_error(S::Observed, j)) return std::unexpected("observed: " + *error);
  Observation o;
  auto outcome = named(j, F::observed_outcome, parse_enum<Outcome>);
  if (!outcome) return std::unexpected("observed: " + outcome.error());
  o.outcome = *outcome;
  o.stop_code = text(j, F::observed_stop_code);
  o.cpus_used = number<int>(j, F::observed_cpus_used);
  o.cpus_present = number<int>(j, F::observed_cpus_present);
  o.nics_configured = number<int>(j, F::observed_nics_configured);
  o.nics_orphaned = number<int>(j, F::observed_nics_orphaned);
  o.nics_unconfigured = number<int>(j, F::observed_nics_unconfigured);
  o.mac_changed = strings(j, F::observed_mac_changed);
  o.degraded = strings(j, F::observed_degraded);
  o.detail = text(j, F::observed_detail);
  o.evidence = text(j, F::observed_seen);
  o.error = text(j, F::observed_error);
  return o;
}

std::map<std::string, double> parse_timings(const Json& j) {
  std::map<std::string, double> timings;
  if (!j.is_object()) return timings;
  for (const auto& [k, value] : j.items())
    if (value.is_number()) timings[k == "recovery" ? "restore" : k] = value.get<double>();  // its old name
  return timings;
}

std::vector<std::string> attempt_outcome_names(const std::vector<AttemptResult>& attempts) {
  std::vector<std::string> names;
  for (const AttemptResult& a : attempts)
    names.emplace_back(a.observed.failed() || !a.observed.outcome ? "error" : name_of(*a.observed.outcome));
  return names;
}

std::string predicted_json(const PredictedSummary& p) {
  return result_json_text(S::Predicted, predicted_value(p));
}

std::string observation_json(const Observation& o) { return result_json_text(S::Observed, observation_value(o)); }

std::string remediation_json(const RemediationResult& m) {
  return result_json_text(S::Remediation, remediation_value(m));
}

std::string timings_json(const std::map<std::string, double>& timings) {
  return result_json_text(S::Timings, timings_value(timings));
}

std::string result_json_line(const ScenarioResult& r) { return result_json_text(S::Line, line_value(r)) + '\n'; }

std::expected<ScenarioResult, std::string> parse_result_line(std::string_view line) {
  // A stored line is data: bytes that are not UTF-8 are read as U+FFFD, not a reason to refuse it.
  const Json j = Json::parse(valid_utf8(line), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::unexpected("not a JSON object");
  if (auto error = result_type_error(S::Line, j)) return std::unexpected(*error);
  ScenarioResult res;
  auto predicted = parse_predicted(*member(j, F::predicted));
  if (!predicted) return std::unexpected(predicted.error());
  res.predicted = std::move(*predicted);
  auto observed = parse_observation(*member(j, F::observed));
  if (!observed) return std::unexpected(observed.error());
  res.observed = std::move(*observed);
  if (auto read = read_line_fields(j, res); !read) return std::unexpected(read.error());
  if (const Json* k = member(j, F::kept)) res.kept = parse_kept(*k);
  if (const Json* m = member(j, F::remediation)) {
    auto remediation = parse_remediation(*m);
    if (!remediation) return std::unexpected(remediation.error());
    res.remediation = std::move(*remediation);
  }
  return res;
}

}  // namespace restorelab::run
