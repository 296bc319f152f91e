//! Planning: what to create, update and delete so that the schedules that exist match the
//! requests, with the reason for every warning. Pure: the AWS edge reads the live state into
//! [`Observed`] and carries out the [`Plan`].

use crate::checks::{self, Capacity};
use crate::iam::{RoleRead, Verdict};
use crate::naming::{GroupName, Slot, Switch};
use crate::schedule::{Bounds, RetryPolicy, Schedule, ServiceId};
use crate::spec::{ClientKey, ServiceRequest, ServiceSpec, Switching};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

/// What happens to one schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create,
    Update(Vec<FieldChange>),
    Delete,
    Unchanged,
}

impl Action {
    /// The verb of a plan: `create`, `update`, `delete`, `unchanged`.
    pub fn verb(&self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update(_) => "update",
            Action::Delete => "delete",
            Action::Unchanged => "unchanged",
        }
    }

    /// The verb of a report of what was done: `created`, `updated`, `deleted`, `unchanged`.
    pub fn done(&self) -> &'static str {
        match self {
            Action::Create => "created",
            Action::Update(_) => "updated",
            Action::Delete => "deleted",
            Action::Unchanged => "unchanged",
        }
    }

    pub fn is_change(&self) -> bool {
        *self != Action::Unchanged
    }

    /// The field changes of an update; empty otherwise.
    pub fn changes(&self) -> &[FieldChange] {
        match self {
            Action::Update(fields) => fields,
            _ => &[],
        }
    }
}

/// One managed field that differs, old and new as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

/// One step of a plan: the schedule as it should be (for a delete, as it is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub key: ClientKey,
    pub schedule: Schedule,
    pub action: Action,
}

impl Step {
    /// The service and slot the schedule belongs to.
    pub fn owner(&self) -> Option<(&ServiceId, Slot)> {
        self.schedule.owner()
    }

    /// What the schedule switches, and its slot: a service's own schedule, or a capacity
    /// schedule of an Auto Scaling group.
    pub fn unit(&self) -> Option<(Unit<'_>, Slot)> {
        self.owner()
            .map(|(id, slot)| (Unit::Service(id), slot))
            .or_else(|| {
                self.schedule
                    .capacity_owner()
                    .map(|(g, slot)| (Unit::Group(g), slot))
            })
    }

    /// The service whose schedules replace this one: the delete of an adopted schedule.
    pub fn adopted_by(&self) -> Option<ServiceId> {
        (self.action == Action::Delete)
            .then(|| adopted_service(&self.schedule).ok())
            .flatten()
    }
}

/// What a set of schedules switches on and off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit<'a> {
    Service(&'a ServiceId),
    Group(&'a crate::capacity::AsgName),
}

/// A service's schedules in one group, reached through one client.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceSlot {
    pub key: ClientKey,
    pub group: GroupName,
    pub id: ServiceId,
}

/// Which managed schedules that no request asks for are deleted. Nothing that ecs-onoff does
/// not manage is ever deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prune {
    /// None.
    Nothing,
    /// Every managed schedule in the groups the requests use (`--prune`).
    Groups,
    /// The schedules of these services (`unschedule`).
    Services(BTreeSet<ServiceSlot>),
}

/// Application Auto Scaling as read for a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scaling {
    /// The bounds of the scalable target registered for the service (none or one).
    Targets(Vec<crate::schedule::Bounds>),
    /// It could not be read; the reason.
    Unread(String),
}

/// What DescribeServices (and Application Auto Scaling) say about a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveService {
    pub arn: String,
    pub status: String,
    pub desired_count: u32,
    pub running_count: u32,
    pub capacity: Capacity,
    pub scaling: Scaling,
}

/// The live state the plan is made against.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// The requested services, when they were read (not with `--no-verify` or `--dry-run`).
    pub services: HashMap<(ClientKey, ServiceId), LiveService>,
    /// The managed schedules that exist where the requests and the prune rule look.
    pub existing: Vec<(ClientKey, Schedule)>,
    /// The requests' execution roles, by client and role ARN, when they were read.
    pub roles: HashMap<(ClientKey, String), RoleRead>,
}

/// Where a service's on count came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountSource {
    Request,
    LiveService,
    ExistingSchedule,
    Default,
}

impl fmt::Display for CountSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CountSource::Request => "the request",
            CountSource::LiveService => "the service's live desiredCount",
            CountSource::ExistingSchedule => "the existing on schedule",
            CountSource::Default => "the default for a service that is off",
        })
    }
}

/// The on count when none is given, and where it came from: the service's live desiredCount when
/// above 0; when the service is off, the count in its existing on schedule; else 1.
pub fn on_count(
    explicit: Option<u32>,
    live: Option<u32>,
    existing: Option<u32>,
) -> (u32, CountSource) {
    match (explicit, live, existing.filter(|n| *n > 0)) {
        (Some(n), _, _) => (n, CountSource::Request),
        (None, Some(n), _) if n > 0 => (n, CountSource::LiveService),
        (None, _, Some(n)) => (n, CountSource::ExistingSchedule),
        _ => (1, CountSource::Default),
    }
}

/// A service's desiredCount to set at once, after the schedule writes (an override that takes
/// effect now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountChange {
    pub key: ClientKey,
    pub id: ServiceId,
    /// The live count, when it was read.
    pub from: Option<u32>,
    pub to: u32,
    /// For autoscaling-aware schedules: the bounds set (RegisterScalableTarget), which bring
    /// the count to `to`.
    pub bounds: Option<Bounds>,
    /// Why, in words.
    pub reason: String,
}

/// A plan: the steps, sorted by client, group, service and switch, and what the user should know.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Counts to set once the steps are done.
    pub counts: Vec<CountChange>,
    /// Auto Scaling group sizes to set once the steps are done, before the counts.
    pub group_sizes: Vec<crate::capacity::GroupSizeChange>,
    pub warnings: Vec<String>,
    /// What the plan does that a reader should know (a service moving to another group).
    pub notes: Vec<String>,
    /// What `--verbose` shows: where each on count came from.
    pub details: Vec<String>,
}

impl Plan {
    /// Puts the steps in their order: by client, group, service and switch.
    pub fn sort(&mut self) {
        self.steps.sort_by(|a, b| step_order(a).cmp(&step_order(b)));
    }

    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for step in &self.steps {
            t.add(&step.action);
        }
        t
    }
}

/// Counts of actions, by verb.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub unchanged: usize,
}

impl Tally {
    pub fn add(&mut self, action: &Action) {
        match action {
            Action::Create => self.create += 1,
            Action::Update(_) => self.update += 1,
            Action::Delete => self.delete += 1,
            Action::Unchanged => self.unchanged += 1,
        }
    }

