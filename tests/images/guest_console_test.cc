// Writing and draining the console, on the host: a pseudo-terminal stands in
// for the serial port's tty, a pipe for a console that is not a terminal.
#include "images/guest/console.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace restorelab::guest {
namespace {

/// A pseudo-terminal pair in raw mode (no newline translation); closed on
/// destruction.
class Pty {
 public:
  Pty() {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
    terminal_ = ::open(::ptsname(master_), O_RDWR | O_NOCTTY);
    termios raw{};
    if (terminal_ >= 0 && ::tcgetattr(terminal_, &raw) == 0) {
      ::cfmakeraw(&raw);
      ::tcsetattr(terminal_, TCSANOW, &raw);
    }
  }
  ~Pty() {
    if (terminal_ >= 0) ::close(terminal_);
    if (master_ >= 0) ::close(master_);
  }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;

  bool ok() const { return master_ >= 0 && terminal_ >= 0; }
  int terminal() const { return terminal_; }
  /// Reads what the terminal side sent, up to `size` bytes.
  std::string Received(std::size_t size) const {
    std::string out;
    char buffer[4096];
    while (out.size() < size) {
      const ssize_t n = ::read(master_, buffer, sizeof buffer);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int master_ = -1;
  int terminal_ = -1;
};

TEST(GuestConsoleTest, WritesALineToATerminalAndDrainsIt) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  const std::string line = R"(RESTORELAB {"event":"boot","outcome":"stop-0x7b","stop_code":"0x0000007B"})" "\n";
  ASSERT_TRUE(WriteAll(pty.terminal(), line).has_value());
  const Status drained = DrainTerminal(pty.terminal());
  EXPECT_TRUE(drained.has_value()) << drained.error().message;
  EXPECT_EQ(pty.Received(line.size()), line);
}

TEST(GuestConsoleTest, DrainingAConsoleThatIsNoTerminalIsAnError) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_TRUE(WriteAll(fds[1], "RESTORELAB {}\n").has_value());
  const Status drained = DrainTerminal(fds[1]);
  ::close(fds[0]);
  ::close(fds[1]);
  ASSERT_FALSE(drained.has_value());
  EXPECT_EQ(drained.error().message, "drain the console (tcdrain): Inappropriate ioctl for device");
}

TEST(GuestConsoleTest, WritingAClosedConsoleIsAnError) {
  const Status written = WriteAll(-1, "x");
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().message, "write to the console: Bad file descriptor");
}

}  // namespace
}  // namespace restorelab::guest
