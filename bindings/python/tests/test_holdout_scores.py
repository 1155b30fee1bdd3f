"""crm_engine.clv.holdout_scores against an independent numpy computation
and hand-computed figures (crm-core's clv::validation)."""

from __future__ import annotations

import math

import crm_engine as crm
import numpy as np
import pytest
from crm_engine.clv import holdout_scores


def data(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    actual = rng.poisson(1.2, n).astype(float)
    predicted = np.round(actual * rng.uniform(0.3, 1.5, n) + rng.uniform(0, 1, n), 1)
    spend = rng.gamma(3.0, 10.0, n)
    return {
        "customer_id": rng.permutation(np.arange(10, 10 + n)),
        "predicted_purchases": predicted,
        "frequency_holdout": actual,
        # Rounded to whole units: many ties, broken by customer id.
        "predicted_value": np.round(predicted * 20.0),
        "total_spend_holdout": actual * spend,
    }


def numpy_scores(d: dict[str, np.ndarray]) -> dict[str, object]:
    ids, p, a = d["customer_id"], d["predicted_purchases"], d["frequency_holdout"]
    pv, av = d["predicted_value"], d["total_spend_holdout"]
    n = len(ids)
    order = np.lexsort((ids, -pv))  # predicted value descending, then id
    curve = np.concatenate([[0.0], np.cumsum(av[order]) / av.sum()])
    area = np.sum((curve[1:] + curve[:-1]) / 2) / n
    ranks = np.arange(n)
    decile = ranks * 10 // n
    keep = sorted({math.ceil(k * n / 100) for k in range(1, 101)})
    return {
        "mae": np.mean(np.abs(p - a)),
        "rmse": np.sqrt(np.mean((p - a) ** 2)),
        "predicted_total": p.sum(),
        "actual_total": a.sum(),
        "correlation": np.corrcoef(p, a)[0, 1],
        "gini": 2 * area - 1,
        "lorenz": [(0.0, 0.0)] + [(m / n, curve[m]) for m in keep],
        "deciles": [
            (
                k + 1,
                int((decile == k).sum()),
                p[order][decile == k].mean(),
                av[order][decile == k].mean(),
            )
            for k in range(10)
            if (decile == k).any()
        ],
    }


@pytest.mark.parametrize("n", [7, 1037])
def test_scores_equal_an_independent_numpy_computation(n: int) -> None:
    d = data(n, seed=n)
    s = holdout_scores(d)
    want = numpy_scores(d)
    got = s.as_dict()
    for k in ["mae", "rmse", "predicted_total", "actual_total", "correlation", "gini"]:
        assert got[k] == pytest.approx(want[k], rel=1e-12, abs=1e-12), k
    assert got["customers"] == n
    assert got["aggregate_error"] == pytest.approx(
        want["predicted_total"] - want["actual_total"], abs=1e-9
    )
    lorenz = s.lorenz.to_arrow()
    points = list(
        zip(lorenz.column("customer_share").to_pylist(), lorenz.column("value_share").to_pylist())
    )
    assert len(points) == len(want["lorenz"])
    for (x, y), (wx, wy) in zip(points, want["lorenz"]):
        assert x == pytest.approx(wx, rel=1e-15) and y == pytest.approx(wy, rel=1e-12)
    dec = s.deciles.to_pandas()
    expected = want["deciles"]
    assert dec.decile.tolist() == [r[0] for r in expected]
    assert dec.customers.tolist() == [r[1] for r in expected]
    assert np.allclose(dec.predicted_purchases, [r[2] for r in expected], rtol=1e-12)
    assert np.allclose(dec.actual_value, [r[3] for r in expected], rtol=1e-12)


def test_the_hand_computed_example() -> None:
    # Errors 0, -1, 0.5, 0: MAE 0.375, RMSE sqrt(1.25 / 4); customer 2 (the
    # highest predicted value) holds 30 of 40: curve 0, .75, 1, 1, 1 at
    # quarters, area (0.375 + 0.875 + 1 + 1) / 4 = 0.8125, Gini 0.625.
    s = holdout_scores(
        {
            "customer_id": np.array([1, 2, 3, 4]),
            "predicted_purchases": np.array([1.0, 2.0, 0.5, 0.0]),
            "frequency_holdout": np.array([1.0, 3.0, 0.0, 0.0]),
            "predicted_value": np.array([10.0, 20.0, 5.0, 0.0]),
            "total_spend_holdout": np.array([10.0, 30.0, 0.0, 0.0]),
        }
    )
    assert s["mae"] == 0.375
    assert s["rmse"] == math.sqrt(1.25 / 4)
    assert s["aggregate_error"] == -0.5
    assert s["aggregate_relative_error"] == -0.125
    assert s["gini"] == pytest.approx(0.625, abs=1e-15)
    assert s.deciles.to_pandas().decile.tolist() == [1, 3, 6, 8]


def test_undefined_scores_are_none_and_bad_values_name_the_column() -> None:
    s = holdout_scores(
        {
            "customer_id": np.array([1, 2]),
            "predicted_purchases": np.array([1.0, 1.0]),
            "frequency_holdout": np.array([0.0, 0.0]),
            "predicted_value": np.array([1.0, 2.0]),
            "total_spend_holdout": np.array([0.0, 0.0]),
        }
    )
    assert s["correlation"] is None and s["gini"] is None and s["aggregate_relative_error"] is None
    assert len(s.lorenz) == 0
    with pytest.raises(crm.InvalidValueError) as e:
        holdout_scores(
            {
                "customer_id": np.array([1, 2]),
                "predicted_purchases": np.array([1.0, float("nan")]),
                "frequency_holdout": np.array([0.0, 0.0]),
                "predicted_value": np.array([1.0, 2.0]),
                "total_spend_holdout": np.array([0.0, 0.0]),
            }
        )
    assert e.value.column == "predicted_purchases" and e.value.row == 2
    with pytest.raises(crm.ColumnError):
        holdout_scores({"customer_id": np.array([1])})
