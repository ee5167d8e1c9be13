#include "harness/libvirt/libvirt_error.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <mutex>

namespace restorelab::libvirt {

bool Error::no_domain() const { return code == VIR_ERR_NO_DOMAIN; }
bool Error::operation_invalid() const { return code == VIR_ERR_OPERATION_INVALID; }

Error last_libvirt_error(std::string_view context) {
  Error error;
  const virError* e = virGetLastError();
  std::string detail = "libvirt reported no error";
  if (e != nullptr) {
    error.code = e->code;
    error.domain = e->domain;
    if (e->message != nullptr) detail = e->message;
  }
  error.message = std::string(context) + ": " + detail;
  virResetLastError();
  return error;
}

Error make_error(std::string message) { return Error{std::move(message), 0, 0}; }

namespace {
void ignore_error(void*, virErrorPtr) {}
}  // namespace

void silence_libvirt_default_error_printer() {
  static std::once_flag once;
  std::call_once(once, [] { virSetErrorFunc(nullptr, ignore_error); });
}

}  // namespace restorelab::libvirt
