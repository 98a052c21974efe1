// elubench report: draws every chart of the page as SVG from DATA (written by report.py).
// No library and no request: the page must open offline, and the browser test fails on any
// console error, so everything here guards against missing fields instead of throwing.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const PALETTE = ["#2f6fd0", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#1098ad", "#e67700",
                 "#5c940d", "#364fc7", "#a61e4d", "#495057", "#0b7285", "#9c36b5", "#74b816"];
const DTYPE_COLOR = {f32: "#2f6fd0", f16: "#d9480f", bf16: "#2b8a3e"};
const ACT_DASH = {elu: "", relu: "6 4"};
const EXTRA_DASH = ["2 3", "10 3 2 3", "1 2", "12 4", "4 2 1 2"];

// ---------- small helpers ----------
// Strings from the results files are data: they reach the page only as text nodes (el's `text`,
// append of a string), as attribute values (setAttribute), or through escapeHtml where a table
// is built as one string. Nothing here parses a data string as markup.
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}
// Inline text with some parts bold or code: a string stays text, [tag, string] is an element
// that holds the string as text.
function inline(...parts) {
  return parts.map(p => Array.isArray(p) ? el(p[0], {text: p[1]}) : p);
}
// The one escaping function, for markup built as a string (the big table, for speed): text and
// double-quoted attribute values.
function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}
function svg(tag, attrs) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}
function sizeLabel(n) { return n > 0 && (n & (n - 1)) === 0 || (n > 2 ** 30 && Number.isInteger(Math.log2(n))) ? "2^" + Math.round(Math.log2(n)) : String(n); }
function fmt(v, d = 3) {
  if (v === null || v === undefined) return "—";
  if (typeof v === "string") return v;
  if (v === 0) return "0";
  return Number(v.toPrecision(d)).toString();
}
function fmtTime(s) {
  if (s === null || s === undefined) return "—";
  if (s < 1e-6) return fmt(s * 1e9) + " ns";
  if (s < 1e-3) return fmt(s * 1e6) + " µs";
  if (s < 1) return fmt(s * 1e3) + " ms";
  return fmt(s) + " s";
}
function bytesLabel(b) {
  const u = ["B", "KiB", "MiB", "GiB"]; let i = 0;
  while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
  return fmt(b) + " " + u[i];
}
function paramsText(p) { return Object.entries(p || {}).map(([k, v]) => `${k}=${v}`).join(" "); }
function rowTip(r) {
  const lines = [`${r.name}  n=${sizeLabel(r.n)}` + (r.th ? `, ${r.th} thr` : "") + (r.cols ? `, cols=${r.cols}` : "") +
                 (paramsText(r.params) ? `, ${paramsText(r.params)}` : "")];
  if (r.st !== "ok") { lines.push(`${r.st}: ${r.reason}`); return lines.join("\n"); }
  lines.push(`median ${fmtTime(r.med)}  (${fmt(r.gbps)} GB/s` + (r.pc != null ? `, ${fmt(r.pc)}% of ceiling)` : ")"));
  lines.push(`samples ${r.ns}: min ${fmtTime(r.min)}, IQR ${fmtTime(r.q1)}–${fmtTime(r.q3)}, max ${fmtTime(r.max)}`);
  lines.push(`spread (max−min)/median ${fmt(100 * (r.max - r.min) / r.med, 2)}%, stddev ${fmt(100 * r.sd / r.med, 2)}%`);
  lines.push(`max ULP ${fmt(r.ulp)} (${r.tol || "no tolerance recorded"})` + (r.res ? "; cache-resident" : ""));
  if (r.thr) lines.push(`THROTTLED: ${r.thr}`);
  return lines.join("\n");
}

// Variants get one colour across every chart: ours first, then peers, in name order.
const VARIANT_COLOR = (() => {
  const order = {kernel: 0, peer: 1, ceiling: 2};
  const seen = new Map();
  for (const r of DATA.rows) if (!seen.has(r.var)) seen.set(r.var, r.kind);
  const names = [...seen.keys()].sort((a, b) => (order[seen.get(a)] ?? 3) - (order[seen.get(b)] ?? 3) || a.localeCompare(b));
  const m = {};
  names.forEach((v, i) => { m[v] = PALETTE[i % PALETTE.length]; });
  return m;
})();
const ACTIVATIONS = [...new Set(DATA.rows.filter(r => r.kind !== "ceiling").map(r => r.act))].sort();
function actDash(act) {
  if (act in ACT_DASH) return ACT_DASH[act];
  const others = ACTIVATIONS.filter(a => !(a in ACT_DASH));
  return EXTRA_DASH[Math.max(0, others.indexOf(act)) % EXTRA_DASH.length];
}

