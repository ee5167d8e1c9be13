// Paths of this build that the unit tests need.
#pragma once

#include <string>
#include <string_view>

#include "rules/source_dir.h"

namespace restorelab::testing {

/// tests/data in the source tree.
const char* test_data_dir();
/// test_data_dir() followed by `tail` (which starts with '/').
std::string test_data_path(std::string_view tail);
/// The `restorelab` binary of this build.
const char* restorelab_binary();

}  // namespace restorelab::testing
