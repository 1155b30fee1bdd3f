"""crm_engine.classify: answers, inputs from every library, errors, pickling, properties."""

from __future__ import annotations

import math
import pickle
from decimal import Decimal

import crm_engine as crm
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from conftest import as_lib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TIER_ORDER = {"inactive": 0, "ordinary": 1, "major": 2, "most_valuable": 3}


def base() -> pa.Table:
    return pa.table({"id": [1, 2, 3, 4, 5], "v": [400.0, 300.0, 200.0, 100.0, 0.0]})


def test_tiers_follow_the_domain_rule(lib: str) -> None:
    c = crm.classify(as_lib(base(), lib), customer="id", value="v")
    t = pa.table(c)
    assert t.column("tier").to_pylist() == [
        "most_valuable",
        "major",
        "ordinary",
        "ordinary",
        "inactive",
    ]
    assert t.column("rank").to_pylist() == [1, 2, 3, 4, None]
    assert t.column("share").to_pylist()[:4] == pytest.approx([0.4, 0.3, 0.2, 0.1])
    assert t.column("cumulative_share_after").to_pylist()[:4] == pytest.approx([0.4, 0.7, 0.9, 1.0])
    assert t.column("strategy").to_pylist() == [
        "delight",
        "care",
        "develop",
        "develop",
        "disengage",
    ]
    assert t.column("behaviours").to_pylist() == [[], [], [], [], []]
    assert c.total == Decimal("1000")
    assert c.cutoffs == (Decimal("0.20"), Decimal("0.50"))
    assert c.by == "value"
    tiers = c.tiers.to_pylist()
    assert [r["tier"] for r in tiers] == ["most_valuable", "major", "ordinary", "inactive"]
    assert sum(r["value_share"] for r in tiers) == pytest.approx(1.0)


def test_same_answers_from_pyarrow_polars_pandas_numpy_and_duckdb() -> None:
    t = base()
    results = [
        crm.classify(as_lib(t, lib), customer="id", value="v")
        for lib in ("pyarrow", "polars", "pandas")
    ]
    results.append(
        crm.classify(
            {"id": np.arange(1, 6), "v": np.array([400.0, 300, 200, 100, 0])},
            customer="id",
            value="v",
        )
    )
    rec = np.array(
        [(1, 400.0), (2, 300.0), (3, 200.0), (4, 100.0), (5, 0.0)],
        dtype=[("id", "i8"), ("v", "f8")],
    )
    results.append(crm.classify(rec, customer="id", value="v"))
    results.append(crm.classify(pl.from_arrow(t).lazy(), customer="id", value="v"))  # type: ignore[union-attr]
    duckdb = pytest.importorskip("duckdb")
    results.append(crm.classify(duckdb.sql("select * from t"), customer="id", value="v"))
    for r in results[1:]:
        assert r == results[0]


def test_outputs_read_by_every_library() -> None:
    c = crm.classify(base(), customer="id", value="v")
    assert pa.table(c).num_rows == 5
    assert pl.DataFrame(c).height == 5
    assert c.to_polars().columns == c.column_names
    assert isinstance(c.to_pandas(), pd.DataFrame)
    assert len(c) == 5 and c.num_rows == 5
    assert c.column_names[:4] == ["customer_id", "value", "tier", "rank"]
    assert pl.from_arrow(c.to_arrow()).shape == (5, len(c.column_names))  # type: ignore[union-attr]


def test_string_ids_and_decimal_and_integer_values(lib: str) -> None:
    t = pa.table(
        {
            "cust": ["a", "b", "c"],
            "v": pa.array([Decimal("10.50"), Decimal("2.25"), Decimal("0")], pa.decimal128(12, 2)),
            "n": pa.array([10, 2, 0], pa.int32()),
        }
    )
    data = as_lib(t, lib)
    c = crm.classify(data, customer="cust", value="v")
    assert pa.table(c).column("customer_id").to_pylist() == ["a", "b", "c"]
    assert c.total == Decimal("12.75")
    assert pa.table(crm.classify(data, customer="cust", value="n")).column("tier").to_pylist() == [
        "most_valuable",
        "ordinary",
        "inactive",
    ]


