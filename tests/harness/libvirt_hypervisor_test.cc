#include "harness/libvirt/libvirt_hypervisor.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness/machines/accelerator.h"
#include "harness/machines/cleanup.h"
#include "harness/machines/domain_xml.h"
#include "harness/output/png.h"
#include "harness/output/text.h"

namespace restorelab::libvirt {

using namespace machines;  // the interface this backend implements
namespace {

using namespace std::chrono_literals;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LibvirtHypervisorTest, EmbedUriRoundTrips) {
  EXPECT_EQ(embed_uri("/tmp/rl-embed"), "qemu:///embed?root=/tmp/rl-embed");
  EXPECT_EQ(embed_uri("/tmp/a b&c"), "qemu:///embed?root=/tmp/a%20b%26c");
  EXPECT_EQ(embed_root_of(embed_uri("/tmp/a b&c")), std::filesystem::path("/tmp/a b&c"));
  EXPECT_EQ(embed_root_of("qemu:///system"), std::nullopt);
}

TEST(LibvirtHypervisorTest, WritesQemuConfForTheEmbeddedDriver) {
  const auto root = std::filesystem::temp_directory_path() / "restorelab-qemu-conf-test";
  std::filesystem::remove_all(root);
  ASSERT_TRUE(write_embed_qemu_conf(root, /*cgroups=*/true));
  const std::string conf = slurp(root / "etc" / "qemu.conf");
  EXPECT_NE(conf.find("stdio_handler = \"file\"\n"), std::string::npos);
  EXPECT_NE(conf.find("user = \"root\"\n"), std::string::npos);
  EXPECT_NE(conf.find("dynamic_ownership = 0\n"), std::string::npos);
  EXPECT_EQ(conf.find("cgroup_controllers"), std::string::npos);
  std::filesystem::remove_all(root);
}

// In a container without privilege /sys/fs/cgroup is read-only: libvirt must
// be told to use no controller or no domain starts.
TEST(LibvirtHypervisorTest, AReadOnlyCgroupFileSystemTurnsTheControllersOff) {
  const auto root = std::filesystem::temp_directory_path() / "restorelab-qemu-conf-test";
  std::filesystem::remove_all(root);
  ASSERT_TRUE(write_embed_qemu_conf(root, /*cgroups=*/false));
  EXPECT_NE(slurp(root / "etc" / "qemu.conf").find("\ncgroup_controllers = [ ]\n"), std::string::npos);
  // A writable folder whose folders are writable too (cgroup v1's layout).
  EXPECT_TRUE(cgroups_writable(root));
  EXPECT_FALSE(cgroups_writable(root / "no-such-mount"));
  std::filesystem::remove_all(root);
}

TEST(LibvirtHypervisorTest, AQemuConfThatCannotBeWrittenSaysWhy) {
  const auto root = std::filesystem::temp_directory_path() / "restorelab-qemu-conf-folder-test";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "etc" / "qemu.conf");
  auto written = write_embed_qemu_conf(root);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().message, (root / "etc" / "qemu.conf").string() + ": is a folder; expected a file name");
  std::filesystem::remove_all(root);
}

// libvirt's test driver lives in this process: no QEMU, no daemon.
TEST(LibvirtHypervisorTest, DefiningAnInactiveDomainAgainReplacesItAndKeepsItsUuid) {
  auto hv = LibvirtHypervisor::open("test:///default");
  ASSERT_TRUE(hv) << hv.error().message;
  auto xml = [](int mib) {
    return "<domain type='test'>\n  <name>rl-redefine</name>\n  <memory unit='MiB'>" + std::to_string(mib) +
           "</memory>\n  <os><type>hvm</type></os>\n</domain>\n";
  };
  ASSERT_TRUE((*hv)->define(xml(64)));
  auto again = (*hv)->define(xml(128));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, "rl-redefine");
}

TEST(TextTest, ReplacesPlaceholders) {
  EXPECT_EQ(text("{} has {} disks", "rl-a", 3), "rl-a has 3 disks");
  EXPECT_EQ(text("slot 0x{:02x} {:02X}", 16, 171), "slot 0x10 AB");
  EXPECT_EQ(text("{}{}", 'h', std::string("da")), "hda");
  EXPECT_EQ(text("no args {}"), "no args {}");
}

// ---- real virtual machines ------------------------------------------------
// Runs only with RESTORELAB_VM_TESTS=1 (QEMU and libvirt's QEMU driver
// installed). The embedded root is RESTORELAB_EMBED_ROOT or
// /var/tmp/restorelab-vm-test; its first use probes QEMU for tens of seconds.

