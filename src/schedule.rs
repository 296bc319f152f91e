//! A Scheduler schedule as ecs-onoff reads and writes it: every field it manages, with the
//! target's `Input` typed (the desired count is a number until the AWS edge serialises it).
//! No I/O.

use crate::arn;
use crate::naming::{self, parse_schedule_name, ClusterName, GroupName, ServiceName, Slot, Switch};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt;

/// How long Scheduler keeps retrying an invocation, and how often. An off that lands hours late
/// could stop a service during working hours, so events older than an hour are dropped.
pub const RETRY_POLICY: RetryPolicy = RetryPolicy {
    maximum_event_age_seconds: 3600,
    maximum_retry_attempts: 10,
};

/// Whether a schedule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
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

/// `enabled` or `disabled`, in any case (flags and fleet files).
impl std::str::FromStr for State {
    type Err = String;
    fn from_str(text: &str) -> Result<State, String> {
        match text.to_ascii_lowercase().as_str() {
            "enabled" => Ok(State::Enabled),
            "disabled" => Ok(State::Disabled),
            _ => Err(format!("'{text}' is not enabled or disabled")),
        }
    }
}

/// A heads-up that arrives late is no use: dropped after 10 minutes.
pub const NOTIFY_RETRY_POLICY: RetryPolicy = RetryPolicy {
    maximum_event_age_seconds: 600,
    maximum_retry_attempts: 3,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub maximum_event_age_seconds: i32,
    pub maximum_retry_attempts: i32,
}

/// A cluster and a service: what one pair of schedules turns on and off.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ServiceId {
    pub cluster: ClusterName,
    pub service: ServiceName,
}

impl ServiceId {
    /// The name of one of this service's schedules.
    pub fn schedule_name(&self, slot: Slot) -> String {
        naming::schedule_name(&self.cluster, &self.service, slot)
    }

    /// The name of this service's override schedule.
    pub fn override_name(&self) -> String {
        naming::override_name(&self.cluster, &self.service)
    }

    /// The name of the heads-up schedule before this service's off schedule number `index`.
    pub fn notify_name(&self, index: u8) -> String {
        naming::notify_name(&self.cluster, &self.service, index)
    }

    /// The name prefixes under which this service's schedules are listed.
    pub fn stems(&self) -> Vec<String> {
        naming::stems(&self.cluster, &self.service)
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.cluster, self.service)
    }
}

/// The UpdateService parameters of an ecs-onoff schedule's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateService {
    pub service: ServiceId,
    pub desired_count: u32,
}

