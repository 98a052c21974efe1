#!/usr/bin/env bash
# The first run on a GPU node, planned to fit the minutes the node is held. It plans before it
# runs: each stage with its estimated seconds (from row and test counts and the per-row caps), and
# it refuses a plan that does not fit the budget. Stages run in order of value, each with its own
# cap, and each writes its results into OUTDIR before the next starts, so a run cut short keeps
# every finished stage's evidence:
#   1 smoke      a dozen real launches checked against float64 (ELU and ReLU vectorized, f32/f16/
#                bf16, 2^20, and their copy ceilings) and nvidia-smi's facts
#   2 core       the core answer: ELU and ReLU, every variant and peer, three dtypes, cold, 2^16-2^28
#   3 tests      the GPU tests as real launches (test_gpu_variants), in shards by value; a shard
#                that does not fit the budget is left for a later run and named
#   4 sanitizer  compute-sanitizer memcheck and racecheck on a small filter
#   5 hot        hot mode for the core rows, 2^16-2^24 (where hot and cold differ)
#   6 other      the other activations and every backward, cold, 2^20 and 2^24
#   7 charts     plot.py's charts and report.html over every results file
#
#   bash scripts/gpu_check.sh OUTDIR [--budget SECONDS] [--stages LIST] [--cap STAGE=SECONDS]...
#   bash scripts/gpu_check.sh [OUTDIR] --dry-run [--host-cores N]     # the plan only, no GPU needed
#
# --budget (default 360): the whole run's seconds. --stages: names or numbers (default all).
# --cap: a stage's cap instead of its estimate (the plan must still fit). --host-cores: the cores
# the estimate assumes (default: this machine's; the dry run in CI asks for a 16-core GPU node).
# A stage that reaches its cap is stopped with its whole process group (timeout -k: TERM, then
# KILL after GPU_CHECK_KILL_AFTER seconds, default 10), so a sanitizer's target or a hung launch
# never runs on under the next stage; elubench writes its finished rows on TERM.
#
# What runs: the bundle this script is part of (dist/elubench-*.tar.gz unpacked, or
# ELUBENCH_BUNDLE=DIR|TARBALL), a build tree (ELUBENCH_BUILD_DIR, default build/default), or a
# fresh `default` build where a CUDA toolkit is present. The driver/toolkit pair is printed first.
# Without a GPU (or with GPU_CHECK_NO_GPU=1) every stage runs in its no-GPU mode: rows skipped with
# the reason, the tests skipping, the sanitizers skipped; exit 0.
# Exit: 0 every stage ran clean (or no-GPU mode); 1 a failed row, test or sanitizer finding, or a
# stage stopped at its cap; 2 usage, a plan that does not fit, or nothing to run; 3 the driver is
# older than this build (the plan says the ways out; only the smoke stage ran).
# Python for the checks and charts: $PYTHON, the project's .venv, python3 (matplotlib and
# jsonschema, scripts/requirements.txt); without them those steps are skipped with the reason.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=driver_check.sh
source "$here/driver_check.sh"

STAGES=(smoke core tests sanitizer hot other charts)
KILL_AFTER=${GPU_CHECK_KILL_AFTER:-10}
# The cost model behind the plan: estimates, not measurements (no GPU was available when it was
# written); each a cap-side figure, so a stage should end before its estimate.
CHECK_NS=30          # float64 reference + ULP check per element per core (42-99 ns measured on a
                     # 2-vCPU VM at load 8; a quiet core ~3x faster)
