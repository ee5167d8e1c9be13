// Errors of whatever runs machines, as values. A backend converts its own
// errors into Error in exactly one function (libvirt: last_libvirt_error());
// failures found by restorelab itself use make_error().
#pragma once

#include <cstdint>
#include <expected>
#include <string>

namespace restorelab::machines {

/// What kind of failure, where the caller must tell them apart.
enum class ErrorKind : std::uint8_t {
  Other,
  NoDomain,          ///< the machine does not exist
  OperationInvalid,  ///< the operation does not fit the machine's state (destroying a stopped one)
  Internal,          ///< the backend or the hypervisor process failed
};

/// One failure.
struct Error {
  /// What was being done and why it failed, e.g.
  /// `starting domain "rl-1": internal error: qemu unexpectedly closed the monitor`.
  std::string message;
  ErrorKind kind = ErrorKind::Other;

  bool no_domain() const { return kind == ErrorKind::NoDomain; }
  bool operation_invalid() const { return kind == ErrorKind::OperationInvalid; }
  bool operator==(const Error&) const = default;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

/// An Error found by restorelab itself (kind Other).
inline Error make_error(std::string message) { return Error{std::move(message), ErrorKind::Other}; }

}  // namespace restorelab::machines
