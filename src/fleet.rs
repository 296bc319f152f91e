//! The fleet file: a TOML list of services and their on/off schedules, with shared `[defaults]`.
//! Parsing reports every problem with file, line and column, and resolves each entry into
//! validated values; nothing here does I/O beyond what the caller passes in.
//!
//! Schedule keys (`window`, or `on` with `off`) are taken as a unit: from the entry when it sets
//! any of them, else from `[defaults]`. Within one table, `window` with `on`/`off` is an error.

use crate::arn::{Region, RoleArn};
use crate::calendar::Calendar;
use crate::expression::timezone::Zone;
use crate::naming::{ClusterName, GroupName, ServiceName, Slot, Switch};
use crate::schedule::{ServiceId, State};
use crate::spec::{Connection, Origin, ServiceSpec, Times};
use crate::window::{parse_expression, Window};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// Declares a table type with every setting key, plus the fields given.
macro_rules! settings_table {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize, JsonSchema)]
        #[schemars(deny_unknown_fields)]
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
            /// On and off in one: "DAYS HH:MM-HH:MM", e.g. "MON-FRI 09:00-18:00" (24:00 ends a day), or a list of windows that do not overlap.
            #[serde(default)]
            #[schemars(with = "Option<Strings>")]
            pub window: Option<Spanned<Strings>>,
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
            #[schemars(schema_with = "state_schema")]
            pub state: Option<Spanned<String>>,
            /// The name of a [calendars.NAME] table whose days are skipped, or "none" [default: none].
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub calendar: Option<Spanned<String>>,
            /// SNS topic (standard, in the service's Region) that gets a heads-up before each off.
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub notify_topic: Option<Spanned<String>>,
            /// How long before each off the heads-up is published, e.g. "15m" [default: 15m].
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub notify_before: Option<Spanned<String>>,
            /// ARN of an SQS queue that receives the events Scheduler could not deliver.
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub dead_letter_arn: Option<Spanned<String>>,
            /// With an Application Auto Scaling target whose MinCapacity is above 0, switch the service by the target's bounds (false: by desiredCount) [default: true].
            #[serde(default)]
            #[schemars(with = "Option<bool>")]
            pub autoscaling: Option<Spanned<bool>>,
            /// Task CPU units for `savings` (1024 = 1 vCPU) [default: the task definition's].
            #[serde(default)]
            #[schemars(with = "Option<u32>")]
            pub task_cpu: Option<Spanned<i64>>,
            /// Task memory, MiB, for `savings` [default: the task definition's].
            #[serde(default)]
            #[schemars(with = "Option<u32>")]
            pub task_memory: Option<Spanned<i64>>,
            /// Task ephemeral storage, GiB, for `savings` [default: the task definition's, else 20].
            #[serde(default)]
            #[schemars(with = "Option<u32>")]
            pub task_storage: Option<Spanned<i64>>,
            /// "X86_64" or "ARM64", for `savings` [default: the task definition's, else X86_64].
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub arch: Option<Spanned<String>>,
            /// true: also switch the Auto Scaling group that carries the service (EC2), off after the last service on it, on before the first. A text instead, "FARGATE", "FARGATE_SPOT" or "EC2", tells `savings` where the tasks run [default: the service's].
            #[serde(default)]
            #[schemars(with = "Option<CapacityKey>")]
            pub capacity: Option<Spanned<CapacityKey>>,
            /// With capacity = true: the Auto Scaling group of a service on the EC2 launch type without capacity providers.
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub asg: Option<Spanned<String>>,
            /// With capacity = true: how long before the first service is on its group is scaled out, e.g. "10m" [default: 10m].
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub lead: Option<Spanned<String>>,
            /// With capacity = true: how long after the last service is off its group is scaled in, e.g. "10m" [default: 10m].
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub drain: Option<Spanned<String>>,
            /// With capacity = true: schedule the group although services not in the file run on it [default: false].
            #[serde(default)]
            #[schemars(with = "Option<bool>")]
            pub force: Option<Spanned<bool>>,
        }

        impl $name {
            fn keys(&self) -> Keys<'_> {
                Keys {
                    region: &self.region,
                    profile: &self.profile,
                    timezone: &self.timezone,
                    role_arn: &self.role_arn,
                    group: &self.group,
                    window: &self.window,
                    on: &self.on,
                    off: &self.off,
                    on_count: &self.on_count,
                    off_count: &self.off_count,
                    state: &self.state,
                    calendar: &self.calendar,
                    notify_topic: &self.notify_topic,
                    notify_before: &self.notify_before,
                    dead_letter_arn: &self.dead_letter_arn,
                    autoscaling: &self.autoscaling,
                    task_cpu: &self.task_cpu,
                    task_memory: &self.task_memory,
                    task_storage: &self.task_storage,
                    arch: &self.arch,
                    capacity: &self.capacity,
                    asg: &self.asg,
                    lead: &self.lead,
                    drain: &self.drain,
                    force: &self.force,
                }
            }
        }
    };
}

/// The schema of `state`: one of two words.
fn state_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": ["string", "null"],
        "enum": ["enabled", "disabled", null],
        "description": "\"enabled\" or \"disabled\" [default: enabled]."
    })
}

