//! Compiled calendars reproduce exactly what the user asked for. For each case, the expected
//! on and off instants over a year are computed here from the windows directly (dates, weekdays
//! and local times with jiff, no cron), minus the skipped days; the compiled schedules are
//! evaluated with an independent AWS-cron implementation (the `croner` crate), each within its
//! StartDate and EndDate, and the two sets must be equal.

use ecs_onoff::calendar::{parse_skip, Calendar};
use ecs_onoff::compile::{compile, Compilation, Times, HORIZON_DAYS};
use ecs_onoff::expression::timezone::Zone;
use ecs_onoff::naming::{parse_schedule_name, schedule_name, Switch};
use ecs_onoff::window::Window;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeSet;

mod support;
use support::croner_fires;

const YEAR: SignedDuration = SignedDuration::from_hours(24 * 365);

/// What the compiled schedules fire, switch by switch, evaluated by croner within each
/// schedule's dates. No bound may be a fire time, and no two schedules fire at one instant.
fn compiled_fires(
    compiled: &Compilation,
    zone: &str,
    now: Timestamp,
    until: Timestamp,
) -> (Vec<Timestamp>, Vec<Timestamp>) {
    let mut on = Vec::new();
    let mut off = Vec::new();
    for s in &compiled.schedules {
        let text = s.expression.to_string();
        let all = croner_fires(&text, zone, now, until + YEAR);
        for bound in [s.start, s.end].into_iter().flatten() {
            assert!(
                !all.contains(&bound),
                "{}: bound {bound} is a fire time",
                s.slot
            );
        }
        let fires = all.into_iter().filter(|t| {
            *t <= until && s.start.is_none_or(|b| *t > b) && s.end.is_none_or(|b| *t < b)
        });
        match s.slot.switch {
            Switch::On => on.extend(fires),
            Switch::Off => off.extend(fires),
        }
    }
    for list in [&mut on, &mut off] {
        let n = list.len();
        list.sort();
        list.dedup();
        assert_eq!(list.len(), n, "two schedules fire at the same instant");
    }
    (on, off)
}

/// The on and off instants of non-touching windows in (now, until], from dates and weekdays,
/// with on instants on skipped local dates left out.
fn expected(
    windows: &[&str],
    calendar: &Calendar,
    zone: &str,
    now: Timestamp,
    until: Timestamp,
) -> (Vec<Timestamp>, Vec<Timestamp>) {
    let tz = jiff::tz::TimeZone::get(zone).unwrap();
    let first = tz.to_datetime(now).date() - jiff::Span::new().days(2);
    let mut on = BTreeSet::new();
    let mut off = BTreeSet::new();
    for text in windows {
        let w: Window = text.parse().unwrap();
        for day in 0..400 {
            let date = first + jiff::Span::new().days(day);
            let weekday = date.weekday().to_sunday_zero_offset() as usize;
            if !w.days[weekday] {
                continue;
            }
            let at = |d: Date, minute: u32| {
                let d = d + jiff::Span::new().days(i64::from(minute / 1440));
                let m = minute % 1440;
                tz.to_timestamp(d.at((m / 60) as i8, (m % 60) as i8, 0, 0))
                    .unwrap()
            };
            let start = at(date, w.start);
            let end_minute = if w.overnight { w.end + 1440 } else { w.end };
            let end = at(date, end_minute);
            if start > now && start <= until && calendar.skipping(date).is_none() {
                on.insert(start);
            }
            if end > now && end <= until {
                off.insert(end);
            }
        }
    }
    (on.into_iter().collect(), off.into_iter().collect())
}

fn calendar(skips: &[&str]) -> Calendar {
    Calendar {
        rules: skips
            .iter()
            .map(|s| parse_skip(s, "--skip").unwrap())
            .collect(),
    }
}

fn times(windows: &[&str]) -> Times {
    Times::windows(windows.iter().map(|w| w.parse().unwrap()).collect()).unwrap()
}

/// Compiles and checks one case over a year; returns the compilation.
fn check(windows: &[&str], skips: &[&str], zone: &str, now: &str) -> Compilation {
    let now: Timestamp = now.parse().unwrap();
    let until = now + YEAR;
    let cal = calendar(skips);
    let compiled = compile(
        &times(windows),
        &cal,
        &Zone::parse(zone).unwrap(),
        None,
        None,
        now,
    )
    .unwrap();
    let (on, off) = compiled_fires(&compiled, zone, now, until);
    let (want_on, want_off) = expected(windows, &cal, zone, now, until);
    let show = |v: &[Timestamp]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    assert_eq!(
        show(&on),
        show(&want_on),
        "on instants, {windows:?} {skips:?} {zone}"
    );
    assert_eq!(
        show(&off),
        show(&want_off),
        "off instants, {windows:?} {zone}"
    );
    // Every name is valid, unique, and the service's own.
    let names: BTreeSet<String> = compiled
        .schedules
        .iter()
        .map(|s| schedule_name("staging", "web", s.slot))
        .collect();
    assert_eq!(names.len(), compiled.schedules.len());
    for name in &names {
        assert!(name.len() <= 64, "{name}");
        assert!(parse_schedule_name(name).is_some(), "{name}");
    }
    compiled
}

fn fires_on(compiled: &Compilation, zone: &str, now: &str, local: &str) -> bool {
    let now: Timestamp = now.parse().unwrap();
    let (on, _) = compiled_fires(compiled, zone, now, now + YEAR);
    let tz = jiff::tz::TimeZone::get(zone).unwrap();
    let at = tz
        .to_timestamp(local.parse::<jiff::civil::DateTime>().unwrap())
        .unwrap();
    on.contains(&at)
}

