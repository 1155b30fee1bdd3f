//! Customer delivered value (顾客让渡价值, Kotler).
//!
//! A customer does not buy the cheapest offer nor the best product: he buys
//! the offer that leaves him the most, what he gets minus what it costs him
//! in money, time, effort and stamina (docs/DOMAIN.md section 2):
//!
//! - total customer value (总顾客价值) = product + service + personnel + image
//!   value (产品、服务、人员、形象价值);
//! - total customer cost (总顾客成本) = monetary + time + energy + physical cost
//!   (货币、时间、精力、体力成本);
//! - delivered value = total value − total cost, and the value/cost ratio.
//!
//! The non-monetary parts are brought to money by the caller, either directly
//! or as a quantity times a unit value ([`Amount::Quantity`]: 3 hours × 40 a
//! an hour). A firm compares its offer with competitors' ([`compare_offers`]):
//! which offer the customer would choose, the firm's advantage or deficit
//! against the best competitor, and which components drive the gap, so that
//! it knows whether to raise value or lower cost.
//!
//! Segments weigh components differently (a busy professional prices time
//! higher than a student): [`Weights`] multiply each component before the
//! sums; [`WeightTable`] keeps weights per customer segment. All arithmetic
//! is exact [`Decimal`]. A total cost of zero leaves the ratio undefined
//! (`None`), never a division panic.
//!
//! ```
//! use crm_core::relationship::delivered_value::{compare_offers, Offer, Weights};
//! use rust_decimal_macros::dec;
//!
//! let ours = Offer::money("ours", [dec!(100), dec!(30), dec!(10), dec!(10)], [dec!(80), dec!(10), dec!(5), dec!(5)]);
//! let theirs = Offer::money("rival", [dec!(110), dec!(10), dec!(10), dec!(10)], [dec!(70), dec!(20), dec!(5), dec!(5)]);
//! let c = compare_offers(&[ours, theirs], "ours", &Weights::default())?;
//! // ours: 150 − 100 = 50; rival: 140 − 100 = 40
//! assert_eq!(c.chosen, "ours");
//! assert_eq!(c.advantage, Some(dec!(10)));
//! assert_eq!(c.gaps[0].component.as_str(), "service_value"); // +20 of the +10 gap
//! # Ok::<(), crm_core::relationship::delivered_value::DeliveredValueError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One of the eight parts of delivered value.
///
/// ```
/// use crm_core::relationship::delivered_value::Component;
/// assert_eq!(Component::TimeCost.as_str(), "time_cost");
/// assert!(!Component::TimeCost.is_value());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Component {
    /// 产品价值: what the product does for the customer.
    ProductValue,
    /// 服务价值: delivery, installation, training, support.
    ServiceValue,
    /// 人员价值: the competence and attitude of the firm's people.
    PersonnelValue,
    /// 形象价值: what the brand says about the buyer.
    ImageValue,
    /// 货币成本: the price paid.
    MonetaryCost,
    /// 时间成本: time spent searching, waiting, travelling.
    TimeCost,
    /// 精力成本: mental effort (comparing, deciding, complaining).
    EnergyCost,
    /// 体力成本: physical effort (carrying, queueing).
    PhysicalCost,
}

impl Component {
    /// The four value parts then the four cost parts, the order of every
    /// array in this module.
    ///
    /// ```
    /// use crm_core::relationship::delivered_value::Component;
    /// assert_eq!(Component::ALL.len(), 8);
    /// ```
    pub const ALL: [Component; 8] = [
        Component::ProductValue,
        Component::ServiceValue,
        Component::PersonnelValue,
        Component::ImageValue,
        Component::MonetaryCost,
        Component::TimeCost,
        Component::EnergyCost,
        Component::PhysicalCost,
    ];

