use super::*;
use crate::relationship::customer_base::CustomerSpan;
use crate::value::tier::Tier;
use chrono::TimeZone;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, m, day).unwrap()
}

fn t(m: u32, day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, m, day, h, 0, 0).unwrap()
}

fn march() -> MetricPeriod {
    MetricPeriod::new(d(3, 1), d(3, 31)).unwrap()
}

/// Ten customers, March 2024; every figure of the result computed by hand below.
fn sample() -> PeriodData {
    let base = CustomerBase::new(vec![
        CustomerSpan::new(1, d(1, 1), None).with_tier(Tier::MostValuable),
        CustomerSpan::new(2, d(1, 1), None).with_tier(Tier::Major),
        CustomerSpan::new(3, d(1, 1), None),
        CustomerSpan::new(4, d(1, 1), Some(d(3, 15))), // lost in March
        CustomerSpan::new(5, d(1, 1), Some(d(3, 5))),  // lost in March...
        CustomerSpan::new(5, d(3, 20), None),          // ...and back
        CustomerSpan::new(6, d(3, 10), None),          // acquired
        CustomerSpan::new(7, d(3, 12), Some(d(3, 25))), // acquired and lost
        CustomerSpan::new(8, d(1, 1), Some(d(2, 1))),  // lost before: outside
        CustomerSpan::new(8, d(3, 2), None),           // returned from before
    ])
    .unwrap();
    let activity = vec![
        PeriodActivity::new(1, 3, 4, Some(d(3, 28))),
        PeriodActivity::new(2, 1, 1, Some(d(3, 3))),
        PeriodActivity::new(3, 2, 2, Some(d(3, 20))),
        PeriodActivity::new(6, 1, 3, Some(d(3, 11))),
        PeriodActivity::new(8, 0, 0, None),
    ];
    let complaints = vec![
        // customer 1 (24 h): answered in 2 h, resolved in 20 h: on time
        Complaint::new(1, "phone", t(3, 5, 8))
            .responded_at(t(3, 5, 10))
            .resolved_at(t(3, 6, 4)),
        // customer 2 (48 h): resolved in 50 h: late
        Complaint::new(2, "email", t(3, 10, 0))
            .responded_at(t(3, 11, 0))
            .resolved_at(t(3, 12, 2)),
        // customer 3: still open at the end (resolved in April)
        Complaint::new(3, "email", t(3, 30, 0)).resolved_at(t(4, 2, 0)),
        // opened in February: outside
        Complaint::new(3, "phone", t(2, 20, 0)).resolved_at(t(2, 21, 0)),
    ];
    let referrals = vec![
        Referral {
            referrer: 1.into(),
            referred: Some(6.into()),
            time: t(3, 9, 12),
        },
        Referral {
            referrer: 1.into(),
            referred: None,
            time: t(3, 19, 12),
        },
        Referral {
            referrer: 4.into(),
            referred: None,
            time: t(3, 2, 12),
        }, // not active
        Referral {
            referrer: 2.into(),
            referred: None,
            time: t(4, 1, 0),
        }, // outside
    ];
    PeriodData {
        base,
        activity,
        complaints,
        referrals,
    }
}