// ---------- the plotter ----------
function niceStep(range, target) {
  const raw = range / target, p = 10 ** Math.floor(Math.log10(raw)), f = raw / p;
  return p * (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10);
}
function axisScale(vals, kind, opts) {
  // kind: "log2" (sizes), "log10", "lin"; returns {map, ticks, label}
  let lo = Math.min(...vals), hi = Math.max(...vals);
  if (kind !== "lin") {
    const f = kind === "log2" ? Math.log2 : Math.log10, base = kind === "log2" ? 2 : 10;
    let a = f(lo), b = f(hi);
    if (a === b) { a -= 1; b += 1; }
    if (kind === "log10") { a = Math.floor(a * 10) / 10 - 0.05; b = Math.ceil(b * 10) / 10 + 0.05; }
    const ticks = [];
    if (kind === "log2") {
      const step = Math.max(1, Math.ceil((b - a) / 10));
      for (let k = Math.ceil(a); k <= b; k += step) ticks.push([base ** k, "2^" + k]);
    } else {
      // 1-2-5 per decade; every integer multiple when the range is too narrow for three of those.
      for (const ms of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
        ticks.length = 0;
        for (let k = Math.floor(a); k <= Math.ceil(b); k++)
          for (const m of ms) { const v = m * 10 ** k; if (f(v) >= a && f(v) <= b) ticks.push([v, fmt(v)]); }
        if (ticks.length >= 3) break;
      }
    }
    return {lo: a, hi: b, t: v => f(v), ticks};
  }
  if (opts && opts.zero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
  if (lo === hi) { lo -= 1; hi += 1; }
  const step = niceStep(hi - lo, 6);
  lo = Math.floor(lo / step) * step; hi = Math.ceil(hi / step) * step;
  const ticks = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push([v, fmt(Math.abs(v) < step / 1e6 ? 0 : v)]);
  return {lo, hi, t: v => v, ticks};
}

// The grid, ticks, axis labels and reference lines of a plot; frame: its size, margins and the
// X/Y maps from data to pixels.
function plotAxes(s, spec, xs, ys, {W, H, L, R, T, B, X, Y}) {
  const grid = svg("g", {class: "grid"}), axis = svg("g", {class: "axis"});
  for (const [v, lab] of xs.ticks) {
    grid.append(svg("line", {x1: X(v), x2: X(v), y1: T, y2: H - B}));
    const t = svg("text", {x: X(v), y: H - B + 14, "text-anchor": "middle"}); t.textContent = lab; axis.append(t);
  }
  for (const [v, lab] of ys.ticks) {
    grid.append(svg("line", {x1: L, x2: W - R, y1: Y(v), y2: Y(v)}));
    const t = svg("text", {x: L - 5, y: Y(v) + 4, "text-anchor": "end"}); t.textContent = lab; axis.append(t);
  }
  axis.append(svg("path", {d: `M${L},${T}V${H - B}H${W - R}`, fill: "none"}));
  const xl = svg("text", {x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle"}); xl.textContent = spec.xlabel; axis.append(xl);
  const yl = svg("text", {x: 12, y: (T + H - B) / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${(T + H - B) / 2})`});
  yl.textContent = spec.ylabel; axis.append(yl);
  s.append(grid, axis);
  for (const v of spec.vlines || []) {
    s.append(svg("line", {x1: X(v.x), x2: X(v.x), y1: T, y2: H - B, stroke: "#999", "stroke-dasharray": "3 3"}));
    const t = svg("text", {x: X(v.x) + 3, y: T + 11, fill: "#666"}); t.textContent = v.label; s.append(t);
  }
  for (const h of spec.hlines || []) {
    s.append(svg("line", {x1: L, x2: W - R, y1: Y(h.y), y2: Y(h.y), stroke: "#999", "stroke-dasharray": "2 2"}));
  }
}

// One series of a plot (its line, its markers, its legend entry); returns the points drawn.
function plotSeries(s, legend, spec, ser, {X, Y}) {
  const ok = ser.pts.filter(p => p.y != null && isFinite(p.y) && (spec.y !== "log10" || p.y > 0) && (spec.x === "lin" || p.x > 0));
  if (!ok.length) return 0;
  const g = svg("g", {"data-series": ser.label});
  if (ser.lines !== false && ok.length > 1) {
    const d = ok.map((p, i) => (i ? "L" : "M") + X(p.x).toFixed(2) + "," + Y(p.y).toFixed(2)).join("");
    g.append(svg("path", {d, fill: "none", stroke: ser.color, "stroke-width": ser.width || 1.8,
                          "stroke-dasharray": ser.dash || "", "data-series": ser.label}));
  }
  if (ser.markers !== false) {
    for (const p of ok) {
      const c = svg("circle", {cx: X(p.x).toFixed(2), cy: Y(p.y).toFixed(2), r: ser.hollow ? 3.4 : 3,
                               fill: ser.hollow ? "#fff" : ser.color, stroke: ser.color, "stroke-width": 1.4, class: "pt"});
      if (p.tip) c.setAttribute("data-tip", p.tip);
      g.append(c);
    }
  }
  s.append(g);
  const sw = svg("svg", {viewBox: "0 0 26 10"});
  sw.append(svg("line", {x1: 1, x2: 25, y1: 5, y2: 5, stroke: ser.color, "stroke-width": 2, "stroke-dasharray": ser.dash || ""}));
  if (ser.hollow) sw.append(svg("circle", {cx: 13, cy: 5, r: 3, fill: "#fff", stroke: ser.color}));
  legend.append(el("span", {}, sw, " " + ser.label));
  return ok.length;
}

// spec: {title, xlabel, ylabel, x: "log2"|"lin", y: "log10"|"lin", yzero, series: [{label, color,
// dash, hollow, lines (default true), pts: [{x, y, tip}]}], vlines: [{x, label}], note}
function plot(container, spec) {
  const W = 640, H = 330, L = 62, R = 14, T = 10, B = 42;
  container.replaceChildren();
  container.append(el("div", {class: "title", text: spec.title}));
  const pts = spec.series.flatMap(s => s.pts.filter(p => p.y != null && isFinite(p.y) && p.x != null));
  const usable = pts.filter(p => (spec.y !== "log10" || p.y > 0) && (spec.x === "lin" || p.x > 0));
  if (!usable.length) {
    container.append(el("p", {class: "note", text: "No measured rows to draw here."}));
    container.dataset.rendered = "empty";
    return;
  }
  const xs = axisScale(usable.map(p => p.x).concat((spec.vlines || []).map(v => v.x)), spec.x || "log2");
  const ys = axisScale(usable.map(p => p.y).concat((spec.hlines || []).map(v => v.y)), spec.y || "lin", {zero: spec.yzero});
  const X = v => L + (xs.t(v) - xs.lo) / (xs.hi - xs.lo) * (W - L - R);
  const Y = v => T + (1 - (ys.t(v) - ys.lo) / (ys.hi - ys.lo)) * (H - T - B);
  const s = svg("svg", {viewBox: `0 0 ${W} ${H}`, class: "plot", role: "img", "aria-label": spec.title});
  const frame = {W, H, L, R, T, B, X, Y};
  plotAxes(s, spec, xs, ys, frame);
  const legend = el("div", {class: "legend"});
  let drawn = 0;
  for (const ser of spec.series) drawn += plotSeries(s, legend, spec, ser, frame);
  s.dataset.points = String(drawn);
  container.append(s, legend);
  if (spec.note) container.append(el("p", {class: "note", text: spec.note}));
  container.dataset.rendered = drawn ? "1" : "empty";
}

// ---------- per-panel sections ----------
const rowsOf = p => DATA.rows.filter(r => r.p === p);
const dtypesOf = rows => [...new Set(rows.map(r => r.dt))].sort((a, b) => (a !== "f32") - (b !== "f32") || a.localeCompare(b));

function headlineText(panel) {
  const ul = el("ul");
  for (const h of panel.headline) {
    const last = [...h.pts].reverse().find(p => p.ratio != null);
    if (!last) { ul.append(el("li", {text: `${h.act} ${h.dt}: no ReLU row to compare with.`})); continue; }
    const ceil = last.ceil ? `, ${fmt(100 * last.gbps / last.ceil, 2)}% of the copy ceiling (${fmt(last.ceil)} GB/s)` : "";
    const ratios = h.pts.filter(p => p.ratio != null).map(p => p.ratio);
    const range = ratios.length > 1 ? ` (${fmt(Math.min(...ratios))}–${fmt(Math.max(...ratios))}× across ${ratios.length} sizes)` : "";
    const fb = last.fb != null ? ["; forward + backward ", ["b", `${fmt(last.fb)}×`], " ReLU's (backward ", ["code", last.bvar], ")"] : [];
    ul.append(el("li", {}, ...inline(["b", `${h.act}${h.alpha != null && h.alpha !== 1 ? " α=" + h.alpha : ""}, ${h.dt}`], ": ",
      ["b", `${fmt(last.ratio)}×`], ` ReLU's time at n = ${sizeLabel(last.n)}${range}`, ...fb, "; best kernel ",
      ["code", last.var], ` at ${fmt(last.gbps)} GB/s vs ReLU `, ["code", last.relu_var], ` at ${fmt(last.relu_gbps)} GB/s${ceil}.`)));
  }
  return ul;
}

