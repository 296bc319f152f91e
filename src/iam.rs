//! IAM documents for ecs-onoff, least privilege and deterministic (fixed key order, a `Sid` on
//! every statement, services sorted):
//! - the execution role's trust policy: `scheduler.amazonaws.com` may assume it only for
//!   schedules in this account's schedule group (`aws:SourceAccount` and `aws:SourceArn` with the
//!   group ARN, as AWS recommends against the confused-deputy problem);
//! - the execution role's permissions: `ecs:UpdateService` on exactly the scheduled services, and
//!   `sqs:SendMessage` on the dead-letter queue when there is one;
//! - the operator policy: what a person or CI runner needs to run ecs-onoff.
//!
//! Documents that would exceed IAM's size limits are refused with how many services fit.

use crate::arn;
use crate::schedule::ServiceId;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The inline policy name `iam create-role` uses.
pub const EXECUTION_POLICY_NAME: &str = "ecs-onoff-execution";
/// IAM's limit on a role trust policy (default quota), whitespace not counted.
pub const TRUST_POLICY_LIMIT: usize = 2_048;
/// IAM's limit on all inline policies of a role together, whitespace not counted.
pub const INLINE_POLICY_LIMIT: usize = 10_240;
/// IAM's limit on a managed policy, whitespace not counted.
pub const MANAGED_POLICY_LIMIT: usize = 6_144;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IamError {
    #[error(
        "the execution policy for {services} services is {size} characters; IAM allows {limit} \
         for a role's inline policies, so at most {fit} of these services fit in one role: \
         split them across roles (and schedule groups)"
    )]
    TooManyServices {
        services: usize,
        size: usize,
        limit: usize,
        fit: usize,
    },
    #[error("the {what} is {size} characters; IAM allows {limit}")]
    TooLarge {
        what: &'static str,
        size: usize,
        limit: usize,
    },
    #[error("role name '{0}' is not 1-64 letters, digits or +=,.@_-")]
    RoleName(String),
    #[error("no services given")]
    NoServices,
    #[error(
        "role {role} is not in account {account}: Scheduler assumes a role of its own account"
    )]
    OtherAccount { role: String, account: String },
}

/// Where the documents apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub account: String,
    pub region: String,
}

impl Scope {
    fn partition(&self) -> &'static str {
        arn::partition(&self.region)
    }
}

/// Size as IAM counts it: the document without insignificant whitespace.
pub fn policy_size(doc: &Value) -> usize {
    doc.to_string().chars().count()
}

/// The document, when it is within IAM's size limit for `what`.
fn within(doc: Value, what: &'static str, limit: usize) -> Result<Value, IamError> {
    let size = policy_size(&doc);
    if size > limit {
        return Err(IamError::TooLarge { what, size, limit });
    }
    Ok(doc)
}

validated_string!(
    /// An IAM role name.
    RoleName,
    IamError,
    validate_role_name
);

pub fn validate_role_name(name: &str) -> Result<(), IamError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(IamError::RoleName(name.to_string()))
    }
}

/// Trust policy of the execution role for one schedule group.
pub fn trust_policy(scope: &Scope, group: &str) -> Result<Value, IamError> {
    Grants {
        groups: BTreeSet::from([arn::schedule_group_arn(
            &scope.region,
            &scope.account,
            group,
        )]),
        ..Grants::default()
    }
    .trust_policy(&scope.account)
}

