// The model guest's PID 1: everything lives in restorelab_guest_lib.
#include "images/guest/guest_run.h"
#include "images/guest/platform.h"

int main() {
  restorelab::guest::LinuxPlatform platform;
  return restorelab::guest::RunGuest(platform);
}
