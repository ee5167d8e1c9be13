#include "images/guest/nic_binding.h"

#include <algorithm>

namespace restorelab::guest {

NicReport EvaluateNics(const KeyValues& registry, const std::vector<NetAdapter>& present) {
  NicReport report;
  std::vector<bool> claimed(present.size(), false);
  int64_t count = registry.GetInt("nic.count", 0);
  for (int64_t i = 0; i < count; ++i) {
    std::string prefix = "nic." + std::to_string(i) + ".";
    std::string model = registry.Get(prefix + "model");
    std::string slot = registry.Get(prefix + "slot");
    auto match = std::ranges::find_if(present, [&](const NetAdapter& a) {
      return a.model == model && a.pci_slot == slot;
    });
    if (match == present.end()) {
      ++report.orphaned;
      report.orphaned_bindings.push_back(model + "@" + slot);
      continue;
    }
    ++report.configured;
    claimed[static_cast<size_t>(match - present.begin())] = true;
    std::string old_mac = registry.Get(prefix + "mac");
    if (!old_mac.empty() && !match->mac.empty() && ToLower(old_mac) != ToLower(match->mac)) {
      report.mac_changed.push_back(slot + " " + old_mac + "->" + match->mac);
    }
  }
  report.unconfigured = static_cast<int>(std::ranges::count(claimed, false));
  return report;
}

bool DisplaySettingsLost(const KeyValues& registry, const std::string& present_display) {
  std::string installed = registry.Get("display.model");
  return !installed.empty() && installed != present_display;
}

}  // namespace restorelab::guest
