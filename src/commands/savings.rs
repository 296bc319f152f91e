//! `ecs-onoff savings`: per service, the hours its schedules keep it off in a period and what
//! that saves, priced with the Fargate price table; totals per Region and overall; with
//! `--against`, the difference a change of fleet file makes.

use crate::aws::ecs;
use crate::cli::{GlobalArgs, SavingsArgs};
use crate::exit::{ExitStatus, InvalidInput};
use crate::fleet::Fleet;
use crate::output::Printer;
use crate::reconcile::{self, DEFAULT_CONCURRENCY};
use crate::report::{Render, Style};
use crate::savings::{
    Arch, Capacity, Money, Period, Prices, Task, EC2_CAPACITY_REASON, EC2_REASON,
};
use crate::spec::{ClientKey, ServiceSpec, TaskKeys};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// One service's savings.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceSavings {
    pub cluster: String,
    pub service: String,
    pub region: String,
    pub timezone: String,
    /// The first local day of its period.
    pub from: String,
    pub on_count: u32,
    pub task: Task,
    /// What one task costs per hour.
    pub task_usd_per_hour: f64,
    /// Hours the service is off (per task).
    pub off_hours: f64,
    pub period_hours: f64,
    #[serde(flatten)]
    pub money: Money,
    /// Why it saves $0, when it does.
    pub reason: Option<String>,
    /// Its first week, drawn compactly (Markdown output).
    #[serde(skip)]
    week: crate::timeline::Week,
}

/// A total.
#[derive(Debug, Clone, Serialize)]
pub struct Total {
    pub region: Option<String>,
    pub services: usize,
    #[serde(flatten)]
    pub money: Money,
}

/// How a service's savings change from the old fleet file to the new one.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub cluster: String,
    pub service: String,
    pub region: String,
    pub old_saved_usd: Option<f64>,
    pub new_saved_usd: Option<f64>,
    pub difference_usd: f64,
}

#[derive(Debug, Serialize)]
pub struct SavingsReport {
    /// `--from`, or null: today in each service's time zone.
    pub from: Option<String>,
    pub days: u32,
    pub services: Vec<ServiceSavings>,
    pub regions: Vec<Total>,
    pub total: Total,
    /// With `--against`: per service, what the change makes.
    pub against: Option<Vec<Change>>,
}

fn task_text(t: &Task) -> String {
    let capacity = match t.capacity {
        Capacity::Ec2 => "EC2".to_string(),
        Capacity::Fargate { spot_share: 0.0 } => "Fargate".to_string(),
        Capacity::Fargate { spot_share: 1.0 } => "Fargate Spot".to_string(),
        Capacity::Fargate { spot_share } => format!("Fargate, {:.0}% Spot", spot_share * 100.0),
    };
    let arch = match t.arch {
        Arch::X86_64 => "x86",
        Arch::Arm64 => "ARM",
    };
    format!(
        "{} vCPU / {} GB {arch}, {capacity}",
        f64::from(t.cpu) / 1024.0,
        f64::from(t.memory) / 1024.0
    )
}

impl SavingsReport {
    fn rows(&self) -> Vec<Vec<String>> {
        self.services
            .iter()
            .map(|s| {
                vec![
                    format!("{}/{}", s.cluster, s.service),
                    s.region.clone(),
                    task_text(&s.task),
                    s.on_count.to_string(),
                    format!("{:.1}", s.off_hours),
                    format!("${:.2}", s.money.always_on_usd),
                    format!("${:.2}", s.money.scheduled_usd),
                    format!("${:.2}", s.money.saved_usd),
                    format!("{:.1}%", s.money.saved_percent),
                ]
            })
            .collect()
    }
}

const HEADER: [&str; 9] = [
    "SERVICE",
    "REGION",
    "TASK",
    "TASKS",
    "OFF HOURS",
    "ALWAYS ON",
    "SCHEDULED",
    "SAVED",
    "%",
];

impl Render for SavingsReport {
    fn text(&self, _: &Style) -> String {
        let mut out = format!(
            "Savings over {} days from {} (each service's time zone):\n",
            self.days,
            self.from.as_deref().unwrap_or("today")
        );
        out.push_str(&crate::report::table(&HEADER, &self.rows()));
        for s in self.services.iter().filter(|s| s.reason.is_some()) {
            let _ = writeln!(
                out,
                "{}/{}: $0: {}",
                s.cluster,
                s.service,
                s.reason.as_deref().unwrap_or_default()
            );
        }
        for r in &self.regions {
            let _ = writeln!(out, "{}: {}", r.region.as_deref().unwrap_or(""), r.money);
        }
        let _ = writeln!(out, "Total: {}", self.total.money);
        if let Some(changes) = &self.against {
            out.push_str("Against the old fleet file:\n");
            for c in changes {
                let _ = writeln!(
                    out,
                    "  {}/{} ({}): {:+.2} USD saved",
                    c.cluster, c.service, c.region, c.difference_usd
                );
            }
        }
        out
    }

