//! The fleet file: a TOML list of services and their on/off schedules, with shared `[defaults]`.
//! Parsing reports every problem with file, line and column, and resolves each entry into
//! validated values; nothing here does I/O beyond what the caller passes in.
//!
//! Schedule keys (`window`, or `on` with `off`) are taken as a unit: from the entry when it sets
//! any of them, else from `[defaults]`. Within one table, `window` with `on`/`off` is an error.

use crate::arn;
use crate::expression::timezone::Zone;
use crate::expression::ScheduleExpression;
use crate::naming;
use crate::plan::State;
use crate::window::UserSchedule;
use schemars::JsonSchema;
use serde::Deserialize;
use std::fmt;
use toml::Spanned;

/// Declares a table type with every setting key, plus the fields given.
macro_rules! settings_table {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            /// AWS Region of the service [default: --region, AWS_REGION or the profile's].
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub region: Option<Spanned<String>>,
            /// Named AWS profile to use for the service.
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub profile: Option<Spanned<String>>,
            /// IANA time zone the times are read in [default: UTC].
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub timezone: Option<Spanned<String>>,
            /// ARN of the execution role Scheduler assumes (required here or in [defaults]).
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub role_arn: Option<Spanned<String>>,
            /// Scheduler schedule group [default: ecs-onoff].
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub group: Option<Spanned<String>>,
            /// On and off in one: "DAYS HH:MM-HH:MM", e.g. "MON-FRI 09:00-18:00".
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub window: Option<Spanned<String>>,
            /// When to turn the service on: cron(...), rate(...), at(...), 6-field AWS or 5-field Unix cron.
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub on: Option<Spanned<String>>,
            /// When to turn the service off (same forms as `on`).
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub off: Option<Spanned<String>>,
            /// desiredCount at the on time [default: the live desiredCount if above 0, else the existing on schedule's, else 1].
            #[serde(default)]
            #[schemars(with = "Option<u32>")]
            pub on_count: Option<Spanned<i64>>,
            /// desiredCount at the off time [default: 0].
            #[serde(default)]
            #[schemars(with = "Option<u32>")]
            pub off_count: Option<Spanned<i64>>,
            /// "enabled" or "disabled" [default: enabled].
            #[serde(default)]
            #[schemars(with = "Option<StateKey>")]
            pub state: Option<Spanned<String>>,
        }
    };
}

/// Schedule state as the file spells it.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StateKey {
    Enabled,
    Disabled,
}

settings_table! {
    /// Settings every `[[service]]` inherits unless it sets them itself.
    pub struct Defaults {}
}

settings_table! {
    /// One ECS service and its schedule.
    pub struct ServiceEntry {
        /// ECS cluster name.
        #[schemars(with = "String")]
        pub cluster: Spanned<String>,
        /// ECS service name.
        #[schemars(with = "String")]
        pub service: Spanned<String>,
    }
}

/// An ecs-onoff fleet file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "ecs-onoff fleet file")]
pub struct FleetFile {
    /// Settings shared by every service.
    #[serde(default)]
    pub defaults: Option<Defaults>,
    /// The services, one `[[service]]` table each.
    #[serde(default, rename = "service")]
    pub services: Vec<ServiceEntry>,
}

/// The JSON Schema of the fleet file format.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(FleetFile)).unwrap_or_default()
}

/// A position in the file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

fn locate(text: &str, offset: usize) -> Location {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Location { line, column }
}

/// Every problem found in a fleet file, each with its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FleetErrors {
    pub errors: Vec<String>,
}

impl fmt::Display for FleetErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.errors.join("\n"))
    }
}

/// One service, resolved and validated.
#[derive(Debug, Clone)]
pub struct FleetEntry {
    pub cluster: String,
    pub service: String,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub zone: Zone,
    pub role_arn: String,
    pub group: String,
    pub on: ScheduleExpression,
    pub off: ScheduleExpression,
    pub on_count: Option<i64>,
    pub off_count: i64,
    pub state: State,
    /// Where the entry starts (its `cluster` key).
    pub location: Location,
}

/// Where a schedule name lives: Region, profile, group, name.
type ScheduleSlot = (Option<String>, Option<String>, String, String);

