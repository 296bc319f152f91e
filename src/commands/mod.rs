//! One module per subcommand. Each turns its typed arguments into core values, runs the core
//! and the AWS edge (writing commands through [`crate::reconcile`]), and emits one report.
//! Commands do not import from each other.

pub mod apply;
pub mod docs;
pub mod doctor;
pub mod export;
pub mod iam;
pub mod import;
pub mod list;
pub mod next;
pub mod overrides;
pub mod plan;
pub mod savings;
pub mod schedule;
pub mod status;
pub mod timeline;
pub mod unschedule;

use crate::calendar::Calendar;
use crate::cli::{Cli, Command, TimesArgs};
use crate::compile::Times;
use crate::exit::{ExitStatus, InvalidInput};
use crate::output::Printer;

/// Runs the chosen subcommand.
pub fn run(cli: Cli, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let global = &cli.global;
    match &cli.command {
        Command::Schedule(args) => schedule::run(args, global, printer),
        Command::Unschedule(args) => block_on(unschedule::run(args, global, printer)),
        Command::List(args) => block_on(list::run(args, global, printer)),
        Command::Status(args) => block_on(status::run(args, global, printer)),
        Command::Next(args) => next::run(args, printer),
        Command::Override(args) => block_on(overrides::run(args, global, printer)),
        Command::Iam(args) => iam::run(args, global, printer),
        Command::Plan(args) => block_on(plan::run(args, global, printer)),
        Command::Apply(args) => block_on(apply::run(args, global, printer)),
        Command::Export(args) => block_on(export::run(args, global, printer)),
        Command::Import(args) => block_on(import::run(args, global, printer)),
        Command::Doctor(args) => block_on(doctor::run(args, global, printer)),
        Command::Savings(args) => block_on(savings::run(args, global, printer)),
        Command::Timeline(args) => block_on(timeline::run(args, global, printer)),
        Command::Completions(args) => docs::completions(args, printer),
        Command::Man(args) => docs::man(args, printer),
        Command::Schema(_) => {
            printer.emit(&crate::report::Document(crate::fleet::json_schema()))?;
            Ok(ExitStatus::Success)
        }
    }
}

/// Runs AWS work on a Tokio runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("start the Tokio runtime")
        .block_on(future)
}

/// The times and skipped days the schedule options give; `None` when no time is given.
pub fn times_of(args: &TimesArgs) -> Result<Option<(Times, Calendar)>, InvalidInput> {
    let mut calendar = Calendar {
        rules: args.skip.clone(),
    };
    for path in &args.skip_ics {
        calendar = calendar.with(&crate::input::read_ics(path)?);
    }
    let times = if !args.window.is_empty() {
        Times::windows(args.window.clone())
    } else if args.any_times() {
        Times::switches(args.on.clone(), args.off.clone())
    } else {
        if !calendar.is_empty() {
            return Err(InvalidInput::new(
                "--skip and --skip-ics need times: give --window, --on or --off",
            ));
        }
        return Ok(None);
    };
    let times = times.map_err(InvalidInput::new)?;
    times.check_calendar(&calendar).map_err(InvalidInput::new)?;
    Ok(Some((times, calendar)))
}

/// The services of a week-reading command (savings, timeline): the fleet file's, or the one the
/// flags describe (no execution role needed: nothing is written).
pub fn week_services(
    args: &crate::cli::WeekServicesArgs,
) -> Result<crate::fleet::Fleet, anyhow::Error> {
    if let Some(path) = &args.file {
        let mut fleet = crate::input::read_fleet(path)?;
        // --on-count stands for the entries that do not set on_count.
        for spec in &mut fleet.services {
            spec.on_count = spec.on_count.or(args.on_count);
        }
        for sel in &mut fleet.selectors {
            sel.template.on_count = sel.template.on_count.or(args.on_count);
        }
        return Ok(fleet);
    }
    let (Some(cluster), Some(service)) = (&args.cluster, &args.service) else {
        return Err(
            InvalidInput::new("give --cluster and --service with times, or -f FILE").into(),
        );
    };
    let Some((times, calendar)) = times_of(&args.times)? else {
        return Err(InvalidInput::new("give --window (repeatable), or --on and/or --off").into());
    };
    Ok(crate::fleet::Fleet {
        services: vec![crate::spec::ServiceSpec {
            id: crate::schedule::ServiceId {
                cluster: cluster.clone(),
                service: service.clone(),
            },
            connection: crate::spec::Connection::default(),
            group: crate::naming::GroupName::default_group(),
            times,
            calendar,
            zone: args.timezone.clone(),
            role_arn: None,
            state: crate::schedule::State::Enabled,
            on_count: args.on_count,
            off_count: args.off_count,
            dead_letter_arn: None,
            start_date: None,
            end_date: None,
            override_: None,
            notify: None,
            adopt: Vec::new(),
            autoscaling: true,
            task: Default::default(),
            capacity: None,
            origin: crate::spec::Origin::Flags,
        }],
        selectors: Vec::new(),
    })
}