fn execution_doc(
    services: &[String],
    queues: &BTreeSet<String>,
    topics: &BTreeSet<String>,
    scaling: &BTreeSet<String>,
    capacity: &BTreeSet<String>,
) -> Value {
    let resource = if services.len() == 1 {
        json!(services[0])
    } else {
        json!(services)
    };
    // Autoscaling-aware schedules: Application Auto Scaling's guide also lists
    // ecs:DescribeServices for registering an ECS service's target; read access to the services
    // the role may update, in the same statement so that each service is listed once.
    let action = if scaling.is_empty() {
        json!("ecs:UpdateService")
    } else {
        json!(["ecs:UpdateService", "ecs:DescribeServices"])
    };
    let mut statements = vec![json!({
        "Sid": UPDATE_SID,
        "Effect": "Allow",
        "Action": action,
        "Resource": resource,
    })];
    if !queues.is_empty() {
        statements.push(json!({
            "Sid": QUEUE_SID,
            "Effect": "Allow",
            "Action": "sqs:SendMessage",
            "Resource": one_or_list(queues),
        }));
    }
    if !topics.is_empty() {
        statements.push(json!({
            "Sid": TOPIC_SID,
            "Effect": "Allow",
            "Action": "sns:Publish",
            "Resource": one_or_list(topics),
        }));
    }
    if !scaling.is_empty() {
        // RegisterScalableTarget has no condition key for the resource id, and a scalable
        // target's ARN holds an id known only once it exists: the ECS task-count targets of the
        // services' accounts and Regions, by namespace and dimension.
        let places: BTreeSet<(&str, &str, &str)> = scaling
            .iter()
            .filter_map(|service| {
                let parts: Vec<&str> = service.splitn(6, ':').collect();
                (parts.len() == 6).then(|| (parts[1], parts[3], parts[4]))
            })
            .collect();
        let (targets, alarms): (BTreeSet<String>, BTreeSet<String>) = places
            .iter()
            .map(|&(p, region, account)| {
                (
                    scalable_targets_arn(p, region, account),
                    alarms_arn(p, region, account),
                )
            })
            .unzip();
        statements.extend(scaling_statements(
            SCALING_SID,
            one_or_list(&targets),
            ALARMS_SID,
            one_or_list(&alarms),
        ));
    }
    if !capacity.is_empty() {
        // Capacity-aware schedules: UpdateAutoScalingGroup on exactly the groups they switch.
        // A group's ARN holds an id known only once it exists: `*` there, the name exact.
        statements.push(json!({
            "Sid": CAPACITY_SID,
            "Effect": "Allow",
            "Action": "autoscaling:UpdateAutoScalingGroup",
            "Resource": one_or_list(capacity),
        }));
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// The ARN pattern of an Auto Scaling group by name, in an account and Region: the group's id
/// (a UUID AWS assigns) is `*`.
pub fn group_arn(
    partition_region: &str,
    account: &str,
    group: &crate::capacity::AsgName,
) -> String {
    let partition = crate::arn::partition(partition_region);
    groups_arn(partition, partition_region, account, group.as_str())
}

/// The ARN pattern of the Auto Scaling groups named `name` (a name or a wildcard).
fn groups_arn(partition: &str, region: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{name}")
}

/// Permissions of the execution role: UpdateService on exactly these services (long-form ARNs,
/// sorted, duplicates removed), plus SendMessage on the dead-letter queue.
pub fn execution_policy(
    scope: &Scope,
    services: &[ServiceId],
    dead_letter_arn: Option<&str>,
    topic: Option<&str>,
    autoscaling: bool,
    groups: &[crate::capacity::AsgName],
) -> Result<Value, IamError> {
    let services: BTreeSet<String> = services
        .iter()
        .map(|id| arn::service_arn(&scope.region, &scope.account, &id.cluster, &id.service))
        .collect();
    Grants {
        scaling: if autoscaling {
            services.clone()
        } else {
            BTreeSet::new()
        },
        services,
        queues: dead_letter_arn.map(str::to_string).into_iter().collect(),
        topics: topic.map(str::to_string).into_iter().collect(),
        capacity: groups
            .iter()
            .map(|g| group_arn(&scope.region, &scope.account, g))
            .collect(),
        ..Grants::default()
    }
    .execution_policy()
}

/// The statement ids ecs-onoff writes: it finds its own statements again by them.
const TRUST_SID: &str = "AllowEventBridgeSchedulerForScheduleGroup";
const UPDATE_SID: &str = "UpdateScheduledServices";
const QUEUE_SID: &str = "SendFailedInvocationsToDeadLetterQueue";
const TOPIC_SID: &str = "PublishHeadsUpBeforeOff";
const SCALING_SID: &str = "SetAutoScalingBoundsOfScheduledServices";
const ALARMS_SID: &str = "ReadAutoScalingAlarms";
const CAPACITY_SID: &str = "SwitchAutoScalingGroupsOfScheduledServices";

/// What an execution role must allow: Scheduler may assume it from these schedule groups (their
/// ARNs), and it may call UpdateService on these services and SendMessage on these queues.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    pub groups: BTreeSet<String>,
    pub services: BTreeSet<String>,
    pub queues: BTreeSet<String>,
    /// SNS topics the heads-up schedules publish to.
    pub topics: BTreeSet<String>,
    /// Services whose schedules may set their Application Auto Scaling bounds.
    pub scaling: BTreeSet<String>,
    /// Auto Scaling groups (ARN patterns) capacity-aware schedules may resize.
    pub capacity: BTreeSet<String>,
}

/// A string or a list of strings, as IAM allows in Resource and condition values.
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// The statements of a document (IAM allows a single statement object too).
fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

fn statement<'a>(doc: &'a Value, sid: &str) -> Option<&'a Value> {
    statements(doc)
        .into_iter()
        .find(|s| s.get("Sid").and_then(Value::as_str) == Some(sid))
}

/// One value, or a sorted list when there are several.
fn one_or_list(items: &BTreeSet<String>) -> Value {
    match items.len() {
        1 => json!(items.iter().next()),
        _ => json!(items),
    }
}

