#include "harness/run/disk_tool.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "harness/output/input_file.h"
#include "harness/run/disk_cache.h"
#include "harness/output/text.h"
#include "rules/fnv.h"
#include "rules/source_dir.h"

namespace restorelab::run {

using namespace std::chrono_literals;

std::string_view kind_name(DiskRequest::Kind k) {
  switch (k) {
    case DiskRequest::Kind::System: return "system";
    case DiskRequest::Kind::Initrd: return "initrd";
    case DiskRequest::Kind::Backup: return "backup";
    case DiskRequest::Kind::Blank: return "blank";
  }
  return "blank";
}

fs::path images_source_dir() {
  if (const char* env = std::getenv("RESTORELAB_IMAGES_DIR"); env != nullptr && *env != '\0') return env;
  return fs::path(restorelab::source_dir()) / "images";
}

std::string image_inputs_hash(const fs::path& images_dir) {
  std::vector<fs::path> files = {images_dir / "build-image.sh", images_dir / "make-disk.sh"};
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(images_dir / "guest", ec))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin() + 2, files.end());
  Fnv1a hash;
  for (const fs::path& f : files) {
    hash.add(f.filename().string()).add(read_file_or_empty(f));
  }
  return hash.hex();
}

fs::path default_artifacts_dir(const fs::path& images_dir) {
  return fs::path("/var/tmp/restorelab/images") / image_inputs_hash(images_dir);
}

std::vector<std::string> make_disk_argv(const fs::path& images_dir, const fs::path& artifacts,
                                        const DiskRequest& disk) {
  std::vector<std::string> argv = {(images_dir / "make-disk.sh").string(), std::string(kind_name(disk.kind)),
                                   artifacts.string(), disk.path.string()};
  std::string buses;
  for (DiskBus b : disk.drivers) buses += (buses.empty() ? "" : ",") + std::string(name_of(b));
  if (disk.kind == DiskRequest::Kind::System) {
    argv.insert(argv.end(), {"--firmware", std::string(name_of(disk.firmware)), "--drivers", buses});
    if (disk.uniprocessor) argv.push_back("--uniprocessor");
  } else if (disk.kind == DiskRequest::Kind::Initrd) {
    argv.insert(argv.end(), {"--drivers", buses});
    if (disk.tools) argv.push_back("--tools");
  }
  const bool sized = disk.kind == DiskRequest::Kind::System || disk.kind == DiskRequest::Kind::Blank;
  if (sized && disk.size_mib != 0) argv.insert(argv.end(), {"--size", std::to_string(disk.size_mib)});
  return argv;
}

ScriptDiskTool::ScriptDiskTool(fs::path images_dir, const std::atomic<int>* cancel)
    : images_dir_(std::move(images_dir)), cancel_(cancel) {}

Result<ArtifactsInfo> ScriptDiskTool::build_artifacts(const fs::path& dir) {
  const auto start = std::chrono::steady_clock::now();
  auto r = machines::run_process({(images_dir_ / "build-image.sh").string(), dir.string()}, 30min, cancel_);
  if (!r) return std::unexpected(make_error("building the model guest image: " + r.error().message));
  if (r->exit_code != 0)
    return std::unexpected(make_error(text("building the model guest image: {} exited with status {}:\n{}",
                                           (images_dir_ / "build-image.sh").string(), r->exit_code, r->output)));
  ArtifactsInfo info;
  info.dir = dir;
  info.log = r->output;
  info.rebuilt = r->output.find("up to date") == std::string::npos;
  info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); ++it) {
    // The downloaded packages and the disks made from the image are not the image.
    if ((it->path().filename() == ".debs" || it->path().filename() == "disks") && it->is_directory()) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec)) info.bytes += it->file_size(ec);
  }
  return info;
}

Status ScriptDiskTool::make_disk(const fs::path& artifacts, const DiskRequest& disk) {
  auto argv = make_disk_argv(images_dir_, artifacts, disk);
  // The cache's key: every argument but the script's path and the output's.
  std::vector<std::string> arguments = argv;
  arguments.erase(arguments.begin() + 3);
  arguments.erase(arguments.begin());
  const DiskCache cache(artifacts, argv.front());
  const std::string key = DiskCache::key(arguments);
  if (cache.fetch(key, disk.path)) return {};
  auto r = machines::run_process(argv, 2min, cancel_);
  if (!r) return std::unexpected(make_error(text("making disk {}: {}", disk.path.string(), r.error().message)));
  if (r->exit_code != 0)
    return std::unexpected(make_error(text("making disk {}: make-disk.sh exited with status {}: {}",
                                           disk.path.string(), r->exit_code, r->output)));
  cache.keep(key, disk.path);
  return {};
}

}  // namespace restorelab::run
