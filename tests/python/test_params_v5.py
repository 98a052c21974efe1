"""Schema 5: activation parameters are data. config.params names every declared parameter with
the values the run gave it (replacing config.alpha and config.negative_slope), and rows carry only
their `params` (no run-wide `alpha`). Files of schema 1-4 stay readable; these tests hold both."""

import copy

import report
from conftest import ROOT, make_run, run_cli


def as_v5(doc, alphas=(1.0,), slopes=(0.01,)):
    """A schema-3 fixture in the shape elubench writes from schema 5."""
    doc = copy.deepcopy(doc)
    doc["schema_version"] = 5
    for key in ("alpha", "negative_slope"):
        doc["config"].pop(key, None)
    doc["config"]["params"] = {"alpha": list(alphas), "negative_slope": list(slopes)}
    for r in doc["results"]:
        r.pop("alpha", None)
    return doc


def test_a_schema_5_file_validates_and_compares(write):
    base, cand = as_v5(make_run(seed=1, v3=True)), as_v5(make_run(seed=2, v3=True))
    a, b = write(base, "a.json"), write(cand, "b.json")
    r = run_cli("validate_results.py", a)
    assert r.returncode == 0, r.stderr
    r = run_cli("compare.py", a, b)
    assert r.returncode == 0, r.stdout + r.stderr


def test_schema_5_requires_config_params_and_older_versions_config_alpha(write):
    v5 = as_v5(make_run(seed=1, v3=True))
    del v5["config"]["params"]
    r = run_cli("validate_results.py", write(v5, "a.json"))
    assert r.returncode != 0 and "params" in r.stderr, r.stderr
    v3 = make_run(seed=1, v3=True)
    del v3["config"]["alpha"]
    r = run_cli("validate_results.py", write(v3, "b.json"))
    assert r.returncode != 0 and "alpha" in r.stderr, r.stderr


def test_the_report_reads_the_run_parameters_of_every_version():
    v5 = as_v5(make_run(seed=1, v3=True, alpha=0.5), alphas=(0.5, 2.0), slopes=(0.2,))
    assert report.default_alpha(v5) == 0.5
    assert report.run_values(v5, "negative_slope") == [0.2]
    v3 = make_run(seed=1, v3=True)
    v3["config"]["alpha"] = [0.5, 1.0]
    assert report.default_alpha(v3) == 1.0
    v1 = make_run(seed=1)
    assert report.default_alpha(v1) == 1.0 and report.run_values(v1, "negative_slope") is None


def test_the_committed_results_files_still_validate():
    for path in sorted((ROOT / "results").glob("cpu-*.json")) + [ROOT / "results" / "baselines" / "ci-cpu.json"]:
        r = run_cli("validate_results.py", str(path))
        assert r.returncode == 0, f"{path.name}: {r.stderr}"
