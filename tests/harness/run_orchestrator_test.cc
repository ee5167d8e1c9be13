// The orchestration against FakeHypervisor and a fake disk tool: the chain,
// failures as errors, and that nothing the run created survives it (also on
// SIGINT/SIGTERM).
#include "harness/run/orchestrator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/support/fake_hypervisor.h"
#include "tests/support/up_on_mp.h"
#include "harness/run/kept_runs.h"
#include "harness/run/run_session.h"
#include "rules/source_dir.h"

namespace restorelab::run {
namespace {

namespace fs = std::filesystem;
using machines::FakeHypervisor;
using namespace std::chrono_literals;

/// Writes empty files instead of disks; records what it was asked for.
class FakeDiskTool final : public DiskTool {
 public:
  Result<ArtifactsInfo> build_artifacts(const fs::path& dir) override { return ArtifactsInfo{dir}; }
  Status make_disk(const fs::path&, const DiskRequest& disk) override {
    std::lock_guard lock(mutex);
    made.push_back(disk);
    if (fail) return std::unexpected(make_error("mkfs.ext4: no space left on device"));
    std::ofstream(disk.path) << "disk";
    return {};
  }
  std::mutex mutex;
  std::vector<DiskRequest> made;
  bool fail = false;
};

std::string fixture(const std::string& name) {
  std::ifstream in(restorelab::source_path("/tests/harness/run_fixtures/" + std::string(name)), std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class OrchestratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("restorelab-orchestrator-test-" + std::to_string(::getpid()));
    fs::remove_all(root);
    settings.artifacts = root / "images";
    settings.work_dir = root / "work";
    settings.evidence_dir = root / "runs";
    settings.domain_prefix = "rl-test-";
    settings.chain_limits.poll = settings.destination_limits.poll = 10ms;
  }
  void TearDown() override { fs::remove_all(root); }
  RunPlan plan_for(const Scenario& s) const { return plan_run(s, plan_paths(s, settings)); }

  /// The guest of `phase` prints `log` and powers off.
  void guest(Phase phase, const std::string& log) {
    const fs::path dir = settings.evidence_dir / "up-on-mp";
    fs::create_directories(dir);
    std::ofstream(dir / (std::string(phase_name(phase)) + ".serial.log")) << log;
    fake.set_behaviour("rl-test-up-on-mp-" + std::string(phase_name(phase)), FakeHypervisor::Behaviour::PowerOff);
  }
  /// Every VM finishes: the source's backup, the restore, and the
  /// destination's degraded boot on one of its four processors.
  void whole_chain() {
    guest(Phase::Source, fixture("source-install-backup.log"));
    guest(Phase::Restore, fixture("restore-system-state.log"));
    guest(Phase::Destination, fixture("boot-degraded-up-on-mp.log"));
  }
  /// The source and restore VMs finish; the destination prints `log` and
  /// then runs on without a word.
  void chain_with_hanging_destination(const std::string& log) {
    guest(Phase::Source, fixture("source-install-backup.log"));
    guest(Phase::Restore, fixture("restore-system-state.log"));
    guest(Phase::Destination, log);
    fake.set_behaviour("rl-test-up-on-mp-destination", FakeHypervisor::Behaviour::Hang);
  }
  bool disks_left() const { return fs::exists(settings.work_dir / "up-on-mp"); }

  fs::path root;
  RunSettings settings;
  FakeHypervisor fake;
  FakeDiskTool disks;
  std::atomic<int> interrupt{0};
};

TEST_F(OrchestratorTest, RunsTheChainObservesTheDestinationAndRemovesEverything) {
  whole_chain();
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  ASSERT_FALSE(r.observation.failed()) << r.observation.error;
  EXPECT_EQ(r.observation.outcome, Outcome::BootsDegraded);
  EXPECT_EQ(r.observation.cpus_used, 1);
  ASSERT_EQ(r.records.size(), 3u);
  // source system, backup, destination system, and the initramfs of the two
  // directly started VMs (source, restore)
  EXPECT_EQ(disks.made.size(), 5u);
  EXPECT_TRUE(fake.domains().empty());
  EXPECT_FALSE(disks_left());
  for (const char* f : {"source.xml", "restore.job", "destination.xml", "timings.json"})
    EXPECT_TRUE(fs::exists(r.evidence / f)) << f;
  EXPECT_TRUE(r.timings.contains("source") && r.timings.contains("restore") && r.timings.contains("destination"));
}

// The guest's own steps from its `done` line reach the evidence, for the
// VM that printed them; a guest that printed none gets none.
TEST_F(OrchestratorTest, TheTimingsSayWhereEachGuestsOwnTimeWent) {
  guest(Phase::Source, fixture("source-install-backup.log"));
  guest(Phase::Restore, fixture("restore-system-state.log"));
  std::string boot = fixture("boot-degraded-up-on-mp.log");
  const std::string done = R"("event":"done","stopped":false,"error":false})";
  ASSERT_NE(boot.find(done), std::string::npos);
  boot.replace(boot.find(done), done.size(),
               R"("event":"done","stopped":false,"error":false,"step_ms":{"storage_drivers":1180,"job":420}})");
  guest(Phase::Destination, boot);
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  ASSERT_FALSE(r.observation.failed()) << r.observation.error;
  std::ifstream in(r.evidence / "timings.json");
  const auto timings = nlohmann::ordered_json::parse(in);
  const auto& vms = timings.at("vms");
  ASSERT_EQ(vms.size(), 3u);
  EXPECT_FALSE(vms[0].contains("guest_step_ms"));
  EXPECT_EQ(vms[2].at("guest_step_ms").dump(), R"({"storage_drivers":1180,"job":420})");
}

// The destination's boot starts at the restore VM's `done` line: here that
// VM never powers off, and the destination is started before the restore VM
// is destroyed (1.5 s after its done).
TEST_F(OrchestratorTest, TheTestBootStartsAtTheDoneLineOfTheLastChainVm) {
  whole_chain();
  fake.set_behaviour("rl-test-up-on-mp-restore", FakeHypervisor::Behaviour::Hang);
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  ASSERT_FALSE(r.observation.failed()) << r.observation.error;
  EXPECT_EQ(r.observation.outcome, Outcome::BootsDegraded);
  const std::vector<std::string> calls = fake.calls();
  auto at = [&](const std::string& call) { return std::ranges::find(calls, call) - calls.begin(); };
  ASSERT_LT(at("start rl-test-up-on-mp-destination"), std::ssize(calls));
  EXPECT_LT(at("start rl-test-up-on-mp-destination"), at("destroy rl-test-up-on-mp-restore"));
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-destination"), 1);
  EXPECT_TRUE(fake.domains().empty());
}

// syslinux waits at its prompt for ever once it missed the kernel: the run
// ends when the loader says so, not after the silence limit.
TEST_F(OrchestratorTest, ALoaderThatMissesTheKernelEndsTheBootAtOnce) {
  chain_with_hanging_destination(fixture("seabios-syslinux-kernel-missing.log"));
  settings.destination_limits.silence_before_kernel = 60s;
  settings.destination_limits.total = 90s;
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  ASSERT_FALSE(r.observation.failed()) << r.observation.error;
  EXPECT_EQ(r.observation.outcome, Outcome::BootFileMissing);
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records.back().end, VmEnd::LoaderStopped);
  EXPECT_TRUE(fake.domains().empty());
}

// A loader that took over and then went quiet before a kernel (a slow load
// on a busy host) is waited for up to the phase's limit, never read as the
// firmware giving up after the 45 s meant for it.
TEST_F(OrchestratorTest, SilenceAfterTheLoaderStartedRunsToTheTimeLimitAsAFailedRun) {
  chain_with_hanging_destination(fixture("seabios-syslinux-then-silence.log"));
  settings.destination_limits.silence_before_kernel = 100ms;
  settings.destination_limits.total = 600ms;
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  ASSERT_TRUE(r.observation.failed());
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records.back().end, VmEnd::TimedOut);
  EXPECT_NE(r.observation.error.find("no result within 0 s"), std::string::npos) << r.observation.error;
  EXPECT_TRUE(fake.domains().empty());
}

