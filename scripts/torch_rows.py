#!/usr/bin/env python3
"""PyTorch rows beside elubench's: times torch's activation kernels on the sizes, dtypes, input
distribution, α and thread counts of an elubench results file, and writes that file again with
the PyTorch rows added (kind "peer", variants pytorch_eager and pytorch_compile), so plot.py,
compare.py and report.py treat them like any other peer and % of ceiling uses the copy ceiling
elubench measured on the same machine.

  torch_rows.py RESULTS.json -o MERGED.json [--device cpu|gpu|all] [--max-time S]

Same rules as elubench:
- Validate, then time. Each row's output on the timing input is compared with a float64
  reference rounded once to the output dtype; a row outside elubench's bound for peers is
  `failed` with the worst element and gets no time. The design's edge cases (NaN, ±inf, ±0,
  ±1e-8, −20) are checked apart, as elubench does in its unit tests, and what falls outside the
  bound is listed in config.torch_rows.edge_cases_outside_bound (and on stderr).
- CPU: wall time of a batch of calls (a batch lasts at least 200 µs), torch.set_num_threads per
  row's thread count. GPU: CUDA events around one call; before each sample a read-only pass over
  twice the L2 evicts the previous data and leaves no dirty lines, and torch.cuda._sleep holds the
  stream so that host work never lands inside the measurement (cold cache, elubench's default).
- Stop on noise: at least 10 samples, then stop when the relative standard error of the mean is
  below 1% or the row's time cap is spent; every sample is kept.

What is timed: the ATen kernel that torch.nn.functional dispatches to, writing into a
preallocated output (`torch.ops.aten.elu.out`, ...), because elubench's rows write into
preallocated buffers too: the rows compare kernels, not allocators. pytorch_compile times
`torch.compile` of `out.copy_(F.<act>(x))` (PyTorch >= 2.0; otherwise the rows are skipped with
the reason). Inputs come from the same distribution as elubench's (normal / negative / positive,
seeded), not the same bytes.

Activations come from the file; one without a torch function here is written as a skipped row
that says so. Exit: 0 written, 2 unusable input (one line, nothing written).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import shlex
import sys
import time
from pathlib import Path

import results_index as rix
import results_load
import results_text
import script_io

PROG = "torch_rows.py"
VARIANTS = ("pytorch_eager", "pytorch_compile")
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805
EDGES = [float("nan"), float("inf"), float("-inf"), -0.0, 0.0, -1e-8, 1e-8, -20.0, -1.0, 1.0]


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG, description="PyTorch rows beside elubench's, in the same results file.")
    p.add_argument("results", help="elubench results JSON: sizes, dtypes, input, α, threads and activations come from it")
    p.add_argument("-o", "--output", required=True, help="results JSON to write: the input's rows plus PyTorch's")
    p.add_argument("--device", choices=("cpu", "gpu", "all"), default="all",
                   help="which of the file's devices to time (default: all it has)")
    p.add_argument("--max-time", type=float, default=1.0, help="time cap per row in seconds (default 1)")
    p.add_argument("--force", action="store_true", help="replace OUTPUT when it exists")
    return p.parse_args(argv)


# ---------- what each activation is in torch ----------
def torch_ops(torch, act, params):
    """(eager(x, out), functional(x), float64 reference(x64)) for one activation with the row's
    params ((name, value) pairs), or None. The reference for ELU and ReLU is written out (expm1
    in double), not torch's own kernel."""
    aten, F = torch.ops.aten, torch.nn.functional
    alpha, slope = dict(params).get("alpha", 1.0), dict(params).get("negative_slope", 0.01)
    table = {
        "elu": (lambda x, o: aten.elu.out(x, alpha, 1, 1, out=o), lambda x: F.elu(x, alpha),
                lambda x: torch.where(x > 0, x, alpha * torch.expm1(x))),
        "relu": (lambda x, o: aten.clamp_min.out(x, 0, out=o), F.relu,
                 lambda x: torch.where((x > 0) | torch.isnan(x), x, torch.zeros_like(x))),
        "leaky_relu": (lambda x, o: aten.leaky_relu.out(x, slope, out=o), lambda x: F.leaky_relu(x, slope),
                       lambda x: torch.where(x > 0, x, slope * x)),
        "gelu": (lambda x, o: aten.gelu.out(x, out=o), F.gelu, lambda x: F.gelu(x)),
        "gelu_tanh": (lambda x, o: aten.gelu.out(x, approximate="tanh", out=o),
                      lambda x: F.gelu(x, approximate="tanh"), lambda x: F.gelu(x, approximate="tanh")),
        "silu": (lambda x, o: aten.silu.out(x, out=o), F.silu, lambda x: x * torch.sigmoid(x)),
        "selu": (lambda x, o: aten.elu.out(x, SELU_ALPHA, SELU_SCALE, 1, out=o), F.selu,
                 lambda x: SELU_SCALE * torch.where(x > 0, x, SELU_ALPHA * torch.expm1(x))),
    }
    return table.get(act)


