// The guest's side effects behind one narrow interface: the real Linux
// implementation runs as PID 1 in the model guest; tests use a fake.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "images/guest/result.h"

namespace restorelab::guest {

namespace fs = std::filesystem;

class Platform {
 public:
  virtual ~Platform() = default;

  /// Root under which sys/, proc/, dev/ and mnt/ are found ("/" in the guest).
  virtual const fs::path& Root() const = 0;
  /// Writes `text` to the serial console as is (callers add newlines).
  /// Returning does not mean the host has it: see DrainConsole.
  virtual void Emit(std::string_view text) = 0;
  /// Returns once everything Emit wrote has left the serial port: the
  /// kernel's tty buffer, the UART's FIFO and its shift register are empty.
  /// RaisePanic and PowerOff end the VM at once, and whatever the UART still
  /// held would never reach the host's log, so the guest calls this right
  /// before either. Error: the console cannot be drained (then nothing waits).
  virtual Status DrainConsole() = 0;
  /// Shows `text` on the machine's screen, where a person (or the host's
  /// screenshot) sees it. Best effort; the default shows nothing.
  virtual void Show(std::string_view text) { (void)text; }
  /// The job text the host passed (QEMU fw_cfg opt/org.restorelab/job).
  virtual Result<std::string> ReadJob() = 0;
  /// Loads one kernel module file; a module already loaded is success.
  virtual Status LoadModule(const fs::path& file) = 0;
  /// Mounts `device` (type "ext4" or "vfat") on `target`, creating it.
  virtual Status Mount(const fs::path& device, const fs::path& target, std::string_view type, bool read_only) = 0;
  virtual Status Unmount(const fs::path& target) = 0;
  /// Makes the kernel re-read the partition table of a whole-disk device.
  virtual Status RereadPartitions(const fs::path& disk_device) = 0;
  /// Flushes all file systems.
  virtual void Sync() = 0;
  virtual void Sleep(int milliseconds) = 0;
  /// Tells the hypervisor the guest crashed (pvpanic, I/O port 0x505); with a
  /// pvpanic device the VM stops right away. Callers drain the console first.
  virtual void RaisePanic() = 0;
  /// Stops responding: never returns in the guest.
  virtual void Hang() = 0;
  /// Powers off (ACPI) or, without ACPI, halts; never returns in the guest.
  /// Callers drain the console first.
  virtual void PowerOff() = 0;
};

/// The real platform for PID 1 in the model guest: mounts proc, sysfs and
/// devtmpfs on construction; reads the job through the fw_cfg I/O ports.
class LinuxPlatform final : public Platform {
 public:
  LinuxPlatform();
  const fs::path& Root() const override { return root_; }
  void Emit(std::string_view text) override;
  Status DrainConsole() override;
  void Show(std::string_view text) override;
  Result<std::string> ReadJob() override;
  Status LoadModule(const fs::path& file) override;
  Status Mount(const fs::path& device, const fs::path& target, std::string_view type, bool read_only) override;
  Status Unmount(const fs::path& target) override;
  Status RereadPartitions(const fs::path& disk_device) override;
  void Sync() override;
  void Sleep(int milliseconds) override;
  void RaisePanic() override;
  void Hang() override;
  void PowerOff() override;

 private:
  fs::path root_ = "/";
  int console_ = -1;  ///< /dev/console: the serial port's tty (console=ttyS0)
};

/// Reads the fw_cfg file `name` via the legacy I/O port interface
/// (selector 0x510, data 0x511; directory at selector 0x19). Works with and
/// without ACPI. Needs I/O port permission (root).
Result<std::string> ReadFwCfgFile(std::string_view name);

/// The fw_cfg entry name of the job.
inline constexpr std::string_view kJobFwCfgName = "opt/org.restorelab/job";

}  // namespace restorelab::guest
