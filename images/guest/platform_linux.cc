// LinuxPlatform: only runs inside the model guest (PID 1); not unit-tested.
#include "images/guest/platform.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "images/guest/console.h"

namespace restorelab::guest {
namespace {

constexpr uint16_t kFwCfgSelector = 0x510;
constexpr uint16_t kFwCfgData = 0x511;
constexpr uint16_t kFwCfgFileDir = 0x19;
constexpr uint16_t kPvpanicPort = 0x505;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

uint32_t ReadBe32() {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | inb(kFwCfgData);
  return value;
}

uint16_t ReadBe16() {
  uint16_t high = inb(kFwCfgData);
  return static_cast<uint16_t>((high << 8) | inb(kFwCfgData));
}

}  // namespace

Result<std::string> ReadFwCfgFile(std::string_view name) {
  if (ioperm(kFwCfgSelector, 2, 1) != 0) return Fail(Errno("ioperm fw_cfg"));
  outw(kFwCfgFileDir, kFwCfgSelector);
  uint32_t count = ReadBe32();
  if (count > 4096) return Fail("fw_cfg: implausible directory size " + std::to_string(count));
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t size = ReadBe32();
    uint16_t select = ReadBe16();
    ReadBe16();  // reserved
    char entry_name[56];
    for (char& c : entry_name) c = static_cast<char>(inb(kFwCfgData));
    if (std::string_view(entry_name, strnlen(entry_name, sizeof entry_name)) != name) continue;
    std::string content(size, '\0');
    outw(select, kFwCfgSelector);
    for (char& c : content) c = static_cast<char>(inb(kFwCfgData));
    return content;
  }
  return Fail("fw_cfg has no entry " + std::string(name) + " (pass -fw_cfg name=" + std::string(name) + ",file=...)");
}

LinuxPlatform::LinuxPlatform() {
  ::mkdir("/proc", 0755);
  ::mkdir("/sys", 0755);
  ::mkdir("/dev", 0755);
  ::mount("proc", "/proc", "proc", 0, nullptr);
  ::mount("sysfs", "/sys", "sysfs", 0, nullptr);
  ::mount("devtmpfs", "/dev", "devtmpfs", 0, nullptr);
  console_ = ::open("/dev/console", O_WRONLY | O_NOCTTY);
  if (console_ < 0) console_ = 1;
}

// The console is the only channel to the host: a failed write has nowhere to
// be reported.
void LinuxPlatform::Emit(std::string_view text) { (void)WriteAll(console_, text); }

// /dev/console opens the tty of the kernel's console device, ttyS0 here, so
// tcdrain waits for the 8250 UART itself (see DrainTerminal).
Status LinuxPlatform::DrainConsole() { return DrainTerminal(console_); }

void LinuxPlatform::Show(std::string_view text) {
  // The VGA text console: the serial console is /dev/console here.
  const int tty = ::open("/dev/tty0", O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (tty < 0) return;
  const std::string screen = "\033[2J\033[H" + std::string(text);
  (void)!::write(tty, screen.data(), screen.size());
  ::close(tty);
}

Result<std::string> LinuxPlatform::ReadJob() { return ReadFwCfgFile(kJobFwCfgName); }

Status LinuxPlatform::LoadModule(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(Errno("open " + file.string()));
  long rc = ::syscall(SYS_finit_module, fd, "", 0);
  int saved = errno;
  ::close(fd);
  if (rc != 0 && saved != EEXIST) {
    errno = saved;
    return Fail(Errno("finit_module " + file.string()));
  }
  return {};
}

Status LinuxPlatform::Mount(const fs::path& device, const fs::path& target, std::string_view type, bool read_only) {
  std::error_code ec;
  fs::create_directories(target, ec);
  std::string fstype(type);
  unsigned long flags = read_only ? MS_RDONLY : 0;
  if (::mount(device.c_str(), target.c_str(), fstype.c_str(), flags, nullptr) != 0) {
    return Fail(Errno("mount " + device.string() + " on " + target.string() + " as " + fstype));
  }
  return {};
}

Status LinuxPlatform::Unmount(const fs::path& target) {
  if (::umount(target.c_str()) != 0) return Fail(Errno("umount " + target.string()));
  return {};
}

Status LinuxPlatform::RereadPartitions(const fs::path& disk_device) {
  int fd = ::open(disk_device.c_str(), O_RDONLY);
  if (fd < 0) return Fail(Errno("open " + disk_device.string()));
  ::ioctl(fd, BLKFLSBUF, 0);
  int rc = ::ioctl(fd, BLKRRPART, 0);
  int saved = errno;
  ::close(fd);
  if (rc != 0) {
    errno = saved;
    return Fail(Errno("re-read partition table of " + disk_device.string()));
  }
  return {};
}

void LinuxPlatform::Sync() { ::sync(); }

void LinuxPlatform::Sleep(int milliseconds) { std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds)); }

void LinuxPlatform::RaisePanic() {
  if (ioperm(kPvpanicPort, 1, 1) == 0) outb(1, kPvpanicPort);  // PVPANIC_PANICKED
}

void LinuxPlatform::Hang() {
  for (;;) ::pause();
}

void LinuxPlatform::PowerOff() {
  ::sync();
  ::reboot(RB_POWER_OFF);
  for (;;) ::pause();  // without ACPI the kernel only halts; the host destroys the domain
}

}  // namespace restorelab::guest
