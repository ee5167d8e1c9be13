#include "tests/support/fake_hypervisor.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace restorelab::machines {
namespace {

using namespace std::chrono_literals;
using Behaviour = FakeHypervisor::Behaviour;

constexpr std::string_view kXml = "<domain type='qemu'><name>rl-a</name></domain>";

TEST(FakeHypervisorTest, RecordsCallsInOrder) {
  FakeHypervisor hv;
  ASSERT_EQ(hv.define(kXml).value(), "rl-a");
  ASSERT_TRUE(hv.start("rl-a"));
  ASSERT_TRUE(hv.destroy("rl-a"));
  ASSERT_TRUE(hv.undefine("rl-a"));
  EXPECT_EQ(hv.calls(), (std::vector<std::string>{"define rl-a", "start rl-a", "destroy rl-a",
                                                  "undefine rl-a"}));
  EXPECT_TRUE(hv.domains().empty());
}

TEST(FakeHypervisorTest, InjectedFaultFailsOnce) {
  FakeHypervisor hv;
  ASSERT_TRUE(hv.define(kXml));
  hv.fail_next("start", Error{"starting domain \"rl-a\": boom", ErrorKind::Internal});
  auto first = hv.start("rl-a");
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().message, "starting domain \"rl-a\": boom");
  EXPECT_TRUE(hv.start("rl-a"));
}

TEST(FakeHypervisorTest, UnknownDomainIsNoDomain) {
  FakeHypervisor hv;
  auto status = hv.status("rl-missing");
  ASSERT_FALSE(status);
  EXPECT_TRUE(status.error().no_domain());
}

TEST(FakeHypervisorTest, CrashEndsShutOffCrashedWithEvents) {
  FakeHypervisor hv;
  hv.set_behaviour("rl-a", Behaviour::Crash);
  ASSERT_TRUE(hv.define(kXml));
  ASSERT_TRUE(hv.start("rl-a"));
  auto end = wait_until_inactive(hv, "rl-a", 1s);
  ASSERT_TRUE(end);
  ASSERT_TRUE(end->has_value());
  EXPECT_EQ((*end)->to_string(), "shut off (crashed)");
  EXPECT_TRUE((*end)->crashed());
}

TEST(FakeHypervisorTest, EventsArriveInOrder) {
  FakeHypervisor hv;
  hv.set_behaviour("rl-a", Behaviour::PowerOff);
  ASSERT_TRUE(hv.define(kXml));
  ASSERT_TRUE(hv.start("rl-a"));
  std::vector<std::string> seen;
  while (auto e = hv.next_event("rl-a", 0ms).value()) seen.push_back(e->event + ":" + e->detail);
  EXPECT_EQ(seen, (std::vector<std::string>{"defined:added", "started:booted", "shutdown:guest",
                                            "stopped:shutdown"}));
}

TEST(FakeHypervisorTest, FailStartLeavesItShutOffFailed) {
  FakeHypervisor hv;
  hv.set_behaviour("rl-a", Behaviour::FailStart);
  ASSERT_TRUE(hv.define(kXml));
  auto started = hv.start("rl-a");
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().kind, ErrorKind::Internal);
  EXPECT_EQ(hv.status("rl-a")->to_string(), "shut off (failed)");
}

TEST(FakeHypervisorTest, HangTimesOut) {
  FakeHypervisor hv;
  ASSERT_TRUE(hv.define(kXml));
  ASSERT_TRUE(hv.start("rl-a"));
  const auto t0 = std::chrono::steady_clock::now();
  auto end = wait_until_inactive(hv, "rl-a", 30ms, 10ms);
  ASSERT_TRUE(end);
  EXPECT_FALSE(end->has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 30ms);
  EXPECT_TRUE(hv.status("rl-a")->active());
}

TEST(FakeHypervisorTest, WaitPropagatesStatusErrors) {
  FakeHypervisor hv;
  auto end = wait_until_inactive(hv, "rl-missing", 10ms);
  ASSERT_FALSE(end);
  EXPECT_TRUE(end.error().no_domain());
}

TEST(FakeHypervisorTest, DestroyOfStoppedDomainSucceeds) {
  FakeHypervisor hv;
  ASSERT_TRUE(hv.define(kXml));
  EXPECT_TRUE(hv.destroy("rl-a"));
  EXPECT_EQ(hv.status("rl-a")->state, DomainState::Shutoff);
}

TEST(FakeHypervisorTest, UndefineRunningDomainKeepsItUntilDestroyed) {
  FakeHypervisor hv;
  ASSERT_TRUE(hv.define(kXml));
  ASSERT_TRUE(hv.start("rl-a"));
  ASSERT_TRUE(hv.undefine("rl-a"));
  EXPECT_EQ(hv.domains().size(), 1u);
  ASSERT_TRUE(hv.destroy("rl-a"));
  EXPECT_TRUE(hv.domains().empty());
}

TEST(FakeHypervisorTest, ListsByPrefixSorted) {
  FakeHypervisor hv;
  hv.add_leftover("rl-2", true);
  hv.add_leftover("other", false);
  hv.add_leftover("rl-1", false);
  EXPECT_EQ(hv.list_domains("rl-").value(), (std::vector<std::string>{"rl-1", "rl-2"}));
}

TEST(FakeHypervisorTest, ScreenshotNeedsARunningDomain) {
  FakeHypervisor hv;
  ASSERT_TRUE(hv.define(kXml));
  const auto png = std::filesystem::temp_directory_path() / "restorelab-fake-shot.png";
  EXPECT_TRUE(hv.screenshot("rl-a", png).error().operation_invalid());
  ASSERT_TRUE(hv.start("rl-a"));
  ASSERT_TRUE(hv.screenshot("rl-a", png));
  EXPECT_GT(std::filesystem::file_size(png), 8u);
  std::filesystem::remove(png);
}

TEST(DomainStatusTest, ActiveAndCrashed) {
  EXPECT_TRUE((DomainStatus{DomainState::Running, "booted"}).active());
  EXPECT_TRUE((DomainStatus{DomainState::Paused, "panicked"}).active());
  EXPECT_TRUE((DomainStatus{DomainState::Paused, "panicked"}).crashed());
  EXPECT_FALSE((DomainStatus{DomainState::Crashed, "panicked"}).active());
  EXPECT_TRUE((DomainStatus{DomainState::Crashed, "panicked"}).crashed());
  EXPECT_FALSE((DomainStatus{DomainState::Shutoff, "shutdown"}).crashed());
  EXPECT_EQ((DomainStatus{DomainState::Crashed, "panicked"}).to_string(), "crashed (panicked)");
}

}  // namespace
}  // namespace restorelab::machines
