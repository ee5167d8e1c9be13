// VM tests of a campaign (results-format.md): a matrix run in parallel into
// a results store, the same run again starting no VM, an interrupted run
// resumed, shards from two stores merged, and a known deviation excused.
// The tests share one folder and build on each other in this order (ctest
// fixtures in CMakeLists.txt).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/machines/process.h"
#include "harness/run/run_session.h"
#include "rules/source_dir.h"

namespace restorelab::run {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kDir = "/var/tmp/restorelab-vm-campaign-test";
const std::string kMatrix = std::string(RESTORELAB_VM_SCENARIOS) + "/../matrices/campaign.toml";

struct CliRun {
  int exit_code = -1;
  std::string output;                 ///< stdout and stderr
  std::vector<nlohmann::json> lines;  ///< the JSON lines
  double seconds = 0;
};

std::vector<std::string> run_argv(const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {RESTORELAB_VM_CLI, "run", "--json", "--known", "none", "--work",
                                   (kDir / "work").string(), "--evidence", (kDir / "runs").string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

void parse_lines(CliRun& r) {
  std::istringstream in(r.output);
  for (std::string l; std::getline(in, l);)
    if (l.starts_with("{\"id\"")) r.lines.push_back(nlohmann::json::parse(l, nullptr, false));
}

CliRun cli(const std::vector<std::string>& argv) {
  CliRun r;
  const auto start = std::chrono::steady_clock::now();
  auto p = machines::run_process(argv, 20min);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!p) {
    r.output = p.error().message;
    return r;
  }
  r.exit_code = p->exit_code;
  r.output = p->output;
  parse_lines(r);
  return r;
}

/// Starts `argv` with stdout on a pipe, sends SIGINT once its first JSON
/// line arrives, and waits for it.
CliRun interrupt_after_first_result(const std::vector<std::string>& argv) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  CliRun r;
  bool sent = false;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
    r.output.append(buf, static_cast<std::size_t>(n));
    if (!sent && r.output.find('\n') != std::string::npos) {
      ::kill(pid, SIGINT);
      sent = true;
    }
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  parse_lines(r);
  return r;
}

std::size_t qemu_processes() {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::ifstream comm(e.path() / "comm");
    std::string name;
    if (comm >> name && name.starts_with("qemu-system")) ++n;
  }
  return n;
}

class VmCampaignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("RESTORELAB_SKIP_VM_TESTS") != nullptr) GTEST_SKIP() << "RESTORELAB_SKIP_VM_TESTS is set";
  }
  static std::string db(const std::string& name) { return (kDir / name).string(); }
};

TEST_F(VmCampaignTest, AMatrixRunsTwoAtOnceIntoTheStore) {
  fs::remove_all(kDir);
  fs::create_directories(kDir);
  CliRun r = cli(run_argv({"--jobs", "2", "--shard", "1/2", "--campaign", "vm", "--db", db("a.sqlite"), kMatrix}));
  ASSERT_EQ(r.lines.size(), 2u) << r.output;
  for (const auto& line : r.lines) {
    EXPECT_EQ(line["verdict"], "agree") << r.output;
    EXPECT_EQ(line["reused"], false);
    EXPECT_EQ(line["run"], 1);
    EXPECT_TRUE(line["axes"].is_object());
  }
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto runs = cli({RESTORELAB_VM_CLI, "results", "runs", "--db", db("a.sqlite"), "--json"});
  auto run = nlohmann::json::parse(runs.output.substr(0, runs.output.find('\n')), nullptr, false);
  EXPECT_EQ(run["verdicts"]["agree"], 2) << runs.output;
  EXPECT_EQ(run["shard"], "1/2");
  EXPECT_EQ(run["status"], "finished");
  EXPECT_FALSE(run["accelerator"].get<std::string>().empty());
}

TEST_F(VmCampaignTest, TheSameRunAgainReusesEveryObservationAndStartsNoVm) {
  const std::size_t before = qemu_processes();
  CliRun r = cli(run_argv({"--jobs", "2", "--shard", "1/2", "--campaign", "vm", "--db", db("a.sqlite"), kMatrix}));
  ASSERT_EQ(r.lines.size(), 2u) << r.output;
  for (const auto& line : r.lines) {
    EXPECT_EQ(line["reused"], true) << r.output;
    EXPECT_EQ(line["reused_from"], 1);
    EXPECT_EQ(line["verdict"], "agree");
  }
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output.find("restorelab run: accelerator"), std::string::npos) << "no accelerator probe: " << r.output;
  EXPECT_EQ(qemu_processes(), before);
  std::cerr << "second run of an unchanged 2-scenario shard: " << r.seconds << " s\n";
}

TEST_F(VmCampaignTest, AnInterruptedRunKeepsWhatFinishedAndTheNextOneResumes) {
  const auto argv = run_argv({"--jobs", "1", "--shard", "2/2", "--campaign", "vm", "--db", db("b.sqlite"), kMatrix});
  CliRun first = interrupt_after_first_result(argv);
  EXPECT_EQ(first.exit_code, 130) << first.output;
  ASSERT_EQ(first.lines.size(), 1u) << first.output;
  const std::string done = first.lines[0]["id"];
  // Nothing of the interrupted run is left running. (Looked for in /proc:
  // opening the embedded libvirt here would hold its root for this process.)
  EXPECT_EQ(qemu_processes(), 0u);
  auto runs = cli({RESTORELAB_VM_CLI, "results", "runs", "--db", db("b.sqlite"), "--json"});
  EXPECT_NE(runs.output.find("\"status\":\"interrupted\""), std::string::npos) << runs.output;

  CliRun second = cli(argv);
  ASSERT_EQ(second.lines.size(), 2u) << second.output;
  for (const auto& line : second.lines) {
    EXPECT_EQ(line["reused"], line["id"] == done) << line.dump();
    EXPECT_EQ(line["verdict"], "agree") << second.output;
  }
  EXPECT_EQ(second.exit_code, 0);
}

