// What a store, a record or a scenario file name can do to the commands
// that read them (issue 23, "records, stores and reports are untrusted input
// too"): no report replaces its input, every text out is valid UTF-8 (and
// XML), no control character reaches the terminal, and a store one may only
// read can be read.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "harness/machines/process.h"
#include "harness/store/store_compare.h"
#include "rules/rulebook.h"
#include "rules/source_dir.h"
#include "rules/toml_source.h"
#include "tests/harness/cli_test_util.h"
#include "tests/harness/store_test_util.h"
#include "tests/support/synthetic_results.h"
#include "tests/support/test_paths.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;
using testing::run_restorelab;

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// Every line of `text` parses as JSON (nlohmann refuses text that is not UTF-8).
void expect_json_lines(const std::string& text) {
  std::istringstream lines(text);
  std::size_t n = 0;
  for (std::string line; std::getline(lines, line); ++n)
    EXPECT_TRUE(nlohmann::json::accept(line)) << "line " << n << " is not JSON (or not UTF-8): " << line;
  EXPECT_GT(n, 0u);
}

/// xmllint's verdict on the file: "" when it is well-formed XML.
std::string xmllint_errors(const std::string& path) {
  auto r = machines::run_process({"xmllint", "--noout", path}, {.timeout = std::chrono::seconds(30)});
  if (!r) return "cannot run xmllint: " + r.error().message;
  return r->exit_code == 0 ? std::string() : r->output;
}

bool have_xmllint() { return ::access("/usr/bin/xmllint", X_OK) == 0; }

class HostileStoreTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto loaded = load_rulebook_file(DiskReader{}, restorelab::source_path("/rules/kb249694.toml"));
    ASSERT_TRUE(loaded);
    book_ = std::make_unique<Rulebook>(std::move(*loaded));
    db_ = dir_ + "/results.sqlite";
  }
  void record(testing::SyntheticRun run) {
    auto s = store::ResultsStore::open(db_);
    ASSERT_TRUE(s) << s.error().message;
    std::string error;
    ASSERT_NE(testing::record_synthetic_run(*s, *book_, run, error), 0) << error;
  }
  /// The first result's id, made of bytes that are no text: a raw 0xFF,
  /// U+FFFE, U+FFFF and escape sequences (in its column raw, in its stored
  /// JSON line as JSON escapes); the run's accelerator, commit and start too.
  void make_hostile() {
    store::testing::raw_sql(
        db_,
        "UPDATE results SET scenario_id = CAST(X'6869FF2FEFBFBE1B5B33316DEFBFBF07' AS TEXT), "
        "json_line = replace(json_line, '\"id\":\"', '\"id\":\"hi' || CAST(X'FF' AS TEXT) || '/' || "
        "CAST(X'EFBFBE' AS TEXT) || '\\u001b[31m' || CAST(X'EFBFBF' AS TEXT) || '\\u0007'), "
        "differences = '[\"' || CAST(X'FEEFBFBF' AS TEXT) || '\"]' WHERE seq = 1;"
        "UPDATE runs SET accelerator = CAST(X'1B5D303B70776E656407FF' AS TEXT), "
        "source_commit = CAST(X'1B5B324A' AS TEXT), started = started || CAST(X'9B' AS TEXT);");
  }
  /// The first result's id as read back: the 0xFF is U+FFFD.
  static constexpr const char* kIdRead = "hi\xef\xbf\xbd/\xef\xbf\xbe\x1b[31m\xef\xbf\xbf\x07";
  std::unique_ptr<Rulebook> book_;
  std::string db_;
};

