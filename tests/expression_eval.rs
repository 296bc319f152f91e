//! When expressions fire: AWS reference examples, L/W/# edge cases, and daylight-saving gaps and
//! folds in several zones. Expected instants were worked out by calendar, not by this code.

use ecs_onoff::expression::timezone::Zone;
use ecs_onoff::expression::ScheduleExpression;
use jiff::Timestamp;

fn zone(name: &str) -> Zone {
    Zone::parse(name).unwrap()
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// The next `n` fires as local RFC 3339 strings.
fn local(expr: &str, tz: &str, after: &str, n: usize) -> Vec<String> {
    let expr = ScheduleExpression::parse(expr).unwrap();
    expr.next_fires(&zone(tz), ts(after), n)
        .fires
        .iter()
        .map(|f| f.local_rfc3339())
        .collect()
}

/// The next `n` fires as UTC RFC 3339 strings.
fn utc(expr: &str, tz: &str, after: &str, n: usize) -> Vec<String> {
    let expr = ScheduleExpression::parse(expr).unwrap();
    expr.next_fires(&zone(tz), ts(after), n)
        .fires
        .iter()
        .map(|f| f.utc_rfc3339())
        .collect()
}

/// Dates (yyyy-mm-dd, local) of the next `n` fires.
fn dates(expr: &str, after: &str, n: usize) -> Vec<String> {
    local(expr, "UTC", after, n)
        .into_iter()
        .map(|s| s[..10].to_string())
        .collect()
}

#[test]
fn reference_examples_fire_as_described() {
    // Run at 10:00 am (UTC+0) every day
    assert_eq!(
        utc("cron(0 10 * * ? *)", "UTC", "2026-11-25T10:00:00Z", 2),
        ["2026-11-26T10:00:00Z", "2026-11-27T10:00:00Z"]
    );
    // Run at 12:15 pm every day
    assert_eq!(
        utc("cron(15 12 * * ? *)", "UTC", "2026-11-25T00:00:00Z", 1),
        ["2026-11-25T12:15:00Z"]
    );
    // 6:00 pm Monday through Friday: Fri 2026-11-27, then Mon 2026-11-30
    assert_eq!(
        utc("cron(0 18 ? * MON-FRI *)", "UTC", "2026-11-27T12:00:00Z", 2),
        ["2026-11-27T18:00:00Z", "2026-11-30T18:00:00Z"]
    );
    // 8:00 am every 1st day of the month
    assert_eq!(
        utc("cron(0 8 1 * ? *)", "UTC", "2026-11-25T00:00:00Z", 2),
        ["2026-12-01T08:00:00Z", "2027-01-01T08:00:00Z"]
    );
    // every 15 minutes
    assert_eq!(
        utc("cron(0/15 * * * ? *)", "UTC", "2026-11-25T23:40:00Z", 3),
        [
            "2026-11-25T23:45:00Z",
            "2026-11-26T00:00:00Z",
            "2026-11-26T00:15:00Z"
        ]
    );
    // every 10 minutes Monday through Friday: Friday night rolls to Monday
    assert_eq!(
        utc(
            "cron(0/10 * ? * MON-FRI *)",
            "UTC",
            "2026-11-27T23:45:00Z",
            2
        ),
        ["2026-11-27T23:50:00Z", "2026-11-30T00:00:00Z"]
    );
    // every 5 minutes Monday through Friday between 8:00 am and 5:55 pm
    assert_eq!(
        utc(
            "cron(0/5 8-17 ? * MON-FRI *)",
            "UTC",
            "2026-11-27T17:50:00Z",
            2
        ),
        ["2026-11-27T17:55:00Z", "2026-11-30T08:00:00Z"]
    );
    // 9:00 am on the first Monday of each month (2027: Jan 4, Feb 1, Mar 1, Apr 5)
    assert_eq!(
        dates("cron(0 9 ? * 2#1 *)", "2027-01-01T00:00:00Z", 4),
        ["2027-01-04", "2027-02-01", "2027-03-01", "2027-04-05"]
    );
    // minutes 1/10: 1, 11, 21, ...
    assert_eq!(
        utc("cron(1/10 * * * ? *)", "UTC", "2026-11-25T10:00:00Z", 3),
        [
            "2026-11-25T10:01:00Z",
            "2026-11-25T10:11:00Z",
            "2026-11-25T10:21:00Z"
        ]
    );
    // 3#2: the second Tuesday (2027-01-12)
    assert_eq!(
        dates("cron(0 0 ? * 3#2 *)", "2027-01-01T00:00:00Z", 1),
        ["2027-01-12"]
    );
}

#[test]
fn last_day_of_february_in_leap_and_common_years() {
    assert_eq!(
        dates("cron(0 12 L 2 ? *)", "2026-12-01T00:00:00Z", 3),
        ["2027-02-28", "2028-02-29", "2029-02-28"]
    );
    assert_eq!(
        dates("cron(0 12 29 FEB ? *)", "2026-12-01T00:00:00Z", 2),
        ["2028-02-29", "2032-02-29"]
    );
    assert_eq!(
        dates("cron(0 0 L * ? *)", "2027-01-15T00:00:00Z", 4),
        ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]
    );
}

