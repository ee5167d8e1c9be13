// Kept machines (kept_runs.h): the record a kept run leaves, the way in that
// run prints, and `restorelab kept` / `restorelab replay` on bad input. The
// machines themselves are exercised by vm.KeptMachinesSurviveTheNextRunAndTheWayInWorks
// and vm.ReplayRunsAStoredScenarioAgainKeptAndSaysWhetherItIsTheSame.
#include "harness/run/kept_runs.h"

#include <gtest/gtest.h>

#include <fstream>

#include "harness/machines/backend.h"
#include "harness/store/results_store.h"
#include <sqlite3.h>

#include "rules/rulebook.h"
#include "rules/validate.h"
#include "rules/toml_source.h"
#include "tests/harness/cli_test_util.h"
#include "tests/support/fifo.h"
#include "tests/support/synthetic_results.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;
using testing::run_restorelab;

const std::string kEmbed = "qemu:///embed?root=/var/tmp/restorelab/embed";

run::KeptRun record_in(const fs::path& folder, const std::string& prefix, std::string uri = kEmbed) {
  fs::create_directories(folder);
  return run::KeptRun{folder.filename().string(), folder, prefix, std::move(uri), "2026-12-02T03:00:00Z", 4,
                      {run::KeptScenario{"ide-to-virtio", "ide-to-virtio", "runs/x/ide-to-virtio/",
                                         {prefix + "ide-to-virtio-source", prefix + "ide-to-virtio-destination"}}}};
}

/// `record` with one change, written as kept.json of its folder.
template <class Change>
void write_changed(run::KeptRun record, Change change) {
  change(record);
  ASSERT_TRUE(run::write_kept(record));
}

TEST(KeptRunsTest, TheWayInQuotesTheUriAndStartsWhereTheScenarioEnded) {
  const run::KeptAccess a = run::way_in(kEmbed, {"rl-ab12cd-x-source", "rl-ab12cd-x-destination"});
  const std::string virsh = "virsh -c 'qemu:///embed?root=/var/tmp/restorelab/embed'";
  EXPECT_EQ(a.commands, (std::vector<std::string>{
                            virsh + " list --all",
                            virsh + " start --console rl-ab12cd-x-destination",
                            virsh + " screenshot rl-ab12cd-x-destination rl-ab12cd-x-destination.png",
                            virsh + " destroy rl-ab12cd-x-destination",
                        }));
  EXPECT_EQ(a.uri, kEmbed);
  EXPECT_TRUE(run::way_in(kEmbed, {}).commands.empty());
}

TEST(KeptRunsTest, ShellQuotingLeavesSafeWordsAlone) {
  EXPECT_EQ(run::shell_quote("rl-ab12cd-x_y.1"), "rl-ab12cd-x_y.1");
  EXPECT_EQ(run::shell_quote("a b"), "'a b'");
  EXPECT_EQ(run::shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(run::shell_quote(""), "''");
}

TEST(KeptRunsTest, TheWayInTextListsTheDomainsAndCommands) {
  const run::KeptAccess a = run::way_in("test:///default", {"rl-a-x-destination"});
  EXPECT_EQ(run::way_in_text("x", a),
            "restorelab run: kept the machines of x (stopped; disks and NVRAM kept): rl-a-x-destination\n"
            "  the way in (one command at a time, while no restorelab run uses the connection; Ctrl+] leaves the "
            "console):\n"
            "    virsh -c test:///default list --all\n"
            "    virsh -c test:///default start --console rl-a-x-destination\n"
            "    virsh -c test:///default screenshot rl-a-x-destination rl-a-x-destination.png\n"
            "    virsh -c test:///default destroy rl-a-x-destination\n"
            "  `restorelab kept` lists what is kept, `restorelab kept --remove RUN|all` removes it\n");
}

class KeptRecordTest : public testing::TempDirTest {};

TEST_F(KeptRecordTest, ARecordReadsBackAsWritten) {
  const run::KeptRun written = record_in(fs::path(dir_) / "2026-12-02T03-00-00", "rl-ab12cd-");
  ASSERT_TRUE(run::write_kept(written));
  auto read = run::read_kept(written.folder);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, written);
  EXPECT_TRUE(run::is_kept(written.folder));
}

