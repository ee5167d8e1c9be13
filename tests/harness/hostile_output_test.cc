// What a hostile argument or a special output path can do to the commands
// (issue "Hardening"): nothing but a clear error. Device nodes are made with
// mknod inside the test's folder, never /dev/*.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <gtest/gtest.h>

#include "tests/harness/cli_test_util.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;
using testing::run_restorelab;

const std::string kScenarios = restorelab::source_path("/scenarios");
const std::string kMatrix = restorelab::source_path("/scenarios/matrices/hal-by-disk.toml");

class HostileOutputTest : public testing::TempDirTest {
 protected:
  std::string device(const std::string& name, unsigned minor) {
    const std::string path = dir_ + "/" + name;
    if (::mknod(path.c_str(), S_IFCHR | 0666, makedev(1, minor)) != 0) return {};
    return path;
  }
  static bool is_char_device(const std::string& path) {
    struct stat st{};
    return ::lstat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
  }
};

TEST_F(HostileOutputTest, RulesDiffBaseIsNeverAShellWord) {
  const std::string marker = dir_ + "/pwned";
  auto r = run_restorelab({"rules", "diff", "--base", "HEAD'; touch " + marker + "; echo ':rules/kb249694.toml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_FALSE(fs::exists(marker)) << "a shell ran the --base value";
  EXPECT_NE(r.err.find("not a file, and git cannot show it"), std::string::npos) << r.err;
}

TEST_F(HostileOutputTest, RulesDiffBaseCannotBeAGitOption) {
  const std::string target = dir_ + "/written-by-git";
  auto r = run_restorelab({"rules", "diff", "--base", "--output=" + target + ":x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_FALSE(fs::exists(target));
  EXPECT_EQ(r.err, "restorelab rules diff: --base \"--output=" + target +
                       ":x\": expected a file or REV:PATH; a revision cannot start with '-'\n");
}

TEST_F(HostileOutputTest, JunitOntoANullDeviceLeavesTheDevice) {
  const std::string null = device("null", 3);
  if (null.empty()) GTEST_SKIP() << "mknod needs root";
  auto r = run_restorelab({"rules", "test", "--junit", null, kScenarios + "/examples"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(is_char_device(null));
  EXPECT_FALSE(fs::exists(null + ".tmp"));
}

TEST_F(HostileOutputTest, HtmlOntoAFullDiskExits3) {
  const std::string full = device("full", 7);
  if (full.empty()) GTEST_SKIP() << "mknod needs root";
  auto r = run_restorelab({"matrix", "predict", kMatrix, "--html", full});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err, "restorelab matrix: " + full + ": cannot write: No space left on device\n");
  EXPECT_TRUE(is_char_device(full));
}

TEST_F(HostileOutputTest, JunitOntoAFolderIsBadInputNotACrash) {
  auto r = run_restorelab({"rules", "test", "--junit", dir_, kScenarios + "/examples"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab rules test: --junit " + dir_ + ": is a folder; expected a file name\n");
}

TEST_F(HostileOutputTest, ExpandOutOntoAFileOrADeviceIsBadInputNotACrash) {
  const std::string file = write("a-file", "x");
  auto r = run_restorelab({"matrix", "expand", kMatrix, "--out", file});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab matrix expand: --out " + file + ": exists and is not a folder\n");
  const std::string null = device("null", 3);
  if (null.empty()) GTEST_SKIP() << "mknod needs root";
  r = run_restorelab({"matrix", "expand", kMatrix, "--out", null});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(is_char_device(null));
}

TEST_F(HostileOutputTest, RulesTestJunitReportsAFileThatDoesNotLoad) {
  const std::string bad = write("bad/s.toml", "[scenario]\nname = \"s\"\n[source]\nhal = \"acpi-pc\"\nfirmwre = 1\n");
  const std::string junit = dir_ + "/rules.xml";
  auto r = run_restorelab({"rules", "test", "--junit", junit, dir_ + "/bad"});
  EXPECT_EQ(r.code, 2);
  std::ifstream in(junit);
  const std::string xml{std::istreambuf_iterator<char>(in), {}};
  EXPECT_NE(xml.find("tests=\"1\" failures=\"0\" errors=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<error type=\"bad-input\" message=\"" + bad + ": error: missing [restore] table"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find(bad + ":5:1: error: unknown key &quot;firmwre&quot; in [source]"), std::string::npos) << xml;
}

TEST_F(HostileOutputTest, RunRefusesAnUnusableJunitPathBeforeAnyVm) {
  auto r = run_restorelab({"run", "--junit", dir_ + "/no/such/folder/run.xml",
                           kScenarios + "/examples/acpi-up-to-acpi-mp.toml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab run: --junit " + dir_ + "/no/such/folder/run.xml: the folder " + dir_ +
                       "/no/such/folder does not exist\n");
}

TEST_F(HostileOutputTest, XmlPrintsWithoutStartingQemuOrWritingFiles) {
  // A qemu-system-x86_64 first on PATH that leaves a mark when started.
  const std::string marker = dir_ + "/qemu-started";
  const std::string fake = write("bin/qemu-system-x86_64", "#!/bin/sh\ntouch " + marker + "\nexit 1\n");
  fs::permissions(fake, fs::perms::owner_all);
  const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", (dir_ + "/bin:" + old_path).c_str(), 1);
  auto r = run_restorelab({"xml", kScenarios + "/examples/acpi-up-to-acpi-mp.toml", "--work", dir_ + "/work",
                           "--evidence", dir_ + "/runs"});
  ::setenv("PATH", old_path.c_str(), 1);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("<domain type='qemu'>"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(marker)) << "xml started QEMU";
  EXPECT_FALSE(fs::exists(dir_ + "/work"));
  EXPECT_FALSE(fs::exists(dir_ + "/runs"));
}

}  // namespace
}  // namespace restorelab