#[test]
fn hand_computed_march() {
    let m = period_metrics(&sample(), march(), &PeriodConfig::default()).unwrap();
    // S (on 29 Feb) = {1, 2, 3, 4, 5} = 5; E (on 31 Mar) = {1, 2, 3, 5, 6, 8} = 6
    // retained = {1, 2, 3, 5} = 4; N = E − S = {6, 8} = 2; lost = {4, 5} = 2
    // acquired = {6, 7} = 2; returned = {5, 8} = 2; joined = {5, 6, 7, 8} = 4
    assert_eq!(
        m.base,
        BaseMovement {
            at_start: 5,
            at_end: 6,
            retained: 4,
            entered: 2,
            lost: 2,
            acquired: 2,
            returned: 2,
            joined: 4
        }
    );
    // retention (6 − 2) / 5 = 0.8; churn 2 / 5 = 0.4 (sum 1.2: customer 5 came back)
    assert_eq!(m.retention_rate, Some(dec!(0.8)));
    assert_eq!(m.churn_rate, Some(dec!(0.4)));
    // growth (6 − 5) / 5 = 0.2; acquisition N / S = 2 / 5 = 0.4
    assert_eq!(m.growth_rate, Some(dec!(0.2)));
    assert_eq!(m.acquisition_rate, Some(dec!(0.4)));
    // active = {1, 2, 3, 6} = 4; repeat = {1, 3} = 2 → 0.5; orders 4 + 1 + 2 + 3 = 10
    assert_eq!(
        (m.active_customers, m.repeat_customers, m.orders),
        (4, 2, 10)
    );
    assert_eq!(m.repeat_purchase_rate, Some(dec!(0.5)));
    // referrers in March {1, 4}; active {1} → 1 / 4 = 0.25; 4 is not active
    assert_eq!(
        (m.referrals, m.referrers, m.referrers_not_active),
        (3, 1, 1)
    );
    assert_eq!(m.referral_rate, Some(dec!(0.25)));
    let c = &m.complaints;
    // 3 complaints in March: 3 / 4 active = 0.75; 3 × 1000 / 10 orders = 300
    assert_eq!(c.complaints, 3);
    assert_eq!(c.per_active_customer, Some(dec!(0.75)));
    assert_eq!(c.per_1000_orders, Some(dec!(300)));
    // resolved 2 (customer 3's is open at the end): 2 / 3; on time 1 / 2
    assert_eq!((c.resolved, c.open_at_end, c.resolved_on_time), (2, 1, 1));
    assert_eq!(c.resolution_rate, share(2, 3));
    assert_eq!(c.on_time_rate, Some(dec!(0.5)));
    // responses: 2 h ≤ 24, 24 h ≤ 48: both on time
    assert_eq!(
        (c.responded, c.responded_on_time, c.response_on_time_rate),
        (2, 2, Some(dec!(1)))
    );
    assert_eq!(c.by_channel.get("email"), Some(&2));
    // recovery: resolved complainants {1, 2}; repeaters {1} → 0.5; bought after
    // resolution: 1 (28 Mar > 6 Mar) yes, 2 (3 Mar < 12 Mar) no → 0.5
    // no complaint: active {6}; repeaters none → 0
    let r = m.service_recovery;
    assert_eq!(
        (
            r.resolved_complainants,
            r.resolved_repeaters,
            r.bought_after_resolution
        ),
        (2, 1, 1)
    );
    assert_eq!(r.repeat_rate_after_resolved_complaint, Some(dec!(0.5)));
    assert_eq!(r.repurchase_after_resolution_rate, Some(dec!(0.5)));
    assert_eq!(
        (r.no_complaint_customers, r.repeat_rate_no_complaint),
        (1, Some(dec!(0)))
    );
    // rows: spans 10 read, 1 outside (customer 8's first); complaints 4 = 3 + 1; referrals 4 = 3 + 1
    assert_eq!(
        m.rows.customers,
        RowCounts {
            read: 10,
            used: 9,
            outside_period: 1
        }
    );
    assert_eq!(
        m.rows.complaints,
        RowCounts {
            read: 4,
            used: 3,
            outside_period: 1
        }
    );
    assert_eq!(
        m.rows.referrals,
        RowCounts {
            read: 4,
            used: 3,
            outside_period: 1
        }
    );
    assert_eq!(
        m.rows.activity,
        RowCounts {
            read: 5,
            used: 5,
            outside_period: 0
        }
    );
}

