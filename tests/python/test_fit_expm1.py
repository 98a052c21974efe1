"""kernels/cpu/fit_expm1.py reproduces the constants committed in kernels/cpu/expm1_forms.hpp
(the polynomials fitted there and the 8-entry table), so their provenance stays checkable."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
HEADER = (ROOT / "kernels/cpu/expm1_forms.hpp").read_text()


def load_fit():
    spec = importlib.util.spec_from_file_location("fit_expm1", ROOT / "kernels/cpu/fit_expm1.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def committed(struct):
    """The float coefficients of `struct Name { ... coefficients[] = {...} }` in the header."""
    body = re.search(r"struct " + struct + r" \{[^}]*?coefficients\[\] = \{([^}]*)\}", HEADER).group(1)
    return [float.fromhex(c.strip().rstrip("f")) for c in body.split(",") if c.strip()]


def test_the_fitted_polynomials_are_the_committed_ones():
    fit = load_fit()
    for struct, entries, degree, bound in [("Expm1Degree3", 1, 3, 2**-11), ("Expm1Lut8Degree4", 8, 4, 1e-8)]:
        coefficients, error = fit.fit(entries, degree)
        assert [float(c) for c in coefficients] == committed(struct), struct
        assert error < bound, (struct, error)


def test_the_table_is_the_committed_one():
    body = re.search(r"struct Expm1Lut8 \{.*?table\[8\] = \{([^}]*)\}", HEADER, re.S).group(1)
    assert load_fit().table(8) == [int(b.strip().rstrip("u"), 16) for b in body.split(",") if b.strip()]
    assert np.float32(1.0).view(np.uint32) == load_fit().table(8)[0]
