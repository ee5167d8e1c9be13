#include "images/guest/boot_config.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "images/guest/job_vocabulary.h"

namespace restorelab::guest {

std::vector<std::string> CanonicalDrivers(const std::vector<std::string>& drivers) {
  std::vector<std::string> out;
  for (std::string_view bus : vocabulary::kDiskBuses) {
    if (std::ranges::find(drivers, bus) != drivers.end()) out.emplace_back(bus);
  }
  return out;
}

std::string LoaderFolder(std::string_view systemroot) {
  std::string folder;
  if (systemroot.size() >= 2 && systemroot[1] == ':') {
    folder = "/" + std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>(systemroot[0]))));
    systemroot.remove_prefix(2);
  }
  if (!systemroot.starts_with('\\')) folder += '/';
  for (char c : systemroot) folder += c == '\\' ? '/' : c;
  while (folder.size() > 1 && folder.ends_with('/')) folder.pop_back();
  return (folder == "/" ? "" : folder) + "/system32";
}

std::string KernelCommandLine(const BootConfig& config) {
  std::string line = "console=ttyS0,115200 quiet loglevel=0 rl.disk=" + config.role;
  if (config.uniprocessor) line += " nosmp";
  return line;
}

std::vector<std::string> InitrdImages(const BootConfig& config) {
  std::vector<std::string> images = {"/base.img"};
  for (const std::string& bus : CanonicalDrivers(config.drivers)) images.push_back("/drivers/" + bus + ".img");
  if (config.with_tools) images.push_back("/tools.img");
  return images;
}

std::vector<BootFile> RenderBootConfig(const BootConfig& config) {
  std::vector<std::string> images = InitrdImages(config);
  for (std::string& image : images) image = config.folder + image;
  const std::string kernel = config.folder + "/vmlinuz";
  std::string cmdline = KernelCommandLine(config);
  if (config.firmware == vocabulary::kFirmwareUefi) {
    std::string entry = "title restorelab\nlinux " + kernel + "\n";
    for (const std::string& image : images) entry += "initrd " + image + "\n";
    entry += "options " + cmdline + "\n";
    return {{"loader/loader.conf", "timeout 0\ndefault restorelab.conf\neditor no\nauto-entries no\nauto-firmware no\n"},
            {"loader/entries/restorelab.conf", entry}};
  }
  std::string initrd;
  for (const std::string& image : images) initrd += (initrd.empty() ? "" : ",") + image;
  return {{"syslinux.cfg", "DEFAULT restorelab\nPROMPT 0\nTIMEOUT 0\nLABEL restorelab\n  LINUX " +
                               kernel + "\n  INITRD " + initrd + "\n  APPEND " + cmdline + "\n"}};
}

}  // namespace restorelab::guest
