// Error values shared by the guest program's library.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace restorelab::guest {

/// A failure, as a sentence that names what was being done and on what input
/// (a file, a device, a key). Never thrown: every fallible function returns
/// Result<T> or Status.
struct Error {
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

/// Makes an unexpected Error; `return Fail("cannot read " + path);`.
inline std::unexpected<Error> Fail(std::string message) {
  return std::unexpected<Error>(Error{std::move(message)});
}

}  // namespace restorelab::guest
