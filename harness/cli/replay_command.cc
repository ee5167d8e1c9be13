// `restorelab replay ID`: one scenario of the results store run again on
// VMs with the inputs it had (the store keeps the resolved scenario as
// `scenario_toml`), its machines kept for inspection, and the new
// observation compared with the stored one.
#include <charconv>
#include <ostream>
#include <set>

#include "harness/cli/cli.h"
#include "harness/cli/command_support.h"
#include "harness/cli/exit_code.h"
#include "harness/cli/known_registry.h"
#include "harness/cli/run_scenarios.h"
#include "harness/run/store_sink.h"
#include "harness/store/results_store.h"
#include "rules/diagnostic.h"
#include "rules/scenario_loader.h"
#include "rules/validate.h"

namespace restorelab {

namespace {

/// `boots, 1 processor(s)`, `stops 0x0000007B`, `error: why`.
std::string describe(const run::Observation& o) {
  if (o.failed()) return "error: " + o.error;
  if (!o.outcome) return "no outcome";
  std::string out(name_of(*o.outcome));
  if (!o.stop_code.empty()) out += " " + o.stop_code;
  if (o.cpus_used) out += ", " + std::to_string(*o.cpus_used) + " processor(s)";
  return out;
}

/// What a replay compares: what the guest and the machine showed, not
/// timings, evidence paths or the wording of an error.
bool same_observation(const run::Observation& a, const run::Observation& b) {
  return a.failed() == b.failed() && a.outcome == b.outcome && a.stop_code == b.stop_code &&
         a.cpus_used == b.cpus_used && a.cpus_present == b.cpus_present && a.nics_configured == b.nics_configured &&
         a.nics_orphaned == b.nics_orphaned && a.nics_unconfigured == b.nics_unconfigured &&
         a.mac_changed == b.mac_changed && a.degraded == b.degraded;
}

/// The newest stored result of scenario `id` (in run `run` when > 0); prints
/// why not (exit 2: an id or run the store does not hold).
std::optional<store::ResultRecord> find_result(const store::ResultsStore& s, const std::string& id, std::int64_t run,
                                              Streams& io, int& exit) {
  exit = static_cast<int>(ExitCode::BadInput);
  std::vector<std::int64_t> runs;
  if (run > 0) {
    runs.push_back(run);
  } else {
    auto all = s.runs();
    if (!all) {
      io.err << "restorelab replay: " << printable(all.error().message) << "\n";
      exit = all.error().exit_code();
      return std::nullopt;
    }
    for (const store::RunRecord& r : *all) runs.push_back(r.id);
  }
  std::set<std::string> known_ids;
  for (std::int64_t r : runs) {
    auto results = s.results_of_run(r);
    if (!results) {
      io.err << "restorelab replay: " << printable(results.error().message) << "\n";
      exit = results.error().exit_code();
      return std::nullopt;
    }
    for (store::ResultRecord& rec : *results) {
      if (rec.id == id && !rec.reused) return std::move(rec);
      known_ids.insert(rec.id);
    }
  }
  std::vector<std::string_view> candidates(known_ids.begin(), known_ids.end());
  std::string hint = did_you_mean(id, candidates);
  // The id is the user's, the hint the store's: both shown with control characters escaped.
  io.err << "restorelab replay: "
         << printable("no observed scenario \"" + id + "\" in " + s.path().string() +
                      (run > 0 ? " run " + std::to_string(run) : std::string()) + (hint.empty() ? "" : "; " + hint))
         << "\n";
  return std::nullopt;
}

}  // namespace

int replay_command(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Run one scenario of the results store again on VMs, with the inputs it had (the store keeps\n"
               "the resolved scenario), keep its machines for inspection (as run --keep) and say whether\n"
               "the observation is the same as the stored one. The replay is recorded in the store.\n"
               "Exit: 0 the same observation, 1 a different one, 2 bad input (an id the store does not\n"
               "hold), 3 the run failed, 130 interrupted.",
               "restorelab replay");
  RunArgs a;
  a.keep = true;
  a.no_reuse = true;
  a.report_stale = false;
  std::string id;
  std::int64_t run = 0;
  a.db = "runs/results.sqlite";
  app.add_option("id", id, "the scenario id (as results show lists it)")->required();
  app.add_option("--db", a.db, "the results store (default runs/results.sqlite)");
  app.add_option("--run", run, "the run whose observation to replay (default: the newest that observed it)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--json", a.json, "the result as a JSON line (the comparison goes to stderr)");
  add_machine_options(app, a);
  if (auto exit = parse_args(app, args, io)) return *exit;
  const auto bad_input = static_cast<int>(ExitCode::BadInput);

  std::optional<store::ResultRecord> stored;
  {
    store::StoreOptions options;
    options.access = store::StoreOptions::Access::ReadOnly;
    auto s = store::ResultsStore::open(a.db, options);
    if (!s) {
      io.err << "restorelab replay: " << printable(s.error().message) << "\n";
      return s.error().exit_code();
    }
    int exit = 0;
    stored = find_result(*s, id, run, io, exit);
    if (!stored) return exit;
  }
  if (stored->scenario_toml.empty()) {
    io.err << "restorelab replay: " << printable(a.db) << " keeps no scenario for \"" << printable(id) << "\" of run "
           << stored->run_id
           << " (recorded by an older restorelab); run its file again with run --keep\n";
    return bad_input;
  }
  // The stored name becomes the folder of the disks and the evidence and
  // part of the domain names: it passes the check a scenario file's does.
  if (std::string problem = name_problem(stored->scenario); !problem.empty()) {
    io.err << "restorelab replay: " << a.db << ": run " << stored->run_id << ", " << id << ": the stored scenario name "
           << printable(problem) << "; the store is damaged or was not written by restorelab\n";
    return bad_input;
  }
  auto was = run::observation_of(*stored);
  if (!was) {
    io.err << "restorelab replay: " << printable(a.db) << ": run " << stored->run_id << ", " << printable(id) << ": "
           << printable(was.error()) << "\n";
    return static_cast<int>(ExitCode::RunFailed);
  }

  auto book = load_rulebook_or_report(a.rules, io);
  if (!book) return bad_input;
  std::optional<KnownRegistry> known;
  if (!load_known_registry(a.known, *book, known, io)) return bad_input;
  DiskReader reader;
  auto scenario = ScenarioLoader(reader).load_text(stored->scenario_toml, a.db + ":" + id);
  if (!scenario) {
    io.err << format_diagnostics(scenario.error()) << "restorelab replay: the stored scenario of " << printable(id)
           << " does not load with this restorelab\n";
    return bad_input;
  }
  scenario->name = stored->scenario;
  std::vector<run::CampaignItem> items;
  items.push_back(run::CampaignItem{id, std::move(*scenario), stored->axes_json.value_or(""), {}});

  std::vector<std::string> argv{"restorelab", "replay"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<run::ScenarioResult> results;
  const int exit = run_scenarios(a, argv, std::move(items), *book, known ? &*known : nullptr, io, &results);
  if (results.empty() || exit == bad_input || exit == static_cast<int>(ExitCode::Interrupted)) return exit;
  const run::ScenarioResult& now = results.front();
  if (now.observed.failed()) return static_cast<int>(ExitCode::RunFailed);
  const bool same = same_observation(was->observed, now.observed);
  std::ostream& say = a.json ? io.err : io.out;
  say << "replay of " << printable(id) << ": " << (same ? "the same observation as" : "a different observation from") << " run "
      << stored->run_id << " (" << (same ? describe(now.observed) : "was " + describe(was->observed) + ", now " +
                                                                         describe(now.observed))
      << ")\n";
  return same ? 0 : static_cast<int>(ExitCode::Mismatch);
}

}  // namespace restorelab
