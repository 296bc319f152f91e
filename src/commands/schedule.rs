//! `ecs-onoff schedule`: a fleet of one service, built from flags, through the same pipeline as
//! `apply` (read, plan, write, report). `--dry-run` plans against nothing and prints the
//! CreateSchedule requests without any AWS call.

use super::block_on;
use crate::cli::{GlobalArgs, ScheduleArgs};
use crate::exit::{ExitStatus, InvalidInput};
use crate::expression::timezone::Zone;
use crate::output::Printer;
use crate::plan::{self, Observed, Prune};
use crate::reconcile::{self, Lanes, DEFAULT_CONCURRENCY};
use crate::report::Requests;
use crate::schedule::ServiceId;
use crate::spec::{self, ClientKey, Connection, Origin, ServiceRequest, ServiceSpec};
use jiff::Timestamp;
use std::time::Instant;

/// The request the flags make, in time zone `zone`. Cross-field rules are checked here; each
/// value was checked by clap.
fn spec_of(args: &ScheduleArgs, zone: Zone, now: Timestamp) -> Result<ServiceSpec, InvalidInput> {
    let Some((times, calendar)) = super::times_of(&args.times)? else {
        return Err(InvalidInput::new(
            "give --window (repeatable), or --on and/or --off",
        ));
    };
    spec::check_dates(args.start_date, args.end_date, now).map_err(InvalidInput::new)?;
    if args.role_arn.is_none() && !args.dry_run {
        return Err(InvalidInput::new(spec::SpecError::RoleRequired));
    }
    Ok(ServiceSpec {
        id: ServiceId {
            cluster: args.target.cluster.clone(),
            service: args.target.service.clone(),
        },
        connection: Connection::default(),
        group: args.target.group.clone(),
        times,
        calendar,
        zone,
        role_arn: args.role_arn.clone(),
        state: args.state.into(),
        on_count: args.on_count,
        off_count: args.off_count,
        dead_letter_arn: args.dead_letter_arn.clone(),
        start_date: args.start_date,
        end_date: args.end_date,
        override_: None,
        notify: args
            .notify_topic
            .clone()
            .map(|topic| crate::notify::Notify {
                topic,
                before: args.notify_before,
            }),
        adopt: Vec::new(),
        autoscaling: !args.no_autoscaling,
        task: Default::default(),
        capacity: args.capacity.mode(),
        origin: Origin::Flags,
    })
}

pub fn run(
    args: &ScheduleArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let started = Instant::now();
    let zone = args.timezone.clone().unwrap_or_else(Zone::utc);
    let now = Timestamp::now();
    let mut spec = spec_of(args, zone, now)?;
    if let Some(note) = spec.drop_past_start(now) {
        printer.note(&note);
    }
    if args.dry_run {
        if args.timezone.is_none() {
            printer.note("no --timezone given: the times are read in UTC");
        }
        return dry_run(spec, global, printer);
    }
    block_on(async {
        let settings = global.aws_settings();
        let lanes = Lanes::open(&settings, [&spec.connection], DEFAULT_CONCURRENCY).await?;
        if args.timezone.is_none() {
            reconcile::check_partitions(&lanes.requests(vec![spec.clone()], now)?)?;
            let key = lanes.connections.key(&spec.connection).clone();
            match reconcile::existing_zone(&lanes, &key, &spec.group, &spec.id).await? {
                Some(existing) => {
                    printer.note(&format!(
                        "no --timezone given: keeping {existing}, the time zone of the existing \
                         schedules (pass --timezone to change it)"
                    ));
                    spec.zone = existing;
                }
                None => printer.note("no --timezone given: the times are read in UTC"),
            }
        }
        let prepared =
            reconcile::prepare(lanes, vec![spec], &Prune::Nothing, !args.no_verify, printer)
                .await?;
        reconcile::apply(&prepared, printer, started, true).await
    })
}

/// Plans against nothing (no AWS call, no credentials) and prints the CreateSchedule requests.
fn dry_run(
    spec: ServiceSpec,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let region = match global.aws_settings().region_from_flags_or_env()? {
        Some(region) => region,
        None => {
            printer.note(
                "no Region given (--region or AWS_REGION): target ARNs use the aws partition",
            );
            "us-east-1".parse().expect("a valid Region")
        }
    };
    if spec.role_arn.is_none() {
        printer.note("no --role-arn given: the requests show a placeholder RoleArn");
    }
    if spec.on_count.is_none() {
        printer.note("no --on-count given: a dry run reads no service, so it shows desiredCount 1");
    }
    if spec.capacity.is_some() {
        printer.warn(
            "--capacity: the Auto Scaling group's schedules are made from its live sizes and \
             the services on it, so a dry run does not show them (run without --dry-run: the \
             plan shows them before anything is written)",
        );
    }
    let group = spec.group.clone();
    let now = Timestamp::now();
    let compiled = spec.compile(now).map_err(InvalidInput::new)?;
    let request = ServiceRequest {
        key: ClientKey {
            region,
            profile: global.profile.clone(),
        },
        spec,
        compiled,
    };
    if let Some(mismatch) = spec::partition_mismatch(&request) {
        return Err(InvalidInput::new(mismatch).into());
    }
    let plan = plan::plan(&[request], &Observed::default(), &Prune::Nothing, now);
    for w in &plan.warnings {
        printer.warn(w);
    }
    printer.note(&format!(
        "dry run: no AWS call was made; the group '{group}' is created (tagged managed-by=ecs-onoff) if it does not exist"
    ));
    let requests = plan
        .steps
        .iter()
        .map(|s| s.schedule.create_request())
        .collect();
    printer.emit(&Requests(requests))?;
    Ok(ExitStatus::Success)
}
