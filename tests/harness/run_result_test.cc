// A scenario's result as `run` reports it (harness/run/scenario_result.h,
// result_json.h, result_sink.h): the JSON line of matrix-format.md and
// results-format.md, read back as written, the text report and JUnit.
#include "harness/run/result_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "harness/run/result_sink.h"
#include "tests/harness/cli_test_util.h"

namespace restorelab::run {
namespace {

ScenarioResult fixture() {
  ScenarioResult r;
  r.id = "xp-ide-to-sata";
  r.scenario = "xp-ide-to-sata";
  r.predicted.supported = false;
  r.predicted.outcome = Outcome::Stop0x7B;
  r.predicted.actions = {"in-place-upgrade"};
  r.predicted.rules = {"disk-controller-not-boot-start"};
  r.predicted.reasons = {"KB249694: \"Stop 0x7B\""};
  r.observed.outcome = Outcome::Stop0x7B;
  r.observed.stop_code = "0x0000007B";
  r.observed.nics_orphaned = 1;
  r.verdict.kind = Verdict::Kind::Agree;
  r.attempt_count = 1;
  r.accelerator = "tcg";
  r.timings = {{"source", 9.84}, {"restore", 20.5}, {"destination", 12.1}, {"total", 43.0}, {"disks", 0.2}};
  r.evidence = "/tmp/runs/2026-11-25T18-00-00/xp-ide-to-sata/";
  r.observation_key = "0123456789abcdef0123456789abcdef";
  return r;
}

TEST(RunResultTest, JsonLineHasTheContractFields) {
  auto j = nlohmann::json::parse(result_json_line(fixture()));
  EXPECT_EQ(j["id"], "xp-ide-to-sata");
  EXPECT_TRUE(j["run"].is_null());
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
  EXPECT_TRUE(j["deviation"].is_null());
  EXPECT_EQ(j["differences"], nlohmann::json::array());
  EXPECT_EQ(j["attempts"], 1);
  EXPECT_EQ(j["reused"], false);
  EXPECT_TRUE(j["reused_from"].is_null());
  EXPECT_EQ(j["accelerator"], "tcg");
  EXPECT_EQ(j["timings_s"],
            nlohmann::json::parse(R"({"source":9.8,"restore":20.5,"destination":12.1,"total":43.0,"disks":0.2})"));
  EXPECT_EQ(j["evidence"], "/tmp/runs/2026-11-25T18-00-00/xp-ide-to-sata/");
  EXPECT_FALSE(j.contains("kept")) << "machines that were removed have no way in";
}

TEST(RunResultTest, AKeptScenarioCarriesTheWayInAndReadsItBack) {
  ScenarioResult r = fixture();
  r.kept = way_in("qemu:///embed?root=/var/tmp/restorelab/embed", {"rl-a-x-source", "rl-a-x-destination"});
  const std::string line = result_json_line(r);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["kept"]["uri"], "qemu:///embed?root=/var/tmp/restorelab/embed");
  EXPECT_EQ(j["kept"]["domains"], nlohmann::json::array({"rl-a-x-source", "rl-a-x-destination"}));
  EXPECT_EQ(j["kept"]["commands"].size(), r.kept->commands.size());
  EXPECT_EQ(j["kept"]["commands"][0], "virsh -c 'qemu:///embed?root=/var/tmp/restorelab/embed' list --all");
  auto back = parse_result_line(line);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->kept, r.kept);
  EXPECT_EQ(parse_result_line(R"({"id":"a","scenario":"a","predicted":{"outcome":"boots"},"observed":{},)"
                              R"("verdict":"agree","kept":[]})")
                .error(),
            "\"kept\" is not an object");
}

TEST(RunResultTest, ALineReadsBackAsWritten) {
  ScenarioResult r = fixture();
  r.id = "hal-by-disk/acpi-uniprocessor.virtio";
  r.axes_json = R"({"source.hal":"acpi-uniprocessor","source.os.service_pack":2,"x.list":["a","b"]})";
  r.run = 17;
  r.verdict = {Verdict::Kind::KnownDeviation, {"outcome"}, ""};
  r.deviation = "guest-checks-controller-first";
  r.observed.cpus_used = 2;
  r.observed.mac_changed = {"nic0"};
  r.observed.detail = "a \"quoted\" detail\nwith a newline";
  r.reused = true;
  r.reused_from = 12;
  r.attempt_count = 0;
  const std::string line = result_json_line(r);
  auto back = parse_result_line(line);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(result_json_line(*back), line);
  EXPECT_EQ(back->observed, r.observed);
  EXPECT_EQ(back->verdict, r.verdict);
  EXPECT_EQ(back->predicted, r.predicted);
}

