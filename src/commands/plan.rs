//! `ecs-onoff plan`: what `apply` would do for a fleet file. Nothing is written.

use crate::cli::{GlobalArgs, PlanArgs};
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::plan::Prune;
use crate::reconcile::{self, Lanes};
use crate::report::PlanReport;

pub async fn run(
    args: &PlanArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let specs = crate::input::read_fleet(&args.file)?;
    let prune = if args.prune {
        Prune::Groups
    } else {
        Prune::Nothing
    };
    let lanes = Lanes::open(
        &global.aws_settings(),
        specs.iter().map(|s| &s.connection),
        reconcile::DEFAULT_CONCURRENCY,
    )
    .await?;
    let prepared = reconcile::prepare(lanes, specs, &prune, true, printer).await?;
    let report = PlanReport::new(&prepared.plan, jiff::Timestamp::now());
    printer.emit(&report)?;
    Ok(if args.detailed_exitcode && report.summary.changes() > 0 {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}