impl UpdateService {
    /// Reads the UpdateService parameters of an `Input` written by anyone: keys in any case
    /// (`cluster` or `Cluster`, `desiredCount` or `DesiredCount`), the cluster and service as
    /// names or ARNs, the cluster absent for the `default` cluster. Any other parameter is
    /// refused, since a schedule that ecs-onoff writes would not carry it; the error says why.
    pub fn read_any(text: &str) -> Result<UpdateService, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|_| "its Input is not JSON".to_string())?;
        let object = value
            .as_object()
            .ok_or_else(|| "its Input is not a JSON object".to_string())?;
        let (mut cluster, mut service, mut count) = (None, None, None);
        for (key, value) in object {
            match key.to_ascii_lowercase().as_str() {
                "cluster" => cluster = Some(value),
                "service" => service = Some(value),
                "desiredcount" => count = Some(value),
                _ => {
                    return Err(format!(
                        "its Input sets {key}, which ecs-onoff does not write"
                    ))
                }
            }
        }
        let text_of = |what: &str, v: Option<&Value>| -> Result<Option<String>, String> {
            v.map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("its Input's {what} is not a string"))
            })
            .transpose()
        };
        let cluster_text = text_of("cluster", cluster)?;
        let service_text =
            text_of("service", service)?.ok_or_else(|| "its Input names no service".to_string())?;
        let count = count
            .ok_or_else(|| "its Input sets no desiredCount".to_string())?
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n <= MAX_COUNT)
            .ok_or_else(|| {
                format!("its Input's desiredCount is not a count from 0 to {MAX_COUNT}")
            })?;
        // `arn:...:cluster/NAME`; `arn:...:service/CLUSTER/NAME` or the short `service/NAME`.
        let resource = |text: &str, kind: &str| -> Option<Vec<String>> {
            let rest = text.split(':').nth(5)?;
            let parts: Vec<String> = rest.split('/').map(str::to_string).collect();
            (text.starts_with("arn:") && parts.first().map(String::as_str) == Some(kind))
                .then(|| parts[1..].to_vec())
        };
        let mut cluster_name = match cluster_text.as_deref() {
            None => "default".to_string(),
            Some(t) if t.starts_with("arn:") => match resource(t, "cluster").as_deref() {
                Some([name]) => name.clone(),
                _ => return Err(format!("its Input's cluster {t} is not a cluster ARN")),
            },
            Some(t) => t.to_string(),
        };
        let service_name = if service_text.starts_with("arn:") {
            match resource(&service_text, "service").as_deref() {
                Some([c, name]) => {
                    if cluster_text.is_some() && *c != cluster_name {
                        return Err(format!(
                            "its Input's service ARN is in cluster {c}, not {cluster_name}"
                        ));
                    }
                    cluster_name = c.clone();
                    name.clone()
                }
                Some([name]) => name.clone(),
                _ => {
                    return Err(format!(
                        "its Input's service {service_text} is not a service ARN"
                    ))
                }
            }
        } else {
            service_text
        };
        Ok(UpdateService {
            service: ServiceId {
                cluster: cluster_name
                    .parse()
                    .map_err(|e| format!("its Input's cluster: {e}"))?,
                service: service_name
                    .parse()
                    .map_err(|e| format!("its Input's service: {e}"))?,
            },
            desired_count: count,
        })
    }
}

/// MinCapacity and MaxCapacity of a service's Application Auto Scaling target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bounds {
    pub min: u32,
    pub max: u32,
}

impl fmt::Display for Bounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MinCapacity {}, MaxCapacity {}", self.min, self.max)
    }
}

/// The RegisterScalableTarget parameters of an ecs-onoff schedule of a service with an
/// Application Auto Scaling target: its bounds, and with them its count (Application Auto
/// Scaling moves a count outside the bounds into them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalableTarget {
    pub service: ServiceId,
    pub bounds: Bounds,
}

/// The Application Auto Scaling namespace and dimension of an ECS service's task count.
pub const ECS_NAMESPACE: &str = "ecs";
pub const ECS_DIMENSION: &str = "ecs:service:DesiredCount";

/// A target's `Input`: UpdateService or RegisterScalableTarget parameters ecs-onoff
/// understands, or anything else, kept as the text AWS holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    UpdateService(UpdateService),
    Bounds(ScalableTarget),
    /// UpdateAutoScalingGroup parameters of a capacity-aware schedule.
    GroupSize(crate::capacity::GroupSize),
    Other(String),
}

impl Input {
    /// Reads an `Input` as AWS stores it. Key order and spacing do not matter.
    pub fn parse(text: &str) -> Input {
        let read = || -> Option<UpdateService> {
            let value: Value = serde_json::from_str(text).ok()?;
            let object = value.as_object()?;
            if object.len() != 3 {
                return None;
            }
            Some(UpdateService {
                service: ServiceId {
                    cluster: object.get("Cluster")?.as_str()?.parse().ok()?,
                    service: object.get("Service")?.as_str()?.parse().ok()?,
                },
                desired_count: u32::try_from(object.get("DesiredCount")?.as_u64()?).ok()?,
            })
        };
        let bounds = || -> Option<ScalableTarget> {
            let value: Value = serde_json::from_str(text).ok()?;
            let object = value.as_object()?;
            if object.len() != 5
                || object.get("ServiceNamespace")?.as_str()? != ECS_NAMESPACE
                || object.get("ScalableDimension")?.as_str()? != ECS_DIMENSION
            {
                return None;
            }
            let resource = object
                .get("ResourceId")?
                .as_str()?
                .strip_prefix("service/")?;
            let (cluster, service) = resource.split_once('/')?;
            let count = |key: &str| u32::try_from(object.get(key)?.as_u64()?).ok();
            Some(ScalableTarget {
                service: ServiceId {
                    cluster: cluster.parse().ok()?,
                    service: service.parse().ok()?,
                },
                bounds: Bounds {
                    min: count("MinCapacity")?,
                    max: count("MaxCapacity")?,
                },
            })
        };
        match (read(), bounds()) {
            (Some(update), _) => Input::UpdateService(update),
            (None, Some(target)) => Input::Bounds(target),
            (None, None) => match crate::capacity::GroupSize::parse(text) {
                Some(size) => Input::GroupSize(size),
                None => Input::Other(text.to_string()),
            },
        }
    }

