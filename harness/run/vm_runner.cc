#include "harness/run/vm_runner.h"

#include "harness/output/input_file.h"
#include "harness/output/text.h"
#include "harness/run/serial_log.h"

namespace restorelab::run {

using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kKernelStartEvent = "\"event\":\"kernel-start\"";

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

VmRecord VmRunner::run(Phase phase, const std::string& name, const std::string& xml,
                       const std::filesystem::path& serial_log, const std::filesystem::path& screenshot,
                       const VmLimits& limits, const ProgressFn& progress) {
  return launch(phase, name, serial_log, screenshot, limits, progress, false,
                [&] { return define_and_start(name, xml); });
}

machines::Status VmRunner::define_and_start(const std::string& name, const std::string& xml) {
  auto defined = hypervisor_.define(xml);
  if (!defined) return std::unexpected(defined.error());
  drain_old_events(name);
  return hypervisor_.start(name);
}

VmRecord VmRunner::run_started(Phase phase, const std::string& name, const std::filesystem::path& serial_log,
                               const std::filesystem::path& screenshot, const VmLimits& limits,
                               const ProgressFn& progress, const EarlyStart& early) {
  return launch(phase, name, serial_log, screenshot, limits, progress, false, [&] { return early.started.get(); },
                early.at);
}

VmRecord VmRunner::run_restored(Phase phase, const std::string& name, const std::filesystem::path& state,
                                const std::string& xml, const std::filesystem::path& serial_log,
                                const std::filesystem::path& screenshot, const VmLimits& limits,
                                const ProgressFn& progress) {
  return launch(phase, name, serial_log, screenshot, limits, progress, true, [&]() -> machines::Status {
    drain_old_events(name);
    return hypervisor_.restore(state, xml, false);
  });
}

machines::Status VmRunner::restore_paused(const std::string& name, const std::filesystem::path& state,
                                          const std::string& xml) {
  drain_old_events(name);
  return hypervisor_.restore(state, xml, true);
}

VmRecord VmRunner::run_resumed(Phase phase, const std::string& name, const std::filesystem::path& serial_log,
                               const std::filesystem::path& screenshot, const VmLimits& limits,
                               const ProgressFn& progress, const std::optional<EarlyResume>& early) {
  const auto resume = [&]() -> machines::Status {
    auto resumed = early ? early->status : hypervisor_.resume(name);
    // A domain that stays paused would outlive the run.
    if (!resumed) (void)hypervisor_.destroy(name);
    return resumed;
  };
  return launch(phase, name, serial_log, screenshot, limits, progress, true, resume,
                early ? early->at : Clock::now());
}

void VmRunner::drain_old_events(const std::string& name) {
  // Events of an earlier domain of the same name must not count for this one.
  while (true) {
    auto e = hypervisor_.next_event(name, std::chrono::milliseconds(0));
    if (!e || !*e) break;
  }
}

namespace {

/// One VM from its start until it ends: the record as it fills, and each
/// way of ending it (stop, the guest's `done`, a domain that stopped).
class Watch {
 public:
  Watch(machines::Hypervisor& hypervisor, Phase phase, const std::string& name,
        const std::filesystem::path& serial_log, const std::filesystem::path& screenshot, bool transient,
        Clock::time_point started)
      : start(started), hypervisor_(hypervisor), name_(name), serial_log_(serial_log), screenshot_(screenshot),
        transient_(transient) {
    r.phase = phase;
  }

  VmRecord finish(VmEnd end) {
    r.end = end;
    r.seconds = since(start);
    if (r.serial.empty()) r.serial = read_file_or_empty(serial_log_);
    r.kernel_started = r.serial.find(kKernelStartEvent) != std::string::npos;
    return r;
  }

  void drain_events(std::chrono::milliseconds first_wait) {
    auto wait = first_wait;
    while (true) {
      auto e = hypervisor_.next_event(name_, wait);
      if (!e || !*e) return;
      r.lifecycle.push_back((*e)->event + "/" + (*e)->detail);
      wait = std::chrono::milliseconds(0);
    }
  }

  // A restored domain is transient: once it stops it is gone, and its last
  // `stopped` event says how it ended. A defined domain that is gone is a
  // failure, as before.
  machines::Result<machines::DomainStatus> status_of() {
    auto st = hypervisor_.status(name_);
    if (st || !transient_ || !st.error().no_domain()) return st;
    drain_events(std::chrono::milliseconds(0));
    std::string how = "unknown";
    for (const std::string& e : r.lifecycle)
      if (e.starts_with("stopped/")) how = e.substr(8);
    return machines::DomainStatus{machines::DomainState::Shutoff, how};
  }

  void destroy() {
    if (auto d = hypervisor_.destroy(name_); !d && !(transient_ && d.error().no_domain()) && r.error.empty())
      r.error = d.error().message;
  }

  VmRecord stop(VmEnd end, bool take_screenshot) {
    const auto stopping = Clock::now();
    if (take_screenshot) (void)hypervisor_.screenshot(name_, screenshot_);
    destroy();
    if (auto st = status_of()) r.domain_state = st->to_string();
    r.serial = read_file_or_empty(serial_log_);
    r.stop_seconds = since(stopping);
    return finish(end);
  }

