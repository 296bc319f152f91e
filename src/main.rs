use ecs_onoff::cli::Cli;
use ecs_onoff::exit::{status_for, ExitStatus};
use ecs_onoff::output::Printer;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    let printer = Printer::new(&cli.global);
    match ecs_onoff::commands::run(cli, &printer) {
        Ok(status) => status.into(),
        Err(error) => {
            let status = status_for(&error);
            if status != ExitStatus::Success {
                printer.error(&error);
            }
            status.into()
        }
    }
}