    /// The service the Input turns on or off, when it is one ecs-onoff writes.
    pub fn service(&self) -> Option<&ServiceId> {
        match self {
            Input::UpdateService(u) => Some(&u.service),
            Input::Bounds(t) => Some(&t.service),
            Input::GroupSize(_) | Input::Other(_) => None,
        }
    }

    /// The `Input` text sent to AWS: `{"Cluster": C, "Service": S, "DesiredCount": N}`, the
    /// UpdateService request members with the PascalCase names universal targets take.
    pub fn render(&self) -> String {
        match self {
            Input::UpdateService(u) => json!({
                "Cluster": u.service.cluster,
                "Service": u.service.service,
                "DesiredCount": u.desired_count,
            })
            .to_string(),
            Input::Bounds(t) => json!({
                "ServiceNamespace": ECS_NAMESPACE,
                "ResourceId": format!("service/{}/{}", t.service.cluster, t.service.service),
                "ScalableDimension": ECS_DIMENSION,
                "MinCapacity": t.bounds.min,
                "MaxCapacity": t.bounds.max,
            })
            .to_string(),
            Input::GroupSize(g) => g.render(),
            Input::Other(text) => text.clone(),
        }
    }

    /// The count the service has once the schedule has run: the desiredCount set, or for new
    /// bounds the MinCapacity (the schedules switch between an off count and the bounds, and
    /// Application Auto Scaling moves the count into them).
    pub fn desired_count(&self) -> Option<u32> {
        match self {
            Input::UpdateService(u) => Some(u.desired_count),
            Input::Bounds(t) => Some(t.bounds.min),
            Input::GroupSize(_) | Input::Other(_) => None,
        }
    }

    /// Whether two inputs mean the same; text that is not UpdateService compares as JSON.
    pub fn same_as(&self, other: &Input) -> bool {
        match (self, other) {
            (Input::Other(a), Input::Other(b)) => {
                match (
                    serde_json::from_str::<Value>(a),
                    serde_json::from_str::<Value>(b),
                ) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => a == b,
                }
            }
            _ => self == other,
        }
    }
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
    pub input: Input,
    pub retry: Option<RetryPolicy>,
    pub dead_letter_arn: Option<String>,
    pub start_date: Option<Timestamp>,
    pub end_date: Option<Timestamp>,
    /// Fields ecs-onoff does not manage: read, never compared, and carried over on update
    /// (UpdateSchedule resets every optional field it is not sent).
    pub unmanaged: Unmanaged,
    /// When AWS created it (read back; `None` for a schedule not written yet).
    pub created: Option<Timestamp>,
}

/// Optional schedule fields that ecs-onoff leaves as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unmanaged {
    /// A customer managed KMS key that encrypts the target's Input.
    pub kms_key_arn: Option<String>,
    /// `NONE` or `DELETE` (delete a one-time schedule after its invocation).
    pub action_after_completion: Option<String>,
}

/// The largest desiredCount written: ECS's "Tasks per service" quota, 5,000 by default
/// (Amazon ECS service quotas, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
/// A larger count is refused by UpdateService ("Desired count exceeds limit") at fire time.
pub const MAX_COUNT: u32 = 5_000;

