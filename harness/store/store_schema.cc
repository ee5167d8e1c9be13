#include "harness/store/store_schema.h"

#include <array>
#include <map>
#include <string>

namespace restorelab::store {

namespace {

using StoreErrorKind = StoreError::Kind;

// kMigrations[v] takes a store from version v to v + 1; [0] creates it.
// JSON columns are checked with json_valid so that no path (a caller that
// skipped the checks, a merge) can store text that later fails to parse.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    R"sql(
CREATE TABLE runs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  global_id     TEXT NOT NULL UNIQUE,
  started       TEXT NOT NULL,
  finished      TEXT,
  duration_s    REAL,
  status        TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted', 'failed')),
  version       TEXT NOT NULL,
  source_commit TEXT NOT NULL,
  rulebook_hash TEXT NOT NULL,
  image_hash    TEXT NOT NULL,
  accelerator   TEXT NOT NULL,
  host          TEXT NOT NULL,
  shard         TEXT NOT NULL,
  campaign      TEXT NOT NULL,
  argv          TEXT NOT NULL CHECK (json_valid(argv) AND json_type(argv) = 'array')
);
CREATE INDEX runs_by_campaign ON runs (campaign);

CREATE TABLE results (
  seq             INTEGER PRIMARY KEY,
  run_id          INTEGER NOT NULL REFERENCES runs (id),
  scenario_id     TEXT NOT NULL,
  scenario        TEXT NOT NULL,
  observation_key TEXT NOT NULL,
  axes            TEXT CHECK (axes IS NULL OR json_valid(axes)),
  predicted       TEXT NOT NULL CHECK (json_valid(predicted)),
  observed        TEXT CHECK (observed IS NULL OR json_valid(observed)),
  verdict         TEXT NOT NULL CHECK (verdict IN ('agree', 'disagree', 'known-deviation', 'flaky', 'error')),
  deviation       TEXT NOT NULL,
  differences     TEXT NOT NULL CHECK (json_valid(differences) AND json_type(differences) = 'array'),
  attempts        INTEGER NOT NULL CHECK (attempts >= 0),
  reused          INTEGER NOT NULL CHECK (reused IN (0, 1)),
  reused_from     INTEGER REFERENCES runs (id),
  accelerator     TEXT NOT NULL,
  timings         TEXT NOT NULL CHECK (json_valid(timings)),
  evidence        TEXT NOT NULL,
  error           TEXT NOT NULL,
  json_line       TEXT NOT NULL CHECK (json_valid(json_line)),
  remediation     TEXT CHECK (remediation IS NULL OR json_valid(remediation)),
  scenario_toml   TEXT NOT NULL,
  UNIQUE (run_id, scenario_id)
);
CREATE INDEX results_by_scenario ON results (scenario_id);

CREATE TABLE attempts (
  run_id          INTEGER NOT NULL REFERENCES runs (id),
  scenario_id     TEXT NOT NULL,
  attempt         INTEGER NOT NULL CHECK (attempt >= 1),
  observation_key TEXT NOT NULL,
  observed        TEXT CHECK (observed IS NULL OR json_valid(observed)),
  error           TEXT NOT NULL,
  evidence        TEXT NOT NULL,
  timings         TEXT NOT NULL CHECK (json_valid(timings)),
  PRIMARY KEY (run_id, scenario_id, attempt)
);
CREATE INDEX attempts_reusable ON attempts (observation_key) WHERE observed IS NOT NULL AND error = '';
)sql",
};

struct Identity {
  std::int64_t application_id = 0;
  std::int64_t version = 0;
  std::int64_t objects = 0;  // tables, indexes, ... of any program
};

Result<Identity> read_identity(sqlite::Connection& c) {
  constexpr std::string_view doing = "reading the schema version";
  Identity id;
  auto app = c.single_integer("PRAGMA application_id", doing);
  if (!app) return std::unexpected(app.error());
  auto version = c.single_integer("PRAGMA user_version", doing);
  if (!version) return std::unexpected(version.error());
  auto objects = c.single_integer("SELECT count(*) FROM sqlite_schema", doing);
  if (!objects) return std::unexpected(objects.error());
  return Identity{*app, *version, *objects};
}

// Refuses what this build cannot use; nullopt when `id` is a store this
// build reads as it is or can migrate.
std::optional<StoreError> refusal(const sqlite::Connection& c, const Identity& id, bool writable) {
  if (id.application_id == kApplicationId) {
    if (id.version < 0)
      return c.make_error(StoreErrorKind::BadInput, "the results store is damaged: its schema version is " +
                                                        std::to_string(id.version) + ", which no restorelab writes");
    if (id.version > kSchemaVersion)
      return c.make_error(StoreErrorKind::BadInput,
                          "the results store has schema version " + std::to_string(id.version) +
                              ", newer than this restorelab knows (" + std::to_string(kSchemaVersion) +
                              "); use a newer restorelab");
    if (id.version < kSchemaVersion && !writable)
      return c.make_error(StoreErrorKind::BadInput,
                          "the results store has schema version " + std::to_string(id.version) +
                              ", older than this restorelab's (" + std::to_string(kSchemaVersion) +
                              "); open it for writing once to upgrade it");
    return std::nullopt;
  }
  if (id.application_id == 0 && id.objects == 0)
    return writable ? std::nullopt
                    : std::optional(c.make_error(StoreErrorKind::BadInput,
                                                 "not a restorelab results store (an empty database)"));
  return c.make_error(StoreErrorKind::BadInput,
                      "not a restorelab results store (an SQLite database of another program)");
}