/// The setting keys of one table, `[defaults]` or a `[[service]]`.
struct Keys<'a> {
    region: &'a Option<Spanned<String>>,
    profile: &'a Option<Spanned<String>>,
    timezone: &'a Option<Spanned<String>>,
    role_arn: &'a Option<Spanned<String>>,
    group: &'a Option<Spanned<String>>,
    window: &'a Option<Spanned<Strings>>,
    on: &'a Option<Spanned<String>>,
    off: &'a Option<Spanned<String>>,
    on_count: &'a Option<Spanned<i64>>,
    off_count: &'a Option<Spanned<i64>>,
    state: &'a Option<Spanned<String>>,
    calendar: &'a Option<Spanned<String>>,
    notify_topic: &'a Option<Spanned<String>>,
    notify_before: &'a Option<Spanned<String>>,
    dead_letter_arn: &'a Option<Spanned<String>>,
    autoscaling: &'a Option<Spanned<bool>>,
    task_cpu: &'a Option<Spanned<i64>>,
    task_memory: &'a Option<Spanned<i64>>,
    task_storage: &'a Option<Spanned<i64>>,
    arch: &'a Option<Spanned<String>>,
    capacity: &'a Option<Spanned<CapacityKey>>,
    asg: &'a Option<Spanned<String>>,
    lead: &'a Option<Spanned<String>>,
    drain: &'a Option<Spanned<String>>,
    force: &'a Option<Spanned<bool>>,
}

/// `capacity`: true or false (capacity-aware switching), or where the tasks run (for `savings`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CapacityKey {
    Switch(bool),
    Kind(String),
}

/// A string, or a list of strings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Strings {
    One(String),
    Many(Vec<String>),
}

impl Strings {
    fn items(&self) -> Vec<&str> {
        match self {
            Strings::One(s) => vec![s.as_str()],
            Strings::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// Skipped days shared by the services that name it.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CalendarTable {
    /// Skipped local dates: "YYYY-MM-DD", "YYYY-MM-DD..YYYY-MM-DD" (both included), "*-MM-DD" (every year), "*-MM-DD..*-MM-DD".
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub skip: Option<Vec<Spanned<String>>>,
    /// An iCalendar file (path relative to the fleet file) whose all-day events are skipped days.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub ics: Option<Spanned<String>>,
}

settings_table! {
    /// Settings every `[[service]]` inherits unless it sets them itself.
    #[derive(Default)]
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
        /// Skipped local dates of this service, added to those of its calendar (same forms as in [calendars]).
        #[serde(default)]
        #[schemars(with = "Option<Vec<String>>")]
        pub skip: Option<Vec<Spanned<String>>>,
        /// Schedules of this service made by others ("NAME" in the entry's group, or "GROUP/NAME") that its ecs-onoff schedules replace: apply deletes them once those exist.
        #[serde(default)]
        #[schemars(with = "Option<Vec<String>>")]
        pub adopt: Option<Vec<Spanned<String>>>,
    }
}

settings_table! {
    /// Many services of one or more clusters, chosen by their tags (or all of them), with one
    /// schedule; resolved when the plan is made.
    pub struct SelectEntry {
        /// The cluster, or a list of clusters, whose services are chosen.
        #[schemars(with = "Strings")]
        pub cluster: Spanned<Strings>,
        /// Tags every chosen service has, with these values.
        #[serde(default)]
        #[schemars(with = "Option<std::collections::BTreeMap<String, String>>")]
        pub tags: Option<Spanned<std::collections::BTreeMap<String, String>>>,
        /// "*": every service of the clusters (then `tags` may be left out).
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        pub service: Option<Spanned<String>>,
        /// Services left out.
        #[serde(default)]
        #[schemars(with = "Option<Vec<String>>")]
        pub exclude: Option<Vec<Spanned<String>>>,
        /// Skipped local dates of the chosen services, added to those of their calendar.
        #[serde(default)]
        #[schemars(with = "Option<Vec<String>>")]
        pub skip: Option<Vec<Spanned<String>>>,
    }
}

// Unknown keys are not refused by the deserializer: `unknown_keys` reports them all at once.
/// An ecs-onoff fleet file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[schemars(title = "ecs-onoff fleet file")]
pub struct FleetFile {
    /// Settings shared by every service.
    #[serde(default)]
    pub defaults: Option<Defaults>,
    /// The services, one `[[service]]` table each.
    #[serde(default, rename = "service")]
    pub services: Vec<ServiceEntry>,
    /// Named calendars of skipped days, `[calendars.NAME]`.
    #[serde(default)]
    pub calendars: std::collections::BTreeMap<String, CalendarTable>,
    /// Overrides of services in the file, one `[[override]]` table each.
    #[serde(default, rename = "override")]
    pub overrides: Vec<OverrideEntry>,
    /// Services chosen by cluster and tags, one `[[select]]` table each.
    #[serde(default, rename = "select")]
    pub selects: Vec<SelectEntry>,
}

/// Keeps a service of the file on or off until a time, whatever its schedules say.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OverrideEntry {
    /// ECS cluster name of a [[service]] of the file.
    #[schemars(with = "String")]
    pub cluster: Spanned<String>,
    /// ECS service name of that [[service]].
    #[schemars(with = "String")]
    pub service: Spanned<String>,
    /// Its Region, when the file has the service in several.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub region: Option<Spanned<String>>,
    /// "on" or "off".
    #[schemars(with = "String")]
    pub state: Spanned<String>,
    /// The end: RFC 3339, or "YYYY-MM-DD HH:MM" in the service's time zone (at most 14 days ahead); an end that has passed is ignored with a note.
    #[schemars(with = "String")]
    pub until: Spanned<String>,
    /// desiredCount to keep [default: the count of its on (or off) schedule].
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub count: Option<Spanned<i64>>,
}

