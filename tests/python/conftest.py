"""Fixture-maker for the script tests: small, hand-shaped results files that validate against
results/schema.json (test_fixtures.py checks that they do), with seeded noise so every verdict
is reproducible. These are test inputs only; nothing here is a measurement.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(SCRIPTS))

DTYPE_BYTES = {"f32": 4, "f16": 2, "bf16": 2}

# (activation, variant, kind, GB/s the fake machine reaches at DRAM sizes, max ULP)
CPU_ROWS = [
    ("elu", "naive", "kernel", 0.6, 1),
    ("relu", "naive", "kernel", 12.0, 0),
    ("elu", "vectorized", "kernel", 11.0, 1),
    ("relu", "vectorized", "kernel", 12.5, 0),
    ("elu", "onednn", "peer", 9.5, 3),
    ("relu", "onednn", "peer", 12.0, 0),
    ("copy", "memcpy", "ceiling", 14.0, 0),
]
GPU_ROWS = [
    ("elu", "vectorized", "kernel", 3900.0, 1),
    ("relu", "vectorized", "kernel", 3950.0, 0),
    ("elu", "cub", "peer", 3700.0, 1),
    ("relu", "cub", "peer", 3800.0, 0),
    ("copy", "copy_kernel", "ceiling", 4100.0, 0),
]
H200 = {"name": "NVIDIA H200", "ordinal": 0, "compute_capability": "9.0", "sm_count": 132,
        "l2_bytes": 52428800, "memory_bytes": 150000000000, "memory_clock_khz": 3201000,
        "bus_width_bits": 6144, "peak_gbps": 4915.2, "driver_version": 13000, "runtime_version": 13000}


def _stats(samples):
    s = np.asarray(samples)
    return {"median": float(np.median(s)), "min": float(s.min()), "max": float(s.max()),
            "mean": float(s.mean()), "stddev": float(s.std()), "samples": [float(x) for x in s]}


# Schema 3 rows carry the parameters their variant reads (the results contract); the fixtures
# mirror the bench's choice. A test input only: the scripts never keep such a list.
FIXTURE_PARAMS = {"elu": "alpha", "elu_backward": "alpha", "leaky_relu": "negative_slope",
                  "leaky_relu_backward": "negative_slope"}


# The bound elubench states for its f32 peers (kernels/reference.cpp, Accuracy::library).
PEER_TOLERANCE = "<= 4 ULP or rel error <= 4e-05 or abs error <= 2.38419e-07"


def _fixture_row(device, act, variant, kind, gbps, ulp, dtype, n, thr, *, gpu, samples, noise, scale, slow,
                 v3, alpha, rng):
    """One ok row of make_run's machine, timed from its GB/s with seeded noise."""
    nbytes = (3 if act.endswith("_backward") else 2) * n * DTYPE_BYTES[dtype]
    # Cache-resident sizes run faster, as on a real machine (x3 below 8 MiB or the L2).
    limit = gpu["l2_bytes"] if device == "gpu" else 8 << 20
    resident = nbytes <= limit
    eff = gbps * (3.0 if resident else 1.0) * (thr or 1) ** 0.5
    t = nbytes / (eff * 1e9) * scale * slow.get(f"{act}/{variant}", slow.get(variant, 1.0))
    s = t * (1.0 + noise * rng.standard_normal(samples))
    st = _stats(np.abs(s))
    row = {"name": f"{device}/{act}/{variant}/{dtype}", "device": device, "activation": act,
           "variant": variant, "dtype": dtype, "kind": kind, "n": n,
           "threads": thr, "cache": "cold" if device == "gpu" else None, "input": "normal",
           "alpha": alpha, "cols": None, "bytes": nbytes, "cache_resident": resident,
           "time_s": st, "gbps": nbytes / st["median"] / 1e9, "elements_per_s": n / st["median"],
           "pct_of_ceiling": None, "pct_of_peak": None,
           "accuracy": {"max_ulp": ulp, "max_abs_error": 1e-7 * ulp, "tolerance": PEER_TOLERANCE if kind == "peer"
                        else "<= 2 ULP", "checked": n},
           "status": "ok", "reason": None}
    if v3:
        p = FIXTURE_PARAMS.get(act)
        row["params"] = {p: alpha if p == "alpha" else 0.01} if p else {}
    return row


def _keep_fastest_copy(ceilings, row):
    """Every cell's ceiling is the fastest copy in it, as elubench writes."""
    cell = (row["device"], row["dtype"], row["n"], row["threads"])
    old = next((c for c in ceilings if (c["device"], c["dtype"], c["n"], c["threads"]) == cell), None)
    if old is None or row["time_s"]["median"] < old["median_s"]:
        if old is not None:
            ceilings.remove(old)
        ceilings.append({"device": row["device"], "dtype": row["dtype"], "n": row["n"], "threads": row["threads"],
                         "variant": row["variant"], "median_s": row["time_s"]["median"], "gbps": row["gbps"]})


def _with_acts(specs, acts):
    """specs and, for each of acts, a row per variant ReLU has at its time over ReLU's."""
    out = list(specs)
    for name, factor in acts:
        # A backward row moves 1.5x the bytes: at the same GB/s it takes 1.5x the time.
        per_byte = factor / (1.5 if name.endswith("_backward") else 1.0)
        out += [(name, v, k, g / per_byte, u + 1) for a, v, k, g, u in specs if a == "relu"]
    return out


