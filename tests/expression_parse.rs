//! Parsing and validation of schedule expressions: every example on AWS's cron reference page is
//! accepted, and invalid expressions are rejected naming the right field.

use ecs_onoff::expression::{ExprError, Field, ScheduleExpression};

fn ok(text: &str) -> ScheduleExpression {
    ScheduleExpression::parse(text).unwrap_or_else(|e| panic!("{text} should parse: {e}"))
}

fn err(text: &str) -> ExprError {
    match ScheduleExpression::parse(text) {
        Ok(e) => panic!("{text} should be rejected, parsed as {e}"),
        Err(e) => e,
    }
}

#[test]
fn aws_reference_examples_parse_and_round_trip() {
    // The examples table of the EventBridge cron reference, plus the wildcard examples.
    for text in [
        "cron(0 10 * * ? *)",
        "cron(15 12 * * ? *)",
        "cron(0 18 ? * MON-FRI *)",
        "cron(0 8 1 * ? *)",
        "cron(0/15 * * * ? *)",
        "cron(0/10 * ? * MON-FRI *)",
        "cron(0/5 8-17 ? * MON-FRI *)",
        "cron(0 9 ? * 2#1 *)",
        "cron(0 0 ? JAN,FEB,MAR MON *)",
        "cron(0 0 1-15 * ? *)",
        "cron(1/10 * * * ? *)",
        "cron(0 0 3W * ? *)",
        "cron(0 0 ? * 3#2 *)",
        "cron(0 0 L * ? *)",
        "cron(0 0 ? * L *)",
        "cron(0 0 ? * 6L *)",
        "cron(0 2 ? 1/1 THU#3 *)",
        "rate(5 minutes)",
        "rate(1 minute)",
        "rate(1 hour)",
        "rate(12 hours)",
        "rate(1 day)",
        "rate(7 days)",
        "at(2022-11-20T13:00:00)",
    ] {
        let expr = ok(text);
        assert_eq!(expr.to_string(), text, "canonical form of {text}");
        assert_eq!(ok(&expr.to_string()), expr, "re-parse of {text}");
    }
}

#[test]
fn canonical_form_normalises_case_and_spacing() {
    assert_eq!(
        ok("  CRON(0  9 ? *  mon-fri *) ").to_string(),
        "cron(0 9 ? * MON-FRI *)"
    );
    assert_eq!(ok("Rate(5 MINUTES)").to_string(), "rate(5 minutes)");
    assert_eq!(
        ok("cron(0 9 ? jan mon#2 2027)").to_string(),
        "cron(0 9 ? JAN MON#2 2027)"
    );
}

#[test]
fn valid_edge_forms() {
    for text in [
        "cron(59 23 31 12 ? 2199)",
        "cron(0 0 1 1 ? 1970)",
        "cron(0-59 0-23 1-31 1-12 ? 1970-2199)",
        "cron(*/59 */23 */31 */12 ? */229)",
        "cron(0 0 ? * SUN-SAT *)",
        "cron(0 0 ? * 1,3,5,7 *)",
        "cron(0 0 1W * ? *)",
        "cron(0 0 31W * ? *)",
        "cron(0 0 ? * 7#5 *)",
        "cron(0 0 ? * 1L *)",
        "cron(0 0 * * ? 2026,2028-2030,2040/5)",
        "cron(05 09 ? * MON *)",
    ] {
        ok(text);
    }
}