    pub fn changes(&self) -> usize {
        self.create + self.update + self.delete
    }
}

fn opt<T: fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "(none)".to_string(), |v| v.to_string())
}

fn retry_text(r: &Option<RetryPolicy>) -> String {
    r.map_or_else(
        || "(none)".to_string(),
        |r| {
            format!(
                "{} attempts, {}s",
                r.maximum_retry_attempts, r.maximum_event_age_seconds
            )
        },
    )
}

/// Every managed field of a schedule, named as in the API, as text. `Target.Input` is compared
/// by meaning in [`diff`], so its text here only shows the change.
fn managed_fields(s: &Schedule) -> [(&'static str, String); 12] {
    let window = if s.flexible_window_off {
        "OFF"
    } else {
        "FLEXIBLE"
    };
    [
        ("ScheduleExpression", s.expression.clone()),
        ("ScheduleExpressionTimezone", s.timezone.clone()),
        ("State", opt(&s.state)),
        ("Description", s.description.clone()),
        ("FlexibleTimeWindow", window.to_string()),
        ("Target.Arn", s.target_arn.clone()),
        ("Target.RoleArn", s.role_arn.clone()),
        ("Target.Input", s.input.render()),
        ("Target.RetryPolicy", retry_text(&s.retry)),
        ("Target.DeadLetterConfig", opt(&s.dead_letter_arn)),
        ("StartDate", opt(&s.start_date)),
        ("EndDate", opt(&s.end_date)),
    ]
}

/// Compares a desired schedule with the existing one, field by field.
pub fn diff(desired: &Schedule, existing: Option<&Schedule>) -> Action {
    let Some(old) = existing else {
        return Action::Create;
    };
    let changes: Vec<FieldChange> = managed_fields(old)
        .into_iter()
        .zip(managed_fields(desired))
        .filter(|((field, old_text), (_, new_text))| match *field {
            "Target.Input" => !old.input.same_as(&desired.input),
            _ => old_text != new_text,
        })
        .map(|((field, old), (_, new))| FieldChange { field, old, new })
        .collect();
    if changes.is_empty() {
        Action::Unchanged
    } else {
        Action::Update(changes)
    }
}

pub(crate) type ScheduleKey<'a> = (&'a ClientKey, &'a str, &'a str);

/// A StartDate that has passed has no effect any more, and AWS refuses to be sent one: compare
/// as if the existing schedule had none, so that re-runs find nothing to change.
fn without_past_start(existing: &Schedule, now: Timestamp) -> Schedule {
    let mut s = existing.clone();
    s.start_date = s.start_date.filter(|t| *t > now);
    s
}

/// Warnings about one request's execution role: Scheduler must be able to assume it from the
/// request's group, and it must allow UpdateService on the service's real ARN.
fn role_warnings(
    key: &ClientKey,
    (spec, switched): (&ServiceSpec, Switching),
    live: Option<&LiveService>,
    observed: &Observed,
    notes: &mut BTreeSet<String>,
    trust_gaps: &mut BTreeSet<(String, String)>,
) -> Vec<String> {
    let Some(role) = &spec.role_arn else {
        return Vec::new();
    };
    let Some(read) = observed.roles.get(&(key.clone(), role.to_string())) else {
        return Vec::new();
    };
    let docs = match read {
        RoleRead::Read(docs) => docs,
        RoleRead::Missing => {
            return vec![format!(
                "{}: execution role {role} does not exist: every invocation would fail \
                 (ecs-onoff iam create-role makes it)",
                spec.label()
            )]
        }
        RoleRead::Unchecked(why) => {
            notes.insert(format!("the execution role {role} was not checked: {why}"));
            return Vec::new();
        }
    };
    let account = role.account();
    let region = key.region.as_str();
    let group_arn = crate::arn::schedule_group_arn(region, account, &spec.group);
    let service_arn = live.map_or_else(
        || crate::arn::service_arn(region, account, &spec.id.cluster, &spec.id.service),
        |l| l.arn.clone(),
    );
    let name = role.as_str().rsplit('/').next().unwrap_or_default();
    let fix = format!(
        "ecs-onoff iam create-role --role-name {name} --region {region} --group {} \
         --cluster {} --service {} adds it",
        spec.group, spec.id.cluster, spec.id.service
    );
    let mut out = Vec::new();
    let trusted = docs.trust.as_ref().map_or(Verdict::Missing, |t| {
        crate::iam::trust_allows(t, &group_arn, account)
    });
    // The same for every service of the group: said once.
    if trusted == Verdict::Missing && trust_gaps.insert((role.to_string(), group_arn.clone())) {
        out.push(format!(
            "{}: the trust policy of {role} does not let Scheduler assume it for schedule group \
             {group_arn} (aws:SourceArn): every invocation in that group would fail; {fix}",
            spec.label()
        ));
    }
    if crate::iam::policies_allow_update(&docs.policies, &service_arn) == Verdict::Missing {
        out.push(format!(
            "{}: {role} does not allow ecs:UpdateService on {service_arn}: every invocation \
             would fail; {fix}",
            spec.label()
        ));
    }
    if matches!(switched, Switching::Bounds(_)) {
        let target = format!(
            "arn:{}:application-autoscaling:{region}:{account}:scalable-target/*",
            key.region.partition()
        );
        let action = "application-autoscaling:RegisterScalableTarget";
        if crate::iam::policies_allow(&docs.policies, action, &target) == Verdict::Missing {
            out.push(format!(
                "{}: {role} does not allow {action}, which its autoscaling-aware schedules call: \
                 every invocation would fail; {fix}",
                spec.label()
            ));
        }
    }
    out
}

/// Warnings about one request: what the live service says (cost, autoscaling).
fn service_warnings(spec: &ServiceSpec, live: &LiveService) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(w) = checks::ec2_cost(&live.capacity) {
        out.push(w);
    }
    if let Some(w) = checks::short_arn(&live.arn) {
        out.push(w);
    }
    out.into_iter()
        .map(|w| format!("{}: {w}", spec.label()))
        .collect()
}

