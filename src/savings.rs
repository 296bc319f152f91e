//! What a schedule saves: the hours a service is off in a period, computed from the schedules it
//! would have (time zone, DST, skipped days, an override), times its tasks, priced with a
//! Fargate price table. No I/O: the table's text and the tasks' sizes are passed in.

use crate::expression::timezone::Zone;
use crate::schedule::Schedule;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The CPU architecture of a task (its runtimePlatform).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Arch {
    #[serde(rename = "X86_64")]
    X86_64,
    #[serde(rename = "ARM64")]
    Arm64,
}

impl std::str::FromStr for Arch {
    type Err = String;
    fn from_str(text: &str) -> Result<Arch, String> {
        match text.to_ascii_uppercase().as_str() {
            "X86_64" => Ok(Arch::X86_64),
            "ARM64" => Ok(Arch::Arm64),
            _ => Err(format!("'{text}' is not X86_64 or ARM64")),
        }
    }
}

/// Where a service's tasks run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Capacity {
    /// Fargate, with this share of the tasks on Fargate Spot (0 to 1, from the capacity
    /// provider strategy's weights).
    Fargate { spot_share: f64 },
    /// EC2 instances (launch type or capacity provider).
    Ec2,
}

impl std::str::FromStr for Capacity {
    type Err = String;
    /// `FARGATE`, `FARGATE_SPOT` or `EC2`.
    fn from_str(text: &str) -> Result<Capacity, String> {
        match text.to_ascii_uppercase().as_str() {
            "FARGATE" => Ok(Capacity::Fargate { spot_share: 0.0 }),
            "FARGATE_SPOT" => Ok(Capacity::Fargate { spot_share: 1.0 }),
            "EC2" => Ok(Capacity::Ec2),
            _ => Err(format!("'{text}' is not FARGATE, FARGATE_SPOT or EC2")),
        }
    }
}

/// JSON: `"capacity": "FARGATE"` or `"EC2"`, and `"fargate_spot_share"` (0 to 1).
impl Serialize for Capacity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(2))?;
        match self {
            Capacity::Fargate { spot_share } => {
                map.serialize_entry("capacity", "FARGATE")?;
                map.serialize_entry("fargate_spot_share", spot_share)?;
            }
            Capacity::Ec2 => {
                map.serialize_entry("capacity", "EC2")?;
                map.serialize_entry("fargate_spot_share", &0.0)?;
            }
        }
        map.end()
    }
}

/// The size of one task, in the units of a task definition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Task {
    /// CPU units (1024 = 1 vCPU).
    #[serde(rename = "cpu_units")]
    pub cpu: u32,
    /// MiB.
    #[serde(rename = "memory_mib")]
    pub memory: u32,
    /// Ephemeral storage, GiB (20 are included).
    #[serde(rename = "storage_gib")]
    pub storage: u32,
    pub arch: Arch,
    #[serde(flatten)]
    pub capacity: Capacity,
}

/// Ephemeral storage every Fargate task gets without charge, GiB.
pub const FREE_STORAGE_GIB: u32 = 20;

/// The task sizes Fargate offers: CPU units and the memory (MiB) each allows (ECS developer
/// guide, task definition parameters, "Task size").
pub fn fargate_memory(cpu: u32) -> Option<Vec<u32>> {
    let range = |from: u32, to: u32, step: u32| (from..=to).step_by(step as usize).collect();
    Some(match cpu {
        256 => vec![512, 1024, 2048],
        512 => vec![1024, 2048, 3072, 4096],
        1024 => range(2048, 8192, 1024),
        2048 => range(4096, 16384, 1024),
        4096 => range(8192, 30720, 1024),
        8192 => range(16384, 61440, 4096),
        16384 => range(32768, 122880, 8192),
        _ => return None,
    })
}

