//! Overrides: keep a service on (or off) until a time whatever its schedules say, then hand it
//! back to them, with nothing running in the account but Scheduler schedules. No I/O.
//!
//! An override of a service until T consists of:
//! - its regular schedules *held*: each one that would fire between now and T gets StartDate T
//!   (one whose EndDate comes first is disabled instead: it has no fire after T). The StartDate
//!   and State it had are recorded in its Description, so that `override cancel` restores them
//!   exactly, and so that `plan`/`apply` keep the hold while the override lasts;
//! - the *end schedule* `<cluster>.<service>.override`: `at(T)` in UTC, deleting itself after it
//!   runs (ActionAfterCompletion DELETE), setting the count the regular schedules give at T (the
//!   last of their fires at or before T; the count before the override when none fired);
//! - the service set to the override's count at once.
//!
//! So no regular schedule fires inside the override, and at T the service is in the state its
//! schedules say for T. All of it is read back from AWS: there is no local state.

use crate::expression::timezone::Zone;
use crate::expression::ScheduleExpression;
use crate::naming::Switch;
use crate::plan::{diff, Action};
use crate::schedule::{Input, Schedule, ServiceId, State, UpdateService};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use std::fmt::Write as _;

/// How far ahead an override may end unless `--max` says otherwise.
pub const DEFAULT_MAX: SignedDuration = SignedDuration::from_hours(14 * 24);
/// How far back the last regular fire is looked for.
const LOOKBACK: SignedDuration = SignedDuration::from_hours(35 * 24);
/// The most fires of one schedule a replay looks at (five weeks of every minute).
const MAX_REPLAYED: usize = 60_000;
/// What marks a held schedule's Description.
const HELD: &str = "; held by an override until ";

/// `30m`, `3h`, `2d`, `1w`, or combinations such as `1h30m`.
pub fn parse_duration(text: &str) -> Result<SignedDuration, String> {
    let bad = || {
        format!(
            "'{text}' is not a duration: write a number and a unit (m, h, d or w), or several \
             (30m, 3h, 2d, 1h30m)"
        )
    };
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(bad()),
        };
        let n: i64 = digits.parse().map_err(|_| bad())?;
        digits.clear();
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(bad)?;
    }
    if !digits.is_empty() || total <= 0 {
        return Err(bad());
    }
    Ok(SignedDuration::from_secs(total))
}

/// An end time: RFC 3339, or `YYYY-MM-DD HH:MM`, or `HH:MM` (the next such time), both local
/// in `zone`. A local time that does not exist (clocks spring forward) is refused; one that
/// occurs twice is its first occurrence.
pub fn parse_until(text: &str, zone: &Zone, now: Timestamp) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let tz = zone.tz();
    let resolve = |local: jiff::civil::DateTime| -> Result<Timestamp, String> {
        match tz.to_ambiguous_timestamp(local).offset() {
            jiff::tz::AmbiguousOffset::Gap { .. } => Err(format!(
                "{} does not exist in {zone} (clocks spring forward); choose another time",
                local.strftime("%Y-%m-%d %H:%M")
            )),
            jiff::tz::AmbiguousOffset::Unambiguous { offset }
            | jiff::tz::AmbiguousOffset::Fold { before: offset, .. } => {
                offset.to_timestamp(local).map_err(|e| e.to_string())
            }
        }
    };
    if let Ok(local) = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", text) {
        return resolve(local);
    }
    if let Ok(time) = jiff::civil::Time::strptime("%H:%M", text) {
        let today = tz.to_datetime(now).date();
        let mut local = today.to_datetime(time);
        if resolve(local).is_ok_and(|t| t <= now) {
            local = today
                .tomorrow()
                .map_err(|e| e.to_string())?
                .to_datetime(time);
        }
        return resolve(local);
    }
    Err(format!(
        "'{text}' is not a time: write RFC 3339 (2026-11-29T08:00:00Z), or YYYY-MM-DD HH:MM or \
         HH:MM in the service's time zone ({zone})"
    ))
}

