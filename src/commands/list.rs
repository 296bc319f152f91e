//! `ecs-onoff list`: the schedules in a group that ecs-onoff manages (naming rule, UpdateService
//! target and Input agree), read in full to show counts and next fire times.

use crate::cli::{GlobalArgs, ListArgs};
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::reconcile::{self, Lanes};
use crate::report::{ListReport, ScheduleRow};

pub async fn run(
    args: &ListArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let (lanes, key) = Lanes::open_flags(&global.aws_settings()).await?;
    let groups = std::collections::BTreeSet::from([(key.clone(), args.group.to_string())]);
    let schedules: Vec<_> = reconcile::managed(&lanes, groups)
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    let now = jiff::Timestamp::now();
    let rows: Vec<ScheduleRow> = schedules
        .iter()
        .filter(|s| {
            args.cluster
                .as_ref()
                .is_none_or(|c| s.owner().is_some_and(|(id, _)| id.cluster == *c))
        })
        .map(|s| ScheduleRow::new(&key, s, now))
        .collect();
    printer.emit(&ListReport(rows.clone()))?;
    if rows.is_empty() {
        printer.note(&match &args.cluster {
            Some(c) if !schedules.is_empty() => format!(
                "no ecs-onoff schedules for cluster '{c}' in group '{}' ({} for other clusters)",
                args.group,
                schedules.len()
            ),
            _ => format!("no ecs-onoff schedules in group '{}' ({key})", args.group),
        });
    }
    Ok(ExitStatus::Success)
}
