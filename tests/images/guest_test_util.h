// Helpers for the guest library's tests: a scratch directory that plays the
// guest's root (fake /sys, /proc, /dev) and writers for its files.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "images/guest/kv.h"

namespace restorelab::guest::testing {

/// A fresh directory, removed with everything below it on destruction.
class TempRoot {
 public:
  TempRoot() {
    std::string pattern = (std::filesystem::temp_directory_path() / "rl-guest-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempRoot() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Writes `content` at `relative`, creating directories.
  void Write(const std::filesystem::path& relative, std::string_view content) const {
    ASSERT_TRUE(WriteFile(path_ / relative, content).has_value()) << relative;
  }
  /// Creates a symlink at `relative` pointing to `target` (as given).
  void Link(const std::filesystem::path& relative, const std::filesystem::path& target) const {
    std::filesystem::create_directories((path_ / relative).parent_path());
    std::filesystem::create_symlink(target, path_ / relative);
  }

 private:
  std::filesystem::path path_;
};

/// Adds a PCI function to a fake sysfs: vendor, device, class and (when
/// `driver` is not empty) a driver link; returns its directory.
inline std::filesystem::path AddPci(const TempRoot& root, std::string_view address, std::string_view vendor,
                                    std::string_view device, std::string_view class_code,
                                    std::string_view driver = "") {
  std::filesystem::path dir = std::filesystem::path("sys/bus/pci/devices") / address;
  root.Write(dir / "vendor", std::string(vendor) + "\n");
  root.Write(dir / "device", std::string(device) + "\n");
  root.Write(dir / "class", std::string(class_code) + "\n");
  if (!driver.empty()) root.Link(dir / "driver", std::filesystem::path("../../drivers") / driver);
  return root.path() / dir;
}

}  // namespace restorelab::guest::testing