#[test]
fn a_renewal_is_one_membership_not_a_loss_and_a_return() {
    // Customer 1 renews on 15 March (until = the next since), customer 2 on
    // 1 March (the first day) and again on 31 March (the last day); customer 3
    // left on 15 March and came back on 16 March (a real gap of one day).
    let base = CustomerBase::new(vec![
        CustomerSpan::new(1, d(1, 1), Some(d(3, 15))),
        CustomerSpan::new(1, d(3, 15), None),
        CustomerSpan::new(2, d(1, 1), Some(d(3, 1))),
        CustomerSpan::new(2, d(3, 1), Some(d(3, 31))),
        CustomerSpan::new(2, d(3, 31), None),
        CustomerSpan::new(3, d(1, 1), Some(d(3, 15))),
        CustomerSpan::new(3, d(3, 16), None),
    ])
    .unwrap();
    let data = PeriodData {
        base,
        ..Default::default()
    };
    let m = period_metrics(&data, march(), &PeriodConfig::default()).unwrap();
    // S = E = {1, 2, 3}; only 3 was lost (and came back): lost 1, returned 1, joined 1
    assert_eq!(
        m.base,
        BaseMovement {
            at_start: 3,
            at_end: 3,
            retained: 3,
            entered: 0,
            lost: 1,
            acquired: 0,
            returned: 1,
            joined: 1
        }
    );
    // retention 3 / 3 = 1, churn 1 / 3 (not 100 % + 67 %), acquisition 0 / 3 = 0
    assert_eq!(m.retention_rate, Some(dec!(1)));
    assert_eq!(m.churn_rate, share(1, 3));
    assert_eq!(m.acquisition_rate, Some(dec!(0)));
    assert_eq!(m.growth_rate, Some(dec!(0)));
}

#[test]
fn acquisition_rate_is_n_over_s_with_the_gross_count_beside_it() {
    let base = CustomerBase::new(vec![
        CustomerSpan::new(1, d(1, 1), None),
        CustomerSpan::new(2, d(1, 1), None),
        CustomerSpan::new(3, d(3, 10), Some(d(3, 20))), // first time, left again
        CustomerSpan::new(4, d(1, 1), Some(d(2, 1))),   // lost before the period...
        CustomerSpan::new(4, d(3, 5), None),            // ...back in it
        CustomerSpan::new(5, d(3, 12), None),           // first time, stays
        CustomerSpan::new(6, d(3, 1), Some(d(3, 2))),   // first time, one day
    ])
    .unwrap();
    let data = PeriodData {
        base,
        ..Default::default()
    };
    let m = period_metrics(&data, march(), &PeriodConfig::default()).unwrap();
    // S = {1, 2} = 2; E = {1, 2, 4, 5} = 4; N = {4, 5} = 2
    // acquired (first time) = {3, 5, 6} = 3; returned = {4} = 1; joined = {3, 4, 5, 6} = 4
    let b = m.base;
    assert_eq!((b.at_start, b.at_end, b.entered), (2, 4, 2));
    assert_eq!((b.acquired, b.returned, b.joined), (3, 1, 4));
    // acquisition N / S = 2 / 2 = 1 (not acquired / S = 1.5); growth (4 − 2) / 2 = 1
    assert_eq!(m.acquisition_rate, Some(dec!(1)));
    assert_eq!(m.growth_rate, Some(dec!(1)));
    assert_eq!(m.retention_rate, Some(dec!(1)));
}

#[test]
fn empty_period_has_undefined_rates_not_zero() {
    let m = period_metrics(&PeriodData::default(), march(), &PeriodConfig::default()).unwrap();
    assert_eq!(m.retention_rate, None);
    assert_eq!(m.churn_rate, None);
    assert_eq!(m.repeat_purchase_rate, None);
    assert_eq!(m.complaints.per_1000_orders, None);
    assert_eq!(m.complaints.resolution_rate, None);
}

#[test]
fn no_customer_at_start_leaves_retention_undefined() {
    let base = CustomerBase::new(vec![CustomerSpan::new(1, d(3, 3), None)]).unwrap();
    let data = PeriodData {
        base,
        activity: vec![PeriodActivity::new(1, 2, 2, Some(d(3, 9)))],
        ..Default::default()
    };
    let m = period_metrics(&data, march(), &PeriodConfig::default()).unwrap();
    assert_eq!(
        (m.retention_rate, m.growth_rate, m.acquisition_rate),
        (None, None, None)
    );
    assert_eq!(m.base.acquired, 1);
    assert_eq!(m.repeat_purchase_rate, Some(dec!(1)));
}

