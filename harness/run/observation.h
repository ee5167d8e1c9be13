// The observer: what happened on the VMs of one scenario, from their serial
// logs and how each domain ended, and nothing else. It never sees the
// prediction (the verdict compares the two). Follows images/README.md,
// "Reading the outcome (harness)":
//   1. a `restore` line with outcome restore-refused -> restore-refused;
//   2. an `error` line -> the run failed;
//   3. the destination's `boot` line -> its outcome (cpus_used = cpus_online);
//      likewise a VM whose job starts the OS on its disk first (phases
//      `boot,...`: the restore VM of a restore.after chain) when its own
//      phase never ran: that start failed (stop, hang, missing file);
//   4. kernel-start, then silence until the watchdog fired -> hang;
//   5. no kernel-start, and the firmware gave up (reset with on_reboot=destroy,
//      OVMF's shell, or silence) -> no-bootable-device.
// A VM that did not start, a QEMU that died, a phase that ran out of time or
// an earlier VM that did not finish its job is a failed run, never an outcome.
// The last report line may be cut short (the VM ended before the serial port
// sent all of it): a cut line that names its event and, for boot and restore
// lines, its outcome is read as that line, with `detail` saying it was cut and
// `evidence` "(cut short)"; a cut line that says less fails the run with a
// message that says the serial console was cut, and what arrived.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/run/run_plan.h"
#include "rules/model.h"

namespace restorelab::run {

/// How one VM's boot ended, as the runner saw it.
enum class VmEnd : std::uint8_t {
  GuestDone,      ///< the guest printed `done`; the runner then stopped the domain
  Stopped,        ///< the domain stopped by itself (power-off, pvpanic, reset, QEMU died)
  Silent,         ///< no serial output for the silence limit; the runner destroyed it
  FirmwareShell,  ///< OVMF started its shell (nothing to boot); the runner destroyed it
  LoaderStopped,  ///< before any kernel, the boot loader said a file is missing; the runner destroyed it
  TimedOut,       ///< the phase's time limit passed; the runner destroyed it
  StartFailed,    ///< the domain could not be defined or started
  Interrupted,    ///< SIGINT/SIGTERM; the runner destroyed it
  Failed,         ///< talking to the hypervisor failed mid-run, or a disk was not made
};
std::string_view end_name(VmEnd e);  ///< "guest-done", "stopped", "silent", ...

/// One VM boot as the runner recorded it.
struct VmRecord {
  Phase phase = Phase::Source;
  VmEnd end = VmEnd::Failed;
  std::string domain_state;            ///< the final state, e.g. "shut off (crashed)"
  std::vector<std::string> lifecycle;  ///< libvirt events "event/detail", e.g. "stopped/failed"
  std::string serial;                  ///< the serial log
  double seconds = 0;                  ///< start to end
  double stop_seconds = 0;             ///< of `seconds`: stopping the domain after its end was seen
  double silence_seconds = 0;          ///< the silence limit that applied when end is Silent
  std::string error;                   ///< StartFailed/Failed/TimedOut: why
  bool cached = false;                 ///< not booted: reused from the source cache
  bool kernel_started = false;         ///< the guest printed its kernel-start line
  /// Restored from a saved state (warm_start.h): the state file; empty for
  /// a cold boot.
  std::string warm_state;
  /// Of a warm start: seconds spent building the state first (its first
  /// use), 0 when it existed.
  double warm_build_seconds = 0;
  /// Of a warm start restored ahead of its turn, while the VM before it ran
  /// (orchestrator.h): seconds that took, not counted in `seconds`.
  double prepared_seconds = 0;
};

/// What the destination did.
struct Observation {
  std::optional<Outcome> outcome;  ///< absent when the run failed or is incomplete
  std::string error;               ///< non-empty: the run itself failed (verdict error)
  std::string stop_code;           ///< "0x0000007B" for stops
  std::optional<int> cpus_used;    ///< processors online, when it booted
  std::optional<int> cpus_present;
  std::optional<int> nics_configured, nics_orphaned, nics_unconfigured;
  std::vector<std::string> mac_changed, degraded;
  std::string detail;              ///< the guest's detail (or the refusal's reason), and a cut line's note
  std::string evidence;            ///< what decided it, e.g. "destination boot line"

  bool failed() const { return !error.empty(); }
  /// Decided: an outcome or a failure; further VMs of the chain are not run.
  bool final() const { return outcome.has_value() || failed(); }
  bool operator==(const Observation&) const = default;
};

/// QEMU went away without the guest asking (killed, crashed): libvirt's
/// "stopped/failed" event, or a shut-off reason of "failed".
bool qemu_died(const VmRecord& r);

/// The observation after the VMs in `records` (in boot order). An
/// intermediate phase that finished its job leaves it undecided (no outcome,
/// no error): the chain goes on.
Observation observe(const std::vector<VmRecord>& records);

}  // namespace restorelab::run
