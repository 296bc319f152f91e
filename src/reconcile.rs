//! The edge of the one pipeline that every writing command (`schedule`, `unschedule`, `plan`,
//! `apply`) runs: resolve each request's connection, read the live state (services, scalable
//! targets, existing schedules), and, after the pure [`crate::plan::plan`], carry the plan out.
//! Requests run concurrently, bounded, and paced per account and Region.

use crate::aws::{self, autoscaling, ecs, scheduler, AwsError, Clients, Connections, ErrorKind};
use crate::exit::ExitStatus;
use crate::exit::InvalidInput;
use crate::iam::RoleRead;
use crate::interrupt::{self, Signal, Stop};
use crate::naming::Switch;
use crate::output::Printer;
use crate::plan::{Action, LiveService, Observed, Plan, Prune, Scaling, ServiceSlot, Step, Unit};
use crate::report::ApplyReport;
use crate::schedule::{Schedule, ServiceId};
use crate::spec::{ClientKey, Connection, ServiceRequest, ServiceSpec};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

/// Requests per second per account and Region: below the lowest documented Scheduler quota
/// (250 TPS for CreateSchedule outside the largest Regions).
pub const REQUESTS_PER_SECOND: u32 = 200;
/// Requests in flight at once, unless `--concurrency` says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 16;

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

/// The connections of a run with their pacing: a request runs once it has one of the shared
/// slots and its account and Region's pacer lets it start.
pub struct Lanes {
    pub connections: Connections,
    slots: Arc<Semaphore>,
    pacers: HashMap<ClientKey, Arc<Pacer>>,
}

impl Lanes {
    /// Opens every connection named.
    pub async fn open<'a>(
        settings: &aws::Settings,
        wanted: impl IntoIterator<Item = &'a Connection>,
        concurrency: usize,
    ) -> anyhow::Result<Lanes> {
        let connections = Connections::open(settings, wanted).await?;
        let pacers = connections
            .keys()
            .map(|k| (k.clone(), Arc::new(Pacer::new(REQUESTS_PER_SECOND))))
            .collect();
        Ok(Lanes {
            connections,
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            pacers,
        })
    }

    /// The lanes of one client, from the global flags alone (`--region`, `--profile`), and its
    /// key: what the commands that address one Region use.
    pub async fn open_flags(settings: &aws::Settings) -> anyhow::Result<(Lanes, ClientKey)> {
        let connection = Connection::default();
        let lanes = Lanes::open(settings, [&connection], DEFAULT_CONCURRENCY).await?;
        let key = lanes.connections.key(&connection).clone();
        Ok((lanes, key))
    }

    /// Each spec with its connection resolved and its schedules compiled from `now`; every
    /// spec that cannot be compiled is named (invalid input).
    pub fn requests(
        &self,
        specs: Vec<ServiceSpec>,
        now: jiff::Timestamp,
    ) -> Result<Vec<ServiceRequest>, InvalidInput> {
        let mut problems = Vec::new();
        let mut out = Vec::with_capacity(specs.len());
        for spec in specs {
            if let Some(o) = spec
                .override_
                .as_ref()
                .filter(|o| o.until > now + crate::overrides::DEFAULT_MAX)
            {
                problems.push(format!(
                    "{}: the override until {} ends more than {} ahead",
                    spec.label(),
                    o.until,
                    crate::overrides::duration_text(crate::overrides::DEFAULT_MAX)
                ));
                continue;
            }
            match spec.compile(now) {
                Ok(compiled) => out.push(ServiceRequest {
                    key: self.connections.key(&spec.connection).clone(),
                    spec,
                    compiled,
                }),
                Err(e) => problems.push(e),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(InvalidInput::new(problems.join("\n")))
        }
    }

    pub fn clients(&self, key: &ClientKey) -> &Clients {
        self.connections.clients(key)
    }

    /// Runs `job` once a slot is free and the pacer of `key` admits it.
    fn spawn<T, F>(&self, tasks: &mut JoinSet<T>, key: &ClientKey, job: F)
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let slots = self.slots.clone();
        let pacer = self.pacers[key].clone();
        tasks.spawn(async move {
            let _slot: OwnedSemaphorePermit = slots
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            pacer.wait().await;
            job.await
        });
    }
}

/// Waits for every task; a task that panicked is a bug, reported as such.
async fn join_all<T: 'static>(mut tasks: JoinSet<T>) -> anyhow::Result<Vec<T>> {
    let mut out = Vec::with_capacity(tasks.len());
    while let Some(joined) = tasks.join_next().await {
        out.push(joined?);
    }
    Ok(out)
}

/// Reads what planning needs. With `verify`, every requested service must exist and be ACTIVE:
/// otherwise the error names each one that is not (invalid input, nothing written).
pub async fn read(
    lanes: &Lanes,
    requests: &[ServiceRequest],
    prune: &Prune,
    verify: bool,
) -> anyhow::Result<Observed> {
    let services = if verify {
        describe(lanes, requests).await?
    } else {
        HashMap::new()
    };
    let mut existing = match prune {
        Prune::Groups => read_groups(lanes, requests).await?,
        _ => read_by_name(lanes, requests, prune).await?,
    };
    if !matches!(prune, Prune::Services(_)) {
        existing.extend(read_elsewhere(lanes, requests).await?);
    }
    let adopted: BTreeSet<(ClientKey, String, String)> = requests
        .iter()
        .flat_map(|r| {
            r.spec
                .adopt
                .iter()
                .map(|a| (r.key.clone(), a.group.to_string(), a.name.clone()))
        })
        .filter(|(k, g, n)| {
            !existing
                .iter()
                .any(|(key, s)| key == k && &s.group == g && &s.name == n)
        })
        .collect();
    existing.extend(get_all(lanes, adopted).await?);
    let roles = if verify {
        read_roles(lanes, requests).await
    } else {
        HashMap::new()
    };
    Ok(Observed {
        services,
        existing,
        roles,
    })
}

type Services = HashMap<(ClientKey, ServiceId), LiveService>;

/// Reads each distinct execution role of the requests (IAM is global: once per role and
/// account). A role that cannot be read is noted, not an error.
async fn read_roles(
    lanes: &Lanes,
    requests: &[ServiceRequest],
) -> HashMap<(ClientKey, String), RoleRead> {
    let mut read: HashMap<String, RoleRead> = HashMap::new();
    let mut out = HashMap::new();
    for r in requests {
        let Some(role) = &r.spec.role_arn else {
            continue;
        };
        if !read.contains_key(role.as_str()) {
            let client = aws_sdk_iam::Client::new(&lanes.clients(&r.key).config);
            let name = role.as_str().rsplit('/').next().unwrap_or_default();
            let result = match aws::iam::role_documents(&client, name).await {
                Ok(Some(docs)) => RoleRead::Read(docs),
                Ok(None) => RoleRead::Missing,
                Err(e) if e.kind == ErrorKind::AccessDenied => RoleRead::Unchecked(format!(
                    "no permission to read it ({}; ecs-onoff iam operator-policy lists the \
                     iam:Get* and iam:List* actions needed)",
                    e.code
                )),
                Err(e) => RoleRead::Unchecked(e.to_string()),
            };
            read.insert(role.to_string(), result);
        }
        out.insert(
            (r.key.clone(), role.to_string()),
            read[role.as_str()].clone(),
        );
    }
    out
}