TEST_F(OrchestratorTest, StopsAtTheFirstVmThatFailsAndReportsAnError) {
  fake.set_behaviour("rl-test-up-on-mp-source", FakeHypervisor::Behaviour::FailStart);
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  EXPECT_TRUE(r.observation.failed());
  EXPECT_EQ(r.observation.outcome, std::nullopt);
  EXPECT_EQ(r.records.size(), 1u);
  EXPECT_TRUE(fake.domains().empty());
  EXPECT_FALSE(disks_left());
}

TEST_F(OrchestratorTest, ADiskThatCannotBeMadeIsAnErrorAndNoVmStarts) {
  disks.fail = true;
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  EXPECT_EQ(r.observation.error, "the disks could not be made: mkfs.ext4: no space left on device");
  for (const auto& call : fake.calls()) EXPECT_FALSE(call.starts_with("start")) << call;
  EXPECT_FALSE(disks_left());
}

TEST_F(OrchestratorTest, InterruptDuringAVmDestroysAndUndefinesEverythingAndDeletesTheDisks) {
  // The source guest hangs; a signal arrives while the orchestrator waits.
  std::thread signal([&] {
    std::this_thread::sleep_for(200ms);
    interrupt.store(15);
  });
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  signal.join();
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.observation.outcome, std::nullopt);
  EXPECT_TRUE(fake.domains().empty());
  EXPECT_FALSE(disks_left());
  const auto& calls = fake.calls();
  EXPECT_NE(std::find(calls.begin(), calls.end(), "destroy rl-test-up-on-mp-source"), calls.end());
  EXPECT_NE(std::find(calls.begin(), calls.end(), "undefine rl-test-up-on-mp-source"), calls.end());
}

TEST_F(OrchestratorTest, KeepLeavesTheDomainsAndDisks) {
  settings.keep = true;
  fake.set_behaviour("rl-test-up-on-mp-source", FakeHypervisor::Behaviour::FailStart);
  Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  EXPECT_TRUE(fake.domains().contains("rl-test-up-on-mp-source"));
  EXPECT_TRUE(disks_left());
}

