#!/usr/bin/env bash
# One command on a GPU node: the GPU tests as real launches, compute-sanitizer memcheck and
# racecheck over them (when the tool is there), and the default GPU suite in cold and hot mode,
# with the results JSON, the charts, the sanitizer reports and every log written into OUTDIR.
#
#   bash scripts/gpu_check.sh OUTDIR
#
# Needs only the NVIDIA driver. It runs, in this order of preference:
#   - the bundle it is part of (dist/elubench-*.tar.gz unpacked: ./scripts/gpu_check.sh beside
#     ./elubench), or ELUBENCH_BUNDLE=DIR|TARBALL;
#   - a build tree (ELUBENCH_BUILD_DIR, default build/default) that has bench/elubench;
#   - a fresh `default` preset build where a CUDA toolkit and our build dependencies are present.
# Without a GPU (or with GPU_CHECK_NO_GPU=1, which hides the GPUs) it runs in no-GPU mode: the
# tests and sanitizers are skipped with the reason, the suite writes every GPU row as skipped
# with its reason, and the exit status is 0. Exit 1: a test, a sanitizer or a row failed, or a
# GPU row was skipped without a reason; 2: nothing to run (no bundle, no build, cannot build).
#
# Time on one H200 (plan, not measured: no GPU was available when this was written): each step
# has a cap (seconds, overridable by the environment) so the whole stays under 8 minutes:
# tests 45 each, memcheck 60, racecheck 60, cold suite 140, hot suite 90, charts 90 (both modes
# on one set of charts: cold and hot side by side).
# Python for the charts: $PYTHON, the project's .venv, python3, or PyTorch's image python; it
# needs matplotlib and jsonschema (scripts/requirements.txt); without them the charts are
# skipped and charts_skipped.txt says why.
set -uo pipefail
[ $# -eq 1 ] && [ -n "$1" ] || { echo "usage: gpu_check.sh OUTDIR" >&2; exit 2; }
out=$1
mkdir -p "$out" || { echo "gpu_check: cannot create $out" >&2; exit 2; }
out=$(cd "$out" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
log="$out/gpu_check.log"
: >"$log"
status=0
note() { echo "gpu_check: $*" | tee -a "$log" >&2; }
bad() { note "FAIL: $*"; status=1; }
T_TESTS=${GPU_CHECK_T_TESTS:-45} T_MEMCHECK=${GPU_CHECK_T_MEMCHECK:-60} T_RACECHECK=${GPU_CHECK_T_RACECHECK:-60}
T_COLD=${GPU_CHECK_T_COLD:-140} T_HOT=${GPU_CHECK_T_HOT:-90} T_CHARTS=${GPU_CHECK_T_CHARTS:-90}
start=$(date +%s)

# ---- What to run: bundle, build tree, or a build here -------------------------------------
elubench="" testdir=""
find_bundle() {
  local b=${ELUBENCH_BUNDLE:-}
  if [ -z "$b" ] && [ -x "$root/elubench" ] && [ -x "$root/bin/elubench" ]; then b=$root; fi
  if [ -z "$b" ]; then b=$(ls -t "$root"/dist/elubench-*-x86_64.tar.gz 2>/dev/null | head -n 1); fi
  [ -n "$b" ] || return 1
  if [ -f "$b" ]; then
    mkdir -p "$out/bundle" && tar -C "$out/bundle" -xzf "$b" || return 1
    b=$(ls -d "$out"/bundle/elubench-*/ | head -n 1)
  fi
  [ -x "$b/elubench" ] || return 1
  elubench="$b/elubench" testdir="$b/bin"
  note "using the bundle at $b"
}
find_build() {
  local d=${ELUBENCH_BUILD_DIR:-$root/build/default}
  [ -x "$d/bench/elubench" ] || return 1
  elubench="$d/bench/elubench" testdir="$d/tests"
  note "using the build tree $d"
}
build_here() {
  command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || return 1
  [ -f "$root/CMakePresets.json" ] || return 1
  note "building the default preset (log: build.log)"
  export PATH="/usr/local/cuda/bin:$PATH"
  (cd "$root" && cmake --preset default && cmake --build --preset default -j "$(nproc)" \
     --target elubench test_gpu_variants test_cuda_bodies) >"$out/build.log" 2>&1 || {
    note "the build failed (our build dependencies are listed in scripts/install_deps.sh): see build.log"
    return 1
  }
  find_build
}
# In a bundle, a sibling tarball is not what the user means: only the bundle itself counts.
if [ -n "${ELUBENCH_BUNDLE:-}" ] || { [ -x "$root/elubench" ] && [ -x "$root/bin/elubench" ]; }; then
  find_bundle || { note "ELUBENCH_BUNDLE/bundle unusable"; exit 2; }
else
  find_build || find_bundle || build_here || { note "no bundle, no build tree, and no way to build here"; exit 2; }
fi
# A bundle's test binaries start through its launcher (its lib/, and cuDNN found on the node).
test_cmd() {  # NAME -> the command line in array `cmd`
  if [ -x "$(dirname "$elubench")/bin/$1" ] && [ "$testdir" = "$(dirname "$elubench")/bin" ]; then
    cmd=(env "ELUBENCH_EXE=$1" "$elubench")
  else
    cmd=("$testdir/$1")
  fi
}

# ---- GPU or not ------------------------------------------------------------------------------
gpu_reason=""
if [ "${GPU_CHECK_NO_GPU:-0}" = 1 ]; then
  export CUDA_VISIBLE_DEVICES=""
  gpu_reason="GPU_CHECK_NO_GPU=1 hides the GPUs"
elif ! command -v nvidia-smi >/dev/null; then
  gpu_reason="no nvidia-smi: no NVIDIA driver on this machine"
elif ! nvidia-smi -L >"$out/nvidia-smi.txt" 2>&1 || ! grep -q '^GPU ' "$out/nvidia-smi.txt"; then
  gpu_reason="nvidia-smi lists no GPU: $(head -n 1 "$out/nvidia-smi.txt")"
fi
if [ -n "$gpu_reason" ]; then
  note "no-GPU mode: $gpu_reason"
else
  nvidia-smi >>"$out/nvidia-smi.txt" 2>&1
  note "GPU: $(grep -m1 '^GPU ' "$out/nvidia-smi.txt")"
fi

# ---- Tests as real launches, then under compute-sanitizer -----------------------------------
tests_run=()
for t in test_gpu_variants test_cuda_bodies; do
  if [ -x "$testdir/$t" ]; then tests_run+=("$t"); else note "skipped $t: not built"; fi
done
if [ -n "$gpu_reason" ]; then
  note "skipped the GPU tests and the sanitizers: $gpu_reason"
else
  for t in "${tests_run[@]}"; do
    test_cmd "$t"
    timeout "$T_TESTS" "${cmd[@]}" --gtest_output="xml:$out/$t.xml" >"$out/$t.log" 2>&1 || bad "$t (see $t.log)"
  done
  sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || true)
  if [ -z "$sanitizer" ]; then
    note "skipped compute-sanitizer: not installed"
  elif [ -x "$testdir/test_gpu_variants" ]; then
    # The real launches of every variant (test_cuda_bodies simulates grids on the CPU: nothing to check).
    for tool in memcheck racecheck; do
      cap=$T_MEMCHECK; [ $tool = racecheck ] && cap=$T_RACECHECK
      test_cmd test_gpu_variants
      timeout "$cap" "$sanitizer" --tool $tool --target-processes all --error-exitcode 3 --log-file "$out/sanitizer_$tool.txt" \
        "${cmd[@]}" --gtest_filter='*SizesAlphasOffsets*' >"$out/sanitizer_$tool.log" 2>&1
      rc=$?
      case $rc in
        0) note "compute-sanitizer $tool: clean" ;;
        124) note "compute-sanitizer $tool: stopped at its ${cap}s cap (partial report in sanitizer_$tool.txt)" ;;
        *) bad "compute-sanitizer $tool: exit $rc (see sanitizer_$tool.txt)" ;;
      esac
    done
  fi
