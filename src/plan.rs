//! The schedules a service should have, in the shape Scheduler stores them, and how they differ
//! from what exists. No I/O: the AWS edge converts to and from these types.

use crate::arn;
use crate::expression::timezone::Zone;
use crate::expression::ScheduleExpression;
use crate::naming::{schedule_name, Switch};
use jiff::Timestamp;
use serde_json::{json, Value};
use std::fmt;

/// How long Scheduler keeps retrying an invocation, and how often. An off that lands hours late
/// could stop a service during working hours, so events older than an hour are dropped.
pub const RETRY_POLICY: RetryPolicy = RetryPolicy {
    maximum_event_age_seconds: 3600,
    maximum_retry_attempts: 10,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    Enabled,
    Disabled,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Enabled => "ENABLED",
            State::Disabled => "DISABLED",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub maximum_event_age_seconds: i32,
    pub maximum_retry_attempts: i32,
}

/// A schedule as Scheduler stores it: every field ecs-onoff manages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub name: String,
    pub group: String,
    pub expression: String,
    pub timezone: String,
    /// `None` only when read back from a store that lost it.
    pub state: Option<State>,
    pub description: String,
    /// `FlexibleTimeWindow` mode `OFF`: invoke at the set time, not within a window after it.
    pub flexible_window_off: bool,
    pub target_arn: String,
    pub role_arn: String,
    pub input: String,
    pub retry: Option<RetryPolicy>,
    pub dead_letter_arn: Option<String>,
    pub start_date: Option<Timestamp>,
    pub end_date: Option<Timestamp>,
}

/// The UpdateService parameters in a schedule's `Input`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetInput {
    pub cluster: String,
    pub service: String,
    pub desired_count: i64,
}

/// `{"Cluster": C, "Service": S, "DesiredCount": N}`: the UpdateService request members, with the
/// PascalCase names universal targets take.
pub fn input_json(cluster: &str, service: &str, desired_count: i64) -> String {
    json!({"Cluster": cluster, "Service": service, "DesiredCount": desired_count}).to_string()
}

/// Reads a schedule's `Input` back, when it is an ecs-onoff UpdateService input.
pub fn parse_input(input: &str) -> Option<TargetInput> {
    let value: Value = serde_json::from_str(input).ok()?;
    Some(TargetInput {
        cluster: value.get("Cluster")?.as_str()?.to_string(),
        service: value.get("Service")?.as_str()?.to_string(),
        desired_count: value.get("DesiredCount")?.as_i64()?,
    })
}

/// Everything needed to build one of a service's schedules.
#[derive(Debug, Clone)]
pub struct ScheduleRequest<'a> {
    pub cluster: &'a str,
    pub service: &'a str,
    pub switch: Switch,
    pub expression: &'a ScheduleExpression,
    pub zone: &'a Zone,
    pub desired_count: i64,
    pub group: &'a str,
    pub role_arn: &'a str,
    pub state: State,
    pub dead_letter_arn: Option<&'a str>,
    pub start_date: Option<Timestamp>,
    pub end_date: Option<Timestamp>,
    pub partition: &'a str,
}

pub fn description(cluster: &str, service: &str, switch: Switch, count: i64) -> String {
    format!(
        "Managed by ecs-onoff: turns ECS service {service} in cluster {cluster} {switch} \
         (desiredCount {count})"
    )
}

/// The on count when none is given, and where it came from: the service's live desiredCount when
/// above 0; when the service is off, the count in its existing on schedule; else 1.
pub fn on_count(
    explicit: Option<i64>,
    live: Option<i64>,
    existing: Option<i64>,
) -> (i64, &'static str) {
    match (explicit, live, existing.filter(|n| *n > 0)) {
        (Some(n), _, _) => (n, "the request"),
        (None, Some(n), _) if n > 0 => (n, "the service's live desiredCount"),
        (None, _, Some(n)) => (n, "the existing on schedule"),
        _ => (1, "the default for a service that is off"),
    }
}