function boundaryLines(h) {
  if (!h || !h.boundary) return [];
  return [{x: Math.sqrt(h.boundary[0] * h.boundary[1]), label: "cache | DRAM"}];
}

// The line under a panel's title: the file, the tool, the machine.
function panelNote(panel, file) {
  return `${file.path} · created ${file.created} · elubench ${file.version} (${file.git})` +
    (panel.device === "gpu" && file.gpu ? ` · ${file.gpu.name}, sm_${file.gpu.compute_capability.replace(".", "")}, L2 ${bytesLabel(file.gpu.l2_bytes)}, peak ${fmt(file.gpu.peak_gbps)} GB/s` : "") +
    (panel.device === "cpu" ? ` · ${file.host.cpu_model}, ${file.host.cores} cores, ${file.host.simd_target}` : "") +
    (file.torch ? ` · torch ${file.torch}` : "");
}

// The headline: each activation's cost over ReLU in words, then as a chart beside the GB/s of the
// best kernels and the copy ceiling.
function headlineCharts(sec, panel, rows) {
  sec.append(el("h3", {text: "What each activation costs over ReLU (best elubench kernel per dtype)"}));
  const hl = el("div", {class: "headline"}, headlineText(panel));
  sec.append(hl);
  const two = el("div", {class: "row2"});
  const c1 = el("div", {class: "chart"}), c2 = el("div", {class: "chart"});
  two.append(c1, c2); sec.append(two);
  // Forward with the activation's dash; forward + backward hollow, where backward rows exist.
  const costSeries = panel.headline.map(h => ({label: `${h.act} ${h.dt}`, color: DTYPE_COLOR[h.dt] || "#555", dash: actDash(h.act),
      pts: h.pts.filter(p => p.ratio != null).map(p => ({x: p.n, y: p.ratio,
        tip: `${h.act} ${h.dt} n=${sizeLabel(p.n)}: ${fmt(p.ratio)}× ReLU\n${h.act}/${p.var} ${fmt(p.gbps)} GB/s vs relu/${p.relu_var} ${fmt(p.relu_gbps)} GB/s`}))}));
  for (const h of panel.headline) {
    const fb = h.pts.filter(p => p.fb != null);
    if (fb.length) costSeries.push({label: `${h.act} ${h.dt} fwd+bwd`, color: DTYPE_COLOR[h.dt] || "#555", dash: actDash(h.act), hollow: true,
      pts: fb.map(p => ({x: p.n, y: p.fb, tip: `${h.act} ${h.dt} n=${sizeLabel(p.n)}: forward + backward ${fmt(p.fb)}× ReLU's`}))});
  }
  plot(c1, {title: "Cost over ReLU vs size (best kernel time / best ReLU time; hollow: forward + backward)", xlabel: "elements n", ylabel: "× ReLU time",
    x: "log2", y: "lin", yzero: true, hlines: [{y: 1}], vlines: boundaryLines(panel.headline[0]), series: costSeries});
  const gser = [];
  for (const dt of dtypesOf(rows)) {
    const hs = panel.headline.filter(h => h.dt === dt);
    for (const h of hs) gser.push({label: `best ${h.act} ${dt}`, color: DTYPE_COLOR[dt] || "#555", dash: actDash(h.act),
      pts: h.pts.map(p => ({x: p.n, y: p.gbps, tip: `${h.act}/${p.var}/${dt} n=${sizeLabel(p.n)}: ${fmt(p.gbps)} GB/s`}))});
    if (hs.length) gser.push({label: `best relu ${dt}`, color: DTYPE_COLOR[dt] || "#555", dash: actDash("relu"), hollow: true,
      pts: hs[0].pts.filter(p => p.relu_gbps != null).map(p => ({x: p.n, y: p.relu_gbps, tip: `relu/${p.relu_var}/${dt} n=${sizeLabel(p.n)}: ${fmt(p.relu_gbps)} GB/s`}))});
    const ceil = panel.ceilings.filter(c => c.dt === dt).sort((a, b) => a.n - b.n);
    if (ceil.length) gser.push({label: `copy ceiling ${dt}`, color: "#222", dash: "1 3", width: 1.4, markers: false,
      pts: ceil.map(c => ({x: c.n, y: c.gbps}))});
  }
  plot(c2, {title: "GB/s of the best kernels and the copy ceiling", xlabel: "elements n", ylabel: "GB/s (read + write)",
    x: "log2", y: "log10", vlines: boundaryLines(panel.headline[0]), series: gser});
}