def test_float_values_read_as_their_shortest_decimal() -> None:
    c = crm.classify(pa.table({"id": [1, 2, 3], "v": [0.1, 0.2, 0.3]}), customer="id", value="v")
    assert c.total == Decimal("0.6")  # not 0.6000000000000000055...
    assert pa.table(c).column("value").to_pylist() == [
        Decimal("0.1"),
        Decimal("0.2"),
        Decimal("0.3"),
    ]
    f = crm.classify(
        pa.table({"id": [1, 2, 3], "v": [0.1, 0.2, 0.3]}), customer="id", value="v", money="float64"
    )
    assert pa.table(f).column("value").to_pylist() == [0.1, 0.2, 0.3]


def test_the_layout_is_crm_io_golden_tiers_layout() -> None:
    import json as _json
    import pathlib

    golden = _json.loads(
        (pathlib.Path(__file__).parents[3] / "crates/crm-io/schemas/tiers.json").read_text()
    )
    t = pa.table(crm.classify(base(), customer="id", value="v"))
    assert t.column_names == [c["name"] for c in golden["columns"]]
    assert str(t.schema.field("behaviours").type) == "list<item: string>"
    assert crm.TIERS == ("most_valuable", "major", "ordinary", "inactive")


def test_count_basis_and_custom_cutoffs() -> None:
    t = pa.table({"id": list(range(20)), "v": [float(i + 1) for i in range(20)]})
    c = crm.classify(t, customer="id", value="v", by="count")
    tiers = pa.table(c).column("tier").to_pylist()
    assert tiers[19] == "most_valuable" and tiers[16] == "major" and tiers[15] == "ordinary"
    c2 = crm.classify(t, customer="id", value="v", cutoffs=(0.1, Decimal("0.4")))
    assert c2.cutoffs == (Decimal("0.1"), Decimal("0.4"))


def test_behaviours_and_policy() -> None:
    t = pa.table(
        {
            "id": ["acme", "bolt", "cask"],
            "revenue": [900.0, 80.0, 20.0],
            "spend": [None, 80.0, None],
            "promo": [None, 70.0, None],
            "margin": [None, None, 4.0],
            "cost": [None, None, 15.0],
        }
    )
    c = crm.classify(
        t,
        customer="id",
        value="revenue",
        spend="spend",
        discount_spend="promo",
        margin="margin",
        cost_to_serve="cost",
    )
    rows = c.to_pylist()
    assert [r["strategy"] for r in rows] == ["delight", "adapt", "disengage"]
    assert rows[1]["behaviours"] == ["price_driven"]
    assert rows[2]["behaviours"] == ["unprofitable"] and rows[2]["net_margin"] == -11.0
    policy = [
        {
            "tiers": [],
            "behaviours": "any",
            "treatment": {
                "strategy": "care",
                "service_model": "one_to_many",
                "contact": "monthly",
                "response_hours": 48,
            },
        }
    ]
    c2 = crm.classify(t, customer="id", value="revenue", policy=policy)
    assert set(pa.table(c2).column("strategy").to_pylist()) == {"care"}


def test_empty_table_is_an_empty_result(lib: str) -> None:
    t = pa.table({"id": pa.array([], pa.int64()), "v": pa.array([], pa.float64())})
    c = crm.classify(as_lib(t, lib), customer="id", value="v")
    assert len(c) == 0 and c.total == 0
    assert [r["customers"] for r in c.tiers.to_pylist()] == [0, 0, 0, 0]


# ---- bad inputs -------------------------------------------------------------


def test_missing_column_names_the_column(lib: str) -> None:
    with pytest.raises(crm.ColumnError) as e:
        crm.classify(as_lib(base(), lib), customer="id", value="revenue")
    assert isinstance(e.value, KeyError) and isinstance(e.value, ValueError)
    assert "`revenue`" in str(e.value) and "`v`" in str(e.value)
    assert e.value.column == "revenue"