/// The schedule a request asks for.
pub fn desired(req: &ScheduleRequest<'_>) -> Schedule {
    Schedule {
        name: schedule_name(req.cluster, req.service, req.switch),
        group: req.group.to_string(),
        expression: req.expression.to_string(),
        timezone: req.zone.name().to_string(),
        state: Some(req.state),
        description: description(req.cluster, req.service, req.switch, req.desired_count),
        flexible_window_off: true,
        target_arn: arn::update_service_target(req.partition),
        role_arn: req.role_arn.to_string(),
        input: input_json(req.cluster, req.service, req.desired_count),
        retry: Some(RETRY_POLICY),
        dead_letter_arn: req.dead_letter_arn.map(str::to_string),
        start_date: req.start_date,
        end_date: req.end_date,
    }
}

/// One managed field that differs, old and new as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

/// What applying a desired schedule does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Create,
    Update(Vec<FieldChange>),
    Unchanged,
}

impl Change {
    pub fn verb(&self) -> &'static str {
        match self {
            Change::Create => "created",
            Change::Update(_) => "updated",
            Change::Unchanged => "unchanged",
        }
    }
}

fn opt<T: fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "(none)".to_string(), |v| v.to_string())
}

fn retry_text(r: &Option<RetryPolicy>) -> String {
    r.map_or_else(
        || "(none)".to_string(),
        |r| {
            format!(
                "{} attempts, {}s",
                r.maximum_retry_attempts, r.maximum_event_age_seconds
            )
        },
    )
}

fn same_json(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<Value>(a),
        serde_json::from_str::<Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Every managed field of a schedule, named as in the API, as text.
fn managed_fields(s: &Schedule) -> [(&'static str, String); 12] {
    [
        ("ScheduleExpression", s.expression.clone()),
        ("ScheduleExpressionTimezone", s.timezone.clone()),
        ("State", opt(&s.state)),
        ("Description", s.description.clone()),
        (
            "FlexibleTimeWindow",
            if s.flexible_window_off {
                "OFF"
            } else {
                "FLEXIBLE"
            }
            .to_string(),
        ),
        ("Target.Arn", s.target_arn.clone()),
        ("Target.RoleArn", s.role_arn.clone()),
        ("Target.Input", s.input.clone()),
        ("Target.RetryPolicy", retry_text(&s.retry)),
        ("Target.DeadLetterConfig", opt(&s.dead_letter_arn)),
        ("StartDate", opt(&s.start_date)),
        ("EndDate", opt(&s.end_date)),
    ]
}

/// Compares a desired schedule with the existing one, field by field. `Input` is compared as
/// JSON, so key order is not a change.
pub fn diff(desired: &Schedule, existing: Option<&Schedule>) -> Change {
    let Some(old) = existing else {
        return Change::Create;
    };
    let changes: Vec<FieldChange> = managed_fields(old)
        .into_iter()
        .zip(managed_fields(desired))
        .filter(|((field, old), (_, new))| match *field {
            "Target.Input" => !same_json(old, new),
            _ => old != new,
        })
        .map(|((field, old), (_, new))| FieldChange { field, old, new })
        .collect();
    if changes.is_empty() {
        Change::Unchanged
    } else {
        Change::Update(changes)
    }
}

/// The CreateSchedule request for a schedule, in the API's JSON shape (what `--dry-run` prints).
pub fn create_request(s: &Schedule) -> Value {
    let mut target = json!({
        "Arn": s.target_arn,
        "RoleArn": s.role_arn,
        "Input": s.input,
    });
    if let Some(r) = s.retry {
        target["RetryPolicy"] = json!({
            "MaximumEventAgeInSeconds": r.maximum_event_age_seconds,
            "MaximumRetryAttempts": r.maximum_retry_attempts,
        });
    }
    if let Some(dlq) = &s.dead_letter_arn {
        target["DeadLetterConfig"] = json!({ "Arn": dlq });
    }
    let mut request = json!({
        "Name": s.name,
        "GroupName": s.group,
        "ScheduleExpression": s.expression,
        "ScheduleExpressionTimezone": s.timezone,
        "State": s.state.map(State::as_str),
        "Description": s.description,
        "FlexibleTimeWindow": { "Mode": if s.flexible_window_off { "OFF" } else { "FLEXIBLE" } },
        "Target": target,
    });
    if let Some(t) = s.start_date {
        request["StartDate"] = json!(t.to_string());
    }
    if let Some(t) = s.end_date {
        request["EndDate"] = json!(t.to_string());
    }
    request
}

/// The AWS client a schedule is reached through: Region and named profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientKey {
    pub region: String,
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

/// What a fleet plan does to one schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FleetAction {
    Create,
    Update(Vec<FieldChange>),
    Delete,
    Unchanged,
}

impl FleetAction {
    pub fn verb(&self) -> &'static str {
        match self {
            FleetAction::Create => "create",
            FleetAction::Update(_) => "update",
            FleetAction::Delete => "delete",
            FleetAction::Unchanged => "unchanged",
        }
    }
}

