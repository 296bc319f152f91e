//! `ecs-onoff iam ...`: print the IAM documents, or create the execution role with them.

use super::block_on;
use crate::arn::AccountId;
use crate::aws::{self, iam as aws_iam, Settings};
use crate::cli::{
    AccountArgs, CreateRoleArgs, ExecutionPolicyArgs, GlobalArgs, IamArgs, IamCommand,
};
use crate::exit::{ExitStatus, InvalidInput};
use crate::iam::{self, Scope, EXECUTION_POLICY_NAME};
use crate::output::Printer;
use crate::plan::Action;
use crate::report::{Document, RoleReport};
use crate::schedule::ServiceId;
use crate::spec::Connection;
use serde_json::Value;
use std::collections::BTreeMap;

pub fn run(args: &IamArgs, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let settings = global.aws_settings();
    let doc = match &args.command {
        IamCommand::TrustPolicy(a) => iam::trust_policy(&scope(&a.account, &settings)?, &a.group)
            .map_err(InvalidInput::new)?,
        IamCommand::ExecutionPolicy(a) => execution_policy(a, &settings, printer)?,
        IamCommand::OperatorPolicy(a) => {
            iam::operator_policy(&scope(&a.account, &settings)?, &a.role_name, &a.group)
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
    let dlq = a.dead_letter_arn.as_ref().map(|q| q.as_str());
    if let Some(path) = &a.from_file {
        return from_file(path, dlq, settings, printer);
    }
    let Some(cluster) = &a.cluster else {
        return Err(InvalidInput::new("give --cluster and --service, or --from-file").into());
    };
    let scope = scope(&a.account, settings)?;
    Ok(iam::execution_policy(&scope, &ids(cluster, &a.service), dlq).map_err(InvalidInput::new)?)
}

/// One execution policy per account (from each entry's role_arn) and Region of a fleet file.
/// A single pair gives the policy itself; several give an object keyed `account/region`.
fn from_file(
    path: &std::path::Path,
    dead_letter_arn: Option<&str>,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<Value> {
    let specs = crate::input::read_fleet(path)?;
    let fallback = settings.region_from_flags_or_env()?;
    let mut groups: BTreeMap<(String, String), Vec<ServiceId>> = BTreeMap::new();
    for spec in &specs {
        let region = spec
            .connection
            .region
            .clone()
            .or_else(|| fallback.clone())
            .ok_or_else(|| {
                InvalidInput::new(format!(
                    "{}: no region: set region in the file or pass --region",
                    spec.label()
                ))
            })?;
        let account = spec
            .role_arn
            .as_ref()
            .map(|r| r.account().to_string())
            .unwrap_or_default();
        groups
            .entry((account, region.to_string()))
            .or_default()
            .push(spec.id.clone());
    }
    let mut docs = serde_json::Map::new();
    for ((account, region), services) in &groups {
        let scope = Scope {
            account: account.clone(),
            region: region.clone(),
        };
        let doc = iam::execution_policy(&scope, services, dead_letter_arn).map_err(|e| {
            InvalidInput::with_context(format!("account {account}, Region {region}"), e)
        })?;
        docs.insert(format!("{account}/{region}"), doc);
    }
    if docs.len() == 1 {
        return Ok(docs.into_iter().next().map(|(_, d)| d).unwrap_or_default());
    }
    printer.note(&format!(
        "{} accounts/Regions: one execution policy each, keyed account/region",
        docs.len()
    ));
    Ok(Value::Object(docs))
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

async fn create_role(
    a: &CreateRoleArgs,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let services = ids(&a.services.cluster, &a.services.service);
    let dlq = a.services.dead_letter_arn.as_ref().map(|q| q.as_str());
    let (config, scope) = resolve_scope(a.account.account_id.as_ref(), settings).await?;
    let trust = iam::trust_policy(&scope, &a.group).map_err(InvalidInput::new)?;
    let policy = iam::execution_policy(&scope, &services, dlq).map_err(InvalidInput::new)?;
    let client = aws_sdk_iam::Client::new(&config);
    let (arn, trust_action) = match aws_iam::get_role(&client, &a.role_name).await? {
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
    let policy_action = match aws_iam::get_role_policy(&client, &a.role_name, EXECUTION_POLICY_NAME)
        .await?
    {
        Some(current) if current == policy => Action::Unchanged,
        existing => {
            aws_iam::put_role_policy(&client, &a.role_name, EXECUTION_POLICY_NAME, &policy).await?;
            if existing.is_some() {
                Action::Update(Vec::new())
            } else {
                Action::Create
            }
        }
    };
    printer.note(&format!(
        "role {}: trust policy {}",
        a.role_name,
        trust_action.done()
    ));
    printer.note(&format!(
        "role {}: inline policy {EXECUTION_POLICY_NAME} {}",
        a.role_name,
        policy_action.done()
    ));
    printer.emit(&RoleReport {
        role_name: a.role_name.to_string(),
        role_arn: arn,
        trust_policy: trust_action.done(),
        execution_policy: policy_action.done(),
        policy_name: EXECUTION_POLICY_NAME,
    })?;
    Ok(ExitStatus::Success)
}
