// What the results store tests share: a temporary folder, records that look
// like a real run's, and SQLite itself for files the store must refuse.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>

#include "harness/store/results_store.h"

namespace restorelab::store {

/// gtest prints a StoreError as its kind and message.
inline void PrintTo(const StoreError& e, std::ostream* os) {
  *os << (e.kind == StoreError::Kind::BadInput ? "BadInput: " : "Failure: ") << e.message;
}

}  // namespace restorelab::store

namespace restorelab::store::testing {

/// A test with its own folder under /tmp, removed afterwards.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/restorelab-store-XXXXXX";
    dir_ = mkdtemp(pattern);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  /// Opens `name` in the folder, failing the test when it cannot.
  ResultsStore open(const std::string& name, StoreOptions options = {}) {
    auto store = ResultsStore::open(path(name), options);
    if (!store) ADD_FAILURE() << store.error().message;
    return std::move(store.value());
  }

  std::string dir_;
};

/// A run's facts as `restorelab run` would give them.
inline RunInfo sample_run(const std::string& started = "2026-11-25T18:00:00Z", const std::string& campaign = "",
                          const std::string& shard = "") {
  RunInfo r;
  r.started = started;
  r.version = "0.1.0";
  r.source_commit = "63a3093";
  r.rulebook_hash = "5d41402abc4b2a76";
  r.image_hash = "7d793037a0760186";
  r.accelerator = "tcg";
  r.host = "ci-runner-3";
  r.shard = shard;
  r.campaign = campaign;
  r.argv_json = R"(["restorelab","run","--json","scenarios/matrices/hal-by-disk.toml"])";
  return r;
}

/// An observed JSON object with the fields compare reads.
inline std::string observed(const std::string& outcome, const std::string& stop_code, int cpus) {
  return "{\"outcome\":\"" + outcome + "\",\"stop_code\":" +
         (stop_code.empty() ? std::string("null") : "\"" + stop_code + "\"") + ",\"cpus_used\":" +
         (cpus > 0 ? std::to_string(cpus) : std::string("null")) +
         ",\"cpus_present\":4,\"nics_configured\":1,\"nics_orphaned\":0,\"mac_changed\":[],\"degraded\":[]}";
}

/// A result of a matrix combination, its JSON the size of a real one.
inline ResultRecord sample_result(const std::string& id, Verdict verdict = Verdict::Agree,
                                  const std::string& outcome = "boots", int cpus = 1) {
  ResultRecord r;
  r.id = id;
  r.scenario = id;
  r.observation_key = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  r.axes_json = R"({"source.hal":"acpi-uniprocessor","destination.disk_bus":"virtio"})";
  r.predicted_json = R"({"supported":true,"outcome":"boots","cpus_used":1,"actions":["reinstall-apps"]})";
  r.observed_json = observed(outcome, outcome == "stop-0x7b" ? "0x0000007B" : "", cpus);
  r.verdict = verdict;
  r.differences_json = verdict == Verdict::Disagree ? R"(["outcome"])" : "[]";
  r.accelerator = "tcg";
  r.timings_json = R"({"source":9.8,"restore":20.5,"destination":12.1,"total":43.0})";
  r.evidence = "runs/2026-11-25T18-00-00/" + id + "/";
  r.json_line = "{\"id\":\"" + id + "\",\"verdict\":\"" + std::string(verdict_name(verdict)) + "\"}";
  return r;
}

/// An attempt that observed `outcome` (or failed with `error`).
inline AttemptRecord sample_attempt(int number, const std::string& key, const std::string& error = "") {
  AttemptRecord a;
  a.attempt = number;
  a.observation_key = key;
  if (error.empty()) a.observed_json = observed("boots", "", 1);
  a.error = error;
  a.evidence = "runs/2026-11-25T18-00-00/attempt-" + std::to_string(number) + "/";
  a.timings_json = R"({"total":43.0})";
  return a;
}

/// Runs `sql` on the file at `path` with SQLite itself; the test fails on an error.
inline void raw_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  EXPECT_EQ(rc, SQLITE_OK) << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(db);
}

/// SQLite's `PRAGMA integrity_check` of the file: "ok" when it is sound.
inline std::string integrity(const std::string& path) {
  sqlite3* db = nullptr;
  std::string answer = "cannot open";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_exec(
        db, "PRAGMA integrity_check",
        [](void* out, int, char** values, char**) {
          *static_cast<std::string*>(out) = values[0] ? values[0] : "";
          return 0;
        },
        &answer, nullptr);
  }
  sqlite3_close(db);
  return answer;
}

/// Runs `child` in a forked process and returns its exit status (-1 when it
/// did not exit normally). The child must end with _exit, never return.
template <class Child>
pid_t fork_child(Child child) {
  const pid_t pid = fork();
  if (pid == 0) {
    child();
    _exit(0);
  }
  return pid;
}

inline int wait_exit(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

}  // namespace restorelab::store::testing