/// DescribeServices, 10 services a call, then each found service's scalable targets.
async fn describe(lanes: &Lanes, requests: &[ServiceRequest]) -> anyhow::Result<Services> {
    let mut batches: BTreeMap<(ClientKey, &str), Vec<String>> = BTreeMap::new();
    for r in requests {
        batches
            .entry((r.key.clone(), r.spec.id.cluster.as_str()))
            .or_default()
            .push(r.spec.id.service.to_string());
    }
    let mut tasks = JoinSet::new();
    for ((key, cluster), names) in batches {
        for chunk in names.chunks(ecs::DESCRIBE_BATCH) {
            let client = lanes.clients(&key).ecs.clone();
            let (k, cluster, chunk) = (key.clone(), cluster.to_string(), chunk.to_vec());
            lanes.spawn(&mut tasks, &key, async move {
                let names: Vec<&str> = chunk.iter().map(String::as_str).collect();
                let result = ecs::describe(&client, &cluster, &names).await;
                (k, cluster, result)
            });
        }
    }
    let mut found: HashMap<(ClientKey, String, String), ecs::ServiceInfo> = HashMap::new();
    let mut missing_clusters = HashSet::new();
    for (key, cluster, result) in join_all(tasks).await? {
        match result? {
            None => {
                missing_clusters.insert((key, cluster));
            }
            Some(infos) => {
                for info in infos.into_iter().filter(|i| i.status == "ACTIVE") {
                    found.insert((key.clone(), cluster.clone(), info.name.clone()), info);
                }
            }
        }
    }
    let mut problems = Vec::new();
    let mut services = Services::new();
    for r in requests {
        let (key, id) = (&r.key, &r.spec.id);
        let slot = (key.clone(), id.cluster.to_string(), id.service.to_string());
        if missing_clusters.contains(&(key.clone(), id.cluster.to_string())) {
            problems.push(format!(
                "{}: cluster '{}' was not found in {key}",
                r.spec.label(),
                id.cluster
            ));
        } else if let Some(info) = found.remove(&slot) {
            if info.daemon {
                problems.push(format!(
                    "{}: service '{}' in cluster '{}' uses the DAEMON scheduling strategy: ECS \
                     refuses a desiredCount for it (it runs one task on each container instance), \
                     so an on/off schedule would fail at every fire; turn it off by scaling the \
                     cluster's container instances (its Auto Scaling group) instead",
                    r.spec.label(),
                    id.service,
                    id.cluster
                ));
                continue;
            }
            services.insert((key.clone(), id.clone()), live(info));
        } else {
            problems.push(format!(
                "{}: service '{}' was not found, or is not ACTIVE, in cluster '{}' ({key})",
                r.spec.label(),
                id.service,
                id.cluster
            ));
        }
    }
    if !problems.is_empty() {
        return Err(InvalidInput::new(problems.join("\n")).into());
    }
    read_scaling(lanes, &mut services).await?;
    Ok(services)
}

fn live(info: ecs::ServiceInfo) -> LiveService {
    LiveService {
        arn: info.arn,
        status: info.status,
        desired_count: info.desired_count,
        running_count: info.running_count,
        capacity: info.capacity,
        scaling: Scaling::Targets(Vec::new()),
    }
}

/// Fills in each service's Application Auto Scaling targets, 50 services a call. A failure to
/// read them is kept with the service (planning warns), not an error.
async fn read_scaling(lanes: &Lanes, services: &mut Services) -> anyhow::Result<()> {
    let mut by_key: BTreeMap<ClientKey, Vec<String>> = BTreeMap::new();
    for (key, id) in services.keys() {
        by_key
            .entry(key.clone())
            .or_default()
            .push(autoscaling::resource_id(&id.cluster, &id.service));
    }
    let mut tasks = JoinSet::new();
    for (key, ids) in by_key {
        for chunk in ids.chunks(autoscaling::DESCRIBE_BATCH) {
            let client = lanes.clients(&key).autoscaling.clone();
            let (k, chunk) = (key.clone(), chunk.to_vec());
            lanes.spawn(&mut tasks, &key, async move {
                let result = autoscaling::bounds(&client, &chunk).await;
                (k, chunk, result)
            });
        }
    }
    for (key, ids, result) in join_all(tasks).await? {
        for ((k, id), service) in services.iter_mut() {
            let rid = autoscaling::resource_id(&id.cluster, &id.service);
            if *k != key || !ids.contains(&rid) {
                continue;
            }
            service.scaling = match &result {
                Ok(targets) => Scaling::Targets(targets.get(&rid).cloned().unwrap_or_default()),
                Err(e) => Scaling::Unread(e.to_string()),
            };
        }
    }
    Ok(())
}

/// Every schedule of the requested services in their groups, and of the services `prune`
/// removes: their names from ListSchedules, then GetSchedule for each.
async fn read_by_name(
    lanes: &Lanes,
    requests: &[ServiceRequest],
    prune: &Prune,
) -> anyhow::Result<Vec<(ClientKey, Schedule)>> {
    let mut services: BTreeMap<(ClientKey, String), BTreeSet<ServiceId>> = BTreeMap::new();
    for r in requests {
        services
            .entry((r.key.clone(), r.spec.group.to_string()))
            .or_default()
            .insert(r.spec.id.clone());
    }
    if let Prune::Services(slots) = prune {
        for ServiceSlot { key, group, id } in slots {
            services
                .entry((key.clone(), group.to_string()))
                .or_default()
                .insert(id.clone());
        }
    }
    let wanted = names_of(lanes, services).await?;
    get_all(lanes, wanted).await
}

/// From this many services in one group on, [`names_of`] lists the whole group once instead of
/// each service's names.
const LIST_GROUP_FROM: usize = 10;

/// The names of the given services' schedules in each group: ListSchedules by each service's
/// name prefixes (or of the whole group, for many services), keeping the names that are a
/// service's own under the naming rule (a service has one schedule per on and off time, and
/// one per segment of a calendar, so its names are found, not guessed).
async fn names_of(
    lanes: &Lanes,
    services: BTreeMap<(ClientKey, String), BTreeSet<ServiceId>>,
) -> anyhow::Result<BTreeSet<(ClientKey, String, String)>> {
    let mut tasks = JoinSet::new();
    let mut owners: HashMap<(ClientKey, String), HashMap<String, ServiceId>> = HashMap::new();
    for ((key, group), ids) in services {
        let stems: HashMap<String, ServiceId> = ids
            .iter()
            .flat_map(|id| id.stems().into_iter().map(move |stem| (stem, id.clone())))
            .collect();
        let prefixes: Vec<Option<String>> = if ids.len() >= LIST_GROUP_FROM {
            vec![None]
        } else {
            stems.keys().cloned().map(Some).collect()
        };
        for prefix in prefixes {
            let client = lanes.clients(&key).scheduler.clone();
            let (k, g) = (key.clone(), group.clone());
            lanes.spawn(&mut tasks, &key, async move {
                let listed = scheduler::list(&client, &g, prefix.as_deref()).await;
                (k, g, listed)
            });
        }
        owners.insert((key, group), stems);
    }
    let mut out = BTreeSet::new();
    for (key, group, listed) in join_all(tasks).await? {
        let stems = &owners[&(key.clone(), group.clone())];
        for summary in listed? {
            if belongs(&summary.name, stems) {
                out.insert((key.clone(), group.clone(), summary.name));
            }
        }
    }
    Ok(out)
}

