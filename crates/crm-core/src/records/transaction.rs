//! Transactions: one purchase (or return) of one customer, and the calendar
//! day it belongs to.
//!
//! A [`Transaction`] is the row model of docs/DOMAIN.md section 4: who bought
//! ([`CustomerId`]), when ([`TxTime`]), for how much (a [`Decimal`]; a
//! negative amount is a return), and optionally how many units, at what
//! margin, whether on promotion (discount flag) and through which channel.
//!
//! ## Time zones
//!
//! Summaries count *calendar days* (a purchase occasion is a calendar day with
//! purchases), so the engine must say which calendar. A [`CalendarConfig`]
//! names the analysis time zone (default UTC) and every time is turned into a
//! day in that zone before anything else happens:
//!
//! * a date ([`TxTime::Date`]) is its own day: no conversion;
//! * an instant ([`TxTime::Instant`], a UTC timestamp or any timestamp with a
//!   zone or offset) is converted to the analysis zone, then its date is taken;
//! * a zone-less wall-clock timestamp ([`TxTime::Local`]) is taken as the
//!   wall-clock time *in the analysis zone* by default
//!   ([`NaiveTimestamps::WallClock`]): its date is the day. Sources that store
//!   UTC instants without saying so choose [`NaiveTimestamps::Utc`].
//!
//! Days travel through the columnar core as `i32` days since 1970-01-01
//! ([`day_number`], [`date_of_day`]); [`DayConverter`] converts timestamps in
//! bulk and caches the zone offset, so columnar readers do not pay a time-zone
//! lookup per row.
//!
//! The channel is carried in the row model so callers can filter or split by
//! channel before summarising; the per-customer summaries do not aggregate it.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::records::customer::CustomerId;

/// Seconds in a calendar day without a zone transition.
const SECONDS_PER_DAY: i64 = 86_400;

/// When a transaction happened, as the source recorded it.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::transaction::{CalendarConfig, TxTime};
///
/// let t = TxTime::Date(NaiveDate::from_ymd_opt(1997, 1, 1).unwrap());
/// assert_eq!(t.calendar_day(&CalendarConfig::default()), NaiveDate::from_ymd_opt(1997, 1, 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum TxTime {
    /// A calendar date: already a day, no zone conversion.
    Date(NaiveDate),
    /// An instant on the time line (a timestamp with a zone or offset).
    Instant(DateTime<Utc>),
    /// A wall-clock timestamp without a zone; see [`NaiveTimestamps`].
    Local(NaiveDateTime),
}

impl TxTime {
    /// The calendar day of this time under `calendar`, or `None` when the
    /// converted date falls outside the range chrono represents.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use crm_core::records::transaction::{CalendarConfig, TxTime};
    ///
    /// // 23:30 UTC on 31 Dec is already 1 Jan in Shanghai (UTC+8).
    /// let t = TxTime::Instant(Utc.with_ymd_and_hms(1996, 12, 31, 23, 30, 0).unwrap());
    /// let shanghai = CalendarConfig::in_zone(chrono_tz::Asia::Shanghai);
    /// assert_eq!(t.calendar_day(&shanghai), NaiveDate::from_ymd_opt(1997, 1, 1));
    /// assert_eq!(t.calendar_day(&CalendarConfig::default()), NaiveDate::from_ymd_opt(1996, 12, 31));
    /// ```
    pub fn calendar_day(&self, calendar: &CalendarConfig) -> Option<NaiveDate> {
        match self {
            TxTime::Date(d) => Some(*d),
            TxTime::Instant(t) => Some(t.with_timezone(&calendar.zone).date_naive()),
            TxTime::Local(t) => match calendar.naive_timestamps {
                NaiveTimestamps::WallClock => Some(t.date()),
                NaiveTimestamps::Utc => {
                    Some(t.and_utc().with_timezone(&calendar.zone).date_naive())
                }
            },
        }
    }
}

/// How a timestamp without a zone is read.
///
/// # Example
///
/// ```
/// use crm_core::records::transaction::NaiveTimestamps;
/// assert_eq!(NaiveTimestamps::default(), NaiveTimestamps::WallClock);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NaiveTimestamps {
    /// The timestamp is wall-clock time in the analysis zone: its date is
    /// the day (the default; this is what a till receipt prints). (The
    /// earlier spellings `"WallClock"` and `"Utc"` are still read.)
    #[default]
    #[serde(alias = "WallClock")]
    WallClock,
    /// The timestamp is a UTC instant stored without its zone: convert it to
    /// the analysis zone first.
    #[serde(alias = "Utc")]
    Utc,
}

