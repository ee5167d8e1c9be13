#include "harness/cli/embed_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ostream>
#include <string>
#include <thread>

#include "harness/output/text.h"

namespace restorelab {

namespace fs = std::filesystem;

EmbedRootLock::~EmbedRootLock() {
  if (fd_ >= 0) ::close(fd_);
}

machines::Status EmbedRootLock::take(const fs::path& root, std::string_view command, const std::atomic<int>& interrupt,
                                     Streams& io) {
  std::error_code ec;
  fs::create_directories(root, ec);
  const fs::path file = root / "restorelab.lock";
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0644);
  if (fd_ < 0) return std::unexpected(machines::make_error(text("{}: {}", file.string(), std::strerror(errno))));
  // A lock file that is not a regular file (a FIFO would block reading the
  // holder's pid) is not restorelab's.
  if (struct stat st{}; ::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))
    return std::unexpected(machines::make_error(file.string() + ": not a regular file; remove it"));
  bool said = false;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR)
      return std::unexpected(machines::make_error(text("locking {}: {}", file.string(), std::strerror(errno))));
    if (interrupt.load() != 0) return std::unexpected(machines::make_error("interrupted while waiting for " + root.string()));
    if (!said) {
      char buffer[16] = {};
      const ssize_t n = ::pread(fd_, buffer, sizeof buffer - 1, 0);
      std::string pid(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
      if (pid.find_first_not_of("0123456789\n") != std::string::npos) pid.clear();
      while (!pid.empty() && pid.back() == '\n') pid.pop_back();
      io.err << command << ": waiting for another run" << (pid.empty() ? "" : " (pid " + pid + ")")
             << " to finish with " << root.string() << ": an embedded libvirt serves one process at a time\n";
      said = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, pid.data(), pid.size(), 0);
  return {};
}

}  // namespace restorelab