    /// The snake_case name used in JSON and Python.
    ///
    /// ```
    /// use crm_core::relationship::delivered_value::Component;
    /// assert_eq!(Component::ImageValue.as_str(), "image_value");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Component::ProductValue => "product_value",
            Component::ServiceValue => "service_value",
            Component::PersonnelValue => "personnel_value",
            Component::ImageValue => "image_value",
            Component::MonetaryCost => "monetary_cost",
            Component::TimeCost => "time_cost",
            Component::EnergyCost => "energy_cost",
            Component::PhysicalCost => "physical_cost",
        }
    }

    /// True for the four value parts, false for the four costs.
    ///
    /// ```
    /// use crm_core::relationship::delivered_value::Component;
    /// assert!(Component::ProductValue.is_value());
    /// ```
    pub fn is_value(self) -> bool {
        (self as usize) < 4
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A component's amount: money, or a quantity brought to money by a unit
/// value (hours × value of an hour).
///
/// In JSON money is a string (`"12.50"`) and a quantity an object
/// (`{"quantity": "3", "unit_value": "40"}`).
///
/// ```
/// use crm_core::relationship::delivered_value::Amount;
/// use rust_decimal_macros::dec;
/// let wait = Amount::Quantity { quantity: dec!(1.5), unit_value: dec!(40) };
/// assert_eq!(wait.money(), Some(dec!(60.0)));
/// assert_eq!(serde_json::to_string(&Amount::Money(dec!(12.5))).unwrap(), r#""12.5""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Amount {
    /// Already in money.
    Money(Decimal),
    /// `quantity × unit_value`.
    Quantity {
        /// How much (hours, visits, kilometres).
        quantity: Decimal,
        /// The money one unit is worth to the customer.
        unit_value: Decimal,
    },
}

impl Default for Amount {
    fn default() -> Self {
        Amount::Money(Decimal::ZERO)
    }
}

impl Amount {
    /// The amount in money; `None` when the product leaves Decimal's range.
    ///
    /// ```
    /// use crm_core::relationship::delivered_value::Amount;
    /// use rust_decimal_macros::dec;
    /// assert_eq!(Amount::Money(dec!(3)).money(), Some(dec!(3)));
    /// ```
    pub fn money(self) -> Option<Decimal> {
        match self {
            Amount::Money(m) => Some(m),
            Amount::Quantity {
                quantity,
                unit_value,
            } => quantity.checked_mul(unit_value),
        }
    }

    fn is_negative(self) -> bool {
        let neg = |d: Decimal| d.is_sign_negative() && !d.is_zero();
        match self {
            Amount::Money(m) => neg(m),
            Amount::Quantity {
                quantity,
                unit_value,
            } => neg(quantity) || neg(unit_value),
        }
    }
}

/// One offer as a customer sees it: four value parts and four cost parts, in
/// [`Component::ALL`] order.
///
/// ```
/// use crm_core::relationship::delivered_value::{Amount, Offer};
/// use rust_decimal_macros::dec;
/// let mut o = Offer::money("ours", [dec!(100), dec!(0), dec!(0), dec!(0)], [dec!(60), dec!(0), dec!(0), dec!(0)]);
/// o.cost[1] = Amount::Quantity { quantity: dec!(2), unit_value: dec!(15) }; // two hours at 15
/// assert_eq!(serde_json::from_str::<Offer>(&serde_json::to_string(&o).unwrap()).unwrap(), o);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Offer {
    /// The offer's name (ours, a competitor's).
    pub name: String,
    /// Product, service, personnel, image value.
    pub value: [Amount; 4],
    /// Monetary, time, energy, physical cost.
    pub cost: [Amount; 4],
}

impl Offer {
    /// An offer whose eight parts are all money.
    ///
    /// ```
    /// use crm_core::relationship::delivered_value::Offer;
    /// use rust_decimal_macros::dec;
    /// let o = Offer::money("a", [dec!(1); 4], [dec!(1); 4]);
    /// assert_eq!(o.name, "a");
    /// ```
    pub fn money(name: &str, value: [Decimal; 4], cost: [Decimal; 4]) -> Offer {
        Offer {
            name: name.to_owned(),
            value: value.map(Amount::Money),
            cost: cost.map(Amount::Money),
        }
    }

