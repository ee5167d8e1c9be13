// The model guest's serial console: report lines are `RESTORELAB ` + one JSON
// object (images/README.md, "Serial console"); everything else is evidence.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace restorelab::run {

/// One `RESTORELAB {...}` line.
struct SerialEvent {
  std::string event;      ///< the "event" field: "kernel-start", "boot", "done", ...
  nlohmann::json fields;  ///< the whole object
};

/// Every report line of `log`, in order. Lines that are not report lines,
/// and report lines whose JSON is cut off or invalid (a VM killed
/// mid-write), are skipped.
std::vector<SerialEvent> parse_serial(std::string_view log);

/// The last event named `name`, or null.
const SerialEvent* last_event(const std::vector<SerialEvent>& events, std::string_view name);

/// True when OVMF started its shell: the firmware found nothing to boot.
bool firmware_shell_started(std::string_view log);

}  // namespace restorelab::run
