#!/usr/bin/env python3
"""Where the constants of kernels/cpu/expm1_forms.hpp come from (a development tool, not run by
the build or CI; numpy from .venv).

For a table of L entries, the reduced argument is |t| <= ln2 / 2L, and e^t - 1 ~ t + t^2 Q(t).
fit() finds Q's coefficients (highest degree first, down to c2) that minimize the maximum
relative error of that approximation (Lawson's iteratively reweighted least squares towards the
minimax fit), rounds them to float and reports the relative error with the float coefficients;
--absolute minimizes the absolute error instead (the form for `fast`, whose bound near 0 is an
absolute one). table() prints the table of 2^(k/L) in the layout the kernels add the exponent to:
bits(float(2^(k/L))) - (k << (23 - log2 L)).

usage: fit_expm1.py [--absolute] L DEGREE [L DEGREE ...]     e.g. fit_expm1.py 1 6 1 3 8 4
       fit_expm1.py --table L
"""
import sys
from decimal import Decimal, getcontext

import numpy as np

getcontext().prec = 60


def q_target(t):
    """(e^t - 1 - t) / t^2 by its series: no cancellation for small t."""
    total, term = np.zeros_like(t), np.full_like(t, 0.5)
    for k in range(2, 30):
        total += term
        term = term * t / (k + 1)
    return total


def fit(entries, degree, absolute=False, points=20001, rounds=400):
    """Q's float coefficients, highest first, and the max error of t + t^2 Q with them."""
    half = np.log(2.0) / (2 * entries) * (1 + 2**-10)  # a little past the range: N is rounded
    t = np.linspace(-half, half, points)
    t = t[np.abs(t) > 1e-12]
    weight = t * t if absolute else t * t / np.abs(np.expm1(t))
    target = q_target(t)
    powers = np.vstack([t**k for k in range(degree - 1)]).T  # c2 + c3 t + ...
    lawson = np.ones_like(t)
    for _ in range(rounds):
        w = np.sqrt(lawson) * weight
        coefficients, *_ = np.linalg.lstsq(powers * w[:, None], target * w, rcond=None)
        lawson *= np.abs((powers @ coefficients - target) * weight)
        lawson /= lawson.sum()
    rounded = coefficients.astype(np.float32)
    error = np.abs((powers @ rounded.astype(np.float64) - target) * weight).max()
    return rounded[::-1], error


def table(entries):
    """The table's bits in the kernels' layout."""
    shift = 23 - (entries.bit_length() - 1)
    out = []
    for k in range(entries):
        value = np.float32(float(Decimal(2) ** (Decimal(k) / Decimal(entries))))
        out.append(int(value.view(np.uint32)) - (k << shift))
    return out


def main(argv):
    if argv[:1] == ["--table"] and len(argv) == 2:
        print(", ".join(f"0x{b:08X}u" for b in table(int(argv[1]))))
        return 0
    absolute = argv[:1] == ["--absolute"]
    args = argv[1:] if absolute else argv
    if not args or len(args) % 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    for entries, degree in zip(map(int, args[::2]), map(int, args[1::2])):
        coefficients, error = fit(entries, degree, absolute)
        kind = "absolute" if absolute else "relative"
        print(f"L={entries} p{degree}: {kind} error {error:.3g} (2^{np.log2(error):.2f})")
        print("  {" + ", ".join(f"{float(c).hex()}f" for c in coefficients) + "}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