HOST_GBPS=10         # host <-> device through the pinned staging buffers, memcpy included
ROW_FIXED_MS=40      # per GPU row: adversarial check, allocation, warm-up call, NVML readings
START_MS=8000        # per elubench run: CUDA context, cuDNN load, the warm-up of every variant
TEST_CALL_MS=3       # per real launch in a test: allocation, copies and launch of a small case
SANITIZER_S=20       # per compute-sanitizer tool: a fixed cap (its slowdown is not modelled)
CHARTS_S=25          # plot.py and report.py over ~1,000 rows (792 rows: 5.7 s of CPU on a 2-vCPU VM)
MARGIN_S=10          # left free for the stage hand-overs and a capped stage's kill grace
CORE_SIZES="2^16,2^18,2^20,2^22,2^24,2^26,2^28" HOT_SIZES="2^16,2^18,2^20,2^22,2^24" OTHER_SIZES="2^20,2^24"
CORE_MAX_TIME=0.06 HOT_MAX_TIME=0.05 OTHER_MAX_TIME=0.05 SMOKE_MAX_TIME=0.05
SANITIZER_FILTER='Registry/GpuVariant.SizesAlphasOffsets/gpu_elu_*_f16:Registry/GpuVariant.SizesAlphasOffsets/gpu_copy_*_f16'
# The GPU tests' shards in order of value: NAME|FILTER|elements checked per test|real launches per test|host bytes per test
TEST_SHARDS=(
  "sizes|Registry/GpuVariant.SizesAlphasOffsets/*|8500000|40|100000000"
  "exhaustive|Registry/Gpu16BitVariant.*:CudnnFold.*|530000|8|6000000"
  "wide|Registry/GpuVariant.WideLoopTilesAndAlignments/*|45000000|24|540000000"
  "large|Registry/GpuLargeVariant.*|110000000|1|40000000000"
)

usage() { echo "usage: gpu_check.sh OUTDIR [--budget SECONDS] [--stages LIST] [--cap STAGE=SECONDS] [--dry-run] [--host-cores N]" >&2; exit 2; }
die() { echo "gpu_check: $*" >&2; exit 2; }

# stage_index NAME|NUMBER -> 0-based index into STAGES, or nothing.
stage_index() {
  local i
  for i in "${!STAGES[@]}"; do
    if [ "$1" = "${STAGES[$i]}" ] || [ "$1" = "$((i + 1))" ]; then echo "$i"; return; fi
  done
}

parse_args() {
  out="" budget=360 dry_run=0 cores=$(nproc) wanted="" caps=()
  while [ $# -gt 0 ]; do
    case $1 in
      --budget) [[ ${2:-} =~ ^[0-9]+$ ]] || die "--budget needs whole seconds"; budget=$2; shift ;;
      --stages) [ -n "${2:-}" ] || usage; wanted=$2; shift ;;
      --cap) [[ ${2:-} =~ ^[a-z0-9]+=[0-9]+$ ]] || die "--cap needs STAGE=SECONDS"; caps+=("$2"); shift ;;
      --host-cores) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--host-cores needs a count"; cores=$2; shift ;;
      --dry-run) dry_run=1 ;;
      -h | --help) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
      -*) die "unknown option $1" ;;
      *) [ -z "$out" ] || usage; out=$1 ;;
    esac
    shift
  done
  [ -n "$out" ] || [ "$dry_run" = 1 ] || usage
  selected=()
  local s i
  for s in ${wanted//,/ }; do
    i=$(stage_index "$s"); [ -n "$i" ] || die "--stages: no stage '$s' (${STAGES[*]})"; selected[$i]=1
  done
  [ -n "$wanted" ] || for i in "${!STAGES[@]}"; do selected[$i]=1; done
  for s in "${caps[@]}"; do [ -n "$(stage_index "${s%%=*}")" ] || die "--cap: no stage '${s%%=*}'"; done
}

