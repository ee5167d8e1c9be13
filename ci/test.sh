#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds restorelab and its VM
# tests (build/, ci/build.sh), then runs the VM tests and, beside them,
# builds the unit tests under AddressSanitizer and UBSan (build-asan/,
# ci/sanitize.sh), runs them and then a short run of every fuzzer
# (ci/fuzz-smoke.sh): the VMs keep both cores busy most of the time and the
# rest takes the gaps. After the VM tests, the container test (label
# `container`: the image of ci/container/ and two shards run in it;
# CONTAINER=0 skips it). The unit tests include the offline check of
# ci/k8s/*.yaml. This is the README's test command; .ci/run calls it.
# TESTS=unit or TESTS=vm runs one label only (default: both; the fuzzers go
# with the unit tests).
# SANITIZE=0 runs the unit tests from the plain build instead (quicker to
# build on a developer's machine); FUZZ=0 skips the fuzzers.
# Each stage's wall time is printed on stderr ("ci: ... took N s"); the
# compilers go through ccache when it is installed (ci/ccache-env.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
stage() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  echo "ci: $name took $((SECONDS - start)) s" >&2
}
tests=${TESTS:-all}
build=${BUILD_DIR:-build}
stage setup ci/setup.sh
if [ "${SANITIZE:-1}" != 0 ]; then
  stage "plain build" env BUILD_TARGETS="restorelab restorelab_vm_tests bench/all" ci/build.sh
  unit=(ci/sanitize.sh -j2)
else
  stage "plain build" ci/build.sh
  unit=(ctest --test-dir "$build" -L unit --output-on-failure -j2)
fi
vm_status=0
vm_pid=""
start=$SECONDS
if [ "$tests" != unit ]; then
  # The VM tests' own lock keeps them one at a time; their output follows
  # the rest so that the two do not interleave.
  # Then the container test, whose two VMs would slow theirs beside them.
  (
    status=0
    ctest --test-dir "$build" -L vm --output-on-failure || status=$?
    echo "ci: VM tests took $((SECONDS - start)) s (exit $status)"
    if [ "${CONTAINER:-1}" != 0 ]; then
      container_start=$SECONDS
      ctest --test-dir "$build" -L container --output-on-failure || status=$?
      echo "ci: container test took $((SECONDS - container_start)) s"
    fi
    exit "$status"
  ) >"$build/vm-tests.log" 2>&1 &
  vm_pid=$!
fi
# While the VM tests run: the instrumented build, the unit tests and then
# the fuzzers. The VMs take most of both cores and the rest fills their
# gaps, niced so that the VMs' boot timings stay as they are alone. A step
# that fails skips the ones after it, and the VM tests still finish.
unit_status=0
fuzz_status=0
fuzz_ran="not run"
if [ "$tests" != vm ]; then
  if [ "${SANITIZE:-1}" != 0 ]; then
    step_start=$SECONDS
    SANITIZE_BUILD_ONLY=1 nice -n 10 ci/sanitize.sh || unit_status=$?
    echo "ci: instrumented build took $((SECONDS - step_start)) s (exit $unit_status)" >&2
  fi
  if [ "$unit_status" = 0 ]; then
    step_start=$SECONDS
    nice -n 10 "${unit[@]}" || unit_status=$?
    echo "ci: unit tests took $((SECONDS - step_start)) s (exit $unit_status)" >&2
  fi
  if [ "${FUZZ:-1}" != 0 ] && [ "$unit_status" = 0 ]; then
    step_start=$SECONDS
    nice -n 10 ci/fuzz-smoke.sh || fuzz_status=$?
    fuzz_ran="exit $fuzz_status"
    echo "ci: fuzz smoke took $((SECONDS - step_start)) s (exit $fuzz_status)" >&2
  fi
fi
if [ -n "$vm_pid" ]; then
  wait "$vm_pid" || vm_status=$?
  cat "$build/vm-tests.log"
fi
echo "ci: tests took $((SECONDS - start)) s (unit exit $unit_status, fuzz $fuzz_ran, VM exit $vm_status)" >&2
echo "ci: all stages took $SECONDS s" >&2
if [ "$unit_status" != 0 ] || [ "$fuzz_status" != 0 ] || [ "$vm_status" != 0 ]; then exit 1; fi
