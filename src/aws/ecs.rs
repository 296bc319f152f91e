//! ECS DescribeServices: confirms services exist and reads what planning needs.

use super::{found, AwsError, Call};
use crate::checks::Capacity;
use aws_sdk_ecs::Client;

/// What ecs-onoff needs to know about a service.
#[derive(Debug, Clone)]
pub struct ServiceInfo {
    pub name: String,
    pub arn: String,
    pub status: String,
    pub desired_count: u32,
    pub running_count: u32,
    pub capacity: Capacity,
    /// The DAEMON scheduling strategy: one task per container instance, no desired count.
    pub daemon: bool,
    /// Its task definition's ARN.
    pub task_definition: String,
    /// Its capacity provider strategy: each provider and its weight.
    pub weights: Vec<(String, i32)>,
}

/// The size and platform of a task definition (DescribeTaskDefinition).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskDefinitionInfo {
    /// CPU units and MiB, when the task definition sets them at task level.
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
    /// Ephemeral storage, GiB, when set.
    pub storage: Option<u32>,
    /// `X86_64` or `ARM64`, when set.
    pub arch: Option<String>,
    /// `LINUX`, `WINDOWS_SERVER_2022_CORE`..., when set.
    pub os: Option<String>,
}

/// Reads a task definition's size and platform.
pub async fn task_definition(client: &Client, arn: &str) -> Result<TaskDefinitionInfo, AwsError> {
    let out = client
        .describe_task_definition()
        .task_definition(arn)
        .send()
        .await
        .call("DescribeTaskDefinition")?;
    let Some(td) = out.task_definition() else {
        return Ok(TaskDefinitionInfo::default());
    };
    let number = |s: Option<&str>| s.and_then(|s| s.trim().parse::<u32>().ok());
    let platform = td.runtime_platform();
    Ok(TaskDefinitionInfo {
        cpu: number(td.cpu()),
        memory: number(td.memory()),
        storage: td
            .ephemeral_storage()
            .and_then(|e| u32::try_from(e.size_in_gib()).ok()),
        arch: platform
            .and_then(|p| p.cpu_architecture())
            .map(|a| a.as_str().to_string()),
        os: platform
            .and_then(|p| p.operating_system_family())
            .map(|o| o.as_str().to_string()),
    })
}

/// At most this many services per DescribeServices call (the API's limit).
pub const DESCRIBE_BATCH: usize = 10;

/// Describes up to [`DESCRIBE_BATCH`] services of one cluster; `None` when the cluster does not
/// exist. Services that do not exist are simply not in the list.
pub async fn describe(
    client: &Client,
    cluster: &str,
    services: &[&str],
) -> Result<Option<Vec<ServiceInfo>>, AwsError> {
    let described = client
        .describe_services()
        .cluster(cluster)
        .set_services(Some(services.iter().map(|s| s.to_string()).collect()))
        .send()
        .await
        .call("DescribeServices");
    let Some(out) = found(described)? else {
        return Ok(None);
    };
    let count = |n: i32| u32::try_from(n).unwrap_or(0);
    Ok(Some(
        out.services()
            .iter()
            .map(|s| ServiceInfo {
                name: s.service_name().unwrap_or_default().to_string(),
                arn: s.service_arn().unwrap_or_default().to_string(),
                status: s.status().unwrap_or_default().to_string(),
                desired_count: count(s.desired_count()),
                running_count: count(s.running_count()),
                daemon: s.scheduling_strategy()
                    == Some(&aws_sdk_ecs::types::SchedulingStrategy::Daemon),
                task_definition: s.task_definition().unwrap_or_default().to_string(),
                weights: s
                    .capacity_provider_strategy()
                    .iter()
                    .map(|c| (c.capacity_provider().to_string(), c.weight()))
                    .collect(),
                capacity: Capacity {
                    launch_type: s.launch_type().map(|l| l.as_str().to_string()),
                    capacity_providers: s
                        .capacity_provider_strategy()
                        .iter()
                        .map(|c| c.capacity_provider().to_string())
                        .collect(),
                },
            })
            .collect(),
    ))
}

/// Sets a service's desiredCount now (UpdateService).
pub async fn set_desired_count(
    client: &Client,
    cluster: &str,
    service: &str,
    count: u32,
) -> Result<(), AwsError> {
    client
        .update_service()
        .cluster(cluster)
        .service(service)
        .desired_count(i32::try_from(count).unwrap_or(i32::MAX))
        .send()
        .await
        .call("UpdateService")?;
    Ok(())
}

/// Every service of a cluster (ListServices, following pagination), by name; `None` when the
/// cluster does not exist.
pub async fn list_names(client: &Client, cluster: &str) -> Result<Option<Vec<String>>, AwsError> {
    let mut names = Vec::new();
    let mut pages = client
        .list_services()
        .cluster(cluster)
        .max_results(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let Some(page) = found(page.call("ListServices"))? else {
            return Ok(None);
        };
        names.extend(
            page.service_arns()
                .iter()
                .filter_map(|arn| arn.rsplit('/').next().map(str::to_string)),
        );
    }
    Ok(Some(names))
}

