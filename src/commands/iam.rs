//! `ecs-onoff iam ...`: print the IAM documents, or create the execution role with them.

use crate::aws::{self, iam as aws_iam};
use crate::cli::{AccountArgs, CreateRoleArgs, GlobalArgs, IamArgs, IamCommand};
use crate::exit::{ExitStatus, InvalidInput};
use crate::iam::{self, Scope, ServiceName, EXECUTION_POLICY_NAME};
use crate::output::Printer;
use crate::{arn, naming};
use serde_json::{json, Value};

pub fn run(args: &IamArgs, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match &args.command {
        IamCommand::TrustPolicy(a) => {
            check_group(&a.group)?;
            check_account(&a.account)?;
            let scope = scope(&a.account, global)?;
            print(
                printer,
                &iam::trust_policy(&scope, &a.group).map_err(invalid)?,
            )
        }
        IamCommand::ExecutionPolicy(a) => {
            check_account(&a.account)?;
            if let Some(path) = &a.from_file {
                return from_file(path, a.dead_letter_arn.as_deref(), global, printer);
            }
            let cluster = a.cluster.as_deref().unwrap_or_default();
            let services = check_services(cluster, &a.service, a.dead_letter_arn.as_deref())?;
            let scope = scope(&a.account, global)?;
            let doc = iam::execution_policy(&scope, &services, a.dead_letter_arn.as_deref())
                .map_err(invalid)?;
            print(printer, &doc)
        }
        IamCommand::OperatorPolicy(a) => {
            check_group(&a.group)?;
            iam::validate_role_name(&a.role_name).map_err(invalid)?;
            check_account(&a.account)?;
            let scope = scope(&a.account, global)?;
            print(
                printer,
                &iam::operator_policy(&scope, &a.role_name, &a.group).map_err(invalid)?,
            )
        }
        IamCommand::CreateRole(a) => super::block_on(create_role(a, global, printer)),
    }
}

fn invalid(e: iam::IamError) -> anyhow::Error {
    InvalidInput(e.to_string()).into()
}

fn print(printer: &Printer, doc: &Value) -> anyhow::Result<ExitStatus> {
    printer.data(&iam::render(doc));
    Ok(ExitStatus::Success)
}

fn check_group(group: &str) -> anyhow::Result<()> {
    naming::validate_group(group).map_err(|e| InvalidInput(format!("invalid --group: {e}")).into())
}

fn check_account(account: &AccountArgs) -> anyhow::Result<()> {
    if let Some(id) = &account.account_id {
        arn::validate_account(id)
            .map_err(|e| InvalidInput(format!("invalid --account-id: {e}")))?;
    }
    Ok(())
}

fn check_services(
    cluster: &str,
    services: &[String],
    dead_letter_arn: Option<&str>,
) -> anyhow::Result<Vec<ServiceName>> {
    naming::validate_cluster(cluster)
        .map_err(|e| InvalidInput(format!("invalid --cluster: {e}")))?;
    for service in services {
        naming::validate_service(service)
            .map_err(|e| InvalidInput(format!("invalid --service: {e}")))?;
    }
    if let Some(dlq) = dead_letter_arn {
        arn::validate_queue_arn(dlq)
            .map_err(|e| InvalidInput(format!("invalid --dead-letter-arn: {e}")))?;
    }
    Ok(services
        .iter()
        .map(|s| (cluster.to_string(), s.clone()))
        .collect())
}

