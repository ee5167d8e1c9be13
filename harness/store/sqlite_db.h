// SQLite for the results store: owning handles, prepared statements,
// transactions, and the one conversion of SQLite's result codes into a
// StoreError (Connection::error). Included by harness/store/*.cc only;
// sqlite3 pointers never leave the store.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "harness/store/store_records.h"

namespace restorelab::store::sqlite {

struct DbDeleter {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using DbHandle = std::unique_ptr<sqlite3, DbDeleter>;
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

/// A prepared statement. Parameters and columns count from 1 and 0, as in
/// SQLite. Text is copied when bound.
class Statement {
 public:
  explicit Statement(StatementHandle s) : stmt_(std::move(s)) {}

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, const std::optional<std::string>& text);
  Statement& bind(int index, std::optional<std::int64_t> value);
  Statement& bind(int index, std::optional<double> value);
  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_.get()); }
  /// Ready for the next use: reset, bindings cleared.
  void reset();

  bool is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
  double real(int column) const { return sqlite3_column_double(stmt_.get(), column); }
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::optional<std::int64_t> optional_integer(int column) const;
  std::optional<double> optional_real(int column) const;

 private:
  StatementHandle stmt_;
};

/// One connection to one store file, with the path and lock timeout its
/// messages name. Not thread-safe: ResultsStore serialises calls.
class Connection {
 public:
  Connection(DbHandle db, std::string path, std::chrono::milliseconds busy_timeout)
      : db_(std::move(db)), path_(std::move(path)), busy_timeout_(busy_timeout) {}

  sqlite3* db() const { return db_.get(); }
  const std::string& path() const { return path_; }

  /// The one conversion: SQLite's code `rc` (and the connection's message)
  /// while `doing` something, as a StoreError naming the path. Busy, full,
  /// I/O are failures; "not a database" and a damaged file are bad input.
  StoreError error(int rc, std::string_view doing) const;
  /// A StoreError of this store that did not come from SQLite.
  StoreError make_error(StoreError::Kind kind, std::string_view what) const;

  /// Runs SQL without results (may hold several statements).
  Status exec(const char* sql, std::string_view doing);
  /// The statement for `sql`, prepared once per connection and reset for use.
  /// The reference stays valid for the connection's life.
  Result<Statement*> prepare(const char* sql, std::string_view doing);
  /// Steps `s` to the end; SQLITE_DONE is success. Resets it afterwards.
  Status run(Statement& s, std::string_view doing);
  /// One integer from a query of one row and column (e.g. a PRAGMA).
  Result<std::int64_t> single_integer(const char* sql, std::string_view doing);

 private:
  // Declared after db_ so that statements are finalised before the close.
  DbHandle db_;
  std::string path_;
  std::chrono::milliseconds busy_timeout_;
  std::unordered_map<std::string, Statement> statements_;
};

/// A write transaction (BEGIN IMMEDIATE: it takes the write lock at once,
/// waiting up to the busy timeout). Rolled back unless committed.
class Transaction {
 public:
  static Result<Transaction> begin(Connection& c, std::string_view doing);
  Transaction(Transaction&& other) noexcept : c_(other.c_) { other.c_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  /// Calls `before_commit` (when set; a test seam) and commits. On failure
  /// the transaction is rolled back and nothing of it is in the file.
  Status commit(const std::function<void()>& before_commit, std::string_view doing);

 private:
  explicit Transaction(Connection& c) : c_(&c) {}
  void rollback();
  Connection* c_;
};

}  // namespace restorelab::store::sqlite