/// How a service's schedules switch it, with the warnings and notes that go with the choice.
///
/// A service whose Application Auto Scaling target has a MinCapacity above 0 is switched by its
/// bounds (autoscaling-aware, unless the request turns that off): at the off times
/// RegisterScalableTarget sets MinCapacity and MaxCapacity to the off count, so Application
/// Auto Scaling moves the service there at once and no scaling policy can take it out again; at
/// the on times it restores the bounds recorded when the schedules were applied, and Application
/// Auto Scaling brings the service up to its MinCapacity at once. One call each: nothing to
/// order, no race. The recorded bounds are those of the existing on schedule; the live bounds
/// replace them when they differ (drift), unless the target is at the off bounds (the schedules'
/// own night state).
pub fn switching(
    spec: &ServiceSpec,
    live: Option<&LiveService>,
    recorded: Recorded,
    count: u32,
) -> (Switching, Vec<String>, Vec<String>) {
    let (mut warnings, mut notes) = (Vec::new(), Vec::new());
    let off = Bounds {
        min: spec.off_count,
        max: spec.off_count,
    };
    let plain = Switching::Count(count);
    let target = match live.map(|l| &l.scaling) {
        Some(Scaling::Targets(targets)) => targets.first().copied(),
        _ => None,
    };
    // At night the target is at the off bounds its schedules set (the new ones, or the ones of
    // the schedules that exist).
    let night = |t: Bounds| t == off || Some(t) == recorded.off;
    let has_on = !spec.times.expressions().0.is_empty();
    if !spec.autoscaling || !has_on {
        if let Some(Scaling::Targets(targets)) = live.map(|l| &l.scaling) {
            warnings.extend(checks::autoscaling(targets));
        }
        if let (Some(r), Some(t)) = (recorded.on, target.filter(|t| night(*t))) {
            warnings.push(format!(
                "its Application Auto Scaling target is still at the off bounds its schedules set \
                 ({t}): restore {r} (aws application-autoscaling register-scalable-target), or \
                 the desiredCount its new schedules set is brought back into them"
            ));
        }
        return (plain, warnings, notes);
    }
    let targets = match live.map(|l| &l.scaling) {
        // Not read (a dry run, --no-verify): the recorded bounds stay.
        None => {
            return (
                recorded.on.map_or(plain, Switching::Bounds),
                warnings,
                notes,
            )
        }
        Some(Scaling::Unread(why)) => {
            warnings.push(format!(
                "could not check Application Auto Scaling: {why}{}",
                if recorded.on.is_some() {
                    " (the recorded bounds are kept)"
                } else {
                    ""
                }
            ));
            return (
                recorded.on.map_or(plain, Switching::Bounds),
                warnings,
                notes,
            );
        }
        Some(Scaling::Targets(targets)) => targets,
    };
    let Some(&target) = targets.first() else {
        if recorded.on.is_some() {
            notes.push(
                "its Application Auto Scaling target is gone: its schedules set desiredCount again"
                    .to_string(),
            );
        }
        return (plain, warnings, notes);
    };
    let bounds = if night(target) {
        match recorded.on {
            Some(r) => r,
            None => {
                warnings.push(format!(
                    "its Application Auto Scaling target is at {target}, off bounds, and no \
                     bounds to restore are recorded: set its daytime bounds, then apply again \
                     (until then its schedules set desiredCount, and the target holds the count \
                     at most {})",
                    target.max
                ));
                return (plain, warnings, notes);
            }
        }
    } else {
        target
    };
    if bounds.min == 0 {
        // A target that may scale in to 0 by itself: desiredCount schedules, as for any service.
        return (plain, warnings, notes);
    }
    if let Some(r) = recorded.on.filter(|r| *r != bounds) {
        warnings.push(format!(
            "its Application Auto Scaling bounds changed since they were recorded ({r}; now \
             {bounds}): apply records the new ones"
        ));
    }
    if let Some(n) = spec.on_count.filter(|n| *n != bounds.min) {
        warnings.push(format!(
            "on_count {n} is not used: with its Application Auto Scaling target the service \
             comes back at its MinCapacity {} and its scaling policies take it from there (set \
             MinCapacity, or turn autoscaling-aware schedules off)",
            bounds.min
        ));
    }
    notes.push(format!(
        "autoscaling-aware: its schedules set its Application Auto Scaling bounds ({bounds} at \
         the on times, MinCapacity and MaxCapacity {} at the off times)",
        spec.off_count
    ));
    (Switching::Bounds(bounds), warnings, notes)
}

/// The bounds a service's existing autoscaling-aware schedules set, in any group: those of its
/// (first) on schedule, recorded at apply, and those of its off schedule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    pub on: Option<Bounds>,
    pub off: Option<Bounds>,
}

