#include "harness/run/result_json.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "rules/utf8.h"

namespace restorelab::run {

namespace {

using nlohmann::json;

double tenths(double s) { return std::round(s * 10) / 10; }

template <class T>
void optional_int(JsonWriter& w, std::string_view key, const std::optional<T>& v) {
  w.key(key);
  if (v) w.value(static_cast<std::int64_t>(*v));
  else w.null();
}

void optional_text(JsonWriter& w, std::string_view key, const std::string& v) {
  w.key(key);
  if (v.empty()) w.null();
  else w.value(v);
}

/// Reads `j[key]` into `out`, accepting null for optional fields; false
/// (with `error` set) when it is there with another type.
struct Reader {
  const json& j;
  std::string error;

  const json* field(const char* key, bool required) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      if (required && error.empty()) error = std::string("no \"") + key + "\"";
      return nullptr;
    }
    return &*it;
  }
  void text(const char* key, std::string& out, bool required = false) {
    if (const json* v = field(key, required)) {
      if (v->is_string()) out = v->get<std::string>();
      else if (error.empty()) error = std::string("\"") + key + "\" is not a string";
    }
  }
  void flag(const char* key, bool& out) {
    if (const json* v = field(key, false)) {
      if (v->is_boolean()) out = v->get<bool>();
      else if (error.empty()) error = std::string("\"") + key + "\" is not true or false";
    }
  }
  template <class T>
  void number(const char* key, std::optional<T>& out) {
    if (const json* v = field(key, false)) {
      if (v->is_number_integer()) out = v->get<T>();
      else if (error.empty()) error = std::string("\"") + key + "\" is not an integer";
    }
  }
  void strings(const char* key, std::vector<std::string>& out) {
    if (const json* v = field(key, false)) {
      if (!v->is_array()) {
        if (error.empty()) error = std::string("\"") + key + "\" is not a list";
        return;
      }
      for (const json& item : *v) {
        if (item.is_string()) out.push_back(item.get<std::string>());
        else if (error.empty()) error = std::string("\"") + key + "\" holds a value that is not a string";
      }
    }
  }
  template <class E>
  void enumeration(const char* key, std::optional<E>& out, bool required = false) {
    std::string name;
    text(key, name, required);
    if (name.empty()) return;
    out = parse_enum<E>(name);
    if (!out && error.empty()) error = std::string("\"") + key + "\": unknown value \"" + name + "\"";
  }
  void seconds(const char* key, std::map<std::string, double>& out) {
    if (const json* v = field(key, false)) {
      if (!v->is_object()) {
        if (error.empty()) error = std::string("\"") + key + "\" is not an object";
        return;
      }
      for (const auto& [k, value] : v->items())
        if (value.is_number()) out[k == "recovery" ? "restore" : k] = value.get<double>();  // its old name
    }
  }
};

}  // namespace

void write_observation(JsonWriter& w, const Observation& o) {
  w.begin_object();
  w.key("outcome");
  if (o.outcome) w.value(name_of(*o.outcome));
  else w.null();
  optional_text(w, "stop_code", o.stop_code);
  optional_int(w, "cpus_used", o.cpus_used);
  optional_int(w, "cpus_present", o.cpus_present);
  optional_int(w, "nics_configured", o.nics_configured);
  optional_int(w, "nics_orphaned", o.nics_orphaned);
  optional_int(w, "nics_unconfigured", o.nics_unconfigured);
  w.key("mac_changed").strings(o.mac_changed);
  w.key("degraded").strings(o.degraded);
  if (!o.detail.empty()) w.key("detail").value(o.detail);
  if (!o.evidence.empty()) w.key("seen").value(o.evidence);
  if (!o.error.empty()) w.key("error").value(o.error);
  w.end_object();
}

std::expected<Observation, std::string> parse_observation(const json& j) {
  if (!j.is_object()) return std::unexpected("\"observed\" is not an object");
  Observation o;
  Reader r{j, {}};
  r.enumeration("outcome", o.outcome);
  r.text("stop_code", o.stop_code);
  r.number("cpus_used", o.cpus_used);
  r.number("cpus_present", o.cpus_present);
  r.number("nics_configured", o.nics_configured);
  r.number("nics_orphaned", o.nics_orphaned);
  r.number("nics_unconfigured", o.nics_unconfigured);
  r.strings("mac_changed", o.mac_changed);
  r.strings("degraded", o.degraded);
  r.text("detail", o.detail);
  r.text("seen", o.evidence);
  r.text("error", o.error);
  if (!r.error.empty()) return std::unexpected("observed: " + r.error);
  return o;
}