/// The keys of `[defaults]`; a `[[service]]` has these and [`ENTRY_KEYS`].
const SETTING_KEYS: [&str; 25] = [
    "region",
    "profile",
    "timezone",
    "role_arn",
    "group",
    "window",
    "on",
    "off",
    "on_count",
    "off_count",
    "state",
    "calendar",
    "notify_topic",
    "notify_before",
    "dead_letter_arn",
    "autoscaling",
    "task_cpu",
    "task_memory",
    "task_storage",
    "arch",
    "capacity",
    "asg",
    "lead",
    "drain",
    "force",
];
/// The keys only a `[[service]]` has.
const ENTRY_KEYS: [&str; 4] = ["cluster", "service", "skip", "adopt"];
/// The keys of a `[calendars.NAME]` table.
const CALENDAR_KEYS: [&str; 2] = ["skip", "ics"];
/// The keys only a `[[select]]` has.
const SELECT_KEYS: [&str; 5] = ["cluster", "tags", "service", "exclude", "skip"];
/// The keys of an `[[override]]` table.
const OVERRIDE_KEYS: [&str; 6] = ["cluster", "service", "region", "state", "until", "count"];

/// Reports every key the format does not have, in every table, each at its place.
fn unknown_keys(report: &mut Report) {
    use toml::de::{DeTable, DeValue};
    let Ok(document) = DeTable::parse(report.text) else {
        // A syntax error: reported by the deserializer.
        return;
    };
    let check = |report: &mut Report, table: &DeTable, allowed: &[&str], what: &str| {
        for key in table.keys() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                report.at(
                    key.span(),
                    format!(
                        "unknown key '{}' in {what}; the keys are: {}",
                        crate::text::printable(key.get_ref()),
                        allowed.join(", ")
                    ),
                );
            }
        }
    };
    let entry_keys: Vec<&str> = ENTRY_KEYS.iter().chain(&SETTING_KEYS).copied().collect();
    for (key, value) in document.get_ref() {
        match (key.get_ref().as_ref(), value.get_ref()) {
            ("defaults", DeValue::Table(table)) => {
                check(report, table, &SETTING_KEYS, "[defaults]");
            }
            ("service", DeValue::Array(entries)) => {
                for entry in entries.iter() {
                    if let DeValue::Table(table) = entry.get_ref() {
                        check(report, table, &entry_keys, "[[service]]");
                    }
                }
            }
            ("calendars", DeValue::Table(calendars)) => {
                for (name, calendar) in calendars.iter() {
                    if let DeValue::Table(table) = calendar.get_ref() {
                        let what =
                            format!("[calendars.{}]", crate::text::printable(name.get_ref()));
                        check(report, table, &CALENDAR_KEYS, &what);
                    }
                }
            }
            ("select", DeValue::Array(entries)) => {
                let select_keys: Vec<&str> =
                    SELECT_KEYS.iter().chain(&SETTING_KEYS).copied().collect();
                for entry in entries.iter() {
                    if let DeValue::Table(table) = entry.get_ref() {
                        check(report, table, &select_keys, "[[select]]");
                    }
                }
            }
            ("override", DeValue::Array(entries)) => {
                for entry in entries.iter() {
                    if let DeValue::Table(table) = entry.get_ref() {
                        check(report, table, &OVERRIDE_KEYS, "[[override]]");
                    }
                }
            }
            // Wrong types are reported by the deserializer.
            ("defaults" | "service" | "calendars" | "override" | "select", _) => {}
            (other, _) => report.at(
                key.span(),
                format!(
                    "unknown key '{}': a fleet file has a [defaults] table, [calendars.NAME] \
                     tables, [[service]], [[select]] and [[override]] tables",
                    crate::text::printable(other)
                ),
            ),
        }
    }
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

/// Where each line of a text starts: a place from a byte offset in O(log lines), so that
/// locating every entry of a large file stays linear overall.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    fn locate(&self, text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|s| *s <= offset);
        let start = self.starts[line - 1];
        let column = text
            .get(start..offset)
            .map_or(0, |before| before.chars().count())
            + 1;
        Location { line, column }
    }
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

/// Collects located messages, each with its place (a message without one sorts last).
struct Report<'a> {
    path: &'a str,
    text: &'a str,
    lines: Lines,
    errors: Vec<(Option<Location>, String)>,
}

