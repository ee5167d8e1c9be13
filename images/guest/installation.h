// The "Windows installation" the model guest keeps on its disk, as files:
//
//   boot volume (FAT, RL-BOOT):  boot.ini            systemroot=C:\WINDOWS
//                                syslinux.cfg | loader/...  (compiled, see boot_config.h)
//   system volume (ext4, RL-SYSTEM, the volume of os.systemdrive):
//                                rl-volume.txt       drive=C:
//                                <systemroot>/system32/ntoskrnl.exe, hal.dll
//                                <systemroot>/system32/config/SYSTEM   (the registry)
//                                AD/FRS files at their configured paths (domain controllers)
//
// Windows paths ("C:\WINDOWS\NTDS") map onto the system volume when their
// drive is the volume's drive; they are matched without regard to case.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "images/guest/boot_config.h"
#include "images/guest/hardware.h"
#include "images/guest/kv.h"
#include "images/guest/result.h"

namespace restorelab::guest {

namespace fs = std::filesystem;

/// Where the two volumes of one installation are mounted.
struct Installation {
  fs::path system_volume;  ///< ext4 "C:" root
  fs::path boot_volume;    ///< FAT boot volume
};

/// What install records about the machine it runs on.
struct InstallHardware {
  std::string firmware = "bios";
  std::string hal;                          ///< the HAL type setup installs
  std::vector<std::string> storage_drivers; ///< boot-start disk buses
  std::vector<NetAdapter> nics;
  std::string display = "vga";
};

/// "C:\WINDOWS\NTDS" on drive "C:" -> "WINDOWS/NTDS"; another drive or a
/// path without a drive gives nullopt.
std::optional<fs::path> MapWindowsPath(std::string_view windows_path, std::string_view volume_drive);

/// `base/relative`, each component matched without regard to case against
/// what exists; components that do not exist keep their spelling.
fs::path ResolveNoCase(const fs::path& base, const fs::path& relative);

/// Registry path of the AD/FRS keys and the file each one holds.
struct AdFile {
  std::string key;       ///< "os.ad.database"
  std::string file_name; ///< "ntds.dit"
};
const std::vector<AdFile>& AdFiles();

/// The OS keys of the job with the scenario defaults filled in (systemroot
/// C:\WINDOWS, or C:\WINNT for windows-2000/windows-nt4; AD paths below it).
KeyValues OsIdentity(const KeyValues& job);

/// The registry setup writes: OS identity, HAL, boot-start drivers, NIC
/// bindings (nic.N.model/slot/mac/ip) and the display model.
KeyValues BuildRegistry(const KeyValues& os_identity, const InstallHardware& hardware);

/// Writes a fresh installation for `registry` on both volumes: marker files,
/// hal.dll, the registry, AD files for a domain controller, boot.ini, the
/// loader's files moved below the systemroot (MoveLoaderFiles) and the
/// compiled loader config.
Status WriteInstallation(const Installation& installation, const KeyValues& registry);

/// Moves the loader's files on the boot volume (boot_config.h: the kernel and
/// initrd images below `<systemroot>\system32`) from the folder of the
/// current boot.ini's systemroot (setup's, kSetupSystemroot, before the first
/// installation) to that of `systemroot`, as setup installs the kernel under
/// the systemroot it was given. Nothing to move is success; a failed move
/// names both folders.
Status MoveLoaderFiles(const fs::path& boot_volume, std::string_view systemroot);

/// The loader config compiled from a registry (the storage.boot_start list;
/// `nosmp` for a uniprocessor HAL on NT 5.x).
BootConfig BootConfigFor(const KeyValues& registry);

/// Writes the loader files compiled from `registry` on the boot volume,
/// naming the kernel and initrds below boot.ini's systemroot (the registry's
/// when there is no boot.ini).
Status WriteBootConfig(const fs::path& boot_volume, const KeyValues& registry);

/// boot.ini's systemroot, e.g. "C:\WINDOWS".
Result<std::string> ReadBootIni(const fs::path& boot_volume);
/// The system volume's drive letter from rl-volume.txt, e.g. "C:".
std::string VolumeDrive(const fs::path& system_volume);

/// The directory holding the registry for `systemroot`, when that systemroot
/// is on this volume.
std::optional<fs::path> System32Dir(const fs::path& system_volume, std::string_view systemroot);

/// The registry the loader would use: boot.ini -> systemroot -> SYSTEM hive.
/// Fails naming the first missing file ("...\system32\config\SYSTEM").
Result<KeyValues> ReadRegistry(const Installation& installation);
Status WriteRegistry(const Installation& installation, const KeyValues& registry);

}  // namespace restorelab::guest
