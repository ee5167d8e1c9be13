// Backups on the backup volume: WindowsImageBackup/manifest.txt (key=value)
// and WindowsImageBackup/backup.tar (members m0, m1, ...).
//
// manifest keys: backup.kind, scenario, source.firmware, source.hal,
// source.storage_drivers, source.os.* (the registry's os.* keys),
// archive.sha256, member.count and per member N: member.N.name,
// member.N.size, member.N.sha256 and either member.N.windows_path (a file:
// system state; "BOOT:\boot.ini" is the boot volume's boot.ini;
// member.N.ad_key names the AD/FRS registry key of an AD file) or
// member.N.disk_offset (a byte range of the system disk: bmr/full-server),
// plus disk.size_bytes for disk images.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "images/guest/archive.h"
#include "images/guest/installation.h"
#include "images/guest/kv.h"
#include "images/guest/result.h"

namespace restorelab::guest {

namespace fs = std::filesystem;

inline constexpr std::string_view kBackupDir = "WindowsImageBackup";
inline constexpr std::string_view kBootIniPath = "BOOT:\\boot.ini";

/// A byte range of a disk to image.
struct DiskRegion {
  std::string name;     ///< "head", "part1", ..., "tail"
  uint64_t offset = 0;
  uint64_t size = 0;
};

/// The regions a disk image needs: the first MiB (MBR/GPT, boot code), each
/// partition (`partitions` holds {start, size} in bytes) and the last MiB
/// (the GPT backup), merged where they overlap.
std::vector<DiskRegion> ImageRegions(uint64_t disk_size, const std::vector<std::pair<uint64_t, uint64_t>>& partitions);

/// Writes a system-state backup of `installation` (registry, hal.dll,
/// boot.ini, AD/FRS files of a domain controller) onto `backup_volume`.
Status CreateSystemStateBackup(const Installation& installation, const KeyValues& registry,
                               const fs::path& backup_volume, const std::string& scenario);

/// Writes a disk-image backup (`kind` "bmr" or "full-server") of the regions
/// of `disk_device` onto `backup_volume`. The disk's file systems must be
/// unmounted (or quiesced) by the caller.
Status CreateImageBackup(const fs::path& disk_device, uint64_t disk_size, const std::vector<DiskRegion>& regions,
                         const KeyValues& registry, const std::string& kind, const fs::path& backup_volume,
                         const std::string& scenario);

/// An opened backup whose archive checksum has been verified.
struct Backup {
  KeyValues manifest;
  fs::path archive;
  std::vector<TarMember> members;  ///< in manifest order (member.0 first)
};

/// Opens and verifies (whole-archive SHA-256, member names and sizes).
Result<Backup> OpenBackup(const fs::path& backup_volume);

}  // namespace restorelab::guest
