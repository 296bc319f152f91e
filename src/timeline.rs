//! A week of a service's schedules, for people: each local day's hours on or off, the
//! transitions in local time, skipped days and overrides, DST days with their real number of
//! hours. Drawn as text (block characters) or SVG. No I/O.

use crate::calendar::Calendar;
use crate::expression::timezone::Zone;
use crate::schedule::Schedule;
use jiff::civil::{Date, Weekday};
use jiff::Timestamp;
use serde::Serialize;
use std::fmt::Write as _;

/// One local hour of a day: on for all of it, off, partly on, or not there (the hour a
/// spring-forward change skips).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cell {
    On,
    Off,
    Partly,
    Missing,
}

/// One local day of the week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    #[serde(serialize_with = "date_text")]
    pub date: Date,
    /// Hours 00 to 23 of the local day (a fall-back day's repeated hour counts as on when
    /// either of its two occurrences is).
    pub hours: Vec<Cell>,
    /// Real length of the day, hours (23, 24 or 25).
    pub length: i64,
    /// `08:00 on`, `19:00 off`, in local time.
    pub transitions: Vec<String>,
    /// Why the service is not turned on this day, when a skip rule says so.
    pub skipped: Option<String>,
    /// An override holds the service during part of the day.
    pub overridden: bool,
}

fn date_text<S: serde::Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(date)
}

/// One service's week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Week {
    pub label: String,
    pub timezone: String,
    pub days: Vec<Day>,
}

/// The Monday of the week holding `date`.
pub fn monday_of(date: Date) -> Date {
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(jiff::Span::new().days(back))
        .unwrap_or(date)
}

/// The state changes of the schedules in [from, to), and the count at `from`.
/// The week from Monday `monday` (local, in `zone`) of the given schedules (a count above
/// `off_count` is on); `held` is an override's (start, end, count).
pub fn week(
    label: &str,
    (schedules, off_count): (&[Schedule], u32),
    zone: &Zone,
    calendar: &Calendar,
    monday: Date,
    held: Option<(Timestamp, Timestamp, u32)>,
) -> Week {
    let tz = zone.tz().clone();
    let at = |d: Date| {
        d.to_zoned_datetime(tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    };
    let day_after = |d: Date| d.tomorrow().unwrap_or(d);
    let end_date = (0..7).fold(monday, |d, _| day_after(d));
    let (start, events) =
        crate::overrides::counts_between(schedules, at(monday), at(end_date), held);
    let start = start.unwrap_or(0);
    // The count at each instant: the last change at or before it.
    let count_at = |t: Timestamp| {
        events
            .iter()
            .take_while(|(e, _)| *e <= t)
            .last()
            .map_or(start, |(_, n)| *n)
    };
    let mut days = Vec::new();
    let mut date = monday;
    for _ in 0..7 {
        let (from, to) = (at(date), at(day_after(date)));
        let mut hours = Vec::with_capacity(24);
        for hour in 0..24i8 {
            // Every minute of this local hour that exists.
            let mut seen = (false, false, false);
            let dt = date.at(hour, 0, 0, 0);
            let instants: Vec<Timestamp> = match tz.to_ambiguous_timestamp(dt).offset() {
                jiff::tz::AmbiguousOffset::Unambiguous { offset } => {
                    vec![offset.to_timestamp(dt).unwrap_or(from)]
                }
                jiff::tz::AmbiguousOffset::Fold { before, after } => vec![
                    before.to_timestamp(dt).unwrap_or(from),
                    after.to_timestamp(dt).unwrap_or(from),
                ],
                jiff::tz::AmbiguousOffset::Gap { .. } => Vec::new(),
            };
            for t0 in &instants {
                seen.2 = true;
                for minute in (0..60).step_by(5) {
                    let t = *t0 + jiff::SignedDuration::from_mins(minute);
                    if count_at(t) > off_count {
                        seen.0 = true;
                    } else {
                        seen.1 = true;
                    }
                }
            }
            hours.push(match seen {
                (_, _, false) => Cell::Missing,
                (true, false, _) => Cell::On,
                (false, _, _) => Cell::Off,
                (true, true, _) => Cell::Partly,
            });
        }
        let transitions = events
            .iter()
            .filter(|(t, _)| *t >= from && *t < to)
            .map(|(t, n)| {
                format!(
                    "{} {}",
                    tz.to_datetime(*t).strftime("%H:%M"),
                    if *n > off_count { "on" } else { "off" }
                )
            })
            .collect();
        days.push(Day {
            date,
            length: (to.as_second() - from.as_second()) / 3600,
            hours,
            transitions,
            skipped: calendar.skipping(date).map(|r| r.label.clone()),
            overridden: held.is_some_and(|(a, b, _)| a < to && b > from),
        });
        date = day_after(date);
    }
    Week {
        label: label.to_string(),
        timezone: zone.name().to_string(),
        days,
    }
}

fn glyph(cell: Cell) -> char {
    match cell {
        Cell::On => '█',
        Cell::Off => '·',
        Cell::Partly => '▌',
        Cell::Missing => ' ',
    }
}

fn day_name(d: Date) -> &'static str {
    match d.weekday() {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    }
}

