#include "harness/run/serial_log.h"

namespace restorelab::run {

namespace {
constexpr std::string_view kPrefix = "RESTORELAB {";
}

std::vector<SerialEvent> parse_serial(std::string_view log) {
  std::vector<SerialEvent> events;
  std::size_t at = 0;
  while ((at = log.find(kPrefix, at)) != std::string_view::npos) {
    const std::size_t begin = at + kPrefix.size() - 1;
    const std::size_t end = log.find('\n', begin);
    if (end == std::string_view::npos) break;  // still being written
    std::string_view line = log.substr(begin, end - begin);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (json.is_object() && json.contains("event") && json["event"].is_string())
      events.push_back({json["event"].get<std::string>(), std::move(json)});
    at = end;
  }
  return events;
}

const SerialEvent* last_event(const std::vector<SerialEvent>& events, std::string_view name) {
  for (auto it = events.rbegin(); it != events.rend(); ++it)
    if (it->event == name) return &*it;
  return nullptr;
}

bool firmware_shell_started(std::string_view log) { return log.find("Shell> ") != std::string_view::npos; }

}  // namespace restorelab::run
