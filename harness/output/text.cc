#include "harness/output/text.h"

#include <cstdio>
#include <iterator>

namespace restorelab::text_detail {

std::string render(std::string_view pattern, const Arg* args, std::size_t count) {
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    const std::size_t close = pattern.find('}', i);
    if (close == std::string_view::npos || next >= count) {
      out += pattern.substr(i);
      break;
    }
    const std::string_view spec = pattern.substr(i + 1, close - i - 1);
    const Arg& arg = args[next++];
    if (arg.is_number && spec.size() >= 2 && spec[0] == ':' &&
        (spec.back() == 'x' || spec.back() == 'X')) {
      const bool upper = spec.back() == 'X';
      std::size_t width = 0;
      for (char c : spec.substr(1, spec.size() - 2))
        if (c >= '0' && c <= '9') width = width * 10 + static_cast<std::size_t>(c - '0');
      auto value = static_cast<unsigned long long>(arg.number);
      std::string digits;
      do {
        const int d = static_cast<int>(value % 16);
        digits.insert(digits.begin(), static_cast<char>(d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10));
        value /= 16;
      } while (value != 0);
      if (digits.size() < width) out.append(width - digits.size(), '0');
      out += digits;
    } else {
      out += arg.plain;
    }
    i = close;
  }
  return out;
}

}  // namespace restorelab::text_detail

namespace restorelab {

std::string human_bytes(std::uintmax_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  if (unit == 0) return text("{} B", bytes);
  char buf[32];
  std::snprintf(buf, sizeof buf, value < 10 ? "%.1f %s" : "%.0f %s", value, kUnits[unit]);
  return buf;
}

}  // namespace restorelab
