#include "harness/machines/process.h"

#include <gtest/gtest.h>

#include <csignal>

namespace restorelab::machines {
namespace {

using namespace std::chrono_literals;

TEST(ProcessTest, StopWhenEndsAChildThatWillNotFinishAndReturnsWhatItPrinted) {
  // `yes` prints without end: only stop_when ends it before the timeout.
  ProcessOptions options{.timeout = 20s};
  options.stop_when = [](std::string_view output) { return output.find("internal error\n") != std::string_view::npos; };
  const auto start = std::chrono::steady_clock::now();
  auto r = run_process({"yes", "internal error"}, options);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->stopped);
  EXPECT_EQ(r->exit_code, 128 + SIGKILL);
  EXPECT_TRUE(r->output.starts_with("internal error\n"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(ProcessTest, AChildThatExitsIsNotStoppedWhenStopWhenSaysNo) {
  ProcessOptions options{.timeout = 20s};
  options.stop_when = [](std::string_view) { return false; };
  auto r = run_process({"echo", "internal error"}, options);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_FALSE(r->stopped);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->output, "internal error\n");
}

}  // namespace
}  // namespace restorelab::machines
