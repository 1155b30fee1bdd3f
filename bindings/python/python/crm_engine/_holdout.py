"""Holdout scores: predictions of the holdout against what happened
(crm-core's ``clv::validation``), as :func:`crm_engine.clv.holdout_scores`."""

from __future__ import annotations

import json
from typing import Any

from . import _crm_engine
from ._input import prepare
from ._results import Table

__all__ = [
    "HoldoutGroups",
    "HoldoutScores",
    "Tracking",
    "holdout_groups",
    "holdout_scores",
    "tracking",
]


class HoldoutScores(Table):
    """The result of :func:`crm_engine.clv.holdout_scores`: one row of scores
    (crm-io's ``holdout_scores`` table) with the decile table and the
    Lorenz curve beside it.

    Columns: ``customers``, ``mae``, ``rmse`` (of holdout purchases per
    customer), ``predicted_total``, ``actual_total``, ``aggregate_error``
    (predicted − actual), ``aggregate_relative_error``, ``correlation``
    (Pearson, predicted vs actual purchases) and ``gini`` (predicted value
    against actual value); null where the figure is undefined.

    Attributes:
        deciles: ``holdout_deciles``: per tenth of customers by predicted
            value (1 the highest; ties by customer id), the mean predicted
            and actual purchases and value.
        lorenz: ``holdout_lorenz``: ``customer_share`` (highest predicted
            value first) against ``value_share`` (of the actual value), from
            (0, 0) at every hundredth of the customers.
    """

    def __init__(self, table: Any, deciles: Any, lorenz: Any, scores_json: str) -> None:
        super().__init__(table)
        self.deciles = Table(deciles)
        self.lorenz = Table(lorenz)
        self._scores = json.loads(scores_json)

    def as_dict(self) -> dict[str, float | int | None]:
        """The scores by name (no deciles or curve)."""
        return {k: v for k, v in self._scores.items() if k not in ("deciles", "lorenz")}

    def __getitem__(self, score: str) -> float | int | None:
        return self.as_dict()[score]

    def _figures(self) -> tuple[Any, ...]:
        return (self._scores,)


def holdout_scores(
    data: Any,
    *,
    customer: str = "customer_id",
    predicted_purchases: str = "predicted_purchases",
    actual_purchases: str = "frequency_holdout",
    predicted_value: str = "predicted_value",
    actual_value: str = "total_spend_holdout",
) -> HoldoutScores:
    """Scores predictions of the holdout made at the calibration end.

    ``data`` is any Arrow-compatible table (or mapping of numpy arrays) with
    one row per customer; the defaults are the column names of
    :func:`crm_engine.calibration_holdout` (``frequency_holdout``,
    ``total_spend_holdout``) and of the predictions you add to it
    (``predicted_purchases``: e.g. ``BetaGeo.conditional_expected_purchases``
    over ``duration_holdout``; ``predicted_value``: predicted purchases ×
    ``GammaGamma.conditional_expected_spend``). The rules are crm-core's
    ``clv::validation``: ranks by predicted value, ties by customer id;
    deciles as even as possible, 1 the highest; ``gini = 2 · area under the
    Lorenz curve − 1``; a figure whose denominator is zero is ``None``.

    Example::

        split = crm.calibration_holdout(tx, customer="id", time="date", amount="amount",
                                        calibration_end="1997-09-30", as_of="1998-06-30")
        bg = BetaGeo().fit(split, frequency="frequency_cal", recency="recency_cal", T="T_cal")
        df = split.to_pandas()
        df["predicted_purchases"] = bg.conditional_expected_purchases(
            split.duration_holdout, df.frequency_cal, df.recency_cal, df.T_cal)
        df["predicted_value"] = df.predicted_purchases * spend_per_purchase
        scores = holdout_scores(df)
        scores["mae"], scores.deciles.to_pandas()

    Raises:
        ColumnError: a named column is missing.
        InvalidValueError: a value is not finite (names the row and column).
        ConfigError: no customers, or columns of different lengths.
    """
    columns = [customer, predicted_purchases, actual_purchases, predicted_value, actual_value]
    out = _crm_engine.clv_holdout_scores(prepare(data, columns), columns)
    return HoldoutScores(*out)