#[test]
fn unknown_customer_is_an_error_naming_input_and_row() {
    let mut data = sample();
    data.complaints
        .push(Complaint::new(99, "phone", t(3, 3, 0)));
    let e = period_metrics(&data, march(), &PeriodConfig::default()).unwrap_err();
    assert_eq!(
        e,
        PeriodError::UnknownCustomer {
            input: "complaints",
            row: 5,
            customer: 99.into()
        }
    );
}

#[test]
fn activity_outside_the_period_is_rejected() {
    let mut data = sample();
    data.activity[0].last_purchase = Some(d(4, 2));
    let e = period_metrics(&data, march(), &PeriodConfig::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "activity row 1 (customer 1): last_purchase breaks the rule within the period"
    );
}

#[test]
fn serde_round_trip_of_inputs() {
    let data = sample();
    let back: PeriodData = serde_json::from_str(&serde_json::to_string(&data).unwrap()).unwrap();
    assert_eq!(back, data);
    let c = PeriodConfig::default();
    assert_eq!(
        serde_json::from_str::<PeriodConfig>(&serde_json::to_string(&c).unwrap()).unwrap(),
        c
    );
}

fn arbitrary_data() -> impl Strategy<Value = PeriodData> {
    let span = (
        0_i64..8,
        0_u32..90,
        proptest::option::of(1_u32..60),
        any::<bool>(),
    );
    let act = (0_i64..8, 0_u64..4, 0_u64..3, 0_u32..31);
    let comp = (
        0_i64..8,
        0_u32..120,
        proptest::option::of(0_i64..200),
        any::<bool>(),
    );
    (
        proptest::collection::vec(span, 0..10),
        proptest::collection::vec(act, 0..8),
        proptest::collection::vec(comp, 0..10),
    )
        .prop_map(|(spans, acts, comps)| {
            // one span per customer (no overlaps), starting up to 90 days before 1 March
            let mut seen = BTreeSet::new();
            let spans: Vec<CustomerSpan> = spans
                .into_iter()
                .filter(|s| seen.insert(s.0))
                .map(|(c, back, len, top)| {
                    let since =
                        d(3, 1) - chrono::Days::new(u64::from(back)) + chrono::Days::new(30);
                    let until = len.map(|l| since + chrono::Days::new(u64::from(l)));
                    let s = CustomerSpan::new(c, since, until);
                    if top {
                        s.with_tier(Tier::MostValuable)
                    } else {
                        s
                    }
                })
                .collect();
            let mut seen_act = BTreeSet::new();
            let activity = acts
                .into_iter()
                .filter(|a| seen.contains(&a.0) && seen_act.insert(a.0))
                .map(|(c, occ, extra, day)| {
                    PeriodActivity::new(c, occ, occ + extra, (occ > 0).then(|| d(3, day + 1)))
                })
                .collect();
            let complaints = comps
                .into_iter()
                .filter(|c| seen.contains(&c.0))
                .map(|(c, h, res, _)| {
                    let opened = t(2, 15, 0) + chrono::Duration::hours(i64::from(h) * 6);
                    let mut x = Complaint::new(c, "phone", opened);
                    x.resolved = res.map(|r| opened + chrono::Duration::hours(r));
                    x
                })
                .collect();
            PeriodData {
                base: CustomerBase::new(spans).unwrap(),
                activity,
                complaints,
                referrals: vec![],
            }
        })
}

