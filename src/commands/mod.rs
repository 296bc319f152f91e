//! One module per subcommand. Each validates its arguments into core values first, then calls
//! the core and, only after that, AWS.

pub mod fleet;
pub mod iam;
pub mod list;
pub mod next;
pub mod schedule;
pub mod status;
pub mod unschedule;

use crate::cli::{Cli, Command};
use crate::exit::{ExitStatus, InvalidInput};
use crate::output::Printer;
use jiff::Timestamp;

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
        Command::Plan(args) => block_on(fleet::plan(args, global, printer)),
        Command::Apply(args) => block_on(fleet::apply(args, global, printer)),
        Command::Schema(_) => {
            printer.json(&crate::fleet::json_schema());
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

/// Parses an RFC 3339 instant such as `2026-03-07T00:00:00Z` or `2026-03-07T09:00:00+09:00`.
pub fn parse_instant(flag: &str, text: &str) -> anyhow::Result<Timestamp> {
    text.trim().parse::<Timestamp>().map_err(|_| {
        InvalidInput(format!(
            "invalid {flag}: '{text}' is not an RFC 3339 instant such as 2026-03-07T00:00:00Z"
        ))
        .into()
    })
}

/// Checks the cluster, service and group names of a command.
pub fn validate_target(target: &crate::cli::ServiceArgs) -> anyhow::Result<()> {
    use crate::naming::{validate_cluster, validate_group, validate_service};
    validate_cluster(&target.cluster)
        .map_err(|e| InvalidInput(format!("invalid --cluster: {e}")))?;
    validate_service(&target.service)
        .map_err(|e| InvalidInput(format!("invalid --service: {e}")))?;
    validate_group(&target.group).map_err(|e| InvalidInput(format!("invalid --group: {e}")))?;
    Ok(())
}
