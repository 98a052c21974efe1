"""sass_table.py: the main-loop finder, the per-element count, the blocks-per-SM arithmetic and
the checks, on hand-written SASS in cuobjdump's layout (the real cubins are checked by the CTest
test cuda_sass; these fixtures are test inputs, not compiler output).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import sass_table  # noqa: E402

# elubench::cuda::kernel<elubench::cuda::vectorized<elubench::cuda::act::elu>, __half>
F16_KERNEL = "_ZN8elubench4cuda6kernelINS0_10vectorizedINS0_3act3eluEEE6__halfEEvNS0_4ArgsIT0_EE"


def sass(function: str, body: list[str]) -> str:
    lines = ["\tcode for sm_90", f"\t\tFunction : {function}"]
    for i, inst in enumerate(body):
        lines.append(f"        /*{i * 16:04x}*/                   {inst} ;   /* 0x000 */")
        lines.append("                                                      /* 0x000 */")
    return "\n".join(lines) + "\n"


def loop_kernel(extra_in_loop: list[str], call_exit: bool = False) -> list[str]:
    pre = ["MOV R1, c[0x0][0x28]", "ISETP.GE.AND P0, PT, R0, RZ, PT"]  # 0x00, 0x10
    body = ["LDG.E.128 R4, desc[UR4][R2.64]"] * 4 + extra_in_loop + ["STG.E.128 desc[UR4][R8.64], R4"] * 4
    start = len(pre) * 16
    end_addr = (len(pre) + len(body) + (2 if call_exit else 1)) * 16
    tail = ([f"@!P0 CALL.REL.NOINC 0x{end_addr:x}", f"BRA 0x{start:x}"] if call_exit
            else [f"@!P0 BRA 0x{start:x}"])
    return pre + body + tail + ["EXIT", "BRA 0x0", "NOP"]


def test_main_loop_counts_instructions_per_element():
    insts = sass_table.parse_sass(sass(F16_KERNEL, loop_kernel(["FADD R4, R4, 1"] * 15)))[F16_KERNEL]
    loop = sass_table.main_loop(insts, 2)
    # 4 loads + 15 math + 4 stores + the backward branch = 24 instructions for 4 x 8 halves.
    assert loop["insts"] == 24 and loop["elems"] == 32
    assert loop["wide_loads"] == 4 and loop["wide_stores"] == 4 and loop["calls"] == 0


def test_loop_exit_call_is_not_a_subroutine():
    insts = sass_table.parse_sass(sass(F16_KERNEL, loop_kernel(["FADD R4, R4, 1"], call_exit=True)))[F16_KERNEL]
    loop = sass_table.main_loop(insts, 2)
    assert loop["calls"] == 0
    assert loop["insts"] == 4 + 1 + 4 + 2


def test_subroutine_call_in_loop_is_counted_with_its_body():
    body = loop_kernel(["CALL.REL.NOINC 0x%x" % (0x10 * 16), "FADD R4, R4, 1"])
    body += ["I2F.U64.RP R0, R8", "IADD3 R0, R0, 1, RZ", "RET.REL.NODEC R4 0x0"]  # 0x100..0x120: a 64-bit division
    assert body[16].startswith("I2F")
    insts = sass_table.parse_sass(sass(F16_KERNEL, body))[F16_KERNEL]
    loop = sass_table.main_loop(insts, 2)
    assert loop["calls"] == 1
    assert loop["insts"] == 4 + 2 + 4 + 1 + 3


def test_short_names_and_dtypes():
    assert sass_table.short_name(F16_KERNEL)[:2] == ("vectorized<elu,f16>", "f16")
    bf = "_ZN8elubench4cuda6kernelINS0_8bias_addE13__nv_bfloat16EEvNS0_4ArgsIT0_EE"
    assert sass_table.short_name(bf) == ("bias_add<bf16>", "bf16", 2)
    f32 = "_ZN8elubench4cuda6kernelINS0_9copy_bitsEfEEvNS0_4ArgsIT0_EE"
    assert sass_table.short_name(f32) == ("copy_bits<f32>", "f32", 4)


def test_activation_names_come_from_the_symbol():
    # An activation the script has never heard of, with underscores, in a backward body.
    m = "_ZN8elubench4cuda6kernelINS0_10vectorizedINS0_3act26new_activation_12_backwardEEEfEEvNS0_4ArgsIT0_EE"
    assert sass_table.parse_kernel(m) == ("vectorized", "new_activation_12_backward", "f32", 4)
    assert sass_table.parse_kernel("_Z9somethingPf")[:2] == ("", "")


def test_cubin_files_are_what_the_build_left(tmp_path):
    for name in ("vectorized.sm_90.cubin", "vectorized.sm_80.cubin", "naive.sm_90.cubin", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    assert sass_table.cubin_files(str(tmp_path)) == ["naive", "vectorized"]


def test_blocks_per_sm_from_registers():
    # 256 threads = 8 warps; a warp's registers in units of 256 out of 64 K; at most 8 blocks.
    assert [sass_table.blocks_per_sm(r) for r in (16, 32, 40, 48, 56, 64, 72, 128)] == [8, 8, 6, 5, 4, 4, 3, 2]


def test_checks_flag_spills_narrow_loops_and_budgets():
    k = sass_table.Kernel("vectorized", "sm_90", "vectorized<elu,f16>", body="vectorized", activation="elu",
                          regs=40, loop_insts=30 * 32,
                          loop_wide_loads=4, loop_wide_stores=4, elems_per_iter=32)
    bad = sass_table.problems([k])
    assert len(bad) == 1 and "budget 28" in bad[0]
    k.loop_insts = 20 * 32
    assert sass_table.problems([k]) == []
    k.stack, k.spill_insts = 8, 2
    assert "stack 8 B" in sass_table.problems([k])[0]
    k.stack = k.spill_insts = 0
    k.loop_wide_stores = 1
    assert "STG.E.128" in sass_table.problems([k])[0]
    k.loop_wide_stores = 4
    k.body = ""
    assert "not an elubench::cuda::kernel" in sass_table.problems([k])[0]


def test_float_division_slow_path_is_not_counted_per_element():
    # FCHK, then a predicated branch around the call: the slow path runs for rare operands only.
    body = loop_kernel(["FCHK P1, R4, R5", "@!P1 BRA 0x%x" % (0xa * 16), "CALL.REL.NOINC 0x%x" % (0x11 * 16)])
    body += ["MUFU.RCP R3, R5", "FFMA R4, R3, R4, RZ", "RET.REL.NODEC R4 0x0"]  # 0x110..
    insts = sass_table.parse_sass(sass(F16_KERNEL, body))[F16_KERNEL]
    loop = sass_table.main_loop(insts, 2)
    assert loop["calls"] == 0 and loop["slow_paths"] == 1
    assert loop["insts"] == 4 + 3 + 4 + 1
