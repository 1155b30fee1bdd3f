"""crm_engine.review and review_periods."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path
from typing import Any

import crm_engine as crm
import pyarrow as pa
import pytest
from conftest import as_lib


def review(*args: Any, **kwargs: Any) -> crm.Review:
    """crm.review with membership by presence: these tests are about the moves
    between two classifications, not about the customer base."""
    return crm.review(*args, membership="presence", **kwargs)


def review_periods(*args: Any, **kwargs: Any) -> list[crm.Review]:
    """crm.review_periods with membership by presence (as review above)."""
    return crm.review_periods(*args, membership="presence", **kwargs)


def periods() -> tuple[pa.Table, pa.Table]:
    jan = pa.table(
        {
            "customer_id": [1, 2, 4],
            "tier": ["most_valuable", "major", "ordinary"],
            "value": [900.0, 300.0, 50.0],
        }
    )
    feb = pa.table(
        {
            "customer_id": [1, 3, 4],
            "tier": ["major", "ordinary", "most_valuable"],
            "value": [400.0, 50.0, 800.0],
        }
    )
    return jan, feb


def test_moves(lib: str) -> None:
    jan, feb = periods()
    r = review(as_lib(jan, lib), as_lib(feb, lib), labels=("2026-01", "2026-02"))
    rows = r.to_pylist()
    assert [(x["customer_id"], x["move"]) for x in rows] == [
        (1, "demoted"),
        (2, "lost"),
        (3, "new"),
        (4, "promoted"),
    ]
    assert rows[0]["from_tier"] == "most_valuable" and rows[0]["to_tier"] == "major"
    assert rows[0]["previous_value"] == 900.0 and rows[0]["current_value"] == 400.0
    assert r.counts == {"promoted": 1, "demoted": 1, "held": 0, "unchanged": 0, "new": 1, "lost": 1}
    assert r.transitions[("most_valuable", "major")] == 1
    assert r.transitions[(None, "ordinary")] == 1 and r.transitions[("major", None)] == 1
    labels, m = r.matrix()
    assert labels[-1] == "absent" and sum(map(sum, m)) == 4
    assert (r.previous, r.current) == ("2026-01", "2026-02")


def test_review_of_two_classifications_with_ranks() -> None:
    a = crm.classify(pa.table({"id": [1, 2, 3], "v": [10.0, 5.0, 1.0]}), customer="id", value="v")
    b = crm.classify(pa.table({"id": [1, 2, 3], "v": [1.0, 5.0, 10.0]}), customer="id", value="v")
    r = review(a, b)
    rows = r.to_pylist()
    assert [x["move"] for x in rows] == ["demoted", "unchanged", "promoted"]
    assert rows[0]["previous_rank"] == 1 and rows[0]["current_rank"] == 3


def test_grace_rule_holds_then_demotes() -> None:
    p = [
        pa.table({"customer_id": [1], "tier": [t], "value": [1.0]})
        for t in ("most_valuable", "ordinary", "major")
    ]
    r = review_periods(p, labels=["m1", "m2", "m3"], grace=1)
    assert len(r) == 2
    assert r[0].to_pylist()[0]["move"] == "held"
    assert r[1].to_pylist()[0]["move"] == "demoted" and r[1].to_pylist()[0]["to_tier"] == "major"


def test_string_ids_and_categorical_tiers() -> None:
    jan = pa.table(
        {
            "customer_id": ["a", "b"],
            "tier": pa.array(["major", "ordinary"]).dictionary_encode(),
            "value": [2, 1],
        }
    )
    r = review(jan, jan)
    assert r.counts["unchanged"] == 2
    assert pa.table(r).column("customer_id").to_pylist() == ["a", "b"]


def test_bad_inputs(lib: str) -> None:
    jan, feb = periods()
    with pytest.raises(crm.ColumnError):
        review(as_lib(jan, lib), as_lib(feb, lib), tier="segment")
    bad = pa.table({"customer_id": [1], "tier": ["gold"], "value": [1.0]})
    with pytest.raises(crm.InvalidValueError) as e:
        review(as_lib(bad, lib), as_lib(feb, lib))
    assert e.value.row == 1 and e.value.column == "tier" and "unknown tier" in str(e.value)
    assert e.value.rule == "known_name" and "gold" not in str(e.value)
    dup = pa.table({"customer_id": [1, 1], "tier": ["major", "major"], "value": [1.0, 2.0]})
    with pytest.raises(crm.DuplicateCustomerError) as e2:
        review(as_lib(dup, lib), as_lib(feb, lib))
    assert e2.value.customer == "1"
    nan = pa.table({"customer_id": [1], "tier": ["major"], "value": [float("nan")]})
    with pytest.raises(crm.InvalidValueError):
        review(as_lib(nan, lib), as_lib(feb, lib))
    with pytest.raises(crm.ColumnError):
        review(jan, feb, rank="position")
    with pytest.raises(crm.ConfigError):
        review_periods([jan, feb], grace=-1)


def test_empty_periods() -> None:
    e = pa.table(
        {
            "customer_id": pa.array([], pa.int64()),
            "tier": pa.array([], pa.string()),
            "value": pa.array([], pa.float64()),
        }
    )
    r = review(e, e)
    assert len(r) == 0 and sum(r.counts.values()) == 0


def test_pickle() -> None:
    jan, feb = periods()
    r = review(jan, feb)
    assert pickle.loads(pickle.dumps(r)) == r


def test_a_duplicate_customer_in_data_row_2_is_reported_as_row_2() -> None:
    jan, _ = periods()
    dup = pa.table({"customer_id": [1, 1], "tier": ["major", "major"], "value": [1.0, 2.0]})
    with pytest.raises(crm.DuplicateCustomerError) as e:
        review(dup, jan)
    assert (e.value.row, e.value.customer, e.value.rule) == (2, "1", "one_row_per_customer")
    assert e.value.column == "customer_id"


def test_names_come_from_the_core_vocabulary() -> None:
    v = crm.vocabulary()
    assert crm.TIERS == v["tier"] and crm.BEHAVIOURS == v["behaviour"]
    assert crm.TREATMENTS == v["strategy"] and crm.COMPONENTS == v["component"]
    jan, feb = periods()
    kinds = set(pa.table(review(jan, feb)).column("move").to_pylist())
    assert kinds <= set(v["move"])


# ------------------------------------------------- membership from the customer base


def _cdnow() -> pa.Table:
    root = Path(__file__).resolve().parents[3]
    rows = [
        line.split()
        for line in (root / "examples" / "data" / "CDNOW_sample.txt").read_text().splitlines()
    ]
    return pa.table(
        {
            "customer": [int(r[1]) for r in rows],
            "date": pa.array(
                [dt.date(int(r[2][:4]), int(r[2][4:6]), int(r[2][6:])) for r in rows], pa.date32()
            ),
            "amount": [float(r[4]) for r in rows],
        }
    )


def test_quickstart_review_under_the_365_day_rule_has_no_lost_customers() -> None:
    tx = _cdnow()
    cols = {"customer": "customer", "time": "date", "amount": "amount"}
    first = crm.summarize(tx, **cols, as_of="1997-09-30")
    second = crm.summarize(tx, **cols, as_of="1998-06-30", since="1997-10-01")
    a = crm.classify(first, customer="customer_id", value="total_spend")
    b = crm.classify(second, customer="customer_id", value="total_spend")
    r = crm.review(
        a,
        b,
        windows=((None, "1997-09-30"), ("1997-10-01", "1998-06-30")),
        purchases=[first, second],
        inactive_days=365,
    )
    # Independent count: everybody bought by September 1997, so under a 365-day
    # rule everybody is still a customer on 1 October 1997: nobody is lost, nobody new.
    before = set(pa.table(a).column("customer_id").to_pylist())
    after = set(pa.table(b).column("customer_id").to_pylist())
    quiet = before - after
    assert r.counts["lost"] == 0 and r.counts["new"] == 0
    assert sum(r.counts.values()) == len(before) == 2357
    rows = {x["customer_id"]: x for x in pa.table(r).to_pylist()}
    for c in quiet:
        m = rows[c]
        assert m["to_tier"] == "inactive" and m["measured_tier"] == "inactive"
        assert m["current_value"] == 0 and m["current_rank"] is None
        assert m["move"] == ("unchanged" if m["from_tier"] == "inactive" else "demoted")
    # The old rule, by explicit choice, calls the same customers lost.
    old = crm.review(a, b, membership="presence")
    assert old.counts["lost"] == len(quiet) > 1000


def test_membership_from_a_customer_base_table_by_hand() -> None:
    jan = pa.table(
        {
            "customer_id": [1, 2, 3],
            "tier": ["most_valuable", "major", "ordinary"],
            "value": [9.0, 5.0, 1.0],
        }
    )
    feb = pa.table({"customer_id": [1, 4], "tier": ["major", "most_valuable"], "value": [5.0, 9.0]})
    # 1 and 2 stay (2 renews on 1 February: one membership); 3 leaves on 1 February;
    # 4 joins on 10 February.
    base = pa.table(
        {
            "customer": [1, 2, 2, 3, 4],
            "since": pa.array(
                [
                    dt.date(2025, 1, 1),
                    dt.date(2025, 1, 1),
                    dt.date(2026, 2, 1),
                    dt.date(2025, 6, 1),
                    dt.date(2026, 2, 10),
                ],
                pa.date32(),
            ),
            "until": pa.array(
                [None, dt.date(2026, 2, 1), None, dt.date(2026, 2, 1), None], pa.date32()
            ),
        }
    )
    r = crm.review(
        jan,
        feb,
        windows=(("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28")),
        customer_base=base,
    )
    moves = {x["customer_id"]: (x["move"], x["to_tier"]) for x in pa.table(r).to_pylist()}
    assert moves == {
        1: ("demoted", "major"),
        2: ("demoted", "inactive"),  # quiet in February: inactive, value 0
        3: ("lost", None),  # left the base
        4: ("new", "most_valuable"),  # joined it
    }


def test_membership_from_the_base_needs_a_base_or_an_explicit_choice() -> None:
    jan, feb = periods()
    with pytest.raises(crm.ConfigError, match="presence"):
        crm.review(jan, feb)
    with pytest.raises(crm.ConfigError, match="windows"):
        crm.review(jan, feb, purchases=[jan])
    with pytest.raises(crm.ConfigError, match="membership"):
        crm.review(jan, feb, membership="sometimes")  # type: ignore[arg-type]
