#include "harness/libvirt/event_loop.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <atomic>
#include <thread>

namespace restorelab::libvirt {
namespace {

void wake(int, void*) {}

class EventLoop {
 public:
  EventLoop() {
    silence_libvirt_default_error_printer();
    if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
      status_ = std::unexpected(last_libvirt_error("registering libvirt's event loop"));
      return;
    }
    thread_ = std::thread([this] {
      while (!quit_.load()) {
        if (virEventRunDefaultImpl() < 0) virResetLastError();
      }
    });
  }
  ~EventLoop() {
    if (!thread_.joinable()) return;
    quit_.store(true);
    // A zero timeout fires on the next iteration, so the loop sees quit_.
    const int timer = virEventAddTimeout(0, wake, nullptr, nullptr);
    thread_.join();
    if (timer >= 0) virEventRemoveTimeout(timer);
  }
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  const Status& status() const { return status_; }

 private:
  Status status_;
  std::atomic<bool> quit_{false};
  std::thread thread_;
};

}  // namespace

Status ensure_event_loop() {
  static EventLoop loop;
  return loop.status();
}

}  // namespace restorelab::libvirt
