// Restores: what Windows RE / Windows Server Backup refuse, the block-level
// restore of a disk image (BMR, full server), ASR's re-detection of the HAL
// and storage drivers, and the system-state restore run from the
// destination's started OS.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "images/guest/backup.h"
#include "images/guest/hal.h"
#include "images/guest/installation.h"
#include "images/guest/kv.h"
#include "images/guest/result.h"

namespace restorelab::guest {

namespace fs = std::filesystem;

/// What the operator asked for (the job's restore.* keys).
struct RestoreRequest {
  std::string kind = "bmr";  ///< bmr | full-server | system-state
  bool asr = false;
  bool offline = true;
};

RestoreRequest RestoreRequestFrom(const KeyValues& job);

/// Why Windows RE refuses to restore this image here, or "" when it runs:
/// a bmr restore that is not offline, a backup that holds no volumes for the
/// request (BackupServes: a system-state backup, or a bmr backup for a
/// full-server restore), an image of the other firmware type
/// (`running_firmware` is what this machine booted with), a target disk
/// smaller than the source's.
std::string ImageRestoreRefusal(const KeyValues& manifest, const RestoreRequest& request,
                                std::string_view running_firmware, uint64_t target_size);

/// Why a system-state restore refuses to run on the installation whose
/// registry is `running`, or "": a backup without system-state files (every
/// kind holds them: system-state, bmr and full-server), or another OS
/// version or edition.
std::string SystemStateRefusal(const KeyValues& manifest, const KeyValues& running);

/// After a full-server restore: puts the destination's `boot_ini` (its text,
/// read before the restore) back on the restored boot volume and recompiles
/// the loader from it and the restored registry. Where the destination's
/// systemroot differs from the source's, the loader then names files below a
/// folder the restored volume does not have (boot_config.h).
Status KeepBootIni(const Installation& restored, const std::string& boot_ini);

/// The byte ranges ({offset, size}) of an image's regions that no member
/// holds: the chunks the backup left out because they held only zeros.
std::vector<std::pair<uint64_t, uint64_t>> ImageGaps(const KeyValues& manifest);

/// Zeroes the image's gaps on `target_device` and writes every disk_offset
/// member of `backup` at its offset, so each region reads as it did on the
/// source whatever the target held before. Syncs the target.
Status RestoreImage(const Backup& backup, const fs::path& target_device);

/// ASR on a restored installation: setup re-detects the HAL (NT 5.x; `hal`
/// is what it detects) and the boot-start storage driver (`disk_bus` of the
/// disk it restored to), rewrites hal.dll, the registry and the loader config.
Status ApplyAsr(const Installation& restored, const std::string& hal, const std::string& disk_bus);

/// What a system-state restore did.
struct SystemStateResult {
  std::vector<std::string> restored;  ///< Windows paths written
  std::vector<std::string> skipped;   ///< Windows paths on a drive the destination lacks
};

/// Replaces the destination's configuration with the source's: each file
/// goes to its Windows path on the destination's volumes (AD/FRS files go
/// where the destination's running directory service keeps them, the paths
/// in `running`), then the loader config is recompiled from the registry the
/// loader will now read, when it can read one.
Result<SystemStateResult> RestoreSystemState(const Backup& backup, const Installation& destination,
                                             const KeyValues& running);

}  // namespace restorelab::guest
