#include "images/guest/remediation.h"

#include <algorithm>

#include "images/guest/boot_config.h"
#include "images/guest/hal.h"
#include "images/guest/job_vocabulary.h"
#include "images/guest/nic_binding.h"

namespace restorelab::guest {
namespace {

namespace vocab = vocabulary;

bool Present(const NicBinding& b, const std::vector<NetAdapter>& nics) {
  return std::ranges::any_of(nics, [&](const NetAdapter& a) { return b.BelongsTo(a); });
}

bool Bound(const NetAdapter& a, const std::vector<NicBinding>& bindings) {
  return std::ranges::any_of(bindings, [&](const NicBinding& b) { return b.BelongsTo(a); });
}

/// The address setup gives an adapter it configures afresh: the first of
/// 10.0.0.10/24, .11, ... that no binding holds.
std::string FreshAddress(const std::vector<NicBinding>& bindings) {
  for (int host = 10;; ++host) {
    std::string ip = "10.0.0." + std::to_string(host) + "/24";
    if (std::ranges::none_of(bindings, [&](const NicBinding& b) { return b.ip == ip; })) return ip;
  }
}

/// Present adapters without a binding get a fresh one (setup or the
/// operator installs them). Returns how many.
int BindUnconfigured(std::vector<NicBinding>& bindings, const std::vector<NetAdapter>& nics) {
  int added = 0;
  for (const NetAdapter& a : nics) {
    if (Bound(a, bindings)) continue;
    bindings.push_back({a.model, a.pci_slot, a.mac, FreshAddress(bindings)});
    ++added;
  }
  return added;
}

/// Bindings of adapters that are gone are removed. Returns them ("model@slot").
std::vector<std::string> RemoveOrphans(std::vector<NicBinding>& bindings, const std::vector<NetAdapter>& nics) {
  std::vector<std::string> removed;
  std::erase_if(bindings, [&](const NicBinding& b) {
    if (Present(b, nics)) return false;
    removed.push_back(b.model + "@" + b.slot);
    return true;
  });
  return removed;
}

/// The installation setup finds when boot.ini names no installation: the
/// first top-level folder of the system volume holding system32\config\SYSTEM.
std::optional<std::string> FindSystemroot(const Installation& inst) {
  std::error_code ec;
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(inst.system_volume, ec))
    if (entry.is_directory(ec)) folders.push_back(entry.path());
  std::ranges::sort(folders);
  for (const fs::path& folder : folders) {
    if (fs::exists(ResolveNoCase(folder, "system32/config/SYSTEM"), ec))
      return VolumeDrive(inst.system_volume) + "\\" + folder.filename().string();
  }
  return std::nullopt;
}

/// Setup's repair: points boot.ini at the installation it found (moving the
/// loader's files along) when boot.ini names none.
Result<KeyValues> OpenForUpgrade(const Installation& inst, std::vector<std::string>& changes) {
  auto registry = ReadRegistry(inst);
  if (registry) return registry;
  auto found = FindSystemroot(inst);
  if (!found) return Fail("setup found no Windows installation to upgrade (missing " + registry.error().message + ")");
  if (auto s = MoveLoaderFiles(inst.boot_volume, *found); !s) return std::unexpected(s.error());
  if (auto s = WriteFile(inst.boot_volume / "boot.ini", "systemroot=" + *found + "\n"); !s) {
    return std::unexpected(s.error());
  }
  changes.push_back(std::string(vocab::kActionInPlaceUpgrade) + ": boot.ini now names " + *found);
  return ReadRegistry(inst);
}

/// Setup re-detects the hardware (KB 249694's in-place upgrade; the storage
/// part as KB 314082 does by hand): the HAL the machine calls for (NT 5.x),
/// the present controller's driver started at boot, present adapters and
/// display installed. Installed programs, roles, paths and data are kept.
std::string InPlaceUpgrade(KeyValues& registry, const RemediationHardware& hw) {
  std::vector<std::string> what;
  if (IsNt5(registry.Get("os.version")) && !hw.machine_hal.empty() && registry.Get("hal") != hw.machine_hal) {
    what.push_back("HAL " + registry.Get("hal") + " -> " + hw.machine_hal);
    registry.Set("hal", hw.machine_hal);
  }
  std::vector<std::string> drivers = registry.GetList("storage.boot_start");
  if (!hw.disk_bus.empty() && std::ranges::find(drivers, hw.disk_bus) == drivers.end()) {
    drivers.push_back(hw.disk_bus);
    what.push_back("boot-start driver " + hw.disk_bus);
  }
  registry.SetList("storage.boot_start", CanonicalDrivers(drivers));
  std::vector<NicBinding> bindings = ReadNicBindings(registry);
  if (int added = BindUnconfigured(bindings, hw.nics); added > 0) what.push_back(std::to_string(added) + " adapter(s) installed");
  WriteNicBindings(registry, bindings);
  if (registry.Get("display.model") != hw.display) {
    what.push_back("display " + hw.display);
    registry.Set("display.model", hw.display);
  }
  return what.empty() ? "nothing to re-detect" : Join(what, ", ");
}

/// Device Manager's "update driver" on Computer: only a compatible HAL is
/// offered (uniprocessor <-> multiprocessor of the same family).
std::string UpdateHal(KeyValues& registry, const RemediationHardware& hw) {
  if (!IsNt5(registry.Get("os.version"))) return "unchanged: Windows Vista and later detect the HAL at every start";
  const std::string installed = registry.Get("hal");
  switch (CheckHal(installed, hw.machine_hal)) {
    case HalVerdict::kIdentical: return "unchanged: " + installed + " is the machine's HAL already";
    case HalVerdict::kCompatible:
      registry.Set("hal", hw.machine_hal);
      return installed + " -> " + hw.machine_hal;
    default: return "unchanged: no HAL compatible with " + installed + " fits " + hw.machine_hal;
  }
}

std::string Apply(std::string_view action, KeyValues& registry, const RemediationHardware& hw) {
  if (action == vocab::kActionInPlaceUpgrade) return InPlaceUpgrade(registry, hw);
  if (action == vocab::kActionUpdateHal) return UpdateHal(registry, hw);
  if (action == vocab::kActionUninstallFilterDrivers) {
    std::vector<std::string> drivers = registry.GetList("os.filter_drivers");
    registry.SetList("os.filter_drivers", {});
    return drivers.empty() ? "no filter driver installed" : "removed " + Join(drivers, ",");
  }
  std::vector<NicBinding> bindings = ReadNicBindings(registry);
  std::string what;
  if (action == vocab::kActionReconfigureHardwareBoundApps) {
    // What was bound to an adapter that is gone moves to a present adapter
    // nothing is bound to, keeping its settings (the address).
    std::vector<std::string> moved;
    for (NicBinding& b : bindings) {
      if (Present(b, hw.nics)) continue;
      auto free = std::ranges::find_if(hw.nics, [&](const NetAdapter& a) { return !Bound(a, bindings); });
      if (free == hw.nics.end()) break;
      moved.push_back(b.model + "@" + b.slot + " -> " + free->model + "@" + free->pci_slot);
      b = {free->model, free->pci_slot, free->mac, b.ip};
    }
    what = moved.empty() ? "nothing bound to a missing adapter" : "re-bound " + Join(moved, ", ");
  } else if (action == vocab::kActionRemoveNetworkAdapter) {
    auto removed = RemoveOrphans(bindings, hw.nics);
    what = removed.empty() ? "no missing adapter" : "removed " + Join(removed, ",");
  } else if (action == vocab::kActionDisableExtraNics) {
    // After the restart: configuration of adapters that are gone removed, the
    // additional adapters enabled and configured (KB 249694).
    auto removed = RemoveOrphans(bindings, hw.nics);
    int enabled = BindUnconfigured(bindings, hw.nics);
    what = "removed " + std::to_string(removed.size()) + ", enabled " + std::to_string(enabled);
  } else if (action == vocab::kActionRemoveDisplayAdapter) {
    const std::string old = registry.Get("display.model");
    registry.Set("display.model", hw.display);
    return old == hw.display ? "unchanged: " + old + " is present" : old + " -> " + hw.display;
  }
  WriteNicBindings(registry, bindings);
  return what;
}

}  // namespace

