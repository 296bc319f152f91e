//! One module per subcommand. Each turns parsed arguments into validated values, then calls the
//! core and, where needed, AWS.

pub mod next;

use crate::cli::{Cli, Command};
use crate::exit::ExitStatus;
use crate::output::Printer;

/// Runs the chosen subcommand.
pub fn run(cli: Cli, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Next(args) => next::run(&args, printer),
    }
}
