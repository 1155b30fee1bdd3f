//! The CLV model file: a repeat-purchase model and the Gamma-Gamma spend
//! model fitted on one period, with the clock they were fitted on, in a
//! versioned JSON form that any front end reads and writes the same way.
//!
//! ```json
//! {"format": "crm-engine/clv-model", "version": 1, "unit": "week", "as_of": "1997-09-30",
//!  "repeat": {"model": {"kind": "bg_nbd", "params": {...}, "log_likelihood": ..., ...},
//!             "fit_set": {"customers": 2357.0, "used": 2357.0, "excluded": []}},
//!  "spend":  {"model": {"kind": "gamma_gamma", ...}, "fit_set": {...}}}
//! ```
//!
//! [`ModelFile::from_json`] checks `format` and `version` before anything
//! else, so a file of another program, of an older layout (without
//! `format`) or of a newer version is a typed [`ModelFileError`], never a
//! half-read model.
//!
//! ```
//! use crm_core::clv::model_file::{ModelFile, ModelFileError};
//! let e = ModelFile::from_json(r#"{"format": "crm-engine/clv-model", "version": 99}"#).unwrap_err();
//! assert_eq!(e, ModelFileError::UnsupportedVersion { found: 99, supported: 1 });
//! ```

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::horizon::Horizon;
use super::intervals::{Level, PredictionIntervals, Uncertain};
use super::pareto_nbd_pmf::PurchaseProbabilities;
use super::registry::{self, Model, ModelFit, ModelKind};
use super::{ClvError, FitOptions};
use crate::records::summary::{Summaries, Unit};
use crate::vocabulary::Vocabulary;

/// The `format` of a CLV model file.
pub const FORMAT: &str = "crm-engine/clv-model";
/// The version this build writes and reads.
pub const VERSION: u32 = 1;

/// Why a model file cannot be read or made.
///
/// ```
/// use crm_core::clv::model_file::{ModelFile, ModelFileError};
/// let e = ModelFile::from_json(r#"{"unit": "Week", "repeat": {}}"#).unwrap_err();
/// assert_eq!(e, ModelFileError::NotAModelFile);
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelFileError {
    /// The text is not JSON, or not shaped as a model file of this version.
    #[error("not a valid CLV model file: {what} at line {line}, column {column}")]
    Malformed {
        /// What kind of problem (syntax, data, end of file).
        what: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// No `format` field naming a CLV model file (another program's file,
    /// or one written before the format was versioned: refit it).
    #[error(
        "not a CLV model file: the `format` field must be \"{FORMAT}\" (files written before version 1 must be refitted)"
    )]
    NotAModelFile,
    /// A version this build does not read.
    #[error(
        "CLV model file version {found} is not supported: this build reads version {supported}"
    )]
    UnsupportedVersion {
        /// The file's version.
        found: u64,
        /// The version this build reads.
        supported: u32,
    },
    /// A slot holds a model of the wrong kind.
    #[error("the `{slot}` model of a CLV model file must be one of {allowed}, not {found}")]
    WrongKind {
        /// `repeat` or `spend`.
        slot: String,
        /// The kind found.
        found: ModelKind,
        /// The kinds allowed, comma-separated.
        allowed: String,
    },
    /// Serialising failed (not expected for finite figures).
    #[error("could not write the CLV model file: {0}")]
    Write(String),
}

/// See the module docs.
///
/// ```
/// use crm_core::clv::model_file::{ModelFile, FORMAT};
/// use crm_core::clv::registry::{fit, ModelKind};
/// use crm_core::clv::FitOptions;
/// use crm_core::records::summary::Unit;
/// let (x, t_x, age, m) = (
///     [0.0, 1.0, 2.0, 0.0, 3.0, 1.0, 5.0, 2.0],
///     [0.0, 4.0, 8.0, 0.0, 9.0, 2.0, 10.0, 6.0],
///     [10.0, 10.0, 10.0, 8.0, 12.0, 9.0, 12.0, 11.0],
///     [0.0, 20.0, 31.0, 0.0, 25.0, 18.0, 40.0, 22.0],
/// );
/// let o = FitOptions { max_iterations: 2000, ..FitOptions::default() };
/// let (Ok(repeat), Ok(spend)) = (
///     fit(ModelKind::BgNbd, &[&x, &t_x, &age], None, &o),
///     fit(ModelKind::GammaGamma, &[&x, &m], None, &o),
/// ) else { return Ok(()) }; // eight customers may not pin the parameters
/// let file = ModelFile::new(Unit::Week, None, repeat, spend)?;
/// let back = ModelFile::from_json(&file.to_json()?)?;
/// assert_eq!(back, file);
/// assert_eq!(back.format, FORMAT);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ModelFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// The layout's version ([`VERSION`]).
    pub version: u32,
    /// The clock of recency and age the models were fitted on.
    pub unit: Unit,
    /// The analysis date of the fit's summaries, when known.
    pub as_of: Option<NaiveDate>,
    /// The purchase model (one of [`ModelKind::REPEAT`]) and its fit set.
    pub repeat: ModelFit,
    /// The spend model (Gamma-Gamma) and its fit set.
    pub spend: ModelFit,
}

