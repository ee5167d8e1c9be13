#include "harness/cli/cli.h"
#include "tests/harness/cli_test_util.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>
#include "tests/support/test_paths.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;

using Result = testing::CliResult;
Result run(const std::vector<std::string>& args) { return testing::run_restorelab(args); }

class CliTest : public testing::TempDirTest {};

const std::string kExamples = restorelab::source_path("/scenarios/examples/");

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

const std::string kMatrix = restorelab::source_path("/scenarios/matrices/hal-by-disk.toml");

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
  auto m = write("m.toml", "[matrix]\nname = \"none\"\nbase = \"" + std::string(restorelab::source_dir()) +
                               "/scenarios/matrices/base/ws2003-ss.toml\"\n[axes]\n\"source.nics\" = [1, 2]\n"
                               "[constraints]\nexclude = [\"source.nics > 0\"]\n");
  auto r = run({"matrix", "predict", "--json", m});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, m + ":6:1: error: the matrix is empty: of 2 combinations, 0 are refused by the scenario validation "
                       "and 2 excluded by constraints; loosen the constraints\n");
}

TEST_F(CliTest, MatrixCoveringArrayCoversEveryPair) {
  auto r = run({"matrix", "expand", "--json", "--strength", "2", restorelab::source_path("/scenarios/matrices/restore-10.toml")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("633 of 633 2-tuples covered"), std::string::npos) << r.err;
  auto again = run({"matrix", "expand", "--json", "--strength", "2", restorelab::source_path("/scenarios/matrices/restore-10.toml")});
  EXPECT_EQ(r.out, again.out);  // deterministic
}

TEST_F(CliTest, MatrixCoverSaysWhyItNeedsRowsBeyondTheClasses) {
  auto r = run({"matrix", "expand", "--json", "--cover", "behaviours", "--rules",
                testing::test_data_path("/rulebooks/many-classes-below-three-nics.toml"),
                testing::test_data_path("/matrices/tight-pairs.toml")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 20);
  EXPECT_NE(r.err.find("tight-pairs: 17 behaviour classes of 144 valid combinations in 20 rows; 73 of 73 pairs; "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("\ntight-pairs: 3 rows beyond one per class, the fewest possible: the 12 value pairs of "
                       "destination.nics and destination.disk_bus that valid combinations hold need a row each, and "
                       "class rows can hold at most 9 of them\n"),
            std::string::npos)
      << r.err;
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

namespace restorelab {
namespace {

// ---- hostile input (pull requests run as root in CI) ------------------------------

struct Process {
  int code = -1;  ///< exit code; -1 when it had to be killed
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

/// The restorelab binary with `args` and `stdin_path` as its standard input,
/// killed after `seconds` (so a regression hangs no test run).
Process run_binary(const std::string& dir, const std::vector<std::string>& args, const std::string& stdin_path,
                   int seconds = 30) {
  std::vector<std::string> argv_text = {restorelab::testing::restorelab_binary()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out = dir + "/stdout", err = dir + "/stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  Process p;
  if (spawned != 0) return p;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      p.err = "killed after " + std::to_string(seconds) + " s\n";
      return p;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  p.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  p.out = slurp(out);
  p.err = slurp(err);
  return p;
}

const std::string kBaseScenario = restorelab::source_path("/scenarios/matrices/base/ws2003-ss.toml");

TEST_F(CliTest, CheckAndPredictReadStandardInputAsDash) {
  const std::string in = kExamples + "xp-ide-to-sata.toml";
  auto check = run_binary(dir_, {"check", "-"}, in);
  EXPECT_EQ(check.code, 0) << check.err;
  EXPECT_EQ(check.err, "1 scenario file valid\n");
  auto predict = run_binary(dir_, {"predict", "--json", "-"}, in);
  EXPECT_EQ(predict.code, 0) << predict.err;
  EXPECT_EQ(nlohmann::json::parse(predict.out)["outcome"], "stop-0x7b");
  auto bad = run_binary(dir_, {"check", "-"}, write("bad.toml", "[scenario]\nname = \"x\"\nsource = 3\n"));
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("<stdin>:3:1: error: unknown key \"source\" in [scenario]\n"), std::string::npos)
      << bad.err;
  auto zero = run_binary(dir_, {"check", "-"}, "/dev/zero", 10);
  EXPECT_EQ(zero.code, 2);
  EXPECT_EQ(zero.err, "<stdin>: error: the input is more than the 4 MiB a scenario, matrix or rulebook file may "
                      "have\nfix the errors above\n");
}

TEST_F(CliTest, CheckRefusesAFifoInsteadOfWaitingOnIt) {
  const std::string fifo = dir_ + "/fifo.toml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto r = run_binary(dir_, {"check", fifo}, "/dev/null", 10);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(r.err, fifo + ": error: cannot read: it is a FIFO, not a regular file\nfix the errors above\n");
}

// Every file of a folder that holds a scenario is found, however its
// [scenario] table is written; what is skipped is named.
TEST_F(CliTest, FolderSearchFindsEveryScenarioAndNamesWhatItSkips) {
  std::ifstream in(kExamples + "xp-ide-to-sata.toml");
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  const auto at = text.find("[scenario]");
  ASSERT_NE(at, std::string::npos);
  auto variant = [&](const std::string& header, const std::string& name) {
    std::string t = text;
    t.replace(at, 10, header);
    t.replace(t.find("name = \"xp-ide-to-sata\""), 23, "name = \"" + name + "\"");
    return t;
  };
  write("lib/a.toml", variant("[ scenario ]", "a"));
  write("lib/b.toml", "\xef\xbb\xbf" + variant("[scenario]", "b"));
  write("lib/c.toml", variant("[scenario] # the scenario", "c"));
  const std::string machine = write("lib/machines/m.toml", "hal = \"acpi-pc\"\n");
  auto r = run({"rules", "test", dir_ + "/lib"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("3 passed, 0 failed"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, machine + ": skipped: no [scenario] table (a machine file)\n");
  write("lib/broken.toml", "[scenario\n");
  r = run({"check", dir_ + "/lib"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, machine + ": skipped: no [scenario] table (a machine file)\n" + dir_ +
                       "/lib/broken.toml:1:10: error: invalid TOML: Error while parsing table header: expected ']', "
                       "saw '\\n'\nfix the errors above\n");
  r = run({"predict", dir_ + "/lib"});
  EXPECT_NE(r.err.find("\nnothing was predicted: fix the errors above\n"), std::string::npos) << r.err;
}

TEST_F(CliTest, DiagnosticsQuoteControlCharactersEscaped) {
  auto r = run({"check", write("x.toml", "[scenario]\nname = \"a\\u001b]0;owned\\u0007\"\n")});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos);
  EXPECT_EQ(r.err, dir_ + "/x.toml:2:8: error: scenario.name: control character U+001B in a value; expected "
                          "printable text\nfix the errors above\n");
}

/// A matrix of twenty axes of ten values each: 10^20 combinations.
std::string huge_matrix() {
  std::string text = "[matrix]\nname = \"huge\"\nbase = \"" + kBaseScenario + "\"\n\n[axes]\n";
  for (const char* side : {"source.", "destination."})
    for (const char* key : {"model", "os.systemdrive", "os.systemroot", "os.ad.database", "os.ad.logs",
                            "os.ad.frs_database", "os.ad.frs_logs", "os.apps", "os.roles", "os.filter_drivers"}) {
      const bool list = std::string(key).find("os.apps") == 0 || std::string(key).find("os.roles") == 0 ||
                        std::string(key).find("os.filter") == 0;
      text += "\"" + std::string(side) + key + "\" = [";
      for (int v = 0; v < 10; ++v) {
        const std::string value = "\"v" + std::to_string(v) + "\"";
        text += (v ? ", " : "") + (list ? "[" + value + "]" : value);
      }
      text += "]\n";
    }
  return text;
}

TEST_F(CliTest, RefusesUnboundedMatrixWorkBeforeStarting) {
  const std::string m = write("huge.toml", huge_matrix());
  const std::string at = m + ":5:1: error: ";
  const std::string too_many = at + "the matrix has 100000000000000000000 combinations, more than the 100000000 that "
                                    "restorelab goes through one by one; ";
  for (const char* sub : {"expand", "predict"}) {
    auto r = run_binary(dir_, {"matrix", sub, m}, "/dev/null");
    EXPECT_EQ(r.code, 2) << sub << ": " << r.err;
    EXPECT_EQ(r.err, too_many + "use --strength 2 for a pairwise covering array, or fewer axes or values\n") << sub;
  }
  auto covering = run_binary(dir_, {"matrix", "predict", "--strength", "6", m}, "/dev/null");
  EXPECT_EQ(covering.code, 2) << covering.err;
  EXPECT_EQ(covering.err, at + "a covering array of strength 6 needs about 72.2 GiB for 38760000000 6-tuples of "
                               "values, more than the 1.0 GiB that restorelab allows; use a lower --strength, or "
                               "fewer axes or values\n");
  auto coverage = run_binary(dir_, {"rules", "coverage", "--matrix", m}, "/dev/null");
  EXPECT_EQ(coverage.code, 2);
  EXPECT_EQ(coverage.err, too_many + "use fewer axes or values\n");
  const std::string rules = restorelab::source_path("/rules/kb249694.toml");
  auto diff = run_binary(dir_, {"rules", "diff", "--base", rules, "--rules", rules, "--matrix", m}, "/dev/null");
  EXPECT_EQ(diff.code, 2);
  EXPECT_EQ(diff.err, too_many + "use fewer axes or values\n");
}

// Every combination gets its own file, named as check wants a name.
TEST_F(CliTest, MatrixExpandWritesOneLoadableFilePerCombination) {
  const std::string m = write("odd.toml", "[matrix]\nname = \"odd\"\nbase = \"" + kBaseScenario + "\"\n[axes]\n"
                                          "\"source.model\" = [\"a\", \"a.b\", \"a/b\", \"a_b\", \"A B\", 'a\\b', \"" +
                                          std::string(80, 'x') + "\"]\n\"destination.model\" = [\"b.c\", \"c\"]\n");
  auto r = run({"matrix", "expand", m, "--out", dir_ + "/out"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ + "/out"), fs::directory_iterator()), 14);
  auto check = run({"check", dir_ + "/out"});
  EXPECT_EQ(check.code, 0) << check.err;
  EXPECT_EQ(check.err, "14 scenario files valid\n");
}

}  // namespace
}  // namespace restorelab