def tolerance(act, dtype):
    """(max ULP, max relative error, absolute floor, text): the bound elubench applies to its CPU
    peers (oneDNN, Eigen), since PyTorch is a peer: f32 <= 4 ULP or rel 4e-5 or abs 2^-22; the
    16-bit dtypes, computed in float and rounded once, <= 1 ULP; ReLU bit-exact. An element passes
    when it is inside any of the three."""
    if act == "relu":
        return 0, 0.0, 0.0, "bit-exact"
    if dtype != "f32":
        return 1, 0.0, 0.0, "<= 1 ULP"
    return 4, 4e-5, 2.0 ** -22, "<= 4 ULP or rel error <= 4e-05 or abs error <= 2.38419e-07"


# ---------- accuracy ----------
def ordered_bits(torch, y):
    """Integers in the same order as the floats, so ULP distance is a subtraction."""
    ity = torch.int32 if y.dtype == torch.float32 else torch.int16
    mask = 0x7FFFFFFF if ity == torch.int32 else 0x7FFF
    i = y.contiguous().view(ity).to(torch.int64)
    return torch.where(i < 0, -(i & mask), i)


def check(torch, xin, y, ref64, tol):
    """(max ULP, max abs error, None or the worst failing element) of y against the float64
    reference rounded once to y's dtype."""
    ref = ref64.to(xin.dtype)
    y = y.cpu()
    nan_lost = torch.isnan(y) ^ torch.isnan(ref)
    if bool(nan_lost.any()):
        i = int(torch.argmax(nan_lost.to(torch.int8)))
        return math.inf, math.inf, f"x={xin[i].item():.4g} gave {y[i].item():.4g}, want {ref[i].item():.4g}"
    same = (torch.isnan(y) & torch.isnan(ref)) | (y.double() == ref64)  # NaN = NaN, inf = inf
    ulp = torch.where(same, torch.zeros(1, dtype=torch.int64), (ordered_bits(torch, y) - ordered_bits(torch, ref)).abs())
    diff = torch.where(same, torch.zeros(1, dtype=torch.float64), (y.double() - ref64).abs())
    rel = diff / ref64.abs().clamp_min(1e-300)
    bound, rel_tol, floor, _ = tol
    bad = (ulp > bound) & (rel > rel_tol) & (diff > floor) if rel_tol or floor else ulp > bound
    max_ulp, max_abs = int(ulp.max()), float(diff.max())
    if not bool(bad.any()):
        return max_ulp, max_abs, None
    i = int(torch.argmax(torch.where(bad, ulp, torch.zeros_like(ulp))))
    return max_ulp, max_abs, f"x={xin[i].item():.4g} gave {y[i].item():.4g}, want {ref[i].item():.4g}"