fi

# ---- The GPU suite, cold and hot ------------------------------------------------------------
# Sizes 2^16..2^28 (x4): the copy-ceiling region and below; smaller sizes measure launch
# latency, which hot mode covers. Caps per row keep the whole inside its budget.
suite() {  # MODE CAP MAXTIME
  local mode=$1 cap=$2 maxtime=$3 json="$out/results-$1.json"
  rm -f "$json"
  timeout "$cap" "$elubench" --device gpu --cache "$mode" --sizes 2^16:2^28:x4 --gpu-max-time "$maxtime" \
    --out "$json" >"$out/suite-$mode.log" 2>&1
  local rc=$?
  [ $rc -eq 124 ] && bad "the $mode suite ran past its ${cap}s cap (see suite-$mode.log)"
  [ $rc -ne 0 ] && [ $rc -ne 124 ] && bad "the $mode suite exited $rc (see suite-$mode.log)"
  [ -f "$json" ] || { bad "the $mode suite wrote no results"; return; }
  # Every GPU row is ok, or skipped/failed with its reason; count them for the summary.
  "${py_any:-python3}" - "$json" "$mode" <<'PY' >>"$log" 2>&1 || bad "$mode results: a GPU row without a reason or failed (see gpu_check.log)"
import json, sys
doc = json.load(open(sys.argv[1]))
rows = [r for r in doc["results"] if r["device"] == "gpu"]
count = {s: sum(r["status"] == s for r in rows) for s in ("ok", "skipped", "failed")}
print(f"gpu_check: {sys.argv[2]} suite: {len(rows)} GPU rows: {count}")
unexplained = [r["name"] for r in rows if r["status"] != "ok" and not r.get("reason")]
throttled = [r["name"] for r in rows if (r.get("gpu_timing") or {}).get("throttled")]
if throttled:
    print(f"gpu_check: {sys.argv[2]} suite: {len(throttled)} rows throttled, e.g. {throttled[:3]}")
for r in rows:
    if r["status"] == "failed":
        print(f"gpu_check: failed: {r['name']} n={r['n']}: {r['reason']}")
sys.exit(1 if unexplained or count["failed"] or not rows else 0)
PY
}
py_any=$(command -v python3 || true)
[ -n "$py_any" ] || note "no python3: the results are not checked"
suite cold "$T_COLD" 0.15
suite hot "$T_HOT" 0.1