/// The plan that makes the existing schedules match the requests. Warnings are the same for
/// every command: schedule, plan and apply share this function.
pub fn plan(
    requests: &[ServiceRequest],
    observed: &Observed,
    prune: &Prune,
    now: Timestamp,
) -> Plan {
    // Only schedules that are ecs-onoff's own count as existing: a schedule of another owner
    // that holds the name is never overwritten (its create fails with AWS's ConflictException).
    let index: HashMap<ScheduleKey, &Schedule> = observed
        .existing
        .iter()
        .filter(|(_, s)| {
            s.owner().is_some() || s.override_of().is_some() || s.notify_of().is_some()
        })
        .map(|(k, s)| ((k, s.group.as_str(), s.name.as_str()), s))
        .collect();
    let mut plan = Plan::default();
    let mut wanted = HashSet::new();
    let mut checked_times = HashSet::new();
    let mut role_notes = BTreeSet::new();
    let mut trust_gaps = BTreeSet::new();
    // The count of each service's existing on schedules (the plain one first), and the day its
    // existing calendar is compiled until.
    let mut existing_on: HashMap<(&ClientKey, &str, &ServiceId), (Slot, u32)> = HashMap::new();
    let mut existing_until: HashMap<(&ClientKey, &str, &ServiceId), jiff::civil::Date> =
        HashMap::new();
    let mut recorded: HashMap<(&ClientKey, &ServiceId), Recorded> = HashMap::new();
    for (key, s) in &observed.existing {
        if let (Some((id, slot)), Some(b)) = (s.owner(), s.bounds()) {
            let r = recorded.entry((key, id)).or_default();
            match slot.switch {
                Switch::On if slot.index == 1 || r.on.is_none() => r.on = Some(b),
                Switch::Off if r.off.is_none() => r.off = Some(b),
                _ => {}
            }
        }
    }
    for (key, s) in &observed.existing {
        let Some((id, slot)) = s.owner() else {
            continue;
        };
        if slot.switch != Switch::On {
            continue;
        }
        let place = (key, s.group.as_str(), id);
        if let Some(count) = s.input.desired_count().filter(|n| *n > 0) {
            let entry = existing_on.entry(place).or_insert((slot, count));
            if slot < entry.0 {
                *entry = (slot, count);
            }
        }
        if let Some(until) = crate::spec::compiled_until(&s.description) {
            existing_until.insert(place, until);
        }
    }
    let today = jiff::tz::TimeZone::UTC.to_datetime(now).date();
    // Overrides that have not ended, by service: its regular schedules stay held until then.
    let overrides: HashMap<(&ClientKey, &str, &ServiceId), Timestamp> = observed
        .existing
        .iter()
        .filter_map(|(key, s)| {
            let until = crate::overrides::Override::read(s)?.1.until;
            let id = s.override_of()?;
            (until > now).then_some(((key, s.group.as_str(), id), until))
        })
        .collect();
    for request in requests {
        let (key, spec) = (&request.key, &request.spec);
        let live = observed.services.get(&(key.clone(), spec.id.clone()));
        if let Some(live) = live {
            plan.warnings.extend(service_warnings(spec, live));
        }
        if checked_times.insert((spec.times.text(), spec.zone.name())) {
            for w in checks::times(&spec.times, &spec.zone, now) {
                plan.warnings.push(format!("{}: {w}", spec.label()));
            }
        }
        let place = (key, spec.group.as_str(), &spec.id);
        if let Some(w) = existing_until
            .get(&place)
            .and_then(|until| checks::calendar_ends(*until, today))
        {
            plan.warnings.push(format!(
                "{}: {w} (this run compiles it{})",
                spec.label(),
                request
                    .compiled
                    .compiled_until
                    .map(|d| format!(" until {d}"))
                    .unwrap_or_default()
            ));
        }
        let existing_count = existing_on.get(&place).map(|(_, n)| *n);
        let (count, source) =
            on_count(spec.on_count, live.map(|l| l.desired_count), existing_count);
        // An override asked for in the file (one whose end has passed is ignored), else the
        // one in AWS that has not ended: the schedules are held until its end.
        let asked = spec.override_.as_ref().filter(|o| {
            if o.until <= now {
                plan.notes.push(format!(
                    "{}: the override until {} has ended: ignored",
                    spec.label(),
                    o.until
                ));
            }
            o.until > now
        });
        let (switched, warnings, notes) = switching(
            spec,
            live,
            recorded.get(&(key, &spec.id)).copied().unwrap_or_default(),
            count,
        );
        let held_until = asked.map(|o| o.until).or(overrides.get(&place).copied());
        plan.warnings.extend(
            warnings
                .into_iter()
                .map(|w| format!("{}: {w}", spec.label())),
        );
        plan.warnings.extend(role_warnings(
            key,
            (spec, switched),
            live,
            observed,
            &mut role_notes,
            &mut trust_gaps,
        ));
        plan.notes
            .extend(notes.into_iter().map(|n| format!("{}: {n}", spec.label())));
        let count = switched.on_count();
        plan.details.push(match switched {
            Switching::Count(_) => format!("{} in {key}: on count {count}, from {source}", spec.id),
            Switching::Bounds(b) => format!(
                "{} in {key}: on count {count}, the MinCapacity of its bounds ({b})",
                spec.id
            ),
        });
        for (schedule, compiled) in request
            .schedules_with(switched)
            .into_iter()
            .zip(&request.compiled.schedules)
        {
            let step = desired_step(key, schedule, &index, held_until, now);
            wanted.insert((
                key.clone(),
                step.schedule.group.clone(),
                step.schedule.name.clone(),
            ));
            if compiled.slot.switch == Switch::Off && step.action == Action::Create {
                if let Some(w) = checks::off_at_creation(&compiled.expression, compiled.start) {
                    plan.warnings.push(format!("{}: {w}", spec.label()));
                }
            }
            plan.steps.push(step);
        }
        for schedule in spec.notify_schedules(key, &request.compiled) {
            let step = desired_step(key, schedule, &index, held_until, now);
            wanted.insert((
                key.clone(),
                step.schedule.group.clone(),
                step.schedule.name.clone(),
            ));
            plan.steps.push(step);
        }
        plan_adoptions(&mut plan, request, &wanted, &observed.existing);
        if let Some(asked) = asked {
            plan_override(
                &mut plan,
                &mut wanted,
                request,
                asked,
                switched,
                live,
                &index,
            );
        } else if overrides.contains_key(&place) {
            // An override in AWS: its end sets what the schedules asked for now say then.
            let name = spec.id.override_name();
            if let Some(old) = index.get(&(key, spec.group.as_str(), name.as_str())) {
                if let Some(step) = override_end_update(request, switched, old) {
                    plan.steps.push(step);
                }
            }
        }
    }
    let groups: HashSet<(&ClientKey, &str)> = requests
        .iter()
        .map(|r| (&r.key, r.spec.group.as_str()))
        .collect();
    let requested: HashMap<(&ClientKey, &ServiceId), &str> = requests
        .iter()
        .map(|r| ((&r.key, &r.spec.id), r.spec.group.as_str()))
        .collect();
    let mut moves = BTreeSet::new();
    for (key, schedule) in &observed.existing {
        if let Some(id) = schedule.override_of().filter(|_| {
            !wanted.contains(&(key.clone(), schedule.group.clone(), schedule.name.clone()))
        }) {
            // An override's end schedule: kept while the override lasts, unless its service is
            // removed; one whose time has passed (it deletes itself after it runs) is removed.
            let ended =
                crate::overrides::Override::read(schedule).is_none_or(|(_, o)| o.until <= now);
            let removed = match prune {
                Prune::Nothing => false,
                Prune::Groups => {
                    groups.contains(&(key, schedule.group.as_str()))
                        && !requested.contains_key(&(key, id))
                }
                Prune::Services(slots) => slots.iter().any(|slot| {
                    slot.key == *key && slot.group.as_str() == schedule.group && slot.id == *id
                }),
            };
            if ended || removed {
                if removed && !ended {
                    plan.notes.push(format!(
                        "{id} in {key}: its override is removed with its schedules"
                    ));
                }
                plan.steps.push(Step {
                    key: key.clone(),
                    schedule: schedule.clone(),
                    action: Action::Delete,
                });
            }
            continue;
        }
        let notified = schedule.notify_of();
        let Some(id) = schedule.owner().map(|o| o.0).or(notified.as_ref()) else {
            continue;
        };
        // A schedule cannot change group: a service asked for in another group than the one
        // that holds its schedule moves by delete there and create in the new group.
        if let Some(group) = requested.get(&(key, id)).filter(|g| **g != schedule.group) {
            moves.insert(format!(
                "{id} in {key}: moves from schedule group '{}' to '{group}' (a schedule cannot \
                 change group: its schedules are created in '{group}', then deleted from '{}')",
                schedule.group, schedule.group
            ));
            plan.steps.push(Step {
                key: key.clone(),
                schedule: schedule.clone(),
                action: Action::Delete,
            });
            continue;
        }
        // A requested service's own schedule that it no longer has (a segment that ended, a
        // time or a skipped day removed) is deleted whatever the prune rule.
        let own = requested.get(&(key, id)) == Some(&schedule.group.as_str());
        let pruned = own
            || match prune {
                Prune::Nothing => false,
                Prune::Groups => groups.contains(&(key, schedule.group.as_str())),
                Prune::Services(slots) => slots.iter().any(|slot| {
                    slot.key == *key && slot.group.as_str() == schedule.group && slot.id == *id
                }),
            };
        if pruned && !wanted.contains(&(key.clone(), schedule.group.clone(), schedule.name.clone()))
        {
            plan.steps.push(Step {
                key: key.clone(),
                schedule: schedule.clone(),
                action: Action::Delete,
            });
        }
    }
    plan.notes.extend(role_notes);
    plan.notes.extend(moves);
    plan.steps.sort_by(|a, b| step_order(a).cmp(&step_order(b)));
    plan
}

