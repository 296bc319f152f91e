//! EC2 Auto Scaling: the sizes of the groups that carry services' container instances.

use super::{AwsError, Call};
use crate::capacity::{AsgName, GroupRead, GroupSize, Sizes};
use aws_sdk_autoscaling::Client;
use std::collections::HashMap;

/// At most this many names per DescribeAutoScalingGroups call (the API's limit).
pub const DESCRIBE_BATCH: usize = 100;

/// The sizes and scale-in protection of the named groups, by name (groups that do not exist are
/// absent).
pub async fn sizes(
    client: &Client,
    names: &[AsgName],
) -> Result<HashMap<String, GroupRead>, AwsError> {
    let mut out = HashMap::new();
    for chunk in names.chunks(DESCRIBE_BATCH) {
        let mut pages = client
            .describe_auto_scaling_groups()
            .set_auto_scaling_group_names(Some(chunk.iter().map(ToString::to_string).collect()))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.call("DescribeAutoScalingGroups")?;
            for g in page.auto_scaling_groups() {
                let size = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
                let protected = g.new_instances_protected_from_scale_in() == Some(true)
                    || g.instances()
                        .iter()
                        .any(|i| i.protected_from_scale_in() == Some(true));
                out.insert(
                    g.auto_scaling_group_name().unwrap_or_default().to_string(),
                    GroupRead {
                        sizes: Sizes {
                            min: size(g.min_size()),
                            max: size(g.max_size()),
                            desired: size(g.desired_capacity()),
                        },
                        protected,
                    },
                );
            }
        }
    }
    Ok(out)
}

/// Sets a group's sizes now (UpdateAutoScalingGroup), as a capacity schedule would.
pub async fn update(client: &Client, size: &GroupSize) -> Result<(), AwsError> {
    let as_i32 = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    client
        .update_auto_scaling_group()
        .auto_scaling_group_name(size.group.as_str())
        .min_size(as_i32(size.min))
        .set_max_size(size.max.map(as_i32))
        .set_desired_capacity(size.desired.map(as_i32))
        .send()
        .await
        .call("UpdateAutoScalingGroup")?;
    Ok(())
}
