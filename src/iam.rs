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

/// Trust policy of the execution role.
pub fn trust_policy(scope: &Scope, group: &str) -> Result<Value, IamError> {
    let doc = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowEventBridgeSchedulerForScheduleGroup",
            "Effect": "Allow",
            "Principal": { "Service": "scheduler.amazonaws.com" },
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": scope.account,
                    "aws:SourceArn": arn::schedule_group_arn(&scope.region, &scope.account, group),
                }
            }
        }]
    });
    let size = policy_size(&doc);
    if size > TRUST_POLICY_LIMIT {
        return Err(IamError::TooLarge {
            what: "trust policy",
            size,
            limit: TRUST_POLICY_LIMIT,
        });
    }
    Ok(doc)
}

fn execution_doc(services: &[String], dead_letter_arn: Option<&str>) -> Value {
    let resource = if services.len() == 1 {
        json!(services[0])
    } else {
        json!(services)
    };
    let mut statements = vec![json!({
        "Sid": "UpdateScheduledServices",
        "Effect": "Allow",
        "Action": "ecs:UpdateService",
        "Resource": resource,
    })];
    if let Some(dlq) = dead_letter_arn {
        statements.push(json!({
            "Sid": "SendFailedInvocationsToDeadLetterQueue",
            "Effect": "Allow",
            "Action": "sqs:SendMessage",
            "Resource": dlq,
        }));
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// Permissions of the execution role: UpdateService on exactly these services (long-form ARNs,
/// sorted, duplicates removed), plus SendMessage on the dead-letter queue.
pub fn execution_policy(
    scope: &Scope,
    services: &[ServiceId],
    dead_letter_arn: Option<&str>,
) -> Result<Value, IamError> {
    if services.is_empty() {
        return Err(IamError::NoServices);
    }
    let mut arns: Vec<String> = services
        .iter()
        .map(|id| arn::service_arn(&scope.region, &scope.account, &id.cluster, &id.service))
        .collect();
    arns.sort();
    arns.dedup();
    let doc = execution_doc(&arns, dead_letter_arn);
    let size = policy_size(&doc);
    if size <= INLINE_POLICY_LIMIT {
        return Ok(doc);
    }
    // The largest prefix that fits: sizes grow with every service, so search.
    let (mut lo, mut hi) = (0, arns.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if policy_size(&execution_doc(&arns[..mid], dead_letter_arn)) <= INLINE_POLICY_LIMIT {
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

/// What an operator (a person or a CI runner) needs to run `schedule`, `unschedule`, `list` and
/// `status` against one schedule group, passing one execution role.
pub fn operator_policy(scope: &Scope, role_name: &str, group: &str) -> Result<Value, IamError> {
    validate_role_name(role_name)?;
    let p = scope.partition();
    let (region, account) = (&scope.region, &scope.account);
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
                "Sid": "ListSchedules",
                "Effect": "Allow",
                "Action": "scheduler:ListSchedules",
                "Resource": "*",
            },
            {
                "Sid": "PassExecutionRoleToScheduler",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": format!("arn:{p}:iam::{account}:role/{role_name}"),
                "Condition": {
                    "StringEquals": { "iam:PassedToService": "scheduler.amazonaws.com" }
                },
            },
            {
                "Sid": "ReadServices",
                "Effect": "Allow",
                "Action": "ecs:DescribeServices",
                "Resource": format!("arn:{p}:ecs:{region}:{account}:service/*"),
            },
            {
                "Sid": "ReadScalableTargets",
                "Effect": "Allow",
                "Action": "application-autoscaling:DescribeScalableTargets",
                "Resource": "*",
            }
        ]
    });
    let size = policy_size(&doc);
    if size > MANAGED_POLICY_LIMIT {
        return Err(IamError::TooLarge {
            what: "operator policy",
            size,
            limit: MANAGED_POLICY_LIMIT,
        });
    }
    Ok(doc)
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
        let doc = execution_policy(
            &scope(),
            &[id("prod", "web"), id("prod", "api"), id("prod", "web")],
            None,
        )
        .unwrap();
        assert_eq!(
            doc["Statement"][0]["Resource"],
            json!([
                "arn:aws:ecs:us-east-1:123456789012:service/prod/api",
                "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
            ])
        );
        assert_eq!(doc["Statement"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn too_many_services_says_how_many_fit() {
        let services: Vec<ServiceId> = (0..400)
            .map(|i| id("cluster", &format!("service-{i:04}")))
            .collect();
        let err = execution_policy(&scope(), &services, None).unwrap_err();
        let IamError::TooManyServices {
            fit, services: n, ..
        } = err
        else {
            panic!("{err}")
        };
        assert_eq!(n, 400);
        assert!(fit > 100 && fit < 400, "{fit}");
        let fits = execution_policy(&scope(), &services[..fit], None).unwrap();
        assert!(policy_size(&fits) <= INLINE_POLICY_LIMIT);
        assert!(execution_policy(&scope(), &services[..fit + 1], None).is_err());
    }

    #[test]
    fn role_names() {
        assert!(validate_role_name("ecs-onoff_scheduler+=,.@").is_ok());
        assert!(validate_role_name("").is_err());
        assert!(validate_role_name(&"r".repeat(65)).is_err());
        assert!(validate_role_name("bad name").is_err());
        assert!(operator_policy(&scope(), "a/b", "ecs-onoff").is_err());
    }

    #[test]
    fn size_ignores_whitespace() {
        let doc = trust_policy(&scope(), "ecs-onoff").unwrap();
        assert_eq!(policy_size(&doc), doc.to_string().len());
        let pretty = serde_json::to_string_pretty(&doc).unwrap();
        assert!(pretty.len() > policy_size(&doc));
    }
}
