#!/usr/bin/env bash
# A wrong kernel gets `failed`, never a number (issue 9, section 1). Runs elubench_planted (the
# bench binary plus test-only planted kernels, bench/planted.cpp) on each planted failure and
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

# Right on its first calls, then writes nothing: only the check of the timed calls sees it.
expect_failed planted_lazy "output of the last timed call is wrong"
# Wrong for x <= 0 only; --input positive never reaches it; the adversarial input does.
expect_failed planted_negbranch "^adversarial input" --input positive
# Right output, 100,000x the bytes in its registry row: faster than the copy ceiling allows.
expect_failed planted_overcount "^impossible bandwidth: .* the fastest copy sample"

# The planted kernels exist only in the test binary: not in either --list, not selectable.
"$ELUBENCH" --list | grep -q planted && fail "elubench --list shows a planted variant"
"$ELUBENCH_PLANTED" --list | grep -q planted && fail "elubench_planted --list shows a planted variant"
"$ELUBENCH" --device cpu --variant planted_lazy --out x.json 2>err.txt
[ $? = 2 ] || fail "elubench accepted --variant planted_lazy"
[ -e x.json ] && fail "elubench wrote a file for a planted variant"

[ "$fails" = 0 ] && echo "trust: ok" || exit 1
