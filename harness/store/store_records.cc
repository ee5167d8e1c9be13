#include "harness/store/store_records.h"

#include <cctype>
#include <ctime>
#include <numeric>

namespace restorelab::store {

namespace {

constexpr std::array<std::string_view, 4> kStatusNames = {"running", "finished", "interrupted", "failed"};
constexpr std::array<std::string_view, kVerdictCount> kVerdictNames = {"agree", "disagree", "known-deviation",
                                                                       "flaky", "error"};

template <class Enum, std::size_t N>
std::optional<Enum> parse_name(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == name) return static_cast<Enum>(i);
  return std::nullopt;
}

}  // namespace

std::string_view status_name(RunStatus s) { return kStatusNames[static_cast<std::size_t>(s)]; }
std::optional<RunStatus> parse_status(std::string_view name) { return parse_name<RunStatus>(kStatusNames, name); }

std::string_view verdict_name(Verdict v) { return kVerdictNames[static_cast<std::size_t>(v)]; }
std::optional<Verdict> parse_verdict(std::string_view name) { return parse_name<Verdict>(kVerdictNames, name); }

int VerdictCounts::total() const { return std::accumulate(counts.begin(), counts.end(), 0); }

std::string utc_iso8601(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

bool is_utc_iso8601(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS, at least 20 characters with the Z.
  constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd";
  if (text.size() < shape.size() + 1 || text.back() != 'Z') return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool digit = std::isdigit(static_cast<unsigned char>(text[i])) != 0;
    if (shape[i] == 'd' ? !digit : text[i] != shape[i]) return false;
  }
  std::string_view rest = text.substr(shape.size(), text.size() - shape.size() - 1);
  if (rest.empty()) return true;
  if (rest.size() < 2 || rest.front() != '.') return false;
  for (char c : rest.substr(1))
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace restorelab::store
