"""Every result table has the golden layout of crm-io (crates/crm-io/schemas/<table>.json).

The ``crm`` command's tests compare its Parquet and CSV output with the same
files, so a column renamed or retyped in one front end and not the other
fails here or there.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import crm_engine as crm
import pyarrow as pa
import pytest
from crm_engine import _crm_engine


def tx() -> pa.Table:
    return pa.table(
        {
            "cust": pa.array([1, 1, 2, 3, 3], pa.int64()),
            "day": pa.array(
                [dt.date(2024, 1, d) for d in (2, 20, 5, 9, 9)],
                pa.date32(),
            ),
            "amount": pa.array([10.25, 3.0, 7.5, -1.0, 4.0]),
        }
    )


def layout(result: Any, name: str) -> str:
    return _crm_engine.layout(result._table, name)


def golden(name: str) -> str:
    text = _crm_engine.golden_layout(name)
    assert text is not None, name
    return text


def summary(**kw: Any) -> crm.Summary:
    return crm.summarize(
        tx(), customer="cust", time="day", amount="amount", as_of="2024-01-31", **kw
    )


def test_summaries_have_the_golden_layout_with_or_without_optional_columns() -> None:
    assert layout(summary(), "summaries") == golden("summaries")
    t = tx().append_column("qty", pa.array([1.5, 2, 1, 1, 1]))
    with_qty = crm.summarize(
        t, customer="cust", time="day", amount="amount", as_of="2024-01-31", quantity="qty"
    )
    assert layout(with_qty, "summaries") == golden("summaries")


@pytest.mark.parametrize("monetary", ["total", "mean_per_occasion"])
def test_rfm_has_the_golden_layout_from_every_input(monetary: Any) -> None:
    s = summary()
    from_summary = crm.rfm(s, monetary=monetary)
    from_tx = crm.rfm(
        tx(), customer="cust", time="day", amount="amount", as_of="2024-01-31", monetary=monetary
    )
    plain = pa.table(
        {
            "customer_id": pa.array([1, 2], pa.int64()),
            "last_purchase": pa.array([dt.date(2024, 1, 20), dt.date(2024, 1, 5)]),
            "occasions": pa.array([2, 1], pa.int64()),
            "total_spend": pa.array([13.25, 7.5]),
        }
    )
    from_plain = crm.rfm(plain, as_of="2024-01-31", monetary=monetary)
    for r in (from_summary, from_tx, from_plain):
        assert layout(r, "rfm") == golden("rfm")
    assert from_tx.summary is not None
    assert layout(from_tx.summary, "summaries") == golden("summaries")


def test_review_has_the_golden_layout() -> None:
    def period(ids: list[int], tiers: list[str], values: list[float]) -> pa.Table:
        return pa.table(
            {
                "customer_id": pa.array(ids, pa.int64()),
                "tier": tiers,
                "value": values,
                "rank": pa.array(list(range(1, len(ids) + 1)), pa.int64()),
            }
        )

    r = crm.review(
        period([1, 2], ["major", "ordinary"], [5.0, 1.0]),
        period([1, 3], ["most_valuable", "major"], [9.5, 2.0]),
        membership="presence",
    )
    assert layout(r, "review") == golden("review")


def test_period_metrics_have_the_golden_layout_with_or_without_records() -> None:
    base = pa.table(
        {
            "customer": [1, 2],
            "since": pa.array([dt.date(2024, 1, 1), dt.date(2024, 1, 9)], pa.date32()),
        }
    )
    complaints = pa.table({"customer": [1], "opened": ["2024-01-10T09:00:00Z"]})
    referrals = pa.table({"referrer": [2], "time": ["2024-01-11"]})
    bare = crm.period_metrics(base, first_day="2024-01-01", last_day="2024-01-31")
    full = crm.period_metrics(
        base,
        first_day="2024-01-01",
        last_day="2024-01-31",
        complaints=complaints,
        referrals=referrals,
    )
    for m in (bare, full):
        assert layout(m, "metrics") == golden("metrics")


def test_float64_money_changes_only_the_money_columns() -> None:
    exact = pa.table(summary()).schema
    floats = pa.table(summary(money="float64")).schema
    assert exact.names == floats.names
    for e, f in zip(exact, floats):
        if pa.types.is_decimal(e.type):
            assert f.type == pa.float64(), e.name
        else:
            assert e.type == f.type, e.name


def test_float64_money_is_the_nearest_double_to_the_exact_figure() -> None:
    exact = summary().to_pylist()
    floats = summary(money="float64").to_pylist()
    for e, f in zip(exact, floats):
        for name in ("monetary_value", "total_spend", "mean_spend", "returns_amount"):
            assert isinstance(e[name], Decimal) and f[name] == float(e[name]), name


def test_golden_files_name_their_columns_in_order() -> None:
    for name in ("summaries", "calibration_holdout", "rfm", "review", "metrics"):
        g = json.loads(golden(name))
        assert g["table"] == name and g["columns"], name
    assert _crm_engine.golden_layout("no such table") is None


def test_an_unknown_money_type_is_a_config_error() -> None:
    with pytest.raises(crm.ConfigError, match="money"):
        summary(money="float32")
