// UTF-8 for what restorelab writes: every text out (JSON, XML, HTML, the
// terminal) is valid UTF-8 whatever bytes a file name, a store or a record
// held. A byte that does not start a well-formed sequence (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF) is invalid.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace restorelab {

/// One decoded character: its code point and how many bytes it took;
/// `length` 0 when the first byte does not start a well-formed sequence.
struct Utf8Char {
  char32_t code = 0;
  std::size_t length = 0;
};

/// The character at the start of `text` (which must not be empty).
Utf8Char next_utf8(std::string_view text);

/// U+FFFD REPLACEMENT CHARACTER in UTF-8.
inline constexpr std::string_view kReplacementCharacter = "\xef\xbf\xbd";

/// `text` with every invalid byte replaced by U+FFFD; valid text is
/// returned unchanged.
std::string valid_utf8(std::string_view text);

}  // namespace restorelab
