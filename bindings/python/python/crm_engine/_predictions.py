"""Per-customer CLV predictions, their intervals (crm-core's
``clv::intervals``) and tiers on them (``clv::predicted_tiers``), as
:func:`crm_engine.clv.predictions`, :func:`crm_engine.clv.prediction_intervals`
and :func:`crm_engine.clv.predicted_tiers`."""

from __future__ import annotations

import json
from typing import Any

from . import _crm_engine
from ._input import decimal_text, prepare
from ._results import Classification, Table

__all__ = [
    "DEFAULT_LEVEL",
    "prediction_matrix",
    "PredictionIntervals",
    "predicted_tiers",
    "prediction_intervals",
    "predictions",
]

DEFAULT_LEVEL: float = _crm_engine.DEFAULT_INTERVAL_LEVEL
"""The level of an interval when none is given: 0.9 (crm-core's
``clv::intervals::DEFAULT_LEVEL``)."""


class PredictionIntervals(Table):
    """Every customer's predictions with their intervals, and the totals:
    the result of :func:`crm_engine.clv.prediction_intervals` (crm-io's
    ``clv_intervals`` table).

    Columns: ``customer_id``; ``p_alive``, ``expected_purchases``,
    ``expected_spend`` and ``clv``, each followed by its ``_lower`` and
    ``_upper`` end; ``level``.

    Attributes:
        level: the probability each interval is meant to hold.
        total_expected_purchases, total_clv: the customers' expected
            purchases and CLV summed, as ``{"estimate", "lower", "upper",
            "standard_error"}``.
    """

    def __init__(self, table: Any, totals_json: str) -> None:
        super().__init__(table)
        totals = json.loads(totals_json)
        self.level: float = totals["level"]
        self.total_expected_purchases: dict[str, float] = totals["expected_purchases"]
        self.total_clv: dict[str, float] = totals["clv"]

    def _figures(self) -> tuple[Any, ...]:
        return (self.level, self.total_expected_purchases, self.total_clv)


def predictions(
    transaction_model: Any,
    spend_model: Any,
    data: object,
    *,
    months: int = 12,
    discount_rate: float = 0.01,
    unit: str = "day",
    customer: str = "customer_id",
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    monetary_value: str = "monetary_value",
) -> Any:
    """The ``crm clv predict`` table: one row per customer of ``data``.

    Columns ``customer_id``, ``p_alive``, ``expected_purchases`` and
    ``expected_spend`` over ``months`` months, and ``clv`` discounted at
    ``discount_rate`` a month; recency and T are on the clock ``unit`` of the
    summaries. Returns an Arrow table (``pa.table(t)``, ``pl.from_arrow(t)``).
    """
    columns = [customer, frequency, recency, T, monetary_value]
    table, _ = _crm_engine.clv_predictions(
        transaction_model._model,
        transaction_model._values(),
        spend_model._values(),
        prepare(data, columns),
        columns,
        months,
        _crm_engine.finite_number("predictions", "discount_rate", discount_rate),
        unit,
    )
    return table


def predicted_tiers(
    transaction_model: Any,
    spend_model: Any,
    data: object,
    *,
    value: str = "clv",
    by: str = "value",
    cutoffs: tuple[object, object] | None = None,
    months: int = 12,
    discount_rate: float = 0.01,
    unit: str = "day",
    customer: str = "customer_id",
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    monetary_value: str = "monetary_value",
    money: str = "decimal128",
) -> Classification:
    """Value tiers on predicted value: every customer of ``data`` tiered by
    ``value`` (``"clv"``, discounted over ``months``, or
    ``"expected_purchases"``) with the cut-offs of :func:`crm_engine.classify`
    (``by``, ``cutoffs``), so that "most valuable" means future value.

    Predictions compare at a millionth (crm-core's
    ``predicted_tiers::DECIMAL_PLACES``), the ``value`` column holds them so.
    Who moves up and who down from the tiers on past spend::

        past = crm_engine.classify(summary, customer="customer_id", value="total_spend")
        future = crm_engine.clv.predicted_tiers(bg, gg, summary, unit="week")
        moves = crm_engine.review(past, future, membership="presence",
                                  labels=("past", "predicted"))

    Raises:
        ConfigError: an unknown ``value`` or ``by``, bad ``cutoffs``.
        InvalidValueError: a row that breaks the rules of the predictions
            (names the row and column).
    """
    columns = [customer, frequency, recency, T, monetary_value]
    cut: tuple[str, str] | None = None
    if cutoffs is not None:
        if not isinstance(cutoffs, (tuple, list)) or len(cutoffs) != 2:
            raise _crm_engine.argument_error("predicted_tiers", "cutoffs", "pair")
        cut = (decimal_text("cutoffs[0]", cutoffs[0]), decimal_text("cutoffs[1]", cutoffs[1]))
    out = _crm_engine.clv_predicted_tiers(
        transaction_model._model,
        transaction_model._values(),
        spend_model._values(),
        prepare(data, columns),
        columns,
        months,
        _crm_engine.finite_number("predicted_tiers", "discount_rate", discount_rate),
        unit,
        value,
        by,
        cut,
        money,
    )
    return Classification(*out)