// `results show --db S --html S` replaced the store with the report.
TEST_F(HostileStoreTest, ShowNeverWritesItsReportOverItsStore) {
  record(testing::synthetic(4));
  const std::string before = contents(db_);
  for (const char* option : {"--html", "--junit"}) {
    auto r = run_restorelab({"results", "show", "--db", db_, option, db_});
    EXPECT_EQ(r.code, 2) << option;
    EXPECT_EQ(r.err, "restorelab results show: " + std::string(option) + " " + db_ +
                         ": is an input of this command; an output never replaces an input\n");
    EXPECT_EQ(r.out, "");
  }
  const std::string link = dir_ + "/report.html";
  fs::create_symlink(db_, link);
  auto r = run_restorelab({"results", "show", "--db", db_, "--html", link});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab results show: --html " + link + ": is the input " + db_ +
                       " of this command; an output never replaces an input\n");
  EXPECT_EQ(contents(db_), before);
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(store::testing::integrity(db_), "ok");
  // Another file is still written.
  EXPECT_EQ(run_restorelab({"results", "show", "--db", db_, "--html", dir_ + "/fine.html"}).code, 0);
}

// `matrix predict --html` onto its rulebook: refused before the summary is printed.
TEST_F(HostileStoreTest, MatrixPredictNeverWritesItsPageOverItsRulebook) {
  const std::string rulebook = write("r.toml", contents(restorelab::source_path("/rules/kb249694.toml")));
  auto r = run_restorelab({"matrix", "predict", restorelab::source_path("/scenarios/matrices/hal-by-disk.toml"),
                           "--rules", rulebook, "--html", rulebook});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab matrix predict: --html " + rulebook +
                       ": is an input of this command; an output never replaces an input\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(contents(rulebook), contents(restorelab::source_path("/rules/kb249694.toml")));
}

// `run` finds it before any VM starts: its store and its scenario files are inputs too.
TEST_F(HostileStoreTest, RunNeverWritesItsReportOverItsStoreOrAScenario) {
  record(testing::synthetic(2));
  const std::string before = contents(db_);
  const std::string example = restorelab::source_path("/scenarios/examples/acpi-up-to-acpi-mp.toml");
  const std::string scenario = write("s.toml", contents(example));
  auto r = run_restorelab({"run", "--db", db_, "--junit", db_, scenario});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab run: --junit " + db_ +
                       ": is an input of this command; an output never replaces an input\n");
  auto h = run_restorelab({"run", "--db", "none", "--html", scenario, scenario});
  EXPECT_EQ(h.code, 2);
  EXPECT_EQ(h.err, "restorelab run: --html " + scenario +
                       ": is an input of this command; an output never replaces an input\n");
  EXPECT_EQ(contents(db_), before);
}

// `rules test --junit F F` overwrote its own scenario with the report.
TEST_F(HostileStoreTest, RulesTestNeverWritesItsReportOverAScenario) {
  const std::string example = restorelab::source_path("/scenarios/examples/acpi-up-to-acpi-mp.toml");
  const std::string scenario = write("s.toml", contents(example));
  auto r = run_restorelab({"rules", "test", "--junit", scenario, scenario});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab rules test: --junit " + scenario +
                       ": is an input of this command; an output never replaces an input\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(contents(scenario), contents(example));
  // A scenario that does not load is not replaced by the report of why either.
  const std::string broken = write("broken.toml", "[scenario]\nname = 3\n");
  auto b = run_restorelab({"rules", "test", "--junit", broken, broken});
  EXPECT_EQ(b.code, 2);
  EXPECT_EQ(contents(broken), "[scenario]\nname = 3\n");
  EXPECT_NE(b.err.find(broken + ": is an input of this command"), std::string::npos) << b.err;
}

