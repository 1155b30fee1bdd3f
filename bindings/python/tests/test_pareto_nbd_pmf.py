"""Pareto/NBD's conditional probability of n purchases, against lifetimes.

The engine's formula is Fader & Hardie's (2014) conditional PMF, checked in
crm-core against an mpmath posterior integral; here every customer of the
CDNOW sample is checked against lifetimes'
``conditional_probability_of_n_purchases_up_to_time`` at the same fitted
parameters, and the distribution against the engine's own closed-form
conditional expectation (a different formula).
"""

from __future__ import annotations

from pathlib import Path

import crm_engine as crm
import numpy as np
import pandas as pd
import pytest
from conftest import lifetimes
from crm_engine.clv import BetaGeo, ParetoNBD

DATA = Path(__file__).resolve().parents[3] / "examples" / "data"


@pytest.fixture(scope="module")
def fitted() -> tuple[ParetoNBD, pd.DataFrame]:
    summary = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    return ParetoNBD().fit(summary, frequency="x", recency="t_x", T="T"), summary


def test_every_customer_equals_lifetimes(fitted: tuple[ParetoNBD, pd.DataFrame]) -> None:
    model, s = fitted
    ref = lifetimes().ParetoNBDFitter()
    assert model.params is not None
    ref.params_ = pd.Series(model.params)
    x, tx, T = (s[c].to_numpy(float) for c in ("x", "t_x", "T"))
    for n, t in [(0, 39.0), (1, 39.0), (2, 10.0), (5, 52.0)]:
        ours = model.conditional_probability_of_n_purchases(n, t, x, tx, T)
        theirs = np.array(
            [
                ref.conditional_probability_of_n_purchases_up_to_time(n, t, *row)
                for row in zip(x, tx, T, strict=True)
            ],
            dtype=float,
        )
        assert ours.shape == (len(s),)
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-15)


def test_the_distribution_sums_to_one_with_the_expected_mean(
    fitted: tuple[ParetoNBD, pd.DataFrame],
) -> None:
    model, s = fitted
    cols = [s[c].to_numpy(float)[:200] for c in ("x", "t_x", "T")]
    ps = np.stack([model.conditional_probability_of_n_purchases(n, 26.0, *cols) for n in range(80)])
    np.testing.assert_allclose(ps.sum(axis=0), 1.0, atol=1e-9)
    mean = (np.arange(80)[:, None] * ps).sum(axis=0)
    np.testing.assert_allclose(mean, model.conditional_expected_purchases(26.0, *cols), rtol=1e-8)


def test_bad_arguments_and_rows_are_typed_errors(fitted: tuple[ParetoNBD, pd.DataFrame]) -> None:
    model, _ = fitted
    with pytest.raises(crm.InvalidValueError) as e:
        model.conditional_probability_of_n_purchases(1, 10.0, [1.0, 2.0], [1.0, 5.0], [3.0, 4.0])
    assert e.value.row == 2
    for n, t in [(-1, 1.0), (1.5, 1.0), (1, -1.0), (1, float("nan"))]:
        with pytest.raises(crm.ConfigError):
            model.conditional_probability_of_n_purchases(n, t, [1.0], [1.0], [3.0])  # type: ignore[arg-type]
    assert not hasattr(BetaGeo, "conditional_probability_of_n_purchases")
