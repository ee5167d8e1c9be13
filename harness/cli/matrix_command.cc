// `restorelab matrix expand|predict FILE`.
#include <chrono>
#include <filesystem>
#include <set>
#include <ostream>

#include "harness/cli/command_support.h"
#include "harness/cli/dispatch.h"
#include "harness/cli/exit_code.h"
#include "harness/cli/matrix_selection.h"
#include "harness/cli/matrix_html.h"
#include "harness/cli/matrix_summary.h"
#include "harness/output/output_file.h"
#include "harness/run/prediction_report.h"
#include "rules/combination_id.h"
#include "rules/covering_array.h"
#include "rules/engine.h"
#include "rules/matrix_limits.h"
#include "rules/scenario_writer.h"

namespace restorelab {

namespace {

struct MatrixOptions {
  std::string file;
  std::string rules;
  int strength = 0;
  std::uint64_t seed = 1;
  std::string cover;  ///< "behaviours" or empty
  std::string shard;

  SelectionOptions selection() const { return {strength, seed, cover == "behaviours", {}}; }
};

void add_common(CLI::App& app, MatrixOptions& o) {
  app.add_option("file", o.file, "matrix file")->required();
  app.add_option("--rules", o.rules, "rulebook (its helpers are usable in constraints)");
  CLI::Option* strength =
      app.add_option("--strength", o.strength, "only a covering array: every pair (2) or triple (3) of axis values")
          ->check(CLI::Range(1, 6));
  add_cover_option(app, strength, o.cover);
  app.add_option("--seed", o.seed, "seed of the covering array or of --cover's choices (same seed, same rows)");
  app.add_option("--shard", o.shard, "K/N: only the K-th of N shares of the combinations (CI jobs in parallel)");
}

/// Prints progress on a terminal every so often.
class Progress {
 public:
  Progress(Streams& io, std::uint64_t total) : io_(io), total_(total) {}
  void tick() {
    if (!io_.err_is_terminal || ++done_ % 65536 != 0) return;
    io_.err << "\r  " << done_ << " / " << total_ << " combinations" << std::flush;
  }
  ~Progress() {
    if (io_.err_is_terminal && done_ >= 65536) io_.err << "\r\033[K" << std::flush;
  }

 private:
  Streams& io_;
  std::uint64_t total_, done_ = 0;
};

std::optional<Matrix> load(const MatrixOptions& o, const Rulebook& book, Streams& io) {
  auto m = load_matrix_file(DiskReader{}, o.file, book.compiler);
  if (!m) {
    io.err << format_diagnostics(m.error());
    return std::nullopt;
  }
  return std::move(*m);
}

/// What both subcommands read before they start.
struct Inputs {
  Rulebook book;
  Matrix matrix;
  Shard shard;
};

/// The rulebook, the matrix and the shard, or nothing after printing why.
std::optional<Inputs> load_inputs(const MatrixOptions& o, Streams& io) {
  auto book = load_rulebook_or_report(o.rules, io);
  if (!book) return std::nullopt;
  auto m = load(o, *book, io);
  if (!m) return std::nullopt;
  if (auto too_much = check_matrix_work(*m, MatrixWork{o.strength, true, o.cover == "behaviours"})) {
    io.err << too_much->to_string() << '\n';
    return std::nullopt;
  }
  auto shard = parse_shard(o.shard, io);
  if (!shard) return std::nullopt;
  return Inputs{std::move(*book), std::move(*m), *shard};
}

/// Exit 2 when nothing is left to use; says why, pointing at the file.
bool report_empty(const Matrix& m, const ExpansionCounts& c, Streams& io) {
  if (c.valid > 0) return false;
  Diagnostic d{m.file, 0, 0, "", ""};
  if (c.excluded > 0 && m.constraints_where.begin.line > 0) {
    d.line = static_cast<int>(m.constraints_where.begin.line);
    d.column = static_cast<int>(m.constraints_where.begin.column);
  }
  d.message = "the matrix is empty: of " + std::to_string(c.valid + c.invalid + c.excluded) + " combinations, " +
              std::to_string(c.invalid) + " are refused by the scenario validation and " + std::to_string(c.excluded) +
              " excluded by constraints";
  d.suggestion = c.excluded ? "loosen the constraints" : "check the axes against the base scenario";
  io.err << d.to_string() << '\n';
  return true;
}

/// Writes an output file the user named; false after saying why (`exit` gets 2 or 3).
bool write_output(const std::string& path, const std::string& text, Streams& io, int& exit) {
  if (auto written = write_output_file(path, text); !written) {
    io.err << "restorelab matrix: " << written.error().message << '\n';
    exit = written.error().exit_code();
    return false;
  }
  return true;
}

int expand(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Expand a matrix into scenarios. Without --json or --out, prints the counts.\n"
               "Exit: 0, or 2 for a bad matrix file or an empty matrix.",
               "restorelab matrix expand");
  MatrixOptions o;
  bool json = false;
  std::string out_dir;
  add_common(app, o);
  app.add_flag("--json", json, "one JSON object per valid combination: id and axes");
  app.add_option("--out", out_dir, "write each valid combination as a scenario file into this folder");
  if (auto exit = parse_args(app, args, io)) return *exit;
  auto in = load_inputs(o, io);
  if (!in) return static_cast<int>(ExitCode::BadInput);
  const Matrix* m = &in->matrix;
  const Shard* shard = &in->shard;