# ---------- timing ----------
def stop(samples, started, cap):
    if len(samples) < 10:
        return time.perf_counter() - started > 10 * cap  # a pathological row still ends
    mean = sum(samples) / len(samples)
    sd = math.sqrt(sum((s - mean) ** 2 for s in samples) / (len(samples) - 1))
    return sd / math.sqrt(len(samples)) < 0.01 * mean or time.perf_counter() - started > cap


def time_cpu(call, cap):
    call()
    k, t0 = 1, time.perf_counter()
    call()
    one = max(time.perf_counter() - t0, 1e-9)
    k = max(1, int(200e-6 / one))
    samples, started = [], time.perf_counter()
    while not stop(samples, started, cap):
        t0 = time.perf_counter_ns()
        for _ in range(k):
            call()
        samples.append((time.perf_counter_ns() - t0) * 1e-9 / k)
    return samples


def time_gpu(torch, call, cap, flush):
    call()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    samples, started = [], time.perf_counter()
    while not stop(samples, started, cap):
        if flush is not None:          # cold cache (elubench's default); hot: L2 keeps the last call's data
            flush.sum()                # read-only: evicts the last sample's lines, leaves none dirty
        torch.cuda._sleep(2_000_000)   # holds the stream while the host queues the timed call
        start.record()
        call()
        end.record()
        end.synchronize()
        samples.append(start.elapsed_time(end) * 1e-3)
    return samples


def stats(samples):
    s = sorted(samples)
    n = len(s)
    mean = sum(s) / n
    median = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    sd = math.sqrt(sum((x - mean) ** 2 for x in s) / n)
    return {"median": median, "min": s[0], "max": s[-1], "mean": mean, "stddev": sd, "samples": list(samples)}


# ---------- rows ----------
def make_input(torch, dist, n, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=g, dtype=torch.float64)
    if dist == "negative":
        x = -x.abs()
    elif dist == "positive":
        x = x.abs()
    return x


def base_row(device, act, variant, dtype, n, threads, cache, dist, alpha, params, resident):
    """A peer row like the file's own; `alpha` (the run's, schema 1-4 rows) only where they have it."""
    row = {"name": f"{device}/{act}/{variant}/{dtype}", "device": device, "activation": act, "variant": variant,
           "dtype": dtype, "kind": "peer", "n": n, "threads": threads, "cache": cache, "input": dist,
           "params": dict(params), "cols": None, "bytes": 2 * n * results_text.DTYPE_BYTES[dtype], "cache_resident": resident,
           "time_s": None, "gbps": None, "elements_per_s": None, "pct_of_ceiling": None, "pct_of_peak": None,
           "accuracy": None, "status": "skipped", "reason": None}
    if alpha is not None:
        row["alpha"] = alpha
    return row


def finish_row(row, doc, samples):
    st = stats(samples)
    row.update(status="ok", time_s=st, gbps=row["bytes"] / st["median"] / 1e9, elements_per_s=row["n"] / st["median"])
    ceil = rix.ceiling_of(doc, row)
    if ceil:
        row["pct_of_ceiling"] = 100.0 * ceil.median_s / st["median"]
    if row["device"] == "gpu" and doc.get("gpu"):
        row["pct_of_peak"] = 100.0 * row["gbps"] / doc["gpu"]["peak_gbps"]


