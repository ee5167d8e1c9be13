#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds restorelab and its VM
# tests (build/, ci/build.sh) and the unit tests under AddressSanitizer and
# UBSan (build-asan/, ci/sanitize.sh), runs the VM tests and the
# instrumented unit tests side by side (the VMs keep both cores busy most of
# the time; the unit tests take the gaps), then a short run of every fuzzer
# (ci/fuzz-smoke.sh). After the VM tests, the container test (label
# `container`: the image of ci/container/ and two shards run in it). The
# unit tests include the offline check of ci/k8s/*.yaml. This is the
# README's test command; .ci/run calls it.
# TESTS=unit or TESTS=vm runs one label only (default: both).
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
  if [ "$tests" != vm ]; then stage "instrumented build" env SANITIZE_BUILD_ONLY=1 ci/sanitize.sh; fi
  unit=(ci/sanitize.sh -j1)
else
  stage "plain build" ci/build.sh
  unit=(ctest --test-dir "$build" -L unit --output-on-failure -j1)
fi
vm_status=0
vm_pid=""
start=$SECONDS
if [ "$tests" != unit ]; then
  # The VM tests' own lock keeps them one at a time; their output follows
  # the unit tests' so that the two do not interleave.
  ctest --test-dir "$build" -L vm --output-on-failure >"$build/vm-tests.log" 2>&1 &
  vm_pid=$!
fi
unit_status=0
if [ "$tests" != vm ]; then "${unit[@]}" || unit_status=$?; fi
if [ -n "$vm_pid" ]; then
  wait "$vm_pid" || vm_status=$?
  cat "$build/vm-tests.log"
fi
echo "ci: tests took $((SECONDS - start)) s (unit exit $unit_status, vm exit $vm_status)" >&2
if [ "$unit_status" != 0 ] || [ "$vm_status" != 0 ]; then exit 1; fi
# The container image and two shards run in it (ci/container/two-shards.sh):
# after the VM tests, so that its two VMs do not slow theirs. CONTAINER=0
# skips it.
if [ "$tests" != unit ] && [ "${CONTAINER:-1}" != 0 ]; then
  stage container ctest --test-dir "$build" -L container --output-on-failure
fi
if [ "${FUZZ:-1}" != 0 ]; then stage "fuzz smoke" ci/fuzz-smoke.sh; fi
echo "ci: all stages took $SECONDS s" >&2