    fn markdown(&self, _: &Style) -> String {
        let mut out = format!(
            "**ecs-onoff savings**: {} days from {}, ${:.2} of ${:.2} saved ({:.1}%)\n\n",
            self.days,
            self.from.as_deref().unwrap_or("today"),
            self.total.money.saved_usd,
            self.total.money.always_on_usd,
            self.total.money.saved_percent
        );
        let _ = writeln!(out, "| {} |", HEADER.join(" | "));
        let _ = writeln!(
            out,
            "|{}",
            ["---|", "---|", "---|", "---:|", "---:|", "---:|", "---:|", "---:|", "---:|"].concat()
        );
        for row in self.rows() {
            let _ = writeln!(
                out,
                "| {} |",
                row.join(" | ").replace('|', "\\|").replace(" \\| ", " | ")
            );
        }
        let _ = writeln!(
            out,
            "| **Total** | | | | | **${:.2}** | **${:.2}** | **${:.2}** | **{:.1}%** |",
            self.total.money.always_on_usd,
            self.total.money.scheduled_usd,
            self.total.money.saved_usd,
            self.total.money.saved_percent
        );
        for s in self.services.iter().filter(|s| s.reason.is_some()) {
            let _ = writeln!(
                out,
                "\n`{}/{}` saves $0: {}",
                s.cluster,
                s.service,
                s.reason.as_deref().unwrap_or_default()
            );
        }
        if let Some(changes) = &self.against {
            out.push_str(
                "\n| SERVICE | SAVED BEFORE | SAVED AFTER | DIFFERENCE |\n|---|---:|---:|---:|\n",
            );
            let usd = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("${v:.2}"));
            for c in changes {
                let _ = writeln!(
                    out,
                    "| {}/{} | {} | {} | {:+.2} |",
                    c.cluster,
                    c.service,
                    usd(c.old_saved_usd),
                    usd(c.new_saved_usd),
                    c.difference_usd
                );
            }
        }
        let weeks: Vec<crate::timeline::Week> =
            self.services.iter().map(|s| s.week.clone()).collect();
        let _ = write!(
            out,
            "\nFirst week (two hours a cell: █ on, ▌ partly, · off):\n\n```\n{}```\n",
            crate::timeline::compact(&weeks)
        );
        out
    }
}

pub async fn run(
    args: &SavingsArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    if !(1..=366).contains(&args.days) {
        return Err(InvalidInput::new(format!("--days {}: give 1 to 366 days", args.days)).into());
    }
    let prices = match &args.prices {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| InvalidInput::new(format!("cannot read {}: {e}", path.display())))?;
            Prices::parse(&path.display().to_string(), &text).map_err(InvalidInput::new)?
        }
        None => Prices::builtin(),
    };
    let now = Timestamp::now();
    let fleet = super::week_services(&args.services)?;
    let services = compute(&fleet, args, &prices, global, printer, now).await?;
    let against = match &args.against {
        Some(path) => {
            let old = crate::input::read_fleet(path)?;
            let old = compute(&old, args, &prices, global, printer, now).await?;
            Some(changes(&old, &services))
        }
        None => None,
    };
    let mut by_region: BTreeMap<&str, Vec<&Money>> = BTreeMap::new();
    for s in &services {
        by_region.entry(&s.region).or_default().push(&s.money);
    }
    let regions = by_region
        .into_iter()
        .map(|(region, money)| Total {
            region: Some(region.to_string()),
            services: money.len(),
            money: Money::sum(money),
        })
        .collect();
    let total = Total {
        region: None,
        services: services.len(),
        money: Money::sum(services.iter().map(|s| &s.money)),
    };
    let from = args.from.map(|d| d.to_string());
    printer.emit(&SavingsReport {
        from,
        days: args.days,
        services,
        regions,
        total,
        against,
    })?;
    Ok(ExitStatus::Success)
}

/// Per service, old and new savings.
fn changes(old: &[ServiceSavings], new: &[ServiceSavings]) -> Vec<Change> {
    let key = |s: &ServiceSavings| (s.region.clone(), s.cluster.clone(), s.service.clone());
    type Saved = (Option<f64>, Option<f64>);
    let mut all: BTreeMap<(String, String, String), Saved> = BTreeMap::new();
    for s in old {
        all.entry(key(s)).or_default().0 = Some(s.money.saved_usd);
    }
    for s in new {
        all.entry(key(s)).or_default().1 = Some(s.money.saved_usd);
    }
    all.into_iter()
        .map(|((region, cluster, service), (old, new))| Change {
            cluster,
            service,
            region,
            difference_usd: ((new.unwrap_or(0.0) - old.unwrap_or(0.0)) * 100.0).round() / 100.0,
            old_saved_usd: old,
            new_saved_usd: new,
        })
        .filter(|c| {
            c.difference_usd != 0.0 || c.old_saved_usd.is_none() || c.new_saved_usd.is_none()
        })
        .collect()
}