class Runner:
    """Times every row for one device; keeps the compiled functions (one compile per activation)."""

    def __init__(self, torch, doc, device, cap):
        self.torch, self.doc, self.device, self.cap = torch, doc, device, cap
        self.tdev = "cuda" if device == "gpu" else "cpu"
        self.compiled = {}
        self.flush = None
        if device == "gpu":
            l2 = (doc.get("gpu") or {}).get("l2_bytes") or 64 << 20
            self.flush = torch.empty(2 * l2 // 4 + 1, dtype=torch.float32, device="cuda").fill_(1.0)

    def call_of(self, row, functional, eager):
        """The call to time, f(x, out), or a string saying why there is none."""
        if row["variant"] == "pytorch_eager":
            return eager
        if not hasattr(self.torch, "compile"):
            return f"torch.compile needs PyTorch >= 2.0 (this is {self.torch.__version__})"
        key = (row["activation"], rix.row_params(row))
        dynamo = getattr(getattr(self.torch, "_dynamo", None), "config", None)
        if dynamo is not None and hasattr(dynamo, "cache_size_limit"):
            # Every size and dtype is a recompile of the same code object; past the default limit
            # (8) dynamo silently runs eager, which would be timed under the compiled name.
            dynamo.cache_size_limit = max(dynamo.cache_size_limit, 4096)
            if hasattr(dynamo, "accumulated_cache_size_limit"):
                dynamo.accumulated_cache_size_limit = max(dynamo.accumulated_cache_size_limit, 4096)
        if key not in self.compiled:
            self.compiled[key] = self.torch.compile(lambda a, o: o.copy_(functional(a)))
        return self.compiled[key]

    def run(self, row, x64, ops):
        """Checks the row on the timing input, then times it; fills the row in place."""
        torch = self.torch
        dt = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}[row["dtype"]]
        eager, functional, reference = ops
        fn = self.call_of(row, functional, eager)
        if isinstance(fn, str):
            row["reason"] = fn
            return
        xin = x64.to(dt)
        x, out = xin.to(self.tdev), torch.empty(xin.shape, dtype=dt, device=self.tdev)
        try:
            fn(x, out)
            if self.device == "gpu":
                torch.cuda.synchronize()
        except Exception as e:  # noqa: BLE001 - RuntimeError, NotImplementedError, compiler errors
            row["reason"] = f"torch {torch.__version__}: " + (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
            return
        tol = tolerance(row["activation"], row["dtype"])
        # The reference sees the rounded input, as the kernel does.
        max_ulp, max_abs, worst = check(torch, xin, out, reference(xin.double()), tol)
        if worst:
            row.update(status="failed", reason=f"outside {tol[3]} against the float64 reference: {worst} (max ULP {max_ulp})")
            return
        row["accuracy"] = {"max_ulp": max_ulp, "max_abs_error": max_abs, "tolerance": tol[3], "checked": int(xin.numel())}
        call = lambda: fn(x, out)  # noqa: E731
        flush = None if row["cache"] == "hot" else self.flush
        samples = time_gpu(torch, call, self.cap, flush) if self.device == "gpu" else time_cpu(call, self.cap)
        finish_row(row, self.doc, samples)

    def edges(self, act, variant, dtype, params, ops):
        """The design's edge cases (NaN, ±inf, ±0, ±1e-8, −20, ±1) against the same bound: a
        finding, or None. Kept apart from the row, as elubench checks edges in its unit tests."""
        torch = self.torch
        dt = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}[dtype]
        fn = self.call_of({"variant": variant, "activation": act, "params": dict(params)}, ops[1], ops[0])
        if isinstance(fn, str):
            return None
        xin = torch.tensor(EDGES, dtype=torch.float64).to(dt)
        out = torch.empty(xin.shape, dtype=dt, device=self.tdev)
        try:
            fn(xin.to(self.tdev), out)
        except Exception:  # noqa: BLE001 - the row says why already
            return None
        _, _, worst = check(torch, xin, out, ops[2](xin.double()), tolerance(act, dtype))
        return worst


def plan(doc, devices):
    """((device, activation, dtype, n, threads, params, cache, input), cache_resident, alpha) of
    every row to write, from the file."""
    rows = [r for r in doc["results"] if r["kind"] != "ceiling" and not r["variant"].startswith("pytorch_")]
    seen, out = set(), []
    for r in rows:
        if r["device"] not in devices or r["cols"] is not None:
            continue
        key = (r["device"], r["activation"], r["dtype"], r["n"], r["threads"], rix.row_params(r), r["cache"], r["input"])
        if key not in seen:
            seen.add(key)
            out.append((key, r["cache_resident"], r.get("alpha")))
    return out