fn in_unit(x: Option<Decimal>) -> bool {
    x.is_none_or(|v| v >= Decimal::ZERO && v <= Decimal::ONE)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Retention, churn, repeat, referral, resolution and on-time rates are fractions in [0, 1].
    #[test]
    fn rates_stay_within_0_and_1(data in arbitrary_data()) {
        let m = period_metrics(&data, march(), &PeriodConfig::default()).unwrap();
        for r in [m.retention_rate, m.churn_rate, m.repeat_purchase_rate, m.referral_rate, m.complaints.resolution_rate,
                  m.complaints.on_time_rate, m.service_recovery.repeat_rate_no_complaint,
                  m.service_recovery.repeat_rate_after_resolved_complaint] {
            prop_assert!(in_unit(r));
        }
        prop_assert!(m.rows.customers.adds_up() && m.rows.complaints.adds_up());
    }

    /// With one span per customer nobody comes back, so retention + churn = 1 whenever S > 0.
    #[test]
    fn retention_plus_churn_is_1_when_no_customer_comes_back(data in arbitrary_data()) {
        let m = period_metrics(&data, march(), &PeriodConfig::default()).unwrap();
        if let (Some(r), Some(c)) = (m.retention_rate, m.churn_rate) {
            prop_assert_eq!(r + c, Decimal::ONE);
        }
    }

    /// Growth = acquisition + retention − 1: (E − S) / S = N / S + (E − N) / S − 1.
    #[test]
    fn growth_is_acquisition_plus_retention_minus_1(data in arbitrary_data()) {
        let m = period_metrics(&data, march(), &PeriodConfig::default()).unwrap();
        if let (Some(g), Some(a), Some(r)) = (m.growth_rate, m.acquisition_rate, m.retention_rate) {
            // the rates are rounded to 28 digits: equal to the last digit
            prop_assert!((g - (a + r - Decimal::ONE)).abs() <= Decimal::new(1, 27));
        }
        let b = m.base;
        prop_assert_eq!(b.at_end + b.at_start, b.entered + b.retained + b.at_start);
        prop_assert!(m.base.entered <= m.base.joined);
        prop_assert!(m.base.joined <= m.base.acquired + m.base.returned);
    }

    /// Splitting any span into back-to-back pieces (a renewal: one piece's
    /// `until` is the next one's `since`) changes no metric; only the span
    /// rows are counted differently.
    #[test]
    fn splitting_a_span_into_back_to_back_pieces_changes_no_metric(
        data in arbitrary_data(),
        pick in any::<prop::sample::Index>(),
        cuts in proptest::collection::btree_set(1_u64..120, 1..4),
    ) {
        let spans: Vec<CustomerSpan> = data.base.clone().into();
        prop_assume!(!spans.is_empty());
        let at = pick.index(spans.len());
        let s = &spans[at];
        let days = s.until.map_or(u64::MAX, |u| (u - s.since).num_days() as u64);
        let mut bounds: Vec<NaiveDate> = cuts
            .into_iter()
            .filter(|&c| c < days)
            .map(|c| s.since + chrono::Days::new(c))
            .collect();
        prop_assume!(!bounds.is_empty());
        bounds.insert(0, s.since);
        let mut split = spans.clone();
        split.remove(at);
        for (i, since) in bounds.iter().enumerate() {
            let until = bounds.get(i + 1).copied().or(s.until);
            split.push(CustomerSpan { since: *since, until, ..s.clone() });
        }
        let whole = period_metrics(&data, march(), &PeriodConfig::default()).unwrap();
        let pieces = PeriodData { base: CustomerBase::new(split).unwrap(), ..data.clone() };
        let mut cut = period_metrics(&pieces, march(), &PeriodConfig::default()).unwrap();
        prop_assert_eq!(cut.rows.customers.read, whole.rows.customers.read + bounds.len() as u64 - 1);
        prop_assert!(cut.rows.customers.adds_up());
        cut.rows.customers = whole.rows.customers;
        prop_assert_eq!(cut, whole);
    }

    /// Shuffling every input gives the same metrics.
    #[test]
    fn metrics_do_not_depend_on_input_order(data in arbitrary_data()) {
        let a = period_metrics(&data, march(), &PeriodConfig::default()).unwrap();
        let mut rev = data.clone();
        let mut spans: Vec<CustomerSpan> = rev.base.clone().into();
        spans.reverse();
        rev.base = CustomerBase::new(spans).unwrap();
        rev.activity.reverse();
        rev.complaints.reverse();
        let b = period_metrics(&rev, march(), &PeriodConfig::default()).unwrap();
        prop_assert_eq!(a, b);
    }
}
