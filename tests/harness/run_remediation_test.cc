// `run --remediate` on the harness side (harness/run/remediation.h): which
// actions go to the guest, the plan of the remediation VMs, the judgement,
// and how a remediation shows in the JSON line and the exit status.
#include "harness/run/remediation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/run/result_json.h"
#include "harness/run/run_plan.h"
#include "harness/run/scenario_result.h"
#include "harness/run/store_sink.h"

namespace restorelab::run {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Strings = std::vector<std::string>;

TEST(RemediationChoiceTest, ThePredictedActionsTheModelCarriesOutGoToTheGuestInItsOrder) {
  const ActionChoice c = choose_actions({"in-place-upgrade", "update-hal", "verify-rpc-client-protocols"}, {});
  EXPECT_THAT(c.apply, ElementsAre("in-place-upgrade", "update-hal"));
  EXPECT_THAT(c.skipped, ElementsAre("verify-rpc-client-protocols"));
}

TEST(RemediationChoiceTest, ChosenActionsReplaceThePredictedOnesWhichAreSkipped) {
  const ActionChoice c =
      choose_actions({"in-place-upgrade", "update-hal", "verify-rpc-client-protocols"}, Strings{"update-hal"});
  EXPECT_THAT(c.apply, ElementsAre("update-hal"));
  EXPECT_THAT(c.skipped, ElementsAre("in-place-upgrade", "verify-rpc-client-protocols"));
  // A researcher may try a fix the rulebook does not prescribe.
  const ActionChoice tried = choose_actions({}, Strings{"remove-display-adapter"});
  EXPECT_THAT(tried.apply, ElementsAre("remove-display-adapter"));
  EXPECT_TRUE(tried.skipped.empty());
}

TEST(RemediationChoiceTest, NoPredictedActionLeavesNothingToApply) {
  const ActionChoice c = choose_actions({}, {});
  EXPECT_TRUE(c.apply.empty());
  EXPECT_TRUE(c.skipped.empty());
  EXPECT_TRUE(choose_actions({"reinstall-office"}, {}).apply.empty());
}

Observation booted(Outcome o, int cpus, int orphaned = 0) {
  Observation obs;
  obs.outcome = o;
  obs.cpus_used = cpus;
  obs.cpus_present = 4;
  obs.nics_orphaned = orphaned;
  return obs;
}

TEST(RemediationJudgeTest, FixedMeansBootsOnEveryProcessor) {
  RemediationResult r;
  r.applied = {"update-hal"};
  r.observed = booted(Outcome::Boots, 4);
  judge_remediation(r, 4);
  EXPECT_EQ(r.verdict, RemediationResult::Kind::Fixed);
  EXPECT_TRUE(r.differences.empty());
  r.observed = booted(Outcome::BootsDegraded, 1);
  judge_remediation(r, 4);
  EXPECT_EQ(r.verdict, RemediationResult::Kind::NotFixed);
  EXPECT_THAT(r.differences, ElementsAre("outcome: boots-degraded, not boots", "cpus_used: 1 of 4"));
}

TEST(RemediationJudgeTest, OrphanedNicConfigurationCountsOnlyWhenANicActionWasApplied) {
  RemediationResult r;
  r.applied = {"update-hal"};
  r.observed = booted(Outcome::Boots, 1, 1);
  judge_remediation(r, 1);
  EXPECT_EQ(r.verdict, RemediationResult::Kind::Fixed);
  r.applied = {"remove-network-adapter"};
  judge_remediation(r, 1);
  EXPECT_EQ(r.verdict, RemediationResult::Kind::NotFixed);
  EXPECT_THAT(r.differences, ElementsAre("nics_orphaned: 1"));
}

TEST(RemediationJudgeTest, AStopIsNotFixedAndAFailedBootIsAnErrorNeverAVerdict) {
  RemediationResult r;
  r.applied = {"update-hal"};
  r.observed.outcome = Outcome::Stop0x7B;
  judge_remediation(r, 2);
  EXPECT_EQ(r.verdict, RemediationResult::Kind::NotFixed);
  EXPECT_THAT(r.differences, ElementsAre("outcome: stop-0x7b, not boots"));
  r.observed = Observation{};
  r.observed.error = "remediated VM: it did not start: no space";
  judge_remediation(r, 2);
  EXPECT_EQ(r.verdict, RemediationResult::Kind::Error);
  EXPECT_EQ(r.error, "remediated VM: it did not start: no space");
}

TEST(RemediationCureTest, EachSymptomOfTheFirstBootNamesItsPrescribedActionAndWhetherItRemains) {
  const std::vector<Prescription> prescriptions = {
      {"hal-compatible-not-identical", {"update-hal"}, {"cpus_used", "boots-degraded"}},
      {"in-place-upgrade", {"in-place-upgrade"}, {"stop-0x7b", "hang"}}};
  RemediationResult r;
  r.applied = {"update-hal"};
  r.observed.outcome = Outcome::Stop0x7B;
  judge_remediation(r, 2);
  Observation before;
  before.outcome = Outcome::Stop0x7B;
  EXPECT_THAT(cure_report(before, r, 2, prescriptions),
              ElementsAre("stop-0x7b: in-place-upgrade (rule in-place-upgrade) not applied; remains"));
  r.observed = booted(Outcome::Boots, 4);
  judge_remediation(r, 4);
  EXPECT_THAT(cure_report(booted(Outcome::BootsDegraded, 1), r, 4, prescriptions),
              ElementsAre("boots-degraded: update-hal (rule hal-compatible-not-identical) applied; cured",
                          "cpus_used: update-hal (rule hal-compatible-not-identical) applied; cured"));
  EXPECT_THAT(cure_report(booted(Outcome::Boots, 4, 1), r, 4, {}),
              ElementsAre("nics_orphaned: no predicted action is prescribed for it; cured"));
}

TEST(RemediationLineTest, TheRemediatedLineIsRead) {
  const auto line = read_remediated(
      "RESTORELAB {\"event\":\"job\",\"phases\":[\"remediate\"]}\n"
      "RESTORELAB {\"event\":\"remediated\",\"from\":\"installation-media\",\"applied\":[\"in-place-upgrade\"],"
      "\"skipped\":[],\"changes\":[\"in-place-upgrade: boot-start driver sata\"]}\n");
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->from, "installation-media");
  EXPECT_THAT(line->applied, ElementsAre("in-place-upgrade"));
  EXPECT_THAT(line->changes, ElementsAre("in-place-upgrade: boot-start driver sata"));
  EXPECT_FALSE(read_remediated("RESTORELAB {\"event\":\"remediated\",\"from\":\"inst").has_value());
}

