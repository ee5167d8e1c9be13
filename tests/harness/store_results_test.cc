#include "harness/store/results_store.h"

#include <gtest/gtest.h>

#include "tests/harness/store_test_util.h"

namespace restorelab::store {
namespace {

using testing::sample_attempt;
using testing::sample_result;
using testing::sample_run;

class ResultsStoreTest : public testing::StoreTest {};

std::vector<std::string> ids_of(const std::vector<ResultRecord>& results) {
  std::vector<std::string> out;
  for (const auto& r : results) out.push_back(r.id + "@" + std::to_string(r.run_id));
  return out;
}

TEST_F(ResultsStoreTest, ABegunRunReadsBackAsRunning) {
  ResultsStore store = open("results.sqlite");
  auto id = store.begin_run(sample_run());
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(*id, 1);
  auto run = store.run(*id);
  ASSERT_TRUE(run) << run.error().message;
  RunInfo expected = sample_run();
  expected.global_id = run->info.global_id;
  EXPECT_EQ(run->info, expected);
  EXPECT_EQ(run->info.global_id.size(), 36u);
  EXPECT_EQ(run->info.global_id[14], '4');
  EXPECT_EQ(run->status, RunStatus::Running);
  EXPECT_EQ(run->finished, "");
  EXPECT_EQ(run->duration_s, std::nullopt);
  EXPECT_EQ(run->verdicts.total(), 0);
}

TEST_F(ResultsStoreTest, EveryFieldOfAResultReadsBackInRecordingOrder) {
  ResultsStore store = open("results.sqlite");
  const std::int64_t first = *store.begin_run(sample_run());
  const std::int64_t run = *store.begin_run(sample_run("2026-11-25T19:00:00Z"));
  ResultRecord reused = sample_result("hal/zeta", Verdict::KnownDeviation, "stop-0x7b", 0);
  reused.deviation = "guest-checks-controller-first";
  reused.reused = true;
  reused.reused_from = first;
  reused.attempts = 0;
  reused.remediation_json = R"({"applied":["update-hal"],"verdict":"fixed"})";
  ResultRecord failed = sample_result("hal/alpha", Verdict::Error);
  failed.observed_json = std::nullopt;
  failed.axes_json = std::nullopt;
  failed.error = "source VM: it did not start";
  const std::vector<ResultRecord> recorded = {reused, failed, sample_result("hal/mid", Verdict::Flaky)};
  for (const auto& r : recorded) ASSERT_TRUE(store.record_result(run, r));

  auto loaded = store.results_of_run(run);
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 3u);
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    ResultRecord expected = recorded[i];
    expected.run_id = run;
    EXPECT_EQ((*loaded)[i], expected) << recorded[i].id;
  }
}

TEST_F(ResultsStoreTest, FinishingARunRecordsStatusEndAndDuration) {
  ResultsStore store = open("results.sqlite");
  const std::int64_t run = *store.begin_run(sample_run());
  ASSERT_TRUE(store.finish_run(run, RunStatus::Interrupted, "2026-11-25T18:42:10Z", 2530.5));
  auto loaded = store.run(run);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->status, RunStatus::Interrupted);
  EXPECT_EQ(loaded->finished, "2026-11-25T18:42:10Z");
  EXPECT_EQ(loaded->duration_s, 2530.5);
}

TEST_F(ResultsStoreTest, RunsAreListedNewestFirstWithTheirVerdictCounts) {
  ResultsStore store = open("results.sqlite");
  const std::int64_t late = *store.begin_run(sample_run("2026-11-26T08:00:00Z"));
  const std::int64_t early = *store.begin_run(sample_run("2026-11-25T08:00:00Z"));
  const std::int64_t late_too = *store.begin_run(sample_run("2026-11-26T08:00:00Z"));
  ASSERT_TRUE(store.record_result(early, sample_result("a", Verdict::Agree)));
  ASSERT_TRUE(store.record_result(early, sample_result("b", Verdict::Agree)));
  ASSERT_TRUE(store.record_result(early, sample_result("c", Verdict::Flaky)));
  ASSERT_TRUE(store.record_result(late, sample_result("a", Verdict::Error)));

  auto runs = store.runs();
  ASSERT_TRUE(runs) << runs.error().message;
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[0].id, late_too);  // same start: the higher id is newer
  EXPECT_EQ((*runs)[1].id, late);
  EXPECT_EQ((*runs)[2].id, early);
  EXPECT_EQ((*runs)[2].verdicts.of(Verdict::Agree), 2);
  EXPECT_EQ((*runs)[2].verdicts.of(Verdict::Flaky), 1);
  EXPECT_EQ((*runs)[2].verdicts.total(), 3);
  EXPECT_EQ((*runs)[1].verdicts.of(Verdict::Error), 1);
  EXPECT_EQ((*runs)[0].verdicts.total(), 0);
}