def test_wrong_dtype_is_a_type_error(lib: str) -> None:
    t = pa.table({"id": [1, 2], "v": ["a", "b"]})
    with pytest.raises(crm.DtypeError) as e:
        crm.classify(as_lib(t, lib), customer="id", value="v")
    assert isinstance(e.value, TypeError)
    assert "column `v`" in str(e.value) and e.value.column == "v"
    with pytest.raises(crm.DtypeError):
        crm.classify(pa.table({"id": [1.5, 2.0], "v": [1.0, 2.0]}), customer="id", value="v")
    with pytest.raises(crm.DtypeError):
        crm.classify(42, customer="id", value="v")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_name_row_and_column(lib: str, bad: float) -> None:
    t = (
        pa.table({"id": [1, 2, 3], "v": [1.0, 2.0, bad]})
        if lib != "polars"
        else pa.table({"id": [1, 2, 3], "v": [1.0, 2.0, bad]})
    )
    with pytest.raises(crm.InvalidValueError) as e:
        crm.classify(as_lib(t, lib), customer="id", value="v")
    assert e.value.row == 3 and e.value.column == "v"  # 1-based data rows
    if lib == "pandas" and math.isnan(bad):
        # pandas means "missing" by NaN and exports it as a null.
        assert e.value.rule in ("finite", "not_null")
    else:
        assert e.value.rule == "finite"
        assert "row 3, column `v`: value is NaN or infinite" in str(e.value)


def test_null_value_and_null_id(lib: str) -> None:
    t = pa.table({"id": [1, 2, 3], "v": pa.array([1.0, None, 3.0])})
    with pytest.raises(crm.InvalidValueError) as e:
        crm.classify(as_lib(t, lib), customer="id", value="v")
    # pandas turns a null float into NaN: either message names data row 2.
    assert e.value.row == 2 and e.value.column == "v"
    t = pa.table({"id": pa.array(["a", None, "c"]), "v": [1.0, 2.0, 3.0]})
    with pytest.raises(crm.InvalidValueError) as e:
        crm.classify(as_lib(t, lib), customer="id", value="v")
    assert e.value.row == 2 and e.value.column == "id" and "value is missing" in str(e.value)


def test_duplicate_customer(lib: str) -> None:
    t = pa.table({"id": [7, 8, 7], "v": [1.0, 2.0, 3.0]})
    with pytest.raises(crm.DuplicateCustomerError) as e:
        crm.classify(as_lib(t, lib), customer="id", value="v")
    assert e.value.customer == "7" and e.value.row == 3 and e.value.rule == "one_row_per_customer"
    assert (
        str(e.value)
        == "classify: customer 7 appears twice (rows 1 and 3): values must be one row per customer"
    )


def test_bad_parameters_are_config_errors() -> None:
    with pytest.raises(crm.ConfigError, match="0 < first < second <= 1"):
        crm.classify(base(), customer="id", value="v", cutoffs=(0.6, 0.5))
    with pytest.raises(crm.ConfigError):
        crm.classify(base(), customer="id", value="v", by="margin")  # type: ignore[arg-type]
    with pytest.raises(crm.ConfigError):
        crm.classify(base(), customer="id", value="v", cutoffs=(math.nan, 0.5))
    with pytest.raises(crm.ConfigError):
        crm.classify(base(), customer="id", value="v", price_driven_min_discount_share=1.5)
    with pytest.raises(crm.ConfigError, match="policy is not valid"):
        crm.classify(
            base(),
            customer="id",
            value="v",
            policy=[
                {
                    "tiers": ["major"],
                    "behaviours": "any",
                    "treatment": {
                        "strategy": "care",
                        "service_model": "one_to_many",
                        "contact": "monthly",
                        "response_hours": 48,
                    },
                }
            ],
        )
    with pytest.raises(ValueError):
        crm.classify(base(), customer=3, value="v")  # type: ignore[arg-type]


