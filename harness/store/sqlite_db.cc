#include "harness/store/sqlite_db.h"

#include <cstdio>
#include <cstring>

namespace restorelab::store::sqlite {

namespace {

// "10 s", "0.25 s".
std::string seconds_text(std::chrono::milliseconds ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g s", static_cast<double>(ms.count()) / 1000.0);
  return buffer;
}

}  // namespace

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(stmt_.get(), index, value);
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& text) {
  if (text) return bind(index, std::string_view(*text));
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

Statement& Statement::bind(int index, std::optional<std::int64_t> value) {
  if (value) return bind(index, *value);
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

Statement& Statement::bind(int index, std::optional<double> value) {
  if (value) return bind(index, *value);
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string Statement::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
  if (p == nullptr) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column)));
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

std::optional<std::int64_t> Statement::optional_integer(int column) const {
  if (is_null(column)) return std::nullopt;
  return integer(column);
}

std::optional<double> Statement::optional_real(int column) const {
  if (is_null(column)) return std::nullopt;
  return real(column);
}

StoreError Connection::error(int rc, std::string_view doing) const {
  const std::string what(doing);
  const char* message = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
  using Kind = StoreError::Kind;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return make_error(Kind::Failure, "another process is writing to the store and held its lock for more than " +
                                           seconds_text(busy_timeout_) + " (" + what +
                                           "); try again when it has finished");
    case SQLITE_FULL:
      return make_error(Kind::Failure, "the disk is full (" + what + "); nothing of it was recorded");
    case SQLITE_NOTADB:
      return make_error(Kind::BadInput, "not a restorelab results store (not an SQLite database)");
    case SQLITE_CORRUPT:
      // The file given is not a store that can be read: bad input, as a
      // file that is not a store at all (README.md: exit 2 everywhere).
      return make_error(Kind::BadInput, "the results store is damaged (" + what + "): " + message);
    case SQLITE_IOERR: {
      const int e = db_ ? sqlite3_system_errno(db_.get()) : 0;
      return make_error(Kind::Failure, "input/output error (" + what + "): " + message +
                                           (e != 0 ? std::string(": ") + std::strerror(e) : std::string()));
    }
    case SQLITE_READONLY:
      return make_error(Kind::Failure, "the store cannot be written (" + what + "): " + message);
    default:
      return make_error(Kind::Failure, what + ": " + message);
  }
}

StoreError Connection::make_error(StoreError::Kind kind, std::string_view what) const {
  return StoreError{kind, path_ + ": " + std::string(what)};
}

Status Connection::exec(const char* sql, std::string_view doing) {
  const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(error(rc, doing));
  return {};
}

Result<Statement*> Connection::prepare(const char* sql, std::string_view doing) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) return std::unexpected(error(rc, doing));
    it = statements_.emplace(sql, Statement(StatementHandle(raw))).first;
  } else {
    it->second.reset();
  }
  return &it->second;
}

Status Connection::run(Statement& s, std::string_view doing) {
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) {
    StoreError e = error(rc, doing);
    s.reset();
    return std::unexpected(e);
  }
  s.reset();
  return {};
}

Result<std::int64_t> Connection::single_integer(const char* sql, std::string_view doing) {
  auto s = prepare(sql, doing);
  if (!s) return std::unexpected(s.error());
  const int rc = (*s)->step();
  if (rc != SQLITE_ROW) {
    StoreError e = error(rc == SQLITE_DONE ? SQLITE_ERROR : rc, doing);
    (*s)->reset();
    return std::unexpected(e);
  }
  const std::int64_t value = (*s)->integer(0);
  (*s)->reset();
  return value;
}

Result<Transaction> Transaction::begin(Connection& c, std::string_view doing) {
  if (auto s = c.exec("BEGIN IMMEDIATE", doing); !s) return std::unexpected(s.error());
  return Transaction(c);
}

Transaction::~Transaction() {
  if (c_ != nullptr) rollback();
}

void Transaction::rollback() {
  // SQLite rolls some failures (a full disk, an I/O error) back by itself;
  // then there is nothing left to roll back.
  if (!sqlite3_get_autocommit(c_->db())) sqlite3_exec(c_->db(), "ROLLBACK", nullptr, nullptr, nullptr);
  c_ = nullptr;
}

Status Transaction::commit(const std::function<void()>& before_commit, std::string_view doing) {
  if (before_commit) before_commit();
  const int rc = sqlite3_exec(c_->db(), "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    StoreError e = c_->error(rc, doing);
    rollback();
    return std::unexpected(e);
  }
  c_ = nullptr;
  return {};
}

}  // namespace restorelab::store::sqlite
