//! ECS DescribeServices: confirms services exist and reads what the checks need.

use super::aws_error;
use crate::checks::Capacity;
use crate::exit::InvalidInput;
use aws_sdk_ecs::Client;

/// What ecs-onoff needs to know about a service.
#[derive(Debug, Clone)]
pub struct ServiceInfo {
    pub name: String,
    pub arn: String,
    pub status: String,
    pub desired_count: i32,
    pub running_count: i32,
    pub capacity: Capacity,
}

/// Describes up to 10 services of one cluster. An unknown cluster is invalid input; services
/// that do not exist come back in the second list.
pub async fn describe(
    client: &Client,
    cluster: &str,
    services: &[&str],
) -> anyhow::Result<(Vec<ServiceInfo>, Vec<String>)> {
    let out = match client
        .describe_services()
        .cluster(cluster)
        .set_services(Some(services.iter().map(|s| s.to_string()).collect()))
        .send()
        .await
    {
        Ok(out) => out,
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_cluster_not_found_exception()) =>
        {
            return Err(InvalidInput(format!(
                "cluster '{cluster}' was not found in this account and Region"
            ))
            .into())
        }
        Err(e) => return Err(aws_error("DescribeServices", e)),
    };
    let found: Vec<ServiceInfo> = out
        .services()
        .iter()
        .map(|s| ServiceInfo {
            name: s.service_name().unwrap_or_default().to_string(),
            arn: s.service_arn().unwrap_or_default().to_string(),
            status: s.status().unwrap_or_default().to_string(),
            desired_count: s.desired_count(),
            running_count: s.running_count(),
            capacity: Capacity {
                launch_type: s.launch_type().map(|l| l.as_str().to_string()),
                capacity_providers: s
                    .capacity_provider_strategy()
                    .iter()
                    .map(|c| c.capacity_provider().to_string())
                    .collect(),
            },
        })
        .collect();
    let missing = services
        .iter()
        .filter(|name| {
            !found
                .iter()
                .any(|f| f.name == **name && f.status == "ACTIVE")
        })
        .map(|s| s.to_string())
        .collect();
    Ok((found, missing))
}
