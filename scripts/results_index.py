"""The one index of a results document: row identity, the copy ceilings, and the one pairing of
every activation with ReLU. plot.py, compare.py, validate_results.py, update_readme.py and
report.py read rows through this module; none keeps its own key or pairing.

Activation names always come from the rows. The module knows three names only, each for a
reason the results contract fixes:
  - BASELINE ("relu") is the yardstick every cost is relative to;
  - BACKWARD_SUFFIX ("_backward") tells a backward row from a forward one;
  - a file of schema v1/v2 has no `params`: its "elu" rows read as {"alpha": row.alpha}
    (V2_ALPHA_ACTIVATION), every other row as {}.
An activation nobody has heard of is indexed, paired and drawn like any other; nothing raises.

Everything here is linear in the number of rows (plot.py was quadratic once: 527 s on 100,000).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, NamedTuple

import results_text

BASELINE = "relu"
BACKWARD_SUFFIX = "_backward"
V2_ALPHA_ACTIVATION = "elu"  # the one parametrised activation before schema 3 (see the module doc)


def forward_name(activation: str) -> str:
    """"gelu_backward" -> "gelu"; a forward name is returned as is."""
    return activation[:-len(BACKWARD_SUFFIX)] if activation.endswith(BACKWARD_SUFFIX) else activation


def is_backward(activation: str) -> bool:
    return activation.endswith(BACKWARD_SUFFIX)


def row_params(row) -> tuple:
    """The parameters that change the row's work, as sorted (name, value) pairs (hashable).
    Files without `params` (schema v1/v2): ELU rows use the row's alpha, the others none."""
    p = row.get("params")
    if p is not None:
        t = tuple(sorted(p.items())) if len(p) > 1 else tuple(p.items())
    elif row["activation"] == V2_ALPHA_ACTIVATION:
        t = (("alpha", row["alpha"]),)
    else:
        return ()
    # One tuple per distinct parameter set: 100,000 rows share a handful (memory, not speed).
    got = _params_seen.get(t)
    if got is None:
        if len(_params_seen) > 10_000:
            _params_seen.clear()
        got = _params_seen[t] = t
    return got


_params_seen = {}


def params_text(params: tuple) -> str:
    """"alpha=0.5 negative_slope=0.01", or "" for none."""
    return " ".join(f"{k}={v:g}" for k, v in params)


# A NamedTuple, not a dataclass: it is built for every row of files of 100,000 rows and hashed
# as a dict key; a tuple does both in C (a frozen dataclass took seconds more per file).
class RowId(NamedTuple):
    """What identifies one measurement across runs: everything that changes the work."""
    device: str
    activation: str
    variant: str
    dtype: str
    n: int
    threads: int | None
    cache: str | None
    input: str
    cols: int | None
    simd_target: str | None  # the SIMD target our CPU SIMD rows ran on; None for the others
    shape: tuple | None  # a layer row's (m, k, n) (its "layer" block); None for an elementwise row
    params: tuple

    @classmethod
    def of(cls, row) -> "RowId":
        return cls(row["device"], row["activation"], row["variant"], row["dtype"], row["n"], row["threads"],
                   row["cache"], row["input"], row["cols"], row.get("simd_target"), layer_shape(row),
                   row_params(row))


def variants_by_target(doc: dict) -> dict:
    """doc, with each SIMD row's variant read as "vectorized@AVX2" when its rows ran on several
    SIMD targets (elubench --simd): charts, tables and the report then draw one series per variant
    and target. The rows keep `simd_target`; compare.py keys rows by RowId, which holds it."""
    if len({r.get("simd_target") for r in doc["results"]} - {None}) > 1:
        for r in doc["results"]:
            if r.get("simd_target") is not None:
                r["variant"] = f"{r['variant']}@{r['simd_target']}"
    return doc


def has_target_code(row) -> bool:
    """Whether the row is one of our CPU SIMD rows, which carry the SIMD target they ran on: the
    CPU elementwise kernels but naive (the one family compiled once; kernels/cpu/registry_cpu.cpp)."""
    return row["device"] == "cpu" and row["kind"] == "kernel" and row["variant"] != "naive" and row.get("layer") is None


