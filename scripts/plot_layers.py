#!/usr/bin/env python3
"""Draws the layer rows of elubench results (elubench --layers: y = act(x . w + bias)).

  layer_overhead_<device>[_t<threads>]_<dtype>_k<K>_n<N>
        each activation's overhead over the identity layer (the same matmul with bias and no
        activation, measured in the same run: t / t_identity - 1, in %) vs M, one colour per
        activation, one line style per method: the library's fused epilogue (solid), the matmul
        then our activation as a second pass (dotted), ours fused by tiling (dashed); XNNPACK's
        rows with a square marker
  layers.md
        the same numbers as a table per (device, threads, dtype, K, N, M): per activation the
        overhead of each method and what its fastest layer costs over ReLU's fastest; then the
        headline sentence per device (results_index.layer_headlines)

plot.py calls draw() for the layer rows of the files it is given; this script draws them alone.
Rows that are not ok are not drawn (layers.md counts them).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import results_index as rix  # noqa: E402
import results_load  # noqa: E402
import results_text  # noqa: E402
import script_io  # noqa: E402

PROG = "plot_layers.py"
METHOD_STYLE = {"library": "-", "separate_pass": ":", "tiled": "--"}
METHOD_NAME = {"library": "library fused", "separate_pass": "unfused (second pass)", "tiled": "ours, tiled"}


def groups_of(rows):
    """{(device, threads, dtype, k, n): [ok layer rows]}."""
    g = defaultdict(list)
    for r in rix.layer_rows(rows):
        g[(r["device"], r["threads"], r["dtype"], r["layer"]["k"], r["layer"]["n"])].append(r)
    return g


def label_of(r):
    params = rix.params_text(rix.row_params(r))
    return f"{r['activation']}{' ' + params if params else ''} · {r['layer']['matmul']} {METHOD_NAME[r['layer']['epilogue']]}"


def chart(key, rows, out, written, finish):
    device, threads, dtype, k, n = key
    lines = defaultdict(list)
    for r in rows:
        if r["layer"]["epilogue"] != "none" and r["layer"]["overhead_vs_identity"] is not None:
            lines[label_of(r)].append((r["layer"]["m"], 100 * r["layer"]["overhead_vs_identity"], r))
    if not lines:
        return
    acts = sorted({r["activation"] for r in rows})
    palette = plt.get_cmap("tab10").colors
    color = {a: palette[i % len(palette)] for i, a in enumerate(acts)}
    fig, ax = plt.subplots()
    for label, pts in sorted(lines.items()):
        pts.sort(key=lambda p: p[0])
        r = pts[0][2]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], METHOD_STYLE[r["layer"]["epilogue"]],
                color=color[r["activation"]], marker="s" if r["layer"]["matmul"] == "xnnpack" else "o",
                markersize=3.5, label=results_text.plain_text(label))
    ax.set_xscale("log", base=2)
    ms = sorted({p[0] for pts in lines.values() for p in pts})
    ax.set_xticks(ms, [str(m) for m in ms])  # the measured M, as plain numbers
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.axhline(0, color="0.4", linewidth=0.8)
    ax.set_xlabel("M (rows of x: tokens, or pixels of the feature map)")
    ax.set_ylabel("overhead over matmul + bias alone (%)")
    who = f"{device.upper()}{f', {threads} thread' + ('s' if threads != 1 else '') if threads else ''}, {dtype}"
    ax.set_title(f"Activation inside a layer (K, N) = ({k}, {n}): {who}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7)
    stem = f"layer_overhead_{device}{f'_t{threads}' if threads else ''}_{dtype}_k{k}_n{n}"
    finish(fig, out, stem, "Overhead = median time / median time of the identity layer (same run, same matmul) - 1.",
           written)


def pct(r):
    o = None if r is None else r["layer"]["overhead_vs_identity"]
    return "—" if o is None else f"{100 * o:+.1f}%"


COLUMNS = [("ours tiled", ("onednn", "tiled")), ("library fused", ("onednn", "library")),
           ("unfused", ("onednn", "separate_pass")), ("XNNPACK", ("xnnpack", None)),
           ("cuBLASLt fused", ("cublaslt", "library")), ("cuBLASLt unfused", ("cublaslt", "separate_pass")),
           ("ours tiled (GPU)", ("cublaslt", "tiled"))]


def table_lines(key, rows):
    """Markdown rows of one group: per (M, activation, params) the overhead of each method and
    the fastest layer's cost over ReLU's fastest at the same M."""
    cells = defaultdict(dict)  # (m, activation, params) -> {(matmul, epilogue): row}
    for r in rows:
        if r["layer"]["epilogue"] == "none":
            continue
        lay = r["layer"]
        cells[(lay["m"], r["activation"], rix.row_params(r))][(lay["matmul"], lay["epilogue"])] = r
    relu_best = {}
    for (m, act, _), by in cells.items():
        if act == rix.BASELINE:
            relu_best[m] = min(x["time_s"]["median"] for x in by.values())
    used = [c for c in COLUMNS if any(any(k[0] == c[1][0] and (c[1][1] is None or k[1] == c[1][1]) for k in by)
                                      for by in cells.values())]
    out = []
    for (m, act, params), by in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1] != rix.BASELINE, kv[0][1:])):
        got = [pct(next((r for k, r in by.items() if k[0] == c[1][0] and (c[1][1] is None or k[1] == c[1][1])), None))
               for c in used]
        best = min(x["time_s"]["median"] for x in by.values())
        ratio = f"{best / relu_best[m]:.2f}" if m in relu_best else "—"
        name = act + (" " + rix.params_text(params) if params else "")
        out.append(f"| {key[3]}×{key[4]} | {m} | {results_text.md_text(name)} | " + " | ".join(got) + f" | {ratio} |")
    head = ["| K×N | M | activation | " + " | ".join(c[0] for c in used) + " | × ReLU |",
            "|" + "---|" * (len(used) + 4)]
    return head + out


def markdown(docs, paths):
    md = ["# elubench: activations inside a layer", "",
          "Overhead of each method over the identity layer (matmul + bias, no activation) of the same run and "
          "matmul library, medians; × ReLU: the activation's fastest layer over ReLU's fastest at the same shape.", ""]
    for path, doc in zip(paths, docs):
        md.append(f"## {results_text.md_text(path)}: {results_text.md_text(doc['host']['cpu_model'])} "
                  f"({results_text.md_text(doc['host']['simd_target'])})")
        md += [f"- {results_text.md_text(s)}" for s in rix.layer_headlines(doc["results"])]
        bad = sum(1 for r in doc["results"] if r.get("layer") is not None and r["status"] != "ok")
        if bad:
            md.append(f"- {bad} layer row(s) not ok (skipped or failed): not in the tables.")
        for key, rows in sorted(groups_of(doc["results"]).items(), key=lambda kv: str(kv[0])):
            device, threads, dtype = key[:3]
            who = f", {threads} thread{'s' if threads != 1 else ''}" if threads else ""
            md += ["", f"### {device} {dtype}{who}, (K, N) = ({key[3]}, {key[4]})", ""]
            md += table_lines(key, rows)
        md.append("")
    return "\n".join(md) + "\n"


def draw(docs, paths, out, written, finish):
    """Every layer chart of the docs, and layers.md; nothing when no file has layer rows."""
    if not any(r.get("layer") is not None for doc in docs for r in doc["results"]):
        return
    for doc in docs:
        for key, rows in sorted(groups_of(doc["results"]).items(), key=lambda kv: str(kv[0])):
            chart(key, rows, out, written, finish)
    script_io.write_text_atomic(out / "layers.md", markdown(docs, paths))
    written.append(out / "layers.md")


def main(argv=None):
    return script_io.run_main(PROG, _main, sys.argv[1:] if argv is None else argv)


def _main(argv):
    p = argparse.ArgumentParser(prog=PROG, description="Charts and a Markdown table of elubench's layer rows.")
    p.add_argument("results", nargs="+", help="results JSON files with layer rows (elubench --layers)")
    p.add_argument("-o", "--output", required=True, help="folder for the charts and layers.md (created if missing)")
    args = p.parse_args(argv)
    docs = [results_load.load_results(path) for path in args.results]
    if not any(r.get("layer") is not None for doc in docs for r in doc["results"]):
        raise script_io.InputError("no layer rows in these files (elubench --layers writes them)")
    out = script_io.make_output_dir(args.output)
    import plot  # its finish(): one way to write a figure (atomic PNG and SVG, the footnote)
    written = []
    draw(docs, args.results, out, written, plot.finish)
    print(f"{PROG}: wrote {len(written)} files to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
