// The HTML report as a user sees it: rendered by headless Chromium, its
// script run, the resulting page read back.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>

#include "harness/cli.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;

std::string run_command(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[65536];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  pclose(pipe);
  return out;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(MatrixHtmlTest, ChromiumShowsTheHeatmapAndTheTable) {
  if (!fs::exists("/usr/bin/chromium")) {
    if (std::getenv("CI")) FAIL() << "chromium is not installed (ci/setup.sh installs it)";
    GTEST_SKIP() << "chromium is not installed; run ci/setup.sh";
  }
  char pattern[] = "/tmp/restorelab-html-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  const std::string page = dir + "/matrix.html";
  std::ostringstream out, err;
  Streams io{out, err, false};
  ASSERT_EQ(run_cli({"matrix", "predict", RESTORELAB_SOURCE_DIR "/scenarios/matrices/hal-by-disk.toml", "--html", page},
                    io),
            0)
      << err.str();
  const std::string dom = run_command(
      "timeout 60 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync --user-data-dir=" + dir +
      "/profile --dump-dom file://" + page + " 2>/dev/null");
  fs::remove_all(dir);
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

}  // namespace
}  // namespace restorelab
