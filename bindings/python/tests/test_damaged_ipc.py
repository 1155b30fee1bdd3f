"""Corrupted pickles of result tables: ``ArrowTable.from_ipc`` (what
unpickling calls) on truncated, bit-flipped or huge-length bytes raises a
``CrmError`` that is a ``ValueError`` (rule ``well_formed``), never aborts
the interpreter, never allocates what a corrupted length asks for, and never
prints a panic on stderr."""

from __future__ import annotations

import pickle
import struct
import subprocess
import sys
import textwrap

import crm_engine as crm
import numpy as np
import pyarrow as pa
import pytest
from crm_engine._crm_engine import ArrowTable
from hypothesis import given, settings
from hypothesis import strategies as st


def _table() -> ArrowTable:
    c = crm.classify(
        {"id": np.arange(40), "v": np.linspace(1.0, 80.0, 40)}, customer="id", value="v"
    )
    return c.tiers._table


TABLE = _table()
BLOB = TABLE.to_ipc()


def _outcome_is_a_table_or_a_crm_error(data: bytes) -> None:
    try:
        t = ArrowTable.from_ipc(data)
    except crm.CrmError as e:
        assert isinstance(e, ValueError)
        assert e.rule == "well_formed", e
        assert "damaged Arrow IPC data" in str(e)
    else:
        assert ArrowTable.from_ipc(t.to_ipc()) == t


def test_the_intact_blob_round_trips() -> None:
    t = ArrowTable.from_ipc(BLOB)
    assert t == TABLE and pa.table(t).equals(pa.table(TABLE))


def test_every_truncation_is_a_crm_error() -> None:
    for n in range(len(BLOB)):
        with pytest.raises(crm.InvalidValueError, match="damaged Arrow IPC data"):
            ArrowTable.from_ipc(BLOB[:n])


@settings(max_examples=300, deadline=None)
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(BLOB) - 1), st.integers(0, 7)), min_size=1, max_size=5
    )
)
def test_bit_flipped_blobs_are_a_table_or_a_crm_error(flips: list[tuple[int, int]]) -> None:
    data = bytearray(BLOB)
    for i, bit in flips:
        data[i] ^= 1 << bit
    _outcome_is_a_table_or_a_crm_error(bytes(data))


@settings(max_examples=300, deadline=None)
@given(
    at=st.integers(0, len(BLOB) - 8),
    word=st.sampled_from([2**64 - 1, 2**63 - 1, 140 * 10**12, 2**31 - 1, 2**32 - 1]),
)
def test_a_huge_length_anywhere_is_a_crm_error_not_an_allocation(at: int, word: int) -> None:
    data = bytearray(BLOB)
    data[at : at + 8] = struct.pack("<Q", word)
    _outcome_is_a_table_or_a_crm_error(bytes(data))


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_are_a_table_or_a_crm_error(data: bytes) -> None:
    _outcome_is_a_table_or_a_crm_error(data)


def test_a_corrupted_pickle_raises_a_crm_error_and_prints_no_panic() -> None:
    # In a child interpreter: an abort there cannot take the test run down,
    # and its stderr shows whether a panic was printed.
    c = crm.classify({"id": np.arange(5), "v": np.ones(5)}, customer="id", value="v")
    good = pickle.dumps(c.tiers._table)
    blob = c.tiers._table.to_ipc()
    # Same-length damage inside the pickle: the first message's metadata
    # length set to 0x7FFFFFFF, and the second half of the stream zeroed.
    half = len(blob) // 2
    bad = [
        good.replace(blob, blob[:4] + struct.pack("<i", 0x7FFFFFFF) + blob[8:]),
        good.replace(blob, blob[:half] + bytes(len(blob) - half)),
    ]
    code = textwrap.dedent(
        """
        import pickle, sys
        import crm_engine as crm
        for data in {bad!r}:
            try:
                pickle.loads(data)
            except crm.CrmError as e:
                assert isinstance(e, ValueError) and e.rule == "well_formed", e
            else:
                raise SystemExit("no error")
        print("ok")
        """
    ).format(bad=bad)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
    assert "panicked" not in out.stderr
