//! The friendly forms a user may write for an on or off time, turned into AWS expressions:
//! - an AWS expression as is: `cron(...)`, `rate(...)`, `at(...)`;
//! - a bare 6-field AWS cron, `0 9 ? * MON-FRI *`, wrapped in `cron(...)`;
//! - a 5-field Unix cron, `0 9 * * 1-5`, converted (weekdays renumbered, `?` placed);
//! - a window, `MON-FRI 09:00-18:00`, which yields an on cron and an off cron. When the window
//!   ends before it starts (`MON-FRI 22:00-06:00`) the off days move to the next day.
//!
//! The resulting AWS expression is always available to show the user.

use crate::expression::cron::DAY_NAMES;
use crate::expression::{ExprError, ScheduleExpression};

/// How the user wrote a single expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Aws,
    BareAwsCron,
    UnixCron,
}

/// What a user's on/off text means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserSchedule {
    /// One expression, from any of the single forms.
    One {
        expr: ScheduleExpression,
        form: Form,
    },
    /// A window: an on expression and an off expression.
    Window(Window),
}

impl UserSchedule {
    pub fn parse(text: &str) -> Result<UserSchedule, ExprError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ExprError::Empty);
        }
        let lower = text.to_ascii_lowercase();
        if ["cron(", "rate(", "at("]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            return Ok(UserSchedule::One {
                expr: ScheduleExpression::parse(text)?,
                form: Form::Aws,
            });
        }
        if text.contains(':') {
            return parse_window(text);
        }
        let tokens: Vec<&str> = text.split_ascii_whitespace().collect();
        match tokens.len() {
            6 => Ok(UserSchedule::One {
                expr: ScheduleExpression::parse(&format!("cron({})", tokens.join(" ")))?,
                form: Form::BareAwsCron,
            }),
            5 => Ok(UserSchedule::One {
                expr: unix_to_aws(&tokens)?,
                form: Form::UnixCron,
            }),
            _ => Err(ExprError::UnknownForm(text.to_string())),
        }
    }

    /// Parses text that must be a single expression (not a window).
    pub fn parse_single(text: &str) -> Result<(ScheduleExpression, Form), ExprError> {
        match UserSchedule::parse(text)? {
            UserSchedule::One { expr, form } => Ok((expr, form)),
            UserSchedule::Window(_) => Err(ExprError::Window(format!(
                "'{}' is a window (on and off times); here a single on or off time is expected",
                text.trim()
            ))),
        }
    }
}

/// A window, `DAYS HH:MM-HH:MM`: the weekdays it starts on, its start and end as minutes of
/// the day (the end may be 24:00, 1440), and the on and off expressions it means alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub on: ScheduleExpression,
    pub off: ScheduleExpression,
    /// The window as normalised text, e.g. `MON-FRI 09:00-18:00`.
    pub text: String,
    /// The end is on the next day (it is before the start, or 24:00).
    pub overnight: bool,
    /// The weekdays it starts on, SUN=0 .. SAT=6.
    pub days: WeekSet,
    pub start: u32,
    pub end: u32,
}

/// Minutes in a day.
pub const DAY_MINUTES: u32 = 1440;
/// Minutes in a week.
pub const WEEK_MINUTES: u32 = 7 * DAY_MINUTES;

impl Window {
    /// The times it is on, as intervals of minutes from Sunday 00:00 (the end may pass the end
    /// of the week: read it modulo [`WEEK_MINUTES`]).
    pub fn intervals(&self) -> Vec<(u32, u32)> {
        let length = if self.end > self.start {
            self.end - self.start
        } else {
            self.end + DAY_MINUTES - self.start
        };
        (0..7u32)
            .filter(|d| self.days[*d as usize])
            .map(|d| {
                let from = d * DAY_MINUTES + self.start;
                (from, from + length)
            })
            .collect()
    }
}

impl std::str::FromStr for Window {
    type Err = ExprError;
    /// Parses text that must be a window (not a single expression).
    fn from_str(text: &str) -> Result<Window, ExprError> {
        match UserSchedule::parse(text)? {
            UserSchedule::Window(w) => Ok(w),
            UserSchedule::One { .. } => Err(ExprError::Window(format!(
                "'{}' is one expression, not a window; use --on and --off, or DAYS HH:MM-HH:MM",
                text.trim()
            ))),
        }
    }
}

/// What the user wrote, with what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub text: String,
    pub meaning: UserSchedule,
}

impl std::str::FromStr for Written {
    type Err = ExprError;
    fn from_str(text: &str) -> Result<Written, ExprError> {
        Ok(Written {
            text: text.trim().to_string(),
            meaning: UserSchedule::parse(text)?,
        })
    }
}

/// One on or off time in any single form (not a window), as the AWS expression it means.
pub fn parse_expression(text: &str) -> Result<ScheduleExpression, ExprError> {
    UserSchedule::parse_single(text).map(|(expr, _)| expr)
}

