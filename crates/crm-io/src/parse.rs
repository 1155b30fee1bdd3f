//! Parsing text fields: dates and timestamps, decimals, flags, integer ids.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use crm_core::parameter::exact_decimal;
use crm_core::records::reconciliation::{Expected, RejectReason};
use crm_core::records::transaction::{DayConverter, TxTime, day_number};
use rust_decimal::Decimal;

/// The day of a date or timestamp text.
///
/// Accepted: `YYYY-MM-DD`, `YYYYMMDD`, RFC 3339 timestamps with an offset
/// (converted to the analysis zone), `YYYY-MM-DD[ T]HH:MM:SS[.fff]` without
/// an offset (read as the calendar says), then the caller's chrono formats.
pub(crate) fn parse_day(
    text: &str,
    formats: &[String],
    conv: &mut DayConverter,
) -> Result<i32, RejectReason> {
    let s = text.trim();
    if s.is_empty() {
        return Err(RejectReason::Missing);
    }
    let b = s.as_bytes();
    if b.len() == 10 && b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-') {
        if let (Some(y), Some(m), Some(d)) = (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10]))
        {
            return date(y, m, d);
        }
    } else if b.len() == 8
        && let (Some(y), Some(m), Some(d)) = (digits(&b[0..4]), digits(&b[4..6]), digits(&b[6..8]))
    {
        return date(y, m, d);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return conv
            .day_of(&TxTime::Instant(t.to_utc()))
            .ok_or(RejectReason::OutOfRange);
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return conv
                .day_of(&TxTime::Local(t))
                .ok_or(RejectReason::OutOfRange);
        }
    }
    for f in formats {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Ok(day_number(d));
        }
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return conv
                .day_of(&TxTime::Instant(t.to_utc()))
                .ok_or(RejectReason::OutOfRange);
        }
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return conv
                .day_of(&TxTime::Local(t))
                .ok_or(RejectReason::OutOfRange);
        }
    }
    Err(RejectReason::Unparseable(Expected::Date))
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0_u32;
    for c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

fn date(y: u32, m: u32, d: u32) -> Result<i32, RejectReason> {
    let y = i32::try_from(y).map_err(|_| RejectReason::OutOfRange)?;
    NaiveDate::from_ymd_opt(y, m, d)
        .map(day_number)
        .ok_or(RejectReason::Unparseable(Expected::Date))
}

/// A decimal text: crm-core's one rule, [`exact_decimal`]: plain or
/// scientific, read exactly or rejected (more than 28 decimal places is
/// `TooManyDecimals`, never rounded; `NaN` and infinities are `NotFinite`).
pub(crate) fn parse_decimal(text: &str) -> Result<Decimal, RejectReason> {
    exact_decimal(text)
}

/// A flag text: true/false, t/f, yes/no, y/n, 1/0 (any case).
pub(crate) fn parse_flag(text: &str) -> Result<bool, RejectReason> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Err(RejectReason::Missing),
        "true" | "t" | "yes" | "y" | "1" => Ok(true),
        "false" | "f" | "no" | "n" | "0" => Ok(false),
        _ => Err(RejectReason::Unparseable(Expected::Boolean)),
    }
}