# ---- What to run: bundle, build tree, or a build here ------------------------------------------
elubench="" testdir="" build_cuda="" where=""
find_bundle() {
  local b=${ELUBENCH_BUNDLE:-}
  if [ -z "$b" ] && [ -x "$root/elubench" ] && [ -x "$root/bin/elubench" ]; then b=$root; fi
  if [ -z "$b" ]; then b=$(ls -t "$root"/dist/elubench-*-x86_64.tar.gz 2>/dev/null | head -n 1); fi
  [ -n "$b" ] || return 1
  if [ -f "$b" ]; then
    local into=${out:-$(mktemp -d)}
    mkdir -p "$into/bundle" && tar -C "$into/bundle" -xzf "$b" || return 1
    b=$(ls -d "$into"/bundle/elubench-*/ | head -n 1)
  fi
  [ -x "$b/elubench" ] || return 1
  elubench="$b/elubench" testdir="$b/bin"
  build_cuda=$(sed -n 's/^cuda=//p' "$b/BUILD_INFO" 2>/dev/null)
  where="using the bundle at $b"
}
find_build() {
  local d=${ELUBENCH_BUILD_DIR:-$root/build/default}
  [ -x "$d/bench/elubench" ] || return 1
  elubench="$d/bench/elubench" testdir="$d/tests"
  build_cuda=$(sed -n 's/.*cuda_version = "\([^"]*\)".*/\1/p' "$d/bench/generated/build_info.hpp" 2>/dev/null)
  where="using the build tree $d"
}
build_here() {
  [ "$dry_run" = 0 ] || return 1
  command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || return 1
  [ -f "$root/CMakePresets.json" ] || return 1
  echo "building the default preset (log: build.log)"
  export PATH="/usr/local/cuda/bin:$PATH"
  (cd "$root" && cmake --preset default && cmake --build --preset default -j "$(nproc)" \
     --target elubench test_gpu_variants) >"$out/build.log" 2>&1 || {
    echo "the build failed (our build dependencies are listed in scripts/install_deps.sh): see build.log" >&2
    return 1
  }
  find_build
}
# In a bundle, a sibling tarball is not what the user means: only the bundle itself counts.
find_binaries() {
  if [ -n "${ELUBENCH_BUNDLE:-}" ] || { [ -x "$root/elubench" ] && [ -x "$root/bin/elubench" ]; }; then
    find_bundle || die "ELUBENCH_BUNDLE/bundle unusable"
  else
    find_build || find_bundle || build_here || die "no bundle, no build tree, and no way to build here"
  fi
}
# A bundle's test binaries start through its launcher (its lib/, and cuDNN found on the node).
test_cmd() {  # NAME -> the command line in array `cmd`
  if [ "$testdir" = "$(dirname "$elubench")/bin" ]; then cmd=(env "ELUBENCH_EXE=$1" "$elubench")
  else cmd=("$testdir/$1")
  fi
}

# ---- The plan ------------------------------------------------------------------------------------
# suite_estimate MAX_TIME SIZES ACTIVATION_REGEX VARIANT_REGEX -> "ROWS SECONDS" for one elubench run
# over those GPU rows (their copy ceilings included in the regexes): per row its sampling cap, a
# fixed cost, the host transfers (x up, y down twice; a backward's dy up too) and one float64 check
# over every host core (a backward's saved tensor too; the last timed call's output is compared by
# digest); per (dtype, n) the input drawn on 8 threads; the run's start-up.
suite_estimate() {
  printf '%s\n' "$registry" | awk -F/ -v acts="^($3)\$" -v vars="^($4)\$" -v sizes="$2" -v cap="$1" \
    -v cores="$cores" -v check_ns="$CHECK_NS" -v gbps="$HOST_GBPS" -v fixed="$ROW_FIXED_MS" -v start="$START_MS" '
    BEGIN { es["f32"] = 4; es["f16"] = 2; es["bf16"] = 2; k = split(sizes, size, ",")
            for (i = 1; i <= k; i++) { split(size[i], p, "^"); n[i] = 2 ^ p[2] } }
    $1 == "gpu" && $2 ~ acts && $3 ~ vars {
      t = ($2 ~ /_backward$/) ? 3 : 2
      for (i = 1; i <= k; i++) {
        ms += cap * 1000 + fixed + (t + 1) * n[i] * es[$4] / gbps / 1e6 + (t == 3 ? 2 : 1) * n[i] * check_ns / cores / 1e6
        cell[$4 " " n[i]] = n[i]
        rows++
      }
    }
    END { for (c in cell) ms += cell[c] * 15 / 8 / 1e6
          printf "%d %d\n", rows, (ms + start) / 1000 + 1 }'
}

