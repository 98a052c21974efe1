#!/usr/bin/env bash
# CTest: scripts/gpu_check.sh in its no-GPU mode (GPU_CHECK_NO_GPU=1 hides any GPU) over this
# build tree must exit 0 and leave, for cold and hot mode, a results file whose GPU rows are all
# skipped with a reason and that validates against the schema.
# usage: gpu_check_no_gpu.sh SOURCE_DIR BUILD_DIR WORKDIR PYTHON
set -euo pipefail
src=$1 build=$2 work=$3 py=$4
rm -rf "$work"
# A generous chart cap: a shared CI machine can take half a minute just to import matplotlib.
GPU_CHECK_NO_GPU=1 GPU_CHECK_T_CHARTS=300 ELUBENCH_BUILD_DIR="$build" PYTHON="$py" \
  bash "$src/scripts/gpu_check.sh" "$work"
grep -q "no-GPU mode: GPU_CHECK_NO_GPU=1" "$work/gpu_check.log"
grep -q "skipped the GPU tests and the sanitizers" "$work/gpu_check.log"
for mode in cold hot; do
  "$py" "$src/scripts/validate_results.py" "$work/results-$mode.json" --schema "$src/results/schema.json"
  "$py" - "$work/results-$mode.json" "$mode" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = [r for r in doc["results"] if r["device"] == "gpu"]
assert rows, "no GPU rows"
assert doc["config"]["cache"] == sys.argv[2], doc["config"]["cache"]
bad = [r["name"] for r in rows if r["status"] != "skipped" or not r["reason"]]
assert not bad, f"GPU rows not skipped with a reason: {bad[:5]}"
assert all(r["gpu_timing"] is None for r in rows)
print(f"{sys.argv[2]}: {len(rows)} GPU rows skipped, e.g. {rows[0]['reason']!r}")
PY
done
# Charts ran (nothing to draw for skipped rows), and their summary lists the skipped rows.
grep -q "skipped: " "$work/charts/summary.md"
echo "gpu_check no-GPU mode: ok"
