// The HTML report as a user sees it: rendered by headless Chromium, its
// script run, the resulting page read back.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/cli/cli.h"
#include "tests/support/chromium.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// The DOM Chromium makes of the page `matrix predict --html` writes for
/// `matrix`; empty when Chromium printed nothing.
std::string rendered(const std::string& matrix, std::string* html = nullptr) {
  char pattern[] = "/tmp/restorelab-html-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  const std::string page = dir + "/matrix.html";
  std::ostringstream out, err;
  Streams io{out, err, false};
  EXPECT_EQ(run_cli({"matrix", "predict", matrix, "--html", page}, io), 0) << err.str();
  if (html) {
    std::ifstream in(page);
    *html = {std::istreambuf_iterator<char>(in), {}};
  }
  const std::string dom = testing::chromium_dom(page);
  fs::remove_all(dir);
  return dom;
}

TEST(MatrixHtmlTest, ChromiumShowsTheHeatmapAndTheTable) {
  if (!testing::have_chromium()) GTEST_SKIP() << "chromium is not installed; run ci/setup.sh";
  const std::string dom = rendered(restorelab::source_path("/scenarios/matrices/hal-by-disk.toml"));
  ASSERT_FALSE(dom.empty()) << "chromium printed nothing";
  EXPECT_NE(dom.find("<h1 id=\"title\">Matrix hal-by-disk</h1>"), std::string::npos);
  // One heatmap of 3 x 3 HAL types; its cells name the outcome mix.
  EXPECT_EQ(count(dom, "class=\"heatmap\""), 1u);
  EXPECT_EQ(count(dom, "data-outcomes="), 9u);
  EXPECT_NE(dom.find("data-outcomes=\"7B A5\""), std::string::npos);  // ACPI HAL on an MPS machine
  EXPECT_NE(dom.find("data-outcomes=\"7B H\""), std::string::npos);   // MPS HAL on an ACPI machine
  // The script filled the table and its counter.
  EXPECT_NE(dom.find("81 of 81 combinations match"), std::string::npos);
  EXPECT_EQ(count(dom, "<td>hal-by-disk/"), 81u);
}

TEST(MatrixHtmlTest, MarkupInAValueDoesNotBlankThePage) {
  if (!testing::have_chromium()) GTEST_SKIP() << "chromium is not installed; run ci/setup.sh";
  char pattern[] = "/tmp/restorelab-html-src-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  fs::copy(restorelab::source_path("/scenarios/matrices/base"), dir + "/base");
  std::ifstream in(restorelab::source_path("/scenarios/matrices/hal-by-disk.toml"));
  std::string text{std::istreambuf_iterator<char>(in), {}};
  const std::string hostile = "<!--<script> </script><b>x</b>";
  text.replace(text.find("Windows Server 2003 system state"), 32, hostile);
  std::ofstream(dir + "/m.toml") << text;
  std::string html;
  const std::string dom = rendered(dir + "/m.toml", &html);
  fs::remove_all(dir);
  // The data holds the text only as escapes, and the page still renders it as text.
  const std::string data = html.substr(html.find("id=\"data\">"), html.find("</script>") - html.find("id=\"data\">"));
  EXPECT_EQ(data.find("<!--"), std::string::npos);
  EXPECT_NE(dom.find("81 of 81 combinations match"), std::string::npos) << "the script did not run";
  EXPECT_NE(dom.find("&lt;!--&lt;script&gt; &lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"), std::string::npos);
}

}  // namespace
}  // namespace restorelab
