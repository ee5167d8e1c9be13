#include "harness/cli/observed_check.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <charconv>
#include <ostream>

#include "harness/cli/command_support.h"
#include "harness/cli/exit_code.h"
#include "harness/cli/known_registry.h"
#include "harness/run/result_json.h"
#include "harness/run/result_sink.h"
#include "harness/run/store_sink.h"
#include "harness/store/results_store.h"
#include "rules/engine.h"
#include "rules/printable.h"
#include "rules/scenario_loader.h"

namespace restorelab {

namespace {

int fail(const std::string& message, int code, Streams& io) {
  io.err << "restorelab rules test: " << escape_control_characters(message, true) << "\n";
  return code;
}

}  // namespace

int test_observed(const ObservedTestOptions& o, Streams& io) {
  const auto start = std::chrono::steady_clock::now();
  auto book = load_rulebook_or_report(o.rules, io);
  if (!book) return static_cast<int>(ExitCode::BadInput);
  std::optional<KnownRegistry> known;
  if (!load_known_registry(o.known, *book, known, io)) return static_cast<int>(ExitCode::BadInput);
  store::StoreOptions options;
  options.access = store::StoreOptions::Access::ReadOnly;
  auto db = store::ResultsStore::open(o.db, options);
  if (!db) return fail(db.error().message, db.error().exit_code(), io);

  std::int64_t run_id = 0;
  if (o.run.empty()) {
    auto runs = db->runs();
    if (!runs) return fail(runs.error().message, runs.error().exit_code(), io);
    if (runs->empty()) return fail(o.db + ": no runs yet", static_cast<int>(ExitCode::BadInput), io);
    run_id = runs->front().id;
  } else {
    auto [end, ec] = std::from_chars(o.run.data(), o.run.data() + o.run.size(), run_id);
    if (ec != std::errc() || end != o.run.data() + o.run.size() || run_id <= 0)
      return fail("--run \"" + printable(o.run) + "\" is not a run id; expected a number such as 3",
                  static_cast<int>(ExitCode::BadInput), io);
  }
  auto records = db->results_of_run(run_id);
  if (!records) return fail(records.error().message, records.error().exit_code(), io);

  // Each record is judged on its own: spread them over the host's processors.
  const Engine engine(*book);
  DiskReader reader;
  const ScenarioLoader loader(reader);
  std::vector<std::optional<run::ScenarioResult>> judged(records->size());
  std::vector<std::string> errors(records->size());
  auto judge_range = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const store::ResultRecord& record = (*records)[i];
      auto r = run::observation_of(record);
      if (!r) {
        errors[i] = r.error();
        continue;
      }
      auto s = loader.load_text(record.scenario_toml, o.db + ":" + record.id);
      if (!s) {
        errors[i] = format_diagnostics(s.error()) + "the stored scenario of " + record.id +
                    " does not load with this restorelab";
        continue;
      }
      s->name = r->scenario;
      const Prediction p = engine.predict(*s);
      r->predicted = run::summarize(p, *book);
      r->deviation.clear();
      r->verdict = run::judge(p, r->observed);
      judged[i] = std::move(*r);
    }
  };
  const std::size_t threads =
      std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, std::max<std::size_t>(1, records->size() / 500));
  std::vector<std::thread> pool;
  const std::size_t chunk = (records->size() + threads - 1) / threads;
  for (std::size_t t = 1; t < threads; ++t)
    pool.emplace_back(judge_range, std::min(records->size(), t * chunk), std::min(records->size(), (t + 1) * chunk));
  judge_range(0, std::min(records->size(), chunk));
  for (std::thread& t : pool) t.join();
  for (const std::string& e : errors)
    if (!e.empty()) return fail(e, static_cast<int>(ExitCode::RunFailed), io);

  std::vector<run::ScenarioResult> results;
  results.reserve(judged.size());
  for (auto& r : judged) {
    // Known deviations in record order: the registry remembers what it excused.
    if (r->verdict.kind == run::Verdict::Kind::Disagree && known && r->observed.outcome) {
      DiskReader again;
      auto s = ScenarioLoader(again).load_text(r->scenario_toml, o.db + ":" + r->id);
      if (s) {
        r->deviation = known->excuse(r->id, *s, *r->observed.outcome);
        if (!r->deviation.empty()) r->verdict.kind = run::Verdict::Kind::KnownDeviation;
      }
    }
    results.push_back(std::move(*r));
  }
  const std::vector<run::ScenarioResult>& judged_results = results;
  if (known)
    if (const std::string all = known->excused_everything(); !all.empty()) io.err << "restorelab rules test: " << all << "\n";

  bool disagree = false;
  for (const run::ScenarioResult& r : judged_results) {
    disagree = disagree || r.verdict.kind == run::Verdict::Kind::Disagree;
    if (o.json) {
      io.out << run::result_json_line(r);
    } else if (r.verdict.kind == run::Verdict::Kind::Disagree) {
      std::string rules;
      for (const auto& id : r.predicted.rules) rules += (rules.empty() ? "" : ", ") + id;
      io.out << "DISAGREE " << printable(r.id) << ": predicted " << name_of(r.predicted.outcome) << ", observed "
             << (r.observed.outcome ? name_of(*r.observed.outcome) : std::string_view("nothing"))
             << " (rules fired: " << (rules.empty() ? "none" : rules) << "; evidence " << printable(r.evidence)
             << ")\n";
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char took[32];
  std::snprintf(took, sizeof took, "%.3f", seconds);
  (o.json ? io.err : io.out) << "run " << run_id << ": " << judged_results.size() << " observations judged with "
                             << printable(book->file) << " in " << took << " s: "
                             << run::verdict_counts_text(run::count_verdicts(judged_results)) << "\n";
  return disagree ? static_cast<int>(ExitCode::Mismatch) : 0;
}

}  // namespace restorelab