Scenario up_on_mp() {
  Scenario s;
  s.name = "rem";
  s.source.hal = Hal::AcpiUniprocessor;
  s.source.storage_drivers = {DiskBus::Ide};
  s.destination = s.source;
  s.destination.hal = Hal::AcpiMultiprocessor;
  s.destination.cpus = 4;
  return s;
}

PlanPaths paths() { return PlanPaths{"/w/disks", "/w/runs", "rl-t-", machines::DomainType::Qemu, "/img"}; }

TEST(RemediationPlanTest, NoActionsPlanNoRemediation) {
  EXPECT_FALSE(plan_run(up_on_mp(), paths()).remediation.has_value());
}

TEST(RemediationPlanTest, InTheSystemThroughItsLoaderFromMediaDirectlyThenTheLoaderAgain) {
  const RunPlan plan = plan_run(up_on_mp(), paths(), {"in-place-upgrade", "update-hal"});
  ASSERT_TRUE(plan.remediation.has_value());
  const RemediationPlan& r = *plan.remediation;
  EXPECT_EQ(plan.vms.size(), 3u) << "the chain itself is unchanged";
  EXPECT_EQ(r.in_system.phase, Phase::Remediate);
  EXPECT_TRUE(r.in_system.spec.direct.kernel.empty());
  EXPECT_EQ(r.in_system.spec.disks.at(0).boot_order, 1);
  EXPECT_EQ(r.from_media.spec.direct.kernel, "/img/vmlinux");
  EXPECT_THAT(r.from_media.spec.direct.cmdline, HasSubstr("rl.disk=recovery"));
  EXPECT_EQ(r.boot.phase, Phase::Remediated);
  EXPECT_TRUE(r.boot.spec.direct.kernel.empty());
  // All three use the destination's system disk.
  const std::string dst = plan.vms.back().spec.disks.at(0).path;
  for (const PlannedVm* vm : {&r.in_system, &r.from_media, &r.boot}) EXPECT_EQ(vm->spec.disks.at(0).path, dst);
  EXPECT_THAT(r.in_system.job, HasSubstr("\nphase=remediate\n"));
  EXPECT_THAT(r.in_system.job, HasSubstr("\nremediate.actions=in-place-upgrade,update-hal\n"));
  EXPECT_THAT(r.boot.job, HasSubstr("\nphase=boot\n"));
  EXPECT_EQ(r.boot.spec.name, "rl-t-rem-remediated");
  EXPECT_EQ(r.boot.spec.serial_log, "/w/runs/remediated.serial.log");
}

