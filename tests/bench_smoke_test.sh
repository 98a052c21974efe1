#!/usr/bin/env bash
# CTest smoke run: `elubench --quick` over every device this build has (GPU rows are skipped
# with a reason where there is no GPU), then the schema and row checks on what it wrote, then
# the no-overwrite rule on the same file. usage: smoke_test.sh WORKDIR SCHEMA VALIDATOR
set -euo pipefail
work=$1 schema=$2 validator=$3
: "${ELUBENCH:?set ELUBENCH to the binary}" "${PYTHON:?set PYTHON}"
rm -rf "$work" && mkdir -p "$work"
out="$work/quick.json"
"$ELUBENCH" --quick --out "$out" --benchmark_min_time=0.0005 --benchmark_out="$work/gb.json" >"$work/stdout.txt"
grep -q "rows: .* ok, .* skipped, 0 failed" "$work/stdout.txt"
# The ceiling rule (no ok row above 105% of the best copy of its cell), in its --noisy form (see
# validate_results.py). On a 2-vCPU machine it breaks for a reason that is not a kernel beating
# a copy: the peers' own thread pools (oneDNN's OpenMP, XNNPACK's pthreadpool) keep spinning
# after a 2-thread call and starve the copies interleaved after them (seen in CI: 2-thread 2^16
# cells at 300-3800%), and 0.5 ms samples catch bursts of other work. So a breach is checked
# again in a run of our own kernels and the copies only, where no foreign pool spins: a kernel
# of ours that really beats its ceiling does so there too.
ceiling_rule() { "$PYTHON" "$validator" "$1" --schema "$schema" --expect-cpu-ok --max-pct-of-ceiling 105 --noisy; }
if ! ceiling_rule "$out"; then
  echo "smoke: ceiling rule broken; checking again without the peers (their thread pools spin)" >&2
  "$ELUBENCH" --quick --device cpu --variant naive,vectorized,fast,fused_bias,bias_then_act \
    --out "$work/recheck.json" --benchmark_min_time=0.0005 >/dev/null
  ceiling_rule "$work/recheck.json"
fi
# threads_used: recorded, and between 1 and the threads asked for (parallel_for splits a call
# only where it measured the split faster, kernels/cpu/parallel.hpp, so a loaded machine may
# run a 2-thread row on one).
"$PYTHON" - "$out" <<'EOF'
import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["results"] if r["device"] == "cpu" and r["variant"] == "vectorized"]
assert rows and all(r["threads_used"] is not None for r in rows), "vectorized rows must record threads_used"
for r in rows:
    ok = r["threads_used"] == 1 if r["threads"] == 1 else 1 <= r["threads_used"] <= r["threads"]
    assert ok, f"{r['name']} n={r['n']} threads={r['threads']}: threads_used {r['threads_used']}"
EOF
# Google Benchmark's own JSON is still written when asked for.
"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["benchmarks"], "empty GB json"' "$work/gb.json"
# A second run must refuse the existing file, before doing any work, and leave it untouched.
before=$(sha256sum "$out")
if "$ELUBENCH" --quick --out "$out" 2>"$work/err.txt"; then echo "overwrote $out" >&2; exit 1; fi
grep -q "exists; pass --force" "$work/err.txt"
[ "$(sha256sum "$out")" = "$before" ]
echo "smoke: ok"
