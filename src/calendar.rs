//! Skipped days: the local dates on which a service is not turned on. Written as a date
//! (`2026-12-25`), an inclusive range (`2026-12-24..2027-01-01`), a yearly date (`*-01-01`) or a
//! yearly range (`*-12-24..*-12-26`), or read from an iCalendar file (see [`crate::ics`]). No I/O.

use jiff::civil::Date;
use jiff::ToSpan;
use std::fmt;

/// The dates one rule skips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dates {
    /// From `first` to `last`, both included.
    Range { first: Date, last: Date },
    /// Every year from `first_year` (to `last_year`, when given): `days` days from month-day.
    Yearly {
        month: i8,
        day: i8,
        days: i32,
        first_year: Option<i16>,
        last_year: Option<i16>,
    },
}

impl Dates {
    /// Whether `date` is one of the dates.
    pub fn contains(&self, date: Date) -> bool {
        match *self {
            Dates::Range { first, last } => first <= date && date <= last,
            Dates::Yearly {
                month,
                day,
                days,
                first_year,
                last_year,
            } => [date.year() - 1, date.year()].into_iter().any(|year| {
                if first_year.is_some_and(|y| year < y) || last_year.is_some_and(|y| year > y) {
                    return false;
                }
                let Ok(start) = Date::new(year, month, day) else {
                    return false;
                };
                start <= date && date < start.saturating_add(days.days())
            }),
        }
    }
}

/// One skip rule, with where it came from (for messages and `next`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipRule {
    pub dates: Dates,
    /// How the user wrote it and where: `--skip 2026-12-25`, `calendar kr: *-01-01`, ...
    pub label: String,
}

/// The skipped days of a service: every rule of its calendar and its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    pub rules: Vec<SkipRule>,
}

impl Calendar {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The first rule that skips `date`, if any.
    pub fn skipping(&self, date: Date) -> Option<&SkipRule> {
        self.rules.iter().find(|r| r.dates.contains(date))
    }

    /// The calendar with another's rules added.
    pub fn with(mut self, other: &Calendar) -> Calendar {
        self.rules.extend(other.rules.iter().cloned());
        self
    }
}

/// A skip text that is not a date, a range or a yearly date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SkipError(pub String);

const FORMS: &str = "write YYYY-MM-DD, a range YYYY-MM-DD..YYYY-MM-DD (both days included), \
                     a yearly date *-MM-DD or a yearly range *-MM-DD..*-MM-DD";

/// A date `YYYY-MM-DD` (a year of four digits) or a yearly `*-MM-DD`: (year, month, day).
fn parse_day(text: &str) -> Result<(Option<i16>, i8, i8), SkipError> {
    let bad = || SkipError(format!("'{text}' is not a date: {FORMS}"));
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return Err(bad());
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(month, 2) || !digits(day, 2) {
        return Err(bad());
    }
    let year = match *year {
        "*" => None,
        y if digits(y, 4) => Some(y.parse::<i16>().map_err(|_| bad())?),
        _ => return Err(bad()),
    };
    let (m, d) = (
        month.parse::<i8>().map_err(|_| bad())?,
        day.parse::<i8>().map_err(|_| bad())?,
    );
    // A yearly date must exist every year: February 29 does not.
    let check_year = year.unwrap_or(2026);
    if Date::new(check_year, m, d).is_err() || (year.is_none() && (m, d) == (2, 29)) {
        let why = if (1..=12).contains(&m) {
            let days = Date::new(check_year, m, 1)
                .map(|first| first.days_in_month())
                .unwrap_or(31);
            if year.is_none() && (m, d) == (2, 29) {
                "February 29 is not a date every year; list the leap years' dates".to_string()
            } else {
                format!("that month has {days} days")
            }
        } else {
            "months are 01 to 12".to_string()
        };
        return Err(SkipError(format!("'{text}' is not a date: {why}")));
    }
    Ok((year, m, d))
}

