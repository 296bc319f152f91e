//! A group's capacity-aware times, replayed by an independent AWS-cron evaluator (the `croner`
//! crate) for five weeks across the spring daylight-saving changes of three zones: for services
//! with random windows, lead and drain, the group is on exactly when some service is within its
//! window widened by lead and drain (computed here from local wall-clock minutes, without cron),
//! and so never off while a service is on. The group's schedules and the services' schedules are
//! the cron expressions ecs-onoff writes for them.

mod support;

use ecs_onoff::calendar::Calendar;
use ecs_onoff::capacity::{group_times, AsgName, GroupTimes, Member};
use ecs_onoff::compile::Times;
use ecs_onoff::expression::timezone::Zone;
use ecs_onoff::schedule::ServiceId;
use ecs_onoff::window::Window;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use support::croner_fires;

const DAY: u32 = 24 * 60;
const WEEK: u32 = 7 * DAY;
const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Zones with a daylight-saving change in the replayed weeks (the wall clock jumps between 01:00
/// and 04:00 local), and zones without one.
const DST_ZONES: [&str; 3] = ["Europe/Berlin", "America/New_York", "Australia/Sydney"];
const FIXED_ZONES: [&str; 2] = ["Asia/Tokyo", "UTC"];

/// One window as generated: the days it starts on, its start and end in minutes of the day (an
/// end at or before the start runs past midnight).
#[derive(Debug, Clone)]
struct Span {
    days: Vec<usize>,
    start: u32,
    end: u32,
}

impl Span {
    fn text(&self) -> String {
        let days: Vec<&str> = self.days.iter().map(|d| DAY_NAMES[*d]).collect();
        let clock = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        format!(
            "{} {}-{}",
            days.join(","),
            clock(self.start),
            clock(self.end)
        )
    }

    /// Its on intervals in minutes of the week from Sunday 00:00 (ends may pass the week's end).
    fn intervals(&self) -> Vec<(u32, u32)> {
        let length = if self.end > self.start {
            self.end - self.start
        } else {
            self.end + DAY - self.start
        };
        self.days
            .iter()
            .map(|d| {
                let from = *d as u32 * DAY + self.start;
                (from, from + length)
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
struct Case {
    zone: &'static str,
    /// Each service's windows.
    services: Vec<Vec<Span>>,
    lead: u32,
    drain: u32,
}

fn span(dst: bool) -> impl Strategy<Value = Span> {
    // In a zone with a change, times stay clear of its hours (01:00-04:00 local) with the margins.
    let (low, high): (u32, u32) = if dst { (10, 46) } else { (0, 48) };
    (
        proptest::sample::subsequence((0..7usize).collect::<Vec<_>>(), 1..=7),
        low..high,
        1u32..=20,
        any::<bool>(),
    )
        .prop_map(move |(days, start, length, overnight)| {
            let start = start * 30;
            let end = if dst || !overnight {
                (start + length * 30).min(if dst { 23 * 60 } else { DAY })
            } else {
                (start + length * 30) % DAY
            };
            Span { days, start, end }
        })
        .prop_filter("a window with a length", |s| s.start != s.end)
}

fn case() -> impl Strategy<Value = Case> {
    (any::<bool>(), 0usize..3, 0usize..2).prop_flat_map(|(dst, z, f)| {
        let zone = if dst { DST_ZONES[z] } else { FIXED_ZONES[f] };
        (
            proptest::collection::vec(proptest::collection::vec(span(dst), 1..=2), 1..=3),
            0u32..=60,
            0u32..=60,
        )
            .prop_map(move |(services, lead, drain)| Case {
                zone,
                services,
                lead,
                drain,
            })
    })
}

/// On (true) or off after each fire of the on and off expressions, in time order, from `from`
/// (the state before the first is taken from the week before).
fn changes(
    on: &[String],
    off: &[String],
    zone: &str,
    from: Timestamp,
    to: Timestamp,
) -> Vec<(Timestamp, bool)> {
    let mut out: Vec<(Timestamp, bool)> = Vec::new();
    for (exprs, level) in [(on, true), (off, false)] {
        for e in exprs {
            out.extend(
                croner_fires(e, zone, from, to)
                    .into_iter()
                    .map(|t| (t, level)),
            );
        }
    }
    out.sort();
    out
}

fn level_at(changes: &[(Timestamp, bool)], t: Timestamp) -> Option<bool> {
    changes
        .iter()
        .rev()
        .find(|(at, _)| *at <= t)
        .map(|(_, v)| *v)
}

/// Whether some service needs the group at local minute of the week `m`.
fn needed(case: &Case, m: u32) -> bool {
    case.services
        .iter()
        .flatten()
        .flat_map(Span::intervals)
        .any(|(from, to)| {
            let (from, to) = (from + WEEK - case.lead, to + WEEK + case.drain);
            [m, m + WEEK, m + 2 * WEEK]
                .iter()
                .any(|x| *x >= from && *x < to)
        })
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let zone = Zone::parse(case.zone).unwrap();
    let mut times = Vec::new();
    for spans in &case.services {
        let windows: Vec<Window> = spans.iter().map(|s| s.text().parse().unwrap()).collect();
        match Times::windows(windows) {
            Ok(t) => times.push(t),
            // Overlapping windows of one service, or on all week: refused before this point.
            Err(_) => return Err(TestCaseError::reject("not a valid service")),
        }
    }
    let ids: Vec<ServiceId> = (0..times.len())
        .map(|i| ServiceId {
            cluster: "c".parse().unwrap(),
            service: format!("s{i}").parse().unwrap(),
        })
        .collect();
    let calendar = Calendar::default();
    let members: Vec<Member> = times
        .iter()
        .zip(&ids)
        .map(|(times, id)| Member {
            id,
            times,
            calendar: &calendar,
            zone: &zone,
            dated: false,
            lead: SignedDuration::from_mins(case.lead.into()),
            drain: SignedDuration::from_mins(case.drain.into()),
        })
        .collect();
    let group: AsgName = "nodes".parse().unwrap();
    let group_times = group_times(&group, &members).map_err(TestCaseError::fail)?;

    let from: Timestamp = "2027-03-08T00:00:00Z".parse().unwrap();
    let to: Timestamp = "2027-04-12T00:00:00Z".parse().unwrap();
    let before = from - SignedDuration::from_hours(8 * 24);
    let texts = |t: &Times| {
        let (on, off) = t.expressions();
        let text = |v: Vec<_>| v.iter().map(ToString::to_string).collect::<Vec<String>>();
        (text(on), text(off))
    };
    let services: Vec<Vec<(Timestamp, bool)>> = times
        .iter()
        .map(|t| {
            let (on, off) = texts(t);
            changes(&on, &off, case.zone, before, to)
        })
        .collect();
    let group_changes = match &group_times {
        GroupTimes::AlwaysOn => None,
        GroupTimes::Switched { times, calendar } => {
            prop_assert!(calendar.is_empty());
            let (on, off) = texts(times);
            Some(changes(&on, &off, case.zone, before, to))
        }
    };
    let tz = jiff::tz::TimeZone::get(case.zone).unwrap();
    let mut t = from + SignedDuration::from_secs(30);
    while t < to {
        let local = tz.to_datetime(t);
        let minute = local.weekday().to_sunday_zero_offset() as u32 * DAY
            + local.hour() as u32 * 60
            + local.minute() as u32;
        let group_on = match &group_changes {
            None => true,
            Some(c) => level_at(c, t).expect("the group's schedules fire every week"),
        };
        prop_assert_eq!(
            group_on,
            needed(case, minute),
            "group at {} ({} local): {:?}",
            t,
            local,
            group_times
        );
        for (i, c) in services.iter().enumerate() {
            let on = level_at(c, t).expect("a service's schedules fire every week");
            prop_assert!(
                !on || group_on,
                "service s{} on without instances at {} ({} local)",
                i,
                t,
                local
            );
        }
        t += SignedDuration::from_mins(1);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_group_is_on_exactly_when_a_service_needs_it(case in case()) {
        check(&case)?;
    }
}

/// Fixed cases: two services whose windows touch across midnight, a lead that reaches into the
/// day before, and windows that leave no gap longer than the margins (always on).
#[test]
fn fixed_cases() {
    let span = |days: &[usize], start: u32, end: u32| Span {
        days: days.to_vec(),
        start,
        end,
    };
    let cases = [
        Case {
            zone: "Asia/Tokyo",
            services: vec![vec![span(&[5], 20 * 60, 0)], vec![span(&[6], 0, 3 * 60)]],
            lead: 10,
            drain: 10,
        },
        Case {
            zone: "Europe/Berlin",
            services: vec![
                vec![span(&[1, 2, 3, 4, 5], 8 * 60, 19 * 60)],
                vec![span(&[1], 10 * 60, 22 * 60)],
            ],
            lead: 60,
            drain: 30,
        },
        Case {
            zone: "UTC",
            services: vec![vec![span(&[0, 1, 2, 3, 4, 5, 6], 0, 23 * 60 + 50)]],
            lead: 10,
            drain: 0,
        },
    ];
    for case in &cases {
        check(case).unwrap_or_else(|e| panic!("{case:?}: {e}"));
    }
}
