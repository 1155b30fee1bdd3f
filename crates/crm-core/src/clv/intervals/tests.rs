use super::*;
use crate::clv::FitOptions;
use crate::clv::model_file::{fit_repeat, fit_spend};
use crate::clv::registry::ModelKind;
use crate::records::summary::Unit;

/// SplitMix64: a small deterministic generator for the simulations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// Gamma(shape, rate), Marsaglia & Tsang (2000).
    fn gamma(&mut self, shape: f64, rate: f64) -> f64 {
        if shape < 1.0 {
            let u = self.uniform();
            return self.gamma(shape + 1.0, rate) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v / rate;
            }
        }
    }

    fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a, 1.0);
        x / (x + self.gamma(b, 1.0))
    }
}

/// Fader, Hardie & Lee's BG/NBD and Gamma-Gamma estimates on CDNOW: the
/// "true" parameters of the simulations.
const BG: [f64; 4] = [0.243, 4.414, 0.793, 2.426];
const GG: [f64; 3] = [6.25, 3.74, 15.44];

/// `n` customers drawn from BG/NBD and Gamma-Gamma: each buys at a
/// Gamma(r, α) rate λ, may leave after each repeat purchase with a
/// Beta(a, b) probability, and spends Gamma(p, ν) per repeat purchase with
/// ν ~ Gamma(q, γ); first purchases spread over 52 weeks before the end.
fn simulate(rng: &mut Rng, n: usize) -> ClvColumns {
    let [r, alpha, a, b] = BG;
    let [p, q, gamma] = GG;
    let mut c = ClvColumns {
        unit: Unit::Week,
        ..ClvColumns::default()
    };
    for _ in 0..n {
        let age = 26.0 + 52.0 * rng.uniform();
        let lambda = rng.gamma(r, alpha);
        let drop = rng.beta(a, b);
        let nu = rng.gamma(q, gamma);
        let (mut t, mut x, mut t_x, mut spend) = (0.0, 0.0, 0.0, 0.0);
        loop {
            t += -rng.uniform().ln() / lambda;
            if t > age {
                break;
            }
            x += 1.0;
            t_x = t;
            spend += rng.gamma(p, nu);
            if rng.uniform() < drop {
                break;
            }
        }
        c.x.push(x);
        c.t_x.push(t_x);
        c.age.push(age);
        c.monetary_value.push(if x > 0.0 { spend / x } else { 0.0 });
    }
    c
}

fn horizon() -> Horizon {
    Horizon {
        months: 12,
        monthly_discount_rate: 0.01,
    }
}

/// Reference customers whose expectation the intervals must hold: a
/// one-timer, a recent repeat buyer and a lapsed frequent one.
fn references() -> ClvColumns {
    ClvColumns {
        unit: Unit::Week,
        x: vec![0.0, 2.0, 6.0],
        t_x: vec![0.0, 30.0, 15.0],
        age: vec![39.0, 39.0, 52.0],
        monetary_value: vec![0.0, 25.0, 40.0],
    }
}

#[test]
fn ninety_percent_intervals_hold_the_true_expectation_about_ninety_percent_of_the_time() {
    let mut rng = Rng(20_261_204);
    let truth_model = |kind, v: &[f64]| Model::from_values(kind, v).unwrap();
    let (bg, gg) = (
        truth_model(ModelKind::BgNbd, &BG),
        truth_model(ModelKind::GammaGamma, &GG),
    );
    let refs = references();
    let truth = predict(&bg, &gg, &refs, &horizon()).unwrap();
    let o = FitOptions::default();
    let replications = 200;
    // Per reference customer and prediction (P(alive) of the one-timer is
    // 1 under BG/NBD whatever the parameters: left out), then the totals.
    let mut covered = [0usize; 13];
    let mut counted = [0usize; 13];
    for _ in 0..replications {
        let data = simulate(&mut rng, 2_000);
        let repeat = fit_repeat(ModelKind::BgNbd, &data, &o).unwrap();
        let spend = fit_spend(&data, &o).unwrap();
        let (ur, us) = (
            Uncertain::of_fit(&repeat.model).unwrap(),
            Uncertain::of_fit(&spend.model).unwrap(),
        );
        let level = Level::default();
        let iv = PredictionIntervals::of(&ur, &us, &refs, &horizon(), level).unwrap();
        let mut check = |slot: usize, lo: f64, hi: f64, want: f64| {
            counted[slot] += 1;
            if lo <= want && want <= hi {
                covered[slot] += 1;
            }
        };
        for i in 0..3 {
            if i > 0 {
                check(
                    i,
                    iv.p_alive.lower[i],
                    iv.p_alive.upper[i],
                    truth.p_alive[i],
                );
            }
            let b = [&iv.expected_purchases, &iv.expected_spend, &iv.clv];
            let w = [&truth.expected_purchases, &truth.expected_spend, &truth.clv];
            for (m, (bounds, want)) in b.iter().zip(w).enumerate() {
                check(3 + 3 * m + i, bounds.lower[i], bounds.upper[i], want[i]);
            }
        }
        // The totals over the simulated customers themselves.
        let all = PredictionIntervals::of(&ur, &us, &data, &horizon(), level).unwrap();
        let true_all = predict(&bg, &gg, &data, &horizon()).unwrap();
        let t = &all.total_expected_purchases;
        check(
            12,
            t.lower,
            t.upper,
            true_all.expected_purchases.iter().sum(),
        );
        let t = &all.total_clv;
        check(0, t.lower, t.upper, true_all.clv.iter().sum());
    }
    for slot in 0..13 {
        assert_eq!(counted[slot], replications, "slot {slot}");
        let rate = covered[slot] as f64 / replications as f64;
        // Binomial standard error at 90 % of 200 fits: 2.1 points.
        assert!(
            (0.84..=0.96).contains(&rate),
            "slot {slot}: coverage {rate} ({covered:?})"
        );
    }
}