ScenarioResult agreeing() {
  ScenarioResult r;
  r.id = r.scenario = "rem";
  r.verdict.kind = Verdict::Kind::Agree;
  r.observed = booted(Outcome::BootsDegraded, 1);
  return r;
}

TEST(RemediationResultTest, TheJsonLineCarriesTheRemediationAndReadsBack) {
  ScenarioResult r = agreeing();
  RemediationResult m;
  m.from = "started-system";
  m.applied = {"update-hal"};
  m.skipped = {"reconfigure-hardware-bound-apps"};
  m.changes = {"update-hal: acpi-uniprocessor -> acpi-multiprocessor"};
  m.observed = booted(Outcome::Boots, 4);
  m.verdict = RemediationResult::Kind::Fixed;
  m.timings = {{"remediate", 4.1}, {"boot", 6.0}};
  r.remediation = m;
  const std::string line = result_json_line(r);
  EXPECT_THAT(line, HasSubstr("\"remediation\":{\"applied\":[\"update-hal\"],\"skipped\":"
                              "[\"reconfigure-hardware-bound-apps\"],\"from\":\"started-system\""));
  EXPECT_THAT(line, HasSubstr("\"verdict\":\"fixed\",\"differences\":[],\"expected\":[],\"timings_s\":{\"boot\":6.0,\"remediate\":4.1}}"));
  auto back = parse_result_line(line);
  ASSERT_TRUE(back.has_value()) << back.error();
  EXPECT_EQ(back->remediation, r.remediation);
  EXPECT_FALSE(parse_result_line(result_json_line(agreeing()))->remediation.has_value());
}

TEST(RemediationResultTest, TheStoreKeepsTheRemediationWithItsResult) {
  ScenarioResult r = agreeing();
  EXPECT_FALSE(to_record(r).remediation_json.has_value());
  r.remediation = RemediationResult{};
  r.remediation->verdict = RemediationResult::Kind::NotFixed;
  r.remediation->applied = {"update-hal"};
  const auto record = to_record(r);
  ASSERT_TRUE(record.remediation_json.has_value());
  EXPECT_THAT(*record.remediation_json, HasSubstr("\"verdict\":\"not-fixed\""));
  // `results show` reads results back from the stored line.
  EXPECT_EQ(from_record(record)->remediation, r.remediation);
}

TEST(RemediationResultTest, NotFixedExitsOneAndAnErrorExitsThree) {
  ScenarioResult r = agreeing();
  r.remediation = RemediationResult{};
  EXPECT_EQ(exit_status({r}), 0) << "none";
  r.remediation->verdict = RemediationResult::Kind::NotFixed;
  EXPECT_EQ(exit_status({r}), 1);
  r.remediation->verdict = RemediationResult::Kind::Error;
  EXPECT_EQ(exit_status({r}), 3);
}

}  // namespace
}  // namespace restorelab::run
