// Finished disks by request. What images/make-disk.sh writes depends only on
// the model guest's artifacts and on its arguments, so each disk is made
// once per image and copied (holes kept) for every later request alike:
// copying a 32 MiB system disk takes milliseconds, making it takes a
// make-disk.sh run (mkfs, syslinux, mtools; about a second of CPU), and a
// scenario makes five of them while its first VM waits.
//
// The cache lives in <artifacts>/disks/<generation>/, where the generation
// hashes the artifacts' stamp and make-disk.sh itself: an image rebuilt in
// place, or another make-disk.sh, starts a new generation and the old ones
// are removed. It is never required: a disk it cannot give or keep is made
// as before.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace restorelab::run {

namespace fs = std::filesystem;

class DiskCache {
 public:
  /// At most `max_entries` disks are kept per generation (a scenario's
  /// sizes come from its file; later requests are made every time).
  static constexpr std::size_t kMaxEntries = 64;

  /// `artifacts`: the folder build-image.sh filled (holds `stamp`);
  /// `make_disk`: the script whose output is cached.
  DiskCache(const fs::path& artifacts, const fs::path& make_disk);

  /// The key of one request: make-disk.sh's arguments but its output path.
  static std::string key(const std::vector<std::string>& arguments);

  /// Copies the disk kept under `key` to `out` (a new file; holes kept).
  /// False when none is kept or the copy failed (then `out` is removed).
  bool fetch(const std::string& key, const fs::path& out) const;

  /// Keeps a copy of the disk `made` under `key`: written to a temporary
  /// file, synced and renamed, so a kept disk is always whole. Failures are
  /// ignored (the next request makes its disk again).
  void keep(const std::string& key, const fs::path& made) const;

  /// The folder of this generation.
  const fs::path& dir() const { return dir_; }

 private:
  fs::path root_;
  fs::path dir_;
};

/// Copies the regular file `from` to a new file `to` (O_EXCL), copying only
/// its data and leaving its holes unwritten; checks every write and close.
/// Returns "" or what failed.
std::string copy_sparse(const fs::path& from, const fs::path& to);

}  // namespace restorelab::run
