//! `crm metrics`: loyalty figures against independent counts, and the
//! relationship files' errors (file, 1-based row, column, rule).

mod common;

use common::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

#[test]
fn metrics_on_the_sample_match_an_independent_count_over_every_purchase_day() -> TestResult {
    use chrono::NaiveDate;
    use std::collections::{BTreeMap, BTreeSet};
    // The oracle reads every purchase day and applies the inactivity rule
    // day by day: in the base on d when some purchase p has p <= d < p + 181.
    let text = std::fs::read_to_string(sample())?;
    let mut days: BTreeMap<String, BTreeSet<NaiveDate>> = BTreeMap::new();
    let mut orders_in_period = 0;
    let (start, end) = (
        NaiveDate::from_ymd_opt(1998, 1, 1).ok_or("date")?,
        NaiveDate::from_ymd_opt(1998, 6, 30).ok_or("date")?,
    );
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let day = NaiveDate::parse_from_str(f[2], "%Y%m%d")?;
        orders_in_period += u64::from((start..=end).contains(&day));
        days.entry(f[0].to_owned()).or_default().insert(day);
    }
    let in_base = |d: &BTreeSet<NaiveDate>, day: NaiveDate| {
        d.iter().any(|&p| p <= day && (day - p).num_days() < 181)
    };
    let before = start.pred_opt().ok_or("date")?;
    let period: Vec<NaiveDate> = start.iter_days().take_while(|d| *d <= end).collect();
    let (mut at_start, mut at_end, mut retained, mut lost, mut returned, mut active, mut repeat) =
        (0, 0, 0, 0, 0, 0, 0);
    let (mut entered, mut joined) = (0, 0);
    for d in days.values() {
        let s = in_base(d, before);
        let e = in_base(d, end);
        at_start += u64::from(s);
        at_end += u64::from(e);
        retained += u64::from(s && e);
        let mut was = s;
        let (mut lost_here, mut back_here, mut joined_here) = (false, false, false);
        for &day in &period {
            let is = in_base(d, day);
            lost_here |= was && !is;
            back_here |= !was && is && d.iter().any(|&p| p < day);
            joined_here |= !was && is;
            was = is;
        }
        lost += u64::from(s && lost_here);
        returned += u64::from(back_here);
        entered += u64::from(e && !s);
        joined += u64::from(joined_here);
        let occasions = d.iter().filter(|p| (start..=end).contains(*p)).count();
        active += u64::from(occasions >= 1);
        repeat += u64::from(occasions >= 2);
    }
    let out = crm()?
        .args([
            "metrics",
            "--format",
            "cdnow",
            "--as-of",
            "1998-06-30",
            "--period-start",
            "1998-01-01",
            "--inactive-days",
            "181",
            "--input",
        ])
        .arg(sample())
        .output()?;
    let m = metrics_of(out)?;
    for (name, want) in [
        ("base.at_start", at_start),
        ("base.at_end", at_end),
        ("base.retained", retained),
        ("base.lost", lost),
        ("base.returned", returned),
        ("base.acquired", 0),
        ("base.joined", joined),
        ("active_customers", active),
        ("repeat_customers", repeat),
        ("orders", orders_in_period),
    ] {
        assert_eq!(m[name], Some(want as f64), "{name}");
    }
    assert_eq!(
        m["retention_rate"],
        (Decimal::from(retained) / Decimal::from(at_start)).to_f64()
    );
    // acquisition = N / S, N in the base at the end but not at the start
    assert_eq!(
        m["acquisition_rate"],
        (Decimal::from(entered) / Decimal::from(at_start)).to_f64()
    );
    // Without complaint or referral files their figures are unknown: absent.
    assert!(
        !m.keys()
            .any(|k| k.starts_with("complaints") || k.starts_with("referral")),
        "{m:?}"
    );
    Ok(())
}

