"""scripts/fleet on a real Slurm cluster: one node on localhost, started and stopped by the test
(slurm_cluster.py). Runs the CPU quick suite as a two-task array through submit.sh with the
merge job after it, plus a task that fails (a bad elubench flag) and one that never starts
(held, then cancelled), and checks that the merge reports all four and reports the two good runs
side by side. Skips with the reason without root, Slurm, munge or an elubench binary."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT, SCRIPTS
from slurm_cluster import SlurmCluster, why_not

SUBMIT = SCRIPTS / "fleet" / "submit.sh"


def elubench_binary():
    for p in (os.environ.get("ELUBENCH"), *(ROOT / "build" / b / "bench" / "elubench" for b in ("ci", "cpu", "default"))):
        if p and Path(p).is_file() and os.access(p, os.X_OK):
            return Path(p)
    return None


def launcher_bundle(folder: Path, binary: Path) -> Path:
    """A tarball laid out as scripts/bundle.sh makes one (elubench-<version>/elubench), whose
    launcher runs the built binary: the task's unpack-and-run path without the minute that
    bundle.sh spends packing libraries (bundle.sh has its own check that its bundle starts)."""
    stage = folder / "stage" / "elubench-0.0.0-x86_64"
    stage.mkdir(parents=True)
    (stage / "elubench").write_text(f'#!/usr/bin/env bash\nexec {binary} "$@"\n')
    (stage / "elubench").chmod(0o755)
    tarball = folder / "elubench-0.0.0-x86_64.tar.gz"
    subprocess.run(["tar", "-C", str(stage.parent), "-czf", str(tarball), stage.name], check=True)
    return tarball


def submit(cluster, out, what, *args):
    r = subprocess.run(["bash", str(SUBMIT), "--out", str(out), *what, "--target", "test", *args],
                       capture_output=True, text=True, env=cluster.env, timeout=60)
    assert r.returncode == 0, r.stderr
    return [line.split()[2].rstrip(":") for line in r.stdout.splitlines() if line.startswith(("submitted job", "merge job"))]


def wait_empty(cluster, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if not cluster.run("squeue", "-h", "-o", "%i", check=False).stdout.strip():
            return
        time.sleep(1)
    raise AssertionError("jobs still queued: " + cluster.run("squeue", check=False).stdout + cluster.logs())


def test_quick_suite_as_a_two_task_array_merged(tmp_path):
    reason = why_not()
    if reason:
        pytest.skip(reason)
    binary = elubench_binary()
    if binary is None:
        pytest.skip("no elubench binary (build the cpu or ci preset first, or set ELUBENCH)")
    out = tmp_path / "fleet"
    with SlurmCluster(tmp_path / "cluster") as cluster:
        exe = ("--binary", str(binary))
        (failing,) = submit(cluster, out, exe, "--no-merge", "--", "--device", "cpu", "--no-such-flag")
        (held,) = submit(cluster, out, exe, "--no-merge", "--sbatch-arg", "--hold", "--", "--device", "cpu", "--quick")
        cluster.run("scancel", held)
        bundle = ("--bundle", str(launcher_bundle(tmp_path, binary)))
        # ELU and ReLU only: this tests the fleet's mechanics, and the quick suite of every
        # activation (the smoke test runs it) takes two tasks sharing 2 cores past the wait.
        array, merge = submit(cluster, out, bundle, "--tasks", "2", "--time", "00:05:00", "--", "--device", "cpu",
                              "--quick", "--activation", "elu,relu")
        wait_empty(cluster, 150)
        merge_exit = cluster.run("scontrol", "show", "job", merge).stdout
    summary = (out / "fleet.md").read_text()
    assert summary.startswith("4 task(s): 2 ok, 2 not ok"), summary
    lines = {line.split("|")[1].strip(): line for line in summary.splitlines() if line.startswith("| ") and "_" in line}
    assert "| ok |" in lines[f"{array}_0"] and "| ok |" in lines[f"{array}_1"]
    assert "failed: exit 2" in lines[f"{failing}_0"] and "no-such-flag" in lines[f"{failing}_0"]
    assert "never started" in lines[f"{held}_0"]
    # The merge job exits 1 because two tasks did not end well, after writing the report anyway.
    assert "ExitCode=1:0" in merge_exit, merge_exit

    results = sorted((out / "results").glob(f"{array}_*.json"))
    assert len(results) == 2
    import results_load
    for r in results:
        results_load.load_results(r)
    html = (out / "report.html").read_text()
    data = json.loads(html.split("const DATA = ", 1)[1].split(";\n", 1)[0].replace("<\\/", "</"))
    assert sorted(Path(f["path"]).name for f in data["files"]) == [r.name for r in results]
    assert len({p["file"] for p in data["panels"]}) == 2  # both runs, side by side