  /// The guest said `done`; `then` runs once the screenshot is taken.
  VmRecord done(const std::function<void()>& then) {
    // The guest powers off right after `done` (ACPI; without ACPI it
    // halts), which libvirt reports in ~0.2 s; wait for that a little
    // before destroying. The screenshot has to be taken first, before
    // anything else competes with it for the processors.
    const auto seen_done = Clock::now();
    (void)hypervisor_.screenshot(name_, screenshot_);
    then();
    const auto until = Clock::now() + std::chrono::milliseconds(1500);
    while (Clock::now() < until) {
      auto st = status_of();
      if (st && !st->active()) {
        r.domain_state = st->to_string();
        drain_events(std::chrono::milliseconds(0));
        r.serial = read_file_or_empty(serial_log_);
        r.stop_seconds = since(seen_done);
        return finish(VmEnd::GuestDone);
      }
      drain_events(std::chrono::milliseconds(20));
    }
    return stop(VmEnd::GuestDone, false);
  }

  /// The domain is no longer active although nobody stopped it.
  VmRecord stopped(const machines::DomainStatus& status) {
    drain_events(std::chrono::milliseconds(50));
    r.domain_state = status.to_string();
    if (status.state == machines::DomainState::Crashed) {
      // on_crash=preserve keeps a panicked guest for its screenshot.
      const auto stopping = Clock::now();
      (void)hypervisor_.screenshot(name_, screenshot_);
      destroy();
      r.stop_seconds = since(stopping);
    }
    r.serial = read_file_or_empty(serial_log_);
    return finish(VmEnd::Stopped);
  }

  VmRecord r;
  const Clock::time_point start;

 private:
  machines::Hypervisor& hypervisor_;
  const std::string& name_;
  const std::filesystem::path& serial_log_;
  const std::filesystem::path& screenshot_;
  const bool transient_;
};

}  // namespace

VmRecord VmRunner::launch(Phase phase, const std::string& name, const std::filesystem::path& serial_log,
                          const std::filesystem::path& screenshot, const VmLimits& limits, const ProgressFn& progress,
                          bool transient, const std::function<machines::Status()>& start_domain,
                          Clock::time_point start_time) {
  Watch vm(hypervisor_, phase, name, serial_log, screenshot, transient, start_time);
  if (auto started = start_domain(); !started) {
    vm.r.error = started.error().message;
    if (auto st = hypervisor_.status(name)) vm.r.domain_state = st->to_string();
    return vm.finish(VmEnd::StartFailed);
  }

  std::size_t seen = 0;
  auto last_output = Clock::now();
  bool kernel = false;
  bool loader = false;  // a boot loader took over: the firmware found the disk
  double last_progress = -1;
  while (true) {
    if (interrupt_.load() != 0) return vm.stop(VmEnd::Interrupted, false);
    const std::string serial = read_file_or_empty(serial_log);
    if (serial.size() != seen) {
      if (!kernel || serial.size() > seen) last_output = Clock::now();
      seen = serial.size();
      kernel = kernel || serial.find(kKernelStartEvent) != std::string::npos;
      loader = loader || (!kernel && boot_loader_started(serial));
      if (serial.find("RESTORELAB {\"event\":\"done\"") != std::string::npos) {
        return vm.done([&] {
          if (on_done_) on_done_(serial);
        });
      }
      if (firmware_shell_started(serial)) return vm.stop(VmEnd::FirmwareShell, true);
      // syslinux then waits at `boot:`, systemd-boot returns to the
      // firmware's menu: nothing more will happen, so do not wait out the
      // silence limit (45 s) for it.
      if (!kernel && loader_missing_file(serial)) return vm.stop(VmEnd::LoaderStopped, true);
    }
    auto status = vm.status_of();
    if (!status) {
      vm.r.error = status.error().message;
      return vm.stop(VmEnd::Failed, false);
    }
    if (!status->active()) return vm.stopped(*status);
    const double elapsed = since(vm.start);
    const auto silent = Clock::now() - last_output;
    // Once a loader took over, silence before a kernel is a slow load, not
    // the firmware giving up (images/README.md, "Reading the outcome" 6):
    // only the phase's time limit ends it.
    const auto silence_limit = kernel ? limits.silence_after_kernel : limits.silence_before_kernel;
    if (silent >= silence_limit && (kernel || !loader)) {
      vm.r.silence_seconds = std::chrono::duration<double>(silence_limit).count();
      return vm.stop(VmEnd::Silent, true);
    }
    if (Clock::now() - vm.start >= limits.total) {
      vm.r.error = text("no result within {} s", static_cast<int>(limits.total.count() / 1000));
      return vm.stop(VmEnd::TimedOut, true);
    }
    if (progress && elapsed - last_progress >= 1.0) {
      last_progress = elapsed;
      progress(elapsed);
    }
    vm.drain_events(limits.poll);
  }
}

}  // namespace restorelab::run
