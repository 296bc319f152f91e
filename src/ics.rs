//! Skipped days from an iCalendar file (RFC 5545): every all-day `VEVENT` is a skipped range
//! (`DTSTART` to the day before `DTEND`), repeated every year when it has a yearly `RRULE`.
//! Anything that cannot be read exactly that way is refused with the event it is in: a timed
//! event, another recurrence, `RDATE`/`EXDATE`, a cancelled event, a to-do or journal entry.
//! The `icalendar` crate reads the syntax (line unfolding, parameters); this module gives it
//! its meaning. No I/O: the caller passes the text.

use crate::calendar::{Calendar, Dates, SkipRule};
use icalendar::parser::{read_calendar, unfold, Component, Property};
use jiff::civil::Date;
use jiff::ToSpan;

/// A file that is not iCalendar, or an entry that cannot be read exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct IcsError {
    pub path: String,
    pub message: String,
}

/// Components that carry nothing that skips a day and are passed over.
const PASSED_OVER: [&str; 2] = ["VTIMEZONE", "VALARM"];

fn prop<'a>(c: &'a Component<'_>, name: &str) -> Option<&'a Property<'a>> {
    c.properties.iter().find(|p| p.name.as_str() == name)
}

fn param<'a>(p: &'a Property<'_>, key: &str) -> Option<&'a str> {
    p.params
        .iter()
        .find(|x| x.key.as_str().eq_ignore_ascii_case(key))
        .and_then(|x| x.val.as_ref().map(|v| v.as_str()))
}

/// An iCalendar DATE value, `YYYYMMDD`.
fn date(text: &str) -> Option<Date> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| text[r].parse::<i16>().ok();
    Date::new(n(0..4)?, n(4..6)? as i8, n(6..8)? as i8).ok()
}

/// A DURATION of whole days or weeks (`P1D`, `P2W`): the number of days.
fn duration_days(text: &str) -> Option<i32> {
    let body = text.strip_prefix('P')?;
    let (n, unit) = body.split_at(body.len().checked_sub(1)?);
    let n: i32 = n.parse().ok().filter(|n| *n > 0)?;
    match unit {
        "D" => Some(n),
        "W" => Some(n * 7),
        _ => None,
    }
}

/// Reads the skipped days of an iCalendar file's text. `path` labels the rules and messages.
pub fn read(path: &str, text: &str) -> Result<Calendar, IcsError> {
    let fail = |message: String| IcsError {
        path: path.to_string(),
        message,
    };
    if !text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_uppercase()
        .starts_with("BEGIN:VCALENDAR")
    {
        return Err(fail(
            "is not an iCalendar file (it does not begin with BEGIN:VCALENDAR)".into(),
        ));
    }
    let unfolded = unfold(text);
    let calendar = read_calendar(&unfolded).map_err(|e| {
        let first = e.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        fail(format!("is not valid iCalendar: {}", first.trim()))
    })?;
    let mut rules = Vec::new();
    for component in &calendar.components {
        let name = component.name.as_str();
        if PASSED_OVER.contains(&name) {
            continue;
        }
        if name != "VEVENT" {
            return Err(fail(format!(
                "has a {name}; only all-day events (VEVENT) are read as skipped days"
            )));
        }
        rules.push(event(path, component).map_err(fail)?);
    }
    if rules.is_empty() {
        return Err(fail("has no events: no day would be skipped".into()));
    }
    Ok(Calendar { rules })
}

