#include "harness/machines/domain_xml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace restorelab::machines {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

VmSpec base_spec() {
  VmSpec spec;
  spec.name = "rl-test-1";
  spec.hardware.hal = Hal::AcpiUniprocessor;
  spec.hardware.cpus = 1;
  spec.hardware.memory_mib = 256;
  spec.serial_log = "/run/rl/serial.log";
  spec.nvram = "/run/rl/VARS.fd";
  spec.disks.push_back({"/run/rl/disk.raw", DiskFormat::Raw, DiskBus::Ide, false, false, 1});
  return spec;
}

std::string xml_of(const VmSpec& spec) {
  auto xml = domain_xml(spec);
  EXPECT_TRUE(xml.has_value()) << xml.error().message;
  return xml.value_or("");
}

std::string error_of(const VmSpec& spec) {
  auto xml = domain_xml(spec);
  EXPECT_FALSE(xml.has_value());
  return xml ? "" : xml.error().message;
}

TEST(DomainXmlTest, BiosUsesSerialSeaBios) {
  const std::string x = xml_of(base_spec());
  EXPECT_THAT(x, HasSubstr("<domain type='qemu'>"));
  EXPECT_THAT(x, HasSubstr("<name>rl-test-1</name>"));
  EXPECT_THAT(x, HasSubstr("<type arch='x86_64' machine='pc'>hvm</type>"));
  EXPECT_THAT(x, HasSubstr("<bios useserial='yes'/>"));
  EXPECT_THAT(x, Not(HasSubstr("<loader")));
  EXPECT_THAT(x, Not(HasSubstr("<nvram")));
}

TEST(DomainXmlTest, UefiDisablesSecureBoot) {
  VmSpec spec = base_spec();
  spec.hardware.firmware = Firmware::Uefi;
  const std::string x = xml_of(spec);
  EXPECT_THAT(x, HasSubstr("<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>"));
  EXPECT_THAT(x, HasSubstr("<nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>/run/rl/VARS.fd</nvram>"));
  EXPECT_THAT(x, Not(HasSubstr("secboot")));
  EXPECT_THAT(x, Not(HasSubstr("useserial")));
}

TEST(DomainXmlTest, ADirectKernelIsStartedByTheHypervisor) {
  VmSpec spec = base_spec();
  spec.disks[0].boot_order = 0;
  spec.direct = {"/img/vmlinux", "/run/rl/source.initrd", "console=ttyS0,115200 rl.disk=system"};
  const std::string x = xml_of(spec);
  EXPECT_THAT(x, HasSubstr("    <bios useserial='yes'/>\n"
                           "    <kernel>/img/vmlinux</kernel>\n"
                           "    <initrd>/run/rl/source.initrd</initrd>\n"
                           "    <cmdline>console=ttyS0,115200 rl.disk=system</cmdline>\n"
                           "  </os>"));
  EXPECT_THAT(x, Not(HasSubstr("<boot order")));
  EXPECT_THAT(xml_of(base_spec()), Not(HasSubstr("<kernel>")));
}

// A VM restored from a saved state must carry the saved domain's UUID.
TEST(DomainXmlTest, AGivenUuidIsKeptAndAMalformedOneRefused) {
  VmSpec spec = base_spec();
  spec.uuid = "0123abcd-0123-4567-89ab-0123456789ab";
  EXPECT_NE(xml_of(spec).find("  <uuid>0123abcd-0123-4567-89ab-0123456789ab</uuid>\n"), std::string::npos);
  spec.uuid = "0123abcd-0123-4567-89ab-0123456789a'";
  EXPECT_NE(error_of(spec).find("is not 8-4-4-4-12 lower-case hexadecimal digits"), std::string::npos);
  EXPECT_EQ(xml_of(base_spec()).find("<uuid>"), std::string::npos);
}

TEST(DomainXmlTest, AnInitrdWithoutAKernelIsAnError) {
  VmSpec spec = base_spec();
  spec.direct.initrd = "/run/rl/source.initrd";
  EXPECT_EQ(error_of(spec), "VM \"rl-test-1\": an initrd or kernel command line without a kernel");
}

TEST(DomainXmlTest, UefiWithoutAcpiIsAnError) {
  VmSpec spec = base_spec();
  spec.hardware.firmware = Firmware::Uefi;
  spec.hardware.hal = Hal::MpsUniprocessor;
  EXPECT_EQ(error_of(spec),
            "VM \"rl-test-1\": firmware \"uefi\" needs ACPI, but hal \"mps-uniprocessor\" has "
            "none (libvirt: UEFI requires ACPI on this architecture)");
}

