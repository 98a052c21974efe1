#!/usr/bin/env python3
"""The merge step of a fleet run: one report over every task's results, and a table of every
task with its end, so that a failed, timed-out or never-started task is listed, not missing.

  merge.py FLEET_DIR [-o REPORT.html]

Reads FLEET_DIR/manifest.jsonl (every array submit.sh submitted), tasks/<job>_<task>.json (each
task's status record) and results/*.json; asks sacct for the Slurm state of a task that has no
end record when accounting is available. Writes FLEET_DIR/fleet.md (the task table) and the
report (report.py over every valid results file: the devices side by side).
Exit: 0 every task ended well; 1 some task did not (the report still covers the rest); 2 no
manifest, or not a single usable results file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import report  # noqa: E402
import results_io as rio  # noqa: E402

PROG = "merge.py"


def read_manifest(folder: Path):
    path = folder / "manifest.jsonl"
    try:
        lines = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    except (OSError, json.JSONDecodeError) as e:
        raise rio.InputError(f"{path}: cannot read the fleet manifest: {e}") from None
    return [(str(m["job"]), str(t), m["target"]) for m in lines for t in range(int(m["tasks"]))]


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
    try:
        lines = [x for x in path.read_text(errors="replace").splitlines() if x.strip()]
    except OSError:
        return "no log"
    return lines[-1][:200] if lines else "empty log"


def task_end(folder, job, task, states):
    """(ok, what happened, results path or None, the status record) for one task."""
    tid = f"{job}_{task}"
    status_path = folder / "tasks" / f"{tid}.json"
    slurm = states.get(tid)
    if not status_path.exists():
        return False, f"never started ({'Slurm: ' + slurm if slurm else 'no status record; cancelled, held or lost'})", None, {}
    st = json.loads(status_path.read_text())
    if st["state"] != "ended":
        why = f"Slurm: {slurm}" if slurm else "time limit, cancel or node failure; no accounting to tell which"
        return False, f"killed before the end ({why})", None, st
    if st["exit_code"] != 0:
        return False, f"failed: exit {st['exit_code']}: {last_line(folder / st['log'])}", None, st
    results = folder / st["results"]
    try:
        rio.load_results(results)
    except rio.InputError as e:
        return False, f"failed: unusable results: {e}", None, st
    return True, "ok", results, st


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog=PROG, description="Merge a fleet run: one report, every task accounted for.")
    p.add_argument("folder", help="the --out folder given to submit.sh")
    p.add_argument("-o", "--output", help="report file (default FOLDER/report.html)")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    folder = Path(args.folder)
    try:
        expected = read_manifest(folder)
    except rio.InputError as e:
        return rio.fail(PROG, str(e))
    states = slurm_states({job for job, _, _ in expected})
    table = ["| task | target | host | GPU | end |", "|---|---|---|---|---|"]
    good, bad = [], 0
    for job, task, target in expected:
        ok, what, results, st = task_end(folder, job, task, states)
        table.append(f"| {job}_{task} | {target} | {st.get('host', '—')} | {st.get('gpu') or '—'} | {what.replace('|', '/')} |")
        if ok:
            good.append(results)
        else:
            bad += 1
    summary = (f"{len(expected)} task(s): {len(good)} ok, {bad} not ok" + "\n\n" + "\n".join(table) + "\n")
    tmp = folder / ".fleet.md.tmp"
    tmp.write_text(summary)
    os.replace(tmp, folder / "fleet.md")
    print(summary)
    if not good:
        return rio.fail(PROG, f"{folder}: no task produced usable results (see fleet.md)")
    out = args.output or str(folder / "report.html")
    rc = report.main([*map(str, good), "-o", out, "--title", f"elubench fleet run: {folder.name}"])
    if rc != 0:
        return rc
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
