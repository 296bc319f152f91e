//! The only code that talks to AWS: one connection policy (credentials, Region, retries,
//! timeouts), typed errors, and thin wrappers over the Scheduler, ECS, Application Auto Scaling,
//! IAM and STS clients that convert to and from core types.

pub mod asg;
pub mod autoscaling;
pub mod ecs;
pub mod events;
pub mod iam;
pub mod scheduler;
pub mod sqs;
pub mod sts;

use crate::arn::Region;
use crate::exit::InvalidInput;
use crate::spec::{ClientKey, Connection};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_scheduler::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Attempts per request, for every command: the SDK backs off exponentially between them on
/// throttling, 5xx and connection errors.
pub const MAX_ATTEMPTS: u32 = 8;
/// How long a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest wait between two attempts (the SDK's default is 20 s): throttling is handled by
/// adaptive pacing, so long backoffs would only stretch a failing request.
const MAX_BACKOFF: Duration = Duration::from_secs(4);

/// How long one request may take in all: every attempt its full time, plus the longest waits
/// between them. Bounded, so that no command waits forever.
pub fn request_deadline(attempt_timeout: Duration) -> Duration {
    attempt_timeout * MAX_ATTEMPTS + MAX_BACKOFF * (MAX_ATTEMPTS - 1)
}

/// How to reach AWS, from the global flags.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub region: Option<Region>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// Longest one attempt of a request may take; a whole request (all attempts and the waits
    /// between them) gets [`request_deadline`].
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

/// The profile a connection names explicitly (its own, else `--profile`): it is used for
/// credentials even when environment keys are set, as the AWS CLI does with `--profile`.
fn explicit_profile<'a>(settings: &'a Settings, connection: &'a Connection) -> Option<&'a String> {
    connection.profile.as_ref().or(settings.profile.as_ref())
}

/// The profiles in the shared config and credentials files (`AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE` are honoured).
async fn known_profiles() -> Result<BTreeSet<String>, InvalidInput> {
    use aws_types::os_shim_internal::{Env, Fs};
    let set = aws_config::profile::load(&Fs::real(), &Env::real(), &Default::default(), None)
        .await
        .map_err(|e| {
            InvalidInput::with_context("the AWS config or credentials file is invalid", e)
        })?;
    Ok(set.profiles().map(str::to_string).collect())
}

/// Every explicitly named profile must exist: a misspelt one is invalid input naming the
/// profiles that do exist, never a silent fall back to other credentials.
async fn check_profiles<'a>(
    settings: &Settings,
    connections: impl IntoIterator<Item = &'a Connection>,
) -> Result<(), InvalidInput> {
    let named: BTreeSet<&String> = connections
        .into_iter()
        .filter_map(|c| explicit_profile(settings, c))
        .collect();
    if named.is_empty() {
        return Ok(());
    }
    let known = known_profiles().await?;
    let missing: Vec<String> = named
        .into_iter()
        .filter(|p| !known.contains(p.as_str()))
        .map(|p| format!("'{}'", crate::text::printable(p)))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let existing = if known.is_empty() {
        "there are none (aws configure --profile NAME, or aws configure sso, makes one)".to_string()
    } else {
        format!(
            "the profiles are: {}",
            known.iter().cloned().collect::<Vec<_>>().join(", ")
        )
    };
    Err(InvalidInput::new(format!(
        "AWS profile {} not found in the AWS config or credentials file; {existing}",
        missing.join(", ")
    )))
}

/// What to say when no credentials could be found.
const NO_CREDENTIALS: &str = "no AWS credentials found. Provide them in one of these ways:\n  \
    --profile NAME or AWS_PROFILE=NAME   a profile of ~/.aws/config (aws configure, or aws configure sso)\n  \
    aws sso login --profile NAME         when the profile uses IAM Identity Center\n  \
    AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) in the environment";

