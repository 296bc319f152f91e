//! EventBridge Scheduler calls, converting between SDK types and [`crate::schedule::Schedule`].

use super::{found, AwsError, Call};
use crate::schedule::{Input, RetryPolicy, Schedule, State, Unmanaged};
use aws_sdk_scheduler::types::{
    DeadLetterConfig, FlexibleTimeWindow, FlexibleTimeWindowMode, RetryPolicy as SdkRetry,
    ScheduleState, Tag, Target,
};
use aws_sdk_scheduler::Client;
use aws_smithy_types::DateTime;
use jiff::Timestamp;

fn to_sdk_time(t: Timestamp) -> DateTime {
    DateTime::from_secs(t.as_second())
}

fn from_sdk_time(t: &DateTime) -> Option<Timestamp> {
    Timestamp::from_second(t.secs()).ok()
}

/// A schedule as ListSchedules summarises it.
#[derive(Debug, Clone)]
pub struct Summary {
    pub name: String,
    pub group: String,
    pub target_arn: Option<String>,
}

fn state_of(s: Option<&ScheduleState>) -> Option<State> {
    match s {
        Some(ScheduleState::Enabled) => Some(State::Enabled),
        Some(ScheduleState::Disabled) => Some(State::Disabled),
        _ => None,
    }
}

fn sdk_state(s: State) -> ScheduleState {
    match s {
        State::Enabled => ScheduleState::Enabled,
        State::Disabled => ScheduleState::Disabled,
    }
}

/// Whether a schedule group exists.
pub async fn group_exists(client: &Client, group: &str) -> Result<bool, AwsError> {
    let got = client
        .get_schedule_group()
        .name(group)
        .send()
        .await
        .call("GetScheduleGroup");
    Ok(found(got)?.is_some())
}

/// Creates a schedule group tagged `managed-by=ecs-onoff`.
pub async fn create_group(client: &Client, group: &str) -> Result<(), AwsError> {
    let tag = Tag::builder()
        .key("managed-by")
        .value("ecs-onoff")
        .build()
        .expect("key and value are set");
    client
        .create_schedule_group()
        .name(group)
        .tags(tag)
        .send()
        .await
        .call("CreateScheduleGroup")?;
    Ok(())
}

/// Reads one schedule; `None` when it (or its group) does not exist.
pub async fn get(client: &Client, group: &str, name: &str) -> Result<Option<Schedule>, AwsError> {
    let got = client
        .get_schedule()
        .group_name(group)
        .name(name)
        .send()
        .await
        .call("GetSchedule");
    let Some(out) = found(got)? else {
        return Ok(None);
    };
    let target = out.target();
    let retry = target.and_then(|t| t.retry_policy()).map(|r| RetryPolicy {
        maximum_event_age_seconds: r.maximum_event_age_in_seconds().unwrap_or_default(),
        maximum_retry_attempts: r.maximum_retry_attempts().unwrap_or_default(),
    });
    Ok(Some(Schedule {
        name: out.name().unwrap_or(name).to_string(),
        group: out.group_name().unwrap_or(group).to_string(),
        expression: out.schedule_expression().unwrap_or_default().to_string(),
        timezone: out
            .schedule_expression_timezone()
            .unwrap_or("UTC")
            .to_string(),
        state: state_of(out.state()),
        description: out.description().unwrap_or_default().to_string(),
        flexible_window_off: out
            .flexible_time_window()
            .is_some_and(|w| w.mode() == &FlexibleTimeWindowMode::Off),
        target_arn: target.map(|t| t.arn().to_string()).unwrap_or_default(),
        role_arn: target.map(|t| t.role_arn().to_string()).unwrap_or_default(),
        input: Input::parse(target.and_then(|t| t.input()).unwrap_or_default()),
        retry,
        dead_letter_arn: target
            .and_then(|t| t.dead_letter_config())
            .and_then(|d| d.arn())
            .map(str::to_string),
        start_date: out.start_date().and_then(from_sdk_time),
        end_date: out.end_date().and_then(from_sdk_time),
        created: out.creation_date().and_then(from_sdk_time),
        unmanaged: Unmanaged {
            kms_key_arn: out.kms_key_arn().map(str::to_string),
            action_after_completion: out
                .action_after_completion()
                .map(|a| a.as_str().to_string()),
        },
    }))
}

fn target(s: &Schedule) -> Target {
    let mut target = Target::builder()
        .arn(&s.target_arn)
        .role_arn(&s.role_arn)
        .input(s.input.render());
    if let Some(r) = s.retry {
        target = target.retry_policy(
            SdkRetry::builder()
                .maximum_event_age_in_seconds(r.maximum_event_age_seconds)
                .maximum_retry_attempts(r.maximum_retry_attempts)
                .build(),
        );
    }
    if let Some(dlq) = &s.dead_letter_arn {
        target = target.dead_letter_config(DeadLetterConfig::builder().arn(dlq).build());
    }
    target.build().expect("Arn and RoleArn are set")
}

