//! Times the CLV fits of `benches/clv_vs_lifetimes.py` from Rust, without
//! Python: `cargo run --release -p crm-core --example clv_timing [simulated.csv]`
//! (best of 15 runs each). The simulated file has columns
//! `frequency,recency,T` (`benches/clv_vs_lifetimes.py --dump-simulated PATH`
//! writes it). `ONLY=pareto` or `ONLY=sim` runs only that fit, 20 or 10
//! times, for a profiler (`perf record`); `ONLY=psim` fits Pareto/NBD to
//! the simulated customers once.
use std::time::Instant;

use crm_core::clv::{FitOptions, RepeatData, bg_nbd, gamma_gamma, pareto_nbd};

fn read(path: &str, skip: usize) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(path).expect("read csv");
    let mut cols: Vec<Vec<f64>> = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<f64> = line
            .split(',')
            .skip(skip)
            .map(|v| v.trim().parse().expect("number"))
            .collect();
        if cols.is_empty() {
            cols = vec![Vec::new(); f.len()];
        }
        for (c, v) in cols.iter_mut().zip(f) {
            c.push(v);
        }
    }
    cols
}

const REP: usize = 15;

fn best<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..n {
        let t0 = Instant::now();
        let o = f();
        best = best.min(t0.elapsed().as_secs_f64() * 1e3);
        out = Some(o);
    }
    (best, out.expect("n > 0"))
}

fn main() {
    let root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/data/cdnow_customers_summary_with_transactions.csv"
    );
    let c = read(root, 1);
    let o = FitOptions::default();
    let only = std::env::var("ONLY").unwrap_or_default();
    if only == "pareto" {
        let d = RepeatData::new(&c[0], &c[1], &c[2], None).unwrap();
        for _ in 0..20 {
            pareto_nbd::fit(&d, &o).unwrap();
        }
        return;
    }
    if only == "psim" {
        let p = std::env::args().nth(1).expect("simulated csv");
        let s = read(&p, 0);
        let d = RepeatData::new(&s[0], &s[1], &s[2], None).unwrap();
        let t0 = Instant::now();
        let f = pareto_nbd::fit(&d, &o);
        println!("{:.1} ms {:?}", t0.elapsed().as_secs_f64() * 1e3, f.map(|f| (f.params, f.log_likelihood, f.report)));
        return;
    }
    if only == "sim" {
        let p = std::env::args().nth(1).expect("simulated csv");
        let s = read(&p, 0);
        for _ in 0..10 {
            let d = RepeatData::new(&s[0], &s[1], &s[2], None).unwrap();
            bg_nbd::fit(&d, &o).unwrap();
        }
        return;
    }
    let (t, f) = best(REP, || {
        let d = RepeatData::new(&c[0], &c[1], &c[2], None).unwrap();
        bg_nbd::fit(&d, &o).unwrap()
    });
    println!(
        "BG/NBD CDNOW      {t:8.2} ms  {:?} ll {} {:?}",
        f.params, f.log_likelihood, f.report
    );
    let (t, f) = best(REP, || {
        let d = RepeatData::new(&c[0], &c[1], &c[2], None).unwrap();
        pareto_nbd::fit(&d, &o).unwrap()
    });
    println!(
        "Pareto/NBD CDNOW  {t:8.2} ms  {:?} ll {} {:?} se {:?}",
        f.params, f.log_likelihood, f.report, f.standard_errors
    );
    let (xs, ms): (Vec<f64>, Vec<f64>) = c[0]
        .iter()
        .zip(&c[3])
        .filter(|(x, _)| **x > 0.0)
        .map(|(x, m)| (*x, *m))
        .unzip();
    let (t, f) = best(REP, || {
        gamma_gamma::fit(&gamma_gamma::SpendData::new(&xs, &ms, None).unwrap(), &o).unwrap()
    });
    println!(
        "Gamma-Gamma CDNOW {t:8.2} ms  {:?} {:?}",
        f.params, f.report
    );
    if let Some(p) = std::env::args().nth(1) {
        let s = read(&p, 0);
        let (t, d) = best(REP, || RepeatData::new(&s[0], &s[1], &s[2], None).unwrap());
        println!("compress sim      {t:8.2} ms  rows {}", d.rows());
        let (t, f) = best(REP, || bg_nbd::fit(&d, &o).unwrap());
        println!(
            "BG/NBD sim fit    {t:8.2} ms  {:?} ll {} {:?}",
            f.params, f.log_likelihood, f.report
        );
    }
}
