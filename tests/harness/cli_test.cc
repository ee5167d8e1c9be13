#include "harness/cli/cli.h"
#include "tests/harness/cli_test_util.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace restorelab {
namespace {

namespace fs = std::filesystem;

using Result = testing::CliResult;
Result run(const std::vector<std::string>& args) { return testing::run_restorelab(args); }

class CliTest : public testing::TempDirTest {};

const std::string kExamples = RESTORELAB_SOURCE_DIR "/scenarios/examples/";

TEST_F(CliTest, PredictJsonFollowsTheSpec) {
  auto r = run({"predict", "--json", kExamples + "acpi-up-to-acpi-mp.toml", kExamples + "xp-ide-to-sata.toml"});
  EXPECT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<nlohmann::json> objects;
  while (std::getline(lines, line)) objects.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(objects.size(), 2u);
  const auto& up = objects[0];
  EXPECT_EQ(up["scenario"], "acpi-up-to-acpi-mp");
  EXPECT_EQ(up["supported"], false);
  EXPECT_EQ(up["outcome"], "boots-degraded");
  EXPECT_EQ(up["cpus_used"], 1);
  EXPECT_EQ(up["actions"], (nlohmann::json{"reconfigure-hardware-bound-apps", "update-hal"}));
  EXPECT_EQ(up["rules"].size(), up["reasons"].size());
  EXPECT_EQ(up["expect"], "met");
  const auto& stop = objects[1];
  EXPECT_EQ(stop["outcome"], "stop-0x7b");
  EXPECT_FALSE(stop.contains("cpus_used"));  // only when it boots
  // The keys in the order the spec shows them.
  std::vector<std::string> keys;
  for (auto it = up.begin(); it != up.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(r.out.find("{\"scenario\":"), 0u);
  EXPECT_LT(r.out.find("\"supported\""), r.out.find("\"outcome\""));
  EXPECT_LT(r.out.find("\"rules\""), r.out.find("\"reasons\""));
}

TEST_F(CliTest, PredictExitsOneWhenAnExpectationIsMissed) {
  std::ifstream in(kExamples + "xp-ide-to-sata.toml");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text.replace(text.find("outcome = \"stop-0x7b\""), 21, "outcome = \"boots\"");
  auto r = run({"predict", "--json", write("missed.toml", text)});
  EXPECT_EQ(r.code, 1);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["expect"], "missed");
  EXPECT_EQ(j["expect_diff"], (nlohmann::json{"outcome"}));
  auto text_report = run({"predict", dir_ + "/missed.toml"});
  EXPECT_NE(text_report.out.find("outcome: expected boots, predicted stop-0x7b"), std::string::npos) << text_report.out;
}

TEST_F(CliTest, PredictsNothingWhenAnyFileIsBad) {
  auto bad = write("bad.toml", "[scenario]\nname = \"bad\"\n[source]\nhal = \"acpi-uniprocessor\"\ncpus = 4\n");
  auto r = run({"predict", "--json", kExamples + "xp-ide-to-sata.toml", bad});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(bad + ":3:1: error: missing [source.os] table"), std::string::npos) << r.err;
}

