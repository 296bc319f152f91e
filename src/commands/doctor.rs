//! `ecs-onoff doctor`: reads what the checks of [`crate::doctor`] need for each service (of the
//! flags, or of a fleet file) and reports the findings.

use crate::aws::{self, autoscaling, ecs, scheduler, ErrorKind};
use crate::cli::{DoctorArgs, GlobalArgs};
use crate::doctor::{Examination, Facts, GroupFacts, OtherWriter, ServiceFacts, Severity};
use crate::exit::{ExitStatus, InvalidInput};
use crate::iam::RoleRead;
use crate::naming::GroupName;
use crate::output::Printer;
use crate::plan::Scaling;
use crate::reconcile::{self, Lanes, DEFAULT_CONCURRENCY};
use crate::report::{Render, Style};
use crate::schedule::{Schedule, ServiceId, UpdateService};
use crate::spec::{ClientKey, Connection};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// One service examined.
#[derive(Debug, Serialize)]
pub struct ServiceReport {
    pub cluster: String,
    pub service: String,
    pub region: String,
    pub group: String,
    #[serde(flatten)]
    pub examination: Examination,
}

/// `doctor`'s report.
#[derive(Debug, Serialize)]
pub struct DoctorReport {
    pub services: Vec<ServiceReport>,
    pub summary: Summary,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub unchecked: usize,
}

impl Render for DoctorReport {
    fn text(&self, _: &Style) -> String {
        let mut out = String::new();
        for s in &self.services {
            let head = format!(
                "{}/{} in {} (group {})",
                s.cluster, s.service, s.region, s.group
            );
            if s.examination.findings.is_empty() && s.examination.unchecked.is_empty() {
                let _ = writeln!(out, "{head}: nothing found");
                continue;
            }
            let _ = writeln!(out, "{head}:");
            for f in &s.examination.findings {
                let severity = match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                let _ = writeln!(out, "  {severity} [{}] {}", f.code, f.message);
                let _ = writeln!(out, "    fix: {}", f.fix);
                if let Some(c) = &f.command {
                    let _ = writeln!(out, "    run: {c}");
                }
            }
            for u in &s.examination.unchecked {
                let _ = writeln!(out, "  not checked: {} ({})", u.what, u.why);
            }
        }
        let _ = writeln!(
            out,
            "Doctor: {} error(s), {} warning(s), {} not checked",
            self.summary.errors, self.summary.warnings, self.summary.unchecked
        );
        out
    }
}

/// A service to examine, reached through a connection.
struct Target {
    connection: Connection,
    id: ServiceId,
    group: GroupName,
}

pub async fn run(
    args: &DoctorArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let settings = global.aws_settings();
    let (lanes, targets) = match &args.file {
        Some(path) => {
            let fleet = crate::input::read_fleet(path)?;
            let (lanes, specs) =
                reconcile::open_fleet(&fleet, &settings, DEFAULT_CONCURRENCY, printer).await?;
            let targets = specs
                .into_iter()
                .map(|s| Target {
                    connection: s.connection,
                    id: s.id,
                    group: s.group,
                })
                .collect();
            (lanes, targets)
        }
        None => {
            let (Some(cluster), Some(service)) = (&args.cluster, &args.service) else {
                return Err(InvalidInput::new("give --cluster and --service, or -f FILE").into());
            };
            let (lanes, _) = Lanes::open_flags(&settings).await?;
            let target = Target {
                connection: Connection::default(),
                id: ServiceId {
                    cluster: cluster.clone(),
                    service: service.clone(),
                },
                group: args.group.clone(),
            };
            (lanes, vec![target])
        }
    };
    let now = jiff::Timestamp::now();
    let mut by_key: BTreeMap<ClientKey, Vec<&Target>> = BTreeMap::new();
    for t in &targets {
        by_key
            .entry(lanes.connections.key(&t.connection).clone())
            .or_default()
            .push(t);
    }
    let mut services = Vec::new();
    for (key, targets) in by_key {
        for facts in read(&lanes, &key, &targets).await? {
            let examination = crate::doctor::examine(&facts, now);
            services.push(ServiceReport {
                cluster: facts.id.cluster.to_string(),
                service: facts.id.service.to_string(),
                region: key.region.to_string(),
                group: facts.group.to_string(),
                examination,
            });
        }
    }
    let count = |severity| {
        services
            .iter()
            .flat_map(|s| &s.examination.findings)
            .filter(|f| f.severity == severity)
            .count()
    };
    let summary = Summary {
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        unchecked: services.iter().map(|s| s.examination.unchecked.len()).sum(),
    };
    let healthy = summary.errors + summary.warnings + summary.unchecked == 0;
    printer.emit(&DoctorReport { services, summary })?;
    Ok(if healthy {
        ExitStatus::Success
    } else {
        ExitStatus::Changes
    })
}

