//! Friendly on/off forms: bare AWS cron, Unix cron conversion, and windows.

use ecs_onoff::expression::ExprError;
use ecs_onoff::window::{Form, UserSchedule};

fn one(text: &str) -> (String, Form) {
    match UserSchedule::parse(text).unwrap_or_else(|e| panic!("{text}: {e}")) {
        UserSchedule::One { expr, form } => (expr.to_string(), form),
        other => panic!("{text}: expected one expression, got {other:?}"),
    }
}

fn window(text: &str) -> (String, String, String, bool) {
    match UserSchedule::parse(text).unwrap_or_else(|e| panic!("{text}: {e}")) {
        UserSchedule::Window(w) => (w.on.to_string(), w.off.to_string(), w.text, w.overnight),
        other => panic!("expected a window, got {other:?}"),
    }
}

fn err(text: &str) -> ExprError {
    UserSchedule::parse(text).expect_err(text)
}

#[test]
fn aws_expressions_pass_through() {
    assert_eq!(
        one("cron(0 9 ? * MON-FRI *)"),
        ("cron(0 9 ? * MON-FRI *)".into(), Form::Aws)
    );
    assert_eq!(one("rate(1 hour)"), ("rate(1 hour)".into(), Form::Aws));
    assert_eq!(one("at(2026-12-24T18:00:00)").1, Form::Aws);
}

#[test]
fn bare_six_field_cron_is_wrapped() {
    assert_eq!(
        one("0 9 ? * MON-FRI *"),
        ("cron(0 9 ? * MON-FRI *)".into(), Form::BareAwsCron)
    );
    assert_eq!(err("0 9 * * MON-FRI *"), ExprError::DayFields(
        "* and MON-FRI both set days; AWS requires ? in exactly one of them, e.g. cron(0 9 ? * MON-FRI *) or cron(0 9 1 * ? *)".into()
    ));
}

#[test]
fn unix_cron_is_converted() {
    for (unix, aws) in [
        ("0 9 * * 1-5", "cron(0 9 ? * MON-FRI *)"),
        ("0 9 * * MON-FRI", "cron(0 9 ? * MON-FRI *)"),
        ("30 18 * * 0", "cron(30 18 ? * SUN *)"),
        ("30 18 * * 7", "cron(30 18 ? * SUN *)"),
        ("0 0 * * 5-7", "cron(0 0 ? * SUN,FRI-SAT *)"),
        ("0 0 * * 0,6", "cron(0 0 ? * SUN,SAT *)"),
        ("0 0 * * 0-6", "cron(0 0 ? * * *)"),
        ("0 0 * * */2", "cron(0 0 ? * SUN,TUE,THU,SAT *)"),
        ("0 0 * * 1-5/2", "cron(0 0 ? * MON,WED,FRI *)"),
        ("*/15 * * * *", "cron(*/15 * * * ? *)"),
        ("0 8 1 * *", "cron(0 8 1 * ? *)"),
        ("0 8 1,15 jan-jun *", "cron(0 8 1,15 JAN-JUN ? *)"),
        ("0 22 */2 * *", "cron(0 22 */2 * ? *)"),
    ] {
        assert_eq!(one(unix), (aws.to_string(), Form::UnixCron), "{unix}");
    }
}

#[test]
fn unix_cron_that_aws_cannot_express_is_refused() {
    assert!(err("0 9 1 * 1").to_string().contains("either"));
    assert!(err("0 22-2 * * *").to_string().contains("backwards"));
    assert!(err("0 9 * * 5-1").to_string().contains("backwards"));
    assert!(err("0 9 * * 8").to_string().contains("0-7"));
    assert!(err("0 9 L * *").to_string().contains("not Unix cron"));
    assert!(err("0 9 ? * 1").to_string().contains("not Unix cron"));
    assert_eq!(
        err("60 9 * * *").cron_field(),
        Some(ecs_onoff::expression::Field::Minutes)
    );
}

#[test]
fn windows() {
    assert_eq!(
        window("MON-FRI 09:00-18:00"),
        (
            "cron(0 9 ? * MON-FRI *)".into(),
            "cron(0 18 ? * MON-FRI *)".into(),
            "MON-FRI 09:00-18:00".into(),
            false
        )
    );
    assert_eq!(
        window("mon-fri 9:30 - 17:45"),
        (
            "cron(30 9 ? * MON-FRI *)".into(),
            "cron(45 17 ? * MON-FRI *)".into(),
            "MON-FRI 09:30-17:45".into(),
            false
        )
    );
    assert_eq!(window("DAILY 07:00-19:00").0, "cron(0 7 * * ? *)",);
    assert_eq!(window("SAT,SUN 10:00-12:00").0, "cron(0 10 ? * SUN,SAT *)");
    assert_eq!(window("SUN-THU 08:00-17:00").1, "cron(0 17 ? * SUN-THU *)");
}

#[test]
fn overnight_windows_move_off_days_forward() {
    assert_eq!(
        window("MON-FRI 22:00-06:00"),
        (
            "cron(0 22 ? * MON-FRI *)".into(),
            "cron(0 6 ? * TUE-SAT *)".into(),
            "MON-FRI 22:00-06:00".into(),
            true
        )
    );
    // Saturday night ends on Sunday morning, which wraps to the start of the week.
    assert_eq!(window("FRI,SAT 20:00-02:00").1, "cron(0 2 ? * SUN,SAT *)");
    assert_eq!(window("DAILY 23:00-01:00").1, "cron(0 1 * * ? *)");
}

#[test]
fn midnight_as_an_end_is_the_next_day() {
    let (on, off, text, overnight) = window("MON-FRI 18:00-24:00");
    assert_eq!(on, "cron(0 18 ? * MON-FRI *)");
    assert_eq!(off, "cron(0 0 ? * TUE-SAT *)");
    assert_eq!(text, "MON-FRI 18:00-24:00");
    assert!(overnight);
}

#[test]
fn bad_windows() {
    for (text, needle) in [
        ("MON-FRI 09:00-09:00", "two different times"),
        ("MON-FRI 25:00-18:00", "not a time of day"),
        ("MON-FRI 09:60-18:00", "not a time of day"),
        ("MON-FRI 9-18:00", "not a time of day"),
        ("1-5 09:00-18:00", "numbers are refused"),
        ("WEEKDAYS 09:00-18:00", "not a day"),
        ("MON-FRI 09:00", "not a window"),
        ("09:00-18:00", "not a window"),
        ("MON-FRI 24:00-08:00", "24:00 is only an end time"),
        ("MON-FRI 08:00-24:01", "not a time of day"),
    ] {
        let e = err(text);
        assert!(matches!(e, ExprError::Window(_)), "{text}: {e}");
        assert!(e.to_string().contains(needle), "{text}: {e}");
    }
}

#[test]
fn unknown_forms() {
    assert!(matches!(
        err("every weekday at nine"),
        ExprError::UnknownForm(_)
    ));
    assert!(matches!(err("0 9 * *"), ExprError::UnknownForm(_)));
    assert_eq!(err(""), ExprError::Empty);
}

#[test]
fn single_rejects_windows() {
    assert!(UserSchedule::parse_single("MON-FRI 09:00-18:00").is_err());
    assert!(UserSchedule::parse_single("0 9 * * 1-5").is_ok());
}
