#include "rules/matrix_limits.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "rules/behaviour_cover.h"
#include "rules/covering_array.h"
#include "rules/toml_source.h"

namespace restorelab {

namespace {

/// `digits` (decimal, most significant first) times `factor`.
void multiply(std::string& digits, std::size_t factor) {
  std::size_t carry = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    const std::size_t d = static_cast<std::size_t>(*it - '0') * factor + carry;
    *it = static_cast<char>('0' + d % 10);
    carry = d / 10;
  }
  for (; carry > 0; carry /= 10) digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
}

std::string mebibytes(std::uint64_t bytes) {
  if (bytes == UINT64_MAX) return "more than 16 EiB";
  char out[48];
  const double mib = static_cast<double>(bytes) / (1024.0 * 1024.0);
  if (mib >= 1024.0) std::snprintf(out, sizeof out, "%.1f GiB", mib / 1024.0);
  else std::snprintf(out, sizeof out, "%.1f MiB", mib);
  return out;
}

std::string count(std::uint64_t n) { return n == UINT64_MAX ? "more than 2^64" : std::to_string(n); }

Diagnostic at_axes(const Matrix& m, std::string message, std::string suggestion) {
  if (m.axes_where.begin.line > 0) return diagnostic_at(m.axes_where, m.file, std::move(message), std::move(suggestion));
  return Diagnostic{m.file, 0, 0, std::move(message), std::move(suggestion)};
}

}  // namespace

std::string combination_count_text(const Matrix& m) {
  std::string digits = "1";
  for (const Axis& a : m.axes) multiply(digits, a.values.size());
  return digits;
}

std::optional<Diagnostic> check_matrix_work(const Matrix& m, const MatrixWork& work) {
  std::vector<std::size_t> sizes;
  for (const Axis& a : m.axes) sizes.push_back(a.values.size());
  if (work.behaviours) {
    const std::uint64_t bytes = estimate_behaviour_bytes(m);
    if (m.size() <= kMaxCombinations && bytes <= kMaxBehaviourBytes) return std::nullopt;
    return at_axes(m,
                   "selecting by behaviour means predicting each of the " + combination_count_text(m) +
                       " combinations and holding about " + mebibytes(bytes) + ", more than the " +
                       mebibytes(kMaxBehaviourBytes) + " that restorelab allows",
                   "use --strength 2 for a pairwise covering array, or fewer axes or values");
  }
  if (work.strength <= 0) {
    if (m.size() <= kMaxCombinations) return std::nullopt;
    return at_axes(m,
                   "the matrix has " + combination_count_text(m) + " combinations, more than the " +
                       std::to_string(kMaxCombinations) + " that restorelab goes through one by one",
                   work.strength_offered ? "use --strength 2 for a pairwise covering array, or fewer axes or values"
                                         : "use fewer axes or values");
  }
  const CoveringEstimate e = estimate_covering_array(sizes, work.strength);
  if (within_limits(e)) return std::nullopt;
  const std::string t = std::to_string(std::min<std::size_t>(static_cast<std::size_t>(work.strength), sizes.size()));
  const std::string tuples = count(e.tuples) + " " + t + "-tuples of values";
  const std::string message =
      e.bytes > kMaxCoveringArrayBytes
          ? "a covering array of strength " + t + " needs about " + mebibytes(e.bytes) + " for " + tuples +
                ", more than the " + mebibytes(kMaxCoveringArrayBytes) + " that restorelab allows"
          : "a covering array of strength " + t + " means placing " + tuples + " among about " +
                count(e.first_rows) + " rows, " + count(e.work) + " steps, more than the " +
                count(kMaxCoveringArrayWork) + " (a few minutes) that restorelab allows";
  return at_axes(m, message,
                 work.strength > 2 ? "use a lower --strength, or fewer axes or values" : "use fewer axes or values");
}

}  // namespace restorelab