/// An integer id text (leading zeros allowed: `0001` is 1).
pub(crate) fn parse_id(text: &str) -> Result<i64, RejectReason> {
    let s = text.trim();
    if s.is_empty() {
        return Err(RejectReason::Missing);
    }
    match s.parse::<i64>() {
        Ok(v) => Ok(v),
        Err(e)
            if matches!(
                e.kind(),
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow
            ) =>
        {
            Err(RejectReason::OutOfRange)
        }
        Err(_) => Err(RejectReason::Unparseable(Expected::Integer)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::records::transaction::{CalendarConfig, date_of_day};
    use proptest::prelude::*;

    fn conv(zone: chrono_tz::Tz) -> DayConverter {
        DayConverter::new(CalendarConfig::in_zone(zone))
    }

    #[test]
    fn dates_in_the_usual_shapes() {
        let mut c = conv(chrono_tz::UTC);
        let d = |y, m, dd| {
            NaiveDate::from_ymd_opt(y, m, dd)
                .map(day_number)
                .ok_or(RejectReason::Missing)
        };
        assert_eq!(parse_day("1997-01-01", &[], &mut c), d(1997, 1, 1));
        assert_eq!(parse_day("19970101", &[], &mut c), d(1997, 1, 1));
        assert_eq!(
            parse_day(" 1997-01-01 23:59:59 ", &[], &mut c),
            d(1997, 1, 1)
        );
        assert_eq!(
            parse_day("1997-01-01T23:30:00-05:00", &[], &mut c),
            d(1997, 1, 2)
        );
        assert_eq!(
            parse_day("01/02/1997", &["%d/%m/%Y".into()], &mut c),
            d(1997, 2, 1)
        );
        assert_eq!(
            parse_day("1997-02-30", &[], &mut c),
            Err(RejectReason::Unparseable(Expected::Date))
        );
        assert_eq!(parse_day("", &[], &mut c), Err(RejectReason::Missing));
        assert_eq!(
            parse_day("yesterday", &[], &mut c),
            Err(RejectReason::Unparseable(Expected::Date))
        );
    }

    #[test]
    fn offsets_convert_to_the_analysis_zone() {
        let mut tokyo = conv(chrono_tz::Asia::Tokyo);
        let day = parse_day("1997-01-01T20:00:00Z", &[], &mut tokyo);
        assert_eq!(
            day.ok().and_then(date_of_day),
            NaiveDate::from_ymd_opt(1997, 1, 2)
        );
    }

    #[test]
    fn numbers_and_flags() {
        assert_eq!(parse_decimal("29.33"), Ok(Decimal::new(2933, 2)));
        assert_eq!(parse_decimal("-1e2"), Ok(Decimal::new(-100, 0)));
        assert_eq!(parse_decimal("NaN"), Err(RejectReason::NotFinite));
        assert_eq!(parse_decimal("-inf"), Err(RejectReason::NotFinite));
        assert_eq!(
            parse_decimal("12abc"),
            Err(RejectReason::Unparseable(Expected::Decimal))
        );
        assert_eq!(
            parse_decimal("9".repeat(40).as_str()),
            Err(RejectReason::OutOfRange)
        );
        // 29 decimal places: rejected, not rounded to 28 (then accepted).
        let tiny = format!("1.{}1", "0".repeat(28));
        assert_eq!(
            parse_decimal(&tiny),
            Err(RejectReason::TooManyDecimals { max: 28 })
        );
        assert_eq!(parse_flag("Yes"), Ok(true));
        assert_eq!(
            parse_flag("maybe"),
            Err(RejectReason::Unparseable(Expected::Boolean))
        );
        assert_eq!(parse_id("0001"), Ok(1));
        assert_eq!(
            parse_id("99999999999999999999"),
            Err(RejectReason::OutOfRange)
        );
        assert_eq!(
            parse_id("A1"),
            Err(RejectReason::Unparseable(Expected::Integer))
        );
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_text_never_panics(s in ".{0,40}") {
            let mut c = conv(chrono_tz::America::New_York);
            let _ = parse_day(&s, &["%d.%m.%Y".into()], &mut c);
            let _ = parse_decimal(&s);
            let _ = parse_flag(&s);
            let _ = parse_id(&s);
        }

        #[test]
        fn iso_dates_round_trip(d in -719_000_i32..2_900_000) {
            let mut c = conv(chrono_tz::UTC);
            let text = date_of_day(d).map(|x| x.format("%Y-%m-%d").to_string()).unwrap_or_default();
            prop_assert_eq!(parse_day(&text, &[], &mut c), Ok(d));
        }
    }
}
