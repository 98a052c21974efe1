"""The one loader and writer of convergence results (results/convergence-schema.json).

scripts/convergence.py writes them (under the system interpreter, with torch); the statistics,
charts and report read them (in the .venv). Both go through here:

  - bytes and JSON as strictly as an elubench results file (results_load.read_json: UTF-8, bounded
    size and depth, no NaN/Infinity);
  - the schema, with the first violation named;
  - what a schema cannot say: every run's model, activation and seed is one the file declares,
    no run twice, checkpoints in step order from step 0 with training time never decreasing,
    the targets recorded as the checkpoints say, epochs as many as the model's; a complete file
    has every (model, activation, seed).

A problem is an InputError whose message is the one line the user sees (exit 2 via run_main).
"""

from __future__ import annotations

import json
from pathlib import Path

import results_load
import script_io

SCHEMA_PATH = script_io.ROOT / "results" / "convergence-schema.json"
_schema, _validator = [], []


def _load_schema() -> dict:
    if not _schema:
        try:
            _schema.append(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
        except (OSError, ValueError) as e:
            raise script_io.InputError(f"{SCHEMA_PATH}: cannot read the schema: {e}") from None
    return _schema[0]


def identity() -> tuple[str, int]:
    """(the `schema` name, the `schema_version`) of a convergence file, as the schema's consts
    state them: what convergence.py writes and what this module reads."""
    props = _load_schema()["properties"]
    return props["schema"]["const"], props["schema_version"]["const"]


def _schema_validator():
    if not _validator:
        import jsonschema  # the .venv's, or python3-jsonschema under the system interpreter
        _validator.append(jsonschema.Draft202012Validator(_load_schema()))
    return _validator[0]


def act_key(activation: str, params: dict) -> tuple:
    """An activation with its parameters, hashable: ("elu", (("alpha", 0.5),))."""
    return activation, tuple(sorted(params.items()))


def act_label(key: tuple) -> str:
    """'elu α=0.5', 'leaky_relu negative_slope=0.01', 'relu'."""
    name, params = key
    parts = [("α" if k == "alpha" else k) + f"={v:g}" for k, v in params]
    return " ".join([name] + parts)


def run_key(run: dict) -> tuple:
    return run["model"], act_key(run["activation"], run["params"]), run["seed"]


def first_reached(checkpoints, target):
    """(step, training seconds) of the first checkpoint at or above target, or (None, None)."""
    for c in checkpoints:
        if c["test_accuracy"] >= target:
            return c["step"], c["train_seconds"]
    return None, None


def _check_run(i, run, models, acts, seeds) -> str | None:
    """What is wrong with run i beyond the schema, or None."""
    where = f"runs/{i} ({run['model']}, {act_label(act_key(run['activation'], run['params']))}, seed {run['seed']})"
    model = models.get(run["model"])
    if model is None:
        return f"{where}: model not among the file's models"
    if act_key(run["activation"], run["params"]) not in acts:
        return f"{where}: activation not among the file's activations"
    if run["alpha"] != run["params"].get("alpha"):
        return f"{where}: alpha {run['alpha']} is not params.alpha"
    if run["seed"] not in seeds:
        return f"{where}: seed not among protocol.seeds"
    cps = run["checkpoints"]
    if cps[0]["step"] != 0 or any(b["step"] <= a["step"] for a, b in zip(cps, cps[1:])):
        return f"{where}: checkpoints must start at step 0 and go up"
    if any(b["train_seconds"] < a["train_seconds"] for a, b in zip(cps, cps[1:])):
        return f"{where}: training seconds go down between checkpoints"
    if cps[-1]["step"] != run["steps"]:
        return f"{where}: the last checkpoint is at step {cps[-1]['step']}, the run took {run['steps']} steps"
    want = [0] + model["eval_steps"]
    if [c["step"] for c in cps] != (want if run["status"] == "ok" else want[:len(cps)]):
        return f"{where}: checkpoints are not at the model's eval_steps"
    if run["status"] == "ok" and len(run["epochs"]) != model["epochs"]:
        return f"{where}: {len(run['epochs'])} epochs recorded, the model trains {model['epochs']}"
    if [t["accuracy"] for t in run["targets"]] != model["targets"]:
        return f"{where}: targets are not the model's {model['targets']}"
    for t in run["targets"]:
        if (t["steps"], t["seconds"]) != first_reached(cps, t["accuracy"]):
            return f"{where}: target {t['accuracy']} is not where the checkpoints first reach it"
    return None


def _check_step_timing(doc: dict, path, models: dict, acts: set) -> None:
    timing = doc["step_timing"]
    if timing is None:
        if doc["complete"]:
            _fail(path, "complete is true but step_timing is null")
        return
    seen = set()
    for i, row in enumerate(timing["rows"]):
        key = (row["model"], act_key(row["activation"], row["params"]))
        where = f"step_timing/rows/{i} ({row['model']}, {act_label(key[1])})"
        if row["model"] not in models or key[1] not in acts:
            _fail(path, f"{where}: model or activation not among the file's")
        if key in seen:
            _fail(path, f"{where}: timed twice")
        if len(row["per_step_seconds"]) != timing["rounds"]:
            _fail(path, f"{where}: {len(row['per_step_seconds'])} samples for {timing['rounds']} rounds")
        seen.add(key)
    if len(seen) != len(models) * len(acts):
        _fail(path, f"step_timing has {len(seen)} of the {len(models) * len(acts)} (model, activation) pairs")


def check(doc: dict, path) -> None:
    """The checks beyond the schema (module docstring); InputError with the first problem."""
    models = {m["name"]: m for m in doc["models"]}
    acts = {act_key(a["activation"], a["params"]) for a in doc["activations"]}
    seeds = set(doc["protocol"]["seeds"])
    for m in doc["models"]:
        if m["targets"] != sorted(m["targets"]) or m["eval_steps"] != sorted(m["eval_steps"]):
            _fail(path, f"model {m['name']}: targets and eval_steps must be ascending")
        if m["eval_steps"][-1] != m["epochs"] * m["steps_per_epoch"]:
            _fail(path, f"model {m['name']}: the last eval step is not the end of training")
    _check_step_timing(doc, path, models, acts)
    seen = set()
    for i, run in enumerate(doc["runs"]):
        bad = _check_run(i, run, models, acts, seeds)
        if bad:
            _fail(path, bad)
        if run_key(run) in seen:
            _fail(path, f"runs/{i}: a second run of {run['model']}, {run['activation']}, seed {run['seed']}")
        seen.add(run_key(run))
    if doc["complete"]:
        want = {(m, a, s) for m in models for a in acts for s in seeds}
        missing = sorted(want - seen, key=str)
        if missing:
            m, a, s = missing[0]
            _fail(path, f"complete is true but {len(missing)} runs are missing (first: {m}, {act_label(a)}, seed {s})")


def _fail(path, message):
    raise script_io.InputError(f"{path}: {message}")


def validate(doc, path) -> None:
    name, version = identity()
    if not isinstance(doc, dict) or doc.get("schema") != name:
        _fail(path, f"not a convergence results file (no \"schema\": \"{name}\")")
    if doc.get("schema_version") != version:
        _fail(path, f"schema_version {doc.get('schema_version')!r} is not supported (this script reads {version})")
    import jsonschema
    error = jsonschema.exceptions.best_match(_schema_validator().iter_errors(doc))
    if error is not None:
        at = "/".join(map(str, error.absolute_path)) or "the top level"
        _fail(path, f"does not match results/convergence-schema.json at {at}: {error.message.splitlines()[0][:300]}")
    check(doc, path)


def load(path) -> dict:
    """Reads and validates one convergence results file; InputError with a one-line reason."""
    doc = results_load.read_json(path)
    validate(doc, Path(path))
    return doc


def write(doc: dict, path) -> None:
    """Validates doc, then replaces path atomically (never half a file, never an invalid one)."""
    validate(doc, Path(path))
    script_io.write_text_atomic(path, json.dumps(doc, indent=1, allow_nan=False) + "\n")
