#include "harness/run/verdict.h"

#include <gtest/gtest.h>

namespace restorelab::run {
namespace {

Prediction predicted(Outcome o, std::optional<int> cpus) {
  Prediction p;
  p.outcome = o;
  p.cpus_used = cpus;
  return p;
}

Observation observed(Outcome o, std::optional<int> cpus) {
  Observation x;
  x.outcome = o;
  x.cpus_used = cpus;
  return x;
}

TEST(VerdictTest, SameOutcomeAndProcessorsAgree) {
  Verdict v = judge(predicted(Outcome::BootsDegraded, 1), observed(Outcome::BootsDegraded, 1));
  EXPECT_EQ(v.kind, Verdict::Kind::Agree);
  EXPECT_TRUE(v.differences.empty());
}

TEST(VerdictTest, StopsAgreeWithoutProcessors) {
  EXPECT_EQ(judge(predicted(Outcome::Stop0x7B, std::nullopt), observed(Outcome::Stop0x7B, std::nullopt)).kind,
            Verdict::Kind::Agree);
}

TEST(VerdictTest, OtherProcessorCountDisagrees) {
  Verdict v = judge(predicted(Outcome::BootsDegraded, 1), observed(Outcome::BootsDegraded, 4));
  EXPECT_EQ(v.kind, Verdict::Kind::Disagree);
  EXPECT_EQ(v.differences, std::vector<std::string>{"cpus_used"});
}

TEST(VerdictTest, BootsWhereAStopWasPredictedDisagreesOnBoth) {
  Verdict v = judge(predicted(Outcome::Stop0x7B, std::nullopt), observed(Outcome::Boots, 1));
  EXPECT_EQ(v.kind, Verdict::Kind::Disagree);
  EXPECT_EQ(v.differences, (std::vector<std::string>{"outcome", "cpus_used"}));
}

TEST(VerdictTest, AFailedRunIsAnErrorWhateverWasPredicted) {
  Observation failed;
  failed.error = "source VM: it did not start";
  Verdict v = judge(predicted(Outcome::Boots, 1), failed);
  EXPECT_EQ(v.kind, Verdict::Kind::Error);
  EXPECT_EQ(v.error, "source VM: it did not start");
}

}  // namespace
}  // namespace restorelab::run