TEST_F(KeptRecordTest, ListingIsByRunIdAndNamesADamagedRecord) {
  ASSERT_TRUE(run::write_kept(record_in(fs::path(dir_) / "2026-12-02T05-00-00", "rl-bbbbbb-")));
  ASSERT_TRUE(run::write_kept(record_in(fs::path(dir_) / "2026-12-02T04-00-00", "rl-aaaaaa-")));
  fs::create_directories(fs::path(dir_) / "not-kept");
  write("damaged/kept.json", "{\"run\": 3}\n");
  const run::KeptListing listing = run::list_kept(dir_);
  ASSERT_EQ(listing.runs.size(), 2u);
  EXPECT_EQ(listing.runs[0].run, "2026-12-02T04-00-00");
  EXPECT_EQ(listing.runs[1].run, "2026-12-02T05-00-00");
  EXPECT_EQ(listing.problems, (std::vector<std::string>{dir_ + "/damaged/kept.json: no \"run\" text"}));
  EXPECT_TRUE(run::is_kept(fs::path(dir_) / "damaged")) << "a damaged record still protects its run";
}

// A record is a file anyone with access to the work folder could have
// replaced: only a regular file of a bounded size is read.
TEST_F(KeptRecordTest, ARecordThatIsAFifoADeviceOrHugeIsRefusedWithoutReadingIt) {
  fs::create_directories(fs::path(dir_) / "fifo-run");
  testing::UnblockedFifo fifo(fs::path(dir_) / "fifo-run" / "kept.json");
  ASSERT_TRUE(fifo.made());
  auto from_fifo = run::read_kept(fs::path(dir_) / "fifo-run");
  ASSERT_FALSE(from_fifo);
  EXPECT_EQ(from_fifo.error().message, fifo.path() + ": a FIFO, not a regular file");

  fs::create_directories(fs::path(dir_) / "device-run");
  fs::create_symlink("/dev/zero", fs::path(dir_) / "device-run" / "kept.json");
  EXPECT_EQ(run::read_kept(fs::path(dir_) / "device-run").error().message,
            dir_ + "/device-run/kept.json: a character device, not a regular file");

  const std::string huge = write("huge-run/kept.json", "");
  fs::resize_file(huge, std::uintmax_t{64} << 20);
  EXPECT_EQ(run::read_kept(fs::path(dir_) / "huge-run").error().message, huge + ": 64 MiB; expected at most 4.0 MiB");

  const run::KeptListing listing = run::list_kept(dir_);
  EXPECT_TRUE(listing.runs.empty());
  EXPECT_EQ(listing.problems.size(), 3u) << "each is named";
  EXPECT_TRUE(run::is_kept(fs::path(dir_) / "fifo-run")) << "an unreadable record still protects its run";
}

// The names in a record become paths and the domains `kept --remove`
// destroys: each is refused unless it is this run's own.
TEST_F(KeptRecordTest, ANameInARecordThatIsNotThisRunsOwnIsRefused) {
  const fs::path folder = fs::path(dir_) / "2026-12-02T03-00-00";
  const run::KeptRun good = record_in(folder, "rl-ab12cd-");
  const std::string file = (folder / "kept.json").string();
  auto problem = [&](auto change) {
    write_changed(good, change);
    auto read = run::read_kept(folder);
    return read ? std::string("read") : read.error().message;
  };
  EXPECT_EQ(problem([&](run::KeptRun& r) { r.prefix = dir_ + "/victim"; }),
            file + ": \"prefix\" is \"" + dir_ + "/victim\"; expected a run's domain prefix such as \"rl-ab12cd-\" "
                   "(rl-, 6 lower-case letters or digits, -)");
  EXPECT_EQ(problem([](run::KeptRun& r) { r.prefix = "rl-../..-"; }),
            file + ": \"prefix\" is \"rl-../..-\"; expected a run's domain prefix such as \"rl-ab12cd-\" (rl-, 6 "
                   "lower-case letters or digits, -)");
  EXPECT_EQ(problem([](run::KeptRun& r) { r.run = "../2026-12-02T03-00-00"; }),
            file + ": \"run\" is \"../2026-12-02T03-00-00\", not the name of its folder \"2026-12-02T03-00-00\"");
  EXPECT_EQ(problem([](run::KeptRun& r) { r.scenarios[0].domains.push_back("production-db"); }),
            file + ": the domain \"production-db\" of \"ide-to-virtio\" is not one of this run's (expected a name "
                   "starting with its prefix \"rl-ab12cd-\")");
  EXPECT_EQ(problem([](run::KeptRun& r) { r.scenarios[0].domains.push_back("rl-ffffff-other-run-destination"); }),
            file + ": the domain \"rl-ffffff-other-run-destination\" of \"ide-to-virtio\" is not one of this run's "
                   "(expected a name starting with its prefix \"rl-ab12cd-\")");
  EXPECT_EQ(problem([](run::KeptRun& r) { r.scenarios[0].scenario = ".."; }),
            file + ": the scenario \"..\" of \"ide-to-virtio\": \"..\" is not a valid name; expected a lower-case "
                   "letter or a digit first (a name becomes a folder and file names)");
  EXPECT_EQ(problem([](run::KeptRun& r) { r.uri = "qemu:///embed?root=/x\x1b[2J"; }),
            file + ": \"uri\" is \"qemu:///embed?root=/x\\u001b[2J\", with control characters");
  EXPECT_EQ(problem([](run::KeptRun&) {}), "read");
}

