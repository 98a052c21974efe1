"""compare.py: verdicts, exit codes and refusals on fixture runs (see conftest.make_run)."""

import copy
import json

from conftest import FIXTURES, H200, make_run, run_cli, run_script, skipped_row


def verdicts(stdout):
    """{row description: verdict} from compare.py's plain-text table."""
    out = {}
    for line in stdout.splitlines()[1:-1]:
        for v in ("SLOWER", "SLOW_TAIL", "FASTER", "CANNOT_JUDGE", "AMBIGUOUS", "SAME"):
            if f"  {v}" in line:
                out[line.split("  ")[0].strip()] = v
    return out


def test_identical_runs_are_all_same(write):
    doc = make_run(seed=1, gpu=H200)
    a, b = write(doc, "a.json"), write(doc, "b.json")
    r = run_script("compare.py", a, b, "--normalize-by", "none")  # raw seconds: the copies judged too
    assert r.returncode == 0, r.stderr
    v = verdicts(r.stdout)
    assert len(v) == len(doc["results"])
    assert set(v.values()) == {"SAME"}
    r = run_script("compare.py", a, b)  # the default normalizes by the copy: every other row
    assert r.returncode == 0, r.stderr
    assert set(verdicts(r.stdout).values()) == {"SAME"}
    assert len(verdicts(r.stdout)) == sum(x["kind"] != "ceiling" for x in doc["results"])


def test_fresh_noise_same_machine_is_same(write):
    a = write(make_run(seed=1), "a.json")
    b = write(make_run(seed=2), "b.json")
    r = run_script("compare.py", a, b)
    assert r.returncode == 0, r.stdout
    assert set(verdicts(r.stdout).values()) == {"SAME"}


def test_planted_30_percent_slowdown_is_slower_exit_1(write):
    a = write(make_run(seed=1), "a.json")
    b = write(make_run(seed=2, slow={"vectorized": 1.3}), "b.json")
    r = run_script("compare.py", a, b)
    assert r.returncode == 1
    v = verdicts(r.stdout)
    slower = {k for k, x in v.items() if x == "SLOWER"}
    assert slower and all("/vectorized/" in k for k in slower)
    assert len(slower) == 2 * 3  # elu and relu at three sizes
    assert all(x == "SAME" for k, x in v.items() if "/vectorized/" not in k)
    assert "+30" in r.stdout or "+29" in r.stdout or "+31" in r.stdout


def test_speedup_is_faster_exit_0(write):
    a = write(make_run(seed=1), "a.json")
    b = write(make_run(seed=2, slow={"naive": 0.7}), "b.json")
    r = run_script("compare.py", a, b)
    assert r.returncode == 0
    v = verdicts(r.stdout)
    assert {x for k, x in v.items() if "/naive/" in k} == {"FASTER"}


def test_too_few_samples_cannot_judge_exit_2(write):
    # 3 samples a side: a 30% slowdown could hide there, so the gate says it cannot judge
    # rather than passing.
    a = write(make_run(seed=1, samples=3), "a.json")
    b = write(make_run(seed=2, samples=3, slow={"vectorized": 1.3}), "b.json")
    r = run_script("compare.py", a, b)
    assert r.returncode == 2
    assert set(verdicts(r.stdout).values()) == {"CANNOT_JUDGE"}
    assert "could see nothing, not 5%; too few samples (3 vs 3" in r.stdout
    assert "cannot judge" in r.stderr


def test_significant_but_under_threshold_is_ambiguous(write):
    # 3% slower with 0.2% noise: clearly significant, but under the 5% threshold.
    a = write(make_run(seed=1, noise=0.002, samples=20), "a.json")
    b = write(make_run(seed=2, noise=0.002, samples=20, slow={"naive": 1.03}), "b.json")
    r = run_script("compare.py", a, b)
    assert r.returncode == 0
    v = verdicts(r.stdout)
    assert {x for k, x in v.items() if "/naive/" in k} == {"AMBIGUOUS"}
    assert "significant but within the 5% allowance" in r.stdout
    # With a 2% threshold the same change is a regression.
    r = run_script("compare.py", a, b, "--threshold", "2")
    assert r.returncode == 1


def test_different_cpus_refused_unless_ignore_device(write):
    a = write(make_run(seed=1, cpu_model="CPU A"), "a.json")
    b = write(make_run(seed=2, cpu_model="CPU B"), "b.json")
    r = run_script("compare.py", a, b)
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1
    assert "different CPUs" in r.stderr and "--ignore-device" in r.stderr
    r = run_script("compare.py", a, b, "--ignore-device")
    assert r.returncode == 0
    assert "different CPUs" in r.stdout


def test_different_gpus_refused(write):
    other = dict(H200, name="NVIDIA H100 80GB HBM3")
    a = write(make_run(seed=1, gpu=H200), "a.json")
    b = write(make_run(seed=1, gpu=other), "b.json")
    r = run_script("compare.py", a, b)
    assert r.returncode == 2 and "different GPUs" in r.stderr
    assert run_script("compare.py", a, b, "--ignore-device").returncode == 0


def test_missing_malformed_wrong_version_and_foreign_json_exit_2(write, tmp_path):
    good = write(make_run(seed=1), "good.json")
    wrong = make_run(seed=1)
    wrong["schema_version"] = 99
    invalid = make_run(seed=1)
    del invalid["results"][0]["time_s"]
    cases = {
        tmp_path / "missing.json": "cannot read",
        FIXTURES / "malformed.json": "malformed JSON at line",
        FIXTURES / "not_results.json": "not an elubench results file",
        write(wrong, "wrong.json"): "schema_version 99 is not supported",
        write(invalid, "invalid.json"): "does not match results/schema.json at results/0",
    }
    for path, message in cases.items():
        for args in ((good, path), (path, good)):
            r = run_script("compare.py", *args)
            assert r.returncode == 2, (path, r.stderr)
            assert message in r.stderr, (path, r.stderr)
            assert len(r.stderr.strip().splitlines()) == 1
            assert "Traceback" not in r.stderr


