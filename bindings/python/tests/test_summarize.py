"""crm_engine.summarize and crm_engine.rfm."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import crm_engine as crm
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import as_lib


def tx() -> pa.Table:
    return pa.table(
        {
            "cust": [1, 1, 1, 2, 3],
            "day": pa.array(
                [
                    dt.date(1997, 1, 1),
                    dt.date(1997, 1, 18),
                    dt.date(1997, 8, 2),
                    dt.date(1997, 1, 1),
                    dt.date(1997, 10, 5),
                ]
            ),
            "amount": [29.33, 29.73, 14.96, 63.34, 10.0],
        }
    )


def test_summary_figures(lib: str) -> None:
    s = crm.summarize(
        as_lib(tx(), lib),
        customer="cust",
        time="day",
        amount="amount",
        as_of="1997-09-30",
        unit="week",
    )
    rows = s.to_pylist()
    assert [r["customer_id"] for r in rows] == [1, 2]
    one = rows[0]
    # Money is exact (decimal128) by default.
    assert one["frequency"] == 2 and one["monetary_value"] == Decimal("22.345")
    assert round(one["recency"], 2) == 30.43 and round(one["T"], 2) == 38.86
    assert one["first_purchase"] == dt.date(1997, 1, 1) and one["last_purchase"] == dt.date(
        1997, 8, 2
    )
    assert one["total_spend"] == Decimal("74.02")
    rec = s.reconciliation
    assert (rec.rows_read, rec.rows_used, rec.rows_skipped, rec.rows_rejected) == (5, 4, 1, 0)
    assert rec.is_balanced
    assert s.as_of == dt.date(1997, 9, 30) and s.unit == "week"
    for col in (
        "customer_id",
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "first_purchase",
        "last_purchase",
        "total_spend",
    ):
        assert col in s.column_names


def test_same_answers_from_every_library() -> None:
    results = [
        crm.summarize(
            as_lib(tx(), lib),
            customer="cust",
            time="day",
            amount="amount",
            as_of=dt.date(1997, 9, 30),
        )
        for lib in ("pyarrow", "polars", "pandas")
    ]
    t = tx()
    numpy_input = {
        "cust": t.column("cust").to_numpy(),
        "day": t.column("day").to_numpy().astype("datetime64[D]"),
        "amount": t.column("amount").to_numpy(),
    }
    results.append(
        crm.summarize(
            numpy_input, customer="cust", time="day", amount="amount", as_of=dt.date(1997, 9, 30)
        )
    )
    for r in results[1:]:
        assert r == results[0]


def test_rejected_rows_are_counted_and_listed(lib: str) -> None:
    t = pa.table(
        {
            "c": [1, 2, None, 4],
            "d": pa.array([dt.date(2024, 1, 1)] * 4),
            "a": [1.0, float("nan"), 2.0, None],
        }
    )
    # pandas keeps a nullable integer id as Int64 (its default would be float64).
    data = (
        t.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        if lib == "pandas"
        else as_lib(t, lib)
    )
    s = crm.summarize(data, customer="c", time="d", amount="a", as_of="2024-01-31")
    rec = s.reconciliation
    assert rec.rows_read == 4 and rec.rows_rejected == 3 and rec.rows_used == 1
    assert [(r["row"], r["column"]) for r in rec.rejections] == [(2, "a"), (3, "c"), (4, "a")]
    with pytest.raises(crm.RejectedRowError) as e:
        crm.summarize(data, customer="c", time="d", amount="a", as_of="2024-01-31", strict=True)
    assert e.value.row == 2 and e.value.column == "a" and isinstance(e.value, ValueError)


def test_bad_inputs(lib: str) -> None:
    data = as_lib(tx(), lib)
    with pytest.raises(crm.ColumnError):
        crm.summarize(data, customer="customer", time="day", amount="amount", as_of="1997-09-30")
    with pytest.raises(crm.ConfigError):
        crm.summarize(data, customer="cust", time="day", amount="amount", as_of="30/09/1997")
    with pytest.raises(crm.ConfigError):
        crm.summarize(
            data,
            customer="cust",
            time="day",
            amount="amount",
            as_of="1997-09-30",
            tz="Mars/Olympus",
        )
    with pytest.raises(crm.ConfigError):
        crm.summarize(
            data, customer="cust", time="day", amount="amount", as_of="1997-09-30", unit="month"
        )  # type: ignore[arg-type]
    with pytest.raises(crm.ConfigError):
        crm.summarize(
            data,
            customer="cust",
            time="day",
            amount="amount",
            as_of="1997-09-30",
            since="1998-01-01",
        )
    bad = pa.table({"c": [1], "d": [True], "a": [1.0]})
    with pytest.raises(crm.DtypeError):
        crm.summarize(as_lib(bad, lib), customer="c", time="d", amount="a", as_of="2024-01-31")


def test_empty_transactions(lib: str) -> None:
    t = pa.table(
        {
            "c": pa.array([], pa.int64()),
            "d": pa.array([], pa.timestamp("us")),
            "a": pa.array([], pa.float64()),
        }
    )
    s = crm.summarize(as_lib(t, lib), customer="c", time="d", amount="a", as_of="2024-01-31")
    assert len(s) == 0 and s.reconciliation.rows_read == 0


def test_time_zone_moves_the_day() -> None:
    ts = pa.array([dt.datetime(2024, 1, 1, 23, 0)], pa.timestamp("s", tz="UTC"))
    t = pa.table({"c": [1], "t": ts, "a": [5.0]})
    utc = crm.summarize(t, customer="c", time="t", amount="a", as_of="2024-01-31")
    sh = crm.summarize(
        t, customer="c", time="t", amount="a", as_of="2024-01-31", tz="Asia/Shanghai"
    )
    assert utc.to_pylist()[0]["first_purchase"] == dt.date(2024, 1, 1)
    assert sh.to_pylist()[0]["first_purchase"] == dt.date(2024, 1, 2)


def test_summary_pickles_and_feeds_classify() -> None:
    s = crm.summarize(tx(), customer="cust", time="day", amount="amount", as_of="1997-09-30")
    assert pickle.loads(pickle.dumps(s)) == s
    c = crm.classify(s, customer="customer_id", value="total_spend")
    assert pa.table(c).column("tier").to_pylist() == ["most_valuable", "ordinary"]


def test_rfm_from_summary_and_from_transactions(lib: str) -> None:
    rng = np.random.default_rng(3)
    n = 400
    t = pa.table(
        {
            "c": rng.integers(0, 60, n),
            "d": pa.array(
                (np.datetime64("2024-01-01") + rng.integers(0, 180, n)).astype("datetime64[D]")
            ),
            "a": np.round(rng.lognormal(3, 1, n), 2),
        }
    )
    data = as_lib(t, lib)
    s = crm.summarize(data, customer="c", time="d", amount="a", as_of="2024-06-30")
    a = crm.rfm(s)
    b = crm.rfm(data, customer="c", time="d", amount="a", as_of="2024-06-30")
    assert a == b and b.summary == s
    rows = a.to_pylist()
    assert all(1 <= r[k] <= 5 for r in rows for k in ("r_score", "f_score", "m_score"))
    assert all(r["rfm_code"] == f"{r['r_score']}{r['f_score']}{r['m_score']}" for r in rows)
    assert len(a.thresholds["recency_days"]) == 4
    # Equal values get equal scores.
    by_freq: dict[int, set[int]] = {}
    for r in rows:
        by_freq.setdefault(r["frequency"], set()).add(r["f_score"])
    assert all(len(v) == 1 for v in by_freq.values())
    # Fixed thresholds reproduce the same scores.
    again = crm.rfm(
        s,
        thresholds={
            k: a.details["thresholds"][k] for k in ("recency_days", "frequency", "monetary")
        },
    )
    assert again.to_pylist() == rows
    assert pickle.loads(pickle.dumps(a)) == a
    rows_r, cols_f, counts = a.heatmap()
    assert sum(map(sum, counts)) == len(a)


def test_rfm_errors() -> None:
    s = crm.summarize(tx(), customer="cust", time="day", amount="amount", as_of="1997-09-30")
    with pytest.raises(crm.ConfigError):
        crm.rfm(pa.table(s))  # a plain table needs as_of
    with pytest.raises(crm.ConfigError):
        crm.rfm(s, monetary="median")  # type: ignore[arg-type]
    with pytest.raises(crm.ConfigError):
        crm.rfm(s, thresholds={"recency_days": [1, 2]})
    with pytest.raises(crm.ConfigError):
        crm.rfm(
            s,
            segments=[
                {
                    "name": "all",
                    "recency": {"lo": 1, "hi": 4},
                    "frequency": {"lo": 1, "hi": 5},
                    "monetary": {"lo": 1, "hi": 5},
                }
            ],
        )
    with pytest.raises(crm.ColumnError):
        crm.rfm(pa.table(s), as_of="1997-09-30", spend="revenue")
