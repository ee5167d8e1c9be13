// The model guest's serial console: report lines are `RESTORELAB ` + one JSON
// object (images/README.md, "Serial console"; the words are those of
// images/guest/job_vocabulary.h); everything else is evidence.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace restorelab::run {

/// One `RESTORELAB {...}` line.
struct SerialEvent {
  std::string event;              ///< the "event" field: "kernel-start", "boot", "done", ...
  nlohmann::ordered_json fields;  ///< the whole object, in the guest's order
  /// The log ends inside this line: the VM ended before the serial port sent
  /// all of it. `fields` then holds only the fields whose values arrived
  /// whole, and `event` is empty when not even the event name did.
  bool cut = false;
  std::string text;  ///< a cut line: what arrived of it, from the prefix on
};

/// Every report line of `log`, in order. Lines that are not report lines are
/// skipped, and so are report lines whose JSON is invalid although a newline
/// ended them. A report line the log ends inside (no newline after it) is
/// returned, marked `cut`, with the fields that arrived whole: a string or a
/// literal followed by anything, a number or nested value followed by ',' or
/// '}'. A line that ends with its whole JSON object but no newline is not cut.
std::vector<SerialEvent> parse_serial(std::string_view log);

/// The strings of the list `key` of a report line's fields (other items and
/// a key that is not a list are left out).
std::vector<std::string> string_list(const nlohmann::ordered_json& fields, std::string_view key);

/// The last event named `name`, or null.
const SerialEvent* last_event(const std::vector<SerialEvent>& events, std::string_view name);

/// The cut line the log ends inside, or null.
const SerialEvent* cut_line(const std::vector<SerialEvent>& events);

/// True when OVMF started its shell: the firmware found nothing to boot.
bool firmware_shell_started(std::string_view log);

/// The line that shows a boot loader took over from the firmware, before
/// any report line, or nullopt: the firmware found something to boot.
/// SeaBIOS copies syslinux's banner ("SYSLINUX 6.04 EDD ..."); OVMF says
/// "BdsDxe: starting Boot0001 ..." as it starts systemd-boot.
std::optional<std::string> boot_loader_started(std::string_view log);

/// The boot loader reported that a file its configuration names is missing.
struct LoaderMissingFile {
  std::string file;  ///< as the loader named it ("/C/WINDOWS/system32/vmlinuz"); "" when it does not say
  std::string line;  ///< the loader's message, without terminal escape sequences
};

/// The first missing-file report of a boot loader in `log`, before any
/// report line (a kernel that started was loaded), or nullopt. What each
/// loader prints (images/README.md, "Reading the outcome"):
///   syslinux 6.04 (SeaBIOS, whose console libvirt's useserial copies to the
///   serial port), then its boot: prompt:
///     "Loading /C/WINDOWS/system32/vmlinuz failed: No such file or directory"
///   systemd-boot 252 (OVMF, whose console is on the serial port) drops an
///   entry whose kernel is missing; with none left it says, and returns to
///   the firmware (OVMF then starts its setup menu, UiApp):
///     "No loader found. Configuration files in \loader\entries\*.conf are needed."
///   or, when the kernel opens but does not load, "Error loading FILE: Not Found".
/// The model's UEFI disks always hold their entry, so no entry left means its
/// files are missing. Terminal escape sequences and '\r' are ignored.
std::optional<LoaderMissingFile> loader_missing_file(std::string_view log);

}  // namespace restorelab::run
