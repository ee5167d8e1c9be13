// Which combinations of a matrix a command uses (all, a covering array's
// rows, or one row per behaviour class; then a shard of them) and how a
// combination's axes are written as JSON. `matrix expand`, `matrix predict`
// and `run` share them.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/cli/cli.h"
#include "harness/cli/command_support.h"
#include "harness/output/json_writer.h"
#include "rules/behaviour_cover.h"
#include "rules/covering_array.h"
#include "rules/matrix.h"

namespace restorelab {

/// How a command selects: `--strength`, `--seed`, `--cover`.
struct SelectionOptions {
  int strength = 0;        ///< 1 to 6: a covering array of that strength
  std::uint64_t seed = 1;
  bool behaviours = false; ///< `--cover behaviours` (excludes `strength`)
  /// With `behaviours`: the valid combinations to prefer as representatives
  /// (cover_behaviours()), one flag each in `classes`' order; none when empty.
  std::function<std::vector<bool>(const Matrix&, const BehaviourClasses&)> prefer;
};

/// The combinations to use: all of them, a covering array's rows, or one
/// row per behaviour class and the rows that hold the pairs left.
struct Selection {
  std::vector<Choice> rows;  ///< empty with `all`
  bool all = true;
  CoveringResult covering;
  /// With `behaviours`: every class of the matrix, and each row's class.
  std::vector<BehaviourClass> classes;
  std::vector<std::uint32_t> row_class;
  std::uint64_t pairs_held = 0;
  double seconds = 0;
};

/// Adds `--cover behaviours` to a command, exclusive with `strength_option`.
void add_cover_option(CLI::App& app, CLI::Option* strength_option, std::string& cover);

/// All combinations, a covering array of `strength` or the behaviour
/// selection (behaviour_cover.h), honouring the validation and the
/// constraints; what it holds is reported on stderr. The matrix must be
/// within the limits of check_matrix_work() for the same options.
Selection select_combinations(const Matrix& m, const Rulebook& book, const SelectionOptions& options, Streams& io);

/// Calls f for the combinations selected that fall in the shard (by their
/// position among the selected ones).
template <class F>
void for_each_selected(const MatrixExpander& expander, const Selection& sel, const Shard& shard, F&& f) {
  std::size_t position = 0;
  auto in_shard = [&](const Choice& c) {
    if (shard.takes(position++)) f(c);
  };
  if (sel.all) expander.for_each(in_shard);
  else
    for (const Choice& c : sel.rows) in_shard(c);
}

/// Writes `"axes": {...}` (key and object) for one combination.
void write_axes(JsonWriter& json, const Matrix& m, const Choice& choice);

/// The axes object alone, as JSON text.
std::string axes_json(const Matrix& m, const Choice& choice);

}  // namespace restorelab