#[test]
fn the_delta_method_standard_error_matches_the_spread_of_sampled_parameters() {
    // Independently of the finite differences: draw the log-parameters
    // from N(θ̂, Σθ) (Cholesky) and take the standard deviation of the
    // prediction over the draws.
    let mut rng = Rng(7);
    let data = simulate(&mut rng, 3_000);
    let o = FitOptions::default();
    let repeat = fit_repeat(ModelKind::BgNbd, &data, &o).unwrap();
    let spend = fit_spend(&data, &o).unwrap();
    let (ur, us) = (
        Uncertain::of_fit(&repeat.model).unwrap(),
        Uncertain::of_fit(&spend.model).unwrap(),
    );
    let refs = references();
    let iv = PredictionIntervals::of(&ur, &us, &refs, &horizon(), Level::default()).unwrap();
    let sigma = log_covariance(&[&ur, &us]);
    let k = 7;
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = (0..j).map(|m| l[i * k + m] * l[j * k + m]).sum();
            l[i * k + j] = if i == j {
                (sigma[i * k + i] - s).sqrt()
            } else {
                (sigma[i * k + j] - s) / l[j * k + j]
            };
        }
    }
    let theta: Vec<f64> = ur
        .model
        .values()
        .into_iter()
        .chain(us.model.values())
        .map(f64::ln)
        .collect();
    let draws = 4_000;
    let mut clv = Vec::with_capacity(draws);
    for _ in 0..draws {
        let e: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
        let t: Vec<f64> = (0..k)
            .map(|i| theta[i] + (0..=i).map(|j| l[i * k + j] * e[j]).sum::<f64>())
            .collect();
        let exp = |s: &[f64]| s.iter().map(|v| v.exp()).collect::<Vec<_>>();
        let r = Model::from_values(ModelKind::BgNbd, &exp(&t[..4])).unwrap();
        let s = Model::from_values(ModelKind::GammaGamma, &exp(&t[4..])).unwrap();
        clv.push(predict(&r, &s, &refs, &horizon()).unwrap().clv[1]);
    }
    let mean = clv.iter().sum::<f64>() / draws as f64;
    let sd = (clv.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (draws - 1) as f64).sqrt();
    // The delta method's se, from the interval on the log scale.
    let (g, hi) = (iv.predictions.clv[1], iv.clv.upper[1]);
    let se = (hi / g).ln() * g / Level::default().z();
    assert!((se / sd - 1.0).abs() < 0.08, "delta {se} vs sampled {sd}");
}

#[test]
fn intervals_stay_in_range_and_widen_with_the_level() {
    let mut rng = Rng(11);
    let data = simulate(&mut rng, 1_000);
    let o = FitOptions::default();
    let ur = Uncertain::of_fit(&fit_repeat(ModelKind::BgNbd, &data, &o).unwrap().model).unwrap();
    let us = Uncertain::of_fit(&fit_spend(&data, &o).unwrap().model).unwrap();
    let narrow =
        PredictionIntervals::of(&ur, &us, &data, &horizon(), Level::new(0.5).unwrap()).unwrap();
    let wide =
        PredictionIntervals::of(&ur, &us, &data, &horizon(), Level::new(0.99).unwrap()).unwrap();
    assert_eq!(narrow.predictions, wide.predictions);
    assert_eq!(
        narrow.predictions,
        predict(ur.model(), us.model(), &data, &horizon()).unwrap()
    );
    for i in 0..data.x.len() {
        let (n, w) = (&narrow.p_alive, &wide.p_alive);
        assert!(0.0 <= w.lower[i] && w.lower[i] <= n.lower[i]);
        assert!(n.upper[i] <= w.upper[i] && w.upper[i] <= 1.0);
        let p = narrow.predictions.p_alive[i];
        assert!(n.lower[i] <= p && p <= n.upper[i]);
        let (n, w) = (&narrow.clv, &wide.clv);
        assert!(0.0 < w.lower[i] && w.lower[i] <= n.lower[i] && n.upper[i] <= w.upper[i]);
    }
    assert!(wide.total_clv.upper > narrow.total_clv.upper);
    // The one-timers' P(alive) is 1 under BG/NBD whatever the parameters.
    let one = data.x.iter().position(|&x| x == 0.0).unwrap();
    assert_eq!(
        (wide.p_alive.lower[one], wide.p_alive.upper[one]),
        (1.0, 1.0)
    );
}

