//! PNG charts of the report, drawn in Rust (plotters) with a bundled font
//! (DejaVu Sans, `assets/`), so they look the same on a machine without
//! any system fonts.
//!
//! * `pareto.png`: the cumulative share of value against the cumulative
//!   share of customers, ranked by value, with the tier cut-offs: the curve
//!   docs/DOMAIN.md section 1 walks to draw the tiers.
//! * `tier_shares.png`: each tier's share of value next to its share of
//!   customers.
//!
//! Figures are converted to `f64` for drawing only; every number in the
//! tables stays exact.

use std::path::Path;

use crm_core::value::assignment::Assignments;
use crm_core::value::tier::{TierBasis, TierSummary};
use plotters::prelude::*;
use plotters::style::FontStyle;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::failure::Failure;

pub(crate) const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

pub(crate) fn font_ready() -> Result<(), Failure> {
    plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES)
        .map_err(|_| Failure::internal("the bundled chart font cannot be read"))
}

/// The legend box of every report chart, at `position`.
pub(crate) fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    path: &Path,
) -> Result<(), Failure> {
    chart
        .configure_series_labels()
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .position(position)
        .draw()
        .map_err(|e| fail(path)(&e))
}

pub(crate) fn fail(path: &Path) -> impl Fn(&dyn std::fmt::Display) -> Failure + '_ {
    move |e| Failure::internal(format!("drawing {}: {e}", path.display()))
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// The Pareto curve: (customer share, value share) after each customer with
/// positive value, largest first; starts at (0, 0).
pub fn pareto_points(a: &Assignments) -> Vec<(f64, f64)> {
    let c = a.classification();
    let mut values: Vec<Decimal> = (0..a.len())
        .filter_map(|i| c.value(i))
        .filter(|v| *v > Decimal::ZERO)
        .collect();
    values.sort_unstable_by(|x, y| y.cmp(x));
    let total: Decimal = values.iter().sum();
    let n = values.len();
    let mut points = Vec::with_capacity(n + 1);
    points.push((0.0, 0.0));
    let mut cum = Decimal::ZERO;
    for (i, v) in values.iter().enumerate() {
        cum += v;
        let share = if total > Decimal::ZERO {
            f(cum / total)
        } else {
            0.0
        };
        points.push(((i + 1) as f64 / n as f64, share));
    }
    points
}

/// Draws `pareto.png` into `dir`.
pub fn pareto(a: &Assignments, dir: &Path) -> Result<(), Failure> {
    font_ready()?;
    let path = dir.join("pareto.png");
    let err = fail(&path);
    let points = pareto_points(a);
    let cut = a.config().tiers.cutoffs;
    let by_value = a.config().tiers.basis == TierBasis::Value;
    let root = BitMapBackend::new(&path, (900, 620)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Pareto curve of customer value", (FONT, 24))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("share of customers (ranked by value)")
        .y_desc("cumulative share of value")
        .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
        .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
        .label_style((FONT, 14))
        .draw()
        .map_err(|e| err(&e))?;
    chart
        .draw_series(LineSeries::new(points, BLUE.stroke_width(2)))
        .map_err(|e| err(&e))?
        .label("cumulative value")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(2)));
    for (share, name, color) in [
        (cut.first(), "most valuable", RED),
        (cut.second(), "major", GREEN),
    ] {
        let s = f(share);
        let line: Vec<(f64, f64)> = if by_value {
            vec![(0.0, s), (1.0, s)]
        } else {
            vec![(s, 0.0), (s, 1.0)]
        };
        chart
            .draw_series(LineSeries::new(line, color.stroke_width(1)))
            .map_err(|e| err(&e))?
            .label(format!("{name} cut-off {:.0}%", s * 100.0))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight, &path)?;
    root.present().map_err(|e| err(&e))
}