/// One step of a fleet plan: the schedule as it should be (or, for a delete, as it is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub key: ClientKey,
    pub schedule: Schedule,
    pub action: FleetAction,
}

/// Whether a stored schedule is one ecs-onoff manages: its name follows the naming rule and its
/// target is the ECS UpdateService universal target.
pub fn is_managed(s: &Schedule) -> bool {
    crate::naming::parse_schedule_name(&s.name).is_some()
        && s.target_arn.starts_with("arn:")
        && s.target_arn
            .ends_with(":scheduler:::aws-sdk:ecs:updateService")
}

/// Compares the desired schedules with those that exist in the same clients and groups. With
/// `prune`, managed schedules that are not desired are deleted; nothing else ever is. The plan is
/// sorted by client, group and name.
pub fn plan_fleet(
    desired: Vec<(ClientKey, Schedule)>,
    existing: &[(ClientKey, Schedule)],
    prune: bool,
) -> Vec<Planned> {
    use std::collections::HashMap;
    let index: HashMap<(&ClientKey, &str, &str), &Schedule> = existing
        .iter()
        .map(|(k, s)| ((k, s.group.as_str(), s.name.as_str()), s))
        .collect();
    let mut wanted = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (key, schedule) in desired {
        let old = index
            .get(&(&key, schedule.group.as_str(), schedule.name.as_str()))
            .copied();
        wanted.insert((key.clone(), schedule.group.clone(), schedule.name.clone()));
        let action = match diff(&schedule, old) {
            Change::Create => FleetAction::Create,
            Change::Update(fields) => FleetAction::Update(fields),
            Change::Unchanged => FleetAction::Unchanged,
        };
        out.push(Planned {
            key,
            schedule,
            action,
        });
    }
    if prune {
        for (key, schedule) in existing {
            let id = (key.clone(), schedule.group.clone(), schedule.name.clone());
            if is_managed(schedule) && !wanted.contains(&id) {
                out.push(Planned {
                    key: key.clone(),
                    schedule: schedule.clone(),
                    action: FleetAction::Delete,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (&a.key, &a.schedule.group, &a.schedule.name).cmp(&(
            &b.key,
            &b.schedule.group,
            &b.schedule.name,
        ))
    });
    out
}

/// Counts of a plan's actions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub unchanged: usize,
}

impl Tally {
    pub fn of(plan: &[Planned]) -> Tally {
        let mut t = Tally::default();
        for p in plan {
            match p.action {
                FleetAction::Create => t.create += 1,
                FleetAction::Update(_) => t.update += 1,
                FleetAction::Delete => t.delete += 1,
                FleetAction::Unchanged => t.unchanged += 1,
            }
        }
        t
    }

    pub fn changes(&self) -> usize {
        self.create + self.update + self.delete
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(count: i64) -> Schedule {
        let expr = ScheduleExpression::parse("cron(0 9 ? * MON-FRI *)").unwrap();
        let zone = Zone::parse("Europe/Berlin").unwrap();
        desired(&ScheduleRequest {
            cluster: "prod",
            service: "web",
            switch: Switch::On,
            expression: &expr,
            zone: &zone,
            desired_count: count,
            group: "ecs-onoff",
            role_arn: "arn:aws:iam::123456789012:role/ecs-onoff",
            state: State::Enabled,
            dead_letter_arn: None,
            start_date: None,
            end_date: None,
            partition: "aws",
        })
    }

    #[test]
    fn desired_schedule_fields() {
        let s = sample(2);
        assert_eq!(s.name, "prod.web.on");
        assert_eq!(
            s.target_arn,
            "arn:aws:scheduler:::aws-sdk:ecs:updateService"
        );
        assert_eq!(
            s.input,
            r#"{"Cluster":"prod","Service":"web","DesiredCount":2}"#
        );
        assert_eq!(
            parse_input(&s.input),
            Some(TargetInput {
                cluster: "prod".into(),
                service: "web".into(),
                desired_count: 2
            })
        );
        assert!(s.description.contains("ecs-onoff") && s.description.len() <= 512);
    }

    #[test]
    fn on_count_defaults() {
        assert_eq!(on_count(Some(0), Some(5), Some(3)).0, 0);
        assert_eq!(on_count(None, Some(5), Some(3)).0, 5);
        assert_eq!(on_count(None, Some(0), Some(3)).0, 3);
        assert_eq!(on_count(None, None, Some(3)).0, 3);
        assert_eq!(on_count(None, Some(0), Some(0)).0, 1);
        assert_eq!(on_count(None, None, None).0, 1);
    }

    #[test]
    fn diff_reports_each_changed_field() {
        let a = sample(2);
        assert_eq!(diff(&a, None), Change::Create);
        assert_eq!(diff(&a, Some(&a.clone())), Change::Unchanged);
        let mut reordered = a.clone();
        reordered.input = r#"{"DesiredCount":2,"Service":"web","Cluster":"prod"}"#.into();
        assert_eq!(
            diff(&a, Some(&reordered)),
            Change::Unchanged,
            "key order is not a change"
        );
        let b = sample(3);
        let Change::Update(changes) = diff(&b, Some(&a)) else {
            panic!("expected an update")
        };
        let fields: Vec<_> = changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, ["Description", "Target.Input"]);
        let mut lost_state = a.clone();
        lost_state.state = None;
        assert!(matches!(diff(&a, Some(&lost_state)), Change::Update(_)));
    }

    #[test]
    fn fleet_plan_creates_updates_and_prunes_only_managed() {
        let key = ClientKey {
            region: "us-east-1".into(),
            profile: None,
        };
        let keep = sample(2);
        let mut changed_old = sample(1);
        changed_old.name = "prod.api.on".into();
        let mut changed_new = changed_old.clone();
        changed_new.input = input_json("prod", "api", 3);
        let mut gone = sample(2);
        gone.name = "prod.old.on".into();
        let mut foreign = sample(2);
        foreign.name = "nightly-backup".into();
        let mut other_target = sample(2);
        other_target.name = "prod.lambda.on".into();
        other_target.target_arn = "arn:aws:lambda:us-east-1:123456789012:function:f".into();
        let mut fresh = sample(2);
        fresh.name = "prod.new.on".into();
        let existing: Vec<_> = [keep.clone(), changed_old, gone, foreign, other_target]
            .into_iter()
            .map(|s| (key.clone(), s))
            .collect();
        let desired = vec![
            (key.clone(), keep),
            (key.clone(), changed_new),
            (key.clone(), fresh),
        ];
        let plan = plan_fleet(desired.clone(), &existing, true);
        let got: Vec<_> = plan
            .iter()
            .map(|p| (p.schedule.name.as_str(), p.action.verb()))
            .collect();
        assert_eq!(
            got,
            [
                ("prod.api.on", "update"),
                ("prod.new.on", "create"),
                ("prod.old.on", "delete"),
                ("prod.web.on", "unchanged")
            ]
        );
        let tally = Tally::of(&plan);
        assert_eq!(
            (tally.create, tally.update, tally.delete, tally.unchanged),
            (1, 1, 1, 1)
        );
        let no_prune = plan_fleet(desired, &existing, false);
        assert!(no_prune.iter().all(|p| p.action != FleetAction::Delete));
        // Another Region is another schedule.
        let other = ClientKey {
            region: "eu-west-1".into(),
            profile: None,
        };
        let plan = plan_fleet(vec![(other, sample(2))], &existing, true);
        assert_eq!(
            plan.iter()
                .filter(|p| p.action == FleetAction::Create)
                .count(),
            1
        );
    }

    #[test]
    fn create_request_shape() {
        let r = create_request(&sample(2));
        assert_eq!(r["Name"], "prod.web.on");
        assert_eq!(r["FlexibleTimeWindow"]["Mode"], "OFF");
        assert_eq!(r["State"], "ENABLED");
        assert_eq!(r["ScheduleExpressionTimezone"], "Europe/Berlin");
        assert_eq!(r["Target"]["RetryPolicy"]["MaximumEventAgeInSeconds"], 3600);
        assert!(r.get("StartDate").is_none());
        let keys: Vec<_> = r.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys[..3], ["Name", "GroupName", "ScheduleExpression"]);
    }
}
