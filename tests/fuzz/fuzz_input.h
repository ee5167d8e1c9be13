// Shared by the fuzz targets: splitting one fuzz input into several files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace restorelab::fuzz {

/// The line that separates the files of one input. It is a TOML comment, so
/// an input that holds several files is still one valid TOML text, and a seed
/// reads as the scenario and its machine files one after another.
inline constexpr std::string_view kFileSeparator = "\n#=== next file ===\n";

/// Splits `data` at each kFileSeparator; at most `max_parts` parts (the last
/// keeps any further separators).
inline std::vector<std::string> split_files(const std::uint8_t* data, std::size_t size, std::size_t max_parts) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  while (parts.size() + 1 < max_parts) {
    const std::size_t at = text.find(kFileSeparator);
    if (at == std::string_view::npos) break;
    parts.emplace_back(text.substr(0, at));
    text.remove_prefix(at + kFileSeparator.size());
  }
  parts.emplace_back(text);
  return parts;
}

}  // namespace restorelab::fuzz
