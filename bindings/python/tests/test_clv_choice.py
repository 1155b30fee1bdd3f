"""crm_engine.clv model choice: AIC, BIC, the comparison of the repeat models
and the choice (crm-core's ``clv::choice``)."""

from __future__ import annotations

import math
from pathlib import Path

import crm_engine as crm
import numpy as np
import pandas as pd
import polars as pl
import pytest
from crm_engine.clv import BetaGeo, ModelComparison, ParetoNBD, compare_models, likelihood_ratio

DATA = Path(__file__).resolve().parents[3] / "examples" / "data"
COLUMNS = {"frequency": "x", "recency": "t_x", "T": "T"}


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="module")
def comparison(cdnow: pd.DataFrame) -> ModelComparison:
    return compare_models(cdnow, **COLUMNS)


def test_aic_and_bic_of_the_published_bg_nbd_fit(cdnow: pd.DataFrame) -> None:
    # Fader, Hardie & Lee (2005): LL = -9582.4, k = 4, n = 2,357, so by hand
    # AIC = 8 + 19,164.8 = 19,172.8 and BIC = 4 ln 2357 + 19,164.8 = 19,195.86.
    bg = BetaGeo().fit(cdnow, **COLUMNS)
    assert bg.log_likelihood is not None and bg.information_criteria is not None
    assert bg.aic == pytest.approx(19_172.8, abs=0.1)
    assert bg.bic == pytest.approx(19_195.86, abs=0.1)
    assert bg.aic == 8 - 2 * bg.log_likelihood
    assert bg.bic == pytest.approx(4 * math.log(2357) - 2 * bg.log_likelihood, rel=1e-15)
    ic = bg.information_criteria
    assert (ic["parameters"], ic["observations"]) == (4, 2357)
    assert ic["log_likelihood"] == bg.log_likelihood
    published = BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    assert published.aic is None and published.information_criteria is None


def test_compare_ranks_by_bic_and_chooses_the_lowest(
    comparison: ModelComparison, cdnow: pd.DataFrame
) -> None:
    rows = comparison.rows
    assert [r["kind"] for r in rows] == ["bg_nbd", "mbg_nbd", "pareto_nbd"]
    assert all(r["converged"] and r["parameters"] == 4 for r in rows)
    assert all(r["observations"] == 2357 and r["holdout_mae"] is None for r in rows)
    assert sorted(r["bic_rank"] for r in rows) == [1, 2, 3]
    assert comparison.criterion == "bic" and comparison.skipped == []
    best = min(rows, key=lambda r: r["bic"])
    assert best["bic_rank"] == 1 and comparison.choose() == best["kind"]
    pareto = next(r for r in rows if r["kind"] == "pareto_nbd")
    assert pareto["log_likelihood"] == pytest.approx(-9595.0, abs=0.05)
    # The comparison's fits are the models' own fits.
    fitted = comparison.fitted("pareto_nbd")
    assert isinstance(fitted, ParetoNBD)
    own = ParetoNBD().fit(cdnow, **COLUMNS)
    assert fitted.params == own.params and fitted.bic == own.bic
    assert type(comparison.fitted()).__name__ in {"BetaGeo", "ModifiedBetaGeo", "ParetoNBD"}


def test_a_holdout_chooses_by_holdout_error(
    comparison: ModelComparison, cdnow: pd.DataFrame
) -> None:
    # Holdout purchases equal to Pareto/NBD's own predictions: its error is 0.
    pareto = comparison.fitted("pareto_nbd")
    frame = cdnow.assign(
        holdout=pareto.conditional_expected_purchases(39, cdnow["x"], cdnow["t_x"], cdnow["T"])
    )
    c = compare_models(frame, **COLUMNS, holdout="holdout", holdout_duration=39)
    assert c.criterion == "holdout_mae" and c.choose() == "pareto_nbd"
    row = next(r for r in c.rows if r["kind"] == "pareto_nbd")
    assert row["holdout_mae"] == 0.0 and row["holdout_rmse"] == 0.0
    assert all(r["holdout_mae"] is not None for r in c.rows)
    with pytest.raises(crm.ConfigError) as e:
        compare_models(frame, **COLUMNS, holdout="holdout")
    assert e.value.rule == "clv_argument"


