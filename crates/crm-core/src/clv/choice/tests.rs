use proptest::prelude::*;

use super::*;
use crate::clv::tests_data::cdnow_columns;
use crate::error::{Diagnostic, ErrorClass};

#[test]
fn aic_and_bic_of_the_published_cdnow_bg_nbd_fit_by_hand() {
    // Fader, Hardie & Lee (2005), BG/NBD on the CDNOW sample: LL = −9582.4,
    // k = 4 (r, α, a, b), n = 2,357 customers. By hand:
    //   AIC = 2·4 − 2·(−9582.4) = 8 + 19,164.8 = 19,172.8
    //   ln 2357 = 7.765 144 90, so 4 ln n = 31.060 579 61 and
    //   BIC = 31.060 579 61 + 19,164.8 = 19,195.860 579 61
    let c = InformationCriteria::new(-9582.4, 4, 2357.0).unwrap();
    assert!((c.aic - 19_172.8).abs() < 1e-9, "{}", c.aic);
    assert!((c.bic - 19_195.860_579_61).abs() < 1e-7, "{}", c.bic);
    assert_eq!((c.parameters, c.observations), (4, 2357.0));

    // The library's own fit of the same data: the same figures to the
    // published precision (LL −9582.4 to one decimal).
    let [x, t_x, age, _] = cdnow_columns();
    let f = registry::fit(
        ModelKind::BgNbd,
        &[&x, &t_x, &age],
        None,
        &FitOptions::default(),
    )
    .unwrap();
    let ic = f.model.information_criteria().unwrap();
    assert_eq!((ic.parameters, ic.observations), (4, 2357.0));
    assert!((ic.log_likelihood - -9582.4).abs() < 0.05);
    assert!((ic.aic - 19_172.8).abs() < 0.1, "{}", ic.aic);
    assert!((ic.bic - 19_195.86).abs() < 0.1, "{}", ic.bic);
    assert_eq!(ic.aic, 8.0 - 2.0 * f.model.log_likelihood());
    assert_eq!(f.model.aic().unwrap(), ic.aic);
    assert_eq!(f.model.bic().unwrap(), ic.bic);
}

#[test]
fn information_criteria_refuse_what_is_not_finite() {
    assert!(InformationCriteria::new(f64::NAN, 4, 10.0).is_err());
    assert!(InformationCriteria::new(-1.0, 4, 0.0).is_err());
    assert!(InformationCriteria::new(-1.0, 4, f64::INFINITY).is_err());
    assert!(InformationCriteria::new(-f64::MAX, 4, 10.0).is_err());
}

/// Upper-tail critical values of the chi-square distribution.
///
/// `table`: NIST/SEMATECH e-Handbook of Statistical Methods, section
/// 1.3.6.7.4, "Critical Values of the Chi-Square Distribution" (three
/// decimals). `precise`: `scipy.stats.chi2.ppf(1 - alpha, df)` (SciPy
/// 1.17.1, as printed by Python's `repr`). Each precise value is also
/// checked against the closed form of the survival function below, which
/// shares no code with the library.
const CRITICAL: [(u32, f64, f64, f64); 8] = [
    // (df, alpha, table, precise)
    (1, 0.05, 3.841, 3.841_458_820_694_124),
    (2, 0.05, 5.991, 5.991_464_547_107_979),
    (3, 0.05, 7.815, 7.814_727_903_251_178),
    (10, 0.05, 18.307, 18.307_038_053_275_146),
    (1, 0.01, 6.635, 6.634_896_601_021_214_5),
    (2, 0.01, 9.210, 9.210_340_371_976_18),
    (3, 0.01, 11.345, 11.344_866_730_144_373),
    (10, 0.01, 23.209, 23.209_251_158_954_356),
];

