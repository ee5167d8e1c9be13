// Which combinations of a matrix a command uses (all, or a covering array's
// rows, then a shard of them) and how a combination's axes are written as
// JSON. `matrix expand`, `matrix predict` and `run` share them.
#pragma once

#include <string>
#include <vector>

#include "harness/cli/cli.h"
#include "harness/cli/command_support.h"
#include "harness/output/json_writer.h"
#include "rules/covering_array.h"
#include "rules/matrix.h"

namespace restorelab {

/// The combinations to use: all of them, or a covering array's rows.
struct Selection {
  std::vector<Choice> rows;  ///< empty with `all`
  bool all = true;
  CoveringResult covering;
  double seconds = 0;
};

/// All combinations (`strength` 0), or a covering array of that strength
/// honouring the validation and the constraints; its size and coverage are
/// reported on stderr.
Selection select_combinations(const Matrix& m, int strength, std::uint64_t seed, Streams& io);

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
