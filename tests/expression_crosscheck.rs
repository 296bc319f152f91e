//! Fire times agree with independent implementations of AWS cron: the table in
//! tests/data/aws_cron_fires.json was computed by the PyPI packages aws-croniter and pyawscron
//! (scripts/crosscheck.py), not by this code.

use ecs_onoff::expression::timezone::Zone;
use ecs_onoff::expression::ScheduleExpression;

#[test]
fn fire_times_match_the_independent_table() {
    let table: serde_json::Value =
        serde_json::from_str(include_str!("data/aws_cron_fires.json")).unwrap();
    let after: jiff::Timestamp = table["after"].as_str().unwrap().parse().unwrap();
    let rows = table["rows"].as_array().unwrap();
    assert!(rows.len() >= 400, "{} rows", rows.len());
    let utc = Zone::utc();
    let mut mismatches = Vec::new();
    for row in rows {
        let text = row["expression"].as_str().unwrap();
        let expected: Vec<&str> = row["fires"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let expr = ScheduleExpression::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let got: Vec<String> = expr
            .next_fires(&utc, after, expected.len())
            .fires
            .iter()
            .map(|f| f.utc_rfc3339())
            .collect();
        if got != expected {
            mismatches.push(format!("{text}\n  ours:  {got:?}\n  table: {expected:?}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
