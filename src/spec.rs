//! What the user asks for one service, from flags or from a fleet file, every value validated:
//! the one request type the pipeline plans from. The schedules a service gets are derived here,
//! and only here. No I/O.

use crate::arn::{QueueArn, Region, RoleArn};
use crate::calendar::Calendar;
pub use crate::compile::Times;
use crate::compile::{Compilation, TimesError};
use crate::expression::timezone::Zone;
use crate::naming::{GroupName, Switch};
use crate::schedule::{
    description, Bounds, Input, ScalableTarget, Schedule, ServiceId, State, UpdateService,
    RETRY_POLICY,
};
use jiff::Timestamp;
use std::fmt;

/// Which account and Region a service is reached through, as asked: a Region and a named
/// profile, each optional (the AWS configuration fills in what is missing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Connection {
    pub region: Option<Region>,
    pub profile: Option<String>,
}

/// A connection resolved: the Region is known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientKey {
    pub region: Region,
    pub profile: Option<String>,
}

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.profile {
            Some(p) => write!(f, "{} (profile {p})", self.region),
            None => f.write_str(&self.region),
        }
    }
}

/// Where a request came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flags,
    File {
        path: String,
        line: usize,
        column: usize,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flags => f.write_str("flags"),
            Origin::File { path, line, column } => write!(f, "{path}:{line}:{column}"),
        }
    }
}

/// A rule between values that are each valid alone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("invalid --end-date: {0} is not in the future")]
    EndNotInFuture(Timestamp),
    #[error("invalid --end-date: it must be after --start-date")]
    EndBeforeStart,
    #[error(
        "--role-arn is required (the IAM role Scheduler assumes; `ecs-onoff iam` builds it), \
         unless --dry-run"
    )]
    RoleRequired,
}

/// Checks StartDate and EndDate against each other and against now. A StartDate that has
/// passed is not an error: it no longer has an effect, and [`ServiceSpec::drop_past_start`]
/// drops it (AWS refuses one more than 5 minutes old).
pub fn check_dates(
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), SpecError> {
    if let Some(end) = end {
        if end <= now {
            return Err(SpecError::EndNotInFuture(end));
        }
        if start.is_some_and(|start| end <= start) {
            return Err(SpecError::EndBeforeStart);
        }
    }
    Ok(())
}

/// A service's task size and capacity as the user gave them (`savings`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TaskKeys {
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
    pub storage: Option<u32>,
    pub arch: Option<crate::savings::Arch>,
    pub capacity: Option<crate::savings::Capacity>,
}

impl Eq for TaskKeys {}

/// A schedule made by someone else that a service's ecs-onoff schedules replace: deleted once
/// they exist, and only while it still calls UpdateService for that service.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Adopted {
    pub group: GroupName,
    pub name: String,
}

impl Adopted {
    /// `NAME` (in `group`) or `GROUP/NAME`.
    pub fn parse(text: &str, group: &GroupName) -> Result<Adopted, String> {
        let (group, name) = match text.split_once('/') {
            Some((g, n)) => (g.parse::<GroupName>().map_err(|e| e.to_string())?, n),
            None => (group.clone(), text),
        };
        crate::naming::validate_schedule_name(name).map_err(|e| e.to_string())?;
        Ok(Adopted {
            group,
            name: name.to_string(),
        })
    }
}

impl std::fmt::Display for Adopted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.group, self.name)
    }
}