/// A 1 MiB disk whose boot sector runs `code` (real mode, loaded at 0x7c00).
std::filesystem::path boot_disk(const std::filesystem::path& dir, const std::string& name,
                                std::initializer_list<unsigned char> code) {
  std::string image(1024 * 1024, '\0');
  std::size_t i = 0;
  for (unsigned char c : code) image[i++] = static_cast<char>(c);
  image[510] = 0x55;
  image[511] = static_cast<char>(0xaa);
  const auto path = dir / name;
  std::ofstream(path, std::ios::binary) << image;
  return path;
}

TEST(LibvirtVmTest, BootsPanicsPowersOffAndCleansUp) {
  if (std::getenv("RESTORELAB_VM_TESTS") == nullptr) GTEST_SKIP() << "set RESTORELAB_VM_TESTS=1";
  const char* root_env = std::getenv("RESTORELAB_EMBED_ROOT");
  const std::filesystem::path root = root_env ? root_env : "/var/tmp/restorelab-vm-test";
  const auto files = root / "files";
  std::filesystem::create_directories(files);
  // mov dx,0x505; mov al,1; out dx,al (pvpanic: guest panicked); hlt
  const auto panic = boot_disk(files, "panic.raw", {0xba, 0x05, 0x05, 0xb0, 0x01, 0xee, 0xf4, 0xeb, 0xfd});
  // mov dx,0x604; mov ax,0x2000; out dx,ax (PIIX4 PM1a_CNT: SLP_EN, S5); hlt
  const auto poweroff = boot_disk(files, "poweroff.raw", {0xba, 0x04, 0x06, 0xb8, 0x00, 0x20, 0xef, 0xf4, 0xeb, 0xfd});

  auto accel = detect_accelerator();
  ASSERT_TRUE(accel) << accel.error().message;
  auto opened = LibvirtHypervisor::open(embed_uri(root));
  ASSERT_TRUE(opened) << opened.error().message;
  Hypervisor& hv = **opened;
  ASSERT_TRUE(remove_domains(hv, "rl-vmtest-").ok());

  auto spec_for = [&](std::string name) {
    VmSpec spec;
    spec.name = "rl-vmtest-" + name;
    spec.hardware.memory_mib = 128;
    spec.type = domain_type_for(accel->accelerator);
    spec.serial_log = (files / (spec.name + ".log")).string();
    return spec;
  };
  auto run = [&](const VmSpec& spec, std::chrono::milliseconds timeout) -> std::optional<DomainStatus> {
    auto xml = domain_xml(spec);
    EXPECT_TRUE(xml) << xml.error().message;
    auto name = hv.define(*xml);
    EXPECT_TRUE(name) << name.error().message;
    auto started = hv.start(*name);
    EXPECT_TRUE(started) << started.error().message;
    auto end = wait_until_inactive(hv, *name, timeout);
    EXPECT_TRUE(end) << end.error().message;
    // A panicked guest is preserved (on_crash=preserve) until destroyed.
    if (end && *end && (*end)->crashed()) {
      EXPECT_TRUE(hv.destroy(*name));
    }
    return end.value_or(std::nullopt);
  };

  // A boot sector that panics, on every disk bus: SeaBIOS must find the disk
  // through that bus's controller, and the panic must be reported.
  for (DiskBus bus : {DiskBus::Ide, DiskBus::Sata, DiskBus::Scsi, DiskBus::Virtio}) {
    VmSpec spec = spec_for(std::string("panic-") + std::string(name_of(bus)));
    spec.hardware.disk_bus = bus;
    spec.disks = {{panic.string(), DiskFormat::Raw, bus, false, true, 1}};
    auto end = run(spec, 60s);
    ASSERT_TRUE(end.has_value()) << name_of(bus) << ": still running";
    EXPECT_TRUE(end->crashed()) << name_of(bus) << ": " << end->to_string();
  }

  // A boot sector that powers off.
  VmSpec off = spec_for("poweroff");
  off.disks = {{poweroff.string(), DiskFormat::Raw, DiskBus::Ide, false, true, 1}};
  auto end = run(off, 60s);
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->to_string(), "shut off (shutdown)");

  // No disk: SeaBIOS says so on the serial port and keeps running.
  VmSpec idle = spec_for("nodisk");
  end = run(idle, 3s);
  EXPECT_FALSE(end.has_value());
  const auto shot = files / "nodisk.png";
  ASSERT_TRUE(hv.screenshot(idle.name, shot));
  const std::string png = slurp(shot);
  EXPECT_TRUE(is_png(std::vector<std::uint8_t>(png.begin(), png.end())));
  EXPECT_NE(slurp(idle.serial_log).find("SeaBIOS"), std::string::npos);

  const CleanupReport report = remove_domains(hv, "rl-vmtest-");
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.removed.size(), 6u);
  EXPECT_TRUE(hv.list_domains("rl-vmtest-")->empty());
  ProcProcessTable processes;
  EXPECT_TRUE(kill_stray_qemu(processes, root, "rl-vmtest-").killed.empty());
}

}  // namespace
}  // namespace restorelab::libvirt