    /// The amount of one component.
    ///
    /// ```
    /// use crm_core::relationship::delivered_value::{Amount, Component, Offer};
    /// use rust_decimal_macros::dec;
    /// let o = Offer::money("a", [dec!(1), dec!(2), dec!(3), dec!(4)], [dec!(5), dec!(6), dec!(7), dec!(8)]);
    /// assert_eq!(o.amount(Component::TimeCost), Amount::Money(dec!(6)));
    /// ```
    pub fn amount(&self, c: Component) -> Amount {
        let i = c as usize;
        if i < 4 {
            self.value[i]
        } else {
            self.cost[i - 4]
        }
    }
}

/// A multiplier per component (default 1 each): how much a segment cares
/// about each part. Must not be negative.
///
/// ```
/// use crm_core::relationship::delivered_value::{Component, Weights};
/// use rust_decimal_macros::dec;
/// let busy = Weights::default().with(Component::TimeCost, dec!(2));
/// assert_eq!(busy.weight(Component::TimeCost), dec!(2));
/// assert_eq!(busy.weight(Component::MonetaryCost), dec!(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Weights(pub [Decimal; 8]);

impl Default for Weights {
    fn default() -> Self {
        Weights([Decimal::ONE; 8])
    }
}

impl Weights {
    /// These weights with one component's weight replaced.
    ///
    /// ```
    /// use crm_core::relationship::delivered_value::{Component, Weights};
    /// use rust_decimal_macros::dec;
    /// assert_eq!(Weights::default().with(Component::ImageValue, dec!(0)).weight(Component::ImageValue), dec!(0));
    /// ```
    #[must_use]
    pub fn with(mut self, c: Component, w: Decimal) -> Weights {
        self.0[c as usize] = w;
        self
    }

    /// One component's weight.
    ///
    /// ```
    /// use crm_core::relationship::delivered_value::{Component, Weights};
    /// assert_eq!(Weights::default().weight(Component::ProductValue), rust_decimal::Decimal::ONE);
    /// ```
    pub fn weight(&self, c: Component) -> Decimal {
        self.0[c as usize]
    }

    /// Checks that no weight is negative.
    ///
    /// # Errors
    ///
    /// [`DeliveredValueError::NegativeWeight`] naming the component.
    ///
    /// ```
    /// use crm_core::relationship::delivered_value::{Component, Weights};
    /// use rust_decimal_macros::dec;
    /// assert!(Weights::default().with(Component::TimeCost, dec!(-1)).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), DeliveredValueError> {
        match Component::ALL
            .into_iter()
            .find(|c| self.weight(*c).is_sign_negative() && !self.weight(*c).is_zero())
        {
            Some(component) => Err(DeliveredValueError::NegativeWeight { component }),
            None => Ok(()),
        }
    }
}

/// Weights per customer segment, with a default for segments not listed.
///
/// ```
/// use crm_core::relationship::delivered_value::{Component, WeightTable, Weights};
/// use rust_decimal_macros::dec;
/// let mut t = WeightTable::default();
/// t.segments.insert("business".into(), Weights::default().with(Component::TimeCost, dec!(3)));
/// assert_eq!(t.for_segment(Some("business")).weight(Component::TimeCost), dec!(3));
/// assert_eq!(t.for_segment(Some("student")).weight(Component::TimeCost), dec!(1));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct WeightTable {
    /// Weights of segments not listed (and of no segment).
    pub default: Weights,
    /// Weights by segment name.
    pub segments: BTreeMap<String, Weights>,
}

impl WeightTable {
    /// The weights of a segment (the default when it is not listed).
    ///
    /// ```
    /// use crm_core::relationship::delivered_value::WeightTable;
    /// assert_eq!(WeightTable::default().for_segment(None), &Default::default());
    /// ```
    pub fn for_segment(&self, segment: Option<&str>) -> &Weights {
        segment
            .and_then(|s| self.segments.get(s))
            .unwrap_or(&self.default)
    }
}

