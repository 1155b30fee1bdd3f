"""crm_engine.clv.prediction_intervals: intervals of the CLV predictions.

The engine's delta method is checked in crm-core for coverage on data
simulated from known parameters; here, on the CDNOW sample, against two
independent computations in numpy: the covariance against the inverse of
the Hessian of the paper's BG/NBD likelihood (written in test_clv.py from
Fader, Hardie & Lee 2005), and the standard errors against the spread of
the engine's own predictions at parameters drawn from that covariance.
"""

from __future__ import annotations

import json
from pathlib import Path

import crm_engine as crm
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from crm_engine.clv import BetaGeo, GammaGamma, prediction_intervals, predictions
from test_clv import _bg_nbd_log_likelihood

ROOT = Path(__file__).resolve().parents[3]
COLUMNS = {
    "customer": "ID",
    "frequency": "x",
    "recency": "t_x",
    "monetary_value": "zbar",
}


@pytest.fixture(scope="module")
def cdnow() -> tuple[BetaGeo, GammaGamma, pd.DataFrame]:
    s = pd.read_csv(ROOT / "examples" / "data" / "cdnow_customers_summary_with_transactions.csv")
    bg = BetaGeo().fit(s, frequency="x", recency="t_x", T="T")
    gg = GammaGamma().fit(s, frequency="x", monetary_value="zbar")
    return bg, gg, s


def test_the_covariance_is_the_inverse_of_the_papers_information(
    cdnow: tuple[BetaGeo, GammaGamma, pd.DataFrame],
) -> None:
    bg, _, s = cdnow
    assert bg.params is not None and bg.covariance is not None and bg.standard_errors is not None
    x, t_x, T = (s[c].to_numpy(float) for c in ("x", "t_x", "T"))
    p = np.array([bg.params[n] for n in ("r", "alpha", "a", "b")])
    # Central differences on the natural parameters, steps of 1e-4 relative.
    h = 1e-4 * p
    n = len(p)
    hess = np.zeros((n, n))

    def ll(q: np.ndarray) -> float:
        return _bg_nbd_log_likelihood(np.log(q), x, t_x, T)

    for i in range(n):
        for j in range(n):
            e_i, e_j = np.eye(n)[i] * h[i], np.eye(n)[j] * h[j]
            hess[i, j] = (
                ll(p + e_i + e_j) - ll(p + e_i - e_j) - ll(p - e_i + e_j) + ll(p - e_i - e_j)
            ) / (4 * h[i] * h[j])
    independent = np.linalg.inv(-hess)
    np.testing.assert_allclose(np.array(bg.covariance), independent, rtol=1e-3)
    se = np.sqrt(np.diag(bg.covariance))
    np.testing.assert_allclose(se, [bg.standard_errors[k] for k in bg.params], rtol=1e-12)


def test_intervals_surround_the_predictions_and_have_the_golden_layout(
    cdnow: tuple[BetaGeo, GammaGamma, pd.DataFrame],
) -> None:
    bg, gg, s = cdnow
    iv = prediction_intervals(bg, gg, s, unit="week", **COLUMNS)
    t = iv.to_arrow()
    golden = json.loads((ROOT / "crates/crm-io/schemas/clv_intervals.json").read_text())
    types = {"Int64": pa.int64(), "Float64": pa.float64()}
    assert [(f.name, f.type) for f in t.schema] == [
        (c["name"], types[c["type"]]) for c in golden["columns"]
    ]
    plain = pa.table(predictions(bg, gg, s, unit="week", **COLUMNS))
    for k in ["p_alive", "expected_purchases", "expected_spend", "clv"]:
        est = t.column(k).to_numpy()
        assert est.tolist() == plain.column(k).to_numpy().tolist()
        lo, hi = t.column(f"{k}_lower").to_numpy(), t.column(f"{k}_upper").to_numpy()
        assert np.all(lo <= est) and np.all(est <= hi) and np.all(np.isfinite(hi)), k
    assert np.all(t.column("p_alive_upper").to_numpy() <= 1.0)
    assert iv.level == 0.9 == crm.clv.DEFAULT_LEVEL
    total = iv.total_expected_purchases
    assert total["estimate"] == pytest.approx(
        float(plain.column("expected_purchases").to_numpy().sum())
    )
    assert total["lower"] < total["estimate"] < total["upper"]
    assert iv.total_clv["lower"] < iv.total_clv["estimate"] < iv.total_clv["upper"]
    wider = prediction_intervals(bg, gg, s, unit="week", level=0.99, **COLUMNS)
    assert wider.total_clv["upper"] > iv.total_clv["upper"]


def test_the_standard_error_is_the_spread_over_parameters_drawn_from_the_covariance(
    cdnow: tuple[BetaGeo, GammaGamma, pd.DataFrame],
) -> None:
    bg, gg, s = cdnow
    assert bg.params is not None and gg.params is not None
    one = s.iloc[[1]].reset_index(drop=True)  # a customer with repeat purchases
    iv = prediction_intervals(bg, gg, one, unit="week", **COLUMNS).to_pandas()
    z = 1.6448536269514722
    # The interval is g·exp(±z·se/g): the delta method's se of the CLV.
    g = float(iv.clv[0])
    se = np.log(float(iv.clv_upper[0]) / g) * g / z
    rng = np.random.default_rng(20261204)
    draws = []
    for rp, sp in zip(
        rng.multivariate_normal(list(bg.params.values()), bg.covariance, 400),
        rng.multivariate_normal(list(gg.params.values()), gg.covariance, 400),
        strict=True,
    ):
        b = BetaGeo.from_params(**dict(zip(bg.params, rp, strict=True)))
        m = GammaGamma.from_params(**dict(zip(gg.params, sp, strict=True)))
        t = pa.table(predictions(b, m, one, unit="week", **COLUMNS))
        draws.append(t.column("clv")[0].as_py())
    assert np.std(draws, ddof=1) == pytest.approx(se, rel=0.15)


def test_a_model_without_covariance_or_a_bad_level_is_a_config_error(
    cdnow: tuple[BetaGeo, GammaGamma, pd.DataFrame],
) -> None:
    bg, gg, s = cdnow
    given = BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    assert given.covariance is None
    with pytest.raises(crm.ConfigError) as e:
        prediction_intervals(given, gg, s, unit="week", **COLUMNS)
    assert "covariance" in str(e.value)
    for level in [0.0, 1.0, 1.5, float("nan")]:
        with pytest.raises(crm.ConfigError):
            prediction_intervals(bg, gg, s, unit="week", level=level, **COLUMNS)