#[test]
fn chunks_do_not_change_a_result_and_rows_are_counted_over_all_columns() {
    let mut rng = Rng(3);
    let data = simulate(&mut rng, CHUNK + 500);
    let ur = Uncertain::new(
        Model::from_values(ModelKind::BgNbd, &BG).unwrap(),
        diagonal(&BG, 0.05),
    )
    .unwrap();
    let us = Uncertain::new(
        Model::from_values(ModelKind::GammaGamma, &GG).unwrap(),
        diagonal(&GG, 0.05),
    )
    .unwrap();
    let all = PredictionIntervals::of(&ur, &us, &data, &horizon(), Level::default()).unwrap();
    let tail = slice(&data, CHUNK, CHUNK + 500);
    let part = PredictionIntervals::of(&ur, &us, &tail, &horizon(), Level::default()).unwrap();
    assert_eq!(&all.clv.upper[CHUNK..], &part.clv.upper[..]);
    assert_eq!(&all.p_alive.lower[CHUNK..], &part.p_alive.lower[..]);
    let mut bad = data.clone();
    bad.t_x[CHUNK + 9] = bad.age[CHUNK + 9] + 1.0;
    let e = PredictionIntervals::of(&ur, &us, &bad, &horizon(), Level::default());
    assert!(
        matches!(e, Err(ClvError::InvalidInput { row, .. }) if row == CHUNK + 10),
        "{e:?}"
    );
    let mut short = data;
    short.monetary_value.pop();
    let e = PredictionIntervals::of(&ur, &us, &short, &horizon(), Level::default());
    assert!(matches!(e, Err(ClvError::LengthMismatch { .. })));
}

fn diagonal(v: &[f64], relative: f64) -> Vec<f64> {
    let k = v.len();
    (0..k * k)
        .map(|i| {
            if i / k == i % k {
                (relative * v[i / k]).powi(2)
            } else {
                0.0
            }
        })
        .collect()
}

#[test]
fn a_bad_covariance_or_level_is_refused() {
    let bg = Model::from_values(ModelKind::BgNbd, &BG).unwrap();
    for c in [
        vec![1.0; 3],
        vec![f64::NAN; 16],
        diagonal(&BG, 0.1).into_iter().map(|v| -v).collect(),
        {
            let mut c = diagonal(&BG, 0.1);
            c[1] = 0.5;
            c
        },
    ] {
        assert!(matches!(
            Uncertain::new(bg, c),
            Err(ClvError::InvalidArgument { ref name, .. }) if name == "covariance"
        ));
    }
    for l in [0.0, 1.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
        assert!(Level::new(l).is_err(), "{l}");
    }
    assert!(serde_json::from_str::<Level>("1.5").is_err());
    assert_eq!(serde_json::from_str::<Level>("0.8").unwrap().value(), 0.8);
}

#[test]
fn a_weakly_identified_fit_gives_no_intervals() {
    let mut rng = Rng(5);
    let data = simulate(&mut rng, 1_000);
    let fit = fit_repeat(ModelKind::BgNbd, &data, &FitOptions::default()).unwrap();
    assert!(Uncertain::of_fit(&fit.model).is_ok());
    let weak = |edit: &dyn Fn(&mut crate::clv::FitReport)| {
        let mut m = fit.model.clone();
        if let FittedModel::BgNbd(f) = &mut m {
            edit(&mut f.report);
        }
        Uncertain::of_fit(&m)
    };
    for e in [
        weak(&|r| r.at_bound = vec!["b".into()]),
        weak(&|r| r.hessian_condition = Some(1e9)),
        weak(&|r| r.hessian_condition = None),
    ] {
        assert!(
            matches!(e, Err(ClvError::InvalidArgument { ref name, ref rule }) if name == "covariance" && rule.contains("weakly identified")),
            "{e:?}"
        );
    }
}