/// A parsed and validated fleet file.
#[derive(Debug, Clone)]
pub struct Fleet {
    pub entries: Vec<FleetEntry>,
}

/// Parses and validates a fleet file. `path` only labels the messages.
pub fn parse(path: &str, text: &str) -> Result<Fleet, FleetErrors> {
    let file: FleetFile = toml::from_str(text).map_err(|e| {
        let place = e.span().map(|s| locate(text, s.start));
        let message = e.message().trim().to_string();
        FleetErrors {
            errors: vec![match place {
                Some(l) => format!("{path}:{}:{}: {message}", l.line, l.column),
                None => format!("{path}: {message}"),
            }],
        }
    })?;
    let mut errors = Vec::new();
    let mut err = |span: std::ops::Range<usize>, message: String| {
        let l = locate(text, span.start);
        errors.push(format!("{path}:{}:{}: {message}", l.line, l.column));
    };
    let empty = Defaults {
        region: None,
        profile: None,
        timezone: None,
        role_arn: None,
        group: None,
        window: None,
        on: None,
        off: None,
        on_count: None,
        off_count: None,
        state: None,
    };
    let defaults = file.defaults.unwrap_or(empty);
    if defaults.window.is_some() {
        if let Some(k) = defaults.on.as_ref().or(defaults.off.as_ref()) {
            err(
                k.span(),
                "[defaults] sets both window and on/off; use one or the other".into(),
            );
        }
    }
    if file.services.is_empty() {
        err(0..0, "the file has no [[service]] entries".into());
    }
    let mut entries = Vec::new();
    let mut seen: Vec<(String, String, Option<String>, Location)> = Vec::new();
    for e in &file.services {
        let location = locate(text, e.cluster.span().start);
        let mut bad = false;
        let mut fail = |span: std::ops::Range<usize>, message: String| {
            bad = true;
            err(span, message);
        };
        let cluster = e.cluster.get_ref().clone();
        let service = e.service.get_ref().clone();
        if let Err(x) = naming::validate_cluster(&cluster) {
            fail(e.cluster.span(), x.to_string());
        }
        if let Err(x) = naming::validate_service(&service) {
            fail(e.service.span(), x.to_string());
        }
        // Schedule keys as a unit.
        let sets_schedule = e.window.is_some() || e.on.is_some() || e.off.is_some();
        let (window, on, off, table) = if sets_schedule {
            (&e.window, &e.on, &e.off, "this [[service]]")
        } else {
            (&defaults.window, &defaults.on, &defaults.off, "[defaults]")
        };
        let mut schedule = None;
        match (window, on, off) {
            (Some(_), Some(k), _) | (Some(_), None, Some(k)) if sets_schedule => fail(
                k.span(),
                "window and on/off are both set; use one or the other".into(),
            ),
            (Some(w), _, _) => match UserSchedule::parse(w.get_ref()) {
                Ok(UserSchedule::Window { on, off, .. }) => schedule = Some((on, off)),
                Ok(UserSchedule::One { .. }) => fail(
                    w.span(),
                    format!("window: '{}' is not DAYS HH:MM-HH:MM", w.get_ref()),
                ),
                Err(x) => fail(w.span(), format!("window: {x}")),
            },
            (None, Some(on), Some(off)) => {
                let parsed_on = UserSchedule::parse_single(on.get_ref());
                let parsed_off = UserSchedule::parse_single(off.get_ref());
                if let Err(x) = &parsed_on {
                    fail(on.span(), format!("on: {x}"));
                }
                if let Err(x) = &parsed_off {
                    fail(off.span(), format!("off: {x}"));
                }
                if let (Ok(a), Ok(b)) = (parsed_on, parsed_off) {
                    schedule = Some((a.0, b.0));
                }
            }
            (None, Some(k), None) | (None, None, Some(k)) => fail(
                k.span(),
                format!("{table} sets only one of on and off; set both, or a window"),
            ),
            (None, None, None) => fail(
                e.cluster.span(),
                "no schedule: set window, or on and off, here or in [defaults]".into(),
            ),
        }
        let pick = |a: &Option<Spanned<String>>,
                    b: &Option<Spanned<String>>|
         -> Option<Spanned<String>> { a.clone().or_else(|| b.clone()) };
        let zone = match pick(&e.timezone, &defaults.timezone) {
            Some(tz) => match Zone::parse(tz.get_ref()) {
                Ok(z) => Some(z),
                Err(x) => {
                    fail(tz.span(), format!("timezone: {x}"));
                    None
                }
            },
            None => Some(Zone::utc()),
        };
        let role_arn = match pick(&e.role_arn, &defaults.role_arn) {
            Some(r) => {
                if let Err(x) = arn::validate_role_arn(r.get_ref()) {
                    fail(r.span(), format!("role_arn: {x}"));
                }
                r.into_inner()
            }
            None => {
                fail(
                    e.cluster.span(),
                    "role_arn is required, in this [[service]] or in [defaults]".into(),
                );
                String::new()
            }
        };
        let group = match pick(&e.group, &defaults.group) {
            Some(g) => {
                if let Err(x) = naming::validate_group(g.get_ref()) {
                    fail(g.span(), format!("group: {x}"));
                }
                g.into_inner()
            }
            None => naming::DEFAULT_GROUP.to_string(),
        };
        let region = pick(&e.region, &defaults.region).map(|r| {
            if let Err(x) = arn::validate_region(r.get_ref()) {
                fail(r.span(), format!("region: {x}"));
            }
            r.into_inner()
        });
        let profile = pick(&e.profile, &defaults.profile).map(Spanned::into_inner);
        let count =
            |v: &Option<Spanned<i64>>, d: &Option<Spanned<i64>>| v.clone().or_else(|| d.clone());
        let mut check_count = |name: &str, c: Option<Spanned<i64>>| -> Option<i64> {
            let c = c?;
            if (0..=100_000).contains(c.get_ref()) {
                Some(*c.get_ref())
            } else {
                fail(
                    c.span(),
                    format!("{name}: {} is not a count from 0 to 100000", c.get_ref()),
                );
                None
            }
        };
        let on_count = check_count("on_count", count(&e.on_count, &defaults.on_count));
        let off_count =
            check_count("off_count", count(&e.off_count, &defaults.off_count)).unwrap_or(0);
        let state = match pick(&e.state, &defaults.state) {
            None => State::Enabled,
            Some(s) => match s.get_ref().as_str() {
                "enabled" => State::Enabled,
                "disabled" => State::Disabled,
                other => {
                    fail(
                        s.span(),
                        format!("state: '{other}' is not enabled or disabled"),
                    );
                    State::Enabled
                }
            },
        };
        if let Some((_, _, _, first)) = seen
            .iter()
            .find(|(c, s, r, _)| *c == cluster && *s == service && *r == region)
        {
            fail(
                e.cluster.span(),
                format!(
                    "service {cluster}/{service} is listed twice (first at line {})",
                    first.line
                ),
            );
        }
        seen.push((cluster.clone(), service.clone(), region.clone(), location));
        if let (false, Some((on, off)), Some(zone)) = (bad, schedule, zone) {
            entries.push(FleetEntry {
                cluster,
                service,
                region,
                profile,
                zone,
                role_arn,
                group,
                on,
                off,
                on_count,
                off_count,
                state,
                location,
            });
        }
    }
    // Shortened names carry a 64-bit hash; refuse the (astronomically unlikely) collision.
    let mut names: std::collections::HashMap<ScheduleSlot, &FleetEntry> =
        std::collections::HashMap::new();
    for e in &entries {
        let name = naming::schedule_name(&e.cluster, &e.service, naming::Switch::On);
        let id = (
            e.region.clone(),
            e.profile.clone(),
            e.group.clone(),
            name.clone(),
        );
        if let Some(first) = names.insert(id, e) {
            errors.push(format!(
                "{path}:{}:{}: the schedule name {name} of {}/{} is also that of {}/{} (line {})",
                e.location.line,
                e.location.column,
                e.cluster,
                e.service,
                first.cluster,
                first.service,
                first.location.line
            ));
        }
    }
    if errors.is_empty() {
        Ok(Fleet { entries })
    } else {
        Err(FleetErrors { errors })
    }
}
