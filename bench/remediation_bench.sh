#!/usr/bin/env bash
# Times `run --remediate` in one invocation: the scenario without it, the
# same scenario with it (both --no-cache: every VM boots), and a bare QEMU
# boot of the remediated destination disk (bench/bare_boot.sh), then the
# ratios. Everything runs on a private embedded libvirt root that is removed
# afterwards.
#
# Usage: bench/remediation_bench.sh [SCENARIO] [RESTORELAB]
#   SCENARIO    default tests/vm/scenarios/ide-to-sata.toml (Stop 0x7B, cured
#               by an in-place upgrade from installation media)
#   RESTORELAB  default build/harness/restorelab
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scenario=$(realpath "${1:-$repo/tests/vm/scenarios/ide-to-sata.toml}")
bin=${2:-$repo/build/harness/restorelab}
[ -x "$bin" ] || { echo "remediation_bench: no restorelab binary at $bin (build it, or pass one)" >&2; exit 2; }
work=$(mktemp -d /var/tmp/rl-remediation-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
common=(run --json --db none --no-cache --connect "qemu:///embed?root=$work/embed" --evidence "$work/runs")

echo "scenario: $scenario"
plain=$("$bin" "${common[@]}" --work "$work/plain" "$scenario" | tail -1) || true
remediated=$("$bin" "${common[@]}" --work "$work/remediated" --remediate --keep "$scenario" | tail -1) || true
evidence=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["evidence"])' "$remediated")
[ -d "$evidence" ] || evidence="$PWD/$evidence"
disk=$(ls "$work"/remediated/*/*/destination-system.img | head -1)
read -r bare bare_outcome < <("$repo/bench/bare_boot.sh" "$evidence" "$disk" remediated)
python3 - "$plain" "$remediated" "$bare" "$bare_outcome" <<'PY'
import json, sys
plain, rem = json.loads(sys.argv[1]), json.loads(sys.argv[2])
bare, bare_outcome = float(sys.argv[3]), sys.argv[4]
m = rem.get("remediation") or {}
pt, rt = plain["timings_s"]["total"], rem["timings_s"]["total"]
mt = m.get("timings_s", {})
print(f"without --remediate: {pt:.1f}s ({plain['observed']['outcome']}, {plain['accelerator']})")
print(f"with --remediate:    {rt:.1f}s (remediation {m.get('verdict')}: {', '.join(m.get('applied', []))} "
      f"from {m.get('from')}; remediate VM {mt.get('remediate', 0):.1f}s, remediated boot {mt.get('boot', 0):.1f}s)")
print(f"bare boot of the remediated disk: {bare:.1f}s ({bare_outcome})")
print(f"ratio with / without --remediate:   {rt / pt:.2f}")
print(f"ratio with --remediate / bare boot: {rt / bare:.2f}")
print(f"remediation's cost / bare boot:     {(rt - pt) / bare:.2f}")
PY