std::vector<std::string> RemediationOrder(const std::vector<std::string>& actions) {
  std::vector<std::string> ordered;
  for (std::string_view action : vocab::kActionOrder)
    if (std::ranges::find(actions, action) != actions.end()) ordered.emplace_back(action);
  for (const std::string& action : actions)
    if (std::ranges::find(ordered, action) == ordered.end()) ordered.push_back(action);
  return ordered;
}

bool ModelCarriesOut(std::string_view action) {
  return std::ranges::find(vocab::kActionsCarriedOut, action) != vocab::kActionsCarriedOut.end();
}

Result<RemediationReport> Remediate(const Installation& installation, const std::vector<std::string>& actions,
                                    const RemediationHardware& hardware) {
  RemediationReport report;
  const std::vector<std::string> ordered = RemediationOrder(actions);
  const bool upgrade = std::ranges::find(ordered, vocab::kActionInPlaceUpgrade) != ordered.end();
  auto registry = upgrade ? OpenForUpgrade(installation, report.changes) : ReadRegistry(installation);
  if (!registry) return Fail("cannot read the installation: " + registry.error().message);
  for (const std::string& action : ordered) {
    if (!ModelCarriesOut(action)) {
      report.skipped.push_back(action);
      continue;
    }
    report.changes.push_back(action + ": " + Apply(action, *registry, hardware));
    report.applied.push_back(action);
  }
  if (report.applied.empty()) return report;
  auto system32 = System32Dir(installation.system_volume, registry->Get("os.systemroot"));
  if (!system32) return Fail("the installation's system32 is not on its system volume");
  if (auto s = WriteFile(*system32 / "hal.dll", "hal=" + registry->Get("hal") + "\n"); !s) return std::unexpected(s.error());
  if (auto s = WriteRegistry(installation, *registry); !s) return std::unexpected(s.error());
  if (auto s = WriteBootConfig(installation.boot_volume, *registry); !s) return std::unexpected(s.error());
  return report;
}

}  // namespace restorelab::guest