fn check_slot(slot: &str, fit: &ModelFit, allowed: &[ModelKind]) -> Result<(), ModelFileError> {
    let found = fit.model.kind();
    if allowed.contains(&found) {
        Ok(())
    } else {
        Err(ModelFileError::WrongKind {
            slot: slot.into(),
            found,
            allowed: allowed
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u64>,
}

fn malformed(e: &serde_json::Error) -> ModelFileError {
    let what = match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "JSON syntax error",
        serde_json::error::Category::Data => "a field is missing or has the wrong type",
        serde_json::error::Category::Eof => "unexpected end of file",
    };
    ModelFileError::Malformed {
        what: what.into(),
        line: e.line(),
        column: e.column(),
    }
}

impl ModelFile {
    /// A file of the current version from two fits.
    ///
    /// # Errors
    ///
    /// [`ModelFileError::WrongKind`] when `repeat` is not a repeat model or
    /// `spend` not Gamma-Gamma.
    pub fn new(
        unit: Unit,
        as_of: Option<NaiveDate>,
        repeat: ModelFit,
        spend: ModelFit,
    ) -> Result<ModelFile, ModelFileError> {
        let file = ModelFile {
            format: FORMAT.into(),
            version: VERSION,
            unit,
            as_of,
            repeat,
            spend,
        };
        file.check()?;
        Ok(file)
    }

    fn check(&self) -> Result<(), ModelFileError> {
        check_slot("repeat", &self.repeat, ModelKind::REPEAT)?;
        check_slot("spend", &self.spend, &[ModelKind::GammaGamma])
    }

    /// Reads a model file's JSON text.
    ///
    /// # Errors
    ///
    /// [`ModelFileError::NotAModelFile`], [`ModelFileError::UnsupportedVersion`],
    /// [`ModelFileError::Malformed`] (with line and column, never the
    /// file's values) or [`ModelFileError::WrongKind`].
    pub fn from_json(text: &str) -> Result<ModelFile, ModelFileError> {
        let header: Header = serde_json::from_str(text).map_err(|e| malformed(&e))?;
        if header.format.as_deref() != Some(FORMAT) {
            return Err(ModelFileError::NotAModelFile);
        }
        match header.version {
            Some(v) if v == u64::from(VERSION) => {}
            Some(found) => {
                return Err(ModelFileError::UnsupportedVersion {
                    found,
                    supported: VERSION,
                });
            }
            None => return Err(ModelFileError::NotAModelFile),
        }
        let file: ModelFile = serde_json::from_str(text).map_err(|e| malformed(&e))?;
        file.check()?;
        Ok(file)
    }

    /// The file's JSON text (pretty-printed).
    ///
    /// # Errors
    ///
    /// [`ModelFileError::Write`] if serialising fails.
    pub fn to_json(&self) -> Result<String, ModelFileError> {
        serde_json::to_string_pretty(self).map_err(|e| ModelFileError::Write(e.to_string()))
    }

    /// Every customer's predictions over `horizon`.
    ///
    /// Customers with `T = 0` (left out of the fit) are predicted as new
    /// customers: the models' formulas at `x = t_x = T = 0` are the prior.
    ///
    /// # Errors
    ///
    /// [`ClvError::InvalidArgument`] when the columns' clock differs from the
    /// model's (name `unit`) or the horizon is bad; [`ClvError::InvalidInput`]
    /// or [`ClvError::LengthMismatch`] for the columns.
    pub fn predict(
        &self,
        columns: &ClvColumns,
        horizon: &Horizon,
    ) -> Result<Predictions, ClvError> {
        self.same_clock(columns)?;
        predict(
            &self.repeat.model.model(),
            &self.spend.model.model(),
            columns,
            horizon,
        )
    }

    /// Every customer's P(0 … `max_purchases` purchases, and more) over
    /// `months` months (Pareto/NBD model files only: the conditional PMF of
    /// [`super::pareto_nbd_pmf`]).
    ///
    /// # Errors
    ///
    /// As [`ModelFile::predict`]; [`ClvError::InvalidArgument`] when the
    /// repeat model is not Pareto/NBD (name `model`) or `max_purchases` is
    /// above [`super::pareto_nbd_pmf::MAX_PURCHASES`].
    pub fn purchase_probabilities(
        &self,
        columns: &ClvColumns,
        months: u32,
        max_purchases: u32,
    ) -> Result<PurchaseProbabilities, ClvError> {
        self.same_clock(columns)?;
        super::horizon::check_periods("months", months)?;
        let t = super::horizon::months_to_time(f64::from(months), columns.unit)?;
        self.repeat.model.model().purchase_probabilities(
            max_purchases,
            t,
            &columns.x,
            &columns.t_x,
            &columns.age,
        )
    }

    /// Every customer's predictions over `horizon` with their intervals at
    /// `level`, and the totals ([`super::intervals`]), from the
    /// covariances of the file's two fits.
    ///
    /// # Errors
    ///
    /// As [`ModelFile::predict`] and [`PredictionIntervals::of`];
    /// [`ClvError::InvalidArgument`] (name `covariance`) for a fit without
    /// a covariance.
    pub fn prediction_intervals(
        &self,
        columns: &ClvColumns,
        horizon: &Horizon,
        level: Level,
    ) -> Result<PredictionIntervals, ClvError> {
        self.same_clock(columns)?;
        let repeat = Uncertain::of_fit(&self.repeat.model)?;
        let spend = Uncertain::of_fit(&self.spend.model)?;
        PredictionIntervals::of(&repeat, &spend, columns, horizon, level)
    }

    fn same_clock(&self, columns: &ClvColumns) -> Result<(), ClvError> {
        if columns.unit == self.unit {
            return Ok(());
        }
        Err(ClvError::InvalidArgument {
            name: "unit".into(),
            rule: format!(
                "the data must be on the clock the model was fitted on ({:?}s, not {:?}s)",
                self.unit, columns.unit
            ),
        })
    }
}

/// Every customer's predictions over `horizon` from a repeat model and a
/// Gamma-Gamma model (the body of [`ModelFile::predict`], for front ends
/// that hold the two models without a file). Customers with `T = 0` are
/// predicted as new customers.
///
/// # Errors
///
/// [`ClvError::InvalidArgument`] when `repeat` is not a repeat model,
/// `spend` not Gamma-Gamma, or the horizon is bad; [`ClvError::InvalidInput`]
/// or [`ClvError::LengthMismatch`] for the columns.
///
/// ```
/// use crm_core::clv::model_file::{predict, ClvColumns};
/// use crm_core::clv::horizon::Horizon;
/// use crm_core::clv::registry::{Model, ModelKind};
/// use crm_core::records::summary::Unit;
/// let r = Model::from_values(ModelKind::BgNbd, &[0.243, 4.414, 0.793, 2.426])?;
/// let s = Model::from_values(ModelKind::GammaGamma, &[6.25, 3.74, 15.44])?;
/// let c = ClvColumns { unit: Unit::Week, x: vec![2.0, 0.0], t_x: vec![30.43, 0.0], age: vec![38.86, 0.0], monetary_value: vec![25.0, 0.0] };
/// let p = predict(&r, &s, &c, &Horizon { months: 12, monthly_discount_rate: 0.01 })?;
/// assert_eq!(p.p_alive[1], 1.0); // a new customer under BG/NBD
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn predict(
    repeat: &Model,
    spend: &Model,
    columns: &ClvColumns,
    horizon: &Horizon,
) -> Result<Predictions, ClvError> {
    let (x, t_x) = (&columns.x, &columns.t_x);
    let expected_spend = spend.expected_spend(x, &columns.monetary_value)?;
    let discounting = horizon.discounting(columns.unit)?;
    let t = horizon.time(columns.unit);
    let age = &columns.age;
    let clv = repeat.customer_lifetime_value(&discounting, x, t_x, age, &expected_spend)?;
    Ok(Predictions {
        p_alive: repeat.p_alive(x, t_x, age)?,
        expected_purchases: repeat.conditional_expected_purchases(t, x, t_x, age)?,
        expected_spend,
        clv,
    })
}

/// Each customer's P(alive) under a fitted repeat model (`T = 0`
/// customers as new customers, as [`ModelFile::predict`]).
///
/// # Errors
///
/// As [`ModelFile::predict`]; [`ClvError::InvalidArgument`] when `repeat`
/// is not a repeat model.
pub fn p_alive(repeat: &ModelFit, columns: &ClvColumns) -> Result<Vec<f64>, ClvError> {
    repeat
        .model
        .model()
        .p_alive(&columns.x, &columns.t_x, &columns.age)
}

/// Fits a CLV model file's two models on summary columns: `kind` (one of
/// [`ModelKind::REPEAT`]) for purchases, Gamma-Gamma for spend, each on its
/// fit set ([`super::fit_set`]).
///
/// # Errors
///
/// The fits' errors; [`ClvError::InvalidArgument`] when `kind` is not a
/// repeat model.
///
/// ```
/// use crm_core::clv::model_file::{fit_repeat, ClvColumns};
/// use crm_core::clv::registry::ModelKind;
/// use crm_core::clv::FitOptions;
/// let c = ClvColumns::default();
/// assert!(fit_repeat(ModelKind::GammaGamma, &c, &FitOptions::default()).is_err());
/// ```
pub fn fit_repeat(
    kind: ModelKind,
    columns: &ClvColumns,
    options: &FitOptions,
) -> Result<ModelFit, ClvError> {
    if !kind.is_repeat() {
        return Err(ClvError::InvalidArgument {
            name: "model".into(),
            rule: format!(
                "a CLV model file's purchase model is one of {}",
                ModelKind::REPEAT
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    registry::fit(
        kind,
        &[&columns.x, &columns.t_x, &columns.age],
        None,
        options,
    )
}

/// Fits Gamma-Gamma on the spend fit set of summary columns.
///
/// # Errors
///
/// The fit's errors.
///
/// ```
/// use crm_core::clv::model_file::{fit_spend, ClvColumns};
/// use crm_core::clv::{ClvError, FitOptions};
/// let c = ClvColumns { x: vec![0.0, 0.0], t_x: vec![0.0, 0.0], age: vec![5.0, 5.0], monetary_value: vec![0.0, 0.0], ..Default::default() };
/// // No repeat buyer: nothing to fit, and the error says so.
/// assert!(matches!(fit_spend(&c, &FitOptions::default()), Err(ClvError::NoData { .. })));
/// ```
pub fn fit_spend(columns: &ClvColumns, options: &FitOptions) -> Result<ModelFit, ClvError> {
    registry::fit(
        ModelKind::GammaGamma,
        &[&columns.x, &columns.monetary_value],
        None,
        options,
    )
}

/// The summary columns the CLV models read, as `f64`, on one clock.
///
/// ```
/// use crm_core::clv::model_file::ClvColumns;
/// use crm_core::records::summary::Unit;
/// let c = ClvColumns { unit: Unit::Day, x: vec![1.0], t_x: vec![3.0], age: vec![9.0], monetary_value: vec![12.5] };
/// assert_eq!(c.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClvColumns {
    /// The clock of `t_x` and `age`.
    pub unit: Unit,
    /// Repeat purchases.
    pub x: Vec<f64>,
    /// Time of the last repeat purchase.
    pub t_x: Vec<f64>,
    /// Time since the first purchase (`T`).
    pub age: Vec<f64>,
    /// Mean repeat spend (0 without a repeat purchase).
    pub monetary_value: Vec<f64>,
}

impl ClvColumns {
    /// The columns of summaries (money as the nearest `f64`).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::clv::model_file::ClvColumns;
    /// use crm_core::records::summary::{Summaries, SummaryConfig};
    /// let s = Summaries::with_capacity(&SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()), 0);
    /// assert!(ClvColumns::from_summaries(&s).is_empty());
    /// ```
    pub fn from_summaries(s: &Summaries) -> ClvColumns {
        ClvColumns {
            unit: s.unit,
            x: s.frequency.iter().map(|v| *v as f64).collect(),
            t_x: s.recency.clone(),
            age: s.age.clone(),
            monetary_value: s
                .monetary_value
                .iter()
                .map(|v| v.to_f64().unwrap_or(f64::NAN))
                .collect(),
        }
    }

    /// Customers.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }
}

/// Each customer's predictions, in input order.
///
/// ```
/// use crm_core::clv::model_file::Predictions;
/// assert!(Predictions::default().clv.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Predictions {
    /// P(alive) now.
    pub p_alive: Vec<f64>,
    /// Expected purchases over the horizon.
    pub expected_purchases: Vec<f64>,
    /// Expected spend per purchase ([`super::fit_set::expected_spend`]).
    pub expected_spend: Vec<f64>,
    /// Discounted CLV over the horizon.
    pub clv: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv::RepeatModel;
    use crate::clv::bg_nbd::BetaGeo;
    use crate::clv::mbg_nbd::ModifiedBetaGeo;
    use crate::clv::pareto_nbd::ParetoNbd;
    use crate::clv::registry::FittedModel;
    use crate::clv::tests_data::cdnow_columns;

    fn cdnow_file() -> (ModelFile, ClvColumns) {
        let [x, t_x, age, zbar] = cdnow_columns();
        let c = ClvColumns {
            unit: Unit::Week,
            x,
            t_x,
            age,
            monetary_value: zbar,
        };
        let o = FitOptions::default();
        let file = ModelFile::new(
            Unit::Week,
            NaiveDate::from_ymd_opt(1997, 9, 30),
            fit_repeat(ModelKind::BgNbd, &c, &o).unwrap(),
            fit_spend(&c, &o).unwrap(),
        )
        .unwrap();
        (file, c)
    }

    #[test]
    fn a_file_keeps_its_covariances_and_gives_intervals_around_its_predictions() {
        let (file, c) = cdnow_file();
        let h = Horizon {
            months: 12,
            monthly_discount_rate: 0.01,
        };
        let back = ModelFile::from_json(&file.to_json().unwrap()).unwrap();
        let iv = back.prediction_intervals(&c, &h, Level::default()).unwrap();
        assert_eq!(iv.predictions, file.predict(&c, &h).unwrap());
        let sum: f64 = iv.predictions.expected_purchases.iter().sum();
        let t = iv.total_expected_purchases;
        assert!(t.lower < sum && sum < t.upper && (t.estimate - sum).abs() < 1e-9 * sum);
        // The variances on the diagonal are the squared standard errors.
        let se = file.repeat.model.standard_errors().unwrap();
        let cov = file.repeat.model.covariance().unwrap();
        for (i, s) in se.iter().enumerate() {
            assert!((cov[i * 4 + i].sqrt() - s).abs() <= 1e-12 * s);
        }
        // A file saved before fits kept covariances: no intervals, and why.
        let mut old = back;
        if let FittedModel::BgNbd(f) = &mut old.repeat.model {
            f.covariance = None;
        }
        let e = old.prediction_intervals(&c, &h, Level::default());
        assert!(
            matches!(e, Err(ClvError::InvalidArgument { ref name, .. }) if name == "covariance")
        );
    }

    #[test]
    fn purchase_probabilities_need_a_pareto_file_on_its_own_clock() {
        let (bg, c) = cdnow_file();
        let e = bg.purchase_probabilities(&c, 12, 3);
        assert!(matches!(e, Err(ClvError::InvalidArgument { ref name, .. }) if name == "model"));
        let o = FitOptions::default();
        let pareto = ModelFile::new(
            Unit::Week,
            None,
            fit_repeat(ModelKind::ParetoNbd, &c, &o).unwrap(),
            fit_spend(&c, &o).unwrap(),
        )
        .unwrap();
        let p = pareto.purchase_probabilities(&c, 12, 3).unwrap();
        assert_eq!(p.customers(), 2357);
        // Independently of the table: the scalar PMF at 12 months of
        // 365.25 / 12 / 7 weeks, for customer 2 (x = 1 in the sample).
        let Model::ParetoNbd(m) = pareto.repeat.model.model() else {
            panic!("not Pareto/NBD")
        };
        let t = 12.0 * 365.25 / 12.0 / 7.0;
        let want = crate::clv::pareto_nbd_pmf::conditional_probability_of_n_purchases(
            &m, 1, t, c.x[1], c.t_x[1], c.age[1],
        )
        .unwrap();
        assert_eq!(p.customer(1)[1], want);
        let days = ClvColumns {
            unit: Unit::Day,
            ..c.clone()
        };
        let e = pareto.purchase_probabilities(&days, 12, 3);
        assert!(matches!(e, Err(ClvError::InvalidArgument { ref name, .. }) if name == "unit"));
    }

    #[test]
    fn a_file_round_trips_and_predicts_as_the_models_do() {
        let (file, c) = cdnow_file();
        let back = ModelFile::from_json(&file.to_json().unwrap()).unwrap();
        assert_eq!(back, file);
        let h = Horizon {
            months: 12,
            monthly_discount_rate: 0.01,
        };
        let p = back.predict(&c, &h).unwrap();
        assert_eq!(p.clv.len(), 2357);
        // Independently: the BG/NBD expectation over 12 months of 365.25/12/7 weeks.
        let m = back.repeat.model.model();
        let direct = m
            .conditional_expected_purchases(12.0 * 365.25 / 12.0 / 7.0, &c.x, &c.t_x, &c.age)
            .unwrap();
        assert_eq!(p.expected_purchases, direct);
        assert!(p.clv.iter().all(|v| v.is_finite() && *v >= 0.0));
    }

    #[test]
    fn other_versions_and_layouts_are_typed_errors() {
        let (file, _) = cdnow_file();
        let text = file.to_json().unwrap();
        let newer = text.replacen("\"version\": 1", "\"version\": 2", 1);
        assert_eq!(
            ModelFile::from_json(&newer),
            Err(ModelFileError::UnsupportedVersion {
                found: 2,
                supported: 1
            })
        );
        let foreign = text.replacen(FORMAT, "something-else", 1);
        assert_eq!(
            ModelFile::from_json(&foreign),
            Err(ModelFileError::NotAModelFile)
        );
        let swapped = text.replacen("\"kind\": \"bg_nbd\"", "\"kind\": \"gamma_gamma\"", 1);
        assert!(ModelFile::from_json(&swapped).is_err());
        let e = ModelFile::from_json("{").unwrap_err();
        assert!(matches!(e, ModelFileError::Malformed { line: 1, .. }));
        let wrong = ModelFile::new(Unit::Week, None, file.spend.clone(), file.spend.clone());
        assert!(
            matches!(wrong, Err(ModelFileError::WrongKind { ref slot, .. }) if slot == "repeat")
        );
    }

    #[test]
    fn unit_mismatch_is_an_error() {
        let (file, mut c) = cdnow_file();
        c.unit = Unit::Day;
        let h = Horizon {
            months: 1,
            monthly_discount_rate: 0.0,
        };
        let e = file.predict(&c, &h).unwrap_err();
        assert!(matches!(e, ClvError::InvalidArgument { ref name, .. } if name == "unit"));
    }

    /// A customer observed for no time is a new customer: the conditional
    /// expectation is the unconditional E[X(t)] of each model, computed by
    /// its own (independent) formula.
    #[test]
    fn t_zero_customers_are_predicted_as_new_customers() {
        let models: [&dyn RepeatModel; 3] = [
            &BetaGeo {
                r: 0.243,
                alpha: 4.414,
                a: 0.793,
                b: 2.426,
            },
            &ModifiedBetaGeo {
                r: 0.525,
                alpha: 6.183,
                a: 0.891,
                b: 1.614,
            },
            &ParetoNbd {
                r: 0.553,
                alpha: 10.578,
                s: 0.606,
                beta: 11.669,
            },
        ];
        for m in models {
            for t in [1.0, 10.0, 52.0] {
                let cond = m.conditional_expected_purchases(t, 0.0, 0.0, 0.0);
                let new = m.expected_purchases(t);
                assert!((cond - new).abs() <= 1e-9 * new.max(1.0), "{cond} vs {new}");
            }
            let p = m.p_alive(0.0, 0.0, 0.0);
            assert!((0.0..=1.0).contains(&p));
        }
    }
}
