//! Warnings about a schedule pair that is valid but probably not what the user wants: on and off
//! that do not alternate, times that daylight saving skips or repeats, and services whose cost
//! scaling to zero does not remove. No I/O: the facts about a service are passed in.

use crate::compile::Times;
use crate::expression::eval::Event;
use crate::expression::timezone::Zone;
use crate::expression::ScheduleExpression;
use crate::naming::Switch;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

const DAY: i64 = 86_400;
/// The longest a service may stay on or off before ecs-onoff asks whether that is intended.
const MAX_GAP_DAYS: i64 = 8;
/// How far ahead alternation is examined.
const HORIZON_DAYS: i64 = 35;
/// At most this many fires of one expression are examined (a rate(1 minute) has many).
const MAX_EVENTS: usize = 5_000;

fn fires(expr: &ScheduleExpression, zone: &Zone, now: Timestamp, days: i64) -> Vec<Timestamp> {
    let until = now + SignedDuration::from_secs(days * DAY);
    expr.events(zone, now)
        .take_while(|e| e.instant() <= until)
        .filter_map(|e| match e {
            Event::Fire(f) => Some(f.utc),
            Event::Skipped { .. } => None,
        })
        .take(MAX_EVENTS)
        .collect()
}

fn local_text(zone: &Zone, t: Timestamp) -> String {
    zone.tz()
        .to_datetime(t)
        .strftime("%a %Y-%m-%d %H:%M")
        .to_string()
}

/// Checks that every off is followed by an on within 8 days and every on by an off, and that
/// on and off never fire in the same minute.
pub fn alternation(
    on: &ScheduleExpression,
    off: &ScheduleExpression,
    zone: &Zone,
    now: Timestamp,
) -> Vec<String> {
    let horizon = HORIZON_DAYS + MAX_GAP_DAYS;
    let on_times = fires(on, zone, now, horizon);
    let off_times = fires(off, zone, now, horizon);
    let mut warnings = Vec::new();
    if on_times.is_empty() {
        warnings.push(format!(
            "the on expression {on} does not fire in the next {horizon} days"
        ));
    }
    if off_times.is_empty() {
        warnings.push(format!(
            "the off expression {off} does not fire in the next {horizon} days"
        ));
    }
    let check_end = now + SignedDuration::from_secs(HORIZON_DAYS * DAY);
    for (from, from_times, to, to_times) in [
        (Switch::Off, &off_times, Switch::On, &on_times),
        (Switch::On, &on_times, Switch::Off, &off_times),
    ] {
        for t in from_times.iter().filter(|t| **t <= check_end) {
            let next = to_times.iter().find(|u| *u > t);
            let late = next.is_none_or(|u| u.as_second() - t.as_second() > MAX_GAP_DAYS * DAY);
            if late {
                let stays = if from == Switch::Off { "off" } else { "on" };
                warnings.push(format!(
                    "on and off do not alternate: after the {from} time {} ({zone}) there is no \
                     {to} time within {MAX_GAP_DAYS} days, so the service stays {stays}; check \
                     the {to} expression",
                    local_text(zone, *t)
                ));
                break;
            }
        }
    }
    if let Some(t) = on_times.iter().find(|t| off_times.contains(t)) {
        warnings.push(format!(
            "on and off both fire at {} ({zone}); which one runs last is not defined",
            local_text(zone, *t)
        ));
    }
    warnings
}

/// Reports the first time within the next year that daylight saving skips or repeats a fire.
pub fn daylight_saving(
    label: Switch,
    expr: &ScheduleExpression,
    zone: &Zone,
    now: Timestamp,
) -> Vec<String> {
    if matches!(expr, ScheduleExpression::Rate(_)) {
        return Vec::new();
    }
    let until = now + SignedDuration::from_secs(366 * DAY);
    let mut warnings = Vec::new();
    let mut gap = false;
    let mut fold = false;
    for event in expr.events(zone, now).take_while(|e| e.instant() <= until) {
        match event {
            Event::Skipped { local, .. } if !gap => {
                gap = true;
                warnings.push(format!(
                    "the {label} time {} does not exist in {zone} (clocks spring forward), so \
                     that invocation is skipped; choose a time outside the change",
                    local.strftime("%Y-%m-%d %H:%M")
                ));
            }
            Event::Fire(f) if f.folded && !fold => {
                fold = true;
                warnings.push(format!(
                    "the {label} time {} occurs twice in {zone} (clocks fall back); AWS invokes \
                     once, at the first occurrence",
                    f.local.strftime("%Y-%m-%d %H:%M")
                ));
            }
            _ => {}
        }
        if gap && fold {
            break;
        }
    }
    warnings
}

