#include "rules/source_dir.h"

namespace restorelab {

const char* source_dir() { return RESTORELAB_SOURCE_DIR; }

std::string source_path(std::string_view tail) { return std::string(RESTORELAB_SOURCE_DIR).append(tail); }

}  // namespace restorelab
