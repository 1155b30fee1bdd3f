//! Deterministic input generators shared by the crm-engine benchmarks.
//!
//! Benchmarks must be reproducible run to run, so inputs come from a fixed
//! seed rather than a random source.
#![allow(missing_docs)]

use rust_decimal::Decimal;

/// A small, fast, deterministic generator (PCG-style LCG step + xorshift).
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let x = self.0;
        (x ^ (x >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }
}

/// `n` customer values in cents, skewed like real revenue (a Pareto tail),
/// with about 2 % zero or negative (returns exceeding purchases).
pub fn customer_values(n: usize, seed: u64) -> Vec<Decimal> {
    let mut rng = Lcg::new(seed);
    (0..n)
        .map(|_| {
            let u = rng.next_f64();
            if u < 0.02 {
                return Decimal::new(-((rng.next_u64() % 5_000) as i64), 2);
            }
            // Pareto with shape 1.2 and scale 10 dollars, capped at 10M dollars.
            let dollars = (10.0 / (1.0 - rng.next_f64()).powf(1.0 / 1.2)).min(1e7);
            Decimal::new((dollars * 100.0) as i64, 2)
        })
        .collect()
}
