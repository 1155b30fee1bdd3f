use super::*;
use proptest::prelude::*;
use rust_decimal_macros::dec;

#[test]
fn hand_computed_comparison_with_weights() {
    // Weights: time counts double for this segment.
    // ours : value 100+20+10+10 = 140; cost 90 + 2·(2h × 10 = 20) = 130 + 0 + 0 → 130; DV 10; ratio 140/130
    // rival: value 110+10+10+10 = 140; cost 80 + 2·(1h × 10 = 10) = 100;       DV 40; ratio 1.4
    let mut ours = Offer::money(
        "ours",
        [dec!(100), dec!(20), dec!(10), dec!(10)],
        [dec!(90), dec!(0), dec!(0), dec!(0)],
    );
    ours.cost[1] = Amount::Quantity {
        quantity: dec!(2),
        unit_value: dec!(10),
    };
    let mut rival = Offer::money(
        "rival",
        [dec!(110), dec!(10), dec!(10), dec!(10)],
        [dec!(80), dec!(0), dec!(0), dec!(0)],
    );
    rival.cost[1] = Amount::Quantity {
        quantity: dec!(1),
        unit_value: dec!(10),
    };
    let w = Weights::default().with(Component::TimeCost, dec!(2));
    let c = compare_offers(&[ours, rival], "ours", &w).unwrap();
    assert_eq!(c.offers[0].total_cost, dec!(130));
    assert_eq!(c.offers[0].delivered_value, dec!(10));
    assert_eq!(c.offers[1].value_cost_ratio, Some(dec!(1.4)));
    assert_eq!(c.chosen, "rival");
    assert_eq!(c.advantage, Some(dec!(-30)));
    // effects: monetary −10, time −20 (40 vs 20), product −10, service +10: sum −30
    let effects: Vec<(Component, Decimal)> =
        c.gaps.iter().map(|g| (g.component, g.effect)).collect();
    assert_eq!(effects[0], (Component::TimeCost, dec!(-20)));
    assert_eq!(effects.iter().map(|e| e.1).sum::<Decimal>(), dec!(-30));
}

#[test]
fn tie_goes_to_ours_then_to_name() {
    let a = Offer::money("b", [dec!(1); 4], [dec!(1); 4]);
    let b = Offer::money("a", [dec!(1); 4], [dec!(1); 4]);
    let ours = Offer::money("z", [dec!(1); 4], [dec!(1); 4]);
    let c = compare_offers(&[a, b, ours], "z", &Weights::default()).unwrap();
    assert_eq!(c.chosen, "z");
    assert_eq!(c.best_competitor.as_deref(), Some("a"));
}

#[test]
fn negative_quantity_is_rejected_naming_offer_row_and_component() {
    let mut o = Offer::money("x", [dec!(1); 4], [dec!(1); 4]);
    o.cost[2] = Amount::Quantity {
        quantity: dec!(-1),
        unit_value: dec!(3),
    };
    let e = compare_offers(&[o], "x", &Weights::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "offer `x` (row 1): energy_cost is negative: the rule is amount >= 0"
    );
}

#[test]
fn duplicate_offer_is_an_error() {
    let o = Offer::money("x", [dec!(1); 4], [dec!(1); 4]);
    assert!(matches!(
        compare_offers(&[o.clone(), o], "x", &Weights::default()),
        Err(DeliveredValueError::DuplicateOffer { second_row: 2, .. })
    ));
}

#[test]
fn serde_round_trip_of_inputs_and_results() {
    let mut o = Offer::money("x", [dec!(1); 4], [dec!(2); 4]);
    o.cost[1] = Amount::Quantity {
        quantity: dec!(2),
        unit_value: dec!(7.5),
    };
    let c = compare_offers(
        &[o.clone(), Offer::money("y", [dec!(3); 4], [dec!(1); 4])],
        "x",
        &Weights::default(),
    )
    .unwrap();
    let back: OfferComparison = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(back, c);
    let mut t = WeightTable::default();
    t.segments.insert(
        "vip".into(),
        Weights::default().with(Component::ImageValue, dec!(2)),
    );
    assert_eq!(
        serde_json::from_str::<WeightTable>(&serde_json::to_string(&t).unwrap()).unwrap(),
        t
    );
}

fn amount() -> impl Strategy<Value = Decimal> {
    (0_i64..1_000_000, 0_u32..3).prop_map(|(m, s)| Decimal::new(m, s))
}

fn offer() -> impl Strategy<Value = Offer> {
    (
        proptest::array::uniform4(amount()),
        proptest::array::uniform4(amount()),
    )
        .prop_map(|(v, c)| Offer::money("o", v, c))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Raising any value part raises delivered value; raising any cost part lowers it.
    #[test]
    fn delivered_value_rises_with_value_and_falls_with_cost(o in offer(), i in 0_usize..8, more in 1_i64..10_000) {
        let base = delivered_value(&o, &Weights::default()).unwrap().delivered_value;
        let mut up = o.clone();
        let slot = if i < 4 { &mut up.value[i] } else { &mut up.cost[i - 4] };
        *slot = Amount::Money(slot.money().unwrap() + Decimal::from(more));
        let after = delivered_value(&up, &Weights::default()).unwrap().delivered_value;
        if i < 4 { prop_assert!(after > base) } else { prop_assert!(after < base) }
    }

    /// The component effects always sum to the advantage, and the chosen offer does not depend on input order.
    #[test]
    fn comparison_does_not_depend_on_input_order(a in offer(), b in offer(), c in offer()) {
        let named = |mut o: Offer, n: &str| { o.name = n.into(); o };
        let list = vec![named(a, "ours"), named(b, "b"), named(c, "c")];
        let mut rev = list.clone();
        rev.reverse();
        let x = compare_offers(&list, "ours", &Weights::default()).unwrap();
        let y = compare_offers(&rev, "ours", &Weights::default()).unwrap();
        prop_assert_eq!(&x.chosen, &y.chosen);
        prop_assert_eq!(x.advantage, y.advantage);
        prop_assert_eq!(x.gaps.iter().map(|g| g.effect).sum::<Decimal>(), x.advantage.unwrap());
    }
}