/// Checks a Fargate task size; the error lists what Fargate offers.
pub fn check_size(cpu: u32, memory: u32, storage: u32) -> Result<(), String> {
    let offered = "Fargate offers: cpu 256 with memory 512, 1024 or 2048; 512 with 1024-4096 \
                   (steps of 1024); 1024 with 2048-8192; 2048 with 4096-16384; 4096 with \
                   8192-30720 (steps of 1024); 8192 with 16384-61440 (steps of 4096); 16384 \
                   with 32768-122880 (steps of 8192) (MiB)";
    match fargate_memory(cpu) {
        None => return Err(format!("task cpu {cpu} is not a Fargate size; {offered}")),
        Some(allowed) if !allowed.contains(&memory) => {
            return Err(format!(
                "task memory {memory} MiB is not offered with cpu {cpu}; {offered}"
            ))
        }
        _ => {}
    }
    if !(FREE_STORAGE_GIB..=200).contains(&storage) {
        return Err(format!(
            "task storage {storage} GiB: Fargate ephemeral storage is 20 (included) to 200 GiB"
        ));
    }
    Ok(())
}

/// A price per vCPU-hour and per GB-hour.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub vcpu_hour: f64,
    pub gb_hour: f64,
}

/// The prices of one Region; a missing one is not guessed.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPrices {
    pub x86_64: Option<Rate>,
    pub arm64: Option<Rate>,
    pub spot_x86_64: Option<Rate>,
    pub spot_arm64: Option<Rate>,
    pub storage_gb_hour: Option<f64>,
}

/// A Fargate price table (data/fargate-prices.toml, or `--prices FILE`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    pub regions: BTreeMap<String, RegionPrices>,
}

/// The table built into ecs-onoff.
pub const BUILTIN_PRICES: &str = include_str!("../data/fargate-prices.toml");

impl Prices {
    /// Reads a price table; errors name the file and line.
    pub fn parse(label: &str, text: &str) -> Result<Prices, String> {
        let prices: Prices = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start].matches('\n').count() + 1)
                .unwrap_or(1);
            format!("{label}:{line}: {}", e.message())
        })?;
        for (region, p) in &prices.regions {
            let rates = [p.x86_64, p.arm64, p.spot_x86_64, p.spot_arm64];
            let valid = |v: f64| v.is_finite() && v >= 0.0;
            let negative = rates
                .iter()
                .flatten()
                .any(|r| !valid(r.vcpu_hour) || !valid(r.gb_hour))
                || p.storage_gb_hour.is_some_and(|s| !valid(s));
            if negative {
                return Err(format!("{label}: region {region}: a price is negative"));
            }
        }
        Ok(prices)
    }

    pub fn builtin() -> Prices {
        Prices::parse("data/fargate-prices.toml", BUILTIN_PRICES).expect("the built-in table")
    }

    /// What one task costs per hour in a Region, Spot share blended.
    pub fn hourly(&self, region: &str, task: &Task) -> Result<f64, String> {
        let missing = |what: &str| {
            format!(
                "the price table has no {what} for {region}: give one with --prices FILE (same \
                 format as data/fargate-prices.toml)"
            )
        };
        // EC2 tasks cost nothing beyond their instances: no price needed.
        let spot_share = match task.capacity {
            Capacity::Fargate { spot_share } => spot_share,
            Capacity::Ec2 => return Ok(0.0),
        };
        let p = self.regions.get(region).ok_or_else(|| missing("prices"))?;
        let (on_demand, spot, name) = match task.arch {
            Arch::X86_64 => (p.x86_64, p.spot_x86_64, "x86_64"),
            Arch::Arm64 => (p.arm64, p.spot_arm64, "arm64"),
        };
        let per = |r: Rate| {
            f64::from(task.cpu) / 1024.0 * r.vcpu_hour + f64::from(task.memory) / 1024.0 * r.gb_hour
        };
        let mut hourly = 0.0;
        if spot_share < 1.0 {
            hourly += (1.0 - spot_share) * per(on_demand.ok_or_else(|| missing(name))?);
        }
        if spot_share > 0.0 {
            hourly += spot_share * per(spot.ok_or_else(|| missing(&format!("spot_{name}")))?);
        }
        if task.storage > FREE_STORAGE_GIB {
            let extra = f64::from(task.storage - FREE_STORAGE_GIB);
            hourly += extra
                * p.storage_gb_hour
                    .ok_or_else(|| missing("storage_gb_hour"))?;
        }
        Ok(hourly)
    }
}

