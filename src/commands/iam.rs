//! `ecs-onoff iam ...`: print the IAM documents, or create the execution role with them.

use super::block_on;
use crate::arn::{AccountId, RoleArn};
use crate::aws::{self, iam as aws_iam, Settings};
use crate::cli::{
    AccountArgs, CreateRoleArgs, ExecutionPolicyArgs, GlobalArgs, IamArgs, IamCommand,
};
use crate::exit::{ExitStatus, InvalidInput};
use crate::iam::{self, Grants, Scope, EXECUTION_POLICY_NAME};
use crate::output::Printer;
use crate::plan::Action;
use crate::reconcile::{self, DEFAULT_CONCURRENCY};
use crate::report::{Document, GrantsReport, RoleReport};
use crate::schedule::ServiceId;
use crate::spec::Connection;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub fn run(args: &IamArgs, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let settings = global.aws_settings();
    let doc = match &args.command {
        IamCommand::TrustPolicy(a) => iam::trust_policy(&scope(&a.account, &settings)?, &a.group)
            .map_err(InvalidInput::new)?,
        IamCommand::ExecutionPolicy(a) => execution_policy(a, &settings, printer)?,
        IamCommand::OperatorPolicy(a) => {
            let role = match (&a.role_arn, &a.role_name) {
                (Some(arn), _) => arn.to_string(),
                (None, Some(name)) => name.to_string(),
                (None, None) => {
                    return Err(InvalidInput::new("give --role-name or --role-arn").into())
                }
            };
            iam::operator_policy(&scope(&a.account, &settings)?, &role, &a.group)
                .map_err(InvalidInput::new)?
        }
        IamCommand::CreateRole(a) => return block_on(create_role(a, &settings, printer)),
    };
    printer.emit(&Document(doc))?;
    Ok(ExitStatus::Success)
}

fn ids(
    cluster: &crate::naming::ClusterName,
    services: &[crate::naming::ServiceName],
) -> Vec<ServiceId> {
    services
        .iter()
        .map(|service| ServiceId {
            cluster: cluster.clone(),
            service: service.clone(),
        })
        .collect()
}