#[test]
fn nearest_weekday() {
    // 31W: only months with a 31st fire; a Sunday 31st (last day) moves back to Friday, a
    // Saturday 31st to Friday. 2027: Jan 31 Sun, Mar 31 Wed, May 31 Mon, Jul 31 Sat, Aug 31 Tue.
    assert_eq!(
        dates("cron(0 12 31W * ? *)", "2027-01-01T00:00:00Z", 5),
        [
            "2027-01-29",
            "2027-03-31",
            "2027-05-31",
            "2027-07-30",
            "2027-08-31"
        ]
    );
    // 1W when the 1st is a Saturday (2026-08-01, 2027-05-01): Monday the 3rd, never the
    // previous month.
    assert_eq!(
        dates("cron(0 12 1W * ? *)", "2026-07-15T00:00:00Z", 2),
        ["2026-08-03", "2026-09-01"]
    );
    assert_eq!(
        dates("cron(0 12 1W 5 ? *)", "2027-01-01T00:00:00Z", 1),
        ["2027-05-03"]
    );
    // 15W when the 15th is a Sunday (2026-11-15): Monday the 16th; a Saturday 15th (2026-08-15):
    // Friday the 14th.
    assert_eq!(
        dates("cron(0 12 15W 11 ? *)", "2026-01-01T00:00:00Z", 1),
        ["2026-11-16"]
    );
    assert_eq!(
        dates("cron(0 12 15W 8 ? *)", "2026-01-01T00:00:00Z", 1),
        ["2026-08-14"]
    );
}

#[test]
fn nth_and_last_weekday() {
    // 5#5, the fifth Thursday: 2027 has one only in April, July, September and December.
    assert_eq!(
        dates("cron(0 12 ? * 5#5 *)", "2027-01-01T00:00:00Z", 4),
        ["2027-04-29", "2027-07-29", "2027-09-30", "2027-12-30"]
    );
    // 6L, the last Friday: 2027-01-29, 2027-02-26, 2027-03-26
    assert_eq!(
        dates("cron(0 12 ? * 6L *)", "2027-01-01T00:00:00Z", 3),
        ["2027-01-29", "2027-02-26", "2027-03-26"]
    );
    // L alone in day-of-week is the last day of the week, Saturday.
    assert_eq!(
        dates("cron(0 12 ? * L *)", "2026-11-25T00:00:00Z", 2),
        ["2026-11-28", "2026-12-05"]
    );
}

#[test]
fn years() {
    assert_eq!(
        dates("cron(0 0 1 1 ? 2027,2030-2031)", "2026-06-01T00:00:00Z", 4),
        ["2027-01-01", "2030-01-01", "2031-01-01"]
    );
}

#[test]
fn strictly_after() {
    assert_eq!(
        utc("cron(0 9 * * ? *)", "UTC", "2026-11-25T09:00:00Z", 1),
        ["2026-11-26T09:00:00Z"]
    );
    assert_eq!(
        utc("cron(0 9 * * ? *)", "UTC", "2026-11-25T08:59:59Z", 1),
        ["2026-11-25T09:00:00Z"]
    );
}

