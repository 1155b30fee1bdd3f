"""The Python results equal the Rust results on the bundled CDNOW sample.

The Rust side is `examples/cdnow_reference.rs` of the binding crate: crm-io's
CSV reader and crm-core, no Arrow import, no Python. The test script sets
CRM_RUST_REFERENCE to its JSON output; without it the test runs cargo itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from decimal import Context, Decimal
from pathlib import Path
from typing import Any

import crm_engine as crm
import pyarrow as pa
import pytest
from conftest import CDNOW, ROOT, as_lib


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    path = os.environ.get("CRM_RUST_REFERENCE")
    if path:
        return dict(json.loads(Path(path).read_text()))
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.skip("no cargo and no CRM_RUST_REFERENCE")
    out = subprocess.run(
        [
            cargo,
            "run",
            "-q",
            "--release",
            "-p",
            "crm-engine-python",
            "--example",
            "cdnow_reference",
            "--",
            str(CDNOW),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout))


def test_summary_classification_and_rfm_equal_rust(
    reference: dict[str, Any], cdnow: pa.Table, lib: str
) -> None:
    data = as_lib(cdnow, lib)
    s = crm.summarize(
        data,
        customer="customer",
        time="date",
        amount="amount",
        quantity="cds",
        as_of="1997-09-30",
        unit="week",
    )
    c = crm.classify(s, customer="customer_id", value="total_spend")
    r = crm.rfm(s)
    ref = reference["customers"]
    srows, crows, rrows = s.to_pylist(), c.to_pylist(), r.to_pylist()
    assert len(srows) == len(ref) == 2357
    for a, b, q, e in zip(srows, crows, rrows, ref):
        assert a["customer_id"] == e["customer_id"] == b["customer_id"] == q["customer_id"]
        assert a["frequency"] == e["frequency"]
        assert a["recency"] == e["recency"] and a["T"] == e["T"]
        # Money is exact decimal128 by default: equal to the Rust engine's
        # text (a 28-digit mean rounded to its column's scale, which the
        # column's largest value sets: crm_io::tables::decimals).
        mv = a["monetary_value"]
        assert mv == Decimal(e["monetary_value"]).quantize(mv, context=Context(prec=60))
        assert a["total_spend"] == Decimal(e["total_spend"])
        assert a["first_purchase"].isoformat() == e["first_purchase"]
        assert a["last_purchase"].isoformat() == e["last_purchase"]
        assert b["tier"] == e["tier"] and b["rank"] == e["rank"] and b["strategy"] == e["treatment"]
        assert b["share"] == (
            None if e["share"] is None else pytest.approx(float(Decimal(e["share"])), rel=1e-15)
        )
        assert q["rfm_code"] == e["rfm_code"] and q["segment"] == e["segment"]
    assert c.total == Decimal(reference["total"])
    for mine, theirs in zip(c.tiers.to_pylist(), reference["tiers"]):
        assert mine["tier"] == theirs["tier"] and mine["customers"] == theirs["customers"]
        assert mine["value"] == Decimal(theirs["value"])
    rec = reference["reconciliation"]
    assert (s.reconciliation.rows_read, s.reconciliation.rows_used) == (
        rec["rows_read"],
        rec["rows_used"],
    )
    assert r.details["thresholds"] == reference["rfm_thresholds"]


def test_matches_the_lifetimes_reference_summary(cdnow: pa.Table) -> None:
    """The bundled lifetimes summary (weeks at 1997-09-30), to its two decimals."""
    s = crm.summarize(
        cdnow, customer="customer", time="date", amount="amount", as_of="1997-09-30", unit="week"
    )
    lines = (
        (ROOT / "examples" / "data" / "cdnow_customers_summary_with_transactions.csv")
        .read_text()
        .splitlines()[1:]
    )
    for row, line in zip(s.to_pylist(), lines):
        cid, x, t_x, big_t, zbar = line.split(",")
        assert row["customer_id"] == int(cid) and row["frequency"] == int(x)
        assert round(row["recency"], 2) == pytest.approx(float(t_x), abs=0.006)
        assert round(row["T"], 2) == pytest.approx(float(big_t), abs=0.006)
        assert float(row["monetary_value"]) == pytest.approx(float(zbar), abs=0.006)
