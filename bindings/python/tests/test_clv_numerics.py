"""crm_engine.clv at the edges: long horizons, large frequencies, extreme
parameters, heavy-tailed spend, customers first seen on the analysis date.

The expectations are checked against mpmath at 40 digits: an independent
evaluation of the papers' closed forms (mpmath's own ₂F₁), not the engine's
series or integral.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from pathlib import Path
from typing import Any

import crm_engine as crm
import mpmath as mp
import numpy as np
import pyarrow as pa
import pyarrow.csv
import pytest
from crm_engine.clv import BetaGeo, GammaGamma, ModifiedBetaGeo, ParetoNBD

mp.mp.dps = 40

DATA = Path(__file__).resolve().parents[3] / "examples" / "data"

BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
MBG = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}


def bg_conditional(p: dict[str, float], t: float, x: float, t_x: float, T: float) -> mp.mpf:
    """BG/NBD E[Y(t) | x, t_x, T] (Fader, Hardie & Lee 2005, eq. 10), in mpmath."""
    r, al, a, b = (mp.mpf(p[k]) for k in ("r", "alpha", "a", "b"))
    x, t_x, T, t = mp.mpf(x), mp.mpf(t_x), mp.mpf(T), mp.mpf(t)
    z = t / (al + T + t)
    f = mp.hyp2f1(r + x, b + x, a + b + x - 1, z)
    body = (a + b + x - 1) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * f)
    if x == 0:
        return body
    odds = a / (b + x - 1) * ((al + T) / (al + t_x)) ** (r + x)
    return body / (1 + odds)


def mbg_conditional(p: dict[str, float], t: float, x: float, t_x: float, T: float) -> mp.mpf:
    """MBG/NBD E[Y(t) | x, t_x, T] (Batislam et al. 2007), in mpmath."""
    r, al, a, b = (mp.mpf(p[k]) for k in ("r", "alpha", "a", "b"))
    x, t_x, T, t = mp.mpf(x), mp.mpf(t_x), mp.mpf(T), mp.mpf(t)
    z = t / (al + T + t)
    f = mp.hyp2f1(r + x, b + x + 1, a + b + x, z)
    body = (a + b + x) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * f)
    odds = a / (b + x) * ((al + T) / (al + t_x)) ** (r + x)
    return body / (1 + odds)


def test_bg_nbd_expected_purchases_at_long_horizons_match_mpmath_and_lifetimes() -> None:
    m = BetaGeo.from_params(**BG)
    ts = [39.0, 104.0, 3e4, 1e6]
    got = m.expected_purchases(ts)
    for t, g in zip(ts, got):
        want = bg_conditional(BG, t, 0, 0, 0)
        assert abs(g - float(want)) <= 1e-9 * float(want), (t, g, want)
    # lifetimes' figure at 30,000 weeks
    assert round(float(got[2]), 3) == 21.085


@pytest.mark.parametrize("t", [1.0, 52.0, 104.0, 1e3, 1e4, 1e5, 1e6])
def test_a_customer_with_10000_purchases_has_finite_expectations(t: float) -> None:
    for cls, params, reference in (
        (BetaGeo, BG, bg_conditional),
        (ModifiedBetaGeo, MBG, mbg_conditional),
    ):
        m = cls.from_params(**params)
        got = float(m.conditional_expected_purchases(t, [10_000.0], [1.0], [1.0])[0])
        want = float(reference(params, t, 10_000, 1, 1))
        assert math.isfinite(got), (cls, t)
        assert abs(got - want) <= 1e-8 * max(want, 1e-300), (cls, t, got, want)


def test_pareto_nbd_at_10000_purchases_and_10_6_periods_is_finite() -> None:
    m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    for t in [1.0, 1e3, 1e6]:
        e = m.conditional_expected_purchases(t, [10_000.0, 0.0], [30.0, 0.0], [38.86, 38.86])
        assert np.isfinite(e).all() and (e >= 0).all()
    assert np.isfinite(m.expected_purchases([1e6])).all()


@pytest.mark.parametrize("scale", [1e-300, 1e-100, 1e100, 1e300])
def test_extreme_parameters_give_a_finite_value_or_a_typed_error(scale: float) -> None:
    for params in (
        {"r": scale, "alpha": 1.0, "a": 0.8, "b": 2.0},
        {"r": 0.3, "alpha": scale, "a": 0.8, "b": 2.0},
        {"r": 0.3, "alpha": 4.0, "a": scale, "b": 2.0},
        {"r": 0.3, "alpha": 4.0, "a": 0.8, "b": scale},
    ):
        for cls in (BetaGeo, ModifiedBetaGeo):
            m = cls.from_params(**params)
            try:
                e = m.conditional_expected_purchases(52.0, [0.0, 3.0], [0.0, 20.0], [38.0, 38.0])
            except crm.CrmError as err:
                assert err.rule == "finite_prediction" and err.row in (1, 2)
            else:
                assert np.isfinite(e).all() and (e >= 0).all(), (cls, params, e)


def test_a_horizon_beyond_the_limit_is_refused_at_once_by_rule() -> None:
    m = BetaGeo.from_params(**BG)
    with pytest.raises(crm.CrmError) as e:
        m.customer_lifetime_value([1.0], [20.0], [38.0], [30.0], time=10**9)
    assert e.value.rule == "horizon_limit" and isinstance(e.value, ValueError)
    gg = GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    with pytest.raises(crm.CrmError) as e:
        crm.clv.predictions(
            m,
            gg,
            pa.table(
                {
                    "customer_id": [1],
                    "frequency": [1.0],
                    "recency": [20.0],
                    "T": [38.0],
                    "monetary_value": [30.0],
                }
            ),
            months=1201,
            unit="week",
        )
    assert e.value.rule == "horizon_limit"


def test_clv_grows_with_the_horizon_for_a_heavy_buyer() -> None:
    m = BetaGeo.from_params(**BG)
    values = [
        float(
            m.customer_lifetime_value(
                [300.0], [38.0], [38.86], [30.0], time=n, period_length=4.345
            )[0]
        )
        for n in (24, 36, 120)
    ]
    assert values[0] < values[1] < values[2], values


def test_gamma_gamma_with_q_at_most_1_refuses_the_undefined_mean() -> None:
    heavy = GammaGamma.from_params(p=4.0, q=0.38, v=12.0)
    # A repeat customer's conditional mean exists (p x + q > 1) ...
    assert float(heavy.conditional_expected_spend([3.0], [20.0])[0]) > 0
    # ... the population mean of a first-time buyer does not.
    with pytest.raises(crm.CrmError) as e:
        heavy.conditional_expected_spend([3.0, 0.0], [20.0, 0.0])
    assert e.value.rule == "mean_spend_undefined" and e.value.row == 2
    assert isinstance(e.value, ValueError)


def test_customers_first_seen_on_the_analysis_date_fit_and_predict() -> None:
    as_of = dt.date(2024, 3, 31)
    day = dt.date.fromisoformat
    rows = [
        (1, "2024-01-02", 20.0),
        (1, "2024-02-10", 35.0),
        (1, "2024-03-20", 15.0),
        (2, "2024-01-15", 50.0),
        (3, "2024-02-01", 10.0),
        (3, "2024-03-01", 12.0),
        (4, "2024-03-31", 40.0),  # first purchase on the analysis date: T = 0
        (5, "2024-01-05", 8.0),
        (5, "2024-01-25", 9.0),
        (5, "2024-03-30", 11.0),
        (6, "2024-02-20", 30.0),
        (7, "2024-03-31", 25.0),  # T = 0 as well
    ]
    tx = pa.table(
        {
            "customer": [r[0] for r in rows],
            "date": [day(r[1]) for r in rows],
            "amount": [r[2] for r in rows],
        }
    )
    summary = crm.summarize(tx, customer="customer", time="date", amount="amount", as_of=as_of)
    table = pa.table(summary)
    assert 0.0 in table.column("T").to_pylist()
    bg = BetaGeo(l2_penalty=0.1).fit(summary)
    assert bg.report is not None
    fit_set = bg.report["fit_set"]
    assert fit_set["customers"] == 7 and fit_set["used"] == 5
    assert fit_set["excluded"] == [{"reason": "not_observed", "customers": 2.0}]
    f, r, T = (table.column(c).to_numpy().astype("float64") for c in ("frequency", "recency", "T"))
    p = bg.p_alive(f, r, T)
    e = bg.conditional_expected_purchases(30.0, f, r, T)
    assert np.isfinite(p).all() and np.isfinite(e).all()
    new = T == 0
    # A customer observed for no time gets the prediction of a new customer.
    assert np.allclose(e[new], bg.expected_purchases([30.0])[0], rtol=1e-12)


def clv_by_brute_force(
    conditional: Any,
    p: dict[str, float],
    x: float,
    t_x: float,
    T: float,
    periods: int,
    length: float,
) -> mp.mpf:
    """Σ_k (E[Y(kΔ)] − E[Y((k−1)Δ)]) / 1.01^k, every period end in mpmath."""
    total, before = mp.mpf(0), mp.mpf(0)
    for k in range(1, periods + 1):
        now = conditional(p, k * length, x, t_x, T)
        total += (now - before) / mp.mpf("1.01") ** k
        before = now
    return total


@pytest.mark.parametrize(
    "cls, params, reference",
    [(BetaGeo, BG, bg_conditional), (ModifiedBetaGeo, MBG, mbg_conditional)],
)
def test_a_century_of_months_matches_the_period_by_period_sum_in_mpmath(
    cls: type, params: dict[str, float], reference: Any
) -> None:
    m = cls.from_params(**params)
    histories = [(0.0, 0.0, 38.86), (2.0, 30.43, 38.86), (40.0, 37.0, 38.0)]
    x, t_x, T = (list(c) for c in zip(*histories))
    got = m.customer_lifetime_value(x, t_x, T, [1.0] * 3, time=1200, period_length=4.345)
    with mp.workdps(20):
        for i, (xi, ti, Ti) in enumerate(histories):
            want = float(clv_by_brute_force(reference, params, xi, ti, Ti, 1200, 4.345))
            assert abs(float(got[i]) - want) <= 1e-10 * want, (xi, got[i], want)


def test_a_century_of_months_on_every_cdnow_customer_is_finite_within_seconds() -> None:
    s = pyarrow.csv.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    m = BetaGeo.from_params(**BG)
    start = time.process_time()
    clv = m.customer_lifetime_value(
        s["x"], s["t_x"], s["T"], s["zbar"], time=1200, period_length=4.345
    )
    spent = time.process_time() - start
    assert len(clv) == 2357 and np.isfinite(clv).all()
    assert spent < 30.0, spent  # 269 s with one integral per period


def pareto_p_alive(p: dict[str, float], x: float, t_x: float, T: float) -> mp.mpf:
    """Pareto/NBD P(alive | x, t_x, T): 1 / (1 + s ∫ ... dτ), the likelihood's
    two parts by mpmath's quadrature (independent of the engine's ₂F₁ and panels)."""
    r, al, s, be = (mp.mpf(p[k]) for k in ("r", "alpha", "s", "beta"))
    x, t_x, T = mp.mpf(x), mp.mpf(t_x), mp.mpf(T)
    if t_x == T:
        return mp.mpf(1)

    def integrand(v: mp.mpf) -> mp.mpf:
        # ((α+T)/(α+τ))^(r+x) ((β+T)/(β+τ))^s / (β+τ) · dτ/dv, the ratios by
        # log1p (1e150 + 1e6 is 1e150 at 30 digits).
        tau = t_x + mp.exp(v)
        ln_f = (r + x) * mp.log1p((T - tau) / (al + tau)) + s * mp.log1p((T - tau) / (be + tau))
        return mp.exp(ln_f + v - mp.log(be + tau))

    # In v = ln(τ − t_x), split every 30 units from below the smallest scale
    # (the parameters' and the decay's) up to ln(T − t_x).
    hi = mp.log(T - t_x)
    lo = min(mp.log(al + t_x), mp.log(be + t_x), hi) - mp.log(max(r + x, s, 1)) - 60
    points = [lo + 30 * k for k in range(int((hi - lo) / 30) + 1)] + [hi]
    odds = s * mp.quad(integrand, [-mp.inf, *points])
    return 1 / (1 + odds)


@pytest.mark.parametrize(
    "params",
    [
        {"r": 0.553, "alpha": 1e300, "s": 0.606, "beta": 11.669},
        {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 1e300},
        {"r": 0.553, "alpha": 1e-300, "s": 0.606, "beta": 11.669},
        {"r": 1e-300, "alpha": 10.578, "s": 0.606, "beta": 1e-300},
        {"r": 1e150, "alpha": 1e150, "s": 1e-150, "beta": 1e-150},
        {"r": 0.553, "alpha": 1e200, "s": 1e200, "beta": 1e-200},
    ],
)
def test_pareto_nbd_p_alive_at_extreme_parameters_matches_mpmath(params: dict[str, float]) -> None:
    m = ParetoNBD.from_params(**params)
    histories = [(0.0, 0.0, 38.86), (2.0, 30.43, 38.86), (10_000.0, 1.0, 1e6), (5.0, 37.0, 38.0)]
    x, t_x, T = (list(c) for c in zip(*histories))
    got = m.p_alive(x, t_x, T)
    e = m.conditional_expected_purchases(52.0, x, t_x, T)
    assert np.isfinite(e).all() and (e >= 0).all(), (params, e)
    with mp.workdps(30):
        for g, h in zip(got, histories):
            want = float(pareto_p_alive(params, *h))
            assert abs(float(g) - want) <= 1e-9 * max(want, 1e-300), (params, h, g, want)
