// VM test of the researcher's loop (README "Researchers: stand inside a
// failure"): a kept scenario survives the next run of another scenario,
// `restorelab kept` lists it, the way in that run printed works as printed
// (in a shell, the console on a terminal), and `kept --remove` leaves
// nothing behind.
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <sstream>

#include "harness/machines/process.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kDir = "/var/tmp/restorelab-vm-kept-test";

struct Ran {
  int exit_code = -1;
  std::string output;
};

Ran run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = 10min) {
  auto p = machines::run_process(argv, timeout);
  if (!p) return Ran{-1, p.error().message};
  return Ran{p->exit_code, p->output};
}

std::vector<std::string> restorelab_run(const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {RESTORELAB_VM_CLI, "run", "--json", "--known", "none", "--db", "none", "--work",
                                   (kDir / "work").string(), "--evidence", (kDir / "runs").string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

std::optional<nlohmann::json> first_line(const std::string& output) {
  std::istringstream in(output);
  for (std::string l; std::getline(in, l);)
    if (l.starts_with("{\"id\"")) return nlohmann::json::parse(l, nullptr, false);
  return std::nullopt;
}

/// A printed command line as a user runs it: in a shell (the commands are
/// shell lines, quoting included), in `dir`.
Ran in_shell(const std::string& command, const fs::path& dir, std::chrono::milliseconds timeout = 3min) {
  return run({"/bin/sh", "-c", "cd '" + dir.string() + "' && " + command}, timeout);
}

/// `command` in a shell on a pseudo-terminal (virsh's console needs one):
/// what it printed. Once `until` appears it types Ctrl+], as a user leaves
/// the console; it waits for the shell to exit, at most `timeout` (then it
/// is killed and the exit code is -1).
Ran on_terminal(const std::string& command, const std::string& until, std::chrono::milliseconds timeout) {
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  Ran r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  bool left = false, exited = false;
  int status = 0;
  while (!exited && std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 200) > 0) {
      const ssize_t n = ::read(master, buf, sizeof buf);
      if (n > 0) r.output.append(buf, static_cast<std::size_t>(n));
    }
    if (!left && r.output.find(until) != std::string::npos) {
      (void)!::write(master, "\x1d", 1);  // Ctrl+]
      left = true;
    }
    exited = ::waitpid(pid, &status, WNOHANG) == pid;
  }
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ::close(master);
  r.exit_code = exited && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class VmKeptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("RESTORELAB_SKIP_VM_TESTS") != nullptr) GTEST_SKIP() << "RESTORELAB_SKIP_VM_TESTS is set";
  }
};

