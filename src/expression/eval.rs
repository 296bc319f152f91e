//! When a schedule fires: the next instants strictly after a given instant, in an IANA time zone,
//! with EventBridge Scheduler's daylight-saving rules:
//! - a local time inside a spring-forward gap does not exist, so that day's invocation is skipped;
//! - a local time repeated in a fall-back fold fires once, at its first occurrence;
//! - `rate()` advances by fixed durations (a day is 24 hours), unaffected by DST;
//! - `at()` fires once.
//!
//! Evaluation yields [`Event`]s: fire instants, and the local times a gap skipped, so callers can
//! tell users about both.

use super::cron::{Cron, MAX_YEAR};
use super::timezone::Zone;
use super::ScheduleExpression;
use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use jiff::{Span, Timestamp};
use std::collections::VecDeque;

/// One invocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fire {
    pub utc: Timestamp,
    /// The local wall-clock time in the schedule's time zone.
    pub local: DateTime,
    pub offset: Offset,
    /// The local time occurred twice (a fall-back fold); AWS fires only at the first.
    pub folded: bool,
}

impl Fire {
    fn at(tz: &TimeZone, utc: Timestamp) -> Fire {
        Fire {
            utc,
            local: tz.to_datetime(utc),
            offset: tz.to_offset(utc),
            folded: false,
        }
    }

    /// RFC 3339 in UTC with a `Z` suffix and whole seconds.
    pub fn utc_rfc3339(&self) -> String {
        self.utc.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    /// RFC 3339 local time with a numeric offset, e.g. `2026-11-02T09:00:00-05:00`.
    pub fn local_rfc3339(&self) -> String {
        format!(
            "{}{}",
            self.local.strftime("%Y-%m-%dT%H:%M:%S"),
            offset_text(self.offset)
        )
    }
}

/// `+HH:MM` / `-HH:MM`.
pub fn offset_text(offset: Offset) -> String {
    let secs = offset.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", secs / 3600, (secs % 3600) / 60)
}

/// What evaluation finds, in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Fire(Fire),
    /// A matching local time that does not exist that day (spring-forward gap); AWS skips it.
    /// `at` is where it would have been, read with the offset before the gap, for ordering.
    Skipped {
        local: DateTime,
        at: Timestamp,
    },
}

impl Event {
    pub fn instant(&self) -> Timestamp {
        match self {
            Event::Fire(f) => f.utc,
            Event::Skipped { at, .. } => *at,
        }
    }
}

/// Resolves a local time in `tz` the way EventBridge Scheduler does.
fn resolve(tz: &TimeZone, local: DateTime) -> Option<Event> {
    match tz.to_ambiguous_timestamp(local).offset() {
        AmbiguousOffset::Unambiguous { offset } => Some(Event::Fire(Fire {
            utc: offset.to_timestamp(local).ok()?,
            local,
            offset,
            folded: false,
        })),
        AmbiguousOffset::Gap { before, .. } => Some(Event::Skipped {
            local,
            at: before.to_timestamp(local).ok()?,
        }),
        AmbiguousOffset::Fold { before, .. } => Some(Event::Fire(Fire {
            utc: before.to_timestamp(local).ok()?,
            local,
            offset: before,
            folded: true,
        })),
    }
}

/// The next N fires after an instant, and the DST gaps skipped before the last of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    pub fires: Vec<Fire>,
    /// Local times skipped by a spring-forward gap, up to the last listed fire.
    pub skipped: Vec<DateTime>,
}

impl Evaluation {
    /// Fires whose local time occurred twice (fall-back fold), fired once.
    pub fn folded(&self) -> impl Iterator<Item = &Fire> {
        self.fires.iter().filter(|f| f.folded)
    }
}

