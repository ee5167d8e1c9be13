#!/usr/bin/env bash
# The unit tests under AddressSanitizer and UndefinedBehaviorSanitizer, in
# build-asan/ (or $SANITIZE_BUILD_DIR): a memory error such as a use after
# free fails the run instead of passing by luck. The build includes the
# libvirt backend, so its unit tests run instrumented too.
# The VM tests do not run from this build: libvirt forks children that call
# malloc before exec, and GCC 12's ASan allocator is not fork-safe (a child
# deadlocked on its lock within twenty scenarios); they run from the plain
# build (ci/test.sh).
# SANITIZE_BUILD_ONLY=1 builds and stops.
# Usage: ci/sanitize.sh [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${SANITIZE_BUILD_DIR:-build-asan}
source ci/ccache-env.sh
werror=OFF
if [ "${CI:-}" = "true" ]; then werror=ON; fi
# -O0 -g1: UBSan's null and alignment checks double GCC's time per unit at
# -O1 (orchestrator.cc: 8.3 s with ASan alone, 17.9 s with ASan+UBSan at -O1,
# 8.5 s with both at -O0); -O0 keeps every check for half the build, and
# -g1 keeps file and line in the reports.
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS_SANITIZE="-O0 -g1" -DRESTORELAB_SANITIZE=ON \
  -DRESTORELAB_BENCH=OFF -DRESTORELAB_WERROR=$werror "${launcher[@]}" >&2
ninja -C "$dir" restorelab restorelab_tests >&2
if [ "${SANITIZE_BUILD_ONLY:-0}" = 1 ]; then exit 0; fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$dir" -L unit --output-on-failure "${@:--j2}"
