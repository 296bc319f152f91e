//! `ecs-onoff apply`: make the schedules match a fleet file. The plan is shown and confirmed
//! (unless `--yes`), then written; the time reported excludes the time spent at the prompt.

use crate::cli::{ApplyArgs, GlobalArgs};
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::plan::Prune;
use crate::reconcile::{self, Lanes};
use crate::report::PlanReport;
use std::time::Instant;

pub async fn run(
    args: &ApplyArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let mut started = Instant::now();
    let specs = crate::input::read_fleet(&args.file)?;
    let prune = if args.prune {
        Prune::Groups
    } else {
        Prune::Nothing
    };
    let lanes = Lanes::open(
        &global.aws_settings(),
        specs.iter().map(|s| &s.connection),
        args.concurrency as usize,
    )
    .await?;
    let prepared = reconcile::prepare(lanes, specs, &prune, true, printer).await?;
    let changes = prepared.plan.tally().changes();
    if changes > 0 && !args.yes {
        printer.emit_text(&PlanReport::new(&prepared.plan, jiff::Timestamp::now()))?;
        let asked = Instant::now();
        if !printer.confirm(&format!("Apply {changes} change(s)?"))? {
            printer.note("cancelled: nothing was written");
            return Ok(ExitStatus::Failure);
        }
        started += asked.elapsed();
    }
    reconcile::apply(&prepared, printer, started, false).await
}