#[test]
fn berlin_office_hours_with_a_typical_calendar() {
    let now = "2026-12-01T12:00:00Z";
    let zone = "Europe/Berlin";
    let skips = [
        "2026-12-24..2027-01-01", // a range over New Year
        "2027-01-04",             // a Monday after a weekend
        "*-05-01",
        "*-10-03",
        "2027-03-26",
        "2027-03-29",
        "2027-05-06",
        "2027-05-17",
        "2027-05-27",
        "2027-11-01",
    ];
    let compiled = check(
        &["MON-FRI 08:00-19:00", "SAT 10:00-14:00"],
        &skips,
        zone,
        now,
    );
    assert!(
        !fires_on(&compiled, zone, now, "2027-01-04T08:00"),
        "holiday Monday"
    );
    assert!(
        fires_on(&compiled, zone, now, "2027-01-05T08:00"),
        "the day after"
    );
    assert!(
        !fires_on(&compiled, zone, now, "2026-12-31T08:00"),
        "in the range"
    );
    assert!(
        !fires_on(&compiled, zone, now, "2027-05-01T10:00"),
        "yearly, a Saturday"
    );
    // The clocks change on 2027-03-28 and 2027-10-31: 08:00 local stays 08:00.
    assert!(fires_on(&compiled, zone, now, "2027-03-30T08:00"));
    assert!(fires_on(&compiled, zone, now, "2027-11-02T08:00"));
    // A typical calendar stays small: one schedule per run between skipped days.
    assert!(
        compiled.schedules.len() <= 16,
        "{}",
        compiled.schedules.len()
    );
}

#[test]
fn new_york_overnight_window_starting_on_a_holiday() {
    let now = "2027-01-10T00:00:00Z";
    let zone = "America/New_York";
    let compiled = check(
        &["MON-THU 22:00-06:00"],
        &["2027-07-05", "*-11-25", "2027-03-15"],
        zone,
        now,
    );
    // The window that would start on Monday 2027-07-05 22:00 does not start...
    assert!(!fires_on(&compiled, zone, now, "2027-07-05T22:00"));
    // ...the one of the evening before a skipped day does, and ends on it as usual.
    assert!(fires_on(&compiled, zone, now, "2027-11-24T22:00"));
    // DST starts 2027-03-14 and ends 2027-11-07.
    assert!(fires_on(&compiled, zone, now, "2027-03-16T22:00"));
    assert!(fires_on(&compiled, zone, now, "2027-11-08T22:00"));
}

#[test]
fn seoul_without_daylight_saving_and_touching_windows() {
    let zone = "Asia/Seoul";
    check(
        &["MON-FRI 09:00-18:00"],
        &[
            "2027-02-06..2027-02-09",
            "*-03-01",
            "2027-05-05",
            "2027-05-13",
            "2027-06-06",
            "*-08-15",
            "2027-09-14..2027-09-16",
            "*-10-03",
            "*-10-09",
            "*-12-25",
        ],
        zone,
        "2026-11-28T00:00:00Z",
    );
    // Windows that touch: one on time and one off time a day, none at the join.
    let compiled = compile(
        &times(&["MON-FRI 08:00-12:00", "MON-FRI 12:00-24:00"]),
        &calendar(&["2027-01-01"]),
        &Zone::parse(zone).unwrap(),
        None,
        None,
        "2026-11-28T00:00:00Z".parse().unwrap(),
    )
    .unwrap();
    let exprs: Vec<String> = compiled
        .schedules
        .iter()
        .map(|s| format!("{} {}", s.slot, s.expression))
        .collect();
    assert_eq!(
        exprs,
        [
            "on-20270101 cron(0 8 ? * MON-FRI *)",
            "on cron(0 8 ? * MON-FRI *)",
            "off cron(0 0 ? * TUE-SAT *)"
        ]
    );
}

#[test]
fn the_last_segment_is_open_and_later_days_are_compiled_on_reapply() {
    let zone = Zone::parse("Europe/Berlin").unwrap();
    let t = times(&["MON-FRI 08:00-19:00"]);
    let cal = calendar(&["*-12-25"]);
    let now: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
    let a = compile(&t, &cal, &zone, None, None, now).unwrap();
    let last = a.schedules.iter().find(|s| s.slot.until.is_none()).unwrap();
    assert_eq!(
        last.end, None,
        "never off on a working day if not re-applied"
    );
    let until = a.compiled_until.unwrap();
    assert!(
        until
            > jiff::tz::TimeZone::UTC
                .to_datetime(now + SignedDuration::from_hours(24 * HORIZON_DAYS))
                .date()
    );
    // A day later nothing changes: the same schedules, the same dates.
    let b = compile(
        &t,
        &cal,
        &zone,
        None,
        None,
        now + SignedDuration::from_hours(24),
    )
    .unwrap();
    assert_eq!(a, b);
    // Once the first segment has ended, it is gone and the rest are unchanged (a StartDate
    // that has passed is left out: it has no effect, and AWS refuses to be sent one).
    let later: Timestamp = "2026-12-27T12:00:00Z".parse().unwrap();
    let c = compile(&t, &cal, &zone, None, None, later).unwrap();
    let mut rest = a.schedules[1..].to_vec();
    for s in &mut rest {
        s.start = s.start.filter(|start| *start > later);
    }
    assert_eq!(c.schedules, rest);
}
