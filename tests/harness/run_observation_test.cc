// The observer: serial logs (captured from real boots) and how the domain
// ended -> what the user is told happened.
#include "harness/run/observation.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness/run/serial_log.h"
#include "rules/source_dir.h"

namespace restorelab::run {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(restorelab::source_path("/tests/harness/run_fixtures/" + std::string(name)), std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_FALSE(s.str().empty()) << name;
  return s.str();
}

VmRecord record(Phase phase, VmEnd end, std::string serial, std::vector<std::string> lifecycle = {},
                std::string state = "shut off (destroyed)") {
  VmRecord r;
  r.phase = phase;
  r.end = end;
  r.serial = std::move(serial);
  r.lifecycle = std::move(lifecycle);
  r.domain_state = std::move(state);
  r.silence_seconds = 20;
  return r;
}

std::vector<VmRecord> chain_then(VmRecord destination) {
  return {record(Phase::Source, VmEnd::GuestDone, fixture("source-install-backup.log")),
          record(Phase::Restore, VmEnd::GuestDone, fixture("restore-system-state.log")), std::move(destination)};
}

const std::string kKernelStart =
    "RESTORELAB {\"event\":\"kernel-start\",\"disk\":\"system\",\"firmware\":\"bios\",\"cpus_online\":1}\r\n"
    "RESTORELAB {\"event\":\"job\",\"scenario\":\"x\",\"phases\":[\"boot\"],\"disk\":\"system\"}\r\n";

TEST(SerialLogTest, ReadsReportLinesAndSkipsEverythingElse) {
  auto events = parse_serial(fixture("source-install-backup.log"));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().event, "kernel-start");
  EXPECT_EQ(events.back().event, "done");
  EXPECT_NE(last_event(events, "backup"), nullptr);
}

TEST(SerialLogTest, ALineTheLogEndsInsideKeepsOnlyTheFieldsThatArrivedWhole) {
  auto events = parse_serial(kKernelStart + "RESTORELAB {\"event\":\"boot\",\"outc");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_FALSE(events[1].cut);
  const SerialEvent& cut = events.back();
  EXPECT_TRUE(cut.cut);
  EXPECT_EQ(cut.event, "boot");
  EXPECT_EQ(cut.fields.dump(), R"({"event":"boot"})");
  EXPECT_EQ(cut.text, R"(RESTORELAB {"event":"boot","outc)");
  EXPECT_EQ(cut_line(events), &cut);
}

