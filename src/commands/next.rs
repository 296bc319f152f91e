//! `ecs-onoff next`: the next fire times of an expression or window, in local time and UTC, with
//! the daylight-saving gaps and folds met on the way reported on stderr.

use crate::cli::NextArgs;
use crate::exit::ExitStatus;
use crate::expression::eval::Active;
use crate::expression::ScheduleExpression;
use crate::naming::Switch;
use crate::output::Printer;
use crate::report::{FireRow, NextReport};
use crate::window::{Form, UserSchedule};

/// What is evaluated: one expression, or a window's two, each with its switch.
fn parts(args: &NextArgs) -> (Vec<(Option<Switch>, ScheduleExpression)>, String) {
    let zone = &args.timezone;
    let text = &args.expr.text;
    match &args.expr.meaning {
        UserSchedule::One { expr, form } => {
            let source = match form {
                Form::Aws => String::new(),
                Form::BareAwsCron => format!(" (from the 6-field AWS cron '{text}')"),
                Form::UnixCron => format!(" (from the Unix cron '{text}')"),
            };
            (
                vec![(None, expr.clone())],
                format!("{expr} in {zone}{source}"),
            )
        }
        UserSchedule::Window {
            on,
            off,
            text,
            overnight,
        } => (
            vec![
                (Some(Switch::On), on.clone()),
                (Some(Switch::Off), off.clone()),
            ],
            format!(
                "window {text} in {zone}{}\n  on:  {on}\n  off: {off}",
                if *overnight {
                    " (overnight: off falls on the next day)"
                } else {
                    ""
                }
            ),
        ),
    }
}

pub fn run(args: &NextArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let zone = &args.timezone;
    let after = args.after.unwrap_or_else(jiff::Timestamp::now);
    let count = args.count as usize;
    let (parts, heading) = parts(args);
    let mut fires = Vec::new();
    // As a schedule created now with these dates: a rate() without StartDate fires at once.
    let active = Active {
        start: args.start_date,
        end: args.end_date,
        created: Some(after),
    };
    for (switch, expr) in &parts {
        let evaluation = expr.next_fires_active(zone, after, count, &active);
        let label = switch.map(|a| format!("{a}: ")).unwrap_or_default();
        for local in &evaluation.skipped {
            printer.note(&format!(
                "{label}{} does not exist in {zone} (clocks spring forward); AWS skips that invocation",
                local.strftime("%Y-%m-%d %H:%M")
            ));
        }
        for fire in evaluation.folded() {
            printer.note(&format!(
                "{label}{} occurs twice in {zone} (clocks fall back); AWS invokes once, at the first ({})",
                fire.local.strftime("%Y-%m-%d %H:%M"),
                fire.utc_rfc3339()
            ));
        }
        if evaluation.fires.len() < count {
            printer.note(&format!(
                "{label}{expr} fires {} time(s) after {}, not {count}",
                evaluation.fires.len(),
                after.strftime("%Y-%m-%dT%H:%M:%SZ")
            ));
        }
        fires.extend(
            evaluation
                .fires
                .iter()
                .map(|f| (f.utc, FireRow::new(zone, expr, *switch, f))),
        );
    }
    fires.sort_by_key(|(utc, _)| *utc);
    printer.emit(&NextReport {
        fires: fires.into_iter().map(|(_, row)| row).collect(),
        heading,
    })?;
    Ok(ExitStatus::Success)
}
