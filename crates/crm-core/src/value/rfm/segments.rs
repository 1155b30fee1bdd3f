//! Segments named from scores: score ranges, segment rules and the
//! replaceable segment table (the standard one and user tables).

use super::*;

/// An inclusive range of scores.
///
/// # Example
///
/// ```
/// use crm_core::value::rfm::ScoreRange;
/// assert!(ScoreRange::new(2, 3).contains(3));
/// assert!(!ScoreRange::ALL.contains(0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ScoreRange {
    /// Lowest score in the range.
    pub lo: u8,
    /// Highest score in the range.
    pub hi: u8,
}

impl ScoreRange {
    /// Every score.
    pub const ALL: ScoreRange = ScoreRange { lo: 1, hi: 5 };

    /// `lo..=hi`.
    ///
    /// # Example
    ///
    /// See [`ScoreRange`].
    pub const fn new(lo: u8, hi: u8) -> Self {
        ScoreRange { lo, hi }
    }

    /// Whether `score` is in the range.
    ///
    /// # Example
    ///
    /// See [`ScoreRange`].
    pub fn contains(&self, score: u8) -> bool {
        (self.lo..=self.hi).contains(&score)
    }
}

/// One named segment: the customers whose three scores fall in the ranges.
///
/// # Example
///
/// ```
/// use crm_core::value::rfm::{RfmScore, ScoreRange, SegmentRule};
/// let r = SegmentRule::new("Champions", ScoreRange::new(5, 5), ScoreRange::new(4, 5), ScoreRange::ALL);
/// assert!(r.matches(&RfmScore { recency: 5, frequency: 4, monetary: 1 }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SegmentRule {
    /// The segment's name.
    pub name: String,
    /// Recency scores.
    pub recency: ScoreRange,
    /// Frequency scores.
    pub frequency: ScoreRange,
    /// Monetary scores.
    pub monetary: ScoreRange,
}

impl SegmentRule {
    /// A rule.
    ///
    /// # Example
    ///
    /// See [`SegmentRule`].
    pub fn new(
        name: impl Into<String>,
        recency: ScoreRange,
        frequency: ScoreRange,
        monetary: ScoreRange,
    ) -> Self {
        SegmentRule {
            name: name.into(),
            recency,
            frequency,
            monetary,
        }
    }

    /// Whether `score` is in this segment.
    ///
    /// # Example
    ///
    /// See [`SegmentRule`].
    pub fn matches(&self, score: &RfmScore) -> bool {
        self.recency.contains(score.recency)
            && self.frequency.contains(score.frequency)
            && self.monetary.contains(score.monetary)
    }
}

/// A table of segment rules that partitions the 125 score combinations.
///
/// # Example
///
/// ```
/// use crm_core::value::rfm::{RfmError, ScoreRange, SegmentRule, SegmentTable};
/// let all = ScoreRange::ALL;
/// let two = SegmentTable::new(vec![
///     SegmentRule::new("recent", ScoreRange::new(3, 5), all, all),
///     SegmentRule::new("lapsed", ScoreRange::new(1, 2), all, all),
/// ])?;
/// assert_eq!(two.rules().len(), 2);
/// let overlapping = SegmentTable::new(vec![
///     SegmentRule::new("a", all, all, all),
///     SegmentRule::new("b", ScoreRange::new(5, 5), all, all),
/// ]);
/// assert!(matches!(overlapping, Err(RfmError::Overlap { .. })));
/// # Ok::<(), RfmError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(try_from = "Vec<SegmentRule>", into = "Vec<SegmentRule>")]
pub struct SegmentTable {
    rules: Vec<SegmentRule>,
    /// Rule index per score cell, (r-1)*25 + (f-1)*5 + (m-1).
    cells: Vec<u16>,
}

impl From<SegmentTable> for Vec<SegmentRule> {
    fn from(t: SegmentTable) -> Self {
        t.rules
    }
}

impl TryFrom<Vec<SegmentRule>> for SegmentTable {
    type Error = RfmError;
    fn try_from(rules: Vec<SegmentRule>) -> Result<Self, RfmError> {
        SegmentTable::new(rules)
    }
}

fn cell(s: &RfmScore) -> Option<usize> {
    let ok = |v: u8| (1..=5).contains(&v);
    (ok(s.recency) && ok(s.frequency) && ok(s.monetary)).then(|| {
        (usize::from(s.recency) - 1) * 25
            + (usize::from(s.frequency) - 1) * 5
            + usize::from(s.monetary)
            - 1
    })
}

