//! `ecs-onoff import`: a fleet file from the schedules that turn ECS services on and off in some
//! schedule groups, whoever made them.

use crate::cli::{GlobalArgs, ImportArgs};
use crate::exit::ExitStatus;
use crate::import::{Found, Imported, OtherTarget};
use crate::output::Printer;
use crate::reconcile::{self, Lanes};
use crate::report::Render;
use serde::Serialize;

/// The groups read when none is named: the console's and ecs-onoff's.
const DEFAULT_GROUPS: [&str; 2] = ["default", crate::naming::DEFAULT_GROUP];

/// What `import` found, and the fleet file it wrote.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub region: String,
    pub groups: Vec<String>,
    #[serde(flatten)]
    pub imported: Imported,
    pub other_targets: Vec<OtherTarget>,
    /// The fleet file (TOML).
    pub fleet: String,
}

impl Render for ImportReport {
    fn text(&self, _: &crate::report::Style) -> String {
        self.fleet.clone()
    }
}

pub async fn run(
    args: &ImportArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let (lanes, key) = Lanes::open_flags(&global.aws_settings()).await?;
    let client = &lanes.clients(&key).scheduler;
    let existing: Vec<String> = crate::aws::scheduler::groups(client)
        .await?
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let groups: Vec<String> = if args.all_groups {
        existing
    } else if args.group.is_empty() {
        DEFAULT_GROUPS
            .iter()
            .filter(|g| existing.iter().any(|e| e == *g))
            .map(|g| g.to_string())
            .collect()
    } else {
        let mut named = Vec::new();
        for g in &args.group {
            if existing.iter().any(|e| e == g.as_str()) {
                named.push(g.to_string());
            } else {
                printer.warn(&format!("schedule group '{g}' does not exist in {key}"));
            }
        }
        named
    };
    let (schedules, others) = reconcile::group_schedules(&lanes, &key, &groups).await?;
    let found: Vec<Found> = schedules
        .into_iter()
        .map(|schedule| Found {
            region: key.region.clone(),
            schedule,
        })
        .collect();
    let now = jiff::Timestamp::now();
    let imported = crate::import::recognise(&found, now);
    let others: Vec<OtherTarget> = others
        .into_iter()
        .map(|(schedule, target)| OtherTarget {
            region: key.region.to_string(),
            schedule,
            target,
        })
        .collect();
    let header = vec![
        format!(
            "ecs-onoff fleet file, imported from the schedule groups {} in {} at {}.",
            if groups.is_empty() {
                "(none)".to_string()
            } else {
                groups.join(", ")
            },
            key.region,
            now.round(jiff::Unit::Second).unwrap_or(now)
        ),
        "Check it with `ecs-onoff plan -f FILE` before `ecs-onoff apply -f FILE`.".to_string(),
    ];
    let fleet = crate::import::render(&imported, &others, &header);
    printer.note(&format!(
        "{} service(s) imported ({} exactly as ecs-onoff wrote them, {} adopting schedules of \
         other names); {} left out; {} schedule(s) with other targets left alone",
        imported.entries.len(),
        imported.entries.iter().filter(|e| e.exact).count(),
        imported
            .entries
            .iter()
            .filter(|e| !e.adopt.is_empty())
            .count(),
        imported.left_out.len(),
        others.len()
    ));
    printer.emit(&ImportReport {
        region: key.region.to_string(),
        groups,
        imported,
        other_targets: others,
        fleet,
    })?;
    Ok(ExitStatus::Success)
}