/// One VEVENT as a skip rule.
fn event(path: &str, c: &Component<'_>) -> Result<SkipRule, String> {
    let summary = prop(c, "SUMMARY")
        .map(|p| p.val.as_str().to_string())
        .unwrap_or_else(|| "(no SUMMARY)".to_string());
    let start_prop =
        prop(c, "DTSTART").ok_or_else(|| format!("the event '{summary}' has no DTSTART"))?;
    let start_text = start_prop.val.as_str();
    let all_day = |p: &Property<'_>| {
        param(p, "VALUE").is_none_or(|v| v.eq_ignore_ascii_case("DATE"))
            && date(p.val.as_str()).is_some()
    };
    if !all_day(start_prop) {
        return Err(format!(
            "the event '{summary}' (DTSTART {start_text}) is not an all-day event; only whole \
             days can be skipped"
        ));
    }
    let first = date(start_text).expect("checked");
    let label = format!("{path}: {summary}");
    if let Some(status) = prop(c, "STATUS").filter(|p| p.val.as_str() == "CANCELLED") {
        return Err(format!(
            "the event '{summary}' on {first} is {}: remove it from the file, or keep it as a \
             skipped day by removing its STATUS",
            status.val.as_str()
        ));
    }
    for unsupported in ["RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID"] {
        if prop(c, unsupported).is_some() {
            return Err(format!(
                "the event '{summary}' on {first} has {unsupported}, which is not read; list \
                 its dates as separate events instead"
            ));
        }
    }
    let days = match (prop(c, "DTEND"), prop(c, "DURATION")) {
        (Some(end), _) => {
            if !all_day(end) {
                return Err(format!(
                    "the event '{summary}' on {first} has DTEND {}, which is not a date",
                    end.val.as_str()
                ));
            }
            let end = date(end.val.as_str()).expect("checked");
            let days = (end - first).get_days();
            if days < 1 {
                return Err(format!(
                    "the event '{summary}' on {first} ends (DTEND {end}) before it starts"
                ));
            }
            days
        }
        (None, Some(d)) => duration_days(d.val.as_str()).ok_or_else(|| {
            format!(
                "the event '{summary}' on {first} has DURATION {}, which is not whole days",
                d.val.as_str()
            )
        })?,
        // An all-day DTSTART alone is one day (RFC 5545, 3.6.1).
        (None, None) => 1,
    };
    let dates = match prop(c, "RRULE") {
        None => Dates::Range {
            first,
            last: first.saturating_add((days - 1).days()),
        },
        Some(rule) => yearly(rule.val.as_str(), first, days)
            .map_err(|why| format!("the event '{summary}' on {first}: {why}"))?,
    };
    Ok(SkipRule { dates, label })
}

