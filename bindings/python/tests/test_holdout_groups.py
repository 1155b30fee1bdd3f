"""Conditional expectations by calibration group (a repeat model's
``holdout_groups(split)``) against lifetimes.

The reference, ``tests/data/cdnow_sample_holdout_groups_lifetimes.csv``, is
pandas' group means of lifetimes' ``calibration_and_holdout_data`` and its
``conditional_expected_number_of_purchases_up_to_time`` on the bundled CDNOW
sample (39 + 39 weeks), for BG/NBD, MBG/NBD and Pareto/NBD at the
parameters of the tracking test (made by
``tests/data/make_lifetimes_holdout_groups.py``), so a fresh machine checks
it without lifetimes. The frequency groups 0 … 6 are lifetimes' own (its
``plot_calibration_purchases_vs_holdout_purchases``); 7+, recency and time
since the last purchase are pandas' means over the same groups.
"""

from __future__ import annotations

from pathlib import Path

import crm_engine as crm
import crm_engine.plot as cplot
import numpy as np
import pandas as pd
import pytest
from crm_engine import _crm_engine
from test_tracking import MODELS

DATA = Path(__file__).resolve().parent / "data"
REFERENCE = DATA / "cdnow_sample_holdout_groups_lifetimes.csv"
KEY = ["grouping", "group"]


@pytest.fixture(scope="module")
def split(cdnow_split: crm.CalibrationHoldout) -> crm.CalibrationHoldout:
    return cdnow_split


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_groups_are_lifetimes_group_means(split: crm.CalibrationHoldout, name: str) -> None:
    ref = pd.read_csv(REFERENCE)
    ref = ref[ref["model"] == name].set_index(KEY)
    ours = MODELS[name].holdout_groups(split).to_pandas().set_index(KEY)
    assert list(ours.index) == list(ref.index)
    assert (ours["customers"] == ref["customers"]).all()
    np.testing.assert_allclose(ours["actual_purchases"], ref["actual_purchases"], rtol=1e-15)
    np.testing.assert_allclose(
        ours["predicted_purchases"], ref["predicted_purchases"], rtol=1e-9, atol=0
    )


def test_frequency_groups_end_in_an_open_group_and_hold_every_customer(
    split: crm.CalibrationHoldout,
) -> None:
    g = MODELS["bg_nbd"].holdout_groups(split)
    assert g.max_frequency == 7 and g.duration_holdout == 39.0 and g.unit == "week"
    freq = g.by("frequency").to_pandas()
    assert list(freq["label"]) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    for grouping in ("frequency", "recency", "time_since_last_purchase"):
        t = g.by(grouping).to_pandas()
        assert t["customers"].sum() == 2357
        # The holdout's published 1,882 repeat purchases, group by group.
        assert (t["actual_purchases"] * t["customers"]).sum() == pytest.approx(1882, rel=1e-12)
    three = MODELS["bg_nbd"].holdout_groups(split, max_frequency=3).by("frequency").to_pandas()
    assert list(three["label"]) == ["0", "1", "2", "3+"]
    assert _crm_engine.layout(g._table, "holdout_groups") == _crm_engine.golden_layout(
        "holdout_groups"
    )


def test_a_lifetimes_style_frame_in_any_row_order_gives_the_same_groups(
    split: crm.CalibrationHoldout,
) -> None:
    model = MODELS["pareto_nbd"]
    ours = model.holdout_groups(split).to_pandas()
    # lifetimes' calibration_and_holdout_data by the day, put on weeks.
    df = pd.read_csv(DATA / "cdnow_sample_calibration_holdout_D.csv")
    df["recency_cal"] /= 7.0
    df["T_cal"] /= 7.0
    df = df.sample(frac=1.0, random_state=7)
    theirs = model.holdout_groups(df, duration_holdout=39.0).to_pandas()
    pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    numpy = {c: df[c].to_numpy() for c in ("frequency_cal", "recency_cal", "T_cal")}
    numpy["frequency_holdout"] = df["frequency_holdout"].to_numpy(dtype="float32")
    again = model.holdout_groups(numpy, duration_holdout=39.0).to_pandas()
    pd.testing.assert_frame_equal(ours, again, check_exact=True)


def test_values_outside_a_columns_kind_are_typed_errors_naming_column_and_row() -> None:
    model = MODELS["bg_nbd"]
    good = {
        "f": np.array([0.0, 2.0, 1.0]),
        "r": np.array([0.0, 5.0, 2.0]),
        "T": np.array([9.0, 9.0, 8.0]),
        "h": np.array([0.0, 1.0, 3.0]),
    }
    names = {"frequency": "f", "recency": "r", "T": "T", "holdout": "h"}
    # T below the recency is named by the recency (the prediction's rule).
    cases = (
        ("f", 1.5, "f"),
        ("r", np.nan, "r"),
        ("T", 1.0, "r"),
        ("h", -1.0, "h"),
        ("h", np.inf, "h"),
    )
    for column, value, named in cases:
        bad = {k: v.copy() for k, v in good.items()}
        bad[column][1] = value
        with pytest.raises(crm.InvalidValueError) as e:
            model.holdout_groups(bad, duration_holdout=4.0, **names)
        assert e.value.column == named and e.value.row == 2, (column, value)
    with pytest.raises(crm.ConfigError, match="duration_holdout"):
        model.holdout_groups(good, **names)
    with pytest.raises(crm.ConfigError, match="rule holdout_groups"):
        model.holdout_groups(good, duration_holdout=4.0, max_frequency=0, **names)
    with pytest.raises(crm.ConfigError, match="max_frequency"):
        model.holdout_groups(good, duration_holdout=4.0, max_frequency=True, **names)
    with pytest.raises(crm.ConfigError, match="duration_holdout"):
        model.holdout_groups(good, duration_holdout="4", **names)  # type: ignore[arg-type]
    with pytest.raises(crm.CrmError):
        model.holdout_groups(good, duration_holdout=float("nan"), **names)
    with pytest.raises(crm.ColumnError):
        model.holdout_groups(good, duration_holdout=4.0)
    with pytest.raises(crm.ConfigError):
        model.holdout_groups(good, duration_holdout=4.0, **names).by("monetary")


def test_the_group_plots_label_their_axes(split: crm.CalibrationHoldout, out_dir: Path) -> None:
    g = MODELS["bg_nbd"].holdout_groups(split)
    for by in ("frequency", "recency", "time_since_last_purchase"):
        ax = cplot.holdout_groups(g, by=by)
        file = out_dir / f"holdout_groups_{by}.png"
        ax.figure.savefig(file, dpi=80)
        assert file.read_bytes()[:4] == b"\x89PNG"
        assert ("week" in ax.get_xlabel()) == (by != "frequency")
        assert "39 weeks" in ax.get_ylabel() and ax.get_title()
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["actual", "predicted"]
    ax = cplot.holdout_groups(g)
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "7+"
    with pytest.raises(crm.ConfigError):
        cplot.holdout_groups(g, by="monetary")
