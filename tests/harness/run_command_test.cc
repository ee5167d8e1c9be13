// `restorelab run` refuses bad input before any VM starts (exit 2), and
// `--shard auto` reads the job engine's variables.
#include <gtest/gtest.h>

#include "harness/cli/command_support.h"
#include "tests/harness/cli_test_util.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

using testing::run_restorelab;
const std::string kExample = restorelab::source_path("/scenarios/examples/acpi-up-to-acpi-mp.toml");

class RunCommandTest : public testing::TempDirTest {};

TEST_F(RunCommandTest, ABrokenKnownDeviationsFileIsRefusedBeforeAnyVm) {
  const std::string known = write("known.toml", "[[deviation]]\nid = \"x\"\nscenari = \"a/*\"\nreason = \"r\"\n");
  auto r = run_restorelab({"run", "--known", known, kExample});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(known + ":3:1: error: unknown key \"scenari\""), std::string::npos) << r.err;
}

TEST_F(RunCommandTest, ABrokenMatrixIsRefusedBeforeAnyVm) {
  const std::string matrix = write("m.toml", "[matrix]\nname = \"m\"\nbase = \"nope.toml\"\n[axes]\n\"source.hal\" = [\"acpi-pc\"]\n");
  auto r = run_restorelab({"run", matrix});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(matrix + ":"), std::string::npos) << r.err;
}

TEST_F(RunCommandTest, ShardAutoWithoutAJobEngineIsBadInput) {
  auto r = run_restorelab({"run", "--shard", "auto", kExample});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab: --shard auto: no job engine's variables are set (JOB_COMPLETION_INDEX with "
                   "RESTORELAB_SHARD_COUNT, or CI_NODE_INDEX with CI_NODE_TOTAL)\n");
}

TEST_F(RunCommandTest, AnUnknownRemediationActionIsBadInputWithASuggestion) {
  auto r = run_restorelab({"run", "--remediate-actions", "update-hal,in-place-upgrad", kExample});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab run: --remediate-actions: \"in-place-upgrad\" is not an action; expected one of "
                   "\"update-hal\", \"remove-display-adapter\", \"remove-network-adapter\", "
                   "\"reconfigure-hardware-bound-apps\", \"in-place-upgrade\", \"verify-rpc-client-protocols\", "
                   "\"reset-profiles-directory\", \"disable-extra-nics\", \"uninstall-filter-drivers\", "
                   "\"install-prerequisites\", \"reinstall-office\"; did you mean \"in-place-upgrade\"?\n");
  EXPECT_TRUE(r.out.empty());
}