// One object of a schema: its type and SQL (NULL for automatic indexes), by name.
struct SchemaObject {
  std::string type, table, sql;
  bool operator==(const SchemaObject&) const = default;
};
using Schema = std::map<std::string, SchemaObject>;

// The schema objects of `c` but the tables of statistics ANALYZE keeps
// (sqlite_stat*), which are data.
Result<Schema> schema_of(sqlite::Connection& c) {
  constexpr std::string_view doing = "reading the schema";
  auto s = c.prepare("SELECT name, type, tbl_name, coalesce(sql, '') FROM sqlite_schema "
                     "WHERE NOT (type = 'table' AND name LIKE 'sqlite\\_stat%' ESCAPE '\\')",
                     doing);
  if (!s) return std::unexpected(s.error());
  Schema schema;
  int rc;
  while ((rc = (*s)->step()) == SQLITE_ROW) schema[(*s)->text(0)] = {(*s)->text(1), (*s)->text(2), (*s)->text(3)};
  (*s)->reset();
  if (rc != SQLITE_DONE) return std::unexpected(c.error(rc, doing));
  return schema;
}

// The schema restorelab makes at `version` (0 <= version <= kSchemaVersion):
// the migrations run on an empty database in memory.
Result<Schema> made_schema(std::int64_t version) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  sqlite::Connection memory(sqlite::DbHandle(raw), ":memory:", std::chrono::milliseconds(0));
  if (rc != SQLITE_OK) return std::unexpected(memory.error(rc, "making the schema to compare with"));
  for (std::int64_t v = 0; v < version; ++v)
    if (auto made = memory.exec(kMigrations[static_cast<std::size_t>(v)], "making the schema to compare with"); !made)
      return std::unexpected(made.error());
  return schema_of(memory);
}

// The refusal of a store of ours (by its id and version) whose schema holds
// objects restorelab does not make, or lacks or changed one that it makes:
// a table replaced by an endlessly recursive view, a trigger, an index on an
// expression would make every later query do what the file says.
std::optional<StoreError> schema_refusal(sqlite::Connection& c, std::int64_t version) {
  auto found = schema_of(c);
  if (!found) return found.error();
  auto made = made_schema(version);
  if (!made) return made.error();
  auto damaged = [&](const std::string& what) {
    return c.make_error(StoreErrorKind::BadInput, "the results store is damaged: " + what);
  };
  auto quoted = [](const std::string& name) { return "\"" + name + "\""; };
  for (const auto& [name, object] : *made) {
    auto it = found->find(name);
    if (it == found->end()) return damaged("it has no " + object.type + " " + quoted(name));
    if (it->second.type != object.type)
      return damaged(quoted(name) + " is a " + it->second.type + ", not the " + object.type + " restorelab makes");
    if (it->second != object) return damaged("its " + object.type + " " + quoted(name) + " is not as restorelab made it");
  }
  for (const auto& [name, object] : *found)
    if (!made->contains(name)) return damaged("it holds a " + object.type + " " + quoted(name) + " that restorelab does not make");
  return std::nullopt;
}

// Creates or migrates under the write lock, checking again there: another
// process may have done it in between.
Status upgrade(sqlite::Connection& c) {
  constexpr std::string_view doing = "creating the results store";
  auto tx = sqlite::Transaction::begin(c, doing);
  if (!tx) return std::unexpected(tx.error());
  auto id = read_identity(c);
  if (!id) return std::unexpected(id.error());
  if (auto refused = refusal(c, *id, true)) return std::unexpected(*refused);
  if (id->application_id == kApplicationId)
    if (auto refused = schema_refusal(c, id->version)) return std::unexpected(*refused);
  for (std::int64_t v = id->version; v < kSchemaVersion; ++v)
    if (auto s = c.exec(kMigrations[static_cast<std::size_t>(v)], doing); !s) return s;
  const std::string stamp = "PRAGMA application_id = " + std::to_string(kApplicationId) +
                            "; PRAGMA user_version = " + std::to_string(kSchemaVersion);
  if (auto s = c.exec(stamp.c_str(), doing); !s) return s;
  return tx->commit({}, doing);
}

}  // namespace

Status prepare_schema(sqlite::Connection& c, bool writable) {
  auto id = read_identity(c);
  if (!id) return std::unexpected(id.error());
  if (auto refused = refusal(c, *id, writable)) return std::unexpected(*refused);
  if (id->application_id == kApplicationId)
    if (auto refused = schema_refusal(c, id->version)) return std::unexpected(*refused);
  if (!writable) return {};
  // Only now, with the file known to be ours or empty, is it changed.
  // WAL: readers never wait for the writer, and a killed writer loses only
  // its open transaction. FULL: every commit is on disk before it returns,
  // so a power cut loses no recorded result. It costs an fsync per result
  // (~4 ms, bench/store_bench.cc) against minutes of VM time per result;
  // NORMAL would skip it and could lose every commit since the last
  // checkpoint (up to ~2,000 results).
  if (auto s = c.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
                      "switching the store to WAL mode");
      !s)
    return s;
  if (id->version == kSchemaVersion) return {};
  return upgrade(c);
}

}  // namespace restorelab::store
