#include "harness/output/xml_text.h"

#include "rules/utf8.h"

namespace restorelab {

namespace {

/// XML 1.0's Char production: tab, newline, carriage return, U+0020 to
/// U+D7FF, U+E000 to U+FFFD, U+10000 to U+10FFFF.
bool allowed_in_xml(char32_t c) {
  return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
         (c >= 0x10000 && c <= 0x10ffff);
}

}  // namespace

std::string xml_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const Utf8Char c = next_utf8(s);
    const std::size_t length = c.length == 0 ? 1 : c.length;
    if (c.length == 0 || !allowed_in_xml(c.code)) {
      out += kReplacementCharacter;
    } else {
      switch (c.code) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        // A raw one would be read back as a line feed.
        case '\r': out += "&#13;"; break;
        default: out.append(s.substr(0, length));
      }
    }
    s.remove_prefix(length);
  }
  return out;
}

}  // namespace restorelab
