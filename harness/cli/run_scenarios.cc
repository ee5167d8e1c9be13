#include "harness/cli/run_scenarios.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <span>

#include "harness/cli/command_support.h"
#include "harness/cli/exit_code.h"
#include "harness/cli/run_machines.h"
#include "harness/cli/run_progress.h"
#include "harness/cli/run_store.h"
#include "harness/machines/backend.h"
#include "harness/run/host_capacity.h"
#include "harness/run/html_report.h"
#include "harness/run/interrupt.h"
#include "harness/run/result_sink.h"
#include "harness/run/run_session.h"
#include "harness/run/source_cache.h"
#include "harness/run/store_sink.h"
#include "harness/run/warm_start.h"

namespace restorelab {

namespace fs = std::filesystem;

namespace {

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

/// Where saved states go must be a folder of its own, never a link: checked
/// before anything runs (false after saying why).
bool warm_folder_usable(const RunArgs& a, Streams& io) {
  // Saved states are written as root: never through a link someone could
  // point anywhere (a folder given as itself is written in; a link refused).
  if (std::error_code ec; !a.no_warm) {
    const fs::path warm = a.warm_dir.empty() ? run::WarmStates::default_root() : fs::path(a.warm_dir);
    if (fs::is_symlink(fs::symlink_status(warm, ec))) {
      io.err << "restorelab run: the warm-start folder " << warm.string() << " is a symbolic link (to "
             << fs::read_symlink(warm, ec).string()
             << "); saved states are never written through a link: give the folder itself as --warm-dir, or "
                "--no-warm\n";
      return false;
    }
  }
  if (std::error_code ec; !a.warm_dir.empty() && fs::exists(a.warm_dir, ec) && !fs::is_directory(a.warm_dir, ec)) {
    io.err << "restorelab run: --warm-dir " << a.warm_dir
           << ": exists and is not a folder; name a folder for the saved states (or leave it out)\n";
    return false;
  }
  return true;
}

/// Opens the store at `db` and begins this run in it, setting `store` and
/// `run_id`; on failure the exit code, after saying why.
std::optional<int> begin_stored_run(const std::string& db, const RunDescription& run, Streams& io,
                                    std::optional<store::ResultsStore>& store, std::int64_t& run_id) {
  int exit = 0;
  store = open_store_for_run(db, io, exit);
  if (!store) return exit;
  auto begun = store->begin_run(run_info(run));
  if (!begun) {
    io.err << "restorelab run: " << begun.error().message << "\n";
    return begun.error().exit_code();
  }
  run_id = *begun;
  return std::nullopt;
}

run::CampaignOptions campaign_options(const RunArgs& a, std::int64_t store_run, const fs::path& images_dir,
                                      const run::RunSettings& settings) {
  run::CampaignOptions options;
  options.run_id = store_run;
  options.jobs = a.jobs > 0 ? a.jobs : run::default_jobs(run::host_capacity());
  options.retries = a.retries;
  options.reuse = !a.no_reuse;
  options.pause_on_failure = a.pause_on_failure;
  options.keep = a.keep;
  options.remediate = a.remediate || !a.remediate_actions.empty();
  if (!a.remediate_actions.empty()) options.remediate_only = a.remediate_actions;
  options.key_inputs = run::KeyInputs{run::image_inputs_hash(images_dir), settings.chain_limits.silence_after_kernel};
  return options;
}

/// The summary every sink finishes with, the warnings about the known
/// deviations, and the run's exit code.
int finish_run(const RunArgs& a, std::span<const run::CampaignItem> items, KnownRegistry* known,
               std::int64_t store_run, const run::RunSettings& settings, double seconds,
               const run::CampaignOutcome& outcome, const std::vector<run::ResultSink*>& sinks, Streams& io) {
  run::RunSummary summary;
  summary.run = store_run;
  summary.title = store_run ? "run " + std::to_string(store_run) + (a.campaign.empty() ? "" : " (campaign " + a.campaign + ")")
                            : settings.evidence_dir.string();
  summary.seconds = seconds;
  summary.accelerator = outcome.accelerator;
  summary.interrupted = outcome.interrupted;
  summary.results = outcome.results;
  if (a.coverage) summary.coverage = a.coverage(outcome.results);
  if (known && a.report_stale) summary.stale_deviations = known->stale_among(items);
  for (const auto& id : summary.stale_deviations)
    io.err << "restorelab run: known deviation " << id << " excused nothing in this run\n";
  if (known)
    if (const std::string all = known->excused_everything(); !all.empty()) io.err << "restorelab run: " << all << "\n";
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

}  // namespace

void add_machine_options(CLI::App& app, RunArgs& a) {
  app.add_option("--connect", a.connect, "libvirt URI (default qemu:///embed?root=/var/tmp/restorelab/embed)");
  app.add_option("--work", a.work, "folder for disk images (default /var/tmp/restorelab/work)")
      ->check(non_empty_folder());
  app.add_option("--evidence", a.evidence, "folder for evidence, below it <timestamp>/<scenario>/ (default runs)")
      ->check(non_empty_folder());
  app.add_option("--rules", a.rules, "rulebook to use instead of rules/kb249694.toml");
  app.add_option("--images", a.images, "model guest artifacts folder (default /var/tmp/restorelab/images/<hash>)");
  app.add_option("--silence", a.silence, "seconds without serial output after kernel-start that count as a hang")
      ->check(CLI::Range(1.0, 600.0));
  app.add_flag("--no-warm", a.no_warm,
               "boot every VM cold (by default the VMs whose kernel the hypervisor starts are restored from\n"
               "saved states under /var/tmp/restorelab/cache/warm; the destination's boot is always cold)");
  app.add_option("--warm-limit", a.warm_limit_mib, "MiB the saved states may take together; the least recently\n"
                 "used go beyond it (default 4096)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 30));
  app.add_flag("--warm-every-shape", a.warm_every_shape,
               "build a saved state for every shape of VM, also one the run starts once (by default a run of\n"
               "several scenarios builds states only for shapes it starts again, and boots the others cold)");
  app.add_option("--warm-dir", a.warm_dir, "folder of the saved states (default /var/tmp/restorelab/cache/warm)");
  app.add_flag("-v,--verbose", a.verbose, "also print the accelerator probes' outcomes (why KVM was or was not used)");
}

int run_scenarios(const RunArgs& a, const std::vector<std::string>& argv, std::vector<run::CampaignItem> items,
                  const Rulebook& book, KnownRegistry* known, Streams& io, std::vector<run::ScenarioResult>* results) {
  const auto bad_input = static_cast<int>(ExitCode::BadInput);
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
  if (!warm_folder_usable(a, io)) return bad_input;

  // The results store: observations to reuse, and where this run is recorded.
  std::optional<store::ResultsStore> results_store;
  std::int64_t store_run = 0;
  if (a.db != "none") {
    const std::string db = a.db.empty() ? (evidence_root / "results.sqlite").string() : a.db;
    if (auto failed = begin_stored_run(db, RunDescription{book.file, run::image_inputs_hash(images_dir), a.shard,
                                                          a.campaign, argv},
                                       io, results_store, store_run))
      return *failed;
  }

  const run::CampaignOptions options = campaign_options(a, store_run, images_dir, settings);

  auto& interrupt = run::install_interrupt_handlers();
  struct DefaultHandlersAtExit {
    ~DefaultHandlersAtExit() { run::restore_default_handlers(); }
  } default_handlers_at_exit;
  const std::string uri = a.connect.empty() ? machines::default_backend_uri(run::default_embed_root()) : a.connect;
  // Warm starts need a hypervisor of this run's own: saved states carry
  // fixed domain names (warm_start.h), and an embedded root has one run.
  if (!a.no_warm) {
    if (machines::embed_root_of_uri(uri))
      settings.warm = std::make_shared<run::WarmStates>(
          run::WarmOptions{.dir = a.warm_dir.empty() ? run::WarmStates::default_root() : fs::absolute(a.warm_dir),
                           .limit_bytes = a.warm_limit_mib << 20});
    else
      io.err << "restorelab run: warm starts need the embedded driver (qemu:///embed?root=...); every VM boots cold\n";
  }
  // A run of several scenarios builds states only for the shapes it starts
  // again; a run of one builds every state, so that running it again is warm.
  if (settings.warm && items.size() > 1 && !a.warm_every_shape) {
    settings.warm_demand = std::make_shared<run::WarmDemand>();
    for (const run::CampaignItem& item : items) settings.warm_demand->expect(item.plan);
  }
  RunMachines machines(settings, uri, work_root, interrupt, io, a.verbose);
  RunProgress progress(io, options.jobs);
  const Engine engine(book);
  std::unique_ptr<run::StoreSink> store_sink;
  if (results_store) store_sink = std::make_unique<run::StoreSink>(*results_store, store_run);
  run::Campaign campaign(machines, engine, interrupt, store_sink.get(), known, &progress);

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
  std::vector<run::KeptScenario> kept;
  for (const run::ScenarioResult& r : outcome.results)
    if (r.kept) kept.push_back(run::KeptScenario{r.id, r.scenario, r.evidence, r.kept->domains});
  machines.clean_up(outcome.interrupted, kept, store_run);

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (results) *results = outcome.results;
  return finish_run(a, items, known, store_run, settings, seconds, outcome, sinks, io);
}

}  // namespace restorelab