impl Report<'_> {
    fn locate(&self, offset: usize) -> Location {
        self.lines.locate(self.text, offset)
    }

    fn at(&mut self, span: Range<usize>, message: impl fmt::Display) {
        let l = self.locate(span.start);
        self.at_place(l, message);
    }

    fn at_place(&mut self, l: Location, message: impl fmt::Display) {
        self.errors.push((
            Some(l),
            format!("{}:{}:{}: {message}", self.path, l.line, l.column),
        ));
    }

    /// Every message, in the order of their places in the file.
    fn into_errors(mut self) -> FleetErrors {
        self.errors
            .sort_by_key(|(place, _)| place.map_or((usize::MAX, 0), |l| (l.line, l.column)));
        FleetErrors {
            errors: self.errors.into_iter().map(|(_, m)| m).collect(),
        }
    }

    /// Parses a value, reporting a failure at the value, after the key's name unless it is
    /// empty.
    fn parse<T, E: fmt::Display>(
        &mut self,
        key: &str,
        value: &Spanned<String>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match parse(value.get_ref()) {
            Ok(v) => Some(v),
            Err(e) if key.is_empty() => {
                self.at(value.span(), e);
                None
            }
            Err(e) => {
                self.at(value.span(), format!("{key}: {e}"));
                None
            }
        }
    }
}

/// A value of one table: `None` when the key is absent, `Some(None)` when it is present but
/// invalid (already reported), `Some(Some(v))` when valid.
type Setting<T> = Option<Option<T>>;

/// The settings of one table, each parsed once.
struct Layer {
    region: Setting<Region>,
    profile: Setting<String>,
    zone: Setting<Zone>,
    role_arn: Setting<RoleArn>,
    group: Setting<GroupName>,
    times: Setting<Times>,
    /// A calendar's name, or `None` for "none".
    calendar: Setting<Option<String>>,
    on_count: Setting<u32>,
    off_count: Setting<u32>,
    state: Setting<State>,
    notify_topic: Setting<crate::arn::TopicArn>,
    notify_before: Setting<jiff::SignedDuration>,
    dead_letter_arn: Setting<crate::arn::QueueArn>,
    autoscaling: Setting<bool>,
    task_cpu: Setting<u32>,
    task_memory: Setting<u32>,
    task_storage: Setting<u32>,
    arch: Setting<crate::savings::Arch>,
    capacity: Setting<crate::savings::Capacity>,
    capacity_aware: Setting<bool>,
    asg: Setting<crate::capacity::AsgName>,
    lead: Setting<jiff::SignedDuration>,
    drain: Setting<jiff::SignedDuration>,
    force: Setting<bool>,
}

fn count(report: &mut Report, key: &str, value: &Option<Spanned<i64>>) -> Setting<u32> {
    let v = value.as_ref()?;
    Some(
        crate::schedule::parse_count(&v.get_ref().to_string())
            .map_err(|e| report.at(v.span(), format!("{key}: {e}")))
            .ok(),
    )
}

/// A positive whole number (a task size).
fn size(report: &mut Report, key: &str, value: &Option<Spanned<i64>>) -> Setting<u32> {
    let v = value.as_ref()?;
    Some(
        u32::try_from(*v.get_ref())
            .ok()
            .filter(|n| *n > 0)
            .or_else(|| {
                report.at(
                    v.span(),
                    format!("{key}: '{}' is not a positive number", v.get_ref()),
                );
                None
            }),
    )
}

/// `window`, or `on` and/or `off`, taken from one table as a unit.
fn times(report: &mut Report, keys: &Keys) -> Setting<Times> {
    match (keys.window, keys.on, keys.off) {
        (None, None, None) => None,
        (Some(_), Some(k), _) | (Some(_), None, Some(k)) => {
            report.at(
                k.span(),
                "window and on/off are both set; use one or the other",
            );
            Some(None)
        }
        (Some(w), None, None) => {
            let mut windows = Vec::new();
            for text in w.get_ref().items() {
                match text.parse::<Window>() {
                    Ok(window) => windows.push(window),
                    Err(e) => report.at(w.span(), e),
                }
            }
            if windows.len() < w.get_ref().items().len() {
                return Some(None);
            }
            if windows.is_empty() {
                report.at(w.span(), "window: the list is empty");
                return Some(None);
            }
            Some(
                Times::windows(windows)
                    .map_err(|e| report.at(w.span(), format!("window: {e}")))
                    .ok(),
            )
        }
        (None, on, off) => {
            let on = on.as_ref().map(|v| report.parse("on", v, parse_expression));
            let off = off
                .as_ref()
                .map(|v| report.parse("off", v, parse_expression));
            if matches!(on, Some(None)) || matches!(off, Some(None)) {
                return Some(None);
            }
            Some(Times::switches(on.flatten(), off.flatten()).ok())
        }
    }
}

