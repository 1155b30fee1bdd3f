//! Times the CLV fits of `benches/clv_vs_lifetimes.py` from Rust, without
//! Python: `cargo run --release -p crm-core --example clv_timing [simulated.csv]`
//! (best of 15 runs each). The simulated file has columns
//! `frequency,recency,T` (`benches/clv_vs_lifetimes.py --dump-simulated PATH`
//! writes it). `ONLY=pareto` or `ONLY=sim` runs only that fit, 20 or 10
//! times, for a profiler (`perf record`); `ONLY=psim` fits Pareto/NBD to
//! the simulated customers once.
use std::error::Error;
use std::time::Instant;

use crm_core::clv::{FitOptions, RepeatData, bg_nbd, gamma_gamma, pareto_nbd};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const REP: usize = 15;

/// The numeric columns of a CSV file with a header, skipping the first
/// `skip` columns.
fn read(path: &str, skip: usize) -> Result<Vec<Vec<f64>>> {
    let text = std::fs::read_to_string(path)?;
    let mut cols: Vec<Vec<f64>> = Vec::new();
    for line in text.lines().skip(1) {
        let f = line
            .split(',')
            .skip(skip)
            .map(|v| v.trim().parse::<f64>())
            .collect::<std::result::Result<Vec<f64>, _>>()?;
        if cols.is_empty() {
            cols = vec![Vec::new(); f.len()];
        }
        for (c, v) in cols.iter_mut().zip(f) {
            c.push(v);
        }
    }
    if cols.len() < 3 {
        return Err(format!("{path}: expected at least 3 numeric columns").into());
    }
    Ok(cols)
}

/// The best wall time in ms of `REP` runs of `f`, and its last result.
fn best<T>(mut f: impl FnMut() -> Result<T>) -> Result<(f64, T)> {
    let mut best = f64::INFINITY;
    let mut out = f()?;
    for _ in 0..REP {
        let t0 = Instant::now();
        out = f()?;
        best = best.min(t0.elapsed().as_secs_f64() * 1e3);
    }
    Ok((best, out))
}

fn main() -> Result<()> {
    let root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/data/cdnow_customers_summary_with_transactions.csv"
    );
    let c = read(root, 1)?;
    let o = FitOptions::default();
    let simulated = || -> Result<Vec<Vec<f64>>> {
        let p = std::env::args().nth(1).ok_or("give the simulated CSV")?;
        read(&p, 0)
    };
    match std::env::var("ONLY").unwrap_or_default().as_str() {
        "pareto" => {
            let d = RepeatData::new(&c[0], &c[1], &c[2], None)?;
            for _ in 0..20 {
                pareto_nbd::fit(&d, &o)?;
            }
            return Ok(());
        }
        "psim" => {
            let s = simulated()?;
            let d = RepeatData::new(&s[0], &s[1], &s[2], None)?;
            let t0 = Instant::now();
            let f = pareto_nbd::fit(&d, &o)?;
            let ms = t0.elapsed().as_secs_f64() * 1e3;
            println!(
                "{ms:.1} ms {:?} ll {} {:?}",
                f.params, f.log_likelihood, f.report
            );
            return Ok(());
        }
        "sim" => {
            let s = simulated()?;
            for _ in 0..10 {
                let d = RepeatData::new(&s[0], &s[1], &s[2], None)?;
                bg_nbd::fit(&d, &o)?;
            }
            return Ok(());
        }
        _ => {}
    }
    let (t, f) = best(|| {
        Ok(bg_nbd::fit(
            &RepeatData::new(&c[0], &c[1], &c[2], None)?,
            &o,
        )?)
    })?;
    println!(
        "BG/NBD CDNOW      {t:8.2} ms  {:?} ll {} {:?}",
        f.params, f.log_likelihood, f.report
    );
    let (t, f) = best(|| {
        Ok(pareto_nbd::fit(
            &RepeatData::new(&c[0], &c[1], &c[2], None)?,
            &o,
        )?)
    })?;
    println!(
        "Pareto/NBD CDNOW  {t:8.2} ms  {:?} ll {} {:?} se {:?}",
        f.params, f.log_likelihood, f.report, f.standard_errors
    );
    let spend = c.get(3).ok_or("CDNOW: no zbar column")?;
    let (xs, ms): (Vec<f64>, Vec<f64>) = c[0]
        .iter()
        .zip(spend)
        .filter(|(x, _)| **x > 0.0)
        .map(|(x, m)| (*x, *m))
        .unzip();
    let (t, f) = best(|| {
        Ok(gamma_gamma::fit(
            &gamma_gamma::SpendData::new(&xs, &ms, None)?,
            &o,
        )?)
    })?;
    println!(
        "Gamma-Gamma CDNOW {t:8.2} ms  {:?} {:?}",
        f.params, f.report
    );
    if std::env::args().nth(1).is_some() {
        let s = simulated()?;
        let (t, d) = best(|| Ok(RepeatData::new(&s[0], &s[1], &s[2], None)?))?;
        println!("compress sim      {t:8.2} ms  rows {}", d.rows());
        let (t, f) = best(|| Ok(bg_nbd::fit(&d, &o)?))?;
        println!(
            "BG/NBD sim fit    {t:8.2} ms  {:?} ll {} {:?}",
            f.params, f.log_likelihood, f.report
        );
    }
    Ok(())
}
