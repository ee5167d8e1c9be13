// The backend of a build without libvirt (-DRESTORELAB_WITH_LIBVIRT=OFF):
// everything but running VMs works; `run` says why it cannot.
#include "harness/machines/backend.h"

namespace restorelab::machines {

std::string default_backend_uri(const std::filesystem::path& root) { return "qemu:///embed?root=" + root.string(); }

Result<Backend> open_backend(std::string_view uri) {
  return std::unexpected(make_error("cannot open " + std::string(uri) +
                                    ": this restorelab was built without a VM backend "
                                    "(-DRESTORELAB_WITH_LIBVIRT=OFF); rebuild with libvirt to run VMs"));
}

std::optional<std::filesystem::path> embed_root_of_uri(std::string_view) { return std::nullopt; }

std::string_view backend_name() { return "none"; }

}  // namespace restorelab::machines