/// The end rounded up to a whole minute, checked: after now, and at most `max` ahead.
pub fn check_until(
    until: Timestamp,
    now: Timestamp,
    max: SignedDuration,
) -> Result<Timestamp, String> {
    let secs = until.as_second();
    let rounded = Timestamp::from_second(secs + (60 - secs.rem_euclid(60)) % 60)
        .map_err(|e| e.to_string())?;
    if rounded <= now {
        return Err(format!("the override's end {until} is not in the future"));
    }
    if rounded > now + max {
        return Err(format!(
            "the override's end {until} is more than {} ahead; raise --max to allow it",
            duration_text(max)
        ));
    }
    Ok(rounded)
}

/// `14d`, `3h30m`.
pub fn duration_text(d: SignedDuration) -> String {
    let mut secs = d.as_secs();
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if secs >= size {
            let _ = write!(out, "{}{unit}", secs / size);
            secs %= size;
        }
    }
    if out.is_empty() {
        out.push_str("0m");
    }
    out
}

/// What a held schedule had before the hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    pub until: Timestamp,
    pub start: Option<Timestamp>,
    pub state: State,
}

/// The part of a description before any hold marker, and the hold it records.
pub fn held(s: &Schedule) -> Option<Hold> {
    let (_, rest) = s.description.split_once(HELD)?;
    let (until, rest) = rest.split_once(" (StartDate was ")?;
    let (start, rest) = rest.split_once(", State was ")?;
    let state = rest.strip_suffix(')')?;
    Some(Hold {
        until: until.parse().ok()?,
        start: match start {
            "none" => None,
            t => Some(t.parse().ok()?),
        },
        state: state.parse().ok()?,
    })
}

/// The schedule as it was before any hold.
pub fn release(s: &Schedule) -> Schedule {
    let mut out = s.clone();
    if let Some(h) = held(s) {
        out.start_date = h.start;
        out.state = Some(h.state);
    }
    if let Some((base, _)) = s.description.split_once(HELD) {
        out.description = base.to_string();
    }
    out
}

/// Whether a regular schedule (enabled, within its dates) fires after `now` and before `until`.
fn fires_before(s: &Schedule, now: Timestamp, until: Timestamp) -> bool {
    if s.state != Some(State::Enabled) {
        return false;
    }
    let (Ok(expr), Ok(zone)) = (
        ScheduleExpression::parse(&s.expression),
        Zone::parse(&s.timezone),
    ) else {
        return false;
    };
    expr.next_fires_active(&zone, now, 1, &s.active())
        .fires
        .first()
        .is_some_and(|f| f.utc < until)
}

/// A regular schedule held until `until`, or `None` when it does not fire before then (it is
/// left as it is). `s` must not be held already (see [`release`]).
pub fn hold(s: &Schedule, until: Timestamp, now: Timestamp) -> Option<Schedule> {
    if !fires_before(s, now, until) {
        return None;
    }
    let mut out = s.clone();
    let marker = format!(
        "{HELD}{until} (StartDate was {}, State was {})",
        s.start_date
            .map_or_else(|| "none".to_string(), |t| t.to_string()),
        s.state.unwrap_or(State::Enabled)
    );
    if s.end_date.is_some_and(|end| end <= until) {
        // No fire after the end of the override: disabled until it is released or deleted.
        out.state = Some(State::Disabled);
    } else {
        out.start_date = Some(s.start_date.map_or(until, |t| t.max(until)));
    }
    out.description = fit_description(&s.description, &marker);
    Some(out)
}

/// A description with a marker added, within Scheduler's 512 characters (the service names in
/// it are cut first; the Input always names them in full).
fn fit_description(base: &str, marker: &str) -> String {
    let max = crate::schedule::MAX_DESCRIPTION;
    if base.len() + marker.len() <= max {
        return format!("{base}{marker}");
    }
    let keep = max.saturating_sub(marker.len() + 3);
    let mut cut = keep.min(base.len());
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}...{marker}", &base[..cut])
}

/// The regular schedule in effect at `at`: the one whose fire is the last at or before it
/// (within 35 days); else, for autoscaling-aware schedules (whose end must set bounds, not a
/// count), the one of the switch that gives `count`.
pub fn in_effect(regular: &[Schedule], at: Timestamp, count: u32) -> Option<&Schedule> {
    last_fired(regular, at).or_else(|| {
        regular
            .iter()
            .filter(|s| s.bounds().is_some())
            .find(|s| s.input.desired_count() == Some(count))
    })
}

