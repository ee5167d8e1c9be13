#include "rules/printable.h"

#include <cstdio>

#include "rules/utf8.h"

namespace restorelab {

namespace {

/// The control character at `i`, with its length in bytes, or a length of 0.
/// C1 controls are two bytes in UTF-8: 0xC2 0x80 to 0xC2 0x9F.
std::pair<char32_t, std::size_t> control_at(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x20 || c == 0x7f) return {c, 1};
  if (c == 0xc2 && i + 1 < text.size()) {
    const auto next = static_cast<unsigned char>(text[i + 1]);
    if (next >= 0x80 && next <= 0x9f) return {next, 2};
  }
  return {0, 0};
}

}  // namespace

std::optional<ControlCharacter> find_control_character(std::string_view text, bool allow_newline) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto [code, length] = control_at(text, i);
    if (length == 0 || (allow_newline && code == '\n')) continue;
    return ControlCharacter{i, code};
  }
  return std::nullopt;
}

std::string code_point_name(char32_t code) {
  char out[16];
  std::snprintf(out, sizeof out, "U+%04X", static_cast<unsigned>(code));
  return out;
}

std::string escape_control_characters(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  char escape[8];
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Char c = next_utf8(text.substr(i));
    if (c.length == 0) {
      // Not UTF-8: the byte itself, shown (a lone 0x9b is CSI to some terminals).
      std::snprintf(escape, sizeof escape, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(text[i])));
      out += escape;
      ++i;
      continue;
    }
    const auto [code, length] = control_at(text, i);
    if (length == 0 || (keep_newlines && code == '\n')) {
      out.append(text.substr(i, c.length));
      i += c.length;
      continue;
    }
    i += length;
    switch (code) {
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default:
        std::snprintf(escape, sizeof escape, code < 0x80 ? "\\x%02x" : "\\u%04x", static_cast<unsigned>(code));
        out += escape;
    }
  }
  return out;
}

}  // namespace restorelab
