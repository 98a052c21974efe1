#!/usr/bin/env bash
# The regression gate CI runs after the tests, in two parts:
#  1. time: a quick CPU run, its JSON validated against results/schema.json, charts drawn from
#     it, and compare.py against results/baselines/ci-cpu.json (normalized by the same run's
#     copy ceiling). On this 2-core VM identical runs drift 15-50% per row, so the threshold
#     that gave no false alarm in 20 measured comparisons is 60%: it catches gross regressions
#     (a lost vectorization is 10-30x), not a 30% one. compare.py exits 2 when a row could not
#     have seen 60% with the samples it had: the time gate then cannot judge.
#  2. work: instructions per kernel call counted under callgrind (scripts/count_gate.py), once per
#     SIMD target valgrind runs (AVX2 and SSE4; valgrind hides AVX-512, so AVX3 is never counted).
#     Counts repeat exactly on one machine but not across machines, so the commit that
#     results/baselines/ci-cpu-counts.json names is rebuilt (CPU-only, elubench_count only) and
#     counted here beside the code under test, and the two are compared (10% threshold). When the
#     counted code (kernels/ but its CUDA files, the counting harness, the build files) is the
#     same as at that commit there is nothing to count and nothing is built.
# Exit 1 when either finds a regression. When neither could judge, the run says so in capitals
# and exits 2 if kernels/ changed since the counts baseline's commit (0 otherwise); 2 also on
# unusable input.
#
# The run's selection lives in results/baselines/ci-cpu.args so that the baseline and every
# candidate measure exactly the same rows. Why these settings (measured on the 2-core
# development VM; see results/baselines/README.md): single-threaded rows only (the second
# core is shared with everything else on the machine), 2^16 and 2^20 elements (2^12 calls
# last a microsecond and drift with the scheduler), 20 interleaved repetitions of 20 ms.
#
# A timing baseline is for one CPU model and SIMD target (scripts/baseline_match.py picks the one
# that applies); on a machine none is for, the time gate says so and cannot judge. Regenerate
# both baselines after an intended change (results/baselines/README.md).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${ELUBENCH_BUILD_DIR:-build/ci}
baseline=${ELUBENCH_BASELINE:-}  # default: the one of results/baselines/ that applies (time_gate)
threshold=${ELUBENCH_GATE_THRESHOLD:-60}
counts_baseline=${ELUBENCH_COUNTS_BASELINE:-results/baselines/ci-cpu-counts.json}
py=.venv/bin/python
# Each gate ends as pass, fail or cannot (judge), with why in *_why.
time_result=cannot time_why="not run" work_result=cannot work_why="not run" touched=1

smoke_run() {
  local run_args
  read -r -a run_args < results/baselines/ci-cpu.args
  echo "== gate run: elubench ${run_args[*]} =="
  "$build/bench/elubench" "${run_args[@]}" --out "$out/candidate.json" >"$out/run.log" 2>&1 || {
    cat "$out/run.log"; exit 1; }
  tail -n 3 "$out/run.log"
  echo "== validate against results/schema.json =="
  $py scripts/validate_results.py --expect-cpu-ok "$out/candidate.json"
  echo "== charts =="
  $py scripts/plot.py "$out/candidate.json" -o "$out/charts"
  echo "$(ls "$out/charts" | wc -l) chart files and summary drawn"
}

time_gate() {
  local match rc=0 baselines
  # One timing baseline per machine kind (CPU model and SIMD target): ci-cpu.json, and ci-cpu.*.json
  # committed from other machines; baseline_match.py takes the first that applies.
  read -r -a baselines <<<"${baseline:-results/baselines/ci-cpu.json $(compgen -G 'results/baselines/ci-cpu.*.json' | tr '\n' ' ')}"
  match=$($py scripts/baseline_match.py "${baselines[@]}" "$out/candidate.json") || rc=$?
  [ "$rc" -ne 2 ] || exit 2
  if [ "$rc" -ne 0 ]; then
    time_why=$match; echo "== time gate cannot judge: $match =="; return
  fi
  baseline=$(tail -n 1 <<<"$match") match=$(head -n 1 <<<"$match")
  echo "== time: $match; compare with $baseline (normalized by the copy ceiling, threshold ${threshold}%) =="
  rc=0
  $py scripts/compare.py "$baseline" "$out/candidate.json" --normalize-by copy --threshold "$threshold" \
    >"$out/compare.txt" 2>"$out/compare.err" || rc=$?
  # The rows with a finding (CANNOT_JUDGE rows are summed up by the power line), then the totals.
  grep -E "  (SLOWER|SLOW_TAIL|FASTER|AMBIGUOUS)( |$)" "$out/compare.txt" || true
  tail -n 2 "$out/compare.txt"
  cat "$out/compare.err"
  # Exit 2 is either "cannot judge" (rows too noisy to see the threshold) or unusable input.
  grep -q "^compare.py: error:" "$out/compare.err" && exit 2
  case $rc in
    0) time_result=pass ;;
    1) time_result=fail ;;
    *) time_why=$(tail -n 1 "$out/compare.err") ;;
  esac
}

