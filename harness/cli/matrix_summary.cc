#include "harness/cli/matrix_summary.h"

#include <algorithm>
#include <cstdio>

namespace restorelab {

void MatrixSummary::add(const Choice& choice, const Prediction& p, const Matrix& m) {
  ++counts.valid;
  ++outcomes[static_cast<std::size_t>(p.outcome)];
  ++(p.supported ? supported : unsupported);
  for (Pivot& pivot : pivots) {
    const std::size_t cols = m.axes[static_cast<std::size_t>(pivot.col_axis)].values.size();
    ++pivot.at(choice[static_cast<std::size_t>(pivot.row_axis)], choice[static_cast<std::size_t>(pivot.col_axis)],
               cols)[static_cast<std::size_t>(p.outcome)];
  }
}

std::vector<Pivot> default_pivots(const Matrix& m, int rows, int cols) {
  std::vector<std::pair<int, int>> pairs;
  if (rows >= 0 && cols >= 0) pairs.emplace_back(rows, cols);
  else if (m.axes.size() >= 2) pairs.emplace_back(0, 1);
  for (std::size_t i = 0; i < m.axes.size(); ++i) {
    if (!m.axes[i].key.starts_with("source.") || m.axes[i].keys.size() > 1) continue;
    int j = m.axis_index("destination." + m.axes[i].key.substr(7));
    if (j >= 0) pairs.emplace_back(static_cast<int>(i), j);
  }
  std::vector<Pivot> out;
  for (auto [r, c] : pairs) {
    if (r == c || std::any_of(out.begin(), out.end(), [&](const Pivot& p) { return p.row_axis == r && p.col_axis == c; }))
      continue;
    Pivot p;
    p.row_axis = r;
    p.col_axis = c;
    p.cells.resize(m.axes[static_cast<std::size_t>(r)].values.size() * m.axes[static_cast<std::size_t>(c)].values.size());
    out.push_back(std::move(p));
  }
  return out;
}

std::string_view outcome_code(Outcome o) {
  static constexpr std::array<std::string_view, enum_count<Outcome>()> codes = {
      "B", "D", "7B", "79", "A5", "NB", "RR", "H", "BF", "RF"};
  return codes[static_cast<std::size_t>(o)];
}

namespace {

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return buffer;
}

// "B12 7B4": the outcomes of a cell, most frequent first.
std::string cell_text(const OutcomeCounts& c) {
  std::vector<std::size_t> order(c.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return c[a] > c[b]; });
  std::string out;
  for (std::size_t i : order) {
    if (!c[i]) break;
    if (!out.empty()) out += ' ';
    out += std::string(outcome_code(static_cast<Outcome>(i))) + ':' + std::to_string(c[i]);
  }
  return out.empty() ? "-" : out;
}

}  // namespace

std::string summary_text(const MatrixSummary& s, const Matrix& m) {
  std::string out = "matrix " + m.name + ": " + std::to_string(s.combinations) + " combinations, " +
                    std::to_string(s.counts.valid) + " predicted, " + std::to_string(s.counts.invalid) +
                    " refused by the scenario validation, " + std::to_string(s.counts.excluded) +
                    " excluded by constraints\n\n";
  out += "by support\n  supported      " + pad(std::to_string(s.supported), 10) + percent(s.supported, s.counts.valid) +
         "\n  not supported  " + pad(std::to_string(s.unsupported), 10) + percent(s.unsupported, s.counts.valid) + "\n\n";
  out += "by outcome\n";
  for (std::size_t i = 0; i < s.outcomes.size(); ++i) {
    if (!s.outcomes[i]) continue;
    const Outcome o = static_cast<Outcome>(i);
    out += "  " + pad(std::string(outcome_code(o)), 3) + pad(std::string(name_of(o)), 20) +
           pad(std::to_string(s.outcomes[i]), 10) + percent(s.outcomes[i], s.counts.valid) + "\n";
  }
  for (const Pivot& p : s.pivots) {
    const Axis& rows = m.axes[static_cast<std::size_t>(p.row_axis)];
    const Axis& cols = m.axes[static_cast<std::size_t>(p.col_axis)];
    out += "\n" + rows.key + " (rows) x " + cols.key + " (columns); cells: outcome code:count\n";
    std::size_t first = rows.key.size();
    for (const auto& l : rows.labels) first = std::max(first, l.size());
    std::vector<std::size_t> width(cols.labels.size());
    for (std::size_t c = 0; c < width.size(); ++c) {
      width[c] = cols.labels[c].size();
      for (std::size_t r = 0; r < rows.labels.size(); ++r)
        width[c] = std::max(width[c], cell_text(p.cells[r * width.size() + c]).size());
    }
    out += "  " + pad("", first);
    for (std::size_t c = 0; c < width.size(); ++c) out += "  " + pad(cols.labels[c], width[c]);
    out += '\n';
    for (std::size_t r = 0; r < rows.labels.size(); ++r) {
      out += "  " + pad(rows.labels[r], first);
      for (std::size_t c = 0; c < width.size(); ++c) out += "  " + pad(cell_text(p.cells[r * width.size() + c]), width[c]);
      out += '\n';
    }
  }
  out += "\ncodes:";
  for (std::size_t i = 0; i < enum_count<Outcome>(); ++i)
    out += " " + std::string(outcome_code(static_cast<Outcome>(i))) + "=" + std::string(name_of(static_cast<Outcome>(i)));
  out += '\n';
  return out;
}

}  // namespace restorelab