/// The calendar in which days are counted.
///
/// # Example
///
/// ```
/// use crm_core::records::transaction::CalendarConfig;
/// assert_eq!(CalendarConfig::default().zone, chrono_tz::UTC);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CalendarConfig {
    /// The analysis time zone (IANA name in serialised form).
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub zone: Tz,
    /// How zone-less timestamps are read.
    pub naive_timestamps: NaiveTimestamps,
}

impl Default for CalendarConfig {
    fn default() -> Self {
        CalendarConfig {
            zone: chrono_tz::UTC,
            naive_timestamps: NaiveTimestamps::WallClock,
        }
    }
}

impl CalendarConfig {
    /// Days counted in `zone`, zone-less timestamps read as wall-clock time.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::transaction::CalendarConfig;
    /// let c = CalendarConfig::in_zone(chrono_tz::Europe::Berlin);
    /// assert_eq!(c.zone, chrono_tz::Europe::Berlin);
    /// ```
    pub fn in_zone(zone: Tz) -> Self {
        CalendarConfig {
            zone,
            ..CalendarConfig::default()
        }
    }
}

/// The unit of an integer timestamp column.
///
/// # Example
///
/// ```
/// use crm_core::records::transaction::TimeUnit;
/// assert_eq!(TimeUnit::Millisecond.per_second(), 1_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum TimeUnit {
    /// Seconds since the epoch.
    Second,
    /// Milliseconds since the epoch.
    Millisecond,
    /// Microseconds since the epoch.
    Microsecond,
    /// Nanoseconds since the epoch.
    Nanosecond,
}

impl TimeUnit {
    /// How many of this unit make one second.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::transaction::TimeUnit;
    /// assert_eq!(TimeUnit::Nanosecond.per_second(), 1_000_000_000);
    /// ```
    pub fn per_second(self) -> i64 {
        match self {
            TimeUnit::Second => 1,
            TimeUnit::Millisecond => 1_000,
            TimeUnit::Microsecond => 1_000_000,
            TimeUnit::Nanosecond => 1_000_000_000,
        }
    }
}

/// 1970-01-01 as a chrono date.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Days since 1970-01-01 (negative before), the day representation of the
/// columnar core.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::transaction::day_number;
/// assert_eq!(day_number(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
/// assert_eq!(day_number(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()), 10_134);
/// ```
pub fn day_number(date: NaiveDate) -> i32 {
    // chrono dates span about +-262,000 years: the difference fits in i32.
    i32::try_from(date.signed_duration_since(epoch()).num_days()).unwrap_or(i32::MAX)
}

/// The date of a day number, or `None` outside chrono's range.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::transaction::date_of_day;
/// assert_eq!(date_of_day(10_134), NaiveDate::from_ymd_opt(1997, 9, 30));
/// assert_eq!(date_of_day(i32::MAX), None);
/// ```
pub fn date_of_day(day: i32) -> Option<NaiveDate> {
    epoch().checked_add_signed(chrono::Duration::try_days(i64::from(day))?)
}

/// The smallest day number chrono can turn back into a date.
pub(crate) fn min_day() -> i32 {
    day_number(NaiveDate::MIN)
}

/// The largest day number chrono can turn back into a date.
pub(crate) fn max_day() -> i32 {
    day_number(NaiveDate::MAX)
}

/// Converts timestamps to day numbers in the analysis zone, caching the zone
/// offset of the last UTC day seen so that a column of timestamps costs one
/// zone lookup per distinct day, not per row.
///
/// # Example
///
/// ```
/// use crm_core::records::transaction::{CalendarConfig, DayConverter, TimeUnit};
///
/// let mut utc = DayConverter::new(CalendarConfig::default());
/// assert_eq!(utc.day_of_timestamp(86_399, TimeUnit::Second, true), Some(0));
/// assert_eq!(utc.day_of_timestamp(-1, TimeUnit::Second, true), Some(-1));
///
/// let mut tokyo = DayConverter::new(CalendarConfig::in_zone(chrono_tz::Asia::Tokyo));
/// // 1970-01-01 20:00 UTC is 1970-01-02 05:00 in Tokyo.
/// assert_eq!(tokyo.day_of_timestamp(72_000_000, TimeUnit::Millisecond, true), Some(1));
/// ```
#[derive(Debug, Clone)]
pub struct DayConverter {
    calendar: CalendarConfig,
    /// (UTC day, offset in seconds valid for that whole UTC day).
    cache: Option<(i64, i64)>,
}