fn layer(report: &mut Report, keys: &Keys, calendars: &HashMap<String, Option<Calendar>>) -> Layer {
    let mut text = |key: &str, value: &Option<Spanned<String>>| {
        value.as_ref().map(|v| {
            report.parse(key, v, |s| {
                if s.chars().any(char::is_control) {
                    Err("control characters are not allowed")
                } else {
                    Ok(s.to_string())
                }
            })
        })
    };
    let profile = text("profile", keys.profile);
    Layer {
        region: keys
            .region
            .as_ref()
            .map(|v| report.parse("region", v, str::parse)),
        profile,
        zone: keys
            .timezone
            .as_ref()
            .map(|v| report.parse("timezone", v, str::parse)),
        role_arn: keys
            .role_arn
            .as_ref()
            .map(|v| report.parse("role_arn", v, str::parse)),
        group: keys
            .group
            .as_ref()
            .map(|v| report.parse("group", v, str::parse)),
        times: times(report, keys),
        calendar: keys.calendar.as_ref().map(|v| {
            report.parse("calendar", v, |name| match name {
                "none" => Ok(None),
                name if calendars.contains_key(name) => Ok(Some(name.to_string())),
                name => {
                    let mut known: Vec<&str> = calendars.keys().map(String::as_str).collect();
                    known.sort_unstable();
                    Err(if known.is_empty() {
                        format!(
                            "unknown calendar '{}': the file has no [calendars.NAME] table",
                            crate::text::printable(name)
                        )
                    } else {
                        format!(
                            "unknown calendar '{}'; the calendars are: {}, or none",
                            crate::text::printable(name),
                            known.join(", ")
                        )
                    })
                }
            })
        }),
        on_count: count(report, "on_count", keys.on_count),
        off_count: count(report, "off_count", keys.off_count),
        state: keys
            .state
            .as_ref()
            .map(|v| report.parse("state", v, str::parse)),
        notify_topic: keys
            .notify_topic
            .as_ref()
            .map(|v| report.parse("notify_topic", v, str::parse)),
        notify_before: keys
            .notify_before
            .as_ref()
            .map(|v| report.parse("notify_before", v, crate::notify::parse_before)),
        dead_letter_arn: keys
            .dead_letter_arn
            .as_ref()
            .map(|v| report.parse("dead_letter_arn", v, str::parse)),
        autoscaling: keys.autoscaling.as_ref().map(|v| Some(*v.get_ref())),
        task_cpu: size(report, "task_cpu", keys.task_cpu),
        task_memory: size(report, "task_memory", keys.task_memory),
        task_storage: size(report, "task_storage", keys.task_storage),
        arch: keys
            .arch
            .as_ref()
            .map(|v| report.parse("arch", v, str::parse)),
        capacity: keys.capacity.as_ref().and_then(|v| match v.get_ref() {
            CapacityKey::Kind(text) => Some(
                text.parse()
                    .map_err(|e| report.at(v.span(), format!("capacity: {e} (or true/false)")))
                    .ok(),
            ),
            CapacityKey::Switch(_) => None,
        }),
        capacity_aware: keys.capacity.as_ref().and_then(|v| match v.get_ref() {
            CapacityKey::Switch(on) => Some(Some(*on)),
            CapacityKey::Kind(_) => None,
        }),
        asg: keys
            .asg
            .as_ref()
            .map(|v| report.parse("asg", v, str::parse)),
        lead: keys
            .lead
            .as_ref()
            .map(|v| report.parse("lead", v, crate::capacity::parse_margin)),
        drain: keys
            .drain
            .as_ref()
            .map(|v| report.parse("drain", v, crate::capacity::parse_margin)),
        force: keys.force.as_ref().map(|v| Some(*v.get_ref())),
    }
}

/// The entry's value, else the default's; `Err(())` when the one that applies is invalid.
fn pick<T: Clone>(entry: &Setting<T>, defaults: &Setting<T>) -> Result<Option<T>, ()> {
    match entry.as_ref().or(defaults.as_ref()) {
        None => Ok(None),
        Some(Some(v)) => Ok(Some(v.clone())),
        Some(None) => Err(()),
    }
}

/// Resolves one `[[service]]` over the defaults; `None` when anything is invalid (reported).
fn resolve(
    report: &mut Report,
    entry: &ServiceEntry,
    defaults: &Layer,
    calendars: &HashMap<String, Option<Calendar>>,
) -> Option<ServiceSpec> {
    let mut spec = resolve_keys(
        report,
        &entry.keys(),
        (&entry.cluster, &entry.service),
        entry.skip.as_deref(),
        defaults,
        calendars,
    )?;
    for text in entry.adopt.iter().flatten() {
        let adopted = report.parse("adopt", text, |t| {
            crate::spec::Adopted::parse(t, &spec.group)
        })?;
        if spec.adopt.contains(&adopted) {
            report.at(text.span(), format!("adopt: {adopted} is listed twice"));
            return None;
        }
        spec.adopt.push(adopted);
    }
    Some(spec)
}

