"""scripts/idx_reader.py: the IDX format read exactly, and every malformed file refused with one
line and exit 2 (truncated, wrong magic, trailing bytes, damaged gzip). Hypothesis drives the
parser with arbitrary bytes and round-trips arbitrary well-formed files. ~2 s."""

from __future__ import annotations

import gzip
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SCRIPTS

import idx_reader as idx

FASHION = Path("/usr/share/datasets/fashion-mnist")


def images(n=3, rows=2, cols=2):
    return idx.encode_idx(0x08, (n, rows, cols), bytes(range(n * rows * cols)))


def cli(*paths):
    return subprocess.run([sys.executable, str(SCRIPTS / "idx_reader.py"), *map(str, paths)],
                          capture_output=True, text=True, timeout=60)


def assert_one_line_exit_2(r, *words):
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_reads_what_the_header_says():
    got = idx.parse_idx(images())
    assert got.type_code == 0x08 and got.dims == (3, 2, 2)
    assert got.array().tolist() == np.arange(12, dtype=np.uint8).reshape(3, 2, 2).tolist()


def test_big_endian_types_come_back_native():
    vals = np.array([[1.5, -2.25], [1e30, 0.0]], dtype=">f4")
    got = idx.parse_idx(idx.encode_idx(0x0D, (2, 2), vals.tobytes()))
    assert got.array().dtype.byteorder in ("=", "<", "|") and got.array().tolist() == vals.tolist()


# name -> (bytes of the file, a word the one line must contain)
BAD = {
    "empty": (b"", "truncated IDX header"),
    "three bytes": (b"\x00\x00\x08", "truncated IDX header"),
    "wrong magic (PNG)": (b"\x89PNG\r\n\x1a\n" + bytes(40), "not an IDX file"),
    "wrong magic (type 0x07)": (b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00", "not an IDX file"),
    "zero dimensions": (b"\x00\x00\x08\x00", "0 dimensions"),
    "header cut in the dims": (b"\x00\x00\x08\x03" + struct.pack(">I", 3), "truncated IDX header"),
    "truncated values": (images()[:-1], "truncated"),
    "trailing bytes": (images() + b"\x00", "bytes after"),
    "header claims 4 GiB": (b"\x00\x00\x08\x02" + struct.pack(">II", 65536, 65536), "over"),
}


def write_both(tmp_path, data):
    """The file plain and gzipped (as Debian ships the dataset)."""
    plain, gz = tmp_path / "bad-idx1-ubyte", tmp_path / "bad-idx1-ubyte.gz"
    plain.write_bytes(data)
    gz.write_bytes(gzip.compress(data))
    return plain, gz


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_file_is_refused_with_one_line(tmp_path, case):
    data, word = BAD[case]
    for path in write_both(tmp_path, data):
        with pytest.raises(idx.IdxError) as e:
            idx.read_idx(path)
        assert str(e.value).startswith(f"{path}: ") and word in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("case", ["truncated values", "wrong magic (PNG)"])
def test_malformed_file_cli_exit_2(tmp_path, case):
    data, word = BAD[case]
    for path in write_both(tmp_path, data):
        assert_one_line_exit_2(cli(path), str(path), word)


def test_damaged_gzip_and_non_files(tmp_path):
    cut = tmp_path / "cut.gz"
    cut.write_bytes(gzip.compress(images() * 50)[:30])
    assert_one_line_exit_2(cli(cut), "damaged gzip")
    notgz = tmp_path / "plain.gz"
    notgz.write_bytes(images())
    assert_one_line_exit_2(cli(notgz), "damaged gzip")
    assert_one_line_exit_2(cli(tmp_path / "missing"), "no such file")
    assert_one_line_exit_2(cli(tmp_path), "not a regular file")


def test_gzip_bomb_is_not_read_past_its_header(tmp_path):
    """A header claiming 12 bytes, then 8 MB of zeros: refused after reading 13 value bytes."""
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(gzip.compress(images() + bytes(8 << 20)))
    assert_one_line_exit_2(cli(bomb), "bytes after")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_parse_or_refuse_cleanly(data):
    """The parser never fails in any other way, and what it accepts re-encodes to the same bytes."""
    try:
        got = idx.parse_idx(data)
    except idx.IdxError as e:
        assert str(e).startswith("IDX data: ") and "\n" not in str(e)
        return
    assert idx.encode_idx(got.type_code, got.dims, got.payload) == data


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(idx.TYPES)), st.lists(st.integers(0, 5), min_size=1, max_size=4), st.data())
def test_well_formed_files_round_trip(code, dims, data):
    size = idx.payload_bytes(code, tuple(dims))
    payload = data.draw(st.binary(min_size=size, max_size=size))
    encoded = idx.encode_idx(code, dims, payload)
    got = idx.parse_idx(encoded)
    assert (got.type_code, got.dims, got.payload) == (code, tuple(dims), payload)
    assert got.array().shape == tuple(dims)
    for cut in {0, len(encoded) // 2, len(encoded) - 1} - {len(encoded)}:
        if cut < len(encoded):
            with pytest.raises(idx.IdxError):
                idx.parse_idx(encoded[:cut])


@pytest.mark.skipif(not FASHION.is_dir(), reason=f"{FASHION} missing (Debian: dataset-fashion-mnist, "
                    "installed by scripts/install_deps.sh)")
def test_debian_fashion_mnist_files():
    r = cli(*sorted(FASHION.glob("*-ubyte.gz")))
    assert r.returncode == 0, r.stderr
    assert "train-images-idx3-ubyte.gz: type 0x08, dims 60000x28x28" in r.stdout
    assert "t10k-labels-idx1-ubyte.gz: type 0x08, dims 10000" in r.stdout
