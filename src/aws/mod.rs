//! The only code that talks to AWS: configuration loading, and thin wrappers over the
//! Scheduler, ECS and Application Auto Scaling clients that convert to and from core types.

pub mod autoscaling;
pub mod ecs;
pub mod iam;
pub mod scheduler;
pub mod sts;

use crate::arn;
use crate::cli::GlobalArgs;
use crate::exit::InvalidInput;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_scheduler::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// The Region named by `--region`, else the environment (`AWS_REGION`, `AWS_DEFAULT_REGION`),
/// validated; `None` when neither names one. Reads no files and makes no call.
pub fn region_from_flags_or_env(global: &GlobalArgs) -> anyhow::Result<Option<String>> {
    let region = global.region.clone().or_else(|| {
        ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    });
    if let Some(r) = &region {
        arn::validate_region(r).map_err(|e| InvalidInput(e.to_string()))?;
    }
    Ok(region)
}

/// Loads the SDK configuration from the global flags and the usual AWS sources.
pub async fn load_config(global: &GlobalArgs) -> anyhow::Result<SdkConfig> {
    load_config_for(global, None, None, None).await
}

/// Like [`load_config`], with a Region and profile that override the flags (a fleet entry's),
/// and optionally more retry attempts (the SDK backs off on throttling and 5xx between them).
pub async fn load_config_for(
    global: &GlobalArgs,
    region: Option<&str>,
    profile: Option<&str>,
    max_attempts: Option<u32>,
) -> anyhow::Result<SdkConfig> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = profile.or(global.profile.as_deref()) {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region.or(global.region.as_deref()) {
        arn::validate_region(region).map_err(|e| InvalidInput(e.to_string()))?;
        loader = loader.region(Region::new(region.to_string()));
    }
    if let Some(attempts) = max_attempts {
        loader = loader
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(attempts));
    }
    if let Some(url) = &global.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    match config.region() {
        None => Err(InvalidInput(
            "no AWS Region is set: pass --region or set AWS_REGION".to_string(),
        )
        .into()),
        Some(region) => {
            arn::validate_region(region.as_ref()).map_err(|e| InvalidInput(e.to_string()))?;
            Ok(config)
        }
    }
}

/// The Region of a loaded configuration.
pub fn region_of(config: &SdkConfig) -> String {
    config
        .region()
        .map(|r| r.as_ref().to_string())
        .unwrap_or_default()
}

/// An AWS error as `Code: message` for service errors, or the whole cause chain otherwise.
pub fn aws_error<E, R>(operation: &str, error: SdkError<E, R>) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match &error {
        SdkError::ServiceError(service) => {
            let e = service.err();
            anyhow::anyhow!(
                "{operation} failed: {}: {}",
                e.code().unwrap_or("UnknownError"),
                e.message().unwrap_or("(no message)")
            )
        }
        _ => anyhow::anyhow!("{operation} failed: {}", DisplayErrorContext(&error)),
    }
}