/// Whether a schedule name is, under the naming rule, the name of one of the services whose
/// name stems are given.
fn belongs(name: &str, stems: &HashMap<String, ServiceId>) -> bool {
    let Some(parsed) = crate::naming::parse_schedule_name(name) else {
        return false;
    };
    let Some(dot) = name.rfind('.') else {
        return false;
    };
    stems
        .get(&name[..=dot])
        .is_some_and(|id| match parsed.part {
            crate::naming::Part::Slot(slot) => id.schedule_name(slot) == name,
            crate::naming::Part::Override => id.override_name() == name,
            crate::naming::Part::Notify(i) => id.notify_name(i) == name,
        })
}

/// The time zone of a service's existing schedules in a group (its first on schedule's, else
/// its off schedule's), if it has any in a zone this tool knows.
pub async fn existing_zone(
    lanes: &Lanes,
    key: &ClientKey,
    group: &crate::naming::GroupName,
    id: &ServiceId,
) -> anyhow::Result<Option<crate::expression::timezone::Zone>> {
    let mut read = service_schedules(lanes, key, group, id).await?;
    read.retain(|s| s.owner().is_some());
    Ok(read
        .iter()
        .find_map(|s| crate::expression::timezone::Zone::parse(&s.timezone).ok()))
}

/// Every schedule of one service in a group, in slot order (its override's end schedule, if
/// any, first).
pub async fn service_schedules(
    lanes: &Lanes,
    key: &ClientKey,
    group: &crate::naming::GroupName,
    id: &ServiceId,
) -> anyhow::Result<Vec<Schedule>> {
    let services = BTreeMap::from([(
        (key.clone(), group.to_string()),
        BTreeSet::from([id.clone()]),
    )]);
    let wanted = names_of(lanes, services).await?;
    let mut read: Vec<Schedule> = get_all(lanes, wanted)
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .filter(|s| {
            s.owner().is_some_and(|o| o.0 == id)
                || s.override_of() == Some(id)
                || s.notify_of().as_ref() == Some(id)
        })
        .collect();
    read.sort_by(|a, b| a.owner().map(|o| o.1).cmp(&b.owner().map(|o| o.1)));
    Ok(read)
}

async fn get_all(
    lanes: &Lanes,
    wanted: BTreeSet<(ClientKey, String, String)>,
) -> anyhow::Result<Vec<(ClientKey, Schedule)>> {
    let mut tasks = JoinSet::new();
    for (key, group, name) in wanted {
        let client = lanes.clients(&key).scheduler.clone();
        let k = key.clone();
        lanes.spawn(&mut tasks, &key, async move {
            (k, scheduler::get(&client, &group, &name).await)
        });
    }
    let mut out = Vec::new();
    for (key, got) in join_all(tasks).await? {
        if let Some(schedule) = got? {
            out.push((key, schedule));
        }
    }
    Ok(out)
}

/// The requested services' schedules in the other groups tagged `managed-by=ecs-onoff`: a
/// service whose group changed has its schedules there, and a schedule cannot change group.
async fn read_elsewhere(
    lanes: &Lanes,
    requests: &[ServiceRequest],
) -> anyhow::Result<Vec<(ClientKey, Schedule)>> {
    let mut wanted = BTreeSet::new();
    let keys: BTreeSet<&ClientKey> = requests.iter().map(|r| &r.key).collect();
    for key in keys {
        let clients = lanes.clients(key);
        for group in scheduler::managed_groups(&clients.scheduler).await? {
            let stems: HashMap<String, ServiceId> = requests
                .iter()
                .filter(|r| &r.key == key && r.spec.group.as_str() != group)
                .flat_map(|r| {
                    r.spec
                        .id
                        .stems()
                        .into_iter()
                        .map(|stem| (stem, r.spec.id.clone()))
                })
                .collect();
            if stems.is_empty() {
                continue;
            }
            for summary in scheduler::list(&clients.scheduler, &group, None).await? {
                if could_be_managed(&summary) && belongs(&summary.name, &stems) {
                    wanted.insert((key.clone(), group.clone(), summary.name));
                }
            }
        }
    }
    let mut read = get_all(lanes, wanted).await?;
    read.retain(|(_, s)| s.owner().is_some());
    Ok(read)
}

/// Every managed schedule in the requests' groups.
async fn read_groups(
    lanes: &Lanes,
    requests: &[ServiceRequest],
) -> anyhow::Result<Vec<(ClientKey, Schedule)>> {
    let groups = requests
        .iter()
        .map(|r| (r.key.clone(), r.spec.group.to_string()))
        .collect();
    managed(lanes, groups).await
}

/// Whether a listed schedule could be a capacity schedule or hold end (target and name).
fn could_be_capacity(s: &scheduler::Summary) -> bool {
    s.target_arn
        .as_deref()
        .is_some_and(crate::schedule::is_update_group_target)
        && crate::capacity::is_capacity_name(&s.name)
}

/// Whether a listed schedule could be any of ecs-onoff's (naming rule and target), without
/// reading it.
fn could_be_managed(s: &scheduler::Summary) -> bool {
    s.target_arn.as_deref().is_some_and(|t| {
        crate::schedule::is_update_service_target(t)
            || crate::schedule::is_register_target(t)
            || t.ends_with(crate::arn::PUBLISH_TARGET_SUFFIX)
    }) && crate::naming::parse_schedule_name(&s.name).is_some()
        || could_be_capacity(s)
}

/// The schedules of the given groups that `listed` picks from ListSchedules, read with
/// GetSchedule, keeping those `kept` accepts. Sorted by client, group and name.
async fn read_listed(
    lanes: &Lanes,
    groups: BTreeSet<(ClientKey, String)>,
    listed: fn(&scheduler::Summary) -> bool,
    kept: fn(&Schedule) -> bool,
) -> anyhow::Result<Vec<(ClientKey, Schedule)>> {
    let mut wanted = BTreeSet::new();
    for (key, group) in groups {
        for summary in scheduler::list(&lanes.clients(&key).scheduler, &group, None).await? {
            if listed(&summary) {
                wanted.insert((key.clone(), group.clone(), summary.name));
            }
        }
    }
    let mut read = get_all(lanes, wanted).await?;
    read.retain(|(_, s)| kept(s));
    read.sort_by(|a, b| (&a.0, &a.1.group, &a.1.name).cmp(&(&b.0, &b.1.group, &b.1.name)));
    Ok(read)
}

/// Every managed schedule in the given groups: ListSchedules, then GetSchedule for each name
/// that could be ecs-onoff's, keeping those whose name, target and Input agree. Sorted by
/// client, group and name.
pub async fn managed(
    lanes: &Lanes,
    groups: BTreeSet<(ClientKey, String)>,
) -> anyhow::Result<Vec<(ClientKey, Schedule)>> {
    read_listed(lanes, groups, could_be_managed, |s| {
        s.owner().is_some()
            || s.override_of().is_some()
            || s.notify_of().is_some()
            || is_capacity(s)
    })
    .await
}

