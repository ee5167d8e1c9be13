// How `run` opens its results store and describes itself in it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/cli/cli.h"
#include "harness/store/results_store.h"
#include "rules/rulebook.h"

namespace restorelab {

/// What a run records about itself when it starts.
struct RunDescription {
  std::string rulebook_file;
  std::string image_hash;
  std::string shard;     ///< "K/N" or ""
  std::string campaign;  ///< --campaign
  std::vector<std::string> argv;
};

/// The store's description of this run: now (UTC), restorelab's version, the
/// source tree's commit when git knows it, a hash of the rulebook's text,
/// the host's name.
store::RunInfo run_info(const RunDescription& d);

/// 16 hexadecimal digits of FNV-1a over `text` (rulebook and image hashes in the store).
std::string text_hash(std::string_view text);

/// Opens (creating) the store at `path` for writing, after making its folder;
/// prints why not and returns the exit code (2 or 3) in `exit`.
std::optional<store::ResultsStore> open_store_for_run(const std::string& path, Streams& io, int& exit);

}  // namespace restorelab
