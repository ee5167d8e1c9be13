// The loader configuration on the boot volume, compiled from the
// installation's registry and boot.ini (the analogue of NTLDR reading the
// SYSTEM hive for boot-start drivers, boot.ini for the systemroot and the HAL
// switches).
//
// The loader's files sit below the systemroot: the kernel, base.img and the
// driver images in `<systemroot>\system32` (drivers in `drivers\`), as
// NTLDR and winload load `\WINDOWS\system32\ntoskrnl.exe` from the
// partition boot.ini's ARC path names. syslinux and systemd-boot read only
// the FAT boot volume, so that folder is on the boot volume, below a folder
// named after the drive (the ARC path's partition): C:\WINDOWS ->
// /C/WINDOWS/system32. A configuration
// compiled for another systemroot names files that are not there, and the
// loader itself fails (images/README.md, "Outcomes: physical or emulated").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace restorelab::guest {

/// What the loader must start.
struct BootConfig {
  std::string firmware = "bios";          ///< "bios" -> syslinux, "uefi" -> systemd-boot
  std::vector<std::string> drivers;       ///< disk buses whose driver images are loaded
  bool uniprocessor = false;              ///< start the kernel on one processor (`nosmp`)
  std::string role = "system";            ///< rl.disk= on the command line: system|recovery
  bool with_tools = false;                ///< also load tools.img (busybox; recovery environment)
  std::string folder = "/C/WINDOWS/system32";  ///< the loader's files on the boot volume (LoaderFolder)
};

/// The folder of the loader's files on the boot volume for `systemroot`:
/// "C:\WINDOWS" -> "/C/WINDOWS/system32" (the drive letter, upper case, as
/// the first folder; '\' -> '/').
std::string LoaderFolder(std::string_view systemroot);

/// The systemroot setup (make-disk.sh) puts the loader's files under, before
/// any installation: C:\WINDOWS.
inline constexpr std::string_view kSetupSystemroot = "C:\\WINDOWS";

/// A file to write on the boot volume.
struct BootFile {
  std::string path;     ///< relative to the boot volume's root
  std::string content;
};

/// The kernel command line for `config` (quiet, serial console on ttyS0).
std::string KernelCommandLine(const BootConfig& config);

/// The initrd images, in load order: /base.img, /drivers/<bus>.img...,
/// /tools.img (relative to the loader folder, as in the artifacts' initrd/).
std::vector<std::string> InitrdImages(const BootConfig& config);

/// The loader files: syslinux.cfg for "bios"; loader/loader.conf and
/// loader/entries/restorelab.conf for "uefi". Timeouts are 0. Kernel and
/// initrds are named below `config.folder`. What either loader prints reaches
/// the serial log through the firmware's console (SeaBIOS with libvirt's
/// useserial, OVMF always).
std::vector<BootFile> RenderBootConfig(const BootConfig& config);

/// The boot-start driver names in canonical order (ide, sata, scsi, virtio),
/// without duplicates or unknown names.
std::vector<std::string> CanonicalDrivers(const std::vector<std::string>& drivers);

}  // namespace restorelab::guest
