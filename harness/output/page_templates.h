// The HTML pages restorelab writes (`run --html`, `matrix --html`), embedded
// at build time from harness/output/templates/ by embed_pages.cmake: the
// HTML, CSS and script are files there, and what both pages use (page.css,
// page.js) is written once. Each page holds `{{data}}` where its data goes
// (page_with_data in html_text.h).
#pragma once

#include <string_view>

namespace restorelab::pages {

/// templates/run_report.html: a run's results (html_report.h).
extern const std::string_view run_report;
/// templates/matrix.html: a matrix's predictions (matrix_html.h).
extern const std::string_view matrix;

}  // namespace restorelab::pages