/// A period of whole local days in a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Timestamp,
    pub to: Timestamp,
}

impl Period {
    /// `days` local days from the start of `from` in `zone` (a DST change makes a day 23 or 25
    /// hours long).
    pub fn of_days(from: Date, days: u32, zone: &Zone) -> Result<Period, String> {
        let start = from
            .to_zoned_datetime(zone.tz().clone())
            .map_err(|e| e.to_string())?;
        let end = from
            .checked_add(jiff::Span::new().days(i64::from(days)))
            .map_err(|e| e.to_string())?
            .to_zoned_datetime(zone.tz().clone())
            .map_err(|e| e.to_string())?;
        Ok(Period {
            from: start.timestamp(),
            to: end.timestamp(),
        })
    }

    pub fn hours(&self) -> f64 {
        (self.to.as_second() - self.from.as_second()) as f64 / 3600.0
    }
}

/// How a service runs in a period under its schedules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    /// Hours at the off count (or below the on count).
    pub off_hours: f64,
    /// Task-hours with the schedules.
    pub task_hours: f64,
    /// Task-hours always on (the on count all the time).
    pub always_task_hours: f64,
}

/// The counts a service has through a period: from its schedules' fires (and an override's
/// fixed count until its end), starting from the count its schedules give at the start.
pub fn usage(
    schedules: &[Schedule],
    on_count: u32,
    held: Option<(Timestamp, Timestamp, u32)>,
    period: Period,
) -> Usage {
    let (start, changes) =
        crate::overrides::counts_between(schedules, period.from, period.to, held);
    let start = start.unwrap_or_else(|| {
        // Nothing fired in the weeks before: the opposite of what fires first.
        match changes.first() {
            Some((_, n)) if *n > 0 => 0,
            _ => on_count,
        }
    });
    let (mut off, mut task) = (0.0, 0.0);
    let mut at = period.from;
    let mut count = start;
    let mut add = |from: Timestamp, to: Timestamp, count: u32| {
        let hours = (to.as_second() - from.as_second()) as f64 / 3600.0;
        task += f64::from(count) * hours;
        if count < on_count {
            off += hours;
        }
    };
    for (t, next) in changes {
        if t > at {
            add(at, t, count);
            at = t;
        }
        count = next;
    }
    add(at, period.to, count);
    Usage {
        off_hours: off,
        task_hours: task,
        always_task_hours: f64::from(on_count) * period.hours(),
    }
}

/// Money figures of a service or a total, USD.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Money {
    pub always_on_usd: f64,
    pub scheduled_usd: f64,
    pub saved_usd: f64,
    pub saved_percent: f64,
}

impl Money {
    pub fn of(usage: &Usage, hourly: f64) -> Money {
        let always = usage.always_task_hours * hourly;
        let scheduled = usage.task_hours * hourly;
        Money::from_costs(always, scheduled)
    }

    /// Rounded to the cent first, so that the figures add up as shown.
    fn from_costs(always: f64, scheduled: f64) -> Money {
        let (always, scheduled) = (cents(always), cents(scheduled));
        Money {
            always_on_usd: always,
            scheduled_usd: scheduled,
            saved_usd: cents(always - scheduled),
            saved_percent: if always > 0.0 {
                ((always - scheduled) / always * 1000.0).round() / 10.0
            } else {
                0.0
            },
        }
    }

    /// The sum of several.
    pub fn sum<'a>(items: impl IntoIterator<Item = &'a Money>) -> Money {
        let (always, scheduled) = items.into_iter().fold((0.0, 0.0), |(a, s), m| {
            (a + m.always_on_usd, s + m.scheduled_usd)
        });
        Money::from_costs(always, scheduled)
    }
}

