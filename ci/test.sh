#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds once with
# AddressSanitizer and UBSan, and runs every ctest label (unit and vm) from
# that build (ci/sanitize.sh), then a short run of every fuzzer
# (ci/fuzz-smoke.sh). This is the README's test command; .ci/run calls it.
# Arguments go to ctest (e.g. `ci/test.sh -L unit`).
# SANITIZE=0 tests the plain build (build/, ci/build.sh) instead, which is
# quicker to build on a developer's machine; FUZZ=0 skips the fuzzers.
# Each stage's wall time is printed on stderr ("ci: ... took N s").
set -euo pipefail
cd "$(dirname "$0")/.."
stage() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  echo "ci: $name took $((SECONDS - start)) s" >&2
}
stage setup ci/setup.sh
if [ "${SANITIZE:-1}" != 0 ]; then
  stage "instrumented build and tests" ci/sanitize.sh "$@"
else
  stage build ci/build.sh
  stage tests ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j2 "$@"
fi
if [ "${FUZZ:-1}" != 0 ]; then stage "fuzz smoke" ci/fuzz-smoke.sh; fi
echo "ci: all stages took $SECONDS s" >&2
