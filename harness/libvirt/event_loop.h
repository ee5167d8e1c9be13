// libvirt's default event loop, run on a background thread. The embedded QEMU
// driver and domain events need it; it must be registered before the first
// connection is opened.
#pragma once

#include "harness/libvirt/libvirt_error.h"

namespace restorelab::libvirt {

/// Registers libvirt's default event loop implementation and starts one
/// thread running it, the first time it is called in the process; later calls
/// return the first call's result. Thread-safe. The thread stops and is joined
/// at process exit.
Status ensure_event_loop();

}  // namespace restorelab::libvirt
