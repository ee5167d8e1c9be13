// The HTML pages embedded at build time from harness/output/templates/
// (page_templates.h, embed_pages.cmake): each is its HTML file with the CSS
// and script it names put in, whole, and a place for its data.
#include "harness/output/page_templates.h"

#include <gtest/gtest.h>

#include <regex>
#include <utility>

#include "harness/output/html_text.h"
#include "harness/output/input_file.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

std::string template_file(const std::string& name) {
  auto text = read_regular_file(source_path("/harness/output/templates/" + name), 1 << 20);
  EXPECT_TRUE(text) << text.error().message;
  return text.value_or("");
}

std::size_t count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The page as embed_pages.cmake should make it: the HTML file with each
// `{{part.css}}` and `{{part.js}}` replaced by that file.
std::string expected_page(const std::string& html_name) {
  std::string page = template_file(html_name);
  const std::regex part(R"(\{\{([a-z_]+\.(css|js))\}\})");
  std::smatch m;
  while (std::regex_search(page, m, part)) page.replace(m.position(0), m.length(0), template_file(m[1].str()));
  return page;
}

TEST(PageTemplatesTest, EachPageIsItsFilesWholeWithOnePlaceForData) {
  for (const auto& [page, file] : {std::pair{pages::run_report, "run_report.html"}, {pages::matrix, "matrix.html"}}) {
    EXPECT_EQ(page, expected_page(file)) << file;
    EXPECT_EQ(count(page, "{{data}}"), 1u) << file;
    EXPECT_EQ(count(page, "{{"), 1u) << file << ": a part that was not put in";
  }
}

TEST(PageTemplatesTest, BothPagesShareTheirStyleAndHelpers) {
  const std::string css = template_file("page.css"), js = template_file("page.js");
  ASSERT_FALSE(css.empty());
  ASSERT_FALSE(js.empty());
  for (std::string_view page : {pages::run_report, pages::matrix}) {
    EXPECT_EQ(count(page, css), 1u);
    EXPECT_EQ(count(page, js), 1u);
  }
}

TEST(PageTemplatesTest, DataGoesInOnceAndIsNotReadForMarkers) {
  EXPECT_EQ(page_with_data("<p>{{data}}</p>{{data}}", R"({"a":"{{data}}</script>"})"),
            R"(<p>{"a":"{{data}}\u003c/script\u003e"}</p>{{data}})");
}

}  // namespace
}  // namespace restorelab
