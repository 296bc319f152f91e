//! Reading the schedules that turn ECS services on and off, whoever made them (ecs-onoff, the
//! console, Terraform), back into fleet entries: on and off paired per service, windows
//! recognised where the crons form them, calendar segments read back into skipped days, and
//! every schedule that a fleet entry cannot reproduce exactly left out with the reason. The
//! entry of a service whose schedules ecs-onoff wrote is checked by planning it against them:
//! it is marked exact only when that plan changes nothing. No I/O.

use crate::arn::{QueueArn, Region, RoleArn, TopicArn};
use crate::calendar::Calendar;
use crate::compile::Times;
use crate::expression::timezone::Zone;
use crate::expression::ScheduleExpression;
use crate::naming::{GroupName, Switch};
use crate::schedule::{Schedule, ServiceId, State, UpdateService, RETRY_POLICY};
use crate::spec::{ClientKey, Connection, Origin, ServiceSpec};
use crate::window::{Window, DAY_MINUTES, WEEK_MINUTES};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// A schedule read from AWS, with the Region it was read in.
#[derive(Debug, Clone)]
pub struct Found {
    pub region: Region,
    pub schedule: Schedule,
}

/// When a service is turned on and off, as a fleet entry says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryTimes {
    /// `window = [...]`.
    Windows(Vec<String>),
    /// `on = ...` and/or `off = ...`.
    Switches {
        on: Option<String>,
        off: Option<String>,
    },
}

/// One `[[service]]` entry read back from a service's schedules.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub region: String,
    pub cluster: String,
    pub service: String,
    pub group: String,
    pub timezone: String,
    pub role_arn: String,
    pub times: EntryTimes,
    /// `None` when the service has no on schedule.
    pub on_count: Option<u32>,
    pub off_count: u32,
    pub state: State,
    pub dead_letter_arn: Option<String>,
    /// Skipped local dates, as `skip` values (ranges for consecutive days).
    pub skip: Vec<String>,
    pub notify_topic: Option<String>,
    pub notify_before_minutes: Option<u32>,
    /// Schedules of other owners that the entry's schedules replace (`adopt`).
    pub adopt: Vec<String>,
    /// Every schedule read for the service, `group/name`.
    pub schedules: Vec<String>,
    /// The entry plans as no change against the schedules read (all are ecs-onoff's own).
    pub exact: bool,
    /// What applying the entry changes, in words.
    pub notes: Vec<String>,
    /// The Auto Scaling group whose ecs-onoff capacity schedules name the service
    /// (`capacity = true`).
    pub auto_scaling_group: Option<String>,
}

/// Schedules a fleet entry cannot reproduce exactly, and why.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    pub region: String,
    /// `cluster/service`, when the Input names one.
    pub service: Option<String>,
    pub schedules: Vec<String>,
    pub reason: String,
}

/// What an import found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Imported {
    pub entries: Vec<Entry>,
    pub left_out: Vec<LeftOut>,
}

/// The schedules of one service, as read.
#[derive(Default)]
struct ServiceRead {
    regular: Vec<Schedule>,
    notify: Vec<Schedule>,
    overrides: usize,
}

/// Reads fleet entries from the schedules found (each calling ECS UpdateService, or SNS Publish
/// as ecs-onoff's heads-ups do), as of `now`.
pub fn recognise(found: &[Found], now: Timestamp) -> Imported {
    let mut out = Imported::default();
    let mut services: BTreeMap<(String, ServiceId), ServiceRead> = BTreeMap::new();
    // The services ecs-onoff's capacity schedules name, with their group.
    let mut carried: BTreeMap<(String, String), String> = BTreeMap::new();
    for f in found {
        let s = &f.schedule;
        let region = f.region.to_string();
        if let Some((group, _)) = s.capacity_owner() {
            for id in crate::capacity::carried(&s.description).0 {
                carried.insert((region.clone(), id), group.to_string());
            }
        } else if s.capacity_override_of().is_some() {
            // A hold's end: of the moment, like an override's.
        } else if let Some(id) = s.override_of() {
            services.entry((region, id.clone())).or_default().overrides += 1;
        } else if let Some(id) = s.notify_of() {
            services
                .entry((region, id))
                .or_default()
                .notify
                .push(s.clone());
        } else if let (Some((id, _)), Some(_)) = (s.owner(), s.bounds()) {
            // An autoscaling-aware schedule of ecs-onoff's.
            services
                .entry((region, id.clone()))
                .or_default()
                .regular
                .push(crate::overrides::release(s));
        } else if crate::schedule::is_update_service_target(&s.target_arn) {
            match UpdateService::read_any(&s.input.render()) {
                Ok(u) => services
                    .entry((region, u.service))
                    .or_default()
                    .regular
                    .push(crate::overrides::release(s)),
                Err(reason) => out.left_out.push(LeftOut {
                    region,
                    service: None,
                    schedules: vec![path(s)],
                    reason,
                }),
            }
        }
    }
    for ((region, id), read) in services {
        match entry(&region, &id, &read, now) {
            Ok(mut entry) => {
                entry.auto_scaling_group = carried.get(&(region.clone(), id.to_string())).cloned();
                out.entries.push(entry)
            }
            Err(reason) => out.left_out.push(LeftOut {
                region,
                service: Some(id.to_string()),
                schedules: read.regular.iter().chain(&read.notify).map(path).collect(),
                reason,
            }),
        }
    }
    out
}

fn path(s: &Schedule) -> String {
    format!("{}/{}", s.group, s.name)
}

/// The one value a field has in every schedule, or why not.
fn common<'a, T: PartialEq + std::fmt::Debug>(
    schedules: &'a [Schedule],
    what: &str,
    field: impl Fn(&'a Schedule) -> T,
) -> Result<T, String> {
    let first = field(&schedules[0]);
    if let Some(other) = schedules.iter().map(&field).find(|v| *v != first) {
        return Err(format!(
            "its schedules differ in {what} ({first:?} and {other:?}); a fleet entry has one"
        ));
    }
    Ok(first)
}

