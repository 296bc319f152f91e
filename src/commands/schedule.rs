//! `ecs-onoff schedule`: validate everything, check the service, then create or update the
//! service's on and off schedules so that they match the request (idempotently).

use super::{block_on, parse_instant, validate_target};
use crate::aws::{self, scheduler};
use crate::checks;
use crate::cli::{GlobalArgs, ScheduleArgs, StateArg};
use crate::exit::{ExitStatus, InvalidInput};
use crate::expression::timezone::Zone;
use crate::expression::ScheduleExpression;
use crate::naming::Switch;
use crate::output::{local_time, Printer};
use crate::plan::{self, Change, Schedule, ScheduleRequest, State};
use crate::window::UserSchedule;
use crate::{arn, naming};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

/// A request with every input checked.
struct Validated {
    cluster: String,
    service: String,
    group: String,
    on: ScheduleExpression,
    off: ScheduleExpression,
    zone: Zone,
    role_arn: Option<String>,
    state: State,
    dead_letter_arn: Option<String>,
    start_date: Option<Timestamp>,
    end_date: Option<Timestamp>,
    on_count: Option<i64>,
    off_count: i64,
}

fn invalid(flag: &str, e: impl std::fmt::Display) -> anyhow::Error {
    InvalidInput(format!("invalid {flag}: {e}")).into()
}

/// Every check that needs no AWS call. Nothing is written unless all of them pass.
fn validate(args: &ScheduleArgs, now: Timestamp) -> anyhow::Result<Validated> {
    validate_target(&args.target)?;
    let (on, off) = match (&args.window, &args.on, &args.off) {
        (Some(window), _, _) => match UserSchedule::parse(window).map_err(|e| invalid("--window", e))? {
            UserSchedule::Window { on, off, .. } => (on, off),
            UserSchedule::One { .. } => {
                return Err(invalid(
                    "--window",
                    format!("'{window}' is one expression, not a window; use --on and --off, or DAYS HH:MM-HH:MM"),
                ))
            }
        },
        (None, Some(on), Some(off)) => (
            UserSchedule::parse_single(on).map_err(|e| invalid("--on", e))?.0,
            UserSchedule::parse_single(off).map_err(|e| invalid("--off", e))?.0,
        ),
        _ => return Err(InvalidInput("give --on and --off, or --window".into()).into()),
    };
    let zone = Zone::parse(&args.timezone).map_err(|e| invalid("--timezone", e))?;
    if let Some(role) = &args.role_arn {
        arn::validate_role_arn(role).map_err(|e| invalid("--role-arn", e))?;
    } else if !args.dry_run {
        return Err(InvalidInput(
            "--role-arn is required (the IAM role Scheduler assumes; `ecs-onoff iam` builds it), \
             unless --dry-run"
                .into(),
        )
        .into());
    }
    if let Some(dlq) = &args.dead_letter_arn {
        arn::validate_queue_arn(dlq).map_err(|e| invalid("--dead-letter-arn", e))?;
    }
    let start_date = args
        .start_date
        .as_deref()
        .map(|t| parse_instant("--start-date", t))
        .transpose()?;
    let end_date = args
        .end_date
        .as_deref()
        .map(|t| parse_instant("--end-date", t))
        .transpose()?;
    if let Some(start) = start_date {
        if start < now - SignedDuration::from_mins(5) {
            return Err(invalid(
                "--start-date",
                format!(
                    "{start} is in the past; AWS refuses a start more than 5 minutes before now"
                ),
            ));
        }
    }
    if let Some(end) = end_date {
        if end <= now {
            return Err(invalid("--end-date", format!("{end} is not in the future")));
        }
        if start_date.is_some_and(|start| end <= start) {
            return Err(invalid("--end-date", "it must be after --start-date"));
        }
    }
    Ok(Validated {
        cluster: args.target.cluster.clone(),
        service: args.target.service.clone(),
        group: args.target.group.clone(),
        on,
        off,
        zone,
        role_arn: args.role_arn.clone(),
        state: match args.state {
            StateArg::Enabled => State::Enabled,
            StateArg::Disabled => State::Disabled,
        },
        dead_letter_arn: args.dead_letter_arn.clone(),
        start_date,
        end_date,
        on_count: args.on_count.map(i64::from),
        off_count: i64::from(args.off_count),
    })
}

