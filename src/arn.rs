//! AWS identifiers ecs-onoff reads and writes: regions and their partitions, account ids, and the
//! ARNs of roles, queues, services, schedule groups and the Scheduler universal target.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("region '{0}' is not an AWS Region code such as us-east-1 or ap-northeast-2")]
    Region(String),
    #[error("account id '{0}' is not 12 digits")]
    Account(String),
    #[error("role ARN '{0}' is not an IAM role ARN such as arn:aws:iam::123456789012:role/ecs-onoff-scheduler")]
    Role(String),
    #[error("dead-letter ARN '{0}' is not a standard SQS queue ARN such as arn:aws:sqs:us-east-1:123456789012:ecs-onoff-dlq{1}")]
    Queue(String, &'static str),
    #[error("topic ARN '{0}' is not a standard SNS topic ARN such as arn:aws:sns:eu-central-1:123456789012:staging-heads-up{1}")]
    Topic(String, &'static str),
}

validated_string!(
    /// An AWS Region code such as `eu-central-1`.
    Region,
    IdError,
    validate_region
);
validated_string!(
    /// A 12-digit AWS account id.
    AccountId,
    IdError,
    validate_account
);
validated_string!(
    /// The ARN of an IAM role, as Scheduler's `RoleArn` takes it.
    RoleArn,
    IdError,
    validate_role_arn
);
validated_string!(
    /// The ARN of a standard SQS queue (a dead-letter queue).
    QueueArn,
    IdError,
    validate_queue_arn
);

validated_string!(
    /// The ARN of an SNS topic (heads-up notifications).
    TopicArn,
    IdError,
    validate_topic_arn
);

impl TopicArn {
    /// The partition named in the ARN.
    pub fn partition(&self) -> &str {
        arn_parts(&self.0).map_or("aws", |p| p[0])
    }

    /// The Region named in the ARN.
    pub fn region(&self) -> &str {
        arn_parts(&self.0).map_or("", |p| p[2])
    }
}

/// A standard SNS topic ARN: `arn:<partition>:sns:<region>:<12 digits>:<name>`, the name 1-256
/// letters, digits, hyphens and underscores. A FIFO topic (`.fifo`) is refused: Publish to it
/// needs a message group id, which a heads-up has no use for.
pub fn validate_topic_arn(arn: &str) -> Result<(), IdError> {
    let bad = || IdError::Topic(arn.to_string(), "");
    let [_, service, region, account, name] = arn_parts(arn).ok_or_else(bad)?;
    if name.ends_with(".fifo") {
        return Err(IdError::Topic(
            arn.to_string(),
            " (a FIFO topic needs a message group id; use a standard topic)",
        ));
    }
    let name_ok = !name.is_empty()
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if service == "sns"
        && validate_region(region).is_ok()
        && validate_account(account).is_ok()
        && name_ok
    {
        Ok(())
    } else {
        Err(bad())
    }
}

impl Region {
    pub fn partition(&self) -> &'static str {
        partition(&self.0)
    }
}

impl RoleArn {
    /// The account the role belongs to.
    pub fn account(&self) -> &str {
        account_of(&self.0).unwrap_or_default()
    }

    /// The partition named in the ARN.
    pub fn partition(&self) -> &str {
        arn_parts(&self.0).map_or("aws", |p| p[0])
    }
}

/// The partition a Region belongs to: `aws-cn` for China, `aws-us-gov` for GovCloud, else `aws`.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// A Region code: lower-case words joined by hyphens, ending in a number (`us-gov-west-1`).
pub fn validate_region(region: &str) -> Result<(), IdError> {
    let parts: Vec<&str> = region.split('-').collect();
    let ok = parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[0].len() == 2
        && parts.last().is_some_and(|n| {
            !n.is_empty() && n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(IdError::Region(region.to_string()))
    }
}

pub fn validate_account(account: &str) -> Result<(), IdError> {
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(IdError::Account(account.to_string()))
    }
}

/// Splits `arn:partition:service:region:account:resource`.
fn arn_parts(arn: &str) -> Option<[&str; 5]> {
    let mut it = arn.splitn(6, ':');
    if it.next()? != "arn" {
        return None;
    }
    let partition = it.next()?;
    if !matches!(partition, "aws" | "aws-cn" | "aws-us-gov") {
        return None;
    }
    Some([partition, it.next()?, it.next()?, it.next()?, it.next()?])
}

/// An IAM role ARN as Scheduler's `RoleArn` takes it: `arn:<partition>:iam::<12 digits>:role/<path/name>`.
pub fn validate_role_arn(arn: &str) -> Result<(), IdError> {
    let bad = || IdError::Role(arn.to_string());
    let [_, service, region, account, resource] = arn_parts(arn).ok_or_else(bad)?;
    let name = resource.strip_prefix("role/").ok_or_else(bad)?;
    let role_name = name.rsplit('/').next().unwrap_or("");
    let name_ok = !role_name.is_empty()
        && role_name.len() <= 64
        && name.len() <= 512
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c));
    if service == "iam" && region.is_empty() && validate_account(account).is_ok() && name_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

/// A standard (not FIFO) SQS queue ARN, the only kind Scheduler takes as a dead-letter queue.
pub fn validate_queue_arn(arn: &str) -> Result<(), IdError> {
    let bad = |hint| IdError::Queue(arn.to_string(), hint);
    let [_, service, region, account, name] = arn_parts(arn).ok_or_else(|| bad(""))?;
    let name_ok = !name.is_empty()
        && name.len() <= 80
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if name.ends_with(".fifo") {
        return Err(bad(
            " (FIFO queues cannot be dead-letter queues for Scheduler)",
        ));
    }
    if service == "sqs"
        && validate_region(region).is_ok()
        && validate_account(account).is_ok()
        && name_ok
    {
        Ok(())
    } else {
        Err(bad(""))
    }
}

