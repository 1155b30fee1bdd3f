//! The tiers-with-treatments table: one row per customer with its value
//! tier, the evidence behind it, its behaviours and its treatment.
//!
//! The `crm classify` command (CSV, Parquet), `crm_engine.classify` in
//! Python and `crm_engine.spark.classify` all write this layout (golden
//! file `crates/crm-io/schemas/tiers.json`):
//!
//! | column | type | |
//! |---|---|---|
//! | `customer_id` | int64 or utf8 | integer ids stay integers |
//! | `value` | money ([`MoneyType`]) | the value ranked |
//! | `tier` | dictionary<int8, utf8> | [`Tier`] names |
//! | `rank` | uint64, null when inactive | competition rank |
//! | `share` | float64, null when inactive | value / positive total |
//! | `cumulative_share_before` | float64 | of the groups above the customer's tie group |
//! | `cumulative_share_after` | float64 | including the tie group |
//! | `tie_group_size` | uint64 | customers of equal value |
//! | `decision` | dictionary<int8, utf8> | [`Decision::NAMES`] |
//! | `behaviours` | list<utf8> | [`Behaviour`] names (CSV: `;`-joined) |
//! | `discount_share` | float64 | discount spend / spend, the price-driven evidence |
//! | `net_margin` | money | margin − cost to serve, the unprofitable evidence |
//! | `strategy` | dictionary<int8, utf8> | [`Strategy`](crm_core::value::treatment::Strategy) names |
//! | `service_model` | dictionary<int8, utf8> | |
//! | `contact` | dictionary<int8, utf8> | |
//! | `response_hours` | uint32 | |
//! | `policy_rule` | uint32 | the policy rule that gave the treatment |
//!
//! Shares are `float64`: they are read, plotted and summed, never compared
//! with a cut-off (crm-core decides tiers exactly, in integers), and a
//! double per customer is what a 10-million-customer table can afford.
//! Money follows [`MoneyType`]: exact `Decimal128(38, s)` by default.
//!
//! ```
//! use crm_core::records::customer::CustomerId;
//! use crm_core::value::assignment::{assign, AssignmentConfig};
//! use crm_io::tables::{layout, MoneyType, tiers};
//! use rust_decimal_macros::dec;
//!
//! let ids: Vec<CustomerId> = (1..=3).map(CustomerId::from).collect();
//! let a = assign(&ids, &[dec!(70), dec!(30), dec!(0)], None, &AssignmentConfig::default())?;
//! let t = tiers::table(&a, MoneyType::Decimal128);
//! assert_eq!(layout("tiers", &t.schema()), crm_io::tables::golden_layout("tiers").unwrap());
//! let batch = t.batch()?;
//! assert_eq!(batch.num_rows(), 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, DictionaryArray, Float64Array, Int8Array, ListArray, ListBuilder,
    StringArray, StringBuilder, UInt32Array, UInt64Array,
};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::datatypes::{DataType, Field, Int8Type, Int64Type};
use crm_core::records::customer::CustomerId;
use crm_core::value::assignment::Assignments;
use crm_core::value::behaviour::Behaviour;
use crm_core::value::tier::{Decision, Tier};
use crm_core::value::treatment::Treatment;
use crm_core::vocabulary::Vocabulary;
use rust_decimal::prelude::ToPrimitive;

use super::{MoneyType, Table, ids, money, null_floats, null_money};

/// The table's name: its golden layout is `schemas/tiers.json`.
pub const NAME: &str = "tiers";

/// The tiers-with-treatments table of an assignment run, in input order.
///
/// One sort for the tier evidence ([`crm_core::value::tier::Classification::evidence`])
/// and linear passes; a treatment is looked up once per (tier, behaviours)
/// pair.
///
/// ```
/// use crm_core::records::customer::CustomerId;
/// use crm_core::value::assignment::{assign, AssignmentConfig};
/// use crm_io::tables::{MoneyType, tiers};
/// use rust_decimal_macros::dec;
/// let a = assign(&[CustomerId::from(1)], &[dec!(5)], None, &AssignmentConfig::default())?;
/// let t = tiers::table(&a, MoneyType::Float64);
/// assert_eq!(t.names()[..3], ["customer_id", "value", "tier"]);
/// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
/// ```
pub fn table(a: &Assignments, money_type: MoneyType) -> Table {
    build(a, money_type, ids(a.ids()))
}