/// (expression, the field the error must name)
const INVALID_FIELDS: &[(&str, Field)] = &[
    ("cron(60 * * * ? *)", Field::Minutes),
    ("cron(-1 * * * ? *)", Field::Minutes),
    ("cron(*/0 * * * ? *)", Field::Minutes),
    ("cron(*/60 * * * ? *)", Field::Minutes),
    ("cron(1,,2 * * * ? *)", Field::Minutes),
    ("cron(? * * * ? *)", Field::Minutes),
    ("cron(5W * * * ? *)", Field::Minutes),
    ("cron(1.5 * * * ? *)", Field::Minutes),
    ("cron(1-2-3 * * * ? *)", Field::Minutes),
    ("cron(0/ * * * ? *)", Field::Minutes),
    ("cron(0 24 * * ? *)", Field::Hours),
    ("cron(0 */24 * * ? *)", Field::Hours),
    ("cron(0 ? * * ? *)", Field::Hours),
    ("cron(0 L * * ? *)", Field::Hours),
    ("cron(0 MON * * ? *)", Field::Hours),
    ("cron(0 0 0 * ? *)", Field::DayOfMonth),
    ("cron(0 0 32 * ? *)", Field::DayOfMonth),
    ("cron(0 0 */32 * ? *)", Field::DayOfMonth),
    ("cron(0 0 L-2 * ? *)", Field::DayOfMonth),
    ("cron(0 0 LW * ? *)", Field::DayOfMonth),
    ("cron(0 0 1W,15 * ? *)", Field::DayOfMonth),
    ("cron(0 0 1,L * ? *)", Field::DayOfMonth),
    ("cron(0 0 32W * ? *)", Field::DayOfMonth),
    ("cron(0 0 W * ? *)", Field::DayOfMonth),
    ("cron(0 0 1-5W * ? *)", Field::DayOfMonth),
    ("cron(0 0 1L * ? *)", Field::DayOfMonth),
    ("cron(0 0 1#2 * ? *)", Field::DayOfMonth),
    ("cron(0 0 MON * ? *)", Field::DayOfMonth),
    ("cron(0 0 * 0 ? *)", Field::Month),
    ("cron(0 0 * 13 ? *)", Field::Month),
    ("cron(0 0 * */13 ? *)", Field::Month),
    ("cron(0 0 * FOO ? *)", Field::Month),
    ("cron(0 0 * JAN-FOO ? *)", Field::Month),
    ("cron(0 0 * ? ? *)", Field::Month),
    ("cron(0 0 * L ? *)", Field::Month),
    ("cron(0 0 ? * 0 *)", Field::DayOfWeek),
    ("cron(0 0 ? * 8 *)", Field::DayOfWeek),
    ("cron(0 0 ? * FUN *)", Field::DayOfWeek),
    ("cron(0 0 ? * MON/2 *)", Field::DayOfWeek),
    ("cron(0 0 ? * */2 *)", Field::DayOfWeek),
    ("cron(0 0 ? * 3#1,6#3 *)", Field::DayOfWeek),
    ("cron(0 0 ? * 3#6 *)", Field::DayOfWeek),
    ("cron(0 0 ? * 3#0 *)", Field::DayOfWeek),
    ("cron(0 0 ? * 8#1 *)", Field::DayOfWeek),
    ("cron(0 0 ? * #2 *)", Field::DayOfWeek),
    ("cron(0 0 ? * 1#1#1 *)", Field::DayOfWeek),
    ("cron(0 0 ? * 2#1-3 *)", Field::DayOfWeek),
    ("cron(0 0 ? * 1-3#2 *)", Field::DayOfWeek),
    ("cron(0 0 ? * 2L,3 *)", Field::DayOfWeek),
    ("cron(0 0 ? * 9L *)", Field::DayOfWeek),
    ("cron(0 0 ? * LW *)", Field::DayOfWeek),
    ("cron(0 0 ? * 1W *)", Field::DayOfWeek),
    ("cron(0 0 * * ? 1969)", Field::Year),
    ("cron(0 0 * * ? 2200)", Field::Year),
    ("cron(0 0 * * ? 2030-2020)", Field::Year),
    ("cron(0 0 * * ? 20x0)", Field::Year),
    ("cron(0 0 * * ? */0)", Field::Year),
    ("cron(0 0 * * ? ?)", Field::Year),
    ("cron(0 0 * * ? L)", Field::Year),
];

#[test]
fn invalid_expressions_name_the_right_field() {
    assert!(INVALID_FIELDS.len() >= 40);
    for (text, field) in INVALID_FIELDS {
        let e = err(text);
        assert_eq!(e.cron_field(), Some(*field), "{text}: {e}");
        assert!(
            e.to_string().starts_with(&format!("{field}: ")),
            "{text}: message should start with the field: {e}"
        );
        if let ExprError::Field { token, .. } = &e {
            assert!(!token.is_empty(), "{text}: the token is named");
            assert!(e.to_string().contains(token.as_str()), "{text}: {e}");
        }
    }
}

#[test]
fn messages_are_specific() {
    assert_eq!(
        err("cron(0 9 ? * 8 *)").to_string(),
        "day-of-week: 8 is out of range 1-7 (SUN=1) or SUN-SAT"
    );
    assert_eq!(
        err("cron(60 9 * * ? *)").to_string(),
        "minutes: 60 is out of range 0-59"
    );
    assert!(err("cron(0 0 ? * 3#1,6#3 *)")
        .to_string()
        .contains("only expression"));
    assert!(err("cron(0 0 LW * ? *)")
        .to_string()
        .contains("not described in AWS's cron reference"));
    assert!(err("cron(*/60 * * * ? *)")
        .to_string()
        .contains("from 1 to 59"));
    assert!(err("cron(0 0 ? * MON/2 *)")
        .to_string()
        .contains("'/' is not allowed"));
}

