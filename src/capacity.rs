//! Capacity-aware on/off for services on EC2 instances: the Auto Scaling group whose instances
//! carry a set of services is scaled in after the last of them is turned off and out before the
//! first is turned on, so that "off" stops the instances' bill too. No I/O.
//!
//! A group's times are the union of its services' windows, each widened by a lead time before
//! it and a drain time after it; a group skips a day only when every service on it skips that
//! day. Whatever those rules give is then checked against the schedules themselves: every
//! instant at which a service's schedules leave it on must fall where the group's schedules
//! leave the group on ([`uncovered`]). A group that is never off gets no schedules.

use crate::calendar::Calendar;
use crate::compile::Times;
use crate::expression::timezone::Zone;
use crate::naming::{Slot, Switch, MAX_SCHEDULE_NAME};
use crate::plan::{Action, Plan, Prune, Step};
use crate::schedule::{Input, Schedule, ServiceId};
use crate::spec::{ClientKey, ServiceRequest};
use crate::window::{Window, DAY_MINUTES, WEEK_MINUTES};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

/// The longest Auto Scaling group name (botocore's model: `XmlStringMaxLen255`).
pub const MAX_ASG_NAME: usize = 255;
/// The lead and drain times when none is given.
pub const DEFAULT_LEAD: SignedDuration = SignedDuration::from_mins(10);
pub const DEFAULT_DRAIN: SignedDuration = SignedDuration::from_mins(10);
/// The longest lead or drain time: 6 hours.
pub const MAX_MARGIN: SignedDuration = SignedDuration::from_mins(360);
/// How far ahead the group's schedules are checked against its services'.
pub const CHECKED_DAYS: i64 = 400;

/// An Auto Scaling group name as AWS takes it: 1 to 255 characters, none a control character
/// (the API's pattern allows only tab, CR and LF among those; ecs-onoff refuses them too).
fn validate_asg(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("Auto Scaling group name is empty".into());
    }
    if name.chars().count() > MAX_ASG_NAME {
        return Err(format!(
            "Auto Scaling group name is {} characters long; at most {MAX_ASG_NAME} are allowed",
            name.chars().count()
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(format!(
            "Auto Scaling group name '{}' contains a control character",
            crate::text::printable(name)
        ));
    }
    if name.starts_with("arn:") {
        return Err(format!(
            "'{}' is an ARN; give the Auto Scaling group's name",
            crate::text::printable(name)
        ));
    }
    Ok(())
}

validated_string!(
    /// The name of an EC2 Auto Scaling group.
    AsgName,
    String,
    validate_asg
);

impl AsgName {
    /// The group's name in an Auto Scaling group ARN
    /// (`...:autoScalingGroup:<id>:autoScalingGroupName/<name>`), if it is one.
    pub fn from_arn(arn: &str) -> Option<AsgName> {
        if !arn.starts_with("arn:") {
            return None;
        }
        arn.split_once(":autoScalingGroupName/")?.1.parse().ok()
    }
}

/// `--lead` and `--drain`: whole minutes from 0 to 6 hours.
pub fn parse_margin(text: &str) -> Result<SignedDuration, String> {
    let d = if text.trim() == "0" {
        SignedDuration::ZERO
    } else {
        crate::overrides::parse_duration(text)?
    };
    if d.as_secs() % 60 != 0 || d > MAX_MARGIN || d.is_negative() {
        return Err(format!(
            "'{text}' is not a lead or drain time: whole minutes, from 0 to 6h"
        ));
    }
    Ok(d)
}

/// Capacity-aware switching asked for a service (`--capacity`, fleet key `capacity = true`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityMode {
    /// The group that carries a service on the EC2 launch type without capacity providers.
    pub asg: Option<AsgName>,
    /// How long before a service's on time its group is scaled out.
    pub lead: SignedDuration,
    /// How long after a service's off time its group is scaled in.
    pub drain: SignedDuration,
    /// Schedule the group although services that ecs-onoff does not switch run on it.
    pub force: bool,
}

impl Default for CapacityMode {
    fn default() -> CapacityMode {
        CapacityMode {
            asg: None,
            lead: DEFAULT_LEAD,
            drain: DEFAULT_DRAIN,
            force: false,
        }
    }
}

/// MinSize, MaxSize and DesiredCapacity of an Auto Scaling group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sizes {
    pub min: u32,
    pub max: u32,
    pub desired: u32,
}

/// An Auto Scaling group as DescribeAutoScalingGroups gives it: its sizes, and whether it keeps
/// instances from being terminated by a scale-in (NewInstancesProtectedFromScaleIn, or an
/// instance protected now).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupRead {
    pub sizes: Sizes,
    pub protected: bool,
}

impl fmt::Display for Sizes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "MinSize {}, MaxSize {}, DesiredCapacity {}",
            self.min, self.max, self.desired
        )
    }
}

/// The UpdateAutoScalingGroup parameters of a capacity schedule: the group, its MinSize, and
/// (unless the capacity provider's managed scaling sets them) its MaxSize and DesiredCapacity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSize {
    pub group: AsgName,
    pub min: u32,
    pub max: Option<u32>,
    pub desired: Option<u32>,
}

/// A capacity schedule's sizes in JSON reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GroupSizeRow {
    pub min: u32,
    pub max: Option<u32>,
    pub desired: Option<u32>,
}

impl From<&GroupSize> for GroupSizeRow {
    fn from(g: &GroupSize) -> GroupSizeRow {
        GroupSizeRow {
            min: g.min,
            max: g.max,
            desired: g.desired,
        }
    }
}

impl GroupSize {
    /// The `Input`: `{"AutoScalingGroupName": G, "MinSize": n, ...}`, the UpdateAutoScalingGroup
    /// request members under their API names.
    pub fn render(&self) -> String {
        let mut value = json!({ "AutoScalingGroupName": self.group, "MinSize": self.min });
        if let Some(max) = self.max {
            value["MaxSize"] = json!(max);
        }
        if let Some(desired) = self.desired {
            value["DesiredCapacity"] = json!(desired);
        }
        value.to_string()
    }

    /// Reads an `Input` ecs-onoff wrote; `None` for anything with other members.
    pub fn parse(text: &str) -> Option<GroupSize> {
        let value: Value = serde_json::from_str(text).ok()?;
        let object = value.as_object()?;
        let known = [
            "AutoScalingGroupName",
            "MinSize",
            "MaxSize",
            "DesiredCapacity",
        ];
        if object.keys().any(|k| !known.contains(&k.as_str())) {
            return None;
        }
        let count = |key: &str| -> Option<Option<u32>> {
            match object.get(key) {
                None => Some(None),
                Some(v) => Some(Some(u32::try_from(v.as_u64()?).ok()?)),
            }
        };
        Some(GroupSize {
            group: object.get("AutoScalingGroupName")?.as_str()?.parse().ok()?,
            min: count("MinSize")??,
            max: count("MaxSize")?,
            desired: count("DesiredCapacity")?,
        })
    }

    /// What it sets, in words.
    pub fn sets(&self) -> String {
        let mut parts = vec![format!("MinSize {}", self.min)];
        if let Some(max) = self.max {
            parts.push(format!("MaxSize {max}"));
        }
        if let Some(desired) = self.desired {
            parts.push(format!("DesiredCapacity {desired}"));
        }
        parts.join(", ")
    }

    /// Whether the group may have instances after it runs: a MinSize or DesiredCapacity above
    /// 0 (with managed scaling, MinSize 0 lets it scale in to 0 once its tasks stop).
    pub fn keeps_instances(&self) -> bool {
        self.min > 0 || self.desired.is_some_and(|d| d > 0)
    }
}

/// What the group is set to at its off times: everything 0 (MaxSize too, so that no scaling
/// policy starts an instance at night); with managed scaling only MinSize 0, which lets the
/// capacity provider scale the group in once its tasks have stopped.
pub fn off_size(group: &AsgName, managed: bool) -> GroupSize {
    GroupSize {
        group: group.clone(),
        min: 0,
        max: (!managed).then_some(0),
        desired: (!managed).then_some(0),
    }
}

/// What the group is set to at its on times: the sizes recorded at apply; with managed scaling
/// only MinSize (the capacity provider sets the rest).
pub fn on_size(group: &AsgName, managed: bool, sizes: Sizes) -> GroupSize {
    GroupSize {
        group: group.clone(),
        min: sizes.min,
        max: (!managed).then_some(sizes.max),
        desired: (!managed).then_some(sizes.desired),
    }
}

/// The daytime sizes to record for a group: its live sizes, unless they are what its off
/// schedule sets (it is night), in which case those its existing on schedule recorded. `Err`
/// when the group is off and nothing records its daytime sizes: they cannot be guessed.
/// The `bool` says the live sizes differ from what the existing on schedule records (drift).
pub fn daytime_sizes(
    group: &AsgName,
    managed: bool,
    live: Sizes,
    recorded: Option<&GroupSize>,
) -> Result<(Sizes, bool), String> {
    let off = off_size(group, managed);
    let at_off = live.min == off.min
        && off.max.is_none_or(|m| m == live.max)
        && off.desired.is_none_or(|d| d == live.desired);
    let recorded_sizes = recorded.map(|r| Sizes {
        min: r.min,
        max: r.max.unwrap_or(live.max),
        desired: r.desired.unwrap_or(live.desired),
    });
    if at_off && !(managed && recorded.is_none()) {
        return recorded_sizes.map(|s| (s, false)).ok_or_else(|| {
            format!(
                "Auto Scaling group {group} is at its off sizes ({live}) and no ecs-onoff \
                 schedule records its daytime sizes: set them (aws autoscaling \
                 update-auto-scaling-group --auto-scaling-group-name {group} --min-size N \
                 --max-size N --desired-capacity N), then apply"
            )
        });
    }
    let drift = recorded.is_some_and(|r| *r != on_size(group, managed, live));
    Ok((live, drift))
}

