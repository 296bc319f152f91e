//! The one place that writes: data to stdout (text tables or JSON), notes and warnings to
//! stderr. Colour follows `--color`, `NO_COLOR` and whether the stream is a terminal.

use crate::cli::{ColorChoice, GlobalArgs, OutputFormat};
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

    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Writes data to stdout. A closed pipe (`| head`) is not an error.
    pub fn data(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
    }

    /// Writes a JSON value to stdout, pretty-printed, with a final newline.
    pub fn json(&self, value: &serde_json::Value) {
        let text = serde_json::to_string_pretty(value).unwrap_or_default();
        self.data(&format!("{text}\n"));
    }

    /// A header or emphasis in text output.
    pub fn bold(&self, text: &str) -> String {
        if self.color_stdout {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn diagnostic(&self, label: &str, code: &str, text: &str) {
        let label = if self.color_stderr {
            format!("\x1b[{code}m{label}\x1b[0m")
        } else {
            label.to_string()
        };
        eprintln!("{label}: {text}");
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
}
