"""The tracking curve (a repeat model's ``tracking(split)``) against lifetimes.

The reference, ``tests/data/cdnow_sample_tracking_lifetimes.csv``, is
lifetimes' ``expected_cumulative_transactions`` on the bundled CDNOW sample
by the day, for BG/NBD, MBG/NBD and Pareto/NBD at fixed parameters (made
by ``tests/data/make_lifetimes_tracking.py``), so a fresh machine checks it
without lifetimes.

The one documented difference is a day of bookkeeping. lifetimes' element
for date ``P`` counts the actual repeat transactions of the days before
``P`` but evaluates the model at ``P − first purchase`` days. crm-engine's
period ending on day ``e`` counts the days up to ``e`` and evaluates at
``e − first purchase``, which is how ``T`` is measured. So our expected
curve on day ``e`` is lifetimes' ``predicted`` at ``P = e``, and our
actual curve on day ``e`` is lifetimes' ``actual`` at ``P = e + 1``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import crm_engine as crm
import crm_engine.plot as cplot
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from crm_engine import _crm_engine
from crm_engine.clv import BetaGeo, ModifiedBetaGeo, ParetoNBD

REFERENCE = Path(__file__).resolve().parent / "data" / "cdnow_sample_tracking_lifetimes.csv"
# The parameters of make_lifetimes_tracking.py.
MODELS: dict[str, Any] = {
    "bg_nbd": BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426),
    "mbg_nbd": ModifiedBetaGeo.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614),
    "pareto_nbd": ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669),
}


@pytest.fixture(scope="module")
def split(cdnow_split: crm.CalibrationHoldout) -> crm.CalibrationHoldout:
    return cdnow_split


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_daily_curve_is_lifetimes_expected_cumulative_transactions(
    split: crm.CalibrationHoldout, name: str
) -> None:
    ref = pd.read_csv(REFERENCE, parse_dates=["date"])
    ref = ref[ref["model"] == name].set_index(ref[ref["model"] == name]["date"].dt.date)
    ours = MODELS[name].tracking(split, period_days=1).to_pandas().set_index("last_day")
    assert len(ours) == 546 and ours.index[0] == dt.date(1997, 1, 1)
    days = [d for d in ours.index if d in ref.index]
    assert len(days) == 545
    expected = ours.loc[days, "expected_cumulative"].to_numpy()
    predicted = ref.loc[days, "predicted"].to_numpy()
    np.testing.assert_allclose(expected, predicted, rtol=1e-9, atol=0)
    after = [d for d in ours.index if d + dt.timedelta(days=1) in ref.index]
    actual = ref.loc[[d + dt.timedelta(days=1) for d in after], "actual"].to_numpy()
    assert (ours.loc[after, "actual_cumulative"].to_numpy() == actual).all()


def test_the_weekly_curve_samples_the_daily_one_and_splits_39_and_39(
    split: crm.CalibrationHoldout,
) -> None:
    model = MODELS["bg_nbd"]
    weekly = model.tracking(split).to_pandas()
    daily = model.tracking(split, period_days=1).to_pandas().set_index("last_day")
    assert list(weekly["phase"]) == ["calibration"] * 39 + ["holdout"] * 39
    for column in ("actual_cumulative", "expected_cumulative"):
        np.testing.assert_allclose(
            weekly[column].to_numpy(float),
            daily.loc[list(weekly["last_day"]), column].to_numpy(float),
            rtol=1e-12,
        )
    # Every repeat occasion of the split, and the holdout's published 1,882.
    t = pa.table(split)
    calibration = int(pa.compute.sum(t.column("frequency_cal")).as_py())
    holdout = int(pa.compute.sum(t.column("frequency_holdout")).as_py())
    assert weekly["actual_cumulative"].iloc[38] == calibration
    assert weekly["actual_cumulative"].iloc[-1] - calibration == holdout == 1882
    assert weekly["actual_repeat_purchases"].sum() == calibration + holdout


def test_a_model_fitted_on_the_split_tracks_it(split: crm.CalibrationHoldout) -> None:
    fitted = BetaGeo().fit(split, frequency="frequency_cal", recency="recency_cal", T="T_cal")
    curve = fitted.tracking(split)
    assert curve.customers == 2357 and curve.period_days == 7 and curve.unit == "week"
    assert (curve.calibration_end, curve.observation_end) == (
        dt.date(1997, 9, 30),
        dt.date(1998, 6, 30),
    )
    t = curve.to_pandas()
    # The fit reproduces the calibration total closely (its own data).
    cut = t.iloc[38]
    assert abs(cut["expected_cumulative"] / cut["actual_cumulative"] - 1) < 0.05
    assert _crm_engine.layout(curve._table, "tracking") == _crm_engine.golden_layout("tracking")
    occasions = split.repeat_occasions
    layout = _crm_engine.layout(occasions._table, "repeat_occasions")
    assert layout == _crm_engine.golden_layout("repeat_occasions")


def test_bad_arguments_are_config_errors_naming_their_rule(split: crm.CalibrationHoldout) -> None:
    model = MODELS["bg_nbd"]
    with pytest.raises(crm.ConfigError, match="rule tracking_period"):
        model.tracking(split, period_days=0)
    with pytest.raises(crm.ConfigError, match="rule tracking_period"):
        model.tracking(split, period_days=-3)
    with pytest.raises(crm.ConfigError, match="split"):
        model.tracking(pa.table({"x": [1]}))
    with pytest.raises(crm.ConfigError, match="period_days"):
        model.tracking(split, period_days=1.5)  # type: ignore[arg-type]


def test_the_tracking_plot_marks_the_calibration_end(
    split: crm.CalibrationHoldout, out_dir: Path
) -> None:
    curve = MODELS["bg_nbd"].tracking(split)
    for cumulative, file in ((True, "tracking_cumulative.png"), (False, "tracking_weekly.png")):
        ax = cplot.tracking(curve, cumulative=cumulative)
        ax.figure.savefig(out_dir / file, dpi=80)
        assert (out_dir / file).read_bytes()[:4] == b"\x89PNG"
        assert ax.get_xlabel() == "week" and ax.get_ylabel() and ax.get_title()
        # Actual, expected and the boundary between weeks 39 and 40.
        xs = [line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == ":"]
        assert xs == [39.5]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["actual", "expected"]
