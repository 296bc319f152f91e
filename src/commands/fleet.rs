//! `ecs-onoff plan` and `ecs-onoff apply`: converge the schedules of a fleet file. The file is
//! validated whole and every service confirmed (DescribeServices, 10 per call) before anything is
//! written; reads and writes run concurrently, bounded, and paced below Scheduler's quotas.

use crate::aws::{self, ecs::ServiceInfo, scheduler};
use crate::checks;
use crate::cli::{ApplyArgs, GlobalArgs, PlanArgs};
use crate::commands::list::managed;
use crate::exit::{ExitStatus, InvalidInput};
use crate::fleet::{self, Fleet, FleetEntry};
use crate::naming::{self, Switch};
use crate::output::Printer;
use crate::plan::{self, ClientKey, FleetAction, Planned, Schedule, ScheduleRequest, Tally};
use anyhow::Context;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Reads and writes in flight at once while planning.
const READ_CONCURRENCY: usize = 16;
/// Requests per second per Region: below the lowest documented Scheduler quota (250 TPS for
/// CreateSchedule outside the largest Regions).
const REQUESTS_PER_SECOND: u32 = 200;
/// SDK attempts per request; it backs off exponentially on throttling and 5xx between them.
const MAX_ATTEMPTS: u32 = 8;

/// A plan, with the clients that carry it out.
struct Prepared {
    plan: Vec<Planned>,
    clients: BTreeMap<ClientKey, aws_sdk_scheduler::Client>,
}

pub(crate) fn read_fleet(path: &Path) -> anyhow::Result<Fleet> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InvalidInput(format!("cannot read {}: {e}", path.display())))?;
    Ok(fleet::parse(&path.display().to_string(), &text)?)
}

/// Starts requests no faster than a fixed rate.
struct Pacer {
    interval: Duration,
    next: tokio::sync::Mutex<tokio::time::Instant>,
}

impl Pacer {
    fn new(per_second: u32) -> Pacer {
        Pacer {
            interval: Duration::from_secs(1) / per_second,
            next: tokio::sync::Mutex::new(tokio::time::Instant::now()),
        }
    }

    async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let at = (*next).max(tokio::time::Instant::now());
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

/// Reads the file and AWS, and computes the plan. Writes nothing.
async fn prepare(
    path: &Path,
    prune: bool,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<Prepared> {
    let fleet = read_fleet(path)?;
    let label = path.display().to_string();

    // One client per Region and profile.
    let mut keys: HashMap<(Option<String>, Option<String>), ClientKey> = HashMap::new();
    let mut configs: BTreeMap<ClientKey, aws_config::SdkConfig> = BTreeMap::new();
    for e in &fleet.entries {
        let id = (e.region.clone(), e.profile.clone());
        if keys.contains_key(&id) {
            continue;
        }
        let config = aws::load_config_for(
            global,
            e.region.as_deref(),
            e.profile.as_deref(),
            Some(MAX_ATTEMPTS),
        )
        .await?;
        let key = ClientKey {
            region: aws::region_of(&config),
            profile: e.profile.clone().or_else(|| global.profile.clone()),
        };
        configs.entry(key.clone()).or_insert(config);
        keys.insert(id, key);
    }
    let key_of = |e: &FleetEntry| keys[&(e.region.clone(), e.profile.clone())].clone();

    // Confirm every service, 10 per DescribeServices call.
    let limit = Arc::new(Semaphore::new(READ_CONCURRENCY));
    let mut batches: BTreeMap<(ClientKey, String), Vec<String>> = BTreeMap::new();
    for e in &fleet.entries {
        batches
            .entry((key_of(e), e.cluster.clone()))
            .or_default()
            .push(e.service.clone());
    }
    let mut tasks = JoinSet::new();
    for ((key, cluster), services) in batches {
        for chunk in services.chunks(10) {
            let client = aws_sdk_ecs::Client::new(&configs[&key]);
            let (key, cluster, chunk, limit) =
                (key.clone(), cluster.clone(), chunk.to_vec(), limit.clone());
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                let names: Vec<&str> = chunk.iter().map(String::as_str).collect();
                let result = aws::ecs::describe(&client, &cluster, &names).await;
                (key, cluster, result)
            });
        }
    }
    let mut live: HashMap<(ClientKey, String, String), ServiceInfo> = HashMap::new();
    let mut missing_clusters = BTreeSet::new();
    while let Some(joined) = tasks.join_next().await {
        let (key, cluster, result) = joined?;
        match result {
            Ok((found, _)) => {
                for info in found.into_iter().filter(|i| i.status == "ACTIVE") {
                    live.insert((key.clone(), cluster.clone(), info.name.clone()), info);
                }
            }
            Err(e) if crate::exit::status_for(&e) == ExitStatus::Invalid => {
                missing_clusters.insert((key, cluster));
            }
            Err(e) => return Err(e),
        }
    }
    let mut problems = Vec::new();
    for e in &fleet.entries {
        let key = key_of(e);
        if missing_clusters.contains(&(key.clone(), e.cluster.clone())) {
            problems.push(format!(
                "{label}:{}:{}: cluster '{}' was not found in {key}",
                e.location.line, e.location.column, e.cluster
            ));
        } else if !live.contains_key(&(key.clone(), e.cluster.clone(), e.service.clone())) {
            problems.push(format!(
                "{label}:{}:{}: service '{}' was not found, or is not ACTIVE, in cluster '{}' ({key})",
                e.location.line, e.location.column, e.service, e.cluster
            ));
        }
    }
    if !problems.is_empty() {
        return Err(InvalidInput(problems.join("\n")).into());
    }

