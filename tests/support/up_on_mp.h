// The scenario the harness's unit tests run most: a system-state restore of
// a uniprocessor ACPI machine on IDE onto the same machine with four
// processors and a multiprocessor HAL (tests/vm/scenarios/up-on-mp.toml).
#pragma once

#include <string>

#include "rules/model.h"

namespace restorelab {

inline Scenario up_on_mp(std::string name = "up-on-mp") {
  Scenario s;
  s.name = std::move(name);
  s.source.hal = Hal::AcpiUniprocessor;
  s.source.cpus = 1;
  s.source.storage_drivers = {DiskBus::Ide};
  s.destination = s.source;
  s.destination.hal = Hal::AcpiMultiprocessor;
  s.destination.cpus = 4;
  s.backup = BackupKind::SystemState;
  return s;
}

}  // namespace restorelab