/// One service and the schedules it should have, every value validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSpec {
    pub id: ServiceId,
    pub connection: Connection,
    pub group: GroupName,
    /// When it is turned on and off.
    pub times: Times,
    /// The days it is not turned on.
    pub calendar: Calendar,
    pub zone: Zone,
    /// `None` only for a dry run, which shows a placeholder.
    pub role_arn: Option<RoleArn>,
    pub state: State,
    /// `None`: the live desiredCount, else the existing on schedule's, else 1 (see
    /// [`crate::plan::on_count`]).
    pub on_count: Option<u32>,
    pub off_count: u32,
    pub dead_letter_arn: Option<QueueArn>,
    pub start_date: Option<Timestamp>,
    pub end_date: Option<Timestamp>,
    /// An override asked for in a fleet file.
    pub override_: Option<crate::overrides::OverrideRequest>,
    /// A heads-up before each off.
    pub notify: Option<crate::notify::Notify>,
    /// Schedules of others that its schedules replace.
    pub adopt: Vec<Adopted>,
    /// Switch it by its Application Auto Scaling bounds when it has a target with a MinCapacity
    /// above 0 (see [`crate::plan::switching`]).
    pub autoscaling: bool,
    /// Its task size and capacity as given (for `savings`; what is not given is read).
    pub task: TaskKeys,
    /// Switch the Auto Scaling group that carries it too (see [`crate::capacity`]).
    pub capacity: Option<crate::capacity::CapacityMode>,
    pub origin: Origin,
}

impl ServiceSpec {
    /// A label for messages: the service, and where it was asked for when that was a file.
    pub fn label(&self) -> String {
        match self.origin {
            Origin::Flags => self.id.to_string(),
            Origin::File { .. } => format!("{}: {}", self.origin, self.id),
        }
    }

    /// Its Region without any AWS call: its own, else `fallback` (the flags or environment).
    pub fn region_or(&self, fallback: Option<&Region>) -> Result<Region, String> {
        self.connection
            .region
            .clone()
            .or_else(|| fallback.cloned())
            .ok_or_else(|| {
                format!(
                    "{}: no region: set region in the file or pass --region",
                    self.label()
                )
            })
    }

    /// Its times and calendar compiled into schedules, from `now` on; with a heads-up, every
    /// off time must have an exact earlier cron.
    pub fn compile(&self, now: Timestamp) -> Result<Compilation, String> {
        let compiled = crate::compile::compile(
            &self.times,
            &self.calendar,
            &self.zone,
            self.start_date,
            self.end_date,
            now,
        )
        .map_err(|e: TimesError| format!("{}: {e}", self.label()))?;
        if let Some(notify) = &self.notify {
            for c in compiled
                .schedules
                .iter()
                .filter(|c| c.slot.switch == Switch::Off)
            {
                crate::notify::shift_earlier(&c.expression, notify.before.as_mins() as u32)
                    .map_err(|e| format!("{}: --notify-before: {e}", self.label()))?;
            }
        }
        Ok(compiled)
    }

    /// The execution role's ARN, or a placeholder for a dry run without one.
    pub fn role_arn_text(&self, partition: &str) -> String {
        self.role_arn.as_ref().map_or_else(
            || format!("arn:{partition}:iam::<account-id>:role/<execution-role>"),
            RoleArn::to_string,
        )
    }

    /// The heads-up schedules of the service: one before each off schedule.
    pub fn notify_schedules(&self, key: &ClientKey, compiled: &Compilation) -> Vec<Schedule> {
        let Some(notify) = &self.notify else {
            return Vec::new();
        };
        let partition = key.region.partition();
        let role_arn = self.role_arn_text(partition);
        let minutes = notify.before.as_mins() as u32;
        compiled
            .schedules
            .iter()
            .filter(|c| c.slot.switch == Switch::Off)
            .filter_map(|c| {
                let expression = crate::notify::shift_earlier(&c.expression, minutes).ok()?;
                let input = crate::notify::publish_input(
                    notify,
                    &self.id,
                    &key.region,
                    &self.group,
                    &c.expression,
                    &self.zone,
                );
                let mut description = format!(
                    "Managed by ecs-onoff: heads-up {minutes} minutes before ECS service {} in \
                     cluster {} is turned off ({})",
                    self.id.service, self.id.cluster, c.expression
                );
                if description.len() > crate::schedule::MAX_DESCRIPTION {
                    description = format!(
                        "Managed by ecs-onoff: heads-up {minutes} minutes before a service is \
                         turned off ({})",
                        c.expression
                    );
                }
                Some(Schedule {
                    name: self.id.notify_name(c.slot.index),
                    group: self.group.to_string(),
                    expression: expression.to_string(),
                    timezone: self.zone.name().to_string(),
                    state: Some(self.state),
                    description,
                    flexible_window_off: true,
                    target_arn: crate::arn::publish_target(partition),
                    role_arn: role_arn.clone(),
                    input: Input::Other(input),
                    retry: Some(crate::schedule::NOTIFY_RETRY_POLICY),
                    dead_letter_arn: self.dead_letter_arn.as_ref().map(QueueArn::to_string),
                    start_date: c.start,
                    unmanaged: Default::default(),
                    created: None,
                    end_date: c.end,
                })
            })
            .collect()
    }