/// The task keys of a service: its own (file), else the flags.
fn keys_of(spec: &ServiceSpec, args: &SavingsArgs) -> TaskKeys {
    TaskKeys {
        cpu: spec.task.cpu.or(args.task_cpu),
        memory: spec.task.memory.or(args.task_memory),
        storage: spec.task.storage.or(args.task_storage),
        arch: spec.task.arch.or(args.arch),
        capacity: spec.task.capacity.or(args.capacity),
    }
}

/// What the live service says: its count, task definition and capacity.
struct Live {
    desired: u32,
    task: ecs::TaskDefinitionInfo,
    capacity: Capacity,
}

fn capacity_of(info: &ecs::ServiceInfo) -> Capacity {
    let providers = &info.weights;
    if providers.is_empty() {
        return match info.capacity.launch_type.as_deref() {
            Some("FARGATE") => Capacity::Fargate { spot_share: 0.0 },
            _ => Capacity::Ec2,
        };
    }
    if providers
        .iter()
        .any(|(p, _)| p != "FARGATE" && p != "FARGATE_SPOT")
    {
        return Capacity::Ec2;
    }
    let total: i32 = providers.iter().map(|(_, w)| *w).sum();
    let spot: i32 = providers
        .iter()
        .filter(|(p, _)| p == "FARGATE_SPOT")
        .map(|(_, w)| *w)
        .sum();
    Capacity::Fargate {
        spot_share: if total > 0 {
            f64::from(spot) / f64::from(total)
        } else {
            0.0
        },
    }
}

