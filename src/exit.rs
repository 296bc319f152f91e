//! Exit codes, defined once, and the one error type that means "invalid input". Scripts and CI
//! pipelines rely on these numbers.

use std::error::Error;
use std::fmt;

/// How a run of `ecs-onoff` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything asked for was done.
    Success,
    /// A runtime or AWS failure.
    Failure,
    /// Invalid input or usage; nothing was written.
    Invalid,
    /// `plan --detailed-exitcode` found changes.
    Changes,
    /// Stopped by a signal: 128 + its number (130 for SIGINT, 143 for SIGTERM).
    Interrupted(u8),
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Invalid => 2,
            ExitStatus::Changes => 3,
            ExitStatus::Interrupted(code) => code,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

/// The user's input is invalid (exit 2); nothing was written. Carries the typed cause, so the
/// message keeps every detail (the cron field, the token, the place in a file).
#[derive(Debug)]
pub struct InvalidInput {
    context: Option<String>,
    source: Box<dyn Error + Send + Sync + 'static>,
}

impl InvalidInput {
    /// The cause alone: its message is the whole message.
    pub fn new(source: impl Into<Box<dyn Error + Send + Sync + 'static>>) -> InvalidInput {
        InvalidInput {
            context: None,
            source: source.into(),
        }
    }

    /// `context: cause`, e.g. `invalid --end-date: ...`.
    pub fn with_context(
        context: impl fmt::Display,
        source: impl Into<Box<dyn Error + Send + Sync + 'static>>,
    ) -> InvalidInput {
        InvalidInput {
            context: Some(context.to_string()),
            source: source.into(),
        }
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.context {
            Some(context) => write!(f, "{context}: {}", self.source),
            None => self.source.fmt(f),
        }
    }
}

impl Error for InvalidInput {}

/// Output could not be written because the reader went away (`| head`): not a failure.
#[derive(Debug, thiserror::Error)]
#[error("the output was closed")]
pub struct OutputClosed;

/// The exit status for an error: 2 when any cause in its chain is invalid input, 0 when the
/// output was closed by its reader, else 1.
pub fn status_for(error: &anyhow::Error) -> ExitStatus {
    if error.chain().any(|c| c.is::<OutputClosed>()) {
        ExitStatus::Success
    } else if error.chain().any(|c| c.is::<InvalidInput>()) {
        ExitStatus::Invalid
    } else {
        ExitStatus::Failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(ExitStatus::Success.code(), 0);
        assert_eq!(ExitStatus::Failure.code(), 1);
        assert_eq!(ExitStatus::Invalid.code(), 2);
        assert_eq!(ExitStatus::Changes.code(), 3);
    }

    #[test]
    fn the_type_decides_the_exit_code() {
        let e = anyhow::Error::new(InvalidInput::new("bad")).context("while reading flags");
        assert_eq!(status_for(&e), ExitStatus::Invalid);
        let expr = crate::expression::ExprError::Empty;
        let e = anyhow::Error::new(InvalidInput::with_context("invalid --on", expr));
        assert_eq!(status_for(&e), ExitStatus::Invalid);
        assert!(e.to_string().starts_with("invalid --on: "), "{e}");
        let e = anyhow::anyhow!("connection refused");
        assert_eq!(status_for(&e), ExitStatus::Failure);
        assert_eq!(
            status_for(&anyhow::Error::new(OutputClosed)),
            ExitStatus::Success
        );
    }
}
