//! AWS cron expressions: `cron(minutes hours day-of-month month day-of-week year)`.
//!
//! The grammar follows the EventBridge cron reference: `, - * /` everywhere they are listed, `?`
//! in exactly one of the two day fields, `L` and `W` in day-of-month, `L` and `#` in day-of-week,
//! day-of-week 1-7 with SUN=1, year 1970-2199. Forms the reference does not describe (`LW`,
//! `L-3`, `W` or `L` inside a list, steps in day-of-week, ranges that wrap around such as `20-2`
//! or `FRI-MON`) are rejected, because accepting something AWS refuses would fail halfway
//! through a write; a wrapping range is answered with its equivalent list.

use super::error::{ExprError, Field};
use jiff::civil::{Date, Weekday};

pub const MIN_YEAR: i16 = 1970;
pub const MAX_YEAR: i16 = 2199;

pub const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
/// Day-of-week names in AWS order: SUN=1 .. SAT=7.
pub const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A set of small integers (up to 256 members).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bits([u64; 4]);

impl Bits {
    fn insert(&mut self, i: u32) {
        self.0[(i / 64) as usize] |= 1 << (i % 64);
    }
    pub fn contains(&self, i: u32) -> bool {
        i < 256 && self.0[(i / 64) as usize] & (1 << (i % 64)) != 0
    }
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..256).filter(move |&i| self.contains(i))
    }
    fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

/// What the day-of-month field asks for, when day-of-week is `?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthDays {
    /// A set of day numbers 1-31 (`*`, lists, ranges, steps).
    Days(Bits),
    /// `L`: the last day of the month.
    Last,
    /// `nW`: the weekday (Monday-Friday) nearest to day n, within the same month.
    NearestWeekday(u8),
}

/// What the day-of-week field asks for, when day-of-month is `?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekDays {
    /// A set of weekdays 1-7, SUN=1 (`*`, lists, ranges, names, and `L` alone for Saturday).
    Days(Bits),
    /// `nL`: the last weekday n of the month (`6L`: the last Friday).
    LastOfMonth(u8),
    /// `n#k`: the k-th weekday n of the month (`3#2`: the second Tuesday).
    Nth(u8, u8),
}

/// The day fields, of which exactly one is `?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaySpec {
    Month(MonthDays),
    Week(WeekDays),
}

/// A validated AWS cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    fields: [String; 6],
    minutes: Bits,
    hours: Bits,
    days: DaySpec,
    months: Bits,
    /// Years as offsets from 1970.
    years: Bits,
}

struct Spec {
    field: Field,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    /// Value of the first name (1 for months and weekdays).
    name_base: u32,
    allow_step: bool,
    max_step: u32,
    allowed: &'static str,
}

const MINUTES: Spec = Spec {
    field: Field::Minutes,
    min: 0,
    max: 59,
    names: &[],
    name_base: 0,
    allow_step: true,
    max_step: 59,
    allowed: ", - * /",
};
const HOURS: Spec = Spec {
    field: Field::Hours,
    min: 0,
    max: 23,
    names: &[],
    name_base: 0,
    allow_step: true,
    max_step: 23,
    allowed: ", - * /",
};
const DAY_OF_MONTH: Spec = Spec {
    field: Field::DayOfMonth,
    min: 1,
    max: 31,
    names: &[],
    name_base: 0,
    allow_step: true,
    max_step: 31,
    allowed: ", - * ? / L W",
};
const MONTH: Spec = Spec {
    field: Field::Month,
    min: 1,
    max: 12,
    names: &MONTH_NAMES,
    name_base: 1,
    allow_step: true,
    max_step: 12,
    allowed: ", - * /",
};
const DAY_OF_WEEK: Spec = Spec {
    field: Field::DayOfWeek,
    min: 1,
    max: 7,
    names: &DAY_NAMES,
    name_base: 1,
    allow_step: false,
    max_step: 0,
    allowed: ", - * ? L #",
};
const YEAR: Spec = Spec {
    field: Field::Year,
    min: MIN_YEAR as u32,
    max: MAX_YEAR as u32,
    names: &[],
    name_base: 0,
    allow_step: true,
    max_step: (MAX_YEAR - MIN_YEAR) as u32,
    allowed: ", - * /",
};