/// The chi-square survival function in closed form for df 1, 2, 3 and 10:
/// `erfc(√(x/2))`, `e^{−x/2}`, `erfc(√(x/2)) + √(2x/π) e^{−x/2}`, and
/// `e^{−x/2} Σ_{j<5} (x/2)^j / j!`.
fn closed_form_sf(x: f64, df: u32) -> f64 {
    let h = x / 2.0;
    match df {
        1 => libm::erfc(h.sqrt()),
        2 => (-h).exp(),
        3 => libm::erfc(h.sqrt()) + (2.0 * x / std::f64::consts::PI).sqrt() * (-h).exp(),
        10 => {
            let mut term = 1.0;
            let mut sum = 1.0;
            for j in 1..5 {
                term *= h / f64::from(j);
                sum += term;
            }
            (-h).exp() * sum
        }
        _ => unreachable!(),
    }
}

#[test]
fn chi_square_p_values_match_the_published_tables() {
    for (df, alpha, table, precise) in CRITICAL {
        let p = chi_square_survival(precise, df).unwrap();
        assert!((p - alpha).abs() < 1e-12 * alpha.max(1.0), "df {df}: {p}");
        assert!(
            (closed_form_sf(precise, df) - alpha).abs() < 1e-13,
            "df {df}"
        );
        // The three-decimal table value is within 5e-4 of the precise one:
        // its p-value is alpha to within the density times that.
        let p_table = chi_square_survival(table, df).unwrap();
        assert!((p_table - alpha).abs() < 5e-5, "df {df}: {p_table}");
        assert!(
            (p_table - closed_form_sf(table, df)).abs() < 1e-14,
            "df {df}"
        );
    }
    assert_eq!(chi_square_survival(0.0, 3).unwrap(), 1.0);
    // Far in the tail: e^{-500} for df 2, still finite and exact in relative terms.
    let tail = chi_square_survival(1000.0, 2).unwrap();
    assert!((tail / (-500.0f64).exp() - 1.0).abs() < 1e-12);
    assert!(chi_square_survival(1.0, 0).is_err());
    assert!(chi_square_survival(-1.0, 1).is_err());
    assert!(chi_square_survival(f64::INFINITY, 1).is_err());
}

/// `scipy.stats.chi2.sf(x, df)` (SciPy 1.17.1), at points that are not
/// critical values, odd and even df, both sides of `x/2 = df/2 + 1`.
const SCIPY_SF: [(f64, u32, f64); 7] = [
    (0.5, 1, 0.479_500_122_186_953_37),
    (12.3, 5, 0.030_900_464_635_460_92),
    (40.0, 7, 1.258_790_387_371_308e-6),
    (2.2, 9, 0.987_895_540_174_528_1),
    (150.0, 4, 2.035_764_090_974_152e-31),
    (0.01, 3, 0.999_734_834_941_344_4),
    (60.0, 30, 0.000_920_682_396_148_663_6),
];

#[test]
fn chi_square_survival_matches_scipy_off_the_critical_values() {
    for (x, df, want) in SCIPY_SF {
        let got = chi_square_survival(x, df).unwrap();
        assert!((got - want).abs() <= 1e-12 * want, "{x} {df}: {got} {want}");
    }
}

#[test]
fn likelihood_ratio_statistic_and_rules() {
    // 5 % at df 3: 2 (LL_full − LL_restricted) = 7.8147…
    let t = likelihood_ratio(-5000.0 - 7.814_727_903_251_178 / 2.0, -5000.0, 3).unwrap();
    assert!((t.p_value - 0.05).abs() < 1e-9);
    assert_eq!(t.df, 3);
    // A tie within the optimiser's tolerance is statistic 0, p-value 1.
    let tie = likelihood_ratio(-5000.0, -5000.0 - 1e-6, 1).unwrap();
    assert_eq!((tie.statistic, tie.p_value), (0.0, 1.0));
    // A full model clearly worse than the restricted one: not nested.
    let e = likelihood_ratio(-4990.0, -5000.0, 1).unwrap_err();
    assert_eq!(e.rule(), "clv_argument");
    assert!(e.to_string().contains("nested_fit"));
    assert!(likelihood_ratio(f64::NAN, -1.0, 1).is_err());
    assert!(likelihood_ratio(-2.0, f64::NEG_INFINITY, 1).is_err());
    assert!(likelihood_ratio(-2.0, -1.0, 0).is_err());
}