/// A desiredCount from text: 0 to [`MAX_COUNT`].
pub fn parse_count(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if n <= u64::from(MAX_COUNT) => Ok(n as u32),
        Ok(n) => Err(format!(
            "{n} is above {MAX_COUNT}, ECS's Tasks per service quota: UpdateService would refuse it"
        )),
        Err(_) => Err(format!("'{text}' is not a count from 0 to {MAX_COUNT}")),
    }
}

/// The Description of a service's schedule, at most [`MAX_DESCRIPTION`] characters: what it
/// sets (`desiredCount 2`, short), then `note` (short).
pub fn description(id: &ServiceId, switch: Switch, sets: &str, note: &str) -> String {
    let text = |service: &str, cluster: &str| {
        format!(
            "Managed by ecs-onoff: turns ECS service {service} in cluster {cluster} {switch} \
             ({sets}){note}"
        )
    };
    let (service, cluster) = (id.service.as_str(), id.cluster.as_str());
    let full = text(service, cluster);
    if full.len() <= MAX_DESCRIPTION {
        return full;
    }
    // Too long for Scheduler: shorten the names (the Input names the service exactly), a short
    // name lending its room to the other. ECS names are ASCII.
    let room = MAX_DESCRIPTION - (full.len() - service.len() - cluster.len());
    let half = room / 2;
    let (service_room, cluster_room) = if service.len() <= half {
        (service.len(), room - service.len())
    } else if cluster.len() <= half {
        (room - cluster.len(), cluster.len())
    } else {
        (half, room - half)
    };
    let shorten = |name: &str, room: usize| {
        if name.len() <= room {
            name.to_string()
        } else {
            format!("{}...", &name[..room - 3])
        }
    };
    text(
        &shorten(service, service_room),
        &shorten(cluster, cluster_room),
    )
}

/// The SNS message attribute that names the service a heads-up is about (`cluster/service`).
pub const NOTIFY_ATTRIBUTE: &str = "ecs-onoff-service";

/// Scheduler's limit on a schedule's Description (botocore's model: `Description` max 512).
pub const MAX_DESCRIPTION: usize = 512;

impl Schedule {
    /// When it may fire, from its dates (and its creation, for `rate()`).
    pub fn active(&self) -> crate::expression::eval::Active {
        crate::expression::eval::Active {
            start: self.start_date,
            end: self.end_date,
            created: self.created,
        }
    }

    /// The service and slot of a schedule ecs-onoff manages: its target is the ECS
    /// UpdateService universal target, its `Input` names a service, and its name is that
    /// service's name under the naming rule. `None` for every other schedule.
    pub fn owner(&self) -> Option<(&ServiceId, Slot)> {
        let service = match &self.input {
            Input::UpdateService(u) if is_update_service_target(&self.target_arn) => &u.service,
            Input::Bounds(t) if is_register_target(&self.target_arn) => &t.service,
            _ => return None,
        };
        let slot = parse_schedule_name(&self.name)?.slot()?;
        (service.schedule_name(slot) == self.name).then_some((service, slot))
    }

    /// The Auto Scaling group and slot of a capacity schedule ecs-onoff manages: its target is
    /// the UpdateAutoScalingGroup universal target, its `Input` names a group, and its name is
    /// that group's name under [`crate::capacity::schedule_name`].
    pub fn capacity_owner(&self) -> Option<(&crate::capacity::AsgName, Slot)> {
        let Input::GroupSize(size) = &self.input else {
            return None;
        };
        if !is_update_group_target(&self.target_arn) {
            return None;
        }
        let slot = crate::capacity::parse_slot(&self.name)?;
        (crate::capacity::schedule_name(&size.group, slot) == self.name)
            .then_some((&size.group, slot))
    }

