// Loads scenario files (scenario-format.md) into the typed model.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "rules/diagnostic.h"
#include "rules/model.h"
#include "rules/toml_source.h"

namespace restorelab {

/// What a TOML file holds, judged by its top-level keys: what tells a
/// scenario file from the other files of a folder.
enum class FileKind : std::uint8_t {
  Scenario,  ///< a `scenario` table however written ([scenario], [ scenario ],
             ///< scenario.name = ..., an inline table), or a scenario's
             ///< [source], [destination], [backup], [restore], [prepare] or [expect]
  Matrix,    ///< a [matrix] table
  Rulebook,  ///< [[rule]], [helpers] or [rulebook]
  KnownDeviations,  ///< [[deviation]]: a registry of known deviations
  Machine,   ///< a machine key at the top level (hal, cpus, os, ...): a file for `extends`
  Other,
};
FileKind file_kind(const toml::table& root);

/// "a scenario file", "a matrix file", "a rulebook", "a machine file", "not a scenario".
std::string_view describe(FileKind kind);

/// Loads scenarios. Every error of a file is reported, not only the first;
/// a scenario is returned only when there are none. `extends` files are read
/// through the same reader, relative to the file that names them.
class ScenarioLoader {
 public:
  explicit ScenarioLoader(const FileReader& reader) : reader_(reader) {}

  /// "-" is standard input, named "<stdin>" in diagnostics and Scenario::file,
  /// its `extends` relative to the current folder.
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
