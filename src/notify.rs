//! Heads-up before the off: for each off schedule of a service, one more schedule that fires a
//! few minutes before it and publishes a message to an SNS topic (the universal target for SNS
//! Publish), naming the service, the off time in the service's zone, and the command that keeps
//! it on. No I/O.
//!
//! The heads-up's cron is the off cron moved earlier, exactly: the same minute and hour fields
//! less the minutes, and when that crosses midnight, the weekdays moved back one day (SAT for
//! SUN). Only off crons with one minute and one hour, and with every day or a set of weekdays in
//! every month and year, can be moved exactly (windows always give such crons); any other is
//! refused with the reason.

use crate::arn::TopicArn;
use crate::expression::cron::DAY_NAMES;
use crate::expression::timezone::Zone;
use crate::expression::ScheduleExpression;
use crate::schedule::{ServiceId, NOTIFY_ATTRIBUTE};
use jiff::SignedDuration;
use serde_json::json;

/// How long before the off the heads-up fires, unless `--notify-before` says otherwise.
pub const DEFAULT_BEFORE: SignedDuration = SignedDuration::from_mins(15);
/// SNS Publish: a Subject must be less than this many characters.
const MAX_SUBJECT: usize = 100;
/// The longest heads-up (a day less a minute: one day move at most).
pub const MAX_BEFORE: SignedDuration = SignedDuration::from_mins(1439);

/// Where and how long before the off a service's heads-up goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    pub topic: TopicArn,
    pub before: SignedDuration,
}

/// `--notify-before`: a duration from 1 minute to 23h59m, in whole minutes.
pub fn parse_before(text: &str) -> Result<SignedDuration, String> {
    let d = crate::overrides::parse_duration(text)?;
    if d.as_secs() % 60 != 0 || d > MAX_BEFORE {
        return Err(format!(
            "'{text}' is not a heads-up time: whole minutes, from 1m to 23h59m"
        ));
    }
    Ok(d)
}

/// The weekdays of an AWS day-of-week field without `#` or `L`, SUN=0 .. SAT=6.
fn weekdays(field: &str) -> Option<[bool; 7]> {
    let day = |t: &str| -> Option<usize> {
        DAY_NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(t))
            .or_else(|| {
                t.parse::<usize>()
                    .ok()
                    .filter(|n| (1..=7).contains(n))
                    .map(|n| n - 1)
            })
    };
    let mut days = [false; 7];
    if field == "*" {
        return Some([true; 7]);
    }
    for item in field.split(',') {
        match item.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                if a > b {
                    return None;
                }
                for d in days.iter_mut().take(b + 1).skip(a) {
                    *d = true;
                }
            }
            None => days[day(item)?] = true,
        }
    }
    Some(days)
}

/// The cron that fires `minutes` before `off`, exactly, or why there is none.
pub fn shift_earlier(off: &ScheduleExpression, minutes: u32) -> Result<ScheduleExpression, String> {
    let ScheduleExpression::Cron(_) = off else {
        return Err(format!(
            "a heads-up needs a cron off time; {off} is not one (use a cron or a window)"
        ));
    };
    let text = off.to_string();
    let inner = &text["cron(".len()..text.len() - 1];
    let fields: Vec<&str> = inner.split_whitespace().collect();
    let [minute, hour, dom, month, dow, year] = fields[..] else {
        return Err(format!("{off} is not a 6-field cron"));
    };
    let refuse = |why: &str| format!("no cron fires exactly {minutes} minutes before {off}: {why}");
    let (Ok(m), Ok(h)) = (minute.parse::<i64>(), hour.parse::<i64>()) else {
        return Err(refuse("it has more than one minute or hour"));
    };
    let total = h * 60 + m - i64::from(minutes);
    let (hh, mm) = (total.rem_euclid(1440) / 60, total.rem_euclid(60));
    if total >= 0 {
        return ScheduleExpression::parse(&format!("cron({mm} {hh} {dom} {month} {dow} {year})"))
            .map_err(|e| e.to_string());
    }
    // The day before: only exact when every month and year is in.
    if month != "*" || year != "*" {
        return Err(refuse(
            "the heads-up falls on the day before, and the cron names months or years",
        ));
    }
    let days = match (dom, dow) {
        ("*", "?") => [true; 7],
        ("?", dow) => {
            let days = weekdays(dow).ok_or_else(|| {
                refuse("the heads-up falls on the day before, and its weekdays cannot be moved")
            })?;
            let mut before = [false; 7];
            for (i, on) in days.iter().enumerate() {
                before[(i + 6) % 7] |= *on;
            }
            before
        }
        _ => {
            return Err(refuse(
                "the heads-up falls on the day before, and the cron names days of the month",
            ))
        }
    };
    crate::window::daily_cron(hh as u32, mm as u32, &days).map_err(|e| e.to_string())
}

