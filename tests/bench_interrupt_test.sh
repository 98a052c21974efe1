#!/usr/bin/env bash
# Nothing lost (issue 9, section 3): a real elubench run stopped by SIGINT and by SIGTERM
# writes its finished rows and marks the rest interrupted; --resume completes the file; a
# full disk at the final write keeps the journal and --resume writes the file from it; and
# the inputs that must be refused before any work are refused with exit 2 and no file.
# usage: bench_interrupt_test.sh WORKDIR   (env: ELUBENCH, PYTHON, SCHEMA, VALIDATOR)
set -uo pipefail
work=$1
: "${ELUBENCH:?}" "${PYTHON:?}" "${SCHEMA:?}" "${VALIDATOR:?}"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
# Rows one after another (no interleaving) so that some finish early; 1024 elements each.
run=(--device cpu --sizes 1024 --threads 1 --benchmark_min_time=0.002 --benchmark_enable_random_interleaving=false)

# Waits until FILE has at least N lines (the journal: a header, then one line a row).
wait_lines() {
  for _ in $(seq 300); do
    [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
    sleep 0.05
  done
  return 1
}

# status_count FILE: "ok=N interrupted=M other=K" over the results rows.
status_count() {
  "$PYTHON" -c 'import json,sys,collections
c = collections.Counter(r["status"] for r in json.load(open(sys.argv[1]))["results"])
ok, intr = c.pop("ok", 0), c.pop("interrupted", 0)
print(f"ok={ok} interrupted={intr} other={sum(c.values())}")' "$1"
}

for sig in INT TERM; do
  out=$sig.json
  "$ELUBENCH" "${run[@]}" --out "$out" >"$sig.out" 2>"$sig.err" &
  pid=$!
  wait_lines "$out.journal" 4 || fail "$sig: no rows journaled"
  kill -s "$sig" "$pid"
  wait "$pid"
  rc=$?
  want=$([ "$sig" = INT ] && echo 130 || echo 143)
  [ "$rc" = "$want" ] || fail "SIG$sig: exit $rc, expected $want"
  ls -a | grep -q "^\.$out\." && fail "SIG$sig: a temporary file was left behind"
  [ -e "$out.journal" ] && fail "SIG$sig: the journal stayed although the results file was written"
  "$PYTHON" "$VALIDATOR" "$out" --schema "$SCHEMA" >/dev/null || fail "SIG$sig: results file invalid"
  counts=$(status_count "$out")
  echo "SIG$sig: exit $rc, $counts"
  case $counts in
    ok=0\ *) fail "SIG$sig: no finished rows in the file" ;;
  esac
  case $counts in
    *interrupted=0\ *) fail "SIG$sig: nothing marked interrupted (the run ended before the signal?)" ;;
  esac
  grep -q "elubench --resume $out" "$sig.err" || fail "SIG$sig: no resume hint"
  cp "$out" "$sig.before"
  # --resume runs only the interrupted rows; the finished ones keep their samples.
  "$ELUBENCH" --resume "$out" >"$sig.resume.out" 2>"$sig.resume.err" || fail "SIG$sig: --resume exit $?"
  "$PYTHON" "$VALIDATOR" "$out" --schema "$SCHEMA" --expect-cpu-ok >/dev/null || fail "SIG$sig: resumed file invalid"
  "$PYTHON" - "$sig.before" "$out" <<'PY' || fail "SIG$sig: resumed rows changed"
import json, sys
key = lambda r: (r["name"], r["n"], r["threads"])
before = {key(r): r for r in json.load(open(sys.argv[1]))["results"]}
after = json.load(open(sys.argv[2]))["results"]
assert len(after) == len(before), "row count changed"
for r in after:
    b = before[key(r)]
    assert r["status"] == "ok", r
    if b["status"] == "ok":
        assert r["time_s"]["samples"] == b["time_s"]["samples"], f"{r['name']} was run again"
PY
  echo "SIG$sig: resumed, $(status_count "$out")"
done

# Full disk at the final write: a tmpfs with no inode left for the temporary file (ENOSPC)
# while the journal, created at the start, takes the rows.
mnt=$work/mnt
mkdir -p "$mnt"
if mount -t tmpfs -o size=4m,nr_inodes=2 tmpfs "$mnt" 2>mount.err; then
  "$ELUBENCH" "${run[@]}" --variant naive --out "$mnt/full.json" >full.out 2>full.err
  rc=$?
  [ "$rc" = 1 ] || fail "full disk: exit $rc, expected 1"
  grep -q "^rows: " full.out || fail "full disk: no summary"
  grep -q "every finished row is in $mnt/full.json.journal" full.err || fail "full disk: does not say where the data is"
  [ -e "$mnt/full.json" ] && fail "full disk: a results file appeared"
  rows=$(($(wc -l <"$mnt/full.json.journal") - 1))
  echo "full disk: exit $rc, journal kept with $rows rows"
  [ "$rows" -ge 1 ] || fail "full disk: the journal has no rows"
  mount -o remount,nr_inodes=16 "$mnt"
  "$ELUBENCH" --resume "$mnt/full.json.journal" >full.resume.out 2>full.resume.err || fail "full disk: --resume exit $?"
  "$PYTHON" "$VALIDATOR" "$mnt/full.json" --schema "$SCHEMA" --expect-cpu-ok >/dev/null || fail "full disk: resumed file invalid"
  grep -q "0 rows to run" full.resume.err || fail "full disk: --resume measured rows again"
  [ -e "$mnt/full.json.journal" ] && fail "full disk: journal left after the file was written"
  umount "$mnt"
else
  echo "full disk: SKIPPED: cannot mount a tmpfs here: $(head -1 mount.err)"
fi

# Refused before any work: one line, exit 2, no file.
refused() {
  local what=$1
  shift
  rm -f r.json r.json.journal
  "$ELUBENCH" "$@" >r.out 2>r.err
  local rc=$?
  [ "$rc" = 2 ] || fail "$what: exit $rc, expected 2"
  [ "$(wc -l <r.err)" = 1 ] || fail "$what: not one line: $(cat r.err)"
  [ -e r.json ] || [ -e r.json.journal ] && fail "$what: left a file"
  echo "$what: exit $rc: $(cat r.err)"
}
refused "filter selects nothing" "${run[@]}" --out r.json --benchmark_filter=no_such_row
refused "list selects nothing" "${run[@]}" --out r.json --benchmark_filter=no_such_row --benchmark_list_tests
refused "malformed Google Benchmark value" "${run[@]}" --out r.json --benchmark_min_time=abc
refused "invalid filter regex" "${run[@]}" --out r.json --benchmark_filter='('
refused "benchmark_out into a missing dir" "${run[@]}" --out r.json --benchmark_out=no/such/dir/gb.json
refused "--out a device node" "${run[@]}" --out /dev/null --force
mkfifo fifo && refused "--out a fifo" "${run[@]}" --out fifo --force
touch r2.json.journal && refused "--out whose journal exists" "${run[@]}" --out r2.json
refused "--resume with a selection flag" --resume INT.json --sizes 2^20
refused "--resume of a file that is not a run" --resume "$SCHEMA"
refused "sizes beyond the machine's memory" --device cpu --threads 1 --sizes 2^36 --out r.json

[ "$fails" = 0 ] && echo "interrupt: ok" || exit 1