TEST(SerialLogTest, ACutLinesLastValueCountsOnlyWhenItCannotHaveBeenLonger) {
  auto fields = [](std::string_view line) {
    auto events = parse_serial("RESTORELAB " + std::string(line));
    EXPECT_EQ(events.size(), 1u) << line;
    EXPECT_TRUE(events.empty() || events[0].cut) << line;
    return events.empty() ? std::string() : events[0].fields.dump();
  };
  EXPECT_EQ(fields(R"({"event":"boot","outcome":"stop-0x7b")"), R"({"event":"boot","outcome":"stop-0x7b"})");
  EXPECT_EQ(fields(R"({"event":"boot","outcome":"stop-0x7)"), R"({"event":"boot"})");
  EXPECT_EQ(fields(R"({"event":"boot","outcome")"), R"({"event":"boot"})");
  EXPECT_EQ(fields(R"({"event":"boot","cpus_online":1)"), R"({"event":"boot"})");  // maybe 12
  EXPECT_EQ(fields(R"({"event":"boot","cpus_online":1,)"), R"({"event":"boot","cpus_online":1})");
  EXPECT_EQ(fields(R"({"event":"boot","acpi":true)"), R"({"event":"boot","acpi":true})");
  EXPECT_EQ(fields(R"({"event":"boot","acpi":tru)"), R"({"event":"boot"})");
  EXPECT_EQ(fields(R"({"event":"boot","d":["ide","sata"])"), R"({"event":"boot","d":["ide","sata"]})");
  EXPECT_EQ(fields(R"({"event":"boot","d":["ide","sa)"), R"({"event":"boot"})");
  EXPECT_EQ(fields(R"({"event":"boot","x":{"a":{"b":1}})"), R"({"event":"boot","x":{"a":{"b":1}}})");
  EXPECT_EQ(fields(R"({"event":"boot","x":{"a":{"b":1})"), R"({"event":"boot"})");
  EXPECT_EQ(fields(R"({"event":"boot","detail":"a \"q\", b\\")"), R"({"event":"boot","detail":"a \"q\", b\\"})");
  EXPECT_EQ(fields(R"({"event":"boot","detail":"a, \"b\\\")"), R"({"event":"boot"})");
  EXPECT_EQ(fields(R"({"ev)"), "{}");
  EXPECT_EQ(fields("{"), "{}");
}

TEST(SerialLogTest, AWholeObjectWithoutItsNewlineIsNotCut) {
  auto events = parse_serial(kKernelStart + R"(RESTORELAB {"event":"done","stopped":true,"error":false})");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_FALSE(events.back().cut);
  EXPECT_EQ(events.back().event, "done");
  EXPECT_EQ(cut_line(events), nullptr);
}

TEST(SerialLogTest, AnInvalidLineInsideTheLogIsSkipped) {
  auto events = parse_serial("RESTORELAB {\"event\":\"boot\",\"outc\r\n" + kKernelStart);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events.front().event, "kernel-start");
  EXPECT_EQ(cut_line(events), nullptr);
}

TEST(ObserverTest, UniprocessorHalOnFourCpusBootsDegradedOnOne) {
  Observation o = observe(chain_then(record(Phase::Destination, VmEnd::GuestDone, fixture("boot-degraded-up-on-mp.log"))));
  ASSERT_FALSE(o.failed()) << o.error;
  EXPECT_EQ(o.outcome, Outcome::BootsDegraded);
  EXPECT_EQ(o.cpus_used, 1);
  EXPECT_EQ(o.cpus_present, 4);
  EXPECT_EQ(o.nics_configured, 1);
  EXPECT_EQ(o.nics_orphaned, 0);
  EXPECT_EQ(o.degraded, std::vector<std::string>{"uniprocessor-hal"});
}

// A NIC driver that raced the virtio core left an error on kernel-start; the
// boot line after it reported NIC bindings the guest may not have made.
TEST(ObserverTest, AModuleTheGuestCouldNotLoadFailsTheRunInsteadOfBeingAnOutcome) {
  Observation o =
      observe(chain_then(record(Phase::Destination, VmEnd::GuestDone, fixture("boot-degraded-module-error.log"))));
  ASSERT_TRUE(o.failed());
  EXPECT_FALSE(o.outcome);
  EXPECT_EQ(o.error, "destination VM: the model guest could not load 1 module (finit_module "
                     "/lib/modules/rl/virtio_net.ko: No such file or directory); that is no outcome of the restore");
}

TEST(ObserverTest, StopLineFollowedByPanicIsTheStop) {
  Observation o = observe(chain_then(record(Phase::Destination, VmEnd::Stopped, fixture("boot-stop-0x7b.log"),
                                            {"crashed/panicked", "stopped/crashed"}, "shut off (crashed)")));
  EXPECT_EQ(o.outcome, Outcome::Stop0x7B);
  EXPECT_EQ(o.stop_code, "0x0000007B");
  EXPECT_EQ(o.cpus_used, std::nullopt);  // it does not boot
  EXPECT_EQ(o.evidence, "destination boot line + pvpanic");
}

// A campaign saw a stop read as an infrastructure error: the guest raised
// pvpanic before the UART had sent its whole boot line.
TEST(ObserverTest, ABootLineCutAfterItsOutcomeIsThatOutcome) {
  Observation o = observe(chain_then(record(Phase::Destination, VmEnd::Stopped, fixture("boot-stop-0x7b-cut.log"),
                                            {"crashed/panicked", "stopped/crashed"}, "shut off (crashed)")));
  ASSERT_FALSE(o.failed()) << o.error;
  EXPECT_EQ(o.outcome, Outcome::Stop0x7B);
  EXPECT_EQ(o.stop_code, "");  // it did not arrive
  EXPECT_EQ(o.detail, "the serial console cut the boot line short after \"outcome\"");
  EXPECT_EQ(o.evidence, "destination boot line (cut short) + pvpanic");
}

TEST(ObserverTest, ACutBootLineKeepsTheGuestsDetailAndNotesTheCut) {
  const std::string log = kKernelStart +
                          R"(RESTORELAB {"event":"boot","outcome":"boots-degraded","detail":"one cpu","cpus_online":1)";
  Observation o = observe(chain_then(record(Phase::Destination, VmEnd::Stopped, log)));
  ASSERT_FALSE(o.failed()) << o.error;
  EXPECT_EQ(o.outcome, Outcome::BootsDegraded);
  EXPECT_EQ(o.cpus_used, std::nullopt);  // "1" may have been "12"
  EXPECT_EQ(o.detail, "one cpu (the serial console cut the boot line short after \"detail\")");
  EXPECT_EQ(o.evidence, "destination boot line (cut short)");
}

TEST(ObserverTest, ABootLineCutBeforeItsOutcomeIsAnErrorThatSaysTheConsoleWasCut) {
  Observation o = observe(chain_then(record(Phase::Destination, VmEnd::Stopped, fixture("boot-cut-before-outcome.log"),
                                            {"crashed/panicked", "stopped/crashed"}, "shut off (crashed)")));
  EXPECT_TRUE(o.failed());
  EXPECT_EQ(o.outcome, std::nullopt);
  EXPECT_EQ(o.error,
            R"(destination VM: the serial console was cut inside the boot line before its outcome: )"
            R"(RESTORELAB {"event":"boot","outc (the guest panicked (shut off (crashed))))");
}

TEST(ObserverTest, ALineCutBeforeItsEventNameIsAnErrorThatSaysTheConsoleWasCut) {
  Observation o = observe(chain_then(record(Phase::Destination, VmEnd::Stopped, kKernelStart + "RESTORELAB {\"ev",
                                            {"crashed/panicked"}, "shut off (crashed)")));
  EXPECT_EQ(o.error,
            R"(destination VM: the serial console was cut inside a report line before its event name: )"
            R"(RESTORELAB {"ev (the guest panicked (shut off (crashed))))");
}

TEST(ObserverTest, AnIntermediateVmCutShortSaysWhatWasCut) {
  Observation o = observe({record(Phase::Source, VmEnd::Stopped,
                                  kKernelStart + R"(RESTORELAB {"event":"backup","kind":"bm)", {"stopped/shutdown"},
                                  "shut off (shutdown)")});
  EXPECT_EQ(o.error,
            R"(source VM ended before its job finished: the domain stopped (shut off (shutdown)); its serial )"
            R"(console was cut inside: RESTORELAB {"event":"backup","kind":"bm)");
}

TEST(ObserverTest, ACutRefusalAndACutErrorAreReadWithANote) {
  Observation refused = observe(
      {record(Phase::Source, VmEnd::GuestDone, fixture("source-install-backup.log")),
       record(Phase::Recovery, VmEnd::Stopped,
              kKernelStart + R"(RESTORELAB {"event":"restore","outcome":"restore-refused","reason":"image is bi)")});
  EXPECT_EQ(refused.outcome, Outcome::RestoreRefused);
  EXPECT_EQ(refused.detail, "the serial console cut the restore line short after \"outcome\"");
  EXPECT_EQ(refused.evidence, "recovery restore line (cut short)");
  Observation error = observe({record(Phase::Source, VmEnd::Stopped,
                                      kKernelStart + R"(RESTORELAB {"event":"error","phase":"backup","error":"no ba)")});
  EXPECT_EQ(error.error,
            R"(source VM: the guest reported an error in phase backup: the serial console cut the error line short )"
            R"(after "phase")");
}

TEST(ObserverTest, KernelStartThenSilenceIsAHang) {
  Observation o = observe(chain_then(record(Phase::Destination, VmEnd::Silent, kKernelStart)));
  EXPECT_EQ(o.outcome, Outcome::Hang);
  EXPECT_EQ(o.evidence, "kernel-start, then no serial output for 20 s (watchdog)");
}

TEST(ObserverTest, OvmfShellWithoutKernelIsNoBootableDevice) {
  Observation o = observe(chain_then(record(Phase::Destination, VmEnd::FirmwareShell, fixture("ovmf-shell.log"))));
  EXPECT_EQ(o.outcome, Outcome::NoBootableDevice);
}

TEST(ObserverTest, SeabiosResetWithoutKernelIsNoBootableDevice) {
  Observation o = observe(chain_then(record(Phase::Destination, VmEnd::Stopped, "SeaBIOS\r\nBooting from Hard Disk...\r\n",
                                            {"shutdown/finished", "stopped/shutdown"}, "shut off (shutdown)")));
  EXPECT_EQ(o.outcome, Outcome::NoBootableDevice);
}

TEST(ObserverTest, SilenceBeforeAnyKernelIsNoBootableDeviceNotAHang) {
  Observation o = observe(chain_then(record(Phase::Destination, VmEnd::Silent, "")));
  EXPECT_EQ(o.outcome, Outcome::NoBootableDevice);
}

TEST(ObserverTest, SilenceOnceALoaderStartedIsAFailedRunNotNoBootableDevice) {
  // Captured in a restore-10 campaign on a loaded 2-core host: SeaBIOS found
  // the disk, syslinux started and cleared the screen to load the kernel,
  // then 45 s of silence. The firmware did not give up: no outcome.
  Observation o =
      observe(chain_then(record(Phase::Destination, VmEnd::Silent, fixture("seabios-syslinux-then-silence.log"))));
  ASSERT_TRUE(o.failed());
  EXPECT_TRUE(o.error.starts_with("destination VM: the boot loader started (\"SYSLINUX 6.04 EDD 20210613 Copyright (C) "
                                  "1994-2015 H. Peter Anvin et al\") and then nothing reached the serial console before "
                                  "any kernel: "))
      << o.error;
  // The same silence after OVMF started its loader.
  o = observe(chain_then(record(Phase::Destination, VmEnd::Silent,
                                "BdsDxe: starting Boot0001 \"UEFI QEMU HARDDISK QM00001 \" from PciRoot(0x0)\r\n")));
  EXPECT_TRUE(o.failed()) << o.evidence;
  // Before a loader (SeaBIOS alone), silence is still the firmware giving up.
  o = observe(chain_then(record(Phase::Destination, VmEnd::Silent, "SeaBIOS\r\nBooting from Hard Disk...\r\n")));
  EXPECT_EQ(o.outcome, Outcome::NoBootableDevice);
}

TEST(SerialLogTest, FindsTheFileEachLoaderReportsMissing) {
  auto syslinux = loader_missing_file(
      "SeaBIOS\r\nBooting from Hard Disk...\r\nSYSLINUX 6.04 EDD 20191223\r\n"
      "Loading /C/WINDOWS/system32/vmlinuz failed: No such file or directory\r\nboot: ");
  ASSERT_TRUE(syslinux);
  EXPECT_EQ(syslinux->file, "/C/WINDOWS/system32/vmlinuz");
  EXPECT_EQ(syslinux->line, "Loading /C/WINDOWS/system32/vmlinuz failed: No such file or directory");
  // Captured: syslinux 6.04 through SeaBIOS's serial console, then its boot: prompt.
  auto captured = loader_missing_file(fixture("seabios-syslinux-kernel-missing.log"));
  ASSERT_TRUE(captured);
  EXPECT_EQ(captured->file, "/C/WIN2003/system32/vmlinuz");
  // Captured: systemd-boot 252 drops the entry whose kernel is missing, then OVMF's UiApp.
  auto no_entry = loader_missing_file(fixture("ovmf-systemd-boot-kernel-missing.log"));
  ASSERT_TRUE(no_entry);
  EXPECT_EQ(no_entry->file, "");
  EXPECT_EQ(no_entry->line, "No loader found. Configuration files in \\loader\\entries\\*.conf are needed.");
  auto systemd_boot = loader_missing_file(
      "BdsDxe: starting Boot0001\r\n\x1b[0m\x1b[31m\x1b[40mError loading \\C\\WINDOWS\\system32\\vmlinuz: Not Found\r\n");
  ASSERT_TRUE(systemd_boot);
  EXPECT_EQ(systemd_boot->file, "\\C\\WINDOWS\\system32\\vmlinuz");
  EXPECT_EQ(systemd_boot->line, "Error loading \\C\\WINDOWS\\system32\\vmlinuz: Not Found");
  // Other failures of the loader, and anything after a kernel started, are not a missing file.
  EXPECT_FALSE(loader_missing_file("Error loading \\EFI\\x.efi: Access Denied\r\n"));
  EXPECT_FALSE(loader_missing_file(kKernelStart + "Loading /x failed: No such file or directory\n"));
  EXPECT_FALSE(loader_missing_file("Loading /C/WINDOWS/system32/vmlinuz... ok\r\n"));
  EXPECT_FALSE(loader_missing_file("SeaBIOS\r\nBooting from Hard Disk...\r\n"));
}

TEST(ObserverTest, TheLoaderMissingTheSystemrootsKernelIsBootFileMissing) {
  Observation o = observe(chain_then(record(
      Phase::Destination, VmEnd::Silent, "SYSLINUX 6.04\r\nLoading /C/WINDOWS/system32/vmlinuz failed: No such file or directory\r\nboot: ")));
  EXPECT_EQ(o.outcome, Outcome::BootFileMissing);
  EXPECT_EQ(o.detail, "/C/WINDOWS/system32/vmlinuz");
  EXPECT_EQ(o.evidence, "no kernel-start; the boot loader: Loading /C/WINDOWS/system32/vmlinuz failed: No such file "
                        "or directory");
  // A QEMU that died is a failed run, whatever the loader printed before.
  o = observe(chain_then(record(Phase::Destination, VmEnd::Stopped, "Loading /x failed: No such file or directory\r\n",
                                {"stopped/failed"}, "shut off (crashed)")));
  EXPECT_TRUE(o.failed());
}

TEST(ObserverTest, SystemdBootWithoutAnEntryIsBootFileMissing) {
  Observation o = observe(chain_then(
      record(Phase::Destination, VmEnd::Silent, fixture("ovmf-systemd-boot-kernel-missing.log"))));
  EXPECT_EQ(o.outcome, Outcome::BootFileMissing);
  EXPECT_EQ(o.detail, "No loader found. Configuration files in \\loader\\entries\\*.conf are needed.");
}

TEST(ObserverTest, QemuKilledMidRunIsAnErrorNotAnOutcome) {
  Observation o = observe({record(Phase::Source, VmEnd::Stopped, kKernelStart, {"stopped/failed"}, "shut off (crashed)")});
  EXPECT_TRUE(o.failed());
  EXPECT_EQ(o.outcome, std::nullopt);
  EXPECT_EQ(o.error, "source VM ended before its job finished: its QEMU process died (shut off (crashed))");
}

TEST(ObserverTest, QemuKilledBeforeTheKernelOfTheDestinationIsAnError) {
  Observation o = observe(chain_then(record(Phase::Destination, VmEnd::Stopped, "SeaBIOS\r\n", {"stopped/failed"},
                                            "shut off (crashed)")));
  EXPECT_TRUE(o.failed());
  EXPECT_EQ(o.error, "destination VM ended before any kernel started: its QEMU process died (shut off (crashed))");
}

TEST(ObserverTest, GuestErrorLineFailsTheRun) {
  Observation o = observe({record(Phase::Source, VmEnd::GuestDone,
                                  kKernelStart + "RESTORELAB {\"event\":\"error\",\"phase\":\"backup\",\"error\":\"no backup disk\"}\r\n"
                                                 "RESTORELAB {\"event\":\"done\",\"stopped\":true,\"error\":true}\r\n")});
  EXPECT_EQ(o.error, "source VM: the guest reported an error in phase backup: no backup disk");
}

TEST(ObserverTest, RefusedRestoreIsAnOutcome) {
  Observation o = observe(
      {record(Phase::Source, VmEnd::GuestDone, fixture("source-install-backup.log")),
       record(Phase::Recovery, VmEnd::GuestDone,
              kKernelStart + "RESTORELAB {\"event\":\"restore\",\"outcome\":\"restore-refused\",\"reason\":\"image is bios\"}\r\n"
                             "RESTORELAB {\"event\":\"done\",\"stopped\":true,\"error\":false}\r\n")});
  EXPECT_EQ(o.outcome, Outcome::RestoreRefused);
  EXPECT_EQ(o.detail, "image is bios");
}

TEST(ObserverTest, AFinishedIntermediatePhaseLeavesItUndecided) {
  Observation o = observe({record(Phase::Source, VmEnd::GuestDone, fixture("source-install-backup.log"))});
  EXPECT_FALSE(o.final());
}

TEST(ObserverTest, StartFailureAndTimeoutAreErrors) {
  VmRecord start = record(Phase::Source, VmEnd::StartFailed, "");
  start.error = "starting domain \"rl-x\": internal error";
  EXPECT_EQ(observe({start}).error, "source VM: it did not start: starting domain \"rl-x\": internal error");
  VmRecord slow = record(Phase::Source, VmEnd::TimedOut, kKernelStart);
  slow.error = "no result within 150 s";
  EXPECT_EQ(observe({slow}).error, "source VM: no result within 150 s");
}

// restore.after: the restore VM starts the OS the earlier restore left
// (phases boot,restore-system-state). When that start fails, the stop is the
// scenario's outcome, not a chain that broke off.
const std::string kChainRestoreStart =
    "RESTORELAB {\"event\":\"kernel-start\",\"disk\":\"system\",\"firmware\":\"bios\",\"cpus_online\":1}\r\n"
    "RESTORELAB {\"event\":\"job\",\"scenario\":\"x\",\"phases\":[\"boot\",\"restore-system-state\"],"
    "\"disk\":\"system\"}\r\n";

std::vector<VmRecord> bmr_then(VmRecord restore) {
  return {record(Phase::Source, VmEnd::GuestDone, fixture("source-install-backup.log")),
          record(Phase::Recovery, VmEnd::GuestDone,
                 kKernelStart + "RESTORELAB {\"event\":\"restore\",\"outcome\":\"restored\",\"kind\":\"bmr\"}\r\n"
                                "RESTORELAB {\"event\":\"done\",\"stopped\":false,\"error\":false}\r\n"),
          std::move(restore)};
}

TEST(ObserverTest, AChainsRestoreVmThatCannotStartItsOsIsThatStop) {
  Observation o = observe(bmr_then(record(
      Phase::Restore, VmEnd::Stopped,
      kChainRestoreStart + "*** STOP: 0x0000007B (INACCESSIBLE_BOOT_DEVICE)\r\n"
                           "RESTORELAB {\"event\":\"boot\",\"outcome\":\"stop-0x7b\",\"stop_code\":\"0x0000007B\","
                           "\"detail\":\"no RL-SYSTEM\",\"cpus_online\":1}\r\n",
      {"crashed/panicked", "stopped/crashed"}, "shut off (crashed)")));
  ASSERT_FALSE(o.failed()) << o.error;
  EXPECT_EQ(o.outcome, Outcome::Stop0x7B);
  EXPECT_EQ(o.stop_code, "0x0000007B");
  EXPECT_EQ(o.evidence, "restore boot line + pvpanic");
}

TEST(ObserverTest, AChainsRestoreVmThatHangsAtItsStartIsAHang) {
  Observation o = observe(bmr_then(record(Phase::Restore, VmEnd::Silent, kChainRestoreStart)));
  EXPECT_EQ(o.outcome, Outcome::Hang);
}

TEST(ObserverTest, AChainsRestoreVmWhoseOsStartedGoesOnToTheDestination) {
  Observation o = observe(bmr_then(record(
      Phase::Restore, VmEnd::GuestDone,
      kChainRestoreStart + "RESTORELAB {\"event\":\"boot\",\"outcome\":\"boots-degraded\",\"cpus_online\":1}\r\n"
                           "RESTORELAB {\"event\":\"restore\",\"outcome\":\"restored\",\"kind\":\"system-state\"}\r\n"
                           "RESTORELAB {\"event\":\"done\",\"stopped\":false,\"error\":false}\r\n")));
  EXPECT_FALSE(o.final()) << o.error;
  // A restore VM that only installs first is not read as a start.
  Observation plain = observe(chain_then(record(Phase::Destination, VmEnd::GuestDone, fixture("boot-degraded-up-on-mp.log"))));
  EXPECT_EQ(plain.outcome, Outcome::BootsDegraded);
  Observation cut = observe({record(Phase::Source, VmEnd::GuestDone, fixture("source-install-backup.log")),
                             record(Phase::Restore, VmEnd::Silent, kKernelStart)});
  EXPECT_TRUE(cut.failed());
}

// The OS started; the VM died before its restore: that is a failed run, not
// the scenario booting.
TEST(ObserverTest, AChainsRestoreVmThatDiesAfterItsOsStartedIsAnError) {
  Observation o = observe(bmr_then(record(
      Phase::Restore, VmEnd::Stopped,
      kChainRestoreStart + "RESTORELAB {\"event\":\"boot\",\"outcome\":\"boots\",\"cpus_online\":1}\r\n",
      {"stopped/failed"}, "shut off (failed)")));
  EXPECT_EQ(o.outcome, std::nullopt);
  EXPECT_EQ(o.error, "restore VM ended before its job finished: its QEMU process died (shut off (failed))");
}

}  // namespace
}  // namespace restorelab::run