def legacy_simd_target(doc: dict) -> str | None:
    """host.simd_target for a file written before rows recorded `simd_target` (no row has one):
    its SIMD rows ran on that target, and read so they pair with a newer file's; None otherwise."""
    if any(r.get("simd_target") is not None for r in doc["results"]):
        return None
    return doc["host"]["simd_target"]


def layer_shape(row) -> tuple | None:
    """(m, k, n) of a layer row (y = act(x . w + bias), elubench --layers); None otherwise."""
    layer = row.get("layer")
    return None if layer is None else (layer["m"], layer["k"], layer["n"])


class Cell(NamedTuple):
    """A ceiling cell: where a copy of the same bytes is the yardstick."""
    device: str
    dtype: str
    n: int
    threads: int | None

    @classmethod
    def of(cls, row) -> "Cell":
        return cls(row["device"], row["dtype"], row["n"], row["threads"])


@dataclass(frozen=True)
class Ceiling:
    median_s: float
    gbps: float
    variant: str


def fastest_copy_rows(doc: dict) -> dict:
    """{Cell: row}: the fastest ok `kind: ceiling` copy row within reach of each cell's rows, whatever
    the copy variant is called. A CPU row asked for T threads may run on fewer (elubench's pool
    does below 2 x 4096 elements per thread; a peer's pool decides for itself), so a CPU cell's
    copies are those of its (dtype, n) with up to T threads, as elubench computes its ceilings
    from schema_version 4 on; an earlier file's cells keep their own copies, as it was written."""
    best = {}
    for r in doc["results"]:
        # A layer row's ceiling is its identity layer (its "layer" block), not a copy of n elements.
        if r["kind"] == "ceiling" and r["status"] == "ok" and r.get("layer") is None:
            k = Cell.of(r)
            if k not in best or r["time_s"]["median"] < best[k]["time_s"]["median"]:
                best[k] = r
    if doc.get("schema_version", 1) < 4:
        return best
    by_size = defaultdict(list)  # (device, dtype, n) -> its CPU cells
    for k in best:
        if k.device == "cpu" and k.threads is not None:
            by_size[k[:3]].append(k)
    for cells in by_size.values():
        cells.sort(key=lambda k: k.threads)
        for fewer, more in zip(cells, cells[1:]):  # fewer is already the best with up to its threads
            if best[fewer]["time_s"]["median"] < best[more]["time_s"]["median"]:
                best[more] = best[fewer]
    return best


def ceilings_by_cell(doc: dict) -> dict:
    """{Cell: Ceiling}: each cell's fastest_copy_rows(); the document's `ceilings` block fills
    cells that have no copy row."""
    best = {k: Ceiling(r["time_s"]["median"], r["gbps"], r["variant"]) for k, r in fastest_copy_rows(doc).items()}
    for c in doc["ceilings"]:
        best.setdefault(Cell.of(c), Ceiling(c["median_s"], c["gbps"], c["variant"]))
    return best


_ceiling_cache = {}  # id(doc) -> (doc, its ceilings): built once per document, not once per row


def ceilings(doc: dict) -> dict:
    """ceilings_by_cell(doc), built once per document."""
    got = _ceiling_cache.get(id(doc))
    if got is None or got[0] is not doc:
        if len(_ceiling_cache) > 32:
            _ceiling_cache.clear()
        got = _ceiling_cache[id(doc)] = (doc, ceilings_by_cell(doc))
    return got[1]


def layer_identity_key(row) -> tuple:
    """What a layer row shares with its identity layer (the same matmul with bias and no
    activation, its ceiling): device, dtype, shape, threads and matmul library."""
    return (row["device"], row["dtype"], layer_shape(row), row["threads"], row["layer"]["matmul"])


_identity_cache = {}  # id(doc) -> (doc, its identity layers), as _ceiling_cache