// GB/s against size for every variant of one dtype (peers hollow), with the copy ceiling.
function variantChart(c, panel, rows, dt) {
  const ok = rows.filter(r => r.dt === dt && r.st === "ok" && r.kind !== "ceiling");
  const keyOf = r => r.act + "/" + r.var + "/" + paramsText(r.params);
  const keys = [...new Set(ok.map(keyOf))];
  const paramSets = new Set(ok.map(r => paramsText(r.params)).filter(Boolean));
  const series = keys.map(k => {
    const rs = ok.filter(r => keyOf(r) === k).sort((a, b) => a.n - b.n);
    const r0 = rs[0];
    return {label: `${r0.act}/${r0.var}` + (paramSets.size > 1 && paramsText(r0.params) ? ` ${paramsText(r0.params)}` : "") + (r0.kind === "peer" ? " (peer)" : ""),
            color: VARIANT_COLOR[r0.var], dash: actDash(r0.act), hollow: r0.kind === "peer",
            pts: rs.map(r => ({x: r.n, y: r.gbps, tip: rowTip(r)}))};
  }).sort((a, b) => a.hollow - b.hollow || a.label.localeCompare(b.label));
  const ceil = panel.ceilings.filter(x => x.dt === dt).sort((a, b) => a.n - b.n);
  if (ceil.length) series.push({label: "copy ceiling", color: "#222", dash: "1 3", markers: false, pts: ceil.map(x => ({x: x.n, y: x.gbps}))});
  const left = rows.filter(r => r.dt === dt && r.st !== "ok").length;
  plot(c, {title: `${dt}: GB/s vs size`, xlabel: "elements n", ylabel: "GB/s (read + write)", x: "log2", y: "log10",
    vlines: boundaryLines(panel.headline.find(h => h.dt === dt)), series,
    note: left ? `${left} ${dt} row(s) skipped or failed, not drawn (listed below).` : ""});
}