/// Every schedule warning for an on/off pair: alternation, then daylight saving for each.
pub fn pair(
    on: &ScheduleExpression,
    off: &ScheduleExpression,
    zone: &Zone,
    now: Timestamp,
) -> Vec<String> {
    let mut warnings = alternation(on, off, zone, now);
    warnings.extend(daylight_saving(Switch::On, on, zone, now));
    warnings.extend(daylight_saving(Switch::Off, off, zone, now));
    warnings
}

/// Every schedule warning for a service's times: for an on and an off expression, alternation;
/// for each expression, daylight saving. Windows alternate by construction.
pub fn times(times: &Times, zone: &Zone, now: Timestamp) -> Vec<String> {
    if let Times::Switches {
        on: Some(on),
        off: Some(off),
    } = times
    {
        return pair(on, off, zone, now);
    }
    let (on, off) = times.expressions();
    let mut warnings = Vec::new();
    for (switch, exprs) in [(Switch::On, on), (Switch::Off, off)] {
        for expr in &exprs {
            warnings.extend(daylight_saving(switch, expr, zone, now));
        }
    }
    warnings
}

/// Days before the end of a compiled calendar from which plan, apply and status warn.
pub const CALENDAR_WARN_DAYS: i32 = 30;

/// A compiled calendar that ends soon: after `until`, skipped days are not skipped.
pub fn calendar_ends(until: Date, today: Date) -> Option<String> {
    let left = (until - today).get_days();
    (left <= CALENDAR_WARN_DAYS).then(|| {
        format!(
            "its skipped days are compiled until {until} ({left} day(s) left): from then on it is \
             turned on on skipped days; apply again to compile the next {} days (a monthly \
             apply keeps it rolling)",
            crate::compile::HORIZON_DAYS
        )
    })
}

/// How a service gets its compute.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capacity {
    pub launch_type: Option<String>,
    pub capacity_providers: Vec<String>,
}

/// Scaling to 0 saves nothing on EC2 instances unless the instances scale in too.
pub fn ec2_cost(capacity: &Capacity) -> Option<String> {
    let ec2_provider = capacity
        .capacity_providers
        .iter()
        .find(|p| *p != "FARGATE" && *p != "FARGATE_SPOT");
    if let Some(provider) = ec2_provider {
        return Some(format!(
            "the service runs on capacity provider {provider} (EC2): scaling to 0 stops tasks, not \
             instances, so nothing is saved unless its managed scaling scales the instances in"
        ));
    }
    if capacity.capacity_providers.is_empty() && capacity.launch_type.as_deref() == Some("EC2") {
        return Some(
            "the service uses the EC2 launch type: scaling to 0 stops tasks, not instances, so \
             nothing is saved unless the Auto Scaling group scales in as well"
                .into(),
        );
    }
    None
}

/// A `rate()` off schedule without a StartDate fires as soon as it is created (AWS: "If you do
/// not provide a StartDate for a rate-based schedule, your schedule starts invoking the target
/// immediately"): the service is turned off at once.
pub fn off_at_creation(off: &ScheduleExpression, start: Option<Timestamp>) -> Option<String> {
    match (off, start) {
        (ScheduleExpression::Rate(rate), None) => Some(format!(
            "the off schedule {rate} has no start date, so AWS fires it as soon as it is \
             created: the service is turned off now; give --start-date to choose the first off"
        )),
        _ => None,
    }
}

/// A service created before ECS's long ARN format (`service/NAME`, no cluster part): the
/// execution policy must name that ARN, or UpdateService is denied at fire time.
pub fn short_arn(service_arn: &str) -> Option<String> {
    let (_, resource) = service_arn.split_once(":service/")?;
    if resource.contains('/') {
        return None;
    }
    Some(format!(
        "the service has the old ARN format {service_arn} (no cluster part): its execution role \
         must allow ecs:UpdateService on exactly that ARN (ecs-onoff iam execution-policy names the \
         long format: add this ARN to its Resource), or move the service to the long format \
         (ECS account setting serviceLongArnFormat, then recreate the service)"
    ))
}

