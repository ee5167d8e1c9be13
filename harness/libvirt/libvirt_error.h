// Errors of the libvirt backend as values. Every libvirt failure becomes an
// Error in exactly one function, last_libvirt_error(), which reads
// virGetLastError(); failures found by the backend itself use make_error().
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace restorelab::libvirt {

/// One failure of the backend.
struct Error {
  /// What was being done and why it failed, e.g.
  /// `starting domain "rl-1": internal error: qemu unexpectedly closed the monitor`.
  std::string message;
  /// libvirt's virErrorNumber (VIR_ERR_*), or 0 when the backend itself failed.
  int code = 0;
  /// libvirt's virErrorDomain (VIR_FROM_*), or 0 when the backend itself failed.
  int domain = 0;

  /// True when libvirt said the domain does not exist (VIR_ERR_NO_DOMAIN).
  bool no_domain() const;
  /// True when libvirt said the operation does not fit the domain's state,
  /// e.g. destroying a domain that is not running (VIR_ERR_OPERATION_INVALID).
  bool operation_invalid() const;
  bool operator==(const Error&) const = default;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

/// The one conversion of libvirt's thread-local last error into an Error:
/// `context: libvirt message`, with libvirt's code and domain. Resets the
/// thread's libvirt error. When libvirt recorded no error the message says so.
Error last_libvirt_error(std::string_view context);

/// An Error that did not come from libvirt (code and domain 0).
Error make_error(std::string message);

/// Stops libvirt from printing every error to stderr; errors reach the caller
/// as values instead. Idempotent and thread-safe.
void silence_libvirt_default_error_printer();

}  // namespace restorelab::libvirt
