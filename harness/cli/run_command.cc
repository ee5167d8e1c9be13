// `restorelab run`: predict each scenario, reproduce it on VMs, compare; a
// campaign over files, folders and matrices (results-format.md).
#include <ostream>

#include "harness/cli/campaign_inputs.h"
#include "harness/cli/cli.h"
#include "harness/cli/command_support.h"
#include "harness/cli/known_registry.h"
#include "harness/cli/run_scenarios.h"
#include "harness/output/output_file.h"
#include "rules/diagnostic.h"
#include "rules/printable.h"

namespace restorelab {

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
  app.add_option("--strength", a.strength, "for matrix inputs: only a covering array of this strength")
      ->check(CLI::Range(1, 6));
  app.add_option("--seed", a.seed, "seed of the covering array (same seed, same rows)");
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
  for (auto [option, path] : {std::pair{"--junit", &a.junit}, std::pair{"--html", &a.html}}) {
    if (path->empty()) continue;
    if (auto usable = check_output_path(*path); !usable) {
      io.err << "restorelab run: " << option << " " << usable.error().message << "\n";
      return bad_input;
    }
  }

  // Everything that can be wrong with the input is found before any VM starts.
  auto book = load_rulebook_or_report(a.rules, io);
  if (!book) return bad_input;
  std::optional<KnownRegistry> known;
  if (!load_known_registry(a.known, *book, known, io)) return bad_input;
  auto inputs = load_campaign_inputs(a.files, *book, a.strength, a.seed, io);
  if (!inputs) return bad_input;
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
