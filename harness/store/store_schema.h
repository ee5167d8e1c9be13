// The results store's schema: its version, the tables (documented in
// results_store.h), how a new file becomes a store and how an existing one
// is recognised. Internal to harness/store/.
#pragma once

#include <cstdint>

#include "harness/store/sqlite_db.h"

namespace restorelab::store {

/// `PRAGMA application_id` of every restorelab results store: "RLST".
inline constexpr std::int64_t kApplicationId = 0x524C5354;
/// `PRAGMA user_version`: the schema this build reads and writes. A store
/// with a higher version is refused; a lower one is migrated when opened for
/// writing (each migration one step of kMigrations in store_schema.cc).
inline constexpr std::int64_t kSchemaVersion = 1;

/// Makes `c` a usable store: recognises a restorelab store (refusing another
/// program's database and a newer schema), or, when `writable`, turns an
/// empty database into one (WAL mode, the tables, application id, version)
/// or migrates an older schema. Two processes creating the same store at
/// once both succeed: the creation is one write transaction that checks
/// again under the lock.
Status prepare_schema(sqlite::Connection& c, bool writable);

}  // namespace restorelab::store