TEST_F(OrchestratorTest, KeepIfDecidesOnceTheObservationIsKnown) {
  whole_chain();
  std::optional<Outcome> seen;
  ScenarioRun kept = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings, [&](const Observation& o) {
    seen = o.outcome;
    return true;
  });
  EXPECT_EQ(seen, Outcome::BootsDegraded);
  EXPECT_EQ(kept.kept_domains, (std::vector<std::string>{"rl-test-up-on-mp-source", "rl-test-up-on-mp-restore",
                                                         "rl-test-up-on-mp-destination"}));
  EXPECT_EQ(fake.domains().size(), 3u);
  EXPECT_TRUE(disks_left());
  const std::string xml = fake.domains().at("rl-test-up-on-mp-destination").xml;
  EXPECT_NE(xml.find("<serial type='pty'>\n      <log file='" + (settings.work_dir / "up-on-mp").string() +
                     "/destination.console.log' append='off'/>"),
            std::string::npos)
      << "a kept machine's console is reachable and its boots by hand do not overwrite the evidence:\n" << xml;
  EXPECT_TRUE(kept.cleanup_problems.empty());
  ScenarioRun removed =
      Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings, [](const Observation&) { return false; });
  EXPECT_TRUE(removed.kept_domains.empty());
  EXPECT_TRUE(fake.domains().empty());
  EXPECT_FALSE(disks_left());
}

TEST_F(OrchestratorTest, AHungSourceIsStoppedByTheWatchdogAsAnError) {
  settings.chain_limits.silence_before_kernel = 100ms;
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  EXPECT_EQ(r.observation.error, "source VM ended before its job finished: no serial output for 0 s");
  EXPECT_TRUE(fake.domains().empty());
}

TEST_F(OrchestratorTest, AnIdenticalSourceRunIsReusedFromTheCacheAndSaysSo) {
  settings.source_cache = root / "cache";
  fs::create_directories(settings.artifacts);
  std::ofstream(settings.artifacts / "stamp") << "abc\n";
  whole_chain();
  ScenarioRun first = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  EXPECT_FALSE(first.source_cached);
  ScenarioRun second = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  EXPECT_TRUE(second.source_cached);
  ASSERT_EQ(second.records.size(), 3u);
  EXPECT_TRUE(second.records[0].cached);
  EXPECT_EQ(second.observation.outcome, Outcome::BootsDegraded);
  EXPECT_EQ(std::ranges::count(fake.calls(), "start rl-test-up-on-mp-source"), 1);
  EXPECT_EQ(disks.made.size(), 7u);  // 5, then only the destination's system disk and the restore VM's initramfs
  // Another source machine misses.
  Scenario other = up_on_mp();
  other.source.nics = 2;
  EXPECT_FALSE(Orchestrator(fake, disks, interrupt).run(plan_for(other), settings).source_cached);
  // So does a larger source disk: its image backup records the disk's size.
  Scenario larger = up_on_mp();
  larger.source.disk_mib = 48;
  EXPECT_FALSE(Orchestrator(fake, disks, interrupt).run(plan_for(larger), settings).source_cached);
}

// A run that cannot say it owns its folder must not start: another run
// would take its domains for a killed run's and remove them.
TEST(RunSessionTest, AWorkFolderThatCannotBeClaimedIsAnError) {
  const fs::path work = fs::temp_directory_path() / "restorelab-claim-test";
  fs::remove_all(work);
  fs::create_directories(work / "run" / "owner");  // a folder where the owner file goes
  auto folder = claim_work_dir(work / "run", "rl-abc123-");
  ASSERT_FALSE(folder);
  EXPECT_NE(folder.error().message.find((work / "run" / "owner").string()), std::string::npos) << folder.error().message;
  std::ofstream(work / "file") << "x";
  auto under_a_file = claim_work_dir(work / "file" / "run", "rl-abc123-");
  ASSERT_FALSE(under_a_file);
  EXPECT_NE(under_a_file.error().message.find("creating " + (work / "file" / "run").string()), std::string::npos)
      << under_a_file.error().message;
  fs::remove_all(work);
}

TEST(RunSessionTest, RemovesDomainsAndDisksOfAKilledRun) {
  FakeHypervisor fake;
  fake.add_leftover("rl-old123-x-source", /*running=*/true);
  fake.add_leftover("other-vm", /*running=*/true);
  const fs::path work = fs::temp_directory_path() / "restorelab-leftover-test";
  fs::remove_all(work);
  fs::create_directories(work / "dead-run");
  std::ofstream(work / "dead-run" / "owner") << 999999999 << "\nrl-old123-\n";
  ASSERT_TRUE(claim_work_dir(work / "live-run", "rl-live42-"));
  fake.add_leftover("rl-live42-x-destination", /*running=*/true);  // another run's, on a shared libvirt
  machines::ProcProcessTable processes;
  auto report = remove_leftovers(fake, std::nullopt, processes, work);
  EXPECT_FALSE(fake.domains().contains("rl-old123-x-source"));
  EXPECT_TRUE(fake.domains().contains("rl-live42-x-destination"));
  EXPECT_TRUE(fake.domains().contains("other-vm"));
  EXPECT_FALSE(fs::exists(work / "dead-run"));
  EXPECT_TRUE(fs::exists(work / "live-run"));
  fs::remove_all(work);
}

