// The plain data the results store keeps: runs, scenario results and their
// attempts (docs/results-format.md). JSON travels as text the caller
// produced; the store checks that it is JSON and never interprets it, except
// store_compare, which reads a few fields of `observed`.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace restorelab::store {

/// What a caller learns when the store cannot do what it was asked.
struct StoreError {
  enum class Kind : std::uint8_t {
    BadInput,  ///< the user named something that is not usable: not a store, a newer schema,
               ///< a path that cannot hold a store, a run or campaign that is not there (exit 2)
    Failure,   ///< the store could not do its job: disk full, I/O, lock held too long,
               ///< malformed data from the caller (exit 3)
  };
  Kind kind = Kind::Failure;
  /// Names the store's path first, then what failed and why, e.g.
  /// `runs/results.sqlite: not a restorelab results store (not an SQLite database)`.
  std::string message;

  /// 2 for BadInput, 3 for Failure (README.md, "Exit codes").
  int exit_code() const { return kind == Kind::BadInput ? 2 : 3; }
  bool operator==(const StoreError&) const = default;
};

template <class T>
using Result = std::expected<T, StoreError>;
using Status = std::expected<void, StoreError>;

/// A run's state. A run is `running` from begin_run until finish_run; a run
/// whose process was killed stays `running` for good.
enum class RunStatus : std::uint8_t { Running, Finished, Interrupted, Failed };
std::string_view status_name(RunStatus s);  ///< "running", "finished", "interrupted", "failed"
std::optional<RunStatus> parse_status(std::string_view name);

/// A scenario's verdict in a campaign (results-format.md, "Output").
enum class Verdict : std::uint8_t { Agree, Disagree, KnownDeviation, Flaky, Error };
inline constexpr std::size_t kVerdictCount = 5;
std::string_view verdict_name(Verdict v);  ///< "agree", "disagree", "known-deviation", "flaky", "error"
std::optional<Verdict> parse_verdict(std::string_view name);

/// How many results of a run have each verdict.
struct VerdictCounts {
  std::array<int, kVerdictCount> counts{};
  int of(Verdict v) const { return counts[static_cast<std::size_t>(v)]; }
  int total() const;
  bool operator==(const VerdictCounts&) const = default;
};

/// What the caller knows when a run starts.
struct RunInfo {
  std::string global_id;      ///< unique across stores (merge de-duplicates on it); empty: begin_run makes one
  std::string started;        ///< UTC ISO 8601, `2026-11-25T18:00:00Z` (fractions of a second allowed)
  std::string version;        ///< restorelab's version
  std::string source_commit;  ///< may be empty
  std::string rulebook_hash;
  std::string image_hash;
  std::string accelerator;    ///< "tcg", "kvm"
  std::string host;
  std::string shard;          ///< "2/4", or empty
  std::string campaign;       ///< the --campaign label, or empty
  std::string argv_json;      ///< the command line as a JSON array of strings
  bool operator==(const RunInfo&) const = default;
};

/// A run as the store holds it.
struct RunRecord {
  std::int64_t id = 0;  ///< unique in this store (a merge renumbers)
  RunInfo info;
  RunStatus status = RunStatus::Running;
  std::string finished;               ///< UTC ISO 8601; empty while running
  std::optional<double> duration_s;   ///< empty while running
  VerdictCounts verdicts;             ///< derived from the run's results
  bool operator==(const RunRecord&) const = default;
};

/// One attempt at a scenario (there are several with --retries).
struct AttemptRecord {
  int attempt = 1;                          ///< 1, 2, ... within the scenario's result
  std::string observation_key;              ///< hex; see "Observations are reused"
  std::optional<std::string> observed_json; ///< empty when the attempt failed
  std::string error;                        ///< why the attempt failed; empty when it did not
  std::string evidence;                     ///< the attempt's evidence folder
  std::string timings_json = "{}";          ///< a JSON object
  bool operator==(const AttemptRecord&) const = default;
};

/// The result of one scenario in one run.
struct ResultRecord {
  std::int64_t run_id = 0;                     ///< set by the store when loading; ignored when recording
  std::string id;                              ///< combination id or scenario name; unique within a run
  std::string scenario;                        ///< the scenario's name
  std::string observation_key;                 ///< hex
  std::optional<std::string> axes_json;        ///< a JSON object for a matrix combination
  std::string predicted_json = "{}";
  std::optional<std::string> observed_json;    ///< empty when nothing was observed (verdict error)
  Verdict verdict = Verdict::Error;
  std::string deviation;                       ///< the known deviation's id, or empty
  std::string differences_json = "[]";         ///< a JSON array
  int attempts = 1;
  bool reused = false;
  std::optional<std::int64_t> reused_from;     ///< the run whose observation was reused
  std::string accelerator;
  std::string timings_json = "{}";             ///< a JSON object
  std::string evidence;
  std::string error;                           ///< why the run failed; empty unless verdict error
  std::string json_line;                       ///< the whole `run --json` line as emitted (no '\n')
  std::optional<std::string> remediation_json; ///< with --remediate (remediation.md)
  /// The resolved scenario as a scenario file (scenario_writer.h), so that
  /// `rules test --observed` can predict it again with another rulebook.
  std::string scenario_toml;
  bool operator==(const ResultRecord&) const = default;
};

/// An observation a new run may take instead of booting VMs.
struct ReusableObservation {
  std::int64_t run_id = 0;  ///< the run that observed it: the new result's reused_from
  std::string observed_json;
  std::string evidence;
  std::string timings_json;
  std::string accelerator;  ///< what it ran under ("kvm", "tcg"); empty only for a record that never said
  bool operator==(const ReusableObservation&) const = default;
};

/// What merge_from did.
struct MergeStats {
  int runs_added = 0;
  int runs_already_present = 0;  ///< same global id: skipped
  int results_added = 0;
  int attempts_added = 0;
  bool operator==(const MergeStats&) const = default;
};

/// `t` as UTC ISO 8601 with whole seconds: `2026-11-25T18:00:00Z`.
std::string utc_iso8601(std::chrono::system_clock::time_point t);

/// True for `YYYY-MM-DDTHH:MM:SSZ`, optionally with a fraction of a second
/// before the `Z`: the form the store sorts by.
bool is_utc_iso8601(std::string_view text);

}  // namespace restorelab::store