/// The status and tags of up to [`DESCRIBE_BATCH`] services of one cluster (DescribeServices
/// with TAGS).
pub async fn tags(
    client: &Client,
    cluster: &str,
    services: &[String],
) -> Result<Vec<(String, String, std::collections::BTreeMap<String, String>)>, AwsError> {
    let out = client
        .describe_services()
        .cluster(cluster)
        .set_services(Some(services.to_vec()))
        .include(aws_sdk_ecs::types::ServiceField::Tags)
        .send()
        .await
        .call("DescribeServices")?;
    Ok(out
        .services()
        .iter()
        .map(|s| {
            let tags = s
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
                .collect();
            (
                s.service_name().unwrap_or_default().to_string(),
                s.status().unwrap_or_default().to_string(),
                tags,
            )
        })
        .collect())
}

/// The capacity providers of a cluster's default strategy; `None` when the cluster does not
/// exist.
pub async fn default_strategy(
    client: &Client,
    cluster: &str,
) -> Result<Option<Vec<String>>, AwsError> {
    let out = client
        .describe_clusters()
        .clusters(cluster)
        .send()
        .await
        .call("DescribeClusters")?;
    Ok(out.clusters().first().map(|c| {
        c.default_capacity_provider_strategy()
            .iter()
            .map(|s| s.capacity_provider().to_string())
            .collect()
    }))
}

/// An EC2 capacity provider: its Auto Scaling group's ARN and whether managed scaling is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderInfo {
    pub name: String,
    pub group_arn: Option<String>,
    pub managed: bool,
    /// Managed termination protection is on (with managed scaling): ECS lifts the scale-in
    /// protection of instances that run no tasks.
    pub lifts_protection: bool,
}

/// At most this many names per DescribeCapacityProviders call (the API's limit).
pub const PROVIDERS_BATCH: usize = 100;

/// Describes the named capacity providers (those that do not exist are absent).
pub async fn providers(client: &Client, names: &[String]) -> Result<Vec<ProviderInfo>, AwsError> {
    let mut out = Vec::new();
    for chunk in names.chunks(PROVIDERS_BATCH) {
        let described = client
            .describe_capacity_providers()
            .set_capacity_providers(Some(chunk.to_vec()))
            .send()
            .await
            .call("DescribeCapacityProviders")?;
        for p in described.capacity_providers() {
            let asg = p.auto_scaling_group_provider();
            let managed = asg
                .and_then(|a| a.managed_scaling())
                .and_then(|m| m.status())
                == Some(&aws_sdk_ecs::types::ManagedScalingStatus::Enabled);
            out.push(ProviderInfo {
                name: p.name().unwrap_or_default().to_string(),
                group_arn: asg.map(|a| a.auto_scaling_group_arn().to_string()),
                managed,
                lifts_protection: managed
                    && asg.and_then(|a| a.managed_termination_protection())
                        == Some(&aws_sdk_ecs::types::ManagedTerminationProtection::Enabled),
            });
        }
    }
    Ok(out)
}

/// How services are placed, and the EC2 capacity providers they name.
#[derive(Debug, Clone, Default)]
pub struct Placements {
    /// One per service asked about, in order.
    pub of: Vec<crate::capacity::Placement>,
    /// Every EC2 capacity provider named there, by name (one that does not exist is absent).
    pub providers: std::collections::HashMap<String, ProviderInfo>,
}

impl Placements {
    /// The Auto Scaling group and managed scaling of each named provider that has a group.
    pub fn groups(&self, names: &[String]) -> Vec<(crate::capacity::AsgName, bool)> {
        names
            .iter()
            .filter_map(|n| {
                let p = self.providers.get(n)?;
                Some((
                    crate::capacity::AsgName::from_arn(p.group_arn.as_deref()?)?,
                    p.managed,
                ))
            })
            .collect()
    }

    /// Whether a provider of this group has managed termination protection, so that ECS lifts
    /// the scale-in protection of its idle instances.
    pub fn lifts_protection(&self, group: &crate::capacity::AsgName) -> bool {
        self.providers.values().any(|p| {
            p.lifts_protection
                && p.group_arn
                    .as_deref()
                    .and_then(crate::capacity::AsgName::from_arn)
                    .as_ref()
                    == Some(group)
        })
    }
}

/// How each `(cluster, capacity)` of services of one client is placed: by its launch type and
/// capacity provider strategy, else by its cluster's default strategy (DescribeClusters, once a
/// cluster and only when a service needs it); then every EC2 provider they name, described once.
pub async fn placements(
    client: &Client,
    services: &[(&str, &Capacity)],
) -> Result<Placements, AwsError> {
    use crate::capacity::Placement;
    let mut defaults: std::collections::HashMap<&str, Vec<String>> = Default::default();
    let mut of = Vec::with_capacity(services.len());
    for (cluster, c) in services {
        let needs_default = c.launch_type.is_none() && c.capacity_providers.is_empty();
        if needs_default && !defaults.contains_key(cluster) {
            let default = default_strategy(client, cluster).await?.unwrap_or_default();
            defaults.insert(cluster, default);
        }
        let default = defaults.get(cluster).map_or(&[][..], Vec::as_slice);
        of.push(Placement::of(
            c.launch_type.as_deref(),
            &c.capacity_providers,
            default,
        ));
    }
    let names: Vec<String> = of
        .iter()
        .filter_map(|p| match p {
            Placement::Providers(names) => Some(names.iter().cloned()),
            _ => None,
        })
        .flatten()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let providers = if names.is_empty() {
        Default::default()
    } else {
        providers(client, &names)
            .await?
            .into_iter()
            .map(|p| (p.name.clone(), p))
            .collect()
    };
    Ok(Placements { of, providers })
}