namespace {

void write_predicted(JsonWriter& w, const PredictedSummary& p) {
  w.begin_object();
  w.key("supported").value(p.supported);
  w.key("outcome").value(name_of(p.outcome));
  optional_int(w, "cpus_used", p.cpus_used);
  w.key("actions").strings(p.actions);
  w.key("rules").strings(p.rules);
  w.key("reasons").strings(p.reasons);
  w.end_object();
}

void write_timings(JsonWriter& w, const std::map<std::string, double>& timings) {
  w.begin_object();
  for (const char* k : {"source", "restore", "destination", "total"}) {
    auto it = timings.find(k);
    if (it != timings.end()) w.key(k).value(tenths(it->second));
  }
  w.end_object();
}

}  // namespace

std::string predicted_json(const PredictedSummary& p) {
  std::string out;
  JsonWriter w(out);
  write_predicted(w, p);
  return out;
}

std::string observation_json(const Observation& o) {
  std::string out;
  JsonWriter w(out);
  write_observation(w, o);
  return out;
}

std::string timings_json(const std::map<std::string, double>& timings) {
  std::string out;
  JsonWriter w(out);
  write_timings(w, timings);
  return out;
}

std::vector<std::string> attempt_outcome_names(const std::vector<AttemptResult>& attempts) {
  std::vector<std::string> names;
  for (const AttemptResult& a : attempts)
    names.emplace_back(a.observed.failed() || !a.observed.outcome ? "error" : name_of(*a.observed.outcome));
  return names;
}

namespace {

void write_remediation(JsonWriter& w, const RemediationResult& m) {
  w.begin_object();
  w.key("applied").strings(m.applied);
  w.key("skipped").strings(m.skipped);
  optional_text(w, "from", m.from);
  w.key("changes").strings(m.changes);
  w.key("observed");
  write_observation(w, m.observed);
  w.key("verdict").value(remediation_verdict_name(m.verdict));
  w.key("differences").strings(m.differences);
  w.key("expected").strings(m.expected);
  if (!m.error.empty()) w.key("error").value(m.error);
  if (!m.note.empty()) w.key("note").value(m.note);
  w.key("timings_s").begin_object();
  for (const auto& [k, v] : m.timings) w.key(k).value(tenths(v));
  w.end_object();
  w.end_object();
}

std::expected<RemediationResult, std::string> parse_remediation(const json& j) {
  if (!j.is_object()) return std::unexpected("\"remediation\" is not an object");
  RemediationResult m;
  Reader r{j, {}};
  r.strings("applied", m.applied);
  r.strings("skipped", m.skipped);
  r.text("from", m.from);
  r.strings("changes", m.changes);
  std::string verdict;
  r.text("verdict", verdict, true);
  if (auto kind = parse_remediation_verdict(verdict)) m.verdict = *kind;
  else if (r.error.empty()) r.error = "\"verdict\": unknown value \"" + verdict + "\"";
  r.strings("differences", m.differences);
  r.strings("expected", m.expected);
  r.text("error", m.error);
  r.text("note", m.note);
  r.seconds("timings_s", m.timings);
  if (auto o = j.find("observed"); o != j.end()) {
    auto observed = parse_observation(*o);
    if (!observed) return std::unexpected("remediation: " + observed.error());
    m.observed = std::move(*observed);
  }
  if (!r.error.empty()) return std::unexpected("remediation: " + r.error);
  return m;
}

}  // namespace

std::string remediation_json(const RemediationResult& m) {
  std::string out;
  JsonWriter w(out);
  write_remediation(w, m);
  return out;
}

