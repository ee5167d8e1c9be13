// The seam between the harness and whatever runs virtual machines. The harness
// talks only to Hypervisor; LibvirtHypervisor (libvirt_hypervisor.h) is the
// real implementation and FakeHypervisor (fake_hypervisor.h) the test double.
// Domains are named by their libvirt name everywhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/machines/error.h"

namespace restorelab::machines {

/// libvirt's domain states (virDomainState).
enum class DomainState : std::uint8_t {
  NoState, Running, Blocked, Paused, Shutdown, Shutoff, Crashed, PmSuspended,
};
std::string_view state_name(DomainState s);  ///< "running", "shut off", ... as virsh says

/// A domain's state and libvirt's reason for it.
struct DomainStatus {
  DomainState state = DomainState::NoState;
  /// libvirt's reason for `state` in virsh's words: for shut off "shutdown"
  /// (the guest powered off), "destroyed", "crashed" (on_crash=destroy after a
  /// panic), "failed" (QEMU could not start), "unknown"...; for running
  /// "booted"...; for crashed "panicked"; for paused "panicked", "user", ...
  std::string reason;

  /// True while QEMU runs for the domain (running, blocked, paused, shutting
  /// down, suspended); false for shut off, crashed and no state.
  bool active() const;
  /// True when the guest panicked: state crashed, shut off because it
  /// crashed, or paused because it panicked.
  bool crashed() const;
  /// `shut off (crashed)`.
  std::string to_string() const;
  bool operator==(const DomainStatus&) const = default;
};

/// One lifecycle event (VIR_DOMAIN_EVENT_ID_LIFECYCLE) of one domain.
struct LifecycleEvent {
  std::string domain;
  /// "defined", "undefined", "started", "suspended", "resumed", "stopped",
  /// "shutdown", "pmsuspended" or "crashed".
  std::string event;
  /// The event's detail, e.g. "booted" for started; "shutdown", "destroyed",
  /// "crashed", "failed" for stopped; "panicked" for crashed.
  std::string detail;
  bool operator==(const LifecycleEvent&) const = default;
};

/// Runs and observes virtual machines. Not thread-safe: one thread uses one
/// Hypervisor (events are collected in the background and queued).
class Hypervisor {
 public:
  virtual ~Hypervisor() = default;

  /// Defines a persistent domain from `xml` (validated against libvirt's
  /// schema) and returns its name. An inactive domain of the same name is
  /// replaced.
  virtual Result<std::string> define(std::string_view xml) = 0;
  /// Starts a defined domain. Fails when QEMU cannot start it.
  virtual Status start(std::string_view name) = 0;
  /// The domain's state and reason. Error no_domain() when it does not exist.
  virtual Result<DomainStatus> status(std::string_view name) = 0;
  /// The oldest lifecycle event of `name` not yet returned, waiting at most
  /// `timeout` for one; nullopt when none came. Events are collected from the
  /// moment the hypervisor was opened, so none is lost between start() and
  /// the first call.
  virtual Result<std::optional<LifecycleEvent>> next_event(std::string_view name,
                                                           std::chrono::milliseconds timeout) = 0;
  /// Stops the domain at once, like pulling the power cord. Success when it
  /// was not running.
  virtual Status destroy(std::string_view name) = 0;
  /// Removes the domain's definition and its NVRAM file. A running domain
  /// keeps running as a transient one; destroy it first.
  virtual Status undefine(std::string_view name) = 0;
  /// Names of all domains (running or not) starting with `prefix`, sorted.
  virtual Result<std::vector<std::string>> list_domains(std::string_view prefix) = 0;
  /// Writes what the domain's primary display shows to `png` as a PNG file.
  /// The domain must be running.
  virtual Status screenshot(std::string_view name, const std::filesystem::path& png) = 0;

  /// Saves the running domain's memory and device state to `file`
  /// (virDomainSaveFlags) and stops it. On failure the domain may still be
  /// running: destroy it.
  virtual Status save(std::string_view name, const std::filesystem::path& file) = 0;
  /// Starts a transient domain from a state `save` wrote, with `xml` as its
  /// definition (virDomainRestoreFlags, running). `xml` may change what the
  /// guest has not seen yet (disk image paths, the serial log, fw_cfg files)
  /// but must keep the name, UUID, MACs, processors, memory and devices.
  /// A restored domain disappears when it stops. `paused`: the domain is
  /// left paused once its state is in (virDomainRestoreFlags with
  /// VIR_DOMAIN_SAVE_PAUSED); its guest runs from resume().
  virtual Status restore(const std::filesystem::path& file, std::string_view xml, bool paused) = 0;
  /// Lets a paused domain (restored paused) run (virDomainResume).
  virtual Status resume(std::string_view name) = 0;
  /// What a saved state depends on besides the domain XML: the versions of
  /// the virtualization library and of the hypervisor, e.g.
  /// "libvirt 9000000, hypervisor 7002022".
  virtual Result<std::string> versions() = 0;
};

/// Waits until `name` is no longer active (see DomainStatus::active) and
/// returns its status then; nullopt when `timeout` passed while it was still
/// active (a hang). Wakes on lifecycle events and re-reads the status at least
/// every `poll`, so a missed event only delays the answer.
Result<std::optional<DomainStatus>> wait_until_inactive(
    Hypervisor& hypervisor, std::string_view name, std::chrono::milliseconds timeout,
    std::chrono::milliseconds poll = std::chrono::milliseconds(500));

}  // namespace restorelab::machines
