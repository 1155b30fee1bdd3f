"""Delivered value, period metrics, surveys, the four degrees and economics.

The expected figures are the hand-computed examples of the Rust tests
(crm-core: delivered_value, period_metrics/tests.rs, survey, degrees,
economics), so the Python answers are checked against the same arithmetic.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
from decimal import Decimal
from pathlib import Path

import crm_engine as crm
import pyarrow as pa
import pytest
from conftest import ROOT, as_lib
from hypothesis import given, settings
from hypothesis import strategies as st

UTC = dt.UTC


def t(m: int, d: int, h: int = 0) -> dt.datetime:
    return dt.datetime(2024, m, d, h, tzinfo=UTC)


def day(m: int, d: int) -> dt.date:
    return dt.date(2024, m, d)


# ---------------------------------------------------------------- delivered value


def offers() -> pa.Table:
    # Same as crm-core's hand_computed_comparison_with_weights.
    return pa.table(
        {
            "offer": ["ours", "rival"],
            "product_value": [100, 110],
            "service_value": [20, 10],
            "personnel_value": [10, 10],
            "image_value": [10, 10],
            "monetary_cost": [90, 80],
            "time_cost_quantity": [2, 1],
            "time_cost_unit_value": [10, 10],
        }
    )


def test_delivered_value_by_hand(lib: str) -> None:
    # ours: value 140; cost 90 + 2 · (2 h × 10) = 130; DV 10
    # rival: value 140; cost 80 + 2 · (1 h × 10) = 100; DV 40; ratio 1.4
    r = crm.delivered_value(
        as_lib(offers(), lib), ours="ours", weights={"default": {"time_cost": 2}}
    )
    rows = r.to_pylist()
    assert [x["delivered_value"] for x in rows] == [10.0, 40.0]
    assert rows[0]["total_cost"] == 130.0 and rows[1]["value_cost_ratio"] == 1.4
    assert [x["chosen"] for x in rows] == [False, True]
    comp = r.comparisons.to_pylist()[0]
    assert comp["chosen"] == "rival" and comp["advantage"] == -30.0
    gaps = r.gaps.to_pylist()
    assert gaps[0]["component"] == "time_cost" and gaps[0]["effect"] == -20.0
    assert sum(g["effect"] for g in gaps) == -30.0
    assert r.data["items"][0][1]["advantage"] == "-30"


def test_delivered_value_per_segment_and_zero_cost() -> None:
    tab = pa.table(
        {
            "segment": ["a", "a", "b", "b"],
            "offer": ["ours", "x", "ours", "x"],
            "product_value": [10, 5, 10, 5],
            "monetary_cost": [0, 1, 4, 1],
        }
    )
    r = crm.delivered_value(tab, ours="ours", segment="segment")
    rows = r.to_pylist()
    assert rows[0]["value_cost_ratio"] is None  # zero total cost: undefined, not inf
    assert [c["segment"] for c in r.comparisons.to_pylist()] == ["a", "b"]
    assert pickle.loads(pickle.dumps(r)) == r


def test_delivered_value_errors() -> None:
    bad = pa.table({"offer": ["ours"], "product_value": [-1.0]})
    with pytest.raises(crm.InvalidValueError, match="product_value is negative") as e:
        crm.delivered_value(bad, ours="ours")
    assert e.value.row == 1 and e.value.rule == "non_negative"
    with pytest.raises(crm.ConfigError, match="no offer is named"):
        crm.delivered_value(pa.table({"offer": ["a"]}), ours="ours")
    with pytest.raises(crm.ConfigError):
        crm.delivered_value(offers(), ours="ours", weights={"default": {"speed": 1}})


@settings(max_examples=40, deadline=None)
@given(
    base=st.lists(st.integers(0, 10_000), min_size=8, max_size=8),
    i=st.integers(0, 7),
    more=st.integers(1, 1000),
)
def test_delivered_value_rises_with_value_and_falls_with_cost(
    base: list[int], i: int, more: int
) -> None:
    def dv(amounts: list[int]) -> float:
        tab = pa.table(
            {"offer": ["ours"], **{c: [a] for c, a in zip(crm.COMPONENTS, amounts, strict=True)}}
        )
        return float(crm.delivered_value(tab, ours="ours").to_pylist()[0]["delivered_value"])

    up = list(base)
    up[i] += more
    assert (dv(up) > dv(base)) if i < 4 else (dv(up) < dv(base))


# ---------------------------------------------------------------- period metrics


def base_table() -> pa.Table:
    # crm-core period_metrics/tests.rs sample()
    rows = [
        (1, day(1, 1), None, "most_valuable"),
        (2, day(1, 1), None, "major"),
        (3, day(1, 1), None, None),
        (4, day(1, 1), day(3, 15), None),
        (5, day(1, 1), day(3, 5), None),
        (5, day(3, 20), None, None),
        (6, day(3, 10), None, None),
        (7, day(3, 12), day(3, 25), None),
        (8, day(1, 1), day(2, 1), None),
        (8, day(3, 2), None, None),
    ]
    return pa.table(
        {
            "customer": [r[0] for r in rows],
            "since": pa.array([r[1] for r in rows], pa.date32()),
            "until": pa.array([r[2] for r in rows], pa.date32()),
            "tier": [r[3] for r in rows],
        }
    )


def activity_table() -> pa.Table:
    return pa.table(
        {
            "customer_id": [1, 2, 3, 6, 8],
            "occasions": [3, 1, 2, 1, 0],
            "transactions": [4, 1, 2, 3, 0],
            "last_purchase": pa.array(
                [day(3, 28), day(3, 3), day(3, 20), day(3, 11), None], pa.date32()
            ),
        }
    )


def complaints_table() -> pa.Table:
    ts = pa.timestamp("s", tz="UTC")
    return pa.table(
        {
            "customer": [1, 2, 3, 3],
            "channel": ["phone", "email", "email", "phone"],
            "opened": pa.array([t(3, 5, 8), t(3, 10), t(3, 30), t(2, 20)], ts),
            "first_response": pa.array([t(3, 5, 10), t(3, 11), None, None], ts),
            "resolved": pa.array([t(3, 6, 4), t(3, 12, 2), t(4, 2), t(2, 21)], ts),
        }
    )


def referrals_table() -> pa.Table:
    return pa.table(
        {
            "referrer": [1, 1, 4, 2],
            "referred": pa.array([6, None, None, None], pa.int64()),
            # ISO text works as well as timestamps
            "time": [
                "2024-03-09T12:00:00Z",
                "2024-03-19T12:00:00Z",
                "2024-03-02T12:00:00Z",
                "2024-04-01T00:00:00Z",
            ],
        }
    )


def test_period_metrics_by_hand(lib: str) -> None:
    m = crm.period_metrics(
        as_lib(base_table(), lib),
        first_day="2024-03-01",
        last_day=dt.date(2024, 3, 31),
        activity=as_lib(activity_table(), lib),
        complaints=as_lib(complaints_table(), lib),
        referrals=referrals_table(),
    )
    # S = 5, E = 6, retained 4, N 2, lost 2: retention 0.8, churn 0.4, growth 0.2, acquisition 0.4
    assert m["retention_rate"] == 0.8 and m["churn_rate"] == 0.4
    assert m["growth_rate"] == 0.2 and m["acquisition_rate"] == 0.4
    assert m["repeat_purchase_rate"] == 0.5 and m["referral_rate"] == 0.25
    assert m["complaints.per_active_customer"] == 0.75 and m["complaints.per_1000_orders"] == 300.0
    assert m["complaints.resolution_rate"] == pytest.approx(2 / 3)
    assert m["complaints.on_time_rate"] == 0.5 and m["complaints.open_at_end"] == 1.0
    assert m["service_recovery.repeat_rate_after_resolved_complaint"] == 0.5
    assert m["service_recovery.repeat_rate_no_complaint"] == 0.0
    assert m.data["retention_rate"] == "0.8"
    assert m.data["rows"]["complaints"] == {"read": 4, "used": 3, "outside_period": 1}
    assert m.data["complaints"]["by_channel"] == {"email": 2, "phone": 1}


def test_period_metrics_undefined_and_service_levels() -> None:
    only_new = pa.table({"customer": [1], "since": pa.array([day(3, 3)], pa.date32())})
    m = crm.period_metrics(only_new, first_day="2024-03-01", last_day="2024-03-31")
    assert m["retention_rate"] is None and m["churn_rate"] is None  # nobody at the start
    m = crm.period_metrics(
        base_table(),
        first_day="2024-03-01",
        last_day="2024-03-31",
        complaints=complaints_table(),
        service_levels={"major": 72},
    )
    assert m["complaints.on_time_rate"] == 1.0  # 50 h <= 72 h now
    with pytest.raises(crm.ConfigError):
        crm.period_metrics(base_table(), first_day="2024-03-31", last_day="2024-03-01")


def test_period_metrics_from_a_summary() -> None:
    tx = pa.table(
        {
            "customer": [1, 1, 2],
            "date": pa.array([day(3, 2), day(3, 9), day(3, 4)], pa.date32()),
            "amount": [1.0, 2.0, 3.0],
        }
    )
    s = crm.summarize(
        tx,
        customer="customer",
        time="date",
        amount="amount",
        as_of="2024-03-31",
        since="2024-03-01",
    )
    base = pa.table({"customer": [1, 2], "since": pa.array([day(1, 1), day(1, 1)], pa.date32())})
    m = crm.period_metrics(base, first_day="2024-03-01", last_day="2024-03-31", activity=s)
    assert m["repeat_purchase_rate"] == 0.5
    with pytest.raises(crm.ConfigError, match="summary"):
        crm.period_metrics(base, first_day="2024-02-01", last_day="2024-03-31", activity=s)


def test_unknown_customer_and_bad_time_name_the_row() -> None:
    bad = complaints_table().to_pylist() + [
        {
            "customer": 99,
            "channel": "x",
            "opened": t(3, 3),
            "first_response": None,
            "resolved": None,
        }
    ]
    with pytest.raises(crm.InvalidValueError, match="complaints row 5: customer 99"):
        crm.period_metrics(
            base_table(),
            first_day="2024-03-01",
            last_day="2024-03-31",
            complaints=pa.Table.from_pylist(bad),
        )
    refs = pa.table({"referrer": [1], "time": ["not a time"]})
    with pytest.raises(crm.InvalidValueError) as e:
        crm.period_metrics(
            base_table(), first_day="2024-03-01", last_day="2024-03-31", referrals=refs
        )
    assert e.value.row == 1 and e.value.column == "time"


def test_record_errors_name_the_table_a_1_based_row_the_column_and_the_rule() -> None:
    # crm-io's record readers, the ones the crm command's files go through.
    bad_time = pa.table({"customer": [1, 2], "opened": ["2024-03-05T08:00:00Z", "soon-secret"]})
    with pytest.raises(crm.InvalidValueError) as e:
        crm.period_metrics(
            base_table(), first_day="2024-03-01", last_day="2024-03-31", complaints=bad_time
        )
    assert (e.value.row, e.value.column, e.value.rule) == (2, "opened", "time_value")
    assert str(e.value).startswith("complaints row 2, column `opened`")
    assert "secret" not in str(e.value)
    bad_tier = base_table().set_column(3, "tier", pa.array(["gold-secret"] + [None] * 9))
    with pytest.raises(crm.InvalidValueError) as e:
        crm.period_metrics(bad_tier, first_day="2024-03-01", last_day="2024-03-31")
    assert (e.value.row, e.value.column, e.value.rule) == (1, "tier", "known_name")
    assert "secret" not in str(e.value)
    with pytest.raises(crm.ColumnError) as e:
        crm.period_metrics(
            base_table(),
            first_day="2024-03-01",
            last_day="2024-03-31",
            referrals=pa.table({"who": [1], "time": ["2024-03-02"]}),
        )
    assert (e.value.column, e.value.rule) == ("referrer", "column_present")
    backwards = pa.table(
        {
            "customer": [1, 2],
            "since": pa.array([day(1, 1), day(3, 5)], pa.date32()),
            "until": pa.array([None, day(3, 1)], pa.date32()),
        }
    )
    with pytest.raises(crm.InvalidValueError) as e:
        crm.period_metrics(backwards, first_day="2024-03-01", last_day="2024-03-31")
    assert (e.value.row, e.value.column, e.value.rule) == (2, "until", "since_before_until")


def test_a_complaint_without_a_channel_counts_under_unknown_and_absent_records_are_unknown() -> (
    None
):
    no_channel = complaints_table().drop_columns(["channel"])
    m = crm.period_metrics(
        base_table(), first_day="2024-03-01", last_day="2024-03-31", complaints=no_channel
    )
    assert m.data["complaints"]["by_channel"] == {"unknown": 3}
    bare = crm.period_metrics(base_table(), first_day="2024-03-01", last_day="2024-03-31")
    names = bare.as_dict().keys()
    assert "retention_rate" in names and "base.at_start" in names
    assert not any(n.startswith(("complaints.", "service_recovery.", "referral")) for n in names)
    assert list(names) == sorted(names)


@settings(max_examples=30, deadline=None)
@given(st.permutations(list(range(10))))
def test_period_metrics_do_not_depend_on_input_order(order: list[int]) -> None:
    base = base_table().take(order)
    a = crm.period_metrics(
        base_table(), first_day="2024-03-01", last_day="2024-03-31", complaints=complaints_table()
    )
    b = crm.period_metrics(
        base,
        first_day="2024-03-01",
        last_day="2024-03-31",
        complaints=complaints_table().take([3, 1, 0, 2]),
    )
    assert a.as_dict() == b.as_dict()


# ---------------------------------------------------------------- the inactivity rule


def purchases() -> pa.Table:
    # The crm CLI's hand count: period March 2024, rule 60 days. Customer 1
    # stays (10 Jan, 5 and 20 Mar), 2 is lost on 15 Mar (60 days after 15
    # Jan), 3 is new on 12 Mar, 4 was lost on 30 Nov and is back on 25 Mar.
    rows = [
        (1, dt.date(2024, 1, 10)),
        (1, day(3, 5)),
        (1, day(3, 20)),
        (2, dt.date(2024, 1, 15)),
        (3, day(3, 12)),
    ]
    rows += [(4, dt.date(2023, 10, 1)), (4, day(3, 25))]
    return pa.table(
        {
            "customer": [c for c, _ in rows],
            "date": pa.array([d for _, d in rows], pa.date32()),
            "amount": [10.0] * len(rows),
        }
    )


def summaries(tx: pa.Table, first: str, last: str) -> tuple[crm.Summary, crm.Summary]:
    before_day = (dt.date.fromisoformat(first) - dt.timedelta(days=1)).isoformat()
    cols = {"customer": "customer", "time": "date", "amount": "amount"}
    return crm.summarize(tx, **cols, as_of=before_day), crm.summarize(
        tx, **cols, since=first, as_of=last
    )


def test_customer_base_by_hand_feeds_period_metrics() -> None:
    before, during = summaries(purchases(), "2024-03-01", "2024-03-31")
    base = crm.customer_base(
        during, before=before, first_day="2024-03-01", last_day="2024-03-31", inactive_days=60
    )
    spans = [(r["customer"], r["since"], r["until"]) for r in pa.table(base).to_pylist()]
    assert spans == [
        (1, dt.date(2024, 1, 10), None),
        (2, dt.date(2024, 1, 15), day(3, 15)),
        (3, day(3, 12), None),
        (4, dt.date(2023, 10, 1), dt.date(2023, 11, 30)),
        (4, day(3, 25), None),
    ]
    m = crm.period_metrics(base, first_day="2024-03-01", last_day="2024-03-31", activity=during)
    # S = {1, 2}, E = {1, 3, 4}, N = {3, 4}: acquisition N / S = 2 / 2 = 1 (growth = 1 + 0.5 - 1)
    assert (m["retention_rate"], m["churn_rate"], m["growth_rate"], m["acquisition_rate"]) == (
        0.5,
        0.5,
        0.5,
        1.0,
    )
    # joined in March: 3 (first time) and 4 (came back): the gross count beside N
    assert (m["base.acquired"], m["base.returned"], m["base.joined"]) == (1.0, 1.0, 2.0)
    assert m["repeat_purchase_rate"] == pytest.approx(1 / 3)


def test_period_metrics_a_renewal_is_no_loss_and_no_return() -> None:
    # customer 1 renews on 15 March (until = the next since); customer 2 leaves on
    # 15 March and comes back on 16 March (a real gap)
    base = pa.table(
        {
            "customer": [1, 1, 2, 2],
            "since": pa.array(
                [dt.date(2024, 1, 1), day(3, 15), dt.date(2024, 1, 1), day(3, 16)], pa.date32()
            ),
            "until": pa.array([day(3, 15), None, day(3, 15), None], pa.date32()),
        }
    )
    m = crm.period_metrics(base, first_day="2024-03-01", last_day="2024-03-31")
    assert (m["base.lost"], m["base.returned"], m["base.joined"]) == (1.0, 1.0, 1.0)
    assert (m["retention_rate"], m["churn_rate"], m["acquisition_rate"]) == (1.0, 0.5, 0.0)


def test_customer_base_errors_say_what_is_wrong() -> None:
    before, during = summaries(purchases(), "2024-03-01", "2024-03-31")
    with pytest.raises(crm.ConfigError, match="shorter than the 31-day period"):
        crm.customer_base(
            during, before=before, first_day="2024-03-01", last_day="2024-03-31", inactive_days=30
        )
    with pytest.raises(crm.ConfigError, match="summary"):
        crm.customer_base(during, before=before, first_day="2024-03-02", last_day="2024-03-31")
    with pytest.raises(crm.ConfigError, match="day before the period.s first day"):
        crm.customer_base(during, before=during, first_day="2024-03-01", last_day="2024-03-31")
    with pytest.raises(crm.ConfigError, match="inactive_days"):
        crm.customer_base(during, first_day="2024-03-01", last_day="2024-03-31", inactive_days=0)
    twice = pa.table(
        {"customer_id": [1, 1], "first_purchase": [day(3, 1)] * 2, "last_purchase": [day(3, 2)] * 2}
    )
    with pytest.raises(crm.DuplicateCustomerError, match="appears twice") as e:
        crm.customer_base(twice, first_day="2024-03-01", last_day="2024-03-31")
    assert (e.value.row, e.value.customer, e.value.rule) == (2, "1", "one_row_per_customer")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sets(st.integers(0, 120), min_size=1, max_size=6), min_size=1, max_size=8),
    st.integers(20, 70),
    st.integers(1, 30),
    st.integers(0, 40),
)
def test_customer_base_is_in_the_base_exactly_when_the_rule_says(
    days: list[set[int]], start: int, length: int, extra: int
) -> None:
    origin = dt.date(2024, 1, 1)
    first, last = origin + dt.timedelta(days=start), origin + dt.timedelta(days=start + length - 1)
    rule = length + extra
    rows = [(c, origin + dt.timedelta(days=d)) for c, ds in enumerate(days) for d in sorted(ds)]
    tx = pa.table(
        {
            "customer": [c for c, _ in rows],
            "date": pa.array([d for _, d in rows], pa.date32()),
            "amount": [1.0] * len(rows),
        }
    )
    before, during = summaries(tx, first.isoformat(), last.isoformat())
    base = pa.table(
        crm.customer_base(during, before=before, first_day=first, last_day=last, inactive_days=rule)
    ).to_pylist()
    for c, ds in enumerate(days):
        spans = [(r["since"], r["until"]) for r in base if r["customer"] == c]
        for k in range(start - 1, start + length):
            d = origin + dt.timedelta(days=k)
            want = any(p <= k < p + rule for p in ds)
            got = any(s <= d and (u is None or d < u) for s, u in spans)
            assert got == want, (c, k, spans)


# ---------------------------------------------------------------- surveys


def test_nps_interval_by_hand() -> None:
    # 50 promoters, 30 passives, 20 detractors: NPS 30, CI 30 ± 15.308 (crm-core nps_interval_by_hand)
    scores = [9] * 50 + [7] * 30 + [0] * 20
    answers = pa.table(
        {
            "customer": [1] * 100,
            "time": pa.array([t(1, 5)] * 100, pa.timestamp("us", tz="UTC")),
            "scale": ["nps"] * 100,
            "score": scores,
        }
    )
    base = pa.table(
        {"customer": [1], "since": pa.array([day(1, 1)], pa.date32()), "segment": ["b2b"]}
    )
    r = crm.survey_metrics(answers, base, first_day="2024-01-01", last_day="2024-01-31")
    rows = {(x["by"], x["group"]): x for x in r.to_pylist()}
    a = rows[("all", "all")]
    assert (a["promoters"], a["passives"], a["detractors"], a["nps"]) == (50, 30, 20, 30.0)
    assert round(a["nps_ci_low"], 3) == 14.692 and round(a["nps_ci_high"], 3) == 45.308
    assert a["csat"] is None  # no CSAT answer: unknown, not 0
    assert rows[("segment", "b2b")]["nps"] == 30.0 and ("tier", "unknown") in rows
    assert r.rows == {"read": 100, "used": 100, "outside_period": 0}


def test_all_passive_and_out_of_range() -> None:
    base = pa.table({"customer": [1], "since": pa.array([day(1, 1)], pa.date32())})
    ans = pa.table(
        {
            "customer": [1, 1],
            "time": ["2024-01-02", "2024-03-01"],
            "scale": ["nps", "nps"],
            "score": [7, 8],
        }
    )
    r = crm.survey_metrics(ans, base, first_day="2024-01-01", last_day="2024-01-31")
    a = r.to_pylist()[0]
    assert (a["nps"], a["nps_ci_low"], a["nps_ci_high"], a["passives"]) == (0.0, 0.0, 0.0, 1)
    assert r.rows == {"read": 2, "used": 1, "outside_period": 1}
    bad = pa.table({"customer": [1], "time": ["2024-01-02"], "scale": ["csat"], "score": [6]})
    with pytest.raises(crm.InvalidValueError, match="outside 1..=5"):
        crm.survey_metrics(bad, base, first_day="2024-01-01", last_day="2024-01-31")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=60))
def test_nps_stays_within_minus_100_and_100(scores: list[int]) -> None:
    n = len(scores)
    ans = pa.table(
        {"customer": [1] * n, "time": ["2024-01-02"] * n, "scale": ["nps"] * n, "score": scores}
    )
    base = pa.table({"customer": [1], "since": pa.array([day(1, 1)], pa.date32())})
    a = crm.survey_metrics(ans, base, first_day="2024-01-01", last_day="2024-01-31").to_pylist()[0]
    assert -100 <= a["nps_ci_low"] <= a["nps"] <= a["nps_ci_high"] <= 100
    p, d = sum(s >= 9 for s in scores) / n, sum(s <= 6 for s in scores) / n
    assert a["nps"] == pytest.approx(100 * (p - d))


# ---------------------------------------------------------------- degrees


def degree_inputs() -> dict[str, pa.Table]:
    # crm-core degrees hand_computed_degrees
    return {
        "customers": pa.table(
            {
                "customer": [1, 2],
                "value": [600, 400],
                "occasions": [3, 1],
                "tenure_days": [365, 1000],
                "category_spend": pa.array([800, None], pa.float64()),
            }
        ),
        "answers": pa.table(
            {
                "customer": [1, 1, 2],
                "time": ["2024-01-10T12:00:00", "2024-01-10T12:00:00", "2024-02-02"],
                "scale": ["csat", "nps", "csat"],
                "score": [4, 9, 1],
            }
        ),
        "complaints": pa.table(
            {"customer": [1], "opened": pa.array([t(1, 3, 12)], pa.timestamp("s", tz="UTC"))}
        ),
        "referrals": pa.table(
            {"referrer": [1], "time": pa.array([t(1, 5, 12)], pa.timestamp("s", tz="UTC"))}
        ),
    }


def test_degrees_by_hand(lib: str) -> None:
    i = degree_inputs()
    r = crm.degrees(
        as_lib(i["customers"], lib),
        first_day="2024-01-01",
        last_day="2024-01-31",
        answers=i["answers"],
        complaints=i["complaints"],
        referrals=i["referrals"],
    )
    c1, c2 = r.to_pylist()
    # satisfaction (0.75 + 0.9) / 2 − 0.1 = 0.725; loyalty 0.58333; contribution 0.6; dependency 0.75; index 0.6675
    assert c1["satisfaction"] == 0.725 and round(c1["loyalty"], 4) == 0.5833
    assert (c1["contribution"], c1["dependency"]) == (0.6, 0.75)
    assert round(c1["index"], 4) == 0.6675
    # customer 2 answered in February only: satisfaction unknown; index over known degrees = 0.3
    assert c2["satisfaction"] is None and c2["index"] == 0.3 and c2["index_coverage"] == 0.45
    base = {x["degree"]: x for x in r.base.to_pylist()}
    assert base["satisfaction"] == {
        "degree": "satisfaction",
        "known": 1,
        "unknown": 1,
        "mean": 0.725,
    }
    assert r.share_of_wallet == Decimal("0.75")
    r2 = crm.degrees(
        i["customers"],
        first_day="2024-01-01",
        last_day="2024-01-31",
        answers=i["answers"],
        config={"require_satisfaction": True},
    )
    assert r2.to_pylist()[1]["index"] is None
    # Fields given in part, decimals as numbers: crm-core keeps its other
    # defaults. Dependency alone in the index: customer 1's index is 0.75;
    # no penalty for the open complaint: satisfaction (0.75 + 0.9) / 2.
    r3 = crm.degrees(
        i["customers"],
        first_day="2024-01-01",
        last_day="2024-01-31",
        answers=i["answers"],
        complaints=i["complaints"],
        referrals=i["referrals"],
        config={"index_weights": [0, 0, 0, 1], "open_complaint_penalty": 0},
    )
    c1 = r3.to_pylist()[0]
    assert (c1["index"], c1["satisfaction"], c1["contribution"]) == (0.75, 0.825, 0.6)


def test_degrees_contribution_of_a_zero_total_is_null_not_zero() -> None:
    # Nobody brought positive value (0 and -50): the share of a zero total is undefined.
    tab = pa.table(
        {
            "customer": [1, 2],
            "value": [0.0, -50.0],
            "occasions": [1, 1],
            "tenure_days": [730, 0],
            "spend": [0.0, 0.0],
        }
    )
    r = crm.degrees(tab, first_day="2024-01-01", last_day="2024-01-31")
    c1, c2 = r.to_pylist()
    assert c1["contribution"] is None and c2["contribution"] is None
    # the index is over loyalty alone: 0.25 (tenure part 1 · 0.25) and 0; coverage 0.3
    assert (c1["index"], c1["index_coverage"]) == (0.25, 0.3)
    assert (c2["index"], c2["index_coverage"]) == (0.0, 0.3)
    base = {x["degree"]: x for x in r.base.to_pylist()}
    assert base["contribution"] == {
        "degree": "contribution",
        "known": 0,
        "unknown": 2,
        "mean": None,
    }
    assert r.data["base"]["contribution"]["known"] == 0


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-100, 10_000),
            st.integers(0, 9),
            st.integers(0, 2000),
            st.one_of(st.none(), st.integers(0, 500)),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_degrees_stay_within_0_and_1(rows: list[tuple[int, int, int, int | None]]) -> None:
    tab = pa.table(
        {
            "customer": list(range(len(rows))),
            "value": [float(max(r[0], 0)) for r in rows],
            "occasions": [r[1] for r in rows],
            "tenure_days": [r[2] for r in rows],
            "category_spend": pa.array(
                [None if r[3] is None else float(max(r[0], 0) + r[3]) for r in rows], pa.float64()
            ),
        }
    )
    for row in crm.degrees(tab, first_day="2024-01-01", last_day="2024-01-31").to_pylist():
        for k in ("satisfaction", "loyalty", "contribution", "dependency", "index"):
            assert row[k] is None or 0.0 <= row[k] <= 1.0


# ---------------------------------------------------------------- economics


def test_economics_by_hand() -> None:
    # 120 · 0.75 / (1.05 − 0.75) = 300
    assert crm.simple_clv(120, "0.75", "0.05") == Decimal("300")
    with pytest.raises(crm.ConfigError, match="retention"):
        crm.simple_clv(1, 1, 0)
    w = crm.revenue_what_if(
        200, 1000, 150000, per_customer_change="0.1", customers_change="0.05", cost_change="0.02"
    )
    assert (w["new_revenue"], w["change"], w["interaction"]) == (
        Decimal("78000"),
        Decimal("28000"),
        Decimal("1000"),
    )
    a = crm.acquisition_vs_retention(25, 10, multiple=8)
    assert (a["acquisition_cost"], a["saving_from_keeping"]) == (Decimal("200"), Decimal("1750"))
    e = crm.customer_equity(
        pa.table(
            {
                "segment": ["vip", "mass"],
                "customers": [10, 100],
                "margin": [500, 50],
                "retention": [0.9, 0.5],
            }
        ),
        discount=0.1,
    ).to_pylist()
    assert e[0]["equity"] == 22500.0 and round(sum(x["equity"] for x in e), 2) == 26666.67


# ---------------------------------------------------------------- the bundled example, against Rust


def test_bundled_example_equals_rust() -> None:
    ref = os.environ.get("CRM_RUST_DEGREES")
    if not ref:
        pytest.skip(
            "set CRM_RUST_DEGREES to the JSON of `cargo run -p crm-examples --example four_degrees -- --json`"
        )
    expected = json.loads(Path(ref).read_text())
    data = ROOT / "examples" / "data" / "relationship"
    import pyarrow.csv as pacsv

    def read(name: str) -> pa.Table:
        return pacsv.read_csv(data / f"{name}.csv")

    r = crm.degrees(
        read("customers"),
        first_day=expected["period"]["first_day"],
        last_day=expected["period"]["last_day"],
        answers=read("answers"),
        complaints=read("complaints"),
        referrals=read("referrals"),
    )
    assert r.data == expected["degrees"]
    dv = crm.delivered_value(read("offers"), ours="ours", segment="segment")
    assert dv.data["items"] == expected["delivered_value"]


def test_service_levels_left_out_keep_the_core_default_and_unknown_keys_are_refused() -> None:
    with pytest.raises(crm.ConfigError):
        crm.period_metrics(
            base_table(), first_day="2024-03-01", last_day="2024-03-31", service_levels={"gold": 1}
        )
    given = crm.period_metrics(
        base_table(), first_day="2024-03-01", last_day="2024-03-31", service_levels={"major": 48}
    )
    default = crm.period_metrics(base_table(), first_day="2024-03-01", last_day="2024-03-31")
    assert given.as_dict() == default.as_dict()
