#include "images/guest/nic_binding.h"

#include <algorithm>

namespace restorelab::guest {

std::vector<NicBinding> ReadNicBindings(const KeyValues& registry) {
  std::vector<NicBinding> bindings;
  const int64_t count = registry.GetInt("nic.count", 0);
  for (int64_t i = 0; i < count; ++i) {
    const std::string prefix = "nic." + std::to_string(i) + ".";
    bindings.push_back({registry.Get(prefix + "model"), registry.Get(prefix + "slot"), registry.Get(prefix + "mac"),
                        registry.Get(prefix + "ip")});
  }
  return bindings;
}

void WriteNicBindings(KeyValues& registry, const std::vector<NicBinding>& bindings) {
  for (const std::string& key : registry.KeysWithPrefix("nic.")) registry.Erase(key);
  registry.Set("nic.count", std::to_string(bindings.size()));
  for (std::size_t i = 0; i < bindings.size(); ++i) {
    const std::string prefix = "nic." + std::to_string(i) + ".";
    registry.Set(prefix + "model", bindings[i].model);
    registry.Set(prefix + "slot", bindings[i].slot);
    registry.Set(prefix + "mac", bindings[i].mac);
    registry.Set(prefix + "ip", bindings[i].ip);
  }
}

NicReport EvaluateNics(const KeyValues& registry, const std::vector<NetAdapter>& present) {
  NicReport report;
  std::vector<bool> claimed(present.size(), false);
  for (const NicBinding& binding : ReadNicBindings(registry)) {
    auto match = std::ranges::find_if(present, [&](const NetAdapter& a) { return binding.BelongsTo(a); });
    if (match == present.end()) {
      ++report.orphaned;
      report.orphaned_bindings.push_back(binding.model + "@" + binding.slot);
      continue;
    }
    ++report.configured;
    claimed[static_cast<size_t>(match - present.begin())] = true;
    const std::string& old_mac = binding.mac;
    if (!old_mac.empty() && !match->mac.empty() && ToLower(old_mac) != ToLower(match->mac)) {
      report.mac_changed.push_back(binding.slot + " " + old_mac + "->" + match->mac);
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
