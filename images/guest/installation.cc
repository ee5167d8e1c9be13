#include "images/guest/installation.h"

#include <algorithm>

#include "images/guest/boot_config.h"
#include "images/guest/hal.h"
#include "images/guest/job_vocabulary.h"
#include "images/guest/nic_binding.h"

namespace restorelab::guest {
namespace {

namespace vocab = vocabulary;

constexpr std::string_view kRegistryFile = "config/SYSTEM";

std::string DefaultSystemRoot(std::string_view version) {
  return version == vocab::kOsWindows2000 || version == vocab::kOsWindowsNt4 ? "C:\\WINNT" : "C:\\WINDOWS";
}

Status WriteAt(const fs::path& volume, std::string_view windows_dir, std::string_view drive,
               std::string_view file_name, std::string_view content) {
  auto relative = MapWindowsPath(windows_dir, drive);
  if (!relative) return {};  // on another volume: not this disk's business
  return WriteFile(ResolveNoCase(volume, *relative) / file_name, content);
}

}  // namespace

std::optional<fs::path> MapWindowsPath(std::string_view windows_path, std::string_view volume_drive) {
  if (windows_path.size() < 2 || windows_path[1] != ':') return std::nullopt;
  if (ToLower(windows_path.substr(0, 2)) != ToLower(volume_drive)) return std::nullopt;
  fs::path relative;
  for (const std::string& part : Split(windows_path.substr(2), '\\')) relative /= part;
  return relative;
}

fs::path ResolveNoCase(const fs::path& base, const fs::path& relative) {
  fs::path current = base;
  bool exists = true;
  for (const fs::path& part : relative) {
    fs::path next = current / part;
    std::error_code ec;
    if (exists && !fs::exists(next, ec)) {
      std::string wanted = ToLower(part.string());
      for (const auto& entry : fs::directory_iterator(current, ec)) {
        if (ToLower(entry.path().filename().string()) == wanted) {
          next = entry.path();
          break;
        }
      }
      exists = fs::exists(next, ec);
    }
    current = next;
  }
  return current;
}

const std::vector<AdFile>& AdFiles() {
  static const std::vector<AdFile> files = {{std::string(vocab::kKeyOsAdDatabase), "ntds.dit"},
                                            {std::string(vocab::kKeyOsAdLogs), "edb.log"},
                                            {std::string(vocab::kKeyOsAdFrsDatabase), "ntfrs.jdb"},
                                            {std::string(vocab::kKeyOsAdFrsLogs), "edb.chk"}};
  return files;
}

KeyValues OsIdentity(const KeyValues& job) {
  KeyValues os;
  for (const auto& [key, value] : job.entries()) {
    if (key.starts_with(vocab::kOsKeyPrefix)) os.Set(key, value);
  }
  std::string version = os.Get(vocab::kKeyOsVersion);
  if (!os.Has(vocab::kKeyOsSystemroot)) os.Set(vocab::kKeyOsSystemroot, DefaultSystemRoot(version));
  if (!os.Has(vocab::kKeyOsSystemdrive)) os.Set(vocab::kKeyOsSystemdrive, os.Get(vocab::kKeyOsSystemroot).substr(0, 2));
  if (!os.Has(vocab::kKeyOsServicePack)) os.Set(vocab::kKeyOsServicePack, "0");
  if (!os.Has(vocab::kKeyOsChannel)) os.Set(vocab::kKeyOsChannel, "retail");
  std::string root = os.Get(vocab::kKeyOsSystemroot);
  const std::pair<std::string_view, std::string> defaults[] = {
      {vocab::kKeyOsAdDatabase, root + "\\NTDS"},
      {vocab::kKeyOsAdLogs, root + "\\NTDS"},
      {vocab::kKeyOsAdFrsDatabase, root + "\\ntfrs\\jet"},
      {vocab::kKeyOsAdFrsLogs, root + "\\ntfrs\\jet\\log"}};
  for (const auto& [key, value] : defaults) {
    if (!os.Has(key)) os.Set(key, value);
  }
  return os;
}

KeyValues BuildRegistry(const KeyValues& os_identity, const InstallHardware& hardware) {
  KeyValues registry = os_identity;
  registry.Set("firmware", hardware.firmware);
  registry.Set("hal", hardware.hal);
  registry.SetList("storage.boot_start", CanonicalDrivers(hardware.storage_drivers));
  std::vector<NicBinding> bindings;
  for (size_t i = 0; i < hardware.nics.size(); ++i) {
    const NetAdapter& nic = hardware.nics[i];
    bindings.push_back({nic.model, nic.pci_slot, nic.mac, "10.0.0." + std::to_string(10 + i) + "/24"});
  }
  WriteNicBindings(registry, bindings);
  registry.Set("display.model", hardware.display);
  return registry;
}

BootConfig BootConfigFor(const KeyValues& registry) {
  BootConfig config;
  config.firmware = registry.Get("firmware", vocab::kFirmwareBios);
  config.drivers = registry.GetList("storage.boot_start");
  config.uniprocessor = IsNt5(registry.Get("os.version")) && HalIsUniprocessor(registry.Get("hal"));
  return config;
}

Status WriteBootConfig(const fs::path& boot_volume, const KeyValues& registry) {
  BootConfig config = BootConfigFor(registry);
  // The loader finds its files through boot.ini, as NTLDR does.
  config.folder = LoaderFolder(ReadBootIni(boot_volume).value_or(registry.Get("os.systemroot")));
  std::error_code ec;
  // The loader installed on this volume decides the format, not the registry:
  // a system-state restore may bring a registry from the other firmware type.
  if (fs::exists(boot_volume / "ldlinux.sys", ec)) {
    config.firmware = vocab::kFirmwareBios;
  } else if (fs::exists(boot_volume / "EFI", ec)) {
    config.firmware = vocab::kFirmwareUefi;
  }
  for (const BootFile& file : RenderBootConfig(config)) {
    if (auto status = WriteFile(boot_volume / file.path, file.content); !status) return status;
  }
  return {};
}

std::optional<fs::path> System32Dir(const fs::path& system_volume, std::string_view systemroot) {
  auto relative = MapWindowsPath(systemroot, VolumeDrive(system_volume));
  if (!relative) return std::nullopt;
  return ResolveNoCase(system_volume, *relative / "system32");
}

Status WriteInstallation(const Installation& installation, const KeyValues& registry) {
  std::string drive = registry.Get("os.systemdrive", "C:");
  std::string root = registry.Get("os.systemroot");
  const fs::path& sys = installation.system_volume;
  if (auto s = WriteFile(sys / "rl-volume.txt", "drive=" + drive + "\n"); !s) return s;
  if (!MapWindowsPath(root, drive)) return Fail("systemroot " + root + " is not on the system drive " + drive);
  if (auto s = WriteAt(sys, root + "\\system32", drive, "ntoskrnl.exe", "restorelab model kernel\n"); !s) return s;
  if (auto s = WriteAt(sys, root + "\\system32", drive, "hal.dll", "hal=" + registry.Get("hal") + "\n"); !s) {
    return s;
  }
  if (auto s = WriteRegistry(installation, registry); !s) return s;
  std::vector<std::string> roles = registry.GetList("os.roles");
  if (std::ranges::find(roles, "domain-controller") != roles.end()) {
    for (const AdFile& file : AdFiles()) {
      if (auto s = WriteAt(sys, registry.Get(file.key), drive, file.file_name, "restorelab AD data\n"); !s) return s;
    }
  }
  if (auto s = MoveLoaderFiles(installation.boot_volume, root); !s) return s;
  if (auto s = WriteFile(installation.boot_volume / "boot.ini", "systemroot=" + root + "\n"); !s) return s;
  return WriteBootConfig(installation.boot_volume, registry);
}

Status MoveLoaderFiles(const fs::path& boot_volume, std::string_view systemroot) {
  const std::string from = LoaderFolder(ReadBootIni(boot_volume).value_or(std::string(kSetupSystemroot)));
  const std::string to = LoaderFolder(systemroot);
  if (ToLower(from) == ToLower(to)) return {};
  const fs::path source = ResolveNoCase(boot_volume, from.substr(1));
  std::error_code ec;
  if (!fs::is_directory(source, ec)) return {};  // no loader files here (a volume setup did not make)
  const fs::path target = boot_volume / to.substr(1);
  fs::create_directories(target.parent_path(), ec);
  fs::rename(source, target, ec);
  if (ec) return Fail("cannot move the loader's files from " + from + " to " + to + ": " + ec.message());
  // The folders of the old systemroot and drive are empty now (remove
  // leaves a folder that is not).
  for (fs::path empty = source.parent_path(); empty != boot_volume && empty.has_relative_path();
       empty = empty.parent_path()) {
    if (!fs::remove(empty, ec)) break;
  }
  return {};
}

Result<std::string> ReadBootIni(const fs::path& boot_volume) {
  auto ini = KeyValues::Load(boot_volume / "boot.ini");
  if (!ini) return std::unexpected(ini.error());
  std::string root = ini->Get("systemroot");
  if (root.empty()) return Fail((boot_volume / "boot.ini").string() + " has no systemroot line");
  return root;
}

std::string VolumeDrive(const fs::path& system_volume) {
  auto volume = KeyValues::Load(system_volume / "rl-volume.txt");
  return volume ? volume->Get("drive", "C:") : "C:";
}

Result<KeyValues> ReadRegistry(const Installation& installation) {
  auto root = ReadBootIni(installation.boot_volume);
  if (!root) return std::unexpected(root.error());
  auto system32 = System32Dir(installation.system_volume, *root);
  if (!system32) return Fail(*root + "\\system32\\ntoskrnl.exe");
  for (std::string_view file : {"ntoskrnl.exe", "hal.dll"}) {
    std::error_code ec;
    if (!fs::exists(*system32 / file, ec)) return Fail(*root + "\\system32\\" + std::string(file));
  }
  fs::path hive = ResolveNoCase(*system32, kRegistryFile);
  std::error_code ec;
  if (!fs::exists(hive, ec)) return Fail(*root + "\\system32\\config\\SYSTEM");
  return KeyValues::Load(hive);
}

Status WriteRegistry(const Installation& installation, const KeyValues& registry) {
  std::string root = registry.Get("os.systemroot");
  auto relative = MapWindowsPath(root, VolumeDrive(installation.system_volume));
  if (!relative) return Fail("systemroot " + root + " is not on this volume");
  return registry.Save(ResolveNoCase(installation.system_volume, *relative / "system32") / kRegistryFile);
}

}  // namespace restorelab::guest