// `--work .` or `--work /srv`: the folder may hold anything. Only folders
// restorelab made (an `owner` file exactly as claim_work_dir writes it) are
// removed; the rest, and the domains they would seem to name, stay.
TEST(RunSessionTest, TheStartUpCleanupRemovesOnlyFoldersRestorelabMade) {
  FakeHypervisor fake;
  const fs::path work = fs::temp_directory_path() / ("restorelab-foreign-test-" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::create_directories(work / "photos");
  std::ofstream(work / "photos" / "cat.jpg") << "meow";
  fs::create_directories(work / "project");
  std::ofstream(work / "project" / "owner") << "Alice\n";  // a file of that name, not restorelab's
  fs::create_directories(work / "almost");
  std::ofstream(work / "almost" / "owner") << 999999999 << "\nrl-x/../-\n";
  fs::create_directories(work / "dead-run");
  std::ofstream(work / "dead-run" / "owner") << 999999999 << "\nrl-dead01-\n";
  fs::create_directories(work / "outside" / "real-run");
  std::ofstream(work / "outside" / "real-run" / "owner") << 999999999 << "\nrl-dead02-\n";
  fs::create_directories(work / "links");
  fs::create_directory_symlink(work / "outside" / "real-run", work / "links" / "linked-run");
  machines::ProcProcessTable processes;
  auto report = remove_leftovers(fake, std::nullopt, processes, work);
  EXPECT_TRUE(fs::exists(work / "photos" / "cat.jpg"));
  EXPECT_TRUE(fs::exists(work / "project" / "owner"));
  EXPECT_TRUE(fs::exists(work / "almost" / "owner"));
  EXPECT_FALSE(fs::exists(work / "dead-run")) << "a run folder of its own is removed";
  EXPECT_EQ(report.removed, (std::vector<std::string>{(work / "dead-run").string()}));
  report = remove_leftovers(fake, std::nullopt, processes, work / "links");
  EXPECT_TRUE(fs::is_symlink(work / "links" / "linked-run")) << "a link is not a run folder";
  EXPECT_TRUE(fs::exists(work / "outside" / "real-run" / "owner"));
  EXPECT_TRUE(report.removed.empty());
  EXPECT_EQ(run_folder_owner(work / "almost"), std::nullopt);
  ASSERT_TRUE(claim_work_dir(work / "mine", "rl-abc123-"));
  auto owner = run_folder_owner(work / "mine");
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->pid, ::getpid());
  EXPECT_EQ(owner->prefix, "rl-abc123-");
  fs::remove_all(work);
}

TEST(RunSessionTest, AKeptRunSurvivesTheStartUpCleanupAndAKilledOneDoesNot) {
  FakeHypervisor fake;
  fake.add_leftover("rl-kept01-x-destination", /*running=*/false);
  fake.add_leftover("rl-dead02-x-destination", /*running=*/false);
  const fs::path work = fs::temp_directory_path() / ("restorelab-kept-leftover-test-" + std::to_string(::getpid()));
  fs::remove_all(work);
  for (auto [run, prefix] : {std::pair{"kept-run", "rl-kept01-"}, std::pair{"killed-run", "rl-dead02-"}}) {
    fs::create_directories(work / run / "x");
    std::ofstream(work / run / "owner") << 999999999 << "\n" << prefix << "\n";
  }
  KeptRun record{"kept-run", work / "kept-run", "rl-kept01-", "test:///fake", "2026-12-02T03:00:00Z", 0,
                 {KeptScenario{"x", "x", "runs/kept-run/x/", {"rl-kept01-x-destination"}}}};
  ASSERT_TRUE(write_kept(record));
  machines::ProcProcessTable processes;
  auto report = remove_leftovers(fake, std::nullopt, processes, work);
  EXPECT_TRUE(fake.domains().contains("rl-kept01-x-destination"));
  EXPECT_TRUE(fs::exists(work / "kept-run" / "x")) << "its disks stay";
  EXPECT_FALSE(fake.domains().contains("rl-dead02-x-destination"));
  EXPECT_FALSE(fs::exists(work / "killed-run"));
  EXPECT_EQ(report.removed, (std::vector<std::string>{"rl-dead02-x-destination", (work / "killed-run").string()}));
  fs::remove_all(work);
}

TEST(RunSessionTest, ARunKeptWithAnotherWorkFolderOnTheSameEmbeddedRootSurvivesToo) {
  FakeHypervisor fake;
  fake.add_leftover("rl-kept01-x-destination", /*running=*/false);
  fake.add_leftover("rl-gone03-x-destination", /*running=*/false);
  const fs::path root = fs::temp_directory_path() / ("restorelab-kept-root-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  KeptRun record{"kept-run", root / "their-work" / "kept-run", "rl-kept01-", "test:///fake", "2026-12-02T03:00:00Z", 0,
                 {KeptScenario{"x", "x", "", {"rl-kept01-x-destination"}}}};
  fs::create_directories(record.folder);
  ASSERT_TRUE(write_kept(record));
  ASSERT_TRUE(note_kept_in_root(root / "embed", record));
  KeptRun removed_by_hand = record;
  removed_by_hand.prefix = "rl-gone03-";
  removed_by_hand.folder = root / "their-work" / "gone-run";  // no kept.json: its note is stale
  ASSERT_TRUE(note_kept_in_root(root / "embed", removed_by_hand));
  machines::ProcProcessTable processes;
  fs::create_directories(root / "my-work");
  remove_leftovers(fake, root / "embed", processes, root / "my-work");
  EXPECT_TRUE(fake.domains().contains("rl-kept01-x-destination"));
  EXPECT_FALSE(fake.domains().contains("rl-gone03-x-destination"));
  EXPECT_EQ(kept_prefixes_in_root(root / "embed"), (std::vector<std::string>{"rl-kept01-"}));
  forget_kept_in_root(root / "embed", "rl-kept01-");
  EXPECT_TRUE(kept_prefixes_in_root(root / "embed").empty());
  fs::remove_all(root);
}


