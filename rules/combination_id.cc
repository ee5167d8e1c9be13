#include "rules/combination_id.h"

#include <cstdint>
#include <cstdio>

#include "rules/fnv.h"
#include "rules/toml_source.h"
#include "rules/validate.h"

namespace restorelab {

namespace {

bool plain(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

void append_hex(std::string& out, unsigned char byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += kDigits[byte >> 4];
  out += kDigits[byte & 0xf];
}

std::string escape_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (plain(c)) {
      out += c;
    } else {
      out += '%';
      append_hex(out, static_cast<unsigned char>(c));
    }
  }
  return out;
}

constexpr std::size_t kHashDigits = 16;
constexpr std::size_t kKeptBeforeHash = kMaxNameLength - 2 - kHashDigits;

}  // namespace

std::string id_part(const KeyInfo& key, const Value& value) {
  switch (key.type) {
    case ValueType::String:
    case ValueType::Path: return escape_text(std::get<std::string>(value));
    case ValueType::StringList: {
      const auto& items = std::get<std::vector<std::string>>(value);
      if (items.empty()) return "none";
      std::string out;
      for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "+" : "") + escape_text(items[i]);
      return out == "none" ? "%6eone" : out;
    }
    default: return value_to_text(key, value);
  }
}

std::string combination_name(std::string_view id) {
  const std::size_t slash = id.find('/');
  const std::string_view matrix = slash == std::string_view::npos ? std::string_view{} : id.substr(0, slash);
  const std::string_view values = slash == std::string_view::npos ? id : id.substr(slash + 1);
  std::string out(matrix);
  out += '_';
  for (std::size_t i = 0; i < values.size(); ++i) {
    const char c = values[i];
    if (plain(c) || c == '.') {
      out += c;
    } else if (c == '%' && i + 2 < values.size() && hex(values[i + 1]) && hex(values[i + 2])) {
      out += '_';
      out += values.substr(i + 1, 2);
      i += 2;
    } else if (c == '+') {
      out += "_p";
    } else {
      out += "_x";
      append_hex(out, static_cast<unsigned char>(c));
    }
  }
  if (out.size() <= kMaxNameLength) return out;
  out.resize(kKeptBeforeHash);
  out += "_h";
  return out + Fnv1a().add(id).hex();
}

}  // namespace restorelab