# shard_estimate SPEC -> "TESTS SECONDS" for one test shard (the binary lists its tests, no GPU needed).
shard_estimate() {
  local filter elements calls bytes tests
  IFS='|' read -r _ filter elements calls bytes <<<"$1"
  test_cmd test_gpu_variants
  tests=$("${cmd[@]}" --gtest_list_tests --gtest_filter="$filter" 2>/dev/null | grep -c '^  ')
  awk -v t="$tests" -v e="$elements" -v c="$calls" -v b="$bytes" -v cores="$cores" -v check_ns="$CHECK_NS" \
    -v gbps="$HOST_GBPS" -v call="$TEST_CALL_MS" -v start="$START_MS" \
    'BEGIN { ms = t * (c * call + e * check_ns / cores / 1e6 + b / gbps / 1e6); printf "%d %d\n", t, (t ? ms + start : 0) / 1000 + 1 }'
}

# cap_for INDEX ESTIMATE -> the --cap given for that stage, else the estimate.
cap_for() {
  local c
  for c in "${caps[@]}"; do [ "$(stage_index "${c%%=*}")" = "$1" ] && { echo "${c#*=}"; return; }; done
  echo "$2"
}

# Fills est[i] (seconds, 0 for a stage not selected), what[i] and plan_total, and splits the test
# shards into shards_in (fit the budget left after every other stage) and shards_out (left for a
# later run).
make_plan() {
  make_stage_estimates
  plan_total=0
  local i
  for i in "${!STAGES[@]}"; do plan_total=$((plan_total + est[i])); done
}
make_stage_estimates() {
  registry=$("$elubench" --list 2>/dev/null | grep '^gpu/')
  [ -n "$registry" ] || die "this elubench has no GPU variants (built without CUDA)"
  others=$(printf '%s\n' "$registry" | awk -F/ '{print $2}' | sort -u | grep -vxE 'elu|relu|copy' | paste -sd, -)
  local r i spec t sec left
  est=(0 0 0 0 0 0 0) what=() shards_in=() shards_out=()
  read -r r "est[0]" <<<"$(suite_estimate "$SMOKE_MAX_TIME" 2^20 'elu|relu|copy' 'vectorized|memcpy')"
  what[0]="$r rows at 2^20, nvidia-smi"
  read -r r "est[1]" <<<"$(suite_estimate "$CORE_MAX_TIME" "$CORE_SIZES" 'elu|relu|copy' '.*')"
  what[1]="$r rows, cold, ${CORE_SIZES//,/ }, <= ${CORE_MAX_TIME} s sampling each"
  est[3]=$((2 * SANITIZER_S)) what[3]="memcheck + racecheck, ${SANITIZER_S} s each"
  read -r r "est[4]" <<<"$(suite_estimate "$HOT_MAX_TIME" "$HOT_SIZES" 'elu|relu|copy' '.*')"
  what[4]="$r rows, hot, ${HOT_SIZES//,/ }"
  read -r r "est[5]" <<<"$(suite_estimate "$OTHER_MAX_TIME" "$OTHER_SIZES" "${others//,/|}|copy" '.*')"
  what[5]="$r rows, cold, ${OTHER_SIZES//,/ }: ${others//,/, }"
  est[6]=$CHARTS_S what[6]="plot.py, report.py"
  for i in 0 1 3 4 5 6; do
    [ "${selected[$i]:-}" = 1 ] && est[$i]=$(cap_for "$i" "${est[$i]}") || est[$i]=0
  done
  [ "${selected[2]:-}" = 1 ] || return 0
  if [ ! -x "$testdir/test_gpu_variants" ]; then what[2]="test_gpu_variants not built"; return 0; fi
  left=$((budget - MARGIN_S - est[0] - est[1] - est[3] - est[4] - est[5] - est[6]))
  what[2]=""
  for spec in "${TEST_SHARDS[@]}"; do
    read -r t sec <<<"$(shard_estimate "$spec")"
    # No-GPU mode: every shard, each test skipping at once.
    if [ "$sec" -le "$((left - est[2]))" ] || [ -n "$gpu_reason" ]; then
      shards_in+=("$spec|$sec") est[2]=$((est[2] + sec)) what[2]+="${spec%%|*} ($t tests) "
    else
      shards_out+=("$spec|$sec|$t")
    fi
  done
  est[2]=$(cap_for 2 "${est[2]}")
}

print_plan() {
  local i spec
  echo "plan: budget $budget s, estimated for $cores host cores (the cost model is at the top of gpu_check.sh):"
  for i in "${!STAGES[@]}"; do
    [ "${selected[$i]:-}" = 1 ] || continue
    printf '  %d %-10s %4d s  %s\n' "$((i + 1))" "${STAGES[$i]}" "${est[$i]}" "${what[$i]}"
  done
  printf '  total        %4d s of %d\n' "$plan_total" "$budget"
  for spec in "${shards_out[@]}"; do
    IFS='|' read -r name filter _ _ _ sec t <<<"$spec"
    echo "  left for a later run (does not fit this budget): test shard '$name', $t tests, ~$sec s:"
    test_cmd test_gpu_variants
    echo "      ${cmd[*]} --gtest_filter='$filter'"
  done
}

# ---- Running ---------------------------------------------------------------------------------------
note() { echo "gpu_check: $*" | tee -a "$log" >&2; }
bad() { note "FAIL: $*"; status=1; }

# run_capped CAP LOG CMD...: the command in its own process group (timeout's), stopped with all
# of it at CAP seconds: TERM, then KILL after KILL_AFTER. Returns its status (124: the cap).
run_capped() {
  local cap=$1 log_file=$2
  shift 2
  timeout -k "$KILL_AFTER" "$cap" "$@" </dev/null >>"$log_file" 2>&1
}

# The GPU: absent (no-GPU mode, gpu_reason set), or present with nvidia-smi's facts saved.
detect_gpu() {
  gpu_reason=""
  if [ "${GPU_CHECK_NO_GPU:-0}" = 1 ]; then
    export CUDA_VISIBLE_DEVICES=""
    gpu_reason="GPU_CHECK_NO_GPU=1 hides the GPUs"
  elif ! command -v nvidia-smi >/dev/null; then
    gpu_reason="no nvidia-smi: no NVIDIA driver on this machine"
  elif ! timeout 20 nvidia-smi -L >"$out/nvidia-smi.txt" 2>&1 || ! grep -q '^GPU ' "$out/nvidia-smi.txt"; then
    gpu_reason="nvidia-smi lists no GPU: $(head -n 1 "$out/nvidia-smi.txt")"
  fi
  if [ -n "$gpu_reason" ]; then note "no-GPU mode: $gpu_reason"; else note "GPU: $(grep -m1 '^GPU ' "$out/nvidia-smi.txt")"; fi
}

# check_results JSON TAG: every GPU row ok, or skipped/failed with its reason, and with a GPU at
# least one row ok (a GPU that runs nothing is a finding); counts to the log.
check_results() {
  local py=${py_any:-}
  [ -n "$py" ] || { note "$2: no python3, the results are not checked"; return 0; }
  local expect_ok=0
  [ -z "$gpu_reason" ] && [ "$driver_too_old" = 0 ] && expect_ok=1
  "$py" - "$1" "$2" "$expect_ok" <<'PY' >>"$log" 2>&1
import json, sys
doc = json.load(open(sys.argv[1]))
rows = [r for r in doc["results"] if r["device"] == "gpu"]
count = {s: sum(r["status"] == s for r in rows) for s in ("ok", "skipped", "failed", "interrupted")}
print(f"gpu_check: {sys.argv[2]}: {len(rows)} GPU rows: {count}")
throttled = [r["name"] for r in rows if (r.get("gpu_timing") or {}).get("throttled")]
if throttled:
    print(f"gpu_check: {sys.argv[2]}: {len(throttled)} rows throttled, e.g. {throttled[:3]}")
for r in rows:
    if r["status"] == "failed":
        print(f"gpu_check: failed: {r['name']} n={r['n']}: {r['reason']}")
unexplained = [r["name"] for r in rows if r["status"] != "ok" and not r.get("reason")]
if sys.argv[3] == "1" and rows and not count["ok"]:
    print(f"gpu_check: {sys.argv[2]}: a GPU is present and no row ran, e.g. {rows[0]['reason']}")
    sys.exit(1)
sys.exit(1 if unexplained or count["failed"] or not rows else 0)
PY
}

# run_suite TAG CAP ELUBENCH_FLAGS...: one elubench run of GPU rows into results-TAG.json.
# Returns 0, 1 (failed rows or exit), 124 (stopped at the cap; finished rows kept).
run_suite() {
  local tag=$1 cap=$2 json="$out/results-$1.json" rc
  shift 2
  run_capped "$cap" "$out/$tag.log" "$elubench" --device gpu --out "$json" "$@"
  rc=$?
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    if [ -f "$json" ]; then note "$tag: stopped at its ${cap} s cap; its finished rows are in results-$tag.json (elubench --resume $json runs the rest)"
    elif [ -f "$json.journal" ]; then note "$tag: stopped at its ${cap} s cap before writing; its finished rows are in results-$tag.json.journal (elubench --resume)"
    else note "$tag: stopped at its ${cap} s cap before any row finished"
    fi
    [ -f "$json" ] && check_results "$json" "$tag"
    return 124
  fi
  [ -f "$json" ] || { bad "$tag: elubench exited $rc and wrote no results (see $tag.log)"; return 1; }
  check_results "$json" "$tag" || { bad "$tag: a GPU row failed, has no reason, or none ran (see gpu_check.log, $tag.log)"; return 1; }
  [ "$rc" = 0 ] || { bad "$tag: elubench exited $rc (see $tag.log)"; return 1; }
}

# ---- The stages: each gets its cap in seconds and returns 0, 1 (a failure) or 124 (the cap) ------
stage_smoke() {
  if [ -z "$gpu_reason" ]; then  # the node's facts, each query capped (a sick node can hang nvidia-smi)
    timeout 20 nvidia-smi -q >"$out/nvidia-smi-q.txt" 2>&1
    timeout 20 nvidia-smi --format=csv --query-gpu=name,pci.bus_id,driver_version,memory.total,clocks.max.sm,clocks.max.mem,power.limit,pcie.link.gen.max,pcie.link.width.max,temperature.gpu \
      >"$out/nvidia-smi.csv" 2>&1
  fi
  run_suite smoke "$1" --activation elu,relu --variant vectorized --sizes 2^20 --gpu-max-time "$SMOKE_MAX_TIME"
}
stage_core() { run_suite core-cold "$1" --activation elu,relu --cache cold --sizes "$CORE_SIZES" --gpu-max-time "$CORE_MAX_TIME"; }
stage_hot() { run_suite core-hot "$1" --activation elu,relu --cache hot --sizes "$HOT_SIZES" --gpu-max-time "$HOT_MAX_TIME"; }
stage_other() { run_suite other-cold "$1" --activation "$others" --cache cold --sizes "$OTHER_SIZES" --gpu-max-time "$OTHER_MAX_TIME"; }

# The GPU tests' shards that fit, in order, each under its own estimate (within the stage's cap).
stage_tests() {
  local cap=$1 t0=$SECONDS spec name filter sec rc worst=0 left
  for spec in "${shards_in[@]}"; do
    IFS='|' read -r name filter _ _ _ sec <<<"$spec"
    left=$((cap - (SECONDS - t0)))
    [ "$left" -ge 1 ] || { note "tests: shard $name not run: the stage's cap is spent"; worst=124; continue; }
    [ "$sec" -le "$left" ] || sec=$left
    test_cmd test_gpu_variants
    run_capped "$sec" "$out/tests-$name.log" "${cmd[@]}" --gtest_filter="$filter" --gtest_output="xml:$out/tests-$name.xml"
    rc=$?
    case $rc in
      0) note "tests: shard $name passed$([ -n "$gpu_reason" ] && echo " (every test skipped: $gpu_reason)")" ;;
      124 | 137) note "tests: shard $name stopped at its ${sec} s cap (tests-$name.xml has what finished)"; worst=124 ;;
      *) bad "tests: shard $name failed (see tests-$name.log)"; worst=1 ;;
    esac
  done
  for spec in "${shards_out[@]}"; do note "tests: shard ${spec%%|*} left for a later run (see the plan)"; done
  [ "$worst" = 1 ] && return 1
  return "$worst"
}

