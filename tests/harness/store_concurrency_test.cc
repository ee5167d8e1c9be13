// Readers and writers of one store at once: connections, threads, processes,
// and a writer killed in the middle of a transaction.
#include <gtest/gtest.h>

#include <thread>

#include "harness/store/results_store.h"
#include "tests/harness/store_test_util.h"

namespace restorelab::store {
namespace {

using testing::fork_child;
using testing::sample_result;
using testing::sample_run;
using testing::wait_exit;

class StoreConcurrencyTest : public testing::StoreTest {
 protected:
  /// A fresh store at results.sqlite with one running run; closed again.
  std::int64_t store_with_a_run() {
    ResultsStore store = open("results.sqlite");
    return store.begin_run(sample_run()).value();
  }
};

// Opens the store in a child process and records `count` results into `run`
// (or a new run when 0); exits 0 when all went well, 1 otherwise.
void record_in_child(const std::string& p, std::int64_t run, int count, const std::string& prefix) {
  auto store = ResultsStore::open(p);
  if (!store) _exit(1);
  if (run == 0) {
    auto id = store->begin_run(sample_run());
    if (!id) _exit(1);
    run = *id;
  }
  for (int i = 0; i < count; ++i)
    if (!store->record_result(run, sample_result(prefix + std::to_string(i)))) _exit(1);
  if (!store->finish_run(run, RunStatus::Finished, "2026-11-25T19:00:00Z", 1.0)) _exit(1);
  _exit(0);
}

TEST_F(StoreConcurrencyTest, AReaderSeesTheLastCommitWhileAWriterIsMidTransaction) {
  const std::int64_t run = store_with_a_run();
  StoreOptions read_only;
  read_only.access = StoreOptions::Access::ReadOnly;
  ResultsStore reader = open("results.sqlite", read_only);
  std::optional<std::size_t> seen_mid_write;
  StoreOptions hooked;
  hooked.before_commit = [&] {
    auto results = reader.results_of_run(run);
    if (results) seen_mid_write = results->size();
  };
  ResultsStore writer = open("results.sqlite", hooked);
  ASSERT_TRUE(writer.record_result(run, sample_result("a")));
  ASSERT_TRUE(writer.record_result(run, sample_result("b")));
  EXPECT_EQ(seen_mid_write, 1u) << "the reader neither waited nor saw the open transaction";
  EXPECT_EQ(reader.results_of_run(run)->size(), 2u);
}

TEST_F(StoreConcurrencyTest, TwoProcessesRunningOnOneStoreBothComplete) {
  { open("results.sqlite"); }
  const std::string p = path("results.sqlite");
  const pid_t one = fork_child([&] { record_in_child(p, 0, 60, "one-"); });
  const pid_t two = fork_child([&] { record_in_child(p, 0, 60, "two-"); });
  EXPECT_EQ(wait_exit(one), 0);
  EXPECT_EQ(wait_exit(two), 0);
  ResultsStore store = open("results.sqlite");
  auto runs = store.runs();
  ASSERT_TRUE(runs) << runs.error().message;
  ASSERT_EQ(runs->size(), 2u);
  for (const RunRecord& r : *runs) {
    EXPECT_EQ(r.status, RunStatus::Finished);
    EXPECT_EQ(r.verdicts.total(), 60);
  }
  EXPECT_EQ(testing::integrity(p), "ok");
}

TEST_F(StoreConcurrencyTest, AReaderProcessNeverWaitsNorSeesHalfAResult) {
  const std::int64_t run = store_with_a_run();
  const std::string p = path("results.sqlite");
  StoreOptions read_only;
  read_only.access = StoreOptions::Access::ReadOnly;
  ResultsStore reader = open("results.sqlite", read_only);
  const pid_t writer = fork_child([&] { record_in_child(p, run, 200, "s-"); });
  std::size_t last = 0;
  int reads = 0, status = 0;
  bool writer_done = false;
  while (!writer_done) {
    writer_done = waitpid(writer, &status, WNOHANG) == writer;  // then one last read
    auto results = reader.results_of_run(run);
    ASSERT_TRUE(results) << results.error().message;
    ASSERT_GE(results->size(), last) << "results went missing";
    for (std::size_t i = 0; i < results->size(); ++i) {
      ResultRecord expected = sample_result("s-" + std::to_string(i));
      expected.run_id = run;
      ASSERT_EQ((*results)[i], expected) << "result " << i;
    }
    last = results->size();
    ++reads;
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(last, 200u);
  EXPECT_GT(reads, 2);
}

// The child begins a run, records 3 results and dies inside the 4th
// result's transaction: the parent finds exactly 3, and a sound file.
TEST_F(StoreConcurrencyTest, AKilledWriterLosesOnlyItsOpenTransaction) {
  const std::string p = path("results.sqlite");
  const pid_t child = fork_child([&] {
    int commits = 0;
    StoreOptions dies;
    dies.before_commit = [&] {
      if (++commits == 5) _exit(7);  // begin_run, 3 results, then the 4th
    };
    auto store = ResultsStore::open(p, dies);
    if (!store) _exit(1);
    const std::int64_t run = store->begin_run(sample_run()).value_or(0);
    for (int i = 0; i < 4; ++i)
      if (!store->record_result(run, sample_result("s-" + std::to_string(i)))) _exit(1);
    _exit(0);
  });
  ASSERT_EQ(wait_exit(child), 7);
  StoreOptions read_only;
  read_only.access = StoreOptions::Access::ReadOnly;
  ResultsStore store = open("results.sqlite", read_only);
  auto results = store.results_of_run(1);
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_EQ(results->size(), 3u);
  EXPECT_EQ(results->back().id, "s-2");
  EXPECT_EQ(store.run(1)->status, RunStatus::Running);
  EXPECT_EQ(testing::integrity(p), "ok");
}

TEST_F(StoreConcurrencyTest, ThreadsMayShareOneStore) {
  ResultsStore store = open("results.sqlite");
  const std::int64_t run = *store.begin_run(sample_run());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (!store.record_result(run, sample_result(std::to_string(t) + "-" + std::to_string(i)))) ++failures;
        if (!store.runs()) ++failures;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(store.results_of_run(run)->size(), 100u);
}

}  // namespace
}  // namespace restorelab::store