/// An on or off time of a service: one expression, with the schedules that carry it (several
/// for the segments of a calendar).
struct Time {
    expression: String,
    schedules: Vec<Schedule>,
}

/// The on (or off) times of a service, in slot order: an ecs-onoff schedule's slot index, else
/// the order of the names.
fn times_of(schedules: Vec<&Schedule>) -> Vec<Time> {
    let mut sorted = schedules;
    sorted.sort_by_key(|s| (s.owner().map_or(u8::MAX, |o| o.1.index), s.name.clone()));
    let mut out: Vec<Time> = Vec::new();
    for s in sorted {
        match out.iter_mut().find(|t| t.expression == s.expression) {
            Some(t) => t.schedules.push(s.clone()),
            None => out.push(Time {
                expression: s.expression.clone(),
                schedules: vec![s.clone()],
            }),
        }
    }
    out
}

fn entry(
    region: &str,
    id: &ServiceId,
    read: &ServiceRead,
    now: Timestamp,
) -> Result<Entry, String> {
    if read.regular.is_empty() {
        return Err("it has heads-up or override schedules but no on or off schedule".into());
    }
    // ecs-onoff's own calendar segments that have ended are deleted by the next plan: left
    // out here.
    let ended_own = |s: &Schedule| s.owner().is_some() && s.end_date.is_some_and(|t| t <= now);
    let current: Vec<Schedule> = read
        .regular
        .iter()
        .filter(|s| !ended_own(s))
        .cloned()
        .collect();
    let all = &current;
    if all.is_empty() {
        return Err("all its schedules have ended: plan deletes them".into());
    }
    if let Some(ended) = all.iter().find(|s| s.end_date.is_some_and(|t| t <= now)) {
        return Err(format!(
            "{} ended at {} and will not fire again: delete it, then import",
            path(ended),
            ended.end_date.expect("found by its end")
        ));
    }
    let group = common(all, "schedule group", |s| s.group.clone())?;
    let timezone = common(all, "time zone", |s| s.timezone.clone())?;
    let zone = Zone::parse(&timezone).map_err(|e| format!("time zone: {e}"))?;
    let role_arn = common(all, "execution role", |s| s.role_arn.clone())?;
    let state = common(all, "state", |s| s.state)?.unwrap_or(State::Enabled);
    let dead_letter_arn = common(all, "dead-letter queue", |s| s.dead_letter_arn.clone())?;
    let key = ClientKey {
        region: region.parse().map_err(|e| format!("Region: {e}"))?,
        profile: None,
    };
    let counts: BTreeSet<u32> = all.iter().filter_map(count).collect();
    let (on_count, off_count) = match counts.iter().copied().collect::<Vec<_>>()[..] {
        [0] => (None, 0),
        [n] => (Some(n), 0),
        [off, on] => (Some(on), off),
        _ => {
            return Err(format!(
                "its schedules set {} different desired counts; a fleet entry has an on and an \
                 off count",
                counts.len()
            ))
        }
    };
    let is_on = |s: &&Schedule| on_count.is_some() && count(s) == on_count;
    let on = times_of(all.iter().filter(is_on).collect());
    let off = times_of(all.iter().filter(|s| !is_on(s)).collect());
    for t in &off {
        dated(&t.schedules, now)?;
    }
    let mut skipped = BTreeSet::new();
    for t in &on {
        skipped.extend(skipped_days(t, &zone, now)?);
    }
    let times = entry_times(&on, &off)?;
    let notify = read
        .notify
        .first()
        .map(|n| heads_up(n).ok_or_else(|| format!("{}: its heads-up cannot be read", path(n))))
        .transpose()?;
    let owned = |s: &Schedule| s.owner().is_some_and(|o| o.0 == id);
    let mut adopt: Vec<String> = all
        .iter()
        .filter(|s| !owned(s))
        .map(|s| s.name.clone())
        .collect();
    adopt.sort();
    let compiled_until = all
        .iter()
        .filter_map(|s| crate::spec::compiled_until(&s.description))
        .min();
    let mut entry = Entry {
        region: region.to_string(),
        cluster: id.cluster.to_string(),
        service: id.service.to_string(),
        group,
        timezone,
        role_arn,
        times,
        on_count,
        off_count,
        state,
        dead_letter_arn,
        skip: skip_texts(&skipped, compiled_until),
        notify_topic: notify.as_ref().map(|n| n.0.clone()),
        notify_before_minutes: notify.as_ref().map(|n| n.1),
        adopt,
        schedules: all.iter().chain(&read.notify).map(path).collect(),
        exact: false,
        auto_scaling_group: None,
        notes: Vec::new(),
    };
    let spec = spec_of(&entry, id)?;
    let compiled = spec
        .compile(now)
        .map_err(|e| format!("its times do not compile: {e}"))?;
    // Autoscaling-aware schedules switch by the bounds their on schedule records.
    let switching = match all
        .iter()
        .find_map(|s| s.bounds().filter(|b| Some(b.min) == on_count))
    {
        Some(b) => crate::spec::Switching::Bounds(b),
        None => crate::spec::Switching::Count(on_count.unwrap_or(1)),
    };
    let mut desired = spec.schedules_with(&key, switching, &compiled);
    desired.extend(spec.notify_schedules(&key, &compiled));
    if !entry.adopt.is_empty() {
        entry.notes.extend(adoption_notes(all));
        entry.notes.push(format!(
            "apply replaces {} with ecs-onoff's schedules (plan shows each as a delete and a \
             create)",
            entry.adopt.join(", ")
        ));
    } else {
        let read_all: Vec<&Schedule> = all.iter().chain(&read.notify).collect();
        let changes = differences(&desired, &read_all, now);
        entry.exact = changes.is_empty();
        entry.notes.extend(changes);
    }
    if entry.skip.iter().any(|t| !t.starts_with('*')) {
        entry.notes.push(
            "skipped days are read back from the schedules: a day seen in one year only is \
             written as a date; make it yearly (*-MM-DD) where it is"
                .to_string(),
        );
    }
    if read.overrides > 0 {
        entry
            .notes
            .push("it has an override in AWS: plan and apply keep it until it ends".to_string());
    }
    Ok(entry)
}