def prediction_matrix(
    model: Any,
    *,
    T: float,
    what: str = "p_alive",
    t: float = 0.0,
    max_frequency: int | None = None,
    max_recency: float | None = None,
) -> tuple[Any, Any, Any]:
    """A repeat model's prediction for every frequency and recency of a
    customer of age ``T`` (crm-core's ``clv::matrix``): ``what`` is
    ``"p_alive"`` or ``"expected_purchases"`` (in the next ``t``).

    The rows are the frequencies ``0 … max_frequency`` (default 20), the
    columns 40 recencies from 0 to ``max_recency`` (default ``T``); above
    frequency 0 a recency below ``max_recency / 400`` is read as that.
    Returns ``(frequencies, recencies, values)`` as numpy arrays, ``values``
    of shape ``(len(frequencies), len(recencies))``.

    >>> from crm_engine.clv import BetaGeo, prediction_matrix
    >>> bg = BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> f, r, p = prediction_matrix(bg, T=39.0, max_frequency=5)
    >>> p.shape, bool(p[5, -1] > 0.85 > 0.01 > p[5, 1])
    ((6, 40), True)

    Raises:
        ConfigError: a ``T`` that is not positive, a ``max_recency`` outside
            (0, T], a ``max_frequency`` above 10,000, an unknown ``what``.
    """
    import numpy as np

    freqs, recs, values = _crm_engine.clv_matrix(
        model._model,
        model._values(),
        what,
        _crm_engine.finite_number("prediction_matrix", "T", T),
        max_frequency,
        None
        if max_recency is None
        else _crm_engine.finite_number("prediction_matrix", "max_recency", max_recency),
        _crm_engine.finite_number("prediction_matrix", "t", t),
    )
    f, r = np.asarray(freqs), np.asarray(recs)
    return f, r, np.asarray(values).reshape(len(f), len(r))


def _covariance(model: Any) -> list[float] | None:
    cov = getattr(model, "covariance", None)
    return None if cov is None else [v for row in cov for v in row]


def prediction_intervals(
    transaction_model: Any,
    spend_model: Any,
    data: object,
    *,
    level: float = DEFAULT_LEVEL,
    months: int = 12,
    discount_rate: float = 0.01,
    unit: str = "day",
    customer: str = "customer_id",
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    monetary_value: str = "monetary_value",
) -> PredictionIntervals:
    """The :func:`predictions` table with an interval around every figure,
    and the totals over the customers with theirs.

    The intervals come from the estimation error of the two fits (their
    ``covariance``), carried into each prediction by the delta method and
    built on the logit (P(alive)) or the log (the rest), so they stay in
    range. They are intervals of the model's expectation for each
    customer, not of the purchases the customer will actually make; on data
    simulated from known parameters a 90 % interval holds the expectation
    under the true parameters about 90 % of the time (crm-core's tests).

    Example (``summary`` from :func:`crm_engine.summarize`, in weeks)::

        from crm_engine.clv import BetaGeo, GammaGamma, prediction_intervals
        bg, gg = BetaGeo().fit(summary), GammaGamma().fit(summary)
        iv = prediction_intervals(bg, gg, summary, unit="week", level=0.9)
        iv.to_pandas()[["customer_id", "clv_lower", "clv", "clv_upper"]]
        iv.total_clv        # {'estimate': ..., 'lower': ..., 'upper': ..., 'standard_error': ...}

    Raises:
        ConfigError: a model without a covariance (made by ``from_params``,
            or a fit whose information matrix is not positive definite), or
            a ``level`` not strictly between 0 and 1.
        InvalidValueError: a row that breaks the rules of the predictions
            (names the row and column).
    """
    columns = [customer, frequency, recency, T, monetary_value]
    table, totals = _crm_engine.clv_predictions(
        transaction_model._model,
        transaction_model._values(),
        spend_model._values(),
        prepare(data, columns),
        columns,
        months,
        _crm_engine.finite_number("prediction_intervals", "discount_rate", discount_rate),
        unit,
        level=_crm_engine.finite_number("prediction_intervals", "level", level),
        repeat_covariance=_covariance(transaction_model),
        spend_covariance=_covariance(spend_model),
    )
    assert totals is not None
    return PredictionIntervals(table, totals)
