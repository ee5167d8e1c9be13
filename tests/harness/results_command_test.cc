// `restorelab results runs|show|compare|merge` and `rules test --observed`
// over stores filled without VMs (tests/support/synthetic_results.h).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <sqlite3.h>

#include "rules/rulebook.h"
#include "rules/toml_source.h"
#include "tests/docs/docs_test_util.h"
#include "tests/harness/cli_test_util.h"
#include "tests/support/fifo.h"
#include "tests/support/synthetic_results.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;
using testing::run_restorelab;

class ResultsCommandTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto loaded = load_rulebook_file(DiskReader{}, restorelab::source_path("/rules/kb249694.toml"));
    ASSERT_TRUE(loaded);
    book = std::make_unique<Rulebook>(std::move(*loaded));
    db = dir_ + "/results.sqlite";
  }
  std::int64_t record(const std::string& path, testing::SyntheticRun run) {
    auto s = store::ResultsStore::open(path);
    EXPECT_TRUE(s) << s.error().message;
    std::string error;
    const std::int64_t id = testing::record_synthetic_run(*s, *book, run, error);
    EXPECT_NE(id, 0) << error;
    return id;
  }
  std::unique_ptr<Rulebook> book;
  std::string db;
};

TEST_F(ResultsCommandTest, RunsListsEachRunWithItsVerdicts) {
  record(db, testing::synthetic(20, 5, 0, "nightly"));
  record(db, testing::synthetic(10));
  auto r = run_restorelab({"results", "runs", "--db", db, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  auto newest = nlohmann::json::parse(first), older = nlohmann::json::parse(second);
  EXPECT_EQ(newest["id"], 2);
  EXPECT_EQ(older["campaign"], "nightly");
  EXPECT_EQ(older["verdicts"]["agree"], 16);
  EXPECT_EQ(older["verdicts"]["disagree"], 4);
  EXPECT_EQ(older["status"], "finished");
  auto text = run_restorelab({"results", "runs", "--db", db});
  EXPECT_NE(text.out.find("16 agree, 4 disagree"), std::string::npos) << text.out;
}

TEST_F(ResultsCommandTest, ShowPrintsTheLinesAsRunPrintedThem) {
  record(db, testing::synthetic(3));
  auto r = run_restorelab({"results", "show", "--db", db, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(j["run"], 1);
  EXPECT_EQ(j["verdict"], "agree");
  EXPECT_TRUE(j["id"].get<std::string>().starts_with("builtin-full/"));
  auto text = run_restorelab({"results", "show", "1", "--db", db});
  EXPECT_NE(text.out.find("3 scenarios: 3 agree"), std::string::npos) << text.out;
  const std::string junit = dir_ + "/show.xml";
  EXPECT_EQ(run_restorelab({"results", "show", "--db", db, "--junit", junit}).code, 0);
  std::ifstream in(junit);
  const std::string xml{std::istreambuf_iterator<char>(in), {}};
  EXPECT_NE(xml.find("tests=\"3\" failures=\"0\""), std::string::npos);
}

TEST_F(ResultsCommandTest, ShowOfACampaignTakesTheNewestResultOfEachScenario) {
  record(db, testing::synthetic(6, 1, 0, "c", "1/2"));
  record(db, testing::synthetic(3, 0, 0, "c", "2/2"));
  auto r = run_restorelab({"results", "show", "--db", db, "--campaign", "c"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("6 scenarios: 3 agree, 3 disagree"), std::string::npos) << r.out;
}

TEST_F(ResultsCommandTest, CompareExitsOneOnARegression) {
  record(db, testing::synthetic(10));
  record(db, testing::synthetic(10, 4));
  auto r = run_restorelab({"results", "compare", "1", "2", "--db", db});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("REGRESSION"), std::string::npos) << r.out;
  EXPECT_EQ(run_restorelab({"results", "compare", "2", "1", "--db", db}).code, 0);
}

TEST_F(ResultsCommandTest, MergeCopiesShardsOnceAndKeepsIdsUnique) {
  const std::string a = dir_ + "/a.sqlite", b = dir_ + "/b.sqlite";
  record(a, testing::synthetic(4, 0, 0, "c", "1/2"));
  record(b, testing::synthetic(4, 0, 4, "c", "2/2"));
  auto r = run_restorelab({"results", "merge", "--db", db, a, b});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, a + ": 1 run(s) added (0 already there), 4 result(s), 4 attempt(s)\n" + b +
                       ": 1 run(s) added (0 already there), 4 result(s), 4 attempt(s)\n");
  auto again = run_restorelab({"results", "merge", "--db", db, a});
  EXPECT_EQ(again.out, a + ": 0 run(s) added (1 already there), 0 result(s), 0 attempt(s)\n");
  auto merged = run_restorelab({"results", "show", "--db", db, "--campaign", "c"});
  EXPECT_NE(merged.out.find("8 scenarios: 8 agree"), std::string::npos) << merged.out;
}

// Every input is checked before the store merged into is created or
// changed, and the merge is one transaction: a failure leaves nothing.
TEST_F(ResultsCommandTest, MergeChecksEveryInputBeforeChangingAnything) {
  const std::string good = dir_ + "/good.sqlite", out = dir_ + "/new.sqlite";
  record(good, testing::synthetic(2));
  const std::string bad = write("bad.sqlite", "not a store\n");
  auto r = run_restorelab({"results", "merge", "--db", out, good, bad});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab results merge: " + bad +
                       ": not a restorelab results store (not an SQLite database); nothing was merged\n");
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(out)) << "no store was created";

  // A source that opens but fails half-way through the copy (a result its
  // own CHECKs were bypassed for): nothing of the earlier sources stays.
  const std::string odd = dir_ + "/odd.sqlite";
  record(odd, testing::synthetic(2, 0, 2));
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(odd.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "PRAGMA ignore_check_constraints = ON; UPDATE results SET json_line = 'not json'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  auto half = run_restorelab({"results", "merge", "--db", out, good, odd});
  EXPECT_EQ(half.code, 3) << half.err;
  EXPECT_TRUE(half.err.ends_with("; nothing was merged\n")) << half.err;
  EXPECT_FALSE(fs::exists(out)) << "the store it would have created is gone";
  record(out, testing::synthetic(1, 0, 10));
  EXPECT_EQ(run_restorelab({"results", "merge", "--db", out, good, odd}).code, 3);
  auto runs = run_restorelab({"results", "runs", "--db", out, "--json"});
  EXPECT_EQ(std::count(runs.out.begin(), runs.out.end(), '\n'), 1) << "the existing store keeps only its own run";
}

TEST_F(ResultsCommandTest, ADamagedOrFifoStoreIsBadInputInEveryCommand) {
  record(db, testing::synthetic(1));
  testing::UnblockedFifo fifo(dir_ + "/fifo.sqlite");
  ASSERT_TRUE(fifo.made());
  const std::string fifo_error = fifo.path() + ": not a restorelab results store (a FIFO, not a regular file)";
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"results", "runs", "--db", fifo.path()},
           {"results", "show", "--db", fifo.path()},
           {"results", "merge", "--db", db, fifo.path()},
           {"replay", "x", "--db", fifo.path()},
           {"rules", "test", "--observed", fifo.path(), "--known", "none"}}) {
    auto r = run_restorelab(args);
    EXPECT_EQ(r.code, 2) << args[0] << " " << args[1];
    EXPECT_NE(r.err.find(": " + fifo_error), std::string::npos) << r.err;
  }
}

