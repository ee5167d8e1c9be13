// Opening whatever runs the machines, by URI. The run logic and the CLI see
// only this and the Hypervisor seam (hypervisor.h); the backend target that
// the build links (libvirt/, or none with -DRESTORELAB_WITH_LIBVIRT=OFF)
// defines these functions.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "harness/machines/hypervisor.h"

namespace restorelab::machines {

/// An open connection.
struct Backend {
  std::unique_ptr<Hypervisor> hypervisor;
  std::string uri;
  /// The root of an embedded hypervisor (everything it runs lives below
  /// it; the cleanup of a killed run looks for QEMU processes there);
  /// nothing for a shared daemon such as qemu:///system.
  std::optional<std::filesystem::path> embed_root;
};

/// The URI used without --connect: an embedded hypervisor rooted at `root`.
std::string default_backend_uri(const std::filesystem::path& root);

/// Opens `uri`. An Error when it cannot be opened, or when this build has no
/// backend (it says so and how to build one).
Result<Backend> open_backend(std::string_view uri);

/// The root of an embedded hypervisor that `uri` names, or nothing for a
/// shared daemon (known before opening it).
std::optional<std::filesystem::path> embed_root_of_uri(std::string_view uri);

/// The name of this build's backend: "libvirt" or "none".
std::string_view backend_name();

}  // namespace restorelab::machines