/// One offer's delivered value.
///
/// ```
/// use crm_core::relationship::delivered_value::{delivered_value, Offer, Weights};
/// use rust_decimal_macros::dec;
/// let free = Offer::money("free", [dec!(10), dec!(0), dec!(0), dec!(0)], [dec!(0); 4]);
/// let d = delivered_value(&free, &Weights::default())?;
/// assert_eq!(d.delivered_value, dec!(10));
/// assert_eq!(d.value_cost_ratio, None); // zero total cost: ratio undefined
/// assert_eq!(serde_json::to_string(&d).unwrap(), concat!(
///     r#"{"offer":"free","components":["10","0","0","0","0","0","0","0"],"#,
///     r#""total_value":"10","total_cost":"0","delivered_value":"10","value_cost_ratio":null}"#));
/// # Ok::<(), crm_core::relationship::delivered_value::DeliveredValueError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct DeliveredValue {
    /// The offer's name.
    pub offer: String,
    /// Each component in money after its weight, in [`Component::ALL`] order.
    pub components: [Decimal; 8],
    /// Σ weighted value parts (总顾客价值).
    pub total_value: Decimal,
    /// Σ weighted cost parts (总顾客成本).
    pub total_cost: Decimal,
    /// total value − total cost (顾客让渡价值).
    pub delivered_value: Decimal,
    /// total value / total cost; `None` when the total cost is zero.
    pub value_cost_ratio: Option<Decimal>,
}

/// What drives the gap between our offer and the best competitor on one
/// component, in the direction of delivered value: a value part we give more
/// of, or a cost part we ask less of, is positive.
///
/// ```
/// use crm_core::relationship::delivered_value::{Component, ComponentGap};
/// use rust_decimal_macros::dec;
/// let g = ComponentGap { component: Component::MonetaryCost, ours: dec!(90), theirs: dec!(100), effect: dec!(10) };
/// assert!(g.effect > dec!(0)); // cheaper: in our favour
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ComponentGap {
    /// The component.
    pub component: Component,
    /// Our weighted amount.
    pub ours: Decimal,
    /// The competitor's weighted amount.
    pub theirs: Decimal,
    /// Its effect on our advantage: ours − theirs for a value part, theirs −
    /// ours for a cost part. The effects sum to the advantage.
    pub effect: Decimal,
}

/// Our offer against competitors'.
///
/// ```
/// use crm_core::relationship::delivered_value::{compare_offers, Offer, Weights};
/// use rust_decimal_macros::dec;
/// let only = Offer::money("ours", [dec!(5); 4], [dec!(5); 4]);
/// let c = compare_offers(&[only], "ours", &Weights::default())?;
/// assert_eq!(c.advantage, None); // no competitor to compare with
/// # Ok::<(), crm_core::relationship::delivered_value::DeliveredValueError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct OfferComparison {
    /// Every offer's delivered value, in input order.
    pub offers: Vec<DeliveredValue>,
    /// The offer the customer would choose: the largest delivered value; on
    /// a tie, ours if it is among the best, else the first name in byte
    /// order (so input order never matters).
    pub chosen: String,
    /// Our offer's name.
    pub ours: String,
    /// The best competitor (largest delivered value, ties by name); `None`
    /// without competitors.
    pub best_competitor: Option<String>,
    /// Our delivered value − the best competitor's (negative: a deficit).
    pub advantage: Option<Decimal>,
    /// The gap by component, largest absolute effect first (ties in
    /// [`Component::ALL`] order); empty without competitors.
    pub gaps: Vec<ComponentGap>,
}

