//! Application Auto Scaling: the MinCapacity of a service's scalable target, if it has one.

use super::aws_error;
use aws_sdk_applicationautoscaling::types::ServiceNamespace;
use aws_sdk_applicationautoscaling::Client;

/// MinCapacity of every scalable target registered for the service.
pub async fn min_capacities(
    client: &Client,
    cluster: &str,
    service: &str,
) -> anyhow::Result<Vec<i32>> {
    let out = client
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_ids(format!("service/{cluster}/{service}"))
        .send()
        .await
        .map_err(|e| aws_error("DescribeScalableTargets", e))?;
    Ok(out
        .scalable_targets()
        .iter()
        .map(|t| t.min_capacity())
        .collect())
}