TEST_F(ResultsStoreTest, ACampaignIsTheNewestResultOfEveryScenarioOverItsRuns) {
  ResultsStore store = open("results.sqlite");
  const std::int64_t shard1 = *store.begin_run(sample_run("2026-11-25T08:00:00Z", "nightly", "1/2"));
  const std::int64_t shard2 = *store.begin_run(sample_run("2026-11-25T08:00:05Z", "nightly", "2/2"));
  const std::int64_t rerun = *store.begin_run(sample_run("2026-11-25T12:00:00Z", "nightly"));
  const std::int64_t other = *store.begin_run(sample_run("2026-11-26T12:00:00Z", "weekly"));
  ASSERT_TRUE(store.record_result(shard1, sample_result("a", Verdict::Agree)));
  ASSERT_TRUE(store.record_result(shard1, sample_result("c", Verdict::Error)));
  ASSERT_TRUE(store.record_result(shard2, sample_result("b", Verdict::Agree)));
  ASSERT_TRUE(store.record_result(rerun, sample_result("c", Verdict::Agree)));
  ASSERT_TRUE(store.record_result(other, sample_result("a", Verdict::Disagree)));

  auto results = store.results_of_campaign("nightly");
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_EQ(ids_of(*results), (std::vector<std::string>{"a@" + std::to_string(shard1), "b@" + std::to_string(shard2),
                                                        "c@" + std::to_string(rerun)}));
  EXPECT_EQ((*results)[2].verdict, Verdict::Agree);
}

TEST_F(ResultsStoreTest, AnUnknownCampaignIsBadInputWithASuggestion) {
  ResultsStore store = open("results.sqlite");
  ASSERT_TRUE(store.begin_run(sample_run("2026-11-25T08:00:00Z", "nightly")));
  auto results = store.results_of_campaign("nigthly");
  ASSERT_FALSE(results);
  EXPECT_EQ(results.error(),
            (StoreError{StoreError::Kind::BadInput,
                        path("results.sqlite") + ": no run has the campaign label \"nigthly\"; did you mean \"nightly\"?"}));
  EXPECT_EQ(store.results_of_campaign("release-2027").error().message,
            path("results.sqlite") + ": no run has the campaign label \"release-2027\"");
  auto empty = store.results_of_campaign("nightly");
  ASSERT_TRUE(empty) << "a campaign whose runs recorded nothing yet is empty, not unknown";
  EXPECT_TRUE(empty->empty());
}

TEST_F(ResultsStoreTest, AnUnknownRunIsBadInput) {
  ResultsStore store = open("results.sqlite");
  EXPECT_EQ(store.run(3).error(), (StoreError{StoreError::Kind::BadInput,
                                              path("results.sqlite") + ": no run 3 in the store (it holds no runs yet)"}));
  ASSERT_TRUE(store.begin_run(sample_run()));
  ASSERT_TRUE(store.begin_run(sample_run()));
  EXPECT_EQ(store.results_of_run(17).error().message,
            path("results.sqlite") + ": no run 17 in the store (the highest run id is 2)");
  EXPECT_EQ(store.run(17).error().exit_code(), 2);
}

