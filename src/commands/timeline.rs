//! `ecs-onoff timeline`: a week of the schedules of the services, drawn in the terminal and, with
//! `--svg`, as an image. Makes no AWS call unless the fleet file has `[[select]]` entries.

use crate::cli::{GlobalArgs, TimelineArgs};
use crate::exit::{ExitStatus, InvalidInput};
use crate::output::Printer;
use crate::reconcile::{self, DEFAULT_CONCURRENCY};
use crate::report::{Render, Style};
use crate::spec::ClientKey;
use crate::timeline::Week;
use serde::Serialize;

/// The weeks drawn.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct TimelineReport(pub Vec<Week>);

impl Render for TimelineReport {
    fn text(&self, style: &Style) -> String {
        crate::timeline::text(&self.0, style.color)
    }
}

pub async fn run(
    args: &TimelineArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let fleet = super::week_services(&args.services)?;
    let specs = if fleet.selectors.is_empty() {
        fleet.services.clone()
    } else {
        reconcile::open_fleet(&fleet, &global.aws_settings(), DEFAULT_CONCURRENCY, printer)
            .await?
            .1
    };
    let now = jiff::Timestamp::now();
    let mut weeks = Vec::new();
    for spec in &specs {
        let zone = &spec.zone;
        let day = args
            .week
            .unwrap_or_else(|| zone.tz().to_datetime(now).date());
        let monday = crate::timeline::monday_of(day);
        let start = monday
            .to_zoned_datetime(zone.tz().clone())
            .map(|z| z.timestamp())
            .unwrap_or(now);
        let compiled = spec.compile(now.min(start)).map_err(InvalidInput::new)?;
        // The Region only names the target's partition, which the week does not show.
        let key = ClientKey {
            region: "us-east-1".parse().expect("a valid Region"),
            profile: None,
        };
        let on = spec.on_count.unwrap_or(1).max(1);
        let schedules = spec.schedules(&key, on, &compiled);
        let held = spec.override_.as_ref().filter(|o| o.until > now).map(|o| {
            let count = match o.state {
                crate::naming::Switch::On => o.count.unwrap_or(on),
                crate::naming::Switch::Off => o.count.unwrap_or(spec.off_count),
            };
            (now.max(start), o.until, count)
        });
        weeks.push(crate::timeline::week(
            &format!("{}/{}", spec.id.cluster, spec.id.service),
            (&schedules, spec.off_count),
            zone,
            &spec.calendar,
            monday,
            held,
        ));
    }
    if let Some(path) = &args.svg {
        std::fs::write(path, crate::timeline::svg(&weeks))
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        printer.note(&format!("wrote {}", path.display()));
    }
    printer.emit(&TimelineReport(weeks))?;
    Ok(ExitStatus::Success)
}