/// The deletes of the schedules a request adopts: each one that still exists and calls
/// UpdateService for the service is replaced (deleted once the service's own schedules are
/// written); one that calls anything else is kept, with a warning.
fn plan_adoptions(
    plan: &mut Plan,
    request: &ServiceRequest,
    wanted: &HashSet<(ClientKey, String, String)>,
    existing: &[(ClientKey, Schedule)],
) {
    let (key, spec) = (&request.key, &request.spec);
    for adopted in &spec.adopt {
        let place = (key.clone(), adopted.group.to_string(), adopted.name.clone());
        if wanted.contains(&place) {
            plan.details.push(format!(
                "{}: adopt: {adopted} is the name of one of its own schedules: nothing to replace",
                spec.label()
            ));
            continue;
        }
        let found = existing
            .iter()
            .find(|(k, s)| k == key && s.group == adopted.group.as_str() && s.name == adopted.name);
        let Some((_, schedule)) = found else {
            plan.details.push(format!(
                "{}: adopt: {adopted} does not exist (already replaced)",
                spec.label()
            ));
            continue;
        };
        match adopted_service(schedule) {
            Ok(id) if id == spec.id => {
                plan.notes.push(format!(
                    "{}: {adopted} is replaced by its ecs-onoff schedules (adopted: deleted \
                     once they are written)",
                    spec.label()
                ));
                plan.steps.push(Step {
                    key: key.clone(),
                    schedule: schedule.clone(),
                    action: Action::Delete,
                });
            }
            Ok(id) => plan.warnings.push(format!(
                "{}: adopt: {adopted} turns {id} on or off, not this service: it is not deleted",
                spec.label()
            )),
            Err(reason) => plan.warnings.push(format!(
                "{}: adopt: {adopted} is not deleted: {reason}",
                spec.label()
            )),
        }
    }
}

/// The service a schedule that ecs-onoff does not manage turns on or off, when it calls ECS
/// UpdateService with parameters ecs-onoff could write; else why not.
pub fn adopted_service(schedule: &Schedule) -> Result<ServiceId, String> {
    if schedule.owner().is_some()
        || schedule.override_of().is_some()
        || schedule.notify_of().is_some()
    {
        return Err("it is an ecs-onoff schedule".to_string());
    }
    if !crate::schedule::is_update_service_target(&schedule.target_arn) {
        return Err(format!(
            "its target is {}, not ECS UpdateService",
            schedule.target_arn
        ));
    }
    crate::schedule::UpdateService::read_any(&schedule.input.render()).map(|u| u.service)
}

/// The step that makes one schedule a request asks for exist as it should: held until an
/// override's end when there is one, carrying over the fields ecs-onoff does not manage.
pub(crate) fn desired_step(
    key: &ClientKey,
    mut schedule: Schedule,
    index: &HashMap<ScheduleKey, &Schedule>,
    held_until: Option<Timestamp>,
    now: Timestamp,
) -> Step {
    let old = index
        .get(&(key, schedule.group.as_str(), schedule.name.as_str()))
        .copied();
    if let Some(held) = held_until.and_then(|until| crate::overrides::hold(&schedule, until, now)) {
        schedule = held;
    }
    let action = match old {
        Some(old) => {
            schedule.unmanaged = old.unmanaged.clone();
            diff(&schedule, Some(&without_past_start(old, now)))
        }
        None => Action::Create,
    };
    Step {
        key: key.clone(),
        action,
        schedule,
    }
}

/// The end schedule of an override that exists, updated when the count the service's schedules
/// give at its end has changed (the file's schedules changed during the override).
fn override_end_update(
    request: &ServiceRequest,
    switched: Switching,
    old: &Schedule,
) -> Option<Step> {
    let (_, o) = crate::overrides::Override::read(old)?;
    let regular = request.schedules_with(switched);
    let then_count = crate::overrides::scheduled_count(&regular, o.until)?;
    let then = crate::overrides::in_effect(&regular, o.until, then_count);
    if then_count == o.then_count && then.is_none_or(|t| t.input == old.input) {
        return None;
    }
    let mut end = crate::overrides::Override { then_count, ..o }.end_schedule(
        &request.spec.id,
        regular.first()?,
        then,
    );
    end.unmanaged = old.unmanaged.clone();
    Some(Step {
        key: request.key.clone(),
        action: diff(&end, Some(old)),
        schedule: end,
    })
}