function accuracyChart(sec, rows) {
  sec.append(el("h3", {text: "Accuracy vs speed at the largest size"}));
  const ca = el("div", {class: "chart"}); sec.append(ca);
  const aser = [];
  for (const dt of dtypesOf(rows)) {
    const ok = rows.filter(r => r.dt === dt && r.st === "ok" && r.kind !== "ceiling" && r.ulp !== "inf");
    if (!ok.length) continue;
    const nmax = Math.max(...ok.map(r => r.n));
    aser.push({label: dt, color: DTYPE_COLOR[dt] || "#555", lines: false,
      pts: ok.filter(r => r.n === nmax).map(r => ({x: r.gbps, y: r.ulp, tip: rowTip(r)}))});
  }
  plot(ca, {title: "max ULP against GB/s (one point per row at each dtype's largest n; hover for the name)",
    xlabel: "GB/s", ylabel: "max ULP vs float64 reference", x: "lin", y: "lin", yzero: true, series: aser});
}

// Skipped and failed rows, one line per status and reason.
function badRowList(sec, rows) {
  const bad = rows.filter(r => r.st !== "ok");
  sec.append(el("h3", {text: `Skipped and failed rows (${bad.length})`}));
  if (!bad.length) sec.append(el("p", {class: "note", text: "None: every row of this device was checked and timed."}));
  else {
    const groups = new Map();
    for (const r of bad) { const k = `${r.st}: ${r.reason}`; groups.set(k, (groups.get(k) || []).concat([r])); }
    const ul = el("ul", {class: "bad"});
    for (const [k, rs] of groups) {
      const names = [...new Set(rs.map(r => r.name))];
      ul.append(el("li", {class: "st-" + rs[0].st, text: `${k} — ${rs.length} row(s): ${names.slice(0, 8).join(", ")}${names.length > 8 ? ", …" : ""}`}));
    }
    sec.append(ul);
  }
}

function panelSection(panel) {
  const rows = rowsOf(DATA.panels.indexOf(panel));
  const sec = el("section", {class: "card panel", id: panel.id});
  sec.append(el("h2", {text: panel.label}));
  sec.append(el("p", {class: "note", text: panelNote(panel, DATA.files[panel.file])}));
  if (panel.layer_headline.length) {  // layer rows (elubench --layers): one sentence per dtype
    sec.append(el("h3", {text: "What ELU costs inside a layer (matmul + bias + activation)"}));
    sec.append(el("ul", {class: "headline"}, ...panel.layer_headline.map(s => el("li", {text: s}))));
  }
  if (panel.only_skipped) {
    sec.append(el("p", {class: "headline", text: "Nothing was measured on this device: every row was skipped or failed (listed below)."}));
  } else if (rows.some(r => r.st === "ok" && !r.layer)) {
    const plain = rows.filter(r => !r.layer);  // the charts are of elementwise rows
    headlineCharts(sec, panel, plain);
    sec.append(el("h3", {text: "Throughput vs size, every variant (peers hollow)"}));
    const grid = el("div", {class: "row2"});
    for (const dt of dtypesOf(plain)) {
      const c = el("div", {class: "chart"}); grid.append(c);
      variantChart(c, panel, plain, dt);
    }
    sec.append(grid);
    accuracyChart(sec, plain);
  }
  badRowList(sec, rows);
  return sec;
}

