//! The only code that talks to AWS: one connection policy (credentials, Region, retries,
//! timeouts), typed errors, and thin wrappers over the Scheduler, ECS, Application Auto Scaling,
//! IAM and STS clients that convert to and from core types.

pub mod autoscaling;
pub mod ecs;
pub mod iam;
pub mod scheduler;
pub mod sts;

use crate::arn::Region;
use crate::exit::InvalidInput;
use crate::spec::{ClientKey, Connection};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_scheduler::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use std::collections::BTreeMap;
use std::time::Duration;

/// Attempts per request, for every command: the SDK backs off exponentially between them on
/// throttling, 5xx and connection errors.
pub const MAX_ATTEMPTS: u32 = 8;
/// How long a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How to reach AWS, from the global flags.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub region: Option<Region>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// Longest one attempt of a request may take; a whole request (all attempts) gets
    /// [`MAX_ATTEMPTS`] times as long.
    pub timeout: Duration,
}

impl Settings {
    /// The Region of the flags or of the environment (`AWS_REGION`, `AWS_DEFAULT_REGION`),
    /// without reading any file or making any call.
    pub fn region_from_flags_or_env(&self) -> Result<Option<Region>, InvalidInput> {
        if let Some(region) = &self.region {
            return Ok(Some(region.clone()));
        }
        ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .map(|r| {
                r.parse()
                    .map_err(|e| InvalidInput::with_context("invalid AWS_REGION", e))
            })
            .transpose()
    }
}

/// What kind of failure an AWS error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    /// The resource exists already, or is being changed by someone else.
    Conflict,
    Throttled,
    AccessDenied,
    /// The request was refused as invalid.
    Invalid,
    /// No answer: a connection failure or a timeout.
    Transport,
    Other,
}

/// An AWS call that failed: which operation, AWS's error code and message, and its kind.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation} failed: {code}: {message}")]
pub struct AwsError {
    pub operation: &'static str,
    pub code: String,
    pub message: String,
    pub kind: ErrorKind,
}

fn kind_of(code: &str) -> ErrorKind {
    match code {
        "ResourceNotFoundException"
        | "NoSuchEntity"
        | "ClusterNotFoundException"
        | "ServiceNotFoundException"
        | "ObjectNotFoundException" => ErrorKind::NotFound,
        "ConflictException" | "EntityAlreadyExists" | "ConcurrentUpdateException" => {
            ErrorKind::Conflict
        }
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "ServiceQuotaExceededException" => ErrorKind::Throttled,
        "AccessDeniedException"
        | "AccessDenied"
        | "UnauthorizedOperation"
        | "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "ExpiredTokenException"
        | "SignatureDoesNotMatch" => ErrorKind::AccessDenied,
        "ValidationException"
        | "InvalidParameterException"
        | "InvalidParameterValue"
        | "MalformedPolicyDocument" => ErrorKind::Invalid,
        _ => ErrorKind::Other,
    }
}

/// At most this many characters of an unexpected response body are shown.
const BODY_EXCERPT: usize = 200;

fn excerpt(raw: &HttpResponse) -> String {
    let status = raw.status().as_u16();
    let body = raw
        .body()
        .bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let body: String = crate::text::printable(body.trim())
        .chars()
        .take(BODY_EXCERPT)
        .collect();
    if body.is_empty() {
        format!("HTTP {status} with an empty body")
    } else {
        format!("HTTP {status}: {body}")
    }
}

/// An error and its causes, each in its own words, without repeats: never a Debug structure.
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

impl AwsError {
    /// Converts an SDK error: AWS's code and message for service errors, and for the rest what
    /// happened in words (never a Debug structure).
    pub fn from_sdk<E>(operation: &'static str, error: SdkError<E, HttpResponse>) -> AwsError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let (code, message, kind) = match &error {
            SdkError::ServiceError(service) => {
                let e = service.err();
                match e.code() {
                    Some(code) => (
                        code.to_string(),
                        e.message().unwrap_or("(no message)").to_string(),
                        kind_of(code),
                    ),
                    None => (
                        "UnexpectedResponse".to_string(),
                        excerpt(service.raw()),
                        ErrorKind::Other,
                    ),
                }
            }
            SdkError::TimeoutError(_) => (
                "Timeout".to_string(),
                "no answer within the timeout (see --timeout)".to_string(),
                ErrorKind::Transport,
            ),
            SdkError::DispatchFailure(d) => (
                "ConnectionError".to_string(),
                if d.is_timeout() {
                    "the connection timed out".to_string()
                } else {
                    causes(&error)
                },
                ErrorKind::Transport,
            ),
            SdkError::ResponseError(r) => (
                "UnexpectedResponse".to_string(),
                excerpt(r.raw()),
                ErrorKind::Transport,
            ),
            _ => ("RequestError".to_string(), causes(&error), ErrorKind::Other),
        };
        AwsError {
            operation,
            code,
            message: crate::text::printable(&message),
            kind,
        }
    }
}

