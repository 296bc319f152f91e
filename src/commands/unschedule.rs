//! `ecs-onoff unschedule`: delete a service's on and off schedules.

use super::validate_target;
use crate::aws::{self, scheduler};
use crate::cli::{GlobalArgs, UnscheduleArgs};
use crate::exit::ExitStatus;
use crate::naming::{schedule_name, Switch};
use crate::output::Printer;
use serde_json::json;

pub async fn run(
    args: &UnscheduleArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let t = &args.target;
    validate_target(t)?;
    let config = aws::load_config(global).await?;
    let client = aws_sdk_scheduler::Client::new(&config);
    let mut results = Vec::new();
    for switch in [Switch::On, Switch::Off] {
        let name = schedule_name(&t.cluster, &t.service, switch);
        let deleted = scheduler::delete(&client, &t.group, &name).await?;
        results.push((name, if deleted { "deleted" } else { "absent" }));
    }
    if printer.is_json() {
        let items: Vec<_> = results
            .iter()
            .map(|(name, action)| json!({"action": action, "name": name, "group": t.group}))
            .collect();
        printer.json(&json!(items));
    } else {
        let rows: Vec<_> = results
            .iter()
            .map(|(name, action)| vec![action.to_string(), format!("{}/{name}", t.group)])
            .collect();
        printer.data(&crate::output::table(&["ACTION", "SCHEDULE"], &rows));
    }
    Ok(ExitStatus::Success)
}