#[test]
fn compare_on_cdnow_ranks_by_bic_and_chooses_the_lowest() {
    let [x, t_x, age, _] = cdnow_columns();
    let c = compare(&[&x, &t_x, &age], None, &FitOptions::default(), None).unwrap();
    let kinds: Vec<ModelKind> = c.rows.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, ModelKind::REPEAT);
    assert!(c.rows.iter().all(|r| r.converged && r.parameters == 4));
    assert!(c.rows.iter().all(|r| r.observations == 2357.0));
    assert!(c.rows.iter().all(|r| r.holdout_mae.is_none()));
    // BG/NBD −9582.4 (Fader, Hardie & Lee 2005); Pareto/NBD −9595.0
    // (Fader, Hardie & Lee 2005, the same data).
    let ll = |k: ModelKind| c.rows.iter().find(|r| r.kind == k).unwrap().log_likelihood;
    assert!((ll(ModelKind::BgNbd).unwrap() + 9582.4).abs() < 0.05);
    assert!((ll(ModelKind::ParetoNbd).unwrap() + 9595.0).abs() < 0.05);
    let mut ranks: Vec<usize> = c.rows.iter().filter_map(|r| r.bic_rank).collect();
    ranks.sort_unstable();
    assert_eq!(ranks, [1, 2, 3]);
    let choice = choose(&c).unwrap();
    assert_eq!(choice.criterion, ChoiceCriterion::Bic);
    assert!(choice.skipped.is_empty());
    let best = c.rows.iter().find(|r| r.bic_rank == Some(1)).unwrap();
    assert_eq!(choice.kind, best.kind);
    for r in &c.rows {
        assert!(best.bic.unwrap() <= r.bic.unwrap());
        assert_eq!(r.aic.unwrap(), 8.0 - 2.0 * r.log_likelihood.unwrap());
    }
    assert_eq!(c.fit(choice.kind).unwrap().model.kind(), choice.kind);
    let json = serde_json::to_string(&c).unwrap();
    assert_eq!(serde_json::from_str::<ModelComparison>(&json).unwrap(), c);
}

#[test]
fn a_holdout_chooses_by_holdout_error_over_bic() {
    // Holdout purchases equal to one model's own predictions: that model's
    // error is 0, so it is chosen whatever its BIC.
    let [x, t_x, age, _] = cdnow_columns();
    let columns: [&[f64]; 3] = [&x, &t_x, &age];
    let options = FitOptions::default();
    let plain = compare(&columns, None, &options, None).unwrap();
    for &kind in ModelKind::REPEAT {
        let model = plain.fit(kind).unwrap().model.model();
        let actual = model
            .conditional_expected_purchases(39.0, &x, &t_x, &age)
            .unwrap();
        let h = HoldoutPurchases {
            duration: 39.0,
            actual: &actual,
        };
        let c = compare(&columns, None, &options, Some(&h)).unwrap();
        assert_eq!(c.criterion, ChoiceCriterion::HoldoutMae);
        let row = c.rows.iter().find(|r| r.kind == kind).unwrap();
        assert_eq!((row.holdout_mae, row.holdout_rmse), (Some(0.0), Some(0.0)));
        assert!(c.rows.iter().all(|r| r.holdout_mae.is_some()));
        let choice = choose(&c).unwrap();
        assert_eq!(
            (choice.kind, choice.criterion),
            (kind, ChoiceCriterion::HoldoutMae)
        );
    }
    let short = HoldoutPurchases {
        duration: 39.0,
        actual: &[0.0],
    };
    assert!(matches!(
        compare(&columns, None, &options, Some(&short)),
        Err(ClvError::LengthMismatch { .. })
    ));
}

