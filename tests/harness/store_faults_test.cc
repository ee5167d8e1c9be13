// The results store's faults: each one an error value with its exact text and
// kind, and a store that is still whole afterwards.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "harness/store/results_store.h"
#include "tests/harness/store_test_util.h"
#include "tests/support/fifo.h"

namespace restorelab::store {
namespace {

using testing::sample_result;
using testing::sample_run;
using Kind = StoreError::Kind;

class StoreFaultTest : public testing::StoreTest {
 protected:
  StoreError open_error(const std::string& p, StoreOptions::Access access = StoreOptions::Access::ReadWrite) {
    StoreOptions options;
    options.access = access;
    auto store = ResultsStore::open(p, options);
    EXPECT_FALSE(store) << p << " opened";
    return store ? StoreError{} : store.error();
  }
  void write_file(const std::string& p, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
};

TEST_F(StoreFaultTest, AFileThatIsNotSqliteIsNotAStore) {
  const std::string p = path("runs/results.sqlite");
  write_file(p, "scenario,verdict\nxp-ide-to-sata,agree\n");
  EXPECT_EQ(open_error(p), (StoreError{Kind::BadInput, p + ": not a restorelab results store (not an SQLite database)"}));
  EXPECT_EQ(open_error(p, StoreOptions::Access::ReadOnly).message,
            p + ": not a restorelab results store (not an SQLite database)");
  std::ifstream in(p);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "scenario,verdict\nxp-ide-to-sata,agree\n")
      << "the file was changed";
}

TEST_F(StoreFaultTest, AnotherProgramsDatabaseIsNotAStore) {
  const std::string p = path("other.sqlite");
  testing::raw_sql(p, "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)");
  EXPECT_EQ(open_error(p), (StoreError{Kind::BadInput,
                                       p + ": not a restorelab results store (an SQLite database of another program)"}));
}

TEST_F(StoreFaultTest, AnEmptyFileBecomesAStoreButIsNoStoreToRead) {
  const std::string p = path("empty.sqlite");
  write_file(p, "");
  EXPECT_EQ(open_error(p, StoreOptions::Access::ReadOnly),
            (StoreError{Kind::BadInput, p + ": not a restorelab results store (an empty database)"}));
  auto store = ResultsStore::open(p);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_TRUE(store->begin_run(sample_run()));
}

TEST_F(StoreFaultTest, ANewerSchemaIsRefused) {
  const std::string p = path("results.sqlite");
  { open("results.sqlite"); }
  testing::raw_sql(p, "PRAGMA user_version = 2");
  const std::string message =
      p + ": the results store has schema version 2, newer than this restorelab knows (1); use a newer restorelab";
  EXPECT_EQ(open_error(p), (StoreError{Kind::BadInput, message}));
  EXPECT_EQ(open_error(p, StoreOptions::Access::ReadOnly).message, message);
}

TEST_F(StoreFaultTest, AnOlderSchemaIsUpgradedWhenOpenedForWriting) {
  const std::string p = path("results.sqlite");
  testing::raw_sql(p, "PRAGMA application_id = 1380733780");  // "RLST", schema version 0
  EXPECT_EQ(open_error(p, StoreOptions::Access::ReadOnly),
            (StoreError{Kind::BadInput, p + ": the results store has schema version 0, older than this "
                                            "restorelab's (1); open it for writing once to upgrade it"}));
  ResultsStore store = open("results.sqlite");
  EXPECT_TRUE(store.begin_run(sample_run()));
}

TEST_F(StoreFaultTest, PathsThatCannotHoldAStore) {
  const std::string missing = path("no-such-folder/results.sqlite");
  EXPECT_EQ(open_error(missing),
            (StoreError{Kind::BadInput, missing + ": cannot create the results store: the folder " +
                                            path("no-such-folder") + " does not exist"}));
  write_file(path("plain-file"), "x");
  EXPECT_EQ(open_error(path("plain-file/results.sqlite")).message,
            path("plain-file/results.sqlite") + ": cannot create the results store: " + path("plain-file") +
                " is not a folder");
  EXPECT_EQ(open_error(dir_).message, dir_ + ": a folder, not a results store");
  // /sys refuses new files even to root: EACCES, or EROFS where it is
  // mounted read-only.
  errno = 0;
  ASSERT_EQ(::open("/sys/results.sqlite", O_RDWR | O_CREAT | O_EXCL, 0644), -1);
  const std::string reason = std::strerror(errno);
  EXPECT_EQ(open_error("/sys/results.sqlite"),
            (StoreError{Kind::BadInput, "/sys/results.sqlite: cannot create the results store: the folder /sys is "
                                        "not writable (" + reason + ")"}));
}

TEST_F(StoreFaultTest, OpeningAMissingStoreReadOnlyCreatesNothing) {
  const std::string p = path("runs/results.sqlite");
  EXPECT_EQ(open_error(p, StoreOptions::Access::ReadOnly),
            (StoreError{Kind::BadInput, p + ": no results store there (the file does not exist)"}));
  EXPECT_FALSE(std::filesystem::exists(p));
}

// Only a regular file is opened: SQLite would wait for ever on a FIFO, and
// read a device as a file.
TEST_F(StoreFaultTest, AFifoOrADeviceIsNoStoreAndNothingWaits) {
  ::restorelab::testing::UnblockedFifo fifo(path("fifo.sqlite"));
  ASSERT_TRUE(fifo.made());
  const StoreError refused{Kind::BadInput, fifo.path() + ": not a restorelab results store (a FIFO, not a regular file)"};
  EXPECT_EQ(open_error(fifo.path(), StoreOptions::Access::ReadOnly), refused);
  EXPECT_EQ(open_error(fifo.path()), refused);
  std::filesystem::create_symlink("/dev/zero", path("zero.sqlite"));
  EXPECT_EQ(open_error(path("zero.sqlite"), StoreOptions::Access::ReadOnly),
            (StoreError{Kind::BadInput,
                        path("zero.sqlite") + ": not a restorelab results store (a character device, not a regular file)"}));
}

// A store of ours whose schema is not what restorelab made would make every
// query do what the file says (a view that recurses for ever hangs `results
// runs`): it is a damaged store, refused when opened.
TEST_F(StoreFaultTest, ASchemaRestorelabDidNotMakeIsADamagedStore) {
  const std::string p = path("results.sqlite");
  auto damaged_by = [&](const std::string& sql) {
    std::filesystem::remove(p);
    { open("results.sqlite"); }
    testing::raw_sql(p, sql);
    const StoreError read = open_error(p, StoreOptions::Access::ReadOnly);
    EXPECT_EQ(open_error(p), read) << "written or read, the same refusal";
    EXPECT_EQ(read.exit_code(), 2);
    return read;
  };
  const std::string prefix = p + ": the results store is damaged: ";
  EXPECT_EQ(damaged_by("PRAGMA foreign_keys = OFF; DROP TABLE runs; CREATE VIEW runs AS WITH RECURSIVE n(id) AS "
                       "(SELECT 1 UNION ALL SELECT id + 1 FROM n) SELECT id FROM n"),
            (StoreError{Kind::BadInput, prefix + "\"runs\" is a view, not the table restorelab makes"}));
  EXPECT_EQ(damaged_by("CREATE TRIGGER forever AFTER INSERT ON runs BEGIN SELECT 1; END"),
            (StoreError{Kind::BadInput, prefix + "it holds a trigger \"forever\" that restorelab does not make"}));
  EXPECT_EQ(damaged_by("ALTER TABLE runs ADD COLUMN extra TEXT"),
            (StoreError{Kind::BadInput, prefix + "its table \"runs\" is not as restorelab made it"}));
  EXPECT_EQ(damaged_by("DROP INDEX results_by_scenario"),
            (StoreError{Kind::BadInput, prefix + "it has no index \"results_by_scenario\""}));
  std::filesystem::remove(p);
  { open("results.sqlite"); }
  testing::raw_sql(p, "ANALYZE");
  StoreOptions read_only;
  read_only.access = StoreOptions::Access::ReadOnly;
  EXPECT_TRUE(ResultsStore::open(p, read_only)) << "ANALYZE's statistics are data, not schema";
}

TEST_F(StoreFaultTest, ANegativeSchemaVersionIsADamagedStore) {
  const std::string p = path("results.sqlite");
  { open("results.sqlite"); }
  testing::raw_sql(p, "PRAGMA user_version = -1");
  const StoreError damaged{Kind::BadInput,
                           p + ": the results store is damaged: its schema version is -1, which no restorelab writes"};
  EXPECT_EQ(open_error(p), damaged);
  EXPECT_EQ(open_error(p, StoreOptions::Access::ReadOnly), damaged);
}

// A truncated store is damaged: bad input (exit 2), as README.md and every
// command's --help say, whichever call finds it.
TEST_F(StoreFaultTest, ATruncatedStoreIsBadInput) {
  const std::string p = path("results.sqlite");
  {
    ResultsStore store = open("results.sqlite");
    const std::int64_t run = *store.begin_run(sample_run());
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(store.record_result(run, sample_result("s-" + std::to_string(i))));
    ASSERT_TRUE(store.finish_run(run, RunStatus::Finished, "2026-11-25T18:30:00Z", 1800));
  }
  testing::raw_sql(p, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE");
  std::filesystem::resize_file(p, std::filesystem::file_size(p) / 2);
  StoreOptions read_only;
  read_only.access = StoreOptions::Access::ReadOnly;
  auto store = ResultsStore::open(p, read_only);
  StoreError e = store ? StoreError{} : store.error();
  if (store) {
    auto results = store->results_of_run(1);
    ASSERT_FALSE(results) << "half a store read whole";
    e = results.error();
  }
  EXPECT_EQ(e.kind, Kind::BadInput) << e.message;
  EXPECT_TRUE(e.message.starts_with(p + ": the results store is damaged (")) << e.message;
}

// Run ids are never reused and end at 2^63-1, where SQLite says "database
// or disk is full": the message names the cause and the way out.
TEST_F(StoreFaultTest, UsedUpRunIdsAreNotAFullDisk) {
  const std::string p = path("results.sqlite");
  {
    ResultsStore store = open("results.sqlite");
    ASSERT_TRUE(store.begin_run(sample_run()));
  }
  testing::raw_sql(p, "UPDATE runs SET id = 9223372036854775807");
  ResultsStore store = open("results.sqlite");
  auto begun = store.begin_run(sample_run("2026-11-25T19:00:00Z"));
  ASSERT_FALSE(begun);
  EXPECT_EQ(begun.error(),
            (StoreError{Kind::BadInput, p + ": the store has used every run id (the last is 9223372036854775807, and "
                                            "ids are never reused) (beginning a run); nothing of it was recorded: "
                                            "merge it into a new store, which numbers the runs from 1 (restorelab "
                                            "results merge --db NEW " + p + ")"}));
  EXPECT_EQ(store.runs()->size(), 1u);
  ResultsStore fresh = open("fresh.sqlite");
  ASSERT_TRUE(fresh.merge_from(p));
  EXPECT_EQ(fresh.runs()->front().id, 1);
}

// A full disk: the result that did not fit is absent as a whole, every one
// before it is there, and the file is sound and readable afterwards.
TEST_F(StoreFaultTest, AFullDiskRollsBackTheResultAndLeavesTheStoreReadable) {
  const std::string p = path("results.sqlite");
  StoreOptions tiny;
  tiny.max_pages = 40;  // 160 KiB
  ResultsStore store = open("results.sqlite", tiny);
  const std::int64_t run = *store.begin_run(sample_run());
  int recorded = 0;
  Status status;
  std::string failed_id;
  for (int i = 0; i < 1000 && status; ++i) {
    ResultRecord r = sample_result("s-" + std::to_string(i));
    r.json_line = R"({"padding":")" + std::string(1500, 'x') + R"("})";
    status = store.record_result(run, r);
    if (status) ++recorded;
    else failed_id = r.id;
  }
  ASSERT_FALSE(status) << "the limit was never reached";
  EXPECT_EQ(status.error(), (StoreError{Kind::Failure, p + ": the disk is full (recording the result \"" + failed_id +
                                                           "\" of run 1); nothing of it was recorded"}));
  EXPECT_EQ(status.error().exit_code(), 3);
  EXPECT_GT(recorded, 10);
  auto results = store.results_of_run(run);
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_EQ(static_cast<int>(results->size()), recorded);
  EXPECT_EQ(results->back().id, "s-" + std::to_string(recorded - 1));
  EXPECT_EQ(store.runs()->front().verdicts.total(), recorded);

  ResultsStore reopened = open("results.sqlite");  // no limit: the run goes on
  EXPECT_TRUE(reopened.record_result(run, sample_result(failed_id)));
  EXPECT_EQ(testing::integrity(p), "ok");
}

// Another writer holds the lock for longer than the busy timeout: the write
// fails with a message that says so, and the holder's write is unharmed.
TEST_F(StoreFaultTest, AWriterThatCannotGetTheLockSaysSo) {
  const std::string p = path("results.sqlite");
  StoreOptions impatient;
  impatient.busy_timeout = std::chrono::milliseconds(100);
  ResultsStore second = open("results.sqlite", impatient);
  const std::int64_t run = *second.begin_run(sample_run());
  Status refused;
  StoreOptions holder;
  holder.before_commit = [&] { refused = second.record_result(run, sample_result("b")); };
  ResultsStore first = open("results.sqlite", holder);
  ASSERT_TRUE(first.record_result(run, sample_result("a")));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(),
            (StoreError{Kind::Failure, p + ": another process is writing to the store and held its lock for more "
                                           "than 0.1 s (recording the result \"b\" of run 1); try again when it has "
                                           "finished"}));
  EXPECT_TRUE(second.record_result(run, sample_result("b"))) << "the lock is free again";
  EXPECT_EQ(second.results_of_run(run)->size(), 2u);
}

}  // namespace
}  // namespace restorelab::store