    // Read what exists in the file's groups.
    let clients: BTreeMap<ClientKey, aws_sdk_scheduler::Client> = configs
        .iter()
        .map(|(k, c)| (k.clone(), aws_sdk_scheduler::Client::new(c)))
        .collect();
    let groups: BTreeSet<(ClientKey, String)> = fleet
        .entries
        .iter()
        .map(|e| (key_of(e), e.group.clone()))
        .collect();
    let mut reads = JoinSet::new();
    for (key, group) in groups {
        let client = clients[&key].clone();
        reads.spawn(async move {
            let listed = managed(&client, &group, None).await;
            (key, listed)
        });
    }
    let mut existing: Vec<(ClientKey, Schedule)> = Vec::new();
    while let Some(joined) = reads.join_next().await {
        let (key, listed) = joined?;
        existing.extend(listed?.into_iter().map(|l| (key.clone(), l.schedule)));
    }
    printer.detail(&format!(
        "{} services through {} client(s); {} managed schedules exist in the file's groups",
        fleet.entries.len(),
        clients.len(),
        existing.len()
    ));
    let existing_on_count: HashMap<(&ClientKey, &str, &str), i64> = existing
        .iter()
        .filter_map(|(k, s)| {
            plan::parse_input(&s.input)
                .map(|i| ((k, s.group.as_str(), s.name.as_str()), i.desired_count))
        })
        .collect();

    // What the file asks for.
    let now = jiff::Timestamp::now();
    let mut checked = HashSet::new();
    let mut desired = Vec::new();
    for e in &fleet.entries {
        let key = key_of(e);
        let info = &live[&(key.clone(), e.cluster.clone(), e.service.clone())];
        if let Some(w) = checks::ec2_cost(&info.capacity) {
            printer.warn(&format!("{}/{}: {w}", e.cluster, e.service));
        }
        if checked.insert((
            e.on.to_string(),
            e.off.to_string(),
            e.zone.name().to_string(),
        )) {
            for w in checks::pair(&e.on, &e.off, &e.zone, now) {
                printer.warn(&format!("{label}:{}: {w}", e.location.line));
            }
        }
        let on_name = naming::schedule_name(&e.cluster, &e.service, Switch::On);
        let existing = existing_on_count
            .get(&(&key, e.group.as_str(), on_name.as_str()))
            .copied();
        let (on_count, _) =
            plan::on_count(e.on_count, Some(i64::from(info.desired_count)), existing);
        let partition = crate::arn::partition(&key.region);
        for (switch, count, expression) in [
            (Switch::On, on_count, &e.on),
            (Switch::Off, e.off_count, &e.off),
        ] {
            let schedule = plan::desired(&ScheduleRequest {
                cluster: &e.cluster,
                service: &e.service,
                switch,
                expression,
                zone: &e.zone,
                desired_count: count,
                group: &e.group,
                role_arn: &e.role_arn,
                state: e.state,
                dead_letter_arn: None,
                start_date: None,
                end_date: None,
                partition,
            });
            desired.push((key.clone(), schedule));
        }
    }
    Ok(Prepared {
        plan: plan::plan_fleet(desired, &existing, prune),
        clients,
    })
}

