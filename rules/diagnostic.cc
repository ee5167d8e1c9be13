#include "rules/diagnostic.h"

#include <algorithm>
#include <cctype>

#include "rules/edit_distance.h"
#include "rules/printable.h"

namespace restorelab {

std::string Diagnostic::to_string() const {
  // Messages quote input (file names, keys, values); none of it reaches a
  // terminal or a log as a raw control character.
  std::string out = file.empty() ? std::string("<input>") : escape_control_characters(file);
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) out += ':' + std::to_string(column);
  }
  out += ": error: " + escape_control_characters(message);
  if (!suggestion.empty()) out += "; " + escape_control_characters(suggestion);
  return out;
}

std::string format_diagnostics(const Diagnostics& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.to_string() + '\n';
  return out;
}

namespace {

std::string normalised(std::string_view s) {
  std::string out;
  for (char c : s) out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string_view closest_match(std::string_view word,
                               const std::vector<std::string_view>& candidates) {
  const std::string w = normalised(word);
  std::string_view best;
  std::size_t best_distance = std::string_view::npos;
  for (std::string_view c : candidates) {
    const std::string n = normalised(c);
    std::size_t d = n == w ? 0 : edit_distance(w, n);
    // A candidate that starts with the word (`acpi-uni` for `acpi-uniprocessor`) is a near miss too.
    if (d > 0 && w.size() >= 4 && n.starts_with(w)) d = std::min<std::size_t>(d, 2);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  const std::size_t allowed = std::max<std::size_t>(2, w.size() / 3);
  return best_distance <= allowed ? best : std::string_view{};
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string_view match = closest_match(word, candidates);
  if (match.empty()) return {};
  return "did you mean \"" + std::string(match) + "\"?";
}

std::string join_names(const std::vector<std::string_view>& names, bool quoted) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    if (quoted) out += '"';
    out += names[i];
    if (quoted) out += '"';
  }
  return out;
}

}  // namespace restorelab
