"""crm_engine.calibration_holdout against lifetimes' calibration_and_holdout_data.

Two checks of the same claims:

- on the bundled CDNOW sample, against reference files lifetimes wrote once
  (tests/data, made by tests/data/make_lifetimes_calibration_holdout.py),
  so a fresh machine checks them without lifetimes;
- on the full CDNOW master (23,570 customers, in the lifetimes package),
  against lifetimes itself, when it is installed.

The documented exceptions, each tested as such:

1. ``monetary_value_holdout`` is per occasion (calendar day), lifetimes' per
   transaction row: lifetimes' equals ``total_spend_holdout /
   transactions_holdout`` everywhere, and ours wherever each holdout day
   has one row.
2. ``unit="week"`` is a clock (days / 7): it equals lifetimes'
   ``freq="D", freq_multiplier=7``. lifetimes' ``freq="W"`` counts calendar
   weeks as occasions: with a cut and an observation end on Sundays it
   equals ours on dates moved to the Sunday ending their week; with a
   mid-week cut lifetimes splits the cut's week between the two parts, and
   only customers who bought in that week differ.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import crm_engine as crm
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import as_lib, cdnow_arrow, lifetimes

DATA = Path(__file__).resolve().parent / "data"
COLUMNS = [
    "frequency_cal",
    "recency_cal",
    "T_cal",
    "monetary_value_cal",
    "frequency_holdout",
    "monetary_value_holdout",
    "duration_holdout",
]
EXACT = [c for c in COLUMNS if c != "monetary_value_holdout"]


def split(tx: Any, cut: Any, end: Any, unit: str) -> crm.CalibrationHoldout:
    return crm.calibration_holdout(
        tx,
        customer="customer",
        time="date",
        amount="amount",
        calibration_end=cut,
        as_of=end,
        unit=unit,
        money="float64",
    )


def frame(s: crm.CalibrationHoldout) -> pd.DataFrame:
    return s.to_pandas().set_index("customer_id")


def mismatches(ours: pd.DataFrame, ref: pd.DataFrame, column: str) -> pd.Index:
    """Customers whose figure differs by more than 1e-9 relative."""
    a = ours[column].reindex(ref.index).to_numpy(float)
    b = ref[column].to_numpy(float)
    return ref.index[np.abs(a - b) > 1e-9 * np.maximum(1.0, np.abs(b))]


def assert_equal_with_the_spend_exception(ours: pd.DataFrame, ref: pd.DataFrame) -> None:
    assert sorted(ours.index) == sorted(ref.index)
    for c in EXACT:
        assert len(mismatches(ours, ref, c)) == 0, c
    # Exception 1: lifetimes' holdout spend is per row.
    per_row = (
        ours.total_spend_holdout / ours.transactions_holdout.where(ours.transactions_holdout > 0)
    ).fillna(0.0)
    ref_mean = ref.monetary_value_holdout.to_numpy(float)
    assert np.allclose(per_row.reindex(ref.index).to_numpy(float), ref_mean, rtol=1e-12, atol=1e-12)
    several = ours.index[ours.transactions_holdout != ours.frequency_holdout]
    assert set(mismatches(ours, ref, "monetary_value_holdout")) <= set(several)


def to_sunday(days: pa.Array) -> pa.Array:
    return pa.array([d + dt.timedelta(days=6 - d.weekday()) for d in days.to_pylist()], pa.date32())


def week_ends(tx: pa.Table) -> pa.Table:
    return tx.set_column(tx.schema.get_field_index("date"), "date", to_sunday(tx.column("date")))


def reference(freq: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"cdnow_sample_calibration_holdout_{freq}.csv", index_col="customer")


def test_the_sample_equals_lifetimes_daily_reference(lib: str) -> None:
    tx = as_lib(cdnow_arrow(), lib)
    ref = reference("D")
    s = split(tx, "1997-09-30", "1998-06-30", "day")
    ours = frame(s)
    assert_equal_with_the_spend_exception(ours, ref)
    assert s.duration_holdout == 273.0 and s.unit == "day"
    assert s.calibration_end == dt.date(1997, 9, 30) and s.as_of == dt.date(1998, 6, 30)
    assert s.reconciliation.is_balanced and s.reconciliation.rows_read == 6919
    # The clock: weeks are days / 7 (lifetimes' freq="D", freq_multiplier=7).
    weekly = frame(split(tx, "1997-09-30", "1998-06-30", "week"))
    for c in ["recency_cal", "T_cal", "duration_holdout"]:
        assert np.allclose(weekly[c].to_numpy(), ours[c].to_numpy() / 7, rtol=1e-15, atol=0)


def test_the_sample_on_week_ends_equals_lifetimes_weekly_reference() -> None:
    ref = reference("W")
    ours = frame(split(week_ends(cdnow_arrow()), "1997-09-28", "1998-06-28", "week"))
    assert_equal_with_the_spend_exception(ours, ref)
    # Without moving the dates the weekly figures differ (calendar weeks are
    # not occasions here): the exception is real.
    plain = frame(split(cdnow_arrow(), "1997-09-28", "1998-06-28", "week"))
    assert len(mismatches(plain, ref, "T_cal")) > 0


def test_the_spend_exception_is_visible_on_the_sample() -> None:
    # Several rows on one holdout day: per occasion and per row differ.
    ours = frame(split(cdnow_arrow(), "1997-09-30", "1998-06-30", "day"))
    ref = reference("D")
    differ = mismatches(ours, ref, "monetary_value_holdout")
    assert len(differ) > 0
    assert (ours.loc[differ, "transactions_holdout"] > ours.loc[differ, "frequency_holdout"]).all()


def test_a_cut_outside_the_observation_is_a_config_error() -> None:
    with pytest.raises(crm.ConfigError) as e:
        split(cdnow_arrow(), "1998-06-30", "1998-06-30", "week")
    assert e.value.rule == "calibration_end_in_window"
    with pytest.raises(crm.ConfigError):
        split(cdnow_arrow(), "not a date", "1998-06-30", "week")


def test_the_layout_is_the_golden_one() -> None:
    s = crm.calibration_holdout(
        cdnow_arrow(),
        customer="customer",
        time="date",
        amount="amount",
        calibration_end="1997-09-30",
        as_of="1998-06-30",
    )
    from crm_engine import _crm_engine

    assert _crm_engine.layout(s._table, "calibration_holdout") == _crm_engine.golden_layout(
        "calibration_holdout"
    )


def master() -> pd.DataFrame:
    path = Path(os.path.dirname(lifetimes().__file__)) / "datasets" / "CDNOW_master.txt"
    rows = [line.split() for line in path.read_text().splitlines()[1:] if line.strip()]
    return pd.DataFrame(
        {
            "customer": [int(r[0]) for r in rows],
            "date": pd.to_datetime([r[1] for r in rows], format="%Y%m%d"),
            "amount": [float(r[3]) for r in rows],
        }
    )


def test_the_full_cdnow_master_equals_lifetimes() -> None:
    df = master()
    from lifetimes.utils import calibration_and_holdout_data

    def lifetimes_split(cut: str, end: str, freq: str, multiplier: int = 1) -> pd.DataFrame:
        return calibration_and_holdout_data(
            df,
            "customer",
            "date",
            calibration_period_end=cut,
            observation_period_end=end,
            freq=freq,
            freq_multiplier=multiplier,
            monetary_value_col="amount",
        )

    tx = pa.table(
        {
            "customer": pa.array(df.customer, pa.int64()),
            "date": pa.array(df.date.dt.date, pa.date32()),
            "amount": pa.array(df.amount, pa.float64()),
        }
    )
    assert df.customer.nunique() == 23570
    daily = frame(split(tx, "1997-09-30", "1998-06-30", "day"))
    assert len(daily) == 23570
    assert_equal_with_the_spend_exception(daily, lifetimes_split("1997-09-30", "1998-06-30", "D"))
    weekly = frame(split(tx, "1997-09-30", "1998-06-30", "week"))
    assert_equal_with_the_spend_exception(
        weekly, lifetimes_split("1997-09-30", "1998-06-30", "D", 7)
    )
    # freq="W": calendar weeks as occasions, cut and end on Sundays.
    on_sundays = frame(split(week_ends(tx), "1997-09-28", "1998-06-28", "week"))
    assert_equal_with_the_spend_exception(
        on_sundays, lifetimes_split("1997-09-28", "1998-06-28", "W")
    )
    # freq="W" with the mid-week cut: lifetimes splits the cut's week
    # (29 Sep - 5 Oct 1997); only its buyers differ from ours on week ends.
    ref = lifetimes_split("1997-09-30", "1998-06-30", "W")
    ours = frame(split(week_ends(tx), "1997-10-05", "1998-07-05", "week"))
    in_cut_week = set(df.customer[(df.date >= "1997-09-29") & (df.date <= "1997-10-05")])
    differ: set[int] = set()
    for c in EXACT:
        differ |= set(mismatches(ours, ref, c))
    assert differ and differ <= in_cut_week