impl DayConverter {
    /// A converter for `calendar`.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::transaction::{CalendarConfig, DayConverter};
    /// let _ = DayConverter::new(CalendarConfig::default());
    /// ```
    pub fn new(calendar: CalendarConfig) -> Self {
        DayConverter {
            calendar,
            cache: None,
        }
    }

    /// The calendar this converter counts days in.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::transaction::{CalendarConfig, DayConverter};
    /// assert_eq!(DayConverter::new(CalendarConfig::default()).calendar(), &CalendarConfig::default());
    /// ```
    pub fn calendar(&self) -> &CalendarConfig {
        &self.calendar
    }

    /// The day number of an integer timestamp in `unit`. `has_zone` says
    /// whether the timestamp is an instant (it has a zone or is UTC); a
    /// zone-less timestamp follows [`CalendarConfig::naive_timestamps`].
    /// `None` when the day lies outside chrono's date range.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::transaction::{CalendarConfig, DayConverter, TimeUnit};
    /// let mut c = DayConverter::new(CalendarConfig::in_zone(chrono_tz::America::New_York));
    /// // 03:00 UTC on 2 Jan 1970 is 22:00 on 1 Jan in New York ...
    /// assert_eq!(c.day_of_timestamp(86_400 + 3 * 3600, TimeUnit::Second, true), Some(0));
    /// // ... but a zone-less 03:00 on 2 Jan is read as New York wall-clock time.
    /// assert_eq!(c.day_of_timestamp(86_400 + 3 * 3600, TimeUnit::Second, false), Some(1));
    /// ```
    pub fn day_of_timestamp(&mut self, value: i64, unit: TimeUnit, has_zone: bool) -> Option<i32> {
        let secs = value.div_euclid(unit.per_second());
        let convert = has_zone || self.calendar.naive_timestamps == NaiveTimestamps::Utc;
        let local = if convert && self.calendar.zone != chrono_tz::UTC {
            secs.checked_add(self.offset_at(secs)?)?
        } else {
            secs
        };
        let day = i32::try_from(local.div_euclid(SECONDS_PER_DAY)).ok()?;
        (min_day()..=max_day()).contains(&day).then_some(day)
    }

    /// The day number of a [`TxTime`].
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::transaction::{CalendarConfig, DayConverter, TxTime};
    /// let mut c = DayConverter::new(CalendarConfig::default());
    /// let t = TxTime::Date(NaiveDate::from_ymd_opt(1970, 1, 11).unwrap());
    /// assert_eq!(c.day_of(&t), Some(10));
    /// ```
    pub fn day_of(&mut self, time: &TxTime) -> Option<i32> {
        time.calendar_day(&self.calendar).map(day_number)
    }

    /// The zone offset (seconds east of UTC) at UTC second `secs`, cached
    /// per UTC day when the offset is the same at both ends of that day.
    fn offset_at(&mut self, secs: i64) -> Option<i64> {
        let utc_day = secs.div_euclid(SECONDS_PER_DAY);
        if let Some((day, offset)) = self.cache
            && day == utc_day
        {
            return Some(offset);
        }
        let at = |s: i64| -> Option<i64> {
            let instant = DateTime::<Utc>::from_timestamp(s, 0)?;
            let local = self
                .calendar
                .zone
                .offset_from_utc_datetime(&instant.naive_utc());
            Some(i64::from(local.fix().local_minus_utc()))
        };
        let start = at(utc_day.checked_mul(SECONDS_PER_DAY)?)?;
        let end = at(utc_day
            .checked_mul(SECONDS_PER_DAY)?
            .checked_add(SECONDS_PER_DAY - 1)?)?;
        if start == end {
            self.cache = Some((utc_day, start));
            Some(start)
        } else {
            at(secs)
        }
    }
}

/// One purchase or return.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::transaction::{Transaction, TxTime};
/// use rust_decimal_macros::dec;
///
/// let t = Transaction::new(7_i64, TxTime::Date(NaiveDate::from_ymd_opt(1997, 1, 1).unwrap()), dec!(29.33));
/// assert!(!t.is_return());
/// assert_eq!(Transaction { amount: dec!(-5), ..t }.is_return(), true);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Transaction {
    /// Who bought.
    pub customer: CustomerId,
    /// When.
    pub time: TxTime,
    /// For how much; negative for a return.
    pub amount: Decimal,
    /// How many units, when recorded.
    pub quantity: Option<Decimal>,
    /// The margin earned, when recorded.
    pub margin: Option<Decimal>,
    /// Whether the purchase was made on promotion / at a discount, when
    /// recorded.
    pub discounted: Option<bool>,
    /// The sales channel, when recorded.
    pub channel: Option<String>,
}