#[test]
fn new_york_spring_forward_gap_is_skipped() {
    // 2026-03-08: 02:00 EST becomes 03:00 EDT; 02:30 does not exist that day.
    let expr = ScheduleExpression::parse("cron(30 2 * * ? *)").unwrap();
    let e = expr.next_fires(&zone("America/New_York"), ts("2026-03-07T00:00:00Z"), 3);
    let got: Vec<_> = e.fires.iter().map(|f| f.local_rfc3339()).collect();
    assert_eq!(
        got,
        [
            "2026-03-07T02:30:00-05:00",
            "2026-03-09T02:30:00-04:00",
            "2026-03-10T02:30:00-04:00"
        ]
    );
    assert_eq!(e.skipped.len(), 1);
    assert_eq!(e.skipped[0].to_string(), "2026-03-08T02:30:00");
    // Times next to the gap are unaffected.
    assert_eq!(
        utc(
            "cron(59 1 8 3 ? 2026)",
            "America/New_York",
            "2026-01-01T00:00:00Z",
            1
        ),
        ["2026-03-08T06:59:00Z"]
    );
    assert_eq!(
        utc(
            "cron(0 3 8 3 ? 2026)",
            "America/New_York",
            "2026-01-01T00:00:00Z",
            1
        ),
        ["2026-03-08T07:00:00Z"]
    );
}

#[test]
fn new_york_fall_back_fold_fires_once_at_first_occurrence() {
    // 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:30 happens twice.
    let expr = ScheduleExpression::parse("cron(30 1 * * ? *)").unwrap();
    let e = expr.next_fires(&zone("America/New_York"), ts("2026-10-31T12:00:00Z"), 2);
    let got: Vec<_> = e.fires.iter().map(|f| f.utc_rfc3339()).collect();
    assert_eq!(got, ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]);
    assert!(e.fires[0].folded && !e.fires[1].folded);
    assert_eq!(e.fires[0].local_rfc3339(), "2026-11-01T01:30:00-04:00");
    // Every 30 minutes through the fold: the repeated hour is not run a second time.
    assert_eq!(
        utc(
            "cron(0/30 * * * ? *)",
            "America/New_York",
            "2026-11-01T04:00:00Z",
            4
        ),
        [
            "2026-11-01T04:30:00Z",
            "2026-11-01T05:00:00Z",
            "2026-11-01T05:30:00Z",
            "2026-11-01T07:00:00Z"
        ]
    );
    // Starting inside the second pass of the fold, the folded time is already past.
    assert_eq!(
        utc(
            "cron(45 1 * * ? *)",
            "America/New_York",
            "2026-11-01T06:10:00Z",
            1
        ),
        ["2026-11-02T06:45:00Z"]
    );
}

#[test]
fn london_gap_and_fold() {
    // 2026-03-29 01:00 GMT -> 02:00 BST; 2026-10-25 02:00 BST -> 01:00 GMT.
    let expr = ScheduleExpression::parse("cron(30 1 * * ? *)").unwrap();
    let e = expr.next_fires(&zone("Europe/London"), ts("2026-03-28T00:00:00Z"), 2);
    assert_eq!(e.skipped.len(), 1);
    assert_eq!(e.skipped[0].to_string(), "2026-03-29T01:30:00");
    assert_eq!(
        e.fires
            .iter()
            .map(|f| f.local_rfc3339())
            .collect::<Vec<_>>(),
        ["2026-03-28T01:30:00+00:00", "2026-03-30T01:30:00+01:00"]
    );
    let e = expr.next_fires(&zone("Europe/London"), ts("2026-10-24T12:00:00Z"), 2);
    assert_eq!(
        e.fires.iter().map(|f| f.utc_rfc3339()).collect::<Vec<_>>(),
        ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]
    );
    assert!(e.fires[0].folded);
}

