"""crm_engine.clv: published figures, Rust agreement, inputs and errors."""

from __future__ import annotations

import pickle
from pathlib import Path

import crm_engine as crm
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from crm_engine.clv import (
    BetaGeo,
    BetaGeoBetaBinom,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    ShiftedBetaGeo,
)

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "examples" / "data"


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    return pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="module")
def bg(cdnow_summary: pd.DataFrame) -> BetaGeo:
    return BetaGeo().fit(cdnow_summary, frequency="x", recency="t_x", T="T")


def close(params: dict[str, float], published: dict[str, float], tol: float = 5e-4) -> None:
    for k, v in published.items():
        assert abs(params[k] - v) <= tol, (k, params[k], v)


def test_bg_nbd_reproduces_fader_hardie_lee(bg: BetaGeo) -> None:
    assert bg.params is not None and bg.standard_errors is not None and bg.report is not None
    close(bg.params, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    assert bg.log_likelihood == pytest.approx(-9582.4, abs=0.05)
    assert bg.report["converged"] and bg.report["customers"] == 2357
    assert 0 < bg.standard_errors["r"] < 0.1


def test_bg_nbd_published_predictions() -> None:
    m = BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    e = m.conditional_expected_purchases(39, [2], [30.43], [38.86])
    assert e[0] == pytest.approx(1.226, abs=5e-4)
    assert m.p_purchases([0], 39)[0] == pytest.approx(0.5737864, abs=5e-7)
    assert m.p_alive(np.array([0.0]), np.array([0.0]), np.array([38.86]))[0] == 1.0


def test_pareto_nbd_and_mbg_nbd(cdnow_summary: pd.DataFrame) -> None:
    p = ParetoNBD().fit(cdnow_summary, frequency="x", recency="t_x", T="T")
    assert p.params is not None
    close(p.params, {"r": 0.553, "alpha": 10.578, "s": 0.606})
    assert abs(p.params["beta"] - 11.669) <= 2e-3  # flat direction, see crm_core::clv::pareto_nbd
    assert p.log_likelihood == pytest.approx(-9595.0, abs=0.05)
    m = ModifiedBetaGeo().fit(cdnow_summary, frequency="x", recency="t_x", T="T")
    assert m.params is not None
    close(m.params, {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614})
    assert m.p_alive([0], [0], [38.86])[0] < 1.0


def test_gamma_gamma_on_repeat_customers(cdnow_summary: pd.DataFrame) -> None:
    gg = GammaGamma().fit(cdnow_summary, frequency="x", monetary_value="zbar")
    assert gg.params is not None and gg.report is not None
    assert gg.report["customers"] == 946
    assert abs(gg.params["p"] - 6.25) <= 5e-3 and abs(gg.params["q"] - 3.74) <= 5e-3
    assert abs(gg.params["v"] - 15.44) <= 1e-2
    assert gg.log_likelihood == pytest.approx(-4055.9, abs=0.05)


def test_bg_bb_on_donations() -> None:
    d = pacsv.read_csv(DATA / "donations.csv")
    m = BetaGeoBetaBinom().fit(d, weights="weights")
    assert m.params is not None
    close(m.params, {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783})
    p = m.p_alive(d["frequency"], d["recency"], d["periods"])
    assert ((p >= 0) & (p <= 1)).all()
    assert m.p_purchases(list(range(7)), 6).sum() == pytest.approx(1.0, abs=1e-12)


def test_sbg_on_retention_series() -> None:
    for series, a, b in [
        ([1000, 631, 468, 382, 326, 289, 262, 241], 0.704, 1.182),
        ([1000, 869, 743, 653, 593, 551, 517, 491], 0.668, 3.806),
    ]:
        m = ShiftedBetaGeo().fit(series)
        assert m.params is not None
        close(m.params, {"alpha": a, "beta": b})
        r = m.retention_rate([1, 2, 3, 10])
        assert (np.diff(r) > 0).all()
        assert m.survival([0])[0] == 1.0


def test_inputs_from_any_library(bg: BetaGeo, cdnow_summary: pd.DataFrame) -> None:
    f, r, t = (cdnow_summary[c].to_numpy() for c in ("x", "t_x", "T"))
    ref = bg.p_alive(f, r, t)
    assert np.array_equal(bg.p_alive(pa.array(f), pa.array(r), pa.array(t)), ref)
    assert np.array_equal(bg.p_alive(pl.Series(f), pl.Series(r), pl.Series(t)), ref)
    assert np.array_equal(
        bg.p_alive(cdnow_summary["x"], cdnow_summary["t_x"], cdnow_summary["T"]), ref
    )
    for lib in ("pyarrow", "polars"):
        table = (
            pa.Table.from_pandas(cdnow_summary)
            if lib == "pyarrow"
            else pl.from_pandas(cdnow_summary)
        )
        again = BetaGeo().fit(table, frequency="x", recency="t_x", T="T")
        assert again.params == bg.params


def test_compressed_and_uncompressed_give_the_same_fit(
    cdnow_summary: pd.DataFrame, bg: BetaGeo
) -> None:
    grouped = cdnow_summary.groupby(["x", "t_x", "T"], as_index=False).size()
    w = BetaGeo().fit(grouped, frequency="x", recency="t_x", T="T", weights="size")
    assert w.params == bg.params


def test_summarize_output_fits_directly() -> None:
    from conftest import cdnow_arrow

    s = crm.summarize(
        cdnow_arrow(),
        customer="customer",
        time="date",
        amount="amount",
        as_of="1997-09-30",
        unit="week",
    )
    m = BetaGeo().fit(s)  # default names: frequency, recency, T
    assert m.params is not None and abs(m.params["r"] - 0.243) < 5e-3
    gg = GammaGamma().fit(s)  # frequency, monetary_value (decimal column)
    assert gg.params is not None and abs(gg.params["p"] - 6.25) < 0.05


def test_clv_falls_as_the_discount_rate_rises(bg: BetaGeo, cdnow_summary: pd.DataFrame) -> None:
    gg = GammaGamma().fit(cdnow_summary, frequency="x", monetary_value="zbar")
    args = (bg, cdnow_summary["x"], cdnow_summary["t_x"], cdnow_summary["T"], cdnow_summary["zbar"])
    low = gg.customer_lifetime_value(*args, time=12, discount_rate=0.01, period_length=4.345)
    high = gg.customer_lifetime_value(*args, time=12, discount_rate=0.05, period_length=4.345)
    assert (high <= low).all() and (low > 0).all()
    assert (
        bg.expected_purchases([10, 20, 40]) == np.sort(bg.expected_purchases([10, 20, 40]))
    ).all()


def test_errors_name_row_and_column(bg: BetaGeo) -> None:
    with pytest.raises(crm.InvalidValueError) as e:
        bg.p_alive([1, 2], [3, 9], [5, 8])  # data row 2: t_x > T
    assert e.value.row == 2 and e.value.column == "recency"
    with pytest.raises(crm.InvalidValueError) as e:
        BetaGeo().fit(
            {
                "frequency": np.array([0.0, 1.0]),
                "recency": np.array([0.0, np.nan]),
                "T": np.array([3.0, 3.0]),
            }
        )
    assert e.value.row == 2 and e.value.column == "recency"
    with pytest.raises(crm.ColumnError):
        BetaGeo().fit({"f": np.array([1.0])})
    with pytest.raises(crm.ConfigError):
        BetaGeo().p_alive([1], [1], [2])  # not fitted
    with pytest.raises(crm.ConfigError):
        bg.conditional_expected_purchases(-1, [1], [1], [2])


def test_convergence_error_carries_the_best_point(cdnow_summary: pd.DataFrame) -> None:
    with pytest.raises(crm.ConvergenceError) as e:
        ParetoNBD(max_iterations=1).fit(cdnow_summary, frequency="x", recency="t_x", T="T")
    assert set(e.value.best) == {"r", "alpha", "s", "beta"}
    again = pickle.loads(pickle.dumps(e.value))
    assert again.best == e.value.best


def test_plots(bg: BetaGeo, cdnow_summary: pd.DataFrame, tmp_path: Path) -> None:
    import crm_engine.plot as cplot

    ax = cplot.p_alive_matrix(bg, T=38.86)
    ax.figure.savefig(tmp_path / "p_alive.png")
    ax = cplot.expected_purchases_matrix(bg, t=39, T=38.86)
    ax.figure.savefig(tmp_path / "expected.png")
    # Holdout: the CDNOW sample after week 39 (1997-09-30 .. 1998-06-30) per customer.
    from conftest import cdnow_arrow

    tx = cdnow_arrow().to_pandas()
    later = tx[tx["date"] > pd.Timestamp("1997-09-30").date()].groupby("customer")["date"].nunique()
    holdout = cdnow_summary["ID"].map(later).fillna(0).to_numpy()
    ax = cplot.calibration_holdout(
        bg, cdnow_summary["x"], cdnow_summary["t_x"], cdnow_summary["T"], holdout, holdout_length=39
    )
    ax.figure.savefig(tmp_path / "calibration.png")
    with pytest.raises(TypeError):
        cplot.p_alive_matrix(BetaGeo(), T=10)


def test_fit_sets_count_every_customer_left_out(cdnow_summary: pd.DataFrame) -> None:
    gg = GammaGamma().fit(cdnow_summary, frequency="x", monetary_value="zbar")
    assert gg.report is not None
    fs = gg.report["fit_set"]
    assert fs["customers"] == 2357 and fs["used"] == 946
    assert fs["excluded"] == [{"reason": "no_repeat_purchase", "customers": 1411.0}]
    # Refunds (repeat spend <= 0) and customers first seen on the analysis
    # date (T = 0) are left out and counted, not errors and not lost.
    data = {
        "frequency": np.array([0.0, 2.0, 1.0, 3.0, 0.0]),
        "recency": np.array([0.0, 5.0, 2.0, 7.0, 0.0]),
        "T": np.array([9.0, 9.0, 8.0, 9.0, 0.0]),
        "monetary_value": np.array([0.0, -4.0, 12.0, 30.0, 0.0]),
    }
    g = GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    spend = g.conditional_expected_spend(data["frequency"], data["monetary_value"])
    mean = 6.25 * 15.44 / (3.74 - 1)
    assert spend[1] == pytest.approx(mean) and spend[0] == pytest.approx(mean)
    # Independently: (p x zbar + p v ... ) shrinkage of Fader & Hardie (2013).
    x, z = 3.0, 30.0
    want = (15.44 + x * z) * 6.25 / (6.25 * x + 3.74 - 1)
    assert spend[3] == pytest.approx(want, rel=1e-12)
    try:
        bg = BetaGeo().fit(data)
    except crm.ConvergenceError:
        return  # four observed customers may not pin four parameters
    assert bg.report is not None
    assert bg.report["fit_set"]["excluded"] == [{"reason": "not_observed", "customers": 1.0}]


def test_predictions_table_has_the_golden_layout_and_the_models_figures(
    bg: BetaGeo, cdnow_summary: pd.DataFrame
) -> None:
    import json

    from crm_engine.clv import month_length, predictions

    gg = GammaGamma().fit(cdnow_summary, frequency="x", monetary_value="zbar")
    t = pa.table(
        predictions(
            bg,
            gg,
            cdnow_summary,
            months=12,
            discount_rate=0.01,
            unit="week",
            customer="ID",
            frequency="x",
            recency="t_x",
            monetary_value="zbar",
        )
    )
    golden = json.loads(
        (ROOT / "crates" / "crm-io" / "schemas" / "clv_predictions.json").read_text()
    )
    types = {"Int64": pa.int64(), "Float64": pa.float64()}
    assert [(f.name, f.type) for f in t.schema] == [
        (c["name"], types[c["type"]]) for c in golden["columns"]
    ]
    assert t.num_rows == 2357
    assert month_length("week") == 365.25 / 12 / 7 and month_length("day") == 365.25 / 12
    f, r, age, z = (cdnow_summary[c].to_numpy() for c in ("x", "t_x", "T", "zbar"))
    spend = gg.conditional_expected_spend(f, z)
    clv = bg.customer_lifetime_value(
        f, r, age, spend, time=12, discount_rate=0.01, period_length=month_length("week")
    )
    assert t.column("clv").to_numpy().tolist() == clv.tolist()
    assert t.column("expected_spend").to_numpy().tolist() == spend.tolist()
    e = bg.conditional_expected_purchases(12 * month_length("week"), f, r, age)
    assert t.column("expected_purchases").to_numpy().tolist() == e.tolist()


def _bg_nbd_log_likelihood(
    theta: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> float:
    """Fader, Hardie & Lee (2005), equation 6, written here from the paper (not
    crm-engine's code), on log-parameters."""
    import math

    r, alpha, a, b = np.exp(theta)
    lg = np.frompyfunc(math.lgamma, 1, 1)

    def ln_beta(p: np.ndarray | float, q: np.ndarray | float) -> np.ndarray:
        return np.asarray(lg(p) + lg(q) - lg(np.asarray(p) + q), dtype=float)

    common = np.asarray(lg(r + x) - math.lgamma(r), dtype=float) + r * np.log(alpha)
    first = ln_beta(a, b + x) - ln_beta(a, b) - (r + x) * np.log(alpha + T)
    repeat = x > 0
    second = np.full_like(first, -np.inf)
    second[repeat] = (
        ln_beta(a + 1, b + x[repeat] - 1)
        - ln_beta(a, b)
        - (r + x[repeat]) * np.log(alpha + t_x[repeat])
    )
    return float(np.sum(common + np.logaddexp(first, second)))


def test_hessian_condition_agrees_with_an_independent_computation(
    bg: BetaGeo, cdnow_summary: pd.DataFrame
) -> None:
    # The fit reports the condition number of the observed information on
    # the log-parameters; here the same figure from the paper's likelihood by
    # central differences in numpy, and numpy's eigenvalues.
    assert bg.report is not None and bg.params is not None
    x, t_x, T = (cdnow_summary[c].to_numpy(float) for c in ("x", "t_x", "T"))
    theta = np.log([bg.params[n] for n in ("r", "alpha", "a", "b")])
    h = 1e-4
    n = len(theta)
    hess = np.zeros((n, n))

    def at(i: int, j: int, si: float, sj: float) -> float:
        t = theta.copy()
        t[i] += si * h
        t[j] += sj * h
        return _bg_nbd_log_likelihood(t, x, t_x, T)

    for i in range(n):
        for j in range(n):
            hess[i, j] = (at(i, j, 1, 1) - at(i, j, 1, -1) - at(i, j, -1, 1) + at(i, j, -1, -1)) / (
                4 * h * h
            )
    eig = np.linalg.eigvalsh(-hess)
    assert eig.min() > 0
    independent = eig.max() / eig.min()
    assert bg.report["hessian_condition"] == pytest.approx(independent, rel=1e-4)
    assert bg.report["starts"] == 1 and "at_bound" not in bg.report
