// `restorelab results merge`: the runs of other stores (shards from several
// machines) copied into one, with ids renumbered and duplicates skipped.
#include <gtest/gtest.h>

#include "harness/store/results_store.h"
#include "tests/harness/store_test_util.h"

namespace restorelab::store {
namespace {

using testing::sample_attempt;
using testing::sample_result;
using testing::sample_run;

class StoreMergeTest : public testing::StoreTest {
 protected:
  // shard.sqlite: run 1 observes "a" (two attempts), run 2 reuses it.
  void make_shard() {
    ResultsStore shard = open("shard.sqlite");
    const std::int64_t first = *shard.begin_run(sample_run("2026-11-25T08:00:00Z", "nightly", "1/2"));
    ASSERT_TRUE(shard.record_attempt(first, "a", sample_attempt(1, "k", "source VM: it did not start")));
    ASSERT_TRUE(shard.record_attempt(first, "a", sample_attempt(2, "k")));
    ResultRecord a = sample_result("a");
    a.attempts = 2;
    ASSERT_TRUE(shard.record_result(first, a));
    ASSERT_TRUE(shard.finish_run(first, RunStatus::Finished, "2026-11-25T08:10:00Z", 600));
    const std::int64_t second = *shard.begin_run(sample_run("2026-11-25T09:00:00Z", "nightly", "1/2"));
    ResultRecord again = sample_result("a");
    again.reused = true;
    again.reused_from = first;
    ASSERT_TRUE(shard.record_result(second, again));
  }
};

TEST_F(StoreMergeTest, RunsResultsAndAttemptsAreCopiedUnderNewIds) {
  make_shard();
  ResultsStore out = open("merged.sqlite");
  const std::int64_t own = *out.begin_run(sample_run("2026-11-24T08:00:00Z"));
  ASSERT_TRUE(out.record_result(own, sample_result("z")));

  auto stats = out.merge_from(path("shard.sqlite"));
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(*stats, (MergeStats{2, 0, 2, 2}));

  auto runs = out.runs();
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 3u);
  const RunRecord& reusing = (*runs)[0];
  const RunRecord& observing = (*runs)[1];
  EXPECT_EQ(observing.id, 2);
  EXPECT_EQ(reusing.id, 3);
  EXPECT_EQ(observing.status, RunStatus::Finished);
  EXPECT_EQ(observing.finished, "2026-11-25T08:10:00Z");
  EXPECT_EQ(observing.info.shard, "1/2");
  EXPECT_EQ(reusing.status, RunStatus::Running);