// ---- run --remediate ---------------------------------------------------------

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(OrchestratorTest, ADestinationThatStartedIsRemediatedInItsStartedSystemAndBootsAgain) {
  whole_chain();
  guest(Phase::Remediate, fixture("remediate-in-system.log"));
  guest(Phase::Remediated, fixture("boot-remediated-4-cpus.log"));
  const Scenario s = up_on_mp();
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_run(s, plan_paths(s, settings), {"update-hal"}), settings);
  EXPECT_EQ(r.observation.outcome, Outcome::BootsDegraded) << r.observation.error;
  ASSERT_TRUE(r.remediation.has_value());
  const RemediationRun& m = *r.remediation;
  ASSERT_EQ(m.records.size(), 2u);
  EXPECT_EQ(m.observation.outcome, Outcome::Boots) << m.observation.error;
  EXPECT_EQ(m.observation.cpus_used, 4);
  ASSERT_TRUE(m.line.has_value());
  EXPECT_EQ(m.line->from, "started-system");
  EXPECT_TRUE(m.timings.contains("remediate") && m.timings.contains("boot"));
  // Through the loader on its disk, not a kernel from the host.
  EXPECT_EQ(read_text(r.evidence / "remediate.xml").find("<kernel>"), std::string::npos);
  EXPECT_TRUE(fs::exists(r.evidence / "remediated.xml"));
  EXPECT_TRUE(fake.domains().empty());
  EXPECT_FALSE(disks_left());
}

TEST_F(OrchestratorTest, ADestinationThatStoppedIsRemediatedFromInstallationMedia) {
  guest(Phase::Source, fixture("source-install-backup.log"));
  guest(Phase::Restore, fixture("restore-system-state.log"));
  guest(Phase::Destination, fixture("boot-stop-0x7b.log"));
  guest(Phase::Remediate, fixture("remediate-from-media.log"));
  guest(Phase::Remediated, fixture("boot-remediated-4-cpus.log"));
  const Scenario s = up_on_mp();
  ScenarioRun r =
      Orchestrator(fake, disks, interrupt).run(plan_run(s, plan_paths(s, settings), {"in-place-upgrade"}), settings);
  EXPECT_EQ(r.observation.outcome, Outcome::Stop0x7B) << r.observation.error;
  ASSERT_TRUE(r.remediation.has_value());
  EXPECT_EQ(r.remediation->line->from, "installation-media");
  EXPECT_EQ(r.remediation->observation.outcome, Outcome::Boots);
  EXPECT_NE(read_text(r.evidence / "remediate.xml").find("<kernel>"), std::string::npos);
  EXPECT_TRUE(fake.domains().empty());
}

// A remediation VM that does not start is an infrastructure error of the
// remediation; the scenario's own observation stands.
TEST_F(OrchestratorTest, ARemediationVmThatFailsIsAnErrorNeverAnOutcome) {
  whole_chain();
  guest(Phase::Remediate, fixture("remediate-in-system.log"));
  fake.set_behaviour("rl-test-up-on-mp-remediated", FakeHypervisor::Behaviour::FailStart);
  const Scenario s = up_on_mp();
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_run(s, plan_paths(s, settings), {"update-hal"}), settings);
  EXPECT_EQ(r.observation.outcome, Outcome::BootsDegraded);
  ASSERT_TRUE(r.remediation.has_value());
  EXPECT_TRUE(r.remediation->observation.failed());
  EXPECT_EQ(r.remediation->observation.outcome, std::nullopt);
  EXPECT_NE(r.remediation->observation.error.find("remediated VM"), std::string::npos)
      << r.remediation->observation.error;
  EXPECT_TRUE(fake.domains().empty());
  EXPECT_FALSE(disks_left());
}


// ---- warm starts (warm_start.h) ---------------------------------------------

class WarmOrchestratorTest : public OrchestratorTest {
 protected:
  void SetUp() override {
    OrchestratorTest::SetUp();
    fs::create_directories(settings.artifacts);
    std::ofstream(settings.artifacts / "vmlinux") << "kernel";
    settings.warm = std::make_shared<WarmStates>(WarmOptions{.dir = root / "warm"});
    // Every restored VM of the chain finishes (its serial log is the fixture).
    fake.set_behaviour("rl-warm-*", FakeHypervisor::Behaviour::PowerOff);
  }
  ScenarioRun run_up_on_mp() {
    guest(Phase::Source, fixture("source-install-backup.log"));
    guest(Phase::Restore, fixture("restore-system-state.log"));
    guest(Phase::Destination, fixture("boot-degraded-up-on-mp.log"));
    return Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  }
  std::vector<fs::path> states() const {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(root / "warm"))
      if (e.path().extension() == ".state") found.push_back(e.path());
    return found;
  }
  int calls_of(std::string_view op) const {
    return static_cast<int>(std::ranges::count_if(fake.calls(), [&](const std::string& c) { return c.starts_with(op); }));
  }
};

