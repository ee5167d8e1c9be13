#include "harness/machines/hypervisor.h"

#include <algorithm>

namespace restorelab::machines {

std::string_view state_name(DomainState s) {
  switch (s) {
    case DomainState::NoState: return "no state";
    case DomainState::Running: return "running";
    case DomainState::Blocked: return "idle";
    case DomainState::Paused: return "paused";
    case DomainState::Shutdown: return "in shutdown";
    case DomainState::Shutoff: return "shut off";
    case DomainState::Crashed: return "crashed";
    case DomainState::PmSuspended: return "pmsuspended";
  }
  return "unknown";
}

bool DomainStatus::active() const {
  return state != DomainState::Shutoff && state != DomainState::Crashed &&
         state != DomainState::NoState;
}

bool DomainStatus::crashed() const {
  return state == DomainState::Crashed ||
         (state == DomainState::Shutoff && reason == "crashed") ||
         (state == DomainState::Paused && reason == "panicked");
}

std::string DomainStatus::to_string() const {
  return std::string(state_name(state)) + " (" + reason + ")";
}

Result<std::optional<DomainStatus>> wait_until_inactive(Hypervisor& hypervisor,
                                                        std::string_view name,
                                                        std::chrono::milliseconds timeout,
                                                        std::chrono::milliseconds poll) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  while (true) {
    auto status = hypervisor.status(name);
    if (!status) return std::unexpected(status.error());
    if (!status->active()) return std::optional<DomainStatus>(*status);
    const auto now = Clock::now();
    if (now >= deadline) return std::optional<DomainStatus>();
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    auto event = hypervisor.next_event(name, std::min(left, poll));
    if (!event) return std::unexpected(event.error());
  }
}

}  // namespace restorelab::machines
