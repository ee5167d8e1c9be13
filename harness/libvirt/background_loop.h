// A thread that repeats one step until its owner stops it: the shape of
// libvirt's event loop thread and of the QEMU reaper.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace restorelab::libvirt {

class BackgroundLoop {
 public:
  /// Starts a thread calling `step` over and over. `wake`, when given, is
  /// called by stop() after the stop is requested, so that a `step` that
  /// blocks returns and the thread sees the request.
  explicit BackgroundLoop(std::function<void()> step, std::function<void()> wake = {})
      : wake_(std::move(wake)), thread_([this, step = std::move(step)] {
          while (!quit_.load()) step();
        }) {}
  ~BackgroundLoop() { stop(); }
  BackgroundLoop(const BackgroundLoop&) = delete;
  BackgroundLoop& operator=(const BackgroundLoop&) = delete;

  /// Requests the stop, wakes the step and joins the thread (once).
  void stop() {
    if (!thread_.joinable()) return;
    quit_.store(true);
    if (wake_) wake_();
    thread_.join();
  }

 private:
  std::atomic<bool> quit_{false};  // declared before thread_: set before the thread starts
  std::function<void()> wake_;
  std::thread thread_;
};

}  // namespace restorelab::libvirt