impl Grants {
    /// What the statements ecs-onoff wrote in these documents allow (other statements are not
    /// read).
    pub fn of(trust: Option<&Value>, policy: Option<&Value>) -> Grants {
        let of = |doc: Option<&Value>, sid: &str, at: &[&str]| -> BTreeSet<String> {
            let found = doc.and_then(|d| statement(d, sid));
            let value = found.and_then(|f| at.iter().try_fold(f, |v, key| v.get(key)));
            strings(value).into_iter().collect()
        };
        Grants {
            groups: of(
                trust,
                TRUST_SID,
                &["Condition", "StringEquals", "aws:SourceArn"],
            ),
            services: of(policy, UPDATE_SID, &["Resource"]),
            queues: of(policy, QUEUE_SID, &["Resource"]),
            topics: of(policy, TOPIC_SID, &["Resource"]),
            // Autoscaling-aware when the policy has the RegisterScalableTarget statement.
            scaling: if policy.and_then(|d| statement(d, SCALING_SID)).is_some() {
                of(policy, UPDATE_SID, &["Resource"])
            } else {
                BTreeSet::new()
            },
            capacity: of(policy, CAPACITY_SID, &["Resource"]),
        }
    }

    /// Everything either allows.
    pub fn union(&self, other: &Grants) -> Grants {
        let join = |a: &BTreeSet<String>, b: &BTreeSet<String>| a.union(b).cloned().collect();
        Grants {
            groups: join(&self.groups, &other.groups),
            services: join(&self.services, &other.services),
            queues: join(&self.queues, &other.queues),
            topics: join(&self.topics, &other.topics),
            scaling: join(&self.scaling, &other.scaling),
            capacity: join(&self.capacity, &other.capacity),
        }
    }

    /// What this allows and `other` does not.
    pub fn without(&self, other: &Grants) -> Grants {
        let minus = |a: &BTreeSet<String>, b: &BTreeSet<String>| a.difference(b).cloned().collect();
        Grants {
            groups: minus(&self.groups, &other.groups),
            services: minus(&self.services, &other.services),
            queues: minus(&self.queues, &other.queues),
            topics: minus(&self.topics, &other.topics),
            scaling: minus(&self.scaling, &other.scaling),
            capacity: minus(&self.capacity, &other.capacity),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
            && self.services.is_empty()
            && self.queues.is_empty()
            && self.topics.is_empty()
            && self.scaling.is_empty()
            && self.capacity.is_empty()
    }

    /// The trust policy: Scheduler may assume the role for schedules in these groups of the
    /// account, and no others. The exact group ARNs (each Region's) are the least privilege:
    /// AWS's example allows a group in every Region (`scheduler:*:`), which is not needed.
    pub fn trust_policy(&self, account: &str) -> Result<Value, IamError> {
        let doc = json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": TRUST_SID,
                "Effect": "Allow",
                "Principal": { "Service": "scheduler.amazonaws.com" },
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {
                        "aws:SourceAccount": account,
                        "aws:SourceArn": one_or_list(&self.groups),
                    }
                }
            }]
        });
        within(doc, "trust policy", TRUST_POLICY_LIMIT)
    }

    /// The execution policy: UpdateService on exactly these services, SendMessage on these
    /// queues. Refused, with how many services fit, beyond IAM's inline policy limit.
    pub fn execution_policy(&self) -> Result<Value, IamError> {
        if self.services.is_empty() {
            return Err(IamError::NoServices);
        }
        let arns: Vec<String> = self.services.iter().cloned().collect();
        let doc = execution_doc(
            &arns,
            &self.queues,
            &self.topics,
            &self.scaling,
            &self.capacity,
        );
        let size = policy_size(&doc);
        if size <= INLINE_POLICY_LIMIT {
            return Ok(doc);
        }
        // The largest prefix that fits: sizes grow with every service, so search.
        let (mut lo, mut hi) = (0, arns.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            let scaling: BTreeSet<String> = arns[..mid]
                .iter()
                .filter(|a| self.scaling.contains(*a))
                .cloned()
                .collect();
            if policy_size(&execution_doc(
                &arns[..mid],
                &self.queues,
                &self.topics,
                &scaling,
                &self.capacity,
            )) <= INLINE_POLICY_LIMIT
            {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Err(IamError::TooManyServices {
            services: arns.len(),
            size,
            limit: INLINE_POLICY_LIMIT,
            fit: lo,
        })
    }
}

/// Adds what a service's schedules need (its group in its Region, the service, its dead-letter
/// queue and heads-up topic) to the grants of its execution role.
pub fn grant(
    roles: &mut std::collections::BTreeMap<arn::RoleArn, Grants>,
    region: &str,
    spec: &crate::spec::ServiceSpec,
) {
    let Some(role) = &spec.role_arn else {
        return;
    };
    let account = role.account();
    let grants = roles.entry(role.clone()).or_default();
    grants
        .groups
        .insert(arn::schedule_group_arn(region, account, &spec.group));
    grants.services.insert(arn::service_arn(
        region,
        account,
        &spec.id.cluster,
        &spec.id.service,
    ));
    grants
        .queues
        .extend(spec.dead_letter_arn.as_ref().map(ToString::to_string));
    grants
        .topics
        .extend(spec.notify.as_ref().map(|n| n.topic.to_string()));
    if let Some(group) = spec.capacity.as_ref().and_then(|c| c.asg.as_ref()) {
        grants.capacity.insert(group_arn(region, account, group));
    }
    if spec.autoscaling {
        grants.scaling.insert(arn::service_arn(
            region,
            account,
            &spec.id.cluster,
            &spec.id.service,
        ));
    }
}

/// A trust policy with ecs-onoff's statement replaced by `ours`, every other statement kept.
pub fn with_trust_statement(existing: Option<&Value>, ours: &Value) -> Value {
    let mut kept: Vec<Value> = existing
        .map(statements)
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.get("Sid").and_then(Value::as_str) != Some(TRUST_SID))
        .cloned()
        .collect();
    kept.extend(statements(ours).into_iter().cloned());
    json!({ "Version": "2012-10-17", "Statement": kept })
}