TEST_F(HostileStoreTest, BytesThatAreNoTextStillMakeValidJsonAndXml) {
  record(testing::synthetic(3, 2));
  make_hostile();
  auto runs = run_restorelab({"results", "runs", "--db", db_, "--json"});
  ASSERT_EQ(runs.code, 0) << runs.err;
  expect_json_lines(runs.out);
  auto show = run_restorelab({"results", "show", "--db", db_, "--json"});
  ASSERT_EQ(show.code, 0) << show.err;
  expect_json_lines(show.out);
  EXPECT_EQ(show.out.find('\xff'), std::string::npos);
  const auto first = nlohmann::json::parse(show.out.substr(0, show.out.find('\n')), nullptr, false);
  ASSERT_TRUE(first.is_object()) << show.out;
  EXPECT_TRUE(first["id"].get<std::string>().starts_with(kIdRead)) << show.out;
  auto judged = run_restorelab({"rules", "test", "--observed", db_, "--known", "none", "--json"});
  EXPECT_EQ(judged.code, 1) << judged.err;
  expect_json_lines(judged.out);

  const std::string junit = dir_ + "/show.xml";
  ASSERT_EQ(run_restorelab({"results", "show", "--db", db_, "--junit", junit}).code, 0);
  const std::string xml = contents(junit);
  // The id's 0xFF, U+FFFE, U+FFFF and controls are each U+FFFD.
  EXPECT_NE(xml.find("name=\"hi\xef\xbf\xbd/\xef\xbf\xbd\xef\xbf\xbd[31m\xef\xbf\xbd\xef\xbf\xbd"), std::string::npos)
      << xml;
  if (!have_xmllint()) GTEST_SKIP() << "xmllint is not installed (libxml2-utils)";
  EXPECT_EQ(xmllint_errors(junit), "");
}

TEST_F(HostileStoreTest, AScenarioFileNameThatIsNoTextStillMakesValidXml) {
  if (!have_xmllint()) GTEST_SKIP() << "xmllint is not installed (libxml2-utils)";
  const std::string folder = dir_ + "/scenarios";
  fs::create_directories(folder);
  std::ofstream(folder + "/bad\xff\xef\xbf\xbe.toml")
      << contents(restorelab::source_path("/scenarios/examples/acpi-up-to-acpi-mp.toml"));
  const std::string junit = dir_ + "/test.xml";
  auto r = run_restorelab({"rules", "test", "--junit", junit, folder});
  EXPECT_EQ(xmllint_errors(junit), "") << r.err;
  EXPECT_NE(contents(junit).find("bad\xef\xbf\xbd\xef\xbf\xbd.toml"), std::string::npos) << contents(junit);
}

TEST(HostileStoreCompareTest, IdsThatAreNoTextMakeValidJsonNotAnException) {
  auto result = [](const std::string& id, store::Verdict v) {
    store::ResultRecord r = store::testing::sample_result(id, v);
    return r;
  };
  const std::string id = "a\xff\xc3";
  const auto c = store::compare({result(id, store::Verdict::Agree)}, {result(id, store::Verdict::Disagree)});
  const std::string json = store::comparison_json(c, "campaign \xfe", "run 2");
  EXPECT_TRUE(nlohmann::json::accept(json)) << json;
  EXPECT_NE(json.find("\"a\xef\xbf\xbd\xef\xbf\xbd\""), std::string::npos) << json;
}

// Values of a store printed to a terminal: ESC, BEL and CSI (0x9B) arrive
// escaped, as the diagnostics show them.
TEST_F(HostileStoreTest, NoControlCharacterOfAStoreReachesTheTerminal) {
  record(testing::synthetic(3, 2));
  make_hostile();
  auto no_controls = [](const testing::CliResult& r, const std::string& what) {
    for (char c : {'\x1b', '\x07', '\x9b'}) {
      EXPECT_EQ(r.out.find(c), std::string::npos) << what << ": " << r.out;
      EXPECT_EQ(r.err.find(c), std::string::npos) << what << ": " << r.err;
    }
  };
  auto runs = run_restorelab({"results", "runs", "--db", db_});
  EXPECT_EQ(runs.code, 0) << runs.err;
  no_controls(runs, "runs");
  EXPECT_NE(runs.out.find("\\x1b[2J"), std::string::npos) << runs.out;
  auto show = run_restorelab({"results", "show", "--db", db_});
  EXPECT_EQ(show.code, 0) << show.err;
  no_controls(show, "show");
  EXPECT_NE(show.out.find("hi\xef\xbf\xbd/\xef\xbf\xbe\\x1b[31m\xef\xbf\xbf\\x07"), std::string::npos) << show.out;
  auto judged = run_restorelab({"rules", "test", "--observed", db_, "--known", "none"});
  no_controls(judged, "rules test --observed");
  auto replay = run_restorelab({"replay", "--db", db_, "\x1b]0;title\x07"});
  EXPECT_EQ(replay.code, 2);
  no_controls(replay, "replay");
  EXPECT_NE(replay.err.find("no observed scenario \"\\x1b]0;title\\x07\""), std::string::npos) << replay.err;
}