  const Selection sel = select_combinations(*m, in->book, o.selection(), io);
  MatrixExpander expander(*m);
  ExpansionCounts counts;
  Scenario s;
  std::string buffer;
  std::vector<std::pair<std::string, std::string>> files;
  for_each_selected(expander, sel, *shard, [&](const Choice& c) {
    switch (expander.build(c, s)) {
      case MatrixExpander::Status::Invalid: ++counts.invalid; return;
      case MatrixExpander::Status::Excluded: ++counts.excluded; return;
      case MatrixExpander::Status::Valid: ++counts.valid; break;
    }
    if (json) {
      JsonWriter w(buffer);
      w.begin_object().key("id").value(expander.id(c));
      write_axes(w, *m, c);
      w.end_object();
      buffer += '\n';
      if (buffer.size() > (1 << 20)) { io.out << buffer; buffer.clear(); }
    }
    if (!out_dir.empty()) {
      s.name = combination_name(expander.id(c));
      files.emplace_back(s.name + ".toml", scenario_to_toml(s));
    }
  });
  io.out << buffer;
  if (report_empty(*m, counts, io)) return static_cast<int>(ExitCode::BadInput);
  if (!out_dir.empty()) {
    if (auto made = make_output_folder(out_dir); !made) {
      io.err << "restorelab matrix expand: --out " << made.error().message << '\n';
      return made.error().exit_code();
    }
    // Names are unique by construction (the ids are); a repeat would mean a
    // file silently replacing another, so it is checked, not assumed.
    std::set<std::string> names;
    for (const auto& [name, text] : files) {
      if (!names.insert(name).second) {
        io.err << "restorelab matrix expand: two combinations would both be written as " << name << "\n";
        return static_cast<int>(ExitCode::RunFailed);
      }
    }
    int exit = 0;
    for (const auto& [name, text] : files)
      if (!write_output((std::filesystem::path(out_dir) / name).string(), text, io, exit)) return exit;
  }
  (json ? io.err : io.out) << m->name << ": " << (sel.all ? m->size() : sel.rows.size()) << " combinations, "
                           << counts.valid << " valid, " << counts.invalid << " refused by the scenario validation, "
                           << counts.excluded << " excluded by constraints"
                           << (out_dir.empty() ? "" : "; " + std::to_string(files.size()) + " files written to " + out_dir)
                           << '\n';
  return 0;
}

int predict(const std::vector<std::string>& args, Streams& io) {
  CLI::App app("Predict every combination of a matrix and summarise: counts by outcome and support, and\n"
               "tables of two axes whose cells show the outcome mix.\n"
               "Exit: 0, or 2 for a bad matrix file or an empty matrix.",
               "restorelab matrix predict");
  MatrixOptions o;
  bool json = false;
  std::string html, rows_axis, cols_axis;
  add_common(app, o);
  app.add_flag("--json", json, "one JSON object per valid combination: id, axes and the prediction");
  app.add_option("--html", html, "also write a self-contained HTML page with heatmaps and a searchable table");
  app.add_option("--rows", rows_axis, "axis for the rows of the summary table (default: the first axis)");
  app.add_option("--cols", cols_axis, "axis for the columns (default: the second axis)");
  if (auto exit = parse_args(app, args, io)) return *exit;
  auto in = load_inputs(o, io);
  if (!in) return static_cast<int>(ExitCode::BadInput);
  const Rulebook* book = &in->book;
  const Matrix* m = &in->matrix;
  const Shard* shard = &in->shard;
  int rows = -1, cols = -1;
  for (auto [name, index] : {std::pair{&rows_axis, &rows}, std::pair{&cols_axis, &cols}}) {
    if (name->empty()) continue;
    *index = m->axis_index(*name);
    if (*index < 0) {
      std::vector<std::string_view> keys;
      for (const Axis& a : m->axes) keys.push_back(a.key);
      io.err << "restorelab matrix predict: \"" << *name << "\" is not an axis of " << m->file << "; expected one of "
             << join_names(keys);
      if (auto hint = did_you_mean(*name, keys); !hint.empty()) io.err << "; " << hint;
      io.err << '\n';
      return static_cast<int>(ExitCode::BadInput);
    }
  }
  if ((rows < 0) != (cols < 0)) {
    io.err << "restorelab matrix predict: --rows and --cols go together\n";
    return static_cast<int>(ExitCode::BadInput);
  }
  // Before anything is printed: the page may not replace the matrix, a file it names or the rulebook.
  if (auto refused = refuse_unusable_outputs({{"--html", html}}, "restorelab matrix predict", io)) return *refused;

  const Selection sel = select_combinations(*m, *book, o.selection(), io);
  MatrixExpander expander(*m);
  Engine engine(*book);
  MatrixSummary summary;
  summary.combinations = sel.all ? m->size() : sel.rows.size();
  summary.pivots = default_pivots(*m, rows, cols);
  std::vector<MatrixRow> table;
  Scenario s;
  Prediction p;
  std::string buffer;
  Progress progress(io, summary.combinations);
  for_each_selected(expander, sel, *shard, [&](const Choice& c) {
    progress.tick();
    switch (expander.build(c, s)) {
      case MatrixExpander::Status::Invalid: ++summary.counts.invalid; return;
      case MatrixExpander::Status::Excluded: ++summary.counts.excluded; return;
      case MatrixExpander::Status::Valid: break;
    }
    engine.predict(s, p);
    summary.add(c, p, *m);
    if (json) {
      const std::string id = expander.id(c);
      JsonWriter w(buffer);
      w.begin_object().key("id").value(id);
      write_axes(w, *m, c);
      write_prediction_fields(w, id, s, p, *book);
      w.end_object();
      buffer += '\n';
      if (buffer.size() > (1 << 20)) { io.out << buffer; buffer.clear(); }
    }
    if (!html.empty() && table.size() < kMaxHtmlRows) {
      MatrixRow row{expander.id(c), p.supported, p.outcome, p.cpus_used.value_or(0), "", ""};
      for (auto a : action_names(p.actions)) row.actions += (row.actions.empty() ? "" : " ") + std::string(a);
      for (auto i : p.fired) row.rules += (row.rules.empty() ? "" : " ") + book->rules[i].id;
      table.push_back(std::move(row));
    }
  });
  io.out << buffer;
  if (report_empty(*m, summary.counts, io)) return static_cast<int>(ExitCode::BadInput);
  if (json) io.err << summary.counts.invalid << " combinations refused by the scenario validation, "
                   << summary.counts.excluded << " excluded by constraints\n";
  else io.out << summary_text(summary, *m);
  if (!html.empty()) {
    int exit = 0;
    if (!write_output(html, matrix_html(summary, *m, table, book->file), io, exit)) return exit;
    io.err << "wrote " << html << '\n';
  }
  return 0;
}

}  // namespace

int matrix_command(const std::vector<std::string>& args, Streams& io) {
  static constexpr Command kSub[] = {
      {"expand", "expand a matrix into scenarios (count, --json, --out DIR)", expand},
      {"predict", "predict every combination and summarise (--json, --html FILE)", predict},
  };
  return dispatch({"restorelab matrix", "",  kSub,
                   "both take --strength N --seed N for a covering array instead of the full matrix, or\n"
                   "--cover behaviours [--seed N] for one combination per behaviour class\n"},
                  args, io);
}

}  // namespace restorelab
