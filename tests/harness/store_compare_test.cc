#include "harness/store/store_compare.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/harness/store_test_util.h"

namespace restorelab::store {
namespace {

using nlohmann::json;
using testing::sample_result;

constexpr Verdict kVerdicts[] = {Verdict::Agree, Verdict::Disagree, Verdict::KnownDeviation, Verdict::Flaky,
                                 Verdict::Error};

TEST(StoreCompareTest, EveryChangedFieldIsListedWithBothValues) {
  const auto c = compare({sample_result("a", Verdict::Agree, "boots", 1)},
                         {sample_result("a", Verdict::Disagree, "stop-0x7b", 0)});
  EXPECT_EQ(c.in_both, 1);
  ASSERT_EQ(c.changed.size(), 1u);
  EXPECT_EQ(c.changed[0], (ScenarioChange{"a",
                                          {{"verdict", "agree", "disagree"},
                                           {"outcome", "boots", "stop-0x7b"},
                                           {"cpus_used", 1, nullptr},
                                           {"stop_code", nullptr, "0x0000007B"}},
                                          true}));
  EXPECT_TRUE(c.has_regression());
}

TEST(StoreCompareTest, ProcessorsAloneAreAChangeButNotARegression) {
  const auto c = compare({sample_result("a", Verdict::Disagree, "boots-degraded", 1)},
                         {sample_result("a", Verdict::Disagree, "boots-degraded", 4)});
  ASSERT_EQ(c.changed.size(), 1u);
  EXPECT_EQ(c.changed[0].changes, (std::vector<FieldChange>{{"cpus_used", 1, 4}}));
  EXPECT_FALSE(c.has_regression());
}

// results-format.md: agree or known-deviation in BASE, disagree, flaky or
// error in HEAD. Every pair of verdicts is checked against that list.
TEST(StoreCompareTest, ARegressionIsAGoodVerdictTurnedBad) {
  const std::set<std::pair<Verdict, Verdict>> regressions = {
      {Verdict::Agree, Verdict::Disagree},          {Verdict::Agree, Verdict::Flaky},
      {Verdict::Agree, Verdict::Error},             {Verdict::KnownDeviation, Verdict::Disagree},
      {Verdict::KnownDeviation, Verdict::Flaky},    {Verdict::KnownDeviation, Verdict::Error}};
  for (Verdict before : kVerdicts)
    for (Verdict after : kVerdicts) {
      const auto c = compare({sample_result("a", before)}, {sample_result("a", after)});
      EXPECT_EQ(c.has_regression(), regressions.contains({before, after}))
          << verdict_name(before) << " -> " << verdict_name(after);
      EXPECT_EQ(c.changed.size(), before == after ? 0u : 1u);
    }
}

TEST(StoreCompareTest, ScenariosInOneSetOnlyAreListedApart) {
  const auto c = compare({sample_result("b"), sample_result("a"), sample_result("gone")},
                         {sample_result("new", Verdict::Error), sample_result("a"), sample_result("b")});
  EXPECT_EQ(c.in_both, 2);
  EXPECT_TRUE(c.changed.empty());
  EXPECT_EQ(c.only_in_base, std::vector<std::string>{"gone"});
  EXPECT_EQ(c.only_in_head, std::vector<std::string>{"new"});
  EXPECT_FALSE(c.has_regression()) << "a new scenario's error is not a regression";
}

TEST(StoreCompareTest, ARemediationVerdictChangeIsReported) {
  ResultRecord before = sample_result("a"), after = sample_result("a");
  before.remediation_json = R"({"applied":["update-hal"],"verdict":"fixed"})";
  after.remediation_json = R"({"applied":["update-hal"],"verdict":"not-fixed"})";
  const auto c = compare({before}, {after});
  ASSERT_EQ(c.changed.size(), 1u);
  EXPECT_EQ(c.changed[0].changes, (std::vector<FieldChange>{{"remediation", "fixed", "not-fixed"}}));
  after.remediation_json.reset();
  EXPECT_EQ(compare({before}, {after}).changed[0].changes,
            (std::vector<FieldChange>{{"remediation", "fixed", nullptr}}));
}

TEST(StoreCompareTest, ARemediationThatNoLongerFixesIsARegression) {
  ResultRecord before = sample_result("a"), after = sample_result("a");
  before.remediation_json = R"({"verdict":"fixed"})";
  after.remediation_json = R"({"verdict":"not-fixed"})";
  EXPECT_TRUE(compare({before}, {after}).has_regression());
  EXPECT_FALSE(compare({after}, {before}).has_regression()) << "not-fixed to fixed is an improvement";
  after.remediation_json = R"({"verdict":"error"})";
  EXPECT_TRUE(compare({before}, {after}).has_regression());
}

TEST(StoreCompareTest, NothingObservedOrUnreadableCountsAsNoValues) {
  ResultRecord failed = sample_result("a", Verdict::Error);
  failed.observed_json.reset();
  ResultRecord garbled = sample_result("a", Verdict::Error);
  garbled.observed_json = "{not json";
  EXPECT_TRUE(compare({failed}, {garbled}).changed.empty());
  const auto c = compare({failed}, {sample_result("a", Verdict::Agree, "boots", 2)});
  ASSERT_EQ(c.changed.size(), 1u);
  EXPECT_EQ(c.changed[0].changes, (std::vector<FieldChange>{{"verdict", "error", "agree"},
                                                            {"outcome", nullptr, "boots"},
                                                            {"cpus_used", nullptr, 2}}));
}

Comparison sample_comparison() {
  return compare({sample_result("hal/a", Verdict::Agree, "boots", 1), sample_result("hal/b", Verdict::Disagree),
                  sample_result("hal/c"), sample_result("old")},
                 {sample_result("hal/a", Verdict::Disagree, "stop-0x7b", 0),
                  sample_result("hal/b", Verdict::Agree, "boots", 1), sample_result("hal/c"),
                  sample_result("new")});
}

TEST(StoreCompareTest, TheTextReport) {
  EXPECT_EQ(comparison_text(sample_comparison(), "run 3", "run 5"),
            "run 3 -> run 5: 3 scenarios in both, 2 changed, 1 regression, 1 only in run 3, 1 only in run 5\n"
            "REGRESSION hal/a\n"
            "  verdict:     agree -> disagree\n"
            "  outcome:     boots -> stop-0x7b\n"
            "  cpus_used:   1 -> none\n"
            "  stop_code:   none -> 0x0000007B\n"
            "changed    hal/b\n"
            "  verdict:     disagree -> agree\n"
            "only in run 3: old\n"
            "only in run 5: new\n");
}

TEST(StoreCompareTest, TheJsonReport) {
  const std::string text = comparison_json(sample_comparison(), "run 3", "campaign nightly");
  ASSERT_TRUE(text.ends_with("}\n"));
  EXPECT_EQ(json::parse(text), json::parse(R"({
    "base": "run 3", "head": "campaign nightly", "in_both": 3,
    "changed": [
      {"id": "hal/a", "regression": true, "changes": [
        {"field": "verdict", "base": "agree", "head": "disagree"},
        {"field": "outcome", "base": "boots", "head": "stop-0x7b"},
        {"field": "cpus_used", "base": 1, "head": null},
        {"field": "stop_code", "base": null, "head": "0x0000007B"}]},
      {"id": "hal/b", "regression": false, "changes": [
        {"field": "verdict", "base": "disagree", "head": "agree"}]}],
    "only_in_base": ["old"], "only_in_head": ["new"], "regressions": ["hal/a"]})"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << "one line";
}

}  // namespace
}  // namespace restorelab::store
