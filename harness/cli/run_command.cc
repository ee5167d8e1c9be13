// `restorelab run`: predict each scenario, reproduce it on VMs, compare; a
// campaign over files, folders and matrices (results-format.md).
#include <filesystem>
#include <ostream>

#include "harness/cli/campaign_inputs.h"
#include "harness/cli/cli.h"
#include "harness/cli/command_support.h"
#include "harness/cli/known_registry.h"
#include "harness/cli/run_machines.h"
#include "harness/cli/run_progress.h"
#include "harness/cli/run_store.h"
#include "harness/machines/backend.h"
#include "harness/run/campaign.h"
#include "harness/run/host_capacity.h"
#include "harness/run/html_report.h"
#include "harness/run/interrupt.h"
#include "harness/run/result_sink.h"
#include "harness/run/run_session.h"
#include "harness/run/source_cache.h"
#include "harness/run/store_sink.h"

namespace restorelab {

namespace fs = std::filesystem;

namespace {

struct RunArgs {
  bool json = false;
  bool keep = false;
  bool no_cache = false;
  bool no_reuse = false;
  std::string connect;
  std::string work;
  std::string evidence = "runs";
  std::string rules;
  std::string images;
  std::string junit;
  std::string html;
  std::string known;
  std::string db;
  std::string campaign;
  std::string shard;
  double silence = 20;
  int jobs = 0;
  int retries = 0;
  int strength = 0;
  std::uint64_t seed = 1;
  std::vector<std::string> files;
};

/// Every machine of every scenario must fit the host and turn into VMs
/// libvirt accepts: checked before any VM starts. Builds each plan once.
bool plan_all(std::vector<run::CampaignItem>& items, const run::RunSettings& settings, Streams& io) {
  bool ok = true;
  const run::HostCapacity host = run::host_capacity();
  for (run::CampaignItem& item : items) {
    const Scenario& s = item.scenario;
    const std::string where = s.file.empty() ? item.id : s.file;
    bool fits = true;
    for (auto [machine, side] : {std::pair{&s.source, "source"}, std::pair{&s.destination, "destination"}}) {
      if (auto why = run::exceeds_host(*machine, side, host)) {
        io.err << where << ": cannot be run on VMs: " << *why << "\n";
        fits = false;
      }
    }
    if (!fits) {
      ok = false;
      continue;
    }
    item.plan = run::plan_run(s, run::plan_paths(s, settings));
    if (!item.plan.refused.empty()) {
      io.err << format_diagnostics(item.plan.refused);
      ok = false;
      continue;
    }
    if (auto xmls = run::plan_xmls(item.plan, settings.type); !xmls) {
      io.err << where << ": cannot be run on VMs: " << xmls.error().message << "\n";
      ok = false;
    }
  }
  return ok;
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
  app.add_flag("--keep", a.keep, "keep the domains (stopped) and disks for inspection");
  app.add_flag("--no-cache", a.no_cache, "always boot the source VM (no reuse of an identical earlier source run)");
  app.add_option("--connect", a.connect, "libvirt URI (default qemu:///embed?root=/var/tmp/restorelab/embed)");
  app.add_option("--work", a.work, "folder for disk images (default /var/tmp/restorelab/work)");
  app.add_option("--evidence", a.evidence, "folder for evidence, below it <timestamp>/<scenario>/ (default runs)");
  app.add_option("--rules", a.rules, "rulebook to use instead of rules/kb249694.toml");
  app.add_option("--images", a.images, "model guest artifacts folder (default /var/tmp/restorelab/images/<hash>)");
  app.add_option("--silence", a.silence, "seconds without serial output after kernel-start that count as a hang")
      ->check(CLI::Range(1.0, 600.0));
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

  const fs::path work_root = a.work.empty() ? run::default_work_root() : fs::path(a.work);
  const fs::path evidence_root = fs::absolute(a.evidence);
  const std::string run_id = run::new_run_id(evidence_root);
  run::RunSettings settings;
  settings.work_dir = fs::absolute(work_root / run_id);
  settings.evidence_dir = evidence_root / run_id;
  settings.domain_prefix = run::run_domain_prefix();
  settings.keep = a.keep;
  if (!a.no_cache) settings.source_cache = run::SourceCache::default_root();
  const fs::path images_dir = run::images_source_dir();
  settings.artifacts = a.images.empty() ? run::default_artifacts_dir(images_dir) : fs::path(a.images);
  settings.chain_limits.silence_after_kernel = settings.destination_limits.silence_after_kernel =
      std::chrono::milliseconds(static_cast<long long>(a.silence * 1000));
  if (!plan_all(items, settings, io)) return bad_input;

  // The results store: observations to reuse, and where this run is recorded.
  std::optional<store::ResultsStore> results_store;
  std::int64_t store_run = 0;
  if (a.db != "none") {
    int exit = 0;
    results_store = open_store_for_run(a.db.empty() ? (evidence_root / "results.sqlite").string() : a.db, io, exit);
    if (!results_store) return exit;
    std::vector<std::string> argv{"restorelab", "run"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto begun = results_store->begin_run(run_info(RunDescription{
        book->file, run::image_inputs_hash(images_dir), shard->count > 1 ? std::to_string(shard->index) + "/" + std::to_string(shard->count) : "", a.campaign, argv}));
    if (!begun) {
      io.err << "restorelab run: " << begun.error().message << "\n";
      return begun.error().exit_code();
    }
    store_run = *begun;
  }

  run::CampaignOptions options;
  options.run_id = store_run;
  options.jobs = a.jobs > 0 ? a.jobs : run::default_jobs(run::host_capacity());
  options.retries = a.retries;
  options.reuse = !a.no_reuse;
  options.key_inputs = run::KeyInputs{run::image_inputs_hash(images_dir), settings.chain_limits.silence_after_kernel};

  auto& interrupt = run::install_interrupt_handlers();
  struct DefaultHandlersAtExit {
    ~DefaultHandlersAtExit() { run::restore_default_handlers(); }
  } default_handlers_at_exit;
  const std::string uri = a.connect.empty() ? machines::default_backend_uri(run::default_embed_root()) : a.connect;
  RunMachines machines(settings, uri, work_root, interrupt, io);
  RunProgress progress(io, options.jobs);
  const Engine engine(*book);
  std::unique_ptr<run::StoreSink> store_sink;
  if (results_store) store_sink = std::make_unique<run::StoreSink>(*results_store, store_run);
  run::Campaign campaign(machines, engine, interrupt, store_sink.get(), known ? &*known : nullptr, &progress);

  run::TextSink text(io.out);
  run::JsonLinesSink json(io.out);
  // The store first: a result is recorded before it is shown.
  std::vector<run::ResultSink*> sinks;
  if (store_sink) sinks.push_back(store_sink.get());
  sinks.push_back(a.json ? static_cast<run::ResultSink*>(&json) : &text);
  std::unique_ptr<run::JunitSink> junit;
  if (!a.junit.empty()) sinks.push_back((junit = std::make_unique<run::JunitSink>(a.junit)).get());
  std::unique_ptr<run::HtmlSink> html;
  if (!a.html.empty()) sinks.push_back((html = std::make_unique<run::HtmlSink>(a.html)).get());

  const auto started = std::chrono::steady_clock::now();
  run::CampaignOutcome outcome = campaign.run(items, options, sinks);
  progress.clear();
  machines.clean_up();

  run::RunSummary summary;
  summary.run = store_run;
  summary.title = store_run ? "run " + std::to_string(store_run) + (a.campaign.empty() ? "" : " (campaign " + a.campaign + ")")
                            : settings.evidence_dir.string();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary.accelerator = outcome.accelerator;
  summary.interrupted = outcome.interrupted;
  summary.results = outcome.results;
  if (known) summary.stale_deviations = known->stale();
  for (const auto& id : summary.stale_deviations)
    io.err << "restorelab run: known deviation " << id << " excused nothing in this run\n";
  int exit = run::exit_status(outcome.results);
  for (run::ResultSink* sink : sinks) {
    if (auto done = sink->finish(summary); !done) {
      io.err << "restorelab run: " << done.error().message << "\n";
      exit = std::max(exit, done.error().exit_code());
    }
  }
  if (outcome.sink_error) {
    io.err << "restorelab run: " << outcome.sink_error->message << "; stopped starting scenarios\n";
    exit = std::max(exit, outcome.sink_error->exit_code());
  }
  if (outcome.interrupted) {
    io.err << "restorelab run: interrupted; kept the " << outcome.results.size()
           << " finished result(s), removed this run's domains and disks\n";
    return static_cast<int>(ExitCode::Interrupted);
  }
  return exit;
}

}  // namespace restorelab