/// The enabled schedule whose fire is the last at or before `at` (within 35 days; the first
/// listed of those that fire together), if any fired.
pub fn last_fired(schedules: &[Schedule], at: Timestamp) -> Option<&Schedule> {
    let from = at - LOOKBACK - SignedDuration::from_secs(1);
    let mut last: Option<(Timestamp, &Schedule)> = None;
    for s in schedules {
        let fired = levels(std::slice::from_ref(s), from, at, &|_| Some(0))
            .last()
            .map(|(t, _)| *t);
        if let Some(t) = fired.filter(|t| last.is_none_or(|(l, _)| *t > l)) {
            last = Some((t, s));
        }
    }
    last.map(|(_, s)| s)
}

/// The count a service has through [`from`, `to`): the count at `from` (`None` when none of
/// its schedules fired in the 35 days before), then each change after it, from the fires of its
/// schedules and an override's hold `(start, end, count)`, after whose end the schedules resume.
pub fn counts_between(
    schedules: &[Schedule],
    from: Timestamp,
    to: Timestamp,
    held: Option<(Timestamp, Timestamp, u32)>,
) -> (Option<u32>, Vec<(Timestamp, u32)>) {
    let mut start = scheduled_count(schedules, from);
    let mut changes: Vec<(Timestamp, u32)> = timeline(schedules, from, to)
        .into_iter()
        .filter(|(t, _)| *t > from && *t < to)
        .collect();
    if let Some((hold, until, count)) = held.filter(|(a, b, _)| *a < to && *b > from) {
        changes.retain(|(t, _)| *t < hold || *t >= until);
        if hold <= from {
            start = Some(count);
        } else {
            changes.push((hold, count));
        }
        if until < to {
            changes.push((until, scheduled_count(schedules, until).unwrap_or(count)));
        }
        changes.sort_by_key(|(t, _)| *t);
    }
    (start, changes)
}

/// The desiredCount a set of regular schedules gives at `at`: the count of the last fire at or
/// before it (within 35 days), if any fired.
pub fn scheduled_count(regular: &[Schedule], at: Timestamp) -> Option<u32> {
    level_at(regular, at, &|s: &Schedule| s.input.desired_count())
}

/// An override asked for in a fleet file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideRequest {
    pub state: Switch,
    /// `None`: the count of the service's on (or off) schedule.
    pub count: Option<u32>,
    pub until: Timestamp,
}

/// An end time in a file: RFC 3339, or `YYYY-MM-DD HH:MM` in `zone` (a file has no "next
/// HH:MM": it is read at different times).
pub fn parse_file_until(text: &str, zone: &Zone) -> Result<Timestamp, String> {
    let text = text.trim();
    if jiff::civil::Time::strptime("%H:%M", text).is_ok() {
        return Err(format!(
            "'{text}' has no date; in a file write RFC 3339 or YYYY-MM-DD HH:MM"
        ));
    }
    // Any instant: the forms with a date do not depend on it.
    parse_until(text, zone, Timestamp::UNIX_EPOCH)
}

/// The time zone of a service's schedules: its first on schedule's, else its first regular
/// schedule's.
pub fn zone_of(schedules: &[Schedule]) -> Option<&str> {
    let regular = || schedules.iter().filter(|s| s.owner().is_some());
    regular()
        .find(|s| s.owner().is_some_and(|o| o.1.switch == Switch::On))
        .or_else(|| regular().next())
        .map(|s| s.timezone.as_str())
}

/// What an override is: read back from its end schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    pub state: Switch,
    /// The count it holds the service at.
    pub count: u32,
    #[serde(serialize_with = "rfc3339")]
    pub until: Timestamp,
    /// The count its end sets (what the schedules say then).
    pub then_count: u32,
    /// The service's schedule time zone, for showing the end.
    pub zone: String,
}

fn rfc3339<S: serde::Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_string())
}

impl Override {
    /// The end in the service's zone, `Sun 2026-11-29 17:00 KST`.
    pub fn until_local(&self) -> String {
        Zone::parse(&self.zone).map_or_else(
            |_| self.until.to_string(),
            |z| {
                self.until
                    .to_zoned_datetime(z.tz().clone())
                    .strftime("%a %Y-%m-%d %H:%M %Z")
                    .to_string()
            },
        )
    }

