//! One module per subcommand. Each turns its typed arguments into core values, runs the core
//! and the AWS edge (writing commands through [`crate::reconcile`]), and emits one report.
//! Commands do not import from each other.

pub mod apply;
pub mod iam;
pub mod list;
pub mod next;
pub mod plan;
pub mod schedule;
pub mod status;
pub mod unschedule;

use crate::cli::{Cli, Command};
use crate::exit::ExitStatus;
use crate::output::Printer;

/// Runs the chosen subcommand.
pub fn run(cli: Cli, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let global = &cli.global;
    match &cli.command {
        Command::Schedule(args) => schedule::run(args, global, printer),
        Command::Unschedule(args) => block_on(unschedule::run(args, global, printer)),
        Command::List(args) => block_on(list::run(args, global, printer)),
        Command::Status(args) => block_on(status::run(args, global, printer)),
        Command::Next(args) => next::run(args, printer),
        Command::Iam(args) => iam::run(args, global, printer),
        Command::Plan(args) => block_on(plan::run(args, global, printer)),
        Command::Apply(args) => block_on(apply::run(args, global, printer)),
        Command::Schema(_) => {
            printer.emit(&crate::report::Document(crate::fleet::json_schema()))?;
            Ok(ExitStatus::Success)
        }
    }
}

/// Runs AWS work on a Tokio runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("start the Tokio runtime")
        .block_on(future)
}
