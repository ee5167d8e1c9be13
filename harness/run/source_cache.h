// A cache of source runs. The source VM (install + backup) depends only on
// the model guest's artifacts, the source machine's domain XML and its job;
// when all three are the same as in an earlier run, its disks (system and
// backup, taken right after the source VM finished) and serial log are
// reused instead of booting it again. Reports say so ("cached"); `--no-cache`
// turns it off. The restore and the destination boot always run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/machines/process.h"

namespace restorelab::run {

class SourceCache {
 public:
  /// An empty root disables the cache.
  explicit SourceCache(std::filesystem::path root) : root_(std::move(root)) {}

  /// /var/tmp/restorelab/cache/source.
  static std::filesystem::path default_root();

  /// The key of a source run: a hash of the artifacts' stamp, the domain XML
  /// with this run's names and paths replaced by placeholders, the job, and
  /// the size of each disk the run starts from (MiB, 0 for make-disk.sh's
  /// own): the XML names disk files, not their sizes, and an image backup
  /// records the size of the disk it was taken from.
  static std::string key(const std::filesystem::path& artifacts, std::string xml, const std::string& job,
                         const std::vector<std::uint32_t>& disk_sizes_mib, const std::string& domain_name,
                         const std::filesystem::path& disk_dir, const std::filesystem::path& evidence_dir);

  bool enabled() const { return !root_.empty(); }

  /// On a hit, copies the cached system and backup disks to `system`/`backup`
  /// and returns the cached serial log; nothing on a miss.
  std::optional<std::string> restore(const std::string& key, const std::filesystem::path& system,
                                     const std::filesystem::path& backup) const;

  /// Stores a finished source run. Failures only mean no cache entry.
  void store(const std::string& key, const std::filesystem::path& system, const std::filesystem::path& backup,
             const std::string& serial) const;

 private:
  std::filesystem::path root_;
};

}  // namespace restorelab::run
