#include "harness/cli/known_registry.h"

#include <algorithm>
#include <filesystem>
#include <ostream>

#include "rules/toml_source.h"

namespace restorelab {

std::string KnownRegistry::excuse(const std::string& id, const Scenario& s, Outcome observed) {
  const KnownDeviation* entry = known_.match(id, s, observed, today_);
  std::lock_guard lock(mutex_);
  ++disagreements_;
  if (entry == nullptr) return {};
  excused_.push_back(entry->id);
  return entry->id;
}

std::string KnownRegistry::excused_everything() const {
  std::lock_guard lock(mutex_);
  const KnownDeviation* entry = known_.excused_all(excused_, disagreements_);
  if (entry == nullptr) return {};
  return "known deviation " + entry->id + " (" + known_.file + ":" + std::to_string(entry->where.begin.line) +
         ") excused all " + std::to_string(disagreements_) +
         " disagreements; if it is meant for fewer, narrow its scenario or when";
}

std::vector<std::string> KnownRegistry::stale_among(std::span<const run::CampaignItem> items) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  for (const KnownDeviation* entry : known_.stale(excused_))
    if (std::ranges::any_of(items, [&](const run::CampaignItem& item) {
          return entry->applies_to(item.id, item.scenario);
        }))
      ids.push_back(entry->id);
  return ids;
}

std::chrono::year_month_day today_utc() {
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

bool load_known_registry(const std::string& path, const Rulebook& book, std::optional<KnownRegistry>& out,
                         Streams& io) {
  if (path == "none") return true;
  std::string file = path;
  if (file.empty()) {
    file = default_known_deviations_path();
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return true;
  }
  auto known = load_known_deviations(DiskReader{}, file, book.compiler);
  if (!known) {
    io.err << format_diagnostics(known.error());
    return false;
  }
  out.emplace(std::move(*known), today_utc());
  return true;
}

}  // namespace restorelab