TEST(DomainXmlTest, UefiNeedsNvramAndMemory) {
  VmSpec spec = base_spec();
  spec.hardware.firmware = Firmware::Uefi;
  spec.nvram.clear();
  EXPECT_EQ(error_of(spec), "VM \"rl-test-1\": firmware \"uefi\" needs a per-VM NVRAM path");
  spec = base_spec();
  spec.hardware.firmware = Firmware::Uefi;
  spec.hardware.memory_mib = 128;
  EXPECT_EQ(error_of(spec),
            "VM \"rl-test-1\": memory_mib = 128: firmware \"uefi\" needs at least 256 MiB");
  spec.hardware.firmware = Firmware::Bios;
  EXPECT_THAT(xml_of(spec), HasSubstr("<memory unit='MiB'>128</memory>"));
}

struct HalCase {
  Hal hal;
  int cpus;
  bool acpi;
  bool apic;
};

class DomainXmlHalTest : public ::testing::TestWithParam<HalCase> {};

TEST_P(DomainXmlHalTest, FeaturesFollowTheHalTable) {
  VmSpec spec = base_spec();
  spec.hardware.hal = GetParam().hal;
  spec.hardware.cpus = GetParam().cpus;
  const std::string x = xml_of(spec);
  EXPECT_EQ(x.find("<acpi/>") != std::string::npos, GetParam().acpi);
  EXPECT_EQ(x.find("<apic/>") != std::string::npos, GetParam().apic);
  EXPECT_EQ(x.find("<feature policy='disable' name='apic'/>") != std::string::npos,
            !GetParam().apic);
  EXPECT_THAT(x, HasSubstr("<vcpu placement='static'>" + std::to_string(GetParam().cpus) + "</vcpu>"));
  EXPECT_THAT(x, HasSubstr("<topology sockets='" + std::to_string(GetParam().cpus) + "'"));
}

INSTANTIATE_TEST_SUITE_P(AllHals, DomainXmlHalTest,
                         ::testing::Values(HalCase{Hal::StandardPc, 1, false, false},
                                           HalCase{Hal::MpsUniprocessor, 1, false, true},
                                           HalCase{Hal::MpsMultiprocessor, 2, false, true},
                                           HalCase{Hal::AcpiPc, 1, true, false},
                                           HalCase{Hal::AcpiUniprocessor, 1, true, true},
                                           HalCase{Hal::AcpiMultiprocessor, 4, true, true},
                                           HalCase{Hal::AcpiX64, 2, true, true}));

TEST(DomainXmlTest, NoApicWithSeveralCpusIsAnError) {
  VmSpec spec = base_spec();
  spec.hardware.hal = Hal::StandardPc;
  spec.hardware.cpus = 2;
  EXPECT_EQ(error_of(spec), "VM \"rl-test-1\": hal \"standard-pc\" has no APIC, so it runs on "
                            "exactly one processor, not cpus = 2");
}

TEST(DomainXmlTest, IdeUsesThePiixController) {
  const std::string x = xml_of(base_spec());
  EXPECT_THAT(x, HasSubstr("<target dev='hda' bus='ide'/>"));
  EXPECT_THAT(x, HasSubstr("<boot order='1'/>"));
  EXPECT_THAT(x, Not(HasSubstr("<controller type='sata'")));
  EXPECT_THAT(x, Not(HasSubstr("<controller type='scsi'")));
}

TEST(DomainXmlTest, SataAddsAnAhciController) {
  VmSpec spec = base_spec();
  spec.hardware.disk_bus = DiskBus::Sata;
  spec.disks[0].bus = DiskBus::Sata;
  const std::string x = xml_of(spec);
  EXPECT_THAT(x, HasSubstr("machine='pc'"));
  EXPECT_THAT(x, HasSubstr("<controller type='sata' index='0'><address type='pci' domain='0x0000' "
                           "bus='0x00' slot='0x04' function='0x0'/></controller>"));
  EXPECT_THAT(x, HasSubstr("<target dev='sda' bus='sata'/>"));
}

TEST(DomainXmlTest, ScsiAddsAnLsiLogicController) {
  VmSpec spec = base_spec();
  spec.hardware.disk_bus = DiskBus::Scsi;
  spec.disks[0].bus = DiskBus::Scsi;
  spec.disks[0].readonly = true;
  const std::string x = xml_of(spec);
  EXPECT_THAT(x, HasSubstr("<controller type='scsi' index='0' model='lsilogic'>"));
  EXPECT_THAT(x, HasSubstr("<target dev='sda' bus='scsi'/>"));
  EXPECT_THAT(x, HasSubstr("<readonly/>"));
}

