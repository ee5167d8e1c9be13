#include "harness/output/text.h"

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
