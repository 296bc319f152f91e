//! A service's times (one or more windows, or an on and/or an off expression) and its skipped
//! days, compiled into the Scheduler schedules that carry them out exactly, with nothing else
//! running in the account. No I/O.
//!
//! - Windows are merged into the weekly times the service is on; each distinct time of day at
//!   which it turns on (or off) is one cron over the weekdays it does so. Windows that touch
//!   merge: the service is not turned off and on in the same minute.
//! - Skipped days remove on times only. Each on cron is split into segments between skipped
//!   fires, each a copy of the cron with a StartDate and an EndDate halfway between the last fire
//!   kept and the first skipped (never on a fire time: AWS says a schedule "might" fire on its
//!   StartDate and "might" stop on its EndDate). Skips are compiled [`HORIZON_DAYS`] ahead; the
//!   last segment has no EndDate, so that a calendar not re-applied in time leaves the service
//!   turned on as usual on a skipped day, never off on a working day.

use crate::calendar::{Calendar, SkipRule};
use crate::expression::eval::{Active, Event, Fire};
use crate::expression::timezone::Zone;
use crate::expression::ScheduleExpression;
use crate::naming::{Slot, Switch, MAX_INDEX};
use crate::window::{daily_cron, Window, DAY_MINUTES, WEEK_MINUTES};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use std::fmt;

/// How far ahead skipped days are compiled.
pub const HORIZON_DAYS: i64 = 400;
/// The most schedules one service may have (a calendar that skips many single days of a
/// frequent cron would need more: write those days as a different window instead).
pub const MAX_SCHEDULES: usize = 100;
/// How far back fires are read, so that segment bounds do not change from day to day.
const LOOKBACK_DAYS: i64 = 366;
/// How far past the horizon a run of skipped fires is followed to its end.
const FOLLOW_DAYS: i64 = 5 * 366;

/// When a service is turned on and off, as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Times {
    /// One or more windows that do not overlap.
    Windows(Vec<Window>),
    /// An on expression, an off expression, or both.
    Switches {
        on: Option<ScheduleExpression>,
        off: Option<ScheduleExpression>,
    },
}

/// Times or a calendar that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimesError {
    #[error("the windows '{0}' and '{1}' overlap; windows of one service may touch, not overlap")]
    Overlap(String, String),
    #[error("the windows cover the whole week: the service would never be turned off")]
    WholeWeek,
    #[error("neither an on nor an off time is given")]
    Nothing,
    #[error(
        "skipped days need cron() on times: the on time {0} fires at instants that are not \
         days of a calendar (use a cron or a window)"
    )]
    SkipNeedsCron(String),
    #[error(
        "the skipped days split the on times into {0} schedules, more than the {max} one \
         service may have; skip fewer single days, or write a window that leaves them out",
        max = MAX_SCHEDULES
    )]
    TooMany(usize),
    #[error("more than {max} distinct on or off times of day", max = MAX_INDEX)]
    TooManyTimes,
}

impl Times {
    /// Windows, checked: none overlaps another, and they leave the service off some time.
    pub fn windows(windows: Vec<Window>) -> Result<Times, TimesError> {
        let times = Times::Windows(windows);
        times.week()?;
        Ok(times)
    }

    /// An on expression, an off expression, or both.
    pub fn switches(
        on: Option<ScheduleExpression>,
        off: Option<ScheduleExpression>,
    ) -> Result<Times, TimesError> {
        if on.is_none() && off.is_none() {
            return Err(TimesError::Nothing);
        }
        Ok(Times::Switches { on, off })
    }

    /// For windows, which window each minute of the week (from Sunday 00:00) is on in, if any.
    /// Errors on overlaps.
    fn week(&self) -> Result<Vec<Option<usize>>, TimesError> {
        let Times::Windows(windows) = self else {
            return Ok(Vec::new());
        };
        let mut owner: Vec<Option<usize>> = vec![None; WEEK_MINUTES as usize];
        for (i, w) in windows.iter().enumerate() {
            for (from, to) in w.intervals() {
                for m in from..to {
                    let slot = &mut owner[(m % WEEK_MINUTES) as usize];
                    match slot {
                        Some(j) if *j != i => {
                            return Err(TimesError::Overlap(
                                windows[*j].text.clone(),
                                w.text.clone(),
                            ))
                        }
                        _ => *slot = Some(i),
                    }
                }
            }
        }
        if owner.iter().all(Option::is_some) {
            return Err(TimesError::WholeWeek);
        }
        Ok(owner)
    }