fn summary_line(t: &Tally) -> String {
    format!(
        "Plan: {} to create, {} to update, {} to delete, {} unchanged.",
        t.create, t.update, t.delete, t.unchanged
    )
}

/// The plan for people: each change with its fields, then a summary.
fn plan_text(plan: &[Planned], verbose: bool) -> String {
    let mut text = String::new();
    for p in plan {
        let s = &p.schedule;
        let (sign, count) = (
            match p.action {
                FleetAction::Create => "+",
                FleetAction::Update(_) => "~",
                FleetAction::Delete => "-",
                FleetAction::Unchanged => " ",
            },
            plan::parse_input(&s.input).map_or("?".to_string(), |i| i.desired_count.to_string()),
        );
        if p.action == FleetAction::Unchanged && !verbose {
            continue;
        }
        text.push_str(&format!(
            "{sign} {:<9} {}/{}  [{}]  {}  {}  desiredCount {count}\n",
            p.action.verb(),
            s.group,
            s.name,
            p.key,
            s.expression,
            s.timezone
        ));
        if let FleetAction::Update(fields) = &p.action {
            for c in fields {
                text.push_str(&format!("      {}: {} -> {}\n", c.field, c.old, c.new));
            }
        }
    }
    text.push_str(&summary_line(&Tally::of(plan)));
    text.push('\n');
    text
}

fn action_json(p: &Planned) -> serde_json::Value {
    let input = plan::parse_input(&p.schedule.input);
    json!({
        "action": p.action.verb(),
        "name": p.schedule.name,
        "group": p.schedule.group,
        "region": p.key.region,
        "profile": p.key.profile,
        "cluster": input.as_ref().map(|i| i.cluster.clone()),
        "service": input.as_ref().map(|i| i.service.clone()),
        "desired_count": input.as_ref().map(|i| i.desired_count),
        "expression": p.schedule.expression,
        "timezone": p.schedule.timezone,
        "changes": match &p.action {
            FleetAction::Update(fields) => fields.iter().map(|c| json!({"field": c.field, "old": c.old, "new": c.new})).collect(),
            _ => Vec::new(),
        },
    })
}

fn tally_json(t: &Tally) -> serde_json::Value {
    json!({"create": t.create, "update": t.update, "delete": t.delete, "unchanged": t.unchanged})
}

