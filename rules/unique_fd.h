// A file descriptor with one owner, closed exactly once: the one wrapper for
// every descriptor restorelab opens itself (rules/ reads scenario files,
// the harness writes outputs and takes locks above it).
#pragma once

#include <unistd.h>

#include <cerrno>

namespace restorelab {

/// Owns `fd` (-1: nothing). Closes it on scope exit, or earlier through
/// close(), which reports what the destructor cannot: a failed close.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) noexcept : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  /// Closes now: 0, or the errno of the failed close (the descriptor is gone either way).
  int close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

}  // namespace restorelab