    /// Reads an override from its end schedule; `None` for any other schedule.
    pub fn read(s: &Schedule) -> Option<(ServiceId, Override)> {
        let id = s.override_of()?.clone();
        let then_count = s.input.desired_count()?;
        let rest = s.description.split_once(" (keeps it ")?.1;
        let (state, rest) = rest.split_once(" at desiredCount ")?;
        let (count, rest) = rest.split_once(" until ")?;
        let (until, rest) = rest.split_once(", time zone ")?;
        let zone = rest.split_once(')')?.0;
        Some((
            id,
            Override {
                state: match state {
                    "on" => Switch::On,
                    "off" => Switch::Off,
                    _ => return None,
                },
                count: count.parse().ok()?,
                until: until.parse().ok()?,
                then_count,
                zone: zone.to_string(),
            },
        ))
    }

    /// The end schedule of this override, modelled on one of the service's regular schedules
    /// (its group, role and dead-letter queue); at its end it calls what `then` calls (the
    /// regular schedule in effect then: an autoscaling-aware one sets its bounds), else sets
    /// desiredCount `then_count`.
    pub fn end_schedule(
        &self,
        id: &ServiceId,
        model: &Schedule,
        then: Option<&Schedule>,
    ) -> Schedule {
        let partition = model.target_arn.split(':').nth(1).unwrap_or("aws");
        let (target_arn, input) = match then {
            Some(s) => (s.target_arn.clone(), s.input.clone()),
            None => (
                crate::arn::update_service_target(partition),
                Input::UpdateService(UpdateService {
                    service: id.clone(),
                    desired_count: self.then_count,
                }),
            ),
        };
        let text = format!(
            "Managed by ecs-onoff: ends the override of ECS service {} in cluster {} (keeps it \
             {} at desiredCount {} until {}, time zone {}), then sets desiredCount {}",
            id.service, id.cluster, self.state, self.count, self.until, self.zone, self.then_count
        );
        model.one_time(id.override_name(), self.until, text, target_arn, input)
    }
}

/// The writes of an override or of its cancellation, and the count to set at once.
#[derive(Debug, Clone, Default)]
pub struct OverridePlan {
    pub steps: Vec<(Schedule, Action)>,
    /// The desiredCount to set now with UpdateService, when it differs from the live one.
    pub set_count: Option<u32>,
    /// For autoscaling-aware schedules: the bounds to set now instead (RegisterScalableTarget).
    pub set_bounds: Option<crate::schedule::Bounds>,
    pub then_count: Option<u32>,
    /// Auto Scaling groups to set to their on sizes now, before the count (a capacity-aware
    /// service kept on at night).
    pub set_group_sizes: Vec<crate::capacity::GroupSize>,
}

/// An override of a service whose schedules are `existing` (regular ones, held or not, and an
/// end schedule if one exists), with live count `live`. A service without regular schedules
/// (`--force`) has its end schedule modelled on `fallback_model` (group, role, target).
#[allow(clippy::too_many_arguments)]
pub fn plan_set(
    id: &ServiceId,
    existing: &[Schedule],
    fallback_model: Option<&Schedule>,
    live: u32,
    state: Switch,
    count: u32,
    until: Timestamp,
    now: Timestamp,
) -> Option<OverridePlan> {
    let regular: Vec<&Schedule> = existing
        .iter()
        .filter(|s| s.owner().is_some() || s.notify_of().is_some())
        .collect();
    let model = regular
        .iter()
        .copied()
        .find(|s| s.owner().is_some())
        .or(fallback_model)?;
    let released: Vec<Schedule> = regular.iter().map(|s| release(s)).collect();
    let zone = zone_of(&released).unwrap_or(&model.timezone).to_string();
    let before = existing
        .iter()
        .find_map(Override::read)
        .filter(|(_, o)| o.until > now);
    // At the end: what the schedules say then, else the count from before the override.
    let fallback = before.as_ref().map_or(live, |(_, o)| o.then_count);
    let then_count = scheduled_count(&released, until).unwrap_or(fallback);
    let o = Override {
        state,
        count,
        until,
        then_count,
        zone,
    };
    let mut steps = Vec::new();
    for (old, plain) in regular.iter().zip(&released) {
        let mut plain = plain.clone();
        plain.start_date = plain.start_date.filter(|t| *t > now);
        let wanted = hold(&plain, until, now).unwrap_or(plain);
        let action = diff(&wanted, Some(old));
        steps.push((wanted, action));
    }
    let end = o.end_schedule(id, model, in_effect(&released, until, then_count));
    let old_end = existing.iter().find(|s| s.override_of().is_some());
    let action = diff(&end, old_end);
    steps.push((end, action));
    // Autoscaling-aware schedules: the bounds of the state kept, set now.
    let set_bounds = released
        .iter()
        .find(|s| s.owner().is_some_and(|o| o.1.switch == state))
        .and_then(Schedule::bounds);
    Some(OverridePlan {
        steps,
        set_count: (set_bounds.is_none() && live != count).then_some(count),
        set_bounds,
        then_count: Some(then_count),
        set_group_sizes: Vec::new(),
    })
}