TEST_F(WarmOrchestratorTest, EachShapeIsSavedOnceAndLaterVmsOfItAreRestoredButTheTestBootIsCold) {
  ScenarioRun first = run_up_on_mp();
  ASSERT_FALSE(first.observation.failed()) << first.observation.error;
  EXPECT_EQ(first.observation.outcome, Outcome::BootsDegraded);
  // The source and the restore VM are two shapes (other processors, HAL,
  // MACs): two states, each built once at its first use.
  EXPECT_EQ(states().size(), 2u);
  EXPECT_EQ(calls_of("save "), 2);
  ASSERT_EQ(first.records.size(), 3u);
  EXPECT_FALSE(first.records[0].warm_state.empty());
  EXPECT_GT(first.records[0].warm_build_seconds, 0);
  EXPECT_FALSE(first.records[1].warm_state.empty());
  EXPECT_TRUE(first.records[2].warm_state.empty()) << "the destination boot is the test: always cold";
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-destination"), 1);
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-source"), 0);
  EXPECT_TRUE(first.notes.empty());

  ScenarioRun second = run_up_on_mp();
  EXPECT_EQ(second.observation, first.observation);
  EXPECT_EQ(calls_of("save "), 2) << "nothing saved again";
  // Each chain VM restored once a run; the restore VM ahead of its turn
  // (paused, while the source VM ran), and resumed in its turn.
  EXPECT_EQ(calls_of("restore"), 4);
  EXPECT_EQ(calls_of("restore-paused "), 2);
  EXPECT_EQ(second.records[0].warm_build_seconds, 0);
  EXPECT_TRUE(fake.domains().empty()) << "no saving or restored domain is left";
  // The evidence names the state and holds the definition that ran.
  std::ifstream timings(second.evidence / "timings.json");
  const std::string json(std::istreambuf_iterator<char>(timings), {});
  EXPECT_NE(json.find(R"("phase":"source","seconds")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("start":"warm","warm_state":")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("start":"cold")"), std::string::npos) << json;
  std::ifstream xml(second.evidence / "source.xml");
  EXPECT_NE(std::string(std::istreambuf_iterator<char>(xml), {}).find("<name>rl-warm-"), std::string::npos);
}

// A campaign builds a state only for a shape it starts again: saving a
// state costs more than the cold boot it would spare once.
TEST_F(WarmOrchestratorTest, ACampaignBootsAShapeItStartsOnceColdAndSavesNoState) {
  settings.warm_demand = std::make_shared<WarmDemand>();
  settings.warm_demand->expect(plan_for(up_on_mp()));
  ScenarioRun run = run_up_on_mp();
  ASSERT_FALSE(run.observation.failed()) << run.observation.error;
  EXPECT_EQ(run.observation.outcome, Outcome::BootsDegraded);
  EXPECT_EQ(calls_of("save "), 0);
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-source"), 1);
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-restore"), 1);
  ASSERT_EQ(run.records.size(), 3u);
  EXPECT_TRUE(run.records[0].warm_state.empty());
  EXPECT_TRUE(run.records[1].warm_state.empty());
  EXPECT_TRUE(run.notes.empty()) << "a choice, not a failure to note: " << run.notes.front();
  EXPECT_TRUE(fake.domains().empty());
}

TEST_F(WarmOrchestratorTest, ACampaignThatStartsAShapeAgainSavesItAtItsFirstUseAndRestoresItAfter) {
  settings.warm_demand = std::make_shared<WarmDemand>();
  for (int i = 0; i < 2; ++i) settings.warm_demand->expect(plan_for(up_on_mp()));
  ScenarioRun first = run_up_on_mp();
  ASSERT_FALSE(first.observation.failed()) << first.observation.error;
  EXPECT_EQ(calls_of("save "), 2);
  ScenarioRun second = run_up_on_mp();
  EXPECT_EQ(second.observation, first.observation);
  EXPECT_EQ(calls_of("save "), 2) << "nothing saved again";
  EXPECT_FALSE(second.records[0].warm_state.empty());
  EXPECT_FALSE(second.records[1].warm_state.empty());
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-source"), 0);
}

TEST_F(WarmOrchestratorTest, AStateThatDoesNotRestoreIsDiscardedAndTheVmBootsCold) {
  ScenarioRun first = run_up_on_mp();
  ASSERT_EQ(states().size(), 2u);
  for (const fs::path& state : states()) std::ofstream(state, std::ios::trunc) << "truncated";
  ScenarioRun second = run_up_on_mp();
  EXPECT_EQ(second.observation, first.observation) << "a broken state changes no verdict";
  ASSERT_EQ(second.notes.size(), 2u);
  EXPECT_NE(second.notes[0].find("source VM: the saved state "), std::string::npos) << second.notes[0];
  EXPECT_NE(second.notes[0].find("did not restore (restoring a domain from"), std::string::npos) << second.notes[0];
  EXPECT_NE(second.notes[0].find("it was discarded and the VM booted cold"), std::string::npos) << second.notes[0];
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-source"), 1);
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-restore"), 1);
  EXPECT_TRUE(states().empty());
  EXPECT_TRUE(second.records[0].warm_state.empty());
  // The next run builds them again.
  ScenarioRun third = run_up_on_mp();
  EXPECT_EQ(third.observation, first.observation);
  EXPECT_TRUE(third.notes.empty());
  EXPECT_EQ(states().size(), 2u);
}

// A QEMU killed under a restored VM is the run's failure, as under a cold
// one, never a reason to boot again cold and report an outcome.
TEST_F(WarmOrchestratorTest, AKilledQemuUnderARestoredVmIsAnErrorAndItsStateGoes) {
  run_up_on_mp();  // builds the states
  fake.set_behaviour("rl-warm-*", FakeHypervisor::Behaviour::Die);
  // The killed guest printed nothing (the first run's log goes).
  std::ofstream(settings.evidence_dir / "up-on-mp" / "source.serial.log", std::ios::trunc) << "";
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  ASSERT_TRUE(r.observation.failed());
  EXPECT_NE(r.observation.error.find("source VM"), std::string::npos) << r.observation.error;
  EXPECT_NE(r.observation.error.find("QEMU process died"), std::string::npos) << r.observation.error;
  EXPECT_FALSE(r.observation.outcome.has_value());
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("source VM: its QEMU process died after the saved state"), std::string::npos) << r.notes[0];
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-source"), 0);  // no cold boot after it
  EXPECT_EQ(states().size(), 1u);  // the source's went; the restore VM's was never used
}

