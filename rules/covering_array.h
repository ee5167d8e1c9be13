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

/// `valid(row)` says whether a full combination may be used.
CoveringResult build_covering_array(const std::vector<std::size_t>& axis_sizes, const CoveringOptions& options,
                                    const std::function<bool(const Choice&)>& valid);

}  // namespace restorelab
