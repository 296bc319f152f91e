//! `ecs-onoff plan`: what `apply` would do for a fleet file. Nothing is written.

use crate::cli::{GlobalArgs, PlanArgs};
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::reconcile::{self, DEFAULT_CONCURRENCY};
use crate::report::PlanReport;

pub async fn run(
    args: &PlanArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let settings = global.aws_settings();
    let prepared = reconcile::prepare_file(
        &args.file,
        args.prune,
        &settings,
        DEFAULT_CONCURRENCY,
        printer,
    )
    .await?;
    let report = PlanReport::new(&prepared.plan, jiff::Timestamp::now());
    printer.emit(&report)?;
    Ok(if args.detailed_exitcode && report.has_changes() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}
