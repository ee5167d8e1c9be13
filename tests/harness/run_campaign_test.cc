// A campaign (harness/run/campaign.h) against FakeHypervisor, whose scripted
// guests write serial logs as the model guest does: scenarios in parallel,
// retries and flaky results, reuse of stored observations, known deviations,
// an output that fails, and an interrupt.
#include "harness/run/campaign.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness/run/result_json.h"
#include "rules/scenario_loader.h"
#include "tests/support/fake_hypervisor.h"
#include "rules/source_dir.h"

namespace restorelab::run {
namespace {

namespace fs = std::filesystem;
using machines::FakeHypervisor;
using Boot = FakeHypervisor::Boot;
using Behaviour = FakeHypervisor::Behaviour;
using namespace std::chrono_literals;

std::string fixture(const std::string& name) {
  std::ifstream in(restorelab::source_path("/tests/harness/run_fixtures/" + std::string(name)), std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class EmptyDisks final : public DiskTool {
 public:
  Result<ArtifactsInfo> build_artifacts(const fs::path& dir) override { return ArtifactsInfo{dir}; }
  Status make_disk(const fs::path&, const DiskRequest& disk) override {
    std::ofstream(disk.path) << "disk";
    return {};
  }
};

/// A disk tool whose script is stopped by the interrupt, as make-disk.sh is.
class InterruptedDisks final : public DiskTool {
 public:
  explicit InterruptedDisks(std::atomic<int>& interrupt) : interrupt_(interrupt) {}
  Result<ArtifactsInfo> build_artifacts(const fs::path& dir) override { return ArtifactsInfo{dir}; }
  Status make_disk(const fs::path&, const DiskRequest&) override {
    interrupt_ = 2;
    return std::unexpected(machines::make_error("images/make-disk.sh: interrupted"));
  }

 private:
  std::atomic<int>& interrupt_;
};

class FakeMachines final : public MachineAccess {
 public:
  /// `settings` is read at each get(), so a test may change it first.
  FakeMachines(FakeHypervisor& hv, const RunSettings& settings) : hv_(hv), settings_(settings) {}
  machines::Result<Machines> get() override {
    ++calls;
    if (fail) return std::unexpected(machines::make_error("no accelerator passed its probe"));
    return Machines{&hv_, disks ? disks : &disks_, "tcg", settings_, "test:///fake"};
  }
  std::atomic<int> calls{0};
  bool fail = false;
  DiskTool* disks = nullptr;  ///< instead of empty files

 private:
  FakeHypervisor& hv_;
  EmptyDisks disks_;
  const RunSettings& settings_;
};

/// Results as they arrive, and whether the run as a whole was finished.
class Collect final : public ResultSink {
 public:
  OutputStatus add(const ScenarioResult& r) override {
    if (fail_after && added.size() >= *fail_after)
      return std::unexpected(OutputError{OutputError::Kind::Failed, "results.sqlite: cannot write: disk full"});
    added.push_back(r);
    return {};
  }
  std::vector<ScenarioResult> added;
  std::optional<std::size_t> fail_after;
};

class MapArchive final : public ObservationArchive {
 public:
  std::optional<StoredObservation> find(const std::string& key) override {
    auto it = stored.find(key);
    if (it == stored.end()) return std::nullopt;
    return it->second;
  }
  std::map<std::string, StoredObservation> stored;
};

class OneDeviation final : public DeviationRegistry {
 public:
  std::string excuse(const std::string& id, const Scenario&, Outcome observed) override {
    if (id == excused_id && observed == Outcome::Stop0x7B) {
      used = true;
      return "guest-checks-controller-first";
    }
    return "";
  }
  std::string excused_id;
  bool used = false;
};

class CampaignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("restorelab-campaign-test-" + std::to_string(::getpid()));
    fs::remove_all(root);
    settings.artifacts = root / "images";
    settings.work_dir = root / "work";
    settings.evidence_dir = root / "runs";
    settings.domain_prefix = "rl-test-";
    settings.chain_limits.poll = settings.destination_limits.poll = 10ms;
    auto loaded = load_rulebook_file(DiskReader{}, restorelab::source_path("/rules/kb249694.toml"));
    ASSERT_TRUE(loaded);
    book = std::make_unique<Rulebook>(std::move(*loaded));
    engine = std::make_unique<Engine>(*book);
  }
  void TearDown() override { fs::remove_all(root); }

  /// `acpi-up-to-acpi-mp` (predicted boots-degraded on 1 processor) under
  /// another name, with its guests scripted: `destination` boots in order.
  CampaignItem item(const std::string& name, std::vector<Boot> destination) {
    DiskReader reader;
    auto s = ScenarioLoader(reader).load_file(restorelab::source_path("/scenarios/examples/acpi-up-to-acpi-mp.toml"));
    EXPECT_TRUE(s);
    s->name = name;
    fake.script("rl-test-" + name + "-source", {Boot{fixture("source-install-backup.log"), Behaviour::PowerOff}});
    fake.script("rl-test-" + name + "-restore", {Boot{fixture("restore-system-state.log"), Behaviour::PowerOff}});
    fake.script("rl-test-" + name + "-destination", std::move(destination));
    CampaignItem it{name, *s, "", plan_run(*s, plan_paths(*s, settings))};
    return it;
  }
  static Boot degraded() { return Boot{fixture("boot-degraded-up-on-mp.log"), Behaviour::PowerOff}; }
  static Boot stop_7b() { return Boot{fixture("boot-stop-0x7b.log"), Behaviour::Crash}; }

  static CampaignOptions options(int jobs, int retries = 0, bool reuse = true) {
    CampaignOptions o;
    o.jobs = jobs;
    o.retries = retries;
    o.reuse = reuse;
    return o;
  }

  CampaignOutcome run(const std::vector<CampaignItem>& items, CampaignOptions options, ResultSink& sink,
                      ObservationArchive* archive = nullptr, DeviationRegistry* deviations = nullptr) {
    Campaign campaign(machines, *engine, interrupt, archive, deviations, nullptr);
    return campaign.run(items, options, {&sink});
  }

  fs::path root;
  RunSettings settings;
  FakeHypervisor fake;
  FakeMachines machines{fake, settings};
  std::atomic<int> interrupt{0};
  std::unique_ptr<Rulebook> book;
  std::unique_ptr<Engine> engine;
};

TEST_F(CampaignTest, ScenariosRunInParallelAndEachResultArrivesOnce) {
  std::vector<CampaignItem> items;
  for (int i = 0; i < 4; ++i) items.push_back(item("par-" + std::to_string(i), {degraded()}));
  Collect sink;
  auto outcome = run(items, options(3), sink);
  ASSERT_EQ(outcome.results.size(), 4u);
  EXPECT_EQ(sink.added.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(outcome.results[i].id, "par-" + std::to_string(i)) << "results come back in input order";
    EXPECT_EQ(outcome.results[i].verdict.kind, Verdict::Kind::Agree) << outcome.results[i].verdict.error;
    EXPECT_EQ(outcome.results[i].attempt_count, 1);
  }
  EXPECT_TRUE(fake.domains().empty()) << "every domain is removed";
}

TEST_F(CampaignTest, AttemptsThatSeeDifferentOutcomesAreFlaky) {
  auto it = item("flaky", {stop_7b(), degraded()});
  Collect sink;
  auto outcome = run({it}, options(1, 2), sink);
  ASSERT_EQ(outcome.results.size(), 1u);
  const ScenarioResult& r = outcome.results[0];
  EXPECT_EQ(r.verdict.kind, Verdict::Kind::Flaky);
  EXPECT_EQ(r.attempt_count, 2) << "an agreeing attempt ends the retries";
  EXPECT_EQ(attempt_outcome_names(r.attempts), (std::vector<std::string>{"stop-0x7b", "boots-degraded"}));
  EXPECT_TRUE(fs::exists(fs::path(r.attempts[1].evidence) / "destination.serial.log"))
      << "a retry keeps its own evidence: " << r.attempts[1].evidence;
  EXPECT_NE(r.attempts[1].evidence, r.attempts[0].evidence);
}

TEST_F(CampaignTest, TheSameDisagreementEveryTimeStaysADisagreement) {
  auto it = item("steady", {stop_7b()});
  Collect sink;
  auto outcome = run({it}, options(1, 2), sink);
  const ScenarioResult& r = outcome.results.at(0);
  EXPECT_EQ(r.verdict.kind, Verdict::Kind::Disagree);
  EXPECT_EQ(r.attempt_count, 3);
  EXPECT_EQ(fake.starts("rl-test-steady-destination"), 3);
}

TEST_F(CampaignTest, PauseOnFailureKeepsTheDisagreeingScenarioOnlyAndSaysHowToReachIt) {
  Collect sink;
  CampaignOptions o = options(1, 1);
  o.pause_on_failure = true;
  auto outcome = run({item("fine", {degraded()}), item("broken", {stop_7b()})}, o, sink);
  ASSERT_EQ(outcome.results.size(), 2u);
  EXPECT_EQ(outcome.results[0].kept, std::nullopt) << "an agreeing scenario is cleaned as usual";
  const ScenarioResult& broken = outcome.results[1];
  EXPECT_EQ(broken.verdict.kind, Verdict::Kind::Disagree);
  ASSERT_TRUE(broken.kept.has_value());
  const std::vector<std::string> chain{"rl-test-broken-source", "rl-test-broken-restore", "rl-test-broken-destination"};
  EXPECT_EQ(broken.kept->domains, chain);
  EXPECT_EQ(broken.kept->uri, "test:///fake");
  EXPECT_EQ(broken.kept->commands.at(1), "virsh -c test:///fake start --console rl-test-broken-destination");
  EXPECT_EQ(sink.added.at(1).kept, broken.kept) << "the sinks (the JSON line) get the way in";
  std::vector<std::string> left;
  for (const auto& [name, domain] : fake.domains()) {
    left.push_back(name);
    EXPECT_FALSE(domain.status.active()) << name << " is kept stopped";
  }
  EXPECT_EQ(left, (std::vector<std::string>{"rl-test-broken-destination", "rl-test-broken-restore",
                                            "rl-test-broken-source"}));
  EXPECT_TRUE(fs::exists(settings.work_dir / "broken.attempt-2")) << "the last attempt's disks stay";
  EXPECT_FALSE(fs::exists(settings.work_dir / "broken")) << "an attempt that was retried is cleaned";
  EXPECT_FALSE(fs::exists(settings.work_dir / "fine"));
}

TEST_F(CampaignTest, KeepKeepsEveryScenarioThatRan) {
  settings.keep = true;
  Collect sink;
  auto outcome = run({item("kept", {degraded()})}, options(1), sink);
  ASSERT_TRUE(outcome.results.at(0).kept.has_value());
  EXPECT_EQ(outcome.results[0].verdict.kind, Verdict::Kind::Agree);
  EXPECT_EQ(outcome.results[0].kept->domains.back(), "rl-test-kept-destination");
  EXPECT_EQ(fake.domains().size(), 3u);
}

TEST_F(CampaignTest, AnExcusedDisagreementIsAKnownDeviation) {
  OneDeviation registry;
  registry.excused_id = "excused";
  Collect sink;
  auto outcome = run({item("excused", {stop_7b()}), item("not-excused", {stop_7b()})}, {}, sink, nullptr, &registry);
  EXPECT_EQ(outcome.results.at(0).verdict.kind, Verdict::Kind::KnownDeviation);
  EXPECT_EQ(outcome.results.at(0).deviation, "guest-checks-controller-first");
  EXPECT_EQ(outcome.results.at(1).verdict.kind, Verdict::Kind::Disagree);
  EXPECT_TRUE(registry.used);
}

TEST_F(CampaignTest, AStoredObservationIsJudgedAgainAndNoMachineStarts) {
  auto it = item("stored", {degraded()});
  MapArchive archive;
  StoredObservation stored;
  stored.run = 4;
  stored.observed.outcome = Outcome::Stop0x7B;
  stored.evidence = "runs/old/stored/";
  stored.accelerator = "tcg";
  archive.stored[observation_key(it.scenario, {})] = stored;
  Collect sink;
  auto outcome = run({it}, {}, sink, &archive);
  const ScenarioResult& r = outcome.results.at(0);
  EXPECT_TRUE(r.reused);
  EXPECT_EQ(r.reused_from, 4);
  EXPECT_EQ(r.verdict.kind, Verdict::Kind::Disagree) << "the verdict comes from today's prediction";
  EXPECT_EQ(r.evidence, "runs/old/stored/");
  EXPECT_EQ(machines.calls.load(), 0) << "nothing was set up: no probe, no image, no hypervisor";
  // --no-reuse boots it.
  Collect again;
  auto booted = run({it}, options(1, 0, false), again, &archive);
  EXPECT_FALSE(booted.results.at(0).reused);
  EXPECT_EQ(booted.results.at(0).verdict.kind, Verdict::Kind::Agree);
}

TEST_F(CampaignTest, PauseOnFailureRunsAStoredFailureAgainToHaveMachinesToStandIn) {
  auto failing = item("stored-failure", {stop_7b()});
  auto fine = item("stored-agreement", {degraded()});
  fine.scenario.source.nics = 2;  // another observation key
  MapArchive archive;
  StoredObservation stop;
  stop.run = 4;
  stop.observed.outcome = Outcome::Stop0x7B;
  archive.stored[observation_key(failing.scenario, {})] = stop;
  StoredObservation degraded_boot = stop;
  degraded_boot.observed.outcome = Outcome::BootsDegraded;
  degraded_boot.observed.cpus_used = 1;
  archive.stored[observation_key(fine.scenario, {})] = degraded_boot;
  CampaignOptions o = options(1);
  o.pause_on_failure = true;
  Collect sink;
  auto outcome = run({failing, fine}, o, sink, &archive);
  EXPECT_FALSE(outcome.results.at(0).reused) << "a stored disagreement boots again";
  EXPECT_EQ(outcome.results[0].verdict.kind, Verdict::Kind::Disagree);
  EXPECT_TRUE(outcome.results[0].kept.has_value());
  EXPECT_TRUE(outcome.results.at(1).reused) << "a stored agreement is reused as ever";
  EXPECT_EQ(outcome.results[1].verdict.kind, Verdict::Kind::Agree);
}

TEST_F(CampaignTest, KeepBootsAStoredScenarioAgainToHaveMachinesToKeep) {
  settings.keep = true;
  auto it = item("stored-kept", {degraded()});
  MapArchive archive;
  StoredObservation stored;
  stored.run = 4;
  stored.observed.outcome = Outcome::BootsDegraded;
  stored.observed.cpus_used = 1;
  stored.accelerator = "tcg";
  archive.stored[observation_key(it.scenario, {})] = stored;
  CampaignOptions o = options(1);
  o.keep = true;
  Collect sink;
  auto outcome = run({it}, o, sink, &archive);
  const ScenarioResult& r = outcome.results.at(0);
  EXPECT_FALSE(r.reused) << "--keep asks for machines: a stored agreement boots again";
  EXPECT_EQ(r.verdict.kind, Verdict::Kind::Agree);
  ASSERT_TRUE(r.kept.has_value());
  EXPECT_EQ(r.kept->domains.back(), "rl-test-stored-kept-destination");
  EXPECT_EQ(machines.calls.load(), 1);
  EXPECT_EQ(fake.domains().size(), 3u) << "the machines are there to stand in";
}

TEST_F(CampaignTest, MachinesThatCannotBeSetUpAreAnErrorOfEachScenario) {
  machines.fail = true;
  Collect sink;
  auto outcome = run({item("a", {degraded()}), item("b", {degraded()})}, {}, sink);
  ASSERT_EQ(outcome.results.size(), 2u);
  for (const auto& r : outcome.results) {
    EXPECT_EQ(r.verdict.kind, Verdict::Kind::Error);
    EXPECT_EQ(r.verdict.error, "no accelerator passed its probe");
    EXPECT_FALSE(r.observed.outcome) << "an infrastructure error is never an outcome";
  }
}

TEST_F(CampaignTest, AUefiDestinationWithoutALocalApicIsAnErrorBeforeAnyVm) {
  // OVMF never gets past the start of the UEFI loader on such a machine:
  // waiting out the time limit would say nothing more.
  CampaignItem it = item("no-apic", {degraded()});
  it.scenario.destination.hal = Hal::AcpiPc;
  it.scenario.destination.cpus = 1;
  it.scenario.destination.firmware = Firmware::Uefi;
  Collect sink;
  auto outcome = run({it}, options(1), sink);
  const ScenarioResult& r = outcome.results.at(0);
  EXPECT_EQ(r.verdict.kind, Verdict::Kind::Error);
  EXPECT_NE(r.verdict.error.find("destination.hal = \"acpi-pc\" with firmware = \"uefi\""), std::string::npos)
      << r.verdict.error;
  EXPECT_FALSE(r.observed.outcome) << "an infrastructure error is never an outcome";
  EXPECT_EQ(machines.calls.load(), 0) << "no VM, no accelerator probe";
  EXPECT_EQ(fake.starts("rl-test-no-apic-source"), 0);
  EXPECT_EQ(sink.added.size(), 1u);
}

TEST_F(CampaignTest, AVmThatFailsToStartFailsItsScenarioOnly) {
  std::vector<CampaignItem> items = {item("ok-1", {degraded()}), item("broken", {degraded()}), item("ok-2", {degraded()})};
  fake.set_behaviour("rl-test-broken-source", Behaviour::FailStart);
  fake.script("rl-test-broken-source", {});
  Collect sink;
  auto outcome = run(items, options(4), sink);
  ASSERT_EQ(outcome.results.size(), 3u);
  EXPECT_EQ(outcome.results[0].verdict.kind, Verdict::Kind::Agree);
  EXPECT_EQ(outcome.results[1].verdict.kind, Verdict::Kind::Error);
  EXPECT_EQ(outcome.results[2].verdict.kind, Verdict::Kind::Agree);
}

TEST_F(CampaignTest, AnOutputThatFailsStopsStartingScenarios) {
  std::vector<CampaignItem> items;
  for (int i = 0; i < 4; ++i) items.push_back(item("s" + std::to_string(i), {degraded()}));
  Collect sink;
  sink.fail_after = 1;
  auto outcome = run(items, options(1), sink);
  ASSERT_TRUE(outcome.sink_error);
  EXPECT_EQ(outcome.sink_error->message, "results.sqlite: cannot write: disk full");
  EXPECT_EQ(outcome.sink_error->exit_code(), 3);
  EXPECT_LT(outcome.results.size(), 4u);
}

TEST_F(CampaignTest, AnInterruptKeepsWhatFinishedAndLeavesNothingRunning) {
  std::vector<CampaignItem> items = {item("first", {degraded()}),
                                     item("hangs", {Boot{"RESTORELAB {\"event\":\"kernel-start\"}\n", Behaviour::Hang}})};
  Collect sink;
  std::thread stopper([&] {
    while (fake.starts("rl-test-hangs-destination") == 0) std::this_thread::sleep_for(5ms);
    interrupt = 2;
  });
  auto outcome = run(items, options(1), sink);
  stopper.join();
  EXPECT_TRUE(outcome.interrupted);
  ASSERT_EQ(outcome.results.size(), 1u);
  EXPECT_EQ(outcome.results[0].id, "first");
  for (const auto& [name, d] : fake.domains()) EXPECT_FALSE(d.status.active()) << name << " still runs";
}

TEST_F(CampaignTest, ADiskToolStoppedByTheInterruptIsNotAnError) {
  InterruptedDisks disks(interrupt);
  machines.disks = &disks;
  Collect sink;
  auto outcome = run({item("stopped", {degraded()})}, options(1), sink);
  EXPECT_TRUE(outcome.interrupted);
  EXPECT_TRUE(outcome.results.empty()) << outcome.results[0].verdict.error;
  EXPECT_TRUE(sink.added.empty()) << "nothing in flight is recorded";
}


// ---- --remediate ---------------------------------------------------------------

TEST_F(CampaignTest, ARemediationIsJudgedAndAScenarioWithoutActionsReportsNone) {
  auto fixed = item("fix", {degraded()});
  fake.script("rl-test-fix-remediate", {Boot{fixture("remediate-in-system.log"), Behaviour::PowerOff}});
  fake.script("rl-test-fix-remediated", {Boot{fixture("boot-remediated-4-cpus.log"), Behaviour::PowerOff}});
  // The same hardware on both sides: nothing predicted, nothing to apply.
  auto same = item("same", {Boot{fixture("boot-remediated-4-cpus.log"), Behaviour::PowerOff}});
  same.scenario.source = same.scenario.destination;
  same.scenario.restore.to_same_computer = true;
  CampaignOptions o = options(1);
  o.remediate = true;
  Collect sink;
  auto outcome = run({fixed, same}, o, sink);
  ASSERT_EQ(outcome.results.size(), 2u);
  const ScenarioResult& f = outcome.results[0];
  ASSERT_TRUE(f.remediation.has_value());
  EXPECT_EQ(f.remediation->verdict, RemediationResult::Kind::Fixed) << f.remediation->error;
  EXPECT_EQ(f.remediation->applied, (std::vector<std::string>{"update-hal", "reconfigure-hardware-bound-apps"}));
  EXPECT_EQ(f.remediation->observed.cpus_used, 4);
  const ScenarioResult& n = outcome.results[1];
  EXPECT_EQ(n.verdict.kind, Verdict::Kind::Agree) << n.verdict.error;
  ASSERT_TRUE(n.remediation.has_value());
  EXPECT_EQ(n.remediation->verdict, RemediationResult::Kind::None);
  EXPECT_TRUE(n.remediation->applied.empty());
  EXPECT_EQ(n.remediation->note, "nothing to apply: the prediction has no action the model guest carries out");
  EXPECT_EQ(exit_status(outcome.results), 0);
  EXPECT_TRUE(fake.domains().empty());
}

}  // namespace
}  // namespace restorelab::run
