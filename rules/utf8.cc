#include "rules/utf8.h"

namespace restorelab {

Utf8Char next_utf8(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char first = byte(0);
  if (first < 0x80) return {first, 1};
  std::size_t length = 0;
  char32_t code = 0, lowest = 0;
  if (first >= 0xc2 && first <= 0xdf) {
    length = 2, code = first & 0x1f, lowest = 0x80;
  } else if (first >= 0xe0 && first <= 0xef) {
    length = 3, code = first & 0x0f, lowest = 0x800;
  } else if (first >= 0xf0 && first <= 0xf4) {
    length = 4, code = first & 0x07, lowest = 0x10000;
  } else {
    return {};  // a continuation byte, 0xc0/0xc1 (always overlong), 0xf5 and above
  }
  if (text.size() < length) return {};
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return {};
    code = code << 6 | (byte(i) & 0x3f);
  }
  if (code < lowest || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return {};
  return {code, length};
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const Utf8Char c = next_utf8(text);
    if (c.length == 0) {
      out += kReplacementCharacter;
      text.remove_prefix(1);
    } else {
      out.append(text.substr(0, c.length));
      text.remove_prefix(c.length);
    }
  }
  return out;
}

}  // namespace restorelab
