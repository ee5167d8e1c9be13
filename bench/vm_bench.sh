#!/usr/bin/env bash
# Times one scenario end to end under the accelerator the probe picks (TCG
# here): `restorelab run --json` (total and per phase, from its JSON line)
# cold and warm, then, in the same invocation, a bare qemu-system-x86_64
# boot of the same destination disk (the floor: firmware + loader + kernel +
# the guest's boot phase, no libvirt), and prints the ratios.
#
# Usage: bench/vm_bench.sh [SCENARIO] [RESTORELAB]
#   SCENARIO    default tests/vm/scenarios/up-on-mp.toml (system state, 3 VMs)
#   RESTORELAB  the binary (`restorelab` with the run command, or
#               restorelab_vm_cli); default: build/harness/restorelab if it
#               lists `run`, else build-run/tests/vm/restorelab_vm_cli
# Runs, every one with --no-cache (the source VM boots):
#   RUNS cold runs (--no-warm: every VM boots; default 3), then one run that
#   builds the warm states into a fresh folder (first use), then RUNS warm
#   runs restoring from them, then RUNS bare boots. Every line is printed, then the medians, the
#   states' sizes and the time to build each.
# Env: RUNS=N; SOURCE_CACHE=1 adds two runs with the source cache (the second
#      reuses the source VM's disks), the case of re-running a changed
#      destination. Build the image first (`restorelab image build`): a run
#      that builds it counts the build in its process wall time.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scenario=$(realpath "${1:-$repo/tests/vm/scenarios/up-on-mp.toml}")
bin=${2:-}
if [ -z "$bin" ]; then
  for b in "$repo/build/harness/restorelab" "$repo/build-run/harness/restorelab"; do
    if [ -x "$b" ] && "$b" --help 2>/dev/null | grep -q '^  run '; then bin=$b; break; fi
  done
  [ -n "$bin" ] || bin=$(ls "$repo"/build*/tests/vm/restorelab_vm_cli 2>/dev/null | head -1)
fi
[ -x "$bin" ] || { echo "vm_bench: no restorelab binary (build it, or pass one)" >&2; exit 2; }
work=$(mktemp -d /var/tmp/rl-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
runs=${RUNS:-3}

echo "scenario: $scenario"
echo "binary:   $bin"
line=
totals=()
one_run() {  # label, extra args...
  local label=$1 t0 t1
  shift
  rm -rf "$work/disks"
  t0=$(date +%s.%N)
  line=$("$bin" run --json --db none --keep --evidence "$work/runs" --work "$work/disks" "$@" "$scenario" | tail -1) || true
  t1=$(date +%s.%N)
  python3 - "$line" "$t0" "$t1" "$label" <<'PY'
import json, sys
j = json.loads(sys.argv[1]); t = j["timings_s"]
wall = float(sys.argv[3]) - float(sys.argv[2])
cached = " (source from the cache)" if j.get("source_cached") else ""
print(f"{sys.argv[4]}: verdict {j['verdict']} ({j['observed']['outcome']}), {j['accelerator']}: "
      + ", ".join(f"{k} {t[k]:.1f}s" for k in ("source", "restore", "destination") if k in t)
      + f", total {t['total']:.1f}s (process wall {wall:.1f}s){cached}")
PY
}
median() { sort -n | awk '{v[NR] = $1} END {printf "%.1f", v[int((NR + 1) / 2)]}'; }
total_of() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["timings_s"]["total"])' "$line"; }
for i in $(seq "$runs"); do
  one_run "cold run $i" --no-cache --no-warm
  totals+=("$(total_of)")
done
cold_median=$(printf '%s\n' "${totals[@]}" | median)
echo "cold median: ${cold_median}s over $runs run(s)"
one_run "first use (builds the warm states)" --no-cache --warm-dir "$work/warm"
python3 - "$line" <<'PY'
import json, sys, os
j = json.loads(sys.argv[1])
t = json.load(open(os.path.join(j["evidence"], "timings.json")))
for vm in t["vms"]:
    if vm.get("start") == "warm":
        size = os.path.getsize(vm["warm_state"]) if os.path.exists(vm["warm_state"]) else 0
        print(f"  state for the {vm['phase']} VM: built in {vm['warm_build_seconds']:.1f}s, {size / 1e6:.0f} MB")
PY
totals=()
for i in $(seq "$runs"); do
  one_run "warm run $i" --no-cache --warm-dir "$work/warm"
  totals+=("$(total_of)")
done
warm_median=$(printf '%s\n' "${totals[@]}" | median)
echo "warm median: ${warm_median}s over $runs run(s)"
# Where the last warm run's time went, VM by VM: the host's view (seconds,
# of which the stop after `done`) and the guest's own steps (step_ms).
python3 - "$line" <<'PY'
import json, sys, os
j = json.loads(sys.argv[1])
t = json.load(open(os.path.join(j["evidence"], "timings.json")))
print(f"  disks (waited for): {t.get('disks', 0):.2f}s")
for vm in t["vms"]:
    steps = ", ".join(f"{k} {v}" for k, v in vm.get("guest_step_ms", {}).items())
    print(f"  {vm['phase']} ({vm['start']}): {vm['seconds']:.2f}s, stop {vm['stop_seconds']:.2f}s; guest ms: {steps}")
PY
if [ "${SOURCE_CACHE:-0}" = 1 ]; then
  one_run "source cache run 1 (fills the cache unless it holds this source)" --warm-dir "$work/warm"
  one_run "source cache run 2" --warm-dir "$work/warm"
fi

# The destination disk the last run kept (--keep), booted by bare QEMU with the
# same job, until the guest prints `done` or QEMU exits.
evidence=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["evidence"])' "$line")
[ -d "$evidence" ] || evidence="$PWD/$evidence"
disk=$(ls "$work"/disks/*/*/destination-system.img | head -1)
# As many bare boots as warm runs, and their median: one boot on a busy host
# moved the ratios by a tenth.
bares=()
for i in $(seq "$runs"); do
  read -r bare bare_outcome < <("$repo/bench/bare_boot.sh" "$evidence" "$disk" 2>/dev/null)
  echo "bare qemu boot $i of the destination disk: ${bare}s (outcome $bare_outcome)"
  bares+=("$bare")
done
bare=$(printf '%s\n' "${bares[@]}" | median)
dest=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["timings_s"].get("destination", 0))' "$line")
echo "bare median: ${bare}s over $runs boot(s)"
awk -v d="$dest" -v b="$bare" -v c="$cold_median" -v w="$warm_median" 'BEGIN {
  printf "ratio destination phase / bare boot (last run): %.2f\n", d / b
  printf "ratio whole scenario / bare boot, cold median:  %.2f\n", c / b
  printf "ratio whole scenario / bare boot, warm median:  %.2f\n", w / b }'