/// The cancellation of a service's override: its regular schedules released, its end schedule
/// deleted, and the service set to what the schedules say for now.
pub fn plan_cancel(existing: &[Schedule], live: u32, now: Timestamp) -> OverridePlan {
    let mut steps = Vec::new();
    let mut released = Vec::new();
    for s in existing
        .iter()
        .filter(|s| s.owner().is_some() || s.notify_of().is_some())
    {
        let plain = release(s);
        let mut wanted = plain.clone();
        // A StartDate the hold recorded that has passed is left out (AWS refuses it).
        wanted.start_date = wanted.start_date.filter(|t| *t > now);
        steps.push((wanted.clone(), diff(&wanted, Some(s))));
        released.push(plain);
    }
    let mut had_override = false;
    for s in existing.iter().filter(|s| s.override_of().is_some()) {
        had_override = true;
        steps.push((s.clone(), Action::Delete));
    }
    // What the schedules say now; without any that fired, the count from before the override.
    let before = existing
        .iter()
        .find_map(Override::read)
        .map(|(_, o)| o.then_count);
    let now_count = scheduled_count(&released, now).or(before);
    let set_bounds = in_effect(&released, now, now_count.unwrap_or(live))
        .and_then(Schedule::bounds)
        .filter(|_| had_override);
    OverridePlan {
        steps,
        set_count: now_count.filter(|n| had_override && *n != live && set_bounds.is_none()),
        set_bounds,
        then_count: now_count,
        set_group_sizes: Vec::new(),
    }
}

/// The desiredCount of a service over time as its schedules set it: every fire of every
/// enabled schedule (regular ones within their dates, and at() end schedules) between `from`
/// and `to`, in order, with the count it sets. What AWS would do, replayed.
pub fn timeline(schedules: &[Schedule], from: Timestamp, to: Timestamp) -> Vec<(Timestamp, u32)> {
    levels(schedules, from, to, &|s: &Schedule| s.input.desired_count())
}

/// The fires of the enabled schedules in (`from`, `to`], in time order, each with the value
/// `level` reads from it (schedules it reads none from are left out).
pub fn levels(
    schedules: &[Schedule],
    from: Timestamp,
    to: Timestamp,
    level: &dyn Fn(&Schedule) -> Option<u32>,
) -> Vec<(Timestamp, u32)> {
    let mut out = Vec::new();
    for s in schedules.iter().filter(|s| s.state == Some(State::Enabled)) {
        let (Ok(expr), Ok(zone), Some(value)) = (
            ScheduleExpression::parse(&s.expression),
            Zone::parse(&s.timezone),
            level(s),
        ) else {
            continue;
        };
        // Evaluated only up to `to`: the schedule's EndDate, or `to` when that comes first.
        let mut active = s.active();
        active.end = Some(active.end.map_or(to, |end| end.min(to)));
        let fires = expr
            .next_fires_active(&zone, from, MAX_REPLAYED, &active)
            .fires;
        out.extend(fires.into_iter().map(|f| f.utc).map(|t| (t, value)));
    }
    out.sort();
    out
}