def layer_identities(doc: dict) -> dict:
    """{layer_identity_key: median seconds} of the document's ok identity layers, built once."""
    got = _identity_cache.get(id(doc))
    if got is None or got[0] is not doc:
        if len(_identity_cache) > 32:
            _identity_cache.clear()
        medians = {layer_identity_key(r): r["time_s"]["median"] for r in doc["results"]
                   if r.get("layer") is not None and r["kind"] == "ceiling" and r["status"] == "ok"}
        got = _identity_cache[id(doc)] = (doc, medians)
    return got[1]


def ceiling_of(doc: dict, row) -> Ceiling | None:
    """The run's copy ceiling at the row's (device, dtype, n, threads), or None."""
    return ceilings(doc).get(Cell.of(row))


# ---------------------------------------------------------------------------------------------
# Cost relative to ReLU


def _median(row):
    return None if row is None else row["time_s"]["median"]


@dataclass(frozen=True, eq=False)
class ReluCost:
    """One activation X against ReLU on the same work (contract, "Cost relative to ReLU").
    row/relu are the forward rows; backward/relu_backward the `_backward` rows, or None."""
    row: dict
    relu: dict
    backward: dict | None
    relu_backward: dict | None

    @property
    def activation(self) -> str:
        return self.row["activation"]

    @property
    def params(self) -> tuple:
        return row_params(self.row)

    @property
    def forward(self) -> float:
        """time(X) / time(relu)."""
        return _median(self.row) / _median(self.relu)

    @property
    def fwd_bwd(self) -> float | None:
        """(time(X) + time(X_backward)) / (time(relu) + time(relu_backward)); None without both."""
        if self.backward is None or self.relu_backward is None:
            return None
        return (_median(self.row) + _median(self.backward)) / (_median(self.relu) + _median(self.relu_backward))


def _pair_base(row, best_kernel):
    """What an activation's row and its ReLU partner share: the RowId but the activation and
    params (and the variant and SIMD target, across which best kernels pair; a layer row its shape)."""
    # RowId.of(row)[:1] + (variant,) + [3:10], without building the RowId and its params (this runs
    # for every row, several times, in plot.py).
    return (row["device"], "" if best_kernel else row["variant"], row["dtype"], row["n"], row["threads"],
            row["cache"], row["input"], row["cols"], None if best_kernel else row.get("simd_target"),
            layer_shape(row))


def best_kernels(rows):
    """The fastest ok `kind: kernel` row per (RowId without the variant): the best kernel of each
    activation, dtype, size and parameters. Bias rows (cols) do more work and stay apart."""
    best = {}
    for r in rows:
        if r["kind"] == "kernel" and r["status"] == "ok":
            k = _pair_base(r, True) + (r["activation"], row_params(r))
            if k not in best or _median(r) < _median(best[k]):
                best[k] = r
    return best.values()


def relu_costs(rows: Iterable, best_kernel: bool = False) -> list[ReluCost]:
    """Every activation X present (forward rows, not ReLU, not ceilings) paired with ReLU on the
    same device, variant, dtype, n, threads, cache, input and cols; X_backward with X's params and
    relu_backward on the same keys when both exist. best_kernel=True first keeps only the fastest
    ok kernel row of each (device, activation, dtype, n, threads, cache, input, cols, params), and
    pairs those across variants: the cost of the best kernel of each dtype.
    Only ok rows are paired; an X without an ok ReLU partner is left out. Linear in rows."""
    ok = [r for r in rows if r["status"] == "ok" and r["kind"] != "ceiling"]
    if best_kernel:
        ok = list(best_kernels(ok))
    bases = [_pair_base(r, best_kernel) for r in ok]
    params = [row_params(r) for r in ok]
    index = {}
    for r, base, p in zip(ok, bases, params):
        index.setdefault(base + (r["activation"], p), r)
    out = []
    relu_bwd = BASELINE + BACKWARD_SUFFIX
    for r, base, p in zip(ok, bases, params):
        act = r["activation"]
        if act == BASELINE or is_backward(act):
            continue
        relu = index.get(base + (BASELINE, ()))
        if relu is not None:
            out.append(ReluCost(r, relu, index.get(base + (act + BACKWARD_SUFFIX, p)), index.get(base + (relu_bwd, ()))))
    return out


