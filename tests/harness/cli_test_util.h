// What the CLI tests share: running restorelab in-process and a temporary
// folder that is removed after each test.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness/cli/cli.h"

namespace restorelab::testing {

struct CliResult {
  int code;
  std::string out, err;
};

/// restorelab ARGS..., with stdout and stderr captured.
inline CliResult run_restorelab(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  Streams io{out, err, false};
  const int code = run_cli(args, io);
  return {code, out.str(), err.str()};
}

/// A test with its own folder under /tmp.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/restorelab-test-XXXXXX";
    dir_ = mkdtemp(pattern);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  /// Writes `text` to `name` in the folder; the full path.
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

}  // namespace restorelab::testing
