// The seed corpora of fuzz_store and fuzz_kept (tests/fuzz/corpus/store/,
// corpus/kept/) are what the code reads: every store seed opens read-only
// and lists its runs, and kept.json reads back as a record. The store seeds
// are made by the store itself from synthetic runs: after a schema change,
// RESTORELAB_REGENERATE_FUZZ_SEEDS=1 rewrites them before the check.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "harness/run/kept_runs.h"
#include "harness/store/results_store.h"
#include "rules/rulebook.h"
#include "rules/source_dir.h"
#include "rules/toml_source.h"
#include "tests/support/synthetic_results.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;

const fs::path kStoreSeeds = restorelab::source_path("/tests/fuzz/corpus/store");

/// Writes `runs` into a new store at `path`, then makes it one small file
/// (no WAL, 1 KiB pages) that the fuzz target can mutate as a whole.
void make_seed(const fs::path& path, const std::vector<testing::SyntheticRun>& runs) {
  auto book = load_rulebook_file(DiskReader{}, restorelab::source_path("/rules/kb249694.toml"));
  ASSERT_TRUE(book);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
  {
    auto s = store::ResultsStore::open(path);
    ASSERT_TRUE(s) << s.error().message;
    for (const testing::SyntheticRun& run : runs) {
      std::string error;
      ASSERT_NE(testing::record_synthetic_run(*s, *book, run, error), 0) << error;
    }
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "PRAGMA journal_mode = DELETE; PRAGMA page_size = 1024; VACUUM", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
}

TEST(FuzzCorpusTest, EveryStoreSeedIsAStoreWithRuns) {
  if (std::getenv("RESTORELAB_REGENERATE_FUZZ_SEEDS")) {
    make_seed(kStoreSeeds / "one-run.sqlite", {testing::synthetic(3)});
    make_seed(kStoreSeeds / "campaign-shards.sqlite",
              {testing::synthetic(2, 2, 0, "nightly", "1/2"), testing::synthetic(2, 0, 2, "nightly", "2/2")});
  }
  std::size_t seeds = 0;
  for (const auto& entry : fs::directory_iterator(kStoreSeeds)) {
    store::StoreOptions read_only;
    read_only.access = store::StoreOptions::Access::ReadOnly;
    auto s = store::ResultsStore::open(entry.path(), read_only);
    ASSERT_TRUE(s) << s.error().message;
    auto runs = s->runs();
    ASSERT_TRUE(runs) << runs.error().message;
    EXPECT_FALSE(runs->empty()) << entry.path();
    EXPECT_FALSE(fs::exists(entry.path().string() + "-wal")) << "a seed is one file";
    ++seeds;
  }
  EXPECT_GE(seeds, 2u);
}

TEST(FuzzCorpusTest, TheKeptSeedReadsBack) {
  const fs::path work = fs::temp_directory_path() / ("restorelab-kept-seed-" + std::to_string(::getpid()));
  const fs::path folder = work / "2026-12-02T03-00-00";
  fs::create_directories(folder);
  fs::copy_file(restorelab::source_path("/tests/fuzz/corpus/kept/kept.json"), folder / "kept.json");
  auto read = run::read_kept(folder);
  fs::remove_all(work);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->scenarios.size(), 2u);
}

}  // namespace
}  // namespace restorelab