/// Application Auto Scaling with a minimum above 0 can undo the off time.
pub fn autoscaling(targets: &[crate::schedule::Bounds]) -> Option<String> {
    let min = targets.iter().map(|b| b.min).filter(|m| *m > 0).max()?;
    Some(format!(
        "an Application Auto Scaling target with MinCapacity {min} exists for the service: a \
         scale-out alarm can raise desiredCount back to {min} after the off time; lower \
         MinCapacity to 0 or suspend scaling at night"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(s: &str) -> ScheduleExpression {
        ScheduleExpression::parse(s).unwrap()
    }
    fn now() -> Timestamp {
        "2026-11-25T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_rate_off_without_start_fires_at_creation() {
        let w = off_at_creation(&expr("rate(12 hours)"), None).unwrap();
        assert!(w.contains("turned off now"), "{w}");
        assert_eq!(off_at_creation(&expr("rate(12 hours)"), Some(now())), None);
        assert_eq!(off_at_creation(&expr("cron(0 18 * * ? *)"), None), None);
    }

    #[test]
    fn short_service_arns_are_named() {
        let w = short_arn("arn:aws:ecs:eu-west-1:123456789012:service/web").unwrap();
        assert!(w.contains("old ARN format arn:aws:ecs:eu-west-1:123456789012:service/web"));
        assert_eq!(
            short_arn("arn:aws:ecs:eu-west-1:123456789012:service/staging/web"),
            None
        );
        assert_eq!(short_arn(""), None);
    }

    #[test]
    fn weekday_window_alternates() {
        let zone = Zone::parse("Europe/Berlin").unwrap();
        let w = alternation(
            &expr("cron(0 9 ? * MON-FRI *)"),
            &expr("cron(0 18 ? * MON-FRI *)"),
            &zone,
            now(),
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn monthly_on_does_not_alternate() {
        let zone = Zone::utc();
        let w = alternation(
            &expr("cron(0 9 1 * ? *)"),
            &expr("cron(0 18 ? * MON-FRI *)"),
            &zone,
            now(),
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("no on time within 8 days"), "{w:?}");
    }

    #[test]
    fn same_minute_is_reported() {
        let zone = Zone::utc();
        let w = alternation(
            &expr("cron(0 9 * * ? *)"),
            &expr("cron(0 9 * * ? *)"),
            &zone,
            now(),
        );
        assert!(w.iter().any(|m| m.contains("both fire at")), "{w:?}");
    }

    #[test]
    fn never_firing_is_reported() {
        let zone = Zone::utc();
        let w = alternation(
            &expr("at(2020-01-01T00:00:00)"),
            &expr("cron(0 18 * * ? *)"),
            &zone,
            now(),
        );
        assert!(w.iter().any(|m| m.contains("does not fire")), "{w:?}");
    }

    #[test]
    fn dst_within_a_year() {
        let ny = Zone::parse("America/New_York").unwrap();
        let w = daylight_saving(Switch::On, &expr("cron(30 2 * * ? *)"), &ny, now());
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("2027-03-14 02:30"), "{w:?}");
        let w = daylight_saving(Switch::Off, &expr("cron(30 1 * * ? *)"), &ny, now());
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("2027-11-07 01:30") && w[0].contains("twice"),
            "{w:?}"
        );
        assert!(daylight_saving(Switch::On, &expr("cron(0 9 * * ? *)"), &ny, now()).is_empty());
        let seoul = Zone::parse("Asia/Seoul").unwrap();
        assert!(daylight_saving(Switch::On, &expr("cron(30 2 * * ? *)"), &seoul, now()).is_empty());
    }

    #[test]
    fn capacity_warnings() {
        let fargate = Capacity {
            launch_type: Some("FARGATE".into()),
            capacity_providers: vec![],
        };
        assert_eq!(ec2_cost(&fargate), None);
        let spot = Capacity {
            launch_type: None,
            capacity_providers: vec!["FARGATE_SPOT".into()],
        };
        assert_eq!(ec2_cost(&spot), None);
        let ec2 = Capacity {
            launch_type: Some("EC2".into()),
            capacity_providers: vec![],
        };
        assert!(ec2_cost(&ec2).unwrap().contains("EC2 launch type"));
        let asg = Capacity {
            launch_type: None,
            capacity_providers: vec!["my-asg-cp".into()],
        };
        assert!(ec2_cost(&asg).unwrap().contains("my-asg-cp"));
        let b = |min, max| crate::schedule::Bounds { min, max };
        assert_eq!(autoscaling(&[b(0, 4)]), None);
        assert!(autoscaling(&[b(0, 4), b(2, 6)])
            .unwrap()
            .contains("MinCapacity 2"));
    }
}
