//! `ecs-onoff next`: the next fire times of an expression or window, or the transitions of a
//! service's schedule options (several windows, on or off alone, skipped days), in local time
//! and UTC, with the daylight-saving gaps and folds met on the way reported on stderr.

use crate::calendar::Calendar;
use crate::cli::NextArgs;
use crate::compile::{Times, Transition};
use crate::exit::ExitStatus;
use crate::expression::eval::Active;
use crate::expression::timezone::Zone;
use crate::output::Printer;
use crate::report::{FireRow, NextReport};
use crate::window::{Form, UserSchedule};

/// What is evaluated, as times and a calendar, and the heading that says so.
fn parts(args: &NextArgs) -> anyhow::Result<(Times, Calendar, String)> {
    let zone = &args.timezone;
    if let Some(written) = &args.expr {
        let text = &written.text;
        return Ok(match &written.meaning {
            UserSchedule::One { expr, form } => {
                let source = match form {
                    Form::Aws => String::new(),
                    Form::BareAwsCron => format!(" (from the 6-field AWS cron '{text}')"),
                    Form::UnixCron => format!(" (from the Unix cron '{text}')"),
                };
                (
                    // One expression, shown without on/off labels.
                    Times::Switches {
                        on: Some(expr.clone()),
                        off: None,
                    },
                    Calendar::default(),
                    format!("{expr} in {zone}{source}"),
                )
            }
            UserSchedule::Window(w) => (
                Times::Windows(vec![w.clone()]),
                Calendar::default(),
                format!(
                    "window {} in {zone}{}\n  on:  {}\n  off: {}",
                    w.text,
                    if w.overnight {
                        " (overnight: off falls on the next day)"
                    } else {
                        ""
                    },
                    w.on,
                    w.off
                ),
            ),
        });
    }
    let (times, calendar) = super::times_of(&args.times)?
        .ok_or_else(|| crate::exit::InvalidInput::new("give EXPR, or --window, --on or --off"))?;
    let (on, off) = times.expressions();
    let mut lines = vec![format!("{} in {zone}", times.text())];
    lines.extend(on.iter().map(|e| format!("  on:  {e}")));
    lines.extend(off.iter().map(|e| format!("  off: {e}")));
    lines.extend(calendar.rules.iter().map(|r| format!("  skip: {r}")));
    let heading = lines.join("\n");
    Ok((times, calendar, heading))
}

fn notes(printer: &Printer, zone: &Zone, transitions: &[Transition], labelled: bool) {
    for t in transitions.iter().filter(|t| t.fire.folded) {
        let label = if labelled {
            format!("{}: ", t.switch)
        } else {
            String::new()
        };
        printer.note(&format!(
            "{label}{} occurs twice in {zone} (clocks fall back); AWS invokes once, at the first ({})",
            t.fire.local.strftime("%Y-%m-%d %H:%M"),
            t.fire.utc_rfc3339()
        ));
    }
}

pub fn run(args: &NextArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let zone = &args.timezone;
    let after = args.after.unwrap_or_else(jiff::Timestamp::now);
    let count = args.count as usize;
    let (times, calendar, heading) = parts(args)?;
    // As a schedule created now with these dates: a rate() without StartDate fires at once.
    let active = Active {
        start: args.start_date,
        end: args.end_date,
        created: Some(after),
    };
    let labelled = !matches!(
        args.expr.as_ref().map(|w| &w.meaning),
        Some(UserSchedule::One { .. })
    );
    let (on, off) = times.expressions();
    for (switch, exprs) in [("on", on), ("off", off)] {
        for expr in exprs {
            let evaluation = expr.next_fires_active(zone, after, count, &active);
            let label = if labelled {
                format!("{switch}: ")
            } else {
                String::new()
            };
            for local in &evaluation.skipped {
                printer.note(&format!(
                    "{label}{} does not exist in {zone} (clocks spring forward); AWS skips that invocation",
                    local.strftime("%Y-%m-%d %H:%M")
                ));
            }
            if evaluation.fires.len() < count {
                printer.note(&format!(
                    "{label}{expr} fires {} time(s) after {}, not {count}",
                    evaluation.fires.len(),
                    after.strftime("%Y-%m-%dT%H:%M:%SZ")
                ));
            }
        }
    }
    let transitions = crate::compile::transitions(&times, &calendar, zone, after, count, &active);
    notes(printer, zone, &transitions, labelled);
    printer.emit(&NextReport {
        fires: transitions
            .iter()
            .map(|t| FireRow::new(zone, t, labelled))
            .collect(),
        heading,
    })?;
    Ok(ExitStatus::Success)
}
