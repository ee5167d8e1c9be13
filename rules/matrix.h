// Scenario matrices (matrix-format.md): a base scenario, axes that vary
// scenario keys, and constraints in the rulebook's condition language.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "rules/condition.h"
#include "rules/diagnostic.h"
#include "rules/keys.h"
#include "rules/model.h"
#include "rules/toml_source.h"

namespace restorelab {

/// One axis: the key(s) it sets and the values it takes, in file order.
struct Axis {
  std::string key;                    ///< as written: "source.hal"
  std::vector<const KeyInfo*> keys;   ///< one key, or both sides' with `same = true`
  std::vector<Value> values;
  std::vector<std::string> labels;    ///< each value as text, for tables and reports
  std::vector<std::string> id_parts;  ///< each value's part of a combination id (combination_id.h)
  toml::source_region where;
};

struct Matrix {
  std::string name;
  std::string description;
  std::string file;
  Scenario base;
  std::vector<Axis> axes;
  std::vector<Condition> exclude;     ///< a combination is skipped when any holds
  std::vector<Condition> require;     ///< ... or when one does not hold
  toml::source_region constraints_where;
  toml::source_region axes_where;     ///< the [axes] table, for messages about the matrix's size

  /// The number of combinations (the product of the axis sizes), or
  /// UINT64_MAX when that does not fit (see matrix_limits.h).
  std::uint64_t size() const;
  /// The index of the axis with this key, or -1.
  int axis_index(std::string_view key) const;
};

/// A combination: for each axis, the index of its value.
using Choice = std::vector<std::uint8_t>;

/// Loads a matrix file. `compiler` supplies the helpers constraints may call
/// (the rulebook's). Errors point at the file: unknown keys and axes, values a
/// key does not take, constraints that do not compile, a name that is not a
/// valid name (validate.h) of at most kMaxMatrixNameLength characters.
std::expected<Matrix, Diagnostics> load_matrix_file(const FileReader& reader, const std::string& path,
                                                    const ConditionCompiler& compiler);
std::expected<Matrix, Diagnostics> load_matrix_text(const FileReader& reader, std::string_view text,
                                                    const std::string& path, const ConditionCompiler& compiler);

/// Builds the scenarios of a matrix.
class MatrixExpander {
 public:
  enum class Status : std::uint8_t { Valid, Invalid, Excluded };

  explicit MatrixExpander(const Matrix& matrix) : matrix_(matrix) {}

  /// Fills `out` with the base plus the choice's values (source keys first),
  /// defaults resolved. Invalid: the scenario validation refuses it;
  /// Excluded: a constraint does. `out.name` is left to the caller (see id()).
  Status build(const Choice& choice, Scenario& out) const;

  /// "matrix-name/value.value...", stable across runs and machines, and
  /// different for different choices (combination_id.h).
  std::string id(const Choice& choice) const;

  /// Calls f(choice) for every combination, the last axis moving fastest.
  template <class F>
  void for_each(F&& f) const {
    Choice choice(matrix_.axes.size(), 0);
    if (matrix_.size() == 0) return;
    while (true) {
      f(static_cast<const Choice&>(choice));
      std::size_t i = choice.size();
      while (i > 0) {
        --i;
        if (++choice[i] < matrix_.axes[i].values.size()) break;
        choice[i] = 0;
        if (i == 0) return;
      }
      if (choice.empty()) return;
    }
  }

  const Matrix& matrix() const { return matrix_; }

 private:
  const Matrix& matrix_;
};

/// Counts of an expansion.
struct ExpansionCounts {
  std::uint64_t valid = 0, invalid = 0, excluded = 0;
};

}  // namespace restorelab
