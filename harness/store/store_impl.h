// ResultsStore's state, shared by results_store.cc and store_merge.cc.
// Internal to harness/store/.
#pragma once

#include <mutex>
#include <string>

#include "harness/store/results_store.h"
#include "harness/store/sqlite_db.h"

namespace restorelab::store {

struct ResultsStore::Impl {
  Impl(std::filesystem::path p, StoreOptions o, sqlite::Connection c)
      : path(std::move(p)), options(std::move(o)), conn(std::move(c)) {}

  std::filesystem::path path;
  StoreOptions options;
  sqlite::Connection conn;
  std::mutex mutex;  ///< held for the whole of every public call

  bool writable() const { return options.access == StoreOptions::Access::ReadWrite; }
  /// The refusal of a write on a store opened read-only, or nullopt.
  std::optional<StoreError> refuse_read_only(std::string_view doing) const {
    if (writable()) return std::nullopt;
    return conn.make_error(StoreError::Kind::Failure, std::string(doing) + ": the store was opened read-only");
  }
};

}  // namespace restorelab::store