// An empty folder once ended the run with "cannot make absolute path" (abort).
TEST_F(RunCommandTest, AnEmptyEvidenceOrWorkFolderIsBadInput) {
  for (const std::string option : {"--evidence", "--work"}) {
    auto r = run_restorelab({"run", "--db", "none", option, "", kExample});
    EXPECT_EQ(r.code, 2) << option;
    EXPECT_NE(r.err.find(option + ": expected a folder, not an empty value"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST_F(RunCommandTest, AWarmDirThatIsAFileIsBadInputBeforeAnythingRuns) {
  auto r = run_restorelab({"run", "--db", "none", "--warm-dir", "/dev/null", kExample});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab run: --warm-dir /dev/null: exists and is not a folder; name a folder for the saved "
                   "states (or leave it out)\n");
  EXPECT_TRUE(r.out.empty());
}

// Saved states are written as root: a --warm-dir that is a symlink is
// refused (exit 2) rather than written through. (--db names a missing
// folder so that a build without the check stops there, before any VM.)
TEST_F(RunCommandTest, AWarmDirThatIsASymlinkIsBadInputBeforeAnythingRuns) {
  std::filesystem::create_directories(dir_ + "/elsewhere");
  std::filesystem::create_directory_symlink(dir_ + "/elsewhere", dir_ + "/warm");
  auto r = run_restorelab({"run", "--db", dir_ + "/missing/results.sqlite", "--warm-dir", dir_ + "/warm", kExample});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab run: the warm-start folder " + dir_ + "/warm is a symbolic link (to " + dir_ +
                       "/elsewhere); saved states are never written through a link: give the folder itself as "
                       "--warm-dir, or --no-warm\n");
  EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/elsewhere"));
}

const char* env(const std::map<std::string, std::string>& vars, const char* name) {
  auto it = vars.find(name);
  return it == vars.end() ? nullptr : it->second.c_str();
}

TEST(ShardFromEnvironmentTest, KubernetesIndexedJobsCountFromZero) {
  static std::map<std::string, std::string> vars;
  vars = {{"JOB_COMPLETION_INDEX", "2"}, {"RESTORELAB_SHARD_COUNT", "4"}};
  auto shard = shard_from_environment([](const char* n) { return env(vars, n); });
  ASSERT_TRUE(shard) << shard.error();
  EXPECT_EQ(shard->index, 3);
  EXPECT_EQ(shard->count, 4);
  vars = {{"JOB_COMPLETION_INDEX", "2"}};
  EXPECT_EQ(shard_from_environment([](const char* n) { return env(vars, n); }).error(),
            "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but RESTORELAB_SHARD_COUNT is not; set it to "
            "the Job's completions");
  vars = {{"JOB_COMPLETION_INDEX", "4"}, {"RESTORELAB_SHARD_COUNT", "4"}};
  EXPECT_EQ(shard_from_environment([](const char* n) { return env(vars, n); }).error(),
            "--shard auto: JOB_COMPLETION_INDEX=\"4\" is out of range; expected 0 to 3 (RESTORELAB_SHARD_COUNT is 4)");
}

TEST(ShardFromEnvironmentTest, GitLabCountsFromOne) {
  static std::map<std::string, std::string> vars;
  vars = {{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "3"}};
  auto shard = shard_from_environment([](const char* n) { return env(vars, n); });
  ASSERT_TRUE(shard) << shard.error();
  EXPECT_EQ(shard->index, 1);
  EXPECT_EQ(shard->count, 3);
  vars = {{"CI_NODE_INDEX", "x\n"}, {"CI_NODE_TOTAL", "3"}};
  EXPECT_EQ(shard_from_environment([](const char* n) { return env(vars, n); }).error(),
            "--shard auto: CI_NODE_INDEX=\"x\\n\" is not a number; expected 1 to 3 (CI_NODE_TOTAL is 3)");
}

// Values that strtol and a cast to int once turned into a valid share, or
// into "share -1 of 2": each is refused, naming the variable, its value and
// the valid range.
TEST(ShardFromEnvironmentTest, OutOfRangeValuesNameTheVariableAndTheRange) {
  static std::map<std::string, std::string> vars;
  auto error = [] { return shard_from_environment([](const char* n) { return env(vars, n); }).error(); };
  vars = {{"JOB_COMPLETION_INDEX", "4294967296"}, {"RESTORELAB_SHARD_COUNT", "2"}};
  EXPECT_EQ(error(), "--shard auto: JOB_COMPLETION_INDEX=\"4294967296\" is out of range; expected 0 to 1 "
                     "(RESTORELAB_SHARD_COUNT is 2)");
  vars = {{"JOB_COMPLETION_INDEX", "9223372036854775807"}, {"RESTORELAB_SHARD_COUNT", "2"}};
  EXPECT_EQ(error(), "--shard auto: JOB_COMPLETION_INDEX=\"9223372036854775807\" is out of range; expected 0 to 1 "
                     "(RESTORELAB_SHARD_COUNT is 2)");
  vars = {{"JOB_COMPLETION_INDEX", "99999999999999999999"}, {"RESTORELAB_SHARD_COUNT", "2"}};
  EXPECT_EQ(error(), "--shard auto: JOB_COMPLETION_INDEX=\"99999999999999999999\" is out of range; expected 0 to 1 "
                     "(RESTORELAB_SHARD_COUNT is 2)");
  vars = {{"JOB_COMPLETION_INDEX", "-2"}, {"RESTORELAB_SHARD_COUNT", "2"}};
  EXPECT_EQ(error(), "--shard auto: JOB_COMPLETION_INDEX=\"-2\" is not a number; expected 0 to 1 "
                     "(RESTORELAB_SHARD_COUNT is 2)");
  vars = {{"JOB_COMPLETION_INDEX", "0"}, {"RESTORELAB_SHARD_COUNT", "4294967298"}};
  EXPECT_EQ(error(), "--shard auto: RESTORELAB_SHARD_COUNT=\"4294967298\" is out of range; expected 1 to 100000");
  vars = {{"CI_NODE_INDEX", " 1"}, {"CI_NODE_TOTAL", "2"}};
  EXPECT_EQ(error(), "--shard auto: CI_NODE_INDEX=\" 1\" is not a number; expected 1 to 2 (CI_NODE_TOTAL is 2)");
  vars = {{"CI_NODE_INDEX", "0"}, {"CI_NODE_TOTAL", "2"}};
  EXPECT_EQ(error(), "--shard auto: CI_NODE_INDEX=\"0\" is out of range; expected 1 to 2 (CI_NODE_TOTAL is 2)");
  vars = {{"CI_NODE_INDEX", "1"}};
  EXPECT_EQ(error(), "--shard auto: CI_NODE_TOTAL=\"\" is not a number; expected 1 to 100000");
}

TEST_F(RunCommandTest, AShardAutoOutOfRangeIsBadInputBeforeAnythingRuns) {
  ::setenv("JOB_COMPLETION_INDEX", "4294967296", 1);
  ::setenv("RESTORELAB_SHARD_COUNT", "2", 1);
  auto r = run_restorelab({"rules", "test", "--shard", "auto"});
  ::unsetenv("JOB_COMPLETION_INDEX");
  ::unsetenv("RESTORELAB_SHARD_COUNT");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab: --shard auto: JOB_COMPLETION_INDEX=\"4294967296\" is out of range; expected 0 to 1 "
                   "(RESTORELAB_SHARD_COUNT is 2)\n");
  EXPECT_TRUE(r.out.empty());
}

}  // namespace
}  // namespace restorelab