    /// Drops a StartDate that has passed, saying so: a scripted re-run stays valid and
    /// idempotent after the date.
    pub fn drop_past_start(&mut self, now: Timestamp) -> Option<String> {
        let start = self.start_date.filter(|t| *t <= now)?;
        self.start_date = None;
        Some(format!(
            "{}: the start date {start} has passed, so it is left out (it no longer has an effect)",
            self.label()
        ))
    }

    /// Every schedule the service should have, reached through `key`, with the on count given,
    /// from its compiled times.
    pub fn schedules(
        &self,
        key: &ClientKey,
        on_count: u32,
        compiled: &Compilation,
    ) -> Vec<Schedule> {
        self.schedules_with(key, Switching::Count(on_count), compiled)
    }

    /// Every schedule the service should have, reached through `key`, switching it as given,
    /// from its compiled times.
    pub fn schedules_with(
        &self,
        key: &ClientKey,
        switching: Switching,
        compiled: &Compilation,
    ) -> Vec<Schedule> {
        let partition = key.region.partition();
        let role_arn = self.role_arn_text(partition);
        compiled
            .schedules
            .iter()
            .map(|c| {
                let (target_arn, input, sets) = match (switching, c.slot.switch) {
                    (Switching::Count(n), switch) => {
                        let count = if switch == Switch::On {
                            n
                        } else {
                            self.off_count
                        };
                        (
                            crate::arn::update_service_target(partition),
                            Input::UpdateService(UpdateService {
                                service: self.id.clone(),
                                desired_count: count,
                            }),
                            format!("desiredCount {count}"),
                        )
                    }
                    (Switching::Bounds(on), switch) => {
                        let bounds = if switch == Switch::On {
                            on
                        } else {
                            Bounds {
                                min: self.off_count,
                                max: self.off_count,
                            }
                        };
                        (
                            crate::arn::register_target(partition),
                            Input::Bounds(ScalableTarget {
                                service: self.id.clone(),
                                bounds,
                            }),
                            bounds.to_string(),
                        )
                    }
                };
                let note = match (c.slot.switch, c.slot.until, compiled.compiled_until) {
                    (Switch::On, Some(day), _) => format!("; until the skipped day {day}"),
                    (Switch::On, None, Some(day)) => {
                        format!("; skipped days compiled until {day}{COMPILED_UNTIL_TAIL}")
                    }
                    _ => String::new(),
                };
                Schedule {
                    name: self.id.schedule_name(c.slot),
                    group: self.group.to_string(),
                    expression: c.expression.to_string(),
                    timezone: self.zone.name().to_string(),
                    state: Some(self.state),
                    description: description(&self.id, c.slot.switch, &sets, &note),
                    flexible_window_off: true,
                    target_arn,
                    role_arn: role_arn.clone(),
                    input,
                    retry: Some(RETRY_POLICY),
                    dead_letter_arn: self.dead_letter_arn.as_ref().map(QueueArn::to_string),
                    start_date: c.start,
                    unmanaged: Default::default(),
                    created: None,
                    end_date: c.end,
                }
            })
            .collect()
    }
}

/// What follows the date in the description of a calendar's last segment.
pub const COMPILED_UNTIL_TAIL: &str = " (apply again before then)";

