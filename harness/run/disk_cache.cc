#include "harness/run/disk_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <thread>

#include "harness/output/input_file.h"
#include "harness/output/output_file.h"
#include "rules/fnv.h"
#include "rules/unique_fd.h"

namespace restorelab::run {

namespace {

std::string failed(const std::string& what, const fs::path& file, int error) {
  return what + " " + file.string() + ": " + std::strerror(error);
}

/// Copies [offset, end) of `in` to the same offsets of `out`.
std::string copy_range(int in, int out, off_t offset, off_t end, const fs::path& from, const fs::path& to) {
  while (offset < end) {
    off_t in_at = offset, out_at = offset;
    const ssize_t n = ::copy_file_range(in, &in_at, out, &out_at, static_cast<std::size_t>(end - offset), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed("copying to", to, errno);
    if (n == 0) return "copying " + from.string() + ": it ended early (changed while it was copied?)";
    offset += n;
  }
  return "";
}

/// Whether `name` is a generation folder's name (32 hex digits): the only
/// entries of the cache's root that a new generation removes.
bool generation_name(const std::string& name) {
  return name.size() == 32 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

std::string copy_sparse(const fs::path& from, const fs::path& to) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (in.get() < 0) return failed("opening", from, errno);
  struct stat st{};
  if (::fstat(in.get(), &st) != 0) return failed("reading", from, errno);
  if (!S_ISREG(st.st_mode)) return from.string() + " is not a regular file";
  UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (out.get() < 0) return failed("creating", to, errno);
  std::string error;
  if (::ftruncate(out.get(), st.st_size) != 0) error = failed("sizing", to, errno);
  // Each data extent, from SEEK_DATA to the next hole; the holes stay holes.
  for (off_t at = 0; error.empty() && at < st.st_size;) {
    const off_t data = ::lseek(in.get(), at, SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // only a hole is left
    if (data < 0) {
      error = failed("reading", from, errno);
      break;
    }
    off_t hole = ::lseek(in.get(), data, SEEK_HOLE);
    if (hole < 0) {
      error = failed("reading", from, errno);
      break;
    }
    hole = std::min<off_t>(hole, st.st_size);
    error = copy_range(in.get(), out.get(), data, hole, from, to);
    at = hole;
  }
  if (error.empty() && ::fsync(out.get()) != 0) error = failed("writing", to, errno);
  if (const int e = out.close(); error.empty() && e != 0) error = failed("writing", to, e);
  if (!error.empty()) {
    std::error_code ec;
    fs::remove(to, ec);
  }
  return error;
}

DiskCache::DiskCache(const fs::path& artifacts, const fs::path& make_disk) : root_(artifacts / "disks") {
  const std::string stamp = read_file_or_empty(artifacts / "stamp");
  dir_ = root_ / fnv128_hex(std::to_string(stamp.size()) + "\n" + stamp + read_file_or_empty(make_disk));
}

std::string DiskCache::key(const std::vector<std::string>& arguments) {
  std::string joined;
  for (const std::string& a : arguments) joined += std::to_string(a.size()) + ":" + a;
  return fnv128_hex(joined);
}

bool DiskCache::fetch(const std::string& key, const fs::path& out) const {
  // copy_sparse reads a regular file only (no link, no device) and creates
  // `out` only once it has it open.
  return copy_sparse(dir_ / (key + ".img"), out).empty();
}

void DiskCache::keep(const std::string& key, const fs::path& made) const {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dir_, ec))) {
    // A new generation: the disks of older ones can never be asked for again.
    for (const auto& e : fs::directory_iterator(root_, ec))
      if (e.path() != dir_ && generation_name(e.path().filename().string())) fs::remove_all(e.path(), ec);
    fs::create_directories(dir_, ec);
    if (ec) return;
  }
  std::size_t kept = 0;
  for (const auto& e : fs::directory_iterator(dir_, ec))
    if (e.path().extension() == ".img") ++kept;
  if (ec || kept >= kMaxEntries) return;
  // Two runs may keep the same disk at once: each writes its own file.
  const fs::path temp = dir_ / ("." + key + "." + std::to_string(::getpid()) + "-" +
                                std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())) + ".tmp");
  fs::remove(temp, ec);
  if (!copy_sparse(made, temp).empty()) return;
  if (!rename_onto_regular(temp, dir_ / (key + ".img")).empty()) fs::remove(temp, ec);
}

}  // namespace restorelab::run