    /// The on expressions and the off expressions, each in slot order (the first is slot 1).
    pub fn expressions(&self) -> (Vec<ScheduleExpression>, Vec<ScheduleExpression>) {
        match self {
            Times::Switches { on, off } => {
                (on.iter().cloned().collect(), off.iter().cloned().collect())
            }
            Times::Windows(_) => {
                let week = self.week().expect("checked when built");
                // Keyed by the first window that turns the service on or off at that time of
                // day, so that adding a window keeps the names of the others' schedules.
                let mut by_time: BTreeMap<(Switch, u32), [bool; 7]> = BTreeMap::new();
                let mut first: BTreeMap<(Switch, u32), usize> = BTreeMap::new();
                for (minute, switch, window) in week_changes(&week) {
                    let key = (switch, minute % DAY_MINUTES);
                    by_time.entry(key).or_insert([false; 7])[(minute / DAY_MINUTES) as usize] =
                        true;
                    let w = first.entry(key).or_insert(window);
                    *w = (*w).min(window);
                }
                let mut ordered: Vec<((Switch, u32), [bool; 7])> = by_time.into_iter().collect();
                ordered.sort_by_key(|(key, _)| (key.0, first[key], key.1));
                let mut on = Vec::new();
                let mut off = Vec::new();
                for ((switch, minute), days) in ordered {
                    let cron = daily_cron(minute / 60, minute % 60, &days)
                        .expect("a time of day on weekdays is a valid cron");
                    match switch {
                        Switch::On => on.push(cron),
                        Switch::Off => off.push(cron),
                    }
                }
                (on, off)
            }
        }
    }

    /// The times as text: the windows joined, or `on X, off Y`.
    pub fn text(&self) -> String {
        match self {
            Times::Windows(ws) => ws
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" + "),
            Times::Switches { on, off } => {
                let mut parts = Vec::new();
                if let Some(on) = on {
                    parts.push(format!("on {on}"));
                }
                if let Some(off) = off {
                    parts.push(format!("off {off}"));
                }
                parts.join(", ")
            }
        }
    }

    /// Checks that the times can take skipped days: every on time is a cron.
    pub fn check_calendar(&self, calendar: &Calendar) -> Result<(), TimesError> {
        if calendar.is_empty() {
            return Ok(());
        }
        match self
            .expressions()
            .0
            .into_iter()
            .find(|e| !matches!(e, ScheduleExpression::Cron(_)))
        {
            Some(e) => Err(TimesError::SkipNeedsCron(e.to_string())),
            None => Ok(()),
        }
    }
}

/// The minutes of the week at which the on/off state changes, to which, and the window that
/// starts or ends there.
fn week_changes(week: &[Option<usize>]) -> Vec<(u32, Switch, usize)> {
    let n = week.len();
    (0..n)
        .filter_map(|m| {
            let before = week[(m + n - 1) % n];
            match (before, week[m]) {
                (None, Some(w)) => Some((m as u32, Switch::On, w)),
                (Some(w), None) => Some((m as u32, Switch::Off, w)),
                _ => None,
            }
        })
        .collect()
}

/// One schedule of a service: its slot, expression and dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    pub slot: Slot,
    pub expression: ScheduleExpression,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
}

/// The schedules of a service, and until when its skipped days are compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compilation {
    pub schedules: Vec<Compiled>,
    /// The first skipped day that is not compiled (re-applying before it compiles it), when
    /// there is one within a few years.
    pub compiled_until: Option<Date>,
}

/// An instant strictly between two fire times: halfway, on a whole minute when that is still
/// after `a`.
fn between(a: Timestamp, b: Timestamp) -> Timestamp {
    let mid = (a.as_second() + b.as_second()).div_euclid(2);
    let minute = mid - mid.rem_euclid(60);
    Timestamp::from_second(if minute > a.as_second() { minute } else { mid })
        .expect("between two valid instants")
}

