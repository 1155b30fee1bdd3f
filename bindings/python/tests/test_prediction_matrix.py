"""crm_engine.clv.prediction_matrix: a model's predictions over the
engine's frequency x recency grid, against the same grid built in numpy."""

from __future__ import annotations

import crm_engine as crm
import numpy as np
import pytest
from crm_engine.clv import BetaGeo, ParetoNBD, prediction_matrix


@pytest.mark.parametrize(
    "model",
    [
        BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426),
        ParetoNBD.from_params(r=0.5534, alpha=10.5802, s=0.6061, beta=11.6562),
    ],
)
def test_the_matrix_is_the_models_prediction_on_the_documented_grid(model: BetaGeo) -> None:
    T = 38.86
    f, r, p = prediction_matrix(model, T=T)
    # The grid as the docs state it, in numpy.
    freqs, recs = np.arange(21.0), np.linspace(0.0, T, 40)
    np.testing.assert_allclose(f, freqs, rtol=0, atol=0)
    np.testing.assert_allclose(r, recs, rtol=1e-15)
    ff, rr = np.meshgrid(freqs, recs, indexing="ij")
    rr = np.where(ff == 0, 0.0, np.maximum(rr, T / 400.0))
    want = model.p_alive(ff.ravel(), rr.ravel(), np.full(ff.size, T)).reshape(21, 40)
    np.testing.assert_allclose(p, want, rtol=1e-12)
    _, _, e = prediction_matrix(model, T=T, what="expected_purchases", t=10.0, max_recency=30.0)
    rr = np.where(ff == 0, 0.0, np.maximum(np.linspace(0, 30.0, 40)[None, :] + 0 * ff, 30.0 / 400))
    want = model.conditional_expected_purchases(10.0, ff.ravel(), rr.ravel(), np.full(ff.size, T))
    np.testing.assert_allclose(e, want.reshape(21, 40), rtol=1e-12)


def test_a_bad_grid_is_a_config_error() -> None:
    bg = BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    for kwargs in [
        {"T": 0.0},
        {"T": 10.0, "max_recency": 11.0},
        {"T": 10.0, "max_frequency": 10_001},
        {"T": 10.0, "what": "clv"},
        {"T": float("nan")},
    ]:
        with pytest.raises(crm.ConfigError):
            prediction_matrix(bg, **kwargs)  # type: ignore[arg-type]
