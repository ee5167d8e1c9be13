#include "harness/cli/run_progress.h"

#include <cmath>
#include <ostream>

#include "harness/output/text.h"
#include "harness/run/result_sink.h"

namespace restorelab {

std::string RunProgress::estimate(double mean_seconds, std::size_t left, int jobs) {
  if (left == 0) return "0 s";
  const double seconds = mean_seconds * static_cast<double>(left) / std::max(1, jobs);
  if (seconds < 90) return text("{} s", static_cast<int>(std::ceil(seconds)));
  return text("{} min", static_cast<int>(std::ceil(seconds / 60)));
}

void RunProgress::draw() {
  if (!io_.err_is_terminal) return;
  std::string line = text("[{}/{}] {}", done_, total_, run::verdict_counts_text(verdicts_));
  for (const run::InFlight& f : running_) line += text(" | {} {} {}s", f.id, f.phase, static_cast<int>(f.seconds));
  if (ran_ > 0 && done_ < total_) line += " | about " + estimate(ran_seconds_ / static_cast<double>(ran_), total_ - done_, jobs_) + " left";
  io_.err << "\r\033[K" << line.substr(0, 160) << std::flush;
  shown_ = true;
}

void RunProgress::phase(const std::vector<run::InFlight>& running) {
  std::lock_guard lock(mutex_);
  running_ = running;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  draw();
}

void RunProgress::finished(const run::ScenarioResult& r, std::size_t done, std::size_t total) {
  std::lock_guard lock(mutex_);
  done_ = done;
  total_ = total;
  ++verdicts_[std::string(run::verdict_name(r.verdict.kind))];
  std::erase_if(running_, [&](const run::InFlight& f) { return f.id == r.id; });
  if (!r.reused) {
    ++ran_;
    if (auto it = r.timings.find("total"); it != r.timings.end()) ran_seconds_ += it->second;
  }
  if (r.kept) {
    // The way in, whether on a terminal or in a log: it is what the researcher asked for.
    if (shown_) io_.err << "\r\033[K";
    shown_ = false;
    io_.err << run::way_in_text(r.id, *r.kept);
  }
  if (io_.err_is_terminal) {
    draw();
    return;
  }
  std::string line = text("[{}/{}] {}: {}", done, total, r.id, run::verdict_name(r.verdict.kind));
  if (r.reused) line += " (reused from run " + std::to_string(r.reused_from.value_or(0)) + ")";
  else if (auto it = r.timings.find("total"); it != r.timings.end()) line += text(" ({} s)", static_cast<int>(std::lround(it->second)));
  io_.err << line << "\n";
}

void RunProgress::warning(const std::string& message) {
  std::lock_guard lock(mutex_);
  if (shown_) io_.err << "\r\033[K";
  shown_ = false;
  io_.err << "warning: " << message << "\n";
}

void RunProgress::clear() {
  std::lock_guard lock(mutex_);
  if (shown_) io_.err << "\r\033[K" << std::flush;
  shown_ = false;
}

}  // namespace restorelab
