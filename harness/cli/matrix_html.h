// The self-contained HTML report of a predicted matrix: totals, one heatmap
// per pivot (cells coloured by how many combinations fail to boot, with the
// outcome mix as a bar), and a searchable table of the combinations. Its
// HTML, CSS and script are harness/output/templates/matrix.* (and the page.*
// both pages share); this file makes its data.
#pragma once

#include <string>
#include <vector>

#include "harness/cli/matrix_summary.h"

namespace restorelab {

/// One combination as the table shows it.
struct MatrixRow {
  std::string id;
  bool supported = true;
  Outcome outcome = Outcome::Boots;
  int cpus_used = 0;  ///< 0 when it does not boot
  std::string actions;
  std::string rules;
};

/// At most this many rows go into the page; the page says when there were more.
constexpr std::size_t kMaxHtmlRows = 20000;

/// The whole page. No external resources: styles, data and script are inline.
std::string matrix_html(const MatrixSummary& summary, const Matrix& matrix, const std::vector<MatrixRow>& rows,
                        const std::string& rulebook_name);

}  // namespace restorelab
