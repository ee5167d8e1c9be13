// A small stand-in for std::format, which GCC 12 (Debian 12) does not ship:
// text("{} has {:02x}", name, 10).
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace restorelab {

namespace text_detail {

/// One argument's text. Integers honour the specs "" and "02x"/"02X" (any
/// width, zero padded, hexadecimal).
struct Arg {
  std::string plain;
  long long number = 0;
  bool is_number = false;
};

template <class T>
Arg make_arg(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return Arg{value ? "true" : "false"};
  } else if constexpr (std::is_same_v<T, char>) {
    return Arg{std::string(1, value)};
  } else if constexpr (std::integral<T>) {
    return Arg{std::to_string(value), static_cast<long long>(value), true};
  } else {
    return Arg{std::string(std::string_view(value))};
  }
}

std::string render(std::string_view pattern, const Arg* args, std::size_t count);

}  // namespace text_detail

/// `pattern` with each `{}` (or `{:Nx}`, `{:NX}` for integers) replaced by the
/// next argument. Arguments: strings, string_views, C strings, chars, integers.
template <class... Args>
std::string text(std::string_view pattern, const Args&... args) {
  if constexpr (sizeof...(Args) == 0) {
    return text_detail::render(pattern, nullptr, 0);
  } else {
    const text_detail::Arg list[] = {text_detail::make_arg(args)...};
    return text_detail::render(pattern, list, sizeof...(Args));
  }
}

/// `3.2 GiB`, `210 MiB`, `12 KiB`, `0 B`: a size as `du -h` would say it.
std::string human_bytes(std::uintmax_t bytes);

}  // namespace restorelab