/// [`table`] with the caller's own id column as `customer_id`, shared, not
/// copied, when it holds exactly the assignment's ids in the layout's type
/// (`int64` without nulls): a front end that read the ids from that column
/// saves a copy of it. Any other column (another type, nulls, other ids) is
/// ignored and the ids are written from the assignment, so the table is
/// always the one [`table`] gives.
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{ArrayRef, Int64Array};
/// use crm_core::records::customer::CustomerId;
/// use crm_core::value::assignment::{assign, AssignmentConfig};
/// use crm_io::tables::{MoneyType, tiers};
/// use rust_decimal_macros::dec;
/// let column: ArrayRef = Arc::new(Int64Array::from(vec![7, 8]));
/// let ids = [CustomerId::from(7), CustomerId::from(8)];
/// let a = assign(&ids, &[dec!(1), dec!(2)], None, &AssignmentConfig::default())?;
/// let t = tiers::table_with_id_column(&a, MoneyType::Float64, &column);
/// assert!(Arc::ptr_eq(&t.batch().unwrap().columns()[0], &column));
/// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
/// ```
pub fn table_with_id_column(a: &Assignments, money_type: MoneyType, column: &ArrayRef) -> Table {
    let same = column.null_count() == 0
        && column.len() == a.len()
        && column.as_primitive_opt::<Int64Type>().is_some_and(|c| {
            c.values()
                .iter()
                .zip(a.ids())
                .all(|(k, id)| matches!(id, CustomerId::Int(i) if i == k))
        });
    let ids = if same { column.clone() } else { ids(a.ids()) };
    build(a, money_type, ids)
}

fn build(a: &Assignments, money_type: MoneyType, id_column: ArrayRef) -> Table {
    let c = a.classification();
    let evidence = c.evidence();
    let values = (0..c.len()).map(|i| c.value(i));
    let n = a.len();
    // One pass over the customers for all group figures; inactive rows null.
    let cols = evidence.columns();
    let nulls = Some(NullBuffer::from(cols.active));
    let mut t = Table::default();
    t.push("customer_id", id_column)
        .push("value", money(money_type, values))
        .push(
            "tier",
            vocabulary(evidence.tiers().map(|t| t.code()), &Tier::names()),
        )
        .push(
            "rank",
            Arc::new(UInt64Array::new(cols.ranks.into(), nulls.clone())) as ArrayRef,
        )
        .push(
            "share",
            Arc::new(Float64Array::new(cols.shares.into(), nulls.clone())) as ArrayRef,
        )
        .push(
            "cumulative_share_before",
            Arc::new(Float64Array::new(
                cols.cumulative_shares_before.into(),
                nulls.clone(),
            )) as ArrayRef,
        )
        .push(
            "cumulative_share_after",
            Arc::new(Float64Array::new(
                cols.cumulative_shares_after.into(),
                nulls,
            )) as ArrayRef,
        )
        .push(
            "tie_group_size",
            Arc::new(UInt64Array::new(cols.tie_group_sizes.into(), None)) as ArrayRef,
        )
        .push(
            "decision",
            vocabulary(evidence.decisions().map(Decision::code), &Decision::NAMES),
        );
    if a.signals_given() {
        let behaviour = a.behaviours();
        t.push("behaviours", behaviour_lists(a))
            .push(
                "discount_share",
                floats(
                    behaviour
                        .clone()
                        .map(|b| b.discount_share.and_then(|d| d.to_f64())),
                ),
            )
            .push(
                "net_margin",
                money(money_type, behaviour.map(|b| b.net_margin)),
            );
    } else {
        // Nobody flagged, no evidence: empty lists and null columns built
        // from zeroed buffers, which cost no memory until written.
        t.push("behaviours", empty_lists(n))
            .push("discount_share", null_floats(n))
            .push("net_margin", null_money(money_type, n));
    }
    let treatments = Treatments::of(a, &evidence);
    t.push("strategy", treatments.names(|r| r.0.strategy.as_str()))
        .push(
            "service_model",
            treatments.names(|r| r.0.service_model.as_str()),
        )
        .push("contact", treatments.names(|r| r.0.contact.as_str()))
        .push(
            "response_hours",
            Arc::new(UInt32Array::from_iter_values(
                treatments.each(|r| r.0.response_hours),
            )) as ArrayRef,
        )
        .push(
            "policy_rule",
            Arc::new(UInt32Array::from_iter_values(
                treatments.each(|r| u32::try_from(r.1).unwrap_or(u32::MAX)),
            )) as ArrayRef,
        );
    t
}

