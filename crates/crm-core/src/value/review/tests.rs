use super::*;
use proptest::prelude::*;

fn tier_strategy() -> impl Strategy<Value = Tier> {
    prop::sample::select(Tier::ALL.to_vec())
}

fn period_strategy(label: &'static str) -> impl Strategy<Value = Period> {
    prop::collection::btree_map(0_i64..30, (tier_strategy(), 0_i64..1000), 0..20).prop_map(
        move |m| {
            Period::new(
                label,
                m.into_iter()
                    .map(|(id, (tier, v))| TierSnapshot {
                        customer: id.into(),
                        tier,
                        value: Decimal::from(v),
                        rank: None,
                    })
                    .collect(),
            )
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The transition cells count every move once, each in the cell of its own tiers.
    #[test]
    fn transitions_count_every_move_once(a in period_strategy("a"), b in period_strategy("b")) {
        let r = review_pair(&a, &b, &presence()).unwrap();
        let t = r.transitions();
        prop_assert_eq!(t.iter().map(|c| c.customers).sum::<u64>(), r.moves.len() as u64);
        for c in &t {
            let n = r.moves.iter().filter(|m| m.from == c.from && m.to == c.to).count() as u64;
            prop_assert_eq!(c.customers, n);
        }
    }

    /// Every customer of either period gets exactly one move, and the counts add up.
    #[test]
    fn every_customer_moves_exactly_once(a in period_strategy("a"), b in period_strategy("b"), k in 0_u32..3) {
        let config = ReviewConfig { grace: GraceRule { demote_after: k }, membership: Membership::Presence };
        let r = review(&[a.clone(), b.clone()], &config).unwrap();
        let mut ids: Vec<CustomerId> = a.customers.iter().chain(&b.customers).map(|s| s.customer.clone()).collect();
        ids.sort();
        ids.dedup();
        let moved: Vec<CustomerId> = r[0].moves.iter().map(|m| m.customer.clone()).collect();
        prop_assert_eq!(moved, ids);
        prop_assert_eq!(r[0].counts.total() as usize, r[0].moves.len());
    }

    /// With no grace, the tier in force is always the measured tier.
    #[test]
    fn without_grace_moves_are_immediate(a in period_strategy("a"), b in period_strategy("b")) {
        let r = review_pair(&a, &b, &presence()).unwrap();
        for m in &r.moves {
            prop_assert_eq!(m.to, m.measured);
            prop_assert_ne!(m.kind, MoveKind::Held);
        }
    }

    /// The input order of a period changes no move.
    #[test]
    fn input_order_does_not_matter(a in period_strategy("a"), b in period_strategy("b")) {
        let mut rb = b.clone();
        rb.customers.reverse();
        let mut ra = a.clone();
        ra.customers.reverse();
        prop_assert_eq!(review_pair(&a, &b, &presence()).unwrap(), review_pair(&ra, &rb, &presence()).unwrap());
        let (a, b) = (with_all(a, 30), with_all(b, 30));
        let (ra, rb) = (with_all(ra, 30), with_all(rb, 30));
        prop_assert_eq!(review_pair(&a, &b, &base()).unwrap(), review_pair(&ra, &rb, &base()).unwrap());
    }

    /// With membership from a base that nobody joins or leaves, nobody is new
    /// or lost: every member moves once, and a quiet member is measured
    /// inactive with value 0.
    #[test]
    fn a_steady_base_has_no_new_and_no_lost_customers(a in period_strategy("a"), b in period_strategy("b"), k in 0_u32..3) {
        let (a, b) = (with_all(a, 30), with_all(b, 30));
        let config = ReviewConfig { grace: GraceRule { demote_after: k }, membership: Membership::Base };
        let r = &review(&[a, b.clone()], &config).unwrap()[0];
        prop_assert_eq!((r.counts.new, r.counts.lost), (0, 0));
        prop_assert_eq!(r.moves.len(), 30);
        for m in &r.moves {
            if !b.customers.iter().any(|s| s.customer == m.customer) {
                prop_assert_eq!((m.measured, m.current_value), (Some(Tier::Inactive), Some(Decimal::ZERO)));
            }
        }
    }

    /// Membership by presence is membership from a base whose members are
    /// exactly the classified customers of each period.
    #[test]
    fn presence_is_a_base_of_the_classified_customers(a in period_strategy("a"), b in period_strategy("b"), k in 0_u32..3) {
        let members = |p: &Period| p.clone().with_members(p.customers.iter().map(|s| s.customer.clone()));
        let grace = GraceRule { demote_after: k };
        let by_presence = review(&[a.clone(), b.clone()], &ReviewConfig { grace, membership: Membership::Presence }).unwrap();
        let by_base = review(&[members(&a), members(&b)], &ReviewConfig::with_grace(grace)).unwrap();
        prop_assert_eq!(by_presence, by_base);
    }
}

fn presence() -> ReviewConfig {
    ReviewConfig {
        membership: Membership::Presence,
        ..Default::default()
    }
}

fn base() -> ReviewConfig {
    ReviewConfig::default()
}

/// The period with every customer 0..n as a member.
fn with_all(p: Period, n: i64) -> Period {
    p.with_members((0..n).map(CustomerId::from))
}

fn snap(c: i64, tier: Tier, value: i64) -> TierSnapshot {
    TierSnapshot {
        customer: c.into(),
        tier,
        value: Decimal::from(value),
        rank: None,
    }
}

/// customer, move, from, to, current value
type Row = (i64, MoveKind, Option<Tier>, Option<Tier>, Option<Decimal>);

#[test]
fn a_quiet_member_is_demoted_to_inactive_not_lost() {
    // Members in both periods: 1, 2, 3, 4; 5 left after the first; 6 joined in the second.
    // Classified in the second: 1 (bought), 6 (new and bought). 2, 3, 4 are quiet.
    let a = Period::new(
        "a",
        vec![
            snap(1, Tier::MostValuable, 500),
            snap(2, Tier::Major, 200),
            snap(3, Tier::Inactive, 0),
            snap(5, Tier::Ordinary, 20),
        ],
    )
    .with_members([1, 2, 3, 4, 5].map(CustomerId::from));
    let b = Period::new(
        "b",
        vec![snap(1, Tier::MostValuable, 400), snap(6, Tier::Major, 90)],
    )
    .with_members([1, 2, 3, 4, 6].map(CustomerId::from));
    let r = review_pair(&a, &b, &base()).unwrap();
    let kinds: Vec<Row> = r
        .moves
        .iter()
        .map(|m| {
            let CustomerId::Int(c) = m.customer else {
                panic!("int ids")
            };
            (c, m.kind, m.from, m.to, m.current_value)
        })
        .collect();
    let zero = Some(Decimal::ZERO);
    assert_eq!(
        kinds,
        [
            // bought in both, same tier
            (
                1,
                MoveKind::Unchanged,
                Some(Tier::MostValuable),
                Some(Tier::MostValuable),
                Some(Decimal::from(400))
            ),
            // quiet: demoted from major to inactive, value 0
            (
                2,
                MoveKind::Demoted,
                Some(Tier::Major),
                Some(Tier::Inactive),
                zero
            ),
            // quiet, and inactive before: unchanged
            (
                3,
                MoveKind::Unchanged,
                Some(Tier::Inactive),
                Some(Tier::Inactive),
                zero
            ),
            // a member in both, never classified: inactive in both
            (
                4,
                MoveKind::Unchanged,
                Some(Tier::Inactive),
                Some(Tier::Inactive),
                zero
            ),
            // left the base
            (5, MoveKind::Lost, Some(Tier::Ordinary), None, None),
            // joined the base
            (
                6,
                MoveKind::New,
                None,
                Some(Tier::Major),
                Some(Decimal::from(90))
            ),
        ]
    );
    assert_eq!(
        r.counts,
        MoveCounts {
            promoted: 0,
            demoted: 1,
            held: 0,
            unchanged: 3,
            new: 1,
            lost: 1
        }
    );
    // The grace rule holds a quiet member as any customer measured below his tier.
    let held = review_pair(
        &a,
        &b,
        &ReviewConfig::with_grace(GraceRule { demote_after: 1 }),
    )
    .unwrap();
    assert_eq!(
        (held.moves[1].kind, held.moves[1].to, held.moves[1].measured),
        (MoveKind::Held, Some(Tier::Major), Some(Tier::Inactive))
    );
    // The old rule, chosen explicitly: 2 and 3 are lost, 4 is nowhere.
    let old = review_pair(&a, &b, &presence()).unwrap();
    assert_eq!(
        (old.counts.lost, old.counts.new, old.moves.len()),
        (3, 1, 5)
    );
}

#[test]
fn base_membership_refuses_missing_members_and_classified_outsiders() {
    let a = Period::new("a", vec![snap(1, Tier::Major, 5)]).with_members([1.into()]);
    let no_members = Period::new("b", vec![snap(1, Tier::Major, 5)]);
    assert_eq!(
        review_pair(&a, &no_members, &base()).unwrap_err(),
        ReviewError::NoMembers { period: "b".into() }
    );
    let outsider = Period::new("b", vec![snap(1, Tier::Major, 5), snap(7, Tier::Major, 5)])
        .with_members([1.into()]);
    assert_eq!(
        review_pair(&a, &outsider, &base()).unwrap_err(),
        ReviewError::NotAMember {
            period: "b".into(),
            customer: 7.into(),
            row: 2
        }
    );
    // Presence ignores members altogether.
    assert!(review_pair(&a, &outsider, &presence()).is_ok());
}