impl SegmentTable {
    /// Checks that the rules' ranges are within 1..=5, do not overlap, and
    /// cover every score combination.
    ///
    /// # Errors
    ///
    /// [`RfmError::BadRange`], [`RfmError::Overlap`], [`RfmError::Uncovered`].
    ///
    /// # Example
    ///
    /// See [`SegmentTable`].
    pub fn new(rules: Vec<SegmentRule>) -> Result<Self, RfmError> {
        const NONE: u16 = u16::MAX;
        let mut cells = vec![NONE; 125];
        for (i, rule) in rules.iter().enumerate() {
            for range in [rule.recency, rule.frequency, rule.monetary] {
                if range.lo < 1 || range.hi > 5 || range.lo > range.hi {
                    return Err(RfmError::BadRange {
                        rule: rule.name.clone(),
                        lo: range.lo,
                        hi: range.hi,
                    });
                }
            }
            let i16 = u16::try_from(i).map_err(|_| RfmError::TooManyRules)?;
            for r in rule.recency.lo..=rule.recency.hi {
                for f in rule.frequency.lo..=rule.frequency.hi {
                    for m in rule.monetary.lo..=rule.monetary.hi {
                        let score = RfmScore {
                            recency: r,
                            frequency: f,
                            monetary: m,
                        };
                        let Some(slot) = cell(&score).and_then(|c| cells.get_mut(c)) else {
                            continue;
                        };
                        if *slot != NONE {
                            let first = rules
                                .get(usize::from(*slot))
                                .map(|r| r.name.clone())
                                .unwrap_or_default();
                            return Err(RfmError::Overlap {
                                first,
                                second: rule.name.clone(),
                                score,
                            });
                        }
                        *slot = i16;
                    }
                }
            }
        }
        if let Some(c) = cells.iter().position(|c| *c == NONE) {
            let score = RfmScore {
                recency: (c / 25) as u8 + 1,
                frequency: (c / 5 % 5) as u8 + 1,
                monetary: (c % 5) as u8 + 1,
            };
            return Err(RfmError::Uncovered { score });
        }
        Ok(SegmentTable { rules, cells })
    }

    /// The standard recency × frequency table (see the [module docs](self)).
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::value::rfm::{RfmScore, SegmentTable};
    /// let t = SegmentTable::standard();
    /// assert_eq!(t.rules().len(), 10);
    /// let s = RfmScore { recency: 1, frequency: 5, monetary: 5 };
    /// assert_eq!(t.segment(&s).map(|r| r.name.as_str()), Some("Can't lose them"));
    /// ```
    pub fn standard() -> Self {
        let r = ScoreRange::new;
        let all = ScoreRange::ALL;
        let grid = [
            (r(5, 5), r(4, 5)),
            (r(3, 4), r(4, 5)),
            (r(4, 5), r(2, 3)),
            (r(5, 5), r(1, 1)),
            (r(4, 4), r(1, 1)),
            (r(3, 3), r(3, 3)),
            (r(3, 3), r(1, 2)),
            (r(1, 2), r(3, 4)),
            (r(1, 2), r(5, 5)),
            (r(1, 2), r(1, 2)),
        ];
        let rules = STANDARD_SEGMENTS
            .iter()
            .zip(grid)
            .map(|(name, (rec, freq))| SegmentRule::new(*name, rec, freq, all))
            .collect();
        // The table above is a partition (tested); fall back to one rule
        // rather than panic should it ever be edited into an invalid one.
        SegmentTable::new(rules).unwrap_or_else(|_| SegmentTable {
            rules: vec![SegmentRule::new("All", all, all, all)],
            cells: vec![0; 125],
        })
    }

    /// The rules, in table order.
    ///
    /// # Example
    ///
    /// See [`SegmentTable`].
    pub fn rules(&self) -> &[SegmentRule] {
        &self.rules
    }

    /// The index of the rule a score falls in (`None` for scores outside 1..=5).
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::value::rfm::{RfmScore, SegmentTable};
    /// let s = RfmScore { recency: 5, frequency: 1, monetary: 1 };
    /// assert_eq!(SegmentTable::standard().segment_index(&s), Some(3)); // New
    /// ```
    pub fn segment_index(&self, score: &RfmScore) -> Option<usize> {
        cell(score)
            .and_then(|c| self.cells.get(c))
            .map(|i| usize::from(*i))
    }

    /// The rule a score falls in.
    ///
    /// # Example
    ///
    /// See [`SegmentTable::standard`].
    pub fn segment(&self, score: &RfmScore) -> Option<&SegmentRule> {
        self.segment_index(score).and_then(|i| self.rules.get(i))
    }
}

impl Default for SegmentTable {
    fn default() -> Self {
        SegmentTable::standard()
    }
}
