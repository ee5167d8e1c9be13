// The real Hypervisor: libvirt's C API, by default through the embedded QEMU
// driver (`qemu:///embed?root=DIR`: no daemon, everything under DIR), or any
// other URI (`--connect qemu:///system`). Nothing of libvirt's C types is
// visible here; they stay in libvirt_hypervisor.cc behind handles.h.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "harness/libvirt/libvirt_error.h"
#include "harness/machines/hypervisor.h"

namespace restorelab::libvirt {

using machines::DomainState;
using machines::DomainStatus;
using machines::Hypervisor;
using machines::LifecycleEvent;

/// `qemu:///embed?root=ROOT`, with ROOT made absolute and percent-encoded.
/// Keep ROOT short: QEMU's monitor socket lives below it and UNIX socket
/// paths are limited to 107 bytes.
std::string embed_uri(const std::filesystem::path& root);

/// The root directory of a `qemu:///embed?root=...` URI; nullopt for any
/// other URI.
std::optional<std::filesystem::path> embed_root_of(std::string_view uri);

/// Whether the cgroup file system at `mount` (/sys/fs/cgroup) can be written:
/// false where it or a folder right below it (cgroup v1's controller mounts)
/// is mounted read-only, as in a container without privilege (podman, a
/// Kubernetes pod), or where it does not exist.
bool cgroups_writable(const std::filesystem::path& mount = "/sys/fs/cgroup");

/// Creates ROOT/etc and writes ROOT/etc/qemu.conf for the embedded driver:
/// QEMU's output goes to files (`stdio_handler = "file"`, no virtlogd), QEMU
/// runs as root and disks are not chowned (`dynamic_ownership = 0`), and no
/// security driver confines QEMU (it reads fw_cfg files from anywhere).
/// Without `cgroups` (cgroups_writable() false) libvirt is told to use no
/// cgroup controller (`cgroup_controllers = [ ]`): it would otherwise fail to
/// start any domain ("Failed to create v1 controller cpu ... Read-only file
/// system"). restorelab sets no limit that needs one.
/// Replaces the file whole (write_output_file); it belongs to restorelab.
Status write_embed_qemu_conf(const std::filesystem::path& root, bool cgroups = cgroups_writable());

class LibvirtHypervisor final : public Hypervisor {
 public:
  /// Opens a connection to `uri` and starts collecting lifecycle events.
  /// For an embed URI the root's qemu.conf is written first. Only one process
  /// at a time can open a given embed root; a second one gets an Error.
  /// Domains left by an earlier process on the same root are found again.
  /// For embed URIs libvirt's own log goes to ROOT/log/libvirt.log (unless
  /// LIBVIRT_LOG_OUTPUTS is set), QEMU's to ROOT/log/qemu/NAME.log.
  /// The first open of a new root probes QEMU's capabilities (tens of seconds
  /// under TCG; cached in ROOT/cache), so keep one root across runs.
  static Result<std::unique_ptr<LibvirtHypervisor>> open(std::string_view uri);

  /// Closes the connection. Running domains keep running (and are found
  /// again by the next open of the same root): destroy them first.
  ~LibvirtHypervisor() override;
  LibvirtHypervisor(const LibvirtHypervisor&) = delete;
  LibvirtHypervisor& operator=(const LibvirtHypervisor&) = delete;

  /// The URI this hypervisor was opened with.
  const std::string& uri() const;

  Result<std::string> define(std::string_view xml) override;
  Status start(std::string_view name) override;
  Result<DomainStatus> status(std::string_view name) override;
  Result<std::optional<LifecycleEvent>> next_event(std::string_view name,
                                                   std::chrono::milliseconds timeout) override;
  Status destroy(std::string_view name) override;
  Status undefine(std::string_view name) override;
  Result<std::vector<std::string>> list_domains(std::string_view prefix) override;
  /// QEMU's screendump arrives as PNG (QEMU >= 7.1) and is written as is; a
  /// PPM is converted to PNG.
  Status screenshot(std::string_view name, const std::filesystem::path& png) override;
  Status save(std::string_view name, const std::filesystem::path& file) override;
  Status restore(const std::filesystem::path& file, std::string_view xml, bool paused) override;
  Status resume(std::string_view name) override;
  Result<std::string> versions() override;

 private:
  struct Impl;
  explicit LibvirtHypervisor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace restorelab::libvirt