fn window(s: &Schedule) -> FlexibleTimeWindow {
    FlexibleTimeWindow::builder()
        .mode(if s.flexible_window_off {
            FlexibleTimeWindowMode::Off
        } else {
            FlexibleTimeWindowMode::Flexible
        })
        .build()
        .expect("Mode is set")
}

fn after_completion(s: &Schedule) -> Option<aws_sdk_scheduler::types::ActionAfterCompletion> {
    s.unmanaged
        .action_after_completion
        .as_deref()
        .map(aws_sdk_scheduler::types::ActionAfterCompletion::from)
}

/// CreateSchedule with every managed field.
pub async fn create(client: &Client, s: &Schedule, token: String) -> Result<(), AwsError> {
    client
        .create_schedule()
        .client_token(token)
        .name(&s.name)
        .group_name(&s.group)
        .schedule_expression(&s.expression)
        .schedule_expression_timezone(&s.timezone)
        .set_state(s.state.map(sdk_state))
        .description(&s.description)
        .flexible_time_window(window(s))
        .target(target(s))
        .set_start_date(s.start_date.map(to_sdk_time))
        .set_end_date(s.end_date.map(to_sdk_time))
        .set_kms_key_arn(s.unmanaged.kms_key_arn.clone())
        .set_action_after_completion(after_completion(s))
        .send()
        .await
        .call("CreateSchedule")?;
    Ok(())
}

/// UpdateSchedule replaces the whole schedule, so every field is sent, State included.
pub async fn update(client: &Client, s: &Schedule) -> Result<(), AwsError> {
    client
        .update_schedule()
        .name(&s.name)
        .group_name(&s.group)
        .schedule_expression(&s.expression)
        .schedule_expression_timezone(&s.timezone)
        .state(sdk_state(s.state.unwrap_or(State::Enabled)))
        .description(&s.description)
        .flexible_time_window(window(s))
        .target(target(s))
        .set_start_date(s.start_date.map(to_sdk_time))
        .set_end_date(s.end_date.map(to_sdk_time))
        .set_kms_key_arn(s.unmanaged.kms_key_arn.clone())
        .set_action_after_completion(after_completion(s))
        .send()
        .await
        .call("UpdateSchedule")?;
    Ok(())
}

/// Deletes a schedule; `false` when it did not exist.
pub async fn delete(client: &Client, group: &str, name: &str) -> Result<bool, AwsError> {
    let deleted = client
        .delete_schedule()
        .group_name(group)
        .name(name)
        .send()
        .await
        .call("DeleteSchedule");
    Ok(found(deleted)?.is_some())
}

/// Every schedule in a group (following pagination), optionally by name prefix. A group that
/// does not exist holds no schedules.
pub async fn list(
    client: &Client,
    group: &str,
    prefix: Option<&str>,
) -> Result<Vec<Summary>, AwsError> {
    let mut pages = client
        .list_schedules()
        .group_name(group)
        .set_name_prefix(prefix.map(str::to_string))
        .max_results(100)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let Some(page) = found(page.call("ListSchedules"))? else {
            break;
        };
        for s in page.schedules() {
            out.push(Summary {
                name: s.name().unwrap_or_default().to_string(),
                group: s.group_name().unwrap_or(group).to_string(),
                target_arn: s.target().map(|t| t.arn().to_string()),
            });
        }
    }
    Ok(out)
}

/// Every schedule group: its name and ARN (ListScheduleGroups).
pub async fn groups(client: &Client) -> Result<Vec<(String, String)>, AwsError> {
    let mut pages = client.list_schedule_groups().into_paginator().send();
    let mut groups = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.call("ListScheduleGroups")?;
        for g in page.schedule_groups() {
            if let (Some(name), Some(arn)) = (g.name(), g.arn()) {
                groups.push((name.to_string(), arn.to_string()));
            }
        }
    }
    Ok(groups)
}

/// The schedule groups tagged `managed-by=ecs-onoff`: ListScheduleGroups, then
/// ListTagsForResource for each group.
pub async fn managed_groups(client: &Client) -> Result<Vec<String>, AwsError> {
    let groups = groups(client).await?;
    let mut managed = Vec::new();
    for (name, arn) in groups {
        let tags = client
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .call("ListTagsForResource");
        let Some(tags) = found(tags)? else {
            continue;
        };
        if tags
            .tags()
            .iter()
            .any(|t| t.key() == "managed-by" && t.value() == "ecs-onoff")
        {
            managed.push(name);
        }
    }
    Ok(managed)
}