_best_cost_cache = {}  # id(doc) -> (doc, its best-kernel costs), as _ceiling_cache


def best_relu_costs(doc: dict) -> list[ReluCost]:
    """relu_costs(doc["results"], best_kernel=True), built once per document. The costs of a
    subset of one (device, threads, dtype) are these costs filtered on it, in the same order:
    rows pair, and best kernels are chosen, only within one of those."""
    got = _best_cost_cache.get(id(doc))
    if got is None or got[0] is not doc:
        if len(_best_cost_cache) > 32:
            _best_cost_cache.clear()
        got = _best_cost_cache[id(doc)] = (doc, relu_costs(doc["results"], best_kernel=True))
    return got[1]


def activations_of(rows: Iterable) -> list[str]:
    """The forward activations of the rows (ceilings left out), ReLU first, then by name."""
    names = {forward_name(r["activation"]) for r in rows if r["kind"] != "ceiling"}
    return sorted(names, key=lambda a: (a != BASELINE, a))


# ---------------------------------------------------------------------------------------------
# Markdown summaries (plot.py's summary.md and the README section)


def relu_cost_markdown(docs: list, labels: list | None = None) -> str:
    """Per (file, device, threads): at the largest size of each dtype, the cost of each
    activation relative to ReLU with the best kernel of each side (forward, and forward +
    backward where the run has backward rows)."""
    out = []
    for i, doc in enumerate(docs):
        groups = {}
        for c in best_relu_costs(doc):
            groups.setdefault((c.row["device"], c.row["threads"]), []).append(c)
        for (device, threads), costs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
            out += [_group_head(doc, device, threads, labels[i] if labels else None), "",
                    "| activation | dtype | n | × ReLU forward | × ReLU fwd+bwd | best kernel (X / ReLU) |",
                    "|---|---|---|---:|---:|---|"]
            for dtype in [d for d in results_text.DTYPE_BYTES if any(c.row["dtype"] == d for c in costs)]:
                dc = [c for c in costs if c.row["dtype"] == dtype]
                n = max(c.row["n"] for c in dc)
                for c in sorted((c for c in dc if c.row["n"] == n), key=lambda c: (c.activation, c.params)):
                    name = results_text.md_text(c.activation + (f" ({params_text(c.params)})" if c.params else ""))
                    kernels = results_text.md_text(f"{c.row['variant']} / {c.relu['variant']}")
                    out.append(f"| {name} | {dtype} | {results_text.size_label(n)} | {results_text.fmt_num(c.forward)} | "
                               f"{results_text.fmt_num(c.fwd_bwd)} | {kernels} |")
            out.append("")
    return "\n".join(out)


def _group_head(doc, device, threads, label):
    head = f"**{results_text.md_text(results_text.device_name(doc, device))}** ({device}"
    head += f", {threads} thread{'s' if threads != 1 else ''})" if threads is not None else ")"
    return head + (f" — {results_text.md_text(label)}" if label else "")