impl ScheduleExpression {
    /// Every event strictly after `after`, in time order. `rate()` counts from `after`, as a
    /// schedule created at that instant without a start date would.
    pub fn events<'a>(
        &'a self,
        zone: &'a Zone,
        after: Timestamp,
    ) -> Box<dyn Iterator<Item = Event> + 'a> {
        let tz = zone.tz();
        match self {
            ScheduleExpression::Cron(cron) => Box::new(CronEvents::new(cron, tz.clone(), after)),
            ScheduleExpression::Rate(rate) => {
                let step = rate.seconds();
                Box::new(
                    (1i64..)
                        .map_while(move |k| {
                            let secs = after.as_second().checked_add(k.checked_mul(step)?)?;
                            Timestamp::from_second(secs).ok()
                        })
                        .map(move |utc| Event::Fire(Fire::at(tz, utc))),
                )
            }
            ScheduleExpression::At(at) => Box::new(
                resolve(tz, at.local)
                    .into_iter()
                    .filter(move |e| e.instant() > after),
            ),
        }
    }

    /// The next `count` fire instants strictly after `after`, with the skipped gap times met on
    /// the way. Fewer than `count` come back when the expression stops firing (a past `at()`,
    /// or a year field that runs out).
    pub fn next_fires(&self, zone: &Zone, after: Timestamp, count: usize) -> Evaluation {
        collect(self.events(zone, after), count)
    }

    /// [`ScheduleExpression::next_fires`] of a schedule with its dates: no fire before its
    /// StartDate or after its EndDate (both ignored for `at()`, as AWS does), and a `rate()`
    /// counted from its StartDate, else from its creation, when it fires at once.
    pub fn next_fires_active(
        &self,
        zone: &Zone,
        after: Timestamp,
        count: usize,
        active: &Active,
    ) -> Evaluation {
        if matches!(self, ScheduleExpression::At(_)) {
            return self.next_fires(zone, after, count);
        }
        // Events strictly after `begin`: the StartDate itself may fire.
        let begin = match active.start {
            Some(start) if start > after => start - Span::new().seconds(1),
            _ => after,
        };
        let events: Box<dyn Iterator<Item = Event> + '_> =
            match (self, active.start.or(active.created)) {
                (ScheduleExpression::Rate(rate), Some(anchor)) => {
                    Box::new(rate_from(rate.seconds(), zone.tz().clone(), anchor, begin))
                }
                _ => self.events(zone, begin),
            };
        let end = active.end;
        collect(
            events.take_while(move |e| end.is_none_or(|end| e.instant() <= end)),
            count,
        )
    }
}

/// When a recurring schedule is active, as AWS reads its dates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Active {
    /// StartDate: no fire before it; a `rate()` counts its intervals from it.
    pub start: Option<Timestamp>,
    /// EndDate: no fire after it.
    pub end: Option<Timestamp>,
    /// When the schedule was created (or will be): a `rate()` without StartDate fires at once,
    /// then every interval after.
    pub created: Option<Timestamp>,
}

impl Active {
    /// The EndDate has passed: the schedule will not fire again.
    pub fn expired(&self, now: Timestamp) -> bool {
        self.end.is_some_and(|end| end <= now)
    }
}

/// The fires of a rate of `step` seconds anchored at `anchor` (which fires), strictly after
/// `after`.
fn rate_from(
    step: i64,
    tz: TimeZone,
    anchor: Timestamp,
    after: Timestamp,
) -> impl Iterator<Item = Event> {
    let first = if after < anchor {
        0
    } else {
        (after.as_second() - anchor.as_second()) / step + 1
    };
    (first..)
        .map_while(move |k| {
            let secs = anchor.as_second().checked_add(k.checked_mul(step)?)?;
            Timestamp::from_second(secs).ok()
        })
        .map(move |utc| Event::Fire(Fire::at(&tz, utc)))
}

/// The first `count` fires of a stream of events, with the gaps met on the way.
fn collect(events: impl Iterator<Item = Event>, count: usize) -> Evaluation {
    let mut out = Evaluation::default();
    if count == 0 {
        return out;
    }
    for event in events {
        match event {
            Event::Fire(fire) => {
                out.fires.push(fire);
                if out.fires.len() == count {
                    break;
                }
            }
            Event::Skipped { local, .. } => out.skipped.push(local),
        }
    }
    out
}

/// Walks matching local dates from the date of `after`, and within each date the matching times.
struct CronEvents<'a> {
    cron: &'a Cron,
    tz: TimeZone,
    after: Timestamp,
    times: Vec<(i8, i8)>,
    next_date: Option<Date>,
    pending: VecDeque<Event>,
}

impl<'a> CronEvents<'a> {
    fn new(cron: &'a Cron, tz: TimeZone, after: Timestamp) -> Self {
        let start = tz.to_datetime(after).date();
        CronEvents {
            cron,
            times: cron.times_of_day(),
            tz,
            after,
            next_date: Some(start),
            pending: VecDeque::new(),
        }
    }

    /// The first date at or after `from` that the expression selects.
    fn matching_date(&self, mut date: Date) -> Option<Date> {
        loop {
            if date.year() > MAX_YEAR {
                return None;
            }
            if !self.cron.year_matches(date.year()) {
                let year = self.cron.next_year(date.year().checked_add(1)?)?;
                date = Date::new(year, 1, 1).ok()?;
                continue;
            }
            if !self.cron.month_matches(date.month()) {
                date = date.last_of_month().tomorrow().ok()?;
                continue;
            }
            if self.cron.day_matches(date) {
                return Some(date);
            }
            date = date.tomorrow().ok()?;
        }
    }
}

impl Iterator for CronEvents<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            let date = self.matching_date(self.next_date?)?;
            self.next_date = date.checked_add(Span::new().days(1)).ok();
            for &(hour, minute) in &self.times {
                let local = date.at(hour, minute, 0, 0);
                if let Some(event) = resolve(&self.tz, local) {
                    if event.instant() > self.after {
                        self.pending.push_back(event);
                    }
                }
            }
        }
    }
}