fn range_text(spec: &Spec) -> String {
    let mut s = format!("{}-{}", spec.min, spec.max);
    match spec.field {
        Field::Month => s.push_str(" or JAN-DEC"),
        Field::DayOfWeek => s.push_str(" (SUN=1) or SUN-SAT"),
        _ => {}
    }
    s
}

fn example_range(spec: &Spec) -> &'static str {
    match spec.field {
        Field::Minutes => "0-29",
        Field::Hours => "8-17",
        Field::DayOfMonth => "1-15",
        Field::Month => "JAN-MAR",
        Field::DayOfWeek => "MON-FRI",
        Field::Year => "2026-2030",
    }
}

/// Parses one value: a number in range or, where the field has names, a name.
fn parse_value(spec: &Spec, item: &str, text: &str) -> Result<u32, ExprError> {
    // Name the whole item when the value is only part of it (`32` in `32W`).
    let prefix = if item == text {
        String::new()
    } else {
        format!("{item}: ")
    };
    let err = |message: String| {
        Err(ExprError::field(
            spec.field,
            item,
            format!("{prefix}{message}"),
        ))
    };
    if text.is_empty() {
        return err("a value is missing".to_string());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let value = if text.len() > 9 {
            u32::MAX
        } else {
            text.parse::<u32>().unwrap_or(u32::MAX)
        };
        if value < spec.min || value > spec.max {
            return err(format!("{text} is out of range {}", range_text(spec)));
        }
        return Ok(value);
    }
    let upper = text.to_ascii_uppercase();
    if let Some(i) = spec.names.iter().position(|n| *n == upper) {
        return Ok(i as u32 + spec.name_base);
    }
    if spec.names.is_empty() {
        err(format!("{text} is not a number ({})", range_text(spec)))
    } else {
        err(format!(
            "{text} is not a number or a name ({})",
            range_text(spec)
        ))
    }
}

/// The message for a range that wraps around (`20-2`, `FRI-MON`): AWS's cron reference does not
/// describe them, so they are refused with the list that means what wrapping would mean.
fn wrapping_range(
    spec: &Spec,
    item: &str,
    (a, a_text): (u32, &str),
    (b, b_text): (u32, &str),
    step: Option<u32>,
) -> String {
    let named = !spec.names.is_empty()
        && a_text.chars().all(|c| c.is_ascii_alphabetic())
        && b_text.chars().all(|c| c.is_ascii_alphabetic());
    let show = |v: u32| {
        if named {
            spec.names[(v - spec.name_base) as usize].to_string()
        } else {
            v.to_string()
        }
    };
    let span = spec.max - spec.min + 1;
    let values: Vec<u32> = (0..=b + span - a)
        .step_by(step.unwrap_or(1) as usize)
        .map(|offset| {
            let v = a + offset;
            if v > spec.max {
                v - span
            } else {
                v
            }
        })
        .collect();
    let equivalent = if step.is_none() && !named && values.len() > 8 {
        // Two ranges read more easily than a long list of numbers.
        format!("{}-{},{}-{}", a, spec.max, spec.min, b)
    } else {
        values.into_iter().map(show).collect::<Vec<_>>().join(",")
    };
    format!(
        "{item}: the range wraps around, which AWS's cron reference does not describe; \
         write {equivalent}"
    )
}

