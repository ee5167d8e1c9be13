// Loads scenario files (scenario-format.md) into the typed model.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "rules/diagnostic.h"
#include "rules/model.h"
#include "rules/toml_source.h"

namespace restorelab {

/// True when `text` has a [scenario] table header at the start of a line:
/// what tells a scenario file from a machine or matrix file in a folder.
bool looks_like_scenario(std::string_view text);

/// Loads scenarios. Every error of a file is reported, not only the first;
/// a scenario is returned only when there are none. `extends` files are read
/// through the same reader, relative to the file that names them.
class ScenarioLoader {
 public:
  explicit ScenarioLoader(const FileReader& reader) : reader_(reader) {}

  std::expected<Scenario, Diagnostics> load_file(const std::string& path) const;
  std::expected<Scenario, Diagnostics> load_text(std::string_view text, const std::string& path) const;

  /// Loads from an already parsed table whose root holds the scenario's
  /// sections (`[scenario]`, `[source]`, ...). `prefix` names the root in
  /// messages (`base.` for a matrix's inline base, empty for a file). With
  /// `require_name` false a missing [scenario] name is allowed (matrix bases
  /// get theirs from the matrix).
  std::expected<Scenario, Diagnostics> load_table(const toml::table& root, const std::string& path,
                                                  const std::string& prefix,
                                                  bool require_name = true) const;

 private:
  const FileReader& reader_;
};

}  // namespace restorelab
