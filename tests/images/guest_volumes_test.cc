#include "images/guest/volumes.h"

#include <gtest/gtest.h>

#include "tests/images/guest_test_util.h"

namespace restorelab::guest {
namespace {

using testing::TempRoot;

std::string Ext4Superblock(std::string_view label) {
  std::string data(4096, '\0');
  data[1024 + 56] = '\x53';
  data[1024 + 57] = '\xEF';
  data.replace(1024 + 120, label.size(), label);
  return data;
}

std::string Fat16BootSector(std::string_view label) {
  std::string data(4096, '\0');
  data[38] = '\x29';
  std::string padded(label);
  padded.resize(11, ' ');
  data.replace(43, 11, padded);
  data.replace(54, 8, "FAT16   ");
  data[510] = '\x55';
  data[511] = '\xAA';
  return data;
}

TEST(GuestVolumesTest, ProbesExt4AndFatLabels) {
  TempRoot root;
  root.Write("ext4", Ext4Superblock("RL-SYSTEM"));
  root.Write("fat", Fat16BootSector("RL-BOOT"));
  root.Write("zero", std::string(4096, '\0'));
  std::string type, label;
  ProbeVolume(root.path() / "ext4", type, label);
  EXPECT_EQ(type, "ext4");
  EXPECT_EQ(label, "RL-SYSTEM");
  ProbeVolume(root.path() / "fat", type, label);
  EXPECT_EQ(type, "vfat");
  EXPECT_EQ(label, "RL-BOOT");
  ProbeVolume(root.path() / "zero", type, label);
  EXPECT_EQ(type, "");
}

TEST(GuestVolumesTest, MapsDriversToDiskBuses) {
  EXPECT_EQ(BusOfDriver("ata_piix"), "ide");
  EXPECT_EQ(BusOfDriver("pata_oldpiix"), "ide");
  EXPECT_EQ(BusOfDriver("ahci"), "sata");
  EXPECT_EQ(BusOfDriver("sym53c8xx"), "scsi");
  EXPECT_EQ(BusOfDriver("virtio_scsi"), "scsi");
  EXPECT_EQ(BusOfDriver("virtio_blk"), "virtio");
  EXPECT_EQ(BusOfDriver("sd"), "");
}

/// A fake sysfs with sda (2 partitions) behind ata_piix and vda behind virtio_blk.
void MakeDisks(const TempRoot& root) {
  std::string sda = "sys/devices/pci0000:00/0000:00:01.1/ata1/host0/target0:0:0/0:0:0:0/block/sda";
  root.Write(sda + "/size", "65536\n");
  root.Write(sda + "/sda1/partition", "1\n");
  root.Write(sda + "/sda1/size", "32768\n");
  root.Write(sda + "/sda2/partition", "2\n");
  root.Write(sda + "/sda2/size", "16384\n");
  root.Link("sys/devices/pci0000:00/0000:00:01.1/driver", "../../../bus/pci/drivers/ata_piix");
  root.Link("sys/devices/pci0000:00/0000:00:01.1/ata1/host0/target0:0:0/0:0:0:0/driver", "../../../../../../bus/scsi/drivers/sd");
  std::string vda = "sys/devices/pci0000:00/0000:00:05.0/virtio2/block/vda";
  root.Write(vda + "/size", "131072\n");
  root.Link("sys/devices/pci0000:00/0000:00:05.0/virtio2/driver", "../../../../bus/virtio/drivers/virtio_blk");
  root.Link("sys/devices/pci0000:00/0000:00:05.0/driver", "../../../bus/pci/drivers/virtio-pci");
  root.Link("sys/class/block/sda", "../../" + sda.substr(4));
  root.Link("sys/class/block/sda1", "../../" + sda.substr(4) + "/sda1");
  root.Link("sys/class/block/sda2", "../../" + sda.substr(4) + "/sda2");
  root.Link("sys/class/block/vda", "../../" + vda.substr(4));
  root.Write("dev/sda", std::string(1024, '\0'));
  root.Write("dev/sda1", Fat16BootSector("RL-BOOT"));
  root.Write("dev/sda2", Ext4Superblock("RL-SYSTEM"));
  root.Write("dev/vda", Ext4Superblock("RL-BACKUP"));
}

TEST(GuestVolumesTest, ScansDisksPartitionsBusesAndLabels) {
  TempRoot root;
  MakeDisks(root);
  auto devices = ScanBlockDevices(root.path());
  ASSERT_EQ(devices.size(), 4u);
  EXPECT_EQ(devices[0].name, "sda");
  EXPECT_EQ(devices[0].bus, "ide");
  EXPECT_EQ(devices[0].size_bytes, 65536u * 512);
  EXPECT_EQ(devices[2].name, "sda2");
  EXPECT_EQ(devices[2].disk, "sda");
  EXPECT_EQ(devices[2].partition, 2);
  EXPECT_EQ(devices[2].bus, "ide");
  EXPECT_EQ(devices[3].bus, "virtio");
  auto system = FindVolume(devices, kSystemLabel);
  ASSERT_TRUE(system.has_value());
  EXPECT_EQ(system->name, "sda2");
  auto boot = FindPartition(devices, system->disk, 1);
  ASSERT_TRUE(boot.has_value());
  EXPECT_EQ(boot->label, "RL-BOOT");
  EXPECT_EQ(FindVolume(devices, kBackupLabel)->name, "vda");
  EXPECT_FALSE(FindVolume(devices, "RL-NONE").has_value());
}

}  // namespace
}  // namespace restorelab::guest