TEST_F(VmKeptTest, KeptMachinesSurviveTheNextRunAndTheWayInWorks) {
  fs::remove_all(kDir);
  fs::create_directories(kDir);
  const std::string scenarios = RESTORELAB_VM_SCENARIOS;
  Ran kept = run(restorelab_run({"--keep", scenarios + "/ide-to-virtio.toml"}));
  ASSERT_EQ(kept.exit_code, 0) << kept.output;
  auto line = first_line(kept.output);
  ASSERT_TRUE(line && line->contains("kept")) << kept.output;
  const nlohmann::json way_in = (*line)["kept"];
  const std::vector<std::string> domains = way_in["domains"];
  const std::vector<std::string> commands = way_in["commands"];
  ASSERT_GE(domains.size(), 2u);
  ASSERT_EQ(commands.size(), 4u);
  EXPECT_NE(kept.output.find("restorelab run: kept the machines of vm-ide-to-virtio"), std::string::npos)
      << "the way in is printed on stderr too:\n" << kept.output;
  for (const std::string& c : commands) EXPECT_NE(kept.output.find("    " + c + "\n"), std::string::npos) << c;
  EXPECT_EQ(kept.output.find("warning"), std::string::npos) << kept.output;

  // Another scenario: its start-up cleanup must leave the kept machines alone.
  Ran other = run(restorelab_run({scenarios + "/same-hardware.toml"}));
  EXPECT_EQ(other.exit_code, 0) << other.output;
  EXPECT_EQ(other.output.find("removed what an earlier run left"), std::string::npos) << other.output;

  Ran listed = run({RESTORELAB_VM_CLI, "kept", "--work", (kDir / "work").string(), "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  auto record = nlohmann::json::parse(listed.output.substr(0, listed.output.find('\n')), nullptr, false);
  ASSERT_TRUE(record.is_object()) << listed.output;
  EXPECT_EQ(record["scenarios"][0]["domains"], nlohmann::json(domains));
  EXPECT_GT(record["scenarios"][0]["disk_bytes"].get<std::int64_t>(), 0);
  const std::string run_id = record["run"];

  // The way in, as printed: list, console, screenshot, stop.
  Ran list = in_shell(commands[0], kDir);
  EXPECT_EQ(list.exit_code, 0) << list.output;
  for (const std::string& d : domains) EXPECT_NE(list.output.find(d), std::string::npos) << list.output;
  Ran console = on_terminal(commands[1], "(INACCESSIBLE_BOOT_DEVICE)", 150s);
  EXPECT_EQ(console.exit_code, 0) << console.output;
  EXPECT_NE(console.output.find("Connected to domain"), std::string::npos) << console.output;
  EXPECT_NE(console.output.find("*** STOP: 0x0000007B (INACCESSIBLE_BOOT_DEVICE)"), std::string::npos)
      << "the destination's serial console shows it stopping again:\n" << console.output;
  Ran screenshot = in_shell(commands[2], kDir);
  EXPECT_EQ(screenshot.exit_code, 0) << "the machine outlives the console's virsh:\n" << screenshot.output;
  std::error_code ec;
  EXPECT_GT(fs::file_size(kDir / (domains.back() + ".png"), ec), 0u) << screenshot.output;
  // The guest may have stopped by itself meanwhile (its panic); then
  // destroy says so, which is no failure of the way in.
  Ran stopped = in_shell(commands[3], kDir);
  EXPECT_TRUE(stopped.exit_code == 0 || stopped.output.find("domain is not running") != std::string::npos)
      << stopped.output;

  // Removing leaves nothing: no domain, no disk, no record.
  Ran removed = run({RESTORELAB_VM_CLI, "kept", "--work", (kDir / "work").string(), "--remove", run_id});
  EXPECT_EQ(removed.exit_code, 0) << removed.output;
  Ran after = in_shell(commands[0], kDir);
  EXPECT_EQ(after.exit_code, 0) << after.output;
  for (const std::string& d : domains) EXPECT_EQ(after.output.find(d), std::string::npos) << after.output;
  EXPECT_FALSE(fs::exists(kDir / "work" / run_id));
  EXPECT_EQ(run({RESTORELAB_VM_CLI, "kept", "--work", (kDir / "work").string()}).output,
            "nothing is kept in " + (kDir / "work").string() + "\n");
  fs::remove_all(kDir);
}

TEST_F(VmKeptTest, ReplayRunsAStoredScenarioAgainKeptAndSaysWhetherItIsTheSame) {
  const fs::path dir = "/var/tmp/restorelab-vm-replay-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "results.sqlite").string();
  const std::vector<std::string> where = {"--work", (dir / "work").string(), "--evidence", (dir / "runs").string(),
                                          "--db", db};
  std::vector<std::string> first = {RESTORELAB_VM_CLI, "run", "--known", "none"};
  first.insert(first.end(), where.begin(), where.end());
  first.push_back(std::string(RESTORELAB_VM_SCENARIOS) + "/ide-to-virtio.toml");
  Ran stored = run(first);
  ASSERT_EQ(stored.exit_code, 0) << stored.output;

  std::vector<std::string> replay = {RESTORELAB_VM_CLI, "replay", "vm-ide-to-virtio"};
  replay.insert(replay.end(), where.begin(), where.end());
  Ran again = run(replay);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("replay of vm-ide-to-virtio: the same observation as run 1 (stop-0x7b 0x0000007B)\n"),
            std::string::npos)
      << again.output;
  EXPECT_NE(again.output.find("restorelab run: kept the machines of vm-ide-to-virtio"), std::string::npos)
      << "a replay keeps its machines:\n" << again.output;
  const std::string runs = run({RESTORELAB_VM_CLI, "results", "runs", "--db", db, "--json"}).output;
  EXPECT_EQ(std::count(runs.begin(), runs.end(), '\n'), 2) << "the replay is recorded as a run:\n" << runs;
  Ran removed = run({RESTORELAB_VM_CLI, "kept", "--work", (dir / "work").string(), "--remove", "all"});
  EXPECT_EQ(removed.exit_code, 0) << removed.output;
  EXPECT_NE(removed.output.find("removed kept run "), std::string::npos) << removed.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace restorelab
