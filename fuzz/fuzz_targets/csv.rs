//! Fuzzes the CSV path of crm-io: arbitrary bytes, read with layout options
//! taken from the first byte, must never panic, and whenever a summary comes
//! out its reconciliation must add up.
#![no_main]

use chrono::NaiveDate;
use crm_core::records::summary::{SummaryConfig, Unit};
use crm_core::records::transaction::CalendarConfig;
use crm_io::csv_input::summarize_csv_reader;
use crm_io::{ColumnMapping, CsvOptions, IdType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, text)) = data.split_first() else {
        return;
    };
    let opts = CsvOptions {
        delimiter: if flags & 1 == 0 { b',' } else { b';' },
        has_header: flags & 2 != 0,
        whitespace: flags & 4 != 0,
        id_type: if flags & 8 == 0 {
            IdType::Text
        } else {
            IdType::Int
        },
        batch_rows: 1 + usize::from(flags >> 5),
        date_formats: vec!["%d/%m/%Y".into()],
        ..CsvOptions::default()
    };
    let mapping = if opts.has_header {
        ColumnMapping::default()
            .with_quantity("quantity")
            .with_margin("margin")
            .with_discount("discount")
    } else {
        ColumnMapping::new(0, 1, 2)
            .with_quantity(3)
            .with_margin(4)
            .with_discount(5)
    };
    let calendar = if flags & 16 == 0 {
        CalendarConfig::default()
    } else {
        CalendarConfig::in_zone(chrono_tz_zone())
    };
    let as_of = NaiveDate::from_ymd_opt(2024, 6, 30).unwrap_or_default();
    let mut config = SummaryConfig::new(as_of).with_unit(Unit::Week);
    if flags & 16 != 0 {
        config = config.with_window_start(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default());
    }
    config.max_listed_rejections = 8;
    if let Ok(out) = summarize_csv_reader(text, "fuzz", &opts, &mapping, &calendar, config.clone())
    {
        assert!(out.reconciliation.is_balanced(), "{:?}", out.reconciliation);
        assert_eq!(
            out.summaries.transactions.iter().sum::<u64>(),
            out.reconciliation.rows_used
        );
    }
    let _ = summarize_csv_reader(text, "fuzz", &opts, &mapping, &calendar, config.strict());
});

fn chrono_tz_zone() -> chrono_tz::Tz {
    chrono_tz::Asia::Kolkata
}
