// The one conversion of libvirt's errors into machines::Error values.
#pragma once

#include <string_view>

#include "harness/machines/error.h"

namespace restorelab::libvirt {

using machines::Error;
using machines::ErrorKind;
using machines::Result;
using machines::Status;
using machines::make_error;

/// The one conversion of libvirt's thread-local last error into an Error:
/// `context: libvirt message`, its kind from libvirt's code
/// (VIR_ERR_NO_DOMAIN, VIR_ERR_OPERATION_INVALID, VIR_ERR_INTERNAL_ERROR).
/// Resets the thread's libvirt error. When libvirt recorded no error the
/// message says so.
Error last_libvirt_error(std::string_view context);

/// Stops libvirt from printing every error to stderr; errors reach the caller
/// as values instead. Idempotent and thread-safe.
void silence_libvirt_default_error_printer();

}  // namespace restorelab::libvirt
