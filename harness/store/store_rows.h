// How records become rows and back: the SQL of each table's insert and
// select (one column list per table, so the reader and the writer cannot
// drift apart), and the checks a record passes before it is written.
// Internal to harness/store/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "harness/store/sqlite_db.h"
#include "harness/store/store_records.h"

namespace restorelab::store::rows {

/// `SELECT <run columns + verdict counts> FROM runs r LEFT JOIN results ...`;
/// append `WHERE ...` and then kRunsGroup.
extern const std::string kSelectRuns;
/// `GROUP BY r.id` ordered newest first.
extern const std::string kRunsGroup;
/// INSERT of a run without its id: ?1..?14 as bind_run binds them.
extern const char* const kInsertRun;
/// `SELECT <result columns> FROM results s`; the alias is `s`.
extern const std::string kSelectResults;
/// INSERT of a result: ?1..?19 as bind_result binds them.
extern const char* const kInsertResult;
/// `SELECT <attempt columns> FROM attempts a`; the alias is `a`.
extern const std::string kSelectAttempts;
/// INSERT of an attempt: ?1..?8 as bind_attempt binds them.
extern const char* const kInsertAttempt;

RunRecord read_run(const sqlite::Statement& s);
ResultRecord read_result(const sqlite::Statement& s);
AttemptRecord read_attempt(const sqlite::Statement& s);

void bind_run(sqlite::Statement& s, const RunRecord& run);
void bind_result(sqlite::Statement& s, std::int64_t run_id, const ResultRecord& r);
void bind_attempt(sqlite::Statement& s, std::int64_t run_id, std::string_view scenario_id, const AttemptRecord& a);

/// Inserts `run` (kInsertRun) and returns its new id. A store whose run ids
/// are used up (ids are never reused and stop at 2^63-1, where SQLite says
/// "database or disk is full") is refused as bad input naming that cause,
/// not a full disk.
Result<std::int64_t> insert_run(sqlite::Connection& c, const RunRecord& run, std::string_view doing);

/// What is wrong with a record before it is written, or nullopt. The text
/// names the field, e.g. `observed_json is not JSON`.
std::optional<std::string> check_run(const RunInfo& info);
std::optional<std::string> check_result(const ResultRecord& r);
std::optional<std::string> check_attempt(std::string_view scenario_id, const AttemptRecord& a);

/// A random version-4 UUID, lower-case hex: a run's global id.
std::string random_global_id();

}  // namespace restorelab::store::rows
