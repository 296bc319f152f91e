//! EventBridge Scheduler schedule expressions: `cron(...)`, `rate(...)` and `at(...)`, parsed and
//! validated offline exactly as AWS documents them, and evaluated in IANA time zones with AWS's
//! daylight-saving rules (see [`eval`]).

pub mod at;
pub mod cron;
pub mod error;
pub mod eval;
pub mod rate;
pub mod timezone;

pub use at::At;
pub use cron::Cron;
pub use error::{ExprError, Field};
pub use eval::{Event, Fire};
pub use rate::{Rate, RateUnit};

use std::str::FromStr;

/// Longest expression AWS accepts (`ScheduleExpression` is 1-256 characters).
pub const MAX_LEN: usize = 256;

/// A schedule expression AWS accepts, in its canonical text form (see [`std::fmt::Display`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleExpression {
    Cron(Box<Cron>),
    Rate(Rate),
    At(At),
}

/// Splits `name(inner)` when `text` starts with `name(`, ignoring case.
fn call<'a>(text: &'a str, name: &str) -> Option<Result<&'a str, ExprError>> {
    let head = text.get(..name.len() + 1)?;
    if !head.eq_ignore_ascii_case(&format!("{name}(")) {
        return None;
    }
    let rest = &text[name.len() + 1..];
    Some(
        rest.strip_suffix(')')
            .ok_or_else(|| ExprError::Unclosed(text.to_string())),
    )
}

impl ScheduleExpression {
    /// Parses `cron(...)`, `rate(...)` or `at(...)`. Surrounding white space is ignored; the
    /// canonical form (see `Display`) is what gets sent to AWS.
    pub fn parse(text: &str) -> Result<ScheduleExpression, ExprError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ExprError::Empty);
        }
        let expr = if let Some(inner) = call(text, "cron") {
            ScheduleExpression::Cron(Box::new(Cron::parse_fields(inner?)?))
        } else if let Some(inner) = call(text, "rate") {
            ScheduleExpression::Rate(Rate::parse_inner(inner?)?)
        } else if let Some(inner) = call(text, "at") {
            ScheduleExpression::At(At::parse_inner(inner?)?)
        } else {
            return Err(ExprError::UnknownForm(text.to_string()));
        };
        let canonical = expr.to_string();
        if canonical.len() > MAX_LEN {
            return Err(ExprError::TooLong {
                len: canonical.len(),
            });
        }
        Ok(expr)
    }
}

impl FromStr for ScheduleExpression {
    type Err = ExprError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ScheduleExpression::parse(s)
    }
}

impl std::fmt::Display for ScheduleExpression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScheduleExpression::Cron(c) => c.fmt(f),
            ScheduleExpression::Rate(r) => r.fmt(f),
            ScheduleExpression::At(a) => a.fmt(f),
        }
    }
}