std::string result_json_line(const ScenarioResult& r) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("id").value(r.id);
  w.key("run");
  if (r.run > 0) w.value(r.run);
  else w.null();
  w.key("scenario").value(r.scenario);
  if (!r.file.empty()) w.key("file").value(r.file);
  if (!r.axes_json.empty()) w.key("axes").raw(r.axes_json);
  w.key("predicted");
  write_predicted(w, r.predicted);
  w.key("observed");
  write_observation(w, r.observed);
  w.key("verdict").value(verdict_name(r.verdict.kind));
  if (r.verdict.kind == Verdict::Kind::Error) w.key("error").value(r.verdict.error);
  optional_text(w, "deviation", r.deviation);
  w.key("differences").strings(r.verdict.differences);
  w.key("attempts").value(r.attempt_count);
  const std::vector<std::string> outcomes =
      r.attempts.empty() ? r.attempt_outcomes : attempt_outcome_names(r.attempts);
  if (outcomes.size() > 1) w.key("attempt_outcomes").strings(outcomes);
  w.key("reused").value(r.reused);
  w.key("reused_from");
  if (r.reused_from) w.value(*r.reused_from);
  else w.null();
  w.key("accelerator").value(r.accelerator);
  w.key("timings_s");
  write_timings(w, r.timings);
  w.key("source_cached").value(r.source_cached);
  w.key("observation_key").value(r.observation_key);
  w.key("evidence").value(r.evidence);
  if (r.kept) {
    w.key("kept").begin_object();
    w.key("uri").value(r.kept->uri);
    w.key("domains").strings(r.kept->domains);
    w.key("commands").strings(r.kept->commands);
    w.end_object();
  }
  if (r.remediation) {
    w.key("remediation");
    write_remediation(w, *r.remediation);
  }
  w.end_object();
  out += '\n';
  return out;
}

std::expected<ScenarioResult, std::string> parse_result_line(std::string_view line) {
  // A stored line is data: bytes that are not UTF-8 are read as U+FFFD, not a reason to refuse it.
  const json j = json::parse(valid_utf8(line), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::unexpected("not a JSON object");
  ScenarioResult res;
  Reader r{j, {}};
  r.text("id", res.id, true);
  r.text("scenario", res.scenario, true);
  r.text("file", res.file);
  std::optional<std::int64_t> run;
  r.number("run", run);
  res.run = run.value_or(0);
  if (auto it = j.find("axes"); it != j.end() && it->is_object()) res.axes_json = it->dump();
  auto p = j.find("predicted");
  if (p == j.end() || !p->is_object()) return std::unexpected("no \"predicted\" object");
  Reader pr{*p, {}};
  pr.flag("supported", res.predicted.supported);
  std::optional<Outcome> predicted_outcome;
  pr.enumeration("outcome", predicted_outcome, true);
  res.predicted.outcome = predicted_outcome.value_or(Outcome::Boots);
  pr.number("cpus_used", res.predicted.cpus_used);
  pr.strings("actions", res.predicted.actions);
  pr.strings("rules", res.predicted.rules);
  pr.strings("reasons", res.predicted.reasons);
  if (!pr.error.empty()) return std::unexpected("predicted: " + pr.error);
  auto o = j.find("observed");
  if (o == j.end()) return std::unexpected("no \"observed\" object");
  auto observed = parse_observation(*o);
  if (!observed) return std::unexpected(observed.error());
  res.observed = std::move(*observed);
  std::string verdict;
  r.text("verdict", verdict, true);
  if (auto kind = parse_verdict(verdict)) res.verdict.kind = *kind;
  else if (r.error.empty()) r.error = "\"verdict\": unknown value \"" + verdict + "\"";
  r.text("error", res.verdict.error);
  r.text("deviation", res.deviation);
  r.strings("differences", res.verdict.differences);
  std::optional<int> attempts;
  r.number("attempts", attempts);
  res.attempt_count = attempts.value_or(0);
  r.strings("attempt_outcomes", res.attempt_outcomes);
  r.flag("reused", res.reused);
  r.number("reused_from", res.reused_from);
  r.text("accelerator", res.accelerator);
  r.seconds("timings_s", res.timings);
  r.flag("source_cached", res.source_cached);
  r.text("observation_key", res.observation_key);
  r.text("evidence", res.evidence);
  if (auto k = j.find("kept"); k != j.end() && !k->is_null()) {
    if (!k->is_object()) return std::unexpected("\"kept\" is not an object");
    Reader kr{*k, {}};
    KeptAccess kept;
    kr.text("uri", kept.uri, true);
    kr.strings("domains", kept.domains);
    kr.strings("commands", kept.commands);
    if (!kr.error.empty()) return std::unexpected("kept: " + kr.error);
    res.kept = std::move(kept);
  }
  if (auto m = j.find("remediation"); m != j.end() && !m->is_null()) {
    auto remediation = parse_remediation(*m);
    if (!remediation) return std::unexpected(remediation.error());
    res.remediation = std::move(*remediation);
  }
  if (!r.error.empty()) return std::unexpected(r.error);
  return res;
}

}  // namespace restorelab::run
