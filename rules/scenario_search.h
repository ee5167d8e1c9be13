// Finding the scenario files a command is given: files as named, folders
// searched for the *.toml files that hold a scenario. Every file is read and
// parsed once, here, and handed on parsed; every .toml file of a folder that
// is left out is named with the reason, so a valid scenario is never skipped
// in silence.
#pragma once

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "rules/diagnostic.h"
#include "rules/toml_source.h"

namespace restorelab {

/// A scenario file, read and parsed.
struct ScenarioFile {
  std::string path;   ///< as given or found; "<stdin>" for "-"
  toml::table table;  ///< the parsed file, for ScenarioLoader::load_table()
};

/// What a search found.
struct ScenarioSearch {
  std::vector<ScenarioFile> files;   ///< in order: each path as given, each folder's files sorted
  std::vector<std::string> skipped;  ///< "dir/x.toml: skipped: no [scenario] table (a machine file)", one per file
  Diagnostics errors;                ///< files that could not be read or parsed, folders without scenarios
};

/// Expands `paths`. A file (or "-", standard input) is taken as a scenario
/// whatever it holds: the loader says what is wrong with it. A folder stands
/// for the *.toml files under it (recursively, sorted) whose file_kind() is
/// Scenario; the others are `skipped`. A file that cannot be read or parsed,
/// a file name with a control character and a folder without scenario files
/// are errors. Files are read through `reader`; folders are listed from the
/// file system.
ScenarioSearch find_scenario_files(const std::vector<std::string>& paths, const FileReader& reader);

}  // namespace restorelab
