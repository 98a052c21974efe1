#!/usr/bin/env python3
"""One self-contained HTML report from elubench results files.

  report.py RESULTS.json [MORE.json ...] -o report.html

The page opens offline: the data, the styles and a small hand-written SVG plotter
(report_assets/report.js) are inlined, and a Content-Security-Policy forbids every request, so a
stray fetch shows up as a console error (the browser test fails on those). Per device (and CPU
thread count) it shows the headline answer first (what each activation costs over ReLU with the
best elubench kernel of each dtype, across sizes, with the cache/L2 boundary and the copy
ceiling), then throughput vs size for every variant with the peers beside ours, accuracy vs
speed, a sortable table of every row and the skipped/failed rows with their reasons. The α
explorer redraws ELU(x; α) and its derivative beside ReLU and the other activations in the files,
and shows the measured cost at the measured α nearest the slider.

Activations, variants, dtypes and devices come from the files, never from a list kept here; the
only per-activation knowledge is the math for the explorer's curves (report.js), and an
activation without it is named on the page instead of drawn.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import statistics
import sys
from pathlib import Path

import results_io as rio

PROG = "report.py"
ASSETS = Path(__file__).resolve().parent / "report_assets"


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG, description="One self-contained HTML report from elubench results files.")
    p.add_argument("results", nargs="+", help="results JSON files (any number of machines and devices)")
    p.add_argument("-o", "--output", required=True, help="the HTML file to write (replaced atomically)")
    p.add_argument("--title", default="elubench report", help="page title")
    return p.parse_args(argv)


def sig(v, digits=5):
    """Rounds for the page: 5 significant digits keep the file small and lose nothing visible."""
    if v is None or isinstance(v, str) or v == 0 or not math.isfinite(v):
        return v if v is None or isinstance(v, str) or v == 0 else str(v)
    return float(f"{v:.{digits}g}")


def throttle_mark(row: dict):
    """The row's throttle mark as a short string, or None. GPU rows record clocks and throttle
    reasons; the mark is a `throttled` field on the row or on one of its objects (e.g. clocks)."""
    candidates = [row] + [v for v in row.values() if isinstance(v, dict)]
    for obj in candidates:
        mark = obj.get("throttled")
        if mark:
            reasons = obj.get("throttle_reasons") or obj.get("reasons")
            if isinstance(mark, str):
                return mark
            return ", ".join(reasons) if isinstance(reasons, list) and reasons else "throttled"
    return None


def quartiles(samples):
    if len(samples) < 2:
        return samples[0], samples[0]
    q = statistics.quantiles(samples, n=4, method="inclusive")
    return q[0], q[2]


def compact_row(row: dict, panel: int) -> dict:
    """What the page needs of one row; time in seconds, rounded."""
    t = row["time_s"]
    out = {"p": panel, "name": row["name"], "act": row["activation"], "var": row["variant"],
           "dt": row["dtype"], "kind": row["kind"], "n": row["n"], "th": row["threads"],
           "cols": row["cols"], "alpha": row["alpha"], "input": row["input"], "cache": row["cache"],
           "res": row["cache_resident"], "st": row["status"], "reason": row["reason"],
           "gbps": sig(row["gbps"]), "pc": sig(row["pct_of_ceiling"]), "pp": sig(row["pct_of_peak"]),
           "ulp": sig(rio.max_ulp(row)) if rio.max_ulp(row) is not None else None,
           "tol": (row["accuracy"] or {}).get("tolerance"), "thr": throttle_mark(row)}
    if t is not None:
        q1, q3 = quartiles(t["samples"])
        out.update(med=sig(t["median"]), min=sig(t["min"]), max=sig(t["max"]), q1=sig(q1), q3=sig(q3),
                   sd=sig(t["stddev"]), ns=len(t["samples"]))
    if out["ulp"] is not None and math.isinf(rio.max_ulp(row)):
        out["ulp"] = "inf"
    return out


def default_alpha(doc: dict) -> float:
    """The α the headline uses: the run's α (1 when the run measured a list that contains it)."""
    a = doc["config"]["alpha"]
    if isinstance(a, list):
        return 1.0 if 1.0 in a else a[0]
    return a


def best_by_n(rows, act, dtype, alpha=None):
    """{n: (median, variant)} of the fastest ok elubench kernel (no bias) per size."""
    best = {}
    for r in rows:
        if (r["activation"] == act and r["dtype"] == dtype and r["kind"] == "kernel" and r["status"] == "ok"
                and r["cols"] is None and (alpha is None or r["alpha"] == alpha)):
            med = r["time_s"]["median"]
            if r["n"] not in best or med < best[r["n"]][0]:
                best[r["n"]] = (med, r["variant"])
    return best


def cache_boundary(rows, dtype):
    """(largest cache-resident n, smallest n that is not) for one dtype, or None."""
    res = [r["n"] for r in rows if r["dtype"] == dtype and r["cache_resident"]]
    out = [r["n"] for r in rows if r["dtype"] == dtype and not r["cache_resident"] and r["status"] == "ok"]
    if not res or not out or max(res) > min(out):
        return None
    return [max(res), min(out)]