// OVMF cannot boot from the LSI controller, so UEFI machines get the SCSI
// controller their firmware has a driver for.
TEST(DomainXmlTest, ScsiOnUefiIsVirtioScsi) {
  VmSpec spec = base_spec();
  spec.hardware.firmware = Firmware::Uefi;
  spec.hardware.disk_bus = DiskBus::Scsi;
  spec.disks[0].bus = DiskBus::Scsi;
  const std::string x = xml_of(spec);
  EXPECT_THAT(x, HasSubstr("<controller type='scsi' index='0' model='virtio-scsi'>"));
  EXPECT_THAT(x, Not(HasSubstr("lsilogic")));
}

TEST(DomainXmlTest, VirtioDisksGetFixedSlots) {
  VmSpec spec = base_spec();
  spec.hardware.disk_bus = DiskBus::Virtio;
  spec.disks = {{"/a.qcow2", DiskFormat::Qcow2, DiskBus::Virtio, false, false, 1},
                {"/b.raw", DiskFormat::Raw, DiskBus::Virtio, true, false, 0}};
  const std::string x = xml_of(spec);
  EXPECT_THAT(x, HasSubstr("<driver name='qemu' type='qcow2'/>"));
  EXPECT_THAT(x, HasSubstr("<target dev='vda' bus='virtio'/>"));
  EXPECT_THAT(x, HasSubstr("<target dev='vdb' bus='virtio'/>"));
  EXPECT_THAT(x, HasSubstr("slot='0x05'"));
  EXPECT_THAT(x, HasSubstr("slot='0x06'"));
  EXPECT_THAT(x, Not(HasSubstr("<controller type='sata'")));
}

TEST(DomainXmlTest, ControllerOfTheMachineIsPresentWithoutDisks) {
  VmSpec spec = base_spec();
  spec.hardware.disk_bus = DiskBus::Scsi;  // boot disk stays on ide
  EXPECT_THAT(xml_of(spec), HasSubstr("model='lsilogic'"));
}

TEST(DomainXmlTest, ReadonlyIdeDiskIsAnError) {
  VmSpec spec = base_spec();
  spec.disks[0].readonly = true;
  EXPECT_EQ(error_of(spec), "VM \"rl-test-1\": disk /run/rl/disk.raw: libvirt refuses read-only "
                            "ide disks; make it transient instead");
  spec.disks[0].readonly = false;
  spec.disks[0].transient = true;
  EXPECT_THAT(xml_of(spec), HasSubstr("<transient/>"));
}

// Two QEMUs may hold a shareable disk at once (a chain's next VM waits,
// paused, while the one before it writes): share-rw, nothing the guest sees.
TEST(DomainXmlTest, AShareableDiskSaysSoAndIsNeverTransient) {
  VmSpec spec = base_spec();
  EXPECT_THAT(xml_of(spec), Not(HasSubstr("<shareable/>")));
  spec.disks[0].shareable = true;
  EXPECT_THAT(xml_of(spec), HasSubstr("<target dev='hda' bus='ide'/>\n      <shareable/>\n"));
  // Not the cache=none libvirt gives a shareable disk by default.
  EXPECT_THAT(xml_of(spec), HasSubstr("<driver name='qemu' type='raw' cache='writeback'/>"));
  spec.disks[0].transient = true;
  EXPECT_EQ(error_of(spec), "VM \"rl-test-1\": disk /run/rl/disk.raw: a disk is transient or shareable, not both");
}

TEST(DomainXmlTest, TooManyIdeDisksIsAnError) {
  VmSpec spec = base_spec();
  for (int i = 0; i < 4; ++i) spec.disks.push_back(spec.disks[0]);
  EXPECT_EQ(error_of(spec), "VM \"rl-test-1\": more than 4 ide disks");
}

TEST(DomainXmlTest, SataAndScsiCannotShareAVm) {
  VmSpec spec = base_spec();
  spec.disks = {{"/a", DiskFormat::Raw, DiskBus::Sata, false, false, 1},
                {"/b", DiskFormat::Raw, DiskBus::Scsi, false, false, 0}};
  EXPECT_THAT(error_of(spec), HasSubstr("sata and scsi disks cannot share one VM"));
}

TEST(DomainXmlTest, NicsHaveFixedSlotsAndMacs) {
  VmSpec spec = base_spec();
  spec.hardware.nics = 2;
  spec.hardware.nic_model = NicModel::Rtl8139;
  const std::string x = xml_of(spec);
  EXPECT_THAT(x, HasSubstr("<interface type='user'>"));
  EXPECT_THAT(x, HasSubstr("<model type='rtl8139'/>"));
  EXPECT_THAT(x, HasSubstr("slot='0x10'"));
  EXPECT_THAT(x, HasSubstr("slot='0x11'"));
  EXPECT_THAT(x, HasSubstr("<mac address='" + mac_address("rl-test-1", 0) + "'/>"));
  EXPECT_THAT(x, HasSubstr("<mac address='" + mac_address("rl-test-1", 1) + "'/>"));
  EXPECT_THAT(x, HasSubstr("<link state='down'/>"));
  spec.network = true;
  EXPECT_THAT(xml_of(spec), Not(HasSubstr("<link state='down'/>")));
}