/// A capacity schedule or a group hold's end of ecs-onoff's.
fn is_capacity(s: &Schedule) -> bool {
    s.capacity_owner().is_some() || s.capacity_override_of().is_some()
}

/// Every schedule of the given groups that calls ECS UpdateService, Application Auto Scaling
/// RegisterScalableTarget, EC2 Auto Scaling UpdateAutoScalingGroup or SNS Publish (read with GetSchedule, paced), and the group, name and
/// target of every other schedule.
pub async fn group_schedules(
    lanes: &Lanes,
    key: &ClientKey,
    groups: &[String],
) -> anyhow::Result<(Vec<Schedule>, Vec<(String, String)>)> {
    let clients = lanes.clients(key);
    let mut wanted = BTreeSet::new();
    let mut others = Vec::new();
    for group in groups {
        for summary in scheduler::list(&clients.scheduler, group, None).await? {
            let target = summary.target_arn.unwrap_or_default();
            if crate::schedule::is_update_service_target(&target)
                || crate::schedule::is_register_target(&target)
                || crate::schedule::is_update_group_target(&target)
                || target.ends_with(crate::arn::PUBLISH_TARGET_SUFFIX)
            {
                wanted.insert((key.clone(), group.clone(), summary.name));
            } else {
                others.push((format!("{group}/{}", summary.name), target));
            }
        }
    }
    let read = get_all(lanes, wanted).await?;
    let mut schedules: Vec<Schedule> = read.into_iter().map(|(_, s)| s).collect();
    schedules.sort_by(|a, b| (&a.group, &a.name).cmp(&(&b.group, &b.name)));
    Ok((schedules, others))
}

/// A write that failed, with AWS's error code.
#[derive(Debug, Clone)]
pub struct Failure {
    pub code: String,
    pub message: String,
}

impl From<&AwsError> for Failure {
    fn from(e: &AwsError) -> Failure {
        Failure {
            code: e.code.clone(),
            message: e.to_string(),
        }
    }
}

/// What carrying out a plan did: for each step of the plan (same index), `Ok` when done (or
/// nothing to do), else why not.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub results: Vec<Result<(), Failure>>,
    pub groups_created: Vec<(ClientKey, String)>,
    /// The signal that stopped the run early, if one did.
    pub stopped_by: Option<Signal>,
}

/// The order of writes. A service is never left with an off schedule and no on schedule, and
/// never loses an on time through a run that fails midway: new on schedules (segments) are
/// created first, then existing on schedules updated, then the others (off, heads-up, override
/// end) written; deletes remove off schedules before on schedules.
fn phase(step: &Step) -> usize {
    let switch = step.unit().map(|o| o.1.switch);
    if step.adopted_by().is_some() {
        return PHASES;
    }
    match (&step.action, switch) {
        (Action::Unchanged, _) => 0,
        (Action::Create, Some(Switch::On)) => 1,
        (Action::Update(_), Some(Switch::On)) => 2,
        (Action::Create | Action::Update(_), _) => 3,
        (Action::Delete, Some(Switch::On)) => 5,
        (Action::Delete, _) => 4,
    }
}

/// The last phase of [`phase`].
const PHASES: usize = 5;

/// The steps whose failure stops this one: an off create, and an on update (a segment that
/// shrinks), wait for the service's on creates; an on delete waits for its off deletes and for
/// the service's on creates and updates (what replaces it); a delete in the group a service
/// moved from waits for the create in its new group.
fn depends_on(plan: &Plan, by_service: &ByService, index: usize) -> Vec<usize> {
    let step = &plan.steps[index];
    if let Some(id) = step.adopted_by() {
        // An adopted schedule goes once what replaces it is written.
        return by_service
            .get(&(&step.key, Unit::Service(&id)))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .copied()
            .filter(|&i| {
                let other = &plan.steps[i];
                other.key == step.key && matches!(other.action, Action::Create | Action::Update(_))
            })
            .collect();
    }
    let Some((id, slot)) = step.unit() else {
        return Vec::new();
    };
    let theirs = by_service
        .get(&(&step.key, id))
        .map_or(&[][..], Vec::as_slice);
    if step.action == Action::Delete {
        let replacement = theirs.iter().copied().find(|&i| {
            let other = &plan.steps[i];
            other.schedule.group != step.schedule.group
                && other.action == Action::Create
                && other.unit() == Some((id, slot))
        });
        if let Some(r) = replacement {
            return vec![r];
        }
    }
    let needed = |other: &Step| -> bool {
        let Some((other_id, other_slot)) = other.unit() else {
            return false;
        };
        if other.key != step.key || other.schedule.group != step.schedule.group || other_id != id {
            return false;
        }
        match (&step.action, slot.switch) {
            (Action::Create, Switch::Off) | (Action::Update(_), Switch::On) => {
                other.action == Action::Create && other_slot.switch == Switch::On
            }
            (Action::Delete, Switch::On) => match other_slot.switch {
                Switch::Off => other.action == Action::Delete,
                Switch::On => matches!(other.action, Action::Create | Action::Update(_)),
            },
            _ => false,
        }
    };
    theirs
        .iter()
        .copied()
        .filter(|&i| i != index && needed(&plan.steps[i]))
        .collect()
}

/// The steps of each service, by client and service: what [`depends_on`] looks through.
type ByService<'a> = HashMap<(&'a ClientKey, Unit<'a>), Vec<usize>>;

fn by_service(plan: &Plan) -> ByService<'_> {
    let mut out: ByService = HashMap::new();
    for (i, step) in plan.steps.iter().enumerate() {
        if let Some((id, _)) = step.unit() {
            out.entry((&step.key, id)).or_default().push(i);
        }
    }
    out
}

async fn write(
    client: &aws_sdk_scheduler::Client,
    step: &Step,
    started: jiff::Timestamp,
) -> Result<(), AwsError> {
    let s = &step.schedule;
    match step.action {
        Action::Create => match scheduler::create(client, s, s.client_token(started)).await {
            // It exists: made by a concurrent run, or by an earlier attempt of this request
            // whose answer was lost. Ours and equal is what was asked for.
            Err(e) if e.kind == ErrorKind::Conflict => {
                match scheduler::get(client, &s.group, &s.name).await? {
                    Some(existing)
                        if (existing.owner().is_some() || existing.capacity_owner().is_some())
                            && crate::plan::diff(s, Some(&existing)) == Action::Unchanged =>
                    {
                        Ok(())
                    }
                    _ => Err(e),
                }
            }
            other => other,
        },
        Action::Update(_) => scheduler::update(client, s).await,
        Action::Delete => scheduler::delete(client, &s.group, &s.name)
            .await
            .map(|_| ()),
        Action::Unchanged => Ok(()),
    }
}