def test_command_line_usage_error_and_exit_codes(write):
    r = run_cli("compare.py", "only-one.json")
    assert r.returncode == 2 and r.stderr.startswith("usage: compare.py")
    a = write(make_run(seed=1), "a.json")
    b = write(make_run(seed=2, slow={"vectorized": 1.3}), "b.json")
    r = run_cli("compare.py", a, b)
    assert r.returncode == 1 and "SLOWER" in r.stdout
    r = run_cli("compare.py", a, a)
    assert r.returncode == 0


def test_rows_only_in_one_file_are_listed(write):
    base = make_run(seed=1, sizes=(2**16, 2**20))
    cand = make_run(seed=2, sizes=(2**20, 2**24))
    r = run_script("compare.py", write(base, "a.json"), write(cand, "b.json"))
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    only_b = [l for l in lines if l.startswith("cpu/") and "only in baseline" in l]
    only_c = [l for l in lines if l.startswith("cpu/") and "only in candidate" in l]
    assert len(only_b) == len(only_c) == 7  # every CPU row of the size the other run lacks
    assert all("n=2^16" in l for l in only_b) and all("n=2^24" in l for l in only_c)
    assert "7 only in baseline, 7 only in candidate" in lines[-1]


def test_rows_not_ok_are_listed_with_status_not_compared(write):
    base = make_run(seed=1)
    cand = copy.deepcopy(base)
    i = next(i for i, r in enumerate(cand["results"]) if r["name"] == "cpu/elu/naive/f32")
    r0 = cand["results"][i]
    cand["results"][i] = skipped_row("cpu", "elu", "naive", "kernel", "f32", r0["n"],
                                     "accuracy check: 9 ULP > 2", status="failed")
    r = run_script("compare.py", write(base, "a.json"), write(cand, "b.json"))
    assert r.returncode == 0
    line = next(l for l in r.stdout.splitlines() if l.startswith("cpu/elu/naive/f32 n=2^16"))
    assert "not compared" in line and "candidate failed (accuracy check: 9 ULP > 2)" in line


def test_normalize_by_copy_forgives_a_uniformly_slower_machine(write):
    a = write(make_run(seed=1), "a.json")
    b = write(make_run(seed=2, scale=1.2), "b.json")
    r = run_script("compare.py", a, b, "--normalize-by", "none")
    assert r.returncode == 1
    assert set(verdicts(r.stdout).values()) == {"SLOWER"}
    r = run_script("compare.py", a, b, "--normalize-by", "copy")
    assert r.returncode == 0, r.stdout
    v = verdicts(r.stdout)
    assert set(v.values()) == {"SAME"}
    assert not any("/memcpy/" in k for k in v)  # the ceiling is the yardstick, not compared
    # A kernel that really lost ground against the ceiling is still caught when normalized.
    c = write(make_run(seed=2, scale=1.2, slow={"vectorized": 1.3}), "c.json")
    r = run_script("compare.py", a, c, "--normalize-by", "copy")
    assert r.returncode == 1
    assert {k for k, x in verdicts(r.stdout).items() if x == "SLOWER"} == \
        {k for k in verdicts(r.stdout) if "/vectorized/" in k}


def test_normalize_by_copy_uses_each_cells_winning_copy(write):
    # Three copies per cell, as the bench has. In the candidate memcpy took a slow path (twice
    # the time) and the non-temporal copy is the ceiling; normalized by the winner the kernels
    # are unchanged. A script that divided by memcpy's time would call every kernel FASTER.
    copies = [("nontemporal", 14.0), ("vectorized", 13.0)]
    a = write(make_run(seed=1, cpu_copies=copies), "a.json")
    b = write(make_run(seed=2, scale=1.2, slow={"copy/memcpy": 2.0}, cpu_copies=copies), "b.json")
    assert {c["variant"] for c in json.loads(b.read_text())["ceilings"]} == {"nontemporal"}
    r = run_script("compare.py", a, b, "--normalize-by", "copy")
    assert r.returncode == 0, r.stdout
    v = verdicts(r.stdout)
    assert v and set(v.values()) == {"SAME"}, r.stdout
    assert not any("/copy/" in k for k in v)


def test_markdown_output(write):
    a = write(make_run(seed=1), "a.json")
    b = write(make_run(seed=2, slow={"vectorized": 1.3}), "b.json")
    r = run_script("compare.py", a, b, "--markdown", "--normalize-by", "none")
    assert r.returncode == 1
    assert "| row | baseline median (s) | candidate median (s) | change | p90 change | p (BH) | sees | verdict |" in r.stdout
    assert "❌ SLOWER" in r.stdout
    assert "6 SLOWER" in r.stdout


def test_rows_without_a_copy_ceiling_cannot_judge(write):
    # Normalized by the copy, a row with no copy in its cell has nothing to be divided by.
    docs = []
    for seed in (1, 2):
        d = make_run(seed=seed)
        d["results"] = [r for r in d["results"] if r["kind"] != "ceiling"]
        d["ceilings"] = []
        docs.append(d)
    r = run_script("compare.py", write(docs[0], "a.json"), write(docs[1], "b.json"))
    assert r.returncode == 2 and "cannot judge: 18 of 18 row(s)" in r.stderr
    assert "CANNOT_JUDGE (no copy ceiling at this size to normalize by)" in r.stdout
    assert "median row nothing" in r.stdout
