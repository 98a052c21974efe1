#!/usr/bin/env bash
# Nothing lost: a real elubench run stopped by SIGINT and
# by SIGTERM writes its finished rows and marks the rest interrupted; --resume completes the file,
# and an interleaved run's rows continue from the repetitions the journal kept; a torn journal
# line survives a second crash; a damaged journal line is skipped and its row measured again; a
# journal in use is refused with the pid holding it; a full disk at the final write keeps the
# journal and --resume writes the file from it; and the inputs that must be refused before any
# work are refused with exit 2 and no file.
# usage: bench_interrupt_test.sh WORKDIR   (env: ELUBENCH, PYTHON, SCHEMA, VALIDATOR)
set -uo pipefail
work=$1
: "${ELUBENCH:?}" "${PYTHON:?}" "${SCHEMA:?}" "${VALIDATOR:?}"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
# Rows one after another (no interleaving) so that some finish early; 1024 elements each.
run=(--device cpu --sizes 1024 --threads 1 --benchmark_min_time=0.002 --benchmark_enable_random_interleaving=false)

# Waits until FILE has at least N lines (the journal: a header, then a line per finished row and
# one per repetition of a row still running).
wait_lines() {
  for _ in $(seq 300); do
    [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
    sleep 0.05
  done
  return 1
}
# Waits until the journal FILE has at least N finished rows.
row_lines() {
  local c
  c=$(grep -c '"name"' "$1" 2>/dev/null)
  echo "${c:-0}"
}
wait_rows() {
  for _ in $(seq 300); do
    [ "$(row_lines "$1")" -ge "$2" ] && return 0
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
  wait_rows "$out.journal" 3 || fail "$sig: no rows journaled"
  kill -s "$sig" "$pid"
  wait "$pid"
  rc=$?
  want=$([ "$sig" = INT ] && echo 130 || echo 143)
  [ "$rc" = "$want" ] || fail "SIG$sig: exit $rc, expected $want"
  ls -a | grep -q "^\.$out\." && fail "SIG$sig: a temporary file was left behind"
  [ -e "$out.journal" ] || fail "SIG$sig: the journal went although rows were left unfinished"
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
  [ -e "$out.journal" ] && fail "SIG$sig: the journal stayed although the resumed file is complete"
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

# Journal lines as JSON (each line is "<CRC-32> <JSON>"), for the checks below.
journal_json() { "$PYTHON" -c 'import json, sys
for line in open(sys.argv[1]).read().splitlines(): print(json.dumps(json.loads(line[9:])))' "$1"; }

# Interleaved, as a default run: no row finishes before the end, so SIGINT leaves every row
# unfinished. The journal keeps each repetition as it is taken, and --resume runs only the
# repetitions a row lacks, its journaled ones first.
part=(--device cpu --activation elu --variant naive --dtype f32 --sizes 1024,4096 --threads 1 --repetitions 20
      --benchmark_min_time=0.005 --benchmark_enable_random_interleaving=true)
"$ELUBENCH" "${part[@]}" --out part.json >part.out 2>part.err &
pid=$!
wait_lines part.json.journal 40 || fail "part-way: fewer than 40 journal lines"
kill -INT "$pid"
wait "$pid"
journal_json part.json.journal >part.journaled || fail "part-way: the journal is not kept or not readable"
"$ELUBENCH" --resume part.json >part.resume.out 2>part.resume.err || fail "part-way: --resume exit $?"
grep -Eq "rows to run, [1-9][0-9]* of them part-way" part.resume.err || fail "part-way: no row resumed part-way"
"$PYTHON" - part.journaled part.json <<'PY' || fail "part-way: the resumed rows did not continue from the journal"
import collections, json, sys
kept = collections.defaultdict(list)
for line in open(sys.argv[1]):
    j = json.loads(line)
    if "sample" in j:
        kept[j["sample"]["row"]].append(j["sample"]["s"])
assert sum(map(len, kept.values())) >= 30, kept
rows = json.load(open(sys.argv[2]))["results"]
for r in rows:
    s = r["time_s"]["samples"]
    assert r["status"] == "ok" and len(s) == 20, (r["name"], r["status"], len(s))
    label = f'{r["name"]} n={r["n"]} threads={r["threads"]}'
    journaled = kept.pop(label, [])[:19]  # a resumed row runs at least one repetition
    assert s[:len(journaled)] == journaled, (label, journaled, s)
assert not kept, f"journaled rows not in the file: {list(kept)}"
print(f"part-way: {len(rows)} rows, each resumed with its journaled repetitions first, 20 samples each")
PY

# A crash (kill -9) mid-run leaves the journal; a torn last line is added, as a crash mid-write
# leaves one. --resume of it cuts the fragment off before it appends, and crashes too; then one
# row line is damaged (a 2x faster time: its checksum no longer matches) and one rewritten with
# a matching checksum but another byte count. The last --resume skips the first with a warning
# naming the line, refuses to adopt the second, measures both again and completes the file.
small=(--device cpu --activation elu --dtype f32 --sizes 1024 --threads 1 --benchmark_min_time=0.002
       --benchmark_enable_random_interleaving=false)
crash_after() {  # crash_after ROWS LOG ARGS...: runs elubench, kill -9 once torn.json.journal has ROWS rows
  local rows=$1 log=$2
  shift 2
  "$ELUBENCH" "$@" >"$log.out" 2>"$log.err" &
  local pid=$!
  wait_rows torn.json.journal "$rows" || fail "$log: the journal did not reach $rows rows"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
}
crash_after 3 torn "${small[@]}" --out torn.json
printf '%s' '0badc0de {"name": "cpu/elu/na' >>torn.json.journal
crash_after $(($(row_lines torn.json.journal) + 2)) torn.r1 --resume torn.json.journal
grep -q "cut off a torn last line" torn.r1.err || fail "torn: the fragment was not cut off before appending"
"$PYTHON" - torn.json.journal >torn.edited <<'PY' || fail "torn: cannot edit the journal"
import json, sys, zlib
path = sys.argv[1]
lines = open(path).read().splitlines()
rows = [i for i, l in enumerate(lines) if '"name"' in l]
damaged, implausible = rows[0], rows[1]
j = json.loads(lines[damaged][9:])
j["time_s"]["samples"] = [s / 2 for s in j["time_s"]["samples"]]
lines[damaged] = lines[damaged][:9] + json.dumps(j)  # the old checksum
k = json.loads(lines[implausible][9:])
k["bytes"] *= 2
text = json.dumps(k)
lines[implausible] = f"{zlib.crc32(text.encode()):08x} {text}"  # a matching checksum
open(path, "w").write("\n".join(lines) + "\n")
print(damaged + 1, j["name"], json.dumps(j["time_s"]["samples"], separators=(",", ":")), k["name"])
PY
read -r line_no damaged_row damaged_samples implausible_row <torn.edited
"$ELUBENCH" --resume torn.json.journal >torn.r2.out 2>torn.r2.err || fail "torn: the second --resume exit $?"
grep -q "torn.json.journal line $line_no skipped: its checksum does not match" torn.r2.err ||
  fail "torn: the damaged line $line_no was not named: $(cat torn.r2.err)"
grep -q "$implausible_row n=1024 .*not adopted (it moves" torn.r2.err || fail "torn: the implausible row was adopted"
"$PYTHON" "$VALIDATOR" torn.json --schema "$SCHEMA" --expect-cpu-ok >/dev/null || fail "torn: resumed file invalid"
"$PYTHON" - torn.json "$damaged_row" "$damaged_samples" <<'PY' || fail "torn: the damaged row's edited time was adopted"
import json, sys
row = next(r for r in json.load(open(sys.argv[1]))["results"] if r["name"] == sys.argv[2])
assert row["time_s"]["samples"] != json.loads(sys.argv[3])
PY
echo "torn: resumed through two crashes; damaged line $line_no skipped, $implausible_row measured again"

# Two processes, one --out: while a run holds its journal, neither a second run on the same
# --out nor a --resume of the journal may touch it.
"$ELUBENCH" "${small[@]}" --out lock.json >lock.out 2>lock.err &
pid=$!
wait_lines lock.json.journal 2 || fail "lock: no journal"
in_use() {  # in_use WHAT RC: exit 2, one line naming the pid that holds the journal
  [ "$2" = 2 ] || fail "lock: $1: exit $2, expected 2"
  [ "$(wc -l <lock2.err)" = 1 ] && grep -q "in use by a running elubench (pid $pid)" lock2.err ||
    fail "lock: $1 said: $(cat lock2.err)"
}
"$ELUBENCH" "${small[@]}" --out lock.json >lock2.out 2>lock2.err
in_use "a second run on its --out" $?
"$ELUBENCH" --resume lock.json.journal >lock2.out 2>lock2.err
in_use "--resume of its journal" $?
kill -INT "$pid"
wait "$pid"
echo "lock: a second run and a --resume refused while pid $pid holds the journal"

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
  rows=$(row_lines "$mnt/full.json.journal")
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