    /// The Auto Scaling group whose hold this `at()` schedule ends (see
    /// [`crate::capacity::hold_group`]).
    pub fn capacity_override_of(&self) -> Option<&crate::capacity::AsgName> {
        let Input::GroupSize(size) = &self.input else {
            return None;
        };
        (self.expression.starts_with("at(")
            && is_update_group_target(&self.target_arn)
            && crate::capacity::override_name(&size.group) == self.name)
            .then_some(&size.group)
    }

    /// The bounds an autoscaling-aware schedule sets, if it is one.
    pub fn bounds(&self) -> Option<Bounds> {
        match &self.input {
            Input::Bounds(t) => Some(t.bounds),
            _ => None,
        }
    }

    /// The service whose override this schedule ends: an `at()` schedule named
    /// `<cluster>.<service>.override` whose target is ECS UpdateService for that service.
    pub fn override_of(&self) -> Option<&ServiceId> {
        if !self.expression.starts_with("at(") {
            return None;
        }
        let service = match &self.input {
            Input::UpdateService(u) if is_update_service_target(&self.target_arn) => &u.service,
            Input::Bounds(t) if is_register_target(&self.target_arn) => &t.service,
            _ => return None,
        };
        (service.override_name() == self.name).then_some(service)
    }

    /// The service a heads-up schedule is about: its target is SNS Publish, its Input names the
    /// service in the message attribute `ecs-onoff-service`, and its name is that service's
    /// heads-up name.
    pub fn notify_of(&self) -> Option<ServiceId> {
        if !self.target_arn.ends_with(arn::PUBLISH_TARGET_SUFFIX) {
            return None;
        }
        let crate::naming::Part::Notify(index) = parse_schedule_name(&self.name)?.part else {
            return None;
        };
        let Input::Other(text) = &self.input else {
            return None;
        };
        let value: Value = serde_json::from_str(text).ok()?;
        let named = value["MessageAttributes"][NOTIFY_ATTRIBUTE]["StringValue"].as_str()?;
        let (cluster, service) = named.split_once('/')?;
        let id = ServiceId {
            cluster: cluster.parse().ok()?,
            service: service.parse().ok()?,
        };
        (id.notify_name(index) == self.name).then_some(id)
    }

    /// A one-time schedule, `at(at)` in UTC, that deletes itself after it runs: in the group, with
    /// the role, dead-letter queue and KMS key of `self`, calling `target_arn` with `input`.
    pub fn one_time(
        &self,
        name: String,
        at: Timestamp,
        description: String,
        target_arn: String,
        input: Input,
    ) -> Schedule {
        let at = jiff::tz::TimeZone::UTC.to_datetime(at);
        Schedule {
            name,
            group: self.group.clone(),
            expression: format!("at({})", at.strftime("%Y-%m-%dT%H:%M:%S")),
            timezone: "UTC".into(),
            state: Some(State::Enabled),
            description,
            flexible_window_off: true,
            target_arn,
            role_arn: self.role_arn.clone(),
            input,
            retry: Some(RETRY_POLICY),
            dead_letter_arn: self.dead_letter_arn.clone(),
            start_date: None,
            end_date: None,
            unmanaged: Unmanaged {
                kms_key_arn: self.unmanaged.kms_key_arn.clone(),
                action_after_completion: Some("DELETE".into()),
            },
            created: None,
        }
    }

    /// The schedule's group as a validated name (a stored group always is one).
    pub fn group_name(&self) -> Option<GroupName> {
        self.group.parse().ok()
    }

    /// The ClientToken of this schedule's CreateSchedule: the same for the same request in the
    /// same UTC hour, so that concurrent runs of one fleet and a retry whose answer was lost are
    /// one request to AWS. The hour bounds how long a later identical create (after a delete)
    /// could be taken for a repeat. 32 hex digits after `ecs-onoff-`: within AWS's 64
    /// characters of `[a-zA-Z0-9-_]`.
    pub fn client_token(&self, at: Timestamp) -> String {
        let hour = at.as_second().div_euclid(3600);
        let text = format!("{}\n{hour}", self.create_request());
        format!("ecs-onoff-{:032x}", fnv1a_128(text.as_bytes()))
    }

