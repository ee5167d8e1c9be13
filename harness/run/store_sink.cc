#include "harness/run/store_sink.h"

#include "harness/run/result_json.h"
#include "harness/store/result_fields.h"
#include "rules/utf8.h"

namespace restorelab::run {

namespace {

/// A JSON column of the store (data): bytes that are not UTF-8 read as
/// U+FFFD; nothing (discarded) when it is not JSON.
nlohmann::ordered_json parse_stored(const std::string& text) {
  return nlohmann::ordered_json::parse(valid_utf8(text), nullptr, false);
}

store::Verdict store_verdict(Verdict::Kind k) {
  switch (k) {
    case Verdict::Kind::Agree: return store::Verdict::Agree;
    case Verdict::Kind::Disagree: return store::Verdict::Disagree;
    case Verdict::Kind::KnownDeviation: return store::Verdict::KnownDeviation;
    case Verdict::Kind::Flaky: return store::Verdict::Flaky;
    case Verdict::Kind::Error: return store::Verdict::Error;
  }
  return store::Verdict::Error;
}


}  // namespace

OutputError output_error(const store::StoreError& e) {
  return OutputError{e.kind == store::StoreError::Kind::BadInput ? OutputError::Kind::BadPath : OutputError::Kind::Failed,
                     e.message};
}

store::ResultRecord to_record(const ScenarioResult& r) {
  store::ResultRecord rec;
  rec.id = r.id;
  rec.scenario = r.scenario;
  rec.observation_key = r.observation_key;
  if (!r.axes_json.empty()) rec.axes_json = r.axes_json;
  rec.predicted_json = predicted_json(r.predicted);
  if (r.observed.outcome) rec.observed_json = observation_json(r.observed);
  rec.verdict = store_verdict(r.verdict.kind);
  rec.deviation = r.deviation;
  rec.differences_json = json_text(r.verdict.differences);
  rec.attempts = r.attempt_count;
  rec.reused = r.reused;
  rec.reused_from = r.reused_from;
  rec.accelerator = r.accelerator;
  rec.timings_json = timings_json(r.timings);
  rec.evidence = r.evidence;
  rec.error = r.verdict.kind == Verdict::Kind::Error ? r.verdict.error : "";
  rec.json_line = result_json_line(r);
  rec.json_line.pop_back();  // the '\n'
  rec.scenario_toml = r.scenario_toml;
  if (r.remediation) rec.remediation_json = remediation_json(*r.remediation);
  return rec;
}

std::expected<ScenarioResult, std::string> from_record(const store::ResultRecord& record) {
  auto r = parse_result_line(record.json_line);
  if (!r) return std::unexpected("result " + record.id + " of run " + std::to_string(record.run_id) + ": " + r.error());
  r->run = record.run_id;
  r->scenario_toml = record.scenario_toml;
  return r;
}

std::expected<ScenarioResult, std::string> observation_of(const store::ResultRecord& record) {
  ScenarioResult r;
  r.id = record.id;
  r.scenario = record.scenario;
  r.run = record.run_id;
  r.observation_key = record.observation_key;
  if (record.axes_json) r.axes_json = *record.axes_json;
  if (record.observed_json) {
    auto observed = parse_observation(parse_stored(*record.observed_json));
    if (!observed) return std::unexpected("result " + record.id + " of run " + std::to_string(record.run_id) + ": " +
                                          observed.error());
    r.observed = std::move(*observed);
  } else {
    r.observed.error = record.error.empty() ? "nothing was observed" : record.error;
  }
  r.verdict.error = record.error;
  r.deviation = record.deviation;
  r.attempt_count = record.attempts;
  r.reused = record.reused;
  r.reused_from = record.reused_from;
  r.accelerator = record.accelerator;
  r.timings = parse_timings(parse_stored(record.timings_json));
  r.evidence = record.evidence;
  r.scenario_toml = record.scenario_toml;
  return r;
}

OutputStatus StoreSink::add(const ScenarioResult& r) {
  for (std::size_t i = 0; i < r.attempts.size(); ++i) {
    const AttemptResult& a = r.attempts[i];
    store::AttemptRecord rec;
    rec.attempt = static_cast<int>(i + 1);
    rec.observation_key = r.observation_key;
    if (!a.observed.failed() && a.observed.outcome) rec.observed_json = observation_json(a.observed);
    rec.error = a.observed.error;
    rec.evidence = a.evidence;
    rec.timings_json = timings_json(a.timings);
    if (auto st = store_.record_attempt(run_id_, r.id, rec); !st) return std::unexpected(output_error(st.error()));
  }
  if (auto st = store_.record_result(run_id_, to_record(r)); !st) return std::unexpected(output_error(st.error()));
  return {};
}

OutputStatus StoreSink::finish(const RunSummary& summary) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const auto status = summary.interrupted ? store::RunStatus::Interrupted : store::RunStatus::Finished;
  if (auto st = store_.finish_run(run_id_, status, store::utc_iso8601(std::chrono::system_clock::now()), seconds,
                                  summary.accelerator);
      !st)
    return std::unexpected(output_error(st.error()));
  return {};
}

std::optional<StoredObservation> StoreSink::find(const std::string& key) {
  auto found = store_.reusable_observation(key);
  if (!found || !*found) return std::nullopt;
  const store::ReusableObservation& o = **found;
  auto observed = parse_observation(parse_stored(o.observed_json));
  if (!observed) return std::nullopt;
  StoredObservation stored;
  stored.run = o.run_id;
  stored.observed = std::move(*observed);
  stored.timings = parse_timings(parse_stored(o.timings_json));
  stored.evidence = o.evidence;
  stored.accelerator = o.accelerator;
  return stored;
}

}  // namespace restorelab::run
