// Behaviour classes of a matrix, and a selection of its combinations that
// holds every class and every pair of axis values (`--cover behaviours`).
//
// A behaviour class: the valid combinations whose predictions are equal once
// the reasons are left out: (supported, outcome, cpus_used, the rules that
// fired, the actions) — exactly a Prediction (engine.h), which holds no
// reasons. The matrix is validated when every class has been observed on a
// machine; a pairwise covering array holds only some of them.
//
// The selection is greedy: classes from the smallest to the largest, each
// represented by the member that holds the most axis-value pairs no earlier
// row holds (ties broken by a hash of the seed and the combination, so
// `--seed` changes the representatives); while pairs are left, passes that
// swap a representative for a member of its class that holds more of them;
// while pairs are still left, a bounded repair: an uncovered pair (chosen by
// the seed) is forced into the class that loses least by holding it, the
// others settle around it, and the change is kept unless it leaves more
// pairs uncovered; then, only when pairs are still left, the combinations
// that hold the most of them, one at a time. Pairs no valid
// combination holds (the validation or the constraints exclude them) are not
// demanded. Same matrix, rulebook and seed: same rows, in class order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rules/engine.h"
#include "rules/matrix.h"

namespace restorelab {

/// The most memory classifying a matrix may take: 256 MiB, enough for 22
/// million combinations (hardware-full.toml's 1,881,600 take 22 MiB).
inline constexpr std::uint64_t kMaxBehaviourBytes = std::uint64_t{256} << 20;
/// Bytes held per combination of the matrix (valid or not, as an upper
/// bound): its index, its class and its place among its class's members.
inline constexpr std::uint64_t kBehaviourBytesPerCombination = 12;

/// What classifying `m` takes at most, in bytes (UINT64_MAX when the
/// matrix's size does not fit in 64 bits).
std::uint64_t estimate_behaviour_bytes(const Matrix& m);

/// The axis-value pairs of a matrix, numbered: for axes i < j, the pair
/// (value a of i, value b of j) is offset(i, j) + a * size(j) + b.
class PairSpace {
 public:
  explicit PairSpace(const Matrix& m);
  std::size_t size() const { return total_; }
  std::size_t axes() const { return sizes_.size(); }
  /// Calls f(pair) for each of the pairs `c` holds.
  template <class F>
  void for_each(const Choice& c, F&& f) const {
    for (std::size_t i = 0, k = 0; i < sizes_.size(); ++i)
      for (std::size_t j = i + 1; j < sizes_.size(); ++j, ++k)
        f(offsets_[k] + c[i] * sizes_[j] + c[j]);
  }
  /// "axis=value, axis=value" for messages and tests.
  std::string describe(const Matrix& m, std::size_t pair) const;

  /// A pair as its two axes (i < j) and their values.
  struct Unpacked {
    std::size_t i, x, j, y;
    bool held_by(const Choice& c) const { return c[i] == x && c[j] == y; }
  };
  Unpacked unpack(std::size_t pair) const;

 private:
  std::vector<std::size_t> sizes_;
  std::vector<std::size_t> offsets_;  ///< one per pair of axes (i < j), in order
  std::size_t total_ = 0;
};

/// One class: its prediction and how many valid combinations share it.
struct BehaviourClass {
  Prediction prediction;
  std::uint64_t members = 0;
  std::uint32_t first = 0;  ///< the position of its first member among the valid combinations
};

/// Every valid combination of a matrix with its class.
struct BehaviourClasses {
  std::vector<BehaviourClass> classes;  ///< in order of their first member
  /// Each valid combination in matrix order: its index (mixed radix, the
  /// last axis fastest) and its class.
  std::vector<std::uint32_t> combination, class_of;
  std::vector<bool> pair_held;  ///< per PairSpace pair: some valid combination holds it
  std::uint64_t pairs_held = 0;
  std::uint64_t invalid = 0, excluded = 0;

  std::uint64_t valid() const { return combination.size(); }
};

/// Expands and predicts every combination of `m` once. Precondition: the
/// matrix is within the limits (check_matrix_work with `behaviours`), so
/// that its size fits in 32 bits and estimate_behaviour_bytes() in
/// kMaxBehaviourBytes.
BehaviourClasses classify_behaviours(const Matrix& m, const Engine& engine);

/// The choice of combination `index` (as in BehaviourClasses::combination).
Choice choice_of(const Matrix& m, std::uint32_t index);

/// Rounds of the repair that forces an uncovered pair into a class (each
/// costs about two passes over the valid combinations); it stops early when
/// the rows reach the lower bound (cover_lower_bound()).
inline constexpr int kCoverRepairRounds = 64;

/// The fewest rows a selection holding every class and every pair can have,
/// by one pair of axes (a, b): each row holds exactly one of their value
/// pairs, and a class's row one that some member of the class holds, so
/// beyond the classes at least `held - matched` rows are needed, where
/// `matched` is a maximum matching of (a, b)'s held pairs to classes. The
/// bound is the largest over every pair of axes.
struct CoverBound {
  std::uint64_t rows = 0;        ///< the fewest rows: classes + the extra rows
  std::size_t axis_a = 0, axis_b = 0;  ///< the pair of axes that needs the most extra rows
  std::uint64_t held = 0;        ///< its value pairs that valid combinations hold
  std::uint64_t matched = 0;     ///< of those, how many class rows can hold at once
  bool computed = false;         ///< false: beyond kMaxCoverBoundBits, rows = classes only
};

/// The bound needs one bit per class and pair: at most 2^27 (16 MiB).
inline constexpr std::uint64_t kMaxCoverBoundBits = std::uint64_t{1} << 27;

CoverBound cover_lower_bound(const Matrix& m, const BehaviourClasses& classes);

/// The selection.
struct BehaviourCover {
  std::vector<Choice> rows;               ///< one per class, in class order, then the rows for pairs
  std::vector<std::uint32_t> row_class;   ///< the class of each row
  std::size_t class_rows = 0;             ///< = classes
  std::uint64_t pairs_covered = 0;        ///< of BehaviourClasses::pairs_held
  CoverBound bound;                       ///< the fewest rows possible
};

/// Every class of `classes` and every pair some valid combination holds.
/// `preferred` (one flag per valid combination, as in `classes`, or empty):
/// a class with a preferred member is represented by one of those — `run`
/// prefers the combinations whose observation it would reuse, so that a
/// changed rulebook boots only the classes nothing observed.
BehaviourCover cover_behaviours(const Matrix& m, const BehaviourClasses& classes, std::uint64_t seed,
                                const std::vector<bool>& preferred = {});

/// A class as one line: "boots-degraded, cpus 1; rules hal-mismatch; actions
/// reinstall-hal", "unsupported, stop-0x7b; rules none; actions none".
std::string behaviour_summary(const Prediction& p, const Rulebook& book);

/// `n` with thousands separated by commas: 108,864.
std::string with_commas(std::uint64_t n);

}  // namespace restorelab