/// Rounded to the cent.
fn cents(usd: f64) -> f64 {
    (usd * 100.0).round() / 100.0
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "${:.2} always on, ${:.2} scheduled: ${:.2} saved ({:.1}%)",
            self.always_on_usd, self.scheduled_usd, self.saved_usd, self.saved_percent
        )
    }
}

/// What a service with capacity-aware schedules saves, which the task prices do not show.
pub const EC2_CAPACITY_REASON: &str = "EC2 with capacity-aware schedules: the tasks cost nothing \
    themselves; what is saved is the instances of its Auto Scaling group while every service on it \
    is off, whose prices are not in the price table (see the group's schedules in `plan`)";

/// Why a service saves nothing in tasks, when it runs on EC2.
pub const EC2_REASON: &str = "EC2: its tasks run on instances that are paid for whether tasks run \
    or not; turning tasks off saves nothing unless the instances go too";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::tests::{key, spec};

    fn berlin() -> Zone {
        Zone::parse("Europe/Berlin").unwrap()
    }

    /// The schedules of `MON-FRI 09:00-18:00` in Berlin, with skipped days.
    fn office(skip: &[&str]) -> Vec<Schedule> {
        office_of(skip, 1)
    }

    fn office_of(skip: &[&str], count: u32) -> Vec<Schedule> {
        let mut s = spec("staging", "web");
        s.times =
            crate::compile::Times::windows(vec!["MON-FRI 09:00-18:00".parse().unwrap()]).unwrap();
        s.zone = berlin();
        s.calendar = crate::calendar::Calendar {
            rules: skip
                .iter()
                .map(|d| crate::calendar::parse_skip(d, "test").unwrap())
                .collect(),
        };
        // Compiled as of the period's start, as `savings` compiles them as of today.
        let compiled = s.compile("2026-10-18T00:00:00Z".parse().unwrap()).unwrap();
        s.schedules(&key("us-east-1"), count, &compiled)
    }

    #[test]
    fn hours_off_in_a_week_with_the_october_dst_change() {
        // Mon 2026-10-19 to Mon 2026-10-26 in Berlin: Sunday the 25th has 25 hours.
        let period = Period::of_days("2026-10-19".parse().unwrap(), 7, &berlin()).unwrap();
        assert_eq!(period.hours(), 169.0);
        let u = usage(&office(&[]), 1, None, period);
        // On 5 x 9 hours; off the other 124.
        assert_eq!(u.off_hours, 124.0);
        assert_eq!(u.task_hours, 45.0);
        assert_eq!(u.always_task_hours, 169.0);
        // A skipped Wednesday is off all day: 9 more hours off.
        let u = usage(&office(&["2026-10-21"]), 1, None, period);
        assert_eq!(u.off_hours, 133.0);
        assert_eq!(u.task_hours, 36.0);
        // Three tasks when on.
        let u = usage(&office_of(&[], 3), 3, None, period);
        assert_eq!((u.task_hours, u.always_task_hours), (135.0, 507.0));
    }

    #[test]
    fn an_override_keeps_the_count_until_its_end() {
        let period = Period::of_days("2026-10-19".parse().unwrap(), 7, &berlin()).unwrap();
        // On from Monday 18:00 to Tuesday 09:00 (the next on): 15 hours more on.
        let from: Timestamp = "2026-10-19T16:00:00Z".parse().unwrap();
        let until: Timestamp = "2026-10-20T07:00:00Z".parse().unwrap();
        let u = usage(&office(&[]), 1, Some((from, until, 1)), period);
        assert_eq!(u.off_hours, 124.0 - 15.0);
    }

    #[test]
    fn prices_are_hours_times_the_published_rates() {
        let prices = Prices::builtin();
        let task = |arch, capacity| Task {
            cpu: 256,
            memory: 512,
            storage: 20,
            arch,
            capacity,
        };
        let on_demand = Capacity::Fargate { spot_share: 0.0 };
        // us-east-1 Linux x86: $0.04048 per vCPU-hour, $0.004445 per GB-hour.
        let x86 = prices
            .hourly("us-east-1", &task(Arch::X86_64, on_demand))
            .unwrap();
        assert!(
            (x86 - (0.25 * 0.04048 + 0.5 * 0.004445)).abs() < 1e-12,
            "{x86}"
        );
        let arm = prices
            .hourly("us-east-1", &task(Arch::Arm64, on_demand))
            .unwrap();
        assert!(
            (arm - (0.25 * 0.03238 + 0.5 * 0.00356)).abs() < 1e-12,
            "{arm}"
        );
        let spot = Capacity::Fargate { spot_share: 1.0 };
        let s = prices
            .hourly("us-east-1", &task(Arch::X86_64, spot))
            .unwrap();
        assert!((s - (0.25 * 0.01288871 + 0.5 * 0.00141527)).abs() < 1e-12);
        // Half on Spot: the mean.
        let half = Capacity::Fargate { spot_share: 0.5 };
        let h = prices
            .hourly("us-east-1", &task(Arch::X86_64, half))
            .unwrap();
        assert!((h - (x86 + s) / 2.0).abs() < 1e-12);
        // Storage beyond 20 GiB: $0.000111 per GB-hour.
        let mut big = task(Arch::X86_64, on_demand);
        big.storage = 50;
        let b = prices.hourly("us-east-1", &big).unwrap();
        assert!((b - (x86 + 30.0 * 0.000111)).abs() < 1e-12);
        // EC2: nothing saved in tasks.
        assert_eq!(
            prices.hourly("us-east-1", &task(Arch::X86_64, Capacity::Ec2)),
            Ok(0.0)
        );
        // ... in any Region, in the table or not.
        assert_eq!(
            prices.hourly("sa-east-1", &task(Arch::Arm64, Capacity::Ec2)),
            Ok(0.0)
        );
        // A Region or price not in the table: an error naming --prices.
        let e = prices
            .hourly("sa-east-1", &task(Arch::X86_64, on_demand))
            .unwrap_err();
        assert!(e.contains("--prices"), "{e}");
        let e = prices
            .hourly("eu-central-1", &task(Arch::Arm64, on_demand))
            .unwrap_err();
        assert!(e.contains("no arm64 for eu-central-1"), "{e}");
        // 45 on-hours of the week above, against 169.
        let m = Money::of(
            &Usage {
                off_hours: 124.0,
                task_hours: 45.0,
                always_task_hours: 169.0,
            },
            x86,
        );
        assert_eq!(m.always_on_usd, 2.09);
        assert_eq!(m.scheduled_usd, 0.56);
        assert_eq!(m.saved_usd, 1.53);
        // Of the figures as shown: 1.53 of 2.09.
        assert_eq!(m.saved_percent, 73.2);
    }

    #[test]
    fn fargate_sizes_and_price_files() {
        assert!(check_size(256, 512, 20).is_ok());
        assert!(check_size(4096, 30720, 200).is_ok());
        assert!(check_size(16384, 122880, 21).is_ok());
        for (cpu, memory, storage, needle) in [
            (256, 4096, 20, "not offered with cpu 256"),
            (300, 512, 20, "not a Fargate size"),
            (8192, 18432, 20, "not offered"),
            (256, 512, 201, "200 GiB"),
            (256, 512, 10, "20 (included)"),
        ] {
            let e = check_size(cpu, memory, storage).unwrap_err();
            assert!(e.contains(needle), "{cpu}/{memory}/{storage}: {e}");
        }
        let e = Prices::parse(
            "p.toml",
            "[regions.us-east-1]\nx86_64 = { vcpu_hour = 0.04 }\n",
        )
        .unwrap_err();
        assert!(e.starts_with("p.toml:2:"), "{e}");
        let e = Prices::parse("p.toml", "[regions.x]\n\nbogus = 1\n").unwrap_err();
        assert!(e.starts_with("p.toml:3:"), "{e}");
        let e = Prices::parse(
            "p.toml",
            "[regions.x]\nx86_64 = { vcpu_hour = -1.0, gb_hour = 0.1 }\n",
        )
        .unwrap_err();
        assert!(e.contains("negative"), "{e}");
    }
}
