// Entry points of `restorelab run`, `restorelab xml` and `restorelab image`
// (the lead adds them to the command table in harness/cli.cc).
#pragma once

#include <string>
#include <vector>

#include "harness/cli.h"

namespace restorelab {

/// `restorelab run [--json] [--keep] [--connect URI] [--work DIR] [--evidence DIR] [--rules FILE] SCENARIO...`
int run_command(const std::vector<std::string>& args, Streams& io);
/// `restorelab xml SCENARIO --side source|destination`
int xml_command(const std::vector<std::string>& args, Streams& io);
/// `restorelab image build [--cache DIR]`
int image_command(const std::vector<std::string>& args, Streams& io);

}  // namespace restorelab
