//! Test support without AWS: an independent AWS-cron evaluator (the `croner` crate).
#![allow(dead_code)]

use jiff::Timestamp;

/// An AWS `cron(...)` expression as croner reads it: a seconds field of 0 added, the year
/// required, AWS's day-of-week numbers (1 = Sunday), and ranges that wrap (`FRI-MON`).
pub fn croner_cron(expr: &str) -> croner::Cron {
    let inner = &expr["cron(".len()..expr.len() - 1];
    let pattern = format!("0 {inner}");
    croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Required)
        .year(croner::parser::Year::Required)
        .alternative_weekdays(true)
        .sloppy_ranges(true)
        .build()
        .parse(&pattern)
        .unwrap_or_else(|e| panic!("croner rejects {pattern}: {e}"))
}

/// The fires of an AWS cron in a zone, after `after` and up to `until`, according to croner.
pub fn croner_fires(expr: &str, zone: &str, after: Timestamp, until: Timestamp) -> Vec<Timestamp> {
    let cron = croner_cron(expr);
    let tz = jiff02::tz::TimeZone::get(zone).unwrap();
    let start = jiff02::Timestamp::from_second(after.as_second())
        .unwrap()
        .to_zoned(tz);
    cron.iter_after(start)
        .map(|z| Timestamp::from_second(z.timestamp().as_second()).unwrap())
        .take_while(|t| *t <= until)
        .collect()
}
