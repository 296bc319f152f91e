//! `ecs-onoff export`: the plan of `apply` (against the live state, or offline), every schedule it
//! would write, as Terraform or CloudFormation.

use crate::cli::{ExportArgs, ExportFormat, GlobalArgs};
use crate::exit::{ExitStatus, InvalidInput};
use crate::export::{Bundle, Role};
use crate::iam::Grants;
use crate::output::Printer;
use crate::plan::{Action, Observed, Plan, Prune};
use crate::reconcile::{self, DEFAULT_CONCURRENCY};
use crate::report::{Document, Plain};
use crate::spec::{ClientKey, ServiceRequest, ServiceSpec};
use std::collections::BTreeMap;

/// The plan made without any AWS call: no live service, no existing schedule.
fn offline_plan(
    specs: &[ServiceSpec],
    global: &GlobalArgs,
    now: jiff::Timestamp,
    printer: &Printer,
) -> anyhow::Result<(Plan, Vec<(String, ServiceSpec)>)> {
    let fallback = global.aws_settings().region_from_flags_or_env()?;
    let mut requests = Vec::new();
    let mut regions = Vec::new();
    let mut problems = Vec::new();
    for spec in specs {
        let region = match spec.region_or(fallback.as_ref()) {
            Ok(region) => region,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        match spec.compile(now) {
            Ok(compiled) => {
                regions.push((region.to_string(), spec.clone()));
                requests.push(ServiceRequest {
                    key: ClientKey {
                        region,
                        profile: spec.connection.profile.clone(),
                    },
                    spec: spec.clone(),
                    compiled,
                });
            }
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        return Err(InvalidInput::new(problems.join("\n")).into());
    }
    reconcile::check_partitions(&requests)?;
    printer.note("offline: no service was read; desiredCounts are the file's on_count, else 1");
    let capacity: Vec<String> = specs
        .iter()
        .filter(|s| s.capacity.is_some())
        .map(ServiceSpec::label)
        .collect();
    if !capacity.is_empty() {
        printer.warn(&format!(
            "offline: the Auto Scaling groups' schedules of capacity-aware entries are not \
             exported (they are made from the groups' live sizes and services): {}; export \
             without --offline",
            capacity.join(", ")
        ));
    }
    Ok((
        crate::plan::plan(&requests, &Observed::default(), &Prune::Nothing, now),
        regions,
    ))
}

pub async fn run(
    args: &ExportArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let fleet = crate::input::read_fleet(&args.file)?;
    let now = jiff::Timestamp::now();
    let (plan, regions) = if args.offline {
        if !fleet.selectors.is_empty() {
            return Err(InvalidInput::new(
                "[[select]] entries choose services from AWS: export without --offline",
            )
            .into());
        }
        offline_plan(&fleet.services, global, now, printer)?
    } else {
        let (lanes, specs) =
            reconcile::open_fleet(&fleet, &global.aws_settings(), DEFAULT_CONCURRENCY, printer)
                .await?;
        let regions = specs
            .iter()
            .map(|s| {
                let key = lanes.connections.key(&s.connection);
                (key.region.to_string(), s.clone())
            })
            .collect();
        let prepared =
            reconcile::prepare(lanes, specs.clone(), &Prune::Nothing, true, printer).await?;
        (prepared.plan, regions)
    };
    let mut bundle = Bundle::default();
    // The schedules a service has for good: an override (its end schedule, the holds) is an
    // operation of the moment, not infrastructure, and is left out.
    let steady = plan.steps.iter().filter(|s| {
        s.action != Action::Delete
            && s.schedule.override_of().is_none()
            && s.schedule.capacity_override_of().is_none()
    });
    for step in steady {
        let mut schedule = crate::overrides::release(&step.schedule);
        schedule.start_date = schedule.start_date.filter(|t| *t > now);
        let region = step.key.region.to_string();
        let groups = bundle.groups.entry(region.clone()).or_default();
        if !groups.contains(&step.schedule.group) {
            groups.push(step.schedule.group.clone());
        }
        bundle.schedules.entry(region).or_default().push(schedule);
    }
    if args.with_iam {
        let mut roles: BTreeMap<crate::arn::RoleArn, Grants> = BTreeMap::new();
        for (region, spec) in &regions {
            crate::iam::grant(&mut roles, region, spec);
        }
        // The groups capacity schedules resize, however they were found.
        for step in &plan.steps {
            let Some((group, _)) = step.schedule.capacity_owner() else {
                continue;
            };
            let Ok(role) = step.schedule.role_arn.parse::<crate::arn::RoleArn>() else {
                continue;
            };
            let arn = crate::iam::group_arn(&step.key.region, role.account(), group);
            roles.entry(role).or_default().capacity.insert(arn);
        }
        for (arn, grants) in roles {
            let context = |e| InvalidInput::with_context(format!("role {arn}"), e);
            bundle.roles.push(Role {
                name: arn
                    .as_str()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                trust: grants.trust_policy(arn.account()).map_err(context)?,
                policy: grants.execution_policy().map_err(context)?,
                arn: arn.to_string(),
            });
        }
    }
    match args.format {
        ExportFormat::Terraform => printer.emit(&Plain(crate::export::terraform(&bundle)))?,
        ExportFormat::Cloudformation => printer.emit(&Document(
            crate::export::cloudformation(&bundle).map_err(InvalidInput::new)?,
        ))?,
    }
    Ok(ExitStatus::Success)
}
