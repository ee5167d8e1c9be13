// `restorelab run --json` lines as matrix-format.md specifies them.
#include "harness/run/run_report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace restorelab::run {
namespace {

struct Fixture {
  Scenario s;
  Prediction p;
  ScenarioRun run;
  Fixture() {
    s.name = "xp-ide-to-sata";
    p.supported = false;
    p.outcome = Outcome::Stop0x7B;
    p.actions = {Action::InPlaceUpgrade};
    run.observation.outcome = Outcome::Stop0x7B;
    run.observation.stop_code = "0x0000007B";
    run.observation.nics_orphaned = 1;
    run.timings = {{"source", 9.84}, {"recovery", 20.5}, {"destination", 12.1}, {"total", 43.0}, {"disks", 0.2}};
    run.evidence = "/tmp/runs/2026-11-25T18-00-00/xp-ide-to-sata";
  }
};

TEST(RunReportTest, JsonLineHasTheContractFields) {
  Fixture f;
  Verdict v = judge(f.p, f.run.observation);
  auto j = nlohmann::json::parse(run_json_line({f.s, f.p, f.run, v, "tcg"}));
  EXPECT_EQ(j["scenario"], "xp-ide-to-sata");
  EXPECT_EQ(j["predicted"]["outcome"], "stop-0x7b");
  EXPECT_EQ(j["predicted"]["supported"], false);
  EXPECT_EQ(j["predicted"]["actions"], nlohmann::json::array({"in-place-upgrade"}));
  EXPECT_EQ(j["observed"]["outcome"], "stop-0x7b");
  EXPECT_EQ(j["observed"]["stop_code"], "0x0000007B");
  EXPECT_TRUE(j["observed"]["cpus_used"].is_null());
  EXPECT_EQ(j["observed"]["nics_orphaned"], 1);
  EXPECT_EQ(j["verdict"], "agree");
  EXPECT_FALSE(j.contains("error"));
  EXPECT_EQ(j["differences"], nlohmann::json::array());
  EXPECT_EQ(j["accelerator"], "tcg");
  EXPECT_EQ(j["timings_s"], nlohmann::json::parse(R"({"source":9.8,"recovery":20.5,"destination":12.1,"total":43.0})"));
  EXPECT_EQ(j["evidence"], "/tmp/runs/2026-11-25T18-00-00/xp-ide-to-sata/");
}

TEST(RunReportTest, AFailedRunSaysWhyAndHasNoObservedOutcome) {
  Fixture f;
  f.run.observation = Observation{};
  f.run.observation.error = "source VM: it did not start: no such file";
  Verdict v = judge(f.p, f.run.observation);
  const std::string line = run_json_line({f.s, f.p, f.run, v, "tcg"});
  ASSERT_EQ(line.back(), '\n');
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["verdict"], "error");
  EXPECT_EQ(j["error"], "source VM: it did not start: no such file");
  EXPECT_TRUE(j["observed"]["outcome"].is_null());
}

TEST(RunReportTest, TextNamesTheVerdictAndTheDifferences) {
  Fixture f;
  f.run.observation.outcome = Outcome::Boots;
  f.run.observation.stop_code.clear();
  f.run.observation.cpus_used = 1;
  Verdict v = judge(f.p, f.run.observation);
  const std::string text = run_text({f.s, f.p, f.run, v, "tcg"});
  EXPECT_NE(text.find("verdict     DISAGREE (outcome, cpus_used)"), std::string::npos) << text;
  EXPECT_NE(text.find("predicted   stop-0x7b (not supported)"), std::string::npos) << text;
}

TEST(RunReportTest, TextTimingsAreRoundedToTenths) {
  Fixture f;
  f.run.timings = {{"source", 7.96}, {"destination", 12.04}, {"total", 20.0}};
  const std::string text = run_text({f.s, f.p, f.run, judge(f.p, f.run.observation), "tcg"});
  EXPECT_NE(text.find("timings     source 8.0 s, destination 12.0 s, total 20.0 s (tcg)"), std::string::npos) << text;
}

}  // namespace
}  // namespace restorelab::run

namespace restorelab::run {
namespace {

TEST(RunReportTest, JunitHasAFailureForADisagreementAndAnErrorForAFailedRun) {
  Fixture agree, disagree, failed;
  disagree.s.name = "disagrees";
  disagree.run.observation.outcome = Outcome::Boots;
  failed.s.name = "failed";
  failed.run.observation = Observation{};
  failed.run.observation.error = "QEMU was killed";
  JunitReport junit;
  for (Fixture* f : {&agree, &disagree, &failed}) {
    const Verdict v = judge(f->p, f->run.observation);
    junit.add({f->s, f->p, f->run, v, "tcg"});
  }
  const std::string xml = junit.xml();
  EXPECT_NE(xml.find("<testsuite name=\"restorelab run\" tests=\"3\" failures=\"1\" errors=\"1\" time=\"129.000\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"restorelab.run\" name=\"xp-ide-to-sata\" time=\"43.000\">\n"
                     "      <system-out>evidence: "),
            std::string::npos);
  EXPECT_NE(xml.find("<failure type=\"disagree\" message=\"differs in outcome: predicted stop-0x7b, observed boots\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<error type=\"infrastructure\" message=\"QEMU was killed\"/>"), std::string::npos);
}

}  // namespace
}  // namespace restorelab::run
