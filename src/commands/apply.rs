//! `ecs-onoff apply`: make the schedules match a fleet file. The plan is shown and confirmed
//! (unless `--yes`), then written; the time reported excludes the time spent at the prompt.

use crate::cli::{ApplyArgs, GlobalArgs};
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::reconcile;
use crate::report::PlanReport;
use std::time::Instant;

pub async fn run(
    args: &ApplyArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let mut started = Instant::now();
    let settings = global.aws_settings();
    let concurrency = args.concurrency as usize;
    let prepared =
        reconcile::prepare_file(&args.file, args.prune, &settings, concurrency, printer).await?;
    let changes = prepared.plan.tally().changes() + prepared.plan.counts.len();
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