// Every part of a line at once, byte for byte as the writer before the
// table of fields (result_fields.h) wrote it: field order, null or left
// out, tenths, and escaping of a guest's control characters and bad bytes.
TEST(RunResultTest, ALineIsWrittenByteForByte) {
  ScenarioResult r;
  r.id = r.scenario = "m/a.b";
  r.run = 3;
  r.file = "x.toml";
  r.axes_json = R"({"source.hal":"acpi-pc","n":2})";
  r.predicted.cpus_used = 2;
  r.predicted.rules = {"r1"};
  r.predicted.reasons = {"why"};
  r.observed.outcome = Outcome::Boots;
  r.observed.cpus_used = 1;
  r.observed.cpus_present = 2;
  r.observed.mac_changed = {"nic0"};
  r.observed.detail = "a\x1b[31m\x7f\xc2\x9b\xff";
  r.observed.evidence = "destination boot line";
  r.verdict = {Verdict::Kind::Error, {"cpus_used"}, "why"};
  r.attempt_count = 2;
  r.attempt_outcomes = {"boots", "error"};
  r.accelerator = "kvm";
  r.timings = {{"total", 3.04}, {"source", 1.0}};
  r.source_cached = true;
  r.observation_key = "k";
  r.evidence = "e/";
  r.kept = KeptAccess{"test:///", {"d"}, {"virsh"}};
  RemediationResult m;
  m.applied = {"a"};
  m.note = "n";
  m.timings = {{"remediate", 1.26}, {"boot", 2}};
  r.remediation = m;
  EXPECT_EQ(result_json_line(r),
            R"({"id":"m/a.b","run":3,"scenario":"m/a.b","file":"x.toml","axes":{"source.hal":"acpi-pc","n":2},)"
            R"("predicted":{"supported":true,"outcome":"boots","cpus_used":2,"actions":[],"rules":["r1"],)"
            R"("reasons":["why"]},"observed":{"outcome":"boots","stop_code":null,"cpus_used":1,"cpus_present":2,)"
            R"("nics_configured":null,"nics_orphaned":null,"nics_unconfigured":null,"mac_changed":["nic0"],)"
            R"("degraded":[],"detail":"a\u001b[31m\u007f\u009b)" "\xef\xbf\xbd"
            R"(","seen":"destination boot line"},"verdict":"error","error":"why","deviation":null,)"
            R"("differences":["cpus_used"],"attempts":2,"attempt_outcomes":["boots","error"],"reused":false,)"
            R"("reused_from":null,"accelerator":"kvm","timings_s":{"source":1.0,"total":3.0},"source_cached":true,)"
            R"("observation_key":"k","evidence":"e/","kept":{"uri":"test:///","domains":["d"],"commands":["virsh"]},)"
            R"("remediation":{"applied":["a"],"skipped":[],"from":null,"changes":[],"observed":{"outcome":null,)"
            R"("stop_code":null,"cpus_used":null,"cpus_present":null,"nics_configured":null,"nics_orphaned":null,)"
            R"("nics_unconfigured":null,"mac_changed":[],"degraded":[]},"verdict":"none","differences":[],)"
            R"("expected":[],"note":"n","timings_s":{"boot":2.0,"remediate":1.3}}})"
            "\n");
}

// A field added to the table (result_fields.h) is in the line, in the
// store's timings and back: the seconds a chain waited for its disks, which
// the orchestrator measured and the line used to drop.
TEST(RunResultTest, TimingsHoldTheWaitForDisks) {
  const std::string line = result_json_line(fixture());
  EXPECT_NE(line.find(R"("timings_s":{"source":9.8,"restore":20.5,"destination":12.1,"total":43.0,"disks":0.2})"),
            std::string::npos) << line;
  EXPECT_EQ(timings_json(fixture().timings), R"({"source":9.8,"restore":20.5,"destination":12.1,"total":43.0,"disks":0.2})");
  auto back = parse_result_line(line);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->timings.at("disks"), 0.2);
  EXPECT_EQ(result_json_line(*back), line);
}

TEST(RunResultTest, ABrokenLineSaysWhatIsWrong) {
  EXPECT_EQ(parse_result_line("{").error(), "not a JSON object");
  EXPECT_EQ(parse_result_line(R"({"id":"a","scenario":"a"})").error(), "no \"predicted\" object");
  std::string line = result_json_line(fixture());
  line.replace(line.find("\"stop-0x7b\",\"stop_code\""), 11, "\"stop-0x99\"");
  EXPECT_EQ(parse_result_line(line).error(), "observed: \"outcome\": unknown value \"stop-0x99\"");
}

TEST(RunResultTest, AFailedRunSaysWhyAndHasNoObservedOutcome) {
  ScenarioResult r = fixture();
  r.observed = Observation{};
  r.observed.error = "source VM: it did not start: no such file";
  r.verdict = {Verdict::Kind::Error, {}, r.observed.error};
  auto j = nlohmann::json::parse(result_json_line(r));
  EXPECT_EQ(j["verdict"], "error");
  EXPECT_EQ(j["error"], "source VM: it did not start: no such file");
  EXPECT_TRUE(j["observed"]["outcome"].is_null());
}