stage_sanitizer() {
  local cap=$1 tool rc sanitizer each
  [ -z "$gpu_reason" ] || { note "sanitizer: skipped: $gpu_reason"; return 0; }
  sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null)
  [ -n "$sanitizer" ] || { note "sanitizer: skipped: compute-sanitizer is not installed"; return 0; }
  [ -x "$testdir/test_gpu_variants" ] || { note "sanitizer: skipped: test_gpu_variants not built"; return 0; }
  each=$((cap / 2))
  for tool in memcheck racecheck; do
    test_cmd test_gpu_variants
    run_capped "$each" "$out/sanitizer_$tool.log" "$sanitizer" --tool "$tool" --target-processes all --error-exitcode 3 \
      --log-file "$out/sanitizer_$tool.txt" "${cmd[@]}" --gtest_filter="$SANITIZER_FILTER"
    rc=$?
    case $rc in
      0) note "sanitizer: $tool clean" ;;
      124 | 137) note "sanitizer: $tool stopped at its ${each} s cap (a partial report in sanitizer_$tool.txt)" ;;
      *) bad "sanitizer: $tool exited $rc (see sanitizer_$tool.txt)"; return 1 ;;
    esac
  done
}

stage_charts() {
  local cap=$1 t0=$SECONDS files cand rc
  for cand in "${PYTHON:-}" "$root/.venv/bin/python" python3; do
    [ -n "$cand" ] && command -v "$cand" >/dev/null || continue
    if "$cand" -c 'import matplotlib, jsonschema' 2>/dev/null; then py=$cand; break; fi
  done
  [ -n "${py:-}" ] || { note "charts: skipped: no python with matplotlib and jsonschema (set PYTHON, or install scripts/requirements.txt)"; return 0; }
  mapfile -t files < <(ls "$out"/results-*.json 2>/dev/null)
  ((${#files[@]})) || { note "charts: skipped: no results file"; return 0; }
  MPLBACKEND=Agg run_capped "$cap" "$out/charts.log" "$py" "$here/plot.py" "${files[@]}" -o "$out/charts"
  rc=$?
  [ "$rc" = 0 ] || { [ "$rc" = 124 ] && return 124; bad "charts: plot.py exited $rc (see charts.log)"; return 1; }
  run_capped "$((cap - (SECONDS - t0) > 1 ? cap - (SECONDS - t0) : 1))" "$out/charts.log" "$py" "$here/report.py" "${files[@]}" -o "$out/report.html"
  rc=$?
  [ "$rc" = 0 ] || { [ "$rc" = 124 ] && return 124; bad "charts: report.py exited $rc (see charts.log)"; return 1; }
  note "charts: charts/ and report.html written"
}

# Runs the planned stages in order; each gets its planned cap, or what is left of the budget.
# stages.tsv gets one line per stage as it ends: stage, status, seconds, cap.
run_stages() {
  local i cap rc t0 st left
  printf 'stage\tstatus\tseconds\tcap\n' >"$out/stages.tsv"
  for i in "${!STAGES[@]}"; do
    [ "${selected[$i]:-}" = 1 ] || continue
    [ "$i" = 0 ] || [ "$driver_too_old" = 0 ] || break  # only the smoke runs on a driver too old
    if [ "${est[$i]}" = 0 ]; then  # e.g. no test shard fits: the plan named what is left for later
      note "stage ${STAGES[$i]}: nothing planned (${what[$i]:-see the plan})"
      printf '%s\tnot run (nothing planned)\t0\t0\n' "${STAGES[$i]}" >>"$out/stages.tsv"
      continue
    fi
    left=$((budget - (SECONDS - run_start)))
    cap=${est[$i]}
    [ "$cap" -le "$left" ] || cap=$left
    if [ "$cap" -lt 1 ]; then
      note "stage ${STAGES[$i]}: not run: the budget is spent"
      printf '%s\tnot run (budget spent)\t0\t0\n' "${STAGES[$i]}" >>"$out/stages.tsv"
      status=1
      continue
    fi
    note "stage $((i + 1)) ${STAGES[$i]}: cap ${cap} s"
    t0=$SECONDS
    "stage_${STAGES[$i]}" "$cap"
    rc=$?
    case $rc in 0) st=ok ;; 124 | 137) st="stopped at its cap"; status=1 ;; *) st=failed; status=1 ;; esac
    printf '%s\t%s\t%d\t%d\n' "${STAGES[$i]}" "$st" "$((SECONDS - t0))" "$cap" >>"$out/stages.tsv"
  done
}

