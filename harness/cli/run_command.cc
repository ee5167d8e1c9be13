// `restorelab run`: predict each scenario, reproduce it on VMs, compare.
#include <unistd.h>

#include <filesystem>
#include <iomanip>
#include <ostream>

#include "harness/cli/command_support.h"
#include "harness/machines/accelerator.h"
#include "harness/machines/backend.h"
#include "harness/output/text.h"
#include "harness/cli/cli.h"
#include "harness/run/host_capacity.h"
#include "harness/run/interrupt.h"
#include "harness/run/orchestrator.h"
#include "harness/run/run_report.h"
#include "harness/run/run_session.h"
#include "harness/run/source_cache.h"
#include "rules/engine.h"

namespace restorelab {

namespace fs = std::filesystem;

namespace {

struct RunArgs {
  bool json = false;
  bool keep = false;
  bool no_cache = false;
  std::string connect;
  std::string work;
  std::string evidence = "runs";
  std::string rules;
  std::string images;
  double silence = 20;
  std::vector<std::string> files;
};

/// Live progress on a terminal: "  scenario  phase  12s" rewritten in place.
class Progress {
 public:
  Progress(Streams& io) : io_(io) {}
  void show(const std::string& scenario, std::string_view phase, double seconds) {
    if (!io_.err_is_terminal) return;
    io_.err << "\r\033[K" << scenario << "  " << phase << "  " << static_cast<int>(seconds) << "s" << std::flush;
    shown_ = true;
  }
  void clear() {
    if (shown_) io_.err << "\r\033[K" << std::flush;
    shown_ = false;
  }
  void note(const std::string& line) {
    clear();
    if (io_.err_is_terminal) io_.err << line << "\n";
  }

 private:
  Streams& io_;
  bool shown_ = false;
};

/// Every scenario must turn into VMs libvirt accepts: checked before any VM starts.
bool check_buildable(const std::vector<Scenario>& scenarios, const run::RunSettings& settings, Streams& io) {
  bool ok = true;
  const run::HostCapacity host = run::host_capacity();
  for (const Scenario& s : scenarios) {
    bool fits = true;
    for (auto [machine, side] : {std::pair{&s.source, "source"}, std::pair{&s.destination, "destination"}}) {
      if (auto why = run::exceeds_host(*machine, side, host)) {
        io.err << (s.file.empty() ? s.name : s.file) << ": cannot be run on VMs: " << *why << "\n";
        fits = false;
      }
    }
    if (!fits) {
      ok = false;
      continue;
    }
    for (bool destination : {false, true}) {
      if (auto xml = run::side_xml(s, destination, settings); !xml) {
        io.err << (s.file.empty() ? s.name : s.file) << ": cannot be run on VMs: " << xml.error().message << "\n";
        ok = false;
        break;
      }
    }
  }
  return ok;
}

/// Writes the JUnit report; 0, or the exit code of the failure after saying why.
int write_junit(const run::JunitReport& report, const std::string& path, Streams& io) {
  if (auto written = report.write(path); !written) {
    io.err << "restorelab run: " << written.error().message << "\n";
    return written.error().exit_code();
  }
  return 0;
}

}  // namespace

int run_command(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Predict each scenario, reproduce it on real VMs (libvirt + QEMU) and compare.\n"
               "Exit: 0 every verdict agrees, 1 any disagrees, 2 bad input (nothing ran),\n"
               "3 any run failed (infrastructure), 130 interrupted (everything cleaned up).",
               "restorelab run");
  RunArgs a;
  app.add_flag("--json", a.json, "one JSON object per scenario (JSON Lines)");
  app.add_flag("--keep", a.keep, "keep the domains (stopped) and disks for inspection");
  app.add_flag("--no-cache", a.no_cache, "always boot the source VM (no reuse of an identical earlier source run)");
  app.add_option("--connect", a.connect, "libvirt URI (default qemu:///embed?root=/var/tmp/restorelab/embed)");
  app.add_option("--work", a.work, "folder for disk images (default /var/tmp/restorelab/work)");
  app.add_option("--evidence", a.evidence, "folder for evidence, below it <timestamp>/<scenario>/ (default runs)");
  app.add_option("--rules", a.rules, "rulebook to use instead of rules/kb249694.toml");
  app.add_option("--images", a.images, "model guest artifacts folder (default /var/tmp/restorelab/images/<hash>)");
  app.add_option("--silence", a.silence, "seconds without serial output after kernel-start that count as a hang")
      ->check(CLI::Range(1.0, 600.0));
  std::string shard_text, junit;
  add_shard_option(app, shard_text);
  app.add_option("--junit", junit, "also write JUnit XML (one testcase per scenario) to this file");
  app.add_option("files", a.files, "scenario files, or folders to search for them")->required();
  if (auto exit = parse_args(app, args, io)) return *exit;
  const auto shard = parse_shard(shard_text, io);
  if (!shard) return static_cast<int>(ExitCode::BadInput);
  if (!junit.empty()) {
    if (auto usable = check_output_path(junit); !usable) {
      io.err << "restorelab run: --junit " << usable.error().message << "\n";
      return static_cast<int>(ExitCode::BadInput);
    }
  }