impl Transaction {
    /// A transaction with only the required fields.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::transaction::{Transaction, TxTime};
    /// use rust_decimal_macros::dec;
    /// let t = Transaction::new("C-1", TxTime::Date(NaiveDate::from_ymd_opt(2024, 5, 1).unwrap()), dec!(10));
    /// assert_eq!(t.quantity, None);
    /// ```
    pub fn new(customer: impl Into<CustomerId>, time: TxTime, amount: Decimal) -> Self {
        Transaction {
            customer: customer.into(),
            time,
            amount,
            quantity: None,
            margin: None,
            discounted: None,
            channel: None,
        }
    }

    /// Whether this is a return (negative amount).
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::transaction::{Transaction, TxTime};
    /// use rust_decimal_macros::dec;
    /// let t = Transaction::new(1_i64, TxTime::Date(NaiveDate::from_ymd_opt(2024, 5, 1).unwrap()), dec!(-3));
    /// assert!(t.is_return());
    /// ```
    pub fn is_return(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dst_day_boundaries_follow_the_zone() {
        // 2024-03-31 is the spring-forward day in Berlin (UTC+1 -> UTC+2 at 01:00 UTC).
        let mut c = DayConverter::new(CalendarConfig::in_zone(chrono_tz::Europe::Berlin));
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).map(day_number);
        // 2024-03-30 22:59:59 UTC = 23:59:59 CET on the 30th.
        let t = Utc
            .with_ymd_and_hms(2024, 3, 30, 22, 59, 59)
            .single()
            .map(|t| t.timestamp());
        assert_eq!(
            t.and_then(|s| c.day_of_timestamp(s, TimeUnit::Second, true)),
            day(2024, 3, 30)
        );
        // 2024-03-31 22:00:00 UTC = 00:00 CEST on 1 April.
        let t = Utc
            .with_ymd_and_hms(2024, 3, 31, 22, 0, 0)
            .single()
            .map(|t| t.timestamp());
        assert_eq!(
            t.and_then(|s| c.day_of_timestamp(s, TimeUnit::Second, true)),
            day(2024, 4, 1)
        );
        // 2024-03-31 21:59:59 UTC = 23:59:59 CEST on the 31st.
        let t = Utc
            .with_ymd_and_hms(2024, 3, 31, 21, 59, 59)
            .single()
            .map(|t| t.timestamp());
        assert_eq!(
            t.and_then(|s| c.day_of_timestamp(s, TimeUnit::Second, true)),
            day(2024, 3, 31)
        );
    }

    #[test]
    fn extreme_timestamps_give_none_not_panic() {
        let mut c = DayConverter::new(CalendarConfig::in_zone(chrono_tz::Asia::Kolkata));
        for v in [i64::MIN, i64::MAX, i64::MIN + 1] {
            for unit in [
                TimeUnit::Second,
                TimeUnit::Millisecond,
                TimeUnit::Nanosecond,
            ] {
                let _ = c.day_of_timestamp(v, unit, true);
                let _ = c.day_of_timestamp(v, unit, false);
            }
        }
        assert_eq!(date_of_day(i32::MIN), None);
    }

    proptest! {
        #[test]
        fn day_number_round_trips_through_dates(d in -700_000_i32..700_000) {
            let date = date_of_day(d);
            prop_assert!(date.is_some());
            prop_assert_eq!(date.map(day_number), Some(d));
        }

        #[test]
        fn cached_conversion_equals_chrono_conversion(secs in -4_000_000_000_i64..4_000_000_000, zone_ix in 0usize..4) {
            let zones = [chrono_tz::UTC, chrono_tz::Europe::London, chrono_tz::America::Sao_Paulo, chrono_tz::Australia::Lord_Howe];
            let cal = CalendarConfig::in_zone(zones[zone_ix]);
            let mut c = DayConverter::new(cal);
            // Warm the cache with a neighbouring second of the same UTC day.
            let _ = c.day_of_timestamp(secs - secs.rem_euclid(SECONDS_PER_DAY), TimeUnit::Second, true);
            let expected = DateTime::<Utc>::from_timestamp(secs, 0)
                .map(TxTime::Instant)
                .and_then(|t| t.calendar_day(&cal))
                .map(day_number);
            prop_assert_eq!(c.day_of_timestamp(secs, TimeUnit::Second, true), expected);
        }
    }
}
