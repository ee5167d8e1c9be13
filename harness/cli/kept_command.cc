// `restorelab kept`: the machines that `run --keep` and `run
// --pause-on-failure` left for inspection (kept_runs.h): list them, or remove
// them (domains with their NVRAM, and the disks).
#include <algorithm>
#include <chrono>
#include <map>
#include <ostream>

#include "harness/cli/cli.h"
#include "harness/cli/command_support.h"
#include "harness/cli/embed_lock.h"
#include "harness/cli/exit_code.h"
#include "harness/machines/backend.h"
#include "harness/output/json_writer.h"
#include "harness/output/text.h"
#include "harness/run/interrupt.h"
#include "harness/run/kept_runs.h"
#include "harness/run/run_session.h"
#include "harness/store/store_records.h"
#include "rules/diagnostic.h"

namespace restorelab {

namespace fs = std::filesystem;

namespace {

/// The disk folders of a kept scenario: WORK/RUN/NAME and NAME.attempt-N.
std::uintmax_t scenario_disk_bytes(const run::KeptRun& run, const run::KeptScenario& s) {
  std::uintmax_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(run.folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == s.scenario || name.starts_with(s.scenario + ".attempt-")) total += run::allocated_bytes(entry.path());
  }
  return total;
}

void list(const run::KeptListing& kept, const fs::path& work_root, bool json, Streams& io) {
  const std::string now = store::utc_iso8601(std::chrono::system_clock::now());
  if (json) {
    for (const run::KeptRun& r : kept.runs) {
      std::string out;
      JsonWriter w(out);
      w.begin_object();
      w.key("run").value(r.run);
      w.key("kept_at").value(r.kept_at);
      w.key("uri").value(r.uri);
      w.key("store_run");
      if (r.store_run > 0) w.value(r.store_run);
      else w.null();
      w.key("scenarios").begin_array();
      for (const run::KeptScenario& s : r.scenarios) {
        w.begin_object();
        w.key("id").value(s.id);
        w.key("domains").strings(s.domains);
        w.key("disk_bytes").value(static_cast<std::int64_t>(scenario_disk_bytes(r, s)));
        w.key("evidence").value(s.evidence);
        w.end_object();
      }
      w.end_array();
      w.end_object();
      io.out << out << "\n";
    }
    return;
  }
  if (kept.runs.empty()) {
    io.out << "nothing is kept in " << work_root.string() << "\n";
    return;
  }
  for (const run::KeptRun& r : kept.runs) {
    // A record's values are data: shown with their control characters escaped.
    io.out << "run " << printable(r.run) << ": kept " << run::human_age(r.kept_at, now) << " ago"
           << (r.store_run > 0 ? text(", store run {}", r.store_run) : std::string()) << ", " << printable(r.uri)
           << "\n";
    for (const run::KeptScenario& s : r.scenarios) {
      io.out << "  " << printable(s.id) << ": disks " << run::human_bytes(scenario_disk_bytes(r, s)) << ", evidence "
             << printable(s.evidence) << "\n";
      for (const std::string& d : s.domains) io.out << "    " << printable(d) << "\n";
    }
  }
}

/// Why `r` may not be removed through the connection its record names, or
/// "": an embedded root elsewhere than restorelab's own must hold the note
/// that the run was kept there (kept_runs.h), else opening it would create
/// a libvirt root (ROOT/etc, ROOT/log, a lock) wherever the record points.
std::string connection_problem(const run::KeptRun& r) {
  const auto root = machines::embed_root_of_uri(r.uri);
  const bool ours = root && (root->lexically_normal() / "") == (run::default_embed_root() / "");
  if (!root || ours || run::noted_in_root(*root, r)) return {};
  return text("kept run {}: its record names the embedded root {}, which is not restorelab's ({}) and holds no note "
              "of this run ({}); nothing of it was removed",
              r.run, root->string(), run::default_embed_root().string(),
              (*root / "restorelab-kept" / r.prefix).string());
}

/// Removes the domains (with NVRAM) and the folder of each run in `runs`;
/// opens each connection once. Returns the exit status.
int remove_runs(const std::vector<run::KeptRun>& runs, Streams& io) {
  std::map<std::string, std::vector<const run::KeptRun*>> by_uri;
  for (const run::KeptRun& r : runs) by_uri[r.uri].push_back(&r);
  int exit = 0;
  const std::atomic<int>& interrupt = run::install_interrupt_handlers();
  struct DefaultHandlersAtExit {
    ~DefaultHandlersAtExit() { run::restore_default_handlers(); }
  } default_handlers_at_exit;
  for (const auto& [uri, of_uri] : by_uri) {
    EmbedRootLock lock;
    if (auto root = machines::embed_root_of_uri(uri)) {
      if (auto locked = lock.take(*root, "restorelab kept", interrupt, io); !locked) {
        io.err << "restorelab kept: " << locked.error().message << "\n";
        return static_cast<int>(ExitCode::RunFailed);
      }
    }
    auto backend = machines::open_backend(uri);
    if (!backend) {
      io.err << "restorelab kept: " << backend.error().message << "; nothing of " << of_uri.size()
             << " run(s) on it was removed\n";
      exit = static_cast<int>(ExitCode::RunFailed);
      continue;
    }
    for (const run::KeptRun* r : of_uri) {
      bool ok = true;
      int domains = 0;
      for (const run::KeptScenario& s : r->scenarios) {
        for (const std::string& d : s.domains) {
          auto destroyed = backend->hypervisor->destroy(d);
          auto undefined = destroyed || destroyed.error().no_domain() ? backend->hypervisor->undefine(d) : destroyed;
          if (!undefined && !undefined.error().no_domain()) {
            io.err << "restorelab kept: " << undefined.error().message << "\n";
            ok = false;
          } else if (undefined) {
            ++domains;
          }
        }
      }
      const std::uintmax_t bytes = run::allocated_bytes(r->folder);
      if (!ok) {
        io.err << "restorelab kept: kept run " << r->run << " stays (its record too) until its domains can be removed\n";
        exit = static_cast<int>(ExitCode::RunFailed);
        continue;
      }
      if (backend->embed_root) run::forget_kept_in_root(*backend->embed_root, r->prefix);
      std::error_code ec;
      fs::remove_all(r->folder, ec);
      if (ec) {
        io.err << "restorelab kept: removing " << r->folder.string() << ": " << ec.message() << "\n";
        exit = static_cast<int>(ExitCode::RunFailed);
        continue;
      }
      io.out << "removed kept run " << r->run << ": " << domains << " domain(s), " << run::human_bytes(bytes)
             << " of disks\n";
    }
  }
  return exit;
}

}  // namespace