def test_bad_behaviour_figure_names_customer_not_figures() -> None:
    t = pa.table({"id": ["x", "y"], "v": [1.0, 2.0], "s": [10.0, 10.0], "d": [5.0, 11.0]})
    with pytest.raises(crm.InvalidValueError) as e:
        crm.classify(t, customer="id", value="v", spend="s", discount_spend="d")
    assert e.value.customer == "y" and e.value.row == 2 and e.value.rule == "discount_within_spend"
    assert "11" not in str(e.value) and "10" not in str(e.value)


def test_overflow_is_a_decimal_overflow_error() -> None:
    t = pa.table(
        {"id": [1, 2], "v": pa.array([Decimal("7e28"), Decimal("7e28")], pa.decimal128(38, 0))}
    )
    with pytest.raises(crm.DecimalOverflowError) as e:
        crm.classify(t, customer="id", value="v")
    assert isinstance(e.value, OverflowError)


def test_length_mismatch_in_a_mapping() -> None:
    with pytest.raises(crm.ColumnError, match="rows"):
        crm.classify({"id": np.arange(3), "v": np.ones(2)}, customer="id", value="v")


def test_errors_pickle() -> None:
    try:
        crm.classify(pa.table({"id": [1], "v": [math.nan]}), customer="id", value="v")
    except crm.InvalidValueError as e:
        back = pickle.loads(pickle.dumps(e))
        assert type(back) is type(e) and str(back) == str(e) and back.row == 1
    else:  # pragma: no cover
        pytest.fail("no error")


def test_result_pickles() -> None:
    c = crm.classify(base(), customer="id", value="v")
    back = pickle.loads(pickle.dumps(c))
    assert back == c and back.total == c.total and back.tiers._table == c.tiers._table
    assert pa.table(back).equals(pa.table(c))


def test_deterministic() -> None:
    rng = np.random.default_rng(7)
    v = np.round(rng.lognormal(3, 1, 5000), 2)
    a = crm.classify({"id": np.arange(5000), "v": v}, customer="id", value="v")
    b = crm.classify({"id": np.arange(5000), "v": v.copy()}, customer="id", value="v")
    assert a == b


# ---- properties (docs/DOMAIN.md section 1 invariants) ------------------------------

money = st.one_of(
    st.integers(min_value=-500, max_value=100_000).map(lambda c: c / 100),
    st.sampled_from([0.0, 10.0, 10.0, 25.5]),
)
values_st = st.lists(money, min_size=0, max_size=60)
config_st = st.one_of(
    st.just(None),
    st.tuples(st.integers(1, 98), st.integers(2, 100))
    .filter(lambda p: p[0] < p[1])
    .map(lambda p: (p[0] / 100, p[1] / 100)),
)
basis_st = st.sampled_from(["value", "count"])


def tiers_of(values: list[float], cutoffs: tuple[float, float] | None, by: str) -> list[str]:
    c = crm.classify(
        {"id": np.arange(len(values), dtype=np.int64), "v": np.array(values, dtype=np.float64)},
        customer="id",
        value="v",
        cutoffs=cutoffs,
        by=by,
    )  # type: ignore[arg-type]
    return pa.table(c).column("tier").to_pylist()


prop = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@prop
@given(values_st, config_st, basis_st)
def test_every_customer_one_tier_and_shares_sum_to_one(
    values: list[float], cutoffs: tuple[float, float] | None, by: str
) -> None:
    c = crm.classify(
        {"id": np.arange(len(values)), "v": np.array(values, dtype=np.float64)},
        customer="id",
        value="v",
        cutoffs=cutoffs,
        by=by,
    )  # type: ignore[arg-type]
    tiers = pa.table(c).column("tier").to_pylist()
    assert len(tiers) == len(values) and all(t in TIER_ORDER for t in tiers)
    summary = c.tiers.to_pylist()
    assert sum(r["customers"] for r in summary) == len(values)
    share = sum(Decimal(repr(r["value_share"])) for r in summary)
    if any(v > 0 for v in values):
        assert float(share) == pytest.approx(1.0, abs=1e-12)
    else:
        assert share == 0