/// Parses a list of `*`, values, ranges and steps into a set of values.
fn parse_list(spec: &Spec, token: &str) -> Result<Bits, ExprError> {
    let mut bits = Bits::default();
    for item in token.split(',') {
        if item.is_empty() {
            return Err(ExprError::field(
                spec.field,
                token,
                format!("{token} has an empty item in its list"),
            ));
        }
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => {
                if !spec.allow_step {
                    return Err(ExprError::field(
                        spec.field,
                        item,
                        format!(
                            "{item}: / is not allowed in the {} field (allowed: {})",
                            spec.field, spec.allowed
                        ),
                    ));
                }
                (base, Some(parse_step(spec, item, step)?))
            }
            None => (item, None),
        };
        let (start, end) = if base == "*" {
            (spec.min, spec.max)
        } else if let Some((a, b)) = base.split_once('-') {
            if a.is_empty() || b.contains('-') {
                return Err(ExprError::field(
                    spec.field,
                    item,
                    format!(
                        "{item} is not a range: write start-end, as in {}",
                        example_range(spec)
                    ),
                ));
            }
            let (a_text, b_text) = (a, b);
            let a = parse_value(spec, item, a)?;
            let b = parse_value(spec, item, b)?;
            if a > b {
                return Err(ExprError::field(
                    spec.field,
                    item,
                    wrapping_range(spec, item, (a, a_text), (b, b_text), step),
                ));
            }
            (a, b)
        } else {
            let a = parse_value(spec, item, base)?;
            // `N/S` runs from N to the end of the field; plain `N` is N alone.
            (a, if step.is_some() { spec.max } else { a })
        };
        let step = step.unwrap_or(1);
        let mut offset = 0;
        while offset <= end - start {
            let v = start + offset;
            bits.insert(
                v - if spec.field == Field::Year {
                    spec.min
                } else {
                    0
                },
            );
            offset += step;
        }
    }
    Ok(bits)
}

fn parse_step(spec: &Spec, item: &str, step: &str) -> Result<u32, ExprError> {
    let value = if !step.is_empty() && step.len() <= 9 && step.bytes().all(|b| b.is_ascii_digit()) {
        step.parse::<u32>().ok()
    } else {
        None
    };
    match value {
        Some(v) if (1..=spec.max_step).contains(&v) => Ok(v),
        _ => Err(ExprError::field(
            spec.field,
            item,
            format!(
                "{item}: the increment must be a whole number from 1 to {}",
                spec.max_step
            ),
        )),
    }
}

/// Rejects characters that the field does not allow, naming the allowed ones.
fn check_chars(spec: &Spec, token: &str, extra: &str) -> Result<(), ExprError> {
    for c in token.chars() {
        let ok = c.is_ascii_alphanumeric() || ",-*/".contains(c) || extra.contains(c);
        let special_ok = match c {
            '/' => spec.allow_step,
            _ => true,
        };
        if !ok || !special_ok {
            return Err(ExprError::field(
                spec.field,
                token,
                format!(
                    "{token}: '{c}' is not allowed in the {} field (allowed: {})",
                    spec.field, spec.allowed
                ),
            ));
        }
    }
    Ok(())
}

fn not_documented(field: Field, token: &str, what: &str) -> ExprError {
    ExprError::field(
        field,
        token,
        format!(
            "{token}: {what} is not described in AWS's cron reference, so ecs-onoff rejects it \
             rather than risk a schedule AWS refuses"
        ),
    )
}

fn parse_day_of_month(token: &str) -> Result<Option<MonthDays>, ExprError> {
    let field = Field::DayOfMonth;
    if token == "?" {
        return Ok(None);
    }
    check_chars(&DAY_OF_MONTH, token, "?")?;
    let upper = token.to_ascii_uppercase();
    if token.contains('?') {
        return Err(ExprError::field(
            field,
            token,
            format!("{token}: ? must stand alone in the field"),
        ));
    }
    if upper == "L" {
        return Ok(Some(MonthDays::Last));
    }
    if upper == "LW" {
        return Err(not_documented(
            field,
            token,
            "LW (last weekday of the month)",
        ));
    }
    if upper.starts_with("L-") {
        return Err(not_documented(
            field,
            token,
            "an offset from the last day (L-n)",
        ));
    }
    if upper.contains('L') || upper.contains('W') {
        if upper.contains(',') {
            return Err(ExprError::field(
                field,
                token,
                format!(
                    "{token}: L and W must be the only item in day-of-month, not part of a list"
                ),
            ));
        }
        if let Some(day) = upper.strip_suffix('W') {
            if day.contains('-') || day.contains('/') || day == "*" {
                return Err(ExprError::field(
                    field,
                    token,
                    format!("{token}: W takes a single day number, as in 15W"),
                ));
            }
            let value = parse_value(&DAY_OF_MONTH, token, day)?;
            return Ok(Some(MonthDays::NearestWeekday(value as u8)));
        }
        return Err(ExprError::field(
            field,
            token,
            format!("{token}: L must stand alone (last day of the month) and W must follow a day number (15W)"),
        ));
    }
    Ok(Some(MonthDays::Days(parse_list(&DAY_OF_MONTH, token)?)))
}