/// A yearly RRULE on the event's own month and day.
fn yearly(rule: &str, first: Date, days: i32) -> Result<Dates, String> {
    let refuse = |part: &str| {
        format!(
            "RRULE {rule} cannot be read exactly ({part}); only FREQ=YEARLY on the event's \
             own date is, with COUNT or UNTIL: list such dates as separate events"
        )
    };
    let mut freq = None;
    let mut last_year = None;
    for part in rule.split(';').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').ok_or_else(|| refuse(part))?;
        match key.to_ascii_uppercase().as_str() {
            "FREQ" => freq = Some(value.to_ascii_uppercase()),
            "INTERVAL" if value == "1" => {}
            "BYMONTH" if value.parse::<i8>() == Ok(first.month()) => {}
            "BYMONTHDAY" if value.parse::<i8>() == Ok(first.day()) => {}
            "WKST" => {}
            "COUNT" => {
                let n: i16 = value
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| refuse(part))?;
                last_year = Some(first.year() + n - 1);
            }
            "UNTIL" => {
                let until = date(value.get(..8).unwrap_or_default()).ok_or_else(|| refuse(part))?;
                let year = until.year();
                let in_year =
                    Date::new(year, first.month(), first.day()).map_err(|_| refuse(part))?;
                last_year = Some(if in_year <= until { year } else { year - 1 });
            }
            _ => return Err(refuse(part)),
        }
    }
    if freq.as_deref() != Some("YEARLY") {
        return Err(refuse(&format!("FREQ={}", freq.unwrap_or_default())));
    }
    if (first.month(), first.day()) == (2, 29) {
        return Err("a yearly event on February 29 does not fall every year".into());
    }
    Ok(Dates::Yearly {
        month: first.month(),
        day: first.day(),
        days,
        first_year: Some(first.year()),
        last_year,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ics(events: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n")
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn all_day_events_and_yearly_rules() {
        let text = ics("BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261224\r\n\
             DTEND;VALUE=DATE:20261227\r\nSUMMARY:Christmas\r\n break\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=YEARLY\r\n\
             SUMMARY:New Year\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:3\r\nDTSTART;VALUE=DATE:20260501\r\nDURATION:P1D\r\n\
             RRULE:FREQ=YEARLY;COUNT=2\r\nSUMMARY:Labour Day\r\nEND:VEVENT\r\n");
        let cal = read("kr.ics", &text).unwrap();
        assert_eq!(cal.rules.len(), 3);
        assert_eq!(cal.rules[0].label, "kr.ics: Christmasbreak");
        for (date, skipped) in [
            ("2026-12-23", false),
            ("2026-12-24", true),
            ("2026-12-26", true),
            ("2026-12-27", false),
            ("2025-01-01", false),
            ("2026-01-01", true),
            ("2040-01-01", true),
            ("2026-05-01", true),
            ("2027-05-01", true),
            ("2028-05-01", false),
        ] {
            assert_eq!(cal.skipping(d(date)).is_some(), skipped, "{date}");
        }
    }

    #[test]
    fn what_cannot_be_read_exactly_is_refused() {
        let event = |body: &str| {
            read(
                "h.ics",
                &ics(&format!(
                    "BEGIN:VEVENT\r\nSUMMARY:X\r\n{body}END:VEVENT\r\n"
                )),
            )
            .unwrap_err()
            .message
        };
        assert!(event("DTSTART:20261224T090000Z\r\n").contains("not an all-day event"));
        assert!(
            event("DTSTART;VALUE=DATE:20261126\r\nRRULE:FREQ=YEARLY;BYDAY=4TH\r\n")
                .contains("cannot be read exactly")
        );
        assert!(
            event("DTSTART;VALUE=DATE:20261126\r\nRRULE:FREQ=MONTHLY\r\n").contains("FREQ=MONTHLY")
        );
        assert!(
            event("DTSTART;VALUE=DATE:20261126\r\nEXDATE;VALUE=DATE:20271126\r\n")
                .contains("EXDATE")
        );
        assert!(event("DTSTART;VALUE=DATE:20261126\r\nSTATUS:CANCELLED\r\n").contains("CANCELLED"));
        assert!(
            event("DTSTART;VALUE=DATE:20261126\r\nDTEND;VALUE=DATE:20261126\r\n")
                .contains("before it starts")
        );
        assert!(
            event("DTSTART;VALUE=DATE:20280229\r\nRRULE:FREQ=YEARLY\r\n").contains("February 29")
        );
        assert!(event("SUMMARY:Y\r\n").contains("no DTSTART"));
        let todo = read("h.ics", &ics("BEGIN:VTODO\r\nSUMMARY:x\r\nEND:VTODO\r\n")).unwrap_err();
        assert!(todo.message.contains("VTODO"), "{todo}");
        let not = read("h.ics", "hello").unwrap_err();
        assert!(
            not.to_string().contains("h.ics: is not an iCalendar file"),
            "{not}"
        );
        assert!(read("h.ics", &ics(""))
            .unwrap_err()
            .message
            .contains("no events"));
    }

    #[test]
    fn until_bounds_the_years() {
        let text = ics("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261003\r\n\
             RRULE:FREQ=YEARLY;UNTIL=20281002\r\nSUMMARY:Day\r\nEND:VEVENT\r\n");
        let cal = read("h.ics", &text).unwrap();
        assert!(cal.skipping(d("2027-10-03")).is_some());
        assert!(cal.skipping(d("2028-10-03")).is_none());
    }
}