/// The day a schedule's description says its skipped days are compiled until, if it says so.
pub fn compiled_until(description: &str) -> Option<jiff::civil::Date> {
    let rest = description.split("; skipped days compiled until ").nth(1)?;
    rest.get(..10)?.parse().ok()
}

/// A request whose connection has been resolved to a client, with its schedules compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRequest {
    pub key: ClientKey,
    pub spec: ServiceSpec,
    pub compiled: Compilation,
}

impl ServiceRequest {
    /// Every schedule the service should have, with the on count given.
    pub fn schedules(&self, on_count: u32) -> Vec<Schedule> {
        self.spec.schedules(&self.key, on_count, &self.compiled)
    }

    /// Every schedule the service should have, switching it as given.
    pub fn schedules_with(&self, switching: Switching) -> Vec<Schedule> {
        self.spec
            .schedules_with(&self.key, switching, &self.compiled)
    }
}

/// How a service's schedules turn it on and off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switching {
    /// ECS UpdateService: this desiredCount at the on times, the off count at the off times.
    Count(u32),
    /// Application Auto Scaling RegisterScalableTarget (autoscaling-aware): these bounds at the
    /// on times, MinCapacity and MaxCapacity equal to the off count at the off times.
    /// Application Auto Scaling moves the count into the new bounds at once, and its policies
    /// cannot leave them.
    Bounds(Bounds),
}

impl Switching {
    /// The count the service has after an on time.
    pub fn on_count(&self) -> u32 {
        match self {
            Switching::Count(n) => *n,
            Switching::Bounds(b) => b.min,
        }
    }
}