int kept_command(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("The machines that `run --keep` and `run --pause-on-failure` kept for inspection: per run\n"
               "its scenarios, their domains, disk sizes and age, from the records in the work folder\n"
               "(no libvirt connection is opened to list). --remove RUN|all removes the domains (with\n"
               "their NVRAM) and the disks.\n"
               "Exit: 0, 2 for a run that is not kept, a --work that is not a folder or a record that names\n"
               "an embedded root the run was not kept on, 3 when something could not be removed.",
               "restorelab kept");
  std::string work;
  std::string remove_which;
  bool json = false;
  CLI::Option* work_given =
      app.add_option("--work", work, "the work folder of the runs (default /var/tmp/restorelab/work)")
          ->check(non_empty_folder());
  CLI::Option* remove =
      app.add_option("--remove", remove_which, "remove the kept run RUN (its id, as listed), or all of them");
  app.add_flag("--json", json, "one JSON object per kept run");
  if (auto exit = parse_args(app, args, io)) return *exit;
  const auto bad_input = static_cast<int>(ExitCode::BadInput);
  if (remove->count() > 0 && remove_which.empty()) {
    io.err << "restorelab kept: --remove: expected a kept run's id (as `restorelab kept` lists it) or all\n";
    return bad_input;
  }
  // A --work that names no folder is a mistake to say, not an empty list
  // (the default folder is missing until the first run).
  if (work_given->count() > 0) {
    std::error_code ec;
    const fs::file_status st = fs::status(work, ec);
    if (!fs::is_directory(st)) {
      io.err << "restorelab kept: --work " << work
             << (fs::exists(st) ? ": not a folder" : ": no such folder")
             << "; name the folder the runs were given as --work (default " << run::default_work_root().string()
             << ")\n";
      return bad_input;
    }
  }
  const fs::path work_root = work.empty() ? run::default_work_root() : fs::path(work);
  const run::KeptListing kept = run::list_kept(work_root);
  for (const std::string& p : kept.problems) io.err << "warning: " << printable(p) << "\n";
  if (remove_which.empty()) {
    list(kept, work_root, json, io);
    return 0;
  }
  std::vector<run::KeptRun> chosen;
  if (remove_which == "all") {
    chosen = kept.runs;
  } else {
    auto it = std::ranges::find(kept.runs, remove_which, &run::KeptRun::run);
    if (it == kept.runs.end()) {
      std::vector<std::string_view> ids;
      for (const run::KeptRun& r : kept.runs) ids.push_back(r.run);
      std::string hint = did_you_mean(remove_which, ids);
      if (hint.empty()) hint = ids.empty() ? "nothing is kept" : "kept runs: " + join_names(ids);
      io.err << "restorelab kept: --remove: no kept run \"" << remove_which << "\" in " << work_root.string() << "; "
             << hint << "\n";
      return bad_input;
    }
    chosen.push_back(*it);
  }
  if (chosen.empty()) {
    io.out << "nothing is kept in " << work_root.string() << "\n";
    return 0;
  }
  // Every record is checked before anything is removed.
  bool refused = false;
  for (const run::KeptRun& r : chosen) {
    if (std::string problem = connection_problem(r); !problem.empty()) {
      io.err << "restorelab kept: " << problem << "\n";
      refused = true;
    }
  }
  if (refused) return bad_input;
  return remove_runs(chosen, io);
}

}  // namespace restorelab
