//! Application Auto Scaling: the bounds of services' scalable targets.

use super::{AwsError, Call};
use crate::schedule::Bounds;
use aws_sdk_applicationautoscaling::types::ServiceNamespace;
use aws_sdk_applicationautoscaling::Client;
use std::collections::HashMap;

/// At most this many resource ids per DescribeScalableTargets call (the API's limit).
pub const DESCRIBE_BATCH: usize = 50;

/// The ECS resource id of a service, `service/<cluster>/<service>`.
pub fn resource_id(cluster: &str, service: &str) -> String {
    format!("service/{cluster}/{service}")
}

/// The bounds of every scalable target registered for the given resource ids, by id (ids
/// without a target are absent).
pub async fn bounds(
    client: &Client,
    resource_ids: &[String],
) -> Result<HashMap<String, Vec<Bounds>>, AwsError> {
    let mut out: HashMap<String, Vec<Bounds>> = HashMap::new();
    let mut pages = client
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .set_resource_ids(Some(resource_ids.to_vec()))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for t in page.call("DescribeScalableTargets")?.scalable_targets() {
            if t.scalable_dimension().as_str() != crate::schedule::ECS_DIMENSION {
                continue;
            }
            out.entry(t.resource_id().to_string())
                .or_default()
                .push(Bounds {
                    min: t.min_capacity().max(0) as u32,
                    max: t.max_capacity().max(0) as u32,
                });
        }
    }
    Ok(out)
}

/// The scheduled actions of a service's target: name and schedule of each.
pub async fn scheduled_actions(
    client: &Client,
    resource_id: &str,
) -> Result<Vec<(String, String)>, AwsError> {
    let mut out = Vec::new();
    let mut pages = client
        .describe_scheduled_actions()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id(resource_id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for a in page.call("DescribeScheduledActions")?.scheduled_actions() {
            out.push((
                a.scheduled_action_name().to_string(),
                a.schedule().to_string(),
            ));
        }
    }
    Ok(out)
}

/// Sets the bounds of a service's scalable target (RegisterScalableTarget on the existing
/// target); Application Auto Scaling moves the count into them.
pub async fn register(
    client: &Client,
    id: &crate::schedule::ServiceId,
    bounds: Bounds,
) -> Result<(), AwsError> {
    let as_i32 = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    client
        .register_scalable_target()
        .service_namespace(ServiceNamespace::Ecs)
        .scalable_dimension(
            aws_sdk_applicationautoscaling::types::ScalableDimension::EcsServiceDesiredCount,
        )
        .resource_id(resource_id(&id.cluster, &id.service))
        .min_capacity(as_i32(bounds.min))
        .max_capacity(as_i32(bounds.max))
        .send()
        .await
        .call("RegisterScalableTarget")?;
    Ok(())
}
