#include "harness/store/results_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "harness/output/input_file.h"
#include "harness/output/input_files.h"
#include "harness/store/store_impl.h"
#include "harness/store/store_rows.h"
#include "harness/store/store_schema.h"
#include "rules/edit_distance.h"

namespace restorelab::store {

namespace fs = std::filesystem;
using Kind = StoreError::Kind;

namespace {

constexpr std::string_view kSqliteHeader{"SQLite format 3\0", 16};

StoreError bad_input(const fs::path& path, std::string_view what) {
  return StoreError{Kind::BadInput, path.string() + ": " + std::string(what)};
}

fs::path folder_of(const fs::path& path) { return path.has_parent_path() ? path.parent_path() : fs::path("."); }

// What can be said about `path` before SQLite opens it, or nullopt. Only a
// regular file (or a symlink to one) is opened: SQLite would block for ever
// opening a FIFO and read a device as if it were a file.
std::optional<StoreError> check_path(const fs::path& path, bool writable) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (fs::is_directory(st)) return bad_input(path, "a folder, not a results store");
  if (fs::exists(st)) {
    auto header = read_file_start(path, kSqliteHeader.size());
    if (!header) {
      // An unreadable regular file is left to SQLite's own message.
      if (fs::is_regular_file(st)) return std::nullopt;
      struct stat raw{};
      const std::string kind = ::stat(path.c_str(), &raw) == 0 ? file_kind(raw.st_mode) : "not a file";
      return bad_input(path, "not a restorelab results store (" + kind + ", not a regular file)");
    }
    // An empty file is an empty database to SQLite.
    if (!header->empty() && *header != kSqliteHeader)
      return bad_input(path, "not a restorelab results store (not an SQLite database)");
    return std::nullopt;
  }
  if (!writable) return bad_input(path, "no results store there (the file does not exist)");
  const fs::path folder = folder_of(path);
  const fs::file_status fst = fs::status(folder, ec);
  if (!fs::exists(fst))
    return bad_input(path, "cannot create the results store: the folder " + folder.string() + " does not exist");
  if (!fs::is_directory(fst))
    return bad_input(path, "cannot create the results store: " + folder.string() + " is not a folder");
  return std::nullopt;
}

// Creates the missing file of a new store (SQLite then takes an empty file
// for a new database), so that a refusal names the real reason: SQLite
// retries read-only and reports that attempt's errno instead.
std::optional<StoreError> create_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ::close(fd);
    return std::nullopt;
  }
  const int e = errno;
  if (e == EEXIST) return std::nullopt;  // another process was quicker
  if (e == EACCES || e == EPERM || e == EROFS)
    return bad_input(path, "cannot create the results store: the folder " + folder_of(path).string() +
                               " is not writable (" + std::strerror(e) + ")");
  return bad_input(path, std::string("cannot create the results store: ") + std::strerror(e));
}

// True when nothing this process does can change the store at `path`: its
// folder is not writable by us (a read-only mount, another user's folder),
// and no write-ahead log is waiting there to be read. Then the store is
// opened immutable: SQLite needs no -shm file (which it could not create)
// and takes no locks.
bool cannot_change(const fs::path& path) {
  if (::access(folder_of(path).c_str(), W_OK) == 0) return false;
  std::error_code ec;
  const fs::path wal = path.string() + "-wal";
  return !fs::exists(wal, ec) || fs::file_size(wal, ec) == 0;
}

// `path` as an SQLite URI (file:PATH?mode=ro&immutable=1), every byte
// outside the unreserved set and '/' percent-encoded.
std::string immutable_uri(const fs::path& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file:";
  for (char c : path.string()) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      uri += c;
    } else {
      uri += '%';
      uri += kHex[u >> 4];
      uri += kHex[u & 15];
    }
  }
  return uri + "?mode=ro&immutable=1";
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string result_doing(std::int64_t run_id, std::string_view id) {
  return "recording the result " + in_quotes(id) + " of run " + std::to_string(run_id);
}