/// The per-tier summary table, highest tier first: `tier`, `customers`,
/// `value` (money), `value_share`, `customer_share` (float64).
///
/// ```
/// use crm_core::records::customer::CustomerId;
/// use crm_core::value::assignment::{assign, AssignmentConfig};
/// use crm_io::tables::{MoneyType, tiers};
/// use rust_decimal_macros::dec;
/// let a = assign(&[CustomerId::from(1)], &[dec!(5)], None, &AssignmentConfig::default())?;
/// assert_eq!(tiers::summary_table(&a, MoneyType::Decimal128).batch().unwrap().num_rows(), 4);
/// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
/// ```
pub fn summary_table(a: &Assignments, money_type: MoneyType) -> Table {
    let s = a.summary();
    let mut t = Table::default();
    t.push(
        "tier",
        Arc::new(StringArray::from_iter_values(
            s.iter().map(|r| r.tier.name()),
        )) as ArrayRef,
    )
    .push(
        "customers",
        Arc::new(UInt64Array::from_iter_values(s.iter().map(|r| r.customers))) as ArrayRef,
    )
    .push("value", money(money_type, s.iter().map(|r| Some(r.value))))
    .push(
        "value_share",
        floats(s.iter().map(|r| r.value_share.to_f64())),
    )
    .push(
        "customer_share",
        floats(s.iter().map(|r| r.customer_share.to_f64())),
    );
    t
}

/// Each customer's treatment and policy rule, looked up once per
/// (tier, behaviours) pair: a customer carries only the pair's slot (two
/// bytes), and each column reads the slot's treatment.
struct Treatments {
    memo: Vec<(Treatment, usize)>,
    slots: Vec<u16>,
}

impl Treatments {
    fn of(a: &Assignments, evidence: &crm_core::value::tier::Evidence) -> Treatments {
        let policy = &a.config().policy;
        let combos = 1_usize << Behaviour::ALL.len();
        let mut index: Vec<Option<u16>> = vec![None; Tier::ALL.len() * combos];
        let mut memo = Vec::new();
        let slots = evidence
            .tiers()
            .zip(a.behaviours())
            .map(|(tier, b)| {
                let bits = b
                    .behaviours
                    .iter()
                    .fold(0_usize, |acc, x| acc | (1 << x.code()));
                *index[tier.code() * combos + bits].get_or_insert_with(|| {
                    memo.push((
                        policy.treatment(tier, b.behaviours),
                        policy.rule_index(tier, b.behaviours),
                    ));
                    // At most Tier::ALL × 2^Behaviour::ALL pairs: far below u16.
                    u16::try_from(memo.len() - 1).unwrap_or(u16::MAX)
                })
            })
            .collect();
        Treatments { memo, slots }
    }

