//! `ecs-onoff completions` and `ecs-onoff man`: shell completion scripts (clap_complete) and
//! manual pages (clap_mangen) from the one command line definition.

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::exit::{ExitStatus, InvalidInput};
use crate::output::Printer;
use crate::report::Plain;

pub fn completions(args: &CompletionsArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let mut command = Cli::definition();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "ecs-onoff", &mut out);
    printer.emit(&Plain(String::from_utf8(out)?))?;
    Ok(ExitStatus::Success)
}

/// The roff page of a command, titled with its page name.
fn page(name: &str, command: clap::Command) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command)
        .title(name.to_uppercase())
        .render(&mut out)?;
    Ok(out)
}

/// Every command and subcommand with its page name: `ecs-onoff`, `ecs-onoff-override-list`.
fn commands(command: &clap::Command, prefix: &str, out: &mut Vec<(String, clap::Command)>) {
    for sub in command.get_subcommands() {
        let name = format!("{prefix}-{}", sub.get_name());
        out.push((
            name.clone(),
            sub.clone()
                .display_name(name.clone())
                .bin_name(name.clone()),
        ));
        commands(sub, &name, out);
    }
}

pub fn man(args: &ManArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let command = Cli::definition();
    let Some(dir) = &args.dir else {
        printer.emit(&Plain(String::from_utf8(page("ecs-onoff", command)?)?))?;
        return Ok(ExitStatus::Success);
    };
    if !dir.is_dir() {
        return Err(InvalidInput::new(format!("{} is not a folder", dir.display())).into());
    }
    let mut pages = vec![("ecs-onoff".to_string(), command.clone())];
    commands(&command, "ecs-onoff", &mut pages);
    for (name, cmd) in &pages {
        std::fs::write(dir.join(format!("{name}.1")), page(name, cmd.clone())?)?;
    }
    printer.note(&format!(
        "wrote {} manual pages into {}",
        pages.len(),
        dir.display()
    ));
    Ok(ExitStatus::Success)
}