#[test]
fn weighted_holdout_errors_are_the_errors_of_the_expanded_rows() {
    // A row of weight 3 scores as three identical customers.
    let (x, t_x, age) = (
        [0.0, 1.0, 2.0, 4.0, 1.0, 0.0, 3.0],
        [0.0, 4.0, 20.0, 30.0, 9.0, 0.0, 12.0],
        [38.0, 39.0, 39.0, 35.0, 20.0, 30.0, 31.0],
    );
    let w = [300.0, 120.0, 80.0, 40.0, 90.0, 200.0, 60.0];
    let actual = [0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 2.0];
    let expand = |c: &[f64]| -> Vec<f64> {
        c.iter()
            .zip(w)
            .flat_map(|(v, k)| std::iter::repeat_n(*v, k as usize))
            .collect()
    };
    let options = FitOptions::default();
    let h = HoldoutPurchases {
        duration: 10.0,
        actual: &actual,
    };
    let weighted = compare(&[&x, &t_x, &age], Some(&w), &options, Some(&h)).unwrap();
    let (ex, et, ea, eh) = (expand(&x), expand(&t_x), expand(&age), expand(&actual));
    let he = HoldoutPurchases {
        duration: 10.0,
        actual: &eh,
    };
    let expanded = compare(&[&ex, &et, &ea], None, &options, Some(&he)).unwrap();
    assert!(weighted.rows.iter().any(|r| r.holdout_mae.is_some()));
    for (a, b) in weighted.rows.iter().zip(&expanded.rows) {
        assert_eq!(a.converged, b.converged);
        assert_eq!(a.observations, b.observations);
        if let (Some(p), Some(q)) = (a.holdout_mae, b.holdout_mae) {
            assert!((p - q).abs() < 1e-9 * q.max(1.0), "{p} {q}");
        }
    }
}

#[test]
fn when_no_fit_converges_nothing_is_chosen_and_the_error_says_why() {
    let [x, t_x, age, _] = cdnow_columns();
    let options = FitOptions {
        max_iterations: 1,
        ..FitOptions::default()
    };
    let c = compare(&[&x, &t_x, &age], None, &options, None).unwrap();
    assert!(c.rows.iter().all(|r| !r.converged && r.bic_rank.is_none()));
    assert!(c.fits.is_empty());
    // The best point found still has its figures.
    assert!(c.rows.iter().all(|r| r.bic.is_some()));
    let e = choose(&c).unwrap_err();
    assert_eq!(
        e,
        ClvError::NoModelConverged {
            models: ModelKind::REPEAT.to_vec()
        }
    );
    assert_eq!(e.rule(), "no_model_converged");
    assert_eq!(e.class(), ErrorClass::NotConverged);
    assert!(e.to_string().contains("bg_nbd, mbg_nbd, pareto_nbd"));
}

#[test]
fn compare_refuses_other_column_counts() {
    let e = compare(&[&[1.0], &[1.0]], None, &FitOptions::default(), None).unwrap_err();
    assert!(matches!(e, ClvError::InvalidArgument { ref name, .. } if name == "columns"));
}