fn execution_policy(
    a: &ExecutionPolicyArgs,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<Value> {
    let dlq = a.services.dead_letter_arn.as_ref().map(|q| q.as_str());
    if let Some(path) = &a.from_file {
        return from_file(path, dlq, settings, printer);
    }
    let Some(cluster) = &a.services.cluster else {
        return Err(InvalidInput::new("give --cluster and --service, or --from-file").into());
    };
    let scope = scope(&a.account, settings)?;
    Ok(iam::execution_policy(
        &scope,
        &ids(cluster, &a.services.service),
        dlq,
        a.services.notify_topic.as_ref().map(|t| t.as_str()),
        !a.services.no_autoscaling,
        &a.services.asgs,
    )
    .map_err(InvalidInput::new)?)
}

/// Account and Region: from the flags (and AWS_REGION) when both are given, without any call;
/// otherwise from the AWS configuration and STS.
fn scope(account: &AccountArgs, settings: &Settings) -> anyhow::Result<Scope> {
    if let (Some(id), Some(region)) = (&account.account_id, settings.region_from_flags_or_env()?) {
        return Ok(Scope {
            account: id.to_string(),
            region: region.to_string(),
        });
    }
    block_on(resolve_scope(account.account_id.as_ref(), settings)).map(|(_, scope)| scope)
}

/// The AWS configuration, and the scope: its Region, and the account from the flag or STS.
async fn resolve_scope(
    account: Option<&AccountId>,
    settings: &Settings,
) -> anyhow::Result<(aws_config::SdkConfig, Scope)> {
    let (key, config) = aws::load(settings, &Connection::default()).await?;
    let account = match account {
        Some(id) => id.clone(),
        None => {
            aws::check_credentials(&config, key.profile.as_ref()).await?;
            aws::sts::account_id(&config).await?
        }
    };
    Ok((
        config,
        Scope {
            account: account.to_string(),
            region: key.region.to_string(),
        },
    ))
}

/// The role name in a role ARN (after its path).
fn role_name_of(role: &RoleArn) -> &str {
    role.as_str().rsplit('/').next().unwrap_or_default()
}

/// What each execution role of a fleet file must allow, keyed by role ARN: every group (in its
/// Region), service and dead-letter queue of the entries that name it.
async fn fleet_grants(
    path: &std::path::Path,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<BTreeMap<RoleArn, Grants>> {
    let fleet = crate::input::read_fleet(path)?;
    let specs = &fleet.services;
    let mut resolved = Vec::new();
    // Capacity-aware services without `asg` have their groups found through their capacity
    // providers, as `plan` does.
    let discover =
        |s: &crate::spec::ServiceSpec| s.capacity.as_ref().is_some_and(|c| c.asg.is_none());
    let mut lanes = None;
    if !fleet.selectors.is_empty() || specs.iter().any(discover) {
        // [[select]] entries name their services in AWS: resolved as `plan` does.
        let (opened, chosen) =
            reconcile::open_fleet(&fleet, settings, DEFAULT_CONCURRENCY, printer).await?;
        for spec in chosen.into_iter().skip(specs.len()) {
            let region = opened.connections.key(&spec.connection).region.clone();
            resolved.push((region, spec));
        }
        lanes = Some(opened);
    }
    let fallback = settings.region_from_flags_or_env()?;
    let mut roles: BTreeMap<RoleArn, Grants> = BTreeMap::new();
    let mut all = Vec::new();
    for spec in specs {
        let region = spec
            .region_or(fallback.as_ref())
            .map_err(InvalidInput::new)?;
        iam::grant(&mut roles, &region, spec);
        all.push((region, spec));
    }
    for (region, spec) in &resolved {
        iam::grant(&mut roles, region, spec);
        all.push((region.clone(), spec));
    }
    if let Some(lanes) = &lanes {
        let wanted: Vec<&crate::spec::ServiceSpec> = all
            .iter()
            .map(|(_, s)| *s)
            .filter(|s| discover(s))
            .collect();
        let found = reconcile::carrying_groups(lanes, &wanted).await?;
        for (region, spec) in &all {
            let (Some(role), true) = (&spec.role_arn, discover(spec)) else {
                continue;
            };
            let key = lanes.connections.key(&spec.connection).clone();
            for group in found.get(&(key, spec.id.clone())).into_iter().flatten() {
                let grants = roles.entry(role.clone()).or_default();
                grants
                    .capacity
                    .insert(iam::group_arn(region, role.account(), group));
            }
        }
    }
    Ok(roles)
}

/// One execution policy per role of a fleet file (a role serves every Region it is used in). A
/// single role gives the policy itself; several give an object keyed by role ARN.
fn from_file(
    path: &std::path::Path,
    dead_letter_arn: Option<&str>,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<Value> {
    let mut docs = serde_json::Map::new();
    for (role, mut grants) in block_on(fleet_grants(path, settings, printer))? {
        grants.queues.extend(dead_letter_arn.map(str::to_string));
        let doc = grants
            .execution_policy()
            .map_err(|e| InvalidInput::with_context(format!("role {role}"), e))?;
        docs.insert(role.to_string(), doc);
    }
    if docs.len() == 1 {
        return Ok(docs.into_iter().next().map(|(_, d)| d).unwrap_or_default());
    }
    printer.note(&format!(
        "{} execution roles: one policy each, keyed by role ARN",
        docs.len()
    ));
    Ok(Value::Object(docs))
}

/// What `create-role` must make the role allow: from the flags (one group in the Region), or
/// from a fleet file (its entries that name this role).
async fn wanted_grants(
    a: &CreateRoleArgs,
    scope: &Scope,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<Grants> {
    if let Some(path) = &a.from_file {
        let roles = fleet_grants(path, settings, printer).await?;
        let mine: Vec<(&RoleArn, &Grants)> = roles
            .iter()
            .filter(|(role, _)| role_name_of(role) == a.role_name.as_str())
            .collect();
        let Some((role, grants)) = mine.first() else {
            return Err(InvalidInput::new(format!(
                "no entry of {} names role {} in its role_arn",
                path.display(),
                a.role_name
            ))
            .into());
        };
        if role.account() != scope.account {
            return Err(InvalidInput::new(format!(
                "{} is in account {}, but the credentials are for account {}",
                role,
                role.account(),
                scope.account
            ))
            .into());
        }
        return Ok((*grants).clone());
    }
    let Some(cluster) = &a.services.cluster else {
        return Err(InvalidInput::new("give --cluster and --service, or --from-file").into());
    };
    let services: BTreeSet<String> = ids(cluster, &a.services.service)
        .iter()
        .map(|id| crate::arn::service_arn(&scope.region, &scope.account, &id.cluster, &id.service))
        .collect();
    Ok(Grants {
        groups: BTreeSet::from([crate::arn::schedule_group_arn(
            &scope.region,
            &scope.account,
            &a.group,
        )]),
        services: services.clone(),
        queues: a
            .services
            .dead_letter_arn
            .as_ref()
            .map(ToString::to_string)
            .into_iter()
            .collect(),
        topics: a
            .services
            .notify_topic
            .as_ref()
            .map(ToString::to_string)
            .into_iter()
            .collect(),
        scaling: if a.services.no_autoscaling {
            BTreeSet::new()
        } else {
            services
        },
        capacity: a
            .services
            .asgs
            .iter()
            .map(|g| iam::group_arn(&scope.region, &scope.account, g))
            .collect(),
    })
}

/// Puts the ARNs the services really have in place of the long-form ARNs assumed: a service
/// created before 2021 may still have the short `service/NAME` ARN, and the policy must name
/// that one. Services that cannot be read keep the long form, with a note.
async fn real_service_arns(config: &aws_config::SdkConfig, grants: &mut Grants, printer: &Printer) {
    // arn:PARTITION:ecs:REGION:ACCOUNT:service/CLUSTER/NAME
    let mut by_place: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
    for arn in &grants.services {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let Some(["service", cluster, name]) = parts
            .get(5)
            .map(|r| r.splitn(3, '/').collect::<Vec<_>>())
            .as_deref()
            .and_then(|v| <[&str; 3]>::try_from(v).ok())
        else {
            continue;
        };
        by_place
            .entry((parts[3].to_string(), cluster.to_string()))
            .or_default()
            .push((name.to_string(), arn.clone()));
    }
    for ((region, cluster), services) in by_place {
        let ecs = aws_sdk_ecs::Client::from_conf(
            aws_sdk_ecs::config::Builder::from(config)
                .region(aws_config::Region::new(region.clone()))
                .build(),
        );
        for chunk in services.chunks(aws::ecs::DESCRIBE_BATCH) {
            let names: Vec<&str> = chunk.iter().map(|(n, _)| n.as_str()).collect();
            let infos = match aws::ecs::describe(&ecs, &cluster, &names).await {
                Ok(infos) => infos.unwrap_or_default(),
                Err(e) => {
                    printer.note(&format!(
                        "could not read services of cluster '{cluster}' in {region} ({}): the \
                         policy names their long-form ARNs",
                        e.code
                    ));
                    continue;
                }
            };
            for (name, assumed) in chunk {
                let Some(info) = infos.iter().find(|i| &i.name == name) else {
                    continue;
                };
                if !info.arn.is_empty() && info.arn != *assumed {
                    printer.note(&format!(
                        "service {cluster}/{name} has the ARN {}: the policy names it",
                        info.arn
                    ));
                    grants.services.remove(assumed);
                    grants.services.insert(info.arn.clone());
                }
            }
        }
    }
}

/// Says what a change of the role's documents adds or removes, one line each.
fn report_changes(printer: &Printer, role: &str, verb: &str, grants: &Grants) {
    for (what, items) in [
        ("schedule group", &grants.groups),
        ("service", &grants.services),
        ("dead-letter queue", &grants.queues),
        ("heads-up topic", &grants.topics),
        ("Auto Scaling group", &grants.capacity),
    ] {
        for item in items {
            printer.note(&format!("role {role}: {verb} {what} {item}"));
        }
    }
}

async fn create_role(
    a: &CreateRoleArgs,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let (config, scope) = resolve_scope(a.account.account_id.as_ref(), settings).await?;
    let mut wanted = wanted_grants(a, &scope, settings, printer).await?;
    real_service_arns(&config, &mut wanted, printer).await;
    let client = aws_sdk_iam::Client::new(&config);
    let role = aws_iam::get_role(&client, &a.role_name).await?;
    let current_policy = match &role {
        Some(_) => aws_iam::get_role_policy(&client, &a.role_name, EXECUTION_POLICY_NAME).await?,
        None => None,
    };
    let current_trust = role.as_ref().and_then(|(_, t)| t.clone());
    let current = Grants::of(current_trust.as_ref(), current_policy.as_ref());
    let merged = if a.exact {
        wanted
    } else {
        current.union(&wanted)
    };
    // Both documents are built, and their sizes checked, before anything is written.
    let ours = merged
        .trust_policy(&scope.account)
        .map_err(InvalidInput::new)?;
    let trust = if a.exact {
        ours
    } else {
        iam::with_trust_statement(current_trust.as_ref(), &ours)
    };
    let policy = merged.execution_policy().map_err(InvalidInput::new)?;
    let (arn, trust_action) = match role {
        None => (
            aws_iam::create_role(&client, &a.role_name, &trust).await?,
            Action::Create,
        ),
        Some((arn, current)) if current.as_ref() == Some(&trust) => (arn, Action::Unchanged),
        Some((arn, _)) => {
            aws_iam::update_trust(&client, &a.role_name, &trust).await?;
            (arn, Action::Update(Vec::new()))
        }
    };
    let policy_action = match &current_policy {
        Some(current) if *current == policy => Action::Unchanged,
        existing => {
            aws_iam::put_role_policy(&client, &a.role_name, EXECUTION_POLICY_NAME, &policy).await?;
            if existing.is_some() {
                Action::Update(Vec::new())
            } else {
                Action::Create
            }
        }
    };
    let added = merged.without(&current);
    let removed = current.without(&merged);
    report_changes(printer, &a.role_name, "added", &added);
    report_changes(printer, &a.role_name, "removed", &removed);
    printer.note(&format!(
        "role {}: trust policy {}, inline policy {EXECUTION_POLICY_NAME} {}",
        a.role_name,
        trust_action.done(),
        policy_action.done()
    ));
    printer.emit(&RoleReport {
        role_name: a.role_name.to_string(),
        role_arn: arn,
        trust_policy: trust_action.done(),
        execution_policy: policy_action.done(),
        policy_name: EXECUTION_POLICY_NAME,
        added: GrantsReport::from(&added),
        removed: GrantsReport::from(&removed),
    })?;
    Ok(ExitStatus::Success)
}