// ---------- several devices side by side ----------
function compareSection() {
  const panels = DATA.panels.filter(p => !p.only_skipped);
  if (panels.length < 2) return null;
  const sec = el("section", {class: "card", id: "compare"});
  sec.append(el("h2", {text: "Devices side by side"}));
  const keys = [...new Set(panels.flatMap(p => p.headline.map(h => h.act + " " + h.dt)))];
  const table = el("table");
  table.append(el("thead", {}, el("tr", {}, el("th", {text: "activation, dtype"}), ...panels.map(p => el("th", {text: p.label})))));
  const tb = el("tbody");
  for (const k of keys) {
    const tr = el("tr", {}, el("td", {text: k}));
    for (const p of panels) {
      const h = p.headline.find(h => h.act + " " + h.dt === k);
      const last = h && [...h.pts].reverse().find(x => x.ratio != null);
      tr.append(el("td", {class: "num", text: last ? `${fmt(last.ratio)}× ReLU at ${sizeLabel(last.n)}, ${fmt(last.gbps)} GB/s (${last.var})` : "—"}));
    }
    tb.append(tr);
  }
  table.append(tb);
  sec.append(el("p", {class: "note", text: "Cost over ReLU and GB/s of the best elubench kernel at each device's largest size."}), el("div", {class: "tablewrap"}, table));
  const grid = el("div", {class: "row2"});
  for (const k of keys) {
    const c = el("div", {class: "chart"}); grid.append(c);
    plot(c, {title: `${k}: best-kernel GB/s per device`, xlabel: "elements n", ylabel: "GB/s", x: "log2", y: "log10",
      series: panels.map((p, i) => {
        const h = p.headline.find(h => h.act + " " + h.dt === k);
        return {label: p.label, color: PALETTE[i % PALETTE.length], dash: "",
                pts: h ? h.pts.map(x => ({x: x.n, y: x.gbps, tip: `${p.label}\n${k}/${x.var} n=${sizeLabel(x.n)}: ${fmt(x.gbps)} GB/s, ${fmt(x.ratio)}× ReLU`})) : []};
      })});
  }
  sec.append(grid);
  return sec;
}

// ---------- the α explorer ----------
function erf(x) {  // Abramowitz & Stegun 7.1.26, |error| < 1.5e-7: plenty for a curve
  const s = Math.sign(x), a = Math.abs(x), t = 1 / (1 + 0.3275911 * a);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
const sigmoid = x => 1 / (1 + Math.exp(-x));
// The math of each activation for drawing only (the measured rows come from the files). A
// parameter other than α is the run's (DATA.params: a row's params, else the config), else
// PyTorch's default (Leaky ReLU's slope 0.01, Softplus's β 1); SELU's constants are fixed. An
// activation without an entry here is listed on the page, not drawn.
const SLOPE = DATA.params.negative_slope ?? 0.01;
const BETA = DATA.params.beta ?? 1;
const GELU_K = Math.sqrt(2 / Math.PI);
const CURVES = {
  elu: {f: (x, a) => x > 0 ? x : a * Math.expm1(x), df: (x, a) => x > 0 ? 1 : a * Math.exp(x), label: a => `elu (α=${a.toFixed(2)})`},
  relu: {f: x => Math.max(x, 0), df: x => x > 0 ? 1 : 0, label: () => "relu"},
  leaky_relu: {f: x => x > 0 ? x : SLOPE * x, df: x => x > 0 ? 1 : SLOPE, label: () => `leaky_relu (slope ${SLOPE})`},
  gelu: {f: x => 0.5 * x * (1 + erf(x / Math.SQRT2)), df: x => 0.5 * (1 + erf(x / Math.SQRT2)) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI), label: () => "gelu"},
  gelu_tanh: {f: x => 0.5 * x * (1 + Math.tanh(GELU_K * (x + 0.044715 * x ** 3))),
              df: x => { const t = Math.tanh(GELU_K * (x + 0.044715 * x ** 3));
                         return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_K * (1 + 3 * 0.044715 * x * x); },
              label: () => "gelu_tanh"},
  silu: {f: x => x * sigmoid(x), df: x => sigmoid(x) * (1 + x * (1 - sigmoid(x))), label: () => "silu"},
  softplus: {f: x => BETA * x > 20 ? x : Math.log1p(Math.exp(BETA * x)) / BETA, df: x => sigmoid(BETA * x),
             label: () => `softplus (β ${BETA})`},
  mish: {f: x => x * Math.tanh(Math.log1p(Math.exp(x))), label: () => "mish"},
  selu: {f: x => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x)),
         df: x => 1.0507009873554805 * (x > 0 ? 1 : 1.6732632423543772 * Math.exp(x)), label: () => "selu"},
};
function derivative(c, x, a) { return c.df ? c.df(x, a) : (c.f(x + 1e-4, a) - c.f(x - 1e-4, a)) / 2e-4; }