/// The SNS Publish request a heads-up sends: the universal target's Input.
pub fn publish_input(
    notify: &Notify,
    id: &ServiceId,
    region: &str,
    group: &str,
    off: &ScheduleExpression,
    zone: &Zone,
) -> String {
    let minutes = notify.before.as_mins();
    let at = match off {
        ScheduleExpression::Cron(_) => {
            let text = off.to_string();
            let fields: Vec<&str> = text["cron(".len()..text.len() - 1]
                .split_whitespace()
                .collect();
            match (fields[0].parse::<u32>(), fields[1].parse::<u32>()) {
                (Ok(m), Ok(h)) => format!("{h:02}:{m:02}"),
                _ => off.to_string(),
            }
        }
        _ => off.to_string(),
    };
    let command = format!(
        "ecs-onoff override --cluster {} --service {} --group {group} --region {region} --on --for 2h",
        id.cluster, id.service
    );
    let message = format!(
        "Heads-up from ecs-onoff: ECS service {} in cluster {} ({region}) is turned off in \
         {minutes} minutes, at {at} {zone} ({off}).\n\nTo keep it on for 2 more hours:\n  {command}\n",
        id.service, id.cluster
    );
    let mut subject = format!("ecs-onoff: {id} turns off at {at} {zone}");
    // SNS: a subject is ASCII, on one line, and less than 100 characters long.
    if subject.len() >= MAX_SUBJECT {
        subject = format!("ecs-onoff: a service turns off at {at} {zone}");
    }
    if subject.len() >= MAX_SUBJECT {
        subject = "ecs-onoff: a service turns off soon".to_string();
    }
    json!({
        "TopicArn": notify.topic.as_str(),
        "Subject": subject,
        "Message": message,
        "MessageAttributes": {
            NOTIFY_ATTRIBUTE: { "DataType": "String", "StringValue": id.to_string() }
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shift(expr: &str, minutes: u32) -> Result<String, String> {
        shift_earlier(&ScheduleExpression::parse(expr).unwrap(), minutes).map(|e| e.to_string())
    }

    #[test]
    fn within_the_day() {
        assert_eq!(
            shift("cron(0 19 ? * MON-FRI *)", 15),
            Ok("cron(45 18 ? * MON-FRI *)".into())
        );
        assert_eq!(
            shift("cron(30 8 * * ? *)", 30),
            Ok("cron(0 8 * * ? *)".into())
        );
        assert_eq!(
            shift("cron(0 19 1 JAN ? 2027)", 60),
            Ok("cron(0 18 1 JAN ? 2027)".into())
        );
    }

    #[test]
    fn across_midnight_the_weekdays_move_back() {
        assert_eq!(
            shift("cron(0 0 ? * TUE-SAT *)", 15),
            Ok("cron(45 23 ? * MON-FRI *)".into())
        );
        // Sunday's off at 00:10 is warned on Saturday.
        assert_eq!(
            shift("cron(10 0 ? * SUN *)", 15),
            Ok("cron(55 23 ? * SAT *)".into())
        );
        assert_eq!(
            shift("cron(10 0 ? * MON,SUN *)", 15),
            Ok("cron(55 23 ? * SUN,SAT *)".into())
        );
        assert_eq!(
            shift("cron(5 0 * * ? *)", 10),
            Ok("cron(55 23 * * ? *)".into())
        );
        assert_eq!(
            shift("cron(0 6 ? * 2-6 *)", 420),
            Ok("cron(0 23 ? * SUN-THU *)".into())
        );
    }

    #[test]
    fn what_cannot_move_exactly_is_refused() {
        for (expr, minutes, why) in [
            ("cron(0 0 1 * ? *)", 15, "days of the month"),
            ("cron(0 0 ? DEC MON *)", 15, "names months or years"),
            ("cron(0 0 ? * MON 2027)", 15, "names months or years"),
            ("cron(0 0 ? * 2#1 *)", 15, "cannot be moved"),
            ("cron(0 0 ? * L *)", 15, "cannot be moved"),
            ("cron(0/30 9 * * ? *)", 15, "more than one minute"),
            ("cron(0 9-17 * * ? *)", 15, "more than one minute or hour"),
        ] {
            let e = shift(expr, minutes).unwrap_err();
            assert!(e.contains(why), "{expr}: {e}");
        }
        let rate = shift_earlier(&ScheduleExpression::parse("rate(1 day)").unwrap(), 15);
        assert!(rate.unwrap_err().contains("needs a cron"));
    }

    #[test]
    fn the_publish_request_names_the_service_and_fits_sns() {
        let notify = Notify {
            topic: "arn:aws:sns:eu-central-1:123456789012:t".parse().unwrap(),
            before: DEFAULT_BEFORE,
        };
        let long = "x".repeat(255);
        for (cluster, service) in [("staging", "web"), (long.as_str(), long.as_str())] {
            let id = ServiceId {
                cluster: cluster.parse().unwrap(),
                service: service.parse().unwrap(),
            };
            let off = ScheduleExpression::parse("cron(0 19 ? * MON-FRI *)").unwrap();
            let zone = Zone::parse("Europe/Berlin").unwrap();
            let input: serde_json::Value = serde_json::from_str(&publish_input(
                &notify,
                &id,
                "eu-central-1",
                "g",
                &off,
                &zone,
            ))
            .unwrap();
            let subject = input["Subject"].as_str().unwrap();
            assert!(subject.len() < 100 && subject.is_ascii() && !subject.contains('\n'));
            assert_eq!(input["TopicArn"], "arn:aws:sns:eu-central-1:123456789012:t");
            assert_eq!(
                input["MessageAttributes"][NOTIFY_ATTRIBUTE]["StringValue"],
                id.to_string()
            );
            let message = input["Message"].as_str().unwrap();
            assert!(message.contains("at 19:00 Europe/Berlin"), "{message}");
            assert!(message.contains(&format!("--cluster {cluster} --service {service}")));
        }
    }

    #[test]
    fn heads_up_times() {
        assert_eq!(parse_before("15m"), Ok(SignedDuration::from_mins(15)));
        assert_eq!(parse_before("1h30m"), Ok(SignedDuration::from_mins(90)));
        assert!(parse_before("1d").is_err());
        assert!(parse_before("0m").is_err());
    }
}