main() {
  parse_args "$@"
  if [ -n "$out" ]; then mkdir -p "$out" && out=$(cd "$out" && pwd) || die "cannot create $out"; fi
  [ "$dry_run" = 1 ] || [ ! -e "$out/stages.tsv" ] || die "$out already holds a run (stages.tsv): choose a new OUTDIR"
  find_binaries
  driver_verdict "$build_cuda"
  echo "$DRIVER_PAIR"  # the driver/toolkit pair first
  echo "$where"
  export ELUBENCH_DRIVER_CHECKED=1  # the bundle's launcher need not say it again at every stage
  log=/dev/null gpu_reason="" status=0 driver_too_old=0
  if [ "$dry_run" = 0 ]; then
    log="$out/gpu_check.log"
    printf '%s\n%s\n' "$DRIVER_PAIR" "$where" >"$log"
    detect_gpu
    if [ "$DRIVER_STATUS" = too_old ] && [ -z "$gpu_reason" ]; then
      driver_too_old=1
      printf '%s\n%s\n' "$DRIVER_PAIR" "$DRIVER_PLAN" | tee "$out/driver.txt" >&2
    fi
  fi
  make_plan
  print_plan | tee -a "$log"
  if [ "$plan_total" -gt "$budget" ]; then
    if [ -n "$gpu_reason" ] || [ "$driver_too_old" = 1 ]; then
      note "the plan ($plan_total s) is not enforced: no row runs on a GPU"
    else
      echo "gpu_check: the plan needs $plan_total s, more than the budget of $budget s: raise --budget, or leave stages out with --stages" >&2
      [ "$dry_run" = 1 ] && exit 1
      exit 2
    fi
  fi
  [ "$dry_run" = 0 ] || exit 0
  run_start=$SECONDS py_any=$(command -v python3 || true)
  run_stages
  column -t -s $'\t' "$out/stages.tsv" 2>/dev/null | tee -a "$log" >&2 || cat "$out/stages.tsv" >&2
  [ "$driver_too_old" = 0 ] || { note "stopped after the smoke stage: the driver is older than this build (driver.txt)"; exit 3; }
  note "done in $((SECONDS - run_start)) s, exit $status$([ -n "$gpu_reason" ] && echo " (no-GPU mode)")"
  exit $status
}

main "$@"
