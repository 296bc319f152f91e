//! EventBridge: the targets of the account's rules in a Region, for doctor to find rules whose
//! input names a service (a rule cannot call UpdateService itself, but a Lambda function, a Step
//! Functions state machine or an SSM Automation runbook it starts can).

use super::{AwsError, Call};
use crate::doctor::RuleTarget;
use aws_sdk_eventbridge::types::RuleState;
use aws_sdk_eventbridge::Client;

/// Every target of every enabled rule on every event bus of the client's Region, with the text
/// it sends (its constant Input or its input template). Targets that run ECS tasks
/// (EcsParameters) are left out: RunTask does not change a service.
pub async fn rule_targets(client: &Client) -> Result<Vec<RuleTarget>, AwsError> {
    let mut buses = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_event_buses()
            .set_next_token(token)
            .send()
            .await
            .call("ListEventBuses")?;
        buses.extend(
            page.event_buses()
                .iter()
                .filter_map(|b| b.name().map(str::to_string)),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let mut out = Vec::new();
    for bus in buses {
        let mut token = None;
        loop {
            let page = client
                .list_rules()
                .event_bus_name(&bus)
                .set_next_token(token)
                .send()
                .await
                .call("ListRules")?;
            for rule in page.rules() {
                // ENABLED, or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS: it fires.
                let Some(name) = rule.name() else {
                    continue;
                };
                if matches!(rule.state(), Some(RuleState::Disabled) | None) {
                    continue;
                }
                let fires = rule.schedule_expression().map(str::to_string);
                out.extend(targets(client, &bus, name).await?.into_iter().map(
                    |(target_arn, input)| RuleTarget {
                        bus: bus.clone(),
                        rule: name.to_string(),
                        fires: fires.clone(),
                        target_arn,
                        input,
                    },
                ));
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(out)
}

/// The targets of one rule that do not run ECS tasks: each target's ARN and the text it sends.
async fn targets(
    client: &Client,
    bus: &str,
    rule: &str,
) -> Result<Vec<(String, Option<String>)>, AwsError> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_targets_by_rule()
            .rule(rule)
            .event_bus_name(bus)
            .set_next_token(token)
            .send()
            .await
            .call("ListTargetsByRule")?;
        for t in page.targets() {
            if t.ecs_parameters().is_some() {
                continue;
            }
            let input = t.input().map(str::to_string).or_else(|| {
                t.input_transformer()
                    .map(|x| x.input_template().to_string())
            });
            out.push((t.arn().to_string(), input));
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}