def torch_rows(torch, doc, devices, cap, log):
    """Every PyTorch row for the file's (device, activation, dtype, n, threads, α), and the
    edge-case findings."""
    runners = {}
    for dev in devices:
        if dev == "gpu" and not torch.cuda.is_available():
            runners[dev] = "torch.cuda.is_available() is False on this machine"
        else:
            runners[dev] = Runner(torch, doc, dev, cap)
    out, inputs, edges, edge_done = [], {}, [], set()
    for (dev, act, dtype, n, threads, params, cache, dist), resident, alpha in plan(doc, devices):
        ops = torch_ops(torch, act, params)
        for variant in VARIANTS:
            row = base_row(dev, act, variant, dtype, n, threads, cache, dist, alpha, params, resident)
            runner = runners[dev]
            if isinstance(runner, str):
                row["reason"] = runner
            elif ops is None:
                row["reason"] = f"torch_rows.py has no PyTorch function for activation {act!r}"
            else:
                if threads:
                    torch.set_num_threads(threads)
                if (dist, n) not in inputs:
                    inputs.clear()  # one input alive at a time: the largest sizes are GiBs in float64
                    inputs[(dist, n)] = make_input(torch, dist, n, seed=n)
                runner.run(row, inputs[(dist, n)], ops)
                ekey = (dev, act, variant, dtype, params)
                if ekey not in edge_done:
                    edge_done.add(ekey)
                    worst = runner.edges(act, variant, dtype, params, ops)
                    if worst:
                        edges.append(f"{dev}/{act}/{variant}/{dtype} {rix.params_text(params)}: {worst}")
                        log(f"edge case outside the bound: {edges[-1]}")
            log(f"{row['name']} n={results_text.size_label(n)} threads={threads}: {row['status']}"
                + (f" ({row['reason']})" if row["reason"] else f" {row['gbps']:.3g} GB/s"))
            out.append(row)
    return out, edges


def merged(doc, rows, edges, torch, argv):
    out = copy.deepcopy(doc)
    out["results"] = [r for r in out["results"] if not r["variant"].startswith("pytorch_")] + rows
    out["build"]["torch"] = torch.__version__
    out["config"]["torch_rows"] = {"command_line": shlex.join([PROG, *argv]),
                                   "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                   "edge_cases_outside_bound": edges}
    return out



def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    try:
        doc = results_load.load_results(args.results)
    except script_io.InputError as e:
        return script_io.fail(PROG, str(e))
    out = Path(args.output)
    if out.exists() and not args.force and out.resolve() != Path(args.results).resolve():
        return script_io.fail(PROG, f"{out}: exists (use --force to replace it)")
    if not out.parent.is_dir():
        return script_io.fail(PROG, f"{out.parent}: no such folder")
    if not (args.max_time > 0):
        return script_io.fail(PROG, f"--max-time must be > 0, got {args.max_time}")
    try:
        import torch
    except ImportError as e:
        return script_io.fail(PROG, f"cannot import torch ({e}); it runs where PyTorch is installed")
    devices = [d for d in doc["config"]["devices"] if args.device in ("all", d)]
    if not devices:
        return script_io.fail(PROG, f"{args.results}: has no {args.device} rows")
    rows, edges = torch_rows(torch, doc, devices, args.max_time, lambda s: print(s, file=sys.stderr))
    try:
        script_io.write_text_atomic(out, json.dumps(merged(doc, rows, edges, torch, argv), indent=1, allow_nan=False) + "\n")
    except script_io.InputError as e:
        return script_io.fail(PROG, str(e))
    ok = sum(r["status"] == "ok" for r in rows)
    print(f"torch_rows: {out} ({len(rows)} PyTorch rows: {ok} ok, {len(rows) - ok} skipped or failed; torch {torch.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
