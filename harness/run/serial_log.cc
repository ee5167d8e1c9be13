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

const SerialEvent* last_event(const std::vector<SerialEvent>& events, std::string_view name) {
  for (auto it = events.rbegin(); it != events.rend(); ++it)
    if (it->event == name) return &*it;
  return nullptr;
}

const SerialEvent* cut_line(const std::vector<SerialEvent>& events) {
  return !events.empty() && events.back().cut ? &events.back() : nullptr;
}

bool firmware_shell_started(std::string_view log) { return log.find("Shell> ") != std::string_view::npos; }

}  // namespace restorelab::run