# ---- Charts -----------------------------------------------------------------------------------
py=""
for cand in "${PYTHON:-}" "$root/.venv/bin/python" python3 /opt/torch/.venv/bin/python3; do
  [ -n "$cand" ] && command -v "$cand" >/dev/null || continue
  if "$cand" -c 'import matplotlib, jsonschema' 2>/dev/null; then py=$cand; break; fi
done
if [ -z "$py" ]; then
  echo "charts skipped: no python with matplotlib and jsonschema (set PYTHON, or install scripts/requirements.txt)" \
    | tee "$out/charts_skipped.txt" | tee -a "$log" >&2
else
  files=()
  for mode in cold hot; do [ -f "$out/results-$mode.json" ] && files+=("$out/results-$mode.json"); done
  if ((${#files[@]})); then
    MPLBACKEND=Agg timeout "$T_CHARTS" "$py" "$here/plot.py" "${files[@]}" -o "$out/charts" >>"$log" 2>&1
    rc=$?
    [ $rc -eq 124 ] && bad "plot.py ran past its ${T_CHARTS}s cap"
    [ $rc -ne 0 ] && [ $rc -ne 124 ] && bad "plot.py exited $rc (see gpu_check.log)"
  fi
fi

note "done in $(( $(date +%s) - start ))s, exit $status$([ -n "$gpu_reason" ] && echo " (no-GPU mode)")"
exit $status
