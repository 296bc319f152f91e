//! `ecs-onoff override`: keep a service on or off until a time (see [`crate::overrides`] for
//! what is written), list overrides, cancel one. Reads the service and its schedules, plans
//! (pure), writes through the same executor as `apply`, then sets the count.

use crate::aws::ecs;
use crate::cli::{
    GlobalArgs, OverrideAction, OverrideArgs, OverrideCancelArgs, OverrideListArgs,
    OverrideSetArgs, ServiceArgs,
};
use crate::exit::{ExitStatus, InvalidInput};
use crate::expression::timezone::Zone;
use crate::naming::Switch;
use crate::output::Printer;
use crate::overrides::{self, Override, OverridePlan};
use crate::plan::{CountChange, Plan, Step};
use crate::reconcile::{self, Lanes, Prepared};
use crate::report::{OverrideList, OverrideRow};
use crate::schedule::{Schedule, ServiceId};
use crate::spec::{ClientKey, Connection};
use jiff::Timestamp;
use std::time::Instant;

pub async fn run(
    args: &OverrideArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    match &args.action {
        Some(OverrideAction::List(a)) => list(a, global, printer).await,
        Some(OverrideAction::Cancel(a)) => cancel(a, global, printer).await,
        None => set(&args.set, global, printer).await,
    }
}

/// The service as it is: its id, live desiredCount, and every schedule of it in the group.
struct Read {
    key: ClientKey,
    id: ServiceId,
    live: u32,
    schedules: Vec<Schedule>,
}

async fn read(lanes: &Lanes, t: &ServiceArgs) -> anyhow::Result<Read> {
    let key = lanes.connections.key(&Connection::default()).clone();
    let clients = lanes.clients(&key);
    let described = ecs::describe(&clients.ecs, &t.cluster, &[t.service.as_str()]).await?;
    let Some(info) = described
        .ok_or_else(|| {
            InvalidInput::new(format!("cluster '{}' was not found in {key}", t.cluster))
        })?
        .into_iter()
        .find(|s| s.name == *t.service && s.status == "ACTIVE")
    else {
        return Err(InvalidInput::new(format!(
            "service '{}' was not found, or is not ACTIVE, in cluster '{}' ({key})",
            t.service, t.cluster
        ))
        .into());
    };
    let id = ServiceId {
        cluster: t.cluster.clone(),
        service: t.service.clone(),
    };
    let schedules = reconcile::service_schedules(lanes, &key, &t.group, &id).await?;
    Ok(Read {
        key,
        id,
        live: info.desired_count,
        schedules,
    })
}

/// Carries out an override plan: the schedule writes (reported like `apply`), then, when they
/// all succeeded, the count.
async fn execute(
    lanes: Lanes,
    read: &Read,
    planned: OverridePlan,
    reason: String,
    printer: &Printer,
    started: Instant,
) -> anyhow::Result<ExitStatus> {
    let plan = Plan {
        steps: planned
            .steps
            .into_iter()
            .map(|(schedule, action)| Step {
                key: read.key.clone(),
                schedule,
                action,
            })
            .collect(),
        counts: planned
            .set_count
            .or(planned.set_bounds.map(|b| b.min))
            .map(|to| CountChange {
                key: read.key.clone(),
                id: read.id.clone(),
                from: Some(read.live),
                to,
                bounds: planned.set_bounds,
                reason,
            })
            .into_iter()
            .collect(),
        group_sizes: planned
            .set_group_sizes
            .iter()
            .map(|size| crate::capacity::GroupSizeChange {
                key: read.key.clone(),
                size: size.clone(),
                reason: format!("it carries {}, kept on", read.id),
            })
            .collect(),
        ..Plan::default()
    };
    let status = reconcile::apply(&Prepared { lanes, plan }, printer, started, false).await?;
    if status != ExitStatus::Success
        && (planned.set_count.is_some() || planned.set_bounds.is_some())
    {
        printer.warn("the service's desiredCount was not changed, since a write failed");
    }
    Ok(status)
}

/// The capacity schedules and hold ends in the service's group (a group carrying the service
/// is held with it).
async fn capacity_schedules(
    lanes: &Lanes,
    read: &Read,
    t: &ServiceArgs,
) -> anyhow::Result<Vec<Schedule>> {
    let groups = std::collections::BTreeSet::from([(read.key.clone(), t.group.to_string())]);
    Ok(reconcile::capacity_schedules(lanes, groups)
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect())
}

