use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;

/// `m` written with `places` decimal places (`places` may exceed 28).
fn text_of(m: i64, places: usize) -> String {
    let digits = m.unsigned_abs().to_string();
    let sign = if m < 0 { "-" } else { "" };
    if places == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = places + 1);
    let (int, frac) = padded.split_at(padded.len() - places);
    format!("{sign}{int}.{frac}")
}

#[test]
fn familiar_texts() {
    assert_eq!(exact_decimal("-12.50"), Ok(Decimal::new(-1250, 2)));
    assert_eq!(exact_decimal("1.5E+3"), Ok(Decimal::new(1500, 0)));
    assert_eq!(exact_decimal(".5"), Ok(Decimal::new(5, 1)));
    assert_eq!(exact_decimal(""), Err(RejectReason::Missing));
    assert_eq!(exact_decimal("-inf"), Err(RejectReason::NotFinite));
    for bad in [
        ".",
        "-",
        "e5",
        "1_000",
        "12abc",
        "1e5x",
        "alice@example.com",
    ] {
        assert_eq!(
            exact_decimal(bad),
            Err(RejectReason::Unparseable(Expected::Decimal)),
            "{bad}"
        );
    }
    assert_eq!(
        exact_decimal(&"9".repeat(40)),
        Err(RejectReason::OutOfRange)
    );
    assert_eq!(exact_decimal("1e400"), Err(RejectReason::OutOfRange));
    // 30 significant digits: beyond 96 bits.
    assert_eq!(
        exact_decimal("99999999999999999999999999999.9"),
        Err(RejectReason::OutOfRange)
    );
    // Trailing zeros beyond 28 places change nothing: exact.
    let zeros = format!("0.1{}", "0".repeat(40));
    assert_eq!(
        exact_decimal(&zeros).map(|d| d.normalize()),
        Ok(Decimal::new(1, 1))
    );
}

#[test]
fn parameter_errors_name_the_parameter_and_never_the_value() {
    let secret = "alice@example.com";
    let errors = [
        decimal("cutoffs[0]", secret).err(),
        date("as_of", secret).err(),
        time_zone("tz", secret).err(),
        json::<crate::value::rfm::Monetary>("monetary", &format!("\"{secret}\"")).err(),
    ];
    for e in errors {
        let e = e.map(|e| (e.to_string(), e.field().map(str::to_owned), e.rule()));
        assert!(e.is_some());
        if let Some((text, field, rule)) = e {
            assert!(!text.contains("alice"), "{text}");
            assert!(field.is_some_and(|f| text.contains(&f)), "{text}");
            assert!(crate::error::is_snake_case(rule));
        }
    }
}

proptest! {
    #[test]
    fn a_decimal_text_is_read_exactly_or_refused(m in any::<i64>(), places in 0_usize..40) {
        let text = text_of(m, places);
        let got = exact_decimal(&text);
        let significant = if m == 0 {
            0
        } else {
            let zeros = m.unsigned_abs().trailing_zeros_decimal();
            places.saturating_sub(zeros)
        };
        if significant > 28 {
            prop_assert_eq!(got, Err(RejectReason::TooManyDecimals { max: 28 }));
        } else {
            // Exact: the value times 10^places is m.
            let d = got.map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            let back = d.to_string();
            prop_assert_eq!(exact_decimal(&back), Ok(d));
            let expected = Decimal::try_from_i128_with_scale(
                i128::from(m) / 10_i128.pow((places - significant) as u32),
                significant as u32,
            ).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(d.normalize(), expected.normalize(), "{}", text);
        }
    }

    #[test]
    fn scientific_texts_agree_with_plain_ones(m in -1_000_000_i64..1_000_000, places in 0_usize..34) {
        let plain = text_of(m, places);
        let scientific = format!("{m}e-{places}");
        prop_assert_eq!(
            exact_decimal(&plain).map(|d| d.normalize()),
            exact_decimal(&scientific).map(|d| d.normalize())
        );
    }

    #[test]
    fn parsing_any_text_never_panics(s in ".{0,60}") {
        let _ = exact_decimal(&s);
        let _ = decimal("x", &s);
        let _ = date("x", &s);
        let _ = time_zone("x", &s);
    }
}

trait TrailingZeros {
    fn trailing_zeros_decimal(self) -> usize;
}

impl TrailingZeros for u64 {
    fn trailing_zeros_decimal(mut self) -> usize {
        let mut n = 0;
        while self != 0 && self.is_multiple_of(10) {
            self /= 10;
            n += 1;
        }
        n
    }
}

#[test]
fn front_end_argument_errors_have_their_own_rules_and_never_a_value() {
    let cases = [
        (
            ParameterError::Form {
                name: "cutoffs".into(),
                form: Form::Pair,
            },
            "argument_form",
            "cutoffs must be a pair of two values",
        ),
        (
            ParameterError::Required {
                name: "as_of".into(),
                unless: Some("a Summary is given".into()),
            },
            "required_parameter",
            "as_of is required unless a Summary is given",
        ),
        (
            ParameterError::Required {
                name: "alpha".into(),
                unless: None,
            },
            "required_parameter",
            "alpha is required",
        ),
        (
            ParameterError::UnknownKey {
                name: "weights".into(),
                allowed: vec!["quality".into(), "price".into()],
            },
            "known_key",
            "weights: unknown key; the keys are quality, price",
        ),
        (
            ParameterError::NotFitted {
                name: "BetaGeo".into(),
            },
            "clv_fitted",
            "BetaGeo has no parameters yet: fit it, or give its parameters",
        ),
    ];
    for (e, rule, text) in cases {
        assert_eq!((e.rule(), e.to_string().as_str()), (rule, text));
        assert_eq!(e.class(), ErrorClass::Config);
    }
    let w = ParameterError::SummaryWindow {
        name: "before".into(),
        window: Window::DayBefore,
    };
    assert_eq!((w.rule(), w.field()), ("summary_window", Some("before")));
    for f in <Form as crate::vocabulary::Vocabulary>::ALL {
        assert_eq!(f.to_string().parse::<Form>(), Ok(*f));
        assert!(!f.text().is_empty());
    }
}

#[test]
fn json_over_defaults_keeps_every_default_it_is_not_given() {
    use crate::relationship::degrees::DegreeConfig;
    use crate::relationship::period_metrics::PeriodConfig;
    let d = DegreeConfig::default();
    assert_eq!(json_over_defaults::<DegreeConfig>("config", "{}"), Ok(d));
    let c: DegreeConfig =
        json_over_defaults("config", r#"{"require_satisfaction": true}"#).unwrap();
    assert_eq!(
        c,
        DegreeConfig {
            require_satisfaction: true,
            ..d
        }
    );
    // Nested objects merge field by field: one service level changes.
    let p: PeriodConfig =
        json_over_defaults("config", r#"{"service_levels": {"major": 12}}"#).unwrap();
    assert_eq!(p.service_levels.major, 12);
    assert_eq!(
        p.service_levels.most_valuable,
        PeriodConfig::default().service_levels.most_valuable
    );
    let e = json_over_defaults::<PeriodConfig>("config", r#"{"service_levels": {"x@y.z": 1}}"#)
        .unwrap_err();
    assert_eq!(e.rule(), "known_key");
    assert_eq!(e.field(), Some("config.service_levels"));
    assert!(!e.to_string().contains("x@y"));
    let e = json_over_defaults::<DegreeConfig>("config", "[1]").unwrap_err();
    assert_eq!(e.rule(), "json_parameter");
}
