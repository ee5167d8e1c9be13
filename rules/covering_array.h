// Covering arrays: a small set of combinations in which every t-tuple of axis
// values (every pair for strength 2, every triple for 3) appears at least
// once, honouring a validity predicate (the scenario validation and the
// matrix constraints). Greedy, AETG-style: each row starts from an uncovered
// tuple and fills the other axes with the values that cover the most
// uncovered tuples, keeping the best of several candidates. An IPOG pass
// (in-parameter-order growth) first builds most rows; the greedy phase covers
// what constraints left over. Several builds run and the smallest is kept.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "rules/matrix.h"

namespace restorelab {

struct CoveringOptions {
  int strength = 2;          ///< 1 to 6, and at most the number of axes
  std::uint64_t seed = 1;    ///< same seed, same sizes, same predicate: same rows
  int candidates = 24;       ///< candidate rows per chosen row
  int repair_attempts = 64;  ///< random completions tried when no candidate is valid
  int tries = 0;             ///< whole builds from derived seeds, the smallest kept; 0: by strength
};

struct CoveringResult {
  std::vector<Choice> rows;
  std::uint64_t tuples_total = 0;        ///< t-tuples of axis values
  std::uint64_t tuples_covered = 0;      ///< ... appearing in some row
  std::uint64_t tuples_unreachable = 0;  ///< ... for which no valid row was found
};

/// What building a covering array takes, estimated from the axis sizes
/// alone. Every figure saturates at UINT64_MAX instead of wrapping.
struct CoveringEstimate {
  std::uint64_t subsets = 0;     ///< t-subsets of axes: C(axes, t)
  std::uint64_t tuples = 0;      ///< t-tuples of values, one flag each
  std::uint64_t first_rows = 0;  ///< rows IPOG starts from: the product of the t largest axes
  std::uint64_t bytes = 0;       ///< memory the build holds at its peak, about
  /// (tuples - first_rows) x first_rows + first_rows x subsets: IPOG places
  /// each tuple the first rows do not hold by looking through the rows, and
  /// each row is scored against every subset; the build's time grows with
  /// it (0.01 to 0.5 microseconds a unit measured, the more the validation
  /// refuses, the slower).
  std::uint64_t work = 0;
};

/// The most memory a covering array may take: 1 GiB.
inline constexpr std::uint64_t kMaxCoveringArrayBytes = std::uint64_t{1} << 30;
/// The most work a covering array may take: 10^9 units, at most a few
/// minutes (strength 4 of scenarios/matrices/hardware-full.toml is 3 * 10^8
/// units and two minutes on a 2-core runner).
inline constexpr std::uint64_t kMaxCoveringArrayWork = 1'000'000'000;

CoveringEstimate estimate_covering_array(const std::vector<std::size_t>& axis_sizes, int strength);

/// Whether the estimate is within kMaxCoveringArrayBytes and kMaxCoveringArrayWork.
bool within_limits(const CoveringEstimate& e);

/// `valid(row)` says whether a full combination may be used. Builds nothing
/// (no rows, no tuples) when the estimate is not within_limits(): check
/// first (check_matrix_work() in matrix_limits.h does).
CoveringResult build_covering_array(const std::vector<std::size_t>& axis_sizes, const CoveringOptions& options,
                                    const std::function<bool(const Choice&)>& valid);

}  // namespace restorelab