// A run that may take results: it exists and is running.
Status check_running(sqlite::Connection& c, std::int64_t run_id, std::string_view doing) {
  auto s = c.prepare("SELECT status FROM runs WHERE id = ?1", doing);
  if (!s) return std::unexpected(s.error());
  (*s)->bind(1, run_id);
  const int rc = (*s)->step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(c.error(rc, doing));
  const std::string status = rc == SQLITE_ROW ? (*s)->text(0) : std::string();
  (*s)->reset();
  if (rc == SQLITE_DONE)
    return std::unexpected(c.make_error(Kind::Failure, std::string(doing) + ": the store has no run " +
                                                           std::to_string(run_id)));
  if (status != status_name(RunStatus::Running))
    return std::unexpected(c.make_error(Kind::Failure, std::string(doing) + ": run " + std::to_string(run_id) +
                                                           " is " + status + ", not running"));
  return {};
}

// True when `sql` with `bind` finds a row.
template <class Bind>
Result<bool> exists(sqlite::Connection& c, const char* sql, Bind bind, std::string_view doing) {
  auto s = c.prepare(sql, doing);
  if (!s) return std::unexpected(s.error());
  bind(**s);
  const int rc = (*s)->step();
  (*s)->reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(c.error(rc, doing));
  return rc == SQLITE_ROW;
}

// Every row of `sql` (after `bind`) read with `read`.
template <class Record, class Bind, class Read>
Result<std::vector<Record>> select_all(sqlite::Connection& c, const char* sql, Bind bind, Read read,
                                       std::string_view doing) {
  auto s = c.prepare(sql, doing);
  if (!s) return std::unexpected(s.error());
  bind(**s);
  std::vector<Record> out;
  int rc;
  while ((rc = (*s)->step()) == SQLITE_ROW) out.push_back(read(**s));
  (*s)->reset();
  if (rc != SQLITE_DONE) return std::unexpected(c.error(rc, doing));
  return out;
}

}  // namespace

ResultsStore::ResultsStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultsStore::ResultsStore(ResultsStore&&) noexcept = default;
ResultsStore& ResultsStore::operator=(ResultsStore&&) noexcept = default;
ResultsStore::~ResultsStore() = default;

const fs::path& ResultsStore::path() const { return impl_->path; }

Result<ResultsStore> ResultsStore::open(const fs::path& path, const StoreOptions& options) {
  const bool writable = options.access == StoreOptions::Access::ReadWrite;
  if (auto refused = check_path(path, writable)) return std::unexpected(*refused);
  if (writable && !fs::exists(path))
    if (auto refused = create_file(path)) return std::unexpected(*refused);
  // An output of this command never replaces the store (input_files.h).
  for (const char* suffix : {"", "-wal", "-shm"}) note_input(path.string() + suffix);
  sqlite3* raw = nullptr;
  // NOMUTEX: Impl::mutex serialises every use of the connection.
  const int flags = (writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
                    SQLITE_OPEN_NOMUTEX;
  const bool immutable = !writable && cannot_change(path);
  const int rc = immutable ? sqlite3_open_v2(immutable_uri(path).c_str(), &raw, flags | SQLITE_OPEN_URI, nullptr)
                           : sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  sqlite::Connection conn(sqlite::DbHandle(raw), path.string(), options.busy_timeout);
  if ((rc & 0xff) == SQLITE_CANTOPEN) {
    const int e = sqlite3_system_errno(raw);
    return std::unexpected(bad_input(path, std::string("cannot open the results store: ") +
                                               (e != 0 ? std::strerror(e) : "unknown reason")));
  }
  if (rc != SQLITE_OK) return std::unexpected(conn.error(rc, "opening the store"));
  sqlite3_extended_result_codes(raw, 1);
  // No statement may change the schema by hand (writable_schema and the
  // like). What the file's schema runs is checked by prepare_schema: only
  // what the migrations make (TRUSTED_SCHEMA cannot be turned off: SQLite
  // 3.40 then refuses json_valid() in the tables' own CHECKs).
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));
  if (options.max_pages > 0) {
    const std::string limit = "PRAGMA max_page_count = " + std::to_string(options.max_pages);
    if (auto s = conn.exec(limit.c_str(), "limiting the store's size"); !s) return std::unexpected(s.error());
  }
  if (auto s = prepare_schema(conn, writable); !s) return std::unexpected(s.error());
  return ResultsStore(std::make_unique<Impl>(path, options, std::move(conn)));
}

