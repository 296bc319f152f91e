//! `at(yyyy-mm-ddThh:mm:ss)`: one invocation at a local date and time.

use super::error::ExprError;
use jiff::civil::DateTime;

/// A validated `at(...)` expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    pub local: DateTime,
}

impl At {
    /// Parses the text inside `at(...)`, which must be exactly `yyyy-mm-ddThh:mm:ss`.
    pub fn parse_inner(inner: &str) -> Result<At, ExprError> {
        let bad = || {
            ExprError::At(format!(
                "{inner} is not a date and time of the form yyyy-mm-ddThh:mm:ss"
            ))
        };
        let b = inner.as_bytes();
        let shape_ok = b.len() == 19
            && b.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                10 => *c == b'T',
                13 | 16 => *c == b':',
                _ => c.is_ascii_digit(),
            });
        if !shape_ok {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> i64 { inner[r].parse::<i64>().unwrap_or(-1) };
        let (y, mo, d, h, mi, s) = (
            num(0..4),
            num(5..7),
            num(8..10),
            num(11..13),
            num(14..16),
            num(17..19),
        );
        let local = DateTime::new(y as i16, mo as i8, d as i8, h as i8, mi as i8, s as i8, 0)
            .map_err(|_| {
                ExprError::At(format!(
                    "{inner} is not a real date and time (month 01-12, day within the month, \
                     hour 00-23, minute and second 00-59)"
                ))
            })?;
        Ok(At { local })
    }
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at({})", self.local.strftime("%Y-%m-%dT%H:%M:%S"))
    }
}
