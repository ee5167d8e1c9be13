// Kept machines (kept_runs.h): the record a kept run leaves, the way in that
// run prints, and `restorelab kept` / `restorelab replay` on bad input. The
// machines themselves are exercised by vm.KeptMachinesSurviveTheNextRunAndTheWayInWorks
// and vm.ReplayRunsAStoredScenarioAgainKeptAndSaysWhetherItIsTheSame.
#include "harness/run/kept_runs.h"

#include <gtest/gtest.h>

#include <fstream>

#include "harness/machines/backend.h"
#include "harness/store/results_store.h"
#include "rules/rulebook.h"
#include "rules/toml_source.h"
#include "tests/harness/cli_test_util.h"
#include "tests/support/synthetic_results.h"
#include "rules/source_dir.h"

namespace restorelab {
namespace {

namespace fs = std::filesystem;
using testing::run_restorelab;

const std::string kEmbed = "qemu:///embed?root=/var/tmp/restorelab/embed";

run::KeptRun record_in(const fs::path& folder, std::string prefix, std::string uri = kEmbed) {
  fs::create_directories(folder);
  return run::KeptRun{folder.filename().string(), folder, std::move(prefix), std::move(uri), "2026-12-02T03:00:00Z", 4,
                      {run::KeptScenario{"ide-to-virtio", "ide-to-virtio", "runs/x/ide-to-virtio/",
                                         {"rl-ab12cd-ide-to-virtio-source", "rl-ab12cd-ide-to-virtio-destination"}}}};
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
