// `restorelab results coverage MATRIX`: which behaviour classes of a matrix
// the store's observations cover today (harness/run/behaviour_coverage.h).
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ostream>

#include "harness/cli/cli.h"
#include "harness/cli/command_support.h"
#include "harness/cli/exit_code.h"
#include "harness/cli/known_registry.h"
#include "harness/output/output_file.h"
#include "harness/run/behaviour_coverage.h"
#include "harness/run/disk_tool.h"
#include "harness/run/html_report.h"
#include "harness/run/store_sink.h"
#include "harness/store/results_store.h"
#include "rules/matrix_limits.h"

namespace restorelab {

namespace {

struct CoverageOptions {
  std::string matrix;
  std::string db = "runs/results.sqlite";
  std::string campaign;
  std::string run;
  std::string rules;
  std::string known;
  std::string html;
  double silence = 20;
  std::uint64_t seed = 1;
  bool json = false;
};

int coverage_error(const std::string& message, int code, Streams& io) {
  io.err << "restorelab results coverage: " << message << "\n";
  return code;
}

}  // namespace

int results_coverage(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("How much of a matrix's behaviour the store has seen: its behaviour classes under the\n"
               "rulebook (combinations whose predictions are equal, reasons aside), each observed when\n"
               "the store holds an observation `run` would reuse today for one of its combinations, and\n"
               "what it says. With --rules NEW, the classes a changed rulebook creates that nothing covers.\n"
               "Exit: 0, 1 when a class disagrees or is flaky, 2 bad input (matrix, store, run, label).",
               "restorelab results coverage");
  CoverageOptions o;
  app.add_option("matrix", o.matrix, "matrix file")->required();
  app.add_option("--db", o.db, "the results store (default runs/results.sqlite)");
  CLI::Option* campaign = app.add_option("--campaign", o.campaign, "count only the runs with this label");
  app.add_option("--run", o.run, "count only this run's observations")->excludes(campaign);
  app.add_option("--rules", o.rules, "rulebook (default rules/kb249694.toml)");
  app.add_option("--known", o.known,
                 "registry of understood disagreements (default scenarios/known-deviations.toml of the source\n"
                 "tree when it exists; none: no registry)");
  app.add_option("--silence", o.silence, "the hang limit `run --silence` used (part of the observation key)")
      ->check(CLI::Range(1.0, 600.0));
  app.add_option("--seed", o.seed, "the seed of `--cover behaviours` whose representatives are named");
  app.add_flag("--json", o.json, "one JSON object (harness/store/README.md, \"Coverage\")");
  app.add_option("--html", o.html, "also write the coverage and the results counted as an HTML page");
  if (auto exit = parse_args(app, args, io)) return *exit;
  const auto bad_input = static_cast<int>(ExitCode::BadInput);
  std::int64_t run_id = 0;
  if (!o.run.empty()) {
    auto [end, ec] = std::from_chars(o.run.data(), o.run.data() + o.run.size(), run_id);
    if (ec != std::errc() || end != o.run.data() + o.run.size() || run_id <= 0)
      return coverage_error("--run \"" + printable(o.run) + "\" is not a run id; expected a number such as 3",
                            bad_input, io);
  }
  if (!o.html.empty())
    if (auto usable = check_output_path(o.html); !usable)
      return coverage_error("--html " + usable.error().message, bad_input, io);

  // Every input is checked before the matrix is predicted.
  auto book = load_rulebook_or_report(o.rules, io);
  if (!book) return bad_input;
  std::optional<KnownRegistry> known;
  if (!load_known_registry(o.known, *book, known, io)) return bad_input;
  auto m = load_matrix_file(DiskReader{}, o.matrix, book->compiler);
  if (!m) {
    io.err << format_diagnostics(m.error());
    return bad_input;
  }
  if (auto too_much = check_matrix_work(*m, MatrixWork{0, false, true})) {
    io.err << too_much->to_string() << "\n";
    return bad_input;
  }
  store::StoreOptions read_only;
  read_only.access = store::StoreOptions::Access::ReadOnly;
  auto db = store::ResultsStore::open(o.db, read_only);
  if (!db) return coverage_error(db.error().message, db.error().exit_code(), io);
  auto records = run::results_in_scope(*db, run_id, o.campaign);
  if (!records) return coverage_error(records.error().message, records.error().exit_code(), io);
  auto observations = run::stored_observations(*records);
  if (!observations) return coverage_error(observations.error(), static_cast<int>(ExitCode::RunFailed), io);

  const auto start = std::chrono::steady_clock::now();
  const run::KeyInputs inputs{run::image_inputs_hash(run::images_source_dir()),
                              std::chrono::milliseconds(static_cast<long long>(o.silence * 1000))};
  const run::MatrixCoverage coverage =
      run::matrix_coverage(*m, *book, *observations, inputs, known ? &*known : nullptr, o.seed);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o.json) io.out << run::coverage_json(coverage);
  else io.out << run::coverage_text(coverage);
  char took[32];
  std::snprintf(took, sizeof took, "%.1f", seconds);
  io.err << o.db << ": " << observations->size() << " observations counted ("
         << (run_id ? "run " + o.run : o.campaign.empty() ? "every run" : "campaign " + o.campaign) << ") against "
         << book->file << " in " << took << " s\n";

  if (!o.html.empty()) {
    run::RunSummary summary;
    summary.title = "coverage of " + m->name + " (" + o.db + ")";
    summary.coverage.push_back(run::coverage_json(coverage));
    for (const store::ResultRecord& record : *records) {
      if (summary.results.size() >= run::kMaxReportRows) break;
      auto r = run::from_record(record);
      if (!r) return coverage_error(r.error(), static_cast<int>(ExitCode::RunFailed), io);
      summary.results.push_back(std::move(*r));
    }
    if (auto written = run::HtmlSink(o.html).finish(summary); !written)
      return coverage_error(written.error().message, written.error().exit_code(), io);
    io.err << "wrote " << o.html << "\n";
  }
  return coverage.exit_code();
}

}  // namespace restorelab