class Tracking(Table):
    """The tracking curve of a split's calibration customers under a fitted
    repeat model (crm-core's ``clv::tracking``; crm-io's ``tracking``
    table), from a repeat model's :meth:`tracking`.

    One row per period, calibration first: ``period``, ``first_day``,
    ``last_day``, ``phase`` (``"calibration"`` or ``"holdout"``),
    ``actual_repeat_purchases`` and ``actual_cumulative`` (the cohort's
    repeat occasions), ``expected_repeat_purchases`` and
    ``expected_cumulative`` (the model's, summed over the cohort by each
    customer's first-purchase day). Periods are ``period_days`` long and one
    ends on the calibration end, so the boundary falls between two rows.

    Attributes:
        calibration_end, observation_end: the cut and the last holdout day.
        unit: the clock the model was fitted on.
        period_days: the periods' length in days.
        customers: customers in the cohort.
    """

    def __init__(self, table: Any, curve_json: str) -> None:
        super().__init__(table)
        curve = json.loads(curve_json)
        import datetime

        self.calibration_end = datetime.date.fromisoformat(curve["calibration_end"])
        self.observation_end = datetime.date.fromisoformat(curve["observation_end"])
        self.unit: str = curve["unit"]
        self.period_days: int = curve["period_days"]
        self.customers: int = curve["customers"]

    def _figures(self) -> tuple[Any, ...]:
        return (self.calibration_end, self.observation_end, self.unit, self.period_days)


def tracking(model: Any, split: Any, *, period_days: int = 7) -> Tracking:
    """The tracking curve of ``split``'s calibration customers under the
    fitted repeat ``model``: what :meth:`BetaGeo.tracking` returns."""
    occasions = getattr(split, "repeat_occasions", None)
    if occasions is None or not hasattr(split, "calibration_end"):
        raise _crm_engine.argument_error("tracking", "split", "split")
    if isinstance(period_days, bool) or not isinstance(period_days, int):
        raise _crm_engine.argument_error("tracking", "period_days", "number")
    table, curve = _crm_engine.clv_tracking(
        model._model,
        model._values(),
        split,
        occasions,
        split.calibration_end.isoformat(),
        split.as_of.isoformat(),
        split.unit,
        max(0, min(period_days, 2**32 - 1)),
    )
    return Tracking(table, curve)


class HoldoutGroups(Table):
    """Conditional expectations by calibration group (crm-core's
    ``clv::holdout_groups``; crm-io's ``holdout_groups`` table), from a
    repeat model's :meth:`holdout_groups`.

    One row per group: ``grouping`` (``"frequency"``, ``"recency"`` or
    ``"time_since_last_purchase"``), ``group`` (the calibration frequency,
    or the whole units of recency or of ``T - recency``, rounded down),
    ``label`` (``"3"``; the last frequency group ``"7+"``), ``customers``,
    and the group's mean holdout purchases, ``actual_purchases`` and
    ``predicted_purchases``. Rows are by grouping, then group; empty groups
    are left out.

    Attributes:
        max_frequency: the frequency of the last, open frequency group.
        duration_holdout: the holdout's length the predictions cover.
        unit: the split's clock (``"week"`` or ``"day"``), or None when the
            groups were made from another table.
    """

    def __init__(
        self, table: Any, groups_json: str, duration_holdout: float, unit: str | None
    ) -> None:
        super().__init__(table)
        self.max_frequency: int = json.loads(groups_json)["max_frequency"]
        self.duration_holdout = duration_holdout
        self.unit = unit

    def by(self, grouping: str) -> Table:
        """The rows of one grouping (``"frequency"``, ``"recency"`` or
        ``"time_since_last_purchase"``)."""
        import pyarrow.compute as pc

        t = self.to_arrow()
        if grouping not in ("frequency", "recency", "time_since_last_purchase"):
            raise _crm_engine.argument_error("holdout_groups", "grouping", "column_name")
        return Table(t.filter(pc.equal(t.column("grouping"), grouping)))

    def _figures(self) -> tuple[Any, ...]:
        return (self.max_frequency, self.duration_holdout)


def _whole(call: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _crm_engine.argument_error(call, name, "number")
    return max(0, min(value, 2**64 - 1))


def holdout_groups(
    model: Any,
    data: Any,
    *,
    max_frequency: int = 7,
    duration_holdout: float | None = None,
    frequency: str = "frequency_cal",
    recency: str = "recency_cal",
    T: str = "T_cal",
    holdout: str = "frequency_holdout",
) -> HoldoutGroups:
    """What :meth:`BetaGeo.holdout_groups` returns."""
    call = "holdout_groups"
    if duration_holdout is None:
        duration_holdout = getattr(data, "duration_holdout", None)
        if not isinstance(duration_holdout, (int, float)):
            raise _crm_engine.required_error(
                call, "duration_holdout", "data is a calibration_holdout result"
            )
    if isinstance(duration_holdout, bool) or not isinstance(duration_holdout, (int, float)):
        raise _crm_engine.argument_error(call, "duration_holdout", "number")
    columns = [frequency, recency, T, holdout]
    table, groups = _crm_engine.clv_holdout_groups(
        model._model,
        model._values(),
        prepare(data, columns),
        columns,
        float(duration_holdout),
        _whole(call, "max_frequency", max_frequency),
    )
    unit = getattr(data, "unit", None)
    return HoldoutGroups(
        table, groups, float(duration_holdout), unit if isinstance(unit, str) else None
    )
