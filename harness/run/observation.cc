#include "harness/run/observation.h"

#include <algorithm>
#include <iterator>

#include "harness/output/text.h"
#include "harness/run/serial_log.h"
#include "images/guest/job_vocabulary.h"

namespace restorelab::run {


std::string_view end_name(VmEnd e) {
  switch (e) {
    case VmEnd::GuestDone: return "guest-done";
    case VmEnd::Stopped: return "stopped";
    case VmEnd::Silent: return "silent";
    case VmEnd::FirmwareShell: return "firmware-shell";
    case VmEnd::LoaderStopped: return "loader-stopped";
    case VmEnd::TimedOut: return "timed-out";
    case VmEnd::StartFailed: return "start-failed";
    case VmEnd::Interrupted: return "interrupted";
    case VmEnd::Failed: return "failed";
  }
  return "failed";
}

namespace {

namespace vocab = vocabulary;
using Json = nlohmann::ordered_json;

std::string str(const Json& j, std::string_view key) {
  auto it = j.find(std::string(key));
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<int> num(const Json& j, std::string_view key) {
  auto it = j.find(std::string(key));
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int>();
}

bool has(const std::vector<std::string>& v, std::string_view s) { return std::ranges::find(v, s) != v.end(); }

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
    case VmEnd::LoaderStopped: return "the boot loader reported a missing file";
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
    case Phase::Source: return vocab::kEventBackup;
    case Phase::Restore:
    case Phase::Recovery: return vocab::kEventRestore;
    case Phase::Reset: return vocab::kEventInstalled;
    case Phase::Destination:
    case Phase::Remediated: return vocab::kEventBoot;
    case Phase::Remediate: return vocab::kEventRemediated;
  }
  return vocab::kEventBoot;
}

/// The VM's job starts the OS on its disk before its own phase (`boot`
/// first: the restore VM of a restore.after chain, images/README.md), that
/// phase never ran, and the start is what ended the run (a stop, a hang, a
/// missing file; not an OS that started): the start failed, and how is the
/// scenario's outcome, read as the destination's boot is. A VM that died
/// after its OS started is not read here: it failed.
bool start_failed(const VmRecord& r, const std::vector<SerialEvent>& events) {
  const SerialEvent* job = last_event(events, vocab::kEventJob);
  if (job == nullptr) return false;
  const std::vector<std::string> phases = string_list(job->fields, vocab::kFieldPhases);
  if (phases.size() < 2 || phases.front() != vocab::kPhaseBoot) return false;
  if (last_event(events, required_event(r.phase)) != nullptr) return false;
  const SerialEvent* boot = last_event(events, vocab::kEventBoot);
  if (boot == nullptr) return true;  // a hang, or a line cut short: observe_boot tells
  const auto outcome = parse_enum<Outcome>(str(boot->fields, vocab::kFieldOutcome));
  return !outcome || !(boots(*outcome) || *outcome == Outcome::RoleFails);
}

bool is_stop(Outcome o) { return o == Outcome::Stop0x7B || o == Outcome::Stop0x79 || o == Outcome::Stop0xA5; }

/// What a cut line says about itself, for `detail`: `the serial console cut
/// the boot line short after "outcome"`.
std::string cut_note(const SerialEvent& line) {
  std::string note = text("the serial console cut the {} line short", line.event);
  if (!line.fields.empty()) note += text(" after \"{}\"", std::prev(line.fields.end()).key());
  return note;
}

/// `detail` of an event read from a line that may have been cut.
std::string detail_of(const SerialEvent& line, std::string detail) {
  if (!line.cut) return detail;
  return detail.empty() ? cut_note(line) : detail + " (" + cut_note(line) + ")";
}

/// How the VM ended, and what was cut off its console if anything was.
std::string describe_end(const VmRecord& r, const std::vector<SerialEvent>& events) {
  std::string end = describe_end(r);
  if (const SerialEvent* cut = cut_line(events)) end += text("; its serial console was cut inside: {}", cut->text);
  return end;
}

Observation observe_boot(const VmRecord& r, const std::vector<SerialEvent>& events) {
  const std::string vm(phase_name(r.phase));
  // The model guest loads every module it ships; one it could not load (a
  // NIC driver that once raced the virtio core) makes whatever follows a
  // fault of the guest or the host, not of the restore.
  if (const SerialEvent* start = last_event(events, vocab::kEventKernelStart)) {
    const std::vector<std::string> errors = string_list(start->fields, vocab::kFieldModuleErrors);
    if (!errors.empty()) {
      std::string all;
      for (const std::string& e : errors) all += (all.empty() ? "" : "; ") + e;
      return fail(text("{} VM: the model guest could not load {} module{} ({}); that is no outcome of the restore",
                       vm, errors.size(), errors.size() == 1 ? "" : "s", all));
    }
  }
  if (const SerialEvent* boot = last_event(events, vocab::kEventBoot)) {
    const auto& j = boot->fields;
    const std::string outcome_name = str(j, vocab::kFieldOutcome);
    if (boot->cut && outcome_name.empty())
      return fail(text("{} VM: the serial console was cut inside the boot line before its outcome: {} ({})", vm,
                       boot->text, describe_end(r)));
    auto outcome = parse_enum<Outcome>(outcome_name);
    if (!outcome) return fail(text("{} VM: unknown outcome \"{}\" on its boot line", vm, outcome_name));
    Observation o;
    o.outcome = outcome;
    o.stop_code = str(j, vocab::kFieldStopCode);
    o.cpus_present = num(j, vocab::kFieldCpusPresent);
    if (boots(*outcome)) o.cpus_used = num(j, vocab::kFieldCpusOnline);
    o.nics_configured = num(j, vocab::kFieldNicsConfigured);
    o.nics_orphaned = num(j, vocab::kFieldNicsOrphaned);
    o.nics_unconfigured = num(j, vocab::kFieldNicsUnconfigured);
    o.mac_changed = string_list(j, vocab::kFieldMacChanged);
    o.degraded = string_list(j, vocab::kFieldDegraded);
    o.detail = detail_of(*boot, str(j, vocab::kFieldDetail));
    o.evidence = vm + " boot line";
    if (boot->cut) o.evidence += " (cut short)";
    if (is_stop(*outcome) && panicked(r)) o.evidence += " + pvpanic";
    return o;
  }
  const SerialEvent* cut = cut_line(events);
  if (cut != nullptr && cut->event.empty())
    return fail(text("{} VM: the serial console was cut inside a report line before its event name: {} ({})", vm,
                     cut->text, describe_end(r)));
  const bool kernel = last_event(events, vocab::kEventKernelStart) != nullptr;
  if (kernel && r.end == VmEnd::Silent) {
    Observation o;
    o.outcome = Outcome::Hang;
    o.evidence = text("kernel-start, then no serial output for {} s (watchdog)", static_cast<int>(r.silence_seconds));
    return o;
  }
  if (!kernel) {
    const bool firmware_gave_up = r.end == VmEnd::FirmwareShell || r.end == VmEnd::LoaderStopped ||
                                  r.end == VmEnd::Silent ||
                                  (r.end == VmEnd::Stopped && !qemu_died(r) && !panicked(r));
    // The loader started and did not find a file its configuration names
    // (the systemroot's kernel): it stays at its prompt or menu.
    if (auto missing = loader_missing_file(r.serial); missing && firmware_gave_up) {
      Observation o;
      o.outcome = Outcome::BootFileMissing;
      o.detail = missing->file.empty() ? missing->line : missing->file;
      o.evidence = "no kernel-start; the boot loader: " + missing->line;
      return o;
    }
    // Silence once a loader took over is not the firmware giving up: the
    // disk was bootable and the loader or the kernel's load stalled (a host
    // too busy for the guest), which is no outcome of the restore.
    if (auto loader = boot_loader_started(r.serial); loader && r.end == VmEnd::Silent)
      return fail(text("{} VM: the boot loader started (\"{}\") and then nothing reached the serial console before "
                       "any kernel: {}; the firmware found the disk, so this is no outcome of the restore (a host too "
                       "busy for the guest stalls it)",
                       vm, *loader, describe_end(r)));
    if (firmware_gave_up) {
      Observation o;
      o.outcome = Outcome::NoBootableDevice;
      o.evidence = "no kernel-start; the firmware gave up: " + describe_end(r);
      return o;
    }
    return fail(text("{} VM ended before any kernel started: {}", vm, describe_end(r, events)));
  }
  return fail(text("{} VM: the kernel started but there is no boot line: {}", vm, describe_end(r, events)));
}

}  // namespace

