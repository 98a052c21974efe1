"""results_load reads the rows of a results file with orjson a run of rows at a time and
results_schema shapes them column by column. Both must be invisible: every document reads exactly as
the standard library's parser and the row-by-row shapes read it, and a bad file fails with the
same one line, naming the same row. CHUNK_CHARS is made small here so that a small file is cut
into many runs, some of them at the places where a cut must be refused (a "},{" in a string)."""

import copy
import json
import re

import pytest

import results_load
import results_schema
import script_io
from conftest import make_run

pytestmark = pytest.mark.skipif(results_load.orjson is None or results_schema.np is None, reason="orjson or numpy missing")


def big_doc():
    doc = make_run(seed=7, dtypes=("f32", "f16", "bf16"), threads=(1, 2), sizes=tuple(2 ** k for k in range(10, 25)))
    rows = doc["results"]
    # Texts that look like a row boundary or the array's end, inside strings and a nested array.
    rows[5].update(status="skipped", reason='needs {"a": 1},{"b": 2}] and },{', time_s=None, gbps=None,
                   elements_per_s=None, accuracy=None)
    rows[9]["accuracy"]["tolerance"] = "<= 2 ULP },{ \u00e9\u4e2d"  # non-ASCII too
    return doc


def both(monkeypatch, path):
    """(what the fast path reads or says, what the standard library's path reads or says)."""
    out = []
    for fast in (True, False):
        with monkeypatch.context() as m:
            m.setattr(results_load, "CHUNK_CHARS", 3000)
            if not fast:
                m.setattr(results_load, "orjson", None)
                m.setattr(results_schema, "np", None)
            try:
                out.append(results_load.load_results(path))
            except script_io.InputError as e:
                out.append(str(e))
    return out


def test_good_file_reads_the_same(write, monkeypatch):
    doc = big_doc()
    path = write(doc, "good.json")
    assert len(path.read_text()) > 20 * 3000  # many runs of 3000 characters
    fast, slow = both(monkeypatch, path)
    assert fast == slow == json.loads(path.read_text())


def test_pretty_printed_file_reads_the_same(tmp_path, monkeypatch):
    path = tmp_path / "pretty.json"
    path.write_text(json.dumps(big_doc(), indent=2))
    fast, slow = both(monkeypatch, path)
    assert fast == slow == json.loads(path.read_text())


BAD = {  # case -> (the edit, the row the message must name)
    "value check": (lambda rows: rows[40]["time_s"].update(median=1e9), 40),
    "schema": (lambda rows: rows[41].pop("gbps"), 41),
    "both, value check first": (lambda rows: (rows[60]["time_s"].update(median=1e9), rows[61].update(dtype="f64")), 60),
    "both, schema first": (lambda rows: (rows[60].update(dtype="f64"), rows[61]["time_s"].update(median=1e9)), 60),
    "the last row": (lambda rows: rows[-1].update(n=-5), -1),
    "a row not an object": (lambda rows: rows.insert(70, [1, 2]), 70),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_row_named_the_same(write, monkeypatch, case):
    doc = copy.deepcopy(big_doc())
    edit, row = BAD[case]
    edit(doc["results"])
    fast, slow = both(monkeypatch, write(doc, "bad.json"))
    assert isinstance(fast, str) and fast == slow
    assert re.search(rf"results/{row % len(doc['results'])}(?!\d)", fast), fast


def plant(write, text):
    """A copy of big_doc() whose row 29 has `text` as its reason."""
    path = write(big_doc(), "odd.json")
    raw = path.read_text()
    path.write_text(raw.replace('"reason": null', '"reason": ' + text, 30).replace('"reason": ' + text, '"reason": null', 29))
    return path


@pytest.mark.parametrize("text", ["NaN", "1e999", '"\\ud800"', '"\\ud83d\\ude00 \u00e9"', "[[[[[[]]]]]]"])
def test_what_orjson_refuses_falls_back(write, monkeypatch, text):
    """orjson refuses these runs of rows (or reads them as the standard library does); the
    standard library reads them (the lone surrogate) or names them (NaN, 1e999) as it always did."""
    fast, slow = both(monkeypatch, plant(write, text))
    assert fast == slow


def test_integer_over_64_bits_is_the_one_difference(write, monkeypatch):
    """orjson reads an integer of 20+ digits as a float (no field of a results file holds one):
    a file with one still fails at the same place, the number spelled as a float."""
    fast, slow = both(monkeypatch, plant(write, "123456789012345678901234567890"))
    assert fast.replace("1.2345678901234568e+29", "123456789012345678901234567890") == slow


CEILINGS_BAD = {  # the ceilings are shaped column-wise too (90 of them here)
    "schema": (lambda c: c[50].pop("gbps"), "ceilings/50"),
    "zero median first": (lambda c: (c[40].update(median_s=0.0), c[50].pop("gbps")), "ceilings/40"),
    "schema first": (lambda c: (c[40].pop("gbps"), c[50].update(median_s=0.0)), "ceilings/40"),
}


@pytest.mark.parametrize("case", CEILINGS_BAD)
def test_bad_ceiling_named_the_same(write, monkeypatch, case):
    doc = big_doc()
    assert len(doc["ceilings"]) >= 64
    edit, where = CEILINGS_BAD[case]
    edit(doc["ceilings"])
    fast, slow = both(monkeypatch, write(doc, "bad.json"))
    assert isinstance(fast, str) and fast == slow
    assert re.search(rf"{where}(?!\d)", fast), fast
