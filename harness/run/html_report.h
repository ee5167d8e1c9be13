// The HTML report of a run or a campaign: one self-contained page (styles,
// data, script and thumbnails inline; links to the evidence files relative
// to the page) with the verdict counts, a heatmap over two matrix axes the
// reader picks whose cells show their whole mix of verdicts, and a sortable,
// filterable table of predicted against observed with the reasons, a
// thumbnail of the destination's screen and links to serial logs and XML.
// Its HTML, CSS and script are harness/output/templates/run_report.* (and
// the page.* both pages share); this file makes its data.
#pragma once

#include <filesystem>
#include <string>

#include "harness/run/result_sink.h"

namespace restorelab::run {

/// At most this many results go into the page; it says when there were more.
inline constexpr std::size_t kMaxReportRows = 5000;
/// Thumbnails are this wide (pixels) at most.
inline constexpr int kThumbnailWidth = 240;

/// The page for `summary`, to be written at `page` (links are made relative
/// to its folder; thumbnails are read from each result's evidence folder).
std::string run_html(const RunSummary& summary, const std::filesystem::path& page);

/// Writes run_html() to its path at the end of the run.
class HtmlSink final : public ResultSink {
 public:
  explicit HtmlSink(std::filesystem::path path) : path_(std::move(path)) {}
  OutputStatus finish(const RunSummary& summary) override;

 private:
  std::filesystem::path path_;
};

}  // namespace restorelab::run
