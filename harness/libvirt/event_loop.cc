#include "harness/libvirt/event_loop.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <optional>

#include "harness/libvirt/background_loop.h"

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
    loop_.emplace([] { if (virEventRunDefaultImpl() < 0) virResetLastError(); },
                  // A zero timeout fires on the next iteration, so the loop sees the stop.
                  [this] { wake_timer_ = virEventAddTimeout(0, wake, nullptr, nullptr); });
  }
  ~EventLoop() {
    if (!loop_) return;
    loop_->stop();
    if (wake_timer_ >= 0) virEventRemoveTimeout(wake_timer_);
  }
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  const Status& status() const { return status_; }

 private:
  Status status_;
  int wake_timer_ = -1;
  std::optional<BackgroundLoop> loop_;
};

}  // namespace

Status ensure_event_loop() {
  static EventLoop loop;
  return loop.status();
}

}  // namespace restorelab::libvirt
