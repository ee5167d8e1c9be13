// `restorelab results runs|show|compare|merge`: what the results store
// remembers (results-format.md).
#include <charconv>
#include <cstdio>
#include <ostream>

#include "harness/cli/cli.h"
#include "harness/cli/command_support.h"
#include "harness/cli/dispatch.h"
#include "harness/cli/exit_code.h"
#include "harness/output/json_writer.h"
#include "harness/output/text.h"
#include "harness/run/html_report.h"
#include "harness/run/result_sink.h"
#include "harness/run/store_sink.h"
#include "harness/store/results_store.h"
#include "harness/store/store_compare.h"
#include "rules/printable.h"

namespace restorelab {

namespace {

constexpr const char* kDefaultDb = "runs/results.sqlite";

void add_db_option(CLI::App& app, std::string& db) {
  app.add_option("--db", db, std::string("the results store (default ") + kDefaultDb + ")");
}

/// Opens the store read-only; prints why not.
std::optional<store::ResultsStore> open_read(const std::string& db, Streams& io, int& exit) {
  store::StoreOptions options;
  options.access = store::StoreOptions::Access::ReadOnly;
  auto s = store::ResultsStore::open(db, options);
  if (!s) {
    io.err << "restorelab results: " << printable(s.error().message) << "\n";
    exit = s.error().exit_code();
    return std::nullopt;
  }
  return std::move(*s);
}

std::optional<std::int64_t> as_run_id(const std::string& text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

/// The results of a run id or a campaign label (the newest result of each
/// scenario over the label's runs).
store::Result<std::vector<store::ResultRecord>> results_of(const store::ResultsStore& s, const std::string& which) {
  if (auto id = as_run_id(which)) return s.results_of_run(*id);
  return s.results_of_campaign(which);
}

std::string run_name(const std::string& which) {
  return as_run_id(which) ? "run " + which : "campaign " + which;
}

int runs(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("List the runs of a results store, newest first: id, start, duration, status, restorelab\n"
               "version, source commit, rulebook and image hashes, accelerator, host, shard, campaign and\n"
               "the verdict counts. Exit: 0, or 2 for a store that cannot be read.",
               "restorelab results runs");
  std::string db = kDefaultDb;
  bool json = false;
  add_db_option(app, db);
  app.add_flag("--json", json, "one JSON object per run");
  if (auto exit = parse_args(app, args, io)) return *exit;
  int exit = 0;
  auto s = open_read(db, io, exit);
  if (!s) return exit;
  auto list = s->runs();
  if (!list) {
    io.err << "restorelab results: " << printable(list.error().message) << "\n";
    return list.error().exit_code();
  }
  auto row = [&](const std::string& id, const std::string& started, const std::string& seconds, std::string_view status,
                 const std::string& commit, const std::string& campaign, const std::string& shard,
                 const std::string& accel, const std::string& verdicts) {
    char line[512];
    // Every value is the store's data: shown with its control characters escaped.
    std::snprintf(line, sizeof line, "%5s  %-20s  %8s  %-11s  %-8s  %-12s  %-5s  %-5s  %s\n", printable(id).c_str(),
                  printable(started).c_str(), seconds.c_str(), printable(status).c_str(), printable(commit).c_str(),
                  printable(campaign).c_str(), printable(shard).c_str(), printable(accel).c_str(), verdicts.c_str());
    io.out << line;
  };
  if (!json && !list->empty()) row("run", "started", "seconds", "status", "commit", "campaign", "shard", "accel", "verdicts");
  for (const store::RunRecord& r : *list) {
    std::map<std::string, int> counts;
    for (std::size_t v = 0; v < store::kVerdictCount; ++v)
      if (r.verdicts.counts[v]) counts[std::string(store::verdict_name(static_cast<store::Verdict>(v)))] = r.verdicts.counts[v];
    if (json) {
      std::string out;
      JsonWriter w(out);
      w.begin_object().key("id").value(r.id).key("started").value(r.info.started);
      w.key("finished");
      if (r.finished.empty()) w.null();
      else w.value(r.finished);
      w.key("duration_s");
      if (r.duration_s) w.value(*r.duration_s);
      else w.null();
      w.key("status").value(store::status_name(r.status)).key("version").value(r.info.version);
      w.key("source_commit").value(r.info.source_commit).key("rulebook_hash").value(r.info.rulebook_hash);
      w.key("image_hash").value(r.info.image_hash).key("accelerator").value(r.info.accelerator);
      w.key("host").value(r.info.host).key("shard").value(r.info.shard).key("campaign").value(r.info.campaign);
      w.key("verdicts").begin_object();
      for (std::size_t v = 0; v < store::kVerdictCount; ++v)
        w.key(store::verdict_name(static_cast<store::Verdict>(v))).value(r.verdicts.counts[v]);
      w.end_object().end_object();
      io.out << out << "\n";
      continue;
    }
    char seconds[32] = "-";
    if (r.duration_s) std::snprintf(seconds, sizeof seconds, "%.1f", *r.duration_s);
    row(std::to_string(r.id), r.info.started, seconds, store::status_name(r.status), r.info.source_commit.substr(0, 8),
        r.info.campaign.empty() ? "-" : r.info.campaign, r.info.shard.empty() ? "-" : r.info.shard,
        r.info.accelerator.empty() ? "-" : r.info.accelerator, run::verdict_counts_text(counts));
  }
  if (list->empty()) io.err << printable(db) << ": no runs yet\n";
  return 0;
}

int show(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Show the results of a run (default the newest) as `run` printed them, or with --campaign\n"
               "the newest result of every scenario over all runs with that label (the shards of one\n"
               "campaign, merged). Exit: 0, or 2 for a store, run or label that is not there.",
               "restorelab results show");
  std::string db = kDefaultDb, campaign, junit, html, run_text;
  bool json = false;
  add_db_option(app, db);
  app.add_option("run", run_text, "run id (default: the newest run)");
  app.add_option("--campaign", campaign, "the newest result of each scenario over the runs with this label");
  app.add_flag("--json", json, "the JSON lines as `run --json` printed them");
  app.add_option("--junit", junit, "write JUnit XML to this file instead");
  app.add_option("--html", html, "write the HTML report to this file instead");
  if (auto exit = parse_args(app, args, io)) return *exit;
  if (!run_text.empty() && !campaign.empty()) {
    io.err << "restorelab results show: give a run id or --campaign, not both\n";
    return static_cast<int>(ExitCode::BadInput);
  }
  int exit = 0;
  auto s = open_read(db, io, exit);
  if (!s) return exit;
  // The store is open, so an output that would replace it is refused here,
  // before anything is written (input_files.h).
  if (auto refused = refuse_unusable_outputs({{"--junit", junit}, {"--html", html}}, "restorelab results show", io))
    return *refused;
  run::RunSummary summary;
  store::Result<std::vector<store::ResultRecord>> records;
  if (!campaign.empty()) {
    records = s->results_of_campaign(campaign);
    summary.title = "campaign " + campaign;
  } else {
    std::int64_t id = 0;
    if (!run_text.empty()) {
      auto parsed = as_run_id(run_text);
      if (!parsed) {
        io.err << "restorelab results show: \"" << printable(run_text) << "\" is not a run id; expected a number such as 3\n";
        return static_cast<int>(ExitCode::BadInput);
      }
      id = *parsed;
    } else {
      auto list = s->runs();
      if (!list || list->empty()) {
        io.err << "restorelab results: " << printable(list ? db + ": no runs yet" : list.error().message) << "\n";
        return list ? static_cast<int>(ExitCode::BadInput) : list.error().exit_code();
      }
      id = list->front().id;
    }
    auto run = s->run(id);
    if (!run) {
      io.err << "restorelab results: " << printable(run.error().message) << "\n";
      return run.error().exit_code();
    }
    summary.run = id;
    summary.title = "run " + std::to_string(id) + (run->info.campaign.empty() ? "" : " (campaign " + run->info.campaign + ")");
    summary.seconds = run->duration_s.value_or(0);
    summary.accelerator = run->info.accelerator;
    summary.interrupted = run->status == store::RunStatus::Interrupted;
    records = s->results_of_run(id);
  }
  if (!records) {
    io.err << "restorelab results: " << printable(records.error().message) << "\n";
    return records.error().exit_code();
  }
  for (const store::ResultRecord& record : *records) {
    if (json) {
      // The stored line is data: printed as one line of valid UTF-8.
      std::string line;
      JsonWriter(line).raw(record.json_line);
      io.out << line << "\n";
      continue;
    }
    auto r = run::from_record(record);
    if (!r) {
      io.err << "restorelab results: " << printable(r.error()) << "\n";
      return static_cast<int>(ExitCode::RunFailed);
    }
    summary.results.push_back(std::move(*r));
  }
  if (json) return 0;
  if (!junit.empty() || !html.empty()) {
    int worst = 0;
    if (!junit.empty())
      if (auto w = run::JunitSink(junit).finish(summary); !w) {
        io.err << "restorelab results show: " << printable(w.error().message) << "\n";
        worst = std::max(worst, w.error().exit_code());
      }
    if (!html.empty())
      if (auto w = run::HtmlSink(html).finish(summary); !w) {
        io.err << "restorelab results show: " << printable(w.error().message) << "\n";
        worst = std::max(worst, w.error().exit_code());
      }
    return worst;
  }
  run::TextSink out(io.out);
  for (const auto& r : summary.results) (void)out.add(r);
  (void)out.finish(summary);
  return 0;
}

int compare(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("What changed from BASE to HEAD (run ids, or campaign labels standing for the newest result\n"
               "of each scenario over their runs): verdict, observed outcome, processors used, stop code,\n"
               "remediation; scenarios in one only. A regression is a scenario that was agree or\n"
               "known-deviation in BASE and is disagree, flaky or error in HEAD.\n"
               "Exit: 0 no regression, 1 a regression, 2 bad input.",
               "restorelab results compare");
  std::string db = kDefaultDb, base, head;
  bool json = false;
  add_db_option(app, db);
  app.add_option("base", base, "run id or campaign label")->required();
  app.add_option("head", head, "run id or campaign label")->required();
  app.add_flag("--json", json, "one JSON object");
  if (auto exit = parse_args(app, args, io)) return *exit;
  int exit = 0;
  auto s = open_read(db, io, exit);
  if (!s) return exit;
  auto b = results_of(*s, base);
  if (!b) {
    io.err << "restorelab results compare: " << printable(b.error().message) << "\n";
    return b.error().exit_code();
  }
  auto h = results_of(*s, head);
  if (!h) {
    io.err << "restorelab results compare: " << printable(h.error().message) << "\n";
    return h.error().exit_code();
  }
  const store::Comparison c = store::compare(*b, *h);
  io.out << (json ? store::comparison_json(c, run_name(base), run_name(head))
                  : escape_control_characters(store::comparison_text(c, run_name(base), run_name(head)), true));
  return c.has_regression() ? static_cast<int>(ExitCode::Mismatch) : 0;
}

int merge(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Copy the runs of other stores (shards from several machines) into OUT, creating it if\n"
               "needed; run ids stay unique, and merging the same store twice adds nothing.\n"
               "Exit: 0, 2 for a store that cannot be read or written, 3 for a failure while writing.",
               "restorelab results merge");
  std::string db;
  std::vector<std::string> inputs;
  app.add_option("--db", db, "the store to merge into (created if needed)")->required();
  app.add_option("stores", inputs, "stores to copy from")->required();
  if (auto exit = parse_args(app, args, io)) return *exit;
  // Every input is checked before OUT is created or changed; the merge is
  // then one transaction, so a failure leaves OUT as it was (and no new OUT).
  std::vector<std::filesystem::path> paths(inputs.begin(), inputs.end());
  for (const std::filesystem::path& in : paths) {
    std::error_code ec;
    if (std::filesystem::equivalent(db, in, ec)) continue;  // merge_from says so
    store::StoreOptions read_only;
    read_only.access = store::StoreOptions::Access::ReadOnly;
    if (auto checked = store::ResultsStore::open(in, read_only); !checked) {
      io.err << "restorelab results merge: " << printable(checked.error().message) << "; nothing was merged\n";
      return checked.error().exit_code();
    }
  }
  std::error_code ec;
  const bool created = !std::filesystem::exists(std::filesystem::symlink_status(db, ec));
  auto opened = store::ResultsStore::open(db);
  if (!opened) {
    io.err << "restorelab results merge: " << printable(opened.error().message) << "\n";
    return opened.error().exit_code();
  }
  std::optional<store::ResultsStore> out(std::move(*opened));
  auto stats = out->merge_from(paths);
  if (!stats) {
    out.reset();  // closed, so that its files can go
    if (created)
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(db + suffix, ec);
    io.err << "restorelab results merge: " << printable(stats.error().message) << "; nothing was merged\n";
    return stats.error().exit_code();
  }
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const store::MergeStats& m = (*stats)[i];
    io.out << text("{}: {} run(s) added ({} already there), {} result(s), {} attempt(s)\n", printable(inputs[i]), m.runs_added,
                   m.runs_already_present, m.results_added, m.attempts_added);
  }
  return 0;
}

}  // namespace

int results_command(const std::vector<std::string>& args, Streams& io) {
  static constexpr Command kSub[] = {
      {"runs", "the runs in the store, newest first, with their verdict counts", runs},
      {"show", "the results of a run or a campaign (text, --json, --junit, --html)", show},
      {"compare", "what changed between two runs or campaigns; exit 1 on a regression", compare},
      {"merge", "copy the runs of other stores into one (shards from several machines)", merge},
      {"coverage", "which behaviour classes of a matrix the store's observations cover; exit 1 on a disagreement",
       results_coverage},
  };
  return dispatch({"restorelab results", "", kSub, ""}, args, io);
}

}  // namespace restorelab
