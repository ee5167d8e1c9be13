#include "images/guest/recovery.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "images/guest/job_vocabulary.h"

namespace restorelab::guest {

namespace vocab = vocabulary;

RestoreRequest RestoreRequestFrom(const KeyValues& job) {
  RestoreRequest request;
  request.kind = job.Get(vocab::kKeyRestoreKind, vocab::kKindBmr);
  request.asr = job.GetBool(vocab::kKeyRestoreAsr, false);
  request.offline = job.GetBool(vocab::kKeyRestoreOffline, request.kind == vocab::kKindBmr);
  return request;
}

std::string ImageRestoreRefusal(const KeyValues& manifest, const RestoreRequest& request,
                                std::string_view running_firmware, uint64_t target_size) {
  std::string kind = manifest.Get("backup.kind");
  if (request.kind == vocab::kKindBmr && !request.offline) return "a bare-metal recovery must run offline (from Windows RE)";
  if (!BackupServes(kind, request.kind)) return "a " + kind + " backup holds no volumes for a " + request.kind + " restore";
  std::string source = manifest.Get("source.firmware");
  if (source != running_firmware) {
    return "the image was taken on " + source + " firmware and this computer started with " +
           std::string(running_firmware) + " firmware";
  }
  uint64_t needed = static_cast<uint64_t>(manifest.GetInt("disk.size_bytes", 0));
  if (target_size < needed) {
    return "the target disk (" + std::to_string(target_size) + " bytes) is smaller than the source disk (" +
           std::to_string(needed) + " bytes)";
  }
  return "";
}

std::string SystemStateRefusal(const KeyValues& manifest, const KeyValues& running) {
  // Every kind of backup holds the system state (backup.h): what matters is
  // that this one does.
  const std::string kind = manifest.Get("backup.kind");
  if (!BackupServes(kind, vocab::kKindSystemState) || !HoldsSystemState(manifest)) {
    return "the " + kind + " backup holds no system state";
  }
  for (std::string_view field : {"version", "edition"}) {
    std::string key = "os." + std::string(field);
    std::string source = manifest.Get("source." + key);
    std::string here = running.Get(key);
    if (source != here) {
      return "the backup's OS " + std::string(field) + " is " + source + " and this computer runs " + here;
    }
  }
  return "";
}

std::vector<std::pair<uint64_t, uint64_t>> ImageGaps(const KeyValues& manifest) {
  std::vector<std::pair<uint64_t, uint64_t>> data;  // {offset, end} of each member on the disk
  const int64_t members = manifest.GetInt("member.count", 0);
  for (int64_t i = 0; i < members; ++i) {
    const std::string prefix = "member." + std::to_string(i) + ".";
    if (!manifest.Has(prefix + "disk_offset")) continue;
    const auto offset = static_cast<uint64_t>(manifest.GetInt(prefix + "disk_offset", 0));
    data.emplace_back(offset, offset + static_cast<uint64_t>(manifest.GetInt(prefix + "size", 0)));
  }
  std::ranges::sort(data);
  std::vector<std::pair<uint64_t, uint64_t>> gaps;
  const int64_t regions = manifest.GetInt("region.count", 0);
  for (int64_t i = 0; i < regions; ++i) {
    const std::string prefix = "region." + std::to_string(i) + ".";
    uint64_t at = static_cast<uint64_t>(manifest.GetInt(prefix + "offset", 0));
    const uint64_t end = at + static_cast<uint64_t>(manifest.GetInt(prefix + "size", 0));
    for (const auto& [first, last] : data) {
      if (last <= at || first >= end) continue;
      if (first > at) gaps.emplace_back(at, first - at);
      at = std::max(at, last);
    }
    if (at < end) gaps.emplace_back(at, end - at);
  }
  return gaps;
}

namespace {

/// Zeroes `size` bytes at `offset`: BLKZEROOUT on a disk, which writes no
/// data through the guest, else (a file, or a disk that refuses) zeros.
Status ZeroRange(int fd, uint64_t offset, uint64_t size, const fs::path& target) {
  uint64_t range[2] = {offset, size};
  if (::ioctl(fd, BLKZEROOUT, range) == 0) return {};
  static const std::vector<char> kZeros(1 << 16);
  while (size > 0) {
    const size_t take = static_cast<size_t>(std::min<uint64_t>(size, kZeros.size()));
    const ssize_t written = ::pwrite(fd, kZeros.data(), take, static_cast<off_t>(offset));
    if (written <= 0) return Fail("cannot zero " + target.string() + " at " + std::to_string(offset));
    offset += static_cast<uint64_t>(written);
    size -= static_cast<uint64_t>(written);
  }
  return {};
}

/// Zeroes the image's gaps on `target` (ImageGaps).
Status ZeroGaps(const KeyValues& manifest, const fs::path& target) {
  const int fd = ::open(target.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Fail("cannot open " + target.string() + " for writing");
  Status status;
  for (const auto& [offset, size] : ImageGaps(manifest))
    if (status = ZeroRange(fd, offset, size, target); !status) break;
  if (::close(fd) != 0 && status) return Fail("cannot write " + target.string());
  return status;
}

/// Flushes `target` to its device.
Status SyncTarget(const fs::path& target) {
  const int fd = ::open(target.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Fail("cannot open " + target.string() + " to sync it");
  const bool synced = ::fsync(fd) == 0;
  if (::close(fd) != 0 || !synced) return Fail("cannot write " + target.string());
  return {};
}

}  // namespace

Status RestoreImage(const Backup& backup, const fs::path& target_device) {
  // Every member is checked before the first byte goes to the disk.
  std::vector<size_t> image;
  for (size_t i = 0; i < backup.members.size(); ++i)
    if (backup.manifest.Has("member." + std::to_string(i) + ".disk_offset")) image.push_back(i);
  if (auto verified = VerifyMembers(backup, image); !verified) return verified;
  if (auto zeroed = ZeroGaps(backup.manifest, target_device); !zeroed) return zeroed;
  std::fstream out(target_device, std::ios::binary | std::ios::in | std::ios::out);
  if (!out) return Fail("cannot open " + target_device.string() + " for writing");
  for (size_t i : image) {
    out.seekp(backup.manifest.GetInt("member." + std::to_string(i) + ".disk_offset", 0));
    if (auto copied = CopyMember(backup.archive, backup.members[i], out); !copied) return copied;
  }
  out.flush();
  const bool written = static_cast<bool>(out);
  out.close();
  if (!written || !out) return Fail("cannot write " + target_device.string());
  return SyncTarget(target_device);
}

Status ApplyAsr(const Installation& restored, const std::string& hal, const std::string& disk_bus) {
  auto registry = ReadRegistry(restored);
  if (!registry) return Fail("ASR cannot read the restored registry: missing " + registry.error().message);
  if (IsNt5(registry->Get("os.version")) && !hal.empty()) registry->Set("hal", hal);
  if (!disk_bus.empty()) registry->Set("storage.boot_start", disk_bus);
  auto system32 = System32Dir(restored.system_volume, registry->Get("os.systemroot"));
  if (!system32) return Fail("ASR cannot find the restored system32");
  if (auto s = WriteFile(*system32 / "hal.dll", "hal=" + registry->Get("hal") + "\n"); !s) return s;
  if (auto s = WriteRegistry(restored, *registry); !s) return s;
  return WriteBootConfig(restored.boot_volume, *registry);
}

Status KeepBootIni(const Installation& restored, const std::string& boot_ini) {
  auto registry = ReadRegistry(restored);
  if (!registry) return Fail("cannot read the restored registry: missing " + registry.error().message);
  if (auto s = WriteFile(restored.boot_volume / "boot.ini", boot_ini); !s) return s;
  return WriteBootConfig(restored.boot_volume, *registry);
}

Result<SystemStateResult> RestoreSystemState(const Backup& backup, const Installation& destination,
                                             const KeyValues& running) {
  SystemStateResult result;
  fs::path hive;  // where the restored SYSTEM hive went
  std::string drive = VolumeDrive(destination.system_volume);
  // Every file is read and checked before the first one is written.
  struct File {
    fs::path target;
    std::string windows_path;
    std::string content;
  };
  std::vector<File> files;
  for (size_t i = 0; i < backup.members.size(); ++i) {
    std::string prefix = "member." + std::to_string(i) + ".";
    std::string windows_path = backup.manifest.Get(prefix + "windows_path");
    if (windows_path.empty()) continue;
    fs::path target;
    if (windows_path == kBootIniPath) {
      target = destination.boot_volume / "boot.ini";
    } else {
      std::string ad_key = backup.manifest.Get(prefix + "ad_key");
      std::string file_name = windows_path.substr(windows_path.rfind('\\') + 1);
      std::string effective = ad_key.empty() ? windows_path : running.Get(ad_key) + "\\" + file_name;
      auto relative = MapWindowsPath(effective, drive);
      if (!relative) {
        result.skipped.push_back(effective);
        continue;
      }
      target = ResolveNoCase(destination.system_volume, *relative);
      windows_path = effective;
    }
    auto content = ReadMember(backup.archive, backup.members[i]);
    if (!content) return std::unexpected(content.error());
    if (content->sha256 != backup.manifest.Get(prefix + "sha256")) {
      return Fail("member " + backup.members[i].name + " fails its checksum");
    }
    files.push_back({target, windows_path, std::move(content->bytes)});
  }
  for (const File& file : files) {
    if (auto s = WriteFile(file.target, file.content); !s) return std::unexpected(s.error());
    if (ToLower(file.windows_path).ends_with("\\system32\\config\\system")) hive = file.target;
    result.restored.push_back(file.windows_path);
  }
  // The loader is compiled from the restored boot.ini and SYSTEM hive, as
  // NTLDR reads them at the next start, even where boot.ini's systemroot has
  // no installation: then the loader names files that are not there.
  auto registry = hive.empty() ? ReadRegistry(destination) : KeyValues::Load(hive);
  if (registry) {
    if (auto s = WriteBootConfig(destination.boot_volume, *registry); !s) return std::unexpected(s.error());
  }
  return result;
}

}  // namespace restorelab::guest
