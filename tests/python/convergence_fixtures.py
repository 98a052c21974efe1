"""Synthetic convergence results files with a known answer (test inputs only, never measurements).

make_doc() builds a file that validates against results/convergence-schema.json: one model
("mlp") evaluated after steps 10, 20, 40 and 80, targets 50% and 70%, the given activations and
seeds. Each activation's test-accuracy curve and time per step are given, so the steps and
seconds to every target, and every ratio against ReLU, are known exactly.
"""

from __future__ import annotations

import copy

import convergence_io as cio

RELU, ELU = ("relu", ()), ("elu", (("alpha", 1.0),))  # convergence_io.act_key form
EVAL_STEPS = [10, 20, 40, 80]
SCHEMA, VERSION = cio.identity()  # what convergence.py writes
# Accuracy after each of EVAL_STEPS (step 0: 10%). ReLU first reaches 50% at step 40 and 70% at 80;
# the "fast" curve at 20 and 40: half the steps at both targets.
SLOW = [0.3, 0.4, 0.55, 0.75]
FAST = [0.4, 0.55, 0.75, 0.8]


def _run(model, act, seed, order, accs, step_seconds):
    cps = [{"step": 0, "epoch": 0.0, "train_loss": None, "test_accuracy": 0.1, "test_loss": 2.3, "train_seconds": 0.0}]
    for step, acc in zip(EVAL_STEPS, accs):
        cps.append({"step": step, "epoch": step / 80, "train_loss": 1.0 - acc / 2, "test_accuracy": acc,
                    "test_loss": 1.0 - acc / 2, "train_seconds": step * step_seconds})
    targets = []
    for t in (0.5, 0.7):
        hit = next((c for c in cps if c["test_accuracy"] >= t), None)
        targets.append({"accuracy": t, "steps": hit and hit["step"], "seconds": hit and hit["train_seconds"]})
    return {"model": model, "activation": act[0], "params": dict(act[1]), "alpha": act[1].get("alpha"),
            "seed": seed, "order": order, "status": "ok", "reason": None, "checkpoints": cps,
            "epochs": [{"epoch": 1, "train_loss": 0.6, "test_accuracy": accs[-1], "train_seconds": 80 * step_seconds,
                        "wall_seconds": 80 * step_seconds + 0.5}],
            "targets": targets, "steps": 80,
            "step_seconds": {"mean": step_seconds, "median": step_seconds, "chunks": [step_seconds] * 4},
            "wall_seconds": 80 * step_seconds + 0.5, "loadavg_end": [0.5, 0.4, 0.3]}


def _head(acts, seeds):
    return {
        "schema": SCHEMA, "schema_version": VERSION, "created": "2025-01-01T00:00:00Z", "complete": True,
        "tool": {"name": "elubench convergence.py", "version": "0.1.0", "git_revision": "fixture"},
        "command_line": "convergence.py (fixture)",
        "host": {"hostname": "fixture-host", "cpu_model": "Fixture CPU", "cores": 2, "loadavg_start": [0.1, 0.2, 0.3],
                 "loadavg_end": [0.5, 0.4, 0.3], "note": None},
        "device": {"kind": "cpu", "name": "Fixture CPU", "threads": 1},
        "framework": {"name": "pytorch", "version": "1.13.0", "python": "3.11.2", "cuda": None, "deterministic": True,
                      "blas": {"library": "libopenblas", "shape": [128, 784, 256], "threads": 1, "gflops": 50.0,
                               "reference_gflops": 5.0}},
        "data": {"name": "fashion-mnist", "path": "/fixture", "train_images": 5120, "test_images": 1000,
                 "pixel_mean": 0.286, "pixel_std": 0.353},
        "protocol": {"seeds": list(seeds), "order": "fixture", "quick": False, "schedule_rationale": "fixture"},
        "models": [{"name": "mlp", "description": "fixture", "source": "fixture", "parameters": 1000,
                    "activation_elements": [8192, 8192],
                    "optimizer": {"name": "sgd", "lr": 0.01, "momentum": 0.0, "schedule": "constant"},
                    "batch_size": 64, "epochs": 1, "steps_per_epoch": 80, "eval_steps": EVAL_STEPS,
                    "targets": [0.5, 0.7]}],
        "activations": [{"activation": a, "params": dict(p), "alpha": dict(p).get("alpha"), "init": "he_normal"}
                        for a, p in acts],
    }


def make_doc(curves=None, step_seconds=None, seeds=range(6), timing=None, seed_speed=None):
    """curves: {act: accuracy list (per EVAL_STEPS)}, default ReLU SLOW and ELU FAST;
    step_seconds: {act: seconds per step}, default ReLU 1 ms and ELU 1.2 ms; seed_speed(seed): a
    factor on every time of that seed (the same for all activations, as load would be);
    timing: {act: per-round seconds} for step_timing, default 7 rounds at step_seconds."""
    curves = curves or {RELU: SLOW, ELU: FAST}
    step_seconds = step_seconds or {RELU: 1e-3, ELU: 1.2e-3}
    acts = list(curves)
    doc = _head(acts, seeds)
    doc["step_timing"] = {"rounds": 7, "steps_per_sample": 20, "rows": [
        {"model": "mlp", "activation": a, "params": dict(p), "alpha": dict(p).get("alpha"),
         "per_step_seconds": (timing or {}).get((a, p), [step_seconds[(a, p)] * (1 + r / 10) for r in range(7)])}
        for a, p in acts]}
    doc["runs"] = []
    for seed in seeds:
        for act in acts:
            speed = seed_speed(seed) if seed_speed else 1.0
            doc["runs"].append(_run("mlp", (act[0], dict(act[1])), seed, len(doc["runs"]), curves[act],
                                    step_seconds[act] * speed))
    return doc


def with_edit(doc, edit):
    d = copy.deepcopy(doc)
    edit(d)
    return d
