"""crm_engine.clv.predicted_tiers: value tiers on predicted value."""

from __future__ import annotations

import decimal

import crm_engine as crm
import pyarrow as pa
import pytest
from conftest import cdnow_arrow
from crm_engine.clv import BetaGeo, GammaGamma, predicted_tiers, predictions


@pytest.fixture(scope="module")
def fitted() -> tuple[BetaGeo, GammaGamma, crm.Summary]:
    s = crm.summarize(
        cdnow_arrow(),
        customer="customer",
        time="date",
        amount="amount",
        as_of="1998-06-30",
        unit="week",
    )
    return BetaGeo().fit(s), GammaGamma().fit(s), s


@pytest.mark.parametrize("value", ["clv", "expected_purchases"])
def test_the_tiers_are_a_classification_of_the_predictions_at_a_millionth(
    fitted: tuple[BetaGeo, GammaGamma, crm.Summary], value: str
) -> None:
    bg, gg, s = fitted
    tiers = predicted_tiers(bg, gg, s, value=value, unit="week").to_pandas()
    # Independently: the predictions table, rounded to six places by
    # Python's decimal module, classified as any value column.
    p = pa.table(predictions(bg, gg, s, unit="week"))
    six = decimal.Decimal("0.000001")
    rounded = [
        decimal.Decimal(repr(v)).quantize(six, rounding=decimal.ROUND_HALF_EVEN)
        for v in p.column(value).to_pylist()
    ]
    table = pa.table(
        {"customer_id": p.column("customer_id"), "value": pa.array(rounded, pa.decimal128(38, 6))}
    )
    direct = crm.classify(table, customer="customer_id", value="value").to_pandas()
    assert tiers.customer_id.tolist() == direct.customer_id.tolist()
    assert tiers.tier.tolist() == direct.tier.tolist()
    assert (tiers.tier == "most_valuable").sum() > 0


def test_past_against_predicted_moves_every_customer_once(
    fitted: tuple[BetaGeo, GammaGamma, crm.Summary],
) -> None:
    bg, gg, s = fitted
    past = crm.classify(s, customer="customer_id", value="total_spend")
    future = predicted_tiers(bg, gg, s, unit="week", by="count", cutoffs=(0.1, 0.3))
    assert future.cutoffs == (decimal.Decimal("0.1"), decimal.Decimal("0.3"))
    moves = crm.review(past, future, membership="presence", labels=("past", "predicted"))
    kinds = moves.to_pandas().move.value_counts().to_dict()
    assert set(kinds) <= {"promoted", "demoted", "unchanged"}
    assert sum(kinds.values()) == len(s)


def test_a_bad_argument_is_a_typed_error(fitted: tuple[BetaGeo, GammaGamma, crm.Summary]) -> None:
    bg, gg, s = fitted
    with pytest.raises(crm.ConfigError):
        predicted_tiers(bg, gg, s, value="total_spend", unit="week")
    with pytest.raises(crm.ConfigError):
        predicted_tiers(bg, gg, s, by="share", unit="week")
    with pytest.raises(crm.ConfigError):
        predicted_tiers(bg, gg, s, cutoffs=(0.5, 0.2), unit="week")