fn parse_day_of_week(token: &str) -> Result<Option<WeekDays>, ExprError> {
    let field = Field::DayOfWeek;
    if token == "?" {
        return Ok(None);
    }
    check_chars(&DAY_OF_WEEK, token, "?#")?;
    let upper = token.to_ascii_uppercase();
    if token.contains('?') {
        return Err(ExprError::field(
            field,
            token,
            format!("{token}: ? must stand alone in the field"),
        ));
    }
    if upper.contains('#') {
        if upper.contains(',') || upper.matches('#').count() > 1 {
            return Err(ExprError::field(
                field,
                token,
                format!("{token}: # must be the only expression in day-of-week (AWS: \"3#1,6#3\" is invalid)"),
            ));
        }
        let (day, nth) = upper.split_once('#').unwrap_or((&upper, ""));
        let day = parse_value(&DAY_OF_WEEK, token, day).map_err(|_| {
            ExprError::field(
                field,
                token,
                format!("{token}: # takes a single weekday before it, 1-7 or SUN-SAT, as in 3#2 (the second Tuesday)"),
            )
        })?;
        let nth = match nth {
            "1" | "2" | "3" | "4" | "5" => nth.as_bytes()[0] - b'0',
            _ => {
                return Err(ExprError::field(
                    field,
                    token,
                    format!(
                        "{token}: the number after # must be 1-5 (which occurrence in the month)"
                    ),
                ))
            }
        };
        return Ok(Some(WeekDays::Nth(day as u8, nth)));
    }
    if upper == "L" {
        let mut bits = Bits::default();
        bits.insert(7);
        return Ok(Some(WeekDays::Days(bits)));
    }
    // No weekday name contains an L, so any L here is the L wildcard.
    if upper.contains('L') {
        if upper.contains(',') {
            return Err(ExprError::field(
                field,
                token,
                format!("{token}: L must be the only item in day-of-week, not part of a list"),
            ));
        }
        if let Some(day) = upper.strip_suffix('L') {
            if day.is_empty() || !day.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ExprError::field(
                    field,
                    token,
                    format!("{token}: L in day-of-week stands alone (Saturday) or follows a weekday number 1-7, as in 6L (the last Friday)"),
                ));
            }
            let value = parse_value(&DAY_OF_WEEK, token, day)?;
            return Ok(Some(WeekDays::LastOfMonth(value as u8)));
        }
        return Err(ExprError::field(
            field,
            token,
            format!("{token}: L in day-of-week stands alone (Saturday) or follows a weekday number, as in 6L"),
        ));
    }
    Ok(Some(WeekDays::Days(parse_list(&DAY_OF_WEEK, token)?)))
}

impl Cron {
    /// Parses the six fields inside `cron(...)`.
    pub fn parse_fields(inner: &str) -> Result<Cron, ExprError> {
        let tokens: Vec<&str> = inner.split_ascii_whitespace().collect();
        if tokens.len() != 6 {
            return Err(ExprError::FieldCount {
                found: tokens.len(),
            });
        }
        check_chars(&MINUTES, tokens[0], "")?;
        let minutes = parse_list(&MINUTES, tokens[0])?;
        check_chars(&HOURS, tokens[1], "")?;
        let hours = parse_list(&HOURS, tokens[1])?;
        let dom = parse_day_of_month(tokens[2])?;
        check_chars(&MONTH, tokens[3], "")?;
        let months = parse_list(&MONTH, tokens[3])?;
        let dow = parse_day_of_week(tokens[4])?;
        check_chars(&YEAR, tokens[5], "")?;
        let years = parse_list(&YEAR, tokens[5])?;
        let days =
            match (dom, dow) {
                (Some(dom), None) => DaySpec::Month(dom),
                (None, Some(dow)) => DaySpec::Week(dow),
                (None, None) => return Err(ExprError::DayFields(
                    "both are ?; exactly one of them must be ? and the other must say which days"
                        .into(),
                )),
                (Some(_), Some(_)) => {
                    return Err(ExprError::DayFields(format!(
                        "{} and {} both set days; AWS requires ? in exactly one of them, \
                     e.g. cron(0 9 ? * MON-FRI *) or cron(0 9 1 * ? *)",
                        tokens[2], tokens[4]
                    )))
                }
            };
        debug_assert!(!minutes.is_empty() && !hours.is_empty() && !months.is_empty());
        let fields = tokens
            .iter()
            .map(|t| t.to_ascii_uppercase())
            .collect::<Vec<_>>()
            .try_into()
            .unwrap_or_default();
        Ok(Cron {
            fields,
            minutes,
            hours,
            days,
            months,
            years,
        })
    }