/// Why a read failed, for "not checked".
fn why(e: &aws::AwsError) -> String {
    match e.kind {
        ErrorKind::AccessDenied => format!("no permission to read it ({})", e.code),
        _ => e.to_string(),
    }
}

/// Everything the checks need about the targets of one client.
async fn read(lanes: &Lanes, key: &ClientKey, targets: &[&Target]) -> anyhow::Result<Vec<Facts>> {
    let clients = lanes.clients(key);
    // The services, 10 per DescribeServices call per cluster.
    let mut by_cluster: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for t in targets {
        by_cluster
            .entry(t.id.cluster.to_string())
            .or_default()
            .push(t.id.service.as_str());
    }
    let mut described: HashMap<(String, String), ServiceFacts> = HashMap::new();
    for (cluster, names) in &by_cluster {
        for chunk in names.chunks(ecs::DESCRIBE_BATCH) {
            for info in ecs::describe(&clients.ecs, cluster, chunk)
                .await?
                .unwrap_or_default()
            {
                described.insert(
                    (cluster.clone(), info.name.clone()),
                    ServiceFacts {
                        arn: info.arn,
                        status: info.status,
                        desired_count: info.desired_count,
                        daemon: info.daemon,
                        capacity: info.capacity,
                    },
                );
            }
        }
    }
    // Every schedule that calls UpdateService or RegisterScalableTarget (or publishes a
    // heads-up), in every group: a service's own, and those of other owners.
    let all = match scheduler::groups(&clients.scheduler).await {
        Ok(groups) => {
            let names: Vec<String> = groups.into_iter().map(|(name, _)| name).collect();
            match reconcile::group_schedules(lanes, key, &names).await {
                Ok((schedules, _)) => Ok(schedules),
                Err(e) => Err(e.to_string()),
            }
        }
        Err(e) => Err(why(&e)),
    };
    // The scalable targets, 50 services a DescribeScalableTargets call.
    let rids: Vec<String> = targets
        .iter()
        .map(|t| autoscaling::resource_id(&t.id.cluster, &t.id.service))
        .collect();
    let mut bounds = Ok(HashMap::new());
    for chunk in rids.chunks(autoscaling::DESCRIBE_BATCH) {
        match autoscaling::bounds(&clients.autoscaling, chunk).await {
            Ok(found) => {
                if let Ok(all) = &mut bounds {
                    all.extend(found);
                }
            }
            Err(e) => bounds = Err(why(&e)),
        }
    }
    // The groups under the services' capacity providers, and those the capacity schedules
    // switch for the services examined (a plain EC2 launch-type service's group is named only
    // there).
    let examined: std::collections::BTreeSet<String> =
        targets.iter().map(|t| t.id.to_string()).collect();
    let switched: std::collections::BTreeSet<crate::capacity::AsgName> = all
        .iter()
        .flatten()
        .filter(|s| {
            crate::capacity::carried(&s.description)
                .0
                .iter()
                .any(|c| examined.contains(c))
        })
        .filter_map(|s| s.capacity_owner().map(|(g, _)| g.clone()))
        .collect();
    let mut groups = read_groups(clients, &described, &switched).await;
    let rules = aws::events::rule_targets(&aws_sdk_eventbridge::Client::new(&clients.config))
        .await
        .map_err(|e| why(&e));
    let mut roles: HashMap<String, RoleRead> = HashMap::new();
    let mut queues: HashMap<String, Result<bool, String>> = HashMap::new();
    let mut out = Vec::new();
    for (t, rid) in targets.iter().zip(&rids) {
        let id = &t.id;
        let scaling = match &mut bounds {
            Ok(found) => Scaling::Targets(found.remove(rid).unwrap_or_default()),
            Err(e) => Scaling::Unread(e.clone()),
        };
        let actions = autoscaling::scheduled_actions(&clients.autoscaling, rid)
            .await
            .map_err(|e| why(&e));
        let (schedules, others) = match &all {
            Ok(all) => {
                let (own, others) = split(all, id, &t.group);
                let others = actions.map(|actions| {
                    let mut o: Vec<OtherWriter> = actions
                        .into_iter()
                        .map(|(name, schedule)| OtherWriter {
                            what: format!("Application Auto Scaling scheduled action {name}"),
                            schedule,
                        })
                        .collect();
                    o.extend(others);
                    o
                });
                (Ok(own), others)
            }
            Err(e) => (Err(e.clone()), Err(e.clone())),
        };
        // Each dead-letter queue of its schedules, read once per run.
        let mut dead_letter = Vec::new();
        let arns: std::collections::BTreeSet<String> = schedules
            .as_ref()
            .map(|s| s.iter().filter_map(|s| s.dead_letter_arn.clone()).collect())
            .unwrap_or_default();
        for arn in arns {
            if !queues.contains_key(&arn) {
                let region = arn.split(':').nth(3).unwrap_or_default().to_string();
                let config = aws_sdk_sqs::config::Builder::from(&clients.config)
                    .region(aws_sdk_sqs::config::Region::new(region))
                    .build();
                let client = aws_sdk_sqs::Client::from_conf(config);
                let found = aws::sqs::queue_exists(&client, &arn)
                    .await
                    .map_err(|e| why(&e));
                queues.insert(arn.clone(), found);
            }
            dead_letter.push((arn.clone(), queues[&arn].clone()));
        }
        let role_arn = schedules
            .as_ref()
            .ok()
            .and_then(|s| s.iter().find(|s| s.owner().is_some()))
            .map(|s| s.role_arn.clone());
        let role = match role_arn {
            Some(arn) => {
                if !roles.contains_key(&arn) {
                    let client = aws_sdk_iam::Client::new(&clients.config);
                    let name = arn.rsplit('/').next().unwrap_or_default();
                    let read = match aws::iam::role_documents(&client, name).await {
                        Ok(Some(docs)) => RoleRead::Read(docs),
                        Ok(None) => RoleRead::Missing,
                        Err(e) => RoleRead::Unchecked(why(&e)),
                    };
                    roles.insert(arn.clone(), read);
                }
                Some((arn.clone(), roles[&arn].clone()))
            }
            None => None,
        };
        let service_groups = match &mut groups {
            Ok((by_service, read)) => {
                let mut found = by_service
                    .remove(&(id.cluster.to_string(), id.service.to_string()))
                    .unwrap_or_default();
                for s in schedules.iter().flatten() {
                    let Some((name, _)) = s.capacity_owner() else {
                        continue;
                    };
                    if let (false, Some(r), crate::schedule::Input::GroupSize(size)) = (
                        found.iter().any(|g| &g.name == name),
                        read.get(name.as_str()),
                        &s.input,
                    ) {
                        found.push(GroupFacts {
                            name: name.clone(),
                            min_size: r.sizes.min,
                            // Schedules of a group under managed scaling set MinSize only.
                            managed: size.max.is_none(),
                            protected: r.protected,
                        });
                    }
                }
                Ok(found)
            }
            Err(e) => Err(e.clone()),
        };
        out.push(Facts {
            key: key.clone(),
            id: id.clone(),
            group: t.group.clone(),
            service: described.remove(&(id.cluster.to_string(), id.service.to_string())),
            scaling,
            others,
            rules: rules.clone(),
            schedules,
            role,
            dead_letter,
            groups: service_groups,
        });
    }
    Ok(out)
}

