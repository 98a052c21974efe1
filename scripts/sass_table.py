#!/usr/bin/env python3
"""Static cost model of the CUDA kernels, read from their machine code (SASS).

usage: sass_table.py CUBIN_DIR [--check] [--markdown] [--readme docs/sass.md] [--cuobjdump PATH]

CUBIN_DIR holds <file>.sm_80.cubin and <file>.sm_90.cubin for each kernel file of
kernels/cuda/ (CMake target elubench_sass builds them with the library's device flags). The
files are whatever the directory holds and the kernels whatever their symbols name: every kernel
of ours is elubench::cuda::kernel<Body, T>, and Body names the variant and the activation
(vectorized<act::gelu_backward>, bias_add), so nothing here lists activations or kernels.
For every kernel on both architectures it reports
  - instructions per element in the main loop: the SASS instructions (NOPs left out) between the
    loop head and its backward branch, plus the body of any subroutine called there (except the
    slow path of an IEEE float division or reciprocal, which only denormal or huge operands take:
    its call is counted, its body not), divided by the elements one thread finishes per iteration (16-byte
    stores x elements per 16 bytes).
    The count is static: a branch inside the loop counts both of its sides, which is what a warp
    with mixed signs executes. Per-thread count = warp-instructions per element of a warp;
  - registers, stack, local memory and spill instructions (STL/LDL);
  - blocks of 256 threads per SM that the registers allow (64 K registers, 2048 threads per SM on
    sm_80 and sm_90; no kernel uses shared memory).
--check fails (exit 1) unless every streaming kernel has 16-byte loads and stores in its main
loop and no stack, local memory or spill on either architecture, and the budgeted kernels stay
within their sm_90 budgets. A missing cuobjdump is a failure, never a skip: the
install script puts one into .venv (PyPI wheel nvidia-cuda-cuobjdump) on every machine that runs
the tests, so a skip could only hide a broken install.
"""
from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCALAR_BODIES = {"naive"}  # one element per thread by design; every other body streams 16-byte Packs
ARCHS = ["sm_90", "sm_80"]
THREADS = 256
README_BEGIN = "<!-- sass-table:begin (scripts/sass_table.py) -->"
README_END = "<!-- sass-table:end -->"


@dataclass
class Kernel:
    file: str
    arch: str
    name: str  # short: body<activation,dtype>, e.g. vectorized<elu_backward,f16>, bias_add<f32>
    body: str = ""  # the variant's body: naive, vectorized, fused_bias, bias_add, act_in_place, ...
    activation: str = ""  # as in the registry (elu, elu_backward, ...); "" for a body without one
    regs: int = 0
    stack: int = 0
    local: int = 0
    shared: int = 0
    spill_insts: int = 0
    loop_insts: int = 0
    loop_wide_loads: int = 0
    loop_wide_stores: int = 0
    loop_calls: int = 0
    elems_per_iter: int = 0
    sass: list = field(default_factory=list, repr=False)

    @property
    def per_elem(self) -> float | None:
        return self.loop_insts / self.elems_per_iter if self.elems_per_iter else None

    @property
    def blocks_per_sm(self) -> int:
        return blocks_per_sm(self.regs, self.shared)