/// Draws `tier_shares.png` into `dir`.
pub fn tier_shares(tiers: &[TierSummary], dir: &Path) -> Result<(), Failure> {
    font_ready()?;
    let path = dir.join("tier_shares.png");
    let err = fail(&path);
    let root = BitMapBackend::new(&path, (900, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let n = tiers.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption("Share of value and of customers by tier", (FONT, 24))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..n, 0.0..1.0)
        .map_err(|e| err(&e))?;
    let names: Vec<&str> = tiers.iter().map(|t| t.tier.as_str()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(tiers.len() * 2 + 1)
        .x_label_formatter(&|x| {
            let i = x.floor() as usize;
            if (x - x.floor() - 0.5).abs() < 1e-9 {
                names.get(i).map(|s| s.to_string()).unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
        .y_desc("share")
        .label_style((FONT, 14))
        .draw()
        .map_err(|e| err(&e))?;
    let bars = |offset: f64, pick: fn(&TierSummary) -> Decimal, color: RGBColor| {
        tiers.iter().enumerate().map(move |(i, t)| {
            Rectangle::new(
                [
                    (i as f64 + offset, 0.0),
                    (i as f64 + offset + 0.35, f(pick(t))),
                ],
                color.filled(),
            )
        })
    };
    chart
        .draw_series(bars(0.12, |t| t.value_share, BLUE))
        .map_err(|e| err(&e))?
        .label("value share")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], BLUE.filled()));
    chart
        .draw_series(bars(0.53, |t| t.customer_share, RGBColor(230, 140, 20)))
        .map_err(|e| err(&e))?
        .label("customer share")
        .legend(|(x, y)| {
            Rectangle::new(
                [(x, y - 5), (x + 14, y + 5)],
                RGBColor(230, 140, 20).filled(),
            )
        });
    legend(&mut chart, SeriesLabelPosition::UpperRight, &path)?;
    root.present().map_err(|e| err(&e))
}

/// Draws `p_alive.png` into `dir`: a histogram of P(alive) in 20 bins.
pub fn p_alive(values: &[f64], dir: &Path) -> Result<(), Failure> {
    font_ready()?;
    let path = dir.join("p_alive.png");
    let err = fail(&path);
    let mut bins = [0_u64; 20];
    for v in values.iter().filter(|v| v.is_finite()) {
        let i = ((v.clamp(0.0, 1.0) * 20.0) as usize).min(19);
        if let Some(b) = bins.get_mut(i) {
            *b += 1;
        }
    }
    let top = bins.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.05;
    let root = BitMapBackend::new(&path, (900, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Probability that each customer is still active (BG/NBD)",
            (FONT, 22),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..1.0, 0.0..top)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("P(alive)")
        .y_desc("customers")
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style((FONT, 14))
        .draw()
        .map_err(|e| err(&e))?;
    chart
        .draw_series(bins.iter().enumerate().map(|(i, n)| {
            let x0 = i as f64 / 20.0;
            Rectangle::new(
                [(x0 + 0.003, 0.0), (x0 + 0.047, *n as f64)],
                BLUE.mix(0.8).filled(),
            )
        }))
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::records::customer::CustomerId;
    use crm_core::value::assignment::{AssignmentConfig, assign};
    use rust_decimal_macros::dec;

    #[test]
    fn the_pareto_curve_rises_from_zero_to_one_and_skips_inactive_customers()
    -> Result<(), Box<dyn std::error::Error>> {
        let ids: Vec<CustomerId> = (1..=4).map(CustomerId::from).collect();
        let a = assign(
            &ids,
            &[dec!(10), dec!(60), dec!(0), dec!(30)],
            None,
            &AssignmentConfig::default(),
        )?;
        let p = pareto_points(&a);
        // Three customers with positive value: 60, 30, 10 of 100.
        assert_eq!(
            p,
            vec![(0.0, 0.0), (1.0 / 3.0, 0.6), (2.0 / 3.0, 0.9), (1.0, 1.0)]
        );
        Ok(())
    }
}