  auto reused = out.results_of_run(3);
  ASSERT_TRUE(reused);
  ASSERT_EQ(reused->size(), 1u);
  EXPECT_EQ(reused->front().reused_from, 2) << "reused_from follows the renumbered run";
  auto attempts = out.attempts_of(2, "a");
  ASSERT_TRUE(attempts);
  EXPECT_EQ(*attempts, (std::vector<AttemptRecord>{sample_attempt(1, "k", "source VM: it did not start"),
                                                   sample_attempt(2, "k")}));
  auto observation = out.reusable_observation("k");
  ASSERT_TRUE(observation && *observation);
  EXPECT_EQ((*observation)->run_id, 2);
  EXPECT_EQ(out.results_of_run(own)->front().id, "z");
}

TEST_F(StoreMergeTest, MergingTheSameStoreTwiceAddsNothing) {
  make_shard();
  {
    ResultsStore out = open("merged.sqlite");
    ASSERT_TRUE(out.merge_from(path("shard.sqlite")));
    auto again = out.merge_from(path("shard.sqlite"));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(*again, (MergeStats{0, 2, 0, 0}));
    EXPECT_EQ(out.runs()->size(), 2u);
  }
  // A copy of the merged store (closed: its WAL is folded in) brings the
  // same runs: nothing either.
  std::filesystem::copy_file(path("merged.sqlite"), path("copy.sqlite"));
  ResultsStore third = open("third.sqlite");
  ASSERT_TRUE(third.merge_from(path("merged.sqlite")));
  EXPECT_EQ(third.merge_from(path("copy.sqlite"))->runs_added, 0);
  EXPECT_EQ(third.merge_from(path("shard.sqlite"))->runs_added, 0);
}

TEST_F(StoreMergeTest, TheShardsOfACampaignMergeIntoOneCampaign) {
  ResultsStore one = open("one.sqlite");
  const std::int64_t r1 = *one.begin_run(sample_run("2026-11-25T08:00:00Z", "nightly", "1/2"));
  ASSERT_TRUE(one.record_result(r1, sample_result("a")));
  ResultsStore two = open("two.sqlite");
  const std::int64_t r2 = *two.begin_run(sample_run("2026-11-25T08:00:01Z", "nightly", "2/2"));
  ASSERT_TRUE(two.record_result(r2, sample_result("b", Verdict::Disagree)));
  ResultsStore out = open("out.sqlite");
  ASSERT_TRUE(out.merge_from(path("one.sqlite")));
  ASSERT_TRUE(out.merge_from(path("two.sqlite")));
  auto campaign = out.results_of_campaign("nightly");
  ASSERT_TRUE(campaign);
  ASSERT_EQ(campaign->size(), 2u);
  EXPECT_EQ((*campaign)[0].id, "a");
  EXPECT_EQ((*campaign)[1].verdict, Verdict::Disagree);
}

TEST_F(StoreMergeTest, AStoreIsNotMergedIntoItself) {
  make_shard();
  ResultsStore shard = open("shard.sqlite");
  EXPECT_EQ(shard.merge_from(dir_ + "/./shard.sqlite").error(),
            (StoreError{StoreError::Kind::BadInput, path("shard.sqlite") + ": cannot merge the store into itself"}));
  EXPECT_EQ(shard.runs()->size(), 2u);
}

TEST_F(StoreMergeTest, WhatCannotBeOpenedIsNotMerged) {
  ResultsStore out = open("out.sqlite");
  EXPECT_EQ(out.merge_from(path("missing.sqlite")).error(),
            (StoreError{StoreError::Kind::BadInput,
                        path("missing.sqlite") + ": no results store there (the file does not exist)"}));
  testing::raw_sql(path("newer.sqlite"), "PRAGMA application_id = 1380733780; PRAGMA user_version = 9;"
                                         "CREATE TABLE runs (id INTEGER)");
  EXPECT_EQ(out.merge_from(path("newer.sqlite")).error().message,
            path("newer.sqlite") +
                ": the results store has schema version 9, newer than this restorelab knows (1); use a newer restorelab");
}

// A merge that does not fit adds nothing: it is one transaction.
TEST_F(StoreMergeTest, AMergeThatFillsTheDiskAddsNothing) {
  {
    ResultsStore big = open("big.sqlite");
    const std::int64_t run = *big.begin_run(sample_run());
    for (int i = 0; i < 60; ++i) {
      ResultRecord r = sample_result("s-" + std::to_string(i));
      r.json_line = R"({"padding":")" + std::string(2000, 'x') + R"("})";
      ASSERT_TRUE(big.record_result(run, r));
    }
  }
  StoreOptions tiny;
  tiny.max_pages = 30;
  ResultsStore out = open("out.sqlite", tiny);
  const std::int64_t own = *out.begin_run(sample_run());
  ASSERT_TRUE(out.record_result(own, sample_result("mine")));
  auto merged = out.merge_from(path("big.sqlite"));
  ASSERT_FALSE(merged);
  EXPECT_EQ(merged.error().message, path("out.sqlite") + ": the disk is full (merging " + path("big.sqlite") +
                                        "); nothing of it was recorded");
  auto runs = out.runs();
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front().verdicts.total(), 1);
  EXPECT_EQ(testing::integrity(path("out.sqlite")), "ok");
}

}  // namespace
}  // namespace restorelab::store
