// The distance behind every "did you mean": rules/diagnostic.h's
// closest_match() for names in input files, and the results store's
// suggestion of a campaign label.
#pragma once

#include <cstddef>
#include <string_view>

namespace restorelab {

/// The Levenshtein distance of `a` and `b`: the fewest single-byte
/// insertions, deletions and substitutions that turn one into the other
/// (case-sensitive). Takes |a| x |b| steps: for short names.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace restorelab