# Puts the source of commit $1 in $out/base-src and builds its elubench_count there (CPU only).
build_base() {
  local src="$out/base-src" t0=$SECONDS
  mkdir -p "$src"
  git archive "$1" | tar -x -C "$src"
  echo "== work: building elubench_count at ${1:0:12} (CPU only) =="
  if cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release -DELUBENCH_ENABLE_CUDA=OFF \
       -DELUBENCH_BUILD_TESTS=OFF >"$out/base-build.log" 2>&1 &&
     cmake --build "$src/build" -j "$(nproc)" --target elubench_count >>"$out/base-build.log" 2>&1; then
    echo "built in $((SECONDS - t0)) s"
  else
    tail -n 20 "$out/base-build.log"; return 1
  fi
}

# True when commit $1 is in this clone, fetching it when the clone is shallow or lacks it.
have_commit() {
  git cat-file -e "$1^{commit}" 2>/dev/null && return 0
  git fetch --quiet --depth=1 origin "$1" >/dev/null 2>&1 || true
  git cat-file -e "$1^{commit}" 2>/dev/null
}

work_gate() {
  local lines rc=0 commit paths
  lines=$($py scripts/count_gate.py changed "$counts_baseline") || rc=$?
  [ "$rc" -le 1 ] || exit 2
  commit=$(head -n 1 <<<"$lines") paths=$(tail -n +2 <<<"$lines")
  if [ "$rc" -eq 0 ]; then
    work_result=pass touched=0
    echo "== work: $paths (the counts baseline's commit): nothing to count =="; return
  fi
  kernels_touched "$paths" || touched=0
  echo "== work: the counted code changed since ${commit:0:12}: $(tr '\n' ' ' <<<"$paths")=="
  if ! command -v valgrind >/dev/null || [ ! -x "$build/bench/elubench_count" ]; then
    work_why="elubench_count or valgrind missing (scripts/install_deps.sh installs valgrind)"; return
  fi
  have_commit "$commit" || { work_why="commit ${commit:0:12} is not in this clone and cannot be fetched"; return; }
  build_base "$commit" || { work_why="commit ${commit:0:12} did not build"; return; }
  count_and_compare "$commit"
}

# True when the changed paths `count_gate.py changed` listed ($1) include kernels/ (or are unknown).
kernels_touched() {
  grep -qE '^(kernels/|\(the counts)' <<<"$1"
}

# Counts the baseline's commit and the code under test on this machine, side by side.
count_and_compare() {
  local rc=0 pid
  $py scripts/count_gate.py measure --binary "$out/base-src/build/bench/elubench_count" --commit "$1" \
    -o "$out/base-counts.json" & pid=$!
  $py scripts/count_gate.py measure --binary "$build/bench/elubench_count" --no-source -o "$out/counts.json" || rc=$?
  wait "$pid" || rc=$?
  [ "$rc" -eq 0 ] || { work_why="counting under callgrind failed"; return; }
  echo "== work: instruction counts at ${1:0:12} vs this checkout, both counted here (threshold 10%) =="
  $py scripts/count_gate.py compare "$out/base-counts.json" "$out/counts.json" --threshold 10 \
    >"$out/counts.txt" || rc=$?
  grep -E "  (MORE_WORK|LESS_WORK)$" "$out/counts.txt" || true
  tail -n 1 "$out/counts.txt"
  case $rc in
    0) work_result=pass ;;
    1) work_result=fail ;;
    *) work_why="count_gate.py compare exit $rc" ;;
  esac
}

# The run's exit status from the two gates' results and whether kernels/ changed.
final_status() {
  if [ "$time_result" = fail ] || [ "$work_result" = fail ]; then return 1; fi
  if [ "$time_result" = pass ] || [ "$work_result" = pass ]; then
    [ "$time_result" = pass ] || echo "warning: the time gate could not judge: $time_why"
    [ "$work_result" = pass ] || echo "warning: the work gate could not judge: $work_why"
    return 0
  fi
  echo "!!! NO REGRESSION GATE COULD JUDGE THIS RUN !!!"
  echo "!!! time gate: $time_why"
  echo "!!! work gate: $work_why"
  if [ "$touched" -eq 1 ]; then
    echo "!!! and kernels/ changed since the counts baseline's commit: failing (exit 2)"; return 2
  fi
  echo "!!! nothing under kernels/ changed since the counts baseline's commit: passing"
  return 0
}

main() {
  cd "$root"
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  smoke_run
  time_gate
  work_gate
  local status=0
  final_status || status=$?
  exit "$status"
}

# Sourced (tests/python/test_ci_gate.py): only the functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
