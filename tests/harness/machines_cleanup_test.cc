#include "harness/machines/cleanup.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <map>
#include <set>

#include "tests/support/fake_hypervisor.h"

namespace restorelab::machines {
namespace {

using namespace std::chrono_literals;

/// A process table in memory. Processes in `stubborn` ignore SIGTERM.
class FakeProcessTable final : public ProcessTable {
 public:
  std::vector<ProcessInfo> processes;
  std::set<int> stubborn;
  std::vector<std::pair<int, int>> signals;  ///< (pid, signal) in order

  std::vector<ProcessInfo> list() override { return processes; }
  bool signal(int pid, int sig) override {
    signals.emplace_back(pid, sig);
    if (!alive(pid)) return false;
    if (sig == SIGKILL || !stubborn.contains(pid)) std::erase_if(processes, [&](auto& p) { return p.pid == pid; });
    return true;
  }
  bool alive(int pid) override {
    return std::ranges::any_of(processes, [&](auto& p) { return p.pid == pid; });
  }
};

std::vector<std::string> qemu_argv(std::string guest, std::string root) {
  return {"/usr/bin/qemu-system-x86_64", "-name", "guest=" + guest + ",debug-threads=on", "-S",
          "-object", "{\"qom-type\":\"secret\",\"file\":\"" + root + "/lib/qemu/domain-1-" + guest + "/master-key.aes\"}"};
}

TEST(CleanupTest, RemovesOnlyPrefixedDomains) {
  FakeHypervisor hv;
  hv.add_leftover("rl-run1-a", true);
  hv.add_leftover("rl-run1-b", false);
  hv.add_leftover("someone-else", true);
  const CleanupReport report = remove_domains(hv, "rl-run1-");
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.removed, (std::vector<std::string>{"rl-run1-a", "rl-run1-b"}));
  EXPECT_EQ(hv.list_domains("").value(), std::vector<std::string>{"someone-else"});
  EXPECT_EQ(hv.calls(), (std::vector<std::string>{"list_domains rl-run1-", "destroy rl-run1-a",
                                                  "undefine rl-run1-a", "destroy rl-run1-b",
                                                  "undefine rl-run1-b", "list_domains"}));
}

TEST(CleanupTest, KeepsGoingAfterAFailure) {
  FakeHypervisor hv;
  hv.add_leftover("rl-a", true);
  hv.add_leftover("rl-b", true);
  hv.fail_next("destroy", Error{"destroying domain \"rl-a\": timeout", ErrorKind::Other});
  const CleanupReport report = remove_domains(hv, "rl-");
  EXPECT_EQ(report.removed, std::vector<std::string>{"rl-b"});
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].message, "destroying domain \"rl-a\": timeout");
}

TEST(CleanupTest, VanishedDomainIsNotAProblem) {
  FakeHypervisor hv;
  hv.add_leftover("rl-a", false);
  hv.fail_next("undefine", Error{"undefining domain \"rl-a\": Domain not found", ErrorKind::NoDomain});
  const CleanupReport report = remove_domains(hv, "rl-");
  EXPECT_TRUE(report.ok());
}

TEST(CleanupTest, EmptyPrefixIsRefused) {
  FakeHypervisor hv;
  hv.add_leftover("rl-a", true);
  const CleanupReport report = remove_domains(hv, "");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_TRUE(hv.calls().empty());
}

TEST(CleanupTest, GuestNameFromQemuCommandLine) {
  EXPECT_EQ(qemu_guest_name(qemu_argv("rl-x", "/r")), "rl-x");
  EXPECT_EQ(qemu_guest_name({"qemu-system-x86_64", "-name", "guest=a,,b,debug-threads=on"}), "a,b");
  EXPECT_EQ(qemu_guest_name({"qemu-system-x86_64", "-m", "16"}), "");
}

TEST(CleanupTest, StrayQemuNeedsRootAndPrefix) {
  EXPECT_TRUE(is_stray_qemu(qemu_argv("rl-x", "/tmp/embed"), "/tmp/embed", "rl-"));
  EXPECT_FALSE(is_stray_qemu(qemu_argv("rl-x", "/tmp/embed2"), "/tmp/embed", "rl-"));
  EXPECT_FALSE(is_stray_qemu(qemu_argv("other", "/tmp/embed"), "/tmp/embed", "rl-"));
  auto not_qemu = qemu_argv("rl-x", "/tmp/embed");
  not_qemu[0] = "/usr/bin/vim";
  EXPECT_FALSE(is_stray_qemu(not_qemu, "/tmp/embed", "rl-"));
}

TEST(CleanupTest, KillsStrayQemuTermThenKill) {
  FakeProcessTable table;
  table.processes = {{100, qemu_argv("rl-a", "/tmp/embed")},
                     {101, qemu_argv("rl-b", "/tmp/embed")},
                     {102, qemu_argv("rl-c", "/var/other")},
                     {103, {"/bin/bash"}}};
  table.stubborn = {101};
  const CleanupReport report = kill_stray_qemu(table, "/tmp/embed", "rl-", 30ms);
  EXPECT_EQ(report.killed, (std::vector<int>{100, 101}));
  EXPECT_EQ(table.signals, (std::vector<std::pair<int, int>>{{100, SIGTERM}, {101, SIGTERM}, {101, SIGKILL}}));
  ASSERT_EQ(table.processes.size(), 2u);
}

TEST(CleanupTest, TheQemuOfAKeptDomainIsNotStray) {
  FakeProcessTable table;
  table.processes = {{100, qemu_argv("rl-kept01-x-destination", "/tmp/embed")},
                     {101, qemu_argv("rl-dead02-x-destination", "/tmp/embed")}};
  const std::vector<std::string> kept{"rl-kept01-"};
  const CleanupReport report = kill_stray_qemu(table, "/tmp/embed", "rl-", 30ms, kept);
  EXPECT_EQ(report.killed, (std::vector<int>{101}));
  EXPECT_EQ(table.signals, (std::vector<std::pair<int, int>>{{101, SIGTERM}}));
}

}  // namespace
}  // namespace restorelab::machines
