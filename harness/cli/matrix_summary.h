// Summaries of a predicted matrix: counts by outcome and support, and pivot
// tables of two axes whose cells hold the outcome mix.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "rules/engine.h"
#include "rules/matrix.h"

namespace restorelab {

using OutcomeCounts = std::array<std::uint64_t, enum_count<Outcome>()>;

/// Rows × columns of two axes; each cell counts outcomes.
struct Pivot {
  int row_axis = -1, col_axis = -1;
  std::vector<OutcomeCounts> cells;  ///< row-major

  OutcomeCounts& at(std::size_t r, std::size_t c, std::size_t cols) { return cells[r * cols + c]; }
};

struct MatrixSummary {
  std::uint64_t combinations = 0;  ///< the product of the axis sizes
  ExpansionCounts counts;
  OutcomeCounts outcomes{};
  std::uint64_t supported = 0, unsupported = 0;
  std::vector<Pivot> pivots;

  /// Adds one valid, predicted combination.
  void add(const Choice& choice, const Prediction& p, const Matrix& m);
};

/// The pivots worth showing: the user's pair (when both are given) or the
/// first two axes, then each source.X × destination.X pair of the axes.
std::vector<Pivot> default_pivots(const Matrix& m, int rows, int cols);

/// Short codes for table cells ("7B:6 B:3"): B, D, 7B, 79, A5, NB, RR, H, BF, RF.
std::string_view outcome_code(Outcome o);

/// The readable summary: totals, then each pivot as a table.
std::string summary_text(const MatrixSummary& s, const Matrix& m);

}  // namespace restorelab
