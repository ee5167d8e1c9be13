// Printable text: what restorelab accepts as a string from a file, and how
// it shows input text in a message. Values flow into key=value job files for
// the VM guest, file names, reports and HTML, so a control character (a line
// break in `systemroot`, an escape sequence in a name) is refused where it is
// read, and a diagnostic that quotes input never prints one raw.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace restorelab {

/// A control character found in a text.
struct ControlCharacter {
  std::size_t offset = 0;  ///< byte offset in the text
  char32_t code = 0;       ///< the code point
};

/// The first control character of `text` (Unicode's category Cc: U+0000 to
/// U+001F, U+007F to U+009F; tabs included), or nothing. With
/// `allow_newline`, U+000A is let through (condition texts, where a line
/// break is white space). `text` is UTF-8; a malformed sequence is not a
/// control character (the TOML parser refuses those).
std::optional<ControlCharacter> find_control_character(std::string_view text, bool allow_newline = false);

/// "U+000A".
std::string code_point_name(char32_t code);

/// `text` with every control character written as an escape: \n, \r, \t,
/// and \xHH (\x1b) or \u0085 for the others; a byte that is not valid
/// UTF-8 as \xHH (\xff). Everything else is kept, so an escaped text that
/// had no control characters is the text itself. With `keep_newlines`, line
/// feeds stay (a report of several lines whose values are data). What it
/// returns is safe to print to a terminal.
std::string escape_control_characters(std::string_view text, bool keep_newlines = false);

}  // namespace restorelab