/// The end schedule of an override asked for in a file, and the count to set at once.
#[allow(clippy::too_many_arguments)]
fn plan_override(
    plan: &mut Plan,
    wanted: &mut HashSet<(ClientKey, String, String)>,
    request: &ServiceRequest,
    asked: &crate::overrides::OverrideRequest,
    switched: Switching,
    live: Option<&LiveService>,
    index: &HashMap<ScheduleKey, &Schedule>,
) {
    let (key, spec) = (&request.key, &request.spec);
    let regular = request.schedules_with(switched);
    let Some(model) = regular.first() else {
        return;
    };
    // Autoscaling-aware: the bounds of the state kept (a count is not kept against them).
    let bounds = match switched {
        Switching::Bounds(on) => Some(match asked.state {
            Switch::On => on,
            Switch::Off => Bounds {
                min: spec.off_count,
                max: spec.off_count,
            },
        }),
        Switching::Count(_) => None,
    };
    if let (Some(_), Some(n)) = (bounds, asked.count) {
        plan.warnings.push(format!(
            "{}: its override's count {n} is not used: with autoscaling-aware schedules an \
             override keeps the bounds of its on (or off) schedule",
            spec.label()
        ));
    }
    let count = bounds.map(|b| b.min).unwrap_or_else(|| {
        asked.count.unwrap_or(match asked.state {
            Switch::On => switched.on_count(),
            Switch::Off => spec.off_count,
        })
    });
    let before = live.map_or(count, |l| l.desired_count);
    let o = crate::overrides::Override {
        state: asked.state,
        count,
        until: asked.until,
        then_count: crate::overrides::scheduled_count(&regular, asked.until).unwrap_or(before),
        zone: spec.zone.name().to_string(),
    };
    let then = crate::overrides::in_effect(&regular, asked.until, o.then_count);
    let end = o.end_schedule(&spec.id, model, then);
    let old = index
        .get(&(key, end.group.as_str(), end.name.as_str()))
        .copied();
    let action = diff(&end, old);
    wanted.insert((key.clone(), end.group.clone(), end.name.clone()));
    let live_bounds = live.and_then(|l| match &l.scaling {
        Scaling::Targets(t) => t.first().copied(),
        Scaling::Unread(_) => None,
    });
    let differs = match bounds {
        Some(b) => live_bounds != Some(b),
        None => live.is_none_or(|l| l.desired_count != count),
    };
    if differs {
        plan.counts.push(CountChange {
            key: key.clone(),
            id: spec.id.clone(),
            from: live.map(|l| l.desired_count),
            to: count,
            bounds,
            reason: format!("override: kept {} until {}", asked.state, o.until_local()),
        });
    }
    plan.steps.push(Step {
        key: key.clone(),
        schedule: end,
        action,
    });
}

type StepOrder<'a> = (
    &'a ClientKey,
    &'a str,
    Option<&'a ServiceId>,
    Option<Slot>,
    &'a str,
);

