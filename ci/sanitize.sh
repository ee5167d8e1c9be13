#!/usr/bin/env bash
# The unit tests under AddressSanitizer and UndefinedBehaviorSanitizer, in
# build-asan/ (or $SANITIZE_BUILD_DIR): memory errors such as a use after
# free fail the run instead of passing by luck. VM tests are not repeated
# here (the guest is a static program, which ASan cannot build).
# The same build is the one without the libvirt backend
# (-DRESTORELAB_WITH_LIBVIRT=OFF): it proves that everything else builds and
# passes its tests without libvirt, at the cost of one build instead of two.
# The backend's own unit tests run in the main build.
# Usage: ci/sanitize.sh [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${SANITIZE_BUILD_DIR:-build-asan}
werror=OFF
if [ "${CI:-}" = "true" ]; then werror=ON; fi
# -O1 -g1: what ASan's documentation suggests (reports keep file and line),
# and a shorter build than -O2 -g.
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -g1" -DRESTORELAB_SANITIZE=ON \
  -DRESTORELAB_WITH_LIBVIRT=OFF -DRESTORELAB_BENCH=OFF -DRESTORELAB_WERROR=$werror >&2
ninja -C "$dir" restorelab restorelab_tests >&2
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$dir" -L unit -j2 --output-on-failure "$@"
