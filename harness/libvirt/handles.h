// Owning handles for libvirt objects. The only place that knows how each
// libvirt object is released; raw vir*Ptr values never leave the backend
// (harness/libvirt/*.cc), so this header is included by .cc files only.
#pragma once

#include <libvirt/libvirt.h>

#include <memory>

namespace restorelab::libvirt {

/// Releases a connection with virConnectClose. For the embedded driver this
/// also shuts the driver down and releases the lock on its root directory.
struct ConnectDeleter {
  void operator()(virConnectPtr p) const noexcept { virConnectClose(p); }
};
/// Releases one reference to a domain object (does not stop the domain).
struct DomainDeleter {
  void operator()(virDomainPtr p) const noexcept { virDomainFree(p); }
};
/// Releases a stream. Callers finish or abort a stream before it is released.
struct StreamDeleter {
  void operator()(virStreamPtr p) const noexcept { virStreamFree(p); }
};

using ConnectHandle = std::unique_ptr<virConnect, ConnectDeleter>;
using DomainHandle = std::unique_ptr<virDomain, DomainDeleter>;
using StreamHandle = std::unique_ptr<virStream, StreamDeleter>;

}  // namespace restorelab::libvirt
