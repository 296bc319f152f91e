//! `ecs-onoff status`: a service's live counts and launch type, its two schedules, and which of
//! them fires next.

use super::validate_target;
use crate::aws::{self, scheduler};
use crate::cli::{GlobalArgs, StatusArgs};
use crate::commands::list::next_fire;
use crate::exit::{ExitStatus, InvalidInput};
use crate::naming::{schedule_name, Switch};
use crate::output::{local_time, Printer};
use crate::plan::{self, State};
use jiff::Timestamp;
use serde_json::json;

pub async fn run(
    args: &StatusArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let t = &args.target;
    validate_target(t)?;
    let config = aws::load_config(global).await?;
    let ecs = aws_sdk_ecs::Client::new(&config);
    let client = aws_sdk_scheduler::Client::new(&config);
    let (found, missing) = aws::ecs::describe(&ecs, &t.cluster, &[t.service.as_str()]).await?;
    let Some(info) = found.into_iter().find(|s| s.name == t.service) else {
        return Err(InvalidInput(format!(
            "service '{}' was not found in cluster '{}'",
            t.service, t.cluster
        ))
        .into());
    };
    if !missing.is_empty() {
        printer.warn(&format!(
            "service '{}' is {}, not ACTIVE",
            info.name, info.status
        ));
    }
    let now = Timestamp::now();
    let mut schedules = Vec::new();
    for switch in [Switch::On, Switch::Off] {
        let name = schedule_name(&t.cluster, &t.service, switch);
        let stored = scheduler::get(&client, &t.group, &name).await?;
        schedules.push((switch, name, stored));
    }
    let next_transition = schedules
        .iter()
        .filter(|(_, _, s)| s.as_ref().is_some_and(|s| s.state == Some(State::Enabled)))
        .filter_map(|(switch, _, s)| {
            let s = s.as_ref()?;
            next_fire(s, now).map(|(zone, fire)| (*switch, s, zone, fire))
        })
        .min_by_key(|(_, _, _, fire)| fire.utc);
    let launch = info
        .capacity
        .launch_type
        .clone()
        .unwrap_or_else(|| info.capacity.capacity_providers.join(","));

    if printer.is_json() {
        let items: Vec<_> = schedules
            .iter()
            .map(|(switch, name, s)| match s {
                None => json!({"switch": switch.as_str(), "name": name, "exists": false}),
                Some(s) => {
                    let next = next_fire(s, now);
                    json!({
                        "switch": switch.as_str(),
                        "name": name,
                        "exists": true,
                        "expression": s.expression,
                        "timezone": s.timezone,
                        "state": s.state.map(State::as_str),
                        "desired_count": plan::parse_input(&s.input).map(|i| i.desired_count),
                        "next_fire_utc": next.as_ref().map(|(_, f)| f.utc_rfc3339()),
                        "next_fire_local": next.as_ref().map(|(_, f)| f.local_rfc3339()),
                    })
                }
            })
            .collect();
        printer.json(&json!({
            "cluster": t.cluster,
            "service": t.service,
            "group": t.group,
            "status": info.status,
            "desired_count": info.desired_count,
            "running_count": info.running_count,
            "launch_type": info.capacity.launch_type,
            "capacity_providers": info.capacity.capacity_providers,
            "schedules": items,
            "next_transition": next_transition.as_ref().map(|(switch, s, _, f)| json!({
                "switch": switch.as_str(),
                "desired_count": plan::parse_input(&s.input).map(|i| i.desired_count),
                "utc": f.utc_rfc3339(),
                "local": f.local_rfc3339(),
            })),
        }));
        return Ok(ExitStatus::Success);
    }
    let mut text = format!(
        "{}\n  status {}, desired {}, running {}, launch type {}\n\n",
        printer.bold(&format!("{}/{}", t.cluster, t.service)),
        info.status,
        info.desired_count,
        info.running_count,
        if launch.is_empty() {
            "unknown"
        } else {
            &launch
        }
    );
    let rows: Vec<_> = schedules
        .iter()
        .map(|(switch, name, s)| match s {
            None => vec![
                switch.to_string(),
                format!("{}/{name}", t.group),
                "(absent)".into(),
            ],
            Some(s) => vec![
                switch.to_string(),
                format!("{}/{name}", t.group),
                s.expression.clone(),
                s.timezone.clone(),
                plan::parse_input(&s.input).map_or(String::new(), |i| i.desired_count.to_string()),
                s.state.map_or("?", State::as_str).to_string(),
                next_fire(s, now).map_or("never".into(), |(_, f)| f.utc_rfc3339()),
            ],
        })
        .collect();
    text.push_str(&crate::output::table(
        &[
            "SWITCH",
            "SCHEDULE",
            "EXPRESSION",
            "TIME ZONE",
            "COUNT",
            "STATE",
            "NEXT (UTC)",
        ],
        &rows,
    ));
    match &next_transition {
        Some((switch, s, zone, fire)) => text.push_str(&format!(
            "\nnext transition: {switch} at {} ({}), desiredCount {}\n",
            local_time(zone, fire),
            fire.utc_rfc3339(),
            plan::parse_input(&s.input).map_or("?".into(), |i| i.desired_count.to_string())
        )),
        None => text.push_str("\nnext transition: none scheduled\n"),
    }
    printer.data(&text);
    Ok(ExitStatus::Success)
}
