#!/usr/bin/env bash
# Times campaigns on real VMs (the figures of issue "Campaigns" in
# bench/README.md), in one go:
#  1. the pairwise covering array of bench/matrices/jobs-6.toml (6 scenarios)
#     with --jobs 1 and then --jobs 2, every VM booted (--no-reuse: no stored
#     observation; --no-cache: no source VM from the cache): wall
#     time, scenarios per hour, the ratio;
#  2. the 4 combinations of tests/vm/matrices/campaign.toml run into a fresh
#     store, then the same again: the second run's wall time and how many
#     QEMU processes it started (none: every observation is reused).
# Usage: bench/campaign_bench.sh [BUILD_DIR]   (run on an idle machine)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build}/harness/restorelab
tmp=$(mktemp -d /var/tmp/restorelab-campaign-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
common=(--known none --work "$tmp/work" --evidence "$tmp/runs")

seconds() { python3 -c 'import sys,time; print(f"{time.time():.3f}")'; }
verdicts() { python3 -c 'import json,sys
c={}
for l in sys.stdin:
    if l.startswith("{\"id\""): v=json.loads(l)["verdict"]; c[v]=c.get(v,0)+1
print(" ".join(f"{k}:{n}" for k,n in sorted(c.items())))'; }

"$bin" image build >/dev/null
declare -A wall
for jobs in 1 2; do
  start=$(seconds)
  "$bin" run --json --no-reuse --no-cache --db none --jobs "$jobs" --strength 2 "${common[@]}" bench/matrices/jobs-6.toml \
    2>/dev/null > "$tmp/jobs-$jobs.jsonl" || true
  grep '"verdict":"disagree"' "$tmp/jobs-$jobs.jsonl" | python3 -c 'import json,sys
for l in sys.stdin: j=json.loads(l); print("  disagree:", j["id"], "predicted", j["predicted"]["outcome"], "observed", j["observed"]["outcome"], "-", j["observed"].get("seen",""))' || true
  end=$(seconds)
  wall[$jobs]=$(python3 -c "print(f'{$end - $start:.1f}')")
  n=$(grep -c '^{"id"' "$tmp/jobs-$jobs.jsonl" || true)
  echo "jobs $jobs: $n scenarios in ${wall[$jobs]} s ($(python3 -c "print(f'{$n * 3600 / ($end - $start):.0f}')") per hour); $(verdicts < "$tmp/jobs-$jobs.jsonl")"
done
echo "ratio jobs 2 / jobs 1 (scenarios per hour): $(python3 -c "print(f'{${wall[1]} / ${wall[2]}:.2f}')")"

db="$tmp/reuse.sqlite"
"$bin" run --json --jobs 2 --db "$db" "${common[@]}" tests/vm/matrices/campaign.toml >/dev/null 2>&1 || true
count_qemu() { ps -eo comm= | grep -c '^qemu-system' || true; }
before=$(count_qemu)
start=$(seconds)
"$bin" run --json --jobs 2 --db "$db" "${common[@]}" tests/vm/matrices/campaign.toml > "$tmp/second.jsonl" 2>"$tmp/second.err" &
pid=$!
started=0
while kill -0 "$pid" 2>/dev/null; do
  now=$(count_qemu); [ "$now" -gt "$before" ] && started=$((started + now - before))
  sleep 0.02
done
wait "$pid" || true
end=$(seconds)
reused=$(grep -c '"reused":true' "$tmp/second.jsonl" || true)
echo "second run of the unchanged 4-scenario matrix: $(python3 -c "print(f'{$end - $start:.2f}')") s, $reused of 4 reused, QEMU processes started: $started"
echo "store: $(stat -c %s "$db") bytes for $(python3 -c "import sqlite3;print(sqlite3.connect('$db').execute('select count(*) from results').fetchone()[0])") results"