/// The account id inside an ARN.
pub fn account_of(arn: &str) -> Option<&str> {
    arn_parts(arn).map(|p| p[3])
}

/// How the universal target that calls ECS UpdateService ends, after `arn:<partition>`.
pub const UPDATE_SERVICE_TARGET_SUFFIX: &str = ":scheduler:::aws-sdk:ecs:updateService";

/// How the universal target that calls SNS Publish ends, after `arn:<partition>`.
pub const PUBLISH_TARGET_SUFFIX: &str = ":scheduler:::aws-sdk:sns:publish";

/// The universal target that calls SNS Publish.
pub fn publish_target(partition: &str) -> String {
    format!("arn:{partition}{PUBLISH_TARGET_SUFFIX}")
}

/// The universal target that calls ECS UpdateService.
pub fn update_service_target(partition: &str) -> String {
    format!("arn:{partition}{UPDATE_SERVICE_TARGET_SUFFIX}")
}

/// How the universal target that calls Application Auto Scaling RegisterScalableTarget ends,
/// after `arn:<partition>` (the SDK service identifier `applicationautoscaling`).
pub const REGISTER_TARGET_SUFFIX: &str =
    ":scheduler:::aws-sdk:applicationautoscaling:registerScalableTarget";

pub fn register_target(partition: &str) -> String {
    format!("arn:{partition}{REGISTER_TARGET_SUFFIX}")
}

/// How the universal target that calls EC2 Auto Scaling UpdateAutoScalingGroup ends, after
/// `arn:<partition>` (the SDK service identifier `autoscaling`).
pub const UPDATE_GROUP_TARGET_SUFFIX: &str =
    ":scheduler:::aws-sdk:autoscaling:updateAutoScalingGroup";

/// The universal target that calls EC2 Auto Scaling UpdateAutoScalingGroup.
pub fn update_group_target(partition: &str) -> String {
    format!("arn:{partition}{UPDATE_GROUP_TARGET_SUFFIX}")
}

pub fn schedule_group_arn(region: &str, account: &str, group: &str) -> String {
    format!(
        "arn:{}:scheduler:{region}:{account}:schedule-group/{group}",
        partition(region)
    )
}

/// The long-form ECS service ARN, `service/<cluster>/<service>`.
pub fn service_arn(region: &str, account: &str, cluster: &str, service: &str) -> String {
    format!(
        "arn:{}:ecs:{region}:{account}:service/{cluster}/{service}",
        partition(region)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions() {
        assert_eq!(partition("us-east-1"), "aws");
        assert_eq!(partition("ap-northeast-2"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("cn-northwest-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(
            update_service_target("aws-cn"),
            "arn:aws-cn:scheduler:::aws-sdk:ecs:updateService"
        );
    }

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "cn-north-1",
            "ap-southeast-5",
        ] {
            assert!(validate_region(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "us-east",
            "US-EAST-1",
            "us_east_1",
            "useast1",
            "us-east-1a",
            "u-east-1",
            "us--1",
        ] {
            assert!(validate_region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn role_arns() {
        for ok in [
            "arn:aws:iam::123456789012:role/ecs-onoff",
            "arn:aws:iam::123456789012:role/service-role/ecs-onoff",
            "arn:aws-cn:iam::123456789012:role/a+b=c,d.e@f_g-h",
            "arn:aws-us-gov:iam::123456789012:role/x",
        ] {
            assert!(validate_role_arn(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ecs-onoff",
            "arn:aws:iam::12345678901:role/x",
            "arn:aws:iam:us-east-1:123456789012:role/x",
            "arn:aws:iam::123456789012:user/x",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:sts::123456789012:role/x",
            "arn:azure:iam::123456789012:role/x",
            "arn:aws:iam::123456789012:role/has space",
        ] {
            assert!(validate_role_arn(bad).is_err(), "{bad}");
        }
        assert!(validate_role_arn(&format!(
            "arn:aws:iam::123456789012:role/{}",
            "r".repeat(65)
        ))
        .is_err());
    }

    #[test]
    fn queue_arns() {
        assert!(validate_queue_arn("arn:aws:sqs:us-east-1:123456789012:ecs-onoff-dlq").is_ok());
        let e = validate_queue_arn("arn:aws:sqs:us-east-1:123456789012:dlq.fifo").unwrap_err();
        assert!(e.to_string().contains("FIFO"));
        assert!(validate_queue_arn("arn:aws:sns:us-east-1:123456789012:topic").is_err());
        assert!(validate_queue_arn("arn:aws:sqs::123456789012:q").is_err());
    }

    #[test]
    fn arns_follow_the_partition() {
        assert_eq!(
            service_arn("cn-north-1", "123456789012", "c", "s"),
            "arn:aws-cn:ecs:cn-north-1:123456789012:service/c/s"
        );
        assert_eq!(
            schedule_group_arn("us-gov-east-1", "123456789012", "ecs-onoff"),
            "arn:aws-us-gov:scheduler:us-gov-east-1:123456789012:schedule-group/ecs-onoff"
        );
        assert_eq!(
            account_of("arn:aws:iam::123456789012:role/x"),
            Some("123456789012")
        );
    }
}
