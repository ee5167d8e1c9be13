// How much work a matrix may ask for. A matrix file comes from a pull request
// as readily as a scenario does: twenty axes of ten values are 10^20
// combinations, which no command would finish, and a covering array of
// strength 6 over them would need terabytes. The commands check a matrix
// here before they start, and refuse (exit 2) with the file and line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "rules/diagnostic.h"
#include "rules/matrix.h"

namespace restorelab {

/// The most combinations a command goes through one by one (matrix expand
/// and predict without --strength, rules diff and coverage): 100 million,
/// fifty times the built-in matrix, which rules coverage goes through in
/// under 2 s: a few minutes at most.
inline constexpr std::uint64_t kMaxCombinations = 100'000'000;

/// The number of combinations of `m`, exact, in decimal (it may not fit in
/// 64 bits).
std::string combination_count_text(const Matrix& m);

/// What the commands may do with a matrix.
struct MatrixWork {
  int strength = 0;              ///< 0: every combination; 1 to 6: a covering array of that strength
  bool strength_offered = true;  ///< the command takes --strength (for the suggestion)
  bool behaviours = false;       ///< `--cover behaviours`: every combination classified (behaviour_cover.h)
};

/// A Diagnostic at the matrix's [axes] table when the work is over a limit:
/// more than kMaxCombinations combinations without a covering array, or a
/// covering array whose estimate (covering_array.h) is over
/// kMaxCoveringArrayBytes or kMaxCoveringArrayWork, or a selection by
/// behaviour whose estimate (behaviour_cover.h) is over kMaxBehaviourBytes.
/// Nothing when the work is within the limits.
std::optional<Diagnostic> check_matrix_work(const Matrix& m, const MatrixWork& work);

}  // namespace restorelab