/// Weekdays as a set indexed SUN=0 .. SAT=6.
pub type WeekSet = [bool; 7];

/// Renders weekdays as AWS day-of-week text: `*` for all, else names and ranges without
/// wrap-around (`MON-FRI`, `SUN,SAT`).
pub fn render_weekdays(days: &WeekSet) -> String {
    if days.iter().all(|d| *d) {
        return "*".into();
    }
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        if !days[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < 7 && days[i + 1] {
            i += 1;
        }
        parts.push(if start == i {
            DAY_NAMES[start].to_string()
        } else {
            format!("{}-{}", DAY_NAMES[start], DAY_NAMES[i])
        });
        i += 1;
    }
    parts.join(",")
}

fn day_name_index(name: &str) -> Option<usize> {
    let upper = name.to_ascii_uppercase();
    DAY_NAMES.iter().position(|n| *n == upper)
}

/// Builds the cron for a time of day on a set of weekdays.
pub fn daily_cron(hour: u32, minute: u32, days: &WeekSet) -> Result<ScheduleExpression, ExprError> {
    let dow = render_weekdays(days);
    let text = if dow == "*" {
        format!("cron({minute} {hour} * * ? *)")
    } else {
        format!("cron({minute} {hour} ? * {dow} *)")
    };
    ScheduleExpression::parse(&text)
}

fn parse_window(text: &str) -> Result<UserSchedule, ExprError> {
    let usage = || {
        ExprError::Window(format!(
            "'{text}' is not a window: write DAYS HH:MM-HH:MM, e.g. \"MON-FRI 09:00-18:00\" \
             (days: names such as MON-FRI or SAT,SUN, or DAILY)"
        ))
    };
    let (days_text, times_text) = text.split_once(char::is_whitespace).ok_or_else(usage)?;
    let times: String = times_text.split_whitespace().collect();
    let (on_text, off_text) = times.split_once('-').ok_or_else(usage)?;
    if on_text == "24:00" {
        return Err(ExprError::Window(format!(
            "'{text}' starts at 24:00; 24:00 is only an end time (write 00:00 of the next day)"
        )));
    }
    let (on_h, on_m) = parse_clock(on_text)?;
    let (off_h, off_m) = if off_text == "24:00" {
        (24, 0)
    } else {
        parse_clock(off_text)?
    };
    if (on_h, on_m) == (off_h, off_m) {
        return Err(ExprError::Window(format!(
            "on and off are both {on_text}; a window needs two different times"
        )));
    }
    let days = parse_window_days(days_text)?;
    let overnight = (off_h, off_m) < (on_h, on_m) || off_h == 24;
    // 24:00 is 00:00 of the next day.
    let (off_h, off_text_h) = if off_h == 24 { (0, 24) } else { (off_h, off_h) };
    let off_days = if overnight {
        let mut shifted = [false; 7];
        for (i, on) in days.iter().enumerate() {
            shifted[(i + 1) % 7] |= *on;
        }
        shifted
    } else {
        days
    };
    let on = daily_cron(on_h, on_m, &days)?;
    let off = daily_cron(off_h, off_m, &off_days)?;
    let days_label = match render_weekdays(&days).as_str() {
        "*" => "DAILY".to_string(),
        other => other.to_string(),
    };
    Ok(UserSchedule::Window(Window {
        on,
        off,
        text: format!("{days_label} {on_h:02}:{on_m:02}-{off_text_h:02}:{off_m:02}"),
        overnight,
        days,
        start: on_h * 60 + on_m,
        end: off_text_h * 60 + off_m,
    }))
}

fn parse_clock(text: &str) -> Result<(u32, u32), ExprError> {
    let bad = || {
        ExprError::Window(format!(
            "{text} is not a time of day: use 24-hour HH:MM from 00:00 to 23:59 (24:00 as an end)"
        ))
    };
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let digits = |s: &str, max_len| {
        !s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(h, 2) || !digits(m, 2) || m.len() != 2 {
        return Err(bad());
    }
    let (h, m) = (
        h.parse::<u32>().map_err(|_| bad())?,
        m.parse::<u32>().map_err(|_| bad())?,
    );
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok((h, m))
}

fn parse_window_days(text: &str) -> Result<WeekSet, ExprError> {
    let upper = text.to_ascii_uppercase();
    if upper == "*" || upper == "DAILY" {
        return Ok([true; 7]);
    }
    let mut days = [false; 7];
    for item in upper.split(',') {
        let bad = || {
            ExprError::Window(format!(
                "{item} is not a day or a range of days: use SUN MON TUE WED THU FRI SAT, \
                 ranges such as MON-FRI, lists such as SAT,SUN, or DAILY \
                 (numbers are refused, since Unix and AWS number days differently)"
            ))
        };
        match item.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (
                    day_name_index(a).ok_or_else(bad)?,
                    day_name_index(b).ok_or_else(bad)?,
                );
                let mut i = a;
                loop {
                    days[i] = true;
                    if i == b {
                        break;
                    }
                    i = (i + 1) % 7;
                }
            }
            None => days[day_name_index(item).ok_or_else(bad)?] = true,
        }
    }
    Ok(days)
}