bool qemu_died(const VmRecord& r) {
  return has(r.lifecycle, "stopped/failed") || r.domain_state.find("(failed)") != std::string::npos;
}

Observation observe(const std::vector<VmRecord>& records) {
  for (const VmRecord& r : records) {
    const auto events = parse_serial(r.serial);
    const std::string vm(phase_name(r.phase));
    if (const SerialEvent* restore = last_event(events, vocab::kEventRestore);
        restore != nullptr && str(restore->fields, vocab::kFieldOutcome) == vocab::kOutcomeRestoreRefused) {
      Observation o;
      o.outcome = Outcome::RestoreRefused;
      o.detail = detail_of(*restore, str(restore->fields, vocab::kFieldReason));
      o.evidence = vm + " restore line" + (restore->cut ? " (cut short)" : "");
      return o;
    }
    if (const SerialEvent* error = last_event(events, vocab::kEventError))
      return fail(text("{} VM: the guest reported an error in phase {}: {}", vm, str(error->fields, vocab::kFieldPhase),
                       detail_of(*error, str(error->fields, vocab::kFieldError))));
    if (r.end == VmEnd::StartFailed || r.end == VmEnd::Failed || r.end == VmEnd::Interrupted ||
        r.end == VmEnd::TimedOut)
      return fail(text("{} VM: {}", vm, describe_end(r, events)));
    if (is_test_boot(r.phase) || start_failed(r, events)) return observe_boot(r, events);
    const bool done = last_event(events, vocab::kEventDone) != nullptr;
    if (!done) return fail(text("{} VM ended before its job finished: {}", vm, describe_end(r, events)));
    if (last_event(events, required_event(r.phase)) == nullptr)
      return fail(text("{} VM finished without a {} line", vm, required_event(r.phase)));
  }
  return Observation{};
}

}  // namespace restorelab::run
