//! The one place that touches the terminal: reports to stdout (text or JSON), notes, warnings
//! and errors to stderr, the confirmation prompt and the progress bar. Colour follows `--color`,
//! `NO_COLOR` and whether the stream is a terminal. A closed stdout (`| head`) ends the run
//! quietly with success; any other write error is a failure.
#![allow(clippy::print_stderr)]

use crate::cli::{ColorChoice, GlobalArgs, OutputFormat};
use crate::exit::{InvalidInput, OutputClosed};
use crate::report::{pretty, Render, Style};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};

#[derive(Debug, Clone)]
pub struct Printer {
    pub format: OutputFormat,
    quiet: bool,
    verbose: bool,
    color_stdout: bool,
    color_stderr: bool,
}

fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Writes to stdout; a closed pipe becomes [`OutputClosed`].
fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(OutputClosed.into()),
        Err(e) => Err(e).context("cannot write the output"),
    }
}

impl Printer {
    pub fn new(global: &GlobalArgs) -> Printer {
        Printer {
            format: global.output,
            quiet: global.quiet,
            verbose: global.verbose,
            color_stdout: use_color(global.color, std::io::stdout().is_terminal()),
            color_stderr: use_color(global.color, std::io::stderr().is_terminal()),
        }
    }

    pub fn is_json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    pub fn is_verbose(&self) -> bool {
        self.verbose
    }

    fn style(&self) -> Style {
        Style {
            color: self.color_stdout,
            verbose: self.verbose,
            quiet: self.quiet,
        }
    }

    /// Prints a command's report: the value as JSON with `--output json`, else its text.
    pub fn emit(&self, report: &impl Render) -> anyhow::Result<()> {
        match self.format {
            OutputFormat::Json => write_stdout(&pretty(report)),
            OutputFormat::Markdown => write_stdout(&report.markdown(&self.style())),
            OutputFormat::Text => write_stdout(&report.text(&self.style())),
        }
    }

    /// Prints a report's text only in text mode (a plan shown before confirmation).
    pub fn emit_text(&self, report: &impl Render) -> anyhow::Result<()> {
        if self.is_json() {
            Ok(())
        } else {
            write_stdout(&report.text(&self.style()))
        }
    }

    fn diagnostic(&self, label: &str, code: &str, text: &str) {
        let label = if self.color_stderr {
            format!("\x1b[{code}m{label}\x1b[0m")
        } else {
            label.to_string()
        };
        let _ = writeln!(std::io::stderr().lock(), "{label}: {text}");
    }

    /// A warning on stderr (suppressed by --quiet).
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            self.diagnostic("warning", "1;33", text);
        }
    }

    /// A note on stderr (suppressed by --quiet).
    pub fn note(&self, text: &str) {
        if !self.quiet {
            self.diagnostic("note", "1;36", text);
        }
    }

    /// Detail shown only with --verbose.
    pub fn detail(&self, text: &str) {
        if self.verbose {
            self.diagnostic("info", "2", text);
        }
    }

    /// The final error, printed once with its whole chain.
    pub fn error(&self, error: &anyhow::Error) {
        self.diagnostic("error", "1;31", &format!("{error:#}"));
    }

    /// Asks on the terminal; only `yes` agrees. Without a terminal to ask on, refuses (invalid
    /// input: the caller must pass `--yes`).
    pub fn confirm(&self, question: &str) -> anyhow::Result<bool> {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(InvalidInput::new(
                "apply writes only with --yes when it cannot ask on a terminal; review the plan, \
                 then run again with --yes",
            )
            .into());
        }
        eprint!("{question} Type 'yes' to continue: ");
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .context("read the answer")?;
        Ok(answer.trim() == "yes")
    }

    /// A progress bar on stderr, with a label, rate and time left; hidden unless stderr is a
    /// terminal and the output is text and not quiet.
    pub fn progress(&self, label: &str, len: usize) -> ProgressBar {
        if !std::io::stderr().is_terminal() || self.quiet || self.is_json() || len == 0 {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({per_sec}, {eta} left)")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(label.to_string());
        bar
    }
}