  auto book = load_rulebook_or_report(a.rules, io);
  if (!book) return static_cast<int>(ExitCode::BadInput);
  auto scenarios = load_scenarios_or_report(expand_scenario_paths(a.files), io);
  if (!scenarios) return static_cast<int>(ExitCode::BadInput);
  keep_shard(*scenarios, *shard);
  run::JunitReport junit_report;

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
  if (!check_buildable(*scenarios, settings, io)) return static_cast<int>(ExitCode::BadInput);

  auto& interrupt = run::install_interrupt_handlers();
  struct DefaultHandlersAtExit {
    ~DefaultHandlersAtExit() { run::restore_default_handlers(); }
  } default_handlers_at_exit;
  Progress progress(io);
  const Engine engine(*book);
  int worst = 0;  // 0 agree, 1 disagree, 3 error
  auto fail_all = [&](const std::string& why, std::string_view accel) {
    for (const Scenario& s : *scenarios) {
      run::ScenarioRun r;
      r.observation.error = why;
      r.evidence = settings.evidence_dir / s.name;
      const Prediction p = engine.predict(s);
      const run::Verdict v = run::judge(p, r.observation);
      const run::ScenarioReport report{s, p, r, v, accel};
      io.out << (a.json ? run::run_json_line(report) : run::run_text(report) + "\n");
      junit_report.add(report);
    }
    io.err << "restorelab run: " << why << "\n";
    if (!junit.empty()) write_junit(junit_report, junit, io);
    return static_cast<int>(ExitCode::RunFailed);
  };

  // The accelerator, from the real probe.
  auto accel = machines::detect_accelerator();
  if (!accel) return fail_all(accel.error().message, "none");
  const bool kvm = accel->accelerator == machines::Accelerator::Kvm;
  const std::string_view accel_name = machines::accelerator_name(accel->accelerator);
  settings.type = machines::domain_type_for(accel->accelerator);
  settings = run::scaled_for(settings, kvm);

  // The model guest's artifacts (built on first use).
  run::ScriptDiskTool disks(images_dir, &interrupt);
  progress.show("image", "build", 0);
  auto artifacts = disks.build_artifacts(settings.artifacts);
  progress.clear();
  if (interrupt.load() != 0) return static_cast<int>(ExitCode::Interrupted);
  if (!artifacts) return fail_all(artifacts.error().message, accel_name);
  if (artifacts->rebuilt) progress.note(text("built the model guest in {} s", static_cast<int>(artifacts->seconds)));

  // The hypervisor, and whatever killed runs left in it.
  const std::string uri = a.connect.empty() ? machines::default_backend_uri(run::default_embed_root()) : a.connect;
  progress.show("libvirt", "connect", 0);
  auto backend = machines::open_backend(uri);
  progress.clear();
  if (!backend) return fail_all(backend.error().message, accel_name);
  machines::Hypervisor& hv = *backend->hypervisor;
  machines::ProcProcessTable processes;
  auto leftovers = run::remove_leftovers(hv, backend->embed_root, processes, work_root);
  if (!leftovers.removed.empty() || !leftovers.killed.empty())
    io.err << "removed what an earlier run left: " << leftovers.removed.size() << " domain(s)/folder(s), "
           << leftovers.killed.size() << " QEMU process(es)\n";
  for (const auto& p : leftovers.problems) io.err << "warning: " << p.message << "\n";
  run::claim_work_dir(settings.work_dir, settings.domain_prefix);

  for (const Scenario& s : *scenarios) {
    run::Orchestrator per(hv, disks, interrupt, [&](std::string_view phase, double seconds) {
      progress.show(s.name, phase, seconds);
    });
    run::ScenarioRun r = per.run(s, settings);
    progress.clear();
    for (const auto& p : r.cleanup_problems) io.err << "warning: cleanup: " << p << "\n";
    if (r.interrupted) break;
    const Prediction p = engine.predict(s);
    const run::Verdict v = run::judge(p, r.observation);
    const run::ScenarioReport report{s, p, r, v, accel_name};
    io.out << (a.json ? run::run_json_line(report) : run::run_text(report) + "\n") << std::flush;
    junit_report.add(report);
    worst = std::max(worst, v.kind == run::Verdict::Kind::Agree ? 0 : v.kind == run::Verdict::Kind::Disagree ? 1 : 3);
  }

  if (!a.keep) {
    auto rest = machines::remove_domains(hv, settings.domain_prefix);
    for (const auto& p : rest.problems) io.err << "warning: cleanup: " << p.message << "\n";
    std::error_code ec;
    fs::remove_all(settings.work_dir, ec);
  }
  if (!junit.empty()) {
    if (const int exit = write_junit(junit_report, junit, io); exit != 0) worst = std::max(worst, exit);
  }
  if (interrupt.load() != 0) {
    io.err << "restorelab run: interrupted; removed this run's domains and disks\n";
    return static_cast<int>(ExitCode::Interrupted);
  }
  return worst;
}

}  // namespace restorelab