    /// A dictionary column of one name of every customer's treatment, the
    /// categories in order of first appearance (deterministic for a given
    /// input). A name is looked up once per slot, not once per customer.
    fn names(&self, name: impl Fn(&(Treatment, usize)) -> &'static str) -> ArrayRef {
        let mut seen: Vec<&str> = Vec::new();
        let mut key_of_slot: Vec<Option<i8>> = vec![None; self.memo.len()];
        let keys = Int8Array::from_iter_values(self.slots.iter().map(|&s| {
            let slot = usize::from(s);
            *key_of_slot[slot].get_or_insert_with(|| {
                let n = name(&self.memo[slot]);
                let at = seen.iter().position(|x| *x == n).unwrap_or_else(|| {
                    seen.push(n);
                    seen.len() - 1
                });
                // The categories are a vocabulary's names: far below i8::MAX.
                i8::try_from(at).unwrap_or(0)
            })
        }));
        dictionary(keys, &seen)
    }

    /// One field of every customer's (treatment, policy rule), in input order.
    fn each<'a, T: 'a>(
        &'a self,
        field: impl Fn(&'a (Treatment, usize)) -> T + 'a,
    ) -> impl Iterator<Item = T> + 'a {
        self.slots
            .iter()
            .map(move |&s| field(&self.memo[usize::from(s)]))
    }
}

fn floats(values: impl Iterator<Item = Option<f64>>) -> ArrayRef {
    Arc::new(values.collect::<Float64Array>())
}

/// A dictionary column over a whole vocabulary (`names`, by code): every
/// table has the same categories whatever its data.
fn vocabulary(codes: impl Iterator<Item = usize>, names: &[&str]) -> ArrayRef {
    let keys = Int8Array::from_iter_values(codes.map(|c| i8::try_from(c).unwrap_or(0)));
    dictionary(keys, names)
}

fn dictionary(keys: Int8Array, names: &[&str]) -> ArrayRef {
    let values: ArrayRef = Arc::new(StringArray::from_iter_values(names));
    // Keys are positions in `names` by construction; an empty vocabulary
    // only comes with an empty column.
    match DictionaryArray::<Int8Type>::try_new(keys, values.clone()) {
        Ok(d) => Arc::new(d),
        Err(_) => Arc::new(DictionaryArray::<Int8Type>::new(
            Int8Array::from(Vec::<i8>::new()),
            values,
        )),
    }
}

/// The behaviours of every customer as a list of names.
fn behaviour_lists(a: &Assignments) -> ArrayRef {
    let rows = a.behaviours();
    let mut list = ListBuilder::with_capacity(StringBuilder::new(), rows.len());
    for b in rows {
        for x in b.behaviours.iter() {
            list.values().append_value(x.name());
        }
        list.append(true);
    }
    Arc::new(list.finish())
}

