//! A repeat model's predictions over a grid of histories: P(alive) (or
//! expected purchases) for every frequency and recency of a customer of one
//! age, the "who is still alive" matrix of Fader, Hardie & Lee (2005).
//!
//! The grid's rows are the frequencies `0, 1, …, max_frequency` (default
//! [`DEFAULT_MAX_FREQUENCY`] = 20); its columns [`RECENCY_POINTS`] = 40
//! recencies evenly from 0 to `max_recency` (default the age `T`). A
//! customer with repeat purchases has a recency above 0, so in rows above
//! 0 a recency below `max_recency / 400` is read as that; row 0 has
//! recency 0 throughout (no repeat purchase, no last one).
//!
//! ```
//! use crm_core::clv::matrix::{FrequencyRecencyGrid, Matrix};
//! use crm_core::clv::registry::{Model, ModelKind};
//! let bg = Model::from_values(ModelKind::BgNbd, &[0.243, 4.414, 0.793, 2.426])?;
//! let grid = FrequencyRecencyGrid::new(39.0, Some(5), None)?;
//! let m = Matrix::p_alive(&bg, &grid)?;
//! assert_eq!((m.rows(), m.columns()), (6, 40));
//! // A frequent buyer who bought recently is alive; one who went quiet is not.
//! assert!(m.at(5, 39) > 0.85 && m.at(5, 1) < 0.01);
//! assert_eq!(m.at(0, 7), 1.0); // BG/NBD: no repeat purchase, no dropout
//! # Ok::<(), crm_core::clv::ClvError>(())
//! ```

use serde::{Deserialize, Serialize};

use super::ClvError;
use super::registry::Model;

/// The highest frequency of a grid when none is given: 20.
pub const DEFAULT_MAX_FREQUENCY: u32 = 20;

/// The most frequencies a grid may have: 10,000 (a bound on the work).
pub const MAX_FREQUENCY: u32 = 10_000;

/// Recencies per row: 40.
pub const RECENCY_POINTS: usize = 40;

/// The histories of a matrix: every frequency × recency of one age.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct FrequencyRecencyGrid {
    /// The customers' age `T`.
    pub age: f64,
    /// The rows: `0, 1, …, max_frequency`.
    pub frequencies: Vec<f64>,
    /// The columns: [`RECENCY_POINTS`] recencies from 0 to `max_recency`.
    pub recencies: Vec<f64>,
}

impl FrequencyRecencyGrid {
    /// The grid of customers of age `age` up to `max_frequency` (default
    /// [`DEFAULT_MAX_FREQUENCY`]) and `max_recency` (default `age`).
    ///
    /// # Errors
    ///
    /// [`ClvError::InvalidArgument`] for an age that is not finite and
    /// positive (name `T`), a `max_recency` outside `(0, T]` (name
    /// `max_recency`), or a `max_frequency` above [`MAX_FREQUENCY`].
    pub fn new(
        age: f64,
        max_frequency: Option<u32>,
        max_recency: Option<f64>,
    ) -> Result<FrequencyRecencyGrid, ClvError> {
        let bad = |name: &str, rule: String| ClvError::InvalidArgument {
            name: name.into(),
            rule,
        };
        if !(age.is_finite() && age > 0.0) {
            return Err(bad("T", "a finite age > 0".into()));
        }
        let rmax = max_recency.unwrap_or(age);
        if !(rmax > 0.0 && rmax <= age) {
            return Err(bad("max_recency", "a recency in (0, T]".into()));
        }
        let fmax = max_frequency.unwrap_or(DEFAULT_MAX_FREQUENCY);
        if fmax > MAX_FREQUENCY {
            return Err(bad(
                "max_frequency",
                format!("at most {MAX_FREQUENCY} (crm_core::clv::matrix::MAX_FREQUENCY)"),
            ));
        }
        let last = (RECENCY_POINTS - 1) as f64;
        Ok(FrequencyRecencyGrid {
            age,
            frequencies: (0..=fmax).map(f64::from).collect(),
            recencies: (0..RECENCY_POINTS)
                .map(|i| rmax * i as f64 / last)
                .collect(),
        })
    }

    /// Each cell's history `(x, t_x)`, row-major: the recency of a cell in
    /// row 0 is 0, and in other rows at least `max_recency / 400`.
    pub fn cells(&self) -> (Vec<f64>, Vec<f64>) {
        let floor = self.recencies.last().copied().unwrap_or(0.0) / 400.0;
        let n = self.frequencies.len() * self.recencies.len();
        let (mut x, mut t_x) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for &f in &self.frequencies {
            for &r in &self.recencies {
                x.push(f);
                t_x.push(if f == 0.0 { 0.0 } else { r.max(floor) });
            }
        }
        (x, t_x)
    }
}