/// The schedules that carry out `times` with `calendar`'s days skipped, from `now` on, within
/// the user's StartDate and EndDate. Deterministic for a given `now`; from day to day, only a
/// skipped day entering the horizon or a segment ending changes the result.
pub fn compile(
    times: &Times,
    calendar: &Calendar,
    zone: &Zone,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    now: Timestamp,
) -> Result<Compilation, TimesError> {
    times.check_calendar(calendar)?;
    let (on, off) = times.expressions();
    if on.len().max(off.len()) > usize::from(MAX_INDEX) {
        return Err(TimesError::TooManyTimes);
    }
    let mut schedules = Vec::new();
    let mut compiled_until: Option<Date> = None;
    for (i, expr) in on.iter().enumerate() {
        let index = u8::try_from(i + 1).map_err(|_| TimesError::TooManyTimes)?;
        if calendar.is_empty() {
            schedules.push(Compiled {
                slot: Slot {
                    switch: Switch::On,
                    index,
                    until: None,
                },
                expression: expr.clone(),
                start,
                end,
            });
            continue;
        }
        let (segments, until) = segments(expr, calendar, zone, start, end, now);
        compiled_until = match (compiled_until, until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        schedules.extend(segments.into_iter().map(|s| Compiled {
            slot: Slot {
                switch: Switch::On,
                index,
                until: s.until,
            },
            expression: expr.clone(),
            start: s.start,
            end: s.end,
        }));
    }
    for (i, expr) in off.iter().enumerate() {
        schedules.push(Compiled {
            slot: Slot {
                switch: Switch::Off,
                index: u8::try_from(i + 1).map_err(|_| TimesError::TooManyTimes)?,
                until: None,
            },
            expression: expr.clone(),
            start,
            end,
        });
    }
    if schedules.len() > MAX_SCHEDULES {
        return Err(TimesError::TooMany(schedules.len()));
    }
    Ok(Compilation {
        schedules,
        compiled_until,
    })
}

/// One run of kept fires of an on cron.
struct Segment {
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    /// The first skipped day after it (its name); `None` for the last, open segment.
    until: Option<Date>,
}

/// Splits an on cron's fires into runs between skipped fires.
fn segments(
    expr: &ScheduleExpression,
    calendar: &Calendar,
    zone: &Zone,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    now: Timestamp,
) -> (Vec<Segment>, Option<Date>) {
    let start = start.filter(|s| *s > now);
    // From a year back, so that a segment's bounds do not depend on the day they are computed:
    // a segment that has started keeps the StartDate it was written with until it passes.
    let after = start.map_or(now - SignedDuration::from_hours(24 * LOOKBACK_DAYS), |s| {
        s - SignedDuration::from_secs(1)
    });
    let horizon = now + SignedDuration::from_hours(24 * HORIZON_DAYS);
    let follow = horizon + SignedDuration::from_hours(24 * FOLLOW_DAYS);
    let mut fires = expr
        .events(zone, after)
        .filter_map(|e| match e {
            Event::Fire(f) => Some(f),
            Event::Skipped { .. } => None,
        })
        .take_while(|f| end.is_none_or(|end| f.utc <= end) && f.utc <= follow);
    let mut out = Vec::new();
    // The start of the segment being built, once it has a kept fire.
    let mut open: Option<Option<Timestamp>> = None;
    let mut last_kept = None;
    let mut last_skipped = None;
    let mut open_ended = false;
    for fire in fires.by_ref() {
        if calendar.skipping(fire.local.date()).is_some() {
            if let (Some(seg_start), Some(kept)) = (open.take(), last_kept) {
                out.push(Segment {
                    start: seg_start,
                    end: Some(between(kept, fire.utc)),
                    until: Some(fire.local.date()),
                });
            }
            last_skipped = Some(fire.utc);
            continue;
        }
        if open.is_none() {
            open = Some(last_skipped.map_or(start, |s| Some(between(s, fire.utc))));
        }
        last_kept = Some(fire.utc);
        if fire.utc > horizon {
            open_ended = true;
            break;
        }
    }
    if let Some(seg_start) = open {
        out.push(Segment {
            start: seg_start,
            end,
            until: None,
        });
    }
    // Segments that have ended are gone; a StartDate that has passed has no effect (and AWS
    // refuses one more than 5 minutes old).
    out.retain(|s| s.end.is_none_or(|end| end > now));
    for s in &mut out {
        s.start = s.start.filter(|t| *t > now);
    }
    // The next skipped day after the open segment's start is where its compilation ends.
    let until = if open_ended {
        fires
            .find(|f| calendar.skipping(f.local.date()).is_some())
            .map(|f| f.local.date())
    } else {
        None
    };
    (out, until)
}

/// One transition of a service as its times and calendar define it, before compilation: what
/// `next` shows and what the compiled schedules must reproduce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub fire: Fire,
    pub switch: Switch,
    /// The expression that fires.
    pub expression: ScheduleExpression,
    /// Why an on transition does not happen: the rule that skips its day.
    pub skipped: Option<SkipRule>,
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.fire.utc, self.switch)
    }
}