// A WAL store in a folder this user cannot write (another user's 0644 file,
// a read-only mount) failed with "unable to open database file" (exit 3):
// SQLite could not create the -shm file. As root, permissions do not stop
// anything, so the commands run as nobody (setpriv) when the test is root.
TEST_F(HostileStoreTest, AStoreOneMayOnlyReadCanBeRead) {
  record(testing::synthetic(6, 3));
  const std::string folder = dir_ + "/readonly";
  fs::create_directories(folder);
  const std::string db = folder + "/results.sqlite";
  fs::copy_file(db_, db);
  ::chmod(db.c_str(), 0644);
  ::chmod(folder.c_str(), 0555);
  ::chmod(dir_.c_str(), 0755);
  // LeakSanitizer cannot stop the world of a process that dropped to another user.
  std::vector<std::string> prefix = {"env", "ASAN_OPTIONS=detect_leaks=0"};
  if (::geteuid() == 0) {
    if (::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "root without setpriv: cannot drop to another user";
    prefix.insert(prefix.end(), {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"});
  }
  auto as_reader = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = prefix;
    argv.push_back(restorelab::testing::restorelab_binary());
    argv.insert(argv.end(), args.begin(), args.end());
    machines::ProcessOptions options;
    options.timeout = std::chrono::seconds(60);
    options.separate_stderr = true;
    auto r = machines::run_process(argv, options);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : machines::ProcessResult{-1, "", ""};
  };
  // The file really cannot be written by the reader.
  if (::geteuid() == 0) {
    auto probe = machines::run_process({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "touch",
                                        folder + "/probe"},
                                       std::chrono::seconds(30));
    ASSERT_TRUE(probe);
    ASSERT_NE(probe->exit_code, 0) << "nobody can write " << folder;
  }
  auto runs = as_reader({"results", "runs", "--db", db});
  EXPECT_EQ(runs.exit_code, 0) << runs.errors;
  EXPECT_NE(runs.output.find("4 agree, 2 disagree"), std::string::npos) << runs.output;
  auto show = as_reader({"results", "show", "--db", db, "--json"});
  EXPECT_EQ(show.exit_code, 0) << show.errors;
  auto compare = as_reader({"results", "compare", "1", "1", "--db", db});
  EXPECT_EQ(compare.exit_code, 0) << compare.errors;
  auto judged = as_reader({"rules", "test", "--observed", db, "--known", "none"});
  EXPECT_EQ(judged.exit_code, 1) << judged.errors;
  EXPECT_NE(judged.output.find("6 observations judged"), std::string::npos) << judged.output << judged.errors;
  auto replay = as_reader({"replay", "--db", db, "no-such-id"});
  EXPECT_EQ(replay.exit_code, 2) << replay.errors;
  EXPECT_NE(replay.errors.find("no observed scenario \"no-such-id\""), std::string::npos) << replay.errors;
  // Nothing was created next to it.
  EXPECT_FALSE(fs::exists(db + "-shm"));
  EXPECT_FALSE(fs::exists(db + "-wal"));
  ::chmod(folder.c_str(), 0755);
}

}  // namespace
}  // namespace restorelab
