//! `ecs-onoff status`: a service's live counts and launch type, its schedules, and which of them
//! fires next.

use crate::aws::{ecs, scheduler};
use crate::cli::{GlobalArgs, StatusArgs};
use crate::exit::{ExitStatus, InvalidInput};
use crate::output::Printer;
use crate::reconcile::{Lanes, DEFAULT_CONCURRENCY};
use crate::report::{ScheduleRow, StatusReport};
use crate::schedule::ServiceId;
use crate::spec::{Connection, ServiceSpec};

pub async fn run(
    args: &StatusArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let t = &args.target;
    let connection = Connection::default();
    let lanes = Lanes::open(&global.aws_settings(), [&connection], DEFAULT_CONCURRENCY).await?;
    let key = lanes.connections.key(&connection).clone();
    let clients = lanes.clients(&key);
    let described = ecs::describe(&clients.ecs, &t.cluster, &[t.service.as_str()]).await?;
    let Some(cluster_services) = described else {
        return Err(
            InvalidInput::new(format!("cluster '{}' was not found in {key}", t.cluster)).into(),
        );
    };
    let Some(info) = cluster_services.into_iter().find(|s| s.name == *t.service) else {
        return Err(InvalidInput::new(format!(
            "service '{}' was not found in cluster '{}' ({key})",
            t.service, t.cluster
        ))
        .into());
    };
    if info.status != "ACTIVE" {
        printer.warn(&format!(
            "service '{}' is {}, not ACTIVE",
            info.name, info.status
        ));
    }
    let id = ServiceId {
        cluster: t.cluster.clone(),
        service: t.service.clone(),
    };
    let mut schedules = Vec::new();
    let mut missing = Vec::new();
    for name in ServiceSpec::schedule_names(&id) {
        match scheduler::get(&clients.scheduler, &t.group, &name).await? {
            Some(s) => schedules.push(s),
            None => missing.push(name),
        }
    }
    let now = jiff::Timestamp::now();
    let report = StatusReport {
        cluster: t.cluster.to_string(),
        service: t.service.to_string(),
        group: t.group.to_string(),
        region: key.region.to_string(),
        status: info.status,
        desired_count: info.desired_count,
        running_count: info.running_count,
        launch_type: info.capacity.launch_type,
        capacity_providers: info.capacity.capacity_providers,
        schedules: schedules
            .iter()
            .map(|s| ScheduleRow::new(&key, s, now))
            .collect(),
        missing,
        next_transition: StatusReport::next_transition(&schedules, now),
    };
    printer.emit(&report)?;
    Ok(ExitStatus::Success)
}
