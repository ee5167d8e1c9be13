// A FIFO for tests of code that must refuse one without opening it for a
// blocking read: while the test runs, a thread opens the FIFO's other end
// whenever a reader waits on it, so code that would block (and so fails the
// test) sees an empty file instead of hanging the test binary.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace restorelab::testing {

class UnblockedFifo {
 public:
  /// Makes a FIFO at `path` (which must not exist).
  explicit UnblockedFifo(std::filesystem::path path) : path_(std::move(path)) {
    made_ = ::mkfifo(path_.c_str(), 0600) == 0;
    writer_ = std::thread([this] {
      while (!done_.load()) {
        // Succeeds only while a reader has it open (ENXIO otherwise).
        const int fd = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0) ::close(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  ~UnblockedFifo() {
    done_.store(true);
    writer_.join();
  }
  UnblockedFifo(const UnblockedFifo&) = delete;
  UnblockedFifo& operator=(const UnblockedFifo&) = delete;

  bool made() const { return made_; }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
  bool made_ = false;
  std::atomic<bool> done_{false};
  std::thread writer_;
};

}  // namespace restorelab::testing
