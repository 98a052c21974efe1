"""scripts/fleet/merge.py without Slurm: every task in the manifest is accounted for, whatever
record it left (the real-cluster test is test_fleet_slurm.py)."""

from __future__ import annotations

import json
import sys

import pytest

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


# ---------------------------------------------------------------------------------------------
# Bad task records: read bounded, checked, kept inside the folder, escaped; listed as unreadable
# with exit 2 at the end.


def merge_bounded(folder):
    """merge.py in a subprocess held to 1.5 GiB of address space and 60 s: a merge that reads a
    record without bound fails here instead of taking the machine's memory. (The tests that
    cannot grow run merge.py in this process: run_script.)"""
    import resource
    import subprocess

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 29, 3 << 29))
    return subprocess.run([sys.executable, str(SCRIPTS / "fleet" / "merge.py"), str(folder)], capture_output=True,
                          text=True, timeout=60, preexec_fn=limit,
                          env={"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"})


def fleet(tmp_path, manifest='{"job": "7", "target": "cpu", "tasks": 2, "submitted": "x"}\n'):
    """A fleet folder whose task 7_0 ended well; 7_1 is left to each test."""
    (tmp_path / "manifest.jsonl").write_text(manifest)
    (tmp_path / "results").mkdir()
    (tmp_path / "logs").mkdir()
    (tmp_path / "results" / "7_0-node1.json").write_text(json.dumps(make_run()))
    status(tmp_path, "7", "0", "ended", 0)
    return tmp_path


def rows(md):
    return {line.split("|")[1].strip(): line for line in md.splitlines() if line.startswith("| ") and "---" not in line}


def test_a_manifest_that_never_ends_is_refused(tmp_path):
    (tmp_path / "manifest.jsonl").symlink_to("/dev/zero")
    res = merge_bounded(tmp_path)
    assert res.returncode == 2 and "not a regular file" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("line,why", [
    ('{"job": "8", "target": "cpu", "tasks": 1000000000, "submitted": "x"}', "more than the 100,000"),
    ('{"job": "8", "tasks": 1, "submitted": "x"}', '"target" is not a string'),
    ('{"job": "8", "target": "cpu", "tasks": "1"}', '"tasks" is not a positive integer'),
    ('{"job": "../8", "target": "cpu", "tasks": 1}', '"job" is not a Slurm job id'),
    ('{"job": "8", "target": "cpu", tasks: 1}', "not JSON"),
])
def test_a_bad_manifest_line_is_listed_unreadable(tmp_path, line, why):
    """"tasks": 1000000000 must not grow the merge to gigabytes, nor a line without "target" end
    in a traceback: each bad line is a row of fleet.md; the good lines are merged; exit 2."""
    f = fleet(tmp_path, '{"job": "7", "target": "cpu", "tasks": 1, "submitted": "x"}\n' + line + "\n")
    res = merge_bounded(f)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and "1 unreadable task record(s)" in res.stderr
    md = (f / "fleet.md").read_text()
    assert "unreadable: " in rows(md)["manifest.jsonl line 2"] and why in rows(md)["manifest.jsonl line 2"]
    assert "| ok |" in rows(md)["7_0"] and (f / "report.html").exists()


def test_a_status_record_that_never_ends_is_unreadable(tmp_path):
    """A status file that is /dev/zero is read bounded, not into gigabytes of memory."""
    f = fleet(tmp_path)
    (f / "tasks" / "7_1.json").symlink_to("/dev/zero")
    res = merge_bounded(f)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "unreadable: tasks/7_1.json: not a regular file" in rows((f / "fleet.md").read_text())["7_1"]


def test_a_quote_in_a_gpu_name_makes_a_record_unreadable_not_a_traceback(tmp_path):
    """A GPU name with an unescaped quote makes a record that is not JSON: the merge lists it
    as unreadable, no traceback (and task.sbatch escapes: the test below)."""
    f = fleet(tmp_path)
    (f / "tasks" / "7_1.json").write_text('{"job": "7", "task": "1", "host": "n", "gpu": "NVIDIA "H200"", '
                                          '"state": "ended", "exit_code": 0}')
    res = run_script("merge.py", f)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "unreadable: tasks/7_1.json: malformed JSON" in rows((f / "fleet.md").read_text())["7_1"]


@pytest.mark.parametrize("field,value", [("log", "../../../../etc/hostname"), ("log", "/etc/hostname"),
                                         ("results", "../../outside.json"), ("log", "results/7_0-node1.json"),
                                         ("results", "results/\ud800.json"), ("log", "logs/a\x00b")])
