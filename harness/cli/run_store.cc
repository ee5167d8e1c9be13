#include "harness/cli/run_store.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "harness/machines/process.h"
#include "harness/output/input_file.h"
#include "harness/output/json_writer.h"
#include "harness/output/output_file.h"
#include "rules/fnv.h"
#include "rules/source_dir.h"

namespace restorelab {

std::string text_hash(std::string_view text) { return Fnv1a().add(text).hex(); }

store::RunInfo run_info(const RunDescription& d) {
  store::RunInfo info;
  info.started = store::utc_iso8601(std::chrono::system_clock::now());
  info.version = RESTORELAB_VERSION;
  auto commit = machines::run_process({"git", "-C", restorelab::source_dir(), "rev-parse", "--verify", "-q", "HEAD"},
                                      {.timeout = std::chrono::seconds(5), .separate_stderr = true, .max_output = 4096});
  if (commit && commit->exit_code == 0 && commit->output.size() >= 40) info.source_commit = commit->output.substr(0, 40);
  info.rulebook_hash = text_hash(read_file_or_empty(d.rulebook_file));
  info.image_hash = d.image_hash;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) info.host = host;
  info.shard = d.shard;
  info.campaign = d.campaign;
  JsonWriter(info.argv_json).strings(d.argv);
  return info;
}

std::optional<store::ResultsStore> open_store_for_run(const std::string& path, Streams& io, int& exit) {
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (!folder.empty()) {
    if (auto made = make_output_folder(folder); !made) {
      io.err << "restorelab run: --db " << made.error().message << "\n";
      exit = made.error().exit_code();
      return std::nullopt;
    }
  }
  auto store = store::ResultsStore::open(path);
  if (!store) {
    io.err << "restorelab: " << store.error().message << "\n";
    exit = store.error().exit_code();
    return std::nullopt;
  }
  return std::move(*store);
}

}  // namespace restorelab
