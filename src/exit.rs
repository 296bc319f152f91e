//! Exit codes, defined once. Scripts and CI pipelines rely on these numbers.

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
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Invalid => 2,
            ExitStatus::Changes => 3,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

/// Marks an error as the user's input being invalid (exit 2) rather than a runtime failure.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(pub String);

/// The exit status for an error: 2 when any cause in its chain is invalid input, else 1.
pub fn status_for(error: &anyhow::Error) -> ExitStatus {
    let invalid = error.chain().any(|cause| {
        cause.is::<InvalidInput>()
            || cause.is::<crate::expression::ExprError>()
            || cause.is::<crate::expression::timezone::ZoneError>()
            || cause.is::<crate::fleet::FleetErrors>()
    });
    if invalid {
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
    fn invalid_input_anywhere_in_the_chain_is_exit_2() {
        let e = anyhow::Error::new(InvalidInput("bad".into())).context("while reading flags");
        assert_eq!(status_for(&e), ExitStatus::Invalid);
        let e = anyhow::Error::new(crate::expression::ExprError::Empty);
        assert_eq!(status_for(&e), ExitStatus::Invalid);
        let e = anyhow::anyhow!("connection refused");
        assert_eq!(status_for(&e), ExitStatus::Failure);
    }
}
