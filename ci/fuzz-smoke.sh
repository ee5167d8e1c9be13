#!/usr/bin/env bash
# A short run of every libFuzzer target (tests/fuzz/README.md) in
# build-fuzz/ (or $FUZZ_BUILD_DIR): first each target replays the inputs
# that once broke a loader (tests/fuzz/crashes/), then fuzzes for
# $FUZZ_SECONDS (default 30) from its seed corpus, $FUZZ_JOBS (default 2)
# targets at a time. A crash, leak, UB report or timeout fails the script;
# the input is left in build-fuzz/art/.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-30}
source ci/ccache-env.sh
# clang 16: clang 14 cannot compile libstdc++ 12's std::expected (tests/fuzz/README.md).
# -O1 -gline-tables-only: a smoke run needs file and line in a report, not
# full debug information or -O2; the build takes about half as long.
CC=clang-16 CXX=clang++-16 cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
  -DRESTORELAB_FUZZ=ON -DRESTORELAB_BENCH=OFF -DRESTORELAB_TESTS=OFF -DRESTORELAB_WITH_LIBVIRT=OFF \
  -DCMAKE_CXX_FLAGS="-D__cpp_concepts=202002L -Wno-macro-redefined" "${launcher[@]}" >&2
targets=()
for source in tests/fuzz/fuzz_*.cc; do targets+=("$(basename "$source" .cc)"); done
ninja -C "$dir" "${targets[@]}" >&2
export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-16/bin/llvm-symbolizer
# One target: replay its crash inputs, then fuzz; its output goes to
# $dir/NAME.log, and a failure is told on stderr.
fuzz_one() {
  local target=$1 name corpus work art dict status=0
  # fuzz_scenario_loader -> corpus/scenario (and crashes/scenario-*), fuzz_known_deviations -> corpus/known,
  # fuzz_store -> corpus/store, fuzz_kept -> corpus/kept
  name=${target#fuzz_}
  name=${name%_loader}
  name=${name%_deviations}
  corpus=tests/fuzz/corpus/$name
  work=$dir/work/$name
  art=$dir/art/$name/
  mkdir -p "$work" "$art"
  local crashes=()
  while IFS= read -r -d '' f; do crashes+=("$f"); done < <(find tests/fuzz/crashes -name "$name-*" -type f -print0)
  {
    if [ ${#crashes[@]} -gt 0 ]; then
      echo "fuzz-smoke: $target replays ${#crashes[@]} input(s) from tests/fuzz/crashes/"
      "$dir/tests/fuzz/$target" -timeout=10 "${crashes[@]}" || status=$?
    fi
    # A target's own dictionary (tests/fuzz/NAME.dict) when it has one; the TOML one otherwise.
    dict=tests/fuzz/$name.dict
    [ -f "$dict" ] || dict=tests/fuzz/toml.dict
    if [ "$status" -eq 0 ]; then
      echo "fuzz-smoke: $target for ${seconds} s from $corpus"
      "$dir/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -dict="$dict" -artifact_prefix="$art" "$work" "$corpus" || status=$?
    fi
  } >"$dir/$name.log" 2>&1
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$dir/$name.log" >&2
    echo "fuzz-smoke: $target failed (exit $status); the input is in $art" >&2
    return 1
  fi
  echo "fuzz-smoke: $target: $(grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$dir/$name.log" | tr '\n' ' ')" >&2
}
# $FUZZ_JOBS targets at a time (default 2: the machine's two cores).
jobs=${FUZZ_JOBS:-2}
failed=0
running=()
for target in "${targets[@]}"; do
  fuzz_one "$target" &
  running+=($!)
  if [ ${#running[@]} -ge "$jobs" ]; then
    wait "${running[0]}" || failed=1
    running=("${running[@]:1}")
  fi
done
for pid in "${running[@]}"; do wait "$pid" || failed=1; done
exit "$failed"
