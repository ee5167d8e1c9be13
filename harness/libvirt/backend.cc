// The libvirt backend behind machines/backend.h.
#include "harness/machines/backend.h"

#include "harness/libvirt/libvirt_hypervisor.h"

namespace restorelab::machines {

std::string default_backend_uri(const std::filesystem::path& root) { return libvirt::embed_uri(root); }

Result<Backend> open_backend(std::string_view uri) {
  auto hv = libvirt::LibvirtHypervisor::open(uri);
  if (!hv) return std::unexpected(hv.error());
  return Backend{std::move(*hv), std::string(uri), libvirt::embed_root_of(uri)};
}

std::optional<std::filesystem::path> embed_root_of_uri(std::string_view uri) { return libvirt::embed_root_of(uri); }

std::string_view backend_name() { return "libvirt"; }

}  // namespace restorelab::machines