def summary_markdown(docs: list, labels: list | None = None) -> str:
    """Markdown tables at the largest size: one per (file, device, threads) group.

    Every row at that size is listed, skipped and failed ones too (with their reason), so the
    table never hides what the charts leave out. × ReLU: the row's time over ReLU's on the same
    variant and parameters (relu_costs).
    """
    out = []
    kind_order = {"kernel": 0, "peer": 1, "ceiling": 2}
    for i, doc in enumerate(docs):
        groups = {}
        for r in doc["results"]:
            groups.setdefault((r["device"], r["threads"]), []).append(r)
        for (device, threads), grows in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
            out += [_group_head(doc, device, threads, labels[i] if labels else None), "",
                    "| variant | dtype | n | GB/s | % ceiling | × ReLU | max ULP | status |",
                    "|---|---|---|---:|---:|---:|---:|---|"]
            by_dtype = {}
            for r in grows:
                by_dtype.setdefault(r["dtype"], []).append(r)
            for dtype in [d for d in results_text.DTYPE_BYTES if d in by_dtype]:
                drows = by_dtype[dtype]
                n = max(r["n"] for r in drows)
                at_n = [r for r in drows if r["n"] == n]
                ratio = {id(c.row): c.forward for c in relu_costs(at_n)}
                # Parameters are named where one activation was run with several (--alpha 0.5,1).
                sets = {}
                for r in at_n:
                    sets.setdefault(r["activation"], set()).add(row_params(r))
                for r in sorted(at_n, key=lambda r: (kind_order.get(r["kind"], 3), r["variant"], r["activation"],
                                                     row_params(r))):
                    out.append(_summary_line(r, dtype, n, ratio.get(id(r)), len(sets[r["activation"]]) > 1))
            out.append("")
    return "\n".join(out)


def _summary_line(r, dtype, n, ratio, with_params):
    params = params_text(row_params(r)) if with_params else ""
    name = f"{r['activation']}/{r['variant']}" + (f" ({params})" if params else "") + \
        (" (peer)" if r["kind"] == "peer" else "")
    status = r["status"] if r["status"] == "ok" else f"{r['status']}: {r['reason']}"
    if results_text.throttle_mark(r):
        status += f" ! throttled ({', '.join(results_text.throttle_mark(r))})"
    return (f"| {results_text.md_text(name)} | {dtype} | {results_text.size_label(n)} | {results_text.fmt_num(r['gbps'])} | "
            f"{results_text.fmt_num(r.get('pct_of_ceiling'))} | {results_text.fmt_num(ratio)} | {results_text.fmt_num(results_text.max_ulp(r))} | {results_text.md_text(status)} |")


# ---- Layer rows (elubench --layers): y = act(x . w + bias), each with a "layer" block ----

def layer_rows(rows: Iterable) -> list:
    """The ok layer rows with a time."""
    return [r for r in rows if r.get("layer") is not None and r["status"] == "ok" and r["time_s"] is not None]


def _first_elu_params(rows) -> tuple | None:
    return next((row_params(r) for r in rows if r["activation"] == "elu"), None)


def layer_headlines(rows: Iterable) -> list[str]:
    """Per device and dtype, at the shape of most FLOPs (then the most threads) where ELU and ReLU
    layers both ran: "cpu f32, 2 threads: inside a (K, N) layer at M rows, ELU costs X.XXx ReLU's
    layer", each by its fastest variant there (ELU at the run's first alpha). The same sentence
    as elubench's own summary (bench/results/layer_summary.cpp)."""
    rows = layer_rows(rows)
    elu_params = _first_elu_params(rows)
    groups = defaultdict(dict)  # (device, dtype, flops, m, k, n, threads) -> {activation: fastest row}
    for r in rows:
        act = r["activation"]
        if act not in ("elu", BASELINE) or (act == "elu" and row_params(r) != elu_params):
            continue
        lay = r["layer"]
        g = groups[(r["device"], r["dtype"], lay["flops"], lay["m"], lay["k"], lay["n"], r["threads"] or 0)]
        if act not in g or _median(r) < _median(g[act]):
            g[act] = r
    pick = {}
    for key in sorted(groups):
        if len(groups[key]) == 2:
            pick[key[:2]] = key
    out = []
    for (device, dtype), key in sorted(pick.items()):
        g, (m, k, n, threads) = groups[key], key[3:]
        who = f"{device} {dtype}" + (f", {threads} thread{'s' if threads != 1 else ''}" if threads else "")
        ratio = _median(g["elu"]) / _median(g[BASELINE])
        out.append(f"{who}: inside a ({k}, {n}) layer at {m} rows, ELU costs {ratio:.2f}x ReLU's layer "
                   f"(fastest of each: {g['elu']['variant']}, {g[BASELINE]['variant']})")
    return out