def headline(doc, rows, ceilings):
    """Per activation and dtype: the best-kernel cost over ReLU at each size, and the GB/s of the
    best kernel, the best ReLU and the copy ceiling (the chart's second panel)."""
    alpha = default_alpha(doc)
    acts = sorted({r["activation"] for r in rows if r["kind"] != "ceiling"} - {"relu"})
    dtypes = sorted({r["dtype"] for r in rows}, key=lambda d: (d != "f32", d))
    out = []
    for dtype in dtypes:
        relu = best_by_n(rows, "relu", dtype)
        ceil = {c["n"]: c["gbps"] for c in ceilings if c["dtype"] == dtype}
        bytes_of = {r["n"]: r["bytes"] for r in rows if r["dtype"] == dtype and r["cols"] is None}
        for act in acts:
            best = best_by_n(rows, act, dtype, alpha if act == "elu" else None)
            if not best:
                continue
            pts = []
            for n in sorted(best):
                med, var = best[n]
                p = {"n": n, "var": var, "gbps": sig(bytes_of[n] / med / 1e9) if n in bytes_of else None,
                     "ceil": sig(ceil.get(n))}
                if n in relu:
                    p.update(ratio=sig(med / relu[n][0]), relu_var=relu[n][1],
                             relu_gbps=sig(bytes_of[n] / relu[n][0] / 1e9) if n in bytes_of else None)
                pts.append(p)
            out.append({"act": act, "dt": dtype, "alpha": alpha if act == "elu" else None, "pts": pts,
                        "boundary": cache_boundary(rows, dtype), "has_relu": bool(relu)})
    return out


def alpha_costs(rows):
    """ELU's best-kernel cost over ReLU at the largest size for each measured α, per dtype."""
    out = {}
    for dtype in sorted({r["dtype"] for r in rows}):
        relu = best_by_n(rows, "relu", dtype)
        alphas = sorted({r["alpha"] for r in rows if r["activation"] == "elu" and r["dtype"] == dtype and r["status"] == "ok"})
        for a in alphas:
            best = best_by_n(rows, "elu", dtype, a)
            common = sorted(set(best) & set(relu))
            if common:
                n = common[-1]
                out.setdefault(dtype, []).append({"alpha": a, "n": n, "ratio": sig(best[n][0] / relu[n][0]),
                                                  "var": best[n][1]})
    return out


def panels_of(docs, paths):
    """One panel per (file, device, CPU thread count): the unit every chart is drawn for."""
    panels, rows = [], []
    for fi, (doc, path) in enumerate(zip(docs, paths)):
        groups = {}
        for r in doc["results"]:
            groups.setdefault((r["device"], r["threads"]), []).append(r)
        for (device, threads), grows in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
            pi = len(panels)
            ceilings = [c for c in doc["ceilings"] if c["device"] == device and c["threads"] == threads]
            ok = [r for r in grows if r["status"] == "ok"]
            name = rio.device_name(doc, device)
            label = f"{name} — {device}" + (f", {threads} thread{'s' if threads != 1 else ''}" if threads else "")
            if len(docs) > 1:  # several runs of one model (a fleet) need the file to tell them apart
                label += f" · {Path(path).stem}"
            panels.append({
                "id": f"p{pi}", "file": fi, "device": device, "device_name": name, "threads": threads,
                "label": label, "only_skipped": not ok,
                "ceilings": [{"dt": c["dtype"], "n": c["n"], "gbps": sig(c["gbps"]), "var": c["variant"]} for c in ceilings],
                "headline": headline(doc, ok, ceilings) if ok else [],
                "alpha_costs": alpha_costs(ok),
            })
            rows.extend(compact_row(r, pi) for r in grows)
    return panels, rows


def file_info(doc, path):
    return {"path": str(path), "created": doc["created"], "git": doc["tool"]["git_revision"],
            "version": doc["tool"]["version"], "host": doc["host"], "gpu": doc["gpu"],
            "build": doc["build"], "command": doc["config"].get("command_line"),
            "torch": doc["build"].get("torch")}


def render(docs, paths, title) -> str:
    panels, rows = panels_of(docs, paths)
    data = {"title": title, "files": [file_info(d, p) for d, p in zip(docs, paths)], "panels": panels, "rows": rows}
    # "</" cannot end the script element early once escaped; the JSON stays valid JavaScript.
    blob = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    template = (ASSETS / "report.html").read_text()
    return (template.replace("{{TITLE}}", html.escape(title))
            .replace("/*{{CSS}}*/", (ASSETS / "report.css").read_text())
            .replace("/*{{DATA}}*/", f"const DATA = {blob};")
            .replace("/*{{JS}}*/", (ASSETS / "report.js").read_text()))



def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        docs = [rio.load_results(p) for p in args.results]
    except rio.InputError as e:
        return rio.fail(PROG, str(e))
    out = Path(args.output)
    if out.is_dir():
        return rio.fail(PROG, f"{out}: is a folder; -o takes the HTML file to write")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        rio.write_text_atomic(out, render(docs, args.results, args.title))  # never half a report
    except rio.InputError as e:
        return rio.fail(PROG, str(e))
    except OSError as e:
        return rio.fail(PROG, f"{out}: cannot write: {e.strerror or e}")
    print(f"report: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
