#include "harness/output/fd_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace restorelab {

FdStreambuf::FdStreambuf(int fd, std::string what, std::size_t buffer)
    : fd_(fd), what_(std::move(what)), buffer_(buffer) {
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

FdStreambuf::~FdStreambuf() { flush_buffer(); }

void FdStreambuf::refuse(std::string message) { refused_ = std::move(message); }

bool FdStreambuf::flush_buffer() {
  const std::size_t n = static_cast<std::size_t>(pptr() - pbase());
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  if (error_) return false;
  if (n == 0) return true;
  if (refused_) {
    error_ = OutputError{OutputError::Kind::Failed, what_ + ": cannot write: " + *refused_};
    return false;
  }
  if (auto st = write_all(fd_, std::string_view(buffer_.data(), n), what_); !st) {
    error_ = st.error();
    return false;
  }
  return true;
}

FdStreambuf::int_type FdStreambuf::overflow(int_type c) {
  if (!flush_buffer()) return traits_type::eof();
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  *pptr() = traits_type::to_char_type(c);
  pbump(1);
  return c;
}

int FdStreambuf::sync() { return flush_buffer() ? 0 : -1; }

std::streamsize FdStreambuf::xsputn(const char* s, std::streamsize n) {
  if (error_) return 0;
  std::streamsize done = 0;
  while (done < n) {
    const std::streamsize room = epptr() - pptr();
    if (room == 0) {
      if (!flush_buffer()) return done;
      continue;
    }
    const std::streamsize take = std::min(room, n - done);
    std::memcpy(pptr(), s + done, static_cast<std::size_t>(take));
    pbump(static_cast<int>(take));
    done += take;
  }
  return done;
}

ClosedStdio occupy_closed_stdio() {
  ClosedStdio closed;
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    if (fd == 1) closed.out = true;
    if (fd == 2) closed.err = true;
    // open() returns the lowest free descriptor: this one.
    const int null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (null >= 0 && null != fd) {
      dup2(null, fd);
      close(null);
    }
  }
  return closed;
}

}  // namespace restorelab