impl Validated {
    fn desired(&self, switch: Switch, count: i64, role_arn: &str, partition: &str) -> Schedule {
        plan::desired(&ScheduleRequest {
            cluster: &self.cluster,
            service: &self.service,
            switch,
            expression: match switch {
                Switch::On => &self.on,
                Switch::Off => &self.off,
            },
            zone: &self.zone,
            desired_count: count,
            group: &self.group,
            role_arn,
            state: self.state,
            dead_letter_arn: self.dead_letter_arn.as_deref(),
            start_date: self.start_date,
            end_date: self.end_date,
            partition,
        })
    }

    fn expression(&self, switch: Switch) -> &ScheduleExpression {
        match switch {
            Switch::On => &self.on,
            Switch::Off => &self.off,
        }
    }
}

pub fn run(
    args: &ScheduleArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let now = Timestamp::now();
    let v = validate(args, now)?;
    for warning in checks::pair(&v.on, &v.off, &v.zone, now) {
        printer.warn(&warning);
    }
    if args.dry_run {
        return dry_run(&v, global, printer);
    }
    block_on(apply(&v, args.no_verify, global, printer, now))
}

/// Prints the CreateSchedule requests without any AWS call.
fn dry_run(v: &Validated, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let region = aws::region_from_flags_or_env(global)?;
    let partition = match &region {
        Some(r) => arn::partition(r),
        None => {
            printer.note(
                "no Region given (--region or AWS_REGION): target ARNs use the aws partition",
            );
            "aws"
        }
    };
    let role_arn = match &v.role_arn {
        Some(role) => role.clone(),
        None => {
            printer.note("no --role-arn given: the requests show a placeholder RoleArn");
            format!("arn:{partition}:iam::<account-id>:role/<execution-role>")
        }
    };
    let on_count = v.on_count.unwrap_or_else(|| {
        printer.note("no --on-count given: a dry run reads no service, so it shows desiredCount 1");
        1
    });
    let requests: Vec<_> = [(Switch::On, on_count), (Switch::Off, v.off_count)]
        .into_iter()
        .map(|(switch, count)| {
            plan::create_request(&v.desired(switch, count, &role_arn, partition))
        })
        .collect();
    printer.note(&format!(
        "dry run: no AWS call was made; the group '{}' is created (tagged managed-by=ecs-onoff) if it does not exist",
        v.group
    ));
    printer.json(&json!(requests));
    Ok(ExitStatus::Success)
}

/// The outcome for one schedule.
struct Outcome {
    schedule: Schedule,
    change: Change,
}