TEST_F(ResultsCommandTest, BadStoresAndIdsAreBadInput) {
  const std::string not_a_store = write("x.sqlite", "hello, not a database\n");
  auto r = run_restorelab({"results", "runs", "--db", not_a_store});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab results: " + not_a_store + ": not a restorelab results store (not an SQLite database)\n");
  record(db, testing::synthetic(1));
  EXPECT_EQ(run_restorelab({"results", "show", "7", "--db", db}).code, 2);
  auto word = run_restorelab({"results", "show", "seven", "--db", db});
  EXPECT_EQ(word.code, 2);
  EXPECT_EQ(word.err, "restorelab results show: \"seven\" is not a run id; expected a number such as 3\n");
  EXPECT_EQ(run_restorelab({"results", "compare", "1", "nolabel", "--db", db}).code, 2);
  EXPECT_EQ(run_restorelab({"results", "show", "--db", dir_ + "/missing.sqlite"}).code, 2);
}

TEST_F(ResultsCommandTest, RulesTestObservedJudgesTheRulebookUnderWork) {
  record(db, testing::synthetic(50));
  auto same = run_restorelab({"rules", "test", "--observed", db, "--known", "none"});
  EXPECT_EQ(same.code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("run 1: 50 observations judged with"), std::string::npos) << same.out;
  // A rule that makes every restore stop 0x79.
  std::ifstream in(restorelab::source_path("/rules/kb249694.toml"));
  const std::string rulebook = write("changed.toml", std::string{std::istreambuf_iterator<char>(in), {}} + R"(
[[rule]]
id = "everything-stops"
when = 'source.cpus >= 1'
outcome = "stop-0x79"
precedence = 5
cite = "a test rule"
)");
  auto changed = run_restorelab({"rules", "test", "--observed", db, "--rules", rulebook, "--known", "none", "--json"});
  EXPECT_EQ(changed.code, 1) << changed.err;
  std::istringstream lines(changed.out);
  int disagree = 0;
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    if (j["verdict"] == "disagree") {
      ++disagree;
      EXPECT_EQ(j["predicted"]["outcome"], "stop-0x79");
      const auto& rules = j["predicted"]["rules"];
      EXPECT_NE(std::find(rules.begin(), rules.end(), "everything-stops"), rules.end());
    }
  }
  EXPECT_GT(disagree, 0);
}