/// What an operator (a person or a CI runner) needs to run `schedule`, `unschedule`, `list` and
/// `status` against one schedule group, passing one execution role.
/// `role` is the execution role's name, or its ARN when it has a path (`role/service-role/x`):
/// `iam:PassRole` must name the ARN the role really has.
pub fn operator_policy(scope: &Scope, role: &str, group: &str) -> Result<Value, IamError> {
    let p = scope.partition();
    let (region, account) = (&scope.region, &scope.account);
    let role_arn = if role.starts_with("arn:") {
        let parsed: arn::RoleArn = role
            .parse()
            .map_err(|_| IamError::RoleName(role.to_string()))?;
        if parsed.account() != account.as_str() {
            return Err(IamError::OtherAccount {
                role: role.to_string(),
                account: account.clone(),
            });
        }
        role.to_string()
    } else {
        validate_role_name(role)?;
        format!("arn:{p}:iam::{account}:role/{role}")
    };
    // `override` of an autoscaling-aware service sets its target's bounds at once, as its
    // schedules do: the execution policy's statements, for the account and Region.
    let [set_bounds, read_alarms] = scaling_statements(
        "OverrideSetsBoundsAtOnce",
        json!(scalable_targets_arn(p, region, account)),
        "ReadAlarmsForScalableTargets",
        json!(alarms_arn(p, region, account)),
    );
    let doc = json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ManageSchedulesInGroup",
                "Effect": "Allow",
                "Action": [
                    "scheduler:CreateSchedule",
                    "scheduler:DeleteSchedule",
                    "scheduler:GetSchedule",
                    "scheduler:UpdateSchedule"
                ],
                "Resource": format!("arn:{p}:scheduler:{region}:{account}:schedule/{group}/*"),
            },
            {
                "Sid": "ManageScheduleGroup",
                "Effect": "Allow",
                "Action": [
                    "scheduler:CreateScheduleGroup",
                    "scheduler:GetScheduleGroup",
                    "scheduler:TagResource"
                ],
                "Resource": arn::schedule_group_arn(region, account, group),
            },
            {
                "Sid": "ListSchedulesAndGroups",
                "Effect": "Allow",
                "Action": ["scheduler:ListScheduleGroups", "scheduler:ListSchedules"],
                "Resource": "*",
            },
            {
                "Sid": "FindManagedGroups",
                "Effect": "Allow",
                "Action": "scheduler:ListTagsForResource",
                "Resource": format!("arn:{p}:scheduler:{region}:{account}:schedule-group/*"),
            },
            {
                "Sid": "PassExecutionRoleToScheduler",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": role_arn.clone(),
                "Condition": {
                    "StringEquals": { "iam:PassedToService": "scheduler.amazonaws.com" }
                },
            },
            {
                "Sid": "CheckExecutionRole",
                "Effect": "Allow",
                "Action": [
                    "iam:GetRole",
                    "iam:GetRolePolicy",
                    "iam:ListAttachedRolePolicies",
                    "iam:ListRolePolicies"
                ],
                "Resource": role_arn,
            },
            {
                "Sid": "ReadExecutionRolePolicies",
                "Effect": "Allow",
                "Action": ["iam:GetPolicy", "iam:GetPolicyVersion"],
                // The managed policies a role may have attached: the account's and AWS's (whose
                // ARNs have the account `aws`).
                "Resource": format!("arn:{p}:iam::*:policy/*"),
            },
            {
                "Sid": "ReadServices",
                "Effect": "Allow",
                "Action": "ecs:DescribeServices",
                "Resource": format!("arn:{p}:ecs:{region}:{account}:service/*"),
            },
            {
                "Sid": "OverrideSetsTheCountAtOnce",
                "Effect": "Allow",
                "Action": "ecs:UpdateService",
                "Resource": format!("arn:{p}:ecs:{region}:{account}:service/*"),
            },
            set_bounds,
            read_alarms,
            {
                "Sid": "OverrideAndUnscheduleSetGroupsAtOnce",
                "Effect": "Allow",
                // An override that holds a group its schedules left off, and unschedule of a
                // group's last schedules at night, set the group to its on sizes at once.
                "Action": "autoscaling:UpdateAutoScalingGroup",
                "Resource": groups_arn(p, region, account, "*"),
            },
            {
                "Sid": "ReadScalableTargets",
                "Effect": "Allow",
                // Scalable targets and scheduled actions (doctor): no resource-level permissions.
                "Action": [
                    "application-autoscaling:DescribeScalableTargets",
                    "application-autoscaling:DescribeScheduledActions"
                ],
                "Resource": "*",
            },
            {
                "Sid": "CheckDeadLetterQueues",
                "Effect": "Allow",
                // doctor: whether the schedules' dead-letter queues exist.
                "Action": "sqs:GetQueueUrl",
                "Resource": format!("arn:{p}:sqs:{region}:{account}:*"),
            },
            {
                "Sid": "ReadClustersAndCapacityProviders",
                "Effect": "Allow",
                // Capacity-aware schedules: the clusters' default strategies and the capacity
                // providers that name their Auto Scaling groups.
                "Action": ["ecs:DescribeClusters", "ecs:DescribeCapacityProviders"],
                "Resource": [
                    format!("arn:{p}:ecs:{region}:{account}:cluster/*"),
                    format!("arn:{p}:ecs:{region}:{account}:capacity-provider/*"),
                ],
            },
            {
                "Sid": "ListServicesAndGroups",
                "Effect": "Allow",
                // Every service of a cluster ([[select]], services on a group) and the groups'
                // sizes: neither has resource-level permissions.
                "Action": ["ecs:ListServices", "autoscaling:DescribeAutoScalingGroups"],
                "Resource": "*",
            },
            {
                "Sid": "ReadTaskSizes",
                "Effect": "Allow",
                // savings: the tasks' CPU, memory and storage. No resource-level permissions.
                "Action": "ecs:DescribeTaskDefinition",
                "Resource": "*",
            },
            {
                "Sid": "ListEventBridgeRules",
                "Effect": "Allow",
                // doctor: rules whose targets' input names a service. Neither has resource-level
                // permissions.
                "Action": ["events:ListEventBuses", "events:ListRules"],
                "Resource": "*",
            },
            {
                "Sid": "ReadEventBridgeRuleTargets",
                "Effect": "Allow",
                // Rules on the default bus (rule/NAME) and on other buses (rule/BUS/NAME).
                "Action": "events:ListTargetsByRule",
                "Resource": format!("arn:{p}:events:{region}:{account}:rule/*"),
            }
        ]
    });
    within(doc, "operator policy", MANAGED_POLICY_LIMIT)
}