TEST_F(ResultsStoreTest, TheReusableObservationIsTheNewestErrorFreeAttemptWithTheKey) {
  ResultsStore store = open("results.sqlite");
  const std::int64_t old_run = *store.begin_run(sample_run("2026-11-20T08:00:00Z"));
  const std::int64_t new_run = *store.begin_run(sample_run("2026-11-25T08:00:00Z"));
  const std::int64_t newest = *store.begin_run(sample_run("2026-11-26T08:00:00Z"));
  AttemptRecord old_ok = sample_attempt(1, "k1");
  old_ok.evidence = "runs/old/";
  ASSERT_TRUE(store.record_attempt(old_run, "s", old_ok));
  AttemptRecord first = sample_attempt(1, "k1");
  first.observed_json = testing::observed("stop-0x7b", "0x0000007B", 0);
  ASSERT_TRUE(store.record_attempt(new_run, "s", first));
  AttemptRecord second = sample_attempt(2, "k1");
  second.evidence = "runs/new/attempt-2/";
  ASSERT_TRUE(store.record_attempt(new_run, "s", second));
  ASSERT_TRUE(store.record_attempt(newest, "s", sample_attempt(1, "k1", "destination VM: QEMU was killed")));
  ASSERT_TRUE(store.record_attempt(newest, "t", sample_attempt(1, "k2")));

  auto found = store.reusable_observation("k1");
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found,
            (ReusableObservation{new_run, *second.observed_json, "runs/new/attempt-2/", R"({"total":43.0})", "tcg"}));
  auto none = store.reusable_observation("k3");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

// A run records its accelerator when it finishes; a scenario of the same run
// that reuses an observation made earlier in it still says what it ran under.
TEST_F(ResultsStoreTest, AnObservationReusedInItsOwnRunCarriesItsResultsAccelerator) {
  ResultsStore store = open("results.sqlite");
  RunInfo info = sample_run();
  info.accelerator = "";
  const std::int64_t run = *store.begin_run(info);
  ASSERT_TRUE(store.record_attempt(run, "s", sample_attempt(1, "k1")));
  ResultRecord result = sample_result("s");
  result.accelerator = "kvm";
  ASSERT_TRUE(store.record_result(run, result));
  auto found = store.reusable_observation("k1");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->accelerator, "kvm");
}

TEST_F(ResultsStoreTest, AttemptsAreListedByNumber) {
  ResultsStore store = open("results.sqlite");
  const std::int64_t run = *store.begin_run(sample_run());
  ASSERT_TRUE(store.record_attempt(run, "s", sample_attempt(2, "k")));
  ASSERT_TRUE(store.record_attempt(run, "s", sample_attempt(1, "k", "source VM: it did not start")));
  ASSERT_TRUE(store.record_attempt(run, "other", sample_attempt(1, "k")));
  auto attempts = store.attempts_of(run, "s");
  ASSERT_TRUE(attempts);
  EXPECT_EQ(*attempts, (std::vector<AttemptRecord>{sample_attempt(1, "k", "source VM: it did not start"),
                                                   sample_attempt(2, "k")}));
}

TEST_F(ResultsStoreTest, AStoreKeepsEverythingWhenReopened) {
  {
    ResultsStore store = open("results.sqlite");
    const std::int64_t run = *store.begin_run(sample_run());
    ASSERT_TRUE(store.record_result(run, sample_result("a")));
  }
  StoreOptions read_only;
  read_only.access = StoreOptions::Access::ReadOnly;
  ResultsStore again = open("results.sqlite", read_only);
  auto results = again.results_of_run(1);
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ(results->front().json_line, sample_result("a").json_line);
}

