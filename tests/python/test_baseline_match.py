"""baseline_match.py: a timing baseline applies only to a run on the same CPU model AND the same
SIMD target, so an AVX-512 machine is never timed against an AVX2 baseline of the same name."""

import json
import subprocess

from conftest import ROOT, make_run, run_script

GATE = ROOT / "scripts" / "ci_gate.sh"


def files(tmp_path, base_host, cand_host):
    paths = []
    for name, host in (("base.json", base_host), ("cand.json", cand_host)):
        doc = make_run(seed=1, sizes=(2**16,))
        doc["host"].update(host)
        p = tmp_path / name
        p.write_text(json.dumps(doc))
        paths.append(p)
    return paths


def test_same_model_and_target_applies(tmp_path):
    r = run_script("baseline_match.py", *files(tmp_path, {"simd_target": "AVX3"}, {"simd_target": "AVX3"}))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "baseline applies: AMD EPYC 7B13 (fixture), AVX3" in r.stdout


def test_same_model_other_simd_target_does_not_apply(tmp_path):
    r = run_script("baseline_match.py", *files(tmp_path, {"simd_target": "AVX2"}, {"simd_target": "AVX3"}))
    assert r.returncode == 1
    assert "SIMD target 'AVX2' (baseline) vs 'AVX3' (this run)" in r.stdout
    assert "CPU model" not in r.stdout


def test_other_model_does_not_apply(tmp_path):
    r = run_script("baseline_match.py", *files(tmp_path, {"cpu_model": "AMD EPYC"}, {"cpu_model": "Intel Xeon"}))
    assert r.returncode == 1
    assert "CPU model 'AMD EPYC' (baseline) vs 'Intel Xeon' (this run)" in r.stdout


def test_unusable_input_exit_2(tmp_path):
    base, _ = files(tmp_path, {}, {})
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    r = run_script("baseline_match.py", base, bad)
    assert r.returncode == 2
    assert "malformed JSON" in r.stderr


def test_the_first_of_several_baselines_that_applies_is_taken(tmp_path):
    # One baseline per machine kind: the AVX3 one is skipped for an AVX2 run, the AVX2 one taken.
    avx3, avx2 = files(tmp_path, {"simd_target": "AVX3"}, {"simd_target": "AVX2"})
    cand = tmp_path / "run.json"
    cand.write_text(avx2.read_text())
    r = run_script("baseline_match.py", avx3, avx2, cand)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[-1] == str(avx2)
    r = run_script("baseline_match.py", avx3, avx3, cand)
    assert r.returncode == 1 and f"{avx3}: SIMD target 'AVX3' (baseline) vs 'AVX2' (this run)" in r.stdout


def test_ci_gate_times_against_the_baseline_that_applies(tmp_path):
    avx3, avx2 = files(tmp_path, {"simd_target": "AVX3"}, {"simd_target": "AVX2"})
    (tmp_path / "candidate.json").write_text(avx2.read_text())
    script = (f'source "{GATE}"; cd "{ROOT}"; out="{tmp_path}"; baseline="{avx3} {avx2}"; time_gate; '
              'echo "result=$time_result"')
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    assert f"compare with {avx2} " in r.stdout and "result=pass" in r.stdout, r.stdout + r.stderr
