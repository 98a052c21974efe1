"""The fixture-maker's documents must satisfy the same contract as the bench's output, or the
script tests would prove nothing about real files."""

import json

import pytest

import results_load
import script_io
from conftest import H200, make_run, skipped_row


@pytest.mark.parametrize("kwargs", [
    {}, {"gpu": H200}, {"gpu_skipped": True}, {"dtypes": ("f32", "f16", "bf16"), "threads": (1, 2)},
    {"extra_rows": [skipped_row("cpu", "elu", "fast", "kernel", "f32", 1024, "accuracy: 9 ULP", "failed")]},
])
def test_fixture_runs_validate_against_schema(write, kwargs):
    doc = make_run(seed=3, **kwargs)
    assert results_load.load_results(write(doc, "run.json")) == doc


def test_validator_rejects_what_the_schema_forbids(write):
    doc = make_run(seed=3)
    doc["results"][0]["status"] = "skipped"  # skipped with a time and no reason
    with pytest.raises(script_io.InputError, match="results/0"):
        results_load.load_results(write(doc, "bad.json"))
    doc = make_run(seed=3)
    doc["results"][0]["name"] = "cpu/ELU/naive/f32"
    with pytest.raises(script_io.InputError, match="does not match"):
        results_load.load_results(write(doc, "bad2.json"))
