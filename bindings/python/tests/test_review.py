"""crm_engine.review and review_periods."""

from __future__ import annotations

import pickle

import crm_engine as crm
import pyarrow as pa
import pytest
from conftest import as_lib


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
    r = crm.review(as_lib(jan, lib), as_lib(feb, lib), labels=("2026-01", "2026-02"))
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
    r = crm.review(a, b)
    rows = r.to_pylist()
    assert [x["move"] for x in rows] == ["demoted", "unchanged", "promoted"]
    assert rows[0]["previous_rank"] == 1 and rows[0]["current_rank"] == 3


def test_grace_rule_holds_then_demotes() -> None:
    p = [
        pa.table({"customer_id": [1], "tier": [t], "value": [1.0]})
        for t in ("most_valuable", "ordinary", "major")
    ]
    r = crm.review_periods(p, labels=["m1", "m2", "m3"], grace=1)
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
    r = crm.review(jan, jan)
    assert r.counts["unchanged"] == 2
    assert pa.table(r).column("customer_id").to_pylist() == ["a", "b"]


def test_bad_inputs(lib: str) -> None:
    jan, feb = periods()
    with pytest.raises(crm.ColumnError):
        crm.review(as_lib(jan, lib), as_lib(feb, lib), tier="segment")
    bad = pa.table({"customer_id": [1], "tier": ["gold"], "value": [1.0]})
    with pytest.raises(crm.InvalidValueError) as e:
        crm.review(as_lib(bad, lib), as_lib(feb, lib))
    assert e.value.row == 1 and e.value.column == "tier" and "unknown tier" in str(e.value)
    assert e.value.rule == "known_name" and "gold" not in str(e.value)
    dup = pa.table({"customer_id": [1, 1], "tier": ["major", "major"], "value": [1.0, 2.0]})
    with pytest.raises(crm.DuplicateCustomerError) as e2:
        crm.review(as_lib(dup, lib), as_lib(feb, lib))
    assert e2.value.customer == "1"
    nan = pa.table({"customer_id": [1], "tier": ["major"], "value": [float("nan")]})
    with pytest.raises(crm.InvalidValueError):
        crm.review(as_lib(nan, lib), as_lib(feb, lib))
    with pytest.raises(crm.ColumnError):
        crm.review(jan, feb, rank="position")
    with pytest.raises(crm.ConfigError):
        crm.review_periods([jan, feb], grace=-1)


def test_empty_periods() -> None:
    e = pa.table(
        {
            "customer_id": pa.array([], pa.int64()),
            "tier": pa.array([], pa.string()),
            "value": pa.array([], pa.float64()),
        }
    )
    r = crm.review(e, e)
    assert len(r) == 0 and sum(r.counts.values()) == 0


def test_pickle() -> None:
    jan, feb = periods()
    r = crm.review(jan, feb)
    assert pickle.loads(pickle.dumps(r)) == r


def test_a_duplicate_customer_in_data_row_2_is_reported_as_row_2() -> None:
    jan, _ = periods()
    dup = pa.table({"customer_id": [1, 1], "tier": ["major", "major"], "value": [1.0, 2.0]})
    with pytest.raises(crm.DuplicateCustomerError) as e:
        crm.review(dup, jan)
    assert (e.value.row, e.value.customer, e.value.rule) == (2, "1", "one_row_per_customer")
    assert e.value.column == "customer_id"


def test_names_come_from_the_core_vocabulary() -> None:
    v = crm.vocabulary()
    assert crm.TIERS == v["tier"] and crm.BEHAVIOURS == v["behaviour"]
    assert crm.TREATMENTS == v["strategy"] and crm.COMPONENTS == v["component"]
    jan, feb = periods()
    kinds = set(pa.table(crm.review(jan, feb)).column("move").to_pylist())
    assert kinds <= set(v["move"])