#[test]
fn lord_howe_half_hour_shift() {
    // Australia/Lord_Howe moves by 30 minutes: 2026-04-05 02:00 +11 -> 01:30 +10:30 (fold
    // 01:30-02:00); 2026-10-04 02:00 +10:30 -> 02:30 +11 (gap 02:00-02:30).
    let fold = ScheduleExpression::parse("cron(45 1 * * ? *)").unwrap();
    let e = fold.next_fires(&zone("Australia/Lord_Howe"), ts("2026-04-04T00:00:00Z"), 2);
    assert_eq!(
        e.fires
            .iter()
            .map(|f| f.local_rfc3339())
            .collect::<Vec<_>>(),
        ["2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"]
    );
    assert!(e.fires[0].folded);
    // 01:15 is before the fold and fires normally.
    assert!(
        !ScheduleExpression::parse("cron(15 1 5 4 ? 2026)")
            .unwrap()
            .next_fires(&zone("Australia/Lord_Howe"), ts("2026-01-01T00:00:00Z"), 1)
            .fires[0]
            .folded
    );
    let gap = ScheduleExpression::parse("cron(15 2 * * ? *)").unwrap();
    // From 10:30 local on 3 October.
    let e = gap.next_fires(&zone("Australia/Lord_Howe"), ts("2026-10-03T00:00:00Z"), 2);
    assert_eq!(e.skipped.len(), 1);
    assert_eq!(e.skipped[0].to_string(), "2026-10-04T02:15:00");
    assert_eq!(
        e.fires
            .iter()
            .map(|f| f.local_rfc3339())
            .collect::<Vec<_>>(),
        ["2026-10-05T02:15:00+11:00", "2026-10-06T02:15:00+11:00"]
    );
    // 02:30 is just after the gap and fires.
    assert_eq!(
        local(
            "cron(30 2 4 10 ? 2026)",
            "Australia/Lord_Howe",
            "2026-01-01T00:00:00Z",
            1
        ),
        ["2026-10-04T02:30:00+11:00"]
    );
}

#[test]
fn seoul_has_no_dst() {
    let expr = ScheduleExpression::parse("cron(30 2 * * ? *)").unwrap();
    for after in ["2026-03-07T00:00:00Z", "2026-10-31T00:00:00Z"] {
        let e = expr.next_fires(&zone("Asia/Seoul"), ts(after), 5);
        assert!(e.skipped.is_empty());
        assert!(e.fires.iter().all(|f| !f.folded));
        assert!(e
            .fires
            .iter()
            .all(|f| f.local_rfc3339().ends_with("T02:30:00+09:00")));
        assert!(e
            .fires
            .windows(2)
            .all(|w| w[1].utc.as_second() - w[0].utc.as_second() == 86_400));
    }
}

#[test]
fn rate_advances_by_fixed_durations_across_dst() {
    // A day is 24 hours, so local wall-clock times shift across the transition.
    assert_eq!(
        local("rate(1 day)", "America/New_York", "2026-03-07T14:00:00Z", 2),
        ["2026-03-08T10:00:00-04:00", "2026-03-09T10:00:00-04:00"]
    );
    assert_eq!(
        utc("rate(5 minutes)", "UTC", "2026-11-25T10:00:00Z", 3),
        [
            "2026-11-25T10:05:00Z",
            "2026-11-25T10:10:00Z",
            "2026-11-25T10:15:00Z"
        ]
    );
    assert_eq!(
        utc("rate(2 hours)", "Asia/Seoul", "2026-11-25T23:00:00Z", 2),
        ["2026-11-26T01:00:00Z", "2026-11-26T03:00:00Z"]
    );
}

#[test]
fn at_fires_once_in_its_time_zone() {
    assert_eq!(
        utc(
            "at(2026-12-24T18:00:00)",
            "Europe/Berlin",
            "2026-11-25T00:00:00Z",
            5
        ),
        ["2026-12-24T17:00:00Z"]
    );
    assert!(utc("at(2026-01-01T00:00:00)", "UTC", "2026-11-25T00:00:00Z", 1).is_empty());
    // in a gap: skipped; in a fold: once, at the first occurrence
    let gap = ScheduleExpression::parse("at(2026-03-08T02:30:00)").unwrap();
    let e = gap.next_fires(&zone("America/New_York"), ts("2026-01-01T00:00:00Z"), 1);
    assert!(e.fires.is_empty());
    assert_eq!(e.skipped.len(), 1);
    assert_eq!(
        utc(
            "at(2026-11-01T01:30:00)",
            "America/New_York",
            "2026-01-01T00:00:00Z",
            2
        ),
        ["2026-11-01T05:30:00Z"]
    );
}

