// ResultsStore::merge_from: the runs of another store, copied in.
#include <algorithm>
#include <map>

#include "harness/store/results_store.h"
#include "harness/store/store_impl.h"
#include "harness/store/store_rows.h"

namespace restorelab::store {

namespace fs = std::filesystem;

namespace {

// A read transaction on the source, so that it is read as one snapshot even
// while a run is writing to it.
class Snapshot {
 public:
  explicit Snapshot(sqlite::Connection& c) : c_(c) {}
  Status begin(std::string_view doing) { return c_.exec("BEGIN", doing); }
  ~Snapshot() { sqlite3_exec(c_.db(), "ROLLBACK", nullptr, nullptr, nullptr); }

 private:
  sqlite::Connection& c_;
};

// Copies every row of `select` (bound to `src_run`) into `insert` via
// `copy`, which binds one row; returns the number copied.
template <class Copy>
Result<int> copy_rows(sqlite::Connection& src, const char* select, std::int64_t src_run, sqlite::Connection& dst,
                      const char* insert, Copy copy, std::string_view doing) {
  auto from = src.prepare(select, doing);
  if (!from) return std::unexpected(from.error());
  auto to = dst.prepare(insert, doing);
  if (!to) return std::unexpected(to.error());
  (*from)->bind(1, src_run);
  int copied = 0, rc;
  while ((rc = (*from)->step()) == SQLITE_ROW) {
    copy(**from, **to);
    if (auto s = dst.run(**to, doing); !s) {
      (*from)->reset();
      return std::unexpected(s.error());
    }
    ++copied;
  }
  (*from)->reset();
  if (rc != SQLITE_DONE) return std::unexpected(src.error(rc, doing));
  return copied;
}

// Copies the runs of `src` that `dst` lacks into `dst`, inside the caller's
// transaction on `dst`.
Result<MergeStats> copy_store(sqlite::Connection& src, sqlite::Connection& dst, const std::string& doing) {
  Snapshot snapshot(src);
  if (auto s = snapshot.begin(doing); !s) return std::unexpected(s.error());

  static const std::string select_runs = rows::kSelectRuns + rows::kRunsGroup;
  auto from = src.prepare(select_runs.c_str(), doing);
  if (!from) return std::unexpected(from.error());
  std::vector<RunRecord> runs;
  int rc;
  while ((rc = (*from)->step()) == SQLITE_ROW) runs.push_back(rows::read_run(**from));
  (*from)->reset();
  if (rc != SQLITE_DONE) return std::unexpected(src.error(rc, doing));
  std::ranges::sort(runs, {}, &RunRecord::id);  // new ids in the source's order

  MergeStats stats;
  std::map<std::int64_t, std::int64_t> new_id;  // source run id -> id here
  std::vector<std::int64_t> added;              // source ids of the runs copied
  for (const RunRecord& run : runs) {
    auto present = dst.prepare("SELECT id FROM runs WHERE global_id = ?1", doing);
    if (!present) return std::unexpected(present.error());
    (*present)->bind(1, run.info.global_id);
    rc = (*present)->step();
    const std::int64_t existing = rc == SQLITE_ROW ? (*present)->integer(0) : 0;
    (*present)->reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(dst.error(rc, doing));
    if (rc == SQLITE_ROW) {
      new_id[run.id] = existing;
      ++stats.runs_already_present;
      continue;
    }
    auto id = rows::insert_run(dst, run, doing);
    if (!id) return std::unexpected(id.error());
    new_id[run.id] = *id;
    added.push_back(run.id);
    ++stats.runs_added;
  }

  static const std::string select_results = rows::kSelectResults + "WHERE s.run_id = ?1 ORDER BY s.seq";
  static const std::string select_attempts =
      rows::kSelectAttempts + "WHERE a.run_id = ?1 ORDER BY a.scenario_id, a.attempt";
  for (const std::int64_t src_run : added) {
    const std::int64_t dst_run = new_id.at(src_run);
    auto results = copy_rows(
        src, select_results.c_str(), src_run, dst, rows::kInsertResult,
        [&](const sqlite::Statement& row, sqlite::Statement& insert) {
          ResultRecord r = rows::read_result(row);
          // A reused_from naming a run the source does not hold (it cannot,
          // but a hand-edited file might) is dropped rather than invented.
          if (r.reused_from) {
            auto it = new_id.find(*r.reused_from);
            r.reused_from = it == new_id.end() ? std::nullopt : std::optional(it->second);
          }
          rows::bind_result(insert, dst_run, r);
        },
        doing);
    if (!results) return std::unexpected(results.error());
    stats.results_added += *results;
    auto attempts = copy_rows(
        src, select_attempts.c_str(), src_run, dst, rows::kInsertAttempt,
        [&](const sqlite::Statement& row, sqlite::Statement& insert) {
          rows::bind_attempt(insert, dst_run, row.text(0), rows::read_attempt(row));
        },
        doing);
    if (!attempts) return std::unexpected(attempts.error());
    stats.attempts_added += *attempts;
  }
  return stats;
}

}  // namespace

Result<MergeStats> ResultsStore::merge_from(const fs::path& other) {
  auto stats = merge_from(std::vector<fs::path>{other});
  if (!stats) return std::unexpected(stats.error());
  return stats->front();
}

Result<std::vector<MergeStats>> ResultsStore::merge_from(const std::vector<fs::path>& others) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Connection& dst = impl_->conn;
  std::string doing = "merging";
  for (std::size_t i = 0; i < others.size(); ++i) doing += (i ? ", " : " ") + others[i].string();
  if (auto refused = impl_->refuse_read_only(doing)) return std::unexpected(*refused);
  // Every source is opened (and so checked: a store, not damaged, not this
  // one) before anything is written.
  std::vector<ResultsStore> sources;
  for (const fs::path& other : others) {
    std::error_code ec;
    if (fs::equivalent(impl_->path, other, ec))
      return std::unexpected(dst.make_error(StoreError::Kind::BadInput, "cannot merge the store into itself"));
    StoreOptions read_only;
    read_only.access = StoreOptions::Access::ReadOnly;
    read_only.busy_timeout = impl_->options.busy_timeout;
    auto source = ResultsStore::open(other, read_only);
    if (!source) return std::unexpected(source.error());
    sources.push_back(std::move(*source));
  }
  auto tx = sqlite::Transaction::begin(dst, doing);
  if (!tx) return std::unexpected(tx.error());
  std::vector<MergeStats> stats;
  for (std::size_t i = 0; i < others.size(); ++i) {
    auto one = copy_store(sources[i].impl_->conn, dst, "merging " + others[i].string());
    if (!one) return std::unexpected(one.error());
    stats.push_back(*one);
  }
  if (auto s = tx->commit(impl_->options.before_commit, doing); !s) return std::unexpected(s.error());
  return stats;
}

}  // namespace restorelab::store
