#include "tests/support/synthetic_results.h"

#include "harness/run/observation_key.h"
#include "harness/run/store_sink.h"
#include "rules/engine.h"
#include "rules/combination_id.h"
#include "rules/matrix.h"
#include "rules/rule_analysis.h"
#include "rules/scenario_writer.h"

namespace restorelab::testing {

namespace {

/// Begins a synthetic run (tcg, version "test") in `store`: its id, or 0
/// with `error` set.
std::int64_t begin_synthetic_run(store::ResultsStore& store, const std::string& campaign, const std::string& shard,
                                 std::string& error) {
  store::RunInfo info;
  info.started = store::utc_iso8601(std::chrono::system_clock::now());
  info.version = "test";
  info.accelerator = "tcg";
  info.campaign = campaign;
  info.shard = shard;
  info.argv_json = "[\"synthetic\"]";
  auto id = store.begin_run(info);
  if (!id) {
    error = id.error().message;
    return 0;
  }
  return *id;
}

/// Finishes run `id` through `sink`: `id`, or 0 with `error` set.
std::int64_t finish_synthetic_run(run::StoreSink& sink, std::int64_t id, std::string& error) {
  run::RunSummary summary;
  summary.accelerator = "tcg";
  if (auto done = sink.finish(summary); !done) {
    error = done.error().message;
    return 0;
  }
  return id;
}

}  // namespace

std::int64_t record_synthetic_run(store::ResultsStore& store, const Rulebook& book, const SyntheticRun& run,
                                  std::string& error) {
  auto matrix = builtin_matrix(book.compiler);
  if (!matrix) {
    error = "the built-in matrix does not load";
    return 0;
  }
  const std::int64_t id = begin_synthetic_run(store, run.campaign, run.shard, error);
  if (id == 0) return 0;
  run::StoreSink sink(store, id);
  const Engine engine(book);
  MatrixExpander expander(*matrix);
  Scenario s;
  std::size_t valid = 0, made = 0;
  expander.for_each([&](const Choice& c) {
    if (made >= run.results || !error.empty()) return;
    if (expander.build(c, s) != MatrixExpander::Status::Valid || valid++ < run.skip) return;
    const std::string combination = expander.id(c);
    s.name = "synthetic-" + std::to_string(made);
    const Prediction p = engine.predict(s);
    run::ScenarioResult r;
    r.id = combination;
    r.scenario = s.name;
    r.run = id;
    r.observation_key = run::observation_key(s, {});
    r.scenario_toml = scenario_to_toml(s);
    r.predicted = run::summarize(p, book);
    const bool disagree = run.disagree_every && made % run.disagree_every == 0;
    r.observed.outcome = disagree ? (p.outcome == Outcome::Hang ? Outcome::Stop0x7B : Outcome::Hang) : p.outcome;
    r.observed.cpus_used = disagree ? std::nullopt : p.cpus_used;
    r.observed.evidence = "destination boot line";
    r.verdict = run::judge(p, r.observed);
    r.accelerator = "tcg";
    r.attempt_count = 1;
    r.attempts = {run::AttemptResult{r.observed, {{"total", 12.5}}, "runs/synthetic/" + s.name + "/", false}};
    r.timings = r.attempts[0].timings;
    r.evidence = r.attempts[0].evidence;
    if (auto added = sink.add(r); !added) error = added.error().message;
    ++made;
  });
  if (!error.empty()) return 0;
  return finish_synthetic_run(sink, id, error);
}

std::int64_t record_observations(store::ResultsStore& store, const Rulebook& book, const Matrix& matrix,
                                 const std::vector<SyntheticObservation>& observations, const run::KeyInputs& inputs,
                                 const std::string& campaign, std::string& error) {
  const std::int64_t id = begin_synthetic_run(store, campaign, "", error);
  if (id == 0) return 0;
  run::StoreSink sink(store, id);
  const Engine engine(book);
  const MatrixExpander expander(matrix);
  Scenario s;
  for (const SyntheticObservation& o : observations) {
    if (expander.build(o.choice, s) != MatrixExpander::Status::Valid) {
      error = expander.id(o.choice) + " is not a valid combination";
      return 0;
    }
    run::ScenarioResult r;
    r.id = expander.id(o.choice);
    r.scenario = s.name = combination_name(r.id);
    r.run = id;
    r.observation_key = run::observation_key(s, inputs);
    r.scenario_toml = scenario_to_toml(s);
    const Prediction p = engine.predict(s);
    r.predicted = run::summarize(p, book);
    r.accelerator = "tcg";
    r.attempt_count = 1;
    if (o.failed) {
      r.observed.error = "the source VM did not start";
    } else {
      r.observed.outcome = o.outcome.value_or(p.outcome);
      r.observed.cpus_used = boots(*r.observed.outcome) ? p.cpus_used : std::nullopt;
      r.observed.evidence = "destination boot line";
    }
    r.verdict = run::judge(p, r.observed);
    if (o.flaky) r.verdict.kind = run::Verdict::Kind::Flaky;
    r.attempts = {run::AttemptResult{r.observed, {{"total", 12.5}}, "runs/synthetic/" + s.name + "/", false}};
    r.timings = r.attempts[0].timings;
    r.evidence = r.attempts[0].evidence;
    if (auto added = sink.add(r); !added) {
      error = added.error().message;
      return 0;
    }
  }
  return finish_synthetic_run(sink, id, error);
}

}  // namespace restorelab::testing