/// The ECS services' scalable targets of an account and Region: a target's ARN holds an id known
/// only once it exists.
fn scalable_targets_arn(partition: &str, region: &str, account: &str) -> String {
    format!("arn:{partition}:application-autoscaling:{region}:{account}:scalable-target/*")
}

/// The CloudWatch alarms of an account and Region.
fn alarms_arn(partition: &str, region: &str, account: &str) -> String {
    format!("arn:{partition}:cloudwatch:{region}:{account}:alarm:*")
}

/// What setting a service's scalable-target bounds needs: RegisterScalableTarget on `targets`,
/// limited to ECS task counts by namespace and dimension, and (as Application Auto Scaling's
/// guide lists for registering an ECS service's target) cloudwatch:DescribeAlarms on `alarms`.
fn scaling_statements(
    register_sid: &str,
    targets: Value,
    alarms_sid: &str,
    alarms: Value,
) -> [Value; 2] {
    [
        json!({
            "Sid": register_sid,
            "Effect": "Allow",
            "Action": "application-autoscaling:RegisterScalableTarget",
            "Resource": targets,
            "Condition": {
                "StringEquals": {
                    "application-autoscaling:service-namespace": crate::schedule::ECS_NAMESPACE,
                    "application-autoscaling:scalable-dimension": crate::schedule::ECS_DIMENSION,
                }
            }
        }),
        json!({
            "Sid": alarms_sid,
            "Effect": "Allow",
            "Action": "cloudwatch:DescribeAlarms",
            "Resource": alarms,
        }),
    ]
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

    fn scope() -> Scope {
        Scope {
            account: "123456789012".into(),
            region: "us-east-1".into(),
        }
    }

    #[test]
    fn services_are_sorted_and_deduplicated() {
        let services = [id("prod", "web"), id("prod", "api"), id("prod", "web")];
        let both = json!([
            "arn:aws:ecs:us-east-1:123456789012:service/prod/api",
            "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
        ]);
        let doc = execution_policy(&scope(), &services, None, None, false, &[]).unwrap();
        assert_eq!(doc["Statement"][0]["Resource"], both);
        assert_eq!(doc["Statement"].as_array().unwrap().len(), 1);
        // Autoscaling-aware schedules: RegisterScalableTarget on the account's ECS task-count
        // targets in the Region, and the reads Application Auto Scaling's guide lists.
        let doc = execution_policy(&scope(), &services, None, None, true, &[]).unwrap();
        let statements = doc["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 3);
        assert_eq!(
            statements[0]["Action"],
            json!(["ecs:UpdateService", "ecs:DescribeServices"])
        );
        assert_eq!(statements[0]["Resource"], both);
        assert_eq!(
            statements[1]["Action"],
            "application-autoscaling:RegisterScalableTarget"
        );
        assert_eq!(
            statements[1]["Resource"],
            "arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/*"
        );
        assert_eq!(
            statements[1]["Condition"]["StringEquals"],
            json!({
                "application-autoscaling:service-namespace": "ecs",
                "application-autoscaling:scalable-dimension": "ecs:service:DesiredCount"
            })
        );
        assert_eq!(statements[2]["Action"], "cloudwatch:DescribeAlarms");
        // Read back from the policy, the scaled services are known again.
        let read = Grants::of(None, Some(&doc));
        assert_eq!(read.scaling.len(), 2);
    }

    /// Every call the operator's commands make themselves is allowed by the operator policy:
    /// the writes `override` and `unschedule` make at once, and the reads of `plan` and `doctor`.
    /// RegisterScalableTarget's statement has its namespace and dimension condition (which the
    /// evaluator leaves undecided).
    #[test]
    fn the_operator_policy_allows_what_the_commands_call() {
        let doc = operator_policy(&scope(), "ecs-onoff-scheduler", "ecs-onoff").unwrap();
        let a = "arn:aws:ecs:us-east-1:123456789012";
        let calls = [
            ("ecs:UpdateService", format!("{a}:service/prod/web")),
            ("ecs:DescribeServices", format!("{a}:service/prod/web")),
            ("ecs:DescribeClusters", format!("{a}:cluster/prod")),
            ("ecs:DescribeCapacityProviders", format!("{a}:capacity-provider/cp")),
            ("ecs:ListServices", "*".to_string()),
            ("ecs:DescribeTaskDefinition", "*".to_string()),
            (
                "autoscaling:UpdateAutoScalingGroup",
                "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:8e1f:autoScalingGroupName/nodes"
                    .to_string(),
            ),
            ("autoscaling:DescribeAutoScalingGroups", "*".to_string()),
            (
                "cloudwatch:DescribeAlarms",
                "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu-high".to_string(),
            ),
            ("application-autoscaling:DescribeScalableTargets", "*".to_string()),
            ("events:ListRules", "*".to_string()),
            (
                "events:ListTargetsByRule",
                "arn:aws:events:us-east-1:123456789012:rule/ops/nightly".to_string(),
            ),
            (
                "sqs:GetQueueUrl",
                "arn:aws:sqs:us-east-1:123456789012:ecs-onoff-dlq".to_string(),
            ),
        ];
        for (action, resource) in &calls {
            assert_eq!(
                policies_allow(std::slice::from_ref(&doc), action, resource),
                Verdict::Allowed,
                "{action} on {resource}"
            );
        }
        assert_eq!(
            policies_allow(
                &[doc],
                "application-autoscaling:RegisterScalableTarget",
                "arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/0ec9"
            ),
            Verdict::Unknown
        );
    }

    #[test]
    fn too_many_services_says_how_many_fit() {
        let services: Vec<ServiceId> = (0..400)
            .map(|i| id("cluster", &format!("service-{i:04}")))
            .collect();
        let err = execution_policy(&scope(), &services, None, None, true, &[]).unwrap_err();
        let IamError::TooManyServices {
            fit, services: n, ..
        } = err
        else {
            panic!("{err}")
        };
        assert_eq!(n, 400);
        assert!(fit > 100 && fit < 400, "{fit}");
        let fits = execution_policy(&scope(), &services[..fit], None, None, true, &[]).unwrap();
        assert!(policy_size(&fits) <= INLINE_POLICY_LIMIT);
        assert!(execution_policy(&scope(), &services[..fit + 1], None, None, true, &[]).is_err());
    }

    #[test]
    fn role_names() {
        assert!(validate_role_name("ecs-onoff_scheduler+=,.@").is_ok());
        assert!(validate_role_name("").is_err());
        assert!(validate_role_name(&"r".repeat(65)).is_err());
        assert!(validate_role_name("bad name").is_err());
        assert!(operator_policy(&scope(), "a/b", "ecs-onoff").is_err());
        let path = "arn:aws:iam::123456789012:role/service-role/ecs-onoff";
        let doc = operator_policy(&scope(), path, "ecs-onoff").unwrap();
        let pass = doc["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == "PassExecutionRoleToScheduler")
            .unwrap();
        assert_eq!(pass["Resource"], path);
        let other = "arn:aws:iam::999999999999:role/ecs-onoff";
        assert!(matches!(
            operator_policy(&scope(), other, "ecs-onoff"),
            Err(IamError::OtherAccount { .. })
        ));
    }

    #[test]
    fn grants_merge_and_read_back() {
        let group = |g: &str| arn::schedule_group_arn("eu-west-1", "123456789012", g);
        let first = Grants {
            groups: BTreeSet::from([group("a")]),
            services: BTreeSet::from(["arn:aws:ecs:eu-west-1:123456789012:service/c/web".into()]),
            ..Grants::default()
        };
        let trust = first.trust_policy("123456789012").unwrap();
        let policy = first.execution_policy().unwrap();
        assert_eq!(Grants::of(Some(&trust), Some(&policy)), first);
        let second = Grants {
            groups: BTreeSet::from([group("b")]),
            queues: BTreeSet::from(["arn:aws:sqs:eu-west-1:123456789012:dlq".into()]),
            ..first.clone()
        };
        let merged = first.union(&second);
        assert_eq!(merged.groups.len(), 2);
        assert_eq!(merged.without(&first).groups, BTreeSet::from([group("b")]));
        assert_eq!(merged.without(&first).queues.len(), 1);
        assert!(first.without(&merged).is_empty());
        let trust = merged.trust_policy("123456789012").unwrap();
        assert_eq!(
            trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceArn"],
            json!([group("a"), group("b")])
        );
        assert_eq!(Grants::of(Some(&trust), None).groups, merged.groups);
        // Other statements of an existing trust policy are kept; ecs-onoff's is replaced.
        let foreign =
            json!({"Effect": "Allow", "Principal": {"AWS": "x"}, "Action": "sts:AssumeRole"});
        let existing = json!({"Statement": [foreign, {"Sid": TRUST_SID}]});
        let kept = with_trust_statement(Some(&existing), &trust);
        assert_eq!(kept["Statement"][0], foreign);
        assert_eq!(kept["Statement"][1], trust["Statement"][0]);
        assert_eq!(kept["Statement"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn role_checks_read_trust_and_permissions() {
        let g = "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/a";
        let other = "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/b";
        let account = "123456789012";
        let ours = Grants {
            groups: BTreeSet::from([g.to_string()]),
            ..Grants::default()
        }
        .trust_policy(account)
        .unwrap();
        assert_eq!(trust_allows(&ours, g, account), Verdict::Allowed);
        assert_eq!(trust_allows(&ours, other, account), Verdict::Missing);
        // AWS's own example: a group in any Region, with ArnLike.
        let like = json!({"Statement": {"Effect": "Allow",
            "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
            "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:scheduler:*:123456789012:schedule-group/a"}}}});
        assert_eq!(trust_allows(&like, g, account), Verdict::Allowed);
        assert_eq!(trust_allows(&like, other, account), Verdict::Missing);
        let unconditioned = json!({"Statement": [{"Effect": "Allow",
            "Principal": {"Service": ["ec2.amazonaws.com", "scheduler.amazonaws.com"]},
            "Action": ["sts:AssumeRole"]}]});
        assert_eq!(
            trust_allows(&unconditioned, other, account),
            Verdict::Allowed
        );
        let odd = json!({"Statement": [{"Effect": "Allow",
            "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]});
        assert_eq!(trust_allows(&odd, g, account), Verdict::Unknown);

        let web = "arn:aws:ecs:eu-west-1:123456789012:service/c/web";
        let api = "arn:aws:ecs:eu-west-1:123456789012:service/c/api";
        let exact = json!({"Statement": [{"Effect": "Allow", "Action": "ecs:UpdateService", "Resource": web}]});
        assert_eq!(
            policies_allow_update(std::slice::from_ref(&exact), web),
            Verdict::Allowed
        );
        assert_eq!(
            policies_allow_update(std::slice::from_ref(&exact), api),
            Verdict::Missing
        );
        let wide = json!({"Statement": {"Effect": "Allow", "Action": "ecs:*", "Resource": "arn:aws:ecs:eu-west-1:123456789012:service/c/*"}});
        assert_eq!(
            policies_allow_update(&[exact.clone(), wide.clone()], api),
            Verdict::Allowed
        );
        let deny =
            json!({"Statement": [{"Effect": "Deny", "Action": "ecs:Update*", "Resource": "*"}]});
        assert_eq!(policies_allow_update(&[wide, deny], api), Verdict::Missing);
        let conditional = json!({"Statement": [{"Effect": "Allow", "Action": "ecs:UpdateService",
            "Resource": "*", "Condition": {"StringEquals": {"ecs:cluster": "x"}}}]});
        assert_eq!(policies_allow_update(&[conditional], api), Verdict::Unknown);
        assert!(glob("a*c?e", "abbbcde", false));
        assert!(!glob("a*c?e", "abbbce", false));
        assert!(glob("ECS:update*", "ecs:UpdateService", true));
    }

    #[test]
    fn size_ignores_whitespace() {
        let doc = trust_policy(&scope(), "ecs-onoff").unwrap();
        assert_eq!(policy_size(&doc), doc.to_string().len());
        let pretty = serde_json::to_string_pretty(&doc).unwrap();
        assert!(pretty.len() > policy_size(&doc));
    }
}

/// Whether IAM documents allow something, as far as ecs-onoff can tell without IAM's own
/// evaluation: statements with conditions it does not read make the answer unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Missing,
    Unknown,
}

/// IAM's wildcard match: `*` any run of characters, `?` any one.
fn glob(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if ignore_case {
            s.to_ascii_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (p, t) = (fold(pattern), fold(text));
    // Iterative match with backtracking to the last `*`.
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn effect_is(statement: &Value, effect: &str) -> bool {
    statement.get("Effect").and_then(Value::as_str) == Some(effect)
}

fn matches_any(values: Option<&Value>, text: &str, ignore_case: bool) -> bool {
    strings(values).iter().any(|p| glob(p, text, ignore_case))
}

/// Whether a trust policy lets Scheduler assume the role for schedules in `group_arn`.
pub fn trust_allows(trust: &Value, group_arn: &str, account: &str) -> Verdict {
    let mut verdict = Verdict::Missing;
    for s in statements(trust) {
        let principal = s.get("Principal").and_then(|p| p.get("Service"));
        if !effect_is(s, "Allow")
            || !matches_any(principal, "scheduler.amazonaws.com", true)
            || !matches_any(s.get("Action"), "sts:AssumeRole", true)
        {
            continue;
        }
        let Some(conditions) = s.get("Condition").and_then(Value::as_object) else {
            return Verdict::Allowed;
        };
        let mut all = Verdict::Allowed;
        for (operator, keys) in conditions {
            let Some(keys) = keys.as_object() else {
                all = Verdict::Unknown;
                continue;
            };
            for (key, values) in keys {
                let wanted = match key.as_str() {
                    "aws:SourceArn" => group_arn,
                    "aws:SourceAccount" => account,
                    _ => {
                        all = Verdict::Unknown;
                        continue;
                    }
                };
                let hit = match operator.as_str() {
                    "StringEquals" | "ArnEquals" => {
                        strings(Some(values)).iter().any(|v| v == wanted)
                    }
                    "StringLike" | "ArnLike" => matches_any(Some(values), wanted, false),
                    _ => {
                        all = Verdict::Unknown;
                        continue;
                    }
                };
                if !hit {
                    all = Verdict::Missing;
                }
            }
            if all == Verdict::Missing {
                break;
            }
        }
        match all {
            Verdict::Allowed => return Verdict::Allowed,
            Verdict::Unknown => verdict = Verdict::Unknown,
            Verdict::Missing => {}
        }
    }
    verdict
}

/// Whether permission policies let the role call ecs:UpdateService on `service_arn`.
pub fn policies_allow_update(policies: &[Value], service_arn: &str) -> Verdict {
    policies_allow(policies, "ecs:UpdateService", service_arn)
}

/// Whether the policies allow an action on a resource: `Unknown` when a statement that could
/// decide it has a condition, NotAction or NotResource.
pub fn policies_allow(policies: &[Value], action: &str, resource: &str) -> Verdict {
    let (mut allowed, mut unknown) = (false, false);
    for s in policies.iter().flat_map(statements) {
        if ["NotAction", "NotResource"]
            .iter()
            .any(|k| s.get(k).is_some())
        {
            unknown = true;
            continue;
        }
        if !matches_any(s.get("Action"), action, true)
            || !matches_any(s.get("Resource"), resource, false)
        {
            continue;
        }
        if effect_is(s, "Deny") {
            return Verdict::Missing;
        }
        if s.get("Condition").is_some() {
            unknown = true;
        } else if effect_is(s, "Allow") {
            allowed = true;
        }
    }
    match (allowed, unknown) {
        (true, _) => Verdict::Allowed,
        (false, true) => Verdict::Unknown,
        (false, false) => Verdict::Missing,
    }
}

/// An execution role's documents: its trust policy and every permission policy (inline ones,
/// and the default version of each attached managed policy).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleDocuments {
    pub trust: Option<Value>,
    pub policies: Vec<Value>,
}

/// What reading an execution role found.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleRead {
    Read(RoleDocuments),
    /// The role does not exist.
    Missing,
    /// The role could not be read (no permission, another account): why.
    Unchecked(String),
}
