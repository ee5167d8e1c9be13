// The HTML report of a run, as a user sees it: rendered by headless
// Chromium, its script run, the resulting page read back.
#include "harness/run/html_report.h"

#include <gtest/gtest.h>

#include <fstream>

#include "harness/output/html_text.h"
#include "harness/output/png.h"
#include "tests/harness/cli_test_util.h"
#include "tests/support/chromium.h"

namespace restorelab::run {
namespace {

namespace fs = std::filesystem;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class RunHtmlReportTest : public testing::TempDirTest {
 protected:
  ScenarioResult result(const std::string& hal, const std::string& bus, Verdict::Kind verdict) {
    ScenarioResult r;
    r.id = "m/" + hal + "." + bus;
    r.scenario = "m." + hal + "." + bus;
    r.axes_json = "{\"source.hal\":\"" + hal + "\",\"destination.disk_bus\":\"" + bus + "\"}";
    r.predicted.outcome = Outcome::Stop0x7B;
    r.predicted.rules = {"no-boot-driver-for-controller"};
    r.predicted.reasons = {"KB249694: <b>not bold</b>"};
    r.observed.outcome = verdict == Verdict::Kind::Agree ? Outcome::Stop0x7B : Outcome::Boots;
    r.verdict.kind = verdict;
    r.evidence = dir_ + "/runs/" + r.scenario + "/";
    fs::create_directories(r.evidence);
    std::ofstream(r.evidence + "destination.serial.log") << "RESTORELAB {}\n";
    RgbImage screen{720, 400, std::vector<std::uint8_t>(720 * 400 * 3, 40)};
    auto png = encode_png(screen);
    std::ofstream(r.evidence + "destination.png", std::ios::binary)
        .write(reinterpret_cast<const char*>(png->data()), static_cast<std::streamsize>(png->size()));
    return r;
  }
};

TEST_F(RunHtmlReportTest, ChromiumShowsTheMixOfEachCellTheTableAndTheScreens) {
  if (!testing::have_chromium()) GTEST_SKIP() << "chromium is not installed; run ci/setup.sh";
  RunSummary summary;
  summary.title = "run 3";
  summary.results = {result("acpi-pc", "ide", Verdict::Kind::Agree), result("acpi-pc", "ide", Verdict::Kind::Disagree),
                     result("acpi-pc", "sata", Verdict::Kind::Agree), result("mps-uniprocessor", "ide", Verdict::Kind::Error)};
  summary.results[1].id += "-2";
  RemediationResult m;
  m.verdict = RemediationResult::Kind::NotFixed;
  m.applied = {"update-hal"};
  m.differences = {"outcome: stop-0x7b, not boots"};
  summary.results[0].remediation = m;
  summary.stale_deviations = {"old-entry"};
  const std::string page = dir_ + "/report.html";
  ASSERT_TRUE(HtmlSink(page).finish(summary));
  const std::string dom = testing::chromium_dom(page);
  ASSERT_FALSE(dom.empty()) << "chromium printed nothing";
  // One cell holds two verdicts, and shows both.
  EXPECT_NE(dom.find("data-mix=\"A1 D1\""), std::string::npos) << dom.substr(0, 4000);
  EXPECT_NE(dom.find("data-mix=\"A1\""), std::string::npos);
  EXPECT_NE(dom.find("data-mix=\"E1\""), std::string::npos);
  EXPECT_NE(dom.find("4 of 4 scenarios match"), std::string::npos);
  EXPECT_EQ(count(dom, "class=\"thumb\""), 4u);
  EXPECT_EQ(count(dom, "src=\"data:image/png;base64,"), 4u);
  // Links are relative to the page, and markup in a reason is text.
  EXPECT_NE(dom.find("href=\"./runs/m.acpi-pc.ide/destination.serial.log\""), std::string::npos);
  EXPECT_NE(dom.find("KB249694: &lt;b&gt;not bold&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(dom.find("known deviations that excused nothing: old-entry"), std::string::npos);
  EXPECT_NE(dom.find("remediation not-fixed (update-hal): outcome: stop-0x7b, not boots"), std::string::npos);
}

// An evidence folder is data: a folder named `javascript:alert(1),` next to
// the page once became the link `javascript:alert(1),/a/…`, which ran script
// when clicked. Only `./…` paths and http(s) URLs become links; the rest is text.
TEST_F(RunHtmlReportTest, AnEvidencePathIsNeverAScriptLink) {
  if (!testing::have_chromium()) GTEST_SKIP() << "chromium is not installed; run ci/setup.sh";
  RunSummary summary;
  summary.title = "run 1";
  summary.results = {result("acpi-pc", "ide", Verdict::Kind::Agree), result("acpi-pc", "sata", Verdict::Kind::Agree),
                     result("acpi-pc", "scsi", Verdict::Kind::Agree)};
  summary.results[0].evidence = dir_ + "/javascript:alert(1),/a/";
  fs::create_directories(summary.results[0].evidence);
  std::ofstream(summary.results[0].evidence + "destination.serial.log") << "RESTORELAB {}\n";
  summary.results[1].evidence = "https://ci.example/jobs/7/";
  const std::string page = dir_ + "/report.html";
  ASSERT_TRUE(HtmlSink(page).finish(summary));
  const std::string dom = testing::chromium_dom(page);
  ASSERT_FALSE(dom.empty()) << "chromium printed nothing";
  EXPECT_EQ(dom.find("href=\"javascript:"), std::string::npos) << dom.substr(0, 8000);
  EXPECT_NE(dom.find("href=\"./javascript%3Aalert%281%29%2C/a/destination.serial.log\""), std::string::npos)
      << dom.substr(0, 8000);
  EXPECT_NE(dom.find("href=\"https://ci.example/jobs/7/\""), std::string::npos);
  EXPECT_NE(dom.find("href=\"./runs/m.acpi-pc.scsi/destination.png\""), std::string::npos);
}

// A scenario no VM ran (one this host cannot boot) has no evidence folder:
// the page once ended the whole run with "cannot make absolute path".
TEST_F(RunHtmlReportTest, AResultWithoutEvidenceIsARowWithoutLinks) {
  RunSummary summary;
  summary.title = "run 2";
  summary.results = {result("acpi-pc", "ide", Verdict::Kind::Agree), result("acpi-pc", "sata", Verdict::Kind::Error)};
  summary.results[1].evidence.clear();
  summary.results[1].verdict.error = "not run: destination.hal = \"acpi-pc\" with firmware = \"uefi\"";
  const std::string page = dir_ + "/report.html";
  ASSERT_TRUE(HtmlSink(page).finish(summary));
  std::ifstream in(page);
  const std::string html{std::istreambuf_iterator<char>(in), {}};
  EXPECT_NE(html.find("not run: destination.hal"), std::string::npos);
  EXPECT_EQ(count(html, R"("href":"./runs/)"), 1u) << "only the scenario that ran links its evidence";
}

TEST(HtmlTextTest, OnlyRelativePathsAndWebUrlsAreSafeLinks) {
  EXPECT_TRUE(is_safe_href("./runs/a/"));
  EXPECT_TRUE(is_safe_href("../runs/a/"));
  EXPECT_TRUE(is_safe_href("https://ci.example/7/"));
  EXPECT_TRUE(is_safe_href("http://ci.example/7/"));
  EXPECT_FALSE(is_safe_href("javascript:alert(1),/a/"));
  EXPECT_FALSE(is_safe_href("JavaScript:alert(1)"));
  EXPECT_FALSE(is_safe_href("data:text/html,<script>"));
  EXPECT_FALSE(is_safe_href("//evil.example/"));
  EXPECT_FALSE(is_safe_href("/etc/passwd"));
  EXPECT_FALSE(is_safe_href("runs/a/"));
  EXPECT_EQ(url_path("a b/c:d?e#f%"), "a%20b/c%3Ad%3Fe%23f%25");
}

}  // namespace
}  // namespace restorelab::run
