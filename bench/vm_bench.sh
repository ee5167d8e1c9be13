#!/usr/bin/env bash
# Times one scenario end to end under the accelerator the probe picks (TCG
# here): `restorelab run --json` (total and per phase, from its JSON line),
# then, in the same invocation, a bare qemu-system-x86_64 boot of the same
# destination disk (the floor: firmware + loader + kernel + the guest's boot
# phase, no libvirt), and prints the ratio.
#
# Usage: bench/vm_bench.sh [SCENARIO] [RESTORELAB]
#   SCENARIO    default tests/vm/scenarios/up-on-mp.toml (system state, 3 VMs)
#   RESTORELAB  the binary (`restorelab` with the run command, or
#               restorelab_vm_cli); default: build/harness/restorelab if it
#               lists `run`, else build-run/tests/vm/restorelab_vm_cli
# Env: RUNS=N cold runs (`--no-cache`: every VM boots; default 3; every line
#      is printed, then the median). Build the image first (`restorelab image
#      build`): a run that builds it counts the build in its process wall time.
#      WARM=1 adds two runs with the source cache (the second reuses the
#      source VM's disks), the case of re-running a changed destination.
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
  line=$("$bin" run --json --keep --evidence "$work/runs" --work "$work/disks" "$@" "$scenario" | tail -1) || true
  t1=$(date +%s.%N)
  python3 - "$line" "$t0" "$t1" "$label" <<'PY'
import json, sys
j = json.loads(sys.argv[1]); t = j["timings_s"]
wall = float(sys.argv[3]) - float(sys.argv[2])
cached = " (source from the cache)" if j.get("source_cached") else ""
print(f"{sys.argv[4]}: verdict {j['verdict']} ({j['observed']['outcome']}), {j['accelerator']}: "
      + ", ".join(f"{k} {t[k]:.1f}s" for k in ("source", "recovery", "destination") if k in t)
      + f", total {t['total']:.1f}s (process wall {wall:.1f}s){cached}")
PY
}
for i in $(seq "$runs"); do
  one_run "cold run $i" --no-cache
  totals+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["timings_s"]["total"])' "$line")")
done
printf '%s\n' "${totals[@]}" | sort -n | awk '{v[NR] = $1} END {printf "cold median: %.1fs over %d run(s)\n", v[int((NR + 1) / 2)], NR}'
if [ "${WARM:-0}" = 1 ]; then
  one_run "warm run 1 (fills the cache unless it holds this source)"
  one_run "warm run 2"
fi

# The destination disk the last run kept (--keep), booted by bare QEMU with the
# same job, until the guest prints `done` or QEMU exits.
evidence=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["evidence"])' "$line")
[ -d "$evidence" ] || evidence="$PWD/$evidence"
disk=$(ls "$work"/disks/*/*/destination-system.img | head -1)
read -r bare bare_outcome < <("$repo/bench/bare_boot.sh" "$evidence" "$disk")
dest=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["timings_s"].get("destination", 0))' "$line")
total=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["timings_s"]["total"])' "$line")
echo "bare qemu boot of the destination disk: ${bare}s (outcome $bare_outcome)"
awk -v d="$dest" -v b="$bare" -v t="$total" 'BEGIN {
  printf "ratio destination phase / bare boot: %.2f\n", d / b
  printf "ratio whole scenario / bare boot:    %.2f\n", t / b }'
