#include "harness/libvirt/libvirt_error.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <mutex>

namespace restorelab::libvirt {

namespace {

ErrorKind kind_of(int code) {
  switch (code) {
    case VIR_ERR_NO_DOMAIN: return ErrorKind::NoDomain;
    case VIR_ERR_OPERATION_INVALID: return ErrorKind::OperationInvalid;
    case VIR_ERR_INTERNAL_ERROR: return ErrorKind::Internal;
    default: return ErrorKind::Other;
  }
}

void ignore_error(void*, virErrorPtr) {}

}  // namespace

Error last_libvirt_error(std::string_view context) {
  Error error;
  const virError* e = virGetLastError();
  std::string detail = "libvirt reported no error";
  if (e != nullptr) {
    error.kind = kind_of(e->code);
    if (e->message != nullptr) detail = e->message;
  }
  error.message = std::string(context) + ": " + detail;
  virResetLastError();
  return error;
}

void silence_libvirt_default_error_printer() {
  static std::once_flag once;
  std::call_once(once, [] { virSetErrorFunc(nullptr, ignore_error); });
}

}  // namespace restorelab::libvirt