/// Converts SDK results into [`AwsError`]s.
pub trait Call<T> {
    fn call(self, operation: &'static str) -> Result<T, AwsError>;
}

impl<T, E> Call<T> for Result<T, SdkError<E, HttpResponse>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    fn call(self, operation: &'static str) -> Result<T, AwsError> {
        self.map_err(|e| AwsError::from_sdk(operation, e))
    }
}

/// `None` when the thing asked for does not exist; other errors stay errors.
pub fn found<T>(result: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Loads the SDK configuration for a connection: its Region and profile over the flags'.
pub async fn load(
    settings: &Settings,
    connection: &Connection,
) -> anyhow::Result<(ClientKey, SdkConfig)> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(settings.timeout)
                .operation_timeout(settings.timeout * MAX_ATTEMPTS)
                .build(),
        );
    let profile = connection.profile.as_ref().or(settings.profile.as_ref());
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = connection.region.as_ref().or(settings.region.as_ref()) {
        loader = loader.region(aws_config::Region::new(region.to_string()));
    }
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    let region = config.region().ok_or_else(|| {
        InvalidInput::new("no AWS Region is set: pass --region or set AWS_REGION")
    })?;
    let region: Region = region
        .as_ref()
        .parse()
        .map_err(|e| InvalidInput::with_context("invalid Region in the AWS configuration", e))?;
    let key = ClientKey {
        region,
        profile: profile.cloned(),
    };
    Ok((key, config))
}

/// The SDK clients of one account and Region.
#[derive(Debug, Clone)]
pub struct Clients {
    pub config: SdkConfig,
    pub scheduler: aws_sdk_scheduler::Client,
    pub ecs: aws_sdk_ecs::Client,
    pub autoscaling: aws_sdk_applicationautoscaling::Client,
}

impl Clients {
    fn new(config: SdkConfig) -> Clients {
        Clients {
            scheduler: aws_sdk_scheduler::Client::new(&config),
            ecs: aws_sdk_ecs::Client::new(&config),
            autoscaling: aws_sdk_applicationautoscaling::Client::new(&config),
            config,
        }
    }
}

/// One set of clients per resolved connection, built once per run.
#[derive(Debug, Default)]
pub struct Connections {
    keys: BTreeMap<Connection, ClientKey>,
    clients: BTreeMap<ClientKey, Clients>,
}

impl Connections {
    /// Loads the configuration of every distinct connection.
    pub async fn open<'a>(
        settings: &Settings,
        wanted: impl IntoIterator<Item = &'a Connection>,
    ) -> anyhow::Result<Connections> {
        let mut out = Connections::default();
        for connection in wanted {
            if out.keys.contains_key(connection) {
                continue;
            }
            let (key, config) = load(settings, connection).await?;
            out.keys.insert(connection.clone(), key.clone());
            out.clients
                .entry(key)
                .or_insert_with(|| Clients::new(config));
        }
        Ok(out)
    }

    /// The resolved key of a connection that was opened.
    pub fn key(&self, connection: &Connection) -> &ClientKey {
        &self.keys[connection]
    }

    pub fn clients(&self, key: &ClientKey) -> &Clients {
        &self.clients[key]
    }

    pub fn keys(&self) -> impl Iterator<Item = &ClientKey> {
        self.clients.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_kinds_from_codes() {
        assert_eq!(kind_of("ResourceNotFoundException"), ErrorKind::NotFound);
        assert_eq!(kind_of("NoSuchEntity"), ErrorKind::NotFound);
        assert_eq!(kind_of("ConflictException"), ErrorKind::Conflict);
        assert_eq!(kind_of("ThrottlingException"), ErrorKind::Throttled);
        assert_eq!(kind_of("AccessDeniedException"), ErrorKind::AccessDenied);
        assert_eq!(kind_of("ValidationException"), ErrorKind::Invalid);
        assert_eq!(kind_of("SomethingNew"), ErrorKind::Other);
    }

    #[test]
    fn not_found_is_none() {
        let missing = AwsError {
            operation: "GetSchedule",
            code: "ResourceNotFoundException".into(),
            message: "no".into(),
            kind: ErrorKind::NotFound,
        };
        assert!(matches!(found::<()>(Err(missing.clone())), Ok(None)));
        let denied = AwsError {
            kind: ErrorKind::AccessDenied,
            ..missing
        };
        assert!(found::<()>(Err(denied)).is_err());
        assert_eq!(found(Ok(1)).unwrap(), Some(1));
    }
}
