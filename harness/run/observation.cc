#include "harness/run/observation.h"

#include <algorithm>

#include "harness/libvirt/text.h"
#include "harness/run/serial_log.h"

namespace restorelab::run {

using libvirt::text;

std::string_view end_name(VmEnd e) {
  switch (e) {
    case VmEnd::GuestDone: return "guest-done";
    case VmEnd::Stopped: return "stopped";
    case VmEnd::Silent: return "silent";
    case VmEnd::FirmwareShell: return "firmware-shell";
    case VmEnd::TimedOut: return "timed-out";
    case VmEnd::StartFailed: return "start-failed";
    case VmEnd::Interrupted: return "interrupted";
    case VmEnd::Failed: return "failed";
  }
  return "failed";
}

namespace {

std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<int> num(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int>();
}

std::vector<std::string> strs(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

bool has(const std::vector<std::string>& v, std::string_view s) { return std::ranges::find(v, s) != v.end(); }

/// QEMU went away without the guest asking: libvirt's "stopped/failed"
/// event, or a shut-off reason of "failed".
bool qemu_died(const VmRecord& r) {
  return has(r.lifecycle, "stopped/failed") || r.domain_state.find("(failed)") != std::string::npos;
}

/// The guest panicked (pvpanic with on_crash=destroy).
bool panicked(const VmRecord& r) { return has(r.lifecycle, "crashed/panicked"); }

std::string describe_end(const VmRecord& r) {
  switch (r.end) {
    case VmEnd::Stopped:
      if (qemu_died(r)) return "its QEMU process died (" + r.domain_state + ")";
      if (panicked(r)) return "the guest panicked (" + r.domain_state + ")";
      return "the domain stopped (" + r.domain_state + ")";
    case VmEnd::Silent: return text("no serial output for {} s", static_cast<int>(r.silence_seconds));
    case VmEnd::FirmwareShell: return "the UEFI shell started";
    case VmEnd::TimedOut: return r.error.empty() ? "it ran out of time" : r.error;
    case VmEnd::StartFailed: return "it did not start: " + r.error;
    case VmEnd::Interrupted: return "interrupted";
    case VmEnd::Failed: return r.error;
    case VmEnd::GuestDone: return "the guest finished";
  }
  return r.error;
}

Observation fail(std::string why) {
  Observation o;
  o.error = std::move(why);
  return o;
}

/// The event an intermediate phase must have printed to have done its job.
std::string_view required_event(Phase p) {
  switch (p) {
    case Phase::Source: return "backup";
    case Phase::Restore:
    case Phase::Recovery: return "restore";
    case Phase::Reset: return "installed";
    case Phase::Destination: return "boot";
  }
  return "boot";
}

Observation observe_boot(const VmRecord& r, const std::vector<SerialEvent>& events) {
  const std::string vm(phase_name(r.phase));
  if (const SerialEvent* boot = last_event(events, "boot")) {
    const auto& j = boot->fields;
    auto outcome = parse_enum<Outcome>(str(j, "outcome"));
    if (!outcome) return fail(text("{} VM: unknown outcome \"{}\" on its boot line", vm, str(j, "outcome")));
    Observation o;
    o.outcome = outcome;
    o.stop_code = str(j, "stop_code");
    o.cpus_present = num(j, "cpus_present");
    if (boots(*outcome)) o.cpus_used = num(j, "cpus_online");
    o.nics_configured = num(j, "nics_configured");
    o.nics_orphaned = num(j, "nics_orphaned");
    o.nics_unconfigured = num(j, "nics_unconfigured");
    o.mac_changed = strs(j, "mac_changed");
    o.degraded = strs(j, "degraded");
    o.detail = str(j, "detail");
    o.evidence = vm + " boot line";
    if (!o.stop_code.empty() && panicked(r)) o.evidence += " + pvpanic";
    return o;
  }
  const bool kernel = last_event(events, "kernel-start") != nullptr;
  if (kernel && r.end == VmEnd::Silent) {
    Observation o;
    o.outcome = Outcome::Hang;
    o.evidence = text("kernel-start, then no serial output for {} s (watchdog)", static_cast<int>(r.silence_seconds));
    return o;
  }
  if (!kernel) {
    const bool firmware_gave_up = r.end == VmEnd::FirmwareShell || r.end == VmEnd::Silent ||
                                  (r.end == VmEnd::Stopped && !qemu_died(r) && !panicked(r));
    if (firmware_gave_up) {
      Observation o;
      o.outcome = Outcome::NoBootableDevice;
      o.evidence = "no kernel-start; the firmware gave up: " + describe_end(r);
      return o;
    }
    return fail(text("{} VM ended before any kernel started: {}", vm, describe_end(r)));
  }
  return fail(text("{} VM: the kernel started but there is no boot line: {}", vm, describe_end(r)));
}

}  // namespace

Observation observe(const std::vector<VmRecord>& records) {
  for (const VmRecord& r : records) {
    const auto events = parse_serial(r.serial);
    const std::string vm(phase_name(r.phase));
    if (const SerialEvent* restore = last_event(events, "restore");
        restore != nullptr && str(restore->fields, "outcome") == "restore-refused") {
      Observation o;
      o.outcome = Outcome::RestoreRefused;
      o.detail = str(restore->fields, "reason");
      o.evidence = vm + " restore line";
      return o;
    }
    if (const SerialEvent* error = last_event(events, "error"))
      return fail(text("{} VM: the guest reported an error in phase {}: {}", vm, str(error->fields, "phase"),
                       str(error->fields, "error")));
    if (r.end == VmEnd::StartFailed || r.end == VmEnd::Failed || r.end == VmEnd::Interrupted ||
        r.end == VmEnd::TimedOut)
      return fail(text("{} VM: {}", vm, describe_end(r)));
    if (r.phase == Phase::Destination) return observe_boot(r, events);
    const bool done = last_event(events, "done") != nullptr;
    if (!done) return fail(text("{} VM ended before its job finished: {}", vm, describe_end(r)));
    if (last_event(events, required_event(r.phase)) == nullptr)
      return fail(text("{} VM finished without a {} line", vm, required_event(r.phase)));
  }
  return Observation{};
}

}  // namespace restorelab::run
