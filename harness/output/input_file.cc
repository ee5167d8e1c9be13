#include "harness/output/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "harness/output/text.h"
#include "rules/unique_fd.h"

namespace restorelab {

std::string read_file_or_empty(const std::filesystem::path& path) {
  // istream::read turns a failed read(2) into badbit. An istreambuf_iterator
  // lets the file buffer's exception out instead: reading /proc/PID/cmdline
  // of a process that had just exited (ESRCH) once aborted a whole run and
  // left its QEMUs behind.
  std::ifstream in(path, std::ios::binary);
  std::string out;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) out.append(buffer, static_cast<std::size_t>(in.gcount()));
  return in.bad() ? std::string() : out;
}

std::string file_kind(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a folder";
    case S_IFIFO: return "a FIFO";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFSOCK: return "a socket";
    case S_IFLNK: return "a symbolic link";
    default: return "not a file";
  }
}

namespace {

/// Opens `path` as the file comment says: a regular file, without blocking.
std::expected<int, InputError> open_regular(const std::filesystem::path& path, struct stat& st) {
  auto fail = [&](std::string why, bool missing = false) {
    return std::unexpected(InputError{path.string() + ": " + std::move(why), missing});
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int e = errno;
    return fail(std::string("cannot be read: ") + std::strerror(e), e == ENOENT);
  }
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return fail(std::string("cannot be read: ") + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(file_kind(st.st_mode) + ", not a regular file");
  }
  return fd;
}

/// Reads up to `limit` bytes from `fd`; -1 with errno on failure. Reads one
/// byte more than `limit` when `probe` (to see that the file goes on).
ssize_t read_up_to(int fd, std::string& into, std::size_t limit, bool probe) {
  into.assign(limit + (probe ? 1 : 0), '\0');
  std::size_t got = 0;
  while (got < into.size()) {
    const ssize_t n = ::read(fd, into.data() + got, into.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  into.resize(got);
  return static_cast<ssize_t>(got);
}

}  // namespace

std::expected<std::string, InputError> read_regular_file(const std::filesystem::path& path, std::size_t max_bytes) {
  struct stat st{};
  auto fd = open_regular(path, st);
  if (!fd) return std::unexpected(fd.error());
  const UniqueFd f(*fd);
  auto fail = [&](std::string why) { return std::unexpected(InputError{path.string() + ": " + std::move(why)}); };
  const auto size = static_cast<std::uintmax_t>(st.st_size);
  if (size > max_bytes) return fail(human_bytes(size) + "; expected at most " + human_bytes(max_bytes));
  // The file may grow while it is read: never past its size when checked.
  std::string content;
  if (read_up_to(f.get(), content, static_cast<std::size_t>(size), /*probe=*/true) < 0)
    return fail(std::string("cannot be read: ") + std::strerror(errno));
  if (content.size() > size) return fail("changed size while it was read; try again");
  return content;
}

std::expected<std::string, InputError> read_file_start(const std::filesystem::path& path, std::size_t bytes) {
  struct stat st{};
  auto fd = open_regular(path, st);
  if (!fd) return std::unexpected(fd.error());
  const UniqueFd f(*fd);
  std::string content;
  if (read_up_to(f.get(), content, bytes, /*probe=*/false) < 0)
    return std::unexpected(InputError{path.string() + ": cannot be read: " + std::strerror(errno)});
  return content;
}

}  // namespace restorelab
