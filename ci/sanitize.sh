#!/usr/bin/env bash
# The instrumented build CI tests: everything (the libvirt backend, the
# guest's logic, the benchmarks) compiled with AddressSanitizer and
# UndefinedBehaviorSanitizer in build-asan/ (or $SANITIZE_BUILD_DIR), then
# every ctest label, unit and vm, run from it: a memory error such as a use
# after free fails the run instead of passing by luck, in the unit tests and
# in the `restorelab` that the VM tests drive. One build instead of a plain
# one and an instrumented one: the build is most of CI's time on two cores.
# The guest itself is a static program (no sanitizer runtime links into it);
# images/build-image.sh builds it with the host compiler, as for users.
# Usage: ci/sanitize.sh [ctest args...]   (e.g. ci/sanitize.sh -L unit)
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
  -DRESTORELAB_WERROR=$werror "${launcher[@]}" >&2
start=$SECONDS
ninja -C "$dir" >&2
echo "ci: the instrumented build took $((SECONDS - start)) s" >&2
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/ci/lsan.supp:print_suppressions=0}
ctest --test-dir "$dir" -j2 --output-on-failure "$@"