    /// The CreateSchedule request for this schedule, in the API's JSON shape (what `--dry-run`
    /// prints).
    pub fn create_request(&self) -> Value {
        let mut target = json!({
            "Arn": self.target_arn,
            "RoleArn": self.role_arn,
            "Input": self.input.render(),
        });
        if let Some(r) = self.retry {
            target["RetryPolicy"] = json!({
                "MaximumEventAgeInSeconds": r.maximum_event_age_seconds,
                "MaximumRetryAttempts": r.maximum_retry_attempts,
            });
        }
        if let Some(dlq) = &self.dead_letter_arn {
            target["DeadLetterConfig"] = json!({ "Arn": dlq });
        }
        let mut request = json!({
            "Name": self.name,
            "GroupName": self.group,
            "ScheduleExpression": self.expression,
            "ScheduleExpressionTimezone": self.timezone,
            "State": self.state.map(State::as_str),
            "Description": self.description,
            "FlexibleTimeWindow": {
                "Mode": if self.flexible_window_off { "OFF" } else { "FLEXIBLE" }
            },
            "Target": target,
        });
        if let Some(t) = self.start_date {
            request["StartDate"] = json!(t.to_string());
        }
        if let Some(t) = self.end_date {
            request["EndDate"] = json!(t.to_string());
        }
        if let Some(a) = &self.unmanaged.action_after_completion {
            request["ActionAfterCompletion"] = json!(a);
        }
        request
    }
}

/// FNV-1a, 128 bits: a stable hash (the same in every build and on every machine).
fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ u128::from(b)).wrapping_mul(PRIME))
}

/// Whether an ARN is the universal target that calls Application Auto Scaling
/// RegisterScalableTarget, in any partition.
pub fn is_register_target(target_arn: &str) -> bool {
    target_arn.starts_with("arn:") && target_arn.ends_with(arn::REGISTER_TARGET_SUFFIX)
}

/// Whether an ARN is the universal target that calls EC2 Auto Scaling UpdateAutoScalingGroup,
/// in any partition.
pub fn is_update_group_target(target_arn: &str) -> bool {
    target_arn.starts_with("arn:") && target_arn.ends_with(arn::UPDATE_GROUP_TARGET_SUFFIX)
}