async fn apply(
    v: &Validated,
    no_verify: bool,
    global: &GlobalArgs,
    printer: &Printer,
    now: Timestamp,
) -> anyhow::Result<ExitStatus> {
    let config = aws::load_config(global).await?;
    let region = aws::region_of(&config);
    let partition = arn::partition(&region);
    let scheduler_client = aws_sdk_scheduler::Client::new(&config);

    let mut live_count = None;
    if !no_verify {
        let ecs = aws_sdk_ecs::Client::new(&config);
        let (found, missing) = aws::ecs::describe(&ecs, &v.cluster, &[v.service.as_str()]).await?;
        if !missing.is_empty() {
            return Err(InvalidInput(format!(
                "service '{}' was not found, or is not ACTIVE, in cluster '{}' ({region})",
                v.service, v.cluster
            ))
            .into());
        }
        let info = &found[0];
        live_count = Some(i64::from(info.desired_count));
        if let Some(w) = checks::ec2_cost(&info.capacity) {
            printer.warn(&w);
        }
        let aas = aws_sdk_applicationautoscaling::Client::new(&config);
        match aws::autoscaling::min_capacities(&aas, &v.cluster, &v.service).await {
            Ok(mins) => {
                if let Some(w) = checks::autoscaling(&mins) {
                    printer.warn(&w);
                }
            }
            Err(e) => printer.warn(&format!("could not check Application Auto Scaling: {e:#}")),
        }
    }

    let names = [Switch::On, Switch::Off].map(|s| naming::schedule_name(&v.cluster, &v.service, s));
    let (existing_on, existing_off) = tokio::try_join!(
        scheduler::get(&scheduler_client, &v.group, &names[0]),
        scheduler::get(&scheduler_client, &v.group, &names[1]),
    )?;

    let existing_count = existing_on
        .as_ref()
        .and_then(|s| plan::parse_input(&s.input))
        .map(|i| i.desired_count);
    let (on_count, source) = plan::on_count(v.on_count, live_count, existing_count);
    printer.detail(&format!(
        "region {region}; on count {on_count}, from {source}"
    ));
    let role_arn = v.role_arn.as_deref().unwrap_or_default();
    let desired = [
        v.desired(Switch::On, on_count, role_arn, partition),
        v.desired(Switch::Off, v.off_count, role_arn, partition),
    ];
    let changes = [
        plan::diff(&desired[0], existing_on.as_ref()),
        plan::diff(&desired[1], existing_off.as_ref()),
    ];

    if changes.contains(&Change::Create)
        && !scheduler::group_exists(&scheduler_client, &v.group).await?
    {
        scheduler::create_group(&scheduler_client, &v.group).await?;
        printer.note(&format!(
            "created schedule group '{}' (tagged managed-by=ecs-onoff)",
            v.group
        ));
    }
    let mut outcomes = Vec::new();
    for (schedule, change) in desired.into_iter().zip(changes) {
        match &change {
            Change::Create => scheduler::create(&scheduler_client, &schedule).await?,
            Change::Update(_) => scheduler::update(&scheduler_client, &schedule).await?,
            Change::Unchanged => {}
        }
        outcomes.push(Outcome { schedule, change });
    }
    report(v, &outcomes, printer, now);
    Ok(ExitStatus::Success)
}

fn report(v: &Validated, outcomes: &[Outcome], printer: &Printer, now: Timestamp) {
    let next = |switch: Switch| {
        v.expression(switch)
            .next_fires(&v.zone, now, 1)
            .fires
            .first()
            .copied()
    };
    let switches = [Switch::On, Switch::Off];
    if printer.is_json() {
        let items: Vec<_> = outcomes
            .iter()
            .zip(switches)
            .map(|(o, switch)| {
                let fire = next(switch);
                json!({
                    "action": o.change.verb(),
                    "name": o.schedule.name,
                    "group": o.schedule.group,
                    "switch": switch.as_str(),
                    "cluster": v.cluster,
                    "service": v.service,
                    "expression": o.schedule.expression,
                    "timezone": o.schedule.timezone,
                    "desired_count": plan::parse_input(&o.schedule.input).map(|i| i.desired_count),
                    "state": o.schedule.state.map(State::as_str),
                    "next_fire_utc": fire.map(|f| f.utc_rfc3339()),
                    "next_fire_local": fire.map(|f| f.local_rfc3339()),
                    "changes": match &o.change {
                        Change::Update(fields) => fields.iter().map(|c| json!({"field": c.field, "old": c.old, "new": c.new})).collect(),
                        _ => Vec::new(),
                    },
                })
            })
            .collect();
        printer.json(&json!(items));
        return;
    }
    let mut rows = Vec::new();
    for (o, switch) in outcomes.iter().zip(switches) {
        let fire = next(switch);
        rows.push(vec![
            o.change.verb().to_string(),
            format!("{}/{}", o.schedule.group, o.schedule.name),
            o.schedule.expression.clone(),
            o.schedule.timezone.clone(),
            plan::parse_input(&o.schedule.input)
                .map(|i| i.desired_count.to_string())
                .unwrap_or_default(),
            fire.map(|f| format!("{} ({})", local_time(&v.zone, &f), f.utc_rfc3339()))
                .unwrap_or_else(|| "never".into()),
        ]);
    }
    let mut text = crate::output::table(
        &[
            "ACTION",
            "SCHEDULE",
            "EXPRESSION",
            "TIME ZONE",
            "COUNT",
            "NEXT FIRE",
        ],
        &rows,
    );
    for o in outcomes {
        if let Change::Update(fields) = &o.change {
            for c in fields {
                text.push_str(&format!(
                    "  {} {}: {} -> {}\n",
                    o.schedule.name, c.field, c.old, c.new
                ));
            }
        }
    }
    printer.data(&text);
}