Result<std::int64_t> ResultsStore::begin_run(const RunInfo& info) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Connection& c = impl_->conn;
  constexpr std::string_view doing = "beginning a run";
  if (auto refused = impl_->refuse_read_only(doing)) return std::unexpected(*refused);
  RunRecord run;
  run.info = info;
  if (run.info.global_id.empty()) run.info.global_id = rows::random_global_id();
  if (auto problem = rows::check_run(run.info))
    return std::unexpected(c.make_error(Kind::Failure, std::string(doing) + ": " + *problem));
  auto tx = sqlite::Transaction::begin(c, doing);
  if (!tx) return std::unexpected(tx.error());
  auto taken = exists(
      c, "SELECT 1 FROM runs WHERE global_id = ?1", [&](sqlite::Statement& s) { s.bind(1, run.info.global_id); },
      doing);
  if (!taken) return std::unexpected(taken.error());
  if (*taken)
    return std::unexpected(c.make_error(Kind::Failure, std::string(doing) + ": a run with the global id " +
                                                           in_quotes(run.info.global_id) + " is already in the store"));
  auto id = rows::insert_run(c, run, doing);
  if (!id) return std::unexpected(id.error());
  if (auto s = tx->commit(impl_->options.before_commit, doing); !s) return std::unexpected(s.error());
  return *id;
}

Status ResultsStore::record_attempt(std::int64_t run_id, std::string_view scenario_id, const AttemptRecord& attempt) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Connection& c = impl_->conn;
  const std::string doing = "recording attempt " + std::to_string(attempt.attempt) + " of " + in_quotes(scenario_id) +
                            " in run " + std::to_string(run_id);
  if (auto refused = impl_->refuse_read_only(doing)) return std::unexpected(*refused);
  if (auto problem = rows::check_attempt(scenario_id, attempt))
    return std::unexpected(c.make_error(Kind::Failure, doing + ": " + *problem));
  auto tx = sqlite::Transaction::begin(c, doing);
  if (!tx) return std::unexpected(tx.error());
  if (auto s = check_running(c, run_id, doing); !s) return s;
  auto taken = exists(
      c, "SELECT 1 FROM attempts WHERE run_id = ?1 AND scenario_id = ?2 AND attempt = ?3",
      [&](sqlite::Statement& s) { s.bind(1, run_id).bind(2, scenario_id).bind(3, std::int64_t{attempt.attempt}); },
      doing);
  if (!taken) return std::unexpected(taken.error());
  if (*taken) return std::unexpected(c.make_error(Kind::Failure, doing + ": it is already recorded"));
  auto insert = c.prepare(rows::kInsertAttempt, doing);
  if (!insert) return std::unexpected(insert.error());
  rows::bind_attempt(**insert, run_id, scenario_id, attempt);
  if (auto s = c.run(**insert, doing); !s) return s;
  return tx->commit(impl_->options.before_commit, doing);
}

