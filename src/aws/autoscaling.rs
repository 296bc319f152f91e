//! Application Auto Scaling: the MinCapacity of services' scalable targets.

use super::{AwsError, Call};
use aws_sdk_applicationautoscaling::types::ServiceNamespace;
use aws_sdk_applicationautoscaling::Client;
use std::collections::HashMap;

/// At most this many resource ids per DescribeScalableTargets call (the API's limit).
pub const DESCRIBE_BATCH: usize = 50;

/// The ECS resource id of a service, `service/<cluster>/<service>`.
pub fn resource_id(cluster: &str, service: &str) -> String {
    format!("service/{cluster}/{service}")
}

/// MinCapacity of every scalable target registered for the given resource ids, by id (ids
/// without a target are absent).
pub async fn min_capacities(
    client: &Client,
    resource_ids: &[String],
) -> Result<HashMap<String, Vec<i32>>, AwsError> {
    let mut out: HashMap<String, Vec<i32>> = HashMap::new();
    let mut pages = client
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .set_resource_ids(Some(resource_ids.to_vec()))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for t in page.call("DescribeScalableTargets")?.scalable_targets() {
            out.entry(t.resource_id().to_string())
                .or_default()
                .push(t.min_capacity());
        }
    }
    Ok(out)
}