/// `n` empty behaviour lists, in the type [`behaviour_lists`] builds.
fn empty_lists(n: usize) -> ArrayRef {
    let field = Arc::new(Field::new_list_field(DataType::Utf8, true));
    let values: ArrayRef = Arc::new(StringArray::from(Vec::<&str>::new()));
    // vec! takes the zeros from the allocator (see `null_floats`).
    let offsets = OffsetBuffer::new(vec![0_i32; n + 1].into());
    match ListArray::try_new(field, offsets, values, None) {
        Ok(l) => Arc::new(l),
        // Unreachable: zero offsets over an empty child are a valid list.
        Err(_) => {
            let mut list = ListBuilder::with_capacity(StringBuilder::new(), n);
            (0..n).for_each(|_| list.append(true));
            Arc::new(list.finish())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{golden_layout, layout};
    use arrow::array::{Array, AsArray};
    use crm_core::records::customer::CustomerId;
    use crm_core::value::assignment::{AssignmentConfig, assign};
    use crm_core::value::behaviour::BehaviourSignals;
    use rust_decimal_macros::dec;

    fn sample() -> Assignments {
        let ids: Vec<CustomerId> = vec!["a".into(), "b".into(), "c".into(), "d".into()];
        let signals = [
            BehaviourSignals::default(),
            BehaviourSignals {
                spend: Some(dec!(30)),
                discount_spend: Some(dec!(25)),
                ..Default::default()
            },
            BehaviourSignals {
                margin: Some(dec!(1)),
                cost_to_serve: Some(dec!(5)),
                ..Default::default()
            },
            BehaviourSignals::default(),
        ];
        assign(
            &ids,
            &[dec!(45), dec!(35), dec!(20), dec!(-2)],
            Some(&signals),
            &AssignmentConfig::default(),
        )
        .unwrap()
    }

    #[test]
    fn the_layout_is_the_golden_one_for_both_money_types_and_id_kinds() {
        let golden = golden_layout(NAME).unwrap();
        let ids: Vec<CustomerId> = vec![1.into(), 2.into()];
        let a = assign(
            &ids,
            &[dec!(1), dec!(0)],
            None,
            &AssignmentConfig::default(),
        )
        .unwrap();
        let t = table(&a, MoneyType::Decimal128);
        t.batch().unwrap();
        assert_eq!(layout(NAME, &t.schema()), golden);
        // The options: float64 money, and text ids.
        let t = table(&a, MoneyType::Float64);
        assert_eq!(
            layout(NAME, &t.schema()),
            golden.replace("Decimal128(38, *)", "Float64")
        );
        let t = table(&sample(), MoneyType::Decimal128);
        assert_eq!(
            layout(NAME, &t.schema()),
            golden.replace(
                "\"customer_id\", \"type\": \"Int64\"",
                "\"customer_id\", \"type\": \"Utf8\""
            )
        );
    }

    #[test]
    fn rows_carry_the_evidence_behaviours_and_treatments() {
        let a = sample();
        let b = table(&a, MoneyType::Decimal128).batch().unwrap();
        let col = |name: &str| b.column_by_name(name).unwrap().clone();
        let text = |name: &str| -> Vec<String> {
            let c = arrow::compute::cast(&col(name), &arrow::datatypes::DataType::Utf8).unwrap();
            c.as_string::<i32>()
                .iter()
                .map(|s| s.unwrap_or("").to_owned())
                .collect()
        };
        assert_eq!(
            text("tier"),
            ["most_valuable", "major", "ordinary", "inactive"]
        );
        assert_eq!(
            text("decision"),
            [
                "before_first_cutoff",
                "before_second_cutoff",
                "past_second_cutoff",
                "non_positive_value"
            ]
        );
        for (i, row) in a.iter().enumerate() {
            assert_eq!(text("strategy")[i], row.treatment.strategy.as_str());
            assert_eq!(text("contact")[i], row.treatment.contact.as_str());
        }
        let ranks = col("rank");
        let ranks = ranks.as_primitive::<arrow::datatypes::UInt64Type>();
        assert_eq!(
            ranks.iter().collect::<Vec<_>>(),
            [Some(1), Some(2), Some(3), None]
        );
        let after = col("cumulative_share_after");
        let after = after.as_primitive::<arrow::datatypes::Float64Type>();
        assert_eq!(after.value(1), 0.8);
        assert!(after.is_null(3));
        let lists = col("behaviours");
        let lists = lists.as_list::<i32>();
        let names = |i: usize| -> Vec<String> {
            let v = lists.value(i);
            v.as_string::<i32>()
                .iter()
                .map(|s| s.unwrap_or("").to_owned())
                .collect()
        };
        assert_eq!(names(1), ["price_driven"]);
        assert_eq!(names(2), ["unprofitable"]);
        assert!(names(0).is_empty());
    }

    #[test]
    fn evidence_columns_equal_the_per_customer_explanations() {
        let a = sample();
        let b = table(&a, MoneyType::Decimal128).batch().unwrap();
        let share = b.column_by_name("share").unwrap().clone();
        let share = share.as_primitive::<arrow::datatypes::Float64Type>();
        let size = b.column_by_name("tie_group_size").unwrap().clone();
        let size = size.as_primitive::<arrow::datatypes::UInt64Type>();
        for (i, row) in a.iter().enumerate() {
            let why = row.tier;
            assert_eq!(share.is_null(i), why.share.is_none());
            if let Some(s) = why.share {
                assert!((share.value(i) - s.to_f64().unwrap()).abs() < 1e-15);
            }
            assert_eq!(size.value(i), why.tie_group_size);
        }
    }
}