/// The week as text: per service a header, then one line per day (24 hour cells, then the
/// transitions and notes); `color` paints on hours green.
pub fn text(weeks: &[Week], color: bool) -> String {
    let mut out = String::new();
    for w in weeks {
        let _ = writeln!(out, "{} ({})", w.label, w.timezone);
        let _ = writeln!(out, "            0     6     12    18    24");
        for d in &w.days {
            let cells: String = d
                .hours
                .iter()
                .map(|c| {
                    let g = glyph(*c);
                    if color && *c == Cell::On {
                        format!("\x1b[32m{g}\x1b[0m")
                    } else {
                        g.to_string()
                    }
                })
                .collect();
            let mut notes = d.transitions.clone();
            if let Some(why) = &d.skipped {
                notes.push(format!("skipped ({why})"));
            }
            if d.overridden {
                notes.push("override".into());
            }
            if d.length != 24 {
                notes.push(format!("{}-hour day (DST)", d.length));
            }
            let _ = writeln!(
                out,
                "  {} {} {cells}  {}",
                day_name(d.date),
                d.date.strftime("%m-%d"),
                notes.join(", ")
            );
        }
    }
    out.push_str("█ on  ▌ partly  · off\n");
    out
}

/// A compact week: one line per service, 12 two-hour cells a day (for a pull request comment).
pub fn compact(weeks: &[Week]) -> String {
    let mut out = String::new();
    let width = weeks.iter().map(|w| w.label.len()).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "{:width$}  Mon          Tue          Wed          Thu          Fri          Sat          Sun",
        ""
    );
    for w in weeks {
        let days: Vec<String> = w
            .days
            .iter()
            .map(|d| {
                d.hours
                    .chunks(2)
                    .map(|pair| {
                        let on = pair.iter().filter(|c| **c == Cell::On).count();
                        let some = pair.iter().any(|c| matches!(c, Cell::On | Cell::Partly));
                        match (on, some) {
                            (2, _) => '█',
                            (_, true) => '▌',
                            _ => '·',
                        }
                    })
                    .collect()
            })
            .collect();
        let _ = writeln!(out, "{:width$}  {}", w.label, days.join(" "));
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The week as an SVG image: one row per service, seven days of 24 hours, on hours filled, the
/// transitions and notes under each day.
pub fn svg(weeks: &[Week]) -> String {
    const HOUR: usize = 5;
    const DAY: usize = 24 * HOUR + 8;
    const ROW: usize = 64;
    const LEFT: usize = 180;
    let width = LEFT + 7 * DAY + 10;
    let height = 30 + weeks.len() * ROW + 20;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">"
    );
    let _ = writeln!(
        out,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    if let Some(first) = weeks.first() {
        for (i, d) in first.days.iter().enumerate() {
            let x = LEFT + i * DAY;
            let _ = writeln!(
                out,
                "<text x=\"{x}\" y=\"18\">{} {}</text>",
                day_name(d.date),
                d.date.strftime("%Y-%m-%d")
            );
        }
    }
    for (row, w) in weeks.iter().enumerate() {
        let y = 30 + row * ROW;
        let _ = writeln!(
            out,
            "<g class=\"service\" data-service=\"{}\">",
            escape(&w.label)
        );
        let _ = writeln!(
            out,
            "<text x=\"6\" y=\"{}\">{}</text><text x=\"6\" y=\"{}\" fill=\"#666666\">{}</text>",
            y + 14,
            escape(&w.label),
            y + 28,
            escape(&w.timezone)
        );
        for (i, d) in w.days.iter().enumerate() {
            let x0 = LEFT + i * DAY;
            let frame = if d.skipped.is_some() {
                "#d9534f"
            } else {
                "#cccccc"
            };
            let _ = writeln!(
                out,
                "<rect x=\"{x0}\" y=\"{y}\" width=\"{}\" height=\"20\" fill=\"#f4f4f4\" \
                 stroke=\"{frame}\"/>",
                24 * HOUR
            );
            for (h, cell) in d.hours.iter().enumerate() {
                let fill = match cell {
                    Cell::On => "#2e8b57",
                    Cell::Partly => "#8fd19e",
                    Cell::Off | Cell::Missing => continue,
                };
                let _ = writeln!(
                    out,
                    "<rect x=\"{}\" y=\"{y}\" width=\"{HOUR}\" height=\"20\" fill=\"{fill}\"/>",
                    x0 + h * HOUR
                );
            }
            let mut notes = d.transitions.join(" ");
            if d.skipped.is_some() {
                notes = "skipped".into();
            }
            if d.overridden {
                notes.push_str(" override");
            }
            if d.length != 24 {
                let _ = write!(notes, " {}h", d.length);
            }
            let _ = writeln!(
                out,
                "<text x=\"{x0}\" y=\"{}\" font-size=\"9\">{}</text>",
                y + 32,
                escape(notes.trim())
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::tests::{key, spec};

    fn berlin_office(skip: &[&str]) -> (Vec<Schedule>, Calendar) {
        let mut s = spec("staging", "web");
        s.times =
            crate::compile::Times::windows(vec!["MON-FRI 09:00-18:30".parse().unwrap()]).unwrap();
        s.zone = Zone::parse("Europe/Berlin").unwrap();
        s.calendar = Calendar {
            rules: skip
                .iter()
                .map(|d| crate::calendar::parse_skip(d, "calendar de").unwrap())
                .collect(),
        };
        let compiled = s.compile("2026-10-01T00:00:00Z".parse().unwrap()).unwrap();
        (s.schedules(&key("eu-central-1"), 2, &compiled), s.calendar)
    }

    #[test]
    fn a_week_with_a_dst_change_and_a_skipped_day() {
        let (schedules, calendar) = berlin_office(&["2026-10-21"]);
        let zone = Zone::parse("Europe/Berlin").unwrap();
        let w = week(
            "staging/web",
            (&schedules, 0),
            &zone,
            &calendar,
            monday_of("2026-10-22".parse().unwrap()),
            None,
        );
        assert_eq!(w.days[0].date.to_string(), "2026-10-19");
        let mon = &w.days[0];
        assert_eq!(mon.hours[8], Cell::Off);
        assert_eq!(mon.hours[9], Cell::On);
        assert_eq!(mon.hours[17], Cell::On);
        assert_eq!(mon.hours[18], Cell::Partly);
        assert_eq!(mon.hours[19], Cell::Off);
        assert_eq!(mon.transitions, ["09:00 on", "18:30 off"]);
        // Wednesday is skipped: off all day, and said why.
        let wed = &w.days[2];
        assert!(wed.hours.iter().all(|c| *c == Cell::Off));
        assert_eq!(wed.skipped.as_deref(), Some("calendar de 2026-10-21"));
        // Sunday the 25th has 25 hours.
        assert_eq!(w.days[6].length, 25);
        assert!(w.days[..6].iter().all(|d| d.length == 24));
        let t = text(std::slice::from_ref(&w), false);
        assert!(
            t.contains("Mon 10-19 ·········█████████▌·····  09:00 on, 18:30 off"),
            "{t}"
        );
        assert!(t.contains("skipped (calendar de 2026-10-21)"), "{t}");
        assert!(t.contains("25-hour day (DST)"), "{t}");
        let c = compact(&[w]);
        assert!(
            c.contains("staging/web  ····▌████▌·· ····▌████▌·· ············ "),
            "{c}"
        );
    }

    #[test]
    fn the_spring_gap_has_no_hour() {
        let (schedules, calendar) = berlin_office(&[]);
        let zone = Zone::parse("Europe/Berlin").unwrap();
        let w = week(
            "w",
            (&schedules, 0),
            &zone,
            &calendar,
            "2027-03-22".parse().unwrap(),
            None,
        );
        let sunday = &w.days[6];
        assert_eq!(sunday.date.to_string(), "2027-03-28");
        assert_eq!(sunday.length, 23);
        assert_eq!(sunday.hours[2], Cell::Missing);
    }

    #[test]
    fn an_override_shows() {
        let (schedules, calendar) = berlin_office(&[]);
        let zone = Zone::parse("Europe/Berlin").unwrap();
        // On from Monday 18:30 to Tuesday 09:00.
        let held = Some((
            "2026-10-19T16:30:00Z".parse().unwrap(),
            "2026-10-20T07:00:00Z".parse().unwrap(),
            2,
        ));
        let w = week(
            "w",
            (&schedules, 0),
            &zone,
            &calendar,
            "2026-10-19".parse().unwrap(),
            held,
        );
        assert!(w.days[0].overridden && w.days[1].overridden);
        assert!(w.days[0].hours[18..].iter().all(|c| *c == Cell::On));
        assert!(w.days[1].hours[..9].iter().all(|c| *c == Cell::On));
        assert!(!w.days[2].overridden);
        // An override that ended before the week changes nothing in it.
        let before = Some((
            "2026-10-12T16:30:00Z".parse().unwrap(),
            "2026-10-13T07:00:00Z".parse().unwrap(),
            2,
        ));
        let plain = week(
            "w",
            (&schedules, 0),
            &zone,
            &calendar,
            "2026-10-19".parse().unwrap(),
            None,
        );
        let after = week(
            "w",
            (&schedules, 0),
            &zone,
            &calendar,
            "2026-10-19".parse().unwrap(),
            before,
        );
        assert_eq!(after, plain);
    }

    #[test]
    fn svg_escapes_and_has_a_group_per_service() {
        let (schedules, calendar) = berlin_office(&[]);
        let zone = Zone::parse("Europe/Berlin").unwrap();
        let weeks: Vec<Week> = ["a<b", "c&d"]
            .iter()
            .map(|l| {
                week(
                    l,
                    (&schedules, 0),
                    &zone,
                    &calendar,
                    "2026-10-19".parse().unwrap(),
                    None,
                )
            })
            .collect();
        let s = svg(&weeks);
        assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert_eq!(s.matches("<g class=\"service\"").count(), 2);
        assert!(s.contains("a&lt;b") && s.contains("c&amp;d"));
        assert!(!s.contains("a<b"));
    }
}
