//! `ecs-onoff list`: the schedules in a group that follow the ecs-onoff naming rule and target
//! ECS UpdateService, read in full (GetSchedule) to show counts and next fire times.

use crate::aws::{self, scheduler};
use crate::cli::{GlobalArgs, ListArgs};
use crate::exit::{ExitStatus, InvalidInput};
use crate::expression::timezone::Zone;
use crate::expression::ScheduleExpression;
use crate::naming::{self, parse_schedule_name, Switch};
use crate::output::{local_time, Printer};
use crate::plan::{self, Schedule, State};
use jiff::Timestamp;
use serde_json::json;
use std::sync::Arc;

/// How many GetSchedule calls run at once.
const CONCURRENCY: usize = 16;

/// One managed schedule, as listed.
pub struct Listed {
    pub schedule: Schedule,
    pub cluster: String,
    pub service: String,
    pub switch: Switch,
    pub desired_count: i64,
}

/// Reads every managed schedule in a group, optionally for one cluster, sorted by name.
pub async fn managed(
    client: &aws_sdk_scheduler::Client,
    group: &str,
    cluster: Option<&str>,
) -> anyhow::Result<Vec<Listed>> {
    let summaries = scheduler::list(client, group, None).await?;
    let candidates: Vec<_> = summaries
        .into_iter()
        .filter(|s| {
            s.target_arn
                .as_deref()
                .is_some_and(|a| a.ends_with(":scheduler:::aws-sdk:ecs:updateService"))
        })
        .filter_map(|s| parse_schedule_name(&s.name).map(|p| (s, p)))
        .filter(|(_, p)| match (cluster, &p.service) {
            (Some(c), Some((pc, _))) => c == pc,
            _ => true,
        })
        .collect();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (summary, parsed) in candidates {
        let client = client.clone();
        let semaphore = semaphore.clone();
        let group = group.to_string();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let stored = scheduler::get(&client, &group, &summary.name).await?;
            Ok::<_, anyhow::Error>(stored.map(|s| (s, parsed.switch)))
        });
    }
    let mut out = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let Some((schedule, switch)) = joined?? else {
            continue;
        };
        let Some(input) = plan::parse_input(&schedule.input) else {
            continue;
        };
        if cluster.is_some_and(|c| c != input.cluster)
            || naming::schedule_name(&input.cluster, &input.service, switch) != schedule.name
        {
            continue;
        }
        out.push(Listed {
            cluster: input.cluster,
            service: input.service,
            desired_count: input.desired_count,
            switch,
            schedule,
        });
    }
    out.sort_by(|a, b| a.schedule.name.cmp(&b.schedule.name));
    Ok(out)
}

/// The next fire of a stored schedule, when its expression and zone are ones ecs-onoff reads.
pub fn next_fire(s: &Schedule, now: Timestamp) -> Option<(Zone, crate::expression::Fire)> {
    let expr = ScheduleExpression::parse(&s.expression).ok()?;
    let zone = Zone::parse(&s.timezone).ok()?;
    let fire = expr.next_fires(&zone, now, 1).fires.first().copied()?;
    Some((zone, fire))
}

pub async fn run(
    args: &ListArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    naming::validate_group(&args.group)
        .map_err(|e| InvalidInput(format!("invalid --group: {e}")))?;
    if let Some(c) = &args.cluster {
        naming::validate_cluster(c).map_err(|e| InvalidInput(format!("invalid --cluster: {e}")))?;
    }
    let config = aws::load_config(global).await?;
    let client = aws_sdk_scheduler::Client::new(&config);
    let listed = managed(&client, &args.group, args.cluster.as_deref()).await?;
    let now = Timestamp::now();
    if printer.is_json() {
        let items: Vec<_> = listed
            .iter()
            .map(|l| {
                let next = next_fire(&l.schedule, now);
                json!({
                    "name": l.schedule.name,
                    "group": l.schedule.group,
                    "cluster": l.cluster,
                    "service": l.service,
                    "switch": l.switch.as_str(),
                    "desired_count": l.desired_count,
                    "expression": l.schedule.expression,
                    "timezone": l.schedule.timezone,
                    "state": l.schedule.state.map(State::as_str),
                    "next_fire_utc": next.as_ref().map(|(_, f)| f.utc_rfc3339()),
                    "next_fire_local": next.as_ref().map(|(_, f)| f.local_rfc3339()),
                })
            })
            .collect();
        printer.json(&json!(items));
        return Ok(ExitStatus::Success);
    }
    let rows: Vec<_> = listed
        .iter()
        .map(|l| {
            let next = next_fire(&l.schedule, now);
            vec![
                l.schedule.name.clone(),
                l.cluster.clone(),
                l.service.clone(),
                l.switch.to_string(),
                l.desired_count.to_string(),
                l.schedule.expression.clone(),
                l.schedule.timezone.clone(),
                l.schedule.state.map_or("?", State::as_str).to_string(),
                next.as_ref()
                    .map_or("never".into(), |(_, f)| f.utc_rfc3339()),
                next.as_ref()
                    .map_or(String::new(), |(z, f)| local_time(z, f)),
            ]
        })
        .collect();
    let header = [
        "NAME",
        "CLUSTER",
        "SERVICE",
        "SWITCH",
        "COUNT",
        "EXPRESSION",
        "TIME ZONE",
        "STATE",
        "NEXT (UTC)",
        "NEXT (LOCAL)",
    ];
    printer.data(&crate::output::table(&header, &rows));
    if listed.is_empty() {
        printer.note(&format!("no ecs-onoff schedules in group '{}'", args.group));
    }
    Ok(ExitStatus::Success)
}
