// Backups on the backup volume: WindowsImageBackup/manifest.txt (key=value)
// and WindowsImageBackup/backup.tar (members m0, m1, ...).
//
// What a backup holds grows with its kind (vocabulary::kKinds order, the
// scenario validation's restore.kind <= backup.kind): every kind holds the
// system state, bmr and full-server also the system disk's image. So a
// system-state restore runs from any backup, an image restore from bmr and
// full-server backups (BackupServes).
//
// manifest keys: backup.kind, scenario, source.firmware, source.hal,
// source.storage_drivers, source.os.* (the registry's os.* keys),
// member.count and per member N: member.N.name,
// member.N.size, member.N.sha256 and either member.N.windows_path (a file of
// the system state; "BOOT:\boot.ini" is the boot volume's boot.ini;
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

/// True when a `backup_kind` backup holds what a `restore_kind` restore
/// needs: kinds hold more in vocabulary::kKinds order (system-state < bmr <
/// full-server), and a restore needs a backup of its own kind or a later one.
/// Unknown kinds serve nothing.
bool BackupServes(std::string_view backup_kind, std::string_view restore_kind);

/// One file of an installation's system state.
struct SystemStateFile {
  std::string windows_path;  ///< "C:\WINDOWS\system32\config\SYSTEM"; kBootIniPath for boot.ini
  std::string content;
  std::string ad_key;        ///< the AD/FRS registry key naming its folder ("os.ad.database"), or ""
};

/// The system state of `installation` (boot.ini, the registry, hal.dll, the
/// AD/FRS files of a domain controller), read while its volumes are mounted.
/// Fails naming a file that cannot be read.
Result<std::vector<SystemStateFile>> ReadSystemState(const Installation& installation, const KeyValues& registry);

/// Writes a system-state backup of `installation` onto `backup_volume`.
Status CreateSystemStateBackup(const Installation& installation, const KeyValues& registry,
                               const fs::path& backup_volume, const std::string& scenario);

/// Writes a disk-image backup (`kind` "bmr" or "full-server") of the regions
/// of `disk_device` onto `backup_volume`: the manifest lists the regions
/// (`region.N.name`, `.offset`, `.size`) and each run of 64 KiB chunks that
/// holds data is a member with its `disk_offset` (at most 4 MiB a member);
/// chunks of zeros are left out. The installation's `system_state`
/// (ReadSystemState, read before the volumes were quiesced) follows as
/// members of their own. The disk's file systems must be unmounted (or
/// quiesced) by the caller.
Status CreateImageBackup(const fs::path& disk_device, uint64_t disk_size, const std::vector<DiskRegion>& regions,
                         const std::vector<SystemStateFile>& system_state, const KeyValues& registry,
                         const std::string& kind, const fs::path& backup_volume, const std::string& scenario);

/// An opened backup: its manifest and archive agree on the members' names
/// and sizes. A restore verifies each member it uses (VerifyMembers) before
/// it writes anything.
struct Backup {
  KeyValues manifest;
  fs::path archive;
  std::vector<TarMember> members;  ///< in manifest order (member.0 first)
};

/// Opens a backup and checks its archive's headers and that each member of
/// the manifest is there with its size.
Result<Backup> OpenBackup(const fs::path& backup_volume);

/// Checks the SHA-256 of the members `indices` (manifest order) against the
/// manifest: "member mN fails its checksum" for the first that differs.
Status VerifyMembers(const Backup& backup, const std::vector<size_t>& indices);

/// True when the backup whose manifest this is holds system-state files.
bool HoldsSystemState(const KeyValues& manifest);

}  // namespace restorelab::guest
