#!/usr/bin/env bash
# CTest smoke run of a layer run (elubench --layers) on small shapes that reach every path of the
# CPU layer rows (one row, odd k and n, m above the reference's 64 sampled rows), then the schema
# and row checks on what it wrote and the layer chart and table drawn from it.
# usage: bench_layers_smoke.sh WORKDIR SCHEMA VALIDATOR PLOT   (env: ELUBENCH, PYTHON)
set -euo pipefail
work=$1 schema=$2 validator=$3 plot=$4
: "${ELUBENCH:?set ELUBENCH to the binary}" "${PYTHON:?set PYTHON}"
rm -rf "$work" && mkdir -p "$work"
out="$work/layers.json"
"$ELUBENCH" --layers --device cpu --threads 1 --activation elu,relu --layer-shapes 1x33x70,100x40x17 \
  --out "$out" --benchmark_min_time=0.0005 >"$work/stdout.txt"
grep -q "rows: .* ok, 0 skipped, 0 failed" "$work/stdout.txt"
grep -q "inside a (40, 17) layer at 100 rows, ELU costs" "$work/stdout.txt"
"$PYTHON" "$validator" "$out" --schema "$schema" --expect-cpu-ok
"$PYTHON" - "$out" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["results"]
assert rows and all(r["layer"] is not None and r["layer"]["bound_used"] <= 1 for r in rows)
tall = [r for r in rows if r["layer"]["m"] == 100]
assert all(r["accuracy"]["checked"] == 64 * 17 for r in tall), "100 rows: 64 of them referenced"
assert all(r["layer"]["overhead_vs_identity"] is not None for r in rows if r["layer"]["matmul"] == "onednn")
PY
"$PYTHON" "$plot" "$out" -o "$work/charts" >/dev/null
grep -q "| 40×17 | 100 | elu alpha=1 |" "$work/charts/layers.md"
echo "layers smoke: ok"
