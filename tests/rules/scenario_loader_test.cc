#include "rules/scenario_loader.h"

#include <gtest/gtest.h>

namespace restorelab {
namespace {

const char* kValid = R"([scenario]
name = "ws2003-up-to-mp"

[source]
hal = "acpi-uniprocessor"

[source.os]
version = "windows-server-2003"
edition = "standard"
service_pack = 1

[destination]
hal = "acpi-multiprocessor"
cpus = 4

[destination.os]
version = "windows-server-2003"
edition = "standard"
service_pack = 1

[backup]
kind = "system-state"

[restore]
kind = "system-state"
)";

std::expected<Scenario, Diagnostics> load(const std::string& text,
                                          std::map<std::string, std::string> others = {}) {
  others["s.toml"] = text;
  MapReader reader(std::move(others));
  return ScenarioLoader(reader).load_file("s.toml");
}

std::string errors_of(const std::string& text, std::map<std::string, std::string> others = {}) {
  auto s = load(text, std::move(others));
  EXPECT_FALSE(s.has_value()) << "expected errors";
  return s ? "" : format_diagnostics(s.error());
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(ScenarioLoaderTest, AppliesTheDefaultsOfTheSpec) {
  auto s = load(kValid);
  ASSERT_TRUE(s) << format_diagnostics(s.error());
  EXPECT_EQ(s->source.cpus, 1);
  EXPECT_EQ(s->destination.cpus, 4);
  EXPECT_EQ(s->source.firmware, Firmware::Bios);
  EXPECT_EQ(s->source.nics, 1);
  EXPECT_EQ(s->source.nic_model, NicModel::E1000);
  EXPECT_EQ(s->source.display, Display::Vga);
  EXPECT_EQ(s->source.disk_bus, DiskBus::Ide);
  EXPECT_EQ(s->source.memory_mib, 512);
  EXPECT_EQ(s->source.storage_drivers, DiskBusSet{DiskBus::Ide});
  EXPECT_EQ(s->source.os.systemdrive, "C:");
  EXPECT_EQ(s->source.os.systemroot, "C:\\WINDOWS");
  EXPECT_EQ(s->source.os.ad.database, "C:\\WINDOWS\\NTDS");
  EXPECT_EQ(s->source.os.ad.frs_logs, "C:\\WINDOWS\\ntfrs\\jet\\log");
  EXPECT_EQ(s->source.os.channel, Channel::Retail);
  EXPECT_FALSE(s->restore.offline);
  EXPECT_FALSE(s->expect.has_value());
}

TEST(ScenarioLoaderTest, Windows2000DefaultsToWinnt) {
  std::string text = kValid;
  for (int i = 0; i < 2; ++i) text = replace(text, "version = \"windows-server-2003\"\nedition = \"standard\"",
                                             "version = \"windows-2000\"\nedition = \"server\"");
  auto s = load(text);
  ASSERT_TRUE(s) << format_diagnostics(s.error());
  EXPECT_EQ(s->source.os.systemroot, "C:\\WINNT");
  EXPECT_EQ(s->destination.os.ad.logs, "C:\\WINNT\\NTDS");
}

TEST(ScenarioLoaderTest, BmrDefaultsToOfflineAndCopiesTheSourceOs) {
  std::string text = replace(kValid, "[destination.os]\nversion = \"windows-server-2003\"\nedition = \"standard\"\nservice_pack = 1\n", "");
  text = replace(text, "[backup]\nkind = \"system-state\"", "[backup]\nkind = \"bmr\"");
  text = replace(text, "[restore]\nkind = \"system-state\"", "[restore]\nkind = \"bmr\"");
  auto s = load(text);
  ASSERT_TRUE(s) << format_diagnostics(s.error());
  EXPECT_TRUE(s->restore.offline);
  EXPECT_EQ(s->destination.os, s->source.os);
}

TEST(ScenarioLoaderTest, NamesAMisspeltKeyWithItsLineAndASuggestion) {
  EXPECT_EQ(errors_of(replace(kValid, "hal = \"acpi-uniprocessor\"", "hal = \"acpi-uniprocessor\"\nfirmwre = \"bios\"")),
            "s.toml:6:1: error: unknown key \"firmwre\" in [source]; did you mean \"firmware\"?\n");
}

TEST(ScenarioLoaderTest, NamesAWrongType) {
  EXPECT_EQ(errors_of(replace(kValid, "cpus = 4", "cpus = \"4\"")),
            "s.toml:14:8: error: destination.cpus: expected an integer, found a string; remove the quotes\n");
}

TEST(ScenarioLoaderTest, SuggestsTheNearestValue) {
  EXPECT_EQ(errors_of(replace(kValid, "hal = \"acpi-multiprocessor\"", "hal = \"acpi-multiprocesor\"")),
            "s.toml:13:7: error: destination.hal: \"acpi-multiprocesor\" is not a valid value; expected one of "
            "\"standard-pc\", \"mps-uniprocessor\", \"mps-multiprocessor\", \"acpi-pc\", \"acpi-uniprocessor\", "
            "\"acpi-multiprocessor\", \"acpi-x64\"; did you mean \"acpi-multiprocessor\"?\n");
}

TEST(ScenarioLoaderTest, RefusesCpusThatContradictTheHal) {
  EXPECT_EQ(errors_of(replace(kValid, "hal = \"acpi-uniprocessor\"", "hal = \"acpi-uniprocessor\"\ncpus = 4")),
            "s.toml:6:8: error: source.cpus: 4 processors contradict hal = \"acpi-uniprocessor\", which runs on "
            "exactly one; expected 1; use a multiprocessor HAL type for more processors\n");
  EXPECT_EQ(errors_of(replace(kValid, "cpus = 4", "cpus = 1")),
            "s.toml:14:8: error: destination.cpus: 1 processor contradicts hal = \"acpi-multiprocessor\", which "
            "needs two or more; expected 2 or more; use a uniprocessor HAL type for one processor\n");
}

TEST(ScenarioLoaderTest, RefusesUefiWithNt5) {
  EXPECT_EQ(errors_of(replace(kValid, "cpus = 4", "cpus = 4\nfirmware = \"uefi\"")),
            "s.toml:15:12: error: destination.firmware: \"uefi\" cannot start \"windows-server-2003\" (NT 5.x starts "
            "from BIOS firmware only); expected \"bios\"; use windows-vista or later for UEFI\n");
}

TEST(ScenarioLoaderTest, RefusesAnEditionTheVersionDoesNotHave) {
  EXPECT_EQ(errors_of(replace(kValid, "edition = \"standard\"", "edition = \"professional\"")),
            "s.toml:9:11: error: source.os.edition: \"professional\" is not an edition of \"windows-server-2003\"; "
            "expected one of \"web\", \"standard\", \"enterprise\", \"datacenter\"\n");
}

TEST(ScenarioLoaderTest, RefusesANonAcpiHalForVistaAndLater) {
  std::string text = replace(kValid, "hal = \"acpi-uniprocessor\"", "hal = \"mps-uniprocessor\"");
  text = replace(text, "version = \"windows-server-2003\"", "version = \"windows-server-2008\"");
  EXPECT_EQ(errors_of(text),
            "s.toml:5:7: error: source.hal: \"mps-uniprocessor\" has no ACPI, which \"windows-server-2008\" needs; "
            "expected an ACPI HAL type; use \"acpi-x64\" or another acpi-* type\n");
}

TEST(ScenarioLoaderTest, RefusesAfterWithAnotherRestoreKind) {
  std::string text = replace(kValid, "[backup]\nkind = \"system-state\"", "[backup]\nkind = \"bmr\"");
  text = replace(text, "[restore]\nkind = \"system-state\"", "[restore]\nkind = \"bmr\"\nafter = \"bmr\"");
  EXPECT_EQ(errors_of(text),
            "s.toml:26:9: error: restore.after: \"bmr\" needs restore.kind = \"system-state\", not \"bmr\"; "
            "remove restore.after or restore the system state\n");
}

TEST(ScenarioLoaderTest, RefusesBrokenToml) {
  EXPECT_EQ(errors_of("[scenario]\nname = \"x\"\n[source\nhal = 1\n"),
            "s.toml:3:8: error: invalid TOML: Error while parsing table header: expected ']', saw '\\n'\n");
}

TEST(ScenarioLoaderTest, ReportsEveryErrorOfAFileInTextOrder) {
  std::string text = replace(kValid, "cpus = 4", "cpus = 4\nnics = 9\nnic_model = \"e100\"");
  text = replace(text, "edition = \"standard\"", "editon = \"standard\"");
  EXPECT_EQ(errors_of(text),
            "s.toml:7:1: error: missing key \"edition\" in [source.os]; expected an edition such as \"standard\"\n"
            "s.toml:9:1: error: unknown key \"editon\" in [source.os]; did you mean \"edition\"?\n"
            "s.toml:15:8: error: destination.nics: 9 is out of range; expected 0 to 8\n"
            "s.toml:16:13: error: destination.nic_model: \"e100\" is not a valid value; expected one of \"e1000\", "
            "\"rtl8139\", \"virtio\"; did you mean \"e1000\"?\n");
}

TEST(ScenarioLoaderTest, RequiresTheDestinationOsForASystemStateRestore) {
  std::string text = replace(kValid, "[destination.os]\nversion = \"windows-server-2003\"\nedition = \"standard\"\nservice_pack = 1\n", "");
  EXPECT_EQ(errors_of(text),
            "s.toml:12:1: error: missing [destination.os] table with version = the OS installed on the destination "
            "(a system-state restore needs it)\n");
}

TEST(ScenarioLoaderTest, MachineFilesAreExtendedAndOverridden) {
  std::string text = replace(kValid, "[destination]\nhal = \"acpi-multiprocessor\"",
                             "[destination]\nextends = \"machines/mp.toml\"\nhal = \"acpi-multiprocessor\"");
  auto s = load(text, {{"machines/mp.toml", "hal = \"mps-multiprocessor\"\ncpus = 8\ndisk_bus = \"sata\"\n"}});
  ASSERT_TRUE(s) << format_diagnostics(s.error());
  EXPECT_EQ(s->destination.hal, Hal::AcpiMultiprocessor);  // the scenario wins
  EXPECT_EQ(s->destination.cpus, 4);
  EXPECT_EQ(s->destination.disk_bus, DiskBus::Sata);       // from the machine file
  EXPECT_EQ(s->destination.storage_drivers, DiskBusSet{DiskBus::Sata});
}

TEST(ScenarioLoaderTest, ErrorsInAMachineFileNameThatFile) {
  std::string text = replace(kValid, "[destination]\nhal = \"acpi-multiprocessor\"",
                             "[destination]\nextends = \"machines/mp.toml\"\nhal = \"acpi-multiprocessor\"");
  EXPECT_EQ(errors_of(text, {{"machines/mp.toml", "disk_buss = \"sata\"\n"}}),
            "machines/mp.toml:1:1: error: unknown key \"disk_buss\" in a machine file; did you mean \"disk_bus\"?\n");
  EXPECT_EQ(errors_of(text),
            "s.toml:13:11: error: destination.extends: cannot load \"machines/mp.toml\": cannot open: No such file "
            "or directory\n");
}

TEST(ScenarioLoaderTest, RefusesAnExtendsCycle) {
  std::string text = replace(kValid, "[destination]\nhal = \"acpi-multiprocessor\"",
                             "[destination]\nextends = \"a.toml\"\nhal = \"acpi-multiprocessor\"");
  EXPECT_EQ(errors_of(text, {{"a.toml", "extends = \"b.toml\"\n"}, {"b.toml", "extends = \"a.toml\"\n"}}),
            "b.toml:1:11: error: destination.extends: a cycle: a.toml -> b.toml -> a.toml; remove one of these "
            "extends\n");
  EXPECT_EQ(errors_of(text, {{"a.toml", "extends = \"a.toml\"\n"}}),
            "a.toml:1:11: error: destination.extends: a cycle: a.toml -> a.toml; remove one of these extends\n");
}

/// Machine files m1.toml ... mN.toml, each extending the next; the last sets the HAL.
std::map<std::string, std::string> extends_chain(int n) {
  std::map<std::string, std::string> files;
  for (int i = 1; i < n; ++i)
    files["m" + std::to_string(i) + ".toml"] = "extends = \"m" + std::to_string(i + 1) + ".toml\"\n";
  files["m" + std::to_string(n) + ".toml"] = "hal = \"acpi-multiprocessor\"\ncpus = 4\n";
  return files;
}

// A long chain is no cycle: 32 machine files load, the 33rd is too deep.
TEST(ScenarioLoaderTest, TellsADeepExtendsChainFromACycle) {
  const std::string text = replace(kValid, "[destination]\nhal = \"acpi-multiprocessor\"\ncpus = 4",
                                   "[destination]\nextends = \"m1.toml\"");
  for (int n : {10, 32}) {
    auto files = extends_chain(n);
    files["s.toml"] = text;
    MapReader reader(files);
    auto s = ScenarioLoader(reader).load_file("s.toml");
    ASSERT_TRUE(s) << n << ": " << format_diagnostics(s.error());
    EXPECT_EQ(s->destination.cpus, 4);
  }
  EXPECT_EQ(errors_of(text, extends_chain(33)),
            "m32.toml:1:11: error: destination.extends: \"m33.toml\" would be machine file 33 of the chain m1.toml -> "
            "...; expected at most 32 machine files extending one another\n");
}

TEST(ScenarioLoaderTest, ReadsTheExpectTable) {
  auto s = load(std::string(kValid) + "\n[expect]\nsupported = false\noutcome = \"boots-degraded\"\ncpus_used = 1\n"
                                      "actions = [\"update-hal\"]\n");
  ASSERT_TRUE(s) << format_diagnostics(s.error());
  ASSERT_TRUE(s->expect);
  EXPECT_EQ(s->expect->supported, false);
  EXPECT_EQ(s->expect->outcome, Outcome::BootsDegraded);
  EXPECT_EQ(s->expect->cpus_used, 1);
  EXPECT_EQ(s->expect->actions, ActionSet{Action::UpdateHal});
  EXPECT_EQ(errors_of(std::string(kValid) + "\n[expect]\noutcome = \"stop-7b\"\n"),
            "s.toml:28:11: error: expect.outcome: \"stop-7b\" is not a valid value; expected one of \"boots\", "
            "\"boots-degraded\", \"stop-0x7b\", \"stop-0x79\", \"stop-0xa5\", \"no-bootable-device\", "
            "\"restore-refused\", \"hang\", \"boot-file-missing\", \"role-fails\"; did you mean \"stop-0x7b\"?\n");
}

TEST(ScenarioLoaderTest, PushButtonResetNeedsNoDestinationOrBackup) {
  auto s = load(R"([scenario]
name = "pbr"
[source]
hal = "acpi-x64"
firmware = "uefi"
[source.os]
version = "windows-10"
edition = "pro"
[restore]
kind = "push-button-reset"
)");
  ASSERT_TRUE(s) << format_diagnostics(s.error());
  EXPECT_EQ(s->destination, s->source);
  EXPECT_EQ(s->backup, BackupKind::None);
}

TEST(ScenarioLoaderTest, RefusesABadName) {
  EXPECT_EQ(errors_of(replace(kValid, "name = \"ws2003-up-to-mp\"", "name = \"WS 2003\"")),
            "s.toml:2:8: error: scenario.name: \"WS 2003\" is not a valid name; expected lower-case letters, "
            "digits, '.', '_' and '-'\n");
}

// A name becomes a folder that is later removed recursively, file names and
// VM names: only one plain path component of bounded length will do.
TEST(ScenarioLoaderTest, RefusesNamesThatAreNotOneSafePathComponent) {
  auto error_for = [](const std::string& name) {
    return errors_of(replace(kValid, "name = \"ws2003-up-to-mp\"", "name = \"" + name + "\""));
  };
  for (const std::string name : {".", "..", ".hidden", "-rf", "_x"})
    EXPECT_EQ(error_for(name), "s.toml:2:8: error: scenario.name: \"" + name + "\" is not a valid name; expected a "
                               "lower-case letter or a digit first (a name becomes a folder and file names)\n");
  EXPECT_EQ(error_for("a/b"), "s.toml:2:8: error: scenario.name: \"a/b\" is not a valid name; expected lower-case "
                              "letters, digits, '.', '_' and '-'\n");
  const std::string longest(64, 'n');
  EXPECT_TRUE(load(replace(kValid, "name = \"ws2003-up-to-mp\"", "name = \"" + longest + "\"")));
  EXPECT_EQ(error_for(longest + "x"), "s.toml:2:8: error: scenario.name: \"" + longest + "x\" has 65 characters; "
                                      "expected at most 64 (a name becomes folder, file and VM names)\n");
  EXPECT_TRUE(load(replace(kValid, "name = \"ws2003-up-to-mp\"", "name = \"0.a_b-c..d\"")));
}

// Values go into the guest's key=value job files, file names and HTML.
TEST(ScenarioLoaderTest, RefusesControlCharactersInEveryValue) {
  EXPECT_EQ(errors_of(replace(kValid, "service_pack = 1\n", "service_pack = 1\nsystemroot = \"C:\\\\WINDOWS\\nx=1\"\n")),
            "s.toml:11:14: error: source.os.systemroot: control character U+000A in a value; expected printable text\n");
  EXPECT_EQ(errors_of(replace(kValid, "[source]\n", "[source]\nmodel = \"a\\u001b[2Jb\"\n") + "[expect]\nactions = [\"update-hal\\t\"]\n"),
            "s.toml:5:9: error: source.model: control character U+001B in a value; expected printable text\n"
            "s.toml:28:12: error: expect.actions: control character U+0009 in a value; expected printable text\n");
  EXPECT_EQ(errors_of(replace(kValid, "[source]\n", "[source]\n\"hal\\u0000\" = 1\n")),
            "s.toml:5:1: error: source.\"hal\\x00\": control character U+0000 in a key; expected printable text\n");
  // In a machine file too.
  const std::string text = replace(kValid, "[destination]\nhal = \"acpi-multiprocessor\"",
                                   "[destination]\nextends = \"m.toml\"\nhal = \"acpi-multiprocessor\"");
  EXPECT_EQ(errors_of(text, {{"m.toml", "[os]\nhotfixes = [\"810161\\r\"]\n"}}),
            "m.toml:2:13: error: os.hotfixes: control character U+000D in a value; expected printable text\n");
}

TEST(ScenarioLoaderTest, ReadsStandardInputAsDash) {
  const std::string text = replace(kValid, "[destination]\nhal = \"acpi-multiprocessor\"",
                                   "[destination]\nextends = \"machines/mp.toml\"\nhal = \"acpi-multiprocessor\"");
  MapReader reader({{"-", text}, {"machines/mp.toml", "model = \"r400\"\n"}});
  auto s = ScenarioLoader(reader).load_file("-");
  ASSERT_TRUE(s) << format_diagnostics(s.error());
  EXPECT_EQ(s->file, "<stdin>");
  EXPECT_EQ(s->destination.model, "r400");  // extends relative to the current folder
  MapReader broken(std::map<std::string, std::string>{{"-", replace(kValid, "\"ws2003-up-to-mp\"", "1")}});
  EXPECT_EQ(format_diagnostics(ScenarioLoader(broken).load_file("-").error()),
            "<stdin>:2:8: error: scenario.name: expected a string, found an integer\n");
}

TEST(ScenarioLoaderTest, SaysWhenAFileIsAMachineOrAMatrix) {
  EXPECT_EQ(errors_of("hal = \"acpi-x64\"\ncpus = 4\n"),
            "s.toml: error: this is a machine file, not a scenario: it has no [scenario] or [source] table; use it "
            "from a scenario with extends = \"s.toml\" in [source] or [destination]\n");
  EXPECT_EQ(errors_of("[matrix]\nname = \"m\"\n[axes]\n\"source.nics\" = [1]\n"),
            "s.toml: error: this is a matrix file, not a scenario: it has a [matrix] table; use restorelab matrix "
            "predict s.toml\n");
  EXPECT_EQ(errors_of("[[rule]]\nid = \"r\"\nwhen = \"true\"\n"),
            "s.toml: error: this is a rulebook, not a scenario: it has [[rule]] or [helpers] tables; use it with "
            "--rules s.toml\n");
}

}  // namespace
}  // namespace restorelab