#[test]
fn metrics_with_complaints_referrals_and_answers_match_a_hand_count() -> TestResult {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    // Period March 2024, rule 60 days. Customer 1 stays (bought 10 Jan, 5 and
    // 20 March); 2 is lost on 15 March (60 days after 15 January); 3 is new
    // on 12 March; 4 was lost on 30 November and comes back on 25 March.
    let tx = write(
        d,
        "tx.csv",
        "customer,date,amount\n1,2024-01-10,100\n1,2024-03-05,50\n1,2024-03-20,30\n2,2024-01-15,80\n3,2024-03-12,40\n4,2023-10-01,10\n4,2024-03-25,20\n",
    )?;
    let complaints = write(
        d,
        "complaints.csv",
        "customer,channel,opened,first_response,resolved\n3,phone,2024-03-13T09:00:00Z,2024-03-13T10:00:00Z,2024-03-14T09:00:00Z\n1,email,2024-02-01T09:00:00Z,,\n",
    )?;
    let referrals = write(
        d,
        "referrals.csv",
        "referrer,time\n1,2024-03-06T12:00:00Z\n2,2024-04-02\n",
    )?;
    let answers = write(
        d,
        "answers.csv",
        "customer,time,scale,score\n1,2024-03-06T12:00:00Z,csat,5\n3,2024-03-14,csat,2\n",
    )?;
    let json = d.join("m.json");
    let mut cmd = crm()?;
    cmd.args([
        "metrics",
        "--int-ids",
        "--as-of",
        "2024-03-31",
        "--period-start",
        "2024-03-01",
        "--inactive-days",
        "60",
        "--input",
    ])
    .arg(&tx)
    .arg("--complaints")
    .arg(&complaints)
    .arg("--referrals")
    .arg(&referrals)
    .arg("--answers")
    .arg(&answers);
    let out = cmd.output()?;
    let m = metrics_of(out)?;
    let third = (Decimal::ONE / Decimal::from(3)).to_f64();
    for (name, want) in [
        ("base.at_start", Some(2.0)),
        ("base.at_end", Some(3.0)),
        ("base.retained", Some(1.0)),
        ("base.lost", Some(1.0)),
        ("base.acquired", Some(1.0)),
        ("base.returned", Some(1.0)),
        ("base.joined", Some(2.0)),
        ("retention_rate", Some(0.5)),
        ("churn_rate", Some(0.5)),
        ("growth_rate", Some(0.5)),
        // N / S: 3 (new) and 4 (back) are in the base at the end, not at the start
        ("acquisition_rate", Some(1.0)),
        ("active_customers", Some(3.0)),
        ("repeat_customers", Some(1.0)),
        ("repeat_purchase_rate", third),
        ("orders", Some(4.0)),
        ("referrers", Some(1.0)),
        ("referral_rate", third),
        ("rows.referrals.read", Some(2.0)),
        ("complaints.complaints", Some(1.0)),
        ("complaints.per_active_customer", third),
        ("complaints.resolution_rate", Some(1.0)),
        ("rows.complaints.outside_period", Some(1.0)),
        ("surveys.overall.csat.score", Some(0.5)),
    ] {
        assert_eq!(m.get(name).copied(), Some(want), "{name}");
    }
    cmd.arg("--output").arg(&json).assert().success();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
    assert_valid("LoyaltyReport", &v)?;
    let rows = &v["metrics"]["rows"];
    assert_eq!(
        (
            rows["complaints"]["read"].as_u64(),
            rows["complaints"]["outside_period"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(
        (
            rows["referrals"]["read"].as_u64(),
            rows["referrals"]["outside_period"].as_u64()
        ),
        (Some(2), Some(1))
    );

    // The firm's own base instead of the rule: customer 2 never left, and
    // customer 1 renewed on 15 March (until = the next since: no loss, no return).
    let base = write(
        d,
        "base.csv",
        "customer,since,until\n1,2023-01-01,2024-03-15\n1,2024-03-15,\n2,2023-06-01,\n3,2024-03-12,\n4,2023-01-01,\n",
    )?;
    let out = crm()?
        .args([
            "metrics",
            "--int-ids",
            "--as-of",
            "2024-03-31",
            "--period-start",
            "2024-03-01",
            "--input",
        ])
        .arg(&tx)
        .arg("--customer-base")
        .arg(&base)
        .output()?;
    let m = metrics_of(out)?;
    assert_eq!(
        (m["base.at_start"], m["base.lost"], m["retention_rate"]),
        (Some(3.0), Some(0.0), Some(1.0))
    );
    // S = {1, 2, 4}, E = {1, 2, 3, 4}, N = {3}: acquisition 1 / 3; joined {3}
    assert_eq!(
        (
            m["base.returned"],
            m["base.joined"],
            m["churn_rate"],
            m["acquisition_rate"]
        ),
        (Some(0.0), Some(1.0), Some(0.0), third)
    );
    Ok(())
}

#[test]
fn metrics_reject_bad_records_naming_file_row_and_column() -> TestResult {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let tx = write(d, "tx.csv", "customer,date,amount\n1,2024-03-05,50\n")?;
    let run = |extra: &[&std::ffi::OsStr]| -> Result<(Option<i32>, serde_json::Value), Box<dyn std::error::Error>> {
        let out = crm()?
            .args(["--json-errors", "metrics", "--int-ids", "--as-of", "2024-03-31", "--period-start", "2024-03-01", "--input"])
            .arg(&tx)
            .args(extra)
            .output()?;
        let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap_or(serde_json::Value::Null);
        Ok((out.status.code(), err))
    };
    // A complaint of a customer nobody knows: row 2 of the file.
    let c = write(
        d,
        "c.csv",
        "customer,channel,opened\n1,phone,2024-03-06T09:00:00Z\n9,phone,2024-03-07T09:00:00Z\n",
    )?;
    let (code, e) = run(&["--complaints".as_ref(), c.as_os_str()])?;
    assert_eq!(code, Some(3));
    assert_eq!(
        (e["row"].as_u64(), e["column"].as_str()),
        (Some(2), Some("customer")),
        "{e}"
    );
    // A missing column.
    let r = write(d, "r.csv", "who,time\n1,2024-03-06\n")?;
    let (code, e) = run(&["--referrals".as_ref(), r.as_os_str()])?;
    assert_eq!(
        (code, e["column"].as_str(), e["rule"].as_str()),
        (Some(3), Some("referrer"), Some("column_present")),
        "{e}"
    );
    // A score that is not a number.
    let a = write(
        d,
        "a.csv",
        "customer,time,scale,score\n1,2024-03-06,nps,ten\n",
    )?;
    let (code, e) = run(&["--answers".as_ref(), a.as_os_str()])?;
    assert_eq!(
        (code, e["row"].as_u64(), e["column"].as_str()),
        (Some(3), Some(1), Some("score")),
        "{e}"
    );
    // A rule shorter than the period is a usage error, found before reading.
    let (code, _) = run(&["--inactive-days".as_ref(), "7".as_ref()])?;
    assert_eq!(code, Some(2));
    Ok(())
}

#[test]
fn a_customer_twice_in_row_2_of_the_base_is_reported_as_row_2_with_the_core_rule() -> TestResult {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let tx = write(d, "tx.csv", "customer,date,amount\n1,2024-03-05,50\n")?;
    let base = write(
        d,
        "base.csv",
        "customer,since,until\n1,2023-01-01,\n1,2023-06-01,\n",
    )?;
    let out = crm()?
        .args([
            "--json-errors",
            "metrics",
            "--int-ids",
            "--as-of",
            "2024-03-31",
            "--period-start",
            "2024-03-01",
            "--input",
        ])
        .arg(&tx)
        .arg("--customer-base")
        .arg(&base)
        .output()?;
    assert_eq!(out.status.code(), Some(3));
    let e: serde_json::Value = serde_json::from_slice(&out.stderr)?;
    assert_eq!(
        (
            e["row"].as_u64(),
            e["rule"].as_str(),
            e["customer"].as_str()
        ),
        (Some(2), Some("one_span_at_a_time"), Some("1")),
        "{e}"
    );
    Ok(())
}

/// Runs `crm --json-errors metrics` on one purchase with `extra` arguments
/// and returns the exit code and the JSON error.
fn metrics_error(
    dir: &std::path::Path,
    extra: &[&std::ffi::OsStr],
) -> Result<(Option<i32>, serde_json::Value), Box<dyn std::error::Error>> {
    let tx = write(dir, "tx.csv", "customer,date,amount\n1,2024-03-05,50\n")?;
    let out = crm()?
        .args([
            "--json-errors",
            "metrics",
            "--int-ids",
            "--as-of",
            "2024-03-31",
            "--period-start",
            "2024-03-01",
            "--input",
        ])
        .arg(&tx)
        .args(extra)
        .output()?;
    let err = serde_json::from_slice(&out.stderr).unwrap_or(serde_json::Value::Null);
    Ok((out.status.code(), err))
}

#[test]
fn every_relationship_file_error_names_the_file_and_a_1_based_data_row() -> TestResult {
    // One bad record per file, in data row 2, of each kind of rule: the
    // reader's (a bad value), crm-core's on the record (a complaint resolved
    // before it was opened, a span ending before it starts, a score off its
    // scale) and crm-core's across files (a customer the base does not know).
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let base = "customer,since,until\n1,2023-01-01,\n";
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        (
            "--complaints",
            "c.csv",
            "customer,channel,opened,resolved\n1,phone,2024-03-06T09:00:00Z,\n1,phone,2024-03-06T09:00:00Z,2024-03-05T09:00:00Z\n",
            "resolved",
            "after_opened",
        ),
        (
            "--complaints",
            "c2.csv",
            "customer,opened\n1,2024-03-06T09:00:00Z\n1,tuesday\n",
            "opened",
            "time_value",
        ),
        (
            "--customer-base",
            "b.csv",
            "customer,since,until\n2,2023-01-01,\n1,2024-01-01,2023-01-01\n",
            "until",
            "since_before_until",
        ),
        (
            "--customer-base",
            "b2.csv",
            "customer,since,tier\n1,2023-01-01,major\n2,2023-01-01,gold\n",
            "tier",
            "known_name",
        ),
        (
            "--answers",
            "a.csv",
            "customer,time,scale,score\n1,2024-03-06,nps,9\n1,2024-03-06,nps,11\n",
            "score",
            "score_on_scale",
        ),
        (
            "--referrals",
            "r.csv",
            "referrer,time\n1,2024-03-06\n9,2024-03-07\n",
            "customer",
            "known_customer",
        ),
        (
            "--referrals",
            "r2.csv",
            "referrer,time,referred\n1,2024-03-06,\n1,2024-03-07,x\n",
            "referred",
            "integer_id",
        ),
    ];
    for (flag, name, text, column, rule) in cases {
        let file = write(d, name, text)?;
        let mut extra: Vec<&std::ffi::OsStr> = vec![flag.as_ref(), file.as_os_str()];
        let base_file = write(d, "base.csv", base)?;
        if *flag != "--customer-base" {
            extra.extend([
                std::ffi::OsStr::new("--customer-base"),
                base_file.as_os_str(),
            ]);
        }
        let (code, e) = metrics_error(d, &extra)?;
        let path = file.display().to_string();
        assert_eq!(code, Some(3), "{name}: {e}");
        assert_eq!(
            (
                e["file"].as_str(),
                e["row"].as_u64(),
                e["column"].as_str(),
                e["rule"].as_str()
            ),
            (Some(path.as_str()), Some(2), Some(*column), Some(*rule)),
            "{name}: {e}"
        );
        let message = e["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&path) && message.contains("row 2") && !message.contains("row 0"),
            "{name}: {message}"
        );
    }
    Ok(())
}

#[test]
fn a_relationship_file_may_be_parquet() -> TestResult {
    use std::sync::Arc;
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let batch = arrow::array::RecordBatch::try_from_iter([
        (
            "referrer",
            Arc::new(arrow::array::Int64Array::from(vec![1, 9])) as arrow::array::ArrayRef,
        ),
        (
            "time",
            Arc::new(arrow::array::StringArray::from(vec![
                "2024-03-06",
                "2024-03-07",
            ])) as _,
        ),
    ])?;
    let path = d.join("r.parquet");
    let mut w =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path)?, batch.schema(), None)?;
    w.write(&batch)?;
    w.close()?;
    let (code, e) = metrics_error(d, &["--referrals".as_ref(), path.as_os_str()])?;
    assert_eq!(code, Some(3), "{e}");
    assert_eq!(
        (e["file"].as_str(), e["row"].as_u64(), e["rule"].as_str()),
        (
            Some(path.display().to_string().as_str()),
            Some(2),
            Some("known_customer")
        ),
        "{e}"
    );
    Ok(())
}