/// Resolves the settings of one table (a `[[service]]`, or the template of a `[[select]]`) for
/// a cluster and service over the defaults; `None` when anything is invalid (reported).
fn resolve_keys(
    report: &mut Report,
    keys: &Keys,
    (cluster, service): (&Spanned<String>, &Spanned<String>),
    skip: Option<&[Spanned<String>]>,
    defaults: &Layer,
    calendars: &HashMap<String, Option<Calendar>>,
) -> Option<ServiceSpec> {
    // Name errors say "cluster name ..." themselves.
    let here = cluster.span();
    let cluster = report.parse("", cluster, str::parse::<ClusterName>);
    let service = report.parse("", service, str::parse::<ServiceName>);
    let own = layer(report, keys, calendars);
    let own_skips = skips(report, skip, "skip");
    let times = match (&own.times, &defaults.times) {
        (Some(t), _) | (None, Some(t)) => t.clone(),
        (None, None) => {
            report.at(
                here.clone(),
                "no schedule: set window, or on and/or off, here or in [defaults]",
            );
            None
        }
    };
    let role_arn = pick(&own.role_arn, &defaults.role_arn);
    if role_arn == Ok(None) {
        report.at(
            here.clone(),
            "role_arn is required, in this [[service]] or in [defaults]",
        );
    }
    let calendar = match pick(&own.calendar, &defaults.calendar).ok()?.flatten() {
        Some(name) => calendars.get(&name)?.clone()?,
        None => Calendar::default(),
    }
    .with(&own_skips?);
    let times = times?;
    if let Err(e) = times.check_calendar(&calendar) {
        report.at(here.clone(), e);
        return None;
    }
    let notify = match (
        pick(&own.notify_topic, &defaults.notify_topic).ok()?,
        pick(&own.notify_before, &defaults.notify_before).ok()?,
    ) {
        (Some(topic), before) => Some(crate::notify::Notify {
            topic,
            before: before.unwrap_or(crate::notify::DEFAULT_BEFORE),
        }),
        (None, Some(_)) => {
            report.at(here.clone(), "notify_before is set, but no notify_topic");
            return None;
        }
        (None, None) => None,
    };
    let capacity_aware = pick(&own.capacity_aware, &defaults.capacity_aware)
        .ok()?
        .unwrap_or(false);
    let asg = pick(&own.asg, &defaults.asg).ok()?;
    let lead = pick(&own.lead, &defaults.lead).ok()?;
    let drain = pick(&own.drain, &defaults.drain).ok()?;
    let force = pick(&own.force, &defaults.force).ok()?;
    if !capacity_aware && (asg.is_some() || lead.is_some() || drain.is_some() || force.is_some()) {
        report.at(
            here.clone(),
            "asg, lead, drain and force apply to capacity-aware switching: set capacity = true",
        );
        return None;
    }
    let capacity = capacity_aware.then(|| crate::capacity::CapacityMode {
        asg,
        lead: lead.unwrap_or(crate::capacity::DEFAULT_LEAD),
        drain: drain.unwrap_or(crate::capacity::DEFAULT_DRAIN),
        force: force.unwrap_or(false),
    });
    let l = report.locate(here.start);
    Some(ServiceSpec {
        id: ServiceId {
            cluster: cluster?,
            service: service?,
        },
        connection: Connection {
            region: pick(&own.region, &defaults.region).ok()?,
            profile: pick(&own.profile, &defaults.profile).ok()?,
        },
        group: pick(&own.group, &defaults.group)
            .ok()?
            .unwrap_or_else(GroupName::default_group),
        times,
        calendar,
        zone: pick(&own.zone, &defaults.zone)
            .ok()?
            .unwrap_or_else(Zone::utc),
        role_arn: Some(role_arn.ok()??),
        state: pick(&own.state, &defaults.state)
            .ok()?
            .unwrap_or(State::Enabled),
        on_count: pick(&own.on_count, &defaults.on_count).ok()?,
        off_count: pick(&own.off_count, &defaults.off_count).ok()?.unwrap_or(0),
        dead_letter_arn: pick(&own.dead_letter_arn, &defaults.dead_letter_arn).ok()?,
        start_date: None,
        end_date: None,
        override_: None,
        notify,
        adopt: Vec::new(),
        autoscaling: pick(&own.autoscaling, &defaults.autoscaling)
            .ok()?
            .unwrap_or(true),
        task: crate::spec::TaskKeys {
            cpu: pick(&own.task_cpu, &defaults.task_cpu).ok()?,
            memory: pick(&own.task_memory, &defaults.task_memory).ok()?,
            storage: pick(&own.task_storage, &defaults.task_storage).ok()?,
            arch: pick(&own.arch, &defaults.arch).ok()?,
            capacity: pick(&own.capacity, &defaults.capacity).ok()?,
        },
        capacity,
        origin: Origin::File {
            path: report.path.to_string(),
            line: l.line,
            column: l.column,
        },
    })
}

/// Services chosen by cluster and tags, resolved when the plan is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub clusters: Vec<ClusterName>,
    /// Tags every chosen service has, with these values (empty with `all`).
    pub tags: std::collections::BTreeMap<String, String>,
    /// `service = "*"`: every service of the clusters that has the tags.
    pub all: bool,
    pub exclude: std::collections::BTreeSet<String>,
    /// The settings every chosen service gets (its id is set when it is chosen).
    pub template: ServiceSpec,
}

impl Selector {
    /// `fleet.toml:12:1: [[select]] staging (schedule=office-hours)`.
    pub fn label(&self) -> String {
        let clusters: Vec<&str> = self.clusters.iter().map(|c| c.as_str()).collect();
        let tags: Vec<String> = self.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let what = if tags.is_empty() {
            "every service".to_string()
        } else {
            tags.join(", ")
        };
        format!(
            "{}: [[select]] {} ({what})",
            self.template.origin,
            clusters.join(", ")
        )
    }

    /// Whether a service of one of the clusters, with these tags, is chosen.
    pub fn chooses(
        &self,
        service: &str,
        tags: &std::collections::BTreeMap<String, String>,
    ) -> bool {
        !self.exclude.contains(service) && self.tags.iter().all(|(k, v)| tags.get(k) == Some(v))
    }

    /// The request for a chosen service.
    pub fn spec_for(&self, id: ServiceId) -> ServiceSpec {
        ServiceSpec {
            id,
            ..self.template.clone()
        }
    }
}

/// A fleet file: its services, and its selectors (resolved against AWS when the plan is made).
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    pub services: Vec<ServiceSpec>,
    pub selectors: Vec<Selector>,
}

