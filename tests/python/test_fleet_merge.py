"""scripts/fleet/merge.py without Slurm: every task in the manifest is accounted for, whatever
record it left (the real-cluster test is test_fleet_slurm.py)."""

from __future__ import annotations

import json
import sys

from conftest import SCRIPTS, make_run, run_script

sys.path.insert(0, str(SCRIPTS / "fleet"))


def status(folder, job, task, state, exit_code=None, host="node1"):
    (folder / "tasks").mkdir(exist_ok=True)
    rec = {"job": job, "task": task, "host": host, "target": "gpu-h200:gpu:1", "gpu": "NVIDIA H200", "state": state,
           "exit_code": exit_code, "results": f"results/{job}_{task}-{host}.json", "log": f"logs/{job}_{task}.log",
           "started": "2026-01-01T00:00:00Z", "ended": None}
    (folder / "tasks" / f"{job}_{task}.json").write_text(json.dumps(rec))


def test_every_end_is_reported(tmp_path):
    f = tmp_path
    (f / "manifest.jsonl").write_text('{"job": "7", "target": "gpu-h200:gpu:1", "tasks": 4, "submitted": "x"}\n')
    (f / "results").mkdir()
    (f / "logs").mkdir()
    (f / "results" / "7_0-node1.json").write_text(json.dumps(make_run()))
    status(f, "7", "0", "ended", 0)
    status(f, "7", "1", "running")  # killed by the time limit: no end record
    status(f, "7", "2", "ended", 1)
    (f / "logs" / "7_2.log").write_text("starting\nelubench: CUDA error: out of memory\n")
    res = run_script("merge.py", f)
    assert res.returncode == 1, res.stderr
    md = (f / "fleet.md").read_text()
    assert md.startswith("4 task(s): 1 ok, 3 not ok")
    assert "| 7_1 |" in md and "killed before the end" in md
    assert "failed: exit 1: elubench: CUDA error: out of memory" in md
    assert "| 7_3 | gpu-h200:gpu:1 | — | — | never started" in md
    assert (f / "report.html").exists()


def test_no_usable_results_is_exit_2(tmp_path):
    (tmp_path / "manifest.jsonl").write_text('{"job": "8", "target": "cpu", "tasks": 1, "submitted": "x"}\n')
    res = run_script("merge.py", tmp_path)
    assert res.returncode == 2 and "no task produced usable results" in res.stderr
    assert not (tmp_path / "report.html").exists()
    res = run_script("merge.py", tmp_path / "nothing-here")
    assert res.returncode == 2 and "manifest" in res.stderr