/// Makes sure every group a create needs exists; returns the ones that could not be made.
async fn ensure_groups(
    lanes: &Lanes,
    plan: &Plan,
    outcome: &mut Outcome,
) -> BTreeMap<(ClientKey, String), Failure> {
    let needed: BTreeSet<(ClientKey, String)> = plan
        .steps
        .iter()
        .filter(|s| s.action == Action::Create)
        .map(|s| (s.key.clone(), s.schedule.group.clone()))
        .collect();
    let mut failed = BTreeMap::new();
    for (key, group) in needed {
        let client = &lanes.clients(&key).scheduler;
        let made = match scheduler::group_exists(client, &group).await {
            Ok(true) => Ok(false),
            Ok(false) => match scheduler::create_group(client, &group).await {
                Ok(()) => Ok(true),
                // Created meanwhile by a concurrent run: it exists, which is all we need.
                Err(e) if e.kind == ErrorKind::Conflict => Ok(false),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        match made {
            Ok(true) => outcome.groups_created.push((key, group)),
            Ok(false) => {}
            Err(e) => {
                failed.insert((key, group), Failure::from(&e));
            }
        }
    }
    failed
}

/// Why a write was not carried out because the run was stopped.
fn stopped(signal: Signal, in_flight: bool) -> Failure {
    let message = if in_flight {
        format!(
            "the run was stopped by {} while this write was in flight; its outcome is unknown \
             (run plan to see)",
            signal.name()
        )
    } else {
        format!(
            "not written: the run was stopped by {} before this write started",
            signal.name()
        )
    };
    Failure {
        code: "Interrupted".into(),
        message,
    }
}

/// Carries out a plan: groups first, then the writes in the safe order (see [`phase`]),
/// concurrently within a phase. Every failure is collected; the rest still complete. Once
/// `stop` is requested no write starts, and writes in flight get [`interrupt::GRACE`].
pub async fn execute(
    lanes: &Lanes,
    plan: &Plan,
    printer: &Printer,
    stop: &Stop,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome {
        results: vec![Ok(()); plan.steps.len()],
        groups_created: Vec::new(),
        stopped_by: None,
    };
    let failed_groups = ensure_groups(lanes, plan, &mut outcome).await;
    for (key, group) in &outcome.groups_created {
        printer.note(&format!(
            "created schedule group '{group}' in {key} (tagged managed-by=ecs-onoff)"
        ));
    }
    let started = jiff::Timestamp::now();
    let progress = printer.progress("writing schedules", plan.tally().changes());
    let mut announced = false;
    let services = by_service(plan);
    for current in 1..=PHASES {
        let mut tasks = JoinSet::new();
        let mut in_flight = BTreeSet::new();
        for (index, step) in plan.steps.iter().enumerate() {
            if phase(step) != current {
                continue;
            }
            let group = (step.key.clone(), step.schedule.group.clone());
            let blocked = match (stop.signal(), failed_groups.get(&group)) {
                (Some(signal), _) => Some(stopped(signal, false)),
                (None, Some(f)) if step.action == Action::Create => Some(Failure {
                    code: f.code.clone(),
                    message: format!(
                        "schedule group '{}' could not be created: {}",
                        step.schedule.group, f.message
                    ),
                }),
                _ => depends_on(plan, &services, index)
                    .into_iter()
                    .find(|&d| outcome.results[d].is_err())
                    .map(|d| Failure {
                        code: "Skipped".into(),
                        message: format!(
                            "not written because {} {} failed",
                            plan.steps[d].action.verb(),
                            plan.steps[d].schedule.name
                        ),
                    }),
            };
            if let Some(failure) = blocked {
                outcome.results[index] = Err(failure);
                progress.inc(1);
                continue;
            }
            let client = lanes.clients(&step.key).scheduler.clone();
            let (step, stop) = (step.clone(), stop.clone());
            lanes.spawn(&mut tasks, &group.0, async move {
                if let Some(signal) = stop.signal() {
                    return (index, Err(stopped(signal, false)));
                }
                let result = write(&client, &step, started).await;
                (index, result.map_err(|e| Failure::from(&e)))
            });
            in_flight.insert(index);
        }
        loop {
            tokio::select! {
                joined = tasks.join_next() => {
                    let Some(joined) = joined else { break };
                    let (index, result) = joined?;
                    in_flight.remove(&index);
                    progress.inc(1);
                    outcome.results[index] = result;
                }
                signal = stop.requested(), if !announced => {
                    announced = true;
                    printer.warn(&format!(
                        "{} received: no new write starts; writes in flight get up to {} s to \
                         finish (press Ctrl-C again to exit at once)",
                        signal.name(),
                        interrupt::GRACE.as_secs()
                    ));
                }
                () = stop.expired() => {
                    tasks.abort_all();
                    let signal = stop.signal().expect("a stop signal arrived");
                    for index in std::mem::take(&mut in_flight) {
                        outcome.results[index] = Err(stopped(signal, true));
                    }
                    break;
                }
            }
        }
    }
    progress.finish_and_clear();
    outcome.stopped_by = stop.signal();
    Ok(outcome)
}

/// Every request's role ARN must be in its Region's partition: checked before any read.
pub fn check_partitions(requests: &[ServiceRequest]) -> Result<(), InvalidInput> {
    let mismatched: Vec<String> = requests
        .iter()
        .filter_map(crate::spec::partition_mismatch)
        .collect();
    if mismatched.is_empty() {
        Ok(())
    } else {
        Err(InvalidInput::new(mismatched.join("\n")))
    }
}

/// The capacity schedules and hold ends in the given groups: ListSchedules, then GetSchedule
/// for each name whose target is UpdateAutoScalingGroup (no other schedule is read again).
pub async fn capacity_schedules(
    lanes: &Lanes,
    places: BTreeSet<(ClientKey, String)>,
) -> anyhow::Result<Vec<(ClientKey, Schedule)>> {
    read_listed(lanes, places, could_be_capacity, is_capacity).await
}

/// What capacity-aware switching reads: the Auto Scaling groups that carry the requested
/// services that ask for it (through their capacity providers, or `--asg`), each group's sizes
/// and every service placed on it; and the capacity schedules in the groups the requests and
/// the prune rule use (added to `observed`). Problems a user must fix are invalid input.
async fn read_capacity(
    lanes: &Lanes,
    requests: &[ServiceRequest],
    observed: &mut Observed,
    prune: &Prune,
    verify: bool,
    printer: &Printer,
) -> anyhow::Result<Vec<crate::capacity::GroupLive>> {
    use crate::capacity::{AsgName, GroupLive, Placement};
    // The capacity schedules where requests or the prune rule look.
    let mut places: BTreeSet<(ClientKey, String)> = requests
        .iter()
        .map(|r| (r.key.clone(), r.spec.group.to_string()))
        .collect();
    if let Prune::Services(slots) = prune {
        places.extend(slots.iter().map(|s| (s.key.clone(), s.group.to_string())));
    }
    let known: HashSet<(ClientKey, String, String)> = observed
        .existing
        .iter()
        .map(|(k, s)| (k.clone(), s.group.clone(), s.name.clone()))
        .collect();
    let read = capacity_schedules(lanes, places).await?;
    observed.existing.extend(read.into_iter().filter(|(k, s)| {
        (s.capacity_owner().is_some() || s.capacity_override_of().is_some())
            && !known.contains(&(k.clone(), s.group.clone(), s.name.clone()))
    }));
    let members: Vec<&ServiceRequest> = requests
        .iter()
        .filter(|r| r.spec.capacity.is_some())
        .collect();
    if members.is_empty() {
        return Ok(Vec::new());
    }
    if !verify {
        return Err(InvalidInput::new(
            "capacity-aware schedules are made from the live state (the services' capacity \
             providers, their Auto Scaling groups' sizes): leave out --no-verify",
        )
        .into());
    }
    let mut problems = Vec::new();
    // Each cluster's services, read once; how each is placed, with the providers they name.
    let clusters: BTreeSet<(ClientKey, String)> = members
        .iter()
        .map(|r| (r.key.clone(), r.spec.id.cluster.to_string()))
        .collect();
    let mut described: BTreeMap<ClientKey, Vec<(String, ecs::ServiceInfo)>> = BTreeMap::new();
    for (key, cluster) in &clusters {
        let client = &lanes.clients(key).ecs;
        let names = ecs::list_names(client, cluster).await?.unwrap_or_default();
        for chunk in names.chunks(ecs::DESCRIBE_BATCH) {
            let names: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let infos = ecs::describe(client, cluster, &names)
                .await?
                .unwrap_or_default();
            described.entry(key.clone()).or_default().extend(
                infos
                    .into_iter()
                    .filter(|i| i.status == "ACTIVE" && !i.daemon)
                    .map(|i| (cluster.clone(), i)),
            );
        }
    }
    let mut placed_as: HashMap<(ClientKey, String, String), Placement> = HashMap::new();
    let mut placements: HashMap<ClientKey, ecs::Placements> = HashMap::new();
    for (key, infos) in &described {
        let asked: Vec<(&str, &crate::checks::Capacity)> = infos
            .iter()
            .map(|(c, i)| (c.as_str(), &i.capacity))
            .collect();
        let found = ecs::placements(&lanes.clients(key).ecs, &asked).await?;
        for ((cluster, info), placement) in infos.iter().zip(&found.of) {
            placed_as.insert(
                (key.clone(), cluster.clone(), info.name.clone()),
                placement.clone(),
            );
        }
        placements.insert(key.clone(), found);
    }
    let placement = |key: &ClientKey, id: &ServiceId| {
        placed_as
            .get(&(key.clone(), id.cluster.to_string(), id.service.to_string()))
            .cloned()
    };
    // The groups a service's tasks are placed on: (group, managed scaling).
    let groups_of = |key: &ClientKey,
                     placement: Placement,
                     asg: Option<&AsgName>|
     -> Result<Vec<(AsgName, bool)>, String> {
        match placement {
            Placement::Fargate => Ok(Vec::new()),
            Placement::Other(kind) => Err(format!("its launch type is {kind}: ecs-onoff switches no capacity for it")),
            Placement::Ec2LaunchType => match asg {
                Some(a) => Ok(vec![(a.clone(), false)]),
                None => Err("it uses the EC2 launch type without capacity providers: name the Auto Scaling group of its container instances with --asg (fleet key asg); ecs-onoff does not guess it".to_string()),
            },
            Placement::Providers(names) => names
                .iter()
                .map(|n| {
                    let p = placements.get(key).and_then(|p| p.providers.get(n)).ok_or_else(|| format!("its capacity provider {n} was not found"))?;
                    let arn = p.group_arn.as_deref().ok_or_else(|| format!("its capacity provider {n} has no Auto Scaling group"))?;
                    let group = AsgName::from_arn(arn).ok_or_else(|| format!("its capacity provider {n} names {arn}, not an Auto Scaling group ARN"))?;
                    Ok((group, p.managed))
                })
                .collect(),
        }
    };
    let mut groups: BTreeMap<(ClientKey, AsgName), GroupLive> = BTreeMap::new();
    for r in &members {
        let mode = r.spec.capacity.as_ref().expect("members ask for it");
        if !observed
            .services
            .contains_key(&(r.key.clone(), r.spec.id.clone()))
        {
            continue;
        }
        let Some(placement_of) = placement(&r.key, &r.spec.id) else {
            continue;
        };
        if mode.asg.is_some() && matches!(placement_of, Placement::Providers(_)) {
            problems.push(format!(
                "{}: --asg is for the EC2 launch type; the service runs on capacity providers, \
                 whose Auto Scaling groups are used",
                r.spec.label()
            ));
            continue;
        }
        match groups_of(&r.key, placement_of, mode.asg.as_ref()) {
            Err(e) => problems.push(format!("{}: {e}", r.spec.label())),
            Ok(found) if found.is_empty() => printer.note(&format!(
                "{}: it runs on Fargate: there are no instances to switch (capacity = true does \
                 nothing for it)",
                r.spec.label()
            )),
            Ok(found) => {
                for (group, managed) in found {
                    let entry = groups
                        .entry((r.key.clone(), group.clone()))
                        .or_insert_with(|| GroupLive {
                            key: r.key.clone(),
                            group,
                            sizes: crate::capacity::Sizes {
                                min: 0,
                                max: 0,
                                desired: 0,
                            },
                            managed,
                            protected: false,
                            placed: Vec::new(),
                            members: Vec::new(),
                        });
                    entry.members.push(r.spec.id.clone());
                }
            }
        }
    }
    // Every service placed on each group: through a provider of the group, or (for a group
    // named with --asg) by the EC2 launch type in a member's cluster.
    let asg_of: HashMap<(ClientKey, AsgName), Vec<String>> = members
        .iter()
        .filter_map(|r| {
            let asg = r.spec.capacity.as_ref()?.asg.clone()?;
            Some(((r.key.clone(), asg), r.spec.id.cluster.to_string()))
        })
        .fold(HashMap::new(), |mut m, (k, c)| {
            m.entry(k).or_insert_with(Vec::new).push(c);
            m
        });
    for (key, infos) in &described {
        for (cluster, info) in infos {
            let Ok(service) = info.name.parse() else {
                continue;
            };
            let id = ServiceId {
                cluster: cluster.parse().expect("a listed cluster"),
                service,
            };
            let on: Vec<AsgName> = match placement(key, &id) {
                Some(Placement::Ec2LaunchType) => asg_of
                    .iter()
                    .filter(|((k, _), cs)| k == key && cs.contains(cluster))
                    .map(|((_, g), _)| g.clone())
                    .collect(),
                Some(p @ Placement::Providers(_)) => groups_of(key, p, None)
                    .map(|gs| gs.into_iter().map(|(g, _)| g).collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            for g in on {
                if let Some(entry) = groups.get_mut(&(key.clone(), g)) {
                    if !entry.placed.contains(&id) {
                        entry.placed.push(id.clone());
                    }
                }
            }
        }
    }
    // Every requested service on a group shapes its times, capacity-aware or not.
    for entry in groups.values_mut() {
        for r in requests {
            if r.key == entry.key
                && entry.placed.contains(&r.spec.id)
                && !entry.members.contains(&r.spec.id)
            {
                entry.members.push(r.spec.id.clone());
            }
        }
    }
    let mut by_key: BTreeMap<ClientKey, Vec<AsgName>> = BTreeMap::new();
    for (key, group) in groups.keys() {
        by_key.entry(key.clone()).or_default().push(group.clone());
    }
    for (key, names) in by_key {
        let sizes = aws::asg::sizes(&lanes.clients(&key).asg, &names).await?;
        for name in names {
            match sizes.get(name.as_str()) {
                Some(read) => {
                    let lifted = placements
                        .get(&key)
                        .is_some_and(|p| p.lifts_protection(&name));
                    let entry = groups.get_mut(&(key.clone(), name)).expect("listed");
                    entry.sizes = read.sizes;
                    entry.protected = read.protected && !lifted;
                }
                None => problems.push(format!("Auto Scaling group {name} was not found in {key}")),
            }
        }
    }
    if !problems.is_empty() {
        return Err(InvalidInput::new(problems.join("\n")).into());
    }
    Ok(groups.into_values().collect())
}

/// The Auto Scaling groups under the capacity providers of each given service (its strategy,
/// else its cluster's default), by client and service: what `iam --from-file` grants for
/// capacity-aware services without `asg`. Services not found, or on Fargate or the plain EC2
/// launch type, have none.
pub async fn carrying_groups(
    lanes: &Lanes,
    specs: &[&ServiceSpec],
) -> anyhow::Result<HashMap<(ClientKey, ServiceId), Vec<crate::capacity::AsgName>>> {
    let mut found: BTreeMap<ClientKey, Vec<(&ServiceSpec, ecs::ServiceInfo)>> = BTreeMap::new();
    for spec in specs {
        let key = lanes.connections.key(&spec.connection).clone();
        let client = &lanes.clients(&key).ecs;
        let described =
            ecs::describe(client, &spec.id.cluster, &[spec.id.service.as_str()]).await?;
        if let Some(info) = described
            .unwrap_or_default()
            .into_iter()
            .find(|i| i.status == "ACTIVE")
        {
            found.entry(key).or_default().push((spec, info));
        }
    }
    let mut out = HashMap::new();
    for (key, services) in found {
        let asked: Vec<(&str, &crate::checks::Capacity)> = services
            .iter()
            .map(|(spec, info)| (spec.id.cluster.as_str(), &info.capacity))
            .collect();
        let placements = ecs::placements(&lanes.clients(&key).ecs, &asked).await?;
        for ((spec, _), placement) in services.iter().zip(&placements.of) {
            if let crate::capacity::Placement::Providers(names) = placement {
                let groups = placements.groups(names).into_iter().map(|(g, _)| g);
                out.insert((key.clone(), spec.id.clone()), groups.collect());
            }
        }
    }
    Ok(out)
}

/// A plan made against the live state, with the connections that carry it out.
pub struct Prepared {
    pub lanes: Lanes,
    pub plan: Plan,
}

/// Reads the live state and plans: the steps every writing command shares. Prints the plan's
/// warnings (and, with --verbose, where each on count came from). Writes nothing.
pub async fn prepare(
    lanes: Lanes,
    specs: Vec<ServiceSpec>,
    prune: &Prune,
    verify: bool,
    printer: &Printer,
) -> anyhow::Result<Prepared> {
    let now = jiff::Timestamp::now();
    let requests = lanes.requests(specs, now)?;
    check_partitions(&requests)?;
    let mut observed = read(&lanes, &requests, prune, verify).await?;
    let groups = read_capacity(&lanes, &requests, &mut observed, prune, verify, printer).await?;
    printer.detail(&format!(
        "{} service(s) through {} client(s): {}; {} existing schedule(s) read",
        requests.len(),
        lanes.connections.keys().count(),
        lanes
            .connections
            .keys()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        observed.existing.len()
    ));
    let mut plan = crate::plan::plan(&requests, &observed, prune, now);
    crate::capacity::plan_groups(
        &mut plan,
        &requests,
        &groups,
        &observed.existing,
        prune,
        now,
    )
    .map_err(|problems| InvalidInput::new(problems.join("\n")))?;
    let role_warnings = crate::capacity::role_warnings(&plan, &observed.roles);
    plan.warnings.extend(role_warnings);
    plan.sort();
    for w in &plan.warnings {
        printer.warn(w);
    }
    for n in &plan.notes {
        printer.note(n);
    }
    for d in &plan.details {
        printer.detail(d);
    }
    Ok(Prepared { lanes, plan })
}

/// Reads a fleet file, opens its connections and plans: how `plan` and `apply` both start.
pub async fn prepare_file(
    path: &std::path::Path,
    prune: bool,
    settings: &aws::Settings,
    concurrency: usize,
    printer: &Printer,
) -> anyhow::Result<Prepared> {
    let fleet = crate::input::read_fleet(path)?;
    let prune = if prune { Prune::Groups } else { Prune::Nothing };
    let (lanes, specs) = open_fleet(&fleet, settings, concurrency, printer).await?;
    prepare(lanes, specs, &prune, true, printer).await
}

/// Opens the connections a fleet asks for, and gives its services with its selectors resolved.
pub async fn open_fleet(
    fleet: &crate::fleet::Fleet,
    settings: &aws::Settings,
    concurrency: usize,
    printer: &Printer,
) -> anyhow::Result<(Lanes, Vec<ServiceSpec>)> {
    let lanes = Lanes::open(settings, fleet.connections(), concurrency).await?;
    let specs = resolve_selectors(&lanes, fleet, printer).await?;
    Ok((lanes, specs))
}

/// The fleet's services and the services its selectors choose: ListServices for each of their
/// clusters, then DescribeServices with TAGS (10 services a call, paced like the rest). An
/// explicit `[[service]]` wins over a selector; two selectors that choose one service with
/// different settings are invalid input naming both; a selector that chooses nothing is a
/// warning.
pub async fn resolve_selectors(
    lanes: &Lanes,
    fleet: &crate::fleet::Fleet,
    printer: &Printer,
) -> anyhow::Result<Vec<ServiceSpec>> {
    let mut specs = fleet.services.clone();
    if fleet.selectors.is_empty() {
        return Ok(specs);
    }
    // Each (client, cluster) once.
    let mut clusters: BTreeSet<(ClientKey, String)> = BTreeSet::new();
    for sel in &fleet.selectors {
        let key = lanes.connections.key(&sel.template.connection).clone();
        for c in &sel.clusters {
            clusters.insert((key.clone(), c.to_string()));
        }
    }
    let mut names: HashMap<(ClientKey, String), Vec<String>> = HashMap::new();
    for (key, cluster) in &clusters {
        let client = &lanes.clients(key).ecs;
        let listed = ecs::list_names(client, cluster).await?.ok_or_else(|| {
            InvalidInput::new(format!(
                "[[select]]: cluster '{cluster}' was not found in {key}"
            ))
        })?;
        names.insert((key.clone(), cluster.clone()), listed);
    }
    let mut tasks = JoinSet::new();
    for ((key, cluster), listed) in &names {
        for chunk in listed.chunks(ecs::DESCRIBE_BATCH) {
            let client = lanes.clients(key).ecs.clone();
            let (k, c, chunk) = (key.clone(), cluster.clone(), chunk.to_vec());
            lanes.spawn(&mut tasks, key, async move {
                let result = ecs::tags(&client, &c, &chunk).await;
                (k, c, result)
            });
        }
    }
    type Tags = std::collections::BTreeMap<String, String>;
    let mut described: HashMap<(ClientKey, String), Vec<(String, Tags)>> = HashMap::new();
    for (key, cluster, result) in join_all(tasks).await? {
        let active = result?
            .into_iter()
            .filter(|(_, status, _)| status == "ACTIVE")
            .map(|(name, _, tags)| (name, tags));
        described.entry((key, cluster)).or_default().extend(active);
    }
    let explicit: HashSet<(ClientKey, ServiceId)> = fleet
        .services
        .iter()
        .map(|s| (lanes.connections.key(&s.connection).clone(), s.id.clone()))
        .collect();
    let mut chosen: HashMap<(ClientKey, ServiceId), usize> = HashMap::new();
    let mut problems = Vec::new();
    for (i, sel) in fleet.selectors.iter().enumerate() {
        let key = lanes.connections.key(&sel.template.connection).clone();
        let mut count = 0;
        for cluster in &sel.clusters {
            let found = described.get(&(key.clone(), cluster.to_string()));
            for (name, tags) in found.into_iter().flatten() {
                if !sel.chooses(name, tags) {
                    continue;
                }
                let Ok(service) = name.parse() else { continue };
                let id = ServiceId {
                    cluster: cluster.clone(),
                    service,
                };
                count += 1;
                if explicit.contains(&(key.clone(), id.clone())) {
                    printer.detail(&format!(
                        "{id}: its [[service]] entry wins over {}",
                        sel.label()
                    ));
                    continue;
                }
                match chosen.get(&(key.clone(), id.clone())) {
                    Some(&j) => {
                        let other = &fleet.selectors[j];
                        let mut a = other.spec_for(id.clone());
                        let b = sel.spec_for(id.clone());
                        a.origin = b.origin.clone();
                        if a != b {
                            problems.push(format!(
                                "{id} is chosen by {} and by {} with different settings; \
                                 exclude it from one, or give it a [[service]] entry",
                                other.label(),
                                sel.label()
                            ));
                        }
                    }
                    None => {
                        chosen.insert((key.clone(), id.clone()), i);
                        specs.push(sel.spec_for(id));
                    }
                }
            }
        }
        if count == 0 {
            printer.warn(&format!("{} chooses no service", sel.label()));
        } else {
            printer.note(&format!("{} chooses {count} service(s)", sel.label()));
        }
    }
    if !problems.is_empty() {
        return Err(InvalidInput::new(problems.join("\n")).into());
    }
    Ok(specs)
}

/// Sets the counts the plan asks for at once (overrides), once every write succeeded.
async fn set_counts(prepared: &Prepared, printer: &Printer) -> anyhow::Result<()> {
    // Instances first: a service kept on at night needs its group's instances.
    for g in &prepared.plan.group_sizes {
        aws::asg::update(&prepared.lanes.clients(&g.key).asg, &g.size).await?;
        printer.note(&format!(
            "Auto Scaling group {}: set to {} now ({})",
            g.size.group,
            g.size.sets(),
            g.reason
        ));
    }
    for c in &prepared.plan.counts {
        let clients = prepared.lanes.clients(&c.key);
        if let Some(bounds) = c.bounds {
            // Application Auto Scaling moves the count into the new bounds at once.
            autoscaling::register(&clients.autoscaling, &c.id, bounds).await?;
            printer.note(&format!(
                "{}: Application Auto Scaling bounds set to {bounds} now ({})",
                c.id, c.reason
            ));
            continue;
        }
        ecs::set_desired_count(&clients.ecs, &c.id.cluster, &c.id.service, c.to).await?;
        printer.note(&format!(
            "{}: desiredCount set to {} now ({})",
            c.id, c.to, c.reason
        ));
    }
    Ok(())
}

/// Carries out a prepared plan and prints its report: exit 0 when every write succeeded, else
/// 1 with every failure listed (running the command again retries them).
pub async fn apply(
    prepared: &Prepared,
    printer: &Printer,
    started: std::time::Instant,
    show_unchanged: bool,
) -> anyhow::Result<ExitStatus> {
    let stop = Stop::listen();
    let outcome = execute(&prepared.lanes, &prepared.plan, printer, &stop).await?;
    let mut report = ApplyReport::new(
        &prepared.plan,
        &outcome,
        started.elapsed().as_secs_f64(),
        jiff::Timestamp::now(),
    );
    report.show_unchanged = show_unchanged;
    printer.emit(&report)?;
    if let Some(signal) = outcome.stopped_by {
        printer.warn(&format!(
            "stopped by {}: {} write(s) not done; running the command again carries out the rest",
            signal.name(),
            report.failures.len()
        ));
        return Ok(ExitStatus::Interrupted(signal.exit_code()));
    }
    if report.failures.is_empty() {
        set_counts(prepared, printer).await?;
        Ok(ExitStatus::Success)
    } else {
        printer.warn(&format!(
            "{} write(s) failed; running the command again retries them",
            report.failures.len()
        ));
        Ok(ExitStatus::Failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{plan, Observed};
    use crate::spec::tests::{key, request_of, spec};

    #[test]
    fn an_on_schedule_shrinks_only_once_its_new_segments_exist() {
        let plain = request_of(spec("prod", "web"), key("us-east-1"));
        let existing = plain
            .schedules(1)
            .into_iter()
            .map(|s| (plain.key.clone(), s))
            .collect();
        let mut with_skip = spec("prod", "web");
        with_skip.calendar = crate::calendar::Calendar {
            rules: vec![crate::calendar::parse_skip("2026-12-25", "--skip").unwrap()],
        };
        let r = request_of(with_skip, key("us-east-1"));
        let now = "2026-11-25T00:00:00Z".parse().unwrap();
        let observed = Observed {
            existing,
            ..Observed::default()
        };
        let p = plan(std::slice::from_ref(&r), &observed, &Prune::Nothing, now);
        let find = |name: &str| {
            p.steps
                .iter()
                .position(|s| s.schedule.name == name)
                .unwrap()
        };
        let (segment, open) = (find("prod.web.on-20261225"), find("prod.web.on"));
        assert_eq!(p.steps[segment].action, Action::Create);
        assert!(matches!(p.steps[open].action, Action::Update(_)));
        assert!(phase(&p.steps[segment]) < phase(&p.steps[open]));
        assert_eq!(depends_on(&p, &by_service(&p), open), [segment]);
    }

    #[test]
    fn writes_are_ordered_so_a_service_keeps_its_on_schedule() {
        let r = request_of(spec("prod", "web"), key("us-east-1"));
        let now = "2026-11-25T00:00:00Z".parse().unwrap();
        let created = plan(
            std::slice::from_ref(&r),
            &Observed::default(),
            &Prune::Nothing,
            now,
        );
        let phases: Vec<_> = created.steps.iter().map(phase).collect();
        assert_eq!(phases, [1, 3], "on before off");
        assert_eq!(
            depends_on(&created, &by_service(&created), 1),
            [0],
            "off create waits for on create"
        );
        assert!(depends_on(&created, &by_service(&created), 0).is_empty());
        let observed = Observed {
            existing: r
                .schedules(1)
                .into_iter()
                .map(|s| (r.key.clone(), s))
                .collect(),
            ..Observed::default()
        };
        let slot = ServiceSlot {
            key: r.key.clone(),
            group: r.spec.group.clone(),
            id: r.spec.id.clone(),
        };
        let deleted = plan(
            &[],
            &observed,
            &Prune::Services(BTreeSet::from([slot])),
            now,
        );
        let phases: Vec<_> = deleted.steps.iter().map(phase).collect();
        assert_eq!(phases, [5, 4], "off deleted before on");
        assert_eq!(
            depends_on(&deleted, &by_service(&deleted), 0),
            [1],
            "on delete waits for off delete"
        );
    }
}
