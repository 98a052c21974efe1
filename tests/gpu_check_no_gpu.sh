#!/usr/bin/env bash
# CTest: scripts/gpu_check.sh without a GPU, over this build tree. One mode per CTest test:
#   no-gpu     every stage in its no-GPU mode (GPU_CHECK_NO_GPU=1 hides any GPU): exit 0, each
#              stage's results written and valid, GPU rows skipped with a reason, the test shards
#              run (skipping), the charts and report.html drawn
#   plan       the dry-run plan of the default stages fits 360 s on a 16-core GPU node; a tiny
#              budget is refused; the driver/toolkit pair comes first, with a fake nvidia-smi
#              below 580 (the plan out, exit 3 after the smoke stage) and above it
#   cut-short  a stage that hangs (ignoring SIGTERM, with a child of its own) is stopped at its
#              cap with its whole process group; the earlier stages' results stay, valid; exit 1
# usage: gpu_check_no_gpu.sh MODE SOURCE_DIR BUILD_DIR WORKDIR PYTHON
set -euo pipefail
mode=$1 src=$2 build=$3 work=$4 py=$5
check=$src/scripts/gpu_check.sh
rm -rf "$work" && mkdir -p "$work"

# valid JSON TAG: the schema, and every GPU row skipped with a reason.
valid() {
  "$py" "$src/scripts/validate_results.py" "$1" --schema "$src/results/schema.json"
  "$py" - "$1" <<'PY'
import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["results"] if r["device"] == "gpu"]
assert rows, "no GPU rows"
bad = [r["name"] for r in rows if r["status"] != "skipped" or not r["reason"]]
assert not bad, f"GPU rows not skipped with a reason: {bad[:5]}"
print(f"{sys.argv[1]}: {len(rows)} GPU rows skipped, e.g. {rows[0]['reason']!r}")
PY
}

no_gpu() {
  # A generous chart cap: a shared CI machine can take half a minute just to import matplotlib.
  GPU_CHECK_NO_GPU=1 ELUBENCH_BUILD_DIR="$build" PYTHON="$py" bash "$check" "$work/out" --cap charts=300
  local o=$work/out tag
  grep -q "no-GPU mode: GPU_CHECK_NO_GPU=1" "$o/gpu_check.log"
  for tag in smoke core-cold core-hot other-cold; do valid "$o/results-$tag.json"; done
  "$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["config"]["cache"] == "hot", d["config"]' \
    "$o/results-core-hot.json"
  [ "$(awk -F'\t' 'NR > 1 && $2 == "ok"' "$o/stages.tsv" | wc -l)" = 7 ] || { cat "$o/stages.tsv"; exit 1; }
  ls "$o"/tests-*.xml >/dev/null
  grep -q "sanitizer: skipped: GPU_CHECK_NO_GPU=1" "$o/gpu_check.log"
  grep -q "skipped: " "$o/charts/summary.md"
  [ -s "$o/report.html" ]
}

# fake_smi DIR RELEASE CUDA: an nvidia-smi that reports one GPU with that driver.
fake_smi() {
  mkdir -p "$1"
  cat >"$1/nvidia-smi" <<EOF
#!/usr/bin/env bash
case "\$*" in
  -L) echo "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-fake)" ;;
  *driver_version*) echo "$2" ;;
  -q | --format*) echo "fake" ;;
  *) echo "| NVIDIA-SMI $2    Driver Version: $2    CUDA Version: $3 |" ;;
esac
EOF
  chmod +x "$1/nvidia-smi"
}

plan() {
  local line
  ELUBENCH_BUILD_DIR="$build" bash "$check" --dry-run --host-cores 16 >"$work/plan.txt"
  cat "$work/plan.txt"
  line=$(grep -E '^  total +[0-9]+ s of 360$' "$work/plan.txt")
  [ "$(echo "$line" | awk '{print $2}')" -le 360 ]
  for stage in smoke core tests sanitizer hot other charts; do grep -qE "^  [1-7] $stage " "$work/plan.txt"; done
  if ELUBENCH_BUILD_DIR="$build" bash "$check" --dry-run --budget 60 >/dev/null 2>"$work/tiny.txt"; then exit 1; fi
  grep -q "more than the budget of 60 s" "$work/tiny.txt"
  if bash "$check" "$work/x" --stages smoke,nope 2>/dev/null; then exit 1; fi
  fake_smi "$work/old" 570.86.15 12.8
  fake_smi "$work/new" 590.44.01 13.1
  PATH="$work/new:$PATH" ELUBENCH_BUILD_DIR="$build" bash "$check" --dry-run --host-cores 16 >"$work/new.txt"
  head -n 1 "$work/new.txt" | grep -q "^NVIDIA driver 590.44.01 (CUDA 13.1) | this build: CUDA .*, needs driver >= 580$"
  local rc=0
  PATH="$work/old:$PATH" ELUBENCH_BUILD_DIR="$build" PYTHON="$py" bash "$check" "$work/old-out" >"$work/old.txt" 2>&1 || rc=$?
  cat "$work/old.txt"
  [ "$rc" = 3 ]
  head -n 1 "$work/old.txt" | grep -q "^NVIDIA driver 570.86.15 (CUDA 12.8) | this build: CUDA .*, needs driver >= 580$"
  grep -q "cmake --preset default" "$work/old-out/driver.txt"
  grep -q "forward-compatibility package" "$work/old-out/driver.txt"
  [ -f "$work/old-out/results-smoke.json" ] && [ ! -e "$work/old-out/results-core-cold.json" ]
}

# A build tree whose elubench hangs in hot mode: it ignores SIGTERM and leaves a child that does
# too, whose pid it writes down. Everything else is the real binary.
cut_short() {
  local fake=$work/build rc=0
  mkdir -p "$fake/bench/generated"
  ln -s "$build/tests" "$fake/tests"
  cp "$build/bench/generated/build_info.hpp" "$fake/bench/generated/"
  cat >"$fake/bench/elubench" <<EOF
#!/usr/bin/env bash
case " \$* " in
  *" --cache hot "*) trap '' TERM; (trap '' TERM; sleep 300) & echo \$! >"$work/child.pid"; wait; sleep 300 ;;
esac
exec "$build/bench/elubench" "\$@"
EOF
  chmod +x "$fake/bench/elubench"
  GPU_CHECK_NO_GPU=1 GPU_CHECK_KILL_AFTER=1 ELUBENCH_BUILD_DIR="$fake" PYTHON="$py" \
    bash "$check" "$work/out" --stages smoke,core,hot --cap hot=2 || rc=$?
  [ "$rc" = 1 ]
  grep -qP '^hot\tstopped at its cap\t' "$work/out/stages.tsv"
  grep -qP '^core\tok\t' "$work/out/stages.tsv"
  valid "$work/out/results-smoke.json"
  valid "$work/out/results-core-cold.json"
  # KILL reaches the child at once, but a killed process stays a zombie until init reaps it:
  # alive means a state other than Z, a few seconds after the stage ended.
  local pid state i
  pid=$(cat "$work/child.pid")
  for i in 1 2 3 4 5 6 7 8 9 10; do
    state=$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1 || true)
    [ -z "$state" ] || [ "$state" = Z ] && return 0
    sleep 0.5
  done
  echo "the hung stage's child survived its cap (pid $pid, state $state)"; exit 1
}

case $mode in
  no-gpu) no_gpu ;;
  plan) plan ;;
  cut-short) cut_short ;;
  *) echo "gpu_check_no_gpu.sh: unknown mode $mode" >&2; exit 2 ;;
esac
echo "gpu_check $mode: ok"
