// The results store: every run of a campaign, its scenario results and
// their attempts, in one SQLite file (docs/results-format.md). Plain
// data in and out (store_records.h); JSON is text the caller produced.
//
// Schema, version 1 (PRAGMA application_id 0x524C5354 "RLST", PRAGMA
// user_version 1; the DDL is in store_schema.cc):
//
//   runs      id INTEGER PRIMARY KEY AUTOINCREMENT (never reused), global_id
//             TEXT UNIQUE, started, finished (NULL while running; UTC ISO
//             8601), duration_s, status (running|finished|interrupted|failed),
//             version, source_commit, rulebook_hash, image_hash, accelerator,
//             host, shard ("2/4" or ""), campaign ("" for none), argv (JSON
//             array). Verdict counts are not stored: they are counted from
//             results.
//   results   seq INTEGER PRIMARY KEY (recording order), run_id -> runs,
//             scenario_id (UNIQUE with run_id), scenario, observation_key,
//             axes (JSON or NULL), predicted, observed (JSON or NULL),
//             verdict (agree|disagree|known-deviation|flaky|error), deviation,
//             differences (JSON array), attempts, reused (0|1), reused_from ->
//             runs, accelerator, timings, evidence, error, json_line (the
//             `run --json` line), remediation (JSON or NULL), scenario_toml
//             (the resolved scenario, to predict it again).
//   attempts  (run_id -> runs, scenario_id, attempt) PRIMARY KEY,
//             observation_key, observed (JSON, NULL when the attempt failed),
//             error, evidence, timings. A partial index on observation_key
//             over error-free attempts serves reusable_observation().
//
// Every JSON column is CHECKed with json_valid(). Newest means the latest
// `started`, then the highest id. The file is in WAL mode: any number of
// readers (processes or connections) never wait for the one writer; writers
// take the lock for one short transaction (BEGIN IMMEDIATE) and wait up to
// StoreOptions::busy_timeout for it. A killed process loses only its open
// transaction. synchronous=FULL: a commit is on disk when the call returns,
// so a power cut loses no recorded result either.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "harness/store/store_records.h"

namespace restorelab::store {

/// How a store is opened.
struct StoreOptions {
  enum class Access : std::uint8_t {
    ReadWrite,  ///< creates the file when missing (its folder must exist)
    ReadOnly,   ///< the file must be a store; every write is refused. Opened immutable
                ///< (no -shm, no locks) when its folder is not writable by this
                ///< process and no write-ahead log waits: a read-only mount or
                ///< another user's store can be read
  };
  Access access = Access::ReadWrite;
  /// How long a write waits for another writer's lock before it fails.
  std::chrono::milliseconds busy_timeout{10000};
  /// The file may grow to this many pages (of 4 KiB) and then writes fail as
  /// on a full disk; 0: no limit. A quota, and how tests fill the disk.
  std::int64_t max_pages = 0;
  /// Called inside every write transaction just before it commits: a test
  /// seam (kill the process, read from another connection mid-write).
  std::function<void()> before_commit;
};

/// One open store. Thread-safe: calls are serialised on an internal mutex,
/// so the threads of `run --jobs N` may share one. Movable, not copyable.
/// Every call returns a StoreError instead of throwing; a failed write
/// leaves nothing of itself in the file.
class ResultsStore {
 public:
  /// Opens (or, read-write, creates) the store at `path`. Refuses, as
  /// BadInput: a file that is not an SQLite database, another program's
  /// database, a newer schema, a missing file (read-only), a folder that
  /// does not exist or cannot be written, a folder given as the file.
  static Result<ResultsStore> open(const std::filesystem::path& path, const StoreOptions& options = {});

  ResultsStore(ResultsStore&&) noexcept;
  ResultsStore& operator=(ResultsStore&&) noexcept;
  ~ResultsStore();

  /// The path as given to open(): how messages name the store.
  const std::filesystem::path& path() const;

  /// Starts a run (status running) and returns its id. An empty
  /// `info.global_id` gets a random one. Fails on a `started` that is not
  /// UTC ISO 8601, an `argv_json` that is not a JSON array, a shard that is
  /// not "" or "K/N" (1 <= K <= N), or a global id already in the store.
  Result<std::int64_t> begin_run(const RunInfo& info);

  /// Records one attempt at `scenario_id` in its own transaction, as soon as
  /// it ended, so that a killed run keeps its observations. The run must be
  /// running; (run, scenario_id, attempt.attempt) must be new.
  Status record_attempt(std::int64_t run_id, std::string_view scenario_id, const AttemptRecord& attempt);

  /// Records one scenario's result in its own transaction. The run must be
  /// running, `result.id` new in it, every JSON field JSON, `reused_from`
  /// set only when `reused` and naming a run of this store.
  Status record_result(std::int64_t run_id, const ResultRecord& result);

  /// Ends a running run with `status` (not Running), the UTC ISO 8601 end
  /// time and its duration; a non-empty `accelerator` replaces the one given
  /// at the start (a run learns it only when its first VM is about to start).
  Status finish_run(std::int64_t run_id, RunStatus status, std::string_view finished, double duration_s,
                    std::string_view accelerator = {});

  /// Every run, newest first, with its verdict counts.
  Result<std::vector<RunRecord>> runs() const;
  /// The run `id`; BadInput when the store has no such run.
  Result<RunRecord> run(std::int64_t id) const;
  /// The results of run `run_id` in the order they were recorded; BadInput
  /// when the store has no such run.
  Result<std::vector<ResultRecord>> results_of_run(std::int64_t run_id) const;
  /// For every scenario id recorded by a run labelled `campaign`, its result
  /// in the newest such run, ordered by scenario id (the shards of one
  /// campaign, merged). BadInput when no run has the label.
  Result<std::vector<ResultRecord>> results_of_campaign(std::string_view campaign) const;
  /// The attempts at `scenario_id` in run `run_id`, by attempt number.
  Result<std::vector<AttemptRecord>> attempts_of(std::int64_t run_id, std::string_view scenario_id) const;
  /// The newest error-free attempt (observed, no error) with observation key
  /// `key` in any run, or nullopt. Newest: the run's start, then its id,
  /// then the attempt number. Results that were themselves reused have no
  /// attempts and are never a source.
  Result<std::optional<ReusableObservation>> reusable_observation(std::string_view key) const;

  /// Copies the runs of the store at `other` (with their results and
  /// attempts) that this store does not hold (by global id) into it, in one
  /// transaction; they get new ids in their order in `other`, and
  /// `reused_from` follows them. Merging the same store again adds nothing.
  /// Refuses (BadInput) a store merged into itself and whatever open()
  /// refuses read-only.
  Result<MergeStats> merge_from(const std::filesystem::path& other);
  /// Merges every store of `others` in that order, in one transaction: each
  /// is opened and checked before anything is written, and a failure in any
  /// leaves this store as it was. One MergeStats per store.
  Result<std::vector<MergeStats>> merge_from(const std::vector<std::filesystem::path>& others);

 private:
  struct Impl;
  explicit ResultsStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace restorelab::store