/// Converts a 5-field Unix cron (`minute hour day-of-month month day-of-week`, Sunday 0 or 7)
/// to the equivalent AWS cron.
fn unix_to_aws(tokens: &[&str]) -> Result<ScheduleExpression, ExprError> {
    let [minute, hour, dom, month, dow] = [tokens[0], tokens[1], tokens[2], tokens[3], tokens[4]];
    for token in tokens {
        if let Some(c) = token.chars().find(|c| "?LlWw#".contains(*c)) {
            return Err(ExprError::Unix(format!(
                "{token}: '{c}' is not Unix cron syntax; write an AWS expression such as \
                 cron(0 9 ? * 2#1 *) instead"
            )));
        }
    }
    for (name, token, names) in [
        ("minute", minute, None),
        ("hour", hour, None),
        ("day-of-month", dom, None),
        (
            "month",
            month,
            Some(&crate::expression::cron::MONTH_NAMES[..]),
        ),
    ] {
        reject_unix_wrap(name, token, names)?;
    }
    let weekdays = unix_weekdays(dow)?;
    let (dom_aws, dow_aws) = match (dom == "*", dow == "*") {
        (true, true) => ("*".to_string(), "?".to_string()),
        (false, true) => (dom.to_string(), "?".to_string()),
        (true, false) => ("?".to_string(), render_weekdays(&weekdays)),
        (false, false) => {
            return Err(ExprError::Unix(format!(
            "day-of-month {dom} and day-of-week {dow} are both set; Unix cron fires when either \
                 matches, which one AWS cron cannot express. Use two schedules, or AWS cron \
                 with ? in one of the day fields"
        )))
        }
    };
    ScheduleExpression::parse(&format!(
        "cron({minute} {hour} {dom_aws} {month} {dow_aws} *)"
    ))
}

/// Unix cron refuses ranges that run backwards (`22-2`); AWS would read them as wrapping.
fn reject_unix_wrap(name: &str, token: &str, names: Option<&[&str]>) -> Result<(), ExprError> {
    let value = |s: &str| -> Option<u32> {
        s.parse::<u32>().ok().or_else(|| {
            names.and_then(|n| {
                n.iter()
                    .position(|x| x.eq_ignore_ascii_case(s))
                    .map(|i| i as u32 + 1)
            })
        })
    };
    for item in token.split(',') {
        let base = item.split('/').next().unwrap_or(item);
        if let Some((a, b)) = base.split_once('-') {
            if let (Some(a), Some(b)) = (value(a), value(b)) {
                if a > b {
                    return Err(ExprError::Unix(format!(
                        "{name}: {item} runs backwards, which Unix cron refuses; write it as \
                         two ranges such as 22-23,0-2"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The weekdays a Unix day-of-week field selects (0-7, Sunday 0 or 7, names SUN-SAT).
fn unix_weekdays(token: &str) -> Result<WeekSet, ExprError> {
    let mut days = [false; 7];
    let value = |s: &str| -> Result<usize, ExprError> {
        if let Ok(n) = s.parse::<usize>() {
            if n <= 7 {
                return Ok(n % 7);
            }
        } else if let Some(i) = day_name_index(s) {
            return Ok(i);
        }
        Err(ExprError::Unix(format!(
            "day-of-week: {s} is not 0-7 (Sunday is 0 or 7) or a name SUN-SAT"
        )))
    };
    for item in token.split(',') {
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => match step.parse::<usize>() {
                Ok(s) if (1..=7).contains(&s) => (base, s),
                _ => {
                    return Err(ExprError::Unix(format!(
                        "day-of-week: {item} has an increment that is not 1-7"
                    )))
                }
            },
            None => (item, 1),
        };
        let (start, end) = if base == "*" {
            (0, 6)
        } else if let Some((a, b)) = base.split_once('-') {
            // 7 is Sunday too, but as a range end it means "through Sunday": 5-7 is FRI-SUN.
            let a = value(a)?;
            let b = match b.parse::<usize>() {
                Ok(7) => 7,
                _ => value(b)?,
            };
            if a > b {
                return Err(ExprError::Unix(format!(
                    "day-of-week: {item} runs backwards, which Unix cron refuses"
                )));
            }
            (a, b)
        } else {
            let a = value(base)?;
            (a, if step > 1 { 6 } else { a })
        };
        let mut d = start;
        while d <= end {
            days[d % 7] = true;
            d += step;
        }
    }
    Ok(days)
}
