"""crm_engine: customer value tiers, treatments, reviews, summaries, RFM, delivered value and loyalty metrics for analysts.

The engine is Rust (crm-core); this package reads your table through the Arrow
PyCapsule interface, so pyarrow tables, polars and pandas (>= 2.2) frames,
duckdb results and mappings of numpy arrays all work, without copying row by
row. Columns are chosen by keyword. Results are Arrow tables::

    import crm_engine as crm
    import polars as pl

    summary = crm.summarize(tx, customer="id", time="date", amount="amount", as_of="1998-06-30")
    tiers = crm.classify(summary, customer="customer_id", value="total_spend")
    pl.from_arrow(tiers)        # or pa.table(tiers), tiers.to_pandas()
    tiers.tiers.to_pandas()     # customers and value share per tier

Money is exact decimal arithmetic inside the engine. Numeric inputs may be
float, integer or decimal128 columns; a float is read as the decimal of its
shortest round-trip representation (what ``repr`` shows: 0.1 is 0.1), NaN and
infinities are errors naming the row and the column. Output number columns
are float64 (see :mod:`crm_engine._results`).

Errors are :class:`CrmError` subclasses (see :mod:`crm_engine._errors`).
Long calls release the GIL. Results pickle.

Tier, behaviour and treatment values are snake_case names: tiers
``most_valuable``, ``major``, ``ordinary``, ``inactive``; behaviours
``price_driven``, ``unprofitable``; treatments ``delight``, ``care``,
``develop``, ``adapt``, ``disengage``.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

from . import _crm_engine, clv
from ._errors import (
    ColumnError,
    ConfigError,
    ConvergenceError,
    CrmError,
    DecimalOverflowError,
    DtypeError,
    DuplicateCustomerError,
    InputError,
    InternalError,
    InvalidValueError,
    RejectedRowError,
)
from ._input import decimal_text, prepare
from ._results import (
    Classification,
    Degrees,
    DeliveredValue,
    Metrics,
    Reconciliation,
    Report,
    Review,
    Rfm,
    Summary,
    SurveyMetrics,
    Table,
)
from ._vocabulary import VOCABULARY

__version__: str = _crm_engine.__version__

__all__ = [
    "clv",
    "classify",
    "review",
    "review_periods",
    "summarize",
    "calibration_holdout",
    "CalibrationHoldout",
    "rfm",
    "delivered_value",
    "period_metrics",
    "customer_base",
    "survey_metrics",
    "degrees",
    "simple_clv",
    "customer_equity",
    "revenue_what_if",
    "acquisition_vs_retention",
    "COMPONENTS",
    "Table",
    "Report",
    "DeliveredValue",
    "Metrics",
    "SurveyMetrics",
    "Degrees",
    "Classification",
    "Review",
    "Summary",
    "Reconciliation",
    "Rfm",
    "CrmError",
    "InputError",
    "ColumnError",
    "InvalidValueError",
    "DuplicateCustomerError",
    "RejectedRowError",
    "DtypeError",
    "ConfigError",
    "DecimalOverflowError",
    "InternalError",
    "ConvergenceError",
    "TIERS",
    "BEHAVIOURS",
    "TREATMENTS",
    "vocabulary",
]

TIERS: tuple[str, ...] = VOCABULARY["tier"]
"""The value tiers, highest first (crm-core's names)."""
BEHAVIOURS: tuple[str, ...] = VOCABULARY["behaviour"]
"""The behaviour classes (crm-core's names)."""
TREATMENTS: tuple[str, ...] = VOCABULARY["strategy"]
"""The treatment strategies (crm-core's names)."""


def vocabulary() -> dict[str, tuple[str, ...]]:
    """Every name crm-core gives a user, by concept, in report order.

    >>> vocabulary()["tier"]
    ('most_valuable', 'major', 'ordinary', 'inactive')
    """
    return dict(VOCABULARY)


Number = float | int | Decimal | str


def _check_name(call: str, param: str, value: object) -> str:
    """A column name, or crm-core's ``argument_form`` error naming ``param``."""
    if not isinstance(value, str):
        raise _crm_engine.argument_error(call, param, "column_name")
    return value


def _optional_name(call: str, param: str, value: object) -> str | None:
    return None if value is None else _check_name(call, param, value)


def classify(
    values: Any,
    *,
    customer: str,
    value: str,
    by: Literal["value", "count"] = "value",
    cutoffs: tuple[Number, Number] | None = None,
    spend: str | None = None,
    discount_spend: str | None = None,
    margin: str | None = None,
    cost_to_serve: str | None = None,
    price_driven_min_discount_share: Number | None = None,
    unprofitable_below_net_margin: Number | None = None,
    policy: Sequence[dict[str, Any]] | None = None,
    money: Literal["decimal128", "float64"] = "decimal128",
) -> Classification:
    """Value tier, behaviours and treatment of every customer (分析客户价值，区别对待).

    Customers are ranked by value, largest first, and the cumulative share of
    the positive total is cut: the tie groups that start below the first
    cut-off are ``most_valuable``, those below the second ``major``, the rest
    with positive value ``ordinary``; zero or negative value is ``inactive``
    and takes no share. A tie group is never split. With ``by="count"`` the
    share is of the number of customers (the Pareto rule).

    Args:
        values: a table with one row per customer (pyarrow, polars, pandas,
            duckdb, a :class:`Summary`, or a mapping of column name to numpy array).
        customer: the customer id column (integers or strings, no nulls).
        value: the value column (float, integer or decimal128; no NaN, no nulls).
        by: ``"value"`` (default cut-offs 20 % and 50 %) or ``"count"``
            (default 5 % and 20 %).
        cutoffs: ``(first, second)`` as fractions with ``0 < first < second <= 1``.
        spend, discount_spend, margin, cost_to_serve: optional columns of
            behaviour figures (nulls mean "unknown" and flag nothing).
            ``price_driven`` when discount_spend / spend >= the threshold;
            ``unprofitable`` when margin - cost_to_serve < the threshold.
        price_driven_min_discount_share: default 0.6.
        unprofitable_below_net_margin: default 0.
        policy: a treatment policy as a list of rules
            ``{"tiers": [...], "behaviours": "any" | "none" | {"has": "price_driven"},
            "treatment": {"strategy", "service_model", "contact", "response_hours"}}``;
            the first matching rule applies. Default: the policy of crm-core.
        money: the type of the money columns (``value``, ``net_margin``):
            ``"decimal128"`` (exact, default) or ``"float64"``.

    Returns:
        A :class:`Classification`: one row per customer in input order, with
        ``.tiers`` (per-tier summary), ``.total``, ``.cutoffs`` and ``.config``.

    Raises:
        ColumnError: a named column is missing.
        DtypeError: the id or value column has the wrong type.
        InvalidValueError: NaN, infinity or null in a value (row and column
            named), a bad behaviour figure.
        DuplicateCustomerError: a customer appears twice.
        ConfigError: invalid cut-offs, thresholds or policy.
        DecimalOverflowError: values too large to sum exactly.
    """
    customer = _check_name("classify", "customer", customer)
    value = _check_name("classify", "value", value)
    names = {
        "spend": _optional_name("classify", "spend", spend),
        "discount_spend": _optional_name("classify", "discount_spend", discount_spend),
        "margin": _optional_name("classify", "margin", margin),
        "cost_to_serve": _optional_name("classify", "cost_to_serve", cost_to_serve),
    }
    cut: tuple[str, str] | None = None
    if cutoffs is not None:
        if not isinstance(cutoffs, (tuple, list)) or len(cutoffs) != 2:
            raise _crm_engine.argument_error("classify", "cutoffs", "pair")
        cut = (decimal_text("cutoffs[0]", cutoffs[0]), decimal_text("cutoffs[1]", cutoffs[1]))
    data = prepare(values, [customer, value, *names.values()])
    customers, tiers, config_json, total = _crm_engine.classify(
        data,
        customer=customer,
        value=value,
        by=by,
        cutoffs=cut,
        **names,
        price_driven_min_discount_share=None
        if price_driven_min_discount_share is None
        else decimal_text("price_driven_min_discount_share", price_driven_min_discount_share),
        unprofitable_below_net_margin=None
        if unprofitable_below_net_margin is None
        else decimal_text("unprofitable_below_net_margin", unprofitable_below_net_margin),
        policy_json=None if policy is None else json.dumps(list(policy)),
        money=money,
    )
    return Classification(customers, tiers, config_json, total)


_DEFAULT_RANK = "rank"


def review(
    previous: Any,
    current: Any,
    *,
    customer: str = "customer_id",
    tier: str = "tier",
    value: str = "value",
    rank: str | None = _DEFAULT_RANK,
    labels: tuple[str, str] = ("previous", "current"),
    money: Literal["decimal128", "float64"] = "decimal128",
    membership: Literal["base", "presence"] = "base",
    windows: tuple[tuple[Any, Any], tuple[Any, Any]] | None = None,
    customer_base: Any = None,
    purchases: Sequence[Any] | None = None,
    inactive_days: int | None = None,
    customer_base_columns: Mapping[str, str] | None = None,
    purchase_columns: Mapping[str, str] | None = None,
) -> Review:
    """The moves between two periods (动态管理，能上能下): promoted, demoted, unchanged, new, lost.

    Every customer of either period gets one row, with the tiers and the
    figures of both periods, so that every move can be explained.

    Membership comes from the customer base (``membership="base"``, the
    default): ``windows`` gives each period's (first_day, last_day) (first_day
    ``None``: from the beginning), and the members of a period are the
    customers in the base on at least one of its days, from ``customer_base``
    (spans: customer, since, until) or, without it, from the inactivity rule
    (``inactive_days``; None: crm-core's default, 365) applied to the first and last purchase
    days of the ``purchases`` tables (summaries; together they must cover
    every purchase up to each period's end, e.g. a summary of everything up
    to the previous period's end and one of the current period). A member
    without a row in a period is measured ``inactive`` with value 0 (demoted,
    or held by the grace rule); "new" and "lost" mean joining and leaving
    the base. ``membership="presence"`` is the old rule, by choice: a
    customer without a row in a period is lost.

    Args:
        previous, current: per-customer tables of the two periods, normally
            two :func:`classify` results (any table with the columns below).
        customer: customer id column (integers or strings).
        tier: tier column (the snake_case tier names).
        value: value column.
        rank: rank column; ``None`` to ignore. The default ``"rank"`` is used
            when present.
        labels: names of the two periods, for reports.
        money: type of the value columns: ``"decimal128"`` (exact, the
            default) or ``"float64"``.
        membership, windows, customer_base, purchases, inactive_days: see above.
        customer_base_columns: column names of ``customer_base`` by role
            (customer, since, until).
        purchase_columns: column names of ``purchases`` by role (customer,
            default ``customer_id``; first_purchase; last_purchase).

    Returns:
        A :class:`Review` ordered by customer id (columns ``customer_id``,
        ``move``, ``from_tier``, ``to_tier``, ``measured_tier``,
        ``previous_value``, ``current_value``, ``previous_rank``,
        ``current_rank``, ``periods_below``), with ``.counts`` and
        ``.transitions``.

    Raises:
        ColumnError, DtypeError, InvalidValueError (unknown tier name, null),
        DuplicateCustomerError (a customer twice in one period).
    """
    if not isinstance(labels, (tuple, list)) or len(labels) != 2:
        raise _crm_engine.argument_error("review", "labels", "pair")
    return review_periods(
        [previous, current],
        labels=list(labels),
        customer=customer,
        tier=tier,
        value=value,
        rank=rank,
        money=money,
        membership=membership,
        windows=windows,
        customer_base=customer_base,
        purchases=purchases,
        inactive_days=inactive_days,
        customer_base_columns=customer_base_columns,
        purchase_columns=purchase_columns,
    )[0]


def review_periods(
    periods: Sequence[Any],
    *,
    labels: Sequence[str] | None = None,
    grace: int | None = None,
    customer: str = "customer_id",
    tier: str = "tier",
    value: str = "value",
    rank: str | None = _DEFAULT_RANK,
    money: Literal["decimal128", "float64"] = "decimal128",
    membership: Literal["base", "presence"] = "base",
    windows: Sequence[tuple[Any, Any]] | None = None,
    customer_base: Any = None,
    purchases: Sequence[Any] | None = None,
    inactive_days: int | None = None,
    customer_base_columns: Mapping[str, str] | None = None,
    purchase_columns: Mapping[str, str] | None = None,
) -> list[Review]:
    """Reviews each period against the one before, with an optional grace rule.

    With ``grace=k`` a customer is demoted only after it was measured below
    its tier for more than ``k`` consecutive periods; until then it is
    ``held``. Promotions are immediate. Membership as in :func:`review`
    (one window per period).

    Returns:
        ``len(periods) - 1`` :class:`Review` results.
    """
    customer = _check_name("review_periods", "customer", customer)
    tier = _check_name("review_periods", "tier", tier)
    value = _check_name("review_periods", "value", value)
    rank = _optional_name("review_periods", "rank", rank)
    periods = list(periods)
    if labels is None:
        labels = [f"period {i}" for i in range(len(periods))]
    labels = [str(x) for x in labels]
    from ._relationship import CUSTOMER_COLUMNS, _names, _table

    base_names = _names("customer_base_columns", CUSTOMER_COLUMNS, customer_base_columns)
    purchase_names = _names(
        "purchase_columns",
        {
            "customer": "customer_id",
            "first_purchase": "first_purchase",
            "last_purchase": "last_purchase",
        },
        purchase_columns,
    )
    window_texts: list[tuple[str | None, str]] = []
    for i, w in enumerate(windows or ()):
        if not isinstance(w, (tuple, list)) or len(w) != 2:
            raise _crm_engine.argument_error("review_periods", f"windows[{i}]", "pair")
        window_texts.append(
            (None if w[0] is None else _date_text("first_day", w[0]), _date_text("last_day", w[1]))
        )
    prepared = [prepare(p, [customer, tier, value, rank]) for p in periods]
    out = _crm_engine.review_periods(
        prepared,
        labels,
        customer=customer,
        tier=tier,
        value=value,
        rank=rank,
        rank_required=rank is not None and rank is not _DEFAULT_RANK,
        grace=grace,
        money=money,
        membership=membership,
        windows=window_texts,
        customer_base=_table(customer_base, base_names),
        purchases=[_table(t, purchase_names) for t in purchases or ()],
        inactive_days=inactive_days,
        base_names=base_names,
        purchase_names=purchase_names,
    )
    return [Review(*r) for r in out]


def _whole_numbers(xs: Any) -> list[int]:
    """Integers as they are (numpy's too); a float, text or bool is a TypeError."""
    if isinstance(xs, (str, bytes)):
        raise TypeError("a list of whole numbers")
    out = []
    for x in xs:
        if isinstance(x, bool):
            raise TypeError("a whole number, not a bool")
        out.append(operator.index(x))
    return out


def _date_text(name: str, x: object) -> str:
    import datetime as _dt

    if isinstance(x, _dt.datetime):
        return x.date().isoformat()
    if isinstance(x, _dt.date):
        return x.isoformat()
    if isinstance(x, str):
        return x
    iso = getattr(x, "isoformat", None)  # numpy.datetime64, pandas.Timestamp
    if callable(iso):
        return str(iso())[:10]
    raise _crm_engine.date_error("date", name)


def _summary_call(
    native: Any,
    transactions: Any,
    *,
    columns: tuple[object, object, object, object, object, object],
    as_of: Any,
    since: Any,
    strict: bool,
    **options: Any,
) -> Any:
    """Calls a native summary function (summarize, calibration_holdout) with
    the checked column names (customer, time, amount, quantity, margin,
    discount), the prepared table and the dates as text."""
    call = native.__name__
    customer = _check_name(call, "customer", columns[0])
    time = _check_name(call, "time", columns[1])
    amount = _check_name(call, "amount", columns[2])
    opt = {
        "quantity": _optional_name(call, "quantity", columns[3]),
        "margin": _optional_name(call, "margin", columns[4]),
        "discount": _optional_name(call, "discount", columns[5]),
    }
    data = prepare(transactions, [customer, time, amount, *opt.values()])
    return native(
        data,
        customer=customer,
        time=time,
        amount=amount,
        as_of=_date_text("as_of", as_of),
        since=None if since is None else _date_text("since", since),
        strict=bool(strict),
        **opt,
        **options,
    )


def summarize(
    transactions: Any,
    *,
    customer: str,
    time: str,
    amount: str,
    as_of: Any,
    unit: Literal["day", "week"] = "day",
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
) -> Summary:
    """Per-customer summaries of transactions, with the reconciliation of every row.

    At the analysis date ``as_of``, over the transactions dated ``since ..= as_of``
    (calendar days in the time zone ``tz``):

    - an *occasion* is a calendar day with at least one transaction;
    - ``frequency`` = occasions - 1 (repeat occasions);
    - ``recency`` = last occasion - first occasion, ``T`` = as_of - first
      occasion, in days or weeks (days / 7) by ``unit``;
    - ``monetary_value`` = mean spend of the repeat occasions (0 when frequency is 0),
      as in ``lifetimes.utils.summary_data_from_transaction_data``;
    - ``total_spend`` = net sum of amounts (returns subtract).

    Args:
        transactions: one row per transaction (pyarrow, polars, pandas, duckdb,
            or a mapping of column name to numpy array).
        customer: customer id column (integers or strings).
        time: date or timestamp column (date32/64, timestamp with or without
            zone, or ISO text). Zone-less timestamps are wall-clock time in
            ``tz`` unless ``naive="utc"``.
        amount: amount column (float, integer, decimal128, or text); negative
            amounts are returns. Floats are rounded to ``amount_scale``
            decimal places (default 6); decimals with more places are rejected.
        as_of: the analysis date (``datetime.date`` or ``"YYYY-MM-DD"``). Rows
            after it are skipped and counted.
        unit: ``"day"`` or ``"week"``.
        since: optional window start; earlier rows are skipped and counted.
        tz: IANA time zone of the calendar (default ``"UTC"``).
        strict: raise :class:`RejectedRowError` at the first invalid row instead
            of rejecting and counting it.
        quantity, margin, discount: optional columns (discount is a flag).
        money: type of the money and quantity columns: ``"decimal128"``
            (exact, the default; the scale is the largest in the column) or
            ``"float64"`` (the nearest double to each exact figure).

    Returns:
        A :class:`Summary` sorted by customer id with columns ``customer_id``,
        ``frequency``, ``recency``, ``T``, ``monetary_value``, ``first_purchase``,
        ``last_purchase``, ``total_spend``, ``occasions``, ``transactions``,
        ``mean_spend``, ``returns``, ``returns_amount``, ``quantity``, ``margin``,
        ``discounted_transactions``, ``discount_share``; and
        ``.reconciliation`` with the rows read, used, skipped and rejected
        (rejected rows are listed with their 1-based row number, column and rule).

    Raises:
        ColumnError: a named column is missing.
        DtypeError: a column's type cannot hold its values.
        RejectedRowError: ``strict=True`` and a row is invalid.
        ConfigError: invalid as_of, since, unit, tz.
        DecimalOverflowError: a customer's sums exceed the exact range.
    """
    import datetime as _dt

    table, rec, as_of_text, since_text, unit_name = _summary_call(
        _crm_engine.summarize,
        transactions,
        columns=(customer, time, amount, quantity, margin, discount),
        as_of=as_of,
        unit=unit,
        since=since,
        tz=tz,
        naive=naive,
        strict=strict,
        amount_scale=amount_scale,
        max_listed_rejections=max_listed_rejections,
        money=money,
    )
    return Summary(
        table,
        Reconciliation.from_json(rec),
        _dt.date.fromisoformat(as_of_text),
        None if since_text is None else _dt.date.fromisoformat(since_text),
        unit_name,
    )


def rfm(
    summary_or_transactions: Any,
    *,
    customer: str = "customer_id",
    as_of: Any = None,
    monetary: Literal["total", "mean_per_occasion"] = "total",
    thresholds: dict[str, Sequence[Number]] | None = None,
    segments: Sequence[dict[str, Any]] | None = None,
    time: str | None = None,
    amount: str | None = None,
    since: Any = None,
    tz: str = "UTC",
    last_purchase: str = "last_purchase",
    occasions: str = "occasions",
    spend: str = "total_spend",
    money: Literal["decimal128", "float64"] = "decimal128",
) -> Rfm:
    """RFM scores (1-5, 5 best) and segments of customers.

    recency = days from the last purchase to ``as_of``; frequency = purchase
    occasions; monetary = total spend (or mean per occasion). Each is scored by
    its nearest-rank quintiles; equal values get equal scores. Segments follow
    the standard recency x frequency grid (Champions, Loyal, ..., Lost) unless
    ``segments`` gives another table.

    Args:
        summary_or_transactions: a :class:`Summary` (its ``as_of`` is used), a
            per-customer table with ``last_purchase`` (date), ``occasions`` and
            ``total_spend`` columns (names by keyword) and ``as_of``, or a
            transaction table with ``time`` and ``amount`` named (it is
            summarised first, with ``since`` and ``tz``).
        customer: customer id column.
        as_of: the analysis date (required unless a :class:`Summary` is given).
        monetary: ``"total"`` or ``"mean_per_occasion"``.
        thresholds: fixed thresholds ``{"recency_days": [4 ints],
            "frequency": [4 ints], "monetary": [4 numbers]}`` (e.g. from a
            reference period) instead of the data's own quintiles.
        segments: a segment table: rules ``{"name", "recency": {"lo", "hi"},
            "frequency": {...}, "monetary": {...}}`` that cover the 125 score
            combinations without overlap.
        money: type of the ``monetary`` column (and of the summary's money
            columns, from transactions): ``"decimal128"`` (exact, the
            default) or ``"float64"``.

    Returns:
        An :class:`Rfm` table (``customer_id``, ``recency_days``, ``frequency``,
        ``monetary``, ``r_score``, ``f_score``, ``m_score``, ``rfm_code``,
        ``segment``) with ``.thresholds`` and ``.segments``; when given
        transactions, ``.summary`` holds their :class:`Summary`.
    """
    import datetime as _dt

    from_transactions = time is not None or amount is not None
    if as_of is None:
        if isinstance(summary_or_transactions, Summary):
            as_of = summary_or_transactions.as_of
        else:
            raise _crm_engine.required_error("rfm", "as_of", "a crm_engine Summary is given")
    thresholds_json = None
    if thresholds is not None:
        # Whole numbers stay whole: operator.index refuses 1.5 and "3" (int()
        # would silently truncate or parse them); the engine checks ranges.
        try:
            thresholds_json = json.dumps(
                {
                    "recency_days": _whole_numbers(thresholds["recency_days"]),
                    "frequency": _whole_numbers(thresholds["frequency"]),
                    "monetary": [
                        decimal_text("thresholds.monetary", x) for x in thresholds["monetary"]
                    ],
                }
            )
        except (KeyError, TypeError, IndexError):
            raise _crm_engine.argument_error("rfm", "thresholds", "thresholds") from None
    cols = (
        [customer, time, amount]
        if from_transactions
        else [customer, last_purchase, occasions, spend]
    )
    data = prepare(summary_or_transactions, cols)
    (table, thr, seg), summary = _crm_engine.rfm_scores(
        data,
        from_transactions=from_transactions,
        customer=_check_name("rfm", "customer", customer),
        monetary=monetary,
        thresholds_json=thresholds_json,
        segments_json=None if segments is None else json.dumps(list(segments)),
        time=time,
        amount=amount,
        as_of=_date_text("as_of", as_of),
        since=None if since is None else _date_text("since", since),
        tz=tz,
        last_purchase=last_purchase,
        occasions=occasions,
        spend=spend,
        money=money,
    )
    t = json.loads(thr)
    result = Rfm(
        table,
        {
            "recency_days": [float(x) for x in t["recency_days"]],
            "frequency": [float(x) for x in t["frequency"]],
            "monetary": [float(Decimal(str(x))) for x in t["monetary"]],
        },
        {"thresholds": t, "segments": json.loads(seg), "monetary": monetary},
    )
    if summary is not None:
        st, rec = summary
        as_of_date = _dt.date.fromisoformat(_date_text("as_of", as_of))
        since_date = None if since is None else _dt.date.fromisoformat(_date_text("since", since))
        result.summary = Summary(st, Reconciliation.from_json(rec), as_of_date, since_date, "day")
    return result


# Delivered value, relationship metrics, the four degrees and the economics
# (imported last: they use _date_text above).
from ._relationship import (  # noqa: E402
    COMPONENTS,
    acquisition_vs_retention,
    customer_base,
    customer_equity,
    degrees,
    delivered_value,
    period_metrics,
    revenue_what_if,
    simple_clv,
    survey_metrics,
)
from ._validation import CalibrationHoldout, calibration_holdout  # noqa: E402
