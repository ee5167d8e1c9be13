// Where the source tree this build came from lies.
#pragma once

#include <string>
#include <string_view>

namespace restorelab {

/// The source tree this build was configured from: the default rulebook, the
/// known deviations and the guest recipe are read from there. Kept out of
/// every other unit's command line, so that a build of another checkout
/// compiles the same and a compiler cache serves it.
const char* source_dir();

/// source_dir() followed by `tail` (which starts with '/').
std::string source_path(std::string_view tail);

}  // namespace restorelab