async fn set(
    args: &OverrideSetArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let started = Instant::now();
    let missing: Vec<&str> = [
        ("--cluster", args.cluster.is_none()),
        ("--service", args.service.is_none()),
        ("--on or --off", !args.on && !args.off),
        (
            "--for or --until",
            args.for_.is_none() && args.until.is_none(),
        ),
    ]
    .into_iter()
    .filter_map(|(flag, absent)| absent.then_some(flag))
    .collect();
    if !missing.is_empty() {
        return Err(InvalidInput::new(format!(
            "override needs {} (or use `override list` or `override cancel`; see ecs-onoff \
             override --help)",
            missing.join(", ")
        ))
        .into());
    }
    let t = ServiceArgs {
        cluster: args.cluster.clone().expect("checked"),
        service: args.service.clone().expect("checked"),
        group: args.group.clone(),
    };
    let t = &t;
    let (lanes, _) = Lanes::open_flags(&global.aws_settings()).await?;
    let read = read(&lanes, t).await?;
    let regular: Vec<Schedule> = read
        .schedules
        .iter()
        .filter(|s| s.owner().is_some())
        .map(overrides::release)
        .collect();

    if args.count.is_some() && regular.iter().any(|s| s.bounds().is_some()) {
        return Err(InvalidInput::new(format!(
            "--count: {} has autoscaling-aware schedules: an override keeps the Application \
             Auto Scaling bounds of its on (or off) schedule, and the count they give; leave \
             out --count",
            read.id
        ))
        .into());
    }
    if regular.is_empty() && !args.force {
        return Err(InvalidInput::new(format!(
            "{} has no ecs-onoff schedules in group '{}': there is nothing to override \
             (`ecs-onoff schedule` gives it some; --force with --role-arn overrides it anyway)",
            read.id, t.group
        ))
        .into());
    }
    // With --force and no schedules: the end schedule's group, role and target.
    let fallback = args.role_arn.as_ref().map(|role| {
        let partition = read.key.region.partition();
        Schedule {
            name: read.id.override_name(),
            group: t.group.to_string(),
            expression: String::new(),
            timezone: "UTC".into(),
            state: None,
            description: String::new(),
            flexible_window_off: true,
            target_arn: crate::arn::update_service_target(partition),
            role_arn: role.to_string(),
            input: crate::schedule::Input::Other(String::new()),
            retry: None,
            dead_letter_arn: None,
            start_date: None,
            end_date: None,
            unmanaged: Default::default(),
            created: None,
        }
    });
    let state = if args.on { Switch::On } else { Switch::Off };
    let of_switch = |switch: Switch| {
        regular
            .iter()
            .find(|s| s.owner().is_some_and(|o| o.1.switch == switch))
    };
    let zone = overrides::zone_of(&regular)
        .and_then(|z| Zone::parse(z).ok())
        .unwrap_or_else(Zone::utc);
    let now = Timestamp::now();
    let until = match (&args.for_, &args.until) {
        (Some(d), _) => now + *d,
        (None, Some(text)) => {
            overrides::parse_until(text, &zone, now).map_err(InvalidInput::new)?
        }
        (None, None) => unreachable!("clap requires --for or --until"),
    };
    let until = overrides::check_until(until, now, args.max).map_err(InvalidInput::new)?;
    let count = args.count.unwrap_or_else(|| {
        // Autoscaling-aware: the MinCapacity of the bounds kept.
        let scheduled = of_switch(state).and_then(|s| s.input.desired_count());
        if let Some(b) = of_switch(state).and_then(|s| s.bounds()) {
            return b.min;
        }
        match state {
            Switch::On => {
                scheduled
                    .filter(|n| *n > 0)
                    .unwrap_or(if read.live > 0 { read.live } else { 1 })
            }
            Switch::Off => scheduled.unwrap_or(0),
        }
    });
    let mut planned = overrides::plan_set(
        &read.id,
        &read.schedules,
        fallback.as_ref(),
        read.live,
        state,
        count,
        until,
        now,
    )
    .expect("the service has regular schedules, or --force gave a role");
    if state == Switch::On {
        // Its Auto Scaling group stays on with it, and comes on now if it is off.
        let capacity = capacity_schedules(&lanes, &read, t).await?;
        let (steps, sizes) = crate::capacity::plan_hold(&capacity, &read.id, until, now);
        planned.steps.extend(steps);
        planned.set_group_sizes = sizes;
    }
    let o = Override {
        state,
        count,
        until,
        then_count: planned.then_count.unwrap_or(read.live),
        zone: zone.name().to_string(),
    };
    let sentence = OverrideRow::new(&read.key, t.group.as_str(), &read.id, &o).sentence();
    printer.note(&format!("{}: {sentence}", read.id));
    execute(lanes, &read, planned, sentence, printer, started).await
}

async fn cancel(
    args: &OverrideCancelArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let started = Instant::now();
    let (lanes, _) = Lanes::open_flags(&global.aws_settings()).await?;
    let read = read(&lanes, &args.target).await?;
    let planned = overrides::plan_cancel(&read.schedules, read.live, Timestamp::now());
    if planned.steps.iter().all(|(_, a)| !a.is_change()) {
        printer.note(&format!("{} has no override: nothing to cancel", read.id));
    }
    let reason = "override cancelled: what its schedules say now".to_string();
    execute(lanes, &read, planned, reason, printer, started).await
}

async fn list(
    args: &OverrideListArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let (lanes, key) = Lanes::open_flags(&global.aws_settings()).await?;
    let groups = std::collections::BTreeSet::from([(key.clone(), args.group.to_string())]);
    let now = Timestamp::now();
    let rows: Vec<OverrideRow> = reconcile::managed(&lanes, groups)
        .await?
        .iter()
        .filter_map(|(_, s)| Override::read(s))
        .filter(|(id, o)| o.until > now && args.cluster.as_ref().is_none_or(|c| *c == id.cluster))
        .map(|(id, o)| OverrideRow::new(&key, args.group.as_str(), &id, &o))
        .collect();
    printer.emit(&OverrideList(rows))?;
    Ok(ExitStatus::Success)
}
