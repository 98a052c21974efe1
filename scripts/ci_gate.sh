#!/usr/bin/env bash
# The regression gate CI runs after the tests, in two parts against committed baselines:
#  1. time: a quick CPU run, its JSON validated against results/schema.json, charts drawn from
#     it, and compare.py against results/baselines/ci-cpu.json (normalized by the same run's
#     copy ceiling). On this 2-core VM identical runs drift 15-50% per row, so the threshold
#     that gave no false alarm in 20 measured comparisons is 60%: it catches gross regressions
#     (a lost vectorization is 10-30x), not a 30% one.
#  2. work: instructions per kernel call counted under callgrind (scripts/count_gate.py),
#     against results/baselines/ci-cpu-counts.json. Counts repeat exactly run after run, so a
#     10% threshold has no false alarms and catches a planted 30% slowdown of one variant.
# Exit 1 when either finds a regression; 2 on unusable input.
#
# The run's selection lives in results/baselines/ci-cpu.args so that the baseline and every
# candidate measure exactly the same rows. Why these settings (measured on the 2-core
# development VM; see results/baselines/README.md): single-threaded rows only (the second
# core is shared with everything else on the machine), 2^16 and 2^20 elements (2^12 calls
# last a microsecond and drift with the scheduler), 20 interleaved repetitions of 20 ms.
#
# The baseline is for one CPU model and SIMD target (host.simd_target: one model name can be an
# AVX-512 machine where Highway picks AVX3 or an AVX2 one; scripts/baseline_match.py decides).
# On another machine the comparison means nothing, so the gate says so and passes; commit a
# baseline from that machine to gate it:
#   build/ci/bench/elubench $(cat results/baselines/ci-cpu.args) --out results/baselines/ci-cpu.json --force
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${ELUBENCH_BUILD_DIR:-build/ci}
baseline=${ELUBENCH_BASELINE:-results/baselines/ci-cpu.json}
threshold=${ELUBENCH_GATE_THRESHOLD:-60}
counts_baseline=${ELUBENCH_COUNTS_BASELINE:-results/baselines/ci-cpu-counts.json}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
py=.venv/bin/python
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

status=0
match_rc=0
match=$($py scripts/baseline_match.py "$baseline" "$out/candidate.json") || match_rc=$?
if [ "$match_rc" -eq 2 ]; then
  exit 2
elif [ "$match_rc" -ne 0 ]; then
  echo "== time gate skipped: $match (see the header of $0) =="
else
  echo "== time: $match; compare with $baseline (normalized by the copy ceiling, threshold ${threshold}%) =="
  $py scripts/compare.py "$baseline" "$out/candidate.json" --normalize-by copy --threshold "$threshold" \
    > "$out/compare.txt" || status=$?
  grep -E "SLOWER|SLOW_TAIL|FASTER|AMBIGUOUS" "$out/compare.txt" | grep -v "^[0-9]* SLOWER" || true
  tail -n 1 "$out/compare.txt"
fi

if [ -x "$build/bench/elubench_count" ] && command -v valgrind >/dev/null; then
  echo "== work: instruction counts under callgrind vs $counts_baseline (threshold 10%) =="
  $py scripts/count_gate.py measure --binary "$build/bench/elubench_count" -o "$out/counts.json"
  $py scripts/count_gate.py compare "$counts_baseline" "$out/counts.json" --threshold 10 > "$out/counts.txt" || {
    rc=$?; cat "$out/counts.txt"; [ "$status" -ne 0 ] || status=$rc; }
  grep -E "MORE_WORK|LESS_WORK" "$out/counts.txt" || true
  tail -n 1 "$out/counts.txt"
else
  echo "== work gate not run: elubench_count or valgrind missing (scripts/install_deps.sh installs valgrind) =="
  status=${status:-0}; [ "$status" -ne 0 ] || status=1
fi
exit "$status"
