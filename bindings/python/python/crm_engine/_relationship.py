"""Delivered value, period metrics, surveys, the four degrees and the economics.

The rules are crm-core's (modules ``delivered_value``, ``period_metrics``,
``survey``, ``degrees``, ``economics``); this module maps keyword arguments and
column names onto them. Every table argument takes what :func:`crm_engine.classify`
takes (pyarrow, polars, pandas >= 2.2, duckdb, a mapping of arrays). Times may
be timestamps (naive ones are UTC), dates or ISO 8601 text. Column names are
chosen with a ``*_columns`` mapping of role to column name; the defaults are
listed with each function.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from . import _crm_engine
from ._input import decimal_text, prepare
from ._results import Degrees, DeliveredValue, Metrics, Summary, SurveyMetrics, Table
from ._vocabulary import VOCABULARY

Number = float | int | Decimal | str

COMPONENTS: tuple[str, ...] = VOCABULARY["component"]
"""The parts of delivered value: four value parts, then four cost parts."""

_NO_COLUMN = "\x00absent"

CUSTOMER_COLUMNS = {
    "customer": "customer",
    "since": "since",
    "until": "until",
    "tier": "tier",
    "segment": "segment",
}
ACTIVITY_COLUMNS = {
    "customer": "customer_id",
    "occasions": "occasions",
    "orders": "transactions",
    "last_purchase": "last_purchase",
}
COMPLAINT_COLUMNS = {
    "customer": "customer",
    "opened": "opened",
    "first_response": "first_response",
    "resolved": "resolved",
    "channel": "channel",
    "outcome": "outcome",
}
REFERRAL_COLUMNS = {"referrer": "referrer", "referred": "referred", "time": "time"}
ANSWER_COLUMNS = {"customer": "customer", "time": "time", "scale": "scale", "score": "score"}
FACT_COLUMNS = {
    "customer": "customer",
    "value": "value",
    "occasions": "occasions",
    "tenure_days": "tenure_days",
    "spend": "spend",
    "category_spend": "category_spend",
}


def _names(
    param: str, defaults: Mapping[str, str], given: Mapping[str, str] | None
) -> dict[str, str]:
    out = dict(defaults)
    for role, col in (given or {}).items():
        if role not in defaults:
            raise _crm_engine.unknown_key_error("columns", param, list(defaults))
        if not isinstance(col, str):
            raise _crm_engine.argument_error("columns", f"{param}[{role!r}]", "column_name")
        out[role] = col
    return out


def _date_text(name: str, x: object) -> str:
    from . import _date_text as date_text

    return date_text(name, x)


def _table(data: object | None, names: Mapping[str, str]) -> object | None:
    return None if data is None else prepare(data, list(names.values()))


def delivered_value(
    offers: Any,
    *,
    ours: str,
    offer: str = "offer",
    segment: str | None = None,
    weights: Mapping[str, Mapping[str, Number]] | None = None,
    columns: Mapping[str, str] | None = None,
) -> DeliveredValue:
    """Customer delivered value of each offer and our offer against the competitors' (顾客让渡价值).

    Delivered value = total customer value (product + service + personnel +
    image) − total customer cost (monetary + time + energy + physical); the
    customer chooses the largest. Each component is a money column named as
    in :data:`COMPONENTS`, or a pair ``<component>_quantity`` and
    ``<component>_unit_value`` (hours × value of an hour); a component without
    any column is 0. Exact decimals throughout; a zero total cost leaves the
    value/cost ratio null.

    Args:
        offers: one row per offer (and segment).
        ours: the name of our offer (in the ``offer`` column).
        offer: the offer-name column.
        segment: a segment column: each segment is compared on its own, with
            its own weights.
        weights: ``{"default": {...}, "<segment>": {component: weight}}``;
            unnamed components weigh 1; weights must be >= 0.
        columns: component (or ``<component>_quantity`` / ``_unit_value``) →
            column name, when the columns are named otherwise.

    Returns:
        :class:`DeliveredValue` (offers table, ``.comparisons``, ``.gaps``).

    Raises:
        InvalidValueError: a negative amount, a missing amount, two offers with
            one name, no offer named ``ours`` in a segment.
        ConfigError: invalid weights.
    """
    roles = {"offer": offer, "segment": segment or _NO_COLUMN}
    for c in COMPONENTS:
        for role in (c, f"{c}_quantity", f"{c}_unit_value"):
            roles[role] = role
    roles.update(
        _names(
            "columns", {k: v for k, v in roles.items() if k not in ("offer", "segment")}, columns
        )
    )
    weights_json = None
    if weights is not None:
        table: dict[str, Any] = {"default": ["1"] * 8, "segments": {}}
        for seg, ws in weights.items():
            row = ["1"] * 8
            for comp, w in ws.items():
                if comp not in COMPONENTS:
                    raise _crm_engine.unknown_key_error(
                        "delivered_value", "weights", list(COMPONENTS)
                    )
                row[COMPONENTS.index(comp)] = decimal_text(f"weights: a segment's {comp}", w)
            if seg == "default":
                table["default"] = row
            else:
                table["segments"][seg] = row
        weights_json = json.dumps(table)
    data = prepare(offers, [v for v in roles.values() if v != _NO_COLUMN])
    out = _crm_engine.delivered_value(data, names=roles, ours=ours, weights_json=weights_json)
    return DeliveredValue(*out)


def _activity(call: str, name: str, activity: Any, first: str, last: str) -> None:
    if isinstance(activity, Summary):
        since = None if activity.since is None else activity.since.isoformat()
        if since != first or activity.as_of.isoformat() != last:
            raise _crm_engine.summary_window_error(call, name, "period")


PURCHASE_COLUMNS = {
    "customer": "customer_id",
    "first_purchase": "first_purchase",
    "last_purchase": "last_purchase",
}


def customer_base(
    during: Any,
    *,
    first_day: Any,
    last_day: Any,
    before: Any = None,
    inactive_days: int | None = None,
    columns: Mapping[str, str] | None = None,
) -> Table:
    """Who was a customer when, from purchases alone, under an inactivity rule (crm-core ``inactivity``).

    A customer joins with his first purchase and is lost ``inactive_days``
    days after his last one (in the base on day d when some purchase p has
    p <= d < p + inactive_days). Use it when the firm keeps no record of
    relationships; the result feeds :func:`period_metrics` as ``customers``.
    The rule must be at least as long as the period: the dates come from
    per-customer summaries, and a shorter rule could hide a loss and a
    return between two purchases inside the period.

    Args:
        during: the period's purchases: a :class:`Summary` made with
            ``since=first_day, as_of=last_day``, or a table with
            customer_id, first_purchase, last_purchase.
        first_day, last_day: the period, both included.
        before: the purchases before the period: a :class:`Summary` made
            with ``as_of`` = the day before ``first_day`` (or such a table);
            None when there is no earlier history.
        inactive_days: days without a purchase after which a customer is lost
            (None: crm-core's default, 365).
        columns: role → column name overrides for tables (roles customer,
            first_purchase, last_purchase).

    Returns:
        :class:`Table` with customer, since, until (null: still a customer at
        ``last_day``); one row per relationship, two when a customer was lost
        and came back in the period.

    Raises:
        ConfigError: a summary of another window, ``inactive_days`` < 1 or
            not an int.
        InvalidValueError: the rule shorter than the period, a customer twice
            in one table, dates that contradict the period.
    """
    first, last = _date_text("first_day", first_day), _date_text("last_day", last_day)
    if isinstance(during, Summary):
        _activity("customer_base", "during", during, first, last)
    if isinstance(before, Summary):
        import datetime

        try:
            start = datetime.date.fromisoformat(first)
        except ValueError:  # its message quotes the text
            raise _crm_engine.date_error("customer_base", "first_day") from None
        want = (start - datetime.timedelta(days=1)).isoformat()
        if before.as_of.isoformat() != want:
            raise _crm_engine.summary_window_error("customer_base", "before", "day_before")
    names = _names("columns", PURCHASE_COLUMNS, columns)
    return Table(
        _crm_engine.customer_base_by_inactivity(
            prepare(during, list(names.values())),
            first_day=first,
            last_day=last,
            inactive_days=inactive_days,
            names=names,
            before=_table(before, names),
        )
    )


def period_metrics(
    customers: Any,
    *,
    first_day: Any,
    last_day: Any,
    activity: Any = None,
    complaints: Any = None,
    referrals: Any = None,
    service_levels: Mapping[str, int] | None = None,
    customer_columns: Mapping[str, str] | None = None,
    activity_columns: Mapping[str, str] | None = None,
    complaint_columns: Mapping[str, str] | None = None,
    referral_columns: Mapping[str, str] | None = None,
) -> Metrics:
    """Retention, churn, growth, acquisition, repeat purchase, referral and complaint rates over a period.

    Definitions (crm-core ``period_metrics``): S customers at the start (end
    of the day before ``first_day``), E at the end of ``last_day``, N in E but
    not S; retention (E − N) / S, churn lost / S (retention + churn = 1 when
    nobody comes back), growth (E − S) / S, acquisition N / S (the new
    customers of the retention formula; ``base.joined`` beside it is the gross
    count of customers who joined during the period, also those who left
    again). Spans of one customer that meet (one's until = the next one's
    since, a renewal) are one membership: no loss and no return. Repeat purchase = active customers with 2+ occasions / active; referral
    = active referrers / active; complaints / active and per 1,000 orders;
    resolution and on-time rates against ``service_levels`` (hours for the
    keys ``most_valuable``, ``major``, ``other``; a key left out keeps
    crm-core's default, ``ServiceLevels::default()``); and the
    service-recovery comparison. Undefined ratios are null.

    Args:
        customers: the base, one row per relationship span; columns
            customer, since, until (null/absent = still a customer), tier,
            segment (both optional).
        first_day, last_day: the period, both included.
        activity: purchases in the period, one row per customer: a
            :class:`Summary` made with ``since=first_day, as_of=last_day`` or
            a table with customer_id, occasions, transactions, last_purchase.
        complaints: customer, opened, first_response, resolved, channel (a
            complaint without one counts under ``unknown``), outcome.
        referrals: referrer, time, referred (optional).
        service_levels: promised hours by tier.
        customer_columns, activity_columns, complaint_columns, referral_columns:
            role → column name overrides.

    Returns:
        :class:`Metrics`: ``metric``/``value`` rows (the layout of ``crm metrics``;
        ``complaints.*``, ``service_recovery.*`` and the referral figures only
        when ``complaints`` / ``referrals`` were given); ``.data`` has the full
        report (exact decimals, row accounting, complaints by channel).
    """
    first, last = _date_text("first_day", first_day), _date_text("last_day", last_day)
    names = {
        "customers": _names("customer_columns", CUSTOMER_COLUMNS, customer_columns),
        "activity": _names("activity_columns", ACTIVITY_COLUMNS, activity_columns),
        "complaints": _names("complaint_columns", COMPLAINT_COLUMNS, complaint_columns),
        "referrals": _names("referral_columns", REFERRAL_COLUMNS, referral_columns),
    }
    if activity is not None:
        _activity("period_metrics", "activity", activity, first, last)
    config = None
    if service_levels is not None:
        # Only the hours the caller set: crm-core fills in its defaults and
        # refuses an unknown tier key.
        levels = {
            k: _crm_engine.whole_number("period_metrics", "service_levels", v, 0, 2**32 - 1)
            for k, v in service_levels.items()
        }
        config = json.dumps({"service_levels": levels})
    table, report = _crm_engine.period_metrics(
        prepare(customers, list(names["customers"].values())),
        first_day=first,
        last_day=last,
        names=names,
        activity_table=_table(activity, names["activity"]),
        complaints_table=_table(complaints, names["complaints"]),
        referrals_table=_table(referrals, names["referrals"]),
        config_json=config,
    )
    return Metrics(table, report)


def survey_metrics(
    answers: Any,
    customers: Any,
    *,
    first_day: Any,
    last_day: Any,
    confidence_z: Number = "1.96",
    answer_columns: Mapping[str, str] | None = None,
    customer_columns: Mapping[str, str] | None = None,
) -> SurveyMetrics:
    """CSAT, NPS (with promoters, passives, detractors and a confidence interval) and customer effort, by tier and segment.

    CSAT = share of 4–5 on 1–5; NPS = % promoters (9–10) − % detractors (0–6)
    on 0–10, interval 100·((p − d) ± z·√((p + d − (p − d)²)/n)) clipped to
    ±100; CES = mean on 1–7 and share of 5–7. Answers outside the period are
    skipped and counted.

    Args:
        answers: customer, time, scale (``csat``, ``nps``, ``ces``), score.
        customers: the base (as in :func:`period_metrics`), for tiers and segments.
        first_day, last_day: the period, both included.
        confidence_z: the normal quantile of the NPS interval (1.96: 95 %).
    """
    names = {
        "answers": _names("answer_columns", ANSWER_COLUMNS, answer_columns),
        "customers": _names("customer_columns", CUSTOMER_COLUMNS, customer_columns),
    }
    table, report = _crm_engine.survey_metrics(
        prepare(answers, list(names["answers"].values())),
        prepare(customers, list(names["customers"].values())),
        first_day=_date_text("first_day", first_day),
        last_day=_date_text("last_day", last_day),
        names=names,
        confidence_z=decimal_text("confidence_z", confidence_z),
    )
    return SurveyMetrics(table, report)


def degrees(
    customers: Any,
    *,
    first_day: Any,
    last_day: Any,
    answers: Any = None,
    complaints: Any = None,
    referrals: Any = None,
    config: Mapping[str, Any] | None = None,
    customer_columns: Mapping[str, str] | None = None,
    answer_columns: Mapping[str, str] | None = None,
    complaint_columns: Mapping[str, str] | None = None,
    referral_columns: Mapping[str, str] | None = None,
) -> Degrees:
    """The four degrees (四度) of each customer and of the base, each a score in [0, 1].

    satisfaction: mean survey answer on [0, 1] minus 0.1 per complaint open at
    the end (unknown without an answer); loyalty: 0.5 · repeat + 0.25 · tenure
    + 0.25 · referral parts; contribution: value / total positive value
    (null, an unknown degree, when that total is zero);
    dependency: spend / category spend (share of wallet); index: weighted
    mean (0.4, 0.3, 0.15, 0.15) over the known degrees. ``config`` overrides
    any field of crm-core's ``DegreeConfig`` (e.g. ``{"index_weights":
    [1, 1, 0, 0], "require_satisfaction": True, "contribution_scale":
    "relative_to_largest"}``).

    Args:
        customers: one row per customer: customer, value, occasions,
            tenure_days, spend (optional, default value), category_spend
            (optional; null = unknown).
        answers, complaints, referrals: event tables as in
            :func:`survey_metrics` and :func:`period_metrics`.
    """
    names = {
        "customers": _names("customer_columns", FACT_COLUMNS, customer_columns),
        "answers": _names("answer_columns", ANSWER_COLUMNS, answer_columns),
        "complaints": _names("complaint_columns", COMPLAINT_COLUMNS, complaint_columns),
        "referrals": _names("referral_columns", REFERRAL_COLUMNS, referral_columns),
    }
    config_json = None
    if config is not None:
        # Only the fields the caller set, decimals as exact text: crm-core
        # fills in DegreeConfig's defaults and refuses an unknown field.
        if not isinstance(config, Mapping):
            raise _crm_engine.argument_error("degrees", "config", "mapping")
        given: dict[str, Any] = {}
        for k, v in config.items():
            if isinstance(k, str) and k.endswith("_weights"):
                v = [decimal_text("config", x) for x in v]
            elif isinstance(k, str) and k.endswith("_penalty"):
                v = decimal_text("config", v)
            given[str(k)] = v
        try:
            config_json = json.dumps(given)
        except (TypeError, ValueError):
            raise _crm_engine.argument_error("degrees", "config", "mapping") from None
    out = _crm_engine.degrees(
        prepare(customers, list(names["customers"].values())),
        first_day=_date_text("first_day", first_day),
        last_day=_date_text("last_day", last_day),
        names=names,
        answers_table=_table(answers, names["answers"]),
        complaints_table=_table(complaints, names["complaints"]),
        referrals_table=_table(referrals, names["referrals"]),
        config_json=config_json,
    )
    return Degrees(*out)


def _economics(kind: str, params: dict[str, Any]) -> Any:
    return json.loads(_crm_engine.economics(kind, json.dumps(params)))


def _exact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: Decimal(v) if isinstance(v, str) else v for k, v in d.items()}


def simple_clv(margin: Number, retention: Number, discount: Number) -> Decimal:
    """Simple customer lifetime value m · r / (1 + i − r), exact.

    ``retention`` must be in [0, 1) and ``discount`` >= 0 (else ConfigError).
    """
    p = {
        "margin": decimal_text("margin", margin),
        "retention": decimal_text("retention", retention),
        "discount": decimal_text("discount", discount),
    }
    return Decimal(_economics("clv", p))


def customer_equity(
    segments: Any,
    *,
    discount: Number,
    segment: str = "segment",
    customers: str = "customers",
    margin: str = "margin",
    retention: str = "retention",
) -> Table:
    """Customer equity: per segment, CLV and customers × CLV (table: segment, customers, clv, equity).

    The total is ``sum(equity)``; ``customer_equity(...).to_pylist()`` gives the rows.
    """
    names = {"segment": segment, "customers": customers, "margin": margin, "retention": retention}
    table, _report = _crm_engine.equity(
        prepare(segments, list(names.values())),
        names=names,
        discount=decimal_text("discount", discount),
    )
    return Table(table)


def revenue_what_if(
    per_customer: Number,
    customers: Number,
    cost: Number,
    *,
    per_customer_change: Number = 0,
    customers_change: Number = 0,
    cost_change: Number = 0,
) -> dict[str, Decimal]:
    """The revenue identity R = X · Y − Z and what relative changes of X, Y, Z do to it.

    Returns exact Decimals: revenue, new_revenue, change, per_customer_effect,
    customers_effect, cost_effect (each lever alone) and interaction (X and Y
    together); the effects and the interaction sum to the change.
    """
    p = {
        "model": {
            "per_customer": decimal_text("per_customer", per_customer),
            "customers": decimal_text("customers", customers),
            "cost": decimal_text("cost", cost),
        },
        "levers": {
            "per_customer_change": decimal_text("per_customer_change", per_customer_change),
            "customers_change": decimal_text("customers_change", customers_change),
            "cost_change": decimal_text("cost_change", cost_change),
        },
    }
    return _exact(_economics("what_if", p))


def acquisition_vs_retention(
    retention_cost: Number, customers: int, *, multiple: Number = 5
) -> dict[str, Any]:
    """Keeping ``customers`` against winning as many new ones, when acquiring costs ``multiple`` × keeping (5; one text says 8).

    Returns customers, acquisition_cost, cost_to_keep, cost_to_replace,
    saving_from_keeping (exact Decimals).
    """
    customers = _crm_engine.whole_number(
        "acquisition_vs_retention", "customers", customers, 0, 2**63 - 1
    )
    p = {
        "costs": {
            "retention_cost": decimal_text("retention_cost", retention_cost),
            "acquisition_multiple": decimal_text("multiple", multiple),
        },
        "customers": customers,
    }
    return _exact(_economics("acquisition_retention", p))
