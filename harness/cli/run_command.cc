// `restorelab run`: predict each scenario, reproduce it on VMs, compare; a
// campaign over files, folders and matrices (results-format.md).
#include <filesystem>
#include <ostream>
#include <unordered_map>
#include <unordered_set>

#include "harness/cli/campaign_inputs.h"
#include "harness/cli/cli.h"
#include "harness/cli/command_support.h"
#include "harness/cli/exit_code.h"
#include "harness/cli/known_registry.h"
#include "harness/cli/run_scenarios.h"
#include "harness/output/input_files.h"
#include "harness/output/output_file.h"
#include "harness/run/behaviour_coverage.h"
#include "harness/run/disk_tool.h"
#include "rules/diagnostic.h"
#include "rules/printable.h"

namespace restorelab {

namespace {

/// `run --cover behaviours`: the combinations whose observation the store
/// holds are preferred as representatives, so that only the classes no
/// observation covers boot (with --no-reuse or --db none, none are).
/// Nothing after printing why the store cannot be read.
std::optional<std::function<std::vector<bool>(const Matrix&, const BehaviourClasses&)>> observed_preference(
    const RunArgs& a, Streams& io) {
  using Prefer = std::function<std::vector<bool>(const Matrix&, const BehaviourClasses&)>;
  const std::string path = a.db.empty() ? (std::filesystem::path(a.evidence) / "results.sqlite").string() : a.db;
  std::error_code ec;
  if (a.no_reuse || a.db == "none" || !std::filesystem::exists(path, ec)) return Prefer{};
  store::StoreOptions read_only;
  read_only.access = store::StoreOptions::Access::ReadOnly;
  auto db = store::ResultsStore::open(path, read_only);
  if (!db) {
    io.err << "restorelab run: " << db.error().message << "\n";
    return std::nullopt;
  }
  auto records = run::results_in_scope(*db, 0, "");
  if (!records) {
    io.err << "restorelab run: " << records.error().message << "\n";
    return std::nullopt;
  }
  auto observations = run::stored_observations(*records);
  if (!observations) {
    io.err << "restorelab run: " << observations.error() << "\n";
    return std::nullopt;
  }
  std::unordered_set<std::string> keys;
  for (const run::KeyedObservation& o : *observations) keys.insert(o.key);
  const run::KeyInputs inputs{run::image_inputs_hash(run::images_source_dir()),
                              std::chrono::milliseconds(static_cast<long long>(a.silence * 1000))};
  return Prefer{[keys = std::move(keys), inputs](const Matrix& m, const BehaviourClasses& classes) {
    return run::observed_combinations(m, classes, keys, inputs);
  }};
}

/// The campaign report's coverage section of each matrix selected by behaviour.
std::vector<std::string> campaign_coverage_sections(const std::vector<BehaviourPlan>& plans, const Rulebook& book,
                                                    const std::vector<run::ScenarioResult>& results) {
  std::unordered_map<std::string, run::Verdict::Kind> verdicts;
  for (const run::ScenarioResult& r : results) verdicts[r.id] = r.verdict.kind;
  std::vector<std::string> sections;
  for (const BehaviourPlan& plan : plans) {
    std::vector<run::CampaignRow> rows = plan.rows;
    for (run::CampaignRow& row : rows)
      if (auto v = verdicts.find(row.id); v != verdicts.end()) row.status = run::status_of(v->second);
    sections.push_back(run::coverage_json(run::campaign_coverage(plan.matrix, book, plan.classes, rows, plan.pairs_held)));
  }
  return sections;
}

}  // namespace

int run_command(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Predict each scenario, reproduce it on real VMs (libvirt + QEMU) and compare. Inputs are\n"
               "scenario files, folders of them and matrix files (each valid combination, or a covering\n"
               "array of them with --strength).\n"
               "Exit: 0 every verdict agrees (or is a known deviation), 1 any disagrees or is flaky,\n"
               "2 bad input (nothing ran), 3 any run failed (infrastructure), 130 interrupted.",
               "restorelab run");
  RunArgs a;
  app.add_flag("--json", a.json, "one JSON object per scenario (JSON Lines), as each finishes");
  app.add_option("--jobs,-j", a.jobs,
                 "scenarios in flight at once (default: half the host's processors, as many as its memory\n"
                 "holds at 1.5 GiB each, at least 1)")
      ->check(CLI::Range(1, 64));
  app.add_option("--retries", a.retries, "run a disagreeing or failed scenario up to N more times (flaky when they differ)")
      ->check(CLI::Range(0, 10));
  app.add_option("--db", a.db, "the results store (default <evidence>/results.sqlite); none: keep no record");
  app.add_option("--campaign", a.campaign, "a label for this run in the store (results show/compare take it)");
  app.add_flag("--no-reuse", a.no_reuse, "boot every scenario, even when the store holds its observation");
  app.add_flag("--keep", a.keep,
               "keep the domains (stopped), their NVRAM and disks for inspection, until `restorelab kept\n"
               "--remove`; prints the way in. Every scenario boots (a stored observation has no machines)");
  app.add_flag("--pause-on-failure", a.pause_on_failure,
               "keep the machines of a scenario that does not agree (or fails after its VMs started), print\n"
               "the way in, and go on with the others");
  app.add_flag("--no-cache", a.no_cache, "always boot the source VM (no reuse of an identical earlier source run)");
  app.add_flag("--remediate", a.remediate,
               "after the destination boot, carry out the predicted actions (from installation media when it\n"
               "did not start) and boot it again: fixed, not-fixed, none or error per scenario");
  app.add_option("--remediate-actions", a.remediate_actions,
                 "with --remediate: carry out these actions (comma-separated) instead of the predicted ones;\n"
                 "predicted actions not named are skipped")
      ->delimiter(',');
  add_machine_options(app, a);
  CLI::Option* strength =
      app.add_option("--strength", a.strength, "for matrix inputs: only a covering array of this strength")
          ->check(CLI::Range(1, 6));
  add_cover_option(app, strength, a.cover);
  app.add_option("--seed", a.seed, "seed of the covering array or of --cover's choices (same seed, same rows)");
  add_shard_option(app, a.shard);
  app.add_option("--junit", a.junit, "also write JUnit XML (one testcase per scenario) to this file");
  app.add_option("--known", a.known,
                 "registry of understood disagreements (default scenarios/known-deviations.toml of the source\n"
                 "tree when it exists; none: no registry)");
  app.add_option("--html", a.html, "also write the HTML report (heatmaps, table, screenshots) to this file");
  app.add_option("files", a.files, "scenario files, folders to search for them, or matrix files")->required();
  if (auto exit = parse_args(app, args, io)) return *exit;
  const auto bad_input = static_cast<int>(ExitCode::BadInput);
  for (const std::string& action : a.remediate_actions) {
    if (parse_enum<Action>(action)) continue;
    std::vector<std::string_view> names(EnumNames<Action>::names.begin(), EnumNames<Action>::names.end());
    io.err << "restorelab run: --remediate-actions: \"" << escape_control_characters(action)
           << "\" is not an action; expected one of "
           << join_names(names);
    if (auto suggestion = did_you_mean(action, names); !suggestion.empty()) io.err << "; " << suggestion;
    io.err << "\n";
    return bad_input;
  }
  const auto shard = parse_shard(a.shard, io);
  if (!shard) return bad_input;
  // Everything that can be wrong with the input is found before any VM starts.
  auto book = load_rulebook_or_report(a.rules, io);
  if (!book) return bad_input;
  std::optional<KnownRegistry> known;
  if (!load_known_registry(a.known, *book, known, io)) return bad_input;
  SelectionOptions selection{a.strength, a.seed, a.cover == "behaviours", {}};
  if (selection.behaviours) {
    auto prefer = observed_preference(a, io);
    if (!prefer) return bad_input;
    selection.prefer = std::move(*prefer);
  }
  std::vector<BehaviourPlan> plans;
  auto inputs = load_campaign_inputs(a.files, *book, selection, io, &plans);
  if (!inputs) return bad_input;
  // After the inputs were read (and with the store, which opens later), so
  // that no report replaces one of them (input_files.h).
  if (!a.db.empty() && a.db != "none") note_input(a.db);
  if (refuse_unusable_outputs({{"--junit", a.junit}, {"--html", a.html}}, "restorelab run", io)) return bad_input;
  if (!plans.empty())
    a.coverage = [&plans, &book](const std::vector<run::ScenarioResult>& results) {
      return campaign_coverage_sections(plans, *book, results);
    };
  std::vector<run::CampaignItem> items;
  for (std::size_t i = 0; i < inputs->size(); ++i) {
    if (!shard->takes(i)) continue;
    CampaignInput& in = (*inputs)[i];
    items.push_back(run::CampaignItem{std::move(in.id), std::move(in.scenario), std::move(in.axes_json), {}});
  }

  a.shard = shard->count > 1 ? std::to_string(shard->index) + "/" + std::to_string(shard->count) : "";
  std::vector<std::string> argv{"restorelab", "run"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_scenarios(a, argv, std::move(items), *book, known ? &*known : nullptr, io);
}

}  // namespace restorelab