def blocks_per_sm(regs: int, shared: int = 0) -> int:
    """sm_80/sm_90: registers are given per warp in units of 256, 64 K per SM, 2048 threads per
    SM, 32 blocks per SM; 256-thread blocks = 8 warps."""
    warps_per_block = THREADS // 32
    per_warp = -(-max(regs, 1) * 32 // 256) * 256
    by_regs = (65536 // per_warp) // warps_per_block
    limit = min(by_regs, 2048 // THREADS, 32)
    if shared:
        limit = min(limit, (228 * 1024) // shared)
    return limit


# --- parsing ---------------------------------------------------------------------------------

DTYPES = [("13__nv_bfloat16", "bf16", 2), ("6__half", "f16", 2)]


def _source_name(mangled: str, pos: int) -> tuple[str, int]:
    """The <length><identifier> of an Itanium-mangled name at pos: (identifier, end)."""
    m = re.compile(r"(\d+)").match(mangled, pos)
    if not m:
        return "", pos
    n = int(m.group(1))
    return mangled[m.end(): m.end() + n], m.end() + n


def parse_kernel(mangled: str) -> tuple[str, str, str, int]:
    """(body, activation, dtype, element bytes) of elubench::cuda::kernel<Body, T>, where Body is
    body<act::activation> or a plain body (bias_add, copy_bits); ("", "", dtype, size) for any
    other symbol."""
    dtype, size = "f32", 4
    for key, name, s in DTYPES:
        if key in mangled:
            dtype, size = name, s
    m = re.search(r"6kernelI(?:N?(?:S\d*_)*)", mangled)
    if not m:
        return "", "", dtype, size
    body, end = _source_name(mangled, m.end())
    act = ""
    am = re.compile(r"I(?:N?(?:S\d*_)*)3act").match(mangled, end)
    if am:
        act, _ = _source_name(mangled, am.end())
    return body, act, dtype, size


def short_name(mangled: str) -> tuple[str, str, int]:
    """(body<activation,dtype>, dtype, element bytes) from an Itanium-mangled kernel name."""
    body, act, dtype, size = parse_kernel(mangled)
    parts = [p for p in (act, dtype) if p]
    return f"{body or mangled}<{','.join(parts)}>", dtype, size


INST_RE = re.compile(r"/\*([0-9a-f]{4,})\*/\s+(.*?)\s*;")


def parse_sass(text: str) -> dict[str, list[tuple[int, str]]]:
    """Function name -> [(address, instruction text)]."""
    funcs: dict[str, list[tuple[int, str]]] = {}
    cur = None
    for line in text.splitlines():
        m = re.search(r"Function : (\S+)", line)
        if m:
            cur = funcs.setdefault(m.group(1), [])
            continue
        m = INST_RE.search(line)
        if m and cur is not None:
            cur.append((int(m.group(1), 16), m.group(2)))
    return funcs


def parse_res_usage(text: str) -> dict[str, dict[str, int]]:
    out, cur = {}, None
    for line in text.splitlines():
        m = re.search(r"Function (\S+):", line)
        if m:
            cur = m.group(1)
            continue
        if cur and "REG:" in line:
            out[cur] = {k: int(v) for k, v in re.findall(r"(\w+):(\d+)", line)}
            cur = None
    return out


def opcode(inst: str) -> str:
    return re.sub(r"^@!?U?P\w+\s+", "", inst).split()[0] if inst.strip() else ""


def branch_target(inst: str) -> int | None:
    m = re.search(r"\b(?:BRA|CALL\.REL(?:\.NOINC)?)\b.*?\b0x([0-9a-f]+)", inst)
    return int(m.group(1), 16) if m else None


def main_loop(insts: list[tuple[int, str]], elem_bytes: int) -> dict:
    """The loop with the most 16-byte stores (the main loop), among equals the one with the most
    16-byte loads (fused_bias: the path that reads the bias as 16-byte Packs, cols a multiple of
    the width), then the shortest; as counts: instructions (+ called subroutines), 16-byte
    loads/stores, calls."""
    addr_index = {a: i for i, (a, _) in enumerate(insts)}
    best = None
    for i, (a, inst) in enumerate(insts):
        t = branch_target(inst)
        if t is None or t > a or not opcode(inst).startswith("BRA") or t not in addr_index:
            continue
        body = insts[addr_index[t]: i + 1]
        stores = sum(1 for _, s in body if opcode(s).startswith("STG") and ".128" in opcode(s))
        loads = sum(1 for _, s in body if opcode(s).startswith("LDG") and ".128" in opcode(s))
        key = (stores, loads, -len(body))
        if stores and (best is None or key > best[0]):
            best = (key, body)
    if best is None:
        return {"insts": 0, "wide_loads": 0, "wide_stores": 0, "calls": 0, "slow_paths": 0, "elems": 0}
    body = best[1]
    count = sum(1 for _, s in body if opcode(s) != "NOP")
    calls = 0
    end = body[-1][0]
    slow_paths = 0
    for j, (_, s) in enumerate(body):
        # A CALL.REL.NOINC to just past the loop's backward branch is how nvcc leaves a loop
        # (a jump that keeps the convergence state), not a call.
        if not opcode(s).startswith("CALL") or end < branch_target(s) <= end + 0x20:
            continue
        # IEEE float division and reciprocal: the inline path handles every operand but the
        # denormal or huge ones, which branch to a float subroutine; its body is not counted per
        # element. A 64-bit integer division routine (I2F.U64.RP: its reciprocal estimate) is.
        if is_float_slow_path(insts, branch_target(s)):
            slow_paths += 1
            continue
        calls += 1
        count += subroutine_size(insts, branch_target(s))
    wide_stores = best[0][0]
    wide_loads = best[0][1]
    return {"insts": count, "wide_loads": wide_loads, "wide_stores": wide_stores, "calls": calls,
            "slow_paths": slow_paths, "elems": wide_stores * (16 // elem_bytes)}


def subroutine(insts, start) -> list[str]:
    out, inside = [], False
    for a, s in insts:
        if a == start:
            inside = True
        if inside and opcode(s) != "NOP":
            out.append(s)
            if opcode(s).startswith("RET"):
                break
    return out


def is_float_slow_path(insts, start) -> bool:
    ops = [opcode(s) for s in subroutine(insts, start)]
    return not any(o.startswith("I2F") for o in ops) and any(o.startswith(("FFMA", "MUFU.RCP")) for o in ops)


def subroutine_size(insts, start) -> int:
    n, inside = 0, False
    for a, s in insts:
        if a == start:
            inside = True
        if inside and opcode(s) != "NOP":
            n += 1
            if opcode(s).startswith("RET"):
                break
    return n


# --- tools -----------------------------------------------------------------------------------

def find_cuobjdump(explicit: str | None) -> str:
    """The toolkit's cuobjdump when present, else the PyPI wheel's in .venv."""
    cands = [explicit] if explicit else []
    cands += [shutil.which("cuobjdump"), "/usr/local/cuda/bin/cuobjdump"]
    cands += sorted(glob.glob(os.path.join(ROOT, ".venv/lib/python3*/site-packages/nvidia/cu*/bin/cuobjdump")))
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    raise SystemExit("sass_table.py: no cuobjdump: neither the CUDA toolkit's nor .venv's "
                     "(run scripts/install_deps.sh: it installs the nvidia-cuda-cuobjdump wheel)")


def run_tool(cuobjdump: str, flag: str, path: str) -> str:
    env = dict(os.environ)
    # cuobjdump -sass runs nvdisasm from PATH; the wheels put both in the same bin folder.
    env["PATH"] = os.path.dirname(cuobjdump) + os.pathsep + env.get("PATH", "")
    r = subprocess.run([cuobjdump, flag, path], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit(f"sass_table.py: {os.path.basename(cuobjdump)} {flag} {path} failed: "
                         f"{(r.stderr or r.stdout).strip()}")
    return r.stdout


def cubin_files(cubin_dir: str) -> list[str]:
    """The kernel files the build compiled: <file> of every <file>.<arch>.cubin, each required on
    every architecture of ARCHS."""
    names = {os.path.basename(p).split(".")[0] for p in glob.glob(os.path.join(cubin_dir, "*.sm_*.cubin"))}
    if not names:
        raise SystemExit(f"sass_table.py: no cubins in {cubin_dir} (built by target elubench_sass)")
    return sorted(names)


def analyse(cubin_dir: str, cuobjdump: str) -> list[Kernel]:
    kernels = []
    for f in cubin_files(cubin_dir):
        for arch in ARCHS:
            path = os.path.join(cubin_dir, f"{f}.{arch}.cubin")
            if not os.path.isfile(path):
                raise SystemExit(f"sass_table.py: missing {path} (built by target elubench_sass)")
            funcs = parse_sass(run_tool(cuobjdump, "-sass", path))
            usage = parse_res_usage(run_tool(cuobjdump, "-res-usage", path))
            if not funcs:
                raise SystemExit(f"sass_table.py: no kernels in {path}")
            for mangled, insts in funcs.items():
                body, act, _, _ = parse_kernel(mangled)
                name, _, size = short_name(mangled)
                u = usage.get(mangled, {})
                loop = main_loop(insts, size)
                kernels.append(Kernel(
                    f, arch, name, body=body, activation=act, regs=u.get("REG", 0), stack=u.get("STACK", 0),
                    local=u.get("LOCAL", 0), shared=u.get("SHARED", 0),
                    spill_insts=sum(1 for _, s in insts if opcode(s).split(".")[0] in ("STL", "LDL")),
                    loop_insts=loop["insts"], loop_wide_loads=loop["wide_loads"],
                    loop_wide_stores=loop["wide_stores"], loop_calls=loop["calls"],
                    elems_per_iter=loop["elems"], sass=insts))
    return kernels


# --- budgets and checks ----------------------------------------------------------------------

# sm_90 main-loop budgets in instructions per element: 4.8 TB/s at 1.98 GHz on 132 SMs
# leaves about 28 per element for a 16-bit type.
BUDGETS = [
    (re.compile(r"^vectorized<elu,(f16|bf16)>$"), 28.0, "accurate ELU, 16-bit"),
    (re.compile(r"^fast<elu,(f16|bf16)>$"), 20.0, "fast ELU, 16-bit"),
    (re.compile(r"^fused_bias<elu,(f16|bf16)>$"), 30.0, "fused-bias ELU, 16-bit"),
]


def budget_of(k: Kernel) -> float | None:
    for rx, b, _ in BUDGETS:
        if k.arch == "sm_90" and rx.match(k.name):
            return b
    return None


def problems(kernels: list[Kernel]) -> list[str]:
    bad = []
    for k in kernels:
        where = f"{k.arch} {k.file}: {k.name}"
        if k.stack or k.local or k.spill_insts:
            bad.append(f"{where}: stack {k.stack} B, local {k.local} B, {k.spill_insts} STL/LDL (spill or local array)")
        if not k.body:
            bad.append(f"{where}: not an elubench::cuda::kernel<Body, T> symbol, so its variant and activation "
                       "are unknown (every kernel of ours runs a body through launch.cuh's kernel)")
        elif k.body not in SCALAR_BODIES:
            if k.loop_wide_loads < 4 or k.loop_wide_stores < 4:
                bad.append(f"{where}: main loop has {k.loop_wide_loads} LDG.E.128 / {k.loop_wide_stores} "
                           "STG.E.128, expected >= 4 of each (kUnroll 16-byte accesses in flight)")
            if k.loop_calls and k.body == "fused_bias":
                bad.append(f"{where}: {k.loop_calls} subroutine call(s) in the main loop (a 64-bit division per pack?)")
        b = budget_of(k)
        if b is not None and (k.per_elem is None or k.per_elem > b):
            bad.append(f"{where}: {k.per_elem} instructions per element in the main loop, budget {b}")
    return bad


# --- output ----------------------------------------------------------------------------------

def fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def markdown(kernels: list[Kernel]) -> str:
    by = {(k.file, k.name, k.arch): k for k in kernels}
    rows = sorted({(k.file, k.name) for k in kernels})
    out = ["| file | kernel | sm_90 inst/elem | sm_90 regs | sm_90 blocks/SM | sm_80 inst/elem | sm_80 regs "
           "| sm_80 blocks/SM | stack, local, spill |",
           "|---|---|--:|--:|--:|--:|--:|--:|--:|"]
    for f, name in rows:
        k9, k8 = by[(f, name, "sm_90")], by[(f, name, "sm_80")]
        b = budget_of(k9)
        per9 = fmt(k9.per_elem) + (f" (≤ {b:g})" if b else "")
        spill = "; ".join(f"{k.arch}: {k.stack} B stack, {k.local} B local, {k.spill_insts} STL/LDL"
                          for k in (k9, k8) if k.stack or k.local or k.spill_insts) or "none"
        out.append(f"| {f} | `{name}` | {per9} | {k9.regs} | {k9.blocks_per_sm} | {fmt(k8.per_elem)} | {k8.regs} "
                   f"| {k8.blocks_per_sm} | {spill} |")
    return "\n".join(out) + "\n"


def update_readme(path: str, table: str) -> None:
    text = open(path, encoding="utf-8").read()
    if README_BEGIN not in text or README_END not in text:
        raise SystemExit(f"sass_table.py: {path} has no {README_BEGIN} ... {README_END} markers")
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(head + README_BEGIN + "\n" + table + README_END + tail)
    os.replace(tmp, path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 usage="%(prog)s CUBIN_DIR [--check] [--markdown] [--readme docs/sass.md]")
    ap.add_argument("cubin_dir")
    ap.add_argument("--check", action="store_true", help="exit 1 on a missing 16-byte loop, a spill or a budget")
    ap.add_argument("--markdown", action="store_true", help="print the Markdown table only")
    ap.add_argument("--readme", help="rewrite the table between the sass-table markers of this file")
    ap.add_argument("--cuobjdump", help="cuobjdump to use (default: toolkit's, else .venv's)")
    args = ap.parse_args(argv)
    tool = find_cuobjdump(args.cuobjdump)
    kernels = analyse(args.cubin_dir, tool)
    table = markdown(kernels)
    if args.readme:
        update_readme(args.readme, table)
    if not args.markdown:
        print(f"cuobjdump: {tool}")
    print(table, end="")
    if args.check:
        bad = problems(kernels)
        for b in bad:
            print("FAIL:", b)
        if bad:
            return 1
        print(f"OK: {len(kernels)} kernels on {'/'.join(ARCHS)}: 16-byte main loops, no spill or local memory, "
              "budgets held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
