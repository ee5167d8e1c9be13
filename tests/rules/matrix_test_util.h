// A matrix over one small base scenario, loaded from memory: what the matrix
// tests share.
#pragma once

#include <map>
#include <string>

#include "rules/matrix.h"
#include "rules/scenario_loader.h"

namespace restorelab::testing {

/// A valid Windows Server 2003 system-state scenario on two ACPI
/// uniprocessor machines, as `m/base.toml`.
inline constexpr const char* kMatrixBase = R"([scenario]
name = "base"
[source]
hal = "acpi-uniprocessor"
[source.os]
version = "windows-server-2003"
edition = "standard"
[destination]
hal = "acpi-uniprocessor"
[destination.os]
version = "windows-server-2003"
edition = "standard"
[backup]
kind = "system-state"
[restore]
kind = "system-state"
)";

/// `text` loaded as `file` (in folder m/), next to kMatrixBase.
inline std::expected<Matrix, Diagnostics> load_matrix_over_base(const std::string& text,
                                                               const std::string& file = "m/matrix.toml") {
  MapReader reader(std::map<std::string, std::string>{{"m/base.toml", kMatrixBase}});
  return load_matrix_text(reader, text, file, ConditionCompiler{});
}

}  // namespace restorelab::testing
