"""The calibration / holdout split: :func:`calibration_holdout` is
:func:`crm_engine.summarize` cut in two at ``calibration_end`` (lifetimes'
``calibration_and_holdout_data``; crm-core's
``records::summary::CalibrationHoldout``). Its scores are in
:mod:`crm_engine._holdout`.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from . import _crm_engine, _date_text, _summary_call
from ._results import Reconciliation, Table

__all__ = ["CalibrationHoldout", "calibration_holdout"]


class CalibrationHoldout(Table):
    """The result of :func:`crm_engine.calibration_holdout`: one row per
    calibration customer, sorted by customer id (crm-io's
    ``calibration_holdout`` table, ``crates/crm-io/schemas/calibration_holdout.json``).

    Attributes:
        reconciliation: every input row over the whole observation (used in
            calibration or holdout, skipped, rejected).
        calibration_end, as_of: the cut and the observation end.
        unit: ``"day"`` or ``"week"``, the clock of recency, T and
            ``duration_holdout``.
        duration_holdout: the holdout's length on that clock.
        repeat_occasions: a :class:`Table` of the calibration customers'
            repeat occasions per day (columns ``day``, ``repeat_occasions``;
            crm-io's ``repeat_occasions`` table) over calibration and
            holdout, what a model's ``tracking`` curve counts as actual.
    """

    def __init__(
        self,
        table: Any,
        reconciliation: Reconciliation,
        calibration_end: datetime.date,
        as_of: datetime.date,
        unit: str,
        duration_holdout: float,
        repeat_occasions: Table,
    ) -> None:
        super().__init__(table)
        self.repeat_occasions = repeat_occasions
        self.reconciliation = reconciliation
        self.calibration_end = calibration_end
        self.as_of = as_of
        self.unit = unit
        self.duration_holdout = duration_holdout

    def _figures(self) -> tuple[Any, ...]:
        return (
            self.reconciliation,
            self.calibration_end,
            self.as_of,
            self.unit,
            self.duration_holdout,
        )


def calibration_holdout(
    transactions: Any,
    *,
    customer: str,
    time: str,
    amount: str,
    calibration_end: Any,
    as_of: Any,
    unit: Literal["day", "week"] = "week",
    since: Any = None,
    tz: str = "UTC",
    strict: bool = False,
    quantity: str | None = None,
    margin: str | None = None,
    discount: str | None = None,
    naive: Literal["wall_clock", "utc"] = "wall_clock",
    amount_scale: int | None = None,
    max_listed_rejections: int | None = None,
    money: Literal["decimal128", "float64"] = "decimal128",
) -> CalibrationHoldout:
    """Per-customer calibration summaries and holdout figures (lifetimes'
    ``calibration_and_holdout_data``), with the reconciliation of every row.

    The calibration part is :func:`crm_engine.summarize` at
    ``calibration_end`` (rows ``since ..= calibration_end``); the holdout is
    ``(calibration_end, as_of]``. Customers whose first purchase falls in
    the holdout are not in the result. Input handling and options are
    :func:`crm_engine.summarize`'s.

    Spend per occasion: ``monetary_value_holdout`` is the mean spend per
    holdout *occasion* (calendar day with purchases), as
    ``monetary_value_cal`` and the Gamma-Gamma model are, so that predicted
    value (expected occasions × expected spend per occasion) and actual value
    (``total_spend_holdout``) count the same thing. lifetimes'
    ``monetary_value_holdout`` is the mean per transaction row, which is
    ``total_spend_holdout / transactions_holdout`` and equals ours for every
    customer with one row per holdout day.

    ``unit="week"`` is a clock (days / 7): an occasion is still a calendar
    day. It matches lifetimes' ``freq="D", freq_multiplier=7``; lifetimes'
    ``freq="W"`` instead counts calendar weeks (Monday to Sunday) as
    occasions, which is this function on dates moved to the Sunday ending
    their week, with ``calibration_end`` and ``as_of`` moved the same way.

    Returns:
        A :class:`CalibrationHoldout` with columns ``customer_id``, the
        summary columns at the cut with the suffix ``_cal``
        (``frequency_cal``, ``recency_cal``, ``T_cal``,
        ``monetary_value_cal``, ``first_purchase_cal``, ...), then
        ``frequency_holdout`` (occasions), ``monetary_value_holdout``,
        ``transactions_holdout`` (rows), ``total_spend_holdout`` and
        ``duration_holdout``; its ``repeat_occasions`` attribute holds the
        repeat occasions per day.

    Raises:
        ConfigError: ``calibration_end`` not before ``as_of`` (or before
            ``since``), and the errors of :func:`crm_engine.summarize`.
    """
    table, rec, cal_text, as_of_text, unit_name, duration, occasions = _summary_call(
        _crm_engine.calibration_holdout,
        transactions,
        columns=(customer, time, amount, quantity, margin, discount),
        as_of=as_of,
        since=since,
        strict=strict,
        calibration_end=_date_text("calibration_end", calibration_end),
        unit=unit,
        tz=tz,
        naive=naive,
        amount_scale=amount_scale,
        max_listed_rejections=max_listed_rejections,
        money=money,
    )
    return CalibrationHoldout(
        table,
        Reconciliation.from_json(rec),
        datetime.date.fromisoformat(cal_text),
        datetime.date.fromisoformat(as_of_text),
        unit_name,
        float(duration),
        Table(occasions),
    )
