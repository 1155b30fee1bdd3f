//! The charts of the report's holdout validation, drawn as
//! [`crate::charts`] draws the others (plotters, the bundled font):
//!
//! * `tracking.png`: the calibration customers' cumulative repeat
//!   purchases, actual against the chosen model's expectation, week by
//!   week across calibration and holdout, the calibration end marked
//!   (crm-core's `clv::tracking`);
//! * `holdout_groups.png`: the mean holdout purchases by calibration
//!   frequency (the last group open, "7+"), actual against predicted
//!   (crm-core's `clv::holdout_groups`).

use std::path::Path;

use crm_core::clv::holdout_groups::{Grouping, HoldoutGroups};
use crm_core::clv::tracking::TrackingCurve;
use plotters::prelude::*;

use crate::charts::{FONT, fail, font_ready, legend};
use crate::failure::Failure;

const ACTUAL: RGBColor = RGBColor(27, 94, 32);
const EXPECTED: RGBColor = RGBColor(21, 101, 192);
const BOUNDARY: RGBColor = RGBColor(198, 40, 40);

/// The upper end of an axis holding `values`: 5 % above the largest, and
/// 1 when there is nothing to show.
fn top(values: impl Iterator<Item = f64>) -> f64 {
    let m = values.fold(0.0_f64, f64::max);
    if m > 0.0 { m * 1.05 } else { 1.0 }
}

/// Draws `tracking.png` into `dir`.
pub fn tracking(curve: &TrackingCurve, period_name: &str, dir: &Path) -> Result<(), Failure> {
    font_ready()?;
    let path = dir.join("tracking.png");
    let err = fail(&path);
    let p = &curve.periods;
    let n = p.len().max(1) as f64;
    let y_max = top(p
        .iter()
        .flat_map(|p| [p.actual_cumulative as f64, p.expected_cumulative]));
    let root = BitMapBackend::new(&path, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Tracking: cumulative repeat purchases", (FONT, 24))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..n + 1.0, 0.0..y_max)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc(period_name)
        .y_desc("cumulative repeat purchases")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style((FONT, 14))
        .draw()
        .map_err(|e| err(&e))?;
    let line = |pick: fn(&crm_core::clv::tracking::TrackingPeriod) -> f64| {
        p.iter()
            .map(move |q| (f64::from(q.period), pick(q)))
            .collect::<Vec<_>>()
    };
    chart
        .draw_series(LineSeries::new(
            line(|q| q.actual_cumulative as f64),
            ACTUAL.stroke_width(2),
        ))
        .map_err(|e| err(&e))?
        .label("actual")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], ACTUAL.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(
            line(|q| q.expected_cumulative),
            EXPECTED.stroke_width(2),
        ))
        .map_err(|e| err(&e))?
        .label("expected")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], EXPECTED.stroke_width(2)));
    let calibration = p.iter().filter(|q| !q.holdout).count() as f64;
    if calibration > 0.0 && calibration < p.len() as f64 {
        let x = calibration + 0.5;
        chart
            .draw_series(LineSeries::new(
                vec![(x, 0.0), (x, y_max)],
                BOUNDARY.stroke_width(2),
            ))
            .map_err(|e| err(&e))?
            .label(format!("calibration end ({})", curve.calibration_end))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BOUNDARY.stroke_width(2)));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft, &path)?;
    root.present().map_err(|e| err(&e))
}

/// Draws `holdout_groups.png` (by calibration frequency) into `dir`.
pub fn holdout_groups(groups: &HoldoutGroups, holdout: &str, dir: &Path) -> Result<(), Failure> {
    font_ready()?;
    let path = dir.join("holdout_groups.png");
    let err = fail(&path);
    let g = groups
        .groups
        .iter()
        .filter(|g| g.grouping == Grouping::Frequency);
    let last = groups.max_frequency as f64;
    let y_max = top(g
        .clone()
        .flat_map(|g| [g.actual_purchases, g.predicted_purchases]));
    let root = BitMapBackend::new(&path, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Holdout purchases by calibration frequency", (FONT, 24))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(-0.5..last + 0.5, 0.0..y_max)
        .map_err(|e| err(&e))?;
    let max = groups.max_frequency;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(
            usize::try_from(max)
                .unwrap_or(usize::MAX)
                .saturating_add(1)
                .min(40),
        )
        .x_label_formatter(&|x| {
            let k = x.round();
            if (x - k).abs() > 1e-9 || k < 0.0 {
                String::new()
            } else if k as u64 >= max {
                format!("{max}+")
            } else {
                format!("{k:.0}")
            }
        })
        .x_desc("repeat purchases in the calibration period")
        .y_desc(format!("mean purchases in the holdout ({holdout})"))
        .label_style((FONT, 14))
        .draw()
        .map_err(|e| err(&e))?;
    for (name, color, pick) in [
        (
            "actual",
            ACTUAL,
            (|g: &crm_core::clv::holdout_groups::HoldoutGroup| g.actual_purchases) as fn(_) -> f64,
        ),
        ("predicted", EXPECTED, |g| g.predicted_purchases),
    ] {
        let points: Vec<(f64, f64)> = g.clone().map(|g| (g.group as f64, pick(g))).collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
            .map_err(|e| err(&e))?
            .label(name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 4, color.filled())),
            )
            .map_err(|e| err(&e))?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft, &path)?;
    root.present().map_err(|e| err(&e))
}