/// An offer or a weight that cannot be right.
///
/// ```
/// use crm_core::relationship::delivered_value::{compare_offers, DeliveredValueError, Offer, Weights};
/// let e = compare_offers(&[], "ours", &Weights::default()).unwrap_err();
/// assert_eq!(e, DeliveredValueError::OurOfferMissing { ours: "ours".into() });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum DeliveredValueError {
    /// A component amount (money, quantity or unit value) is negative.
    #[error("offer `{offer}` (row {row}): {component} is negative: the rule is amount >= 0")]
    Negative {
        /// The offer.
        offer: String,
        /// Its position in the input (1-based data row).
        row: usize,
        /// The component.
        component: Component,
    },
    /// A weight is negative.
    #[error("weight of {component} is negative: the rule is weight >= 0")]
    NegativeWeight {
        /// The component.
        component: Component,
    },
    /// Two offers share a name.
    #[error(
        "offer `{offer}` appears twice (rows {first_row} and {second_row}): the rule is one row per offer"
    )]
    DuplicateOffer {
        /// The name.
        offer: String,
        /// Its first row (1-based data row).
        first_row: usize,
        /// Its second row (1-based data row).
        second_row: usize,
    },
    /// No offer has our name.
    #[error("no offer is named `{ours}`: the rule is that our offer is among the offers compared")]
    OurOfferMissing {
        /// The name looked for.
        ours: String,
    },
    /// A product or sum left Decimal's range.
    #[error("offer `{offer}`: {component} overflows Decimal")]
    Overflow {
        /// The offer.
        offer: String,
        /// Where.
        component: Component,
    },
}

fn weighted(
    offer: &Offer,
    row: usize,
    weights: &Weights,
) -> Result<[Decimal; 8], DeliveredValueError> {
    let mut out = [Decimal::ZERO; 8];
    for (slot, c) in out.iter_mut().zip(Component::ALL) {
        let amount = offer.amount(c);
        if amount.is_negative() {
            return Err(DeliveredValueError::Negative {
                offer: offer.name.clone(),
                row,
                component: c,
            });
        }
        let overflow = || DeliveredValueError::Overflow {
            offer: offer.name.clone(),
            component: c,
        };
        *slot = amount
            .money()
            .and_then(|m| m.checked_mul(weights.weight(c)))
            .ok_or_else(overflow)?;
    }
    Ok(out)
}

fn evaluate(
    offer: &Offer,
    row: usize,
    weights: &Weights,
) -> Result<DeliveredValue, DeliveredValueError> {
    let components = weighted(offer, row, weights)?;
    let sum = |part: &[Decimal], c: Component| {
        part.iter()
            .try_fold(Decimal::ZERO, |acc, x| acc.checked_add(*x))
            .ok_or_else(|| DeliveredValueError::Overflow {
                offer: offer.name.clone(),
                component: c,
            })
    };
    let total_value = sum(&components[..4], Component::ImageValue)?;
    let total_cost = sum(&components[4..], Component::PhysicalCost)?;
    let delivered_value =
        total_value
            .checked_sub(total_cost)
            .ok_or_else(|| DeliveredValueError::Overflow {
                offer: offer.name.clone(),
                component: Component::MonetaryCost,
            })?;
    let value_cost_ratio = if total_cost.is_zero() {
        None
    } else {
        total_value.checked_div(total_cost)
    };
    Ok(DeliveredValue {
        offer: offer.name.clone(),
        components,
        total_value,
        total_cost,
        delivered_value,
        value_cost_ratio,
    })
}

/// The delivered value of one offer under `weights`.
///
/// # Errors
///
/// A negative amount or weight, or an overflow.
///
/// ```
/// use crm_core::relationship::delivered_value::{delivered_value, Offer, Weights};
/// use rust_decimal_macros::dec;
/// // value 120 + 20 + 5 + 5 = 150; cost 100 + 20 + 5 + 0 = 125; 150 / 125 = 1.2
/// let o = Offer::money("x", [dec!(120), dec!(20), dec!(5), dec!(5)], [dec!(100), dec!(20), dec!(5), dec!(0)]);
/// let d = delivered_value(&o, &Weights::default())?;
/// assert_eq!((d.delivered_value, d.value_cost_ratio), (dec!(25), Some(dec!(1.2))));
/// # Ok::<(), crm_core::relationship::delivered_value::DeliveredValueError>(())
/// ```
pub fn delivered_value(
    offer: &Offer,
    weights: &Weights,
) -> Result<DeliveredValue, DeliveredValueError> {
    weights.validate()?;
    evaluate(offer, 0, weights)
}