TEST_F(CliTest, RefusesDuplicateNamesAndEmptyFolders) {
  auto r = run({"predict", kExamples + "xp-ide-to-sata.toml", kExamples + "xp-ide-to-sata.toml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(kExamples + "xp-ide-to-sata.toml:2:8: error: scenario.name: \"xp-ide-to-sata\" is already the "
                       "name of " + kExamples + "xp-ide-to-sata.toml; names must be unique in a run; rename one of them\n"),
            std::string::npos)
      << r.err;
  fs::create_directories(dir_ + "/empty");
  r = run({"predict", dir_ + "/empty"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no scenario files"), std::string::npos);
}

TEST_F(CliTest, RulesSwapsTheRulebook) {
  auto book = write("book.toml", "[[rule]]\nid = \"all-hang\"\nwhen = \"true\"\noutcome = \"hang\"\nprecedence = 1\n"
                                 "cite = \"a test\"\n");
  auto r = run({"predict", "--json", "--rules", book, kExamples + "same-hardware-system-state.toml"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(nlohmann::json::parse(r.out)["outcome"], "hang");
  auto broken = write("broken.toml", "[[rule]]\nid = \"x\"\nwhen = \"source.hal == 'acpi'\"\n");
  r = run({"predict", "--rules", broken, kExamples + "same-hardware-system-state.toml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(broken + ":3:23: error: rule \"x\": \"acpi\" is not a value of \"source.hal\""), std::string::npos)
      << r.err;
}

TEST_F(CliTest, CheckValidatesWithoutPredicting) {
  auto r = run({"check", kExamples});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("11 scenario files valid"), std::string::npos);
}

TEST_F(CliTest, UnknownCommandsGetASuggestion) {
  auto r = run({"predcit"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab: unknown command \"predcit\"; did you mean \"predict\"?\n"
                   "run `restorelab --help` for the list of commands\n");
  EXPECT_EQ(run({"predict", "--jsno", "x.toml"}).code, 2);
}

TEST_F(CliTest, EveryCommandHasHelp) {
  auto r = run({"--help"});
  EXPECT_EQ(r.code, 0);
  for (const Command& c : commands()) {
    EXPECT_NE(r.out.find(std::string(c.name)), std::string::npos) << c.name;
    auto help = run({std::string(c.name), "--help"});
    EXPECT_EQ(help.code, 0) << c.name;
    EXPECT_NE(help.out.find("sage: restorelab " + std::string(c.name)), std::string::npos) << c.name << ": " << help.out;
  }
  EXPECT_EQ(run({"--version"}).out, "restorelab " RESTORELAB_VERSION "\n");
}

const std::string kMatrix = RESTORELAB_SOURCE_DIR "/scenarios/matrices/hal-by-disk.toml";

TEST_F(CliTest, MatrixPredictSummarises) {
  auto r = run({"matrix", "predict", kMatrix});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("matrix hal-by-disk: 81 combinations, 81 predicted"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("source.hal (rows) x destination.hal (columns)"), std::string::npos);
  r = run({"matrix", "predict", kMatrix, "--rows", "destination.disk_bus", "--cols", "source.os.service_pack"});
  EXPECT_NE(r.out.find("destination.disk_bus (rows) x source.os.service_pack (columns)"), std::string::npos);
  r = run({"matrix", "predict", kMatrix, "--rows", "destination.disk", "--cols", "source.hal"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("did you mean \"destination.disk_bus\"?"), std::string::npos) << r.err;
}

TEST_F(CliTest, MatrixPredictJsonHasIdsAxesAndPredictions) {
  auto r = run({"matrix", "predict", "--json", kMatrix});
  EXPECT_EQ(r.code, 0);
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    if (n++ == 0) {
      EXPECT_EQ(j["id"], "hal-by-disk/acpi-uniprocessor.acpi-uniprocessor.ide.0");
      EXPECT_EQ(j["axes"]["source.os.service_pack"], 0);
      EXPECT_EQ(j["axes"]["destination.disk_bus"], "ide");
      EXPECT_EQ(j["scenario"], j["id"]);
      EXPECT_EQ(j["outcome"], "boots");
    }
  }
  EXPECT_EQ(n, 81);
}

TEST_F(CliTest, MatrixRefusesAMatrixThatConstraintsEmpty) {
  auto m = write("m.toml", "[matrix]\nname = \"none\"\nbase = \"" + std::string(RESTORELAB_SOURCE_DIR) +
                               "/scenarios/matrices/base/ws2003-ss.toml\"\n[axes]\n\"source.nics\" = [1, 2]\n"
                               "[constraints]\nexclude = [\"source.nics > 0\"]\n");
  auto r = run({"matrix", "predict", "--json", m});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, m + ":6:1: error: the matrix is empty: of 2 combinations, 0 are refused by the scenario validation "
                       "and 2 excluded by constraints; loosen the constraints\n");
}

TEST_F(CliTest, MatrixCoveringArrayCoversEveryPair) {
  auto r = run({"matrix", "expand", "--json", "--strength", "2", RESTORELAB_SOURCE_DIR "/scenarios/matrices/restore-10.toml"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("633 of 633 2-tuples covered"), std::string::npos) << r.err;
  auto again = run({"matrix", "expand", "--json", "--strength", "2", RESTORELAB_SOURCE_DIR "/scenarios/matrices/restore-10.toml"});
  EXPECT_EQ(r.out, again.out);  // deterministic
}

TEST_F(CliTest, MatrixExpandWritesScenarioFilesThatLoad) {
  auto r = run({"matrix", "expand", kMatrix, "--out", dir_ + "/out"});
  EXPECT_EQ(r.code, 0) << r.err;
  auto files = std::distance(fs::directory_iterator(dir_ + "/out"), fs::directory_iterator());
  EXPECT_EQ(files, 81);
  auto check = run({"check", dir_ + "/out"});
  EXPECT_EQ(check.code, 0) << check.err;
  // The written scenarios predict what the matrix predicts.
  auto direct = run({"predict", "--json", dir_ + "/out/hal-by-disk_acpi-uniprocessor.mps-multiprocessor.sata.1.toml"});
  EXPECT_EQ(nlohmann::json::parse(direct.out)["outcome"], "stop-0x7b");
}

}  // namespace
}  // namespace restorelab

namespace restorelab {
namespace {

// CI splits work over jobs with --shard K/N: the shares are disjoint and
// together are the whole.
TEST_F(CliTest, ShardsSplitTheWorkWithoutOverlap) {
  std::set<std::string> ids;
  std::size_t lines = 0;
  for (const char* shard : {"1/3", "2/3", "3/3"}) {
    auto r = run({"matrix", "predict", "--json", "--shard", shard, kMatrix});
    ASSERT_EQ(r.code, 0) << r.err;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line); ++lines) ids.insert(nlohmann::json::parse(line)["id"]);
  }
  EXPECT_EQ(lines, 81u);
  EXPECT_EQ(ids.size(), 81u);
  auto bad = run({"rules", "test", "--shard", "0/2"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, "restorelab: --shard \"0/2\": expected K/N with 1 <= K <= N, for example 2/4\n");
}

}  // namespace
}  // namespace restorelab