/// The value `level` reads from the last fire at or before `at` (within 35 days), if any fired.
pub fn level_at(
    schedules: &[Schedule],
    at: Timestamp,
    level: &dyn Fn(&Schedule) -> Option<u32>,
) -> Option<u32> {
    let from = at - LOOKBACK - SignedDuration::from_secs(1);
    levels(schedules, from, at, level).last().map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn an_override_of_autoscaling_aware_schedules_keeps_bounds() {
        use crate::schedule::Bounds;
        use crate::spec::tests::{key, request_of, spec};
        let r = request_of(spec("prod", "web"), key("us-east-1"));
        let on = Bounds { min: 2, max: 6 };
        let regular = r.schedules_with(crate::spec::Switching::Bounds(on));
        // Wednesday 2026-11-25 20:00 in Berlin (off since 18:00), on until 23:00.
        let now = t("2026-11-25T19:00:00Z");
        let until = t("2026-11-25T22:00:00Z");
        let planned = plan_set(&r.spec.id, &regular, None, 0, Switch::On, 2, until, now).unwrap();
        assert_eq!(planned.set_bounds, Some(on), "the on bounds, now");
        assert_eq!(planned.set_count, None);
        let (end, _) = planned.steps.last().unwrap();
        assert_eq!(end.override_of(), Some(&r.spec.id));
        // At 23:00 the schedules say off: the end sets the off bounds.
        assert_eq!(end.bounds(), Some(Bounds { min: 0, max: 0 }));
        assert!(crate::schedule::is_register_target(&end.target_arn));
        assert_eq!(Override::read(end).map(|(_, o)| o.then_count), Some(0));
        // Cancelled now: the bounds the schedules give now (off).
        let mut existing: Vec<Schedule> = planned.steps.iter().map(|(s, _)| s.clone()).collect();
        existing.retain(|s| s.owner().is_some() || s.override_of().is_some());
        let cancelled = plan_cancel(&existing, 2, now);
        assert_eq!(cancelled.set_bounds, Some(Bounds { min: 0, max: 0 }));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m"), Ok(SignedDuration::from_mins(30)));
        assert_eq!(parse_duration("1h30m"), Ok(SignedDuration::from_mins(90)));
        assert_eq!(parse_duration("2d"), Ok(SignedDuration::from_hours(48)));
        for bad in ["", "3", "h", "3x", "-3h", "0m", "1h 30m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(duration_text(SignedDuration::from_hours(14 * 24)), "14d");
        assert_eq!(duration_text(SignedDuration::from_mins(90)), "1h30m");
    }

    #[test]
    fn end_times_in_the_service_zone() {
        let seoul = Zone::parse("Asia/Seoul").unwrap();
        let now = t("2026-11-28T12:00:00Z"); // 21:00 in Seoul
        assert_eq!(
            parse_until("2026-11-29T08:00:00Z", &seoul, now),
            Ok(t("2026-11-29T08:00:00Z"))
        );
        assert_eq!(
            parse_until("2026-11-30 09:00", &seoul, now),
            Ok(t("2026-11-30T00:00:00Z"))
        );
        // HH:MM: the next such time, today or tomorrow.
        assert_eq!(
            parse_until("23:00", &seoul, now),
            Ok(t("2026-11-28T14:00:00Z"))
        );
        assert_eq!(
            parse_until("08:00", &seoul, now),
            Ok(t("2026-11-28T23:00:00Z"))
        );
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let e = parse_until("2027-03-28 02:30", &berlin, now).unwrap_err();
        assert!(e.contains("does not exist"), "{e}");
        assert!(parse_until("tomorrow", &seoul, now).is_err());
        // Rounded up to the minute; within the maximum.
        assert_eq!(
            check_until(t("2026-11-28T13:00:30Z"), now, DEFAULT_MAX),
            Ok(t("2026-11-28T13:01:00Z"))
        );
        assert!(check_until(t("2026-11-28T11:00:00Z"), now, DEFAULT_MAX).is_err());
        let far = check_until(t("2026-12-20T00:00:00Z"), now, DEFAULT_MAX).unwrap_err();
        assert!(
            far.contains("more than 14d ahead") && far.contains("--max"),
            "{far}"
        );
    }
}