/// Resolves the credentials once, up front, so that a missing or broken source is one clear
/// error before any request, not an SDK dump at the first call.
pub async fn check_credentials(config: &SdkConfig, profile: Option<&String>) -> anyhow::Result<()> {
    use aws_sdk_scheduler::config::ProvideCredentials;
    let Some(provider) = config.credentials_provider() else {
        anyhow::bail!(NO_CREDENTIALS);
    };
    use aws_credential_types::provider::error::CredentialsError;
    match (provider.provide_credentials().await, profile) {
        (Ok(_), _) => Ok(()),
        (Err(CredentialsError::CredentialsNotLoaded(_)), Some(p)) => anyhow::bail!(
            "AWS profile '{}' has no credentials: no access keys, role_arn, sso_session or \
             credential_process (aws configure --profile {0}, or aws configure sso)",
            crate::text::printable(p)
        ),
        (Err(CredentialsError::CredentialsNotLoaded(_)), None) => anyhow::bail!(NO_CREDENTIALS),
        (Err(e), Some(p)) => {
            let why = crate::text::printable(&causes(&e));
            let p = crate::text::printable(p);
            let hint = if why.contains("SSO") {
                format!(" (sign in with: aws sso login --profile {p})")
            } else {
                String::new()
            };
            anyhow::bail!("the credentials of AWS profile '{p}' could not be loaded: {why}{hint}")
        }
        (Err(e), None) => anyhow::bail!(
            "AWS credentials could not be loaded: {}",
            crate::text::printable(&causes(&e))
        ),
    }
}

/// Loads the SDK configuration for a connection: its Region and profile over the flags'. An
/// explicit profile must exist, and supplies the credentials even when environment keys are
/// set. The credentials are not resolved yet (see [`check_credentials`]).
pub async fn load(
    settings: &Settings,
    connection: &Connection,
) -> anyhow::Result<(ClientKey, SdkConfig)> {
    check_profiles(settings, [connection]).await?;
    load_checked(settings, connection).await
}

async fn load_checked(
    settings: &Settings,
    connection: &Connection,
) -> anyhow::Result<(ClientKey, SdkConfig)> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(
            RetryConfig::adaptive()
                .with_max_attempts(MAX_ATTEMPTS)
                .with_max_backoff(MAX_BACKOFF),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(settings.timeout)
                .operation_timeout(request_deadline(settings.timeout))
                .build(),
        );
    let profile = explicit_profile(settings, connection);
    if let Some(profile) = profile {
        loader = loader.profile_name(profile).credentials_provider(
            aws_config::profile::ProfileFileCredentialsProvider::builder()
                .profile_name(profile)
                .build(),
        );
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
    /// EC2 Auto Scaling.
    pub asg: aws_sdk_autoscaling::Client,
}

/// The retry partition of one service's client for one account and Region: adaptive pacing
/// (the SDK's client rate limiter slows down on throttling and speeds up again) is shared by
/// the requests of that partition, and retries are not rationed by a token bucket, so that
/// no request fails before its [`MAX_ATTEMPTS`] attempts are spent.
macro_rules! partition {
    ($sdk:ident, $key:expr, $service:literal) => {
        $sdk::config::retry::RetryPartition::custom(format!("ecs-onoff {} {}", $service, $key))
            .token_bucket($sdk::config::retry::TokenBucket::unlimited())
            .build()
    };
}

impl Clients {
    fn new(key: &ClientKey, config: SdkConfig) -> Clients {
        let scheduler = aws_sdk_scheduler::config::Builder::from(&config)
            .retry_partition(partition!(aws_sdk_scheduler, key, "scheduler"))
            .build();
        let ecs = aws_sdk_ecs::config::Builder::from(&config)
            .retry_partition(partition!(aws_sdk_ecs, key, "ecs"))
            .build();
        let autoscaling = aws_sdk_applicationautoscaling::config::Builder::from(&config)
            .retry_partition(partition!(
                aws_sdk_applicationautoscaling,
                key,
                "autoscaling"
            ))
            .build();
        let asg = aws_sdk_autoscaling::config::Builder::from(&config)
            .retry_partition(partition!(aws_sdk_autoscaling, key, "asg"))
            .build();
        Clients {
            asg: aws_sdk_autoscaling::Client::from_conf(asg),
            scheduler: aws_sdk_scheduler::Client::from_conf(scheduler),
            ecs: aws_sdk_ecs::Client::from_conf(ecs),
            autoscaling: aws_sdk_applicationautoscaling::Client::from_conf(autoscaling),
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
        let wanted: Vec<&Connection> = wanted.into_iter().collect();
        check_profiles(settings, wanted.iter().copied()).await?;
        let mut out = Connections::default();
        for connection in wanted {
            if out.keys.contains_key(connection) {
                continue;
            }
            let (key, config) = load_checked(settings, connection).await?;
            out.keys.insert(connection.clone(), key.clone());
            if !out.clients.contains_key(&key) {
                check_credentials(&config, key.profile.as_ref()).await?;
                out.clients.insert(key.clone(), Clients::new(&key, config));
            }
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