impl Fleet {
    /// The connections its services and selectors ask for.
    pub fn connections(&self) -> Vec<&crate::spec::Connection> {
        self.services
            .iter()
            .map(|s| &s.connection)
            .chain(self.selectors.iter().map(|s| &s.template.connection))
            .collect()
    }
}

/// Each `[[select]]` with its settings resolved; invalid ones are reported.
fn selectors(
    report: &mut Report,
    entries: &[SelectEntry],
    defaults: &Layer,
    calendars: &HashMap<String, Option<Calendar>>,
) -> Vec<Selector> {
    let mut out = Vec::new();
    for e in entries {
        let span = e.cluster.span();
        let mut clusters = Vec::new();
        for name in e.cluster.get_ref().items() {
            match name.parse::<ClusterName>() {
                Ok(c) => clusters.push(c),
                Err(err) => report.at(span.clone(), err),
            }
        }
        if e.cluster.get_ref().items().is_empty() {
            report.at(span.clone(), "cluster: the list is empty");
        }
        let all = match &e.service {
            None => false,
            Some(v) if v.get_ref() == "*" => true,
            Some(v) => {
                report.at(
                    v.span(),
                    "service: a [[select]] takes \"*\" (every service of the cluster); name one \
                     service in a [[service]] entry",
                );
                false
            }
        };
        let tags = e
            .tags
            .as_ref()
            .map(|t| t.get_ref().clone())
            .unwrap_or_default();
        if tags.is_empty() && !all {
            report.at(
                span.clone(),
                "a [[select]] needs tags, or service = \"*\" for every service of the cluster",
            );
        }
        let mut exclude = std::collections::BTreeSet::new();
        for v in e.exclude.iter().flatten() {
            if let Some(name) = report.parse("exclude", v, str::parse::<ServiceName>) {
                exclude.insert(name.to_string());
            }
        }
        let placeholder = Spanned::new(span.clone(), "selected".to_string());
        let template = resolve_keys(
            report,
            &e.keys(),
            (&placeholder, &placeholder),
            e.skip.as_deref(),
            defaults,
            calendars,
        );
        if let Some(template) = template {
            out.push(Selector {
                clusters,
                tags,
                all,
                exclude,
                template,
            });
        }
    }
    out
}

/// Gives each `[[override]]` to the service it names: one of the file's services (by cluster,
/// service and, when given, Region), at most one override each.
fn attach_overrides(report: &mut Report, entries: &[OverrideEntry], specs: &mut [ServiceSpec]) {
    let mut seen: HashMap<usize, usize> = HashMap::new();
    for e in entries {
        let place = e.cluster.span();
        let region = e
            .region
            .as_ref()
            .and_then(|r| report.parse("region", r, str::parse::<crate::arn::Region>));
        let matching: Vec<usize> = specs
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.id.cluster.as_str() == e.cluster.get_ref()
                    && s.id.service.as_str() == e.service.get_ref()
                    && region
                        .as_ref()
                        .is_none_or(|r| s.connection.region.as_ref() == Some(r))
            })
            .map(|(i, _)| i)
            .collect();
        let index = match matching.as_slice() {
            [i] => *i,
            [] => {
                report.at(
                    place,
                    format!(
                        "override of {}/{}: the file has no such [[service]] (an override \
                         applies to a service of the file)",
                        e.cluster.get_ref(),
                        e.service.get_ref()
                    ),
                );
                continue;
            }
            _ => {
                report.at(
                    place,
                    "override: the file has this service in several Regions; give `region`",
                );
                continue;
            }
        };
        let line = report.locate(place.start).line;
        if let Some(first) = seen.insert(index, line) {
            report.at(
                place,
                format!("a second override of this service (the first is at line {first})"),
            );
            continue;
        }
        let state = report.parse("state", &e.state, |t| match t {
            "on" => Ok(Switch::On),
            "off" => Ok(Switch::Off),
            other => Err(format!("'{other}' is not on or off")),
        });
        let zone = specs[index].zone.clone();
        let until = report.parse("until", &e.until, |t| {
            crate::overrides::parse_file_until(t, &zone)
        });
        let count = e.count.as_ref().and_then(|v| {
            crate::schedule::parse_count(&v.get_ref().to_string())
                .map_err(|m| report.at(v.span(), format!("count: {m}")))
                .ok()
        });
        if let (Some(state), Some(until)) = (state, until) {
            specs[index].override_ = Some(crate::overrides::OverrideRequest {
                state,
                count,
                until,
            });
        }
    }
}

/// Refuses a service listed twice (same cluster, service and Region), and two services whose
/// shortened schedule names collide in one group (a 64-bit hash makes that astronomically
/// unlikely). Linear in the number of services.
fn check_unique(report: &mut Report, entries: &[ServiceEntry], specs: &[ServiceSpec]) {
    let mut seen: HashMap<(&str, &str, Option<&str>), usize> = HashMap::new();
    for e in entries {
        let region = e.region.as_ref().map(|r| r.get_ref().as_str());
        let id = (
            e.cluster.get_ref().as_str(),
            e.service.get_ref().as_str(),
            region,
        );
        let line = report.locate(e.cluster.span().start).line;
        if let Some(first) = seen.insert(id, line) {
            report.at(
                e.cluster.span(),
                format!(
                    "service {}/{} is listed twice (first at line {first})",
                    id.0, id.1
                ),
            );
        }
    }
    let mut names: HashMap<(&Connection, &GroupName, String), &ServiceSpec> = HashMap::new();
    for spec in specs {
        let name = spec.id.schedule_name(Slot::plain(Switch::On));
        let slot = (&spec.connection, &spec.group, name.clone());
        if let Some(first) = names.insert(slot, spec) {
            if let (true, Origin::File { line, column, .. }) = (first.id != spec.id, &spec.origin) {
                report.at_place(
                    Location {
                        line: *line,
                        column: *column,
                    },
                    format!(
                        "the schedule name {name} of {} is also that of {}",
                        spec.id,
                        first.label()
                    ),
                );
            }
        }
    }
}