/// How ECS places a service's tasks, as DescribeServices (and the cluster's default strategy)
/// say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Fargate (launch type or capacity providers): nothing to scale.
    Fargate,
    /// EC2 capacity providers: these, by name.
    Providers(Vec<String>),
    /// The EC2 launch type without capacity providers: the group must be named.
    Ec2LaunchType,
    /// A launch type ecs-onoff does not schedule capacity for (EXTERNAL).
    Other(String),
}

impl Placement {
    /// From a service's launch type and capacity provider strategy; an empty strategy with no
    /// launch type means the cluster's default strategy, given as `default`.
    pub fn of(launch_type: Option<&str>, strategy: &[String], default: &[String]) -> Placement {
        let providers = if !strategy.is_empty() {
            strategy
        } else if launch_type.is_none() {
            default
        } else {
            &[]
        };
        if !providers.is_empty() {
            let ec2: Vec<String> = providers
                .iter()
                .filter(|p| !matches!(p.as_str(), "FARGATE" | "FARGATE_SPOT"))
                .cloned()
                .collect();
            return if ec2.is_empty() {
                Placement::Fargate
            } else {
                Placement::Providers(ec2)
            };
        }
        match launch_type {
            Some("FARGATE") => Placement::Fargate,
            Some("EC2") | None => Placement::Ec2LaunchType,
            Some(other) => Placement::Other(other.to_string()),
        }
    }
}

/// The name of one of a group's capacity schedules: `<group>.capacity-<slot>`; when the group's
/// name has characters a schedule name cannot hold (anything but letters, digits, hyphens and
/// underscores) or is too long, its first characters with those replaced by hyphens and a
/// 64-bit hash of the whole name: `<group'>.<16 hex>.capacity-<slot>`. The last part is never
/// a service's slot, so these names never meet a service's.
pub fn schedule_name(group: &AsgName, slot: Slot) -> String {
    format!("{}{TAIL}{slot}", stem(group))
}

/// The name of the end schedule of a hold of the group for overrides of its services:
/// `<group>.capacity-override` (the same stem as its other schedules).
pub fn override_name(group: &AsgName) -> String {
    format!("{}{TAIL}override", stem(group))
}

/// What follows a group's stem in its schedules' names.
const TAIL: &str = "capacity-";

/// The part of a group's schedule names before `capacity-`: `<group>.`, or shortened with the
/// hash (see [`schedule_name`]).
fn stem(group: &AsgName) -> String {
    // The longest slot, `off99-20261224`, with its dot and the tail.
    let longest = 1 + TAIL.len() + 14;
    let plain = group
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain && group.len() + longest <= MAX_SCHEDULE_NAME {
        return format!("{group}.");
    }
    let cleaned: String = group
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(MAX_SCHEDULE_NAME - longest - 17)
        .collect();
    let hash = crate::naming::fnv1a64(group.as_bytes());
    format!("{cleaned}.{hash:016x}.")
}

/// Whether a name could be a group's capacity schedule or hold end (by its last part).
pub fn is_capacity_name(name: &str) -> bool {
    parse_slot(name).is_some() || name.ends_with(".capacity-override")
}

/// The slot named by the last part of a capacity schedule's name, if it is one.
pub fn parse_slot(name: &str) -> Option<Slot> {
    let last = name.rsplit('.').next()?;
    Slot::parse(last.strip_prefix("capacity-")?)
}

/// The Description of a group's schedule: what it sets and the services it carries (as many
/// as fit in Scheduler's 512 characters; then how many more).
pub fn description(
    group: &AsgName,
    switch: crate::naming::Switch,
    sets: &str,
    services: &[ServiceId],
) -> String {
    let head = format!(
        "Managed by ecs-onoff: turns Auto Scaling group {} {switch} ({sets}) for ECS services ",
        crate::text::printable(group)
    );
    let mut text = head;
    for (i, id) in services.iter().enumerate() {
        let item = format!("{}{id}", if i == 0 { "" } else { ", " });
        let rest = services.len() - i - 1;
        let tail = if rest > 0 {
            format!(" and {rest} more")
        } else {
            String::new()
        };
        if text.len() + item.len() + tail.len() > crate::schedule::MAX_DESCRIPTION {
            let more = format!(" and {} more", services.len() - i);
            if text.len() + more.len() <= crate::schedule::MAX_DESCRIPTION {
                text.push_str(&more);
            }
            break;
        }
        text.push_str(&item);
    }
    text.chars()
        .take(crate::schedule::MAX_DESCRIPTION)
        .collect()
}

/// The services a group schedule's Description names (all of them only when none was left out).
pub fn carried(description: &str) -> (Vec<String>, bool) {
    let Some(list) = description.split(") for ECS services ").nth(1) else {
        return (Vec::new(), false);
    };
    let (list, complete) = match list.split_once(" and ") {
        Some((head, _)) => (head, false),
        None => (list, true),
    };
    (
        list.split(", ")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        complete,
    )
}

/// The services of one group, as planning sees them: what the group's times are made of.
#[derive(Debug, Clone)]
pub struct Member<'a> {
    pub id: &'a ServiceId,
    pub times: &'a Times,
    pub calendar: &'a Calendar,
    pub zone: &'a Zone,
    pub dated: bool,
    pub lead: SignedDuration,
    pub drain: SignedDuration,
}

/// A group's times, from its services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupTimes {
    /// Some service on it is on at every minute of the week (with the margins): never off.
    AlwaysOn,
    /// Its windows and the days it skips.
    Switched { times: Times, calendar: Calendar },
}

/// The group's times: the union of its services' windows, each from `lead` before its start to
/// `drain` after its end, in their one time zone; the skipped days every service shares.
pub fn group_times(group: &AsgName, members: &[Member<'_>]) -> Result<GroupTimes, String> {
    let Some(first) = members.first() else {
        return Err(format!(
            "Auto Scaling group {group} carries no scheduled service"
        ));
    };
    let mut week = vec![false; WEEK_MINUTES as usize];
    for m in members {
        if m.zone.name() != first.zone.name() {
            return Err(format!(
                "Auto Scaling group {group} carries {} (time zone {}) and {} (time zone {}): \
                 capacity-aware schedules need one time zone for the services of a group",
                first.id,
                first.zone.name(),
                m.id,
                m.zone.name()
            ));
        }
        if m.dated {
            return Err(format!(
                "{}: capacity-aware schedules do not take a start or end date (its group {group} \
                 would keep switching after the service stops)",
                m.id
            ));
        }
        let Times::Windows(windows) = m.times else {
            return Err(format!(
                "{}: capacity-aware schedules need windows (DAYS HH:MM-HH:MM), not separate on \
                 and off times: the group's times are made from the windows of its services",
                m.id
            ));
        };
        let (lead, drain) = (m.lead.as_mins() as u32, m.drain.as_mins() as u32);
        for w in windows {
            for (from, to) in w.intervals() {
                let start = from + WEEK_MINUTES - lead;
                for minute in start..to + WEEK_MINUTES + drain {
                    week[(minute % WEEK_MINUTES) as usize] = true;
                }
            }
        }
    }
    if week.iter().all(|on| *on) {
        return Ok(GroupTimes::AlwaysOn);
    }
    let calendar = Calendar {
        rules: first
            .calendar
            .rules
            .iter()
            .filter(|r| {
                members
                    .iter()
                    .all(|m| m.calendar.rules.iter().any(|o| o.dates == r.dates))
            })
            .cloned()
            .collect(),
    };
    Ok(GroupTimes::Switched {
        times: Times::windows(week_windows(&week))
            .map_err(|e| format!("Auto Scaling group {group}: {e}"))?,
        calendar,
    })
}

/// The windows that cover the minutes of the week that are on: each run of on minutes cut at
/// midnights (touching windows switch nothing where they meet).
fn week_windows(week: &[bool]) -> Vec<Window> {
    let n = week.len() as u32;
    // Start at an off minute, so that no run wraps past the scan's end.
    let origin = (0..n)
        .find(|m| !week[*m as usize])
        .expect("not on all week");
    let mut out = Vec::new();
    let mut m = origin + 1;
    while m <= origin + n {
        if !week[(m % n) as usize] {
            m += 1;
            continue;
        }
        let start = m;
        while week[(m % n) as usize] {
            m += 1;
        }
        let mut cut = start;
        while cut < m {
            let day = cut / DAY_MINUTES;
            let end = m.min((day + 1) * DAY_MINUTES);
            let clock = |minute: u32| {
                if minute == DAY_MINUTES {
                    "24:00".to_string()
                } else {
                    format!("{:02}:{:02}", minute / 60, minute % 60)
                }
            };
            let text = format!(
                "{} {}-{}",
                crate::expression::cron::DAY_NAMES[(day % 7) as usize],
                clock(cut % DAY_MINUTES),
                clock(end - day * DAY_MINUTES)
            );
            out.push(text.parse().expect("a window of one day parses"));
            cut = end;
        }
    }
    out
}

/// Whether the group carries instances after each of its schedules' fires.
fn group_level(s: &Schedule) -> Option<u32> {
    match &s.input {
        crate::schedule::Input::GroupSize(g) => Some(u32::from(g.keeps_instances())),
        _ => None,
    }
}

/// The first instant, within [`CHECKED_DAYS`] from `from`, at which a service's schedules leave
/// it on (a count above 0) while the group's schedules leave the group without instances, with
/// the service; `None` when the group is on whenever any of them is. A service's state before
/// its first fire is taken as on, and the group's as `group_start` (sizes set at once) or what
/// its last fire before `from` set.
pub fn uncovered(
    services: &[(ServiceId, Vec<Schedule>)],
    group: &[Schedule],
    group_start: Option<bool>,
    from: Timestamp,
) -> Option<(ServiceId, Timestamp)> {
    let to = from + SignedDuration::from_hours(CHECKED_DAYS * 24);
    let fires = |schedules: &[Schedule], level: &dyn Fn(&Schedule) -> Option<u32>| {
        let before = crate::overrides::level_at(schedules, from, level);
        let changes = crate::overrides::levels(schedules, from, to, level);
        (before, changes)
    };
    let (last, group_changes) = fires(group, &group_level);
    let group_start = group_start.map(u32::from).or(last);
    let group_on_at = |t: Timestamp| -> bool {
        group_changes
            .iter()
            .rev()
            .find(|(at, _)| *at <= t)
            .map_or(group_start.unwrap_or(1), |(_, v)| *v)
            > 0
    };
    for (id, schedules) in services {
        let (start, changes) = fires(schedules, &|s: &Schedule| s.input.desired_count());
        if start.unwrap_or(1) > 0 {
            if !group_on_at(from) {
                return Some((id.clone(), from));
            }
            let until = changes.first().map_or(to, |(t, _)| *t);
            if let Some((g, _)) = group_changes.iter().find(|(g, v)| *g < until && *v == 0) {
                return Some((id.clone(), *g));
            }
        }
        // The service is on over [t, next change) after each change to a count above 0; the
        // group's changes inside such a span are where it could lose its instances.
        for (i, (t, count)) in changes.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let until = changes.get(i + 1).map_or(to, |(next, _)| *next);
            let inside = std::iter::once(*t).chain(
                group_changes
                    .iter()
                    .map(|(g, _)| *g)
                    .filter(|g| *g > *t && *g < until),
            );
            for at in inside {
                if !group_on_at(at) {
                    return Some((id.clone(), at));
                }
            }
        }
    }
    None
}

