//! `ecs-onoff unschedule`: a fleet request with the service removed and pruned. Its schedules
//! are deleted off first, then on, through the same pipeline as `apply`.

use crate::cli::{GlobalArgs, UnscheduleArgs};
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::plan::{Prune, ServiceSlot};
use crate::reconcile::{self, Lanes};
use crate::schedule::ServiceId;
use std::collections::BTreeSet;
use std::time::Instant;

pub async fn run(
    args: &UnscheduleArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let started = Instant::now();
    let t = &args.target;
    let (lanes, key) = Lanes::open_flags(&global.aws_settings()).await?;
    let slot = ServiceSlot {
        key,
        group: t.group.clone(),
        id: ServiceId {
            cluster: t.cluster.clone(),
            service: t.service.clone(),
        },
    };
    let prune = Prune::Services(BTreeSet::from([slot]));
    let prepared = reconcile::prepare(lanes, Vec::new(), &prune, false, printer).await?;
    if prepared.plan.steps.is_empty() {
        printer.note(&format!(
            "{}/{} has no schedules in group '{}': nothing to delete",
            t.cluster, t.service, t.group
        ));
    }
    reconcile::apply(&prepared, printer, started, true).await
}
