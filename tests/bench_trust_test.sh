#!/usr/bin/env bash
# A wrong kernel gets `failed`, never a number. Runs elubench_planted (the
# bench binary plus test-only planted kernels, bench/tools/planted.cpp) on each planted failure and
# checks the row. usage: bench_trust_test.sh WORKDIR   (env: ELUBENCH, ELUBENCH_PLANTED, PYTHON)
set -uo pipefail
work=$1
: "${ELUBENCH:?}" "${ELUBENCH_PLANTED:?}" "${PYTHON:?}"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
common=(--device cpu --dtype f32 --sizes 2^14 --threads 1 --benchmark_min_time=0.001)

# expect_failed VARIANT REASON_PATTERN [extra flags]: exit 1, the planted row failed with that
# reason and no time or rate, the copy ceiling beside it ok.
expect_failed() {
  local v=$1 pattern=$2
  shift 2
  "$ELUBENCH_PLANTED" "${common[@]}" --variant "$v,memcpy" --out "$v.json" "$@" >"$v.out" 2>"$v.err"
  local rc=$?
  [ "$rc" = 1 ] || fail "$v: exit $rc, expected 1"
  "$PYTHON" - "$v.json" "cpu/elu/$v/f32" "$pattern" <<'PY' || fail "$v: row check"
import json, re, sys
doc = json.load(open(sys.argv[1]))
rows = {r["name"]: r for r in doc["results"]}
r = rows[sys.argv[2]]
assert r["status"] == "failed", r["status"]
assert re.search(sys.argv[3], r["reason"]), r["reason"]
assert r["time_s"] is None and r["gbps"] is None and r["pct_of_ceiling"] is None, r
assert rows["cpu/copy/memcpy/f32"]["status"] == "ok"
print(f"{sys.argv[2]}: failed: {r['reason'][:110]}")
PY
}

# Right on its first calls, then writes nothing: the check after its first timed loop sees it.
expect_failed planted_lazy "^the output of a timed call is wrong \(the first call passed\)"
# Wrong for x <= 0 only; --input positive never reaches it; the adversarial input does.
expect_failed planted_negbranch "^adversarial input" --input positive
# Right output, 100,000x the bytes in its registry row: faster than the copy ceiling allows.
expect_failed planted_overcount "^impossible bandwidth: .* the fastest copy sample"

# ELU(-0) = +0 and nothing else wrong: 0 ULP away, caught by the sign-of-zero contract.
expect_failed planted_zero_flip "^adversarial input.*x=-0 -> got 0, expected -0 .*sign of zero"

# Right outputs, and a write outside y or into x: each fails with the element named, at the
# first check that sees it (the adversarial call, the pre-timing call, a timed loop).
expect_failed planted_overrun "^adversarial input.*wrote outside y: y\[4151\] \(byte 0 past its end; n = 4151\)"
expect_failed planted_overrun16 "^wrote outside y: y\[16384\] \(byte 0 past its end; n = 16384\)"
expect_failed planted_underrun "^wrote outside y: y\[-1\] \(byte 1 before its start; n = 16384\)"
expect_failed planted_writes_x "^wrote into its input x: x\[8192\] \(n = 16384\)"

# A layer row whose epilogue skips the activation on half of y: the float64 layer check names it.
"$ELUBENCH_PLANTED" --layers --device cpu --threads 1 --layer-shapes 16x24x40 --variant planted_layer_epilogue \
  --out layer.json --benchmark_min_time=0.001 >layer.out 2>layer.err
rc=$?
[ "$rc" = 1 ] || fail "planted_layer_epilogue: exit $rc, expected 1"
"$PYTHON" - layer.json <<'PY' || fail "planted_layer_epilogue: row check"
import json, re, sys
r = json.load(open(sys.argv[1]))["results"][0]
assert r["name"] == "cpu/elu/planted_layer_epilogue/f32" and r["status"] == "failed", r
assert re.search(r"^cpu/elu/planted_layer_epilogue/f32: y\[(8|9|1[0-5])\]\[[0-9]+\] of 16x24x40: got .* > bound", r["reason"]), r["reason"]
assert r["time_s"] is None and r["layer"]["m"] == 16, r
print(f"planted_layer_epilogue: failed: {r['reason'][:110]}")
PY

# The planted kernels exist only in the test binary: not in either --list, not selectable.
"$ELUBENCH" --list | grep -q planted && fail "elubench --list shows a planted variant"
"$ELUBENCH_PLANTED" --list | grep -q planted && fail "elubench_planted --list shows a planted variant"
"$ELUBENCH" --device cpu --variant planted_lazy --out x.json 2>err.txt
[ $? = 2 ] || fail "elubench accepted --variant planted_lazy"
[ -e x.json ] && fail "elubench wrote a file for a planted variant"

[ "$fails" = 0 ] && echo "trust: ok" || exit 1
