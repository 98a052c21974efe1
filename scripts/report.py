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
import base64
import hashlib
import html
import json
import math
import re
import statistics
import sys
from pathlib import Path

import convergence_io as cio
import results_index as rix
import results_load
import results_text
import script_io

PROG = "report.py"
ASSETS = Path(__file__).resolve().parent / "report_assets"


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG, description="One self-contained HTML report from elubench results files.")
    p.add_argument("results", nargs="+", help="results JSON files (any number of machines and devices)")
    p.add_argument("-o", "--output", required=True, help="the HTML file to write (replaced atomically)")
    p.add_argument("--title", default="elubench report", help="page title")
    p.add_argument("--convergence", help="a convergence results file (scripts/convergence.py): adds the section "
                   "that puts per-call cost and time to accuracy side by side (report_convergence.py)")
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
           "cols": row["cols"], "alpha": dict(rix.row_params(row)).get("alpha"), "params": dict(rix.row_params(row)),
           "input": row["input"], "cache": row["cache"],
           "res": row["cache_resident"], "st": row["status"], "reason": row["reason"],
           "gbps": sig(row["gbps"]), "pc": sig(row["pct_of_ceiling"]), "pp": sig(row["pct_of_peak"]),
           "ulp": sig(results_text.max_ulp(row)) if results_text.max_ulp(row) is not None else None,
           "tol": (row["accuracy"] or {}).get("tolerance"), "thr": throttle_mark(row),
           "layer": "{m}x{k}x{n}".format(**row["layer"]) if row.get("layer") is not None else None}
    if t is not None:
        q1, q3 = quartiles(t["samples"])
        out.update(med=sig(t["median"]), min=sig(t["min"]), max=sig(t["max"]), q1=sig(q1), q3=sig(q3),
                   sd=sig(t["stddev"]), ns=len(t["samples"]))
    if out["ulp"] is not None and math.isinf(results_text.max_ulp(row)):
        out["ulp"] = "inf"
    return out


def run_values(doc: dict, name: str) -> list | None:
    """The values a run gave the activation parameter `name`: config.params (schema 5), else the
    config's own field (schema 1-4: `alpha`, one number or a list, and `negative_slope`)."""
    config = doc["config"]
    if "params" in config:
        return config["params"].get(name)
    v = config.get(name)
    return None if v is None else v if isinstance(v, list) else [v]


def default_alpha(doc: dict) -> float:
    """The α the headline uses: the run's α (1 when the run measured a list that contains it)."""
    a = run_values(doc, "alpha") or [1.0]
    return 1.0 if 1.0 in a else a[0]


def run_param(doc: dict, name: str) -> float | None:
    """One value of an activation parameter for the explorer's curves (Leaky ReLU's slope,
    Softplus's beta): the first row's that has it, else the run's config, else None."""
    for r in doc["results"]:
        v = (r.get("params") or {}).get(name)
        if v is not None:
            return v
    values = run_values(doc, name)
    return values[0] if values else None


def curve_params(docs) -> dict:
    """{name: value} for every parameter the files name except alpha (the explorer's slider)."""
    names = {k for d in docs for r in d["results"] for k in (r.get("params") or {})}
    names |= {k for d in docs for k in (d["config"].get("params") or {})}
    names |= {"negative_slope"}
    out = {}
    for name in sorted(names - {"alpha"}):
        v = next((x for x in (run_param(d, name) for d in docs) if x is not None), None)
        if v is not None:
            out[name] = v
    return out


def at_alpha(row, alpha) -> bool:
    """Whether a row belongs to the headline: rows with an alpha parameter only at `alpha`."""
    return dict(rix.row_params(row)).get("alpha", alpha) == alpha


def cache_boundary(rows, dtype):
    """(largest cache-resident n, smallest n that is not) for one dtype, or None."""
    res = [r["n"] for r in rows if r["dtype"] == dtype and r["cache_resident"]]
    out = [r["n"] for r in rows if r["dtype"] == dtype and not r["cache_resident"] and r["status"] == "ok"]
    if not res or not out or max(res) > min(out):
        return None
    return [max(res), min(out)]