TEST(RunResultTest, TextNamesTheVerdictAndTheDifferences) {
  ScenarioResult r = fixture();
  r.observed.outcome = Outcome::Boots;
  r.observed.cpus_used = 1;
  r.verdict = {Verdict::Kind::Disagree, {"outcome", "cpus_used"}, ""};
  const std::string text = result_text(r);
  EXPECT_NE(text.find("verdict     DISAGREE (outcome, cpus_used)"), std::string::npos) << text;
  EXPECT_NE(text.find("predicted   stop-0x7b (not supported)"), std::string::npos) << text;
}

TEST(RunResultTest, TextTimingsAreRoundedToTenths) {
  ScenarioResult r = fixture();
  r.timings = {{"source", 7.96}, {"destination", 12.04}, {"total", 20.0}};
  const std::string text = result_text(r);
  EXPECT_NE(text.find("timings     source 8.0 s, destination 12.0 s, total 20.0 s (tcg)"), std::string::npos) << text;
}

// A scenario that was not run (its destination cannot be booted here) once
// printed an empty timings list and an empty evidence line.
TEST(RunResultTest, AScenarioNoVmRanSaysSoInsteadOfEmptyTimingsAndEvidence) {
  ScenarioResult r = fixture();
  r.timings.clear();
  r.evidence.clear();
  r.observed = Observation{};
  r.observed.error = "not run: destination.hal = \"acpi-pc\" with firmware = \"uefi\"";
  r.verdict = {Verdict::Kind::Error, {}, r.observed.error};
  const std::string text = result_text(r);
  EXPECT_NE(text.find("  timings     none (no VM started)\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("evidence"), std::string::npos) << text;
}

// The chain's middle VM is "restore" in its domain, its evidence files, the
// text and timings_s alike; a line stored when timings_s called it
// "recovery" reads as "restore".
TEST(RunResultTest, TheChainsMiddleIsTheRestoreInTextAndTimings) {
  const std::string text = result_text(fixture());
  EXPECT_NE(text.find("timings     source 9.8 s, restore 20.5 s, destination 12.1 s, total 43.0 s (tcg)"),
            std::string::npos) << text;
  std::string old_line = result_json_line(fixture());
  old_line.replace(old_line.find("\"restore\":20.5"), 9, "\"recovery\"");
  auto back = parse_result_line(old_line);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->timings.at("restore"), 20.5);
  EXPECT_FALSE(back->timings.contains("recovery"));
}

TEST(RunResultTest, TextOfAFlakyResultListsWhatEachAttemptSaw) {
  ScenarioResult r = fixture();
  r.verdict = {Verdict::Kind::Flaky, {}, ""};
  r.attempts = {AttemptResult{}, AttemptResult{}};
  r.attempts[0].observed.error = "QEMU was killed";
  r.attempts[1].observed.outcome = Outcome::Stop0x7B;
  EXPECT_NE(result_text(r).find("verdict     FLAKY (attempts saw error, stop-0x7b)"), std::string::npos);
  auto j = nlohmann::json::parse(result_json_line(r));
  EXPECT_EQ(j["attempt_outcomes"], nlohmann::json::array({"error", "stop-0x7b"}));
}

class JunitSinkTest : public testing::TempDirTest {};

TEST_F(JunitSinkTest, AFailurePerDisagreementOrFlakeAndAnErrorPerFailedRun) {
  RunSummary summary;
  summary.seconds = 129;
  ScenarioResult agree = fixture(), disagree = fixture(), failed = fixture(), known = fixture();
  disagree.id = "disagrees";
  disagree.observed.outcome = Outcome::Boots;
  disagree.verdict = {Verdict::Kind::Disagree, {"outcome"}, ""};
  failed.id = "failed";
  failed.observed = Observation{};
  failed.verdict = {Verdict::Kind::Error, {}, "QEMU was killed"};
  known.id = "known";
  known.verdict = {Verdict::Kind::KnownDeviation, {"outcome"}, ""};
  known.deviation = "guest-checks-controller-first";
  summary.results = {agree, disagree, failed, known};
  const std::string path = dir_ + "/run.xml";
  ASSERT_TRUE(JunitSink(path).finish(summary));
  std::ifstream in(path);
  const std::string xml{std::istreambuf_iterator<char>(in), {}};
  EXPECT_NE(xml.find("<testsuite name=\"restorelab run\" tests=\"4\" failures=\"1\" errors=\"1\" time=\"129.000\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"restorelab.run\" name=\"xp-ide-to-sata\" time=\"43.000\">\n"
                     "      <system-out>evidence: "),
            std::string::npos);
  EXPECT_NE(xml.find("<failure type=\"disagree\" message=\"differs in outcome: predicted stop-0x7b, observed boots\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<error type=\"infrastructure\" message=\"QEMU was killed\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<system-out>known deviation guest-checks-controller-first: predicted stop-0x7b, observed "
                     "stop-0x7b\nevidence: "),
            std::string::npos);
}

}  // namespace
}  // namespace restorelab::run
