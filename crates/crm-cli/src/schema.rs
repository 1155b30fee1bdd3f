//! `crm schema`: JSON Schemas (draft 2020-12, by schemars) of every input
//! and result type an embedding product exchanges with the engine, so it
//! can validate what it sends and what it receives.
//!
//! `crm schema` prints an object mapping each type name to its schema;
//! `crm schema NAME` prints one schema. The names are the Rust type names
//! of crm-core (and `Report` for `crm report`'s `result.json`, `LoyaltyReport` for
//! `crm metrics`).

use std::collections::BTreeMap;

use crm_core::clv::bg_nbd::BetaGeo;
use crm_core::clv::gamma_gamma::GammaGamma;
use crm_core::clv::holdout::HoldoutForecast;
use crm_core::clv::holdout_groups::HoldoutGroups;
use crm_core::clv::model_file::ModelFile;
use crm_core::clv::registry::FittedModel;
use crm_core::clv::tracking::TrackingCurve;
use crm_core::clv::{FitOptions, Fitted};
use crm_core::records::reconciliation::Reconciliation;
use crm_core::records::summary::{SummaryConfig, SummaryOutput};
use crm_core::records::transaction::{CalendarConfig, Transaction};
use crm_core::relationship::complaint::{Complaint, ServiceLevels};
use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
use crm_core::relationship::degrees::{DegreeConfig, DegreeData, DegreeReport};
use crm_core::relationship::delivered_value::{
    DeliveredValue, Offer, OfferComparison, WeightTable, Weights,
};
use crm_core::relationship::economics::{
    AcquisitionRetention, CustomerEquity, Levers, RevenueModel, SegmentValue, WhatIf,
};
use crm_core::relationship::inactivity::{InactivityRule, PurchaseDates};
use crm_core::relationship::period_metrics::{PeriodConfig, PeriodData, PeriodMetrics, Referral};
use crm_core::relationship::survey::{SurveyAnswer, SurveyConfig, SurveyReport};
use crm_core::value::assignment::{AssignmentConfig, AssignmentReport};
use crm_core::value::behaviour::{BehaviourRules, BehaviourSignals};
use crm_core::value::review::{Period, PeriodReview};
use crm_core::value::rfm::{RfmResult, SegmentTable};
use crm_core::value::tier::TierConfig;
use schemars::{Schema, schema_for};

use crate::failure::Failure;
use crate::report::ReportJson;

/// Every schema by type name.
pub fn all() -> BTreeMap<&'static str, Schema> {
    BTreeMap::from([
        // Inputs and settings.
        ("Transaction", schema_for!(Transaction)),
        ("CalendarConfig", schema_for!(CalendarConfig)),
        ("SummaryConfig", schema_for!(SummaryConfig)),
        ("TierConfig", schema_for!(TierConfig)),
        ("AssignmentConfig", schema_for!(AssignmentConfig)),
        ("BehaviourRules", schema_for!(BehaviourRules)),
        ("BehaviourSignals", schema_for!(BehaviourSignals)),
        ("SegmentTable", schema_for!(SegmentTable)),
        ("Period", schema_for!(Period)),
        ("Offer", schema_for!(Offer)),
        ("Weights", schema_for!(Weights)),
        ("WeightTable", schema_for!(WeightTable)),
        ("CustomerSpan", schema_for!(CustomerSpan)),
        ("CustomerBase", schema_for!(CustomerBase)),
        ("Complaint", schema_for!(Complaint)),
        ("ServiceLevels", schema_for!(ServiceLevels)),
        ("Referral", schema_for!(Referral)),
        ("PeriodData", schema_for!(PeriodData)),
        ("PeriodConfig", schema_for!(PeriodConfig)),
        ("InactivityRule", schema_for!(InactivityRule)),
        ("PurchaseDates", schema_for!(PurchaseDates)),
        ("SurveyAnswer", schema_for!(SurveyAnswer)),
        ("SurveyConfig", schema_for!(SurveyConfig)),
        ("DegreeData", schema_for!(DegreeData)),
        ("DegreeConfig", schema_for!(DegreeConfig)),
        ("AcquisitionRetention", schema_for!(AcquisitionRetention)),
        ("RevenueModel", schema_for!(RevenueModel)),
        ("Levers", schema_for!(Levers)),
        ("SegmentValue", schema_for!(SegmentValue)),
        ("FitOptions", schema_for!(FitOptions)),
        // Results.
        ("SummaryOutput", schema_for!(SummaryOutput)),
        ("Reconciliation", schema_for!(Reconciliation)),
        ("AssignmentReport", schema_for!(AssignmentReport)),
        ("RfmResult", schema_for!(RfmResult)),
        ("PeriodReview", schema_for!(PeriodReview)),
        ("DeliveredValue", schema_for!(DeliveredValue)),
        ("OfferComparison", schema_for!(OfferComparison)),
        ("PeriodMetrics", schema_for!(PeriodMetrics)),
        ("SurveyReport", schema_for!(SurveyReport)),
        ("DegreeReport", schema_for!(DegreeReport)),
        ("WhatIf", schema_for!(WhatIf)),
        ("CustomerEquity", schema_for!(CustomerEquity)),
        ("FittedBetaGeo", schema_for!(Fitted<BetaGeo>)),
        ("FittedGammaGamma", schema_for!(Fitted<GammaGamma>)),
        ("Report", schema_for!(ReportJson<'static>)),
        ("LoyaltyReport", schema_for!(crate::loyalty::LoyaltyReport)),
        ("ClvModelFile", schema_for!(ModelFile)),
        ("ClvFittedModel", schema_for!(FittedModel)),
        ("ClvHoldoutForecast", schema_for!(HoldoutForecast)),
        ("ClvTrackingCurve", schema_for!(TrackingCurve)),
        ("ClvHoldoutGroups", schema_for!(HoldoutGroups)),
        (
            "ClvPredictions",
            schema_for!(crate::clv_command::PredictionsJson<'static>),
        ),
        (
            "ClvPurchaseProbabilities",
            schema_for!(crate::clv_command::PurchaseProbabilitiesJson<'static>),
        ),
    ])
}

/// The schemas as pretty JSON: all of them, or the one named.
pub fn text(name: Option<&str>) -> Result<String, Failure> {
    let all = all();
    let json = match name {
        None => serde_json::to_string_pretty(&all),
        Some(n) => match all.get(n) {
            Some(s) => serde_json::to_string_pretty(s),
            None => {
                let names: Vec<&str> = all.keys().copied().collect();
                return Err(Failure::usage(format!(
                    "no schema named {n:?}; known: {}",
                    names.join(", ")
                )));
            }
        },
    };
    json.map_err(|e| Failure::internal(format!("serialising the schemas: {e}")))
}