// The caller's mistakes, each refused with a message that names the field;
// nothing of a refused record is written.
TEST_F(ResultsStoreTest, MalformedRecordsAreRefusedNamingTheField) {
  ResultsStore store = open("results.sqlite");
  const std::string where = path("results.sqlite") + ": ";
  RunInfo bad_time = sample_run("2026-11-25 18:00");
  EXPECT_EQ(store.begin_run(bad_time).error().message,
            where + "beginning a run: started \"2026-11-25 18:00\" is not a UTC ISO 8601 time such as "
                    "2026-11-25T18:00:00Z");
  EXPECT_EQ(store.begin_run(sample_run("2026-11-25T18:00:00Z", "", "5/4")).error().message,
            where + "beginning a run: shard \"5/4\" is not K/N with 1 <= K <= N, such as 2/4");
  RunInfo bad_argv = sample_run();
  bad_argv.argv_json = "restorelab run";
  EXPECT_EQ(store.begin_run(bad_argv).error().message, where + "beginning a run: argv_json is not a JSON array");
  RunInfo twice = sample_run();
  twice.global_id = "4a3f9c52-0d7e-4b8e-9a55-0c9b2f3a1e77";
  ASSERT_TRUE(store.begin_run(twice));
  EXPECT_EQ(store.begin_run(twice).error().message,
            where + "beginning a run: a run with the global id \"4a3f9c52-0d7e-4b8e-9a55-0c9b2f3a1e77\" is "
                    "already in the store");

  ResultRecord bad_json = sample_result("a");
  bad_json.observed_json = R"({"outcome": "boots")";
  EXPECT_EQ(store.record_result(1, bad_json).error(),
            (StoreError{StoreError::Kind::Failure,
                        where + "recording the result \"a\" of run 1: observed_json is not a JSON object"}));
  ResultRecord bad_differences = sample_result("a");
  bad_differences.differences_json = R"({"outcome":1})";
  EXPECT_EQ(store.record_result(1, bad_differences).error().message,
            where + "recording the result \"a\" of run 1: differences_json is not a JSON array");
  ResultRecord dangling = sample_result("a");
  dangling.reused = true;
  dangling.reused_from = 9;
  EXPECT_EQ(store.record_result(1, dangling).error().message,
            where + "recording the result \"a\" of run 1: reused_from names run 9, which the store does not hold");
  EXPECT_EQ(store.record_result(4, sample_result("a")).error().message,
            where + "recording the result \"a\" of run 4: the store has no run 4");
  ASSERT_TRUE(store.record_result(1, sample_result("a")));
  EXPECT_EQ(store.record_result(1, sample_result("a")).error().message,
            where + "recording the result \"a\" of run 1: the run already has a result with this id (ids are "
                    "unique within a run)");
  EXPECT_EQ(store.record_attempt(1, "a", sample_attempt(0, "k")).error().message,
            where + "recording attempt 0 of \"a\" in run 1: the attempt number 0 is below 1");
  ASSERT_TRUE(store.finish_run(1, RunStatus::Finished, "2026-11-25T18:10:00Z", 600));
  EXPECT_EQ(store.record_result(1, sample_result("b")).error().message,
            where + "recording the result \"b\" of run 1: run 1 is finished, not running");
  EXPECT_EQ(store.finish_run(1, RunStatus::Failed, "2026-11-25T18:10:00Z", 600).error().message,
            where + "finishing run 1: run 1 is finished, not running");
  EXPECT_EQ(store.results_of_run(1)->size(), 1u);
}

TEST_F(ResultsStoreTest, AStoreOpenedReadOnlyRefusesWrites) {
  { open("results.sqlite"); }
  StoreOptions read_only;
  read_only.access = StoreOptions::Access::ReadOnly;
  ResultsStore store = open("results.sqlite", read_only);
  EXPECT_EQ(store.begin_run(sample_run()).error().message,
            path("results.sqlite") + ": beginning a run: the store was opened read-only");
  EXPECT_EQ(store.merge_from(path("other.sqlite")).error().message,
            path("results.sqlite") + ": merging " + path("other.sqlite") + ": the store was opened read-only");
}

TEST(StoreRecordsTest, TimesAreUtcIso8601) {
  using namespace std::chrono;
  const sys_seconds t = sys_days{year{2026} / November / 25} + hours{18} + minutes{4} + seconds{5};
  EXPECT_EQ(utc_iso8601(t + milliseconds{900}), "2026-11-25T18:04:05Z");
  EXPECT_TRUE(is_utc_iso8601("2026-11-25T18:04:05Z"));
  EXPECT_TRUE(is_utc_iso8601("2026-11-25T18:04:05.125Z"));
  EXPECT_FALSE(is_utc_iso8601("2026-11-25T18:04:05+01:00"));
  EXPECT_FALSE(is_utc_iso8601("2026-11-25T18:04:05.Z"));
  EXPECT_FALSE(is_utc_iso8601("2026-11-25"));
}

TEST(StoreRecordsTest, VerdictAndStatusNamesRoundTrip) {
  for (Verdict v : {Verdict::Agree, Verdict::Disagree, Verdict::KnownDeviation, Verdict::Flaky, Verdict::Error})
    EXPECT_EQ(parse_verdict(verdict_name(v)), v);
  EXPECT_EQ(verdict_name(Verdict::KnownDeviation), "known-deviation");
  EXPECT_EQ(parse_verdict("agreed"), std::nullopt);
  EXPECT_EQ(parse_status(status_name(RunStatus::Interrupted)), RunStatus::Interrupted);
}

}  // namespace
}  // namespace restorelab::store
