#include "harness/run/interrupt.h"

#include <signal.h>

namespace restorelab::run {

namespace {
std::atomic<int> g_interrupt{0};
static_assert(std::atomic<int>::is_always_lock_free, "signal handlers need a lock-free flag");

extern "C" void on_signal(int sig) { g_interrupt.store(sig); }
}  // namespace

std::atomic<int>& install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return g_interrupt;
}

void restore_default_handlers() {
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
}

}  // namespace restorelab::run
