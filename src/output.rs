//! The one place that writes: data to stdout (text tables or JSON), notes and warnings to
//! stderr. Colour follows `--color`, `NO_COLOR` and whether the stream is a terminal.

use crate::cli::{ColorChoice, GlobalArgs, OutputFormat};
use crate::expression::eval::{offset_text, Fire};
use crate::expression::timezone::Zone;
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

    pub fn is_verbose(&self) -> bool {
        self.verbose
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

/// A fire time for people: `Mon 2026-11-30 09:00 CET +01:00` (the abbreviation is left out where
/// the time zone database has only a numeric one).
pub fn local_time(zone: &Zone, fire: &Fire) -> String {
    let info = zone.tz().to_offset_info(fire.utc);
    let abbreviation = info.abbreviation();
    let abbreviation = if abbreviation.starts_with(['+', '-']) {
        String::new()
    } else {
        format!("{abbreviation} ")
    };
    format!(
        "{} {abbreviation}{}",
        fire.local.strftime("%a %Y-%m-%d %H:%M"),
        offset_text(fire.offset)
    )
}

/// Left-aligned columns, two spaces apart, for text tables.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}