/// The next `count` on and `count` off transitions of `times` after `after`, within `active`'s
/// dates, in time order; on transitions on skipped days are marked.
pub fn transitions(
    times: &Times,
    calendar: &Calendar,
    zone: &Zone,
    after: Timestamp,
    count: usize,
    active: &Active,
) -> Vec<Transition> {
    let (on, off) = times.expressions();
    let mut out = Vec::new();
    for (switch, exprs) in [(Switch::On, on), (Switch::Off, off)] {
        let mut these = Vec::new();
        for expr in exprs {
            for fire in expr.next_fires_active(zone, after, count, active).fires {
                let skipped = match switch {
                    Switch::On => calendar.skipping(fire.local.date()).cloned(),
                    Switch::Off => None,
                };
                these.push(Transition {
                    fire,
                    switch,
                    expression: expr.clone(),
                    skipped,
                });
            }
        }
        these.sort_by_key(|t| t.fire.utc);
        these.truncate(count);
        out.extend(these);
    }
    out.sort_by_key(|t| (t.fire.utc, t.switch));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_skip;

    fn window(text: &str) -> Window {
        text.parse().unwrap()
    }

    fn windows(texts: &[&str]) -> Result<Times, TimesError> {
        Times::windows(texts.iter().map(|t| window(t)).collect())
    }

    fn exprs(times: &Times) -> (Vec<String>, Vec<String>) {
        let (on, off) = times.expressions();
        (
            on.iter().map(|e| e.to_string()).collect(),
            off.iter().map(|e| e.to_string()).collect(),
        )
    }

    #[test]
    fn one_window_is_the_pair_it_always_was() {
        let t = windows(&["MON-FRI 08:00-19:00"]).unwrap();
        assert_eq!(
            exprs(&t),
            (
                vec!["cron(0 8 ? * MON-FRI *)".to_string()],
                vec!["cron(0 19 ? * MON-FRI *)".to_string()]
            )
        );
        let night = windows(&["MON-FRI 22:00-06:00"]).unwrap();
        assert_eq!(
            exprs(&night),
            (
                vec!["cron(0 22 ? * MON-FRI *)".to_string()],
                vec!["cron(0 6 ? * TUE-SAT *)".to_string()]
            )
        );
    }

    #[test]
    fn several_windows_share_crons_by_time_of_day() {
        let t = windows(&["MON-FRI 08:00-19:00", "SAT 10:00-14:00"]).unwrap();
        assert_eq!(
            exprs(&t),
            (
                vec![
                    "cron(0 8 ? * MON-FRI *)".to_string(),
                    "cron(0 10 ? * SAT *)".to_string()
                ],
                vec![
                    "cron(0 19 ? * MON-FRI *)".to_string(),
                    "cron(0 14 ? * SAT *)".to_string()
                ]
            )
        );
        let same_start = windows(&["MON-FRI 08:00-19:00", "SAT 08:00-12:00"]).unwrap();
        assert_eq!(exprs(&same_start).0, ["cron(0 8 ? * MON-SAT *)"]);
    }

    #[test]
    fn touching_windows_merge_and_overlapping_ones_are_refused() {
        let t = windows(&["MON-FRI 08:00-12:00", "MON-FRI 12:00-19:00"]).unwrap();
        assert_eq!(
            exprs(&t),
            (
                vec!["cron(0 8 ? * MON-FRI *)".to_string()],
                vec!["cron(0 19 ? * MON-FRI *)".to_string()]
            )
        );
        let full_days = windows(&["MON-FRI 00:00-24:00"]).unwrap();
        assert_eq!(
            exprs(&full_days),
            (
                vec!["cron(0 0 ? * MON *)".to_string()],
                vec!["cron(0 0 ? * SAT *)".to_string()]
            )
        );
        assert_eq!(
            windows(&["MON-FRI 08:00-19:00", "FRI 18:00-20:00"]),
            Err(TimesError::Overlap(
                "MON-FRI 08:00-19:00".into(),
                "FRI 18:00-20:00".into()
            ))
        );
        // Overnight into the next day's window.
        assert!(matches!(
            windows(&["FRI 22:00-02:00", "SAT 01:00-05:00"]),
            Err(TimesError::Overlap(..))
        ));
        assert_eq!(windows(&["DAILY 00:00-24:00"]), Err(TimesError::WholeWeek));
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn calendar(skips: &[&str]) -> Calendar {
        Calendar {
            rules: skips
                .iter()
                .map(|s| parse_skip(s, "--skip").unwrap())
                .collect(),
        }
    }

    #[test]
    fn segments_end_and_start_between_fires() {
        let times = windows(&["MON-FRI 08:00-19:00"]).unwrap();
        let zone = Zone::parse("Europe/Berlin").unwrap();
        let now = t("2026-12-01T12:00:00Z");
        let c = compile(
            &times,
            &calendar(&["2026-12-24..2026-12-25"]),
            &zone,
            None,
            None,
            now,
        )
        .unwrap();
        let names: Vec<String> = c.schedules.iter().map(|s| s.slot.to_string()).collect();
        assert_eq!(names, ["on-20261224", "on", "off"]);
        let first = &c.schedules[0];
        assert_eq!(first.start, None);
        // Halfway between Wed 23rd 08:00 and Thu 24th 08:00 (07:00Z).
        assert_eq!(first.end, Some(t("2026-12-23T19:00:00Z")));
        // Halfway between Fri 25th 08:00 and Mon 28th 08:00.
        assert_eq!(c.schedules[1].start, Some(t("2026-12-26T19:00:00Z")));
        assert_eq!(c.schedules[1].end, None);
        assert_eq!(c.compiled_until, None, "a date once is compiled for good");
        let yearly = compile(&times, &calendar(&["*-12-24"]), &zone, None, None, now).unwrap();
        let names: Vec<String> = yearly
            .schedules
            .iter()
            .map(|s| s.slot.to_string())
            .collect();
        assert_eq!(names, ["on-20261224", "on-20271224", "on", "off"]);
        // 2028-12-24 is a Sunday, when the window does not start: the next skipped fire is in 2029.
        assert_eq!(yearly.compiled_until, Some("2029-12-24".parse().unwrap()));
    }

    #[test]
    fn skips_need_cron_on_times() {
        let times = Times::switches(
            Some(ScheduleExpression::parse("rate(1 day)").unwrap()),
            None,
        )
        .unwrap();
        assert!(matches!(
            times.check_calendar(&calendar(&["2026-12-25"])),
            Err(TimesError::SkipNeedsCron(_))
        ));
        assert_eq!(times.check_calendar(&Calendar::default()), Ok(()));
        assert_eq!(Times::switches(None, None), Err(TimesError::Nothing));
    }

    #[test]
    fn between_is_never_a_fire_time() {
        assert_eq!(
            between(t("2026-01-01T00:00:00Z"), t("2026-01-01T00:01:00Z")),
            t("2026-01-01T00:00:30Z")
        );
        assert_eq!(
            between(t("2026-01-01T00:00:00Z"), t("2026-01-01T00:03:00Z")),
            t("2026-01-01T00:01:00Z")
        );
    }
}