TEST_F(WarmOrchestratorTest, ARestoredVmThatEndsBeforeItsKernelStartLineIsNoOutcomeButAColdBoot) {
  run_up_on_mp();  // builds the states
  // The restored guests stop at once, before printing anything.
  fake.set_behaviour("rl-warm-*", FakeHypervisor::Behaviour::Crash);
  const fs::path dir = settings.evidence_dir / "up-on-mp";
  std::ofstream(dir / "source.serial.log", std::ios::trunc) << "";
  fake.script("rl-test-up-on-mp-source", {{fixture("source-install-backup.log"), FakeHypervisor::Behaviour::PowerOff}});
  fake.script("rl-test-up-on-mp-restore", {{fixture("restore-system-state.log"), FakeHypervisor::Behaviour::PowerOff}});
  std::ofstream(dir / "restore.serial.log", std::ios::trunc) << "";
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  ASSERT_FALSE(r.observation.failed()) << r.observation.error;
  EXPECT_EQ(r.observation.outcome, Outcome::BootsDegraded);
  ASSERT_EQ(r.notes.size(), 2u);
  EXPECT_NE(r.notes[0].find("before its kernel-start line); it was discarded and the VM booted cold"), std::string::npos)
      << r.notes[0];
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-source"), 1);
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-restore"), 1);
  EXPECT_TRUE(states().empty());
}

TEST_F(WarmOrchestratorTest, ASaveThatFailsLeavesNothingBehindAndTheVmBootsCold) {
  fake.fail_next("save", machines::make_error("operation failed: /var/tmp: No space left on device"));
  ScenarioRun r = run_up_on_mp();
  ASSERT_FALSE(r.observation.failed()) << r.observation.error;
  EXPECT_EQ(r.observation.outcome, Outcome::BootsDegraded);
  ASSERT_EQ(r.notes.size(), 1u);
  // The source VM's state and the restore VM's are built at once (the restore
  // VM is prepared while the source runs): either save may be the one that fails.
  const bool source_failed = r.notes[0].starts_with("source VM:");
  const std::string cold = source_failed ? "source" : "restore";
  EXPECT_NE(r.notes[0].find(cold + " VM: no warm start (building its saved state: operation failed: /var/tmp: No "
                                   "space left on device); booted cold"),
            std::string::npos)
      << r.notes[0];
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-" + cold), 1);
  EXPECT_TRUE(r.records[source_failed ? 1 : 0].warm_state.size() > 0) << "the other shape still starts warm";
  EXPECT_EQ(states().size(), 1u);
  for (const auto& e : fs::directory_iterator(root / "warm"))
    EXPECT_NE(e.path().extension(), ".partial") << e.path();
  EXPECT_TRUE(fake.domains().empty());
}

// While the source VM runs, the restore VM is restored from its state and
// left paused (its disks shared); its turn only resumes it. The test boot is
// started in its turn, from its firmware.
TEST_F(WarmOrchestratorTest, TheNextChainVmIsRestoredPausedAheadOfItsTurnAndResumedInIt) {
  run_up_on_mp();
  ScenarioRun r = run_up_on_mp();
  ASSERT_FALSE(r.observation.failed()) << r.observation.error;
  EXPECT_EQ(r.observation.outcome, Outcome::BootsDegraded);
  EXPECT_EQ(calls_of("restore-paused "), 2) << "the restore VM of each run";
  EXPECT_EQ(calls_of("resume "), 2);
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-destination"), 2) << "started in its turn, both runs";
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0].prepared_seconds, 0) << "the first VM has no VM before it";
  EXPECT_GT(r.records[1].prepared_seconds, 0);
  EXPECT_EQ(r.records[2].prepared_seconds, 0);
  std::ifstream restore_xml(r.evidence / "restore.xml");
  EXPECT_NE(std::string(std::istreambuf_iterator<char>(restore_xml), {}).find("<shareable/>"), std::string::npos);
  // The test boot starts while the restore VM powers off: both hold its disk.
  std::ifstream destination_xml(r.evidence / "destination.xml");
  EXPECT_NE(std::string(std::istreambuf_iterator<char>(destination_xml), {}).find("<shareable/>"), std::string::npos);
  std::ifstream timings(r.evidence / "timings.json");
  EXPECT_NE(std::string(std::istreambuf_iterator<char>(timings), {}).find(R"("prepared_seconds":)"), std::string::npos);
  EXPECT_TRUE(fake.domains().empty());
}

