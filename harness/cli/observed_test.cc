#include "harness/cli/observed_test.h"

#include <chrono>
#include <charconv>
#include <ostream>

#include "harness/cli/command_support.h"
#include "harness/cli/known_registry.h"
#include "harness/run/result_json.h"
#include "harness/run/result_sink.h"
#include "harness/run/store_sink.h"
#include "harness/store/results_store.h"
#include "rules/engine.h"
#include "rules/scenario_loader.h"

namespace restorelab {

namespace {

int fail(const std::string& message, int code, Streams& io) {
  io.err << "restorelab rules test: " << message << "\n";
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

  const Engine engine(*book);
  DiskReader reader;
  const ScenarioLoader loader(reader);
  std::vector<run::ScenarioResult> judged;
  judged.reserve(records->size());
  for (const store::ResultRecord& record : *records) {
    auto r = run::from_record(record);
    if (!r) return fail(r.error(), static_cast<int>(ExitCode::RunFailed), io);
    auto s = loader.load_text(record.scenario_toml, o.db + ":" + record.id);
    if (!s) {
      io.err << format_diagnostics(s.error());
      return fail("the stored scenario of " + record.id + " does not load with this restorelab",
                  static_cast<int>(ExitCode::RunFailed), io);
    }
    s->name = r->scenario;
    const Prediction p = engine.predict(*s);
    r->predicted = run::summarize(p, *book);
    r->deviation.clear();
    r->verdict = run::judge(p, r->observed);
    if (r->verdict.kind == run::Verdict::Kind::Disagree && known && r->observed.outcome) {
      r->deviation = known->excuse(r->id, *s, *r->observed.outcome);
      if (!r->deviation.empty()) r->verdict.kind = run::Verdict::Kind::KnownDeviation;
    }
    judged.push_back(std::move(*r));
  }

  bool disagree = false;
  for (const run::ScenarioResult& r : judged) {
    disagree = disagree || r.verdict.kind == run::Verdict::Kind::Disagree;
    if (o.json) {
      io.out << run::result_json_line(r);
    } else if (r.verdict.kind == run::Verdict::Kind::Disagree) {
      std::string rules;
      for (const auto& id : r.predicted.rules) rules += (rules.empty() ? "" : ", ") + id;
      io.out << "DISAGREE " << r.id << ": predicted " << name_of(r.predicted.outcome) << ", observed "
             << (r.observed.outcome ? name_of(*r.observed.outcome) : std::string_view("nothing"))
             << " (rules fired: " << (rules.empty() ? "none" : rules) << "; evidence " << r.evidence << ")\n";
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char took[32];
  std::snprintf(took, sizeof took, "%.3f", seconds);
  (o.json ? io.err : io.out) << "run " << run_id << ": " << judged.size() << " observations judged with "
                             << book->file << " in " << took << " s: "
                             << run::verdict_counts_text(run::count_verdicts(judged)) << "\n";
  return disagree ? static_cast<int>(ExitCode::Mismatch) : 0;
}

}  // namespace restorelab
