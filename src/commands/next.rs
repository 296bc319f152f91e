//! `ecs-onoff next`: the next fire times of an expression or window, in local time and UTC, with
//! the daylight-saving gaps and folds met on the way reported on stderr.

use crate::cli::NextArgs;
use crate::exit::ExitStatus;
use crate::expression::eval::Fire;
use crate::expression::timezone::Zone;
use crate::expression::ScheduleExpression;
use crate::output::Printer;
use crate::window::{Form, UserSchedule};
use anyhow::Context;
use jiff::Timestamp;
use serde_json::json;

/// One expression to evaluate, with its label for windows.
struct Part {
    action: Option<&'static str>,
    expr: ScheduleExpression,
}

/// A fire time with the expression it came from.
struct Row<'a> {
    part: &'a Part,
    fire: Fire,
}

pub fn run(args: &NextArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let schedule = UserSchedule::parse(&args.expr).context("invalid EXPR")?;
    let zone = Zone::parse(&args.timezone).context("invalid --timezone")?;
    let after = match &args.after {
        Some(text) => super::parse_instant("--after", text)?,
        None => Timestamp::now(),
    };
    let count = args.count as usize;

    let (parts, heading) = match &schedule {
        UserSchedule::One { expr, form } => {
            let source = match form {
                Form::Aws => String::new(),
                Form::BareAwsCron => format!(" (from the 6-field AWS cron '{}')", args.expr.trim()),
                Form::UnixCron => format!(" (from the Unix cron '{}')", args.expr.trim()),
            };
            (
                vec![Part {
                    action: None,
                    expr: expr.clone(),
                }],
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
                Part {
                    action: Some("on"),
                    expr: on.clone(),
                },
                Part {
                    action: Some("off"),
                    expr: off.clone(),
                },
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
    };

    let mut rows = Vec::new();
    for part in &parts {
        let evaluation = part.expr.next_fires(&zone, after, count);
        let label = part.action.map(|a| format!("{a}: ")).unwrap_or_default();
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
                "{label}{} fires {} time(s) after {}, not {count}",
                part.expr,
                evaluation.fires.len(),
                after.strftime("%Y-%m-%dT%H:%M:%SZ")
            ));
        }
        rows.extend(evaluation.fires.into_iter().map(|fire| Row { part, fire }));
    }
    rows.sort_by_key(|r| r.fire.utc);

    if printer.is_json() {
        let items: Vec<_> = rows
            .iter()
            .map(|r| {
                let mut item = json!({
                    "utc": r.fire.utc_rfc3339(),
                    "local": r.fire.local_rfc3339(),
                    "timezone": zone.name(),
                    "expression": r.part.expr.to_string(),
                });
                if let Some(action) = r.part.action {
                    item["action"] = json!(action);
                }
                item
            })
            .collect();
        printer.json(&serde_json::Value::Array(items));
        return Ok(ExitStatus::Success);
    }

    let mut text = String::new();
    if !printer.is_quiet() {
        text.push_str(&format!("{}\n\n", printer.bold(&heading)));
    }
    let windowed = parts.len() > 1;
    let header = if windowed {
        format!("{:<6} {:<34} {}", "ACTION", "LOCAL", "UTC")
    } else {
        format!("{:<34} {}", "LOCAL", "UTC")
    };
    text.push_str(&printer.bold(header.trim_end()));
    text.push('\n');
    for r in &rows {
        let local = crate::output::local_time(&zone, &r.fire);
        if windowed {
            text.push_str(&format!(
                "{:<6} {local:<34} {}\n",
                r.part.action.unwrap_or(""),
                r.fire.utc_rfc3339()
            ));
        } else {
            text.push_str(&format!("{local:<34} {}\n", r.fire.utc_rfc3339()));
        }
    }
    printer.data(&text);
    Ok(ExitStatus::Success)
}
