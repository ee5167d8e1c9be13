#include "images/guest/backup.h"

#include <algorithm>
#include <cstring>
#include <fstream>

#include "images/guest/job_vocabulary.h"

namespace restorelab::guest {
namespace {

constexpr uint64_t kMiB = 1 << 20;
/// An image reads its disk in chunks of this size and leaves out those that
/// hold only zeros.
constexpr size_t kImageChunk = 64 << 10;
/// The largest member of an image, so that a member sits in memory.
constexpr size_t kMaxExtent = 4 << 20;

/// Starts a manifest with the source's identity from its registry.
KeyValues ManifestFor(const KeyValues& registry, const std::string& kind, const std::string& scenario) {
  KeyValues manifest;
  manifest.Set("backup.kind", kind);
  manifest.Set("scenario", scenario);
  manifest.Set("source.firmware", registry.Get("firmware"));
  manifest.Set("source.hal", registry.Get("hal"));
  manifest.Set("source.storage_drivers", registry.Get("storage.boot_start"));
  for (const std::string& key : registry.KeysWithPrefix("os.")) manifest.Set("source." + key, registry.Get(key));
  return manifest;
}

void AddMember(KeyValues& manifest, int index, const std::string& name, uint64_t size, const std::string& digest) {
  std::string prefix = "member." + std::to_string(index) + ".";
  manifest.Set(prefix + "name", name);
  manifest.Set(prefix + "size", std::to_string(size));
  manifest.Set(prefix + "sha256", digest);
  manifest.Set("member.count", std::to_string(index + 1));
}

/// Adds the system-state files as members `first`, `first + 1`, ...
Status AddSystemState(KeyValues& manifest, TarWriter& writer, const std::vector<SystemStateFile>& files,
                      size_t first) {
  for (size_t i = 0; i < files.size(); ++i) {
    const size_t index = first + i;
    std::string name = "m" + std::to_string(index);
    auto digest = writer.AddBytes(name, files[i].content);
    if (!digest) return std::unexpected(digest.error());
    AddMember(manifest, static_cast<int>(index), name, files[i].content.size(), *digest);
    manifest.Set("member." + std::to_string(index) + ".windows_path", files[i].windows_path);
    if (!files[i].ad_key.empty()) manifest.Set("member." + std::to_string(index) + ".ad_key", files[i].ad_key);
  }
  return {};
}

/// Kind's place in vocabulary::kKinds, or kKinds.size() when unknown.
size_t KindRank(std::string_view kind) {
  return static_cast<size_t>(std::ranges::find(vocabulary::kKinds, kind) - vocabulary::kKinds.begin());
}

Status Seal(KeyValues& manifest, TarWriter& writer, const fs::path& dir) {
  if (auto status = writer.Finish(); !status) return status;
  return manifest.Save(dir / "manifest.txt");
}

}  // namespace

std::vector<DiskRegion> ImageRegions(uint64_t disk_size, const std::vector<std::pair<uint64_t, uint64_t>>& partitions) {
  std::vector<DiskRegion> regions = {{"head", 0, std::min(disk_size, kMiB)}};
  for (size_t i = 0; i < partitions.size(); ++i) {
    regions.push_back({"part" + std::to_string(i + 1), partitions[i].first, partitions[i].second});
  }
  if (disk_size > kMiB) regions.push_back({"tail", disk_size - kMiB, kMiB});
  std::ranges::sort(regions, {}, &DiskRegion::offset);
  std::vector<DiskRegion> merged;
  for (const DiskRegion& r : regions) {
    if (!merged.empty() && r.offset < merged.back().offset + merged.back().size) {
      DiskRegion& last = merged.back();
      last.size = std::max(last.offset + last.size, r.offset + r.size) - last.offset;
      last.name += "+" + r.name;
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

bool BackupServes(std::string_view backup_kind, std::string_view restore_kind) {
  const size_t backup = KindRank(backup_kind);
  const size_t restore = KindRank(restore_kind);
  return backup < vocabulary::kKinds.size() && restore <= backup;
}

Result<std::vector<SystemStateFile>> ReadSystemState(const Installation& installation, const KeyValues& registry) {
  std::string root = registry.Get("os.systemroot");
  std::string drive = VolumeDrive(installation.system_volume);
  struct Item { std::string windows_path; fs::path file; std::string ad_key; };
  std::vector<Item> items = {{kBootIniPath.data(), installation.boot_volume / "boot.ini", ""}};
  for (std::string_view name : {"config\\SYSTEM", "hal.dll"}) {
    std::string path = root + "\\system32\\" + std::string(name);
    if (auto rel = MapWindowsPath(path, drive)) items.push_back({path, ResolveNoCase(installation.system_volume, *rel), ""});
  }
  std::vector<std::string> roles = registry.GetList("os.roles");
  if (std::ranges::find(roles, "domain-controller") != roles.end()) {
    for (const AdFile& ad : AdFiles()) {
      std::string path = registry.Get(ad.key) + "\\" + ad.file_name;
      if (auto rel = MapWindowsPath(path, drive)) items.push_back({path, ResolveNoCase(installation.system_volume, *rel), ad.key});
    }
  }
  std::vector<SystemStateFile> files;
  for (const Item& item : items) {
    auto content = ReadFile(item.file);
    if (!content) return std::unexpected(content.error());
    files.push_back({item.windows_path, std::move(*content), item.ad_key});
  }
  return files;
}

Status CreateSystemStateBackup(const Installation& installation, const KeyValues& registry,
                               const fs::path& backup_volume, const std::string& scenario) {
  auto files = ReadSystemState(installation, registry);
  if (!files) return std::unexpected(files.error());
  fs::path dir = backup_volume / kBackupDir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  auto writer = TarWriter::Create(dir / "backup.tar");
  if (!writer) return std::unexpected(writer.error());
  KeyValues manifest = ManifestFor(registry, std::string(vocabulary::kKindSystemState), scenario);
  if (auto status = AddSystemState(manifest, *writer, *files, 0); !status) return status;
  return Seal(manifest, *writer, dir);
}

Status CreateImageBackup(const fs::path& disk_device, uint64_t disk_size, const std::vector<DiskRegion>& regions,
                         const std::vector<SystemStateFile>& system_state, const KeyValues& registry,
                         const std::string& kind, const fs::path& backup_volume, const std::string& scenario) {
  fs::path dir = backup_volume / kBackupDir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  auto writer = TarWriter::Create(dir / "backup.tar");
  if (!writer) return std::unexpected(writer.error());
  KeyValues manifest = ManifestFor(registry, kind, scenario);
  manifest.Set("disk.size_bytes", std::to_string(disk_size));
  std::ifstream disk(disk_device, std::ios::binary);
  if (!disk) return Fail("cannot open " + disk_device.string());
  // Only the chunks holding data become members, as Windows Server Backup
  // copies only the blocks in use; the regions say what the restore zeroes.
  std::vector<char> chunk(kImageChunk);
  const std::vector<char> zeros(kImageChunk);
  std::string extent;  // data chunks read but not yet a member
  uint64_t extent_offset = 0;
  int members = 0;
  auto flush = [&](const DiskRegion& region) -> Status {
    if (extent.empty()) return {};
    std::string name = "m" + std::to_string(members);
    auto digest = writer->AddBytes(name, extent);
    if (!digest) return std::unexpected(digest.error());
    AddMember(manifest, members, name, extent.size(), *digest);
    manifest.Set("member." + std::to_string(members) + ".disk_offset", std::to_string(extent_offset));
    manifest.Set("member." + std::to_string(members) + ".region", region.name);
    ++members;
    extent.clear();
    return {};
  };
  for (size_t i = 0; i < regions.size(); ++i) {
    const DiskRegion& region = regions[i];
    const std::string prefix = "region." + std::to_string(i) + ".";
    manifest.Set(prefix + "name", region.name);
    manifest.Set(prefix + "offset", std::to_string(region.offset));
    manifest.Set(prefix + "size", std::to_string(region.size));
    disk.seekg(static_cast<std::streamoff>(region.offset));
    for (uint64_t done = 0; done < region.size;) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(region.size - done, chunk.size()));
      if (!disk.read(chunk.data(), static_cast<std::streamsize>(take))) {
        return Fail(disk_device.string() + ": cannot read " + std::to_string(take) + " bytes at " +
                    std::to_string(region.offset + done));
      }
      const bool zero = std::memcmp(chunk.data(), zeros.data(), take) == 0;
      if (zero || extent.size() >= kMaxExtent) {
        if (auto status = flush(region); !status) return status;
      }
      if (!zero) {
        if (extent.empty()) extent_offset = region.offset + done;
        extent.append(chunk.data(), take);
      }
      done += take;
    }
    if (auto status = flush(region); !status) return status;
  }
  manifest.Set("region.count", std::to_string(regions.size()));
  manifest.Set("member.count", std::to_string(members));
  // The system state too, as a restore of it finds it in any backup.
  if (auto status = AddSystemState(manifest, *writer, system_state, members); !status) return status;
  return Seal(manifest, *writer, dir);
}

Result<Backup> OpenBackup(const fs::path& backup_volume) {
  fs::path dir = backup_volume / kBackupDir;
  auto manifest = KeyValues::Load(dir / "manifest.txt");
  if (!manifest) return Fail("no backup on the backup volume: " + manifest.error().message);
  Backup backup{*manifest, dir / "backup.tar", {}};
  auto members = ListTar(backup.archive);
  if (!members) return std::unexpected(members.error());
  int64_t count = manifest->GetInt("member.count", 0);
  for (int64_t i = 0; i < count; ++i) {
    std::string prefix = "member." + std::to_string(i) + ".";
    auto it = std::ranges::find(*members, manifest->Get(prefix + "name"), &TarMember::name);
    if (it == members->end()) return Fail("archive lacks member " + manifest->Get(prefix + "name"));
    if (static_cast<int64_t>(it->size) != manifest->GetInt(prefix + "size", -1)) {
      return Fail("archive member " + it->name + " has the wrong size");
    }
    backup.members.push_back(*it);
  }
  return backup;
}

Status VerifyMembers(const Backup& backup, const std::vector<size_t>& indices) {
  for (size_t i : indices) {
    if (i >= backup.members.size()) return Fail("the backup has no member " + std::to_string(i));
    auto digest = HashMember(backup.archive, backup.members[i]);
    if (!digest) return std::unexpected(digest.error());
    if (*digest != backup.manifest.Get("member." + std::to_string(i) + ".sha256")) {
      return Fail("member " + backup.members[i].name + " fails its checksum");
    }
  }
  return {};
}

bool HoldsSystemState(const KeyValues& manifest) {
  const int64_t count = manifest.GetInt("member.count", 0);
  for (int64_t i = 0; i < count; ++i) {
    if (manifest.Has("member." + std::to_string(i) + ".windows_path")) return true;
  }
  return false;
}

}  // namespace restorelab::guest