@prop
@given(values_st, config_st, basis_st)
def test_non_positive_is_inactive_and_takes_no_share(
    values: list[float], cutoffs: tuple[float, float] | None, by: str
) -> None:
    c = crm.classify(
        {"id": np.arange(len(values)), "v": np.array(values, dtype=np.float64)},
        customer="id",
        value="v",
        cutoffs=cutoffs,
        by=by,
    )  # type: ignore[arg-type]
    t = pa.table(c)
    for v, tier, share in zip(values, t.column("tier").to_pylist(), t.column("share").to_pylist()):
        assert (v <= 0) == (tier == "inactive")
        assert (share is None) == (v <= 0)


@prop
@given(values_st, config_st, basis_st, st.randoms(use_true_random=False))
def test_input_order_does_not_matter(
    values: list[float], cutoffs: tuple[float, float] | None, by: str, rnd
) -> None:  # type: ignore[no-untyped-def]
    perm = list(range(len(values)))
    rnd.shuffle(perm)
    a = tiers_of(values, cutoffs, by)
    b = tiers_of([values[i] for i in perm], cutoffs, by)
    assert [a[i] for i in perm] == b


@prop
@given(values_st, config_st, basis_st)
def test_ties_same_tier_and_larger_never_lower(
    values: list[float], cutoffs: tuple[float, float] | None, by: str
) -> None:
    t = tiers_of(values, cutoffs, by)
    for i, vi in enumerate(values):
        for j, vj in enumerate(values):
            if vi == vj:
                assert t[i] == t[j]
            if vi > vj:
                assert TIER_ORDER[t[i]] >= TIER_ORDER[t[j]]


@prop
@given(values_st, config_st, basis_st, st.sampled_from([2, 3, 10, 1000]))
def test_scaling_changes_no_tier(
    values: list[float], cutoffs: tuple[float, float] | None, by: str, k: int
) -> None:
    # Integer multiples keep the decimal values exact.
    assert tiers_of(values, cutoffs, by) == tiers_of([round(v * k, 2) for v in values], cutoffs, by)


@prop
@given(values_st, config_st, basis_st, st.integers(min_value=0))
def test_adding_a_zero_customer_changes_no_other_tier(
    values: list[float], cutoffs: tuple[float, float] | None, by: str, at: int
) -> None:
    pos = at % (len(values) + 1)
    more = values[:pos] + [0.0] + values[pos:]
    t = tiers_of(more, cutoffs, by)
    assert t.pop(pos) == "inactive"
    assert t == tiers_of(values, cutoffs, by)


@prop
@given(values_st, config_st, basis_st)
def test_tiers_are_smallest_runs_of_whole_groups(
    values: list[float], cutoffs: tuple[float, float] | None, by: str
) -> None:
    """Independent oracle with exact decimals: the most valuable set is the smallest
    run of whole tie groups from the top whose share reaches the cut-off."""
    first, second = (
        (Decimal(repr(cutoffs[0])), Decimal(repr(cutoffs[1])))
        if cutoffs
        else (
            (Decimal("0.2"), Decimal("0.5")) if by == "value" else (Decimal("0.05"), Decimal("0.2"))
        )
    )
    dec = [Decimal(repr(v)) for v in values]
    positive = sorted((v for v in dec if v > 0), reverse=True)
    measure = (lambda v: v) if by == "value" else (lambda v: Decimal(1))
    total = sum((measure(v) for v in positive), Decimal(0))
    ends = []
    for cut in (first, second):
        cum, end, i = Decimal(0), None, 0
        while i < len(positive):
            v = positive[i]
            n = sum(1 for w in positive[i:] if w == v)
            cum += measure(v) * n
            if cum >= cut * total:
                end = v
                break
            i += n
        ends.append(end)
    expected = [
        "inactive"
        if v <= 0
        else "most_valuable"
        if ends[0] is not None and v >= ends[0]
        else "major"
        if ends[1] is not None and v >= ends[1]
        else "ordinary"
        for v in dec
    ]
    assert tiers_of(values, cutoffs, by) == expected