/// A group held for overrides that keep its services on until `until`: its off schedules held
/// until then (their StartDate moved, as a service's are), and an end schedule at `until` that
/// calls what the group's schedule in effect then calls. `regular` are its schedules, not held.
pub fn hold_group(
    regular: &[Schedule],
    until: Timestamp,
    now: Timestamp,
) -> (Vec<Schedule>, Option<Schedule>) {
    let held = regular
        .iter()
        .map(|s| match s.capacity_owner() {
            Some((_, slot)) if slot.switch == Switch::Off => {
                crate::overrides::hold(s, until, now).unwrap_or_else(|| s.clone())
            }
            _ => s.clone(),
        })
        .collect();
    (
        held,
        crate::overrides::last_fired(regular, until).map(|then| end_schedule(then, until)),
    )
}

/// The end of a group's hold: an `at()` schedule in UTC that deletes itself after it runs and
/// calls what `then` (the group's schedule in effect at `until`) calls.
fn end_schedule(then: &Schedule, until: Timestamp) -> Schedule {
    let Input::GroupSize(size) = &then.input else {
        unreachable!("a group's schedules set its sizes")
    };
    let description = format!(
        "Managed by ecs-onoff: ends the hold of Auto Scaling group {} for an override of its \
         services, then sets {}",
        crate::text::printable(&size.group),
        size.sets()
    )
    .chars()
    .take(crate::schedule::MAX_DESCRIPTION)
    .collect();
    then.one_time(
        override_name(&size.group),
        until,
        description,
        then.target_arn.clone(),
        then.input.clone(),
    )
}

/// When a hold's end schedule runs.
pub fn hold_end(end: &Schedule) -> Option<Timestamp> {
    let text = end.expression.strip_prefix("at(")?.strip_suffix(')')?;
    let at: jiff::civil::DateTime = text.parse().ok()?;
    jiff::tz::TimeZone::UTC.to_timestamp(at).ok()
}

/// The sizes to set at once when a hold starts: the on schedule's, when the group's schedules
/// last turned it off (it is night); `None` when they left it on.
pub fn on_now(regular: &[Schedule], now: Timestamp) -> Option<GroupSize> {
    let last = crate::overrides::last_fired(regular, now)?;
    let Input::GroupSize(size) = &last.input else {
        return None;
    };
    if size.keeps_instances() {
        return None;
    }
    regular
        .iter()
        .filter(|s| {
            s.capacity_owner()
                .is_some_and(|(_, slot)| slot.switch == Switch::On)
        })
        .min_by_key(|s| s.capacity_owner().map(|(_, slot)| slot))
        .and_then(|s| match &s.input {
            Input::GroupSize(g) => Some(g.clone()),
            _ => None,
        })
}

/// The writes that hold the groups carrying `service` while an override keeps it on until
/// `until` (`override --on`): each group whose capacity schedules name the service (or do not
/// list all they carry) is held until `until` plus the default drain time, or until its hold in
/// AWS ends when that is later; and the sizes to set at once for those its schedules left off.
/// `existing` are capacity schedules and hold ends, of any groups, as read.
pub fn plan_hold(
    existing: &[Schedule],
    service: &ServiceId,
    until: Timestamp,
    now: Timestamp,
) -> (Vec<(Schedule, Action)>, Vec<GroupSize>) {
    let mut groups: std::collections::BTreeMap<&AsgName, Vec<&Schedule>> = Default::default();
    for s in existing {
        if let Some((g, _)) = s.capacity_owner() {
            groups.entry(g).or_default().push(s);
        }
    }
    let mut steps = Vec::new();
    let mut sizes = Vec::new();
    for (group, schedules) in groups {
        let carries = schedules.iter().any(|s| {
            let (named, complete) = carried(&s.description);
            named.contains(&service.to_string()) || !complete
        });
        if !carries {
            continue;
        }
        let old_end = existing
            .iter()
            .find(|s| s.capacity_override_of() == Some(group));
        let held = old_end
            .and_then(hold_end)
            .filter(|t| *t > now)
            .map_or(until + DEFAULT_DRAIN, |t| t.max(until + DEFAULT_DRAIN));
        let regular: Vec<Schedule> = schedules
            .iter()
            .map(|s| {
                let mut plain = crate::overrides::release(s);
                plain.start_date = plain.start_date.filter(|t| *t > now);
                plain
            })
            .collect();
        let (wanted, end) = hold_group(&regular, held, now);
        for (old, new) in schedules.iter().zip(wanted) {
            let action = crate::plan::diff(&new, Some(old));
            steps.push((new, action));
        }
        if let Some(end) = end {
            let action = crate::plan::diff(&end, old_end);
            steps.push((end, action));
        }
        sizes.extend(on_now(&regular, now));
    }
    (steps, sizes)
}

/// The services placed on a group that ecs-onoff is not asked to switch: they would lose their
/// instances at night.
pub fn unmanaged<'a>(placed: &'a [ServiceId], managed: &[&ServiceId]) -> Vec<&'a ServiceId> {
    placed.iter().filter(|p| !managed.contains(p)).collect()
}

/// An Auto Scaling group as read: its sizes, whether a capacity provider's managed scaling
/// drives it, and every REPLICA service ECS places on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLive {
    pub key: ClientKey,
    pub group: AsgName,
    pub sizes: Sizes,
    pub managed: bool,
    /// Its instances are protected from scale-in (see [`GroupRead`]) and no capacity
    /// provider's managed termination protection lifts it from idle instances.
    pub protected: bool,
    /// The services on it, requested or not (DAEMON services are left out: they run one task
    /// on each instance and need none of their own).
    pub placed: Vec<ServiceId>,
    /// The requested services with capacity-aware switching that it carries.
    pub members: Vec<ServiceId>,
}

/// The schedules of one group, from its members' requests.
#[derive(Debug, Clone)]
struct GroupRequest<'a> {
    live: &'a GroupLive,
    scheduler_group: String,
    zone: Zone,
    compiled: crate::compile::Compilation,
    role_arn: String,
    state: crate::schedule::State,
    dead_letter_arn: Option<String>,
}

impl GroupRequest<'_> {
    fn schedules(&self, on: Sizes) -> Vec<Schedule> {
        let group = &self.live.group;
        let partition = self.live.key.region.partition();
        self.compiled
            .schedules
            .iter()
            .map(|c| {
                let size = match c.slot.switch {
                    Switch::On => on_size(group, self.live.managed, on),
                    Switch::Off => off_size(group, self.live.managed),
                };
                Schedule {
                    name: schedule_name(group, c.slot),
                    group: self.scheduler_group.clone(),
                    expression: c.expression.to_string(),
                    timezone: self.zone.name().to_string(),
                    state: Some(self.state),
                    description: description(
                        group,
                        c.slot.switch,
                        &size.sets(),
                        &self.live.members,
                    ),
                    flexible_window_off: true,
                    target_arn: crate::arn::update_group_target(partition),
                    role_arn: self.role_arn.clone(),
                    input: Input::GroupSize(size),
                    retry: Some(crate::schedule::RETRY_POLICY),
                    dead_letter_arn: self.dead_letter_arn.clone(),
                    start_date: c.start,
                    unmanaged: Default::default(),
                    created: None,
                    end_date: c.end,
                }
            })
            .collect()
    }
}

/// Why a switched group would keep instances at night: Auto Scaling does not terminate
/// instances protected from scale-in, whatever its sizes ("the Auto Scaling group can't
/// terminate the required number of instances until their instance scale-in protection
/// settings are disabled", EC2 Auto Scaling user guide, instance scale-in protection). A
/// provider's managed termination protection lifts it from instances that run no tasks: such a
/// group is read as not protected.
pub fn protection_warning(live: &GroupLive) -> Option<String> {
    live.protected.then(|| {
        format!(
            "Auto Scaling group {} in {} protects its instances from scale-in: at the off time \
             its sizes go to 0 but the protected instances keep running (and billing). Turn the \
             protection off: aws autoscaling update-auto-scaling-group \
             --auto-scaling-group-name {} --no-new-instances-protected-from-scale-in, and aws \
             autoscaling set-instance-protection --no-protected-from-scale-in for the running \
             instances",
            live.group, live.key, live.group
        )
    })
}

