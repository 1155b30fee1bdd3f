"""What intervals cost: crm_engine.clv.predictions against
prediction_intervals on the same simulated customers, in one run.

Draws ``--customers`` customers (default 1,000,000) from BG/NBD (Fader,
Hardie & Lee's CDNOW parameters, ages 26 to 78 weeks) with Gamma-Gamma
spend, fits both models, and times the predictions table and the same table
with 90 % intervals (the delta method evaluates the predictions 15 times:
1 + 2 × 7 parameters). Prints both times and their ratio::

    python benches/intervals_cost.py [--customers 1000000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pyarrow as pa
from crm_engine.clv import BetaGeo, GammaGamma, prediction_intervals, predictions


def simulate(n: int, seed: int = 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    age = rng.uniform(26, 78, n)
    x, tx, t = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, bool)
    while alive.any():
        t = t + rng.exponential(1 / lam)
        step = alive & (t <= age)
        x[step] += 1
        tx[step] = t[step]
        alive = step & (rng.uniform(size=n) >= p)
    nu = rng.gamma(3.74, 1 / 15.44, n)
    k = np.maximum(x, 1)
    spend = np.where(x > 0, rng.gamma(6.25 * k, 1 / nu) / k, 0.0)
    return pa.table(
        {
            "customer_id": np.arange(n),
            "frequency": x,
            "recency": tx,
            "T": age,
            "monetary_value": spend,
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    n = ap.parse_args().customers
    data = simulate(n)
    bg, gg = BetaGeo().fit(data), GammaGamma().fit(data)
    t0 = time.perf_counter()
    predictions(bg, gg, data, unit="week")
    plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    prediction_intervals(bg, gg, data, unit="week")
    with_intervals = time.perf_counter() - t0
    print(
        f"{n} customers: predictions {plain:.2f} s, with intervals {with_intervals:.2f} s "
        f"({with_intervals / plain:.1f}x)"
    )


if __name__ == "__main__":
    main()