fn row(kind: ModelKind, converged: bool, bic: f64, mae: Option<f64>) -> ModelComparisonRow {
    ModelComparisonRow {
        kind,
        converged,
        log_likelihood: Some(-bic / 2.0),
        parameters: 0,
        observations: 1.0,
        aic: Some(bic),
        bic: Some(bic),
        bic_rank: None,
        holdout_mae: mae,
        holdout_rmse: mae,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `choose` takes the converged row of lowest BIC (the first on a tie),
    /// never a row that did not converge, lists every other non-converged
    /// row as skipped, and is an error exactly when none converged.
    #[test]
    fn choose_prefers_lower_bic_and_never_a_fit_that_did_not_converge(
        figures in proptest::collection::vec((any::<bool>(), 0u8..6), 3)
    ) {
        let rows: Vec<ModelComparisonRow> = ModelKind::REPEAT
            .iter()
            .zip(&figures)
            .map(|(&k, &(ok, bic))| row(k, ok, 1000.0 + f64::from(bic), None))
            .collect();
        let c = ModelComparison { rows: rows.clone(), criterion: ChoiceCriterion::Bic, fits: vec![] };
        let converged: Vec<&ModelComparisonRow> = rows.iter().filter(|r| r.converged).collect();
        match choose(&c) {
            Ok(choice) => {
                let chosen = rows.iter().find(|r| r.kind == choice.kind).unwrap();
                prop_assert!(chosen.converged);
                let min = converged.iter().map(|r| r.bic.unwrap()).fold(f64::INFINITY, f64::min);
                prop_assert_eq!(chosen.bic.unwrap(), min);
                let first = converged.iter().find(|r| r.bic.unwrap() == min).unwrap();
                prop_assert_eq!(choice.kind, first.kind);
                let skipped: Vec<ModelKind> = rows.iter().filter(|r| !r.converged).map(|r| r.kind).collect();
                prop_assert_eq!(choice.skipped.iter().map(|s| s.kind).collect::<Vec<_>>(), skipped);
                prop_assert!(choice.skipped.iter().all(|s| s.reason == SkipReason::NotConverged));
            }
            Err(e) => {
                prop_assert!(converged.is_empty());
                prop_assert_eq!(e.rule(), "no_model_converged");
            }
        }
    }

    /// With a holdout the lowest MAE wins (ties by BIC), whatever the BIC
    /// says, and a non-converged row is never chosen even with the best MAE.
    #[test]
    fn choose_by_holdout_takes_the_lowest_error_among_converged_fits(
        figures in proptest::collection::vec((any::<bool>(), 0u8..6, 0u8..4), 3)
    ) {
        let rows: Vec<ModelComparisonRow> = ModelKind::REPEAT
            .iter()
            .zip(&figures)
            .map(|(&k, &(ok, bic, mae))| row(k, ok, 1000.0 + f64::from(bic), Some(f64::from(mae))))
            .collect();
        let c = ModelComparison { rows: rows.clone(), criterion: ChoiceCriterion::HoldoutMae, fits: vec![] };
        let mut converged: Vec<&ModelComparisonRow> = rows.iter().filter(|r| r.converged).collect();
        converged.sort_by(|a, b| {
            a.holdout_mae.unwrap().total_cmp(&b.holdout_mae.unwrap())
                .then(a.bic.unwrap().total_cmp(&b.bic.unwrap()))
        });
        match choose(&c) {
            Ok(choice) => {
                prop_assert_eq!(choice.kind, converged[0].kind);
                prop_assert_eq!(choice.criterion, ChoiceCriterion::HoldoutMae);
            }
            Err(_) => prop_assert!(converged.is_empty()),
        }
    }
}

#[test]
fn a_converged_row_without_a_score_is_skipped_not_chosen() {
    let rows = vec![
        row(ModelKind::BgNbd, true, 1000.0, None),
        row(ModelKind::MbgNbd, true, 1010.0, Some(2.0)),
        row(ModelKind::ParetoNbd, false, 900.0, Some(0.0)),
    ];
    let c = ModelComparison {
        rows,
        criterion: ChoiceCriterion::HoldoutMae,
        fits: vec![],
    };
    let choice = choose(&c).unwrap();
    assert_eq!(choice.kind, ModelKind::MbgNbd);
    assert_eq!(
        choice.skipped,
        [
            Skipped {
                kind: ModelKind::BgNbd,
                reason: SkipReason::NoScore
            },
            Skipped {
                kind: ModelKind::ParetoNbd,
                reason: SkipReason::NotConverged
            }
        ]
    );
}