function drawAlpha(a) {
  document.getElementById("alpha-value").textContent = a.toFixed(2);
  const names = ACTIVATIONS.filter(n => !n.endsWith("_backward"));
  if (!names.includes("elu")) names.unshift("elu");
  if (!names.includes("relu")) names.push("relu");
  const drawable = names.filter(n => n in CURVES);
  const xs = []; for (let x = -4; x <= 3.0001; x += 0.05) xs.push(x);
  const ser = (g) => drawable.map((n, i) => ({label: n, color: n === "elu" ? "#2f6fd0" : n === "relu" ? "#d9480f" : PALETTE[(i + 2) % PALETTE.length],
    dash: n === "elu" ? "" : actDash(n), markers: false, width: n === "elu" ? 2.6 : 1.6,
    pts: xs.map(x => ({x, y: g(CURVES[n], x, a)}))}));
  plot(document.getElementById("alpha-f"), {title: "f(x)", xlabel: "x", ylabel: "f(x)", x: "lin", y: "lin",
    hlines: [{y: -a}], series: ser((c, x, al) => c.f(x, al))});
  plot(document.getElementById("alpha-df"), {title: "f′(x)", xlabel: "x", ylabel: "f′(x)", x: "lin", y: "lin",
    series: ser((c, x, al) => derivative(c, x, al))});
  document.querySelectorAll("#alpha-f .legend span, #alpha-df .legend span").forEach(s => {
    const n = s.textContent.trim();
    if (n in CURVES) s.lastChild.textContent = " " + CURVES[n].label(a);
  });
  const missing = names.filter(n => !(n in CURVES));
  document.getElementById("alpha-missing").textContent = missing.length ? `In the files but not drawn (the report has no formula for them): ${missing.join(", ")}.` : "";
  measuredAtAlpha(a);
}

function measuredAtAlpha(a) {
  const box = document.getElementById("alpha-measured");
  box.replaceChildren();
  const table = el("table", {id: "alpha-table"});
  table.append(el("thead", {}, el("tr", {}, ...["device", "activation", "dtype", "measured α nearest the slider", "time / ReLU time (best kernel)", "fwd+bwd / ReLU", "at n", "kernel", "α values measured"].map(t => el("th", {text: t})))));
  const tb = el("tbody");
  let several = false;
  DATA.panels.forEach(p => {
    for (const [dt, all] of Object.entries(p.alpha_costs)) {
      for (const act of [...new Set(all.map(x => x.act))]) {
        const list = all.filter(x => x.act === act);
        if (list.length > 1) several = true;
        const best = list.reduce((b, x) => Math.abs(x.alpha - a) < Math.abs(b.alpha - a) ? x : b);
        tb.append(el("tr", {}, el("td", {text: p.label}), el("td", {text: act}), el("td", {text: dt}), el("td", {class: "num", text: fmt(best.alpha)}),
          el("td", {class: "num", text: fmt(best.ratio) + "×"}), el("td", {class: "num", text: best.fb != null ? fmt(best.fb) + "×" : "—"}),
          el("td", {text: sizeLabel(best.n)}), el("td", {text: best.var}), el("td", {text: list.map(x => fmt(x.alpha)).join(", ")})));
      }
    }
  });
  table.append(tb);
  box.append(el("p", {class: "note", text: several
    ? "Measured cost at the α nearest the slider (the run measured several α values)."
    : "These runs measured one α only, so the cost below does not follow the slider; run elubench with several --alpha values to see it change."}), table);
}