/// Parses one skip text; `label` says where it came from.
pub fn parse_skip(text: &str, label: &str) -> Result<SkipRule, SkipError> {
    let text = text.trim();
    let dates = match text.split_once("..") {
        None => match parse_day(text)? {
            (Some(y), m, d) => {
                let date = Date::new(y, m, d).expect("checked");
                Dates::Range {
                    first: date,
                    last: date,
                }
            }
            (None, month, day) => Dates::Yearly {
                month,
                day,
                days: 1,
                first_year: None,
                last_year: None,
            },
        },
        Some((a, b)) => match (parse_day(a.trim())?, parse_day(b.trim())?) {
            ((Some(y1), m1, d1), (Some(y2), m2, d2)) => {
                let first = Date::new(y1, m1, d1).expect("checked");
                let last = Date::new(y2, m2, d2).expect("checked");
                if last < first {
                    return Err(SkipError(format!(
                        "the range '{text}' ends before it starts"
                    )));
                }
                Dates::Range { first, last }
            }
            ((None, m1, d1), (None, m2, d2)) => {
                // A yearly range may run over New Year (*-12-31..*-01-01).
                let first = Date::new(2025, m1, d1).expect("checked");
                let mut last = Date::new(2025, m2, d2).expect("checked");
                if last < first {
                    last = Date::new(2026, m2, d2).expect("checked");
                }
                Dates::Yearly {
                    month: m1,
                    day: d1,
                    days: (last - first).get_days() + 1,
                    first_year: None,
                    last_year: None,
                }
            }
            _ => {
                return Err(SkipError(format!(
                    "the range '{text}' mixes a date and a yearly date: write both with a year, \
                     or both as *-MM-DD"
                )))
            }
        },
    };
    Ok(SkipRule {
        dates,
        label: format!("{label} {text}"),
    })
}

impl fmt::Display for SkipRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn skips(rule: &str, date: &str) -> bool {
        parse_skip(rule, "--skip").unwrap().dates.contains(d(date))
    }

    #[test]
    fn dates_ranges_and_yearly_dates() {
        assert!(skips("2026-12-25", "2026-12-25"));
        assert!(!skips("2026-12-25", "2027-12-25"));
        assert!(skips("2026-12-24..2027-01-01", "2026-12-24"));
        assert!(skips("2026-12-24..2027-01-01", "2026-12-31"));
        assert!(skips("2026-12-24..2027-01-01", "2027-01-01"));
        assert!(!skips("2026-12-24..2027-01-01", "2027-01-02"));
        assert!(!skips("2026-12-24..2027-01-01", "2026-12-23"));
        assert!(skips("*-01-01", "2026-01-01"));
        assert!(skips("*-01-01", "2031-01-01"));
        assert!(!skips("*-01-01", "2031-01-02"));
        assert!(skips("*-12-31..*-01-02", "2026-12-31"));
        assert!(skips("*-12-31..*-01-02", "2027-01-02"));
        assert!(!skips("*-12-31..*-01-02", "2027-01-03"));
        assert!(!skips("*-12-31..*-01-02", "2026-12-30"));
        assert_eq!(
            parse_skip("2026-12-25", "--skip").unwrap().label,
            "--skip 2026-12-25"
        );
    }

    #[test]
    fn bad_skips_name_the_value_and_the_rule() {
        let e = |t: &str| parse_skip(t, "--skip").unwrap_err().0;
        assert!(
            e("2026-02-30").contains("that month has 28 days"),
            "{}",
            e("2026-02-30")
        );
        assert!(e("2026-13-01").contains("months are 01 to 12"));
        assert!(e("2027-01-01..2026-12-24").contains("ends before it starts"));
        assert!(e("*-02-29").contains("not a date every year"));
        assert!(e("2026-1-1").contains("is not a date"));
        assert!(e("christmas").contains("YYYY-MM-DD"));
        assert!(e("2026-12-24..*-12-26").contains("mixes"));
        assert!(parse_skip("2028-02-29", "--skip").is_ok());
    }

    #[test]
    fn yearly_bounds() {
        let rule = Dates::Yearly {
            month: 5,
            day: 1,
            days: 1,
            first_year: Some(2026),
            last_year: Some(2027),
        };
        assert!(!rule.contains(d("2025-05-01")));
        assert!(rule.contains(d("2026-05-01")));
        assert!(rule.contains(d("2027-05-01")));
        assert!(!rule.contains(d("2028-05-01")));
    }
}