TEST_F(VmCampaignTest, ShardsFromTwoStoresMergeIntoOneCampaign) {
  CliRun merged = cli({RESTORELAB_VM_CLI, "results", "merge", "--db", db("all.sqlite"), db("a.sqlite"), db("b.sqlite")});
  EXPECT_EQ(merged.exit_code, 0) << merged.output;
  CliRun show = cli({RESTORELAB_VM_CLI, "results", "show", "--db", db("all.sqlite"), "--campaign", "vm", "--json"});
  ASSERT_EQ(show.lines.size(), 4u) << show.output;
  std::set<std::string> ids;
  for (const auto& line : show.lines) ids.insert(line["id"].get<std::string>());
  EXPECT_EQ(ids.size(), 4u);
  CliRun html = cli({RESTORELAB_VM_CLI, "results", "show", "--db", db("all.sqlite"), "--campaign", "vm", "--html",
                     db("campaign.html")});
  EXPECT_EQ(html.exit_code, 0) << html.output;
  EXPECT_TRUE(fs::file_size(db("campaign.html")) > 1000);
}

/// The commands of the README's block after `<!-- NAME -->`, each split into
/// words (the block has no quotes), comments dropped.
std::vector<std::vector<std::string>> readme_block(const std::string& name) {
  std::ifstream in(restorelab::source_path("/README.md"));
  const std::string readme{std::istreambuf_iterator<char>(in), {}};
  const auto marker = readme.find("<!-- " + name + " -->");
  EXPECT_NE(marker, std::string::npos);
  const auto start = readme.find("```sh\n", marker) + 6;
  std::istringstream block(readme.substr(start, readme.find("```", start) - start));
  std::vector<std::vector<std::string>> commands;
  for (std::string line; std::getline(block, line);) {
    std::istringstream words(line.substr(0, line.find('#')));
    std::vector<std::string> argv;
    for (std::string w; words >> w;) argv.push_back(w);
    if (!argv.empty()) commands.push_back(argv);
  }
  return commands;
}

TEST_F(VmCampaignTest, TheReadmeCiLoopRuns) {
  // The README's daily loop as it stands, in a folder of its own, on the VM
  // campaign's matrix; its store starts as the merged one of the tests
  // above, so every observation is reused and no VM has to start again.
  const fs::path cwd = kDir / "readme";
  fs::create_directories(cwd / "runs");
  fs::copy_file(db("all.sqlite"), cwd / "runs" / "results.sqlite");
  const auto commands = readme_block("ci-loop");
  ASSERT_EQ(commands.size(), 4u);
  const fs::path here = fs::current_path();
  fs::current_path(cwd);
  for (auto argv : commands) {
    ASSERT_EQ(argv[0], "restorelab");
    argv[0] = RESTORELAB_VM_CLI;
    for (auto& a : argv)
      if (a == "scenarios/matrices/restore-10.toml") a = kMatrix;
    CliRun r = cli(argv);
    EXPECT_EQ(r.exit_code, 0) << argv[1] << " " << argv[2] << ": " << r.output;
  }
  fs::current_path(here);
  EXPECT_TRUE(fs::exists(cwd / "run.xml"));
  EXPECT_GT(fs::file_size(cwd / "report.html"), 1000u);
}

// The registry's first entry excused a full-server restore observed as
// 0x7B where the rulebook predicts boot-file-missing. Since the model's
// loader looks for the kernel below boot.ini's systemroot, the two agree:
// the entry, kept in a registry, is reported as excusing nothing.
TEST_F(VmCampaignTest, AFixedDisagreementAgreesAndItsOldEntryIsStale) {
  fs::create_directories(kDir);
  const fs::path known = kDir / "known.toml";
  std::ofstream(known) << R"([[deviation]]
id = "guest-checks-controller-first"
when = '''
  restore.kind == "full-server" and paths_differ()
  and not (destination.disk_bus in source.storage_drivers)
  and source.firmware == destination.firmware'''
observed = "stop-0x7b"
reason = "the model guest needed its disk before it looked for the systemroot"
)";
  const std::string scenario = std::string(RESTORELAB_VM_SCENARIOS) + "/known-controller-and-systemroot.toml";
  std::vector<std::string> argv = {RESTORELAB_VM_CLI, "run", "--json", "--db", "none", "--known", known.string(),
                                   "--work", (kDir / "work").string(), "--evidence", (kDir / "runs").string(),
                                   scenario};
  CliRun r = cli(argv);
  ASSERT_EQ(r.lines.size(), 1u) << r.output;
  EXPECT_EQ(r.lines[0]["predicted"]["outcome"], "boot-file-missing");
  EXPECT_EQ(r.lines[0]["observed"]["outcome"], "boot-file-missing") << r.output;
  EXPECT_EQ(r.lines[0]["verdict"], "agree");
  EXPECT_TRUE(r.lines[0]["deviation"].is_null()) << r.output;
  EXPECT_NE(r.output.find("known deviation guest-checks-controller-first excused nothing in this run"),
            std::string::npos) << r.output;
  EXPECT_EQ(r.exit_code, 0) << r.output;
  fs::remove_all(kDir);
}

}  // namespace
}  // namespace restorelab::run