/// Skip texts of a table, parsed; `None` when one is invalid (reported).
fn skips(report: &mut Report, values: Option<&[Spanned<String>]>, label: &str) -> Option<Calendar> {
    let mut calendar = Calendar::default();
    let mut ok = true;
    for v in values.unwrap_or_default() {
        match crate::calendar::parse_skip(v.get_ref(), label) {
            Ok(rule) => calendar.rules.push(rule),
            Err(e) => {
                report.at(v.span(), format!("skip: {e}"));
                ok = false;
            }
        }
    }
    ok.then_some(calendar)
}

/// Each `[calendars.NAME]` table's skipped days; `None` for one that is invalid (reported).
fn calendars(
    report: &mut Report,
    tables: &std::collections::BTreeMap<String, CalendarTable>,
    read: &mut dyn FnMut(&str) -> Result<String, String>,
) -> HashMap<String, Option<Calendar>> {
    let mut out = HashMap::new();
    for (name, table) in tables {
        let label = format!("calendar {}:", crate::text::printable(name));
        let mut calendar = skips(report, table.skip.as_deref(), &label);
        if let Some(ics) = &table.ics {
            let read = read(ics.get_ref())
                .and_then(|text| crate::ics::read(ics.get_ref(), &text).map_err(|e| e.to_string()));
            match read {
                Ok(more) => calendar = calendar.map(|c| c.with(&more)),
                Err(e) => {
                    report.at(ics.span(), format!("ics: {e}"));
                    calendar = None;
                }
            }
        }
        out.insert(name.clone(), calendar);
    }
    out
}

/// Parses and validates a fleet file into one request per service. `path` only labels the
/// messages; `read` gives the text of a file the fleet names (an iCalendar file), by its path
/// as written. Every problem is reported, each with its place.
pub fn parse(
    path: &str,
    text: &str,
    read: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Fleet, FleetErrors> {
    let mut report = Report {
        path,
        text,
        lines: Lines::new(text),
        errors: Vec::new(),
    };
    unknown_keys(&mut report);
    let file: FleetFile = match toml::from_str(text) {
        Ok(file) => file,
        Err(e) => {
            let message = e.message().trim().to_string();
            match e.span() {
                Some(span) => report.at(span, message),
                None => report.errors.push((None, format!("{path}: {message}"))),
            }
            return Err(report.into_errors());
        }
    };
    let calendars = calendars(&mut report, &file.calendars, read);
    let defaults = file.defaults.unwrap_or_default();
    let defaults = layer(&mut report, &defaults.keys(), &calendars);
    if file.services.is_empty() && file.selects.is_empty() {
        report.at(0..0, "the file has no [[service]] or [[select]] entries");
    }
    let mut specs: Vec<ServiceSpec> = file
        .services
        .iter()
        .filter_map(|e| resolve(&mut report, e, &defaults, &calendars))
        .collect();
    check_unique(&mut report, &file.services, &specs);
    attach_overrides(&mut report, &file.overrides, &mut specs);
    let selectors = selectors(&mut report, &file.selects, &defaults, &calendars);
    if report.errors.is_empty() {
        Ok(Fleet {
            services: specs,
            selectors,
        })
    } else {
        Err(report.into_errors())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys checked for unknown ones are exactly the format's: they cannot drift apart.
    #[test]
    fn places_are_found_by_line_index() {
        let text = "a\nbé c\n\nd";
        let lines = Lines::new(text);
        let at = |offset| {
            let l = lines.locate(text, offset);
            (l.line, l.column)
        };
        assert_eq!(at(0), (1, 1));
        assert_eq!(at(1), (1, 2));
        assert_eq!(at(2), (2, 1));
        assert_eq!(at(5), (2, 3), "columns count characters, not bytes");
        assert_eq!(at(8), (3, 1));
        assert_eq!(at(9), (4, 1));
        assert_eq!(at(100), (4, 2), "past the end: the end");
    }

    #[test]
    fn known_keys_are_the_schema_properties() {
        let schema = json_schema();
        let keys = |def: &str| -> Vec<String> {
            let mut keys: Vec<String> = schema["$defs"][def]["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            keys.sort();
            keys
        };
        let mut settings: Vec<String> = SETTING_KEYS.iter().map(|k| k.to_string()).collect();
        settings.sort();
        assert_eq!(keys("Defaults"), settings);
        settings.extend(ENTRY_KEYS.iter().map(|k| k.to_string()));
        settings.sort();
        assert_eq!(keys("ServiceEntry"), settings);
        let mut calendar: Vec<String> = CALENDAR_KEYS.iter().map(|k| k.to_string()).collect();
        calendar.sort();
        assert_eq!(keys("CalendarTable"), calendar);
    }
}
