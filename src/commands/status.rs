//! `ecs-onoff status`: a service's live counts and launch type, its schedules, and which of them
//! fires next.

use crate::aws::ecs;
use crate::cli::{GlobalArgs, StatusArgs};
use crate::exit::{ExitStatus, InvalidInput};
use crate::naming::{Slot, Switch};
use crate::output::Printer;
use crate::reconcile::Lanes;
use crate::report::{ScheduleRow, StatusReport};
use crate::schedule::ServiceId;

pub async fn run(
    args: &StatusArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let t = &args.target;
    let (lanes, key) = Lanes::open_flags(&global.aws_settings()).await?;
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
    let schedules = crate::reconcile::service_schedules(&lanes, &key, &t.group, &id).await?;
    let mut missing = Vec::new();
    for switch in Switch::ALL {
        if !schedules
            .iter()
            .any(|s| s.owner().is_some_and(|o| o.1.switch == switch))
        {
            missing.push(id.schedule_name(Slot::plain(switch)));
        }
    }
    let now = jiff::Timestamp::now();
    let today = jiff::tz::TimeZone::UTC.to_datetime(now).date();
    for s in &schedules {
        if let Some(w) = crate::spec::compiled_until(&s.description)
            .and_then(|until| crate::checks::calendar_ends(until, today))
        {
            printer.warn(&format!("{id}: {w}"));
        }
    }
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
        override_: schedules
            .iter()
            .find_map(crate::overrides::Override::read)
            .filter(|(_, o)| o.until > now)
            .map(|(id, o)| crate::report::OverrideRow::new(&key, t.group.as_str(), &id, &o)),
    };
    printer.emit(&report)?;
    Ok(ExitStatus::Success)
}
