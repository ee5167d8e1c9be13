// Errors as values: a Diagnostic points at the input that is wrong (file,
// line, column), says what was expected and, for a near miss, what was meant.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace restorelab {

/// One problem with an input, located where a person can find it.
/// line and column are 1-based; 0 means "the whole file".
struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;     ///< what is wrong and what was expected
  std::string suggestion;  ///< e.g. `did you mean "firmware"?`; may be empty

  /// `file:line:column: error: message; suggestion`, control characters
  /// escaped (see escape_control_characters()): one diagnostic, one line.
  std::string to_string() const;
  bool operator==(const Diagnostic&) const = default;
};

using Diagnostics = std::vector<Diagnostic>;

/// Prints each diagnostic on its own line.
std::string format_diagnostics(const Diagnostics& diagnostics);

/// The candidate closest to `word` by edit distance when it is close enough to
/// be a plausible typo (or differs only in case or `_`/`-`); empty otherwise.
std::string_view closest_match(std::string_view word,
                               const std::vector<std::string_view>& candidates);

/// `did you mean "x"?` for the closest candidate, or empty.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

/// `a, b, c` (or `"a", "b", "c"` when quoted).
std::string join_names(const std::vector<std::string_view>& names, bool quoted = true);

}  // namespace restorelab