#[test]
fn wrapping_ranges_are_refused_with_their_equivalent() {
    for (text, field, equivalent) in [
        (
            "cron(0 20-2 ? * MON-FRI *)",
            Field::Hours,
            "write 20,21,22,23,0,1,2",
        ),
        (
            "cron(0 0 ? * FRI-MON *)",
            Field::DayOfWeek,
            "write FRI,SAT,SUN,MON",
        ),
        ("cron(0 0 ? * 6-2 *)", Field::DayOfWeek, "write 6,7,1,2"),
        (
            "cron(0 0 ? NOV-FEB * *)",
            Field::Month,
            "write NOV,DEC,JAN,FEB",
        ),
        ("cron(50-10 * * * ? *)", Field::Minutes, "write 50-59,0-10"),
        (
            "cron(50-10/5 * * * ? *)",
            Field::Minutes,
            "write 50,55,0,5,10",
        ),
        (
            "cron(0 0 28-3 * ? *)",
            Field::DayOfMonth,
            "write 28,29,30,31,1,2,3",
        ),
    ] {
        let e = err(text);
        assert_eq!(e.cron_field(), Some(field), "{text}: {e}");
        let message = e.to_string();
        assert!(message.contains("wraps around"), "{text}: {message}");
        assert!(message.ends_with(equivalent), "{text}: {message}");
        // The equivalent is itself accepted.
        let fixed = text.replace(
            e.to_string().split(':').nth(1).unwrap().trim(),
            equivalent.trim_start_matches("write "),
        );
        assert!(ScheduleExpression::parse(&fixed).is_ok(), "{fixed}");
    }
}

#[test]
fn day_fields_need_exactly_one_question_mark() {
    for text in [
        "cron(0 0 * * * *)",
        "cron(0 0 ? * ? *)",
        "cron(0 0 1 * MON *)",
        "cron(0 0 L * 6L *)",
        "cron(0 0 * * MON-FRI *)",
    ] {
        assert!(
            matches!(err(text), ExprError::DayFields(_)),
            "{text}: {}",
            err(text)
        );
    }
}

#[test]
fn structural_errors() {
    assert_eq!(err(""), ExprError::Empty);
    assert_eq!(err("   "), ExprError::Empty);
    assert_eq!(err("cron(0 0 * * ?)"), ExprError::FieldCount { found: 5 });
    assert_eq!(
        err("cron(0 0 * * ? * *)"),
        ExprError::FieldCount { found: 7 }
    );
    assert_eq!(err("cron()"), ExprError::FieldCount { found: 0 });
    assert!(matches!(err("cron(0 0 * * ? *"), ExprError::Unclosed(_)));
    assert!(matches!(err("crn(0 0 * * ? *)"), ExprError::UnknownForm(_)));
    assert!(matches!(err("every day at 9"), ExprError::UnknownForm(_)));
    assert!(matches!(
        err(&format!("cron(0 0 * * ? {})", vec!["2026"; 60].join(","))),
        ExprError::TooLong { .. }
    ));
}

#[test]
fn rate_rules() {
    for (text, needle) in [
        ("rate(0 minutes)", "1 or more"),
        ("rate(1 minutes)", "singular"),
        ("rate(5 minute)", "singular"),
        ("rate(2 day)", "singular"),
        ("rate(5 weeks)", "not a unit"),
        ("rate(-5 minutes)", "not a positive whole number"),
        ("rate(1.5 hours)", "not a positive whole number"),
        ("rate(5)", "expected 'value unit'"),
        ("rate(5 minutes please)", "expected 'value unit'"),
        ("rate(05 minutes)", "leading zero"),
        ("rate(99999999999999999999 days)", "too large"),
    ] {
        let e = err(text);
        assert!(matches!(e, ExprError::Rate(_)), "{text}: {e}");
        assert!(e.to_string().contains(needle), "{text}: {e}");
    }
}

#[test]
fn at_rules() {
    for text in [
        "at(2026-02-30T00:00:00)",
        "at(2026-1-01T00:00:00)",
        "at(2026-01-01 00:00:00)",
        "at(2026-01-01T24:00:00)",
        "at(2026-01-01T00:60:00)",
        "at(2026-01-01T00:00)",
        "at(2026-01-01T00:00:00Z)",
        "at(tomorrow)",
        "at(2027-02-29T09:00:00)",
    ] {
        assert!(matches!(err(text), ExprError::At(_)), "{text}");
    }
    ok("at(2028-02-29T09:00:00)");
}
