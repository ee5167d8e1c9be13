// The rule author's tools as the README describes them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "harness/cli/cli.h"
#include "tests/docs/docs_test_util.h"
#include "tests/harness/cli_test_util.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;

using Result = testing::CliResult;
Result run(const std::vector<std::string>& args) { return testing::run_restorelab(args); }

std::string read(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

const std::string kRulebook = restorelab::source_path("/rules/kb249694.toml");
const std::string kScenarios = restorelab::source_path("/scenarios");

class RulesCommandTest : public testing::TempDirTest {
 protected:
  /// The project's rulebook with `extra` appended.
  std::string rulebook_with(const std::string& extra) {
    const std::string path = dir_ + "/rules.toml";
    std::ofstream(path) << read(kRulebook) << "\n" << extra;
    return path;
  }
};

/// The rule of the README's worked example, as the README shows it.
std::string readme_rule() {
  const std::string readme = read(restorelab::source_path("/README.md"));
  const auto marker = readme.find("<!-- example-rule -->");
  EXPECT_NE(marker, std::string::npos);
  const auto start = readme.find("```toml\n", marker) + 8;
  return readme.substr(start, readme.find("```", start) - start);
}

TEST_F(RulesCommandTest, TheProjectRulebookPassesItsOwnChecks) {
  auto lint = run({"rules", "lint"});
  EXPECT_EQ(lint.code, 0) << lint.out;
  EXPECT_EQ(lint.out, "");
  auto test = run({"rules", "test", kScenarios});
  EXPECT_EQ(test.code, 0) << test.out;
  EXPECT_NE(test.out.find(" passed, 0 failed\n"), std::string::npos);
}

/// The README's worked example as a rule author runs it: in a clone whose
/// rules/kb249694.toml has `rule` added, `restorelab ARGS` from its top.
Result run_with_rule_added(const std::string& dir, const std::string& rule, std::vector<std::string> args) {
  fs::create_directories(dir + "/rules");
  std::ofstream(dir + "/rules/kb249694.toml") << read(kRulebook) << "\n" << rule;
  std::error_code ec;
  fs::create_directory_symlink(kScenarios, dir + "/scenarios", ec);
  args.insert(args.begin() + 2, {"--rules", "rules/kb249694.toml"});
  const fs::path here = fs::current_path();
  fs::current_path(dir);
  Result r = run(args);
  fs::current_path(here);
  return r;
}

// Each output the worked example shows is what the commands print (durations
// aside; "..." for lines left out).
TEST_F(RulesCommandTest, TheReadmeWorkedExampleShowsWhatTheCommandsPrint) {
  std::string first = readme_rule();
  first.replace(first.find("precedence = 15"), 15, "precedence = 10");
  auto lint = run_with_rule_added(dir_ + "/first", first, {"rules", "lint"});
  EXPECT_EQ(lint.code, 1);
  EXPECT_TRUE(testing::shows(testing::readme_block_after("output: lint-first-attempt"), lint.out + lint.err))
      << lint.out << lint.err;
  auto test = run_with_rule_added(dir_ + "/second", readme_rule(), {"rules", "test"});
  EXPECT_EQ(test.code, 1);
  EXPECT_TRUE(testing::shows(testing::readme_block_after("output: rules-test-with-the-rule"), test.out))
      << test.out;
  auto diff = run_with_rule_added(dir_ + "/second", readme_rule(), {"rules", "diff", "--base", kRulebook});
  EXPECT_EQ(diff.code, 1);
  EXPECT_TRUE(testing::shows(testing::readme_block_after("output: rules-diff-with-the-rule"), diff.out + diff.err))
      << diff.out << diff.err;
  auto coverage = run_with_rule_added(dir_ + "/second", readme_rule(), {"rules", "coverage"});
  EXPECT_EQ(coverage.code, 0);
  EXPECT_TRUE(testing::shows(testing::readme_block_after("output: rules-coverage-with-the-rule"),
                             coverage.out + coverage.err))
      << coverage.out << coverage.err;
}

TEST_F(RulesCommandTest, TheReadmeExampleRuleShowsWhereTheReadmeSays) {
  // The first attempt, at precedence 10, conflicts as the README shows.
  std::string first = readme_rule();
  first.replace(first.find("precedence = 15"), 15, "precedence = 10");
  auto conflict = run({"rules", "lint", "--rules", rulebook_with(first)});
  EXPECT_EQ(conflict.code, 1);
  EXPECT_NE(conflict.out.find("error: rule \"system-state-firmware-mixed\" sets outcome \"no-bootable-device\" and rule "
                              "\"os-version-or-edition-differs\" (line 75) sets \"restore-refused\", both at precedence 10"),
            std::string::npos)
      << conflict.out;

  const std::string rules = rulebook_with(readme_rule());
  EXPECT_EQ(run({"rules", "lint", "--rules", rules}).code, 0);

  auto test = run({"rules", "test", "--rules", rules, kScenarios});
  EXPECT_EQ(test.code, 1);
  EXPECT_NE(test.out.find("s01-ss-firmware-differs-only.toml (s01-ss-firmware-differs-only)\n"
                          "  outcome: expected boots, predicted no-bootable-device\n"),
            std::string::npos)
      << test.out;
  EXPECT_NE(test.out.find("  rules fired: system-state-different-hardware, system-state-firmware-mixed\n"),
            std::string::npos);
  EXPECT_NE(test.out.find(" passed, 1 failed\n"), std::string::npos);

  // diff and coverage over the built-in matrix: TheReadmeWorkedExampleShowsWhatTheCommandsPrint.
}

TEST_F(RulesCommandTest, TestWritesJsonAndJunit) {
  const std::string rules = rulebook_with(readme_rule());
  const std::string junit = dir_ + "/junit.xml";
  auto r = run({"rules", "test", "--json", "--junit", junit, "--rules", rules,
                kScenarios + "/support/s01-ss-firmware-differs-only.toml", kScenarios + "/examples"});
  EXPECT_EQ(r.code, 1);
  auto first = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(first["status"], "fail");
  EXPECT_EQ(first["differences"][0]["field"], "outcome");
  EXPECT_EQ(first["differences"][0]["predicted"], "no-bootable-device");
  const std::string xml = read(junit);
  EXPECT_NE(xml.find("<testsuite name=\"restorelab rules test\" tests=\"12\" failures=\"1\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<failure type=\"expect\" message=\"outcome: expected boots, predicted no-bootable-device;"),
            std::string::npos);
}

TEST_F(RulesCommandTest, DiffReadsTheBaseFromGit) {
  // A small matrix: what is tested is where the base comes from (the
  // built-in full one takes minutes in the sanitizer build).
  const std::string matrix = restorelab::source_path("/scenarios/matrices/hal-by-disk.toml");
  if (run({"rules", "diff", "--matrix", matrix, "--base", "HEAD:rules/kb249694.toml"}).code == 2)
    GTEST_SKIP() << "not a git checkout";  // e.g. a source tarball
  auto r = run({"rules", "diff", "--matrix", matrix, "--base", "HEAD:rules/no-such-file.toml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("HEAD:rules/no-such-file.toml: error: not a file, and git cannot show it"), std::string::npos)
      << r.err;
}

TEST_F(RulesCommandTest, LintFindsWhatBrokenCopiesBreak) {
  // A dead rule: UEFI firmware never starts an NT 5.x system.
  auto dead = run({"rules", "lint", "--rules",
                   rulebook_with("[[rule]]\nid = \"uefi-nt5\"\nwhen = 'source.firmware == \"uefi\" and source.os.nt5'\n"
                                 "actions = [\"update-hal\"]\ncite = \"x\"\n")});
  EXPECT_EQ(dead.code, 1);
  EXPECT_NE(dead.out.find("rule \"uefi-nt5\""), std::string::npos) << dead.out;
  // No citation.
  auto uncited = run({"rules", "lint", "--rules",
                      rulebook_with("[[rule]]\nid = \"uncited\"\nwhen = 'restore.asr'\nactions = [\"update-hal\"]\n")});
  EXPECT_EQ(uncited.code, 1);
  EXPECT_NE(uncited.out.find("rule \"uncited\""), std::string::npos) << uncited.out;
  // Does not load: exit 2, with the position.
  auto broken = run({"rules", "lint", "--rules", rulebook_with("[[rule]]\nid = \"x\"\nwhen = 'source.hal == \"acpi\"'\n")});
  EXPECT_EQ(broken.code, 2);
  EXPECT_NE(broken.err.find("rules.toml:"), std::string::npos);
}

TEST_F(RulesCommandTest, UnknownSubcommandsGetASuggestion) {
  auto r = run({"rules", "lnit"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab rules: unknown command \"lnit\"; did you mean \"lint\"?\n"
                   "run `restorelab rules --help` for the list of commands\n");
}

}  // namespace
}  // namespace restorelab