/// One execution policy per account (from each entry's role_arn) and Region of a fleet file.
/// A single pair prints the policy itself; several print an object keyed `account/region`.
fn from_file(
    path: &std::path::Path,
    dead_letter_arn: Option<&str>,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    if let Some(dlq) = dead_letter_arn {
        arn::validate_queue_arn(dlq)
            .map_err(|e| InvalidInput(format!("invalid --dead-letter-arn: {e}")))?;
    }
    let fleet = super::fleet::read_fleet(path)?;
    let fallback_region = aws::region_from_flags_or_env(global)?;
    let mut groups: std::collections::BTreeMap<(String, String), Vec<ServiceName>> =
        std::collections::BTreeMap::new();
    for e in &fleet.entries {
        let region = e
            .region
            .clone()
            .or_else(|| fallback_region.clone())
            .ok_or_else(|| {
                InvalidInput(format!(
                    "{}:{}: no region for {}/{}: set region in the file or pass --region",
                    path.display(),
                    e.location.line,
                    e.cluster,
                    e.service
                ))
            })?;
        let account = arn::account_of(&e.role_arn).unwrap_or_default().to_string();
        groups
            .entry((account, region))
            .or_default()
            .push((e.cluster.clone(), e.service.clone()));
    }
    let mut docs = serde_json::Map::new();
    for ((account, region), services) in &groups {
        let scope = Scope {
            account: account.clone(),
            region: region.clone(),
        };
        let doc = iam::execution_policy(&scope, services, dead_letter_arn)
            .map_err(|e| InvalidInput(format!("account {account}, Region {region}: {e}")))?;
        docs.insert(format!("{account}/{region}"), doc);
    }
    if docs.len() == 1 {
        let doc = docs.into_iter().next().map(|(_, d)| d).unwrap_or_default();
        return print(printer, &doc);
    }
    printer.note(&format!(
        "{} accounts/Regions: one execution policy each, keyed account/region",
        docs.len()
    ));
    print(printer, &Value::Object(docs))
}

/// Account and Region: from the flags (and AWS_REGION) when given, without any call; otherwise
/// from the AWS configuration and STS.
fn scope(account: &AccountArgs, global: &GlobalArgs) -> anyhow::Result<Scope> {
    let region = aws::region_from_flags_or_env(global)?;
    if let (Some(account), Some(region)) = (&account.account_id, &region) {
        return Ok(Scope {
            account: account.clone(),
            region: region.clone(),
        });
    }
    super::block_on(resolve_scope(account, global)).map(|(_, scope)| scope)
}

/// The AWS configuration, and the scope: its Region, and the account from the flag or STS.
async fn resolve_scope(
    account: &AccountArgs,
    global: &GlobalArgs,
) -> anyhow::Result<(aws_config::SdkConfig, Scope)> {
    let config = aws::load_config(global).await?;
    let region = aws::region_of(&config);
    let account = match &account.account_id {
        Some(id) => id.clone(),
        None => aws::sts::account_id(&config).await?,
    };
    Ok((config, Scope { account, region }))
}

async fn create_role(
    a: &CreateRoleArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    iam::validate_role_name(&a.role_name).map_err(invalid)?;
    check_group(&a.group)?;
    check_account(&a.account)?;
    let services = check_services(
        &a.services.cluster,
        &a.services.service,
        a.services.dead_letter_arn.as_deref(),
    )?;
    let (config, scope) = resolve_scope(&a.account, global).await?;
    let trust = iam::trust_policy(&scope, &a.group).map_err(invalid)?;
    let policy = iam::execution_policy(&scope, &services, a.services.dead_letter_arn.as_deref())
        .map_err(invalid)?;

    let client = aws_sdk_iam::Client::new(&config);
    let (arn, trust_action) = match aws_iam::get_role(&client, &a.role_name).await? {
        None => (
            aws_iam::create_role(&client, &a.role_name, &trust).await?,
            "created",
        ),
        Some((arn, current)) if current.as_ref() == Some(&trust) => (arn, "unchanged"),
        Some((arn, _)) => {
            aws_iam::update_trust(&client, &a.role_name, &trust).await?;
            (arn, "updated")
        }
    };
    let policy_action = match aws_iam::get_role_policy(&client, &a.role_name, EXECUTION_POLICY_NAME)
        .await?
    {
        Some(current) if current == policy => "unchanged",
        existing => {
            aws_iam::put_role_policy(&client, &a.role_name, EXECUTION_POLICY_NAME, &policy).await?;
            if existing.is_some() {
                "updated"
            } else {
                "created"
            }
        }
    };
    if printer.is_json() {
        printer.json(&json!({
            "role_name": a.role_name,
            "role_arn": arn,
            "trust_policy": trust_action,
            "execution_policy": policy_action,
            "policy_name": EXECUTION_POLICY_NAME,
        }));
    } else {
        printer.note(&format!(
            "role {}: trust policy {trust_action}",
            a.role_name
        ));
        printer.note(&format!(
            "role {}: inline policy {EXECUTION_POLICY_NAME} {policy_action}",
            a.role_name
        ));
        printer.data(&format!("{arn}\n"));
    }
    Ok(ExitStatus::Success)
}
