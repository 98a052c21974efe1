#!/usr/bin/env python3
"""The merge step of a fleet run: one report over every task's results, and a table of every
task with its end, so that a failed, timed-out or never-started task is listed, not missing.

  merge.py FLEET_DIR [-o REPORT.html]

Reads FLEET_DIR/manifest.jsonl (every array submit.sh submitted), tasks/<job>_<task>.json (each
task's status record) and results/*.json; asks sacct for the Slurm state of a task that has no
end record when accounting is available. Writes FLEET_DIR/fleet.md (the task table) and the
report (report.py over every valid results file: the devices side by side).

The records come from many nodes and are read as untrusted input: each through the bounded
loader (a size cap, regular files only), each field checked, the task count capped, every path
kept inside the fleet folder, every string escaped in fleet.md. A record that fails any of this
is listed as "unreadable" with the reason, and the merge goes on with the others.
Exit: 0 every task ended well; 1 some task did not (the report still covers the rest); 2 a
manifest line or status record was unreadable (listed in fleet.md), no manifest, or not a single
usable results file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import report  # noqa: E402
import results_load  # noqa: E402
import results_text  # noqa: E402
import script_io  # noqa: E402

PROG = "merge.py"
MANIFEST_BYTES = 1 << 20  # a line per submitted array: thousands of submissions fit
STATUS_BYTES = 64 << 10  # one status record is ~300 bytes
LOG_TAIL_BYTES = 64 << 10  # where a log's last line is looked for
# Tasks in one fleet, all manifest lines together: a row each in fleet.md. Slurm's own default
# MaxArraySize is 1001; a manifest asking for more than this is not a fleet this merge can list.
MAX_TASKS = 100_000
FIELD_CHARS = 256  # host, GPU and target strings longer than this are not names
JOB_ID = re.compile(r"[0-9]{1,20}")
NOT_A_PATH = re.compile("[\x00-\x1f\ud800-\udfff]")


class Unreadable(Exception):
    """A manifest line or status record that cannot be used; the message says why."""


def _text(rec, key, empty_ok=False):
    v = rec.get(key)
    if not isinstance(v, str) or len(v) > FIELD_CHARS or (not v and not empty_ok):
        raise Unreadable(f"\"{key}\" is not a string of 1 to {FIELD_CHARS} characters")
    return v


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _strict_json(line: str):
    try:
        return json.loads(line, parse_constant=_no_constant)
    except (ValueError, RecursionError) as e:
        raise Unreadable(f"not JSON ({str(e).splitlines()[0][:80]})") from None


def manifest_entry(line: str, room: int):
    """(job, target, tasks) of one manifest line, at most `room` tasks; Unreadable otherwise."""
    m = _strict_json(line)
    if not isinstance(m, dict):
        raise Unreadable("not a JSON object")
    job = m.get("job")
    if not isinstance(job, str) or not JOB_ID.fullmatch(job):
        raise Unreadable("\"job\" is not a Slurm job id")
    tasks = m.get("tasks")
    if type(tasks) is not int or tasks < 1:
        raise Unreadable("\"tasks\" is not a positive integer")
    if tasks > room:
        raise Unreadable(f"{tasks} tasks: more than the {MAX_TASKS:,} a fleet.md lists")
    return job, _text(m, "target"), tasks


def read_manifest(folder: Path):
    """(every expected task as (job, task, target), the unreadable lines as (where, why))."""
    path = folder / "manifest.jsonl"
    try:
        text = results_load.read_text(path, MANIFEST_BYTES)
    except script_io.InputError as e:
        raise script_io.InputError(f"cannot read the fleet manifest: {e}") from None
    expected, bad = [], []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            job, target, tasks = manifest_entry(line, MAX_TASKS - len(expected))
        except Unreadable as e:
            bad.append((f"manifest.jsonl line {i}", str(e)))
            continue
        expected += [(job, str(t), target) for t in range(tasks)]
    return expected, bad


def slurm_states(jobs):
    """{"<job>_<task>": STATE} from sacct, or {} where accounting is off or sacct is absent."""
    if not jobs or not shutil.which("sacct"):
        return {}
    r = subprocess.run(["sacct", "-n", "-P", "-X", "-j", ",".join(sorted(jobs)), "--format=JobID,State"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return {}
    return dict(line.split("|", 1) for line in r.stdout.splitlines() if "|" in line)


def last_line(path: Path) -> str:
    """The last non-empty line of a log, from its last LOG_TAIL_BYTES at most."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block, /dev/zero never end
            return "no log (not a regular file)"
        with open(path, "rb") as f:
            f.seek(max(0, st.st_size - LOG_TAIL_BYTES))
            tail = f.read(LOG_TAIL_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return "no log"
    lines = [x for x in tail.splitlines() if x.strip()]
    return lines[-1][:200] if lines else "empty log"


def inside(folder: Path, sub: str, rec: dict, key: str) -> Path:
    """folder/rec[key] where it resolves (symlinks followed) inside folder/sub; else Unreadable.
    A record names its results and log: a path out of the folder would copy that file's
    content into fleet.md or load it as results."""
    rel = _text(rec, key)
    if NOT_A_PATH.search(rel):  # a NUL or a lone surrogate would not even reach the file system
        raise Unreadable(f"\"{key}\" is not a file name")
    if os.path.isabs(rel) or not (folder / rel).resolve().is_relative_to((folder / sub).resolve()):
        raise Unreadable(f"\"{key}\" {rel[:80]!r} is outside {sub}/ of the fleet folder")
    return (folder / rel).resolve()


def status_record(folder: Path, path: Path, job: str, task: str) -> dict:
    """The status record of one task, every field checked; Unreadable otherwise."""
    try:
        st = results_load.read_json(path, STATUS_BYTES)
    except script_io.InputError as e:
        raise Unreadable(str(e).removeprefix(f"{path}: ")) from None
    if not isinstance(st, dict):
        raise Unreadable("not a JSON object")
    if st.get("job") != job or st.get("task") != task:
        raise Unreadable(f"names another task ({str(st.get('job'))[:20]}_{str(st.get('task'))[:20]})")
    if st.get("state") not in ("running", "ended"):
        raise Unreadable("\"state\" is neither running nor ended")
    code = st.get("exit_code")
    if st["state"] == "ended" and (type(code) is not int or not -(2**31) <= code < 2**31):
        raise Unreadable("an ended task without an integer \"exit_code\"")
    rec = {"host": _text(st, "host"), "gpu": st.get("gpu") and _text(st, "gpu"), "state": st["state"],
           "exit_code": code}
    rec.update(results=inside(folder, "results", st, "results"), log=inside(folder, "logs", st, "log"))
    return rec


def task_end(folder, job, task, states):
    """(ok, what happened, results path or None, the status record) for one task; Unreadable
    when its status record is."""
    tid = f"{job}_{task}"
    status_path = folder / "tasks" / f"{tid}.json"
    slurm = states.get(tid)
    if not os.path.lexists(status_path):
        return False, f"never started ({'Slurm: ' + slurm if slurm else 'no status record; cancelled, held or lost'})", None, {}
    st = status_record(folder, status_path, job, task)
    if st["state"] != "ended":
        why = f"Slurm: {slurm}" if slurm else "time limit, cancel or node failure; no accounting to tell which"
        return False, f"killed before the end ({why})", None, st
    if st["exit_code"] != 0:
        return False, f"failed: exit {st['exit_code']}: {last_line(st['log'])}", None, st
    try:
        results_load.load_results(st["results"])
    except script_io.InputError as e:
        return False, f"failed: unusable results: {e}", None, st
    return True, "ok", st["results"], st


def fleet_table(folder, expected, bad_lines, states):
    """(fleet.md's text, usable results files, tasks not ok, records unreadable)."""
    md = results_text.md_text
    table = ["| task | target | host | GPU | end |", "|---|---|---|---|---|"]
    table += [f"| {md(where)} | — | — | — | unreadable: {md(why)} |" for where, why in bad_lines]
    good, not_ok, unreadable = [], 0, len(bad_lines)
    for job, task, target in expected:
        try:
            ok, what, results, st = task_end(folder, job, task, states)
        except Unreadable as e:
            ok, what, results, st = False, f"unreadable: tasks/{job}_{task}.json: {e}", None, {}
            unreadable += 1
        # The task id is two validated numbers; every other cell is data.
        table.append(f"| {job}_{task} | {md(target)} | {md(st.get('host', '—'))} | {md(st.get('gpu') or '—')} | {md(what)} |")
        if ok:
            good.append(results)
        else:
            not_ok += 1
    head = f"{len(expected)} task(s): {len(good)} ok, {not_ok} not ok"
    if unreadable:
        head += f"; {unreadable} record(s) unreadable"
    return head + "\n\n" + "\n".join(table) + "\n", good, not_ok, unreadable


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog=PROG, description="Merge a fleet run: one report, every task accounted for.")
    p.add_argument("folder", help="the --out folder given to submit.sh")
    p.add_argument("-o", "--output", help="report file (default FOLDER/report.html)")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    folder = Path(args.folder)
    try:
        expected, bad_lines = read_manifest(folder)
        states = slurm_states({job for job, _, _ in expected})
        summary, good, not_ok, unreadable = fleet_table(folder, expected, bad_lines, states)
        script_io.write_text_atomic(folder / "fleet.md", summary)
    except script_io.InputError as e:
        return script_io.fail(PROG, str(e))
    print(summary)
    if not good:
        return script_io.fail(PROG, f"{folder}: no task produced usable results (see fleet.md)")
    out = args.output or str(folder / "report.html")
    rc = report.main([*map(str, good), "-o", out, "--title", f"elubench fleet run: {folder.name}"])
    if rc != 0:
        return rc
    if unreadable:
        return script_io.fail(PROG, f"{folder}: {unreadable} unreadable task record(s), listed in fleet.md")
    return 1 if not_ok else 0


if __name__ == "__main__":
    sys.exit(main())