// The restore VM goes on at the source's `done` line, once the source's
// screenshot is taken and before the source is gone: here the restored
// guests never power off, and each is destroyed 1.5 s after its done.
TEST_F(WarmOrchestratorTest, TheNextChainVmGoesOnAtTheDoneLineOfTheVmBeforeIt) {
  run_up_on_mp();
  fake.set_behaviour("rl-warm-*", FakeHypervisor::Behaviour::Hang);
  const std::size_t before = fake.calls().size();
  ScenarioRun r = run_up_on_mp();
  ASSERT_FALSE(r.observation.failed()) << r.observation.error;
  EXPECT_EQ(r.observation.outcome, Outcome::BootsDegraded);
  const std::vector<std::string> all = fake.calls();
  const std::vector<std::string> calls(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
  auto first = [&](std::string_view what) {
    return std::ranges::find_if(calls, [&](const std::string& c) { return c.find(what) != std::string::npos; }) -
           calls.begin();
  };
  const auto shot = first("source.png");
  ASSERT_LT(shot, std::ssize(calls));
  const std::string source = calls[static_cast<std::size_t>(shot)].substr(11, calls[static_cast<std::size_t>(shot)].find(' ', 11) - 11);
  ASSERT_LT(first("resume "), std::ssize(calls));
  EXPECT_GT(first("resume "), shot) << "the source's screenshot first";
  EXPECT_LT(first("resume "), first("destroy " + source)) << "resumed before the source is gone";
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[1].end, VmEnd::GuestDone);
  EXPECT_TRUE(fake.domains().empty());
}

// A source whose log decides the chain at its `done` (an error) resumes
// nothing: the restore VM restored ahead is destroyed unrun.
TEST_F(WarmOrchestratorTest, AChainThatEndsAtADoneLineResumesNoNextVm) {
  run_up_on_mp();
  fs::remove(settings.evidence_dir / "up-on-mp" / "restore.serial.log");
  std::string backup = fixture("source-install-backup.log");
  const std::string done = R"(RESTORELAB {"event":"done")";
  backup.insert(backup.find(done), R"(RESTORELAB {"event":"error","phase":"backup","error":"no space left"})" "\n");
  guest(Phase::Source, backup);
  const int resumes = calls_of("resume ");
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  ASSERT_TRUE(r.observation.failed());
  EXPECT_NE(r.observation.error.find("no space left"), std::string::npos) << r.observation.error;
  EXPECT_EQ(calls_of("resume "), resumes);
  EXPECT_EQ(r.records.size(), 1u);
  EXPECT_FALSE(fs::exists(r.evidence / "restore.serial.log"));
  EXPECT_TRUE(fake.domains().empty());
}

// The source fails while the restore VM waits, paused, for a turn that never
// comes: it is destroyed, and leaves neither a domain nor the empty serial
// log its QEMU opened; its state's slot is free for the next run.
TEST_F(WarmOrchestratorTest, AVmRestoredAheadWhoseTurnNeverComesLeavesNothing) {
  run_up_on_mp();
  whole_chain();
  // The source VM's guest starts its kernel and then runs on without a word.
  const std::string backup = fixture("source-install-backup.log");
  guest(Phase::Source, backup.substr(0, backup.find('\n', backup.find("kernel-start")) + 1));
  fake.set_behaviour("rl-warm-*", FakeHypervisor::Behaviour::Hang);
  settings.chain_limits.total = 800ms;
  ScenarioRun r = Orchestrator(fake, disks, interrupt).run(plan_for(up_on_mp()), settings);
  ASSERT_TRUE(r.observation.failed());
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].end, VmEnd::TimedOut);
  EXPECT_EQ(calls_of("restore-paused "), 2) << "the restore VM was restored ahead in both runs";
  EXPECT_FALSE(fs::exists(r.evidence / "restore.serial.log"));
  EXPECT_TRUE(fake.domains().empty());
  fake.set_behaviour("rl-warm-*", FakeHypervisor::Behaviour::PowerOff);
  settings.chain_limits.total = 150s;
  ScenarioRun again = run_up_on_mp();
  EXPECT_FALSE(again.observation.failed()) << again.observation.error;
  EXPECT_EQ(calls_of("save "), 2) << "no slot stayed busy: nothing was built again";
}

// A restored VM that cannot be resumed says nothing about the scenario: its
// state goes and the VM boots cold, as when a restore fails in its turn.
TEST_F(WarmOrchestratorTest, AVmThatCannotBeResumedBootsColdAndItsStateGoes) {
  run_up_on_mp();
  fake.fail_next("resume", machines::make_error("resuming domain: internal error: unable to execute QEMU command "
                                                "'cont'"));
  ScenarioRun r = run_up_on_mp();
  ASSERT_FALSE(r.observation.failed()) << r.observation.error;
  EXPECT_EQ(r.observation.outcome, Outcome::BootsDegraded);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("restore VM: the saved state "), std::string::npos) << r.notes[0];
  EXPECT_NE(r.notes[0].find("unable to execute QEMU command 'cont'"), std::string::npos) << r.notes[0];
  EXPECT_EQ(fake.starts("rl-test-up-on-mp-restore"), 1);
  EXPECT_EQ(states().size(), 1u) << "the restore VM's state was discarded";
  EXPECT_TRUE(fake.domains().empty());
}

TEST_F(WarmOrchestratorTest, KeptMachinesAreDefinedUnderTheScenariosNamesAfterAWarmStart) {
  settings.keep = true;
  ScenarioRun r = run_up_on_mp();
  ASSERT_FALSE(r.observation.failed()) << r.observation.error;
  EXPECT_FALSE(r.records[0].warm_state.empty());
  EXPECT_EQ(r.kept_domains, (std::vector<std::string>{"rl-test-up-on-mp-source", "rl-test-up-on-mp-restore",
                                                      "rl-test-up-on-mp-destination"}));
  const auto domains = fake.domains();
  EXPECT_TRUE(domains.contains("rl-test-up-on-mp-source"));
  for (const auto& [name, d] : domains) EXPECT_FALSE(name.starts_with("rl-warm-")) << name;
}

}  // namespace
}  // namespace restorelab::run