/// A prediction at every cell of a grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Matrix {
    /// The histories.
    pub grid: FrequencyRecencyGrid,
    /// Row-major: frequency rows, recency columns.
    pub values: Vec<f64>,
}

impl Matrix {
    /// P(alive) at each cell.
    ///
    /// # Errors
    ///
    /// As [`Model::p_alive`].
    pub fn p_alive(model: &Model, grid: &FrequencyRecencyGrid) -> Result<Matrix, ClvError> {
        let (x, t_x) = grid.cells();
        let age = vec![grid.age; x.len()];
        Ok(Matrix {
            grid: grid.clone(),
            values: model.p_alive(&x, &t_x, &age)?,
        })
    }

    /// Expected purchases in the next `t` at each cell.
    ///
    /// # Errors
    ///
    /// As [`Model::conditional_expected_purchases`].
    pub fn expected_purchases(
        model: &Model,
        t: f64,
        grid: &FrequencyRecencyGrid,
    ) -> Result<Matrix, ClvError> {
        let (x, t_x) = grid.cells();
        let age = vec![grid.age; x.len()];
        Ok(Matrix {
            grid: grid.clone(),
            values: model.conditional_expected_purchases(t, &x, &t_x, &age)?,
        })
    }

    /// Rows (frequencies).
    pub fn rows(&self) -> usize {
        self.grid.frequencies.len()
    }

    /// Columns (recencies).
    pub fn columns(&self) -> usize {
        self.grid.recencies.len()
    }

    /// The value at frequency row `row` and recency column `column`.
    ///
    /// # Panics
    ///
    /// Outside the grid.
    pub fn at(&self, row: usize, column: usize) -> f64 {
        self.values[row * self.columns() + column]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv::registry::ModelKind;

    #[test]
    fn the_grid_is_the_plot_grid_of_earlier_releases() {
        // The numpy grid of crm_engine.plot before this module: 0..=20
        // frequencies, 40 recencies by linspace(0, T), recency floored at
        // T / 400 above frequency 0.
        let g = FrequencyRecencyGrid::new(38.86, None, None).unwrap();
        assert_eq!(g.frequencies.len(), 21);
        assert_eq!(g.recencies.len(), 40);
        assert_eq!((g.recencies[0], g.recencies[39]), (0.0, 38.86));
        assert!((g.recencies[1] - 38.86 / 39.0).abs() < 1e-15);
        let (x, t_x) = g.cells();
        assert_eq!(x.len(), 840);
        assert_eq!((x[0], t_x[0], t_x[39]), (0.0, 0.0, 0.0));
        assert_eq!((x[40], t_x[40]), (1.0, 38.86 / 400.0));
    }

    #[test]
    fn every_cell_is_the_models_own_prediction() {
        let m =
            Model::from_values(ModelKind::ParetoNbd, &[0.5534, 10.5802, 0.6061, 11.6562]).unwrap();
        let g = FrequencyRecencyGrid::new(39.0, Some(3), Some(30.0)).unwrap();
        let p = Matrix::p_alive(&m, &g).unwrap();
        let e = Matrix::expected_purchases(&m, 10.0, &g).unwrap();
        let (x, t_x) = g.cells();
        for i in 0..x.len() {
            let want = m.p_alive(&[x[i]], &[t_x[i]], &[39.0]).unwrap()[0];
            assert_eq!(p.values[i], want);
            let want = m
                .conditional_expected_purchases(10.0, &[x[i]], &[t_x[i]], &[39.0])
                .unwrap()[0];
            assert_eq!(e.values[i], want);
        }
        assert_eq!(p.at(2, 5), p.values[2 * 40 + 5]);
    }

    #[test]
    fn a_bad_grid_is_refused() {
        for (age, f, r) in [
            (0.0, None, None),
            (f64::NAN, None, None),
            (10.0, None, Some(11.0)),
            (10.0, None, Some(0.0)),
            (10.0, Some(MAX_FREQUENCY + 1), None),
        ] {
            assert!(matches!(
                FrequencyRecencyGrid::new(age, f, r),
                Err(ClvError::InvalidArgument { .. })
            ));
        }
    }
}