// A known-deviations entry with `scenario = "*"` silently turned every
// disagreement into a known deviation; the run now says so on stderr.
TEST_F(ResultsCommandTest, AKnownDeviationThatExcusesEveryDisagreementIsNamed) {
  record(db, testing::synthetic(20, 5));
  const std::string known = write("known.toml", "[[deviation]]\nid = \"catch-all\"\nscenario = \"*\"\nreason = \"r\"\n");
  auto r = run_restorelab({"rules", "test", "--observed", db, "--known", known});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("16 agree, 4 known-deviation"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "restorelab rules test: known deviation catch-all (" + known +
                       ":1) excused all 4 disagreements; if it is meant for fewer, narrow its scenario or when\n");
  const std::string narrow = write("narrow.toml", "[[deviation]]\nid = \"one\"\nscenario = \"nothing-matches\"\n"
                                                  "reason = \"r\"\n");
  auto quiet = run_restorelab({"rules", "test", "--observed", db, "--known", narrow});
  EXPECT_EQ(quiet.code, 1);
  EXPECT_EQ(quiet.err, "");
}

TEST_F(ResultsCommandTest, TheReadmeRuleAuthorLoopRuns) {
  // The README's command as it stands, in a folder with a store at the
  // default place and the rulebook under work as my-rules.toml.
  std::ifstream readme_in(restorelab::source_path("/README.md"));
  const std::string readme{std::istreambuf_iterator<char>(readme_in), {}};
  const auto marker = readme.find("<!-- rule-author-loop -->");
  ASSERT_NE(marker, std::string::npos);
  const auto start = readme.find("```sh\n", marker) + 6;
  std::istringstream words(readme.substr(start, readme.find('\n', start) - start));
  std::vector<std::string> argv;
  for (std::string w; words >> w;) argv.push_back(w);
  ASSERT_EQ(argv.front(), "restorelab");
  argv.erase(argv.begin());
  fs::create_directories(dir_ + "/runs");
  record(dir_ + "/runs/results.sqlite", testing::synthetic(30));
  std::ifstream rules(restorelab::source_path("/rules/kb249694.toml"));
  write("my-rules.toml", std::string{std::istreambuf_iterator<char>(rules), {}});
  const fs::path here = fs::current_path();
  fs::current_path(dir_);
  auto r = run_restorelab(argv);
  fs::current_path(here);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("run 1: 30 observations judged with my-rules.toml"), std::string::npos) << r.out;
}

TEST_F(ResultsCommandTest, TheReadmeResultsWalkRuns) {
  // The README's block as it stands, in a folder whose default store holds
  // runs of the campaigns it names (and a run 7), beside two shards' stores.
  fs::create_directories(dir_ + "/runs");
  const std::string store = dir_ + "/runs/results.sqlite";
  record(store, testing::synthetic(12, 0, 0, "main"));
  record(store, testing::synthetic(12, 0, 0, "pr-42"));
  for (int i = 0; i < 4; ++i) record(store, testing::synthetic(3));
  record(store, testing::synthetic(12, 0, 0, "nightly"));
  record(dir_ + "/shard-1.sqlite", testing::synthetic(6, 0, 0, "nightly", "1/2"));
  record(dir_ + "/shard-2.sqlite", testing::synthetic(6, 0, 6, "nightly", "2/2"));
  const auto commands = testing::shell_commands(testing::readme_block_after("results-walk"));
  ASSERT_EQ(commands.size(), 6u);
  const fs::path here = fs::current_path();
  fs::current_path(dir_);
  for (const testing::DocCommand& c : commands) {
    ASSERT_EQ(c.argv.front(), "restorelab");
    auto r = run_restorelab({c.argv.begin() + 1, c.argv.end()});
    EXPECT_EQ(r.code, 0) << c.text << "\n" << r.out << r.err;
  }
  fs::current_path(here);
  EXPECT_GT(fs::file_size(dir_ + "/run7.html"), 1000u);
  auto merged = run_restorelab({"results", "runs", "--db", dir_ + "/all.sqlite", "--json"});
  EXPECT_EQ(std::count(merged.out.begin(), merged.out.end(), '\n'), 2) << merged.out;  // the two shards' runs
}

}  // namespace
}  // namespace restorelab
