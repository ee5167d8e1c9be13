#include "tests/support/test_paths.h"

namespace restorelab::testing {

const char* test_data_dir() { return RESTORELAB_TEST_DATA; }
std::string test_data_path(std::string_view tail) { return std::string(RESTORELAB_TEST_DATA).append(tail); }
const char* restorelab_binary() { return RESTORELAB_BINARY; }

}  // namespace restorelab::testing