/// The count a schedule leaves the service at: the desiredCount it sets, or the MinCapacity of
/// the bounds an autoscaling-aware one sets.
fn count(s: &Schedule) -> Option<u32> {
    if let Some(b) = s.bounds() {
        return Some(b.min);
    }
    UpdateService::read_any(&s.input.render())
        .ok()
        .map(|u| u.desired_count)
}

/// Refuses dates a fleet entry cannot give: a StartDate still to come or an EndDate (past
/// StartDates have no effect and are dropped by plan).
fn dated(schedules: &[Schedule], now: Timestamp) -> Result<(), String> {
    for s in schedules {
        if s.start_date.is_some_and(|t| t > now) || s.end_date.is_some() {
            return Err(format!(
                "{} has a StartDate or EndDate ahead, which a fleet entry cannot give",
                path(s)
            ));
        }
    }
    Ok(())
}

/// The local dates an on time skips: the fires between its calendar segments (ecs-onoff's
/// `on-YYYYMMDD` schedules), and the last fire before the first segment's StartDate.
fn skipped_days(time: &Time, zone: &Zone, now: Timestamp) -> Result<Vec<Date>, String> {
    let schedules = &time.schedules;
    let segmented = schedules.len() > 1
        || schedules
            .iter()
            .any(|s| s.start_date.is_some_and(|t| t > now) || s.end_date.is_some());
    if !segmented {
        return Ok(Vec::new());
    }
    if let Some(s) = schedules.iter().find(|s| s.owner().is_none()) {
        return dated(std::slice::from_ref(s), now).and(Err(format!(
            "{} shares its on time with another schedule",
            path(s)
        )));
    }
    let expr = ScheduleExpression::parse(&time.expression)
        .map_err(|e| format!("{}: {e}", time.expression))?;
    let mut segments: Vec<(Option<Timestamp>, Option<Timestamp>)> = schedules
        .iter()
        .map(|s| (s.start_date.filter(|t| *t > now), s.end_date))
        .collect();
    segments.sort();
    let mut days = Vec::new();
    let local = |t: Timestamp| zone.tz().to_datetime(t).date();
    if let Some(start) = segments[0].0 {
        // Before the first segment: every fire still to come is skipped, and so is the last
        // fire before its StartDate (which places the StartDate).
        let before: Vec<Timestamp> = expr
            .events(zone, start - jiff::SignedDuration::from_hours(24 * 400))
            .map(|e| e.instant())
            .take_while(|t| *t < start)
            .collect();
        // Fires since the schedules were written that no segment covers were skipped too.
        let written = schedules
            .iter()
            .filter_map(|s| s.created)
            .min()
            .unwrap_or(now)
            .min(now);
        days.extend(before.iter().filter(|t| **t >= written).map(|t| local(*t)));
        days.extend(before.last().map(|t| local(*t)));
    }
    for pair in segments.windows(2) {
        let (Some(end), Some(start)) = (pair[0].1, pair[1].0) else {
            return Err(format!(
                "the segments of {} overlap or leave a gap without bounds",
                time.expression
            ));
        };
        days.extend(
            expr.events(zone, end)
                .map(|e| e.instant())
                .take_while(|t| *t < start)
                .map(local),
        );
    }
    if segments.last().is_some_and(|s| s.1.is_some()) {
        return Err(format!(
            "the last schedule of {} has an EndDate, which a fleet entry cannot give",
            time.expression
        ));
    }
    Ok(days)
}

/// Skipped dates as `skip` values. A month and day skipped in two years, or that of the first
/// skipped day beyond what was compiled (`until`, from the descriptions), is yearly
/// (`*-MM-DD`); `until` itself is kept, so that the schedules say the same "compiled until".
/// Consecutive days are one range.
fn skip_texts(days: &BTreeSet<Date>, until: Option<Date>) -> Vec<String> {
    let month_day = |d: &Date| (d.month(), d.day());
    let mut years: BTreeMap<(i8, i8), BTreeSet<i16>> = BTreeMap::new();
    for d in days {
        years.entry(month_day(d)).or_default().insert(d.year());
    }
    let yearly: BTreeSet<(i8, i8)> = years
        .iter()
        .filter(|(md, ys)| ys.len() > 1 || until.is_some_and(|u| month_day(&u) == **md))
        .map(|(md, _)| *md)
        .collect();
    let mut once: BTreeSet<Date> = days
        .iter()
        .filter(|d| !yearly.contains(&month_day(d)))
        .copied()
        .collect();
    once.extend(until.filter(|u| !yearly.contains(&month_day(u))));
    // Yearly days as dates of a leap year, so that runs are found the same way.
    let yearly_days: BTreeSet<Date> = yearly
        .iter()
        .filter_map(|(m, d)| Date::new(2000, *m, *d).ok())
        .collect();
    let mut out: Vec<String> = runs(&yearly_days)
        .into_iter()
        .map(|(first, last)| {
            let md = |d: Date| format!("*-{:02}-{:02}", d.month(), d.day());
            if first == last {
                md(first)
            } else {
                format!("{}..{}", md(first), md(last))
            }
        })
        .collect();
    out.extend(runs(&once).into_iter().map(|(first, last)| {
        if first == last {
            first.to_string()
        } else {
            format!("{first}..{last}")
        }
    }));
    out
}

/// Consecutive days as (first, last) runs.
fn runs(days: &BTreeSet<Date>) -> Vec<(Date, Date)> {
    let mut out = Vec::new();
    let mut run: Option<(Date, Date)> = None;
    for &d in days {
        run = match run {
            Some((first, last)) if last.tomorrow().ok() == Some(d) => Some((first, d)),
            Some(r) => {
                out.push(r);
                Some((d, d))
            }
            None => Some((d, d)),
        };
    }
    out.extend(run);
    out
}