fn step_order(step: &Step) -> StepOrder<'_> {
    let owner = step.owner();
    (
        &step.key,
        &step.schedule.group,
        owner.map(|o| o.0),
        owner.map(|o| o.1),
        &step.schedule.name,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{Input, UpdateService};
    use crate::spec::tests::{key, request_of, spec};

    fn request(cluster: &str, service: &str) -> ServiceRequest {
        request_of(spec(cluster, service), key("us-east-1"))
    }

    fn existing(r: &ServiceRequest, count: u32) -> Vec<(ClientKey, Schedule)> {
        r.schedules(count)
            .into_iter()
            .map(|s| (r.key.clone(), s))
            .collect()
    }

    fn now() -> Timestamp {
        "2026-11-25T00:00:00Z".parse().unwrap()
    }

    fn verbs(plan: &Plan) -> Vec<(String, &'static str)> {
        plan.steps
            .iter()
            .map(|s| (s.schedule.name.clone(), s.action.verb()))
            .collect()
    }

    #[test]
    fn verbs_planned_and_done() {
        let all = [
            Action::Create,
            Action::Update(vec![]),
            Action::Delete,
            Action::Unchanged,
        ];
        let planned: Vec<_> = all.iter().map(Action::verb).collect();
        let done: Vec<_> = all.iter().map(Action::done).collect();
        assert_eq!(planned, ["create", "update", "delete", "unchanged"]);
        assert_eq!(done, ["created", "updated", "deleted", "unchanged"]);
    }

    #[test]
    fn on_count_defaults() {
        assert_eq!(
            on_count(Some(0), Some(5), Some(3)),
            (0, CountSource::Request)
        );
        assert_eq!(
            on_count(None, Some(5), Some(3)),
            (5, CountSource::LiveService)
        );
        assert_eq!(
            on_count(None, Some(0), Some(3)),
            (3, CountSource::ExistingSchedule)
        );
        assert_eq!(on_count(None, None, Some(3)).0, 3);
        assert_eq!(on_count(None, Some(0), Some(0)), (1, CountSource::Default));
        assert_eq!(on_count(None, None, None).0, 1);
    }

    #[test]
    fn diff_reports_each_changed_field() {
        let r = request("prod", "web");
        let a = r.schedules(2).remove(0);
        assert_eq!(diff(&a, None), Action::Create);
        assert_eq!(diff(&a, Some(&a.clone())), Action::Unchanged);
        let mut reordered = a.clone();
        reordered.input = Input::parse(r#"{"DesiredCount":2,"Service":"web","Cluster":"prod"}"#);
        assert_eq!(diff(&a, Some(&reordered)), Action::Unchanged);
        let b = r.schedules(3).remove(0);
        let Action::Update(changes) = diff(&b, Some(&a)) else {
            panic!("expected an update")
        };
        let fields: Vec<_> = changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, ["Description", "Target.Input"]);
        let mut lost_state = a.clone();
        lost_state.state = None;
        assert!(matches!(diff(&a, Some(&lost_state)), Action::Update(_)));
    }

    #[test]
    fn plan_creates_then_is_unchanged_and_keeps_the_existing_count() {
        let r = request("prod", "web");
        let plan = plan(
            std::slice::from_ref(&r),
            &Observed::default(),
            &Prune::Nothing,
            now(),
        );
        assert_eq!(
            verbs(&plan),
            [
                ("prod.web.on".to_string(), "create"),
                ("prod.web.off".to_string(), "create")
            ]
        );
        assert!(
            plan.details[0].contains("on count 1, from the default"),
            "{:?}",
            plan.details
        );
        // An existing on schedule with count 4 keeps its count when the service is off.
        let observed = Observed {
            existing: existing(&r, 4),
            ..Observed::default()
        };
        let again = super::plan(std::slice::from_ref(&r), &observed, &Prune::Nothing, now());
        assert_eq!(again.tally().unchanged, 2);
        assert!(again.details[0].contains("from the existing on schedule"));
    }

    #[test]
    fn prune_deletes_only_managed_schedules_not_asked_for() {
        let keep = request("prod", "web");
        let gone = request("prod", "old");
        let mut foreign = gone.schedules(1).remove(0);
        foreign.name = "nightly-backup".into();
        let mut other_target = gone.schedules(1).remove(0);
        other_target.target_arn = "arn:aws:lambda:us-east-1:123456789012:function:f".into();
        let mut observed = Observed {
            existing: [existing(&keep, 1), existing(&gone, 1)].concat(),
            ..Observed::default()
        };
        observed.existing.push((keep.key.clone(), foreign));
        observed.existing.push((keep.key.clone(), other_target));
        let requests = [keep.clone()];
        let pruned = plan(&requests, &observed, &Prune::Groups, now());
        assert_eq!(
            verbs(&pruned),
            [
                ("prod.old.on".to_string(), "delete"),
                ("prod.old.off".to_string(), "delete"),
                ("prod.web.on".to_string(), "unchanged"),
                ("prod.web.off".to_string(), "unchanged"),
            ]
        );
        let kept = plan(&requests, &observed, &Prune::Nothing, now());
        assert_eq!(kept.tally().delete, 0);
        // unschedule: no request, one service pruned.
        let slot = ServiceSlot {
            key: keep.key.clone(),
            group: GroupName::default_group(),
            id: keep.spec.id.clone(),
        };
        let unschedule = plan(
            &[],
            &observed,
            &Prune::Services(BTreeSet::from([slot])),
            now(),
        );
        assert_eq!(
            verbs(&unschedule),
            [
                ("prod.web.on".to_string(), "delete"),
                ("prod.web.off".to_string(), "delete")
            ]
        );
    }

    #[test]
    fn a_requested_service_loses_the_schedules_it_no_longer_has() {
        let r = request("prod", "web");
        let mut stale = r.schedules(1).remove(0);
        stale.name = "prod.web.on-20261224".into();
        let mut observed = Observed {
            existing: existing(&r, 1),
            ..Observed::default()
        };
        observed.existing.push((r.key.clone(), stale));
        let p = plan(std::slice::from_ref(&r), &observed, &Prune::Nothing, now());
        assert_eq!(
            verbs(&p),
            [
                ("prod.web.on".to_string(), "unchanged"),
                ("prod.web.on-20261224".to_string(), "delete"),
                ("prod.web.off".to_string(), "unchanged"),
            ]
        );
    }

    #[test]
    fn an_override_in_aws_is_kept_and_its_end_follows_the_schedules() {
        let r = request("prod", "web");
        let until: Timestamp = "2026-11-25T10:00:00Z".parse().unwrap(); // 11:00 in Berlin
        let regular = r.schedules(4);
        let o = crate::overrides::Override {
            state: Switch::Off,
            count: 0,
            until,
            then_count: 7,
            zone: "Europe/Berlin".into(),
        };
        let mut end = o.end_schedule(&r.spec.id, &regular[0], None);
        end.unmanaged.action_after_completion = Some("DELETE".into());
        let held: Vec<(ClientKey, Schedule)> = regular
            .iter()
            .map(|s| {
                let h = crate::overrides::hold(s, until, now()).unwrap_or_else(|| s.clone());
                (r.key.clone(), h)
            })
            .chain([(r.key.clone(), end)])
            .collect();
        let mut r4 = r.clone();
        r4.spec.on_count = Some(4);
        let observed = Observed {
            existing: held,
            ..Observed::default()
        };
        let p = plan(std::slice::from_ref(&r4), &observed, &Prune::Nothing, now());
        // The held schedules stay held; the end is updated to the count the schedules give
        // at 11:00 on a Wednesday: on, 4.
        let changed: Vec<(String, &'static str)> = verbs(&p)
            .into_iter()
            .filter(|(_, v)| *v != "unchanged")
            .collect();
        assert_eq!(changed, [("prod.web.override".to_string(), "update")]);
        let step = p
            .steps
            .iter()
            .find(|s| s.schedule.name == "prod.web.override")
            .unwrap();
        assert_eq!(step.schedule.input.desired_count(), Some(4));
        // Once it has ended, its leftover is removed.
        let later = plan(
            std::slice::from_ref(&r4),
            &observed,
            &Prune::Nothing,
            "2026-11-26T00:00:00Z".parse().unwrap(),
        );
        assert!(later
            .steps
            .iter()
            .any(|s| s.schedule.name == "prod.web.override" && s.action == Action::Delete));
    }

    #[test]
    fn another_region_is_another_schedule() {
        let here = request("prod", "web");
        let mut there = here.clone();
        there.key = key("eu-west-1");
        let observed = Observed {
            existing: existing(&here, 1),
            ..Observed::default()
        };
        let p = plan(&[there], &observed, &Prune::Groups, now());
        assert_eq!(p.tally().create, 2);
        assert_eq!(
            p.tally().delete,
            0,
            "pruning looks only at the requests' clients"
        );
    }

    #[test]
    fn warnings_come_from_the_live_service() {
        let r = request("prod", "web");
        let live = LiveService {
            arn: String::new(),
            status: "ACTIVE".into(),
            desired_count: 3,
            running_count: 3,
            capacity: Capacity {
                launch_type: Some("EC2".into()),
                capacity_providers: vec![],
            },
            scaling: Scaling::Targets(vec![crate::schedule::Bounds { min: 2, max: 6 }]),
        };
        let observed = Observed {
            services: HashMap::from([((r.key.clone(), r.spec.id.clone()), live)]),
            existing: vec![],
            roles: HashMap::new(),
        };
        // By default a target with MinCapacity above 0 makes the schedules autoscaling-aware.
        let p = plan(std::slice::from_ref(&r), &observed, &Prune::Nothing, now());
        assert!(
            p.warnings.iter().any(|w| w.contains("EC2 launch type")),
            "{:?}",
            p.warnings
        );
        assert!(p.notes.iter().any(|n| n.contains("autoscaling-aware")));
        assert!(
            p.details[0].contains("on count 2, the MinCapacity"),
            "{:?}",
            p.details
        );
        let bounds = |min, max| {
            Input::Bounds(crate::schedule::ScalableTarget {
                service: r.spec.id.clone(),
                bounds: Bounds { min, max },
            })
        };
        let of = |p: &Plan, switch| {
            p.steps
                .iter()
                .find(|s| s.owner().unwrap().1.switch == switch)
                .unwrap()
                .schedule
                .clone()
        };
        assert_eq!(of(&p, Switch::On).input, bounds(2, 6));
        assert_eq!(of(&p, Switch::Off).input, bounds(0, 0));
        assert!(crate::schedule::is_register_target(
            &of(&p, Switch::On).target_arn
        ));
        // Turned off: desiredCount schedules, and the warning.
        let mut plain = r.clone();
        plain.spec.autoscaling = false;
        let p = plan(
            std::slice::from_ref(&plain),
            &observed,
            &Prune::Nothing,
            now(),
        );
        assert!(
            p.warnings.iter().any(|w| w.contains("MinCapacity 2")),
            "{:?}",
            p.warnings
        );
        assert!(p.details[0].contains("on count 3, from the service's live desiredCount"));
        assert_eq!(
            of(&p, Switch::On).input,
            Input::UpdateService(UpdateService {
                service: r.spec.id.clone(),
                desired_count: 3
            })
        );
    }

    #[test]
    fn autoscaling_bounds_are_recorded_kept_at_night_and_drift_is_shown() {
        let r = request("prod", "web");
        let b = |min, max| Bounds { min, max };
        let live = |target: Option<Bounds>| LiveService {
            arn: String::new(),
            status: "ACTIVE".into(),
            desired_count: 0,
            running_count: 0,
            capacity: Capacity::default(),
            scaling: Scaling::Targets(target.into_iter().collect()),
        };
        let choose = |l: Option<&LiveService>, on: Option<Bounds>| {
            switching(&r.spec, l, Recorded { on, off: None }, 3)
        };
        // Recorded from the live target at the first apply.
        let (s, w, _) = choose(Some(&live(Some(b(2, 6)))), None);
        assert_eq!((s, w.len()), (Switching::Bounds(b(2, 6)), 0));
        // At night the target is at the off bounds: the recorded ones are kept, no drift.
        let (s, w, _) = choose(Some(&live(Some(b(0, 0)))), Some(b(2, 6)));
        assert_eq!((s, w.len()), (Switching::Bounds(b(2, 6)), 0));
        // Changed in the console: the new bounds, and a warning saying so.
        let (s, w, _) = choose(Some(&live(Some(b(3, 8)))), Some(b(2, 6)));
        assert_eq!(s, Switching::Bounds(b(3, 8)));
        assert!(w[0].contains("changed since they were recorded"), "{w:?}");
        // Not read (dry run): the recorded bounds stay; none recorded: desiredCount.
        assert_eq!(choose(None, Some(b(2, 6))).0, Switching::Bounds(b(2, 6)));
        assert_eq!(choose(None, None).0, Switching::Count(3));
        // At its off bounds with nothing recorded: the bounds to restore are unknown.
        let (s, w, _) = choose(Some(&live(Some(b(0, 0)))), None);
        assert_eq!(s, Switching::Count(3));
        assert!(w[0].contains("no bounds to restore are recorded"), "{w:?}");
        // The off count changed at night: the target is at the old off bounds, the recorded
        // on bounds stay.
        let mut one = r.spec.clone();
        one.off_count = 1;
        let recorded = Recorded {
            on: Some(b(2, 6)),
            off: Some(b(0, 0)),
        };
        let (s, _, _) = switching(&one, Some(&live(Some(b(0, 0)))), recorded, 3);
        assert_eq!(s, Switching::Bounds(b(2, 6)));
        // Off times only: nothing would restore the bounds, so desiredCount and the warning.
        let mut off_only = r.spec.clone();
        off_only.times =
            crate::compile::Times::switches(None, Some(off_only.times.expressions().1[0].clone()))
                .unwrap();
        let (s, w, _) = switching(
            &off_only,
            Some(&live(Some(b(2, 6)))),
            Recorded::default(),
            3,
        );
        assert_eq!(s, Switching::Count(3));
        assert!(w[0].contains("MinCapacity 2"), "{w:?}");
        // Turned off at night: the bounds to restore are named.
        let mut plain = r.spec.clone();
        plain.autoscaling = false;
        let (_, w, _) = switching(&plain, Some(&live(Some(b(0, 0)))), recorded, 3);
        assert!(
            w.iter()
                .any(|w| w.contains("still at the off bounds") && w.contains("MinCapacity 2")),
            "{w:?}"
        );
        let mut night_one = r.spec.clone();
        night_one.off_count = 1;
        let (s, w, _) = switching(
            &night_one,
            Some(&live(Some(b(1, 1)))),
            Recorded::default(),
            3,
        );
        assert_eq!(s, Switching::Count(3));
        assert!(w[0].contains("no bounds to restore are recorded"), "{w:?}");
        // MinCapacity 0, no target, a target gone: desiredCount.
        assert_eq!(
            choose(Some(&live(Some(b(0, 4)))), None).0,
            Switching::Count(3)
        );
        assert_eq!(choose(Some(&live(None)), None).0, Switching::Count(3));
        let (s, _, n) = choose(Some(&live(None)), Some(b(2, 6)));
        assert_eq!(s, Switching::Count(3));
        assert!(n[0].contains("target is gone"), "{n:?}");
        // An on_count that the bounds do not give is said to be unused.
        let mut counted = r.spec.clone();
        counted.on_count = Some(4);
        let (_, w, _) = switching(&counted, Some(&live(Some(b(2, 6)))), Recorded::default(), 4);
        assert!(w[0].contains("on_count 4 is not used"), "{w:?}");
    }

    #[test]
    fn role_gaps_are_warned_and_a_group_gap_only_once() {
        let requests: Vec<ServiceRequest> = ["web", "api"]
            .iter()
            .map(|service| request_of(spec("prod", service), key("eu-west-1")))
            .collect();
        let role = requests[0].spec.role_arn.as_ref().unwrap().to_string();
        // Trusted for another group only, and allowed to update web only.
        let grants = crate::iam::Grants {
            groups: BTreeSet::from([
                "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/other".to_string(),
            ]),
            services: BTreeSet::from([
                "arn:aws:ecs:eu-west-1:123456789012:service/prod/web".to_string()
            ]),
            ..Default::default()
        };
        let docs = crate::iam::RoleDocuments {
            trust: Some(grants.trust_policy("123456789012").unwrap()),
            policies: vec![grants.execution_policy().unwrap()],
        };
        let observed = Observed {
            roles: HashMap::from([((key("eu-west-1"), role.clone()), RoleRead::Read(docs))]),
            ..Observed::default()
        };
        let p = plan(&requests, &observed, &Prune::Nothing, now());
        let with = |needle: &str| -> Vec<String> {
            p.warnings
                .iter()
                .filter(|w| w.contains(needle))
                .cloned()
                .collect()
        };
        let trust = with("does not let Scheduler assume it");
        assert_eq!(trust.len(), 1, "{:?}", p.warnings);
        assert!(
            trust[0].contains("schedule-group/ecs-onoff"),
            "{}",
            trust[0]
        );
        let update = with("does not allow ecs:UpdateService");
        assert_eq!(update.len(), 1, "{:?}", p.warnings);
        assert!(update[0].contains("service/prod/api"), "{}", update[0]);
        // A role that could not be read: one note, no warning.
        let observed = Observed {
            roles: HashMap::from([(
                (key("eu-west-1"), role),
                RoleRead::Unchecked("no permission".into()),
            )]),
            ..Observed::default()
        };
        let p = plan(&requests, &observed, &Prune::Nothing, now());
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        assert!(
            !p.warnings.iter().any(|w| w.contains("role")),
            "{:?}",
            p.warnings
        );
    }
}