Status ResultsStore::record_result(std::int64_t run_id, const ResultRecord& result) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Connection& c = impl_->conn;
  const std::string doing = result_doing(run_id, result.id);
  if (auto refused = impl_->refuse_read_only(doing)) return std::unexpected(*refused);
  if (auto problem = rows::check_result(result))
    return std::unexpected(c.make_error(Kind::Failure, doing + ": " + *problem));
  auto tx = sqlite::Transaction::begin(c, doing);
  if (!tx) return std::unexpected(tx.error());
  if (auto s = check_running(c, run_id, doing); !s) return s;
  auto taken = exists(
      c, "SELECT 1 FROM results WHERE run_id = ?1 AND scenario_id = ?2",
      [&](sqlite::Statement& s) { s.bind(1, run_id).bind(2, result.id); }, doing);
  if (!taken) return std::unexpected(taken.error());
  if (*taken)
    return std::unexpected(c.make_error(
        Kind::Failure, doing + ": the run already has a result with this id (ids are unique within a run)"));
  if (result.reused_from) {
    auto known = exists(
        c, "SELECT 1 FROM runs WHERE id = ?1", [&](sqlite::Statement& s) { s.bind(1, *result.reused_from); },
        doing);
    if (!known) return std::unexpected(known.error());
    if (!*known)
      return std::unexpected(c.make_error(Kind::Failure, doing + ": reused_from names run " +
                                                             std::to_string(*result.reused_from) +
                                                             ", which the store does not hold"));
  }
  auto insert = c.prepare(rows::kInsertResult, doing);
  if (!insert) return std::unexpected(insert.error());
  rows::bind_result(**insert, run_id, result);
  if (auto s = c.run(**insert, doing); !s) return s;
  return tx->commit(impl_->options.before_commit, doing);
}

Status ResultsStore::finish_run(std::int64_t run_id, RunStatus status, std::string_view finished,
                                double duration_s, std::string_view accelerator) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Connection& c = impl_->conn;
  const std::string doing = "finishing run " + std::to_string(run_id);
  if (auto refused = impl_->refuse_read_only(doing)) return std::unexpected(*refused);
  if (status == RunStatus::Running)
    return std::unexpected(c.make_error(Kind::Failure, doing + ": a run cannot finish as running"));
  if (!is_utc_iso8601(finished))
    return std::unexpected(c.make_error(Kind::Failure, doing + ": finished " + in_quotes(finished) +
                                                           " is not a UTC ISO 8601 time such as 2026-11-25T18:00:00Z"));
  auto tx = sqlite::Transaction::begin(c, doing);
  if (!tx) return std::unexpected(tx.error());
  if (auto s = check_running(c, run_id, doing); !s) return s;
  auto update = c.prepare(
      "UPDATE runs SET status = ?2, finished = ?3, duration_s = ?4, accelerator = coalesce(nullif(?5, ''), accelerator) "
      "WHERE id = ?1",
      doing);
  if (!update) return std::unexpected(update.error());
  (*update)->bind(1, run_id).bind(2, status_name(status)).bind(3, finished).bind(4, duration_s).bind(5, accelerator);
  if (auto s = c.run(**update, doing); !s) return s;
  return tx->commit(impl_->options.before_commit, doing);
}

Result<std::vector<RunRecord>> ResultsStore::runs() const {
  std::lock_guard lock(impl_->mutex);
  static const std::string sql = rows::kSelectRuns + rows::kRunsGroup;
  return select_all<RunRecord>(impl_->conn, sql.c_str(), [](sqlite::Statement&) {}, rows::read_run, "listing runs");
}

Result<RunRecord> ResultsStore::run(std::int64_t id) const {
  std::lock_guard lock(impl_->mutex);
  sqlite::Connection& c = impl_->conn;
  const std::string doing = "reading run " + std::to_string(id);
  static const std::string sql = rows::kSelectRuns + "WHERE r.id = ?1" + rows::kRunsGroup;
  auto found = select_all<RunRecord>(
      c, sql.c_str(), [&](sqlite::Statement& s) { s.bind(1, id); }, rows::read_run, doing);
  if (!found) return std::unexpected(found.error());
  if (!found->empty()) return found->front();
  auto highest = c.single_integer("SELECT coalesce(max(id), 0) FROM runs", doing);
  if (!highest) return std::unexpected(highest.error());
  return std::unexpected(c.make_error(
      Kind::BadInput, "no run " + std::to_string(id) + " in the store (" +
                          (*highest == 0 ? std::string("it holds no runs yet")
                                         : "the highest run id is " + std::to_string(*highest)) +
                          ")"));
}

Result<std::vector<ResultRecord>> ResultsStore::results_of_run(std::int64_t run_id) const {
  if (auto known = run(run_id); !known) return std::unexpected(known.error());
  std::lock_guard lock(impl_->mutex);
  static const std::string sql = rows::kSelectResults + "WHERE s.run_id = ?1 ORDER BY s.seq";
  return select_all<ResultRecord>(
      impl_->conn, sql.c_str(), [&](sqlite::Statement& s) { s.bind(1, run_id); }, rows::read_result,
      "reading the results of run " + std::to_string(run_id));
}