// forget_kept_in_root removes ROOT/restorelab-kept/PREFIX: a prefix that is
// a path would have it unlink that path (as root).
TEST_F(KeptRecordTest, ForgettingAPrefixThatIsAPathRemovesNothing) {
  const std::string victim = write("victim", "precious\n");
  const std::string beside = write("embed/restorelab-kept-victim", "precious\n");
  run::forget_kept_in_root(fs::path(dir_) / "embed", victim);
  run::forget_kept_in_root(fs::path(dir_) / "embed", "../restorelab-kept-victim");
  EXPECT_TRUE(fs::exists(victim));
  EXPECT_TRUE(fs::exists(beside));
}

TEST_F(KeptRecordTest, SizesAndAgesReadLikeDu) {
  const std::string sparse = write("disk.img", "");
  fs::resize_file(sparse, 1 << 30);
  EXPECT_EQ(run::allocated_bytes(sparse), 0u) << "a sparse disk counts what it holds";
  write("data.bin", std::string(64 * 1024, 'x'));
  EXPECT_GE(run::allocated_bytes(dir_), 64u * 1024);
  EXPECT_EQ(run::human_bytes(0), "0 B");
  EXPECT_EQ(run::human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(run::human_bytes(210ull << 20), "210 MiB");
  EXPECT_EQ(run::human_bytes(3ull << 30), "3.0 GiB");
  EXPECT_EQ(run::human_age("2026-12-02T03:00:00Z", "2026-12-02T03:00:45Z"), "45 s");
  EXPECT_EQ(run::human_age("2026-12-02T03:00:00Z", "2026-12-02T03:12:00Z"), "12 min");
  EXPECT_EQ(run::human_age("2026-12-02T03:00:00Z", "2026-12-02T08:00:00Z"), "5 h");
  EXPECT_EQ(run::human_age("2026-12-02T03:00:00Z", "2026-12-05T03:00:00Z"), "3 d");
  EXPECT_EQ(run::human_age("yesterday", "2026-12-05T03:00:00Z"), "?");
}

class KeptCommandTest : public testing::TempDirTest {};

TEST_F(KeptCommandTest, ListsWhatIsKeptFromTheRecords) {
  auto none = run_restorelab({"kept", "--work", dir_});
  EXPECT_EQ(none.code, 0);
  EXPECT_EQ(none.out, "nothing is kept in " + dir_ + "\n");
  const run::KeptRun r = record_in(fs::path(dir_) / "2026-12-02T03-00-00", "rl-ab12cd-");
  ASSERT_TRUE(run::write_kept(r));
  write("2026-12-02T03-00-00/ide-to-virtio/system.qcow2", std::string(8192, 'x'));
  auto listed = run_restorelab({"kept", "--work", dir_});
  EXPECT_EQ(listed.code, 0) << listed.err;
  const auto first_line = listed.out.find('\n');
  EXPECT_TRUE(listed.out.starts_with("run 2026-12-02T03-00-00: kept ")) << listed.out;
  EXPECT_TRUE(listed.out.substr(0, first_line).ends_with(" ago, store run 4, " + kEmbed)) << listed.out;
  EXPECT_EQ(listed.out.substr(first_line + 1),
            "  ide-to-virtio: disks 8.0 KiB, evidence runs/x/ide-to-virtio/\n"
            "    rl-ab12cd-ide-to-virtio-source\n"
            "    rl-ab12cd-ide-to-virtio-destination\n");
  auto json = run_restorelab({"kept", "--work", dir_, "--json"});
  EXPECT_NE(json.out.find("\"domains\":[\"rl-ab12cd-ide-to-virtio-source\",\"rl-ab12cd-ide-to-virtio-destination\"],"
                          "\"disk_bytes\":8192"),
            std::string::npos)
      << json.out;
}

TEST_F(KeptCommandTest, RemovingARunThatIsNotKeptIsBadInput) {
  auto nothing = run_restorelab({"kept", "--work", dir_, "--remove", "2026-12-02T03-00-00"});
  EXPECT_EQ(nothing.code, 2);
  EXPECT_EQ(nothing.err, "restorelab kept: --remove: no kept run \"2026-12-02T03-00-00\" in " + dir_ +
                             "; nothing is kept\n");
  ASSERT_TRUE(run::write_kept(record_in(fs::path(dir_) / "2026-12-02T03-00-00", "rl-ab12cd-")));
  ASSERT_TRUE(run::write_kept(record_in(fs::path(dir_) / "2026-12-02T04-00-00", "rl-ef34gh-")));
  auto typo = run_restorelab({"kept", "--work", dir_, "--remove", "2026-12-02T03-00-01"});
  EXPECT_EQ(typo.code, 2);
  EXPECT_EQ(typo.err, "restorelab kept: --remove: no kept run \"2026-12-02T03-00-01\" in " + dir_ +
                          "; did you mean \"2026-12-02T03-00-00\"?\n");
  auto other = run_restorelab({"kept", "--work", dir_, "--remove", "yesterday"});
  EXPECT_EQ(other.err, "restorelab kept: --remove: no kept run \"yesterday\" in " + dir_ +
                           "; kept runs: \"2026-12-02T03-00-00\", \"2026-12-02T04-00-00\"\n");
  EXPECT_TRUE(fs::exists(fs::path(dir_) / "2026-12-02T03-00-00" / "kept.json")) << "bad input removes nothing";
}

TEST_F(KeptCommandTest, AnEmptyRemoveOrAWorkThatIsNoFolderIsBadInput) {
  ASSERT_TRUE(run::write_kept(record_in(fs::path(dir_) / "2026-12-02T03-00-00", "rl-ab12cd-")));
  auto empty = run_restorelab({"kept", "--work", dir_, "--remove", ""});
  EXPECT_EQ(empty.code, 2);
  EXPECT_EQ(empty.err, "restorelab kept: --remove: expected a kept run's id (as `restorelab kept` lists it) or all\n");
  EXPECT_EQ(empty.out, "");
  const std::string file = write("a-file", "x");
  auto on_file = run_restorelab({"kept", "--work", file});
  EXPECT_EQ(on_file.code, 2);
  EXPECT_EQ(on_file.err, "restorelab kept: --work " + file + ": not a folder; name the folder the runs were given as "
                         "--work (default /var/tmp/restorelab/work)\n");
  auto missing = run_restorelab({"kept", "--work", dir_ + "/missing", "--remove", "all"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(missing.err, "restorelab kept: --work " + dir_ + "/missing: no such folder; name the folder the runs "
                         "were given as --work (default /var/tmp/restorelab/work)\n");
  EXPECT_EQ(missing.out, "");
}

// A record's uri naming an embedded root elsewhere: opening it would make a
// libvirt root there (ROOT/etc/qemu.conf, ROOT/log, a lock) before anything
// is refused. It is refused first, unless that root notes the run.
TEST_F(KeptCommandTest, ARecordNamingAnotherEmbeddedRootIsRefusedBeforeAnythingIsMadeThere) {
  if (machines::backend_name() != "libvirt") GTEST_SKIP() << "built without a backend";
  const fs::path elsewhere = fs::path(dir_) / "elsewhere";
  const run::KeptRun r = record_in(fs::path(dir_) / "work" / "2026-12-02T03-00-00", "rl-ab12cd-",
                                   "qemu:///embed?root=" + elsewhere.string());
  ASSERT_TRUE(run::write_kept(r));
  auto removed = run_restorelab({"kept", "--work", dir_ + "/work", "--remove", "all"});
  EXPECT_EQ(removed.code, 2);
  EXPECT_EQ(removed.err, "restorelab kept: kept run 2026-12-02T03-00-00: its record names the embedded root " +
                             elsewhere.string() + ", which is not restorelab's (/var/tmp/restorelab/embed) and holds "
                             "no note of this run (" + elsewhere.string() + "/restorelab-kept/rl-ab12cd-); nothing "
                             "of it was removed\n");
  EXPECT_FALSE(fs::exists(elsewhere)) << "nothing was made there";
  EXPECT_TRUE(fs::exists(r.folder / "kept.json"));
  EXPECT_FALSE(run::noted_in_root(elsewhere, r));
  ASSERT_TRUE(run::note_kept_in_root(elsewhere, r));
  EXPECT_TRUE(run::noted_in_root(elsewhere, r)) << "a run kept there is noted there";
}

TEST_F(KeptCommandTest, RemoveTakesTheDomainsAndDisksAway) {
  if (machines::backend_name() != "libvirt") GTEST_SKIP() << "built without a backend";
  // libvirt's test driver lives in the process: the domains are not there,
  // which removal takes as already gone.
  ASSERT_TRUE(run::write_kept(record_in(fs::path(dir_) / "2026-12-02T03-00-00", "rl-ab12cd-", "test:///default")));
  write("2026-12-02T03-00-00/ide-to-virtio/system.qcow2", std::string(4096, 'x'));
  auto removed = run_restorelab({"kept", "--work", dir_, "--remove", "all"});
  EXPECT_EQ(removed.code, 0) << removed.err;
  EXPECT_EQ(removed.out, "removed kept run 2026-12-02T03-00-00: 0 domain(s), 8.0 KiB of disks\n");
  EXPECT_FALSE(fs::exists(fs::path(dir_) / "2026-12-02T03-00-00"));
  EXPECT_EQ(run_restorelab({"kept", "--work", dir_}).out, "nothing is kept in " + dir_ + "\n");
}

// The stored scenario name becomes the folder of the replay's disks and
// evidence: it passes the check a scenario file's name does, before
// anything runs.
TEST_F(KeptCommandTest, ReplayOfAStoredNameThatIsNoScenarioNameIsBadInput) {
  auto loaded = load_rulebook_file(DiskReader{}, restorelab::source_path("/rules/kb249694.toml"));
  ASSERT_TRUE(loaded);
  const std::string db = dir_ + "/results.sqlite";
  std::string id;
  {
    auto s = store::ResultsStore::open(db);
    ASSERT_TRUE(s);
    std::string error;
    const std::int64_t run = testing::record_synthetic_run(*s, *loaded, testing::synthetic(1), error);
    ASSERT_NE(run, 0) << error;
    id = s->results_of_run(run)->front().id;
  }
  for (const std::string& name : {std::string(".."), std::string("."), std::string("Upper"), std::string(300, 'a')}) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    sqlite3_stmt* update = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw, "UPDATE results SET scenario = ?1", -1, &update, nullptr), SQLITE_OK);
    sqlite3_bind_text(update, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(update), SQLITE_DONE);
    sqlite3_finalize(update);
    sqlite3_close(raw);
    auto r = run_restorelab({"replay", id, "--db", db, "--work", dir_ + "/work", "--evidence", dir_ + "/runs"});
    EXPECT_EQ(r.code, 2) << name;
    EXPECT_EQ(r.err, "restorelab replay: " + db + ": run 1, " + id + ": the stored scenario name " +
                         name_problem(name) + "; the store is damaged or was not written by restorelab\n");
    EXPECT_FALSE(fs::exists(dir_ + "/runs")) << "nothing ran";
  }
}

TEST_F(KeptCommandTest, ReplayOfAnIdTheStoreDoesNotHoldIsBadInput) {
  auto loaded = load_rulebook_file(DiskReader{}, restorelab::source_path("/rules/kb249694.toml"));
  ASSERT_TRUE(loaded);
  const std::string db = dir_ + "/results.sqlite";
  {
    auto s = store::ResultsStore::open(db);
    ASSERT_TRUE(s);
    std::string error;
    ASSERT_NE(testing::record_synthetic_run(*s, *loaded, testing::synthetic(3), error), 0) << error;
  }
  auto r = run_restorelab({"replay", "no-such-scenario", "--db", db});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "restorelab replay: no observed scenario \"no-such-scenario\" in " + db + "\n");
  auto in_run = run_restorelab({"replay", "no-such-scenario", "--db", db, "--run", "1"});
  EXPECT_EQ(in_run.err, "restorelab replay: no observed scenario \"no-such-scenario\" in " + db + " run 1\n");
  auto missing = run_restorelab({"replay", "x", "--db", dir_ + "/missing.sqlite"});
  EXPECT_EQ(missing.code, 2);
}

}  // namespace
}  // namespace restorelab