async fn compute(
    fleet: &Fleet,
    args: &SavingsArgs,
    prices: &Prices,
    global: &GlobalArgs,
    printer: &Printer,
    now: Timestamp,
) -> anyhow::Result<Vec<ServiceSavings>> {
    let offline = fleet.selectors.is_empty()
        && fleet.services.iter().all(|s| {
            let k = keys_of(s, args);
            k.cpu.is_some() && k.memory.is_some()
        });
    // The specs with their Region, and what the live services say when they must be read.
    let mut subjects: Vec<(ServiceSpec, String, Option<Live>)> = Vec::new();
    if offline {
        let fallback = global.aws_settings().region_from_flags_or_env()?;
        for spec in &fleet.services {
            let region = spec
                .region_or(fallback.as_ref())
                .map_err(InvalidInput::new)?;
            subjects.push((spec.clone(), region.to_string(), None));
        }
    } else {
        let (lanes, specs) =
            reconcile::open_fleet(fleet, &global.aws_settings(), DEFAULT_CONCURRENCY, printer)
                .await?;
        // The services, 10 a DescribeServices call per cluster; each task definition once.
        let mut described: HashMap<(ClientKey, String, String), ecs::ServiceInfo> = HashMap::new();
        let mut by_cluster: BTreeMap<(ClientKey, String), Vec<&str>> = BTreeMap::new();
        for spec in &specs {
            let key = lanes.connections.key(&spec.connection).clone();
            by_cluster
                .entry((key, spec.id.cluster.to_string()))
                .or_default()
                .push(spec.id.service.as_str());
        }
        for ((key, cluster), names) in &by_cluster {
            for chunk in names.chunks(ecs::DESCRIBE_BATCH) {
                let found = ecs::describe(&lanes.clients(key).ecs, cluster, chunk).await?;
                for info in found.unwrap_or_default() {
                    if info.status == "ACTIVE" {
                        described.insert((key.clone(), cluster.clone(), info.name.clone()), info);
                    }
                }
            }
        }
        let mut task_definitions: HashMap<String, ecs::TaskDefinitionInfo> = HashMap::new();
        for spec in &specs {
            let key = lanes.connections.key(&spec.connection).clone();
            let place = (
                key.clone(),
                spec.id.cluster.to_string(),
                spec.id.service.to_string(),
            );
            let info = described.remove(&place).ok_or_else(|| {
                InvalidInput::new(format!(
                    "{}: the service was not found, or is not ACTIVE, in {key}",
                    spec.label()
                ))
            })?;
            if !task_definitions.contains_key(&info.task_definition) {
                let read =
                    ecs::task_definition(&lanes.clients(&key).ecs, &info.task_definition).await?;
                task_definitions.insert(info.task_definition.clone(), read);
            }
            let live = Live {
                desired: info.desired_count,
                capacity: capacity_of(&info),
                task: task_definitions[&info.task_definition].clone(),
            };
            subjects.push((spec.clone(), key.region.to_string(), Some(live)));
        }
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (spec, region, live) in subjects {
        match one(&spec, &region, live.as_ref(), args, prices, now) {
            Ok(s) => out.push(s),
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        return Err(InvalidInput::new(problems.join("\n")).into());
    }
    Ok(out)
}

/// One service's savings.
fn one(
    spec: &ServiceSpec,
    region: &str,
    live: Option<&Live>,
    args: &SavingsArgs,
    prices: &Prices,
    now: Timestamp,
) -> Result<ServiceSavings, String> {
    let label = spec.label();
    let keys = keys_of(spec, args);
    let from_live = |f: fn(&ecs::TaskDefinitionInfo) -> Option<u32>| live.and_then(|l| f(&l.task));
    let cpu = keys.cpu.or(from_live(|t| t.cpu)).ok_or_else(|| {
        format!("{label}: its task definition sets no task-level cpu: give task_cpu")
    })?;
    let memory = keys.memory.or(from_live(|t| t.memory)).ok_or_else(|| {
        format!("{label}: its task definition sets no task-level memory: give task_memory")
    })?;
    let storage = keys
        .storage
        .or(from_live(|t| t.storage))
        .unwrap_or(crate::savings::FREE_STORAGE_GIB);
    let arch = match keys.arch {
        Some(a) => a,
        None => live
            .and_then(|l| l.task.arch.as_deref())
            .map(str::parse)
            .transpose()
            .map_err(|e| format!("{label}: {e}"))?
            .unwrap_or(Arch::X86_64),
    };
    if let Some(os) = live.and_then(|l| l.task.os.as_deref()) {
        if os != "LINUX" {
            return Err(format!(
                "{label}: its tasks run {os}: the price table has Linux prices only (give \
                 --prices with your own figures as Linux ones to estimate)"
            ));
        }
    }
    // Capacity-aware switching is for tasks on EC2 instances.
    let capacity = keys
        .capacity
        .or(live.map(|l| l.capacity))
        .or(spec.capacity.as_ref().map(|_| Capacity::Ec2))
        .unwrap_or(Capacity::Fargate { spot_share: 0.0 });
    let task = Task {
        cpu,
        memory,
        storage,
        arch,
        capacity,
    };
    if capacity != Capacity::Ec2 {
        crate::savings::check_size(cpu, memory, storage).map_err(|e| format!("{label}: {e}"))?;
    }
    let on_count = spec
        .on_count
        .or(live.map(|l| l.desired).filter(|n| *n > 0))
        .unwrap_or(1);
    let zone = &spec.zone;
    let first_day = args
        .from
        .unwrap_or_else(|| zone.tz().to_datetime(now).date());
    let period =
        Period::of_days(first_day, args.days, zone).map_err(|e| format!("{label}: {e}"))?;
    let compiled = spec
        .compile(now.min(period.from))
        .map_err(|e| format!("{label}: {e}"))?;
    let key = ClientKey {
        region: region.parse().map_err(|e| format!("{label}: {e}"))?,
        profile: None,
    };
    let schedules = spec.schedules(&key, on_count, &compiled);
    let held = spec.override_.as_ref().filter(|o| o.until > now).map(|o| {
        let count = o.count.unwrap_or(match o.state {
            crate::naming::Switch::On => on_count,
            crate::naming::Switch::Off => spec.off_count,
        });
        (now.max(period.from), o.until, count)
    });
    let usage = crate::savings::usage(&schedules, on_count, held, period);
    let hourly = prices
        .hourly(region, &task)
        .map_err(|e| format!("{label}: {e}"))?;
    let week = crate::timeline::week(
        &format!("{}/{}", spec.id.cluster, spec.id.service),
        (&schedules, spec.off_count),
        zone,
        &spec.calendar,
        crate::timeline::monday_of(first_day),
        held,
    );
    Ok(ServiceSavings {
        cluster: spec.id.cluster.to_string(),
        service: spec.id.service.to_string(),
        region: region.to_string(),
        timezone: zone.name().to_string(),
        from: first_day.to_string(),
        on_count,
        task,
        task_usd_per_hour: hourly,
        off_hours: (usage.off_hours * 100.0).round() / 100.0,
        period_hours: period.hours(),
        money: Money::of(&usage, hourly),
        reason: (capacity == Capacity::Ec2).then(|| {
            if spec.capacity.is_some() {
                EC2_CAPACITY_REASON.to_string()
            } else {
                EC2_REASON.to_string()
            }
        }),
        week,
    })
}