/// The times as windows when the on and off crons form them, else as an on and an off time.
fn entry_times(on: &[Time], off: &[Time]) -> Result<EntryTimes, String> {
    let on_texts: Vec<&str> = on.iter().map(|t| t.expression.as_str()).collect();
    let off_texts: Vec<&str> = off.iter().map(|t| t.expression.as_str()).collect();
    if let Some(windows) = windows_of(&on_texts, &off_texts) {
        return Ok(EntryTimes::Windows(windows));
    }
    match (&on_texts[..], &off_texts[..]) {
        ([] | [_], [] | [_]) => Ok(EntryTimes::Switches {
            on: on_texts.first().map(|t| t.to_string()),
            off: off_texts.first().map(|t| t.to_string()),
        }),
        _ => Err(format!(
            "{} on times and {} off times that do not form windows (each on followed by an off \
             within a day); a fleet entry has windows, or one on and one off time",
            on_texts.len(),
            off_texts.len()
        )),
    }
}

/// The minutes of the week an expression fires at, when it is a weekly cron.
fn week_minutes(text: &str) -> Option<Vec<u32>> {
    match ScheduleExpression::parse(text).ok()? {
        ScheduleExpression::Cron(c) => c.week_minutes(),
        _ => None,
    }
}

/// Windows (`DAYS HH:MM-HH:MM`) that compile to exactly the given on and off crons, in an order
/// that gives each cron the slot it has; `None` when the crons do not form windows.
pub fn windows_of(on: &[&str], off: &[&str]) -> Option<Vec<String>> {
    if on.is_empty() || off.is_empty() {
        return None;
    }
    let mut events: Vec<(u32, Switch, usize)> = Vec::new();
    for (list, switch) in [(on, Switch::On), (off, Switch::Off)] {
        for (i, text) in list.iter().enumerate() {
            events.extend(week_minutes(text)?.into_iter().map(|m| (m, switch, i)));
        }
    }
    events.sort();
    if events.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    // Start at an on, then on and off must alternate around the week.
    let first = events.iter().position(|e| e.1 == Switch::On)?;
    events.rotate_left(first);
    if events.len() % 2 != 0 {
        return None;
    }
    // (start minute of the week, length, slot index of its on cron)
    let mut stretches = Vec::new();
    for pair in events.chunks(2) {
        let ((start, s0, index), (end, s1, _)) = (pair[0], pair[1]);
        if s0 != Switch::On || s1 != Switch::Off {
            return None;
        }
        let length = (end + WEEK_MINUTES - start) % WEEK_MINUTES;
        let start_of_day = start % DAY_MINUTES;
        if length > DAY_MINUTES || (length == DAY_MINUTES && start_of_day != 0) {
            return None;
        }
        stretches.push((start, length, index));
    }
    // Stretches with the same start time and length form one window over their days.
    let mut by_shape: BTreeMap<(u32, u32), ([bool; 7], usize)> = BTreeMap::new();
    for (start, length, index) in stretches {
        let shape = by_shape
            .entry((start % DAY_MINUTES, length))
            .or_insert(([false; 7], usize::MAX));
        shape.0[(start / DAY_MINUTES) as usize] = true;
        shape.1 = shape.1.min(index);
    }
    let mut shapes: Vec<_> = by_shape.into_iter().collect();
    shapes.sort_by_key(|((start, length), (_, index))| (*index, *start, *length));
    let texts: Vec<String> = shapes
        .iter()
        .map(|((start, length), (days, _))| {
            let end = (start + length) % DAY_MINUTES;
            let end_text = if end == 0 {
                "24:00".to_string()
            } else {
                clock(end)
            };
            let days_text = match crate::window::render_weekdays(days).as_str() {
                "*" => "DAILY".to_string(),
                other => other.to_string(),
            };
            format!("{days_text} {}-{end_text}", clock(*start))
        })
        .collect();
    // The windows must give back exactly these crons, in these slots.
    let windows: Vec<Window> = texts
        .iter()
        .map(|t| t.parse().ok())
        .collect::<Option<_>>()?;
    let (got_on, got_off) = Times::windows(windows).ok()?.expressions();
    let same = |got: Vec<ScheduleExpression>, want: &[&str]| {
        got.len() == want.len()
            && got
                .iter()
                .zip(want)
                .all(|(g, w)| week_minutes(&g.to_string()) == week_minutes(w))
    };
    (same(got_on, on) && same(got_off, off)).then_some(texts)
}