pub async fn plan(
    args: &PlanArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let prepared = prepare(&args.file, args.prune, global, printer).await?;
    let tally = Tally::of(&prepared.plan);
    if printer.is_json() {
        printer.json(&json!({
            "actions": prepared.plan.iter().map(action_json).collect::<Vec<_>>(),
            "summary": tally_json(&tally),
        }));
    } else {
        printer.data(&plan_text(&prepared.plan, printer.is_verbose()));
    }
    Ok(if args.detailed_exitcode && tally.changes() > 0 {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}

/// Asks on the terminal; without one, refuses.
fn confirm(changes: usize) -> anyhow::Result<bool> {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(InvalidInput(
            "apply writes only with --yes when it cannot ask on a terminal; review the plan, then \
             run again with --yes"
                .into(),
        )
        .into());
    }
    eprint!("Apply {changes} change(s)? Type 'yes' to continue: ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .context("read the answer")?;
    Ok(matches!(answer.trim(), "yes" | "y"))
}

/// One write that failed.
struct Failure {
    planned: Planned,
    error: String,
}

async fn write(client: &aws_sdk_scheduler::Client, p: &Planned) -> anyhow::Result<()> {
    match p.action {
        FleetAction::Create => scheduler::create(client, &p.schedule).await,
        FleetAction::Update(_) => scheduler::update(client, &p.schedule).await,
        FleetAction::Delete => scheduler::delete(client, &p.schedule.group, &p.schedule.name)
            .await
            .map(|_| ()),
        FleetAction::Unchanged => Ok(()),
    }
}

pub async fn apply(
    args: &ApplyArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let started = Instant::now();
    let prepared = prepare(&args.file, args.prune, global, printer).await?;
    let tally = Tally::of(&prepared.plan);
    if !printer.is_json() {
        printer.data(&plan_text(&prepared.plan, printer.is_verbose()));
    }
    if tally.changes() > 0 && !args.yes && !confirm(tally.changes())? {
        printer.note("cancelled: nothing was written");
        return Ok(ExitStatus::Failure);
    }

    // Groups first: looked up, and created only when missing.
    let mut failures = Vec::new();
    let needed: BTreeSet<(ClientKey, String)> = prepared
        .plan
        .iter()
        .filter(|p| p.action == FleetAction::Create)
        .map(|p| (p.key.clone(), p.schedule.group.clone()))
        .collect();
    let mut failed_groups = BTreeSet::new();
    for (key, group) in &needed {
        let client = &prepared.clients[key];
        let result = async {
            if !scheduler::group_exists(client, group).await? {
                scheduler::create_group(client, group).await?;
                printer.note(&format!(
                    "created schedule group '{group}' in {key} (tagged managed-by=ecs-onoff)"
                ));
            }
            anyhow::Ok(())
        }
        .await;
        if let Err(e) = result {
            printer.warn(&format!("schedule group '{group}' in {key}: {e:#}"));
            failed_groups.insert((key.clone(), group.clone()));
        }
    }

    let changes: Vec<Planned> = prepared
        .plan
        .iter()
        .filter(|p| p.action != FleetAction::Unchanged)
        .cloned()
        .collect();
    let bar = if std::io::stderr().is_terminal() && !printer.is_quiet() && !printer.is_json() {
        indicatif::ProgressBar::new(changes.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let limit = Arc::new(Semaphore::new(args.concurrency as usize));
    let pacers: BTreeMap<ClientKey, Arc<Pacer>> = prepared
        .clients
        .keys()
        .map(|k| (k.clone(), Arc::new(Pacer::new(REQUESTS_PER_SECOND))))
        .collect();
    let mut tasks = JoinSet::new();
    for p in changes {
        if failed_groups.contains(&(p.key.clone(), p.schedule.group.clone()))
            && p.action == FleetAction::Create
        {
            failures.push(Failure {
                error: format!("schedule group '{}' could not be created", p.schedule.group),
                planned: p,
            });
            continue;
        }
        let client = prepared.clients[&p.key].clone();
        let (limit, pacer) = (limit.clone(), pacers[&p.key].clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            pacer.wait().await;
            let result = write(&client, &p).await;
            (p, result)
        });
    }
    let mut done = Tally::default();
    while let Some(joined) = tasks.join_next().await {
        let (p, result) = joined?;
        bar.inc(1);
        match result {
            Ok(()) => match p.action {
                FleetAction::Create => done.create += 1,
                FleetAction::Update(_) => done.update += 1,
                FleetAction::Delete => done.delete += 1,
                FleetAction::Unchanged => {}
            },
            Err(e) => failures.push(Failure {
                error: format!("{e:#}"),
                planned: p,
            }),
        }
    }
    bar.finish_and_clear();
    done.unchanged = tally.unchanged;
    failures.sort_by(|a, b| a.planned.schedule.name.cmp(&b.planned.schedule.name));
    let elapsed = started.elapsed().as_secs_f64();

    if printer.is_json() {
        printer.json(&json!({
            "actions": prepared.plan.iter().map(action_json).collect::<Vec<_>>(),
            "summary": {
                "created": done.create,
                "updated": done.update,
                "deleted": done.delete,
                "unchanged": done.unchanged,
                "failed": failures.len(),
                "elapsed_seconds": (elapsed * 1000.0).round() / 1000.0,
            },
            "failures": failures.iter().map(|f| json!({
                "action": f.planned.action.verb(),
                "name": f.planned.schedule.name,
                "group": f.planned.schedule.group,
                "region": f.planned.key.region,
                "error": f.error,
            })).collect::<Vec<_>>(),
        }));
    } else {
        let mut text = String::new();
        for f in &failures {
            text.push_str(&format!(
                "failed  {} {}/{} [{}]: {}\n",
                f.planned.action.verb(),
                f.planned.schedule.group,
                f.planned.schedule.name,
                f.planned.key,
                f.error
            ));
        }
        text.push_str(&format!(
            "Apply: {} created, {} updated, {} deleted, {} unchanged, {} failed in {elapsed:.1} s\n",
            done.create,
            done.update,
            done.delete,
            done.unchanged,
            failures.len()
        ));
        printer.data(&text);
    }
    if failures.is_empty() {
        Ok(ExitStatus::Success)
    } else {
        printer.warn(&format!(
            "{} write(s) failed; running apply again retries them",
            failures.len()
        ));
        Ok(ExitStatus::Failure)
    }
}
