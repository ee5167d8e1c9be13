// The model guest's images: the cached base artifacts (images/build-image.sh)
// and one raw disk per VM (images/make-disk.sh), behind the DiskTool seam so
// that the orchestration is unit-tested without building anything.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/machines/process.h"
#include "rules/model.h"

namespace restorelab::run {

namespace fs = std::filesystem;
using machines::Error;
using machines::Result;
using machines::Status;
using machines::make_error;

/// One image a run needs (images/README.md, "Disks"): a disk, or the
/// initramfs of a VM whose kernel is started directly.
struct DiskRequest {
  enum class Kind : std::uint8_t { System, Initrd, Backup, Blank };
  Kind kind = Kind::Blank;
  fs::path path;                       ///< where to write it (absolute)
  Firmware firmware = Firmware::Bios;  ///< system disks only
  std::vector<DiskBus> drivers;        ///< system disks and initrds: boot-start drivers
  bool uniprocessor = false;           ///< system disks only: `nosmp` in the setup loader
  bool tools = false;                  ///< initrds only: with tools.img (the recovery environment)
  /// System and blank disks: the disk's size in MiB; 0 is make-disk.sh's
  /// 32 MiB. A system disk's partitions stay where they are, the rest is
  /// unallocated (a destination larger than the source's image).
  std::uint32_t size_mib = 0;
  bool operator==(const DiskRequest&) const = default;
};
std::string_view kind_name(DiskRequest::Kind k);  ///< "system", "initrd", ...

/// What image building reports.
struct ArtifactsInfo {
  fs::path dir;               ///< holds vmlinuz, initrd/, stamp, ...
  bool rebuilt = false;       ///< false when the cache was up to date
  double seconds = 0;
  std::uintmax_t bytes = 0;   ///< total size of the artifacts
  std::string log = {};       ///< the build script's output
};

/// Builds images. Implementations may be used from two threads at once
/// (disks are made while a VM runs).
class DiskTool {
 public:
  virtual ~DiskTool() = default;
  /// Makes sure the base artifacts in `dir` are current (building them when
  /// not). Error: they could not be built (an infrastructure failure).
  virtual Result<ArtifactsInfo> build_artifacts(const fs::path& dir) = 0;
  /// Writes one disk image from the artifacts in `artifacts`.
  virtual Status make_disk(const fs::path& artifacts, const DiskRequest& disk) = 0;
};

/// The real tool: runs the scripts in `images_dir` (images/ of the source
/// tree). `cancel` (may be null) stops a running script. Each disk is made
/// once per image and copied for later requests alike (disk_cache.h).
class ScriptDiskTool final : public DiskTool {
 public:
  explicit ScriptDiskTool(fs::path images_dir, const std::atomic<int>* cancel = nullptr);
  Result<ArtifactsInfo> build_artifacts(const fs::path& dir) override;
  Status make_disk(const fs::path& artifacts, const DiskRequest& disk) override;

 private:
  fs::path images_dir_;
  const std::atomic<int>* cancel_;
};

/// The images/ folder: $RESTORELAB_IMAGES_DIR, else the source tree's.
fs::path images_source_dir();

/// 16 hex digits hashing the image build's inputs in `images_dir`
/// (build-image.sh, make-disk.sh and guest/*): the cache key.
std::string image_inputs_hash(const fs::path& images_dir);

/// /var/tmp/restorelab/images/<image_inputs_hash>.
fs::path default_artifacts_dir(const fs::path& images_dir);

/// The command line make_disk runs (for logs and tests).
std::vector<std::string> make_disk_argv(const fs::path& images_dir, const fs::path& artifacts,
                                        const DiskRequest& disk);

}  // namespace restorelab::run