// ---------- the table of every row ----------
const COLUMNS = [
  ["device", r => DATA.panels[r.p].label], ["name", r => r.name], ["kind", r => r.kind], ["n", r => r.n, sizeLabel],
  ["threads", r => r.th], ["input", r => r.input], ["params", r => paramsText(r.params)], ["cols", r => r.cols],
  ["status", r => r.st], ["median", r => r.med, (v, r) => v == null ? "—" : `${fmtTime(v)} ±${fmtTime((r.q3 - r.q1) / 2)}`],
  ["GB/s", r => r.gbps, v => fmt(v)], ["% ceiling", r => r.pc, v => fmt(v)], ["% peak", r => r.pp, v => fmt(v)],
  ["max ULP", r => r.ulp === "inf" ? Infinity : r.ulp, v => v === Infinity ? "inf" : fmt(v)], ["tolerance", r => r.tol],
  ["throttle", r => r.thr], ["reason", r => r.reason],
];
let sortCol = -1, sortDir = 1;
function renderTable() {
  const table = document.getElementById("rows-table");
  const q = document.getElementById("row-filter").value.toLowerCase().split(/\s+/).filter(Boolean);
  let rows = DATA.rows.filter(r => { const s = (DATA.panels[r.p].label + " " + r.name + " " + r.st + " " + (r.reason || "")).toLowerCase(); return q.every(w => s.includes(w)); });
  if (sortCol >= 0) {
    const get = COLUMNS[sortCol][1];
    rows = rows.slice().sort((a, b) => {
      const x = get(a), y = get(b);
      if (x == null && y == null) return 0; if (x == null) return 1; if (y == null) return -1;
      return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * sortDir;
    });
  }
  // One string of markup for thousands of rows (far faster than a node per cell); every value
  // in it goes through escapeHtml.
  table.tBodies[0].innerHTML = rows.map(r => "<tr data-tip=\"" + escapeHtml(rowTip(r)) + "\">" + COLUMNS.map(([name, get, show]) => {
    const v = get(r), text = show ? show(v, r) : (v == null ? "—" : v);
    const cls = typeof v === "number" ? "num" : name === "status" ? "st-" + v : name === "throttle" && v ? "thr" : "";
    return `<td class="${escapeHtml(cls)}">${escapeHtml(text)}</td>`;
  }).join("") + "</tr>").join("");
  document.getElementById("row-count").textContent = `${rows.length} of ${DATA.rows.length} rows`;
}
function setupTable() {
  const head = document.querySelector("#rows-table thead");
  const tr = el("tr");
  COLUMNS.forEach(([name], i) => {
    const th = el("th", {text: name, "data-col": String(i)});
    th.addEventListener("click", () => {
      sortDir = sortCol === i ? -sortDir : 1; sortCol = i;
      head.querySelectorAll("th").forEach(t => t.classList.remove("sorted-asc", "sorted-desc"));
      th.classList.add(sortDir > 0 ? "sorted-asc" : "sorted-desc");
      renderTable();
    });
    tr.append(th);
  });
  head.append(tr);
  document.getElementById("row-filter").addEventListener("input", renderTable);
  renderTable();
}

// ---------- page ----------
function setupTip() {
  const tip = document.getElementById("tip");
  document.addEventListener("mouseover", e => {
    const t = e.target.closest && e.target.closest("[data-tip]");
    if (!t) { tip.style.display = "none"; return; }
    tip.textContent = t.getAttribute("data-tip"); tip.style.display = "block";
  });
  document.addEventListener("mousemove", e => {
    tip.style.left = Math.min(e.clientX + 14, window.innerWidth - 440) + "px"; tip.style.top = (e.clientY + 14) + "px";
  });
}

function main() {
  const files = document.getElementById("files");
  files.textContent = DATA.files.map(f => `${f.path} (${f.created}, ${f.host.hostname}` + (f.gpu ? `, ${f.gpu.name}` : "") + (f.torch ? `, torch ${f.torch}` : "") + ")").join(" · ");
  const toc = document.getElementById("toc"), main = document.getElementById("main");
  const cmp = compareSection();
  // Several machines (a fleet run): the comparison is the answer, so it leads; one machine's
  // thread counts side by side come after that machine's own headline.
  const leads = new Set(DATA.panels.map(p => p.device_name + "/" + p.device)).size > 1;
  if (cmp && leads) { main.append(cmp); toc.append(el("a", {href: "#compare", text: "devices side by side"})); }
  for (const p of DATA.panels) { main.append(panelSection(p)); toc.append(el("a", {href: "#" + p.id, text: p.label})); }
  if (cmp && !leads) { main.append(cmp); toc.append(el("a", {href: "#compare", text: "side by side"})); }
  toc.append(el("a", {href: "#alpha-explorer", text: "α explorer"}), el("a", {href: "#all-rows", text: "every row"}));
  const slider = document.getElementById("alpha-slider");
  slider.addEventListener("input", () => drawAlpha(Number(slider.value)));
  drawAlpha(Number(slider.value));
  setupTable();
  setupTip();
  document.body.dataset.ready = "1";
}
main();