/// The Auto Scaling groups under each described service's EC2 capacity providers (the
/// service's strategy, else its cluster's default), with their MinSize, managed scaling and
/// scale-in protection, by service; and what DescribeAutoScalingGroups gave for those and for
/// `switched` (the groups the services' capacity schedules name). Services on Fargate or the
/// plain EC2 launch type have none under providers. `Err` says why they could not be read.
async fn read_groups(
    clients: &aws::Clients,
    described: &HashMap<(String, String), ServiceFacts>,
    switched: &std::collections::BTreeSet<crate::capacity::AsgName>,
) -> Result<GroupsRead, String> {
    let services: Vec<(&(String, String), &ServiceFacts)> = described.iter().collect();
    let asked: Vec<(&str, &crate::checks::Capacity)> = services
        .iter()
        .map(|((cluster, _), facts)| (cluster.as_str(), &facts.capacity))
        .collect();
    let placements = ecs::placements(&clients.ecs, &asked)
        .await
        .map_err(|e| why(&e))?;
    let mut carried = HashMap::new();
    for ((service, _), placement) in services.iter().zip(&placements.of) {
        if let crate::capacity::Placement::Providers(names) = placement {
            carried.insert((*service).clone(), placements.groups(names));
        }
    }
    let names: Vec<crate::capacity::AsgName> = carried
        .values()
        .flatten()
        .map(|(g, _)| g.clone())
        .chain(switched.iter().cloned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if names.is_empty() {
        return Ok((HashMap::new(), HashMap::new()));
    }
    let read = aws::asg::sizes(&clients.asg, &names)
        .await
        .map_err(|e| why(&e))?;
    let by_service = carried
        .into_iter()
        .map(|(service, groups)| {
            let groups = groups
                .into_iter()
                .filter_map(|(name, managed)| {
                    let r = read.get(name.as_str())?;
                    Some(GroupFacts {
                        protected: r.protected && !placements.lifts_protection(&name),
                        name,
                        min_size: r.sizes.min,
                        managed,
                    })
                })
                .collect();
            (service, groups)
        })
        .collect();
    Ok((by_service, read))
}

/// The groups under each service's capacity providers, by service; and each group as read, by
/// name.
type GroupsRead = (
    HashMap<(String, String), Vec<GroupFacts>>,
    HashMap<String, crate::capacity::GroupRead>,
);

/// A service's own schedules in its group, and the schedules of other owners (any group) that
/// set its count.
fn split(all: &[Schedule], id: &ServiceId, group: &GroupName) -> (Vec<Schedule>, Vec<OtherWriter>) {
    let mut own = Vec::new();
    let mut others = Vec::new();
    for s in all {
        // The capacity schedules of the group that carries it (their Description names it).
        if s.capacity_owner().is_some() {
            let (carried, _) = crate::capacity::carried(&s.description);
            if s.group == group.as_str() && carried.contains(&id.to_string()) {
                own.push(s.clone());
            }
            continue;
        }
        let ours = s
            .owner()
            .map(|o| o.0.clone())
            .or(s.override_of().cloned())
            .or(s.notify_of());
        if let Some(owner) = ours {
            if owner == *id {
                if s.group == group.as_str() {
                    own.push(s.clone());
                } else {
                    others.push(OtherWriter {
                        what: format!("ecs-onoff schedule {} in another group", s.name),
                        schedule: format!("{}/{}", s.group, s.name),
                    });
                }
            }
            continue;
        }
        let service = s.input.service().cloned().or_else(|| {
            UpdateService::read_any(&s.input.render())
                .ok()
                .map(|u| u.service)
        });
        if service.as_ref() == Some(id) {
            others.push(OtherWriter {
                what: format!("Scheduler schedule {}/{}", s.group, s.name),
                schedule: s.expression.clone(),
            });
        }
    }
    (own, others)
}