/// The best of `candidates` by delivered value; ties go to `prefer` when it
/// is among them, else to the smallest name.
fn best<'a>(
    candidates: impl Iterator<Item = &'a DeliveredValue>,
    prefer: Option<&str>,
) -> Option<&'a DeliveredValue> {
    candidates.reduce(|a, b| {
        let b_wins = b.delivered_value > a.delivered_value
            || (b.delivered_value == a.delivered_value
                && Some(a.offer.as_str()) != prefer
                && (Some(b.offer.as_str()) == prefer || b.offer < a.offer));
        if b_wins { b } else { a }
    })
}

fn gaps(ours: &DeliveredValue, theirs: &DeliveredValue) -> Vec<ComponentGap> {
    let mut out: Vec<ComponentGap> = Component::ALL
        .into_iter()
        .map(|c| {
            let (o, t) = (ours.components[c as usize], theirs.components[c as usize]);
            let effect = if c.is_value() { o - t } else { t - o };
            ComponentGap {
                component: c,
                ours: o,
                theirs: t,
                effect,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.effect
            .abs()
            .cmp(&a.effect.abs())
            .then(a.component.cmp(&b.component))
    });
    out
}

/// Compares our offer (named `ours`) with the competitors' under one set of
/// weights (take a segment's with [`WeightTable::for_segment`]).
///
/// # Errors
///
/// A negative amount or weight, two offers with one name, no offer named
/// `ours`, or an overflow.
///
/// ```
/// use crm_core::relationship::delivered_value::{compare_offers, Amount, Component, Offer, Weights};
/// use rust_decimal_macros::dec;
/// // Same goods and price; the rival makes the customer wait 2 h more.
/// let mut ours = Offer::money("ours", [dec!(100), dec!(0), dec!(0), dec!(0)], [dec!(90), dec!(0), dec!(0), dec!(0)]);
/// ours.cost[1] = Amount::Quantity { quantity: dec!(1), unit_value: dec!(20) };
/// let mut rival = ours.clone();
/// rival.name = "rival".into();
/// rival.cost[1] = Amount::Quantity { quantity: dec!(3), unit_value: dec!(20) };
/// let c = compare_offers(&[rival, ours], "ours", &Weights::default())?;
/// // ours 100 − 110 = −10, rival 100 − 150 = −50: advantage 40, all from time
/// assert_eq!(c.advantage, Some(dec!(40)));
/// assert_eq!(c.gaps[0].component, Component::TimeCost);
/// # Ok::<(), crm_core::relationship::delivered_value::DeliveredValueError>(())
/// ```
pub fn compare_offers(
    offers: &[Offer],
    ours: &str,
    weights: &Weights,
) -> Result<OfferComparison, DeliveredValueError> {
    weights.validate()?;
    let mut rows: BTreeMap<&str, usize> = BTreeMap::new();
    for (row, o) in (1..).zip(offers) {
        if let Some(first_row) = rows.insert(o.name.as_str(), row) {
            return Err(DeliveredValueError::DuplicateOffer {
                offer: o.name.clone(),
                first_row,
                second_row: row,
            });
        }
    }
    let evaluated = offers
        .iter()
        .zip(1..)
        .map(|(o, row)| evaluate(o, row, weights))
        .collect::<Result<Vec<_>, _>>()?;
    let our = evaluated.iter().find(|d| d.offer == ours).ok_or_else(|| {
        DeliveredValueError::OurOfferMissing {
            ours: ours.to_owned(),
        }
    })?;
    let chosen = best(evaluated.iter(), Some(ours))
        .map(|d| d.offer.clone())
        .unwrap_or_default();
    let rival = best(evaluated.iter().filter(|d| d.offer != ours), None);
    let comparison = OfferComparison {
        chosen,
        ours: ours.to_owned(),
        best_competitor: rival.map(|r| r.offer.clone()),
        advantage: rival.map(|r| our.delivered_value - r.delivered_value),
        gaps: rival.map(|r| gaps(our, r)).unwrap_or_default(),
        offers: Vec::new(),
    };
    Ok(OfferComparison {
        offers: evaluated,
        ..comparison
    })
}

#[cfg(test)]
mod tests;
