#include "harness/run/serial_log.h"

#include <optional>

#include "images/guest/job_vocabulary.h"

namespace restorelab::run {

namespace {

namespace vocab = vocabulary;

using Json = nlohmann::ordered_json;

/// `text` as a JSON object, or nothing.
std::optional<Json> object(std::string_view text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  return json;
}

/// The byte offset of the last ',' between two fields of the outer object of
/// `body` (not inside a string or a nested value), or npos.
std::size_t last_field_separator(std::string_view body) {
  std::size_t found = std::string_view::npos;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 1) {
      found = i;
    }
  }
  return found;
}

/// The fields of a JSON object cut off after `body`, which starts with '{':
/// those whose value arrived whole.
Json cut_fields(std::string_view body) {
  // A last value that ends in '"', ']', '}' or a literal's last letter is
  // whole when closing the object makes valid JSON; a number may have been
  // longer, so it counts only when a ',' followed it.
  std::string_view end = body;
  while (!end.empty() && (end.back() == ' ' || end.back() == '\r')) end.remove_suffix(1);
  if (!end.empty()) {
    const char last = end.back();
    if (last == '"' || last == ']' || last == '}' || last == 'e' || last == 'l') {
      if (auto whole = object(std::string(end) + "}")) return *whole;
    }
  }
  if (const std::size_t comma = last_field_separator(body); comma != std::string_view::npos) {
    if (auto whole = object(std::string(body.substr(0, comma)) + "}")) return *whole;
  }
  return Json::object();
}

std::string event_name(const Json& fields) {
  auto it = fields.find(std::string(vocab::kFieldEvent));
  return it != fields.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::vector<SerialEvent> parse_serial(std::string_view log) {
  const std::string prefix = std::string(vocab::kReportPrefix) + "{";
  std::vector<SerialEvent> events;
  std::size_t at = 0;
  while ((at = log.find(prefix, at)) != std::string_view::npos) {
    const std::size_t begin = at + prefix.size() - 1;
    const std::size_t end = log.find('\n', begin);
    std::string_view line = log.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (auto json = object(line)) {
      if (std::string name = event_name(*json); !name.empty())
        events.push_back({std::move(name), std::move(*json), false, ""});
    } else if (end == std::string_view::npos) {
      // The log ends inside this line.
      Json fields = cut_fields(line);
      std::string name = event_name(fields);
      std::string arrived = std::string(vocab::kReportPrefix) + std::string(line);
      events.push_back({std::move(name), std::move(fields), true, std::move(arrived)});
    }
    if (end == std::string_view::npos) break;
    at = end;
  }
  return events;
}

std::vector<std::string> string_list(const nlohmann::ordered_json& fields, std::string_view key) {
  std::vector<std::string> out;
  auto it = fields.find(std::string(key));
  if (it == fields.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

const SerialEvent* last_event(const std::vector<SerialEvent>& events, std::string_view name) {
  for (auto it = events.rbegin(); it != events.rend(); ++it)
    if (it->event == name) return &*it;
  return nullptr;
}

const SerialEvent* cut_line(const std::vector<SerialEvent>& events) {
  return !events.empty() && events.back().cut ? &events.back() : nullptr;
}

bool firmware_shell_started(std::string_view log) { return log.find("Shell> ") != std::string_view::npos; }

namespace {

/// `line` without ANSI escape sequences (ESC [ ... final byte, or ESC and one
/// character) and carriage returns.
std::string plain(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\r') continue;
    if (line[i] != '\x1b') {
      out += line[i];
      continue;
    }
    if (i + 1 < line.size() && line[i + 1] == '[') {
      i += 2;
      while (i < line.size() && !(line[i] >= '@' && line[i] <= '~')) ++i;
    } else {
      ++i;
    }
  }
  return out;
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

/// The first `find(line)` that is not nullopt over the console's lines
/// before any report line (a kernel that started), each without terminal
/// escape sequences; nullopt when none is.
template <class T, class Find>
std::optional<T> first_before_kernel(std::string_view log, Find find) {
  std::size_t at = 0;
  while (at < log.size()) {
    const std::size_t end = std::min(log.find('\n', at), log.size());
    const std::string_view raw = log.substr(at, end - at);
    at = end + 1;
    if (raw.starts_with("RESTORELAB ")) return std::nullopt;
    const std::string line = plain(raw);
    if (std::optional<T> found = find(std::string_view(line))) return found;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> boot_loader_started(std::string_view log) {
  return first_before_kernel<std::string>(log, [](std::string_view line) -> std::optional<std::string> {
    for (std::string_view banner : {"SYSLINUX ", "BdsDxe: starting "})
      if (const std::size_t s = line.find(banner); s != std::string_view::npos) return trimmed(line.substr(s));
    return std::nullopt;
  });
}

std::optional<LoaderMissingFile> loader_missing_file(std::string_view log) {
  constexpr std::string_view kSyslinux = "Loading ";
  constexpr std::string_view kSyslinuxMissing = " failed: No such file or directory";
  constexpr std::string_view kSystemdBoot = "Error loading ";
  constexpr std::string_view kSystemdBootNoEntry =
      "No loader found. Configuration files in \\loader\\entries\\*.conf are needed.";
  return first_before_kernel<LoaderMissingFile>(log, [&](std::string_view view) -> std::optional<LoaderMissingFile> {
    if (const std::size_t s = view.find(kSyslinux); s != std::string_view::npos) {
      const std::string_view rest = view.substr(s + kSyslinux.size());
      const std::size_t failed = rest.find(kSyslinuxMissing);
      if (failed != std::string_view::npos && failed > 0)
        return LoaderMissingFile{trimmed(rest.substr(0, failed)),
                                 std::string(view.substr(s, kSyslinux.size() + failed + kSyslinuxMissing.size()))};
    }
    if (const std::size_t s = view.find(kSystemdBoot); s != std::string_view::npos) {
      const std::string_view rest = view.substr(s + kSystemdBoot.size());
      const std::size_t colon = rest.find(": Not Found");
      if (colon != std::string_view::npos && colon > 0)
        return LoaderMissingFile{trimmed(rest.substr(0, colon)),
                                 std::string(view.substr(s, kSystemdBoot.size() + colon + 11))};
    }
    if (view.find(kSystemdBootNoEntry) != std::string_view::npos)
      return LoaderMissingFile{"", std::string(kSystemdBootNoEntry)};
    return std::nullopt;
  });
}

}  // namespace restorelab::run