#[test]
fn time_zone_names() {
    use ecs_onoff::expression::timezone::ZoneError;
    assert!(Zone::parse("America/New_York").is_ok());
    assert!(Zone::parse("UTC").is_ok());
    assert!(Zone::parse("Australia/Lord_Howe").is_ok());
    assert!(matches!(
        Zone::parse("america/new_york"),
        Err(ZoneError::Case { .. })
    ));
    for bad in [
        "Mars/Olympus",
        "",
        "EST5EDT,M3.2.0,M11.1.0",
        "+09:00",
        "/etc/localtime",
        "Europe/Berlin ",
    ] {
        assert!(Zone::parse(bad).is_err(), "{bad:?}");
    }
}

/// The next `n` fires of `expr` in UTC after `after`, within `active`.
fn active_fires(
    expr: &ScheduleExpression,
    active: ecs_onoff::expression::eval::Active,
    after: &str,
    n: usize,
) -> Vec<String> {
    expr.next_fires_active(&zone("UTC"), ts(after), n, &active)
        .fires
        .iter()
        .map(|f| f.utc_rfc3339())
        .collect()
}

#[test]
fn start_and_end_dates_bound_the_fires() {
    use ecs_onoff::expression::eval::Active;
    let expr = ScheduleExpression::parse("cron(0 9 * * ? *)").unwrap();
    let fires = |active, after, n| active_fires(&expr, active, after, n);
    let open = Active::default();
    assert_eq!(
        fires(open, "2026-11-28T10:00:00Z", 1),
        ["2026-11-29T09:00:00Z"]
    );
    // No fire before StartDate; a fire exactly at StartDate counts.
    let start = Active {
        start: Some(ts("2026-12-01T09:00:00Z")),
        ..Active::default()
    };
    assert_eq!(
        fires(start, "2026-11-28T10:00:00Z", 2),
        ["2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z"]
    );
    // None after EndDate: the list stops, and an EndDate in the past means never again.
    let end = Active {
        end: Some(ts("2026-11-30T12:00:00Z")),
        ..Active::default()
    };
    assert_eq!(
        fires(end, "2026-11-28T10:00:00Z", 5),
        ["2026-11-29T09:00:00Z", "2026-11-30T09:00:00Z"]
    );
    assert!(fires(end, "2026-12-01T00:00:00Z", 1).is_empty());
    assert!(end.expired(ts("2026-11-30T12:00:00Z")));
    assert!(!end.expired(ts("2026-11-30T11:59:59Z")));
}

#[test]
fn rate_counts_from_its_start_date_or_its_creation() {
    use ecs_onoff::expression::eval::Active;
    let expr = ScheduleExpression::parse("rate(6 hours)").unwrap();
    let fires = |active, after, n| active_fires(&expr, active, after, n);
    // Created at 10:17 without StartDate: it fires at once, then every 6 hours from then.
    let created = Active {
        created: Some(ts("2026-11-28T10:17:00Z")),
        ..Active::default()
    };
    assert_eq!(
        fires(created, "2026-11-28T10:16:59Z", 3),
        [
            "2026-11-28T10:17:00Z",
            "2026-11-28T16:17:00Z",
            "2026-11-28T22:17:00Z"
        ]
    );
    // Read back a day later: still anchored to the creation.
    assert_eq!(
        fires(created, "2026-11-29T12:00:00Z", 1),
        ["2026-11-29T16:17:00Z"]
    );
    // A StartDate anchors it instead, and fires itself.
    let start = Active {
        start: Some(ts("2026-12-01T08:00:00Z")),
        created: Some(ts("2026-11-28T10:17:00Z")),
        ..Active::default()
    };
    assert_eq!(
        fires(start, "2026-11-28T11:00:00Z", 2),
        ["2026-12-01T08:00:00Z", "2026-12-01T14:00:00Z"]
    );
    // at() ignores the dates, as AWS does.
    let at = ScheduleExpression::parse("at(2026-12-24T18:00:00)").unwrap();
    let bounded = Active {
        end: Some(ts("2026-12-01T00:00:00Z")),
        ..Active::default()
    };
    assert_eq!(
        active_fires(&at, bounded, "2026-11-28T00:00:00Z", 1),
        ["2026-12-24T18:00:00Z"]
    );
}