def test_a_record_naming_a_file_outside_its_folder_is_unreadable(tmp_path, field, value):
    """A status whose log is ../../../../etc/hostname must not copy that file into fleet.md."""
    f = fleet(tmp_path)
    status(f, "7", "1", "ended", 1)
    rec = json.loads((f / "tasks" / "7_1.json").read_text())
    rec[field] = value
    (f / "tasks" / "7_1.json").write_text(json.dumps(rec))
    res = run_script("merge.py", f)
    assert res.returncode == 2
    md = (f / "fleet.md").read_text()
    row = rows(md)["7_1"]
    assert f'unreadable: tasks/7_1.json: "{field}"' in row and ("outside" in row or "not a file name" in row)
    assert open("/etc/hostname").read().strip() not in md.replace("node1", "")


def test_a_log_linked_out_of_the_folder_is_unreadable(tmp_path):
    f = fleet(tmp_path)
    status(f, "7", "1", "ended", 1)
    (f / "logs" / "7_1.log").symlink_to("/etc/hostname")
    res = run_script("merge.py", f)
    assert res.returncode == 2 and "outside logs/" in rows((f / "fleet.md").read_text())["7_1"]


def test_host_and_gpu_strings_are_text_in_fleet_md(tmp_path):
    """Host strings with | or <script> appear in fleet.md as the text they are."""
    from hostile import md_structure, md_text, norm
    f = fleet(tmp_path)
    status(f, "7", "1", "ended", 3, host="a|b<script>alert(1)</script>")
    (f / "logs" / "7_1.log").write_text("<img src=x onerror=alert(1)> | ![x](http://x.invalid/t.png)\n")
    res = run_script("merge.py", f)
    assert res.returncode == 1, res.stderr  # a failed task, every record readable
    md = (f / "fleet.md").read_text()
    assert "<script" not in md and "<img" not in md
    shape = md_structure(md)
    assert shape.count("tr_open<tr>") == 3 and shape.count("td_open<td>") == 10  # two tasks, five cells each
    assert norm("a|b<script>alert(1)</script>") in md_text(md)


def test_task_sbatch_writes_json_whatever_the_gpu_name(tmp_path):
    """task.sbatch escapes the GPU name in its JSON, so a name with a quote still makes a
    readable record. A fake nvidia-smi names the GPU `NVIDIA "H200" \\ x<TAB>z`."""
    import os
    import subprocess
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "nvidia-smi").write_text("#!/bin/sh\nprintf 'NVIDIA \"H200\" \\\\ x\\tz\\n'\n")
    (bin_dir / "elubench").write_text("#!/bin/sh\nexit 0\n")
    for p in bin_dir.iterdir():
        p.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "SLURM_JOB_ID": "42", "FLEET_OUT": str(tmp_path / "out"),
           "FLEET_BINARY": str(bin_dir / "elubench"), "FLEET_TARGET": "gpu:h200:1", "HOME": os.environ.get("HOME", "/")}
    r = subprocess.run(["bash", str(SCRIPTS / "fleet" / "task.sbatch")], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    rec = json.loads((tmp_path / "out" / "tasks" / "42_0.json").read_text())
    assert rec["gpu"] == 'NVIDIA "H200" \\ x z' and rec["state"] == "ended" and rec["exit_code"] == 0


def test_random_strings_in_task_records_stay_text(tmp_path_factory):
    """Hypothesis: random host, GPU and target strings and last log lines; fleet.md keeps its
    table (a row per task, five cells each) and shows every string as text."""
    from hypothesis import given
    from hypothesis import strategies as st
    from hostile import few, hostile_text, md_structure, md_text, norm

    @few  # fields longer than merge.FIELD_CHARS make a record unreadable: the test above
    @given(st.lists(hostile_text.filter(lambda s: len(s) <= 256), min_size=4, max_size=4))
    def check(strings):
        f = tmp_path_factory.mktemp("fleet")
        host, gpu, target, log = strings
        (f / "manifest.jsonl").write_text(json.dumps({"job": "9", "target": target, "tasks": 2}) + "\n")
        (f / "logs").mkdir()
        status(f, "9", "0", "ended", 4, host=host)
        rec = json.loads((f / "tasks" / "9_0.json").read_text())
        # The results path is task.sbatch's, with a hostname: here it stays a plain name, since a
        # path with a newline or a lone surrogate makes the record unreadable (tested above).
        (f / "tasks" / "9_0.json").write_text(json.dumps(dict(rec, gpu=gpu, results="results/9_0.json")))
        (f / "logs" / "9_0.log").write_text(log, errors="replace")
        res = run_script("merge.py", f)
        assert res.returncode == 2 and "no task produced usable results" in res.stderr
        md = (f / "fleet.md").read_text()
        shape = md_structure(md)
        assert shape.count("tr_open<tr>") == 3 and shape.count("td_open<td>") == 10, md
        for s in (host, gpu, target):
            assert norm(s) in md_text(md)
    check()
