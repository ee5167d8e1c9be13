#include "harness/output/json_writer.h"

#include <charconv>
#include <cmath>

#include "rules/utf8.h"

namespace restorelab {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  while (!s.empty()) {
    const char c = s.front();
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      // Valid UTF-8 as it is; a byte that is not becomes U+FFFD.
      // C1 controls (U+0080 to U+009F) as \u escapes, like C0: no terminal acts on them.
      const Utf8Char decoded = next_utf8(s);
      if (decoded.length == 0) {
        out += kReplacementCharacter;
      } else if (decoded.code <= 0x9f) {
        out += "\\u00";
        out += kHex[decoded.code >> 4];
        out += kHex[decoded.code & 0xf];
      } else {
        out += s.substr(0, decoded.length);
      }
      s.remove_prefix(decoded.length == 0 ? 1 : decoded.length);
      continue;
    }
    s.remove_prefix(1);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void JsonWriter::separate() {
  if (need_comma_) out_ += ',';
  need_comma_ = true;
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  out_ += '{';
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  separate();
  out_ += '[';
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
  separate();
  append_json_string(out_, k);
  out_ += ':';
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::value(std::string_view v) {
  separate();
  append_json_string(out_, v);
  return *this;
}
JsonWriter& JsonWriter::value(bool v) {
  separate();
  out_ += v ? "true" : "false";
  return *this;
}
JsonWriter& JsonWriter::value(std::int64_t v) {
  separate();
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  out_.append(buffer, end);
  return *this;
}
JsonWriter& JsonWriter::value(double v) {
  separate();
  if (!std::isfinite(v)) {
    out_ += "null";
    return *this;
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, 1);
  out_.append(buffer, end);
  return *this;
}
JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  return *this;
}
JsonWriter& JsonWriter::raw(std::string_view json) {
  separate();
  // In JSON a control character can only be white space between tokens,
  // and a byte above 0x7f only part of a string: a space and U+FFFD keep
  // valid JSON valid, on one line.
  const std::size_t start = out_.size();
  out_ += valid_utf8(json);
  for (std::size_t i = start; i < out_.size(); ++i)
    if (static_cast<unsigned char>(out_[i]) < 0x20) out_[i] = ' ';
  return *this;
}
JsonWriter& JsonWriter::strings(const std::vector<std::string>& values) {
  begin_array();
  for (const auto& v : values) value(std::string_view(v));
  return end_array();
}
JsonWriter& JsonWriter::strings(const std::vector<std::string_view>& values) {
  begin_array();
  for (auto v : values) value(v);
  return end_array();
}

}  // namespace restorelab
