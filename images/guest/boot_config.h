// The loader configuration on the boot volume, compiled from the
// installation's registry (the analogue of NTLDR reading the SYSTEM hive for
// boot-start drivers and boot.ini for the HAL switches).
#pragma once

#include <string>
#include <vector>

namespace restorelab::guest {

/// What the loader must start.
struct BootConfig {
  std::string firmware = "bios";          ///< "bios" -> syslinux, "uefi" -> systemd-boot
  std::vector<std::string> drivers;       ///< disk buses whose driver images are loaded
  bool uniprocessor = false;              ///< start the kernel on one processor (`nosmp`)
  std::string role = "system";            ///< rl.disk= on the command line: system|recovery
  bool with_tools = false;                ///< also load tools.img (busybox; recovery environment)
};

/// A file to write on the boot volume.
struct BootFile {
  std::string path;     ///< relative to the boot volume's root
  std::string content;
};

/// The kernel command line for `config` (quiet, serial console on ttyS0).
std::string KernelCommandLine(const BootConfig& config);

/// The initrd images, in load order: base.img, drivers/<bus>.img..., tools.img.
std::vector<std::string> InitrdImages(const BootConfig& config);

/// The loader files: syslinux.cfg for "bios"; loader/loader.conf and
/// loader/entries/restorelab.conf for "uefi". Timeouts are 0.
std::vector<BootFile> RenderBootConfig(const BootConfig& config);

/// The boot-start driver names in canonical order (ide, sata, scsi, virtio),
/// without duplicates or unknown names.
std::vector<std::string> CanonicalDrivers(const std::vector<std::string>& drivers);

}  // namespace restorelab::guest
