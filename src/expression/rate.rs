//! `rate(value unit)`: a fixed interval. AWS requires the singular unit for 1 and the plural for
//! larger values (`rate(1 hour)`, `rate(5 hours)`).

use super::error::ExprError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    Minutes,
    Hours,
    Days,
}

impl RateUnit {
    fn seconds(self) -> i64 {
        match self {
            RateUnit::Minutes => 60,
            RateUnit::Hours => 3_600,
            RateUnit::Days => 86_400,
        }
    }
    fn word(self, value: u32) -> &'static str {
        match (self, value == 1) {
            (RateUnit::Minutes, true) => "minute",
            (RateUnit::Minutes, false) => "minutes",
            (RateUnit::Hours, true) => "hour",
            (RateUnit::Hours, false) => "hours",
            (RateUnit::Days, true) => "day",
            (RateUnit::Days, false) => "days",
        }
    }
}

/// A validated `rate(...)` expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub value: u32,
    pub unit: RateUnit,
}

/// The largest value accepted: about 27 years in days, far beyond any schedule's use, and small
/// enough that the interval never overflows.
const MAX_VALUE: u32 = 9_999;

impl Rate {
    /// Parses the text inside `rate(...)`.
    pub fn parse_inner(inner: &str) -> Result<Rate, ExprError> {
        let parts: Vec<&str> = inner.split_ascii_whitespace().collect();
        let [value, unit] = parts.as_slice() else {
            return Err(ExprError::Rate(format!(
                "expected 'value unit' such as rate(5 minutes), found '{}'",
                inner.trim()
            )));
        };
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ExprError::Rate(format!(
                "{value} is not a positive whole number"
            )));
        }
        if value.len() > 1 && value.starts_with('0') {
            return Err(ExprError::Rate(format!(
                "{value} has a leading zero; write it without one"
            )));
        }
        let value = if value.len() > 5 {
            MAX_VALUE + 1
        } else {
            value.parse::<u32>().unwrap_or(MAX_VALUE + 1)
        };
        if value == 0 {
            return Err(ExprError::Rate("the value must be 1 or more".into()));
        }
        if value > MAX_VALUE {
            return Err(ExprError::Rate(format!(
                "{value} is too large (at most {MAX_VALUE})"
            )));
        }
        let lower = unit.to_ascii_lowercase();
        let (unit, plural) = match lower.as_str() {
            "minute" => (RateUnit::Minutes, false),
            "minutes" => (RateUnit::Minutes, true),
            "hour" => (RateUnit::Hours, false),
            "hours" => (RateUnit::Hours, true),
            "day" => (RateUnit::Days, false),
            "days" => (RateUnit::Days, true),
            _ => {
                return Err(ExprError::Rate(format!(
                    "{unit} is not a unit: use minute(s), hour(s) or day(s)"
                )))
            }
        };
        if plural != (value != 1) {
            return Err(ExprError::Rate(format!(
                "{value} {lower}: AWS requires the singular unit for 1 and the plural otherwise \
                 (rate({value} {}))",
                unit.word(value)
            )));
        }
        Ok(Rate { value, unit })
    }

    /// The interval between two invocations, in seconds.
    pub fn seconds(&self) -> i64 {
        i64::from(self.value) * self.unit.seconds()
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rate({} {})", self.value, self.unit.word(self.value))
    }
}
