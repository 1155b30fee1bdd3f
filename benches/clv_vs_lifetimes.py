"""crm_engine.clv against lifetimes 0.11.3: the same data, fitted by both, in one run.

Fits CDNOW (2,357 customers, weeks) with BG/NBD, Pareto/NBD and Gamma-Gamma,
and BG/NBD on 100,000 simulated customers, with lifetimes and with
crm-engine, checks that both land on the same parameters, and prints the
time ratios. Not part of CI (lifetimes is not a dependency of the project).

Set-up (a throwaway venv; lifetimes 0.11.3 runs on current numpy, scipy
and pandas), then::

    python -m venv /tmp/bench && /tmp/bench/bin/pip install lifetimes==0.11.3 maturin
    (cd bindings/python && /tmp/bench/bin/maturin build --release -o /tmp/wheels)
    /tmp/bench/bin/pip install /tmp/wheels/crm_engine-*.whl
    /tmp/bench/bin/python benches/clv_vs_lifetimes.py

Times are the best of ``--repeat`` runs for crm-engine and of ``--repeat-lifetimes``
runs for lifetimes (default 5 and 2; lifetimes' Pareto/NBD alone runs once).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

ROOT = Path(__file__).resolve().parents[1]


def best_of(n: int, fn):  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def simulate_bg_nbd(n: int, seed: int = 42) -> pd.DataFrame:
    """BG/NBD customers (CDNOW's parameters) recorded on a daily clock in weeks,
    ages of 1..39 weeks in whole days, as a summary of dated purchases would give."""
    rng = np.random.default_rng(seed)
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    age = rng.integers(7, 39 * 7 + 1, n) / 7.0
    t = np.zeros(n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        t[idx] += rng.exponential(1.0 / np.maximum(lam[idx], 1e-12))
        bought = t[idx] <= age[idx]
        done = idx[~bought]
        active[done] = False
        b_idx = idx[bought]
        x[b_idx] += 1
        t_x[b_idx] = np.ceil(t[b_idx] * 7.0) / 7.0  # a purchase day
        dies = rng.random(b_idx.size) < p[b_idx]
        active[b_idx[dies]] = False
    return pd.DataFrame({"frequency": x, "recency": np.minimum(t_x, age), "T": age})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--repeat-lifetimes", type=int, default=2)
    ap.add_argument("--simulated", type=int, default=100_000)
    ap.add_argument(
        "--dump-simulated",
        metavar="PATH",
        help="write the simulated customers as CSV (for "
        "crates/crm-core/examples/clv_timing.rs) and exit",
    )
    args = ap.parse_args()
    if args.dump_simulated:
        simulate_bg_nbd(args.simulated).to_csv(
            args.dump_simulated, index=False, float_format="%.17g"
        )
        return

    import crm_engine
    import lifetimes
    from crm_engine.clv import BetaGeo, GammaGamma, ParetoNBD
    from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter

    cd = pd.read_csv(ROOT / "examples" / "data" / "cdnow_customers_summary_with_transactions.csv")
    rep = cd[cd["x"] > 0]
    sim = simulate_bg_nbd(args.simulated)
    print(
        f"lifetimes {lifetimes.__version__}, crm_engine {crm_engine.__version__}, numpy {np.__version__}, pandas {pd.__version__}"
    )

    rows = []

    def compare(name: str, lt_fit, crm_fit, lt_params, crm_params, lt_n: int) -> None:  # type: ignore[no-untyped-def]
        t_lt, lt = best_of(lt_n, lt_fit)
        t_crm, cm = best_of(args.repeat, crm_fit)
        pl_, pc = lt_params(lt), crm_params(cm)
        diff = max(abs(pl_[k] - pc[k]) / max(abs(pc[k]), 1e-12) for k in pc)
        rows.append((name, t_lt, t_crm, t_lt / t_crm, diff, pl_, pc))
        print(
            f"{name:<34} lifetimes {t_lt * 1e3:10.1f} ms   crm-engine {t_crm * 1e3:8.2f} ms   "
            f"ratio {t_lt / t_crm:7.1f}x   max rel. param diff {diff:.1e}",
            flush=True,
        )

    compare(
        "BG/NBD, CDNOW (2,357)",
        lambda: BetaGeoFitter().fit(cd["x"], cd["t_x"], cd["T"]),
        lambda: BetaGeo().fit(cd, frequency="x", recency="t_x", T="T"),
        lambda m: dict(m.params_),
        lambda m: m.params,
        args.repeat_lifetimes,
    )
    compare(
        "Pareto/NBD, CDNOW (2,357)",
        lambda: ParetoNBDFitter().fit(cd["x"], cd["t_x"], cd["T"]),
        lambda: ParetoNBD().fit(cd, frequency="x", recency="t_x", T="T"),
        lambda m: dict(m.params_),
        lambda m: m.params,
        1,
    )
    compare(
        "Gamma-Gamma, CDNOW repeat (946)",
        lambda: GammaGammaFitter().fit(rep["x"], rep["zbar"]),
        lambda: GammaGamma().fit(rep, frequency="x", monetary_value="zbar"),
        lambda m: dict(m.params_),
        lambda m: m.params,
        args.repeat_lifetimes,
    )
    compare(
        f"BG/NBD, simulated ({args.simulated:,})",
        lambda: BetaGeoFitter().fit(sim["frequency"], sim["recency"], sim["T"]),
        lambda: BetaGeo().fit(sim),
        lambda m: dict(m.params_),
        lambda m: m.params,
        args.repeat_lifetimes,
    )
    print()
    print(
        "| model, data | lifetimes 0.11.3 | crm-engine | ratio | max relative parameter difference |"
    )
    print("|---|---|---|---|---|")
    for name, t_lt, t_crm, ratio, diff, _, _ in rows:
        print(
            f"| {name} | {t_lt * 1e3:,.1f} ms | {t_crm * 1e3:,.2f} ms | {ratio:,.0f}x | {diff:.1e} |"
        )
    for name, *_, pl_, pc in rows:
        print(
            f"{name}: lifetimes { ({k: round(v, 4) for k, v in pl_.items()}) }  crm-engine { ({k: round(v, 4) for k, v in pc.items()}) }"
        )


if __name__ == "__main__":
    main()