    /// Every (hour, minute) of a matching day, in ascending order.
    pub fn times_of_day(&self) -> Vec<(i8, i8)> {
        let mut out = Vec::new();
        for h in self.hours.iter() {
            for m in self.minutes.iter() {
                out.push((h as i8, m as i8));
            }
        }
        out
    }

    /// When the cron fires the same minutes every week (every month, every year, by weekday or
    /// on every day): those minutes, counted from Sunday 00:00, ascending. `None` otherwise.
    pub fn week_minutes(&self) -> Option<Vec<u32>> {
        if self.fields[5] != "*" || !(1..=12).all(|m| self.months.contains(m)) {
            return None;
        }
        let weekdays: Vec<u32> = match self.days {
            DaySpec::Week(WeekDays::Days(bits)) => (1..=7).filter(|d| bits.contains(*d)).collect(),
            DaySpec::Month(MonthDays::Days(bits)) if (1..=31).all(|d| bits.contains(d)) => {
                (1..=7).collect()
            }
            _ => return None,
        };
        let mut out = Vec::new();
        for day in weekdays {
            for (h, m) in self.times_of_day() {
                out.push((day - 1) * 1440 + h as u32 * 60 + m as u32);
            }
        }
        out.sort_unstable();
        Some(out)
    }

    pub fn year_matches(&self, year: i16) -> bool {
        (MIN_YEAR..=MAX_YEAR).contains(&year) && self.years.contains((year - MIN_YEAR) as u32)
    }

    pub fn month_matches(&self, month: i8) -> bool {
        self.months.contains(month as u32)
    }

    /// Whether the day fields select this date (month and year are checked separately).
    pub fn day_matches(&self, date: Date) -> bool {
        let day = date.day() as u8;
        let len = date.days_in_month() as u8;
        let weekday = date.weekday().to_sunday_one_offset() as u8;
        match self.days {
            DaySpec::Month(MonthDays::Days(bits)) => bits.contains(day as u32),
            DaySpec::Month(MonthDays::Last) => day == len,
            DaySpec::Month(MonthDays::NearestWeekday(n)) => nearest_weekday(date, n) == Some(day),
            DaySpec::Week(WeekDays::Days(bits)) => bits.contains(weekday as u32),
            DaySpec::Week(WeekDays::LastOfMonth(wd)) => weekday == wd && day + 7 > len,
            DaySpec::Week(WeekDays::Nth(wd, k)) => weekday == wd && (day - 1) / 7 + 1 == k,
        }
    }

    /// The first year at or after `year` that the year field allows.
    pub fn next_year(&self, year: i16) -> Option<i16> {
        (year.max(MIN_YEAR)..=MAX_YEAR).find(|y| self.year_matches(*y))
    }
}

/// The day `nW` stands for in the month of `date`: day n when it is a weekday, else the nearest
/// weekday within the same month. `None` when the month has no day n (31W in April), for then
/// there is no day to be near, as a plain `31` does not fire in April either.
fn nearest_weekday(date: Date, n: u8) -> Option<u8> {
    let len = date.days_in_month() as u8;
    if n > len {
        return None;
    }
    let target = date
        .first_of_month()
        .checked_add(jiff::Span::new().days(i64::from(n) - 1))
        .ok()?;
    Some(match target.weekday() {
        Weekday::Saturday if n == 1 => 3,
        Weekday::Saturday => n - 1,
        Weekday::Sunday if n == len => n - 2,
        Weekday::Sunday => n + 1,
        _ => n,
    })
}

impl std::fmt::Display for Cron {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cron({})", self.fields.join(" "))
    }
}
