#include "harness/run/vm_runner.h"

#include <fstream>
#include <sstream>

#include "harness/output/text.h"
#include "harness/run/serial_log.h"

namespace restorelab::run {

using Clock = std::chrono::steady_clock;

namespace {

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr std::string_view kKernelStartEvent = "\"event\":\"kernel-start\"";

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

VmRecord VmRunner::run(Phase phase, const std::string& name, const std::string& xml,
                       const std::filesystem::path& serial_log, const std::filesystem::path& screenshot,
                       const VmLimits& limits, const ProgressFn& progress) {
  return launch(phase, name, serial_log, screenshot, limits, progress, false, [&]() -> machines::Status {
    auto defined = hypervisor_.define(xml);
    if (!defined) return std::unexpected(defined.error());
    drain_old_events(name);
    return hypervisor_.start(name);
  });
}

VmRecord VmRunner::run_restored(Phase phase, const std::string& name, const std::filesystem::path& state,
                                const std::string& xml, const std::filesystem::path& serial_log,
                                const std::filesystem::path& screenshot, const VmLimits& limits,
                                const ProgressFn& progress) {
  return launch(phase, name, serial_log, screenshot, limits, progress, true, [&]() -> machines::Status {
    drain_old_events(name);
    return hypervisor_.restore(state, xml);
  });
}

void VmRunner::drain_old_events(const std::string& name) {
  // Events of an earlier domain of the same name must not count for this one.
  while (true) {
    auto e = hypervisor_.next_event(name, std::chrono::milliseconds(0));
    if (!e || !*e) break;
  }
}

VmRecord VmRunner::launch(Phase phase, const std::string& name, const std::filesystem::path& serial_log,
                          const std::filesystem::path& screenshot, const VmLimits& limits, const ProgressFn& progress,
                          bool transient, const std::function<machines::Status()>& start_domain) {
  VmRecord r;
  r.phase = phase;
  const auto start = Clock::now();
  auto finish = [&](VmEnd end) {
    r.end = end;
    r.seconds = since(start);
    if (r.serial.empty()) r.serial = read_all(serial_log);
    r.kernel_started = r.serial.find(kKernelStartEvent) != std::string::npos;
    return r;
  };
  if (auto started = start_domain(); !started) {
    r.error = started.error().message;
    if (auto st = hypervisor_.status(name)) r.domain_state = st->to_string();
    return finish(VmEnd::StartFailed);
  }

  auto drain_events = [&](std::chrono::milliseconds first_wait) {
    auto wait = first_wait;
    while (true) {
      auto e = hypervisor_.next_event(name, wait);
      if (!e || !*e) return;
      r.lifecycle.push_back((*e)->event + "/" + (*e)->detail);
      wait = std::chrono::milliseconds(0);
    }
  };
  // A restored domain is transient: once it stops it is gone, and its last
  // `stopped` event says how it ended. A defined domain that is gone is a
  // failure, as before.
  auto status_of = [&]() -> machines::Result<machines::DomainStatus> {
    auto st = hypervisor_.status(name);
    if (st || !transient || !st.error().no_domain()) return st;
    drain_events(std::chrono::milliseconds(0));
    std::string how = "unknown";
    for (const std::string& e : r.lifecycle)
      if (e.starts_with("stopped/")) how = e.substr(8);
    return machines::DomainStatus{machines::DomainState::Shutoff, how};
  };
  auto destroy = [&] {
    if (auto d = hypervisor_.destroy(name); !d && !(transient && d.error().no_domain()) && r.error.empty())
      r.error = d.error().message;
  };

  std::size_t seen = 0;
  auto last_output = Clock::now();
  bool kernel = false;
  double last_progress = -1;
  auto stop = [&](VmEnd end, bool take_screenshot) {
    const auto stopping = Clock::now();
    if (take_screenshot) (void)hypervisor_.screenshot(name, screenshot);
    destroy();
    if (auto st = status_of()) r.domain_state = st->to_string();
    r.serial = read_all(serial_log);
    r.stop_seconds = since(stopping);
    return finish(end);
  };

  while (true) {
    if (interrupt_.load() != 0) return stop(VmEnd::Interrupted, false);
    const std::string serial = read_all(serial_log);
    if (serial.size() != seen) {
      if (!kernel || serial.size() > seen) last_output = Clock::now();
      seen = serial.size();
      kernel = kernel || serial.find(kKernelStartEvent) != std::string::npos;
      if (serial.find("RESTORELAB {\"event\":\"done\"") != std::string::npos) {
        // The guest powers off right after `done` (ACPI; without ACPI it
        // halts), which libvirt reports in ~0.2 s; wait for that a little
        // before destroying. The screenshot has to be taken first.
        const auto seen_done = Clock::now();
        (void)hypervisor_.screenshot(name, screenshot);
        {
          const auto until = Clock::now() + std::chrono::milliseconds(1500);
          while (Clock::now() < until) {
            auto st = status_of();
            if (st && !st->active()) {
              r.domain_state = st->to_string();
              drain_events(std::chrono::milliseconds(0));
              r.serial = read_all(serial_log);
              r.stop_seconds = since(seen_done);
              return finish(VmEnd::GuestDone);
            }
            drain_events(std::chrono::milliseconds(20));
          }
        }
        return stop(VmEnd::GuestDone, false);
      }
      if (firmware_shell_started(serial)) return stop(VmEnd::FirmwareShell, true);
      // syslinux then waits at `boot:`, systemd-boot returns to the
      // firmware's menu: nothing more will happen, so do not wait out the
      // silence limit (45 s) for it.
      if (!kernel && loader_missing_file(serial)) return stop(VmEnd::LoaderStopped, true);
    }
    auto status = status_of();
    if (!status) {
      r.error = status.error().message;
      return stop(VmEnd::Failed, false);
    }
    if (!status->active()) {
      drain_events(std::chrono::milliseconds(50));
      r.domain_state = status->to_string();
      if (status->state == machines::DomainState::Crashed) {
        // on_crash=preserve keeps a panicked guest for its screenshot.
        const auto stopping = Clock::now();
        (void)hypervisor_.screenshot(name, screenshot);
        destroy();
        r.stop_seconds = since(stopping);
      }
      r.serial = read_all(serial_log);
      return finish(VmEnd::Stopped);
    }
    const double elapsed = since(start);
    const auto silent = Clock::now() - last_output;
    const auto silence_limit = kernel ? limits.silence_after_kernel : limits.silence_before_kernel;
    if (silent >= silence_limit) {
      r.silence_seconds = std::chrono::duration<double>(silence_limit).count();
      return stop(VmEnd::Silent, true);
    }
    if (Clock::now() - start >= limits.total) {
      r.error = text("no result within {} s", static_cast<int>(limits.total.count() / 1000));
      return stop(VmEnd::TimedOut, true);
    }
    if (progress && elapsed - last_progress >= 1.0) {
      last_progress = elapsed;
      progress(elapsed);
    }
    drain_events(limits.poll);
  }
}

}  // namespace restorelab::run