fn clock(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// The topic and the minutes before the off of an ecs-onoff heads-up schedule.
fn heads_up(s: &Schedule) -> Option<(String, u32)> {
    let value: serde_json::Value = serde_json::from_str(&s.input.render()).ok()?;
    let topic = value["TopicArn"].as_str()?.to_string();
    let minutes = s
        .description
        .split("heads-up ")
        .nth(1)?
        .split(' ')
        .next()?
        .parse()
        .ok()?;
    Some((topic, minutes))
}

/// The request an entry stands for, as a fleet file would give it.
fn spec_of(entry: &Entry, id: &ServiceId) -> Result<ServiceSpec, String> {
    let times = match &entry.times {
        EntryTimes::Windows(texts) => Times::windows(
            texts
                .iter()
                .map(|t| t.parse::<Window>().map_err(|e| e.to_string()))
                .collect::<Result<_, _>>()?,
        )
        .map_err(|e| e.to_string())?,
        EntryTimes::Switches { on, off } => {
            let parse = |t: &Option<String>| {
                t.as_deref()
                    .map(crate::window::parse_expression)
                    .transpose()
                    .map_err(|e| e.to_string())
            };
            Times::switches(parse(on)?, parse(off)?).map_err(|e| e.to_string())?
        }
    };
    let mut rules = Vec::new();
    for text in &entry.skip {
        rules.push(crate::calendar::parse_skip(text, "skip").map_err(|e| e.0)?);
    }
    let role_arn: RoleArn = entry
        .role_arn
        .parse()
        .map_err(|e| format!("execution role: {e}"))?;
    let notify = match &entry.notify_topic {
        Some(topic) => Some(crate::notify::Notify {
            topic: topic
                .parse::<TopicArn>()
                .map_err(|e| format!("heads-up topic: {e}"))?,
            before: jiff::SignedDuration::from_mins(i64::from(
                entry
                    .notify_before_minutes
                    .unwrap_or(crate::notify::DEFAULT_BEFORE.as_mins() as u32),
            )),
        }),
        None => None,
    };
    Ok(ServiceSpec {
        id: id.clone(),
        connection: Connection::default(),
        group: entry
            .group
            .parse::<GroupName>()
            .map_err(|e| e.to_string())?,
        times,
        calendar: Calendar { rules },
        zone: Zone::parse(&entry.timezone).map_err(|e| e.to_string())?,
        role_arn: Some(role_arn),
        state: entry.state,
        on_count: entry.on_count,
        off_count: entry.off_count,
        dead_letter_arn: entry
            .dead_letter_arn
            .as_deref()
            .map(str::parse::<QueueArn>)
            .transpose()
            .map_err(|e| format!("dead-letter queue: {e}"))?,
        start_date: None,
        end_date: None,
        override_: None,
        notify,
        adopt: Vec::new(),
        autoscaling: true,
        task: Default::default(),
        capacity: None,
        origin: Origin::Flags,
    })
}

/// What a plan of the entry would change in the schedules read: nothing when it reproduces
/// them exactly.
fn differences(desired: &[Schedule], read: &[&Schedule], now: Timestamp) -> Vec<String> {
    let mut out = Vec::new();
    for d in desired {
        match read.iter().find(|r| r.name == d.name && r.group == d.group) {
            None => out.push(format!("plan creates {}/{}", d.group, d.name)),
            Some(r) => {
                let mut r = (*r).clone();
                r.start_date = r.start_date.filter(|t| *t > now);
                let mut d = d.clone();
                d.unmanaged = r.unmanaged.clone();
                for change in crate::plan::diff(&d, Some(&r)).changes() {
                    out.push(format!(
                        "plan updates {} {}: {} -> {}",
                        path(&r),
                        change.field,
                        change.old,
                        change.new
                    ));
                }
            }
        }
    }
    for r in read {
        if !desired
            .iter()
            .any(|d| d.name == r.name && d.group == r.group)
        {
            out.push(format!("plan deletes {}", path(r)));
        }
    }
    out
}

/// How ecs-onoff's schedules will differ from the adopted ones beyond their names.
fn adoption_notes(schedules: &[Schedule]) -> Vec<String> {
    let mut notes = BTreeSet::new();
    for s in schedules.iter().filter(|s| s.owner().is_none()) {
        if s.retry != Some(RETRY_POLICY) {
            notes.insert(format!(
                "the retry policy becomes {} attempts within {} seconds",
                RETRY_POLICY.maximum_retry_attempts, RETRY_POLICY.maximum_event_age_seconds
            ));
        }
        if !s.flexible_window_off {
            notes.insert("the flexible time window becomes OFF (fire at the set time)".into());
        }
        if s.unmanaged.kms_key_arn.is_some() {
            notes.insert("the customer managed KMS key is not carried over".into());
        }
        if s.description.is_empty() || !s.description.starts_with("Managed by ecs-onoff") {
            notes.insert("the descriptions become ecs-onoff's".into());
        }
    }
    notes.into_iter().collect()
}

/// A schedule in a group that ecs-onoff does not import: its target is not ECS UpdateService.
#[derive(Debug, Clone, Serialize)]
pub struct OtherTarget {
    pub region: String,
    pub schedule: String,
    pub target: String,
}

/// A TOML string.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A comment line's text: one line, control characters escaped.
fn comment(text: &str) -> String {
    crate::text::printable(text)
}

/// The settings every entry shares, written once under `[defaults]` when there are several
/// entries.
fn shared(entries: &[Entry]) -> Vec<(&'static str, String)> {
    if entries.len() < 2 {
        return Vec::new();
    }
    type Field = (&'static str, fn(&Entry) -> &str);
    let fields: [Field; 4] = [
        ("region", |e| &e.region),
        ("timezone", |e| &e.timezone),
        ("role_arn", |e| &e.role_arn),
        ("group", |e| &e.group),
    ];
    fields
        .into_iter()
        .filter(|(_, f)| entries.iter().all(|e| f(e) == f(&entries[0])))
        .map(|(key, f)| (key, f(&entries[0]).to_string()))
        .collect()
}

/// The fleet file of an import: a header naming where it was read, the entries, then what was
/// left out and why, as comments.
pub fn render(imported: &Imported, others: &[OtherTarget], header: &[String]) -> String {
    let mut out = String::new();
    for line in header {
        let _ = writeln!(out, "# {}", comment(line));
    }
    let defaults = shared(&imported.entries);
    if !defaults.is_empty() {
        out.push_str("\n[defaults]\n");
        for (key, value) in &defaults {
            let _ = writeln!(out, "{key} = {}", quoted(value));
        }
    }
    let is_default = |key: &str| defaults.iter().any(|(k, _)| *k == key);
    for e in &imported.entries {
        out.push('\n');
        let _ = writeln!(
            out,
            "# {}: {}",
            if e.exact {
                "ecs-onoff's schedules, reproduced exactly"
            } else {
                "read from"
            },
            e.schedules.join(", ")
        );
        for note in &e.notes {
            let _ = writeln!(out, "# {}", comment(note));
        }
        out.push_str("[[service]]\n");
        let _ = writeln!(out, "cluster = {}", quoted(&e.cluster));
        let _ = writeln!(out, "service = {}", quoted(&e.service));
        for (key, value) in [
            ("region", &e.region),
            ("timezone", &e.timezone),
            ("role_arn", &e.role_arn),
            ("group", &e.group),
        ] {
            if !is_default(key) {
                let _ = writeln!(out, "{key} = {}", quoted(value));
            }
        }
        match &e.times {
            EntryTimes::Windows(ws) if ws.len() == 1 => {
                let _ = writeln!(out, "window = {}", quoted(&ws[0]));
            }
            EntryTimes::Windows(ws) => {
                let items: Vec<String> = ws.iter().map(|w| quoted(w)).collect();
                let _ = writeln!(out, "window = [{}]", items.join(", "));
            }
            EntryTimes::Switches { on, off } => {
                for (key, value) in [("on", on), ("off", off)] {
                    if let Some(v) = value {
                        let _ = writeln!(out, "{key} = {}", quoted(v));
                    }
                }
            }
        }
        if let Some(n) = e.on_count {
            let _ = writeln!(out, "on_count = {n}");
        }
        if e.off_count != 0 {
            let _ = writeln!(out, "off_count = {}", e.off_count);
        }
        if e.state == State::Disabled {
            out.push_str("state = \"disabled\"\n");
        }
        if let Some(dlq) = &e.dead_letter_arn {
            let _ = writeln!(out, "dead_letter_arn = {}", quoted(dlq));
        }
        if let Some(topic) = &e.notify_topic {
            let _ = writeln!(out, "notify_topic = {}", quoted(topic));
            if let Some(m) = e.notify_before_minutes {
                let _ = writeln!(out, "notify_before = \"{m}m\"");
            }
        }
        let list = |items: &[String]| {
            items
                .iter()
                .map(|s| quoted(s))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !e.skip.is_empty() {
            let _ = writeln!(out, "skip = [{}]", list(&e.skip));
        }
        if !e.adopt.is_empty() {
            let _ = writeln!(out, "adopt = [{}]", list(&e.adopt));
        }
        if let Some(group) = &e.auto_scaling_group {
            let _ = writeln!(
                out,
                "capacity = true\n# Its Auto Scaling group is {}: on the EC2 launch type without capacity \
                 providers, add asg = {} (lead and drain: 10m unless set)",
                crate::text::printable(group),
                quoted(group)
            );
        }
    }
    if !imported.left_out.is_empty() {
        out.push_str("\n# Not imported: a fleet entry cannot reproduce these exactly.\n");
        for l in &imported.left_out {
            let service = l
                .service
                .as_ref()
                .map(|s| format!("{s} in {}", l.region))
                .unwrap_or_else(|| l.region.clone());
            let _ = writeln!(
                out,
                "# - {} ({service}): {}",
                l.schedules.join(", "),
                comment(&l.reason)
            );
        }
    }
    if !others.is_empty() {
        out.push_str("\n# Left alone: their target is not ECS UpdateService.\n");
        for o in others {
            let _ = writeln!(
                out,
                "# - {} in {}: {}",
                o.schedule,
                o.region,
                comment(&o.target)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::Input;

    const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff";

    fn now() -> Timestamp {
        "2026-11-29T10:00:00Z".parse().unwrap()
    }

    /// The schedules ecs-onoff writes for a fleet entry (after its `[[service]]` line).
    fn written(entry: &str) -> Vec<Found> {
        let text = format!(
            "[[service]]\ncluster = \"staging\"\nservice = \"web\"\nrole_arn = \"{ROLE}\"\n{entry}"
        );
        let fleet = crate::fleet::parse("fleet.toml", &text, &mut |_| Err("no files".into()))
            .unwrap_or_else(|e| panic!("{e}"));
        let spec = &fleet.services[0];
        let key = ClientKey {
            region: "eu-central-1".parse().unwrap(),
            profile: None,
        };
        let compiled = spec.compile(now()).unwrap();
        let mut out = spec.schedules(&key, 2, &compiled);
        out.extend(spec.notify_schedules(&key, &compiled));
        out.into_iter()
            .map(|schedule| Found {
                region: key.region.clone(),
                schedule,
            })
            .collect()
    }

    /// A schedule made in the console: another name, camelCase Input, a flexible window.
    fn console(name: &str, expression: &str, count: u32) -> Found {
        Found {
            region: "eu-central-1".parse().unwrap(),
            schedule: Schedule {
                name: name.to_string(),
                group: "default".to_string(),
                expression: expression.to_string(),
                timezone: "Europe/Berlin".to_string(),
                state: Some(State::Enabled),
                description: String::new(),
                flexible_window_off: false,
                target_arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService".to_string(),
                role_arn: ROLE.to_string(),
                input: Input::parse(&format!(
                    r#"{{"cluster":"staging","service":"web","desiredCount":{count}}}"#
                )),
                retry: None,
                dead_letter_arn: None,
                start_date: None,
                end_date: None,
                unmanaged: Default::default(),
                created: None,
            },
        }
    }

    fn one(found: &[Found]) -> Entry {
        let imported = recognise(found, now());
        assert!(imported.left_out.is_empty(), "{:?}", imported.left_out);
        assert_eq!(imported.entries.len(), 1);
        imported.entries[0].clone()
    }

    fn windows(texts: &[&str]) -> EntryTimes {
        EntryTimes::Windows(texts.iter().map(|t| t.to_string()).collect())
    }

    #[test]
    fn ecs_onoff_schedules_read_back_exactly() {
        for (entry, times) in [
            (
                "window = \"MON-FRI 08:00-19:00\"\ntimezone = \"Europe/Berlin\"",
                windows(&["MON-FRI 08:00-19:00"]),
            ),
            // Two windows: each keeps its slot (the second's crons are on2/off2).
            (
                "window = [\"SAT 10:00-14:00\", \"MON-FRI 08:00-19:00\"]",
                windows(&["SAT 10:00-14:00", "MON-FRI 08:00-19:00"]),
            ),
            (
                "window = \"MON-FRI 22:00-06:00\"",
                windows(&["MON-FRI 22:00-06:00"]),
            ),
            (
                "window = \"DAILY 18:00-24:00\"",
                windows(&["DAILY 18:00-24:00"]),
            ),
            (
                "on = \"cron(0 8 1 * ? *)\"\noff = \"cron(0 18 L * ? *)\"",
                EntryTimes::Switches {
                    on: Some("cron(0 8 1 * ? *)".into()),
                    off: Some("cron(0 18 L * ? *)".into()),
                },
            ),
            (
                "off = \"cron(0 20 * * ? *)\"",
                EntryTimes::Switches {
                    on: None,
                    off: Some("cron(0 20 * * ? *)".into()),
                },
            ),
        ] {
            let e = one(&written(entry));
            assert_eq!(e.times, times, "{entry}");
            assert!(e.exact, "{entry}: {:?}", e.notes);
            assert!(e.adopt.is_empty());
        }
    }

    #[test]
    fn calendar_segments_read_back_as_skipped_days() {
        let found = written(
            "window = [\"MON-FRI 08:00-19:00\", \"SAT 10:00-14:00\"]\ntimezone = \
             \"Europe/Berlin\"\nskip = [\"*-12-24..*-12-26\", \"2027-05-14\", \"*-01-01\"]\n\
             on_count = 2\nnotify_topic = \"arn:aws:sns:eu-central-1:123456789012:heads-up\"\n\
             notify_before = \"20m\"",
        );
        assert!(found.len() > 6, "segments are written");
        let e = one(&found);
        assert!(e.exact, "{:?}", e.notes);
        assert_eq!(e.on_count, Some(2));
        assert_eq!(e.notify_before_minutes, Some(20));
        // Only skipped dates that fall on an on time are seen; within the compiled horizon.
        // Days seen in two years are yearly again; a day seen once stays a date (2027-12-26
        // is a Sunday, when the service is not turned on, so it is not seen).
        assert_eq!(
            e.skip,
            vec!["*-01-01", "*-12-24..*-12-25", "2026-12-26", "2027-05-14"],
            "{:?}",
            e.skip
        );
    }

    #[test]
    fn autoscaling_aware_schedules_read_back_exactly() {
        let mut s = crate::spec::tests::spec("staging", "web");
        s.times = Times::windows(vec!["MON-FRI 08:00-19:00".parse().unwrap()]).unwrap();
        let key = ClientKey {
            region: "eu-central-1".parse().unwrap(),
            profile: None,
        };
        let compiled = s.compile(now()).unwrap();
        let bounds = crate::schedule::Bounds { min: 2, max: 6 };
        let found: Vec<Found> = s
            .schedules_with(&key, crate::spec::Switching::Bounds(bounds), &compiled)
            .into_iter()
            .map(|schedule| Found {
                region: key.region.clone(),
                schedule,
            })
            .collect();
        let e = one(&found);
        assert_eq!(e.times, windows(&["MON-FRI 08:00-19:00"]));
        assert_eq!(e.on_count, Some(2), "the MinCapacity");
        assert!(e.exact, "{:?}", e.notes);
        assert!(e.adopt.is_empty());
    }

    #[test]
    fn skipped_days_under_way_and_ended_segments() {
        // Written on Wednesday 2026-12-23 at 21:00 in Berlin, with 12-24..12-26 skipped; read
        // on Thursday the 24th at 11:00.
        let mut s = crate::spec::tests::spec("staging", "web");
        s.times = Times::windows(vec!["MON-FRI 08:00-19:00".parse().unwrap()]).unwrap();
        s.calendar = Calendar {
            rules: vec![crate::calendar::parse_skip("*-12-24..*-12-26", "skip").unwrap()],
        };
        let written: Timestamp = "2026-12-23T20:00:00Z".parse().unwrap();
        let compiled = s.compile(written).unwrap();
        let key = ClientKey {
            region: "eu-central-1".parse().unwrap(),
            profile: None,
        };
        let found: Vec<Found> = s
            .schedules(&key, 2, &compiled)
            .into_iter()
            .map(|mut schedule| {
                schedule.created = Some(written);
                Found {
                    region: key.region.clone(),
                    schedule,
                }
            })
            .collect();
        let read_at: Timestamp = "2026-12-24T10:00:00Z".parse().unwrap();
        let imported = recognise(&found, read_at);
        let e = &imported.entries[0];
        assert!(e.skip.iter().any(|d| d.contains("12-24")), "{:?}", e.skip);
        assert!(e.skip.iter().any(|d| d.contains("12-25")), "{:?}", e.skip);
        assert!(e.exact, "{:?}", e.notes);
        // Read in January: the segment that ended on the 23rd is left to plan, not refused.
        let mut with_ended = found.clone();
        let compiled_earlier = s.compile("2026-12-01T00:00:00Z".parse().unwrap()).unwrap();
        with_ended.extend(
            s.schedules(&key, 2, &compiled_earlier)
                .into_iter()
                .filter(|x| x.name == "staging.web.on-20261224")
                .map(|schedule| Found {
                    region: key.region.clone(),
                    schedule,
                }),
        );
        let later: Timestamp = "2027-01-04T10:00:00Z".parse().unwrap();
        let imported = recognise(&with_ended, later);
        assert!(imported.left_out.is_empty(), "{:?}", imported.left_out);
        assert_eq!(imported.entries.len(), 1);
    }

    #[test]
    fn console_schedules_are_adopted_with_their_window() {
        let e = one(&[
            console("web-stop", "cron(0 19 ? * MON-FRI *)", 0),
            console("web-start", "cron(0 8 ? * 2-6 *)", 3),
        ]);
        assert_eq!(e.times, windows(&["MON-FRI 08:00-19:00"]));
        assert_eq!(e.on_count, Some(3));
        assert_eq!(e.group, "default");
        assert_eq!(e.adopt, vec!["web-start", "web-stop"]);
        assert!(!e.exact);
        let notes = e.notes.join("\n");
        assert!(
            notes.contains("flexible time window becomes OFF"),
            "{notes}"
        );
        assert!(notes.contains("delete and a create"), "{notes}");
    }

    #[test]
    fn times_that_are_not_windows_stay_on_and_off() {
        // A stretch longer than a day is no window.
        let e = one(&[
            console("up", "cron(0 8 ? * MON *)", 1),
            console("down", "cron(0 18 ? * FRI *)", 0),
        ]);
        assert_eq!(
            e.times,
            EntryTimes::Switches {
                on: Some("cron(0 8 ? * MON *)".into()),
                off: Some("cron(0 18 ? * FRI *)".into()),
            }
        );
        let e = one(&[
            console("up", "rate(12 hours)", 1),
            console("down", "cron(0 18 * * ? *)", 0),
        ]);
        assert!(matches!(e.times, EntryTimes::Switches { .. }));
    }

    #[test]
    fn what_an_entry_cannot_say_is_left_out_with_the_reason() {
        let mut other_role = console("down", "cron(0 18 ? * * *)", 0);
        other_role.schedule.role_arn = "arn:aws:iam::123456789012:role/other".into();
        let mut extra = console("deploy", "cron(0 7 ? * * *)", 1);
        extra.schedule.input = Input::parse(
            r#"{"cluster":"staging","service":"api","desiredCount":1,"forceNewDeployment":true}"#,
        );
        let mut ended = console("old", "cron(0 7 ? * * *)", 1);
        ended.schedule.input =
            Input::parse(r#"{"Cluster":"staging","Service":"old","DesiredCount":1}"#);
        ended.schedule.end_date = Some("2026-01-01T00:00:00Z".parse().unwrap());
        let mut three = vec![
            console("a", "cron(0 7 ? * * *)", 1),
            console("b", "cron(0 8 ? * * *)", 2),
            console("c", "cron(0 9 ? * * *)", 0),
        ];
        for f in &mut three {
            f.schedule.input = Input::parse(&f.schedule.input.render().replace("web", "batch"));
        }
        let mut found = vec![
            console("up", "cron(0 8 ? * * *)", 1),
            other_role,
            extra,
            ended,
            console("up2", "cron(0 9 ? * MON *)", 1),
        ];
        found.extend(three);
        let imported = recognise(&found, now());
        assert!(imported.entries.is_empty(), "{:?}", imported.entries);
        let reasons: Vec<String> = imported
            .left_out
            .iter()
            .map(|l| format!("{:?}: {}", l.service, l.reason))
            .collect();
        let all = reasons.join("\n");
        for needle in [
            "forceNewDeployment",
            "ended at",
            "3 different desired counts",
            "execution role",
        ] {
            assert!(all.contains(needle), "{needle} in\n{all}");
        }
        // Overlapping on times that do not pair with offs.
        let imported = recognise(
            &[
                console("a", "cron(0 8 ? * * *)", 1),
                console("b", "cron(0 9 ? * MON *)", 1),
                console("c", "cron(0 18 ? * * *)", 0),
            ],
            now(),
        );
        assert!(
            imported.left_out[0].reason.contains("do not form windows"),
            "{:?}",
            imported.left_out
        );
    }

    #[test]
    fn windows_need_alternating_on_and_off() {
        assert_eq!(
            windows_of(&["cron(0 8 ? * MON-FRI *)"], &["cron(0 19 ? * MON-FRI *)"]),
            Some(vec!["MON-FRI 08:00-19:00".to_string()])
        );
        // An off with no on before it.
        assert_eq!(
            windows_of(&["cron(0 8 ? * MON-FRI *)"], &["cron(0 19 ? * * *)"]),
            None
        );
        // On and off at the same minute.
        assert_eq!(
            windows_of(&["cron(0 8 ? * * *)"], &["cron(0 8 ? * MON *)"]),
            None
        );
        // Not weekly.
        assert_eq!(
            windows_of(&["cron(0 8 1 * ? *)"], &["cron(0 9 1 * ? *)"]),
            None
        );
        assert_eq!(
            windows_of(&["cron(0 8 ? * MON 2027)"], &["cron(0 9 ? * MON 2027)"]),
            None
        );
        // Two stretches a day.
        assert_eq!(
            windows_of(
                &["cron(0 8 ? * MON-FRI *)", "cron(0 13 ? * MON-FRI *)"],
                &["cron(0 12 ? * MON-FRI *)", "cron(0 19 ? * MON-FRI *)"]
            ),
            Some(vec![
                "MON-FRI 08:00-12:00".to_string(),
                "MON-FRI 13:00-19:00".to_string()
            ])
        );
    }

    #[test]
    fn the_file_is_valid_and_names_what_was_left_out() {
        let mut found = written("window = \"MON-FRI 08:00-19:00\"\ntimezone = \"Europe/Berlin\"");
        let mut api = console("api-start", "cron(0 7 ? * MON-FRI *)", 1);
        api.schedule.input =
            Input::parse(r#"{"Cluster":"staging","Service":"api","DesiredCount":1}"#);
        let mut api_stop = console("api-stop", "cron(0 20 ? * MON-FRI *)", 0);
        api_stop.schedule.input =
            Input::parse(r#"{"Cluster":"staging","Service":"api","DesiredCount":0}"#);
        let mut bad = console("odd", "cron(0 7 ? * * *)", 1);
        bad.schedule.input = Input::parse("{\"Service\":\"x\",\"DesiredCount\":1,\"a\\nb\":1}");
        found.extend([api, api_stop, bad]);
        let imported = recognise(&found, now());
        let text = render(
            &imported,
            &[OtherTarget {
                region: "eu-central-1".into(),
                schedule: "default/report".into(),
                target: "arn:aws:scheduler:::aws-sdk:sqs:sendMessage".into(),
            }],
            &["written by a test".to_string()],
        );
        let fleet = crate::fleet::parse("imported.toml", &text, &mut |_| Err("no files".into()))
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(fleet.services.len(), 2, "{text}");
        let api = fleet
            .services
            .iter()
            .find(|s| s.id.service.as_str() == "api")
            .unwrap();
        assert_eq!(api.adopt.len(), 2);
        assert_eq!(api.adopt[0].to_string(), "default/api-start");
        assert!(text.contains("# - default/odd"), "{text}");
        assert!(text.contains("a\\nb"), "control characters escaped: {text}");
        assert!(
            text.contains("# - default/report in eu-central-1"),
            "{text}"
        );
    }
}
