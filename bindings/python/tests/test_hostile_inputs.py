"""Hostile and ordinary inputs at the Python door (issue 14, items 8, 9, 11, 12).

Each test states the invariant of a class of inputs: non-native byte orders,
masked arrays, numpy datetimes of every unit, decimals beyond Decimal,
personal data in values, negative and huge integer options. Every case ends
in a correct result or a typed ``CrmError``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import crm_engine as crm
import numpy as np
import pyarrow as pa
import pytest
from crm_engine import clv
from hypothesis import given, settings
from hypothesis import strategies as st

AS_OF = dt.date(2024, 12, 31)
SECRET = "alice@example.com"


def summarize(data: object, **kw: object) -> pa.Table:
    kw.setdefault("as_of", AS_OF)
    return pa.table(crm.summarize(data, customer="customer", time="date", amount="amount", **kw))


def totals(t: pa.Table) -> dict[object, Decimal]:
    return dict(zip(t.column("customer_id").to_pylist(), t.column("total_spend").to_pylist()))


INT_TYPES = ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]
FLOAT_TYPES = ["f4", "f8"]


@settings(max_examples=40, deadline=None)
@given(
    id_type=st.sampled_from(INT_TYPES),
    amount_type=st.sampled_from(INT_TYPES + FLOAT_TYPES),
    order=st.sampled_from(["<", ">", "="]),
    ids=st.lists(st.integers(1, 100), min_size=1, max_size=8),
)
def test_any_byte_order_reads_the_same_numbers(
    id_type: str, amount_type: str, order: str, ids: list[int]
) -> None:
    amounts = [i % 7 + 1 for i in ids]
    native = {
        "customer": np.array(ids, dtype=id_type),
        "date": np.array(["2024-01-02"] * len(ids), dtype="datetime64[D]"),
        "amount": np.array(amounts, dtype=amount_type),
    }
    other = {
        "customer": native["customer"].astype(np.dtype(id_type).newbyteorder(order)),
        "date": native["date"],
        "amount": native["amount"].astype(np.dtype(amount_type).newbyteorder(order)),
    }
    assert totals(summarize(other)) == totals(summarize(native))
    expected: dict[int, Decimal] = {}
    for i, a in zip(ids, amounts):
        expected[i] = expected.get(i, Decimal(0)) + a
    assert totals(summarize(other)) == expected


def test_big_endian_classify_values_are_the_numbers_they_are() -> None:
    data = {
        "customer": np.array([1, 2], dtype=">i8"),
        "value": np.array([10.5, 2.0], dtype=">f8"),
    }
    t = pa.table(crm.classify(data, customer="customer", value="value"))
    assert t.column("customer_id").to_pylist() == [1, 2]
    assert [float(v) for v in t.column("value").to_pylist()] == [10.5, 2.0]


@settings(max_examples=30, deadline=None)
@given(mask=st.lists(st.booleans(), min_size=2, max_size=10))
def test_a_masked_amount_is_a_missing_amount(mask: list[bool]) -> None:
    n = len(mask)
    data = {
        "customer": np.arange(1, n + 1),
        "date": np.array(["2024-01-02"] * n, dtype="datetime64[D]"),
        "amount": np.ma.masked_array(np.full(n, 5.0), mask=mask),
    }
    out = crm.summarize(data, customer="customer", time="date", amount="amount", as_of=AS_OF)
    assert out.reconciliation.rows_rejected == sum(mask)
    assert set(totals(pa.table(out))) == {i + 1 for i, m in enumerate(mask) if not m}


DATETIME_UNITS = ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns"]


@settings(max_examples=40, deadline=None)
@given(
    unit=st.sampled_from(DATETIME_UNITS),
    day=st.dates(dt.date(1970, 1, 1), dt.date(2024, 12, 1)),
)
def test_numpy_datetimes_of_every_unit_give_the_calendar_day(unit: str, day: dt.date) -> None:
    when = np.datetime64(day, "D").astype(f"datetime64[{unit}]")
    expected = when.astype("datetime64[D]").astype(dt.date)
    data = {
        "customer": np.array([1]),
        "date": np.array([when]),
        "amount": np.array([1.0]),
    }
    t = summarize(data)
    assert t.column("first_purchase").to_pylist() == [expected]


def test_finer_than_nanosecond_units_are_floored_to_the_day() -> None:
    when = np.array([-1], dtype="datetime64[ps]")  # just before 1970-01-01
    data = {"customer": np.array([1]), "date": when, "amount": np.array([1.0])}
    t = summarize(data)
    assert t.column("first_purchase").to_pylist() == [dt.date(1969, 12, 31)]


def test_a_timedelta_column_is_a_dtype_error() -> None:
    for unit in ["h", "m", "s", "D", "W"]:
        data = {
            "customer": np.array([1]),
            "date": np.array([1], dtype=f"timedelta64[{unit}]"),
            "amount": np.array([1.0]),
        }
        with pytest.raises(crm.DtypeError) as e:
            summarize(data)
        assert isinstance(e.value, TypeError) and e.value.column == "date"


def test_text_amounts_beyond_28_decimals_are_rejected_never_rounded() -> None:
    tiny = "1." + "0" * 28 + "1"
    data = pa.table(
        {
            "customer": [1, 1],
            "date": [dt.date(2024, 1, 2)] * 2,
            "amount": ["2.5", tiny],
        }
    )
    out = crm.summarize(data, customer="customer", time="date", amount="amount", as_of=AS_OF)
    assert out.reconciliation.rows_rejected == 1
    assert totals(pa.table(out)) == {1: Decimal("2.5")}
    with pytest.raises(crm.RejectedRowError) as e:
        summarize(data, strict=True)
    assert (e.value.row, e.value.rule) == (2, "decimal_places")


def test_float32_amounts_follow_one_rule_in_summarize_and_classify() -> None:
    x = np.array([1234567.1], dtype="f4")
    s = summarize(
        {"customer": np.array([1]), "date": np.array(["2024-01-02"], "datetime64[D]"), "amount": x}
    )
    c = pa.table(
        crm.classify({"customer": np.array([1]), "value": x}, customer="customer", value="value")
    )
    assert s.column("total_spend").to_pylist() == [Decimal("1234567.1")]
    assert Decimal(str(c.column("value").to_pylist()[0])) == Decimal("1234567.1")


@pytest.mark.parametrize("make", ["numpy", "pyarrow"])
def test_float16_amounts_follow_the_same_rule_in_summarize_and_classify(make: str) -> None:
    # float16(0.1) is 0.0999755859375 in binary, float16(3.14) 3.140625; the
    # shortest representations that read back as the same float16 are what
    # numpy's str shows (an independent implementation): 0.1, 1234, 3.14,
    # and 65500 for the largest float16 (65504).
    values = [0.1, 1234.0, 65504.0, 3.14]
    x: object = (
        np.array(values, dtype="f2")
        if make == "numpy"
        else pa.array(np.array(values, dtype="f2"), type=pa.float16())
    )
    want = [Decimal(str(np.float16(v))) for v in values]
    assert want == [Decimal("0.1"), Decimal("1234"), Decimal("65500"), Decimal("3.14")]
    s = summarize(
        {
            "customer": np.array([1, 2, 3, 4]),
            "date": np.array(["2024-01-02"] * 4, "datetime64[D]"),
            "amount": x,
        }
    )
    c = pa.table(
        crm.classify(
            {"customer": np.array([1, 2, 3, 4]), "value": x}, customer="customer", value="value"
        )
    )
    assert s.column("total_spend").to_pylist() == want
    by_customer = dict(zip(c.column("customer_id").to_pylist(), c.column("value").to_pylist()))
    assert [Decimal(str(by_customer[i])) for i in (1, 2, 3, 4)] == want


def test_a_decimal256_that_does_not_fit_is_out_of_range_naming_the_row() -> None:
    big = pa.array([Decimal("1.5"), Decimal("9" * 40)], type=pa.decimal256(76, 1))
    data = pa.table({"customer": [1, 2], "value": big})
    with pytest.raises(crm.InvalidValueError) as e:
        crm.classify(data, customer="customer", value="value")
    assert (e.value.row, e.value.rule, e.value.column) == (2, "in_range", "value")
    # As a behaviour signal: an error too, not an unknown signal.
    data = pa.table({"customer": [1, 2], "value": [1.0, 2.0], "spend": big})
    with pytest.raises(crm.InvalidValueError) as e:
        crm.classify(data, customer="customer", value="value", spend="spend")
    assert (e.value.row, e.value.rule) == (2, "in_range")
    tx = pa.table({"customer": [1, 2], "date": [dt.date(2024, 1, 2)] * 2, "amount": big})
    out = crm.summarize(tx, customer="customer", time="date", amount="amount", as_of=AS_OF)
    assert [r["row"] for r in out.reconciliation.rejections] == [2]
    assert out.reconciliation.rejections[0]["reason"] == "OutOfRange"


def _message_of(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except crm.CrmError as e:
        assert isinstance(e, (ValueError, TypeError, KeyError))
        return str(e) + repr(e.args)
    raise AssertionError("no error")


def test_no_message_echoes_a_value_other_than_a_customer_id() -> None:
    cases = [
        lambda: crm.review(
            pa.table({"customer": [1], "tier": [SECRET], "value": [1.0]}),
            pa.table({"customer": [1], "tier": ["major"], "value": [1.0]}),
        ),
        lambda: crm.summarize(
            {
                "customer": np.array([1], dtype=object),
                "date": np.array([SECRET, 1], dtype=object)[:1],
                "amount": np.array([1.0]),
            },
            customer="customer",
            time="date",
            amount="amount",
            as_of=AS_OF,
            strict=True,
        ),
        lambda: crm.summarize(
            {
                "customer": np.array([SECRET, 1], dtype=object),
                "date": np.array(["2024-01-01"] * 2),
                "amount": np.array([1.0, 2.0]),
            },
            customer="customer",
            time="date",
            amount="amount",
            as_of=AS_OF,
        ),
        lambda: crm.summarize(
            pa.table({"customer": [1], "date": [dt.date(2024, 1, 2)], "amount": [1.0]}),
            customer="customer",
            time="date",
            amount="amount",
            as_of=AS_OF,
            tz=SECRET,
        ),
        lambda: crm.classify(
            pa.table({"customer": [1], "value": [1.0]}),
            customer="customer",
            value="value",
            cutoffs=(SECRET, "0.9"),
        ),
        lambda: crm.classify(
            pa.table({"customer": [1], "value": [1.0]}),
            customer="customer",
            value="value",
            by=SECRET,
        ),
    ]
    for case in cases:
        assert "alice" not in _message_of(case)


@pytest.mark.parametrize("bad", [-1, 2**64, 2**200])
def test_negative_and_huge_integer_options_are_config_errors(bad: int) -> None:
    tx = pa.table({"customer": [1], "date": [dt.date(2024, 1, 2)], "amount": [1.0]})
    for kw in ({"amount_scale": bad}, {"max_listed_rejections": bad}):
        with pytest.raises(crm.ConfigError) as e:
            summarize(tx, **kw)
        assert isinstance(e.value, ValueError) and e.value.rule == "whole_number_in_range"
    data = {
        "frequency": np.array([1.0, 2.0, 0.0]),
        "recency": np.array([5.0, 8.0, 0.0]),
        "T": np.array([10.0, 10.0, 10.0]),
    }
    with pytest.raises(crm.ConfigError):
        clv.BetaGeo(max_iterations=bad).fit(data)
    gg = clv.GammaGamma.from_params(p=6.0, q=4.0, v=15.0)
    bg = clv.BetaGeo.from_params(r=0.25, alpha=4.0, a=0.8, b=2.5)
    one = {k: np.array([1.0]) for k in ("f", "r", "T", "m")}
    with pytest.raises(crm.ConfigError):
        gg.customer_lifetime_value(bg, one["f"], one["r"], one["T"], one["m"], time=bad)


@pytest.mark.parametrize("bad", [10**400, float("nan"), float("inf"), "x", None])
def test_non_finite_or_non_numeric_float_options_are_config_errors(bad: object) -> None:
    bg = clv.BetaGeo.from_params(r=0.25, alpha=4.0, a=0.8, b=2.5)
    one = np.array([1.0])
    calls = [
        lambda: bg.conditional_expected_purchases(bad, one, one, one),
        lambda: clv.BetaGeo(l2_penalty=bad),
        lambda: clv.BetaGeo(gradient_tolerance=bad),
        lambda: clv.GammaGamma.from_params(p=6.0, q=4.0, v=15.0).customer_lifetime_value(
            bg, one, one, one, one, time=12, discount_rate=bad
        ),
    ]
    for call in calls:
        with pytest.raises(crm.ConfigError) as e:
            call()
        assert isinstance(e.value, ValueError) and e.value.rule == "finite_parameter"


def test_option_errors_name_the_option_never_its_value() -> None:
    # A mistyped option may hold anything a user pasted: the message names
    # the option (and the allowed names), never what was given.
    day = dt.date(2024, 1, 31)
    values = pa.table({"customer_id": [1], "tier": ["major"], "value": [1.0]})
    cases = [
        lambda: crm.review_periods([values, values], grace=SECRET),  # type: ignore[arg-type]
        lambda: crm.customer_base(
            values,
            first_day=day,
            last_day=day,
            inactive_days=SECRET,  # type: ignore[arg-type]
        ),
        lambda: crm.customer_base(values, first_day=day, last_day=day, columns={SECRET: "c"}),
        lambda: crm.period_metrics(
            values, first_day=day, last_day=day, service_levels={SECRET: -1}
        ),
        lambda: crm.degrees(values, first_day=day, last_day=day, config={SECRET: 1}),
        lambda: crm.delivered_value(values, ours="ours", weights={"default": {SECRET: 1}}),
        lambda: crm.delivered_value(
            values, ours="ours", weights={SECRET: {"product_value": float("nan")}}
        ),
    ]
    for case in cases:
        message = _message_of(case)
        assert "alice" not in message, message


def _error_of(call: object) -> crm.CrmError:
    try:
        call()  # type: ignore[operator]
    except crm.CrmError as e:
        return e
    raise AssertionError("no error")


def test_argument_errors_carry_crm_core_rules_and_never_the_value() -> None:
    # Each Python-side check raises crm-core's (or crm-io's) own error: the
    # rule id a CLI or Rust user sees for the same mistake, the parameter
    # named, the value never quoted.
    day = dt.date(2024, 1, 31)
    tiers = pa.table({"customer_id": [1], "tier": ["major"], "value": [1.0]})
    values = pa.table({"c": [1, 2], "v": [1.0, 2.0]})
    cases = [
        (lambda: crm.classify(values, customer=3, value="v"), "argument_form", "customer"),  # type: ignore[arg-type]
        (
            lambda: crm.classify(values, customer="c", value="v", cutoffs=SECRET),
            "argument_form",
            "cutoffs",
        ),  # type: ignore[arg-type]
        (
            lambda: crm.classify(values, customer="c", value="v", cutoffs=(SECRET, 1)),
            "decimal_parameter",
            "cutoffs[0]",
        ),
        (
            lambda: crm.classify(values, customer="c", value="v", cutoffs=(float("nan"), 1)),
            "decimal_parameter",
            "cutoffs[0]",
        ),
        (
            lambda: crm.classify(values, customer="c", value="v", cutoffs=(object(), 1)),
            "argument_form",
            "cutoffs[0]",
        ),
        (lambda: crm.review(tiers, tiers, labels=SECRET), "argument_form", "labels"),  # type: ignore[arg-type]
        (lambda: crm.review_periods([tiers, tiers], grace=-1), "whole_number_in_range", "grace"),
        (lambda: crm.review_periods([tiers, tiers], membership=SECRET), "known_name", "membership"),  # type: ignore[arg-type]
        (lambda: crm.review_periods([tiers, tiers], membership=3), "known_name", "membership"),  # type: ignore[arg-type]
        (
            lambda: crm.review_periods([tiers, tiers], windows=[SECRET]),
            "argument_form",
            "windows[0]",
        ),  # type: ignore[list-item]
        (
            lambda: crm.customer_base(tiers, first_day=SECRET, last_day=day),
            "date_parameter",
            "first_day",
        ),
        (
            lambda: crm.customer_base(tiers, first_day=object(), last_day=day),
            "date_parameter",
            "first_day",
        ),
        (
            lambda: crm.customer_base(tiers, first_day=day, last_day=day, inactive_days=SECRET),
            "whole_number_in_range",
            "inactive_days",
        ),  # type: ignore[arg-type]
        (
            lambda: crm.customer_base(tiers, first_day=day, last_day=day, columns={SECRET: "c"}),
            "known_key",
            "columns",
        ),
        (
            lambda: crm.customer_base(tiers, first_day=day, last_day=day, columns={"customer": 1}),
            "argument_form",
            "columns['customer']",
        ),  # type: ignore[dict-item]
        (
            lambda: crm.period_metrics(
                tiers, first_day=day, last_day=day, service_levels={"major": SECRET}
            ),
            "whole_number_in_range",
            "service_levels",
        ),  # type: ignore[dict-item]
        (
            lambda: crm.period_metrics(
                tiers, first_day=day, last_day=day, service_levels={SECRET: 1}
            ),
            "known_key",
            "config.service_levels",
        ),
        (
            lambda: crm.degrees(tiers, first_day=day, last_day=day, config={SECRET: 1}),
            "known_key",
            "config",
        ),
        (
            lambda: crm.degrees(tiers, first_day=day, last_day=day, config=SECRET),
            "argument_form",
            "config",
        ),  # type: ignore[arg-type]
        (
            lambda: crm.delivered_value(tiers, ours="ours", weights={"default": {SECRET: 1}}),
            "known_key",
            "weights",
        ),
        (lambda: crm.acquisition_vs_retention(1, SECRET), "whole_number_in_range", "customers"),  # type: ignore[arg-type]
        (lambda: crm.rfm(values, customer="c"), "required_parameter", "as_of"),
        (
            lambda: crm.rfm(values, customer="c", as_of=day, thresholds={"recency_days": [SECRET]}),
            "argument_form",
            "thresholds",
        ),  # type: ignore[dict-item]
        (
            lambda: crm.rfm(
                values,
                customer="c",
                as_of=day,
                thresholds={"recency_days": [1.5], "frequency": [1], "monetary": [1]},
            ),
            "argument_form",
            "thresholds",
        ),  # type: ignore[list-item]
        (
            lambda: clv.BetaGeo.from_params(r=1, alpha=1, a=1, b=1, **{SECRET: 1}),
            "known_key",
            "params",
        ),
        (lambda: clv.BetaGeo.from_params(r=1, alpha=1, a=1), "required_parameter", "b"),
        (lambda: clv.BetaGeo.from_params(r=1, alpha=1, a=1, b=SECRET), "finite_parameter", "b"),  # type: ignore[arg-type]
        (lambda: clv.BetaGeo().p_alive([1], [1], [2]), "clv_fitted", "BetaGeo"),
        (lambda: clv.BetaGeo(gradient_tolerance=SECRET), "finite_parameter", "gradient_tolerance"),  # type: ignore[arg-type]
        (
            lambda: crm.summarize(
                {
                    "c": np.array([1, 2]),
                    "d": np.array([1, 2], dtype="m8[D]"),
                    "a": np.array([1.0, 2.0]),
                },
                customer="c",
                time="d",
                amount="a",
                as_of=day,
            ),
            "column_type",
            "d",
        ),
    ]
    wrong = []
    for call, rule, field in cases:
        e = _error_of(call)
        message = str(e) + repr(e.args)
        assert "alice" not in message, message
        assert isinstance(e, (ValueError, TypeError, KeyError))
        if (e.rule, e.column) != (rule, field):
            wrong.append((message, e.rule, e.column))
    assert not wrong, wrong


def test_no_rule_id_is_written_in_the_python_package() -> None:
    # Rule ids and messages come from crm-core and crm-io through the
    # extension; only the exception classes pass a rule on.
    import pathlib

    package = pathlib.Path(crm.__file__).parent
    for path in package.glob("*.py"):
        if path.name == "_errors.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "rule=" not in text, path.name
