//! Typed errors for schedule expressions: each names the field, the token and the reason, so a
//! user can fix the expression without guessing what AWS would have said.

use std::fmt;

/// One of the six fields of an AWS cron expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Minutes,
    Hours,
    DayOfMonth,
    Month,
    DayOfWeek,
    Year,
}

impl Field {
    /// The fields in the order AWS writes them.
    pub const ALL: [Field; 6] = [
        Field::Minutes,
        Field::Hours,
        Field::DayOfMonth,
        Field::Month,
        Field::DayOfWeek,
        Field::Year,
    ];

    /// The field's name as AWS's documentation spells it.
    pub fn name(self) -> &'static str {
        match self {
            Field::Minutes => "minutes",
            Field::Hours => "hours",
            Field::DayOfMonth => "day-of-month",
            Field::Month => "month",
            Field::DayOfWeek => "day-of-week",
            Field::Year => "year",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a schedule expression (or a friendly on/off form) was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExprError {
    #[error("the schedule expression is empty")]
    Empty,
    #[error(
        "'{0}' is not a schedule expression: expected cron(...), rate(...) or at(...), \
         a 6-field AWS cron, a 5-field Unix cron, or a window such as \"MON-FRI 09:00-18:00\""
    )]
    UnknownForm(String),
    #[error("the expression is {len} characters long; AWS allows at most 256")]
    TooLong { len: usize },
    #[error("'{0}' is missing its closing parenthesis")]
    Unclosed(String),
    #[error(
        "cron: expected 6 fields (minutes hours day-of-month month day-of-week year), found {found}"
    )]
    FieldCount { found: usize },
    #[error("{field}: {message}")]
    Field {
        field: Field,
        token: String,
        message: String,
    },
    #[error("day-of-month and day-of-week: {0}")]
    DayFields(String),
    #[error("rate: {0}")]
    Rate(String),
    #[error("at: {0}")]
    At(String),
    #[error("unix cron: {0}")]
    Unix(String),
    #[error("window: {0}")]
    Window(String),
}

impl ExprError {
    pub(crate) fn field(field: Field, token: &str, message: impl Into<String>) -> Self {
        ExprError::Field {
            field,
            token: token.to_string(),
            message: message.into(),
        }
    }

    /// The cron field this error is about, when it is about one.
    pub fn cron_field(&self) -> Option<Field> {
        match self {
            ExprError::Field { field, .. } => Some(*field),
            _ => None,
        }
    }
}
