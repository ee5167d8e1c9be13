#include "harness/cli/matrix_selection.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ostream>

#include "harness/run/behaviour_coverage.h"

namespace restorelab {

namespace {

/// Why the selection has rows beyond one per class, and whether fewer
/// could do.
std::string explain_extra_rows(const Matrix& m, const CoverBound& b, std::uint64_t classes, std::uint64_t rows) {
  const std::uint64_t extra = rows - classes;
  std::string out = with_commas(extra) + " row" + (extra == 1 ? "" : "s") + " beyond one per class";
  if (!b.computed) return out + " (too many classes and pairs to bound how few would do)";
  if (b.rows == classes) return out + "; the bound by pairs of axes does not show that any are needed";
  out += rows <= b.rows ? ", the fewest possible" : ", at least " + with_commas(b.rows - classes) + " needed";
  return out + ": the " + with_commas(b.held) + " value pairs of " + m.axes[b.axis_a].key + " and " +
         m.axes[b.axis_b].key + " that valid combinations hold need a row each, and class rows can hold at most " +
         with_commas(b.matched) + " of them";
}

Selection select_behaviours(const Matrix& m, const Rulebook& book, const SelectionOptions& options, Streams& io) {
  Selection sel;
  const auto start = std::chrono::steady_clock::now();
  const Engine engine(book);
  const BehaviourClasses classes = classify_behaviours(m, engine);
  const std::vector<bool> preferred = options.prefer ? options.prefer(m, classes) : std::vector<bool>{};
  BehaviourCover cover = cover_behaviours(m, classes, options.seed, run::prefer_runnable(m, classes, preferred));
  sel.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sel.rows = std::move(cover.rows);
  sel.row_class = std::move(cover.row_class);
  sel.classes = classes.classes;
  sel.pairs_held = classes.pairs_held;
  sel.all = false;
  char took[32];
  std::snprintf(took, sizeof took, "%.1f", sel.seconds);
  io.err << m.name << ": " << with_commas(classes.classes.size()) << " behaviour classes of "
         << with_commas(classes.valid()) << " valid combinations in " << with_commas(sel.rows.size()) << " rows; "
         << with_commas(cover.pairs_covered) << " of " << with_commas(classes.pairs_held) << " pairs; " << took
         << " s\n";
  if (sel.rows.size() > classes.classes.size())
    io.err << m.name << ": " << explain_extra_rows(m, cover.bound, classes.classes.size(), sel.rows.size()) << "\n";
  if (!preferred.empty()) {
    std::vector<bool> seen(classes.classes.size(), false);
    for (std::size_t at = 0; at < preferred.size(); ++at)
      if (preferred[at]) seen[classes.class_of[at]] = true;
    const auto observed = std::count(seen.begin(), seen.end(), true);
    io.err << m.name << ": " << observed << " of " << classes.classes.size()
           << " classes represented by a combination the store has observed\n";
  }
  return sel;
}

}  // namespace

void add_cover_option(CLI::App& app, CLI::Option* strength_option, std::string& cover) {
  app.add_option("--cover", cover,
                 "behaviours: one combination per distinct prediction of the matrix (behaviour class),\n"
                 "chosen to hold every pair of axis values too (instead of --strength)")
      ->check(CLI::IsMember({"behaviours"}))
      ->excludes(strength_option);
}

Selection select_combinations(const Matrix& m, const Rulebook& book, const SelectionOptions& options, Streams& io) {
  if (options.behaviours) return select_behaviours(m, book, options, io);
  Selection sel;
  const int strength = options.strength;
  const std::uint64_t seed = options.seed;
  if (strength <= 0) return sel;
  MatrixExpander expander(m);
  std::vector<std::size_t> sizes;
  for (const Axis& a : m.axes) sizes.push_back(a.values.size());
  Scenario scratch;
  const auto start = std::chrono::steady_clock::now();
  sel.covering = build_covering_array(sizes, {.strength = strength, .seed = seed}, [&](const Choice& c) {
    return expander.build(c, scratch) == MatrixExpander::Status::Valid;
  });
  sel.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sel.rows = sel.covering.rows;
  sel.all = false;
  const auto& c = sel.covering;
  io.err << m.name << ": covering array of strength " << strength << ": " << c.rows.size() << " rows of " << m.size()
         << " combinations; " << c.tuples_covered << " of " << c.tuples_total << " " << strength << "-tuples covered"
         << (c.tuples_unreachable ? " (" + std::to_string(c.tuples_unreachable) + " excluded by validation or constraints)"
                                  : "")
         << "; built in " << static_cast<int>(sel.seconds * 1000) << " ms\n";
  return sel;
}

void write_axes(JsonWriter& json, const Matrix& m, const Choice& choice) {
  json.key("axes").begin_object();
  for (std::size_t i = 0; i < m.axes.size(); ++i) {
    const Axis& a = m.axes[i];
    json.key(a.key);
    const Value& v = a.values[choice[i]];
    const std::string& label = a.labels[choice[i]];
    switch (a.keys[0]->type) {
      case ValueType::Bool: json.value(std::get<bool>(v)); break;
      case ValueType::Int: json.value(std::get<std::int64_t>(v)); break;
      case ValueType::StringList: json.strings(std::get<std::vector<std::string>>(v)); break;
      case ValueType::EnumList: {
        // Enum names hold no '+': the label joins them with it.
        json.begin_array();
        for (std::size_t at = 0; label != "none" && at <= label.size();) {
          std::size_t plus = label.find('+', at);
          if (plus == std::string::npos) plus = label.size();
          json.value(std::string_view(label).substr(at, plus - at));
          at = plus + 1;
        }
        json.end_array();
        break;
      }
      default: json.value(label);
    }
  }
  json.end_object();
}

std::string axes_json(const Matrix& m, const Choice& choice) {
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  write_axes(json, m, choice);
  json.end_object();
  // {"axes":{...}} -> {...}
  return out.substr(8, out.size() - 9);
}

}  // namespace restorelab
