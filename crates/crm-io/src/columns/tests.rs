use proptest::prelude::*;

use super::*;

#[test]
fn every_problem_has_a_snake_case_rule_and_a_1_based_row() {
    for p in [
        ValueProblem::Missing,
        ValueProblem::NotFinite,
        ValueProblem::OutOfRange,
        ValueProblem::NotNonNegativeInteger,
        ValueProblem::NotATime,
    ] {
        let e = ColumnError::at_index("c", 0, p);
        assert!(crm_core::error::is_snake_case(e.rule()));
        assert_eq!(e.row(), Some(1));
        assert!(e.to_string().starts_with("row 1, column `c`"));
    }
}

#[test]
fn a_decimal128_beyond_28_places_keeps_its_value_when_the_extra_places_are_zeros() {
    assert_eq!(
        decimal_of_i128(1_250 * 10_i128.pow(30), 32).map(|d| d.normalize().to_string()),
        Some("12.5".to_owned())
    );
    assert_eq!(decimal_of_i128(1, 30), None);
}

/// Every float16 (all 65,536 bit patterns): both rules give one decimal, it
/// reads back as the same float16, and no decimal with fewer significant
/// digits does (checked by rounding the decimal to one digit less).
#[test]
fn every_float16_is_read_as_its_shortest_repr_by_both_rules() {
    for bits in 0..=u16::MAX {
        let x = Half::from_bits(bits);
        let direct = decimal_from_f16(x);
        let via_widening = decimal_from_f64(widen_f16(x));
        match (&direct, &via_widening) {
            (Ok(a), Ok(b)) => assert_eq!(a.normalize(), b.normalize(), "{bits:#x}"),
            (a, b) => assert_eq!(a.is_err(), b.is_err(), "{bits:#x}: {a:?} {b:?}"),
        }
        if !x.is_finite() {
            assert_eq!(direct, Err(FloatProblem::NotFinite));
            continue;
        }
        let Ok(d) = direct else {
            // Below Decimal's resolution: none is (the smallest subnormal is 6e-8).
            panic!("{bits:#x}: {direct:?}");
        };
        let back: f64 = d.to_string().parse().unwrap();
        assert_eq!(Half::from_f64(back), x, "{bits:#x} {d}");
        let digits = d
            .mantissa()
            .unsigned_abs()
            .to_string()
            .trim_end_matches('0')
            .len();
        if digits > 1 {
            let shorter = format!("{:.*e}", digits - 2, back);
            assert_ne!(
                Half::from_f64(shorter.parse().unwrap()),
                x,
                "{bits:#x} {d} {shorter}"
            );
        }
    }
    assert_eq!(
        decimal_from_f16(Half::from_f64(0.1)).unwrap().to_string(),
        "0.1"
    );
    assert_eq!(
        decimal_from_f16(Half::from_f64(1234.0))
            .unwrap()
            .to_string(),
        "1234"
    );
}

proptest! {
    #[test]
    fn a_float32_is_read_as_its_shortest_repr_by_both_rules(bits in any::<u32>()) {
        let x = f32::from_bits(bits);
        // summarize widens (then reads the f64 by its shortest repr, as
        // classify reads any f64); classify reads the f32 directly.
        let via_widening = decimal_from_f64(widen_f32(x));
        let direct = decimal_from_f32(x);
        match (via_widening, direct) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a.normalize(), b.normalize()),
            (a, b) => prop_assert_eq!(a.is_err(), b.is_err(), "{:?} {:?}", a, b),
        }
    }

    #[test]
    fn widening_keeps_the_float32(bits in any::<u32>()) {
        let x = f32::from_bits(bits);
        let w = widen_f32(x);
        if x.is_finite() {
            prop_assert_eq!(w as f32, x);
        } else {
            prop_assert_eq!(w.is_nan(), x.is_nan());
        }
    }
}

#[test]
fn front_end_column_errors_name_the_column_and_rule_but_no_value() {
    use crm_core::records::customer::CustomerId;
    let unreadable = ColumnError::Unreadable {
        column: "when".into(),
        found: "a numpy timedelta64 array".into(),
        expected: "a time or a number".into(),
    };
    assert_eq!(
        (unreadable.rule(), unreadable.field(), unreadable.class()),
        ("column_type", Some("when"), ErrorClass::Type)
    );
    let missing = ColumnError::Declared {
        column: "tier".into(),
        found: None,
        expected: "string".into(),
    };
    assert_eq!(
        missing.to_string(),
        "column `tier` does not fit the declared type string (it is missing): the rule is that a result has its declared schema"
    );
    assert_eq!(
        (missing.rule(), missing.class()),
        ("declared_schema", ErrorClass::Value)
    );
    let lossy = ColumnError::Declared {
        column: "value".into(),
        found: Some("decimal128(38, 30)".into()),
        expected: "decimal128(38, 2)".into(),
    };
    assert!(lossy.to_string().contains("would lose data"));
    let repeated = ColumnError::Repeated {
        column: "id".into(),
        customer: CustomerId::Int(7),
        count: 2,
    };
    assert_eq!(
        (repeated.rule(), repeated.class(), repeated.customer()),
        (
            "one_row_per_customer",
            ErrorClass::Duplicate,
            Some(&CustomerId::Int(7))
        )
    );
    assert_eq!(
        repeated.to_string(),
        "column `id`: customer 7 appears 2 times: the rule is one row per customer"
    );
}
