#include "images/guest/console.h"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace restorelab::guest {

Status WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Fail(std::string("write to the console: ") + (n < 0 ? std::strerror(errno) : "nothing written"));
    text.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Status DrainTerminal(int fd) {
  while (::tcdrain(fd) != 0) {
    if (errno != EINTR) return Fail(std::string("drain the console (tcdrain): ") + std::strerror(errno));
  }
  return {};
}

}  // namespace restorelab::guest