/// A role ARN of another partition than the Region's cannot be assumed there: the message, or
/// `None` when they agree.
pub fn partition_mismatch(request: &ServiceRequest) -> Option<String> {
    let expected = request.key.region.partition();
    if let Some(topic) = request.spec.notify.as_ref().map(|n| &n.topic) {
        if topic.region() != request.key.region.as_str() {
            return Some(format!(
                "{}: the heads-up topic {topic} is in Region {}, but the service is in {}: \
                 Scheduler publishes in the schedule's Region",
                request.spec.label(),
                topic.region(),
                request.key.region
            ));
        }
        if topic.partition() != expected {
            return Some(format!(
                "{}: topic ARN {topic} is in partition {}, but Region {} is in {expected}",
                request.spec.label(),
                topic.partition(),
                request.key.region
            ));
        }
    }
    let role = request.spec.role_arn.as_ref()?;
    (role.partition() != expected).then(|| {
        format!(
            "{}: role ARN {role} is in partition {}, but Region {} is in {expected}",
            request.spec.label(),
            role.partition(),
            request.key.region
        )
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn spec(cluster: &str, service: &str) -> ServiceSpec {
        ServiceSpec {
            id: ServiceId {
                cluster: cluster.parse().unwrap(),
                service: service.parse().unwrap(),
            },
            connection: Connection::default(),
            group: GroupName::default_group(),
            times: Times::switches(
                Some(expr("cron(0 9 ? * MON-FRI *)")),
                Some(expr("cron(0 18 ? * MON-FRI *)")),
            )
            .unwrap(),
            calendar: Calendar::default(),
            zone: Zone::parse("Europe/Berlin").unwrap(),
            role_arn: Some("arn:aws:iam::123456789012:role/ecs-onoff".parse().unwrap()),
            state: State::Enabled,
            on_count: None,
            off_count: 0,
            dead_letter_arn: None,
            start_date: None,
            end_date: None,
            override_: None,
            notify: None,
            adopt: Vec::new(),
            autoscaling: true,
            task: TaskKeys::default(),
            capacity: None,
            origin: Origin::Flags,
        }
    }

    fn expr(text: &str) -> crate::expression::ScheduleExpression {
        crate::expression::ScheduleExpression::parse(text).unwrap()
    }

    /// A request for `spec` through `key`, compiled at a fixed instant.
    pub(crate) fn request_of(spec: ServiceSpec, key: ClientKey) -> ServiceRequest {
        let compiled = spec
            .compile("2026-11-25T00:00:00Z".parse().unwrap())
            .unwrap();
        ServiceRequest {
            key,
            spec,
            compiled,
        }
    }

    pub(crate) fn key(region: &str) -> ClientKey {
        ClientKey {
            region: region.parse().unwrap(),
            profile: None,
        }
    }

    #[test]
    fn schedules_of_a_service() {
        let s = request_of(spec("prod", "web"), key("us-east-1")).schedules(2);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "prod.web.on");
        assert_eq!(s[1].name, "prod.web.off");
        assert_eq!(
            s[0].target_arn,
            "arn:aws:scheduler:::aws-sdk:ecs:updateService"
        );
        assert_eq!(s[0].input.desired_count(), Some(2));
        assert_eq!(s[1].input.desired_count(), Some(0));
        assert_eq!(s[0].expression, "cron(0 9 ? * MON-FRI *)");
        assert!(s[0].description.contains("ecs-onoff") && s[0].description.len() <= 512);
        assert_eq!(s[0].owner().map(|o| o.1.switch), Some(Switch::On));
        let cn = request_of(spec("prod", "web"), key("cn-north-1")).schedules(1);
        assert!(cn[0].target_arn.starts_with("arn:aws-cn:"));
        let mut dry = spec("prod", "web");
        dry.role_arn = None;
        assert_eq!(
            request_of(dry, key("us-east-1")).schedules(1)[0].role_arn,
            "arn:aws:iam::<account-id>:role/<execution-role>"
        );
    }

    #[test]
    fn role_partition_must_match_the_region() {
        let ok = request_of(spec("prod", "web"), key("eu-west-1"));
        assert_eq!(partition_mismatch(&ok), None);
        let mut cn = ok.clone();
        cn.spec.role_arn = Some("arn:aws-cn:iam::123456789012:role/x".parse().unwrap());
        let message = partition_mismatch(&cn).unwrap();
        assert!(
            message.contains("partition aws-cn, but Region eu-west-1 is in aws"),
            "{message}"
        );
        cn.key = key("cn-north-1");
        assert_eq!(partition_mismatch(&cn), None);
        let mut dry = ok;
        dry.spec.role_arn = None;
        assert_eq!(partition_mismatch(&dry), None);
    }

    #[test]
    fn dates() {
        let now: Timestamp = "2026-11-28T12:00:00Z".parse().unwrap();
        let t = |s: &str| Some(s.parse::<Timestamp>().unwrap());
        assert_eq!(check_dates(None, None, now), Ok(()));
        assert_eq!(check_dates(t("2026-11-28T11:56:00Z"), None, now), Ok(()));
        assert_eq!(check_dates(t("2026-11-28T11:54:00Z"), None, now), Ok(()));
        let mut s = spec("prod", "web");
        s.start_date = t("2026-11-28T11:54:00Z");
        let note = s.drop_past_start(now).unwrap();
        assert!(note.contains("has passed"), "{note}");
        assert_eq!(s.start_date, None);
        s.start_date = t("2026-11-29T00:00:00Z");
        assert_eq!(s.drop_past_start(now), None);
        assert!(s.start_date.is_some(), "a future start is kept");
        assert!(matches!(
            check_dates(None, t("2026-11-28T12:00:00Z"), now),
            Err(SpecError::EndNotInFuture(_))
        ));
        assert_eq!(
            check_dates(t("2026-12-02T00:00:00Z"), t("2026-12-01T00:00:00Z"), now),
            Err(SpecError::EndBeforeStart)
        );
    }

    #[test]
    fn labels() {
        let mut s = spec("prod", "web");
        assert_eq!(s.label(), "prod/web");
        s.origin = Origin::File {
            path: "fleet.toml".into(),
            line: 3,
            column: 1,
        };
        assert_eq!(s.label(), "fleet.toml:3:1: prod/web");
    }
}