Result<std::vector<ResultRecord>> ResultsStore::results_of_campaign(std::string_view campaign) const {
  std::lock_guard lock(impl_->mutex);
  sqlite::Connection& c = impl_->conn;
  const std::string doing = "reading the results of campaign " + in_quotes(campaign);
  // For each scenario id, its result in the newest run of the campaign.
  static const std::string sql =
      rows::kSelectResults +
      "JOIN (SELECT s2.seq AS seq, row_number() OVER (PARTITION BY s2.scenario_id "
      "ORDER BY r.started DESC, r.id DESC) AS newness FROM results s2 JOIN runs r ON r.id = s2.run_id "
      "WHERE r.campaign = ?1) n ON n.seq = s.seq WHERE n.newness = 1 ORDER BY s.scenario_id";
  auto results = select_all<ResultRecord>(
      c, sql.c_str(), [&](sqlite::Statement& s) { s.bind(1, campaign); }, rows::read_result, doing);
  if (!results || !results->empty()) return results;
  auto labels = select_all<std::string>(
      c, "SELECT DISTINCT campaign FROM runs WHERE campaign != '' ORDER BY campaign",
      [](sqlite::Statement&) {}, [](const sqlite::Statement& s) { return s.text(0); }, doing);
  if (!labels) return std::unexpected(labels.error());
  if (std::ranges::find(*labels, campaign) != labels->end()) return results;  // its runs have no results yet
  std::string message = "no run has the campaign label " + in_quotes(campaign);
  const std::string* best = nullptr;
  std::size_t best_distance = std::max<std::size_t>(2, campaign.size() / 3) + 1;
  for (const auto& label : *labels)
    if (const std::size_t d = edit_distance(campaign, label); d < best_distance) best = &label, best_distance = d;
  if (best != nullptr) message += "; did you mean " + in_quotes(*best) + "?";
  return std::unexpected(c.make_error(Kind::BadInput, message));
}

Result<std::vector<AttemptRecord>> ResultsStore::attempts_of(std::int64_t run_id, std::string_view scenario_id) const {
  std::lock_guard lock(impl_->mutex);
  static const std::string sql = rows::kSelectAttempts + "WHERE a.run_id = ?1 AND a.scenario_id = ?2 ORDER BY a.attempt";
  return select_all<AttemptRecord>(
      impl_->conn, sql.c_str(), [&](sqlite::Statement& s) { s.bind(1, run_id).bind(2, scenario_id); },
      rows::read_attempt, "reading the attempts of " + in_quotes(scenario_id) + " in run " + std::to_string(run_id));
}

Result<std::optional<ReusableObservation>> ResultsStore::reusable_observation(std::string_view key) const {
  std::lock_guard lock(impl_->mutex);
  auto found = select_all<ReusableObservation>(
      impl_->conn,
      // The accelerator is the result's: a run's own is written when it
      // finishes, after a scenario of the same run may have reused it.
      "SELECT a.run_id, a.observed, a.evidence, a.timings, coalesce(nullif(s.accelerator, ''), r.accelerator) "
      "FROM attempts a JOIN runs r ON r.id = a.run_id "
      "LEFT JOIN results s ON s.run_id = a.run_id AND s.scenario_id = a.scenario_id "
      "WHERE a.observation_key = ?1 AND a.observed IS NOT NULL AND a.error = '' "
      "ORDER BY r.started DESC, r.id DESC, a.attempt DESC LIMIT 1",
      [&](sqlite::Statement& s) { s.bind(1, key); },
      [](const sqlite::Statement& s) {
        return ReusableObservation{s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4)};
      },
      "looking up the observation " + std::string(key));
  if (!found) return std::unexpected(found.error());
  if (found->empty()) return std::nullopt;
  return found->front();
}

}  // namespace restorelab::store