/// A group's sizes to set at once, after the schedule writes (a hold that starts at night).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSizeChange {
    pub key: ClientKey,
    pub size: GroupSize,
    /// Why, in words.
    pub reason: String,
}

/// What planning the groups found that the user must fix: nothing is written.
pub type Problems = Vec<String>;

/// Adds to `plan` the steps that give each group the schedules its members need, checked
/// against the members' schedules as the plan leaves them; deletes the capacity schedules of a
/// group that no longer needs them. `Err` lists every problem (unmanaged services on a group,
/// members that disagree, a group that cannot be off while a member is on).
pub fn plan_groups(
    plan: &mut Plan,
    requests: &[ServiceRequest],
    groups: &[GroupLive],
    existing: &[(ClientKey, Schedule)],
    prune: &Prune,
    now: Timestamp,
) -> Result<(), Problems> {
    let index: HashMap<(&ClientKey, &str, &str), &Schedule> = existing
        .iter()
        .filter(|(_, s)| s.capacity_owner().is_some() || s.capacity_override_of().is_some())
        .map(|(k, s)| ((k, s.group.as_str(), s.name.as_str()), s))
        .collect();
    let mut problems = Problems::new();
    let mut wanted: HashSet<(&ClientKey, String, String)> = HashSet::new();
    let mut planned: HashSet<(&ClientKey, &AsgName)> = HashSet::new();
    for live in groups {
        planned.insert((&live.key, &live.group));
        let members: Vec<&ServiceRequest> = requests
            .iter()
            .filter(|r| r.key == live.key && live.members.contains(&r.spec.id))
            .collect();
        let Some(first) = members.first() else {
            continue;
        };
        let modes: Vec<&CapacityMode> = members
            .iter()
            .filter_map(|r| r.spec.capacity.as_ref())
            .collect();
        let managed_ids: Vec<&ServiceId> = members.iter().map(|r| &r.spec.id).collect();
        let others = unmanaged(&live.placed, &managed_ids);
        if !others.is_empty() && !modes.iter().any(|m| m.force) {
            problems.push(format!(
                "Auto Scaling group {} in {} also carries {}, which ecs-onoff is not asked to \
                 switch: turning the group off would stop {} too. Add {} to the request (a fleet \
                 file with every service of the group: ecs-onoff apply -f FILE), or pass --force \
                 (fleet key force = true) to schedule the group anyway",
                live.group,
                live.key,
                list(&others),
                if others.len() == 1 { "it" } else { "them" },
                if others.len() == 1 { "it" } else { "them" },
            ));
            continue;
        }
        if !others.is_empty() {
            plan.warnings.push(format!(
                "Auto Scaling group {}: --force: {} also run on it and lose their instances while \
                 it is off",
                live.group,
                list(&others)
            ));
        }
        let disagree = |what: &str, f: &dyn Fn(&ServiceRequest) -> String| -> Option<String> {
            let a = f(first);
            members.iter().find(|r| f(r) != a).map(|r| {
                format!(
                    "Auto Scaling group {}: its services {} and {} have different {what} ({} and \
                     {}); the group's schedules take one",
                    live.group,
                    first.spec.id,
                    r.spec.id,
                    a,
                    f(r)
                )
            })
        };
        let role = |r: &ServiceRequest| r.spec.role_arn_text(r.key.region.partition());
        let checks = [
            disagree("schedule groups", &|r| r.spec.group.to_string()),
            disagree("execution roles", &role),
            disagree("states", &|r| r.spec.state.to_string()),
            disagree("dead-letter queues", &|r| {
                r.spec
                    .dead_letter_arn
                    .as_ref()
                    .map_or_else(|| "none".into(), |a| a.to_string())
            }),
        ];
        let found: Vec<String> = checks.into_iter().flatten().collect();
        if !found.is_empty() {
            problems.extend(found);
            continue;
        }
        let member_specs: Vec<Member> = members
            .iter()
            .map(|r| {
                let mode = r.spec.capacity.clone().unwrap_or_default();
                Member {
                    id: &r.spec.id,
                    times: &r.spec.times,
                    calendar: &r.spec.calendar,
                    zone: &r.spec.zone,
                    dated: r.spec.start_date.is_some() || r.spec.end_date.is_some(),
                    lead: mode.lead,
                    drain: mode.drain,
                }
            })
            .collect();
        let times = match group_times(&live.group, &member_specs) {
            Ok(t) => t,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let recorded = existing
            .iter()
            .filter(|(k, _)| *k == live.key)
            .filter_map(|(_, s)| {
                let (g, slot) = s.capacity_owner()?;
                (g == &live.group && slot.switch == Switch::On).then_some((slot, s))
            })
            .min_by_key(|(slot, _)| *slot)
            .and_then(|(_, s)| match &s.input {
                Input::GroupSize(size) => Some(size.clone()),
                _ => None,
            });
        let desired = match &times {
            GroupTimes::AlwaysOn => {
                plan.notes.push(format!(
                    "Auto Scaling group {} in {}: its services, with the lead and drain times, \
                     leave no time when all of them are off: it is not switched",
                    live.group, live.key
                ));
                Vec::new()
            }
            GroupTimes::Switched { times, calendar } => {
                let (sizes, drift) =
                    match daytime_sizes(&live.group, live.managed, live.sizes, recorded.as_ref()) {
                        Ok(s) => s,
                        Err(e) => {
                            problems.push(e);
                            continue;
                        }
                    };
                if let Some(w) = protection_warning(live) {
                    plan.warnings.push(w);
                }
                if drift {
                    plan.warnings.push(format!(
                        "Auto Scaling group {}: its sizes changed since they were recorded (now \
                         {}): the on schedules record the new ones",
                        live.group, live.sizes
                    ));
                }
                if live.managed && sizes.min == 0 {
                    plan.notes.push(format!(
                        "Auto Scaling group {} in {}: the capacity provider's managed scaling \
                         scales it in to 0 once its tasks stop, and its MinSize is 0: it needs \
                         no schedule",
                        live.group, live.key
                    ));
                    Vec::new()
                } else {
                    if live.managed {
                        plan.notes.push(format!(
                            "Auto Scaling group {}: managed scaling sets its capacity; only its \
                             MinSize is switched ({} by day, 0 at night)",
                            live.group, sizes.min
                        ));
                    }
                    match group_schedules(
                        live,
                        first,
                        &member_specs,
                        times,
                        calendar,
                        sizes,
                        requests_schedules(plan, existing, &live.key, &live.members),
                        held_until(live, &members, existing, now),
                        now,
                    ) {
                        Ok(writes) => {
                            plan.notes.extend(writes.note);
                            if let Some(size) = writes.set_now {
                                plan.notes.push(format!(
                                    "Auto Scaling group {}: set to {} at once when applied (an \
                                     override keeps its services on)",
                                    live.group,
                                    size.sets()
                                ));
                                plan.group_sizes.push(GroupSizeChange {
                                    key: live.key.clone(),
                                    size,
                                    reason: "an override keeps its services on".into(),
                                });
                            }
                            writes.schedules
                        }
                        Err(e) => {
                            problems.push(e);
                            continue;
                        }
                    }
                }
            }
        };
        for schedule in desired {
            // Held already where a hold applies (see `group_schedules`).
            let step = crate::plan::desired_step(&live.key, schedule, &index, None, now);
            wanted.insert((
                &live.key,
                step.schedule.group.clone(),
                step.schedule.name.clone(),
            ));
            plan.steps.push(step);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // Capacity schedules no request wants: those of a planned group (a segment that ended, a
    // group that needs none now), and with --prune those of any group in the requests' groups.
    let request_groups: HashSet<(&ClientKey, &str)> = requests
        .iter()
        .map(|r| (&r.key, r.spec.group.as_str()))
        .collect();
    let requested: HashSet<(&ClientKey, &ServiceId)> =
        requests.iter().map(|r| (&r.key, &r.spec.id)).collect();
    for (key, s) in existing {
        let Some(group) = s.capacity_owner().map(|o| o.0).or(s.capacity_override_of()) else {
            continue;
        };
        if wanted.contains(&(key, s.group.clone(), s.name.clone())) {
            continue;
        }
        let (carried, complete) = carried(&s.description);
        let dropped = match prune {
            Prune::Nothing => false,
            Prune::Groups => request_groups.contains(&(key, s.group.as_str())),
            Prune::Services(slots) => slots.iter().any(|slot| {
                slot.key == *key
                    && slot.group.as_str() == s.group
                    && (!complete || carried.contains(&slot.id.to_string()))
            }),
        };
        // Every service it was written for is asked for now, without capacity-aware switching.
        let replaced = complete
            && !carried.is_empty()
            && carried.iter().all(|c| {
                requested
                    .iter()
                    .any(|(k, id)| *k == key && id.to_string() == *c)
            });
        if planned.contains(&(key, group)) || dropped || replaced {
            plan.steps.push(Step {
                key: key.clone(),
                schedule: s.clone(),
                action: Action::Delete,
            });
        }
    }
    // A group whose capacity schedules all go is left on: when its schedules last turned it
    // off, its on sizes are set at once (a service still scheduled on it, or one left as it
    // is, keeps its instances).
    let deleted: BTreeSet<(ClientKey, AsgName)> = plan
        .steps
        .iter()
        .filter(|s| s.action == Action::Delete)
        .filter_map(|s| {
            s.schedule
                .capacity_owner()
                .map(|(g, _)| (s.key.clone(), g.clone()))
        })
        .collect();
    for (key, group) in deleted {
        let kept = plan.steps.iter().any(|s| {
            s.action != Action::Delete
                && s.key == key
                && s.schedule
                    .capacity_owner()
                    .is_some_and(|(g, _)| *g == group)
        });
        if kept {
            continue;
        }
        let regular: Vec<Schedule> = existing
            .iter()
            .filter(|(k, s)| *k == key && s.capacity_owner().is_some_and(|(g, _)| *g == group))
            .map(|(_, s)| crate::overrides::release(s))
            .collect();
        match on_now(&regular, now) {
            Some(size) => {
                plan.warnings.push(format!(
                    "Auto Scaling group {group} in {key}: its capacity schedules are deleted while \
                     they leave it off: it is set to {} at once, and stays so",
                    size.sets()
                ));
                plan.group_sizes.push(GroupSizeChange {
                    key: key.clone(),
                    size,
                    reason: "its capacity schedules are deleted".into(),
                });
            }
            None => plan.warnings.push(format!(
                "Auto Scaling group {group} in {key}: its capacity schedules are deleted; it \
                 keeps the sizes it has and is no longer switched"
            )),
        }
    }
    Ok(())
}

/// Until when a group is held on: the latest end, plus its service's drain time, of an
/// override that keeps one of its services on (asked for in the request, else in AWS), or the
/// end of the group's hold in AWS when that is later; `None` without such an override.
fn held_until(
    live: &GroupLive,
    members: &[&ServiceRequest],
    existing: &[(ClientKey, Schedule)],
    now: Timestamp,
) -> Option<Timestamp> {
    let ours = existing.iter().filter(|(k, _)| *k == live.key);
    let kept_on = members
        .iter()
        .filter_map(|r| {
            let asked = r.spec.override_.as_ref().filter(|o| o.until > now);
            let until = match asked {
                Some(o) => (o.state == Switch::On).then_some(o.until),
                None => ours.clone().find_map(|(_, s)| {
                    let (id, o) = crate::overrides::Override::read(s)?;
                    (id == r.spec.id
                        && s.group == r.spec.group.as_str()
                        && o.until > now
                        && o.state == Switch::On)
                        .then_some(o.until)
                }),
            }?;
            Some(until + r.spec.capacity.clone().unwrap_or_default().drain)
        })
        .max()?;
    let end = ours
        .filter(|(_, s)| s.capacity_override_of() == Some(&live.group))
        .filter_map(|(_, s)| hold_end(s))
        .filter(|t| *t > now)
        .max();
    Some(end.map_or(kept_on, |e| e.max(kept_on)))
}

/// Warnings for capacity schedules whose execution role, as read, does not allow
/// UpdateAutoScalingGroup on their group: they would fail at every fire.
pub fn role_warnings(
    plan: &Plan,
    roles: &HashMap<(ClientKey, String), crate::iam::RoleRead>,
) -> Vec<String> {
    let mut out = BTreeSet::new();
    for step in plan.steps.iter().filter(|s| s.action != Action::Delete) {
        let s = &step.schedule;
        let Some(group) = s.capacity_owner().map(|o| o.0).or(s.capacity_override_of()) else {
            continue;
        };
        let Some(crate::iam::RoleRead::Read(docs)) =
            roles.get(&(step.key.clone(), s.role_arn.clone()))
        else {
            continue;
        };
        let account = crate::arn::account_of(&s.role_arn).unwrap_or_default();
        let resource = crate::iam::group_arn(&step.key.region, account, group);
        let action = "autoscaling:UpdateAutoScalingGroup";
        if crate::iam::policies_allow(&docs.policies, action, &resource)
            == crate::iam::Verdict::Missing
        {
            out.insert(format!(
                "execution role {} does not allow {action} on Auto Scaling group {group}: its \
                 capacity schedules would fail at every fire (ecs-onoff iam execution-policy \
                 --asg {group} prints what they need)",
                s.role_arn
            ));
        }
    }
    out.into_iter().collect()
}

/// The regular schedules of these services as the plan leaves them (created, updated or kept).
fn requests_schedules(
    plan: &Plan,
    existing: &[(ClientKey, Schedule)],
    key: &ClientKey,
    ids: &[ServiceId],
) -> Vec<(ServiceId, Vec<Schedule>)> {
    ids.iter()
        .map(|id| {
            let mut schedules: Vec<Schedule> = plan
                .steps
                .iter()
                .filter(|s| s.key == *key && s.action != Action::Delete)
                .filter(|s| {
                    s.schedule.owner().is_some_and(|(o, _)| o == id)
                        || s.schedule.override_of() == Some(id)
                })
                .map(|s| s.schedule.clone())
                .collect();
            // An override's end in AWS that the plan leaves as it is (no step).
            let planned_end = schedules.iter().any(|s| s.override_of().is_some());
            let deleted = |s: &Schedule| {
                plan.steps.iter().any(|step| {
                    step.key == *key
                        && step.action == Action::Delete
                        && step.schedule.group == s.group
                        && step.schedule.name == s.name
                })
            };
            if !planned_end {
                schedules.extend(
                    existing
                        .iter()
                        .filter(|(k, s)| k == key && s.override_of() == Some(id) && !deleted(s))
                        .map(|(_, s)| s.clone()),
                );
            }
            (id.clone(), schedules)
        })
        .collect()
}

/// What a group is given: its schedules (held, with the hold's end, while overrides keep its
/// services on), the sizes to set at once, and a note.
struct GroupWrites {
    schedules: Vec<Schedule>,
    set_now: Option<GroupSize>,
    note: Option<String>,
}

/// The group's schedules, held until `held` when overrides keep its services on, checked
/// against its services': with the skipped days its services share when that leaves every
/// service covered, else without skipped days (and a note).
#[allow(clippy::too_many_arguments)]
fn group_schedules(
    live: &GroupLive,
    first: &ServiceRequest,
    members: &[Member<'_>],
    times: &Times,
    calendar: &Calendar,
    sizes: Sizes,
    services: Vec<(ServiceId, Vec<Schedule>)>,
    held: Option<Timestamp>,
    now: Timestamp,
) -> Result<GroupWrites, String> {
    let role_arn = first.spec.role_arn_text(first.key.region.partition());
    let build = |calendar: &Calendar| -> Result<GroupWrites, String> {
        let compiled = crate::compile::compile(times, calendar, members[0].zone, None, None, now)
            .map_err(|e| format!("Auto Scaling group {}: {e}", live.group))?;
        let regular = GroupRequest {
            live,
            scheduler_group: first.spec.group.to_string(),
            zone: members[0].zone.clone(),
            compiled,
            role_arn: role_arn.clone(),
            state: first.spec.state,
            dead_letter_arn: first.spec.dead_letter_arn.as_ref().map(ToString::to_string),
        }
        .schedules(sizes);
        let Some(until) = held else {
            return Ok(GroupWrites {
                schedules: regular,
                set_now: None,
                note: None,
            });
        };
        let (mut schedules, end) = hold_group(&regular, until, now);
        schedules.extend(end);
        Ok(GroupWrites {
            schedules,
            set_now: on_now(&regular, now),
            note: Some(format!(
                "Auto Scaling group {}: held on until {until} for an override of its services",
                live.group
            )),
        })
    };
    let covered = |w: &GroupWrites| {
        uncovered(
            &services,
            &w.schedules,
            w.set_now.as_ref().map(|_| true),
            now,
        )
    };
    let writes = build(calendar)?;
    let Some((id, at)) = covered(&writes) else {
        return Ok(writes);
    };
    if !calendar.is_empty() {
        let mut plain = build(&Calendar::default())?;
        if covered(&plain).is_none() {
            plain.note = Some(format!(
                "Auto Scaling group {}: it does not skip its services' shared days off: with \
                 the lead time, one of its services would be turned on on such a day before \
                 the group",
                live.group
            ));
            return Ok(plain);
        }
    }
    Err(format!(
        "Auto Scaling group {}: its schedules would leave {id} without instances at {at}; \
         capacity-aware schedules cannot be made for these services",
        live.group
    ))
}

fn list(ids: &[&ServiceId]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_skip;
    use crate::spec::tests::{key, request_of, spec};

    fn asg(name: &str) -> AsgName {
        name.parse().unwrap()
    }

    fn windows(texts: &[&str]) -> Times {
        Times::windows(texts.iter().map(|t| t.parse().unwrap()).collect()).unwrap()
    }

    fn berlin() -> Zone {
        Zone::parse("Europe/Berlin").unwrap()
    }

    fn member<'a>(
        id: &'a ServiceId,
        times: &'a Times,
        calendar: &'a Calendar,
        zone: &'a Zone,
    ) -> Member<'a> {
        Member {
            id,
            times,
            calendar,
            zone,
            dated: false,
            lead: DEFAULT_LEAD,
            drain: DEFAULT_DRAIN,
        }
    }

    fn id(service: &str) -> ServiceId {
        ServiceId {
            cluster: "prod".parse().unwrap(),
            service: service.parse().unwrap(),
        }
    }

    fn exprs(t: &GroupTimes) -> (Vec<String>, Vec<String>) {
        let GroupTimes::Switched { times, .. } = t else {
            panic!("not switched: {t:?}")
        };
        let (on, off) = times.expressions();
        (
            on.iter().map(ToString::to_string).collect(),
            off.iter().map(ToString::to_string).collect(),
        )
    }

    /// The group times of two services in Berlin without skipped days.
    fn pair(first: &str, second: &str) -> GroupTimes {
        let (a, b) = (id("a"), id("b"));
        let (ta, tb) = (windows(&[first]), windows(&[second]));
        let (cal, zone) = (Calendar::default(), berlin());
        group_times(
            &asg("g"),
            &[member(&a, &ta, &cal, &zone), member(&b, &tb, &cal, &zone)],
        )
        .unwrap()
    }

    fn crons(on: &str, off: &str) -> (Vec<String>, Vec<String>) {
        (vec![on.to_string()], vec![off.to_string()])
    }

    #[test]
    fn a_group_is_on_from_the_first_on_less_lead_to_the_last_off_plus_drain() {
        let t = pair("MON-FRI 08:00-19:00", "MON-FRI 10:00-22:00");
        assert_eq!(
            exprs(&t),
            crons("cron(50 7 ? * MON-FRI *)", "cron(10 22 ? * MON-FRI *)")
        );
    }

    #[test]
    fn windows_that_meet_across_midnight_make_one_run() {
        let t = pair("MON-FRI 08:00-19:00", "MON-FRI 18:00-02:00");
        // On at 07:50 each weekday, off at 02:10 the next morning: no switch at midnight.
        assert_eq!(
            exprs(&t),
            crons("cron(50 7 ? * MON-FRI *)", "cron(10 2 ? * TUE-SAT *)")
        );
    }

    #[test]
    fn a_run_longer_than_a_day_switches_only_at_its_ends() {
        // Weekdays 08:00-19:00 and a night batch 18:00-09:00: on Monday 07:50, off Saturday 09:10.
        let t = pair("MON-FRI 08:00-19:00", "MON-FRI 18:00-09:00");
        assert_eq!(
            exprs(&t),
            crons("cron(50 7 ? * MON *)", "cron(10 9 ? * SAT *)")
        );
    }

    #[test]
    fn services_on_all_week_leave_the_group_on() {
        let t = pair("MON-SUN 06:00-22:00", "MON-SUN 21:55-06:05");
        assert_eq!(t, GroupTimes::AlwaysOn);
    }

    #[test]
    fn what_a_group_cannot_be_made_from_is_refused() {
        let (a, b) = (id("web"), id("api"));
        let ta = windows(&["MON-FRI 08:00-19:00"]);
        let cal = Calendar::default();
        let (zone, other) = (berlin(), Zone::parse("America/New_York").unwrap());
        let e = group_times(
            &asg("g"),
            &[member(&a, &ta, &cal, &zone), member(&b, &ta, &cal, &other)],
        )
        .unwrap_err();
        assert!(
            e.contains("one time zone") && e.contains("America/New_York"),
            "{e}"
        );
        let switches = Times::switches(
            Some(crate::expression::ScheduleExpression::parse("cron(0 9 ? * MON-FRI *)").unwrap()),
            None,
        )
        .unwrap();
        let e = group_times(&asg("g"), &[member(&a, &switches, &cal, &zone)]).unwrap_err();
        assert!(e.contains("need windows"), "{e}");
        let mut dated = member(&a, &ta, &cal, &zone);
        dated.dated = true;
        let e = group_times(&asg("g"), &[dated]).unwrap_err();
        assert!(e.contains("start or end date"), "{e}");
    }

    #[test]
    fn a_group_skips_only_the_days_every_service_skips() {
        let (a, b) = (id("web"), id("api"));
        let t = windows(&["MON-FRI 08:00-19:00"]);
        let christmas = parse_skip("*-12-25", "x").unwrap();
        let new_year = parse_skip("*-01-01", "x").unwrap();
        let both = Calendar {
            rules: vec![christmas.clone(), new_year.clone()],
        };
        let one = Calendar {
            rules: vec![new_year.clone()],
        };
        let zone = berlin();
        let GroupTimes::Switched { calendar, .. } = group_times(
            &asg("g"),
            &[member(&a, &t, &both, &zone), member(&b, &t, &one, &zone)],
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(calendar.rules, vec![new_year]);
    }

    #[test]
    fn names_are_valid_unique_and_never_a_services() {
        let slot = Slot::plain(Switch::On);
        assert_eq!(
            schedule_name(&asg("prod-ecs"), slot),
            "prod-ecs.capacity-on"
        );
        let odd = schedule_name(&asg("prod ecs/nodes"), slot);
        let odd2 = schedule_name(&asg("prod ecs:nodes"), slot);
        assert_ne!(odd, odd2);
        let long = "n".repeat(255);
        for name in [
            odd.clone(),
            schedule_name(
                &asg(&long),
                Slot {
                    switch: Switch::Off,
                    index: 99,
                    until: Some(jiff::civil::date(2026, 12, 24)),
                },
            ),
        ] {
            assert!(name.len() <= MAX_SCHEDULE_NAME, "{name}");
            crate::naming::validate_schedule_name(&name).unwrap();
            assert_eq!(
                crate::naming::parse_schedule_name(&name).and_then(|p| p.slot()),
                None,
                "{name}"
            );
        }
        assert_eq!(parse_slot(&odd), Some(slot));
        assert_eq!(parse_slot("prod.web.on"), None);
    }

    #[test]
    fn inputs_read_back_and_say_what_they_set() {
        let on = on_size(
            &asg("g"),
            false,
            Sizes {
                min: 2,
                max: 6,
                desired: 3,
            },
        );
        assert_eq!(
            serde_json::from_str::<Value>(&on.render()).unwrap(),
            json!({"AutoScalingGroupName": "g", "MinSize": 2, "MaxSize": 6, "DesiredCapacity": 3})
        );
        assert_eq!(Input::parse(&on.render()), Input::GroupSize(on.clone()));
        let managed_off = off_size(&asg("g"), true);
        assert_eq!(
            managed_off.render(),
            r#"{"AutoScalingGroupName":"g","MinSize":0}"#
        );
        assert!(!managed_off.keeps_instances() && on.keeps_instances());
        assert_eq!(
            GroupSize::parse(r#"{"AutoScalingGroupName":"g","MinSize":0,"HonorCooldown":true}"#),
            None
        );
        assert_eq!(AsgName::from_arn("arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:0e1f-22:autoScalingGroupName/prod nodes"), Some(asg("prod nodes")));
        assert!("arn:aws:autoscaling:x".parse::<AsgName>().is_err());
        assert!("".parse::<AsgName>().is_err());
        assert!("a\tb".parse::<AsgName>().is_err());
    }

    #[test]
    fn daytime_sizes_are_the_live_ones_by_day_and_the_recorded_ones_at_night() {
        let g = asg("g");
        let day = Sizes {
            min: 2,
            max: 6,
            desired: 3,
        };
        let night = Sizes {
            min: 0,
            max: 0,
            desired: 0,
        };
        let recorded = on_size(&g, false, day);
        assert_eq!(daytime_sizes(&g, false, day, None), Ok((day, false)));
        assert_eq!(
            daytime_sizes(&g, false, day, Some(&recorded)),
            Ok((day, false))
        );
        assert_eq!(
            daytime_sizes(&g, false, night, Some(&recorded)),
            Ok((day, false))
        );
        let moved = Sizes {
            min: 1,
            max: 4,
            desired: 1,
        };
        assert_eq!(
            daytime_sizes(&g, false, moved, Some(&recorded)),
            Ok((moved, true))
        );
        let e = daytime_sizes(&g, false, night, None).unwrap_err();
        assert!(e.contains("no ecs-onoff schedule records"), "{e}");
        // Managed scaling: only MinSize counts; MinSize 0 with nothing recorded needs nothing.
        let managed_night = Sizes {
            min: 0,
            max: 10,
            desired: 0,
        };
        assert_eq!(
            daytime_sizes(&g, true, managed_night, None),
            Ok((managed_night, false))
        );
        let m = on_size(&g, true, day);
        assert_eq!(
            daytime_sizes(&g, true, managed_night, Some(&m))
                .unwrap()
                .0
                .min,
            2
        );
    }

    #[test]
    fn placement_follows_the_strategy_then_the_cluster_default() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            Placement::of(Some("FARGATE"), &[], &s(&["cp"])),
            Placement::Fargate
        );
        assert_eq!(
            Placement::of(Some("EC2"), &[], &s(&["cp"])),
            Placement::Ec2LaunchType
        );
        assert_eq!(
            Placement::of(None, &[], &s(&["cp", "FARGATE"])),
            Placement::Providers(s(&["cp"]))
        );
        assert_eq!(
            Placement::of(None, &s(&["FARGATE_SPOT"]), &s(&["cp"])),
            Placement::Fargate
        );
        assert_eq!(
            Placement::of(None, &s(&["a", "b"]), &[]),
            Placement::Providers(s(&["a", "b"]))
        );
        assert_eq!(
            Placement::of(Some("EXTERNAL"), &[], &[]),
            Placement::Other("EXTERNAL".into())
        );
    }

    #[test]
    fn descriptions_name_the_services_carried() {
        let ids = vec![id("web"), id("api")];
        let d = description(&asg("g"), Switch::Off, "MinSize 0", &ids);
        assert_eq!(
            carried(&d),
            (vec!["prod/web".to_string(), "prod/api".to_string()], true)
        );
        let many: Vec<ServiceId> = (0..40)
            .map(|i| id(&format!("service-number-{i}")))
            .collect();
        let d = description(&asg("g"), Switch::Off, "MinSize 0", &many);
        assert!(d.len() <= crate::schedule::MAX_DESCRIPTION);
        let (named, complete) = carried(&d);
        assert!(!complete && !named.is_empty() && named.len() < 40, "{d}");
    }

    /// A service with windows, as a request of the test client.
    fn windowed(service: &str, window: &[&str]) -> ServiceRequest {
        let mut s = spec("prod", service);
        s.times = windows(window);
        s.capacity = Some(CapacityMode::default());
        request_of(s, key("eu-west-1"))
    }

    fn live(members: &[&ServiceRequest]) -> GroupLive {
        GroupLive {
            key: key("eu-west-1"),
            group: asg("nodes"),
            sizes: Sizes {
                min: 2,
                max: 6,
                desired: 2,
            },
            managed: false,
            protected: false,
            placed: members.iter().map(|r| r.spec.id.clone()).collect(),
            members: members.iter().map(|r| r.spec.id.clone()).collect(),
        }
    }

    fn now() -> Timestamp {
        "2026-11-25T12:00:00Z".parse().unwrap()
    }

    fn group_of(plan: &Plan) -> Vec<Schedule> {
        plan.steps
            .iter()
            .map(|s| s.schedule.clone())
            .filter(|s| s.capacity_owner().is_some())
            .collect()
    }

    fn planned(requests: &[ServiceRequest], groups: &[GroupLive]) -> Result<Plan, Problems> {
        let observed = crate::plan::Observed::default();
        let mut plan = crate::plan::plan(requests, &observed, &Prune::Nothing, now());
        plan_groups(&mut plan, requests, groups, &[], &Prune::Nothing, now())?;
        Ok(plan)
    }

    #[test]
    fn two_services_get_one_group_pair_that_covers_both() {
        let (a, b) = (
            windowed("web", &["MON-FRI 08:00-19:00"]),
            windowed("api", &["MON-FRI 09:00-21:00"]),
        );
        let groups = [live(&[&a, &b])];
        let plan = planned(&[a.clone(), b.clone()], &groups).unwrap();
        let group = group_of(&plan);
        assert_eq!(group.len(), 2);
        assert_eq!(group[0].name, "nodes.capacity-on");
        assert_eq!(group[0].expression, "cron(50 7 ? * MON-FRI *)");
        assert_eq!(group[1].expression, "cron(10 21 ? * MON-FRI *)");
        assert_eq!(group[0].timezone, "Europe/Berlin");
        assert_eq!(
            group[0].target_arn,
            "arn:aws:scheduler:::aws-sdk:autoscaling:updateAutoScalingGroup"
        );
        assert_eq!(
            group[0].input,
            Input::GroupSize(on_size(
                &asg("nodes"),
                false,
                Sizes {
                    min: 2,
                    max: 6,
                    desired: 2
                }
            ))
        );
        assert_eq!(
            group[1].input,
            Input::GroupSize(off_size(&asg("nodes"), false))
        );
        assert_eq!(
            carried(&group[0].description).0,
            vec!["prod/web", "prod/api"]
        );
        // What the plan writes, replayed: never a service on while the group is off.
        let services: Vec<(ServiceId, Vec<Schedule>)> = [&a, &b]
            .iter()
            .map(|r| (r.spec.id.clone(), r.schedules(2)))
            .collect();
        assert_eq!(uncovered(&services, &group, None, now()), None);
    }

    #[test]
    fn the_replay_check_finds_a_group_that_goes_off_too_early() {
        let a = windowed("web", &["MON-FRI 08:00-19:00"]);
        let plan = planned(std::slice::from_ref(&a), &[live(&[&a])]).unwrap();
        let mut group = group_of(&plan);
        let services = vec![(a.spec.id.clone(), a.schedules(2))];
        assert_eq!(uncovered(&services, &group, None, now()), None);
        // Off an hour before the service: found, on the first weekday at 18:10 Berlin time.
        group[1].expression = "cron(10 18 ? * MON-FRI *)".into();
        let (who, at) = uncovered(&services, &group, None, now()).unwrap();
        assert_eq!(
            (who, at.to_string()),
            (a.spec.id.clone(), "2026-11-25T17:10:00Z".to_string())
        );
        // On after the service: found at the service's on time.
        group[1].expression = "cron(10 19 ? * MON-FRI *)".into();
        group[0].expression = "cron(5 8 ? * MON-FRI *)".into();
        let (_, at) = uncovered(&services, &group, None, now()).unwrap();
        assert_eq!(at.to_string(), "2026-11-26T07:00:00Z");
    }

    #[test]
    fn a_lead_across_midnight_on_a_skipped_day_drops_the_groups_skipped_days() {
        // On at 00:05 with a 10-minute lead: the group turns on at 23:55 the day before. Both
        // skip 2026-12-24: the group's 23:55 on the 24th would be skipped, leaving the service's
        // 00:05 on the 25th without instances, so the group keeps no skipped days.
        let mut a = windowed("web", &["MON-SUN 00:05-06:00"]);
        a.spec.calendar = Calendar {
            rules: vec![parse_skip("2026-12-24", "x").unwrap()],
        };
        a.compiled = a.spec.compile(now()).unwrap();
        let plan = planned(std::slice::from_ref(&a), &[live(&[&a])]).unwrap();
        assert!(
            plan.notes.iter().any(|n| n.contains("does not skip")),
            "{:?}",
            plan.notes
        );
        let group = group_of(&plan);
        assert!(group
            .iter()
            .all(|s| s.start_date.is_none() && s.end_date.is_none()));
    }

    #[test]
    fn a_shared_holiday_is_skipped_by_the_group_too() {
        let mut a = windowed("web", &["MON-FRI 08:00-19:00"]);
        a.spec.calendar = Calendar {
            rules: vec![parse_skip("2026-12-24", "x").unwrap()],
        };
        a.compiled = a.spec.compile(now()).unwrap();
        let plan = planned(std::slice::from_ref(&a), &[live(&[&a])]).unwrap();
        let group = group_of(&plan);
        // Segments like the service's: one on schedule ends before the 24th.
        assert!(
            group
                .iter()
                .any(|s| s.name.starts_with("nodes.capacity-on-2026")),
            "{:?}",
            group.iter().map(|s| &s.name).collect::<Vec<_>>()
        );
    }

    #[test]
    fn an_unmanaged_service_on_the_group_blocks_unless_forced() {
        let a = windowed("web", &["MON-FRI 08:00-19:00"]);
        let mut g = live(&[&a]);
        g.placed.push(id("legacy"));
        let e = planned(std::slice::from_ref(&a), std::slice::from_ref(&g)).unwrap_err();
        assert!(
            e[0].contains("prod/legacy") && e[0].contains("--force"),
            "{e:?}"
        );
        let mut forced = a.clone();
        forced.spec.capacity.as_mut().unwrap().force = true;
        let plan = planned(std::slice::from_ref(&forced), &[g]).unwrap();
        assert!(plan.warnings.iter().any(|w| w.contains("prod/legacy")));
    }

    #[test]
    fn managed_scaling_with_min_zero_needs_no_schedule_and_else_only_min_size() {
        let a = windowed("web", &["MON-FRI 08:00-19:00"]);
        let mut g = live(&[&a]);
        g.managed = true;
        g.sizes = Sizes {
            min: 0,
            max: 10,
            desired: 1,
        };
        let plan = planned(std::slice::from_ref(&a), std::slice::from_ref(&g)).unwrap();
        assert!(plan
            .steps
            .iter()
            .all(|s| s.schedule.capacity_owner().is_none()));
        assert!(plan.notes.iter().any(|n| n.contains("needs no schedule")));
        g.sizes.min = 1;
        let plan = planned(std::slice::from_ref(&a), &[g]).unwrap();
        let inputs: Vec<String> = plan
            .steps
            .iter()
            .filter(|s| s.schedule.capacity_owner().is_some())
            .map(|s| s.schedule.input.render())
            .collect();
        assert_eq!(
            inputs,
            vec![
                r#"{"AutoScalingGroupName":"nodes","MinSize":1}"#,
                r#"{"AutoScalingGroupName":"nodes","MinSize":0}"#
            ]
        );
    }

    #[test]
    fn at_night_the_recorded_sizes_are_kept_and_drift_is_shown() {
        let a = windowed("web", &["MON-FRI 08:00-19:00"]);
        let g = live(&[&a]);
        let first = planned(std::slice::from_ref(&a), std::slice::from_ref(&g)).unwrap();
        let existing: Vec<(ClientKey, Schedule)> = first
            .steps
            .iter()
            .map(|s| (s.key.clone(), s.schedule.clone()))
            .collect();
        let again = |sizes: Sizes| {
            let mut g = g.clone();
            g.sizes = sizes;
            let observed = crate::plan::Observed {
                existing: existing.clone(),
                ..Default::default()
            };
            let mut plan =
                crate::plan::plan(std::slice::from_ref(&a), &observed, &Prune::Nothing, now());
            plan_groups(
                &mut plan,
                std::slice::from_ref(&a),
                &[g],
                &existing,
                &Prune::Nothing,
                now(),
            )
            .unwrap();
            plan
        };
        let night = again(Sizes {
            min: 0,
            max: 0,
            desired: 0,
        });
        assert_eq!(night.tally().changes(), 0, "{:?}", night.steps);
        let drifted = again(Sizes {
            min: 3,
            max: 8,
            desired: 3,
        });
        assert_eq!(drifted.tally().update, 1);
        assert!(drifted.warnings.iter().any(|w| w.contains("sizes changed")));
    }

    #[test]
    fn instances_protected_from_scale_in_are_warned_about() {
        let a = windowed("web", &["MON-FRI 08:00-19:00"]);
        let mut g = live(&[&a]);
        assert_eq!(protection_warning(&g), None);
        g.protected = true;
        let w = protection_warning(&g).unwrap();
        assert!(w.contains("nodes") && w.contains("keep running"), "{w}");
        assert!(
            w.contains("--no-new-instances-protected-from-scale-in"),
            "{w}"
        );
        let plan = planned(std::slice::from_ref(&a), std::slice::from_ref(&g)).unwrap();
        assert!(plan.warnings.contains(&w), "{:?}", plan.warnings);
        // Managed scaling alone does not lift it.
        g.managed = true;
        assert!(protection_warning(&g).is_some());
    }

    #[test]
    fn members_that_disagree_on_the_group_settings_are_refused() {
        let a = windowed("web", &["MON-FRI 08:00-19:00"]);
        let mut b = windowed("api", &["MON-FRI 08:00-19:00"]);
        b.spec.group = "other".parse().unwrap();
        let e = planned(&[a.clone(), b.clone()], &[live(&[&a, &b])]).unwrap_err();
        assert!(e[0].contains("different schedule groups"), "{e:?}");
    }

    #[test]
    fn an_override_that_keeps_a_service_on_holds_its_group_too() {
        // Wednesday 2026-11-25 15:00 Berlin (14:00Z): web (08:00-19:00) is on, kept on until
        // 23:00 Berlin (22:00Z): the group's off at 19:10 waits until 23:10.
        let night: Timestamp = "2026-11-25T14:00:00Z".parse().unwrap();
        let until: Timestamp = "2026-11-25T22:00:00Z".parse().unwrap();
        let mut a = windowed("web", &["MON-FRI 08:00-19:00"]);
        a.spec.override_ = Some(crate::overrides::OverrideRequest {
            state: Switch::On,
            count: None,
            until,
        });
        let g = live(&[&a]);
        let observed = crate::plan::Observed::default();
        let mut plan =
            crate::plan::plan(std::slice::from_ref(&a), &observed, &Prune::Nothing, night);
        plan_groups(
            &mut plan,
            std::slice::from_ref(&a),
            std::slice::from_ref(&g),
            &[],
            &Prune::Nothing,
            night,
        )
        .unwrap();
        let group = group_of(&plan);
        let off = group
            .iter()
            .find(|s| s.name == "nodes.capacity-off")
            .unwrap();
        let held: Timestamp = "2026-11-25T22:10:00Z".parse().unwrap();
        assert_eq!(
            off.start_date,
            Some(held),
            "the group's off waits for the override + drain"
        );
        let end = plan
            .steps
            .iter()
            .find(|s| s.schedule.name == "nodes.capacity-override")
            .unwrap();
        assert_eq!(end.schedule.expression, "at(2026-11-25T22:10:00)");
        assert_eq!(
            end.schedule.input,
            Input::GroupSize(off_size(&asg("nodes"), false))
        );
        assert_eq!(end.schedule.capacity_override_of(), Some(&asg("nodes")));
        // By day the group is on: nothing to set at once.
        assert!(plan.group_sizes.is_empty());
        // Applied: the same plan again changes nothing (the hold is recognised).
        let existing: Vec<(ClientKey, Schedule)> = plan
            .steps
            .iter()
            .map(|s| (s.key.clone(), s.schedule.clone()))
            .collect();
        let observed = crate::plan::Observed {
            existing: existing.clone(),
            ..Default::default()
        };
        let mut again =
            crate::plan::plan(std::slice::from_ref(&a), &observed, &Prune::Nothing, night);
        plan_groups(
            &mut again,
            std::slice::from_ref(&a),
            std::slice::from_ref(&g),
            &existing,
            &Prune::Nothing,
            night,
        )
        .unwrap();
        assert_eq!(
            again.tally().changes(),
            0,
            "{:?}",
            again
                .steps
                .iter()
                .filter(|s| s.action.is_change())
                .collect::<Vec<_>>()
        );
        // Without the override (it was cancelled): the group's schedules are released and the
        // end of its hold deleted.
        let mut plain = a.clone();
        plain.spec.override_ = None;
        let others: Vec<(ClientKey, Schedule)> = existing
            .iter()
            .filter(|(_, s)| s.override_of().is_none())
            .cloned()
            .collect();
        let observed = crate::plan::Observed {
            existing: others.clone(),
            ..Default::default()
        };
        let mut released = crate::plan::plan(
            std::slice::from_ref(&plain),
            &observed,
            &Prune::Nothing,
            night,
        );
        plan_groups(
            &mut released,
            std::slice::from_ref(&plain),
            &[g],
            &others,
            &Prune::Nothing,
            night,
        )
        .unwrap();
        let verbs: Vec<(String, &str)> = released
            .steps
            .iter()
            .filter(|s| s.action.is_change())
            .filter(|s| {
                s.schedule.capacity_owner().is_some() || s.schedule.capacity_override_of().is_some()
            })
            .map(|s| (s.schedule.name.clone(), s.action.verb()))
            .collect();
        assert_eq!(
            verbs,
            [
                ("nodes.capacity-off".to_string(), "update"),
                ("nodes.capacity-override".to_string(), "delete")
            ]
        );
    }

    #[test]
    fn override_on_holds_every_group_that_names_the_service() {
        let a = windowed("web", &["MON-FRI 08:00-19:00"]);
        let plan = planned(std::slice::from_ref(&a), &[live(&[&a])]).unwrap();
        let group = group_of(&plan);
        let night: Timestamp = "2026-11-25T19:00:00Z".parse().unwrap();
        let until: Timestamp = "2026-11-25T22:00:00Z".parse().unwrap();
        let verbs = |steps: &[(Schedule, Action)]| -> Vec<(String, &'static str)> {
            steps
                .iter()
                .map(|(s, a)| (s.name.clone(), a.verb()))
                .collect()
        };
        // At night (20:00 Berlin) the group's off has fired: nothing to hold, but the group is
        // set to its on sizes at once, and turned off again at 23:10 by the hold's end.
        let (steps, sizes) = plan_hold(&group, &a.spec.id, until, night);
        assert_eq!(
            verbs(&steps),
            [
                ("nodes.capacity-on".to_string(), "unchanged"),
                ("nodes.capacity-off".to_string(), "unchanged"),
                ("nodes.capacity-override".to_string(), "create")
            ]
        );
        assert_eq!(steps[2].0.expression, "at(2026-11-25T22:10:00)");
        assert_eq!(
            steps[2].0.input,
            Input::GroupSize(off_size(&asg("nodes"), false))
        );
        let day_sizes = Sizes {
            min: 2,
            max: 6,
            desired: 2,
        };
        assert_eq!(sizes, vec![on_size(&asg("nodes"), false, day_sizes)]);
        // A service the group does not carry holds nothing.
        let (steps, sizes) = plan_hold(&group, &id("other"), until, night);
        assert!(steps.is_empty() && sizes.is_empty());
        // By day the group is on: its off is held until the end, nothing to set now.
        let day: Timestamp = "2026-11-25T10:00:00Z".parse().unwrap();
        let (steps, sizes) = plan_hold(&group, &a.spec.id, until, day);
        assert_eq!(verbs(&steps)[1].1, "update");
        assert_eq!(
            steps[1].0.start_date,
            Some("2026-11-25T22:10:00Z".parse().unwrap())
        );
        assert!(sizes.is_empty());
    }

    #[test]
    fn a_role_that_cannot_resize_the_group_is_warned_about() {
        let a = windowed("web", &["MON-FRI 08:00-19:00"]);
        let plan = planned(std::slice::from_ref(&a), &[live(&[&a])]).unwrap();
        let role = group_of(&plan)[0].role_arn.clone();
        let docs = |action: &str| {
            crate::iam::RoleRead::Read(crate::iam::RoleDocuments {
                trust: None,
                policies: vec![json!({"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": action,
                    "Resource": "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/nodes"
                }]})],
            })
        };
        let roles = HashMap::from([((key("eu-west-1"), role.clone()), docs("ecs:UpdateService"))]);
        let w = role_warnings(&plan, &roles);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("--asg nodes"), "{w:?}");
        let roles = HashMap::from([(
            (key("eu-west-1"), role),
            docs("autoscaling:UpdateAutoScalingGroup"),
        )]);
        assert!(role_warnings(&plan, &roles).is_empty());
    }

    #[test]
    fn a_group_whose_schedules_go_at_night_is_left_on() {
        let a = windowed("web", &["MON-FRI 08:00-19:00"]);
        let first = planned(std::slice::from_ref(&a), &[live(&[&a])]).unwrap();
        let existing: Vec<(ClientKey, Schedule)> = first
            .steps
            .iter()
            .map(|s| (s.key.clone(), s.schedule.clone()))
            .collect();
        let slot = crate::plan::ServiceSlot {
            key: key("eu-west-1"),
            group: a.spec.group.clone(),
            id: a.spec.id.clone(),
        };
        let prune = Prune::Services(BTreeSet::from([slot]));
        let unschedule = |at: &str| {
            let at: Timestamp = at.parse().unwrap();
            let mut plan = Plan::default();
            plan_groups(&mut plan, &[], &[], &existing, &prune, at).unwrap();
            plan
        };
        // 20:00 Berlin: the group was turned off at 19:10; it is turned on for good.
        let night = unschedule("2026-11-25T19:00:00Z");
        let deletes: Vec<&str> = night
            .steps
            .iter()
            .filter(|s| s.action == Action::Delete)
            .map(|s| s.schedule.name.as_str())
            .collect();
        assert_eq!(deletes, ["nodes.capacity-on", "nodes.capacity-off"]);
        assert_eq!(night.group_sizes.len(), 1);
        assert_eq!(night.group_sizes[0].size.min, 2);
        // By day it is on already: left as it is, with a warning.
        let day = unschedule("2026-11-25T10:00:00Z");
        assert!(day.group_sizes.is_empty());
        assert!(
            day.warnings[0].contains("no longer switched"),
            "{:?}",
            day.warnings
        );
    }

    #[test]
    fn margins_parse_in_whole_minutes_up_to_six_hours() {
        assert_eq!(parse_margin("10m"), Ok(SignedDuration::from_mins(10)));
        assert_eq!(parse_margin("0"), Ok(SignedDuration::ZERO));
        assert!(parse_margin("7h").is_err());
        assert!(parse_margin("30s").is_err());
    }
}