/// Whether an ARN is the universal target that calls ECS UpdateService, in any partition.
pub fn is_update_service_target(target_arn: &str) -> bool {
    target_arn.starts_with("arn:") && target_arn.ends_with(arn::UPDATE_SERVICE_TARGET_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(cluster: &str, service: &str) -> ServiceId {
        ServiceId {
            cluster: cluster.parse().unwrap(),
            service: service.parse().unwrap(),
        }
    }

    #[test]
    fn update_service_read_in_any_shape() {
        let read = |t: &str| UpdateService::read_any(t);
        let web = |n| UpdateService {
            service: id("prod", "web"),
            desired_count: n,
        };
        assert_eq!(
            read(r#"{"Cluster":"prod","Service":"web","DesiredCount":2}"#),
            Ok(web(2))
        );
        assert_eq!(
            read(r#"{"cluster":"prod","service":"web","desiredCount":0}"#),
            Ok(web(0))
        );
        assert_eq!(
            read(
                r#"{"cluster":"arn:aws:ecs:eu-west-1:123456789012:cluster/prod","service":"arn:aws:ecs:eu-west-1:123456789012:service/prod/web","desiredCount":3}"#
            ),
            Ok(web(3))
        );
        // A service ARN alone names its cluster; no cluster at all is the default cluster.
        assert_eq!(
            read(
                r#"{"service":"arn:aws:ecs:eu-west-1:123456789012:service/prod/web","DesiredCount":1}"#
            ),
            Ok(web(1))
        );
        assert_eq!(
            read(r#"{"Service":"web","DesiredCount":1}"#).map(|u| u.service.cluster.to_string()),
            Ok("default".to_string())
        );
        for (text, needle) in [
            (
                r#"{"Cluster":"prod","Service":"web","DesiredCount":1,"ForceNewDeployment":true}"#,
                "ForceNewDeployment",
            ),
            (r#"{"Cluster":"prod","Service":"web"}"#, "no desiredCount"),
            (r#"{"Cluster":"prod","DesiredCount":1}"#, "no service"),
            (
                r#"{"Cluster":"prod","Service":"web","DesiredCount":-1}"#,
                "not a count",
            ),
            (
                r#"{"Cluster":"prod","Service":"web","DesiredCount":5001}"#,
                "not a count",
            ),
            (
                r#"{"Cluster":"other","Service":"arn:aws:ecs:eu-west-1:1:service/prod/web","DesiredCount":1}"#,
                "in cluster prod",
            ),
            (
                r#"{"Cluster":"arn:aws:ecs:eu-west-1:1:service/prod/web","Service":"web","DesiredCount":1}"#,
                "not a cluster ARN",
            ),
            ("not json", "not JSON"),
            ("[1]", "not a JSON object"),
        ] {
            let e = read(text).unwrap_err();
            assert!(e.contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn input_round_trip_and_key_order() {
        let input = Input::UpdateService(UpdateService {
            service: id("prod", "web"),
            desired_count: 2,
        });
        assert_eq!(
            input.render(),
            r#"{"Cluster":"prod","Service":"web","DesiredCount":2}"#
        );
        assert_eq!(Input::parse(&input.render()), input);
        assert_eq!(
            Input::parse(r#"{ "DesiredCount": 2, "Service": "web", "Cluster": "prod" }"#),
            input
        );
        assert_eq!(input.desired_count(), Some(2));
    }

    #[test]
    fn other_inputs_are_kept_as_text() {
        for text in [
            "{}",
            r#"{"cluster":"prod","service":"web","desiredCount":2}"#,
            r#"{"Cluster":"prod","Service":"web","DesiredCount":-1}"#,
            r#"{"Cluster":"prod","Service":"web","DesiredCount":2,"ForceNewDeployment":true}"#,
            r#"{"Cluster":"a.b","Service":"web","DesiredCount":2}"#,
            "not json",
        ] {
            assert_eq!(Input::parse(text), Input::Other(text.into()), "{text}");
        }
        assert!(Input::Other(r#"{"a":1,"b":2}"#.into())
            .same_as(&Input::Other(r#"{"b":2, "a":1}"#.into())));
    }

    #[test]
    fn state_parses_both_spellings() {
        assert_eq!("enabled".parse::<State>(), Ok(State::Enabled));
        assert_eq!("DISABLED".parse::<State>(), Ok(State::Disabled));
        assert!("on".parse::<State>().is_err());
        assert_eq!(
            serde_json::to_string(&State::Enabled).unwrap(),
            "\"ENABLED\""
        );
    }

    fn schedule(name: &str, target: &str, input: Input) -> Schedule {
        Schedule {
            name: name.into(),
            group: "ecs-onoff".into(),
            expression: "cron(0 9 * * ? *)".into(),
            timezone: "UTC".into(),
            state: Some(State::Enabled),
            description: String::new(),
            flexible_window_off: true,
            target_arn: target.into(),
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
            input,
            retry: None,
            dead_letter_arn: None,
            start_date: None,
            end_date: None,
            unmanaged: Unmanaged::default(),
            created: None,
        }
    }

    #[test]
    fn owner_needs_name_target_and_input_to_agree() {
        let target = "arn:aws:scheduler:::aws-sdk:ecs:updateService";
        let web = Input::UpdateService(UpdateService {
            service: id("prod", "web"),
            desired_count: 1,
        });
        let s = schedule("prod.web.on", target, web.clone());
        assert_eq!(
            s.owner(),
            Some((&id("prod", "web"), Slot::plain(Switch::On)))
        );
        let cn = schedule(
            "prod.web.off",
            "arn:aws-cn:scheduler:::aws-sdk:ecs:updateService",
            web.clone(),
        );
        assert_eq!(cn.owner().map(|o| o.1.switch), Some(Switch::Off));
        assert_eq!(schedule("nightly", target, web.clone()).owner(), None);
        assert_eq!(schedule("prod.api.on", target, web.clone()).owner(), None);
        assert_eq!(
            schedule("prod.web.on", "arn:aws:lambda:us-east-1:1:function:f", web).owner(),
            None
        );
        assert_eq!(
            schedule("prod.web.on", target, Input::Other("{}".into())).owner(),
            None
        );
    }

    #[test]
    fn create_request_shape() {
        let mut s = schedule(
            "prod.web.on",
            "arn:aws:scheduler:::aws-sdk:ecs:updateService",
            Input::UpdateService(UpdateService {
                service: id("prod", "web"),
                desired_count: 2,
            }),
        );
        s.retry = Some(RETRY_POLICY);
        let r = s.create_request();
        assert_eq!(r["Name"], "prod.web.on");
        assert_eq!(r["FlexibleTimeWindow"]["Mode"], "OFF");
        assert_eq!(r["State"], "ENABLED");
        assert_eq!(r["Target"]["RetryPolicy"]["MaximumEventAgeInSeconds"], 3600);
        assert_eq!(
            r["Target"]["Input"],
            r#"{"Cluster":"prod","Service":"web","DesiredCount":2}"#
        );
        assert!(r.get("StartDate").is_none());
        let keys: Vec<_> = r.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys[..3], ["Name", "GroupName", "ScheduleExpression"]);
    }

    #[test]
    fn client_token_is_stable_within_the_hour_and_follows_the_request() {
        let target = "arn:aws:scheduler:::aws-sdk:ecs:updateService";
        let web = Input::UpdateService(UpdateService {
            service: id("prod", "web"),
            desired_count: 2,
        });
        let s = schedule("prod.web.on", target, web);
        let at = |t: &str| t.parse::<Timestamp>().unwrap();
        let token = s.client_token(at("2026-11-28T10:05:00Z"));
        assert_eq!(token, s.client_token(at("2026-11-28T10:59:59Z")));
        assert_ne!(token, s.client_token(at("2026-11-28T11:00:00Z")));
        let mut other = s.clone();
        other.expression = "cron(0 10 * * ? *)".into();
        assert_ne!(token, other.client_token(at("2026-11-28T10:05:00Z")));
        assert!(token.len() <= 64);
        assert!(token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        // FNV-1a 128 of the empty input is its offset basis.
        assert_eq!(fnv1a_128(b""), 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d);
        assert_eq!(fnv1a_128(b"a"), 0xd228_cb69_6f1a_8caf_7891_2b70_4e4a_8964);
    }

    #[test]
    fn descriptions_fit_schedulers_limit_whatever_the_names() {
        let long = |n: usize, c: char| std::iter::repeat_n(c, n).collect::<String>();
        for (cluster, service) in [(255, 255), (255, 10), (10, 255), (219, 219), (1, 1)] {
            let id = id(&long(cluster, 'c'), &long(service, 's'));
            for switch in Switch::ALL {
                let d = description(
                    &id,
                    switch,
                    &format!("desiredCount {MAX_COUNT}"),
                    "; skipped days compiled until 2028-01-01 (apply again before then)",
                );
                assert!(
                    d.len() <= MAX_DESCRIPTION,
                    "{cluster}+{service}: {}",
                    d.len()
                );
                assert!(
                    d.starts_with("Managed by ecs-onoff: turns ECS service s"),
                    "{d}"
                );
                if d.contains("...") {
                    assert_eq!(d.len(), MAX_DESCRIPTION, "uses the room it has");
                } else {
                    assert!(d.contains(id.service.as_str()) && d.contains(id.cluster.as_str()));
                }
                assert_eq!(d.contains("..."), cluster + service > 330, "{d}");
            }
        }
        // A short service name keeps all of it and lends the rest to the cluster.
        let d = description(
            &id(&long(255, 'c'), "web"),
            Switch::On,
            "desiredCount 1",
            "",
        );
        assert!(d.contains("service web in cluster ccc"), "{d}");
    }
}