def test_no_converged_fit_is_never_chosen(cdnow: pd.DataFrame) -> None:
    c = compare_models(cdnow, **COLUMNS, max_iterations=1)
    assert not any(r["converged"] for r in c.rows)
    assert all(r["bic_rank"] is None for r in c.rows)
    assert c.chosen is None
    with pytest.raises(crm.ConvergenceError) as e:
        c.choose()
    assert e.value.rule == "no_model_converged"
    assert "bg_nbd, mbg_nbd, pareto_nbd" in str(e.value)
    import pickle

    assert pickle.loads(pickle.dumps(e.value)).rule == "no_model_converged"
    with pytest.raises(crm.ConfigError) as unfitted:
        c.fitted("bg_nbd")
    assert unfitted.value.rule == "clv_fitted"
    with pytest.raises(crm.ConfigError) as unknown:
        c.fitted("alice@example.com")
    assert unknown.value.rule == "known_key" and "alice" not in str(unknown.value)


def test_input_errors_name_the_callers_column(cdnow: pd.DataFrame) -> None:
    bad = cdnow.assign(t_x=cdnow["T"] + 1)
    with pytest.raises(crm.InvalidValueError) as e:
        compare_models(bad, **COLUMNS)
    assert e.value.column == "t_x" and e.value.row == 1


@pytest.mark.parametrize(("seed", "frame"), [(1, "pandas"), (2, "polars"), (3, "numpy")])
def test_weights_count_as_repeated_customers(seed: int, frame: str) -> None:
    # The distinct CDNOW histories, each weighted by its count times 1 to 3:
    # the weighted comparison equals that of the customers written out.
    cdnow = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    distinct = cdnow.groupby(["x", "t_x", "T"], as_index=False).size()
    rng = np.random.default_rng(seed)
    counts = distinct["size"].to_numpy() * rng.integers(1, 4, size=len(distinct))
    cols = {c: distinct[c].to_numpy(dtype="float64") for c in ("x", "t_x", "T")}
    weighted_data = {**cols, "w": counts.astype("float64")}
    expanded_data = {c: np.repeat(v, counts) for c, v in cols.items()}
    as_frame = {"pandas": pd.DataFrame, "polars": pl.DataFrame, "numpy": dict}[frame]
    weighted = compare_models(as_frame(weighted_data), **COLUMNS, weights="w")
    expanded = compare_models(as_frame(expanded_data), **COLUMNS)
    for a, b in zip(weighted.rows, expanded.rows, strict=True):
        assert a["converged"] == b["converged"]
        assert a["observations"] == b["observations"] == counts.sum()
        assert a["bic"] == pytest.approx(b["bic"], rel=1e-9)
    assert weighted.chosen == expanded.chosen


@pytest.mark.parametrize(
    ("df", "critical"),
    # 5 % critical values: NIST/SEMATECH e-Handbook 1.3.6.7.4 (3.841, 5.991,
    # 7.815), to full precision as scipy.stats.chi2.ppf(0.95, df) (SciPy 1.17.1).
    [(1, 3.841458820694124), (2, 5.991464547107979), (3, 7.814727903251178)],
)
def test_likelihood_ratio_at_the_published_critical_values(df: int, critical: float) -> None:
    t = likelihood_ratio(-1000.0 - critical / 2, -1000.0, df)
    assert t["df"] == df
    assert t["statistic"] == pytest.approx(critical, rel=1e-12)
    assert t["p_value"] == pytest.approx(0.05, rel=1e-9)


def test_likelihood_ratio_refuses_a_worse_full_fit() -> None:
    with pytest.raises(crm.ConfigError) as e:
        likelihood_ratio(-990.0, -1000.0, 1)
    assert e.value.rule == "clv_argument"
    with pytest.raises(crm.ConfigError):
        likelihood_ratio(-1000.0, -990.0, 0)