def _set_percentages(results, ceilings, gpu):
    for r in results:
        if r["status"] == "ok":
            for c in ceilings:
                if (c["device"], c["dtype"], c["n"], c["threads"]) == (r["device"], r["dtype"], r["n"], r["threads"]):
                    r["pct_of_ceiling"] = 100.0 * c["median_s"] / r["time_s"]["median"]
            if r["device"] == "gpu":
                r["pct_of_peak"] = 100.0 * r["gbps"] / gpu["peak_gbps"]


def make_run(*, seed=0, cpu_model="AMD EPYC 7B13 (fixture)", gpu=None, sizes=(2**16, 2**20, 2**24),
             dtypes=("f32",), threads=(1,), samples=10, slow=None, scale=1.0, noise=0.01,
             gpu_skipped=False, extra_rows=(), cpu_copies=(), acts=(), v3=False, alpha=1.0):
    """A results document. slow: {variant: factor} multiplies that variant's times (a planted
    regression or speed-up; "activation/variant" keys one activation only); scale multiplies
    every time, ceilings included (a slower machine). cpu_copies: more CPU copy rows,
    (variant, GB/s) each; every cell's ceiling is the fastest copy in it, as elubench writes.
    acts: more activations, (name, time over ReLU's forward time) each, on every variant ReLU has;
    a `_backward` name moves 3 elements per element (two reads, one write), as the bench says.
    v3: schema_version 3, every row with its `params` (alpha for elu, negative_slope 0.01 for
    leaky_relu); alpha: the ELU rows' alpha."""
    how = dict(gpu=gpu, samples=samples, noise=noise, scale=scale, slow=slow or {}, v3=v3, alpha=alpha,
               rng=np.random.default_rng(seed))
    results, ceilings = [], []

    def add(device, act, variant, kind, gbps, ulp, dtype, n, thr):
        results.append(_fixture_row(device, act, variant, kind, gbps, ulp, dtype, n, thr, **how))
        if kind == "ceiling":
            _keep_fastest_copy(ceilings, results[-1])

    for dtype in dtypes:
        for n in sizes:
            for thr in threads:
                for spec in _with_acts(CPU_ROWS, acts):
                    add("cpu", *spec, dtype, n, thr)
                for variant, gbps in cpu_copies:
                    add("cpu", "copy", variant, "ceiling", gbps, 0, dtype, n, thr)
            if gpu:
                for spec in _with_acts(GPU_ROWS, acts):
                    add("gpu", *spec, dtype, n, None)
            elif gpu_skipped:
                for act, variant, kind, _, _ in GPU_ROWS:
                    results.append(skipped_row("gpu", act, variant, kind, dtype, n, "no CUDA device: cudaGetDeviceCount failed"))
    _set_percentages(results, ceilings, gpu)
    results.extend(copy.deepcopy(list(extra_rows)))
    return _document(results, ceilings, cpu_model=cpu_model, gpu=gpu, gpu_skipped=gpu_skipped, sizes=sizes,
                     threads=threads, samples=samples, v3=v3, alpha=alpha)


def _document(results, ceilings, *, cpu_model, gpu, gpu_skipped, sizes, threads, samples, v3, alpha):
    return {
        "schema": "elubench-results", "schema_version": 3 if v3 else 1, "created": "2025-01-01T00:00:00Z",
        "tool": {"name": "elubench", "version": "0.1.0", "git_revision": "fixture"},
        "host": {"hostname": "fixture-host", "cpu_model": cpu_model, "cores": 2, "simd_target": "AVX2"},
        "gpu": gpu, "build": {"compiler": "GNU 12.2.0", "cuda": None, "cccl": None, "flags": "-O3",
                              "build_type": "Release"},
        "config": {"devices": ["cpu", "gpu"] if (gpu or gpu_skipped) else ["cpu"], "sizes": list(sizes),
                   "alpha": [alpha] if v3 else alpha, "input": "normal", "cache": "cold", "threads": list(threads),
                   "repetitions": samples, "quick": False},
        "ceilings": ceilings, "results": results,
    }


def skipped_row(device, act, variant, kind, dtype, n, reason, status="skipped", params=None):
    extra = {} if params is None else {"params": params}
    return extra | {"name": f"{device}/{act}/{variant}/{dtype}", "device": device, "activation": act,
            "variant": variant, "dtype": dtype, "kind": kind, "n": n,
            "threads": None if device == "gpu" else 1, "cache": "cold" if device == "gpu" else None,
            "input": "normal", "alpha": 1.0, "cols": None, "bytes": 2 * n * DTYPE_BYTES[dtype],
            "cache_resident": False, "time_s": None, "gbps": None, "elements_per_s": None,
            "pct_of_ceiling": None, "pct_of_peak": None, "accuracy": None, "status": status,
            "reason": reason}


@pytest.fixture
def write(tmp_path):
    """write(doc, name) -> path of the document written as JSON under tmp_path."""
    def _write(doc, name):
        p = tmp_path / name
        p.write_text(json.dumps(doc))
        return p
    return _write


class Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_script(script, *args):
    """Runs scripts/<script>'s main(argv) in this process (a subprocess per call would spend a
    second importing scipy and matplotlib each time); returns returncode, stdout and stderr.
    run_cli below runs the real command line for the few tests about it."""
    module = importlib.import_module(script.removesuffix(".py"))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = module.main([str(a) for a in args])
        except SystemExit as e:  # argparse errors
            rc = e.code
    return Result(rc, out.getvalue(), err.getvalue())


def run_cli(script, *args):
    """Runs scripts/<script> as the user would, in a subprocess."""
    return subprocess.run([sys.executable, str(SCRIPTS / script), *map(str, args)],
                          capture_output=True, text=True, timeout=120,
                          env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"})