TEST(DomainXmlTest, NoNicsMeansNoInterface) {
  VmSpec spec = base_spec();
  spec.hardware.nics = 0;
  EXPECT_THAT(xml_of(spec), Not(HasSubstr("<interface")));
}

TEST(DomainXmlTest, MacIsDeterministicLocallyAdministeredUnicast) {
  const std::string mac = mac_address("rl-a", 3);
  EXPECT_EQ(mac, mac_address("rl-a", 3));
  EXPECT_NE(mac, mac_address("rl-b", 3));
  EXPECT_NE(mac, mac_address("rl-a", 2));
  ASSERT_EQ(mac.size(), 17u);
  EXPECT_TRUE(mac.starts_with("02:"));
  EXPECT_TRUE(mac.ends_with(":03"));
}

TEST(DomainXmlTest, DisplayModels) {
  VmSpec spec = base_spec();
  for (auto [display, name] : {std::pair{Display::Vga, "vga"}, std::pair{Display::Cirrus, "cirrus"},
                               std::pair{Display::Qxl, "qxl"}, std::pair{Display::Virtio, "virtio"}}) {
    spec.hardware.display = display;
    EXPECT_THAT(xml_of(spec), HasSubstr(std::string("<model type='") + name + "' heads='1' primary='yes'/>"));
  }
}

TEST(DomainXmlTest, AKeptMachinesSerialPortIsAPseudoTerminalStillLogged) {
  VmSpec spec = base_spec();
  spec.serial_pty = true;
  EXPECT_THAT(xml_of(spec), HasSubstr("<serial type='pty'>\n      <log file='/run/rl/serial.log' append='off'/>\n"
                                      "      <target port='0'/>\n    </serial>"));
}

TEST(DomainXmlTest, PanicSerialAndCrashAction) {
  const std::string x = xml_of(base_spec());
  EXPECT_THAT(x, HasSubstr("<panic model='isa'/>"));
  EXPECT_THAT(x, HasSubstr("<on_crash>preserve</on_crash>"));
  EXPECT_THAT(x, HasSubstr("<on_reboot>restart</on_reboot>"));
  EXPECT_THAT(x, HasSubstr("<serial type='file'>\n      <source path='/run/rl/serial.log' append='off'/>"));
  EXPECT_THAT(x, HasSubstr("<controller type='usb' model='none'/>"));
  EXPECT_THAT(x, HasSubstr("<memballoon model='none'/>"));
}

TEST(DomainXmlTest, KvmDomainType) {
  VmSpec spec = base_spec();
  spec.type = DomainType::Kvm;
  EXPECT_THAT(xml_of(spec), HasSubstr("<domain type='kvm'>"));
}

TEST(DomainXmlTest, FwCfgEntriesUseSysinfo) {
  VmSpec spec = base_spec();
  spec.fw_cfg.push_back({"opt/org.restorelab/job", "/run/rl/job & co.json"});
  const std::string x = xml_of(spec);
  EXPECT_THAT(x, HasSubstr("<sysinfo type='fwcfg'>\n    <entry name='opt/org.restorelab/job' "
                           "file='/run/rl/job &amp; co.json'/>\n  </sysinfo>"));
}

TEST(DomainXmlTest, FwCfgNameMustStartWithOpt) {
  VmSpec spec = base_spec();
  spec.fw_cfg.push_back({"etc/job", "/job"});
  EXPECT_EQ(error_of(spec), "VM \"rl-test-1\": fw_cfg name \"etc/job\" must start with \"opt/\" "
                            "and have at most 55 characters");
}

TEST(DomainXmlTest, EscapesEveryString) {
  VmSpec spec = base_spec();
  spec.serial_log = "/tmp/<a>'b'\"c\"&.log";
  spec.disks[0].path = "/tmp/d'&<.raw";
  const std::string x = xml_of(spec);
  EXPECT_THAT(x, HasSubstr("path='/tmp/&lt;a&gt;&apos;b&apos;&quot;c&quot;&amp;.log'"));
  EXPECT_THAT(x, HasSubstr("file='/tmp/d&apos;&amp;&lt;.raw'"));
  EXPECT_EQ(xml_escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
}

TEST(DomainXmlTest, BadNameIsAnError) {
  VmSpec spec = base_spec();
  spec.name = "rl/x";
  EXPECT_EQ(error_of(spec), "VM name \"rl/x\" must be non-empty and use only letters, digits, "
                            "'.', '_' and '-'");
}

TEST(DomainXmlTest, SameSpecSameXml) {
  EXPECT_EQ(xml_of(base_spec()), xml_of(base_spec()));
}

}  // namespace
}  // namespace restorelab::machines
