// Boots one VM and watches it until it is over: the guest printed `done`, the
// domain stopped by itself, the serial console went silent (watchdog), OVMF
// started its shell, the boot loader said a file is missing, the phase ran
// out of time, or the run was interrupted.
// It records what it saw (VmRecord) and leaves the domain stopped but defined;
// it does not interpret the serial log beyond spotting those ends.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <optional>
#include <string>

#include "harness/machines/hypervisor.h"
#include "harness/run/observation.h"

namespace restorelab::run {

/// Time limits of one VM boot.
struct VmLimits {
  std::chrono::milliseconds total{std::chrono::seconds(150)};
  /// Silence after kernel-start that counts as a hang (images/README.md: 20 s).
  std::chrono::milliseconds silence_after_kernel{std::chrono::seconds(20)};
  /// Silence before any kernel started: the firmware waits for nothing.
  std::chrono::milliseconds silence_before_kernel{std::chrono::seconds(45)};
  /// How often the serial log and the domain's state are read: a line (and
  /// the guest's `done`, after which the next VM goes) is seen within this.
  std::chrono::milliseconds poll{std::chrono::milliseconds(25)};
};

/// Called about once a second while a VM runs: seconds since it started.
using ProgressFn = std::function<void(double seconds)>;

/// Called once the guest's `done` line is in its serial log (`serial`: the
/// log so far) and the screenshot is taken, before the power-off: its disks
/// are written by then (the guest unmounts and syncs first).
using DoneFn = std::function<void(const std::string& serial)>;

/// A domain restore_paused() restored and resumed before its turn (at the
/// `done` of the VM before it): when, and how the resume went.
struct EarlyResume {
  std::chrono::steady_clock::time_point at;
  machines::Status status;
};

/// A domain defined and started (define_and_start) in the background before
/// its turn: when that began, and its result once there.
struct EarlyStart {
  std::chrono::steady_clock::time_point at;
  std::shared_future<machines::Status> started;
};

class VmRunner {
 public:
  /// `interrupt` non-zero means stop now (a signal arrived). Both must
  /// outlive the runner.
  VmRunner(machines::Hypervisor& hypervisor, const std::atomic<int>& interrupt)
      : hypervisor_(hypervisor), interrupt_(interrupt) {}

  /// Defines `name` from `xml`, starts it and watches it as described above.
  /// `serial_log` is the file the domain's serial port writes (read, never
  /// written). A screenshot goes to `screenshot` when the domain is still
  /// running at the end (not after it stopped by itself). The domain is
  /// destroyed (not undefined) before returning.
  VmRecord run(Phase phase, const std::string& name, const std::string& xml,
               const std::filesystem::path& serial_log, const std::filesystem::path& screenshot,
               const VmLimits& limits, const ProgressFn& progress = {});

  /// The first half of run(), to do ahead of time: defines and starts it.
  machines::Status define_and_start(const std::string& name, const std::string& xml);
  /// The second half: watches a domain `early` started, as run() does; its
  /// record counts from when that start began.
  VmRecord run_started(Phase phase, const std::string& name, const std::filesystem::path& serial_log,
                       const std::filesystem::path& screenshot, const VmLimits& limits, const ProgressFn& progress,
                       const EarlyStart& early);

  /// The same for a VM restored from a saved state (`state`, written by
  /// Hypervisor::save) with `xml` as its definition: a warm start
  /// (warm_start.h). The domain is transient: it is gone once destroyed. A
  /// state that cannot be restored ends as StartFailed.
  VmRecord run_restored(Phase phase, const std::string& name, const std::filesystem::path& state,
                        const std::string& xml, const std::filesystem::path& serial_log,
                        const std::filesystem::path& screenshot, const VmLimits& limits,
                        const ProgressFn& progress = {});
  /// The first half of run_restored, done ahead of time: the domain is
  /// restored and left paused, its guest not yet running.
  machines::Status restore_paused(const std::string& name, const std::filesystem::path& state,
                                  const std::string& xml);
  /// The second half: resumes a domain restore_paused() restored and
  /// watches it as run_restored() does. A domain that cannot be resumed is
  /// destroyed and ends as StartFailed.
  /// With `early`, the domain was resumed already: it is only watched, and
  /// its record counts from that resume.
  VmRecord run_resumed(Phase phase, const std::string& name, const std::filesystem::path& serial_log,
                       const std::filesystem::path& screenshot, const VmLimits& limits,
                       const ProgressFn& progress = {}, const std::optional<EarlyResume>& early = std::nullopt);

  /// What to do when the guest says `done` (see DoneFn); for the next run.
  void on_done(DoneFn fn) { on_done_ = std::move(fn); }

 private:
  void drain_old_events(const std::string& name);
  /// Starts the domain with `start_domain` and watches it (see run()).
  /// `transient`: the domain disappears when it stops (a restored one).
  VmRecord launch(Phase phase, const std::string& name, const std::filesystem::path& serial_log,
                  const std::filesystem::path& screenshot, const VmLimits& limits, const ProgressFn& progress,
                  bool transient, const std::function<machines::Status()>& start_domain,
                  std::chrono::steady_clock::time_point start_time = std::chrono::steady_clock::now());

  machines::Hypervisor& hypervisor_;
  const std::atomic<int>& interrupt_;
  DoneFn on_done_;
};

}  // namespace restorelab::run