def headline(doc, rows, ceilings):
    """Per activation and dtype: the best-kernel cost over ReLU at each size, forward and (with
    backward rows) forward + backward, and the GB/s of the best kernel, the best ReLU and the
    copy ceiling (the chart's second panel). Pairing: results_index.relu_costs."""
    alpha = default_alpha(doc)
    plain = [r for r in rows if r["cols"] is None and at_alpha(r, alpha)]
    cost = {id(c.row): c for c in rix.relu_costs(plain, best_kernel=True)}
    best = {}
    for r in rix.best_kernels(plain):
        if r["activation"] != rix.BASELINE and not rix.is_backward(r["activation"]):
            best.setdefault((r["activation"], r["dtype"], rix.row_params(r)), []).append(r)
    has_relu = {r["dtype"] for r in plain if r["activation"] == rix.BASELINE and r["kind"] == "kernel"}
    out = []
    for (act, dtype, params), xs in sorted(best.items(), key=lambda kv: ((kv[0][1] != "f32", kv[0][1]), kv[0][0])):
        ceil = {c["n"]: c["gbps"] for c in ceilings if c["dtype"] == dtype}
        pts = []
        for r in sorted(xs, key=lambda r: r["n"]):
            p = {"n": r["n"], "var": r["variant"], "gbps": sig(r["gbps"]), "ceil": sig(ceil.get(r["n"]))}
            c = cost.get(id(r))
            if c is not None:
                p.update(ratio=sig(c.forward), relu_var=c.relu["variant"], relu_gbps=sig(c.relu["gbps"]),
                         fb=sig(c.fwd_bwd), bvar=c.backward["variant"] if c.backward else None)
            pts.append(p)
        out.append({"act": act, "dt": dtype, "params": dict(params), "alpha": dict(params).get("alpha"),
                    "pts": pts, "boundary": cache_boundary(rows, dtype), "has_relu": dtype in has_relu})
    return out


def alpha_costs(rows):
    """Per dtype, for every activation with an alpha parameter and every measured α: the best
    kernel's cost over ReLU at the largest size both have (the α explorer's table)."""
    out = {}
    plain = [r for r in rows if r["cols"] is None]
    largest = {}
    for c in rix.relu_costs(plain, best_kernel=True):
        a = dict(c.params).get("alpha")
        if a is not None:
            k = (c.row["dtype"], c.activation, a)
            if k not in largest or c.row["n"] > largest[k].row["n"]:
                largest[k] = c
    for (dtype, act, a), c in sorted(largest.items()):
        out.setdefault(dtype, []).append({"act": act, "alpha": a, "n": c.row["n"], "ratio": sig(c.forward),
                                          "fb": sig(c.fwd_bwd), "var": c.row["variant"]})
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
            # Layer rows (elubench --layers) have their own sentence; the charts are elementwise.
            ok = [r for r in grows if r["status"] == "ok" and r.get("layer") is None]
            layer_headline = rix.layer_headlines(grows)
            name = results_text.device_name(doc, device)
            label = f"{name} — {device}" + (f", {threads} thread{'s' if threads != 1 else ''}" if threads else "")
            if len(docs) > 1:  # several runs of one model (a fleet) need the file to tell them apart
                label += f" · {Path(path).stem}"
            panels.append({
                "id": f"p{pi}", "file": fi, "device": device, "device_name": name, "threads": threads,
                "label": label, "only_skipped": not ok and not layer_headline, "layer_headline": layer_headline,
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


def csp_hash(text: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script or style."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def fill(template: str, values: dict) -> str:
    """Every {{NAME}} (or /*{{NAME}}*/, <!--{{NAME}}-->) of the template replaced in one pass: a value is never
    searched for placeholders, so a results file holding "/*{{JS}}*/" stays the text it is."""
    return re.sub(r"/\*\{\{([A-Z_]+)\}\}\*/|<!--\{\{([A-Z_]+)\}\}-->|\{\{([A-Z_]+)\}\}",
                  lambda m: values[m.group(1) or m.group(2) or m.group(3)], template)


def script_data(data) -> str:
    """DATA as a JavaScript statement that cannot leave its script element: JSON (valid
    JavaScript) with every <, > and & as a \\u escape, so no "</script>" or "<!--" can appear.
    Outside strings JSON has none of these characters, so the escapes change no value."""
    blob = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return "const DATA = " + blob.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + ";"


def render(docs, paths, title, convergence=None) -> str:
    panels, rows = panels_of(docs, paths)
    data = {"title": title, "files": [file_info(d, p) for d, p in zip(docs, paths)], "panels": panels, "rows": rows,
            "params": curve_params(docs)}
    script = "\n" + script_data(data) + "\n" + (ASSETS / "report.js").read_text() + "\n"
    css = "\n" + (ASSETS / "report.css").read_text() + "\n"
    section = ""
    if convergence:  # scipy and matplotlib are imported only for this section
        import report_convergence
        section = report_convergence.section_html(convergence, docs)
    return fill((ASSETS / "report.html").read_text(),
                {"TITLE": html.escape(title), "CSS": css, "SCRIPT": script, "CONVERGENCE": section,
                 "SCRIPT_HASH": csp_hash(script), "STYLE_HASH": csp_hash(css)})


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        docs = [rix.variants_by_target(results_load.load_results(p)) for p in args.results]
        convergence = cio.load(args.convergence) if args.convergence else None
    except script_io.InputError as e:
        return script_io.fail(PROG, str(e))
    out = Path(args.output)
    if out.is_dir():
        return script_io.fail(PROG, f"{out}: is a folder; -o takes the HTML file to write")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        script_io.write_text_atomic(out, render(docs, args.results, args.title, convergence))  # never half a report
    except script_io.InputError as e:
        return script_io.fail(PROG, str(e))
    except OSError as e:
        return script_io.fail(PROG, f"{out}: cannot write: {e.strerror or e}")
    print(f"report: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
