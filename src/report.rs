//! What each command reports: one `Serialize` type per command. `--output json` prints the type
//! itself; the text view is rendered from the same value by [`Render::text`]. Renderers are pure
//! functions of the report, so they are tested without AWS. The JSON shapes are documented in
//! the README and kept stable.

use crate::expression::eval::{offset_text, Fire};
use crate::expression::timezone::Zone;
use crate::expression::ScheduleExpression;
use crate::naming::Switch;
use crate::plan::{Action, FieldChange, Plan, Tally};
use crate::reconcile::Outcome;
use crate::schedule::{Input, Schedule, ServiceId, State};
use crate::spec::ClientKey;
use jiff::Timestamp;
use serde::Serialize;
use std::fmt::Write as _;

/// How text is drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
    pub verbose: bool,
    pub quiet: bool,
}

impl Style {
    /// A header or emphasis.
    pub fn bold(&self, text: &str) -> String {
        if self.color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Less important text.
    pub fn dim(&self, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("\x1b[2m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// A report: JSON is the value itself, text is drawn from it.
pub trait Render: Serialize {
    fn text(&self, style: &Style) -> String;

    /// With `--output markdown`; the text where a report has no Markdown form.
    fn markdown(&self, style: &Style) -> String {
        self.text(style)
    }
}

/// A fire time for people: `Mon 2026-11-30 09:00 CET +01:00` (the abbreviation is left out where
/// the time zone database has only a numeric one).
pub fn local_time(zone: &Zone, fire: &Fire) -> String {
    let info = zone.tz().to_offset_info(fire.utc);
    let abbreviation = info.abbreviation();
    let abbreviation = if abbreviation.starts_with(['+', '-']) {
        String::new()
    } else {
        format!("{abbreviation} ")
    };
    format!(
        "{} {abbreviation}{}",
        fire.local.strftime("%a %Y-%m-%d %H:%M"),
        offset_text(fire.offset)
    )
}

/// Left-aligned columns, two spaces apart.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let line = |cells: &[&str]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                let _ = write!(out, "{cell:<width$}  ", width = widths[i]);
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(header);
    for row in rows {
        out.push_str(&line(&row.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    out
}

/// The next fire of a stored schedule, when it is enabled and its expression and zone are ones
/// ecs-onoff reads.
pub fn next_fire(s: &Schedule, now: Timestamp) -> Option<(Zone, Fire)> {
    if s.state == Some(State::Disabled) {
        return None;
    }
    let expr = ScheduleExpression::parse(&s.expression).ok()?;
    let zone = Zone::parse(&s.timezone).ok()?;
    let fire = expr
        .next_fires_active(&zone, now, 1, &s.active())
        .fires
        .first()
        .copied()?;
    Some((zone, fire))
}

/// One schedule, as every command shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleRow {
    /// The verb: planned (`create`) in `plan`, done (`created`) in reports of writes; absent in
    /// `list` and `status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<&'static str>,
    pub name: String,
    pub group: String,
    pub region: String,
    pub profile: Option<String>,
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub switch: Option<Switch>,
    pub expression: String,
    pub timezone: String,
    pub desired_count: Option<u32>,
    pub state: Option<State>,
    /// The Application Auto Scaling bounds the schedule sets (autoscaling-aware schedules):
    /// `{"min", "max"}`; null for the others.
    pub bounds: Option<crate::schedule::Bounds>,
    /// The Auto Scaling group a capacity schedule switches, and the sizes it sets
    /// (`{"min", "max", "desired"}`, max and desired null when managed scaling sets them);
    /// absent for the others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_scaling_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_size: Option<crate::capacity::GroupSizeRow>,
    pub next_fire_utc: Option<String>,
    pub next_fire_local: Option<String>,
    /// StartDate and EndDate (RFC 3339), when it has them.
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// Its EndDate has passed: it will not fire again.
    pub expired: bool,
    pub changes: Vec<FieldChange>,
    /// The next fire for people, e.g. `Mon 2026-11-30 09:00 CET +01:00`.
    #[serde(skip)]
    next_fire_text: Option<String>,
}

impl ScheduleRow {
    pub fn new(key: &ClientKey, s: &Schedule, now: Timestamp) -> ScheduleRow {
        let owner = s.owner();
        let notified = s.notify_of();
        let fire = next_fire(s, now);
        // A schedule of another owner (adopted) may name its service in another shape.
        let id: Option<ServiceId> = match &s.input {
            Input::Other(text) if crate::schedule::is_update_service_target(&s.target_arn) => {
                crate::schedule::UpdateService::read_any(text)
                    .ok()
                    .map(|u| u.service)
            }
            input => input.service().cloned().or(notified),
        };
        ScheduleRow {
            action: None,
            name: s.name.clone(),
            group: s.group.clone(),
            region: key.region.to_string(),
            profile: key.profile.clone(),
            cluster: id.as_ref().map(|id| id.cluster.to_string()),
            service: id.as_ref().map(|id| id.service.to_string()),
            switch: owner
                .map(|o| o.1.switch)
                .or(s.capacity_owner().map(|o| o.1.switch)),
            expression: s.expression.clone(),
            timezone: s.timezone.clone(),
            desired_count: s.input.desired_count(),
            bounds: s.bounds(),
            auto_scaling_group: s.capacity_owner().map(|o| o.0.to_string()),
            group_size: match &s.input {
                Input::GroupSize(g) => Some(crate::capacity::GroupSizeRow::from(g)),
                _ => None,
            },
            state: s.state,
            next_fire_utc: fire.as_ref().map(|(_, f)| f.utc_rfc3339()),
            next_fire_local: fire.as_ref().map(|(_, f)| f.local_rfc3339()),
            start_date: s.start_date.map(|t| t.to_string()),
            end_date: s.end_date.map(|t| t.to_string()),
            expired: s.active().expired(now),
            changes: Vec::new(),
            next_fire_text: fire.as_ref().map(|(z, f)| local_time(z, f)),
        }
    }

    /// The row of a plan step, with the verb given (planned or done).
    fn step(
        key: &ClientKey,
        s: &Schedule,
        action: &Action,
        verb: &'static str,
        now: Timestamp,
    ) -> ScheduleRow {
        let mut row = if *action == Action::Create {
            // Predicted as AWS will run it: created now (a rate() fires at once).
            let created = Schedule {
                created: Some(now),
                ..s.clone()
            };
            ScheduleRow::new(key, &created, now)
        } else {
            ScheduleRow::new(key, s, now)
        };
        row.action = Some(verb);
        row.changes = action.changes().to_vec();
        if *action == Action::Delete {
            row.next_fire_utc = None;
            row.next_fire_local = None;
            row.next_fire_text = None;
        }
        row
    }

    fn count_text(&self) -> String {
        if let Some(g) = &self.group_size {
            // An Auto Scaling group's MinSize/MaxSize/DesiredCapacity ("-": left to managed
            // scaling).
            let n = |v: Option<u32>| v.map_or("-".to_string(), |n| n.to_string());
            return format!("ASG {}/{}/{}", g.min, n(g.max), n(g.desired));
        }
        self.desired_count.map_or("?".into(), |n| n.to_string())
    }

    /// `Mon 2026-11-30 09:00 CET +01:00 (2026-11-30T08:00:00Z)`, `disabled`, `expired` or
    /// `never`.
    fn next_text(&self) -> String {
        match (&self.next_fire_text, &self.next_fire_utc) {
            (Some(local), Some(utc)) => format!("{local} ({utc})"),
            _ if self.state == Some(State::Disabled) => "disabled".into(),
            _ if self.expired => "expired".into(),
            _ => "never".into(),
        }
    }
}

/// `  name field: old -> new` lines under a table.
fn change_lines(rows: &[ScheduleRow], out: &mut String) {
    for row in rows {
        for c in &row.changes {
            let _ = writeln!(out, "  {} {}: {} -> {}", row.name, c.field, c.old, c.new);
        }
    }
}

/// The table of a report of writes: action, schedule, expression, zone, count, next fire.
fn actions_table(rows: &[&ScheduleRow]) -> String {
    let multi_region = rows
        .iter()
        .any(|r| r.region != rows[0].region || r.profile != rows[0].profile);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                r.action.unwrap_or("").to_string(),
                format!("{}/{}", r.group, r.name),
            ];
            if multi_region {
                cells.push(r.region.clone());
            }
            cells.extend([
                r.expression.clone(),
                r.timezone.clone(),
                r.count_text(),
                r.next_text(),
            ]);
            cells
        })
        .collect();
    let mut header = vec!["ACTION", "SCHEDULE"];
    if multi_region {
        header.push("REGION");
    }
    header.extend(["EXPRESSION", "TIME ZONE", "COUNT", "NEXT FIRE"]);
    table(&header, &cells)
}

/// `plan`: what `apply` would do.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    pub actions: Vec<ScheduleRow>,
    /// desiredCounts set at once, after the writes (overrides).
    pub counts: Vec<CountRow>,
    pub summary: Tally,
}

/// A desiredCount set at once.
#[derive(Debug, Clone, Serialize)]
pub struct CountRow {
    pub cluster: String,
    pub service: String,
    pub region: String,
    pub from: Option<u32>,
    pub to: u32,
    /// The Application Auto Scaling bounds set instead of a count (autoscaling-aware), or null.
    pub bounds: Option<crate::schedule::Bounds>,
    pub reason: String,
}

impl PlanReport {
    /// Whether `apply` would change anything.
    pub fn has_changes(&self) -> bool {
        self.summary.changes() > 0 || !self.counts.is_empty()
    }
}

impl PlanReport {
    pub fn new(plan: &Plan, now: Timestamp) -> PlanReport {
        PlanReport {
            actions: plan
                .steps
                .iter()
                .map(|s| ScheduleRow::step(&s.key, &s.schedule, &s.action, s.action.verb(), now))
                .collect(),
            counts: plan
                .counts
                .iter()
                .map(|c| CountRow {
                    cluster: c.id.cluster.to_string(),
                    service: c.id.service.to_string(),
                    region: c.key.region.to_string(),
                    from: c.from,
                    to: c.to,
                    bounds: c.bounds,
                    reason: c.reason.clone(),
                })
                .collect(),
            summary: plan.tally(),
        }
    }
}

fn sign(verb: &str) -> &'static str {
    match verb {
        "create" => "+",
        "update" => "~",
        "delete" => "-",
        _ => " ",
    }
}

impl Render for PlanReport {
    fn text(&self, style: &Style) -> String {
        let mut out = String::new();
        for row in &self.actions {
            let verb = row.action.unwrap_or("");
            if verb == "unchanged" && !style.verbose {
                continue;
            }
            let profile = row
                .profile
                .as_ref()
                .map(|p| format!(" (profile {p})"))
                .unwrap_or_default();
            let mut dates = String::new();
            if let Some(start) = &row.start_date {
                let _ = write!(dates, "  from {start}");
            }
            if let Some(end) = &row.end_date {
                let _ = write!(dates, "  until {end}");
            }
            let _ = writeln!(
                out,
                "{} {verb:<9} {}/{}  [{}{profile}]  {}  {}  desiredCount {}{dates}",
                sign(verb),
                row.group,
                row.name,
                row.region,
                row.expression,
                row.timezone,
                row.count_text()
            );
            for c in &row.changes {
                let _ = writeln!(out, "      {}: {} -> {}", c.field, c.old, c.new);
            }
        }
        for c in &self.counts {
            let change = match c.bounds {
                Some(b) => format!("bounds -> {b}"),
                None => format!(
                    "desiredCount {} -> {}",
                    c.from.map_or("?".to_string(), |n| n.to_string()),
                    c.to
                ),
            };
            let _ = writeln!(
                out,
                "~ count     {}/{}  [{}]  {change}  ({})",
                c.cluster, c.service, c.region, c.reason
            );
        }
        let t = &self.summary;
        let _ = writeln!(
            out,
            "Plan: {} to create, {} to update, {} to delete, {} unchanged.",
            t.create, t.update, t.delete, t.unchanged
        );
        out
    }
}

/// What was done, by verb.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Done {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub elapsed_seconds: f64,
    /// `SIGINT` or `SIGTERM` when a signal stopped the run early, else null.
    pub interrupted_by: Option<&'static str>,
}

/// A service left with one schedule of its pair: failed writes made it so.
#[derive(Debug, Clone, Serialize)]
pub struct IncompleteRow {
    pub cluster: String,
    pub service: String,
    pub group: String,
    pub region: String,
    pub profile: Option<String>,
    /// The schedule it still has: `on` or `off`.
    pub has: &'static str,
    /// What that means for the service until the next successful run.
    pub effect: &'static str,
}

/// Which schedules of each service exist once the writes are done (or failed).
fn incomplete(plan: &Plan, outcome: &Outcome) -> Vec<IncompleteRow> {
    use std::collections::BTreeMap;
    // For each service: whether an on and an off schedule exist, and are wanted.
    let mut pairs: BTreeMap<_, ([bool; 2], [bool; 2])> = BTreeMap::new();
    for (step, result) in plan.steps.iter().zip(&outcome.results) {
        let Some((id, slot)) = step.owner() else {
            continue;
        };
        let exists = match (&step.action, result.is_ok()) {
            (Action::Create, done) => done,
            (Action::Delete, done) => !done,
            (Action::Update(_) | Action::Unchanged, _) => true,
        };
        let i = usize::from(slot.switch == Switch::Off);
        let entry = pairs
            .entry((&step.key, &step.schedule.group, id))
            .or_default();
        entry.0[i] |= exists;
        entry.1[i] |= step.action != Action::Delete;
    }
    pairs
        .into_iter()
        .filter_map(|((key, group, id), (exists, wanted))| {
            // A service meant to have only an on or only an off schedule is complete with it.
            if exists == wanted {
                return None;
            }
            let [on, off] = exists;
            let (has, effect) = match (on, off) {
                (true, false) => (
                    "on",
                    "it is turned on as scheduled but never off: it keeps running",
                ),
                (false, true) => ("off", "it is turned off as scheduled but never on again"),
                _ => return None,
            };
            Some(IncompleteRow {
                cluster: id.cluster.to_string(),
                service: id.service.to_string(),
                group: group.clone(),
                region: key.region.to_string(),
                profile: key.profile.clone(),
                has,
                effect,
            })
        })
        .collect()
}

/// A write that failed.
#[derive(Debug, Clone, Serialize)]
pub struct FailureRow {
    /// The planned verb: `create`, `update` or `delete`.
    pub action: &'static str,
    pub name: String,
    pub group: String,
    pub region: String,
    pub profile: Option<String>,
    pub cluster: Option<String>,
    pub service: Option<String>,
    /// AWS's error code (`ConflictException`, `ThrottlingException`, ...), or `Skipped` when
    /// the write was not attempted because one it depends on failed.
    pub code: String,
    pub error: String,
}

/// `schedule`, `unschedule` and `apply`: what was written.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    /// Every schedule the plan covered that was written or left unchanged (failed writes are
    /// in `failures` instead).
    pub actions: Vec<ScheduleRow>,
    pub summary: Done,
    pub failures: Vec<FailureRow>,
    /// Services that the run's failures left with one schedule of their pair.
    pub incomplete: Vec<IncompleteRow>,
    /// Text output lists unchanged schedules too (one service), else only with --verbose.
    #[serde(skip)]
    pub show_unchanged: bool,
}

impl ApplyReport {
    pub fn new(
        plan: &Plan,
        outcome: &Outcome,
        elapsed_seconds: f64,
        now: Timestamp,
    ) -> ApplyReport {
        let mut report = ApplyReport {
            actions: Vec::new(),
            summary: Done {
                elapsed_seconds: (elapsed_seconds * 1000.0).round() / 1000.0,
                interrupted_by: outcome.stopped_by.map(crate::interrupt::Signal::name),
                ..Done::default()
            },
            failures: Vec::new(),
            incomplete: incomplete(plan, outcome),
            show_unchanged: false,
        };
        for (step, result) in plan.steps.iter().zip(&outcome.results) {
            let row = ScheduleRow::step(
                &step.key,
                &step.schedule,
                &step.action,
                step.action.done(),
                now,
            );
            match result {
                Ok(()) => {
                    let s = &mut report.summary;
                    match step.action {
                        Action::Create => s.created += 1,
                        Action::Update(_) => s.updated += 1,
                        Action::Delete => s.deleted += 1,
                        Action::Unchanged => s.unchanged += 1,
                    }
                    report.actions.push(row);
                }
                Err(f) => report.failures.push(FailureRow {
                    action: step.action.verb(),
                    name: row.name,
                    group: row.group,
                    region: row.region,
                    profile: row.profile,
                    cluster: row.cluster,
                    service: row.service,
                    code: f.code.clone(),
                    error: f.message.clone(),
                }),
            }
        }
        report.summary.failed = report.failures.len();
        report
    }
}

impl Render for ApplyReport {
    fn text(&self, style: &Style) -> String {
        let shown: Vec<&ScheduleRow> = self
            .actions
            .iter()
            .filter(|r| self.show_unchanged || style.verbose || r.action != Some("unchanged"))
            .collect();
        let mut out = String::new();
        if !shown.is_empty() {
            out.push_str(&actions_table(&shown));
            change_lines(&self.actions, &mut out);
        }
        for f in &self.failures {
            let _ = writeln!(
                out,
                "failed  {} {}/{} [{}]: {}",
                f.action, f.group, f.name, f.region, f.error
            );
        }
        for i in &self.incomplete {
            let _ = writeln!(
                out,
                "incomplete  {}/{} in {} [{}]: only its {} schedule exists, so {}",
                i.cluster, i.service, i.group, i.region, i.has, i.effect
            );
        }
        let s = &self.summary;
        let _ = write!(
            out,
            "Apply: {} created, {} updated, {} deleted, {} unchanged, {} failed in {:.1} s",
            s.created, s.updated, s.deleted, s.unchanged, s.failed, s.elapsed_seconds
        );
        match s.interrupted_by {
            Some(signal) => {
                let _ = writeln!(out, " (stopped by {signal})");
            }
            None => out.push('\n'),
        }
        out
    }
}

/// `schedule --dry-run`: the CreateSchedule requests, in the API's JSON shape.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Requests(pub Vec<serde_json::Value>);

impl Render for Requests {
    fn text(&self, _: &Style) -> String {
        pretty(&self.0)
    }
}

/// An IAM document, printed as JSON (2-space indentation, fixed key order) in either format.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Document(pub serde_json::Value);

impl Render for Document {
    fn text(&self, _: &Style) -> String {
        pretty(&self.0)
    }
}

/// Text printed as it is (a completion script, a manual page); a JSON string with `--output json`.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Plain(pub String);

impl Render for Plain {
    fn text(&self, _: &Style) -> String {
        self.0.clone()
    }
}

/// JSON with 2-space indentation and a final newline: the one JSON renderer.
pub fn pretty(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("reports serialise");
    text.push('\n');
    text
}

/// `list`: the managed schedules of a group.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct ListReport(pub Vec<ScheduleRow>);

impl Render for ListReport {
    fn text(&self, _: &Style) -> String {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.cluster.clone().unwrap_or_default(),
                    r.service.clone().unwrap_or_default(),
                    r.switch.map(|s| s.to_string()).unwrap_or_default(),
                    r.count_text(),
                    r.expression.clone(),
                    r.timezone.clone(),
                    r.state.map_or("?", State::as_str).to_string(),
                    r.next_fire_utc.clone().unwrap_or_else(|| r.next_text()),
                    r.next_fire_text.clone().unwrap_or_default(),
                ]
            })
            .collect();
        table(
            &[
                "NAME",
                "CLUSTER",
                "SERVICE",
                "SWITCH",
                "COUNT",
                "EXPRESSION",
                "TIME ZONE",
                "STATE",
                "NEXT (UTC)",
                "NEXT (LOCAL)",
            ],
            &rows,
        )
    }
}

/// The next change of a service's count.
#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    pub switch: Switch,
    pub desired_count: Option<u32>,
    pub utc: String,
    pub local: String,
    #[serde(skip)]
    local_text: String,
}

/// `status`: a service's live counts, its schedules and its next transition.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub cluster: String,
    pub service: String,
    pub group: String,
    pub region: String,
    pub status: String,
    pub desired_count: u32,
    pub running_count: u32,
    pub launch_type: Option<String>,
    pub capacity_providers: Vec<String>,
    pub schedules: Vec<ScheduleRow>,
    /// Names of the service's schedules that do not exist.
    pub missing: Vec<String>,
    pub next_transition: Option<Transition>,
    /// The service's override, while it lasts.
    #[serde(rename = "override")]
    pub override_: Option<OverrideRow>,
}

impl StatusReport {
    /// The next transition: the earliest next fire among the enabled schedules.
    pub fn next_transition(schedules: &[Schedule], now: Timestamp) -> Option<Transition> {
        schedules
            .iter()
            .filter_map(|s| {
                let switch = s.owner()?.1.switch;
                let (zone, fire) = next_fire(s, now)?;
                Some(Transition {
                    switch,
                    desired_count: s.input.desired_count(),
                    utc: fire.utc_rfc3339(),
                    local: fire.local_rfc3339(),
                    local_text: format!("{} ({})", local_time(&zone, &fire), fire.utc_rfc3339()),
                })
            })
            .min_by(|a, b| a.utc.cmp(&b.utc))
    }
}

impl Render for StatusReport {
    fn text(&self, style: &Style) -> String {
        let launch = self
            .launch_type
            .clone()
            .unwrap_or_else(|| self.capacity_providers.join(","));
        let mut out = format!(
            "{}\n  status {}, desired {}, running {}, launch type {}\n\n",
            style.bold(&format!("{}/{}", self.cluster, self.service)),
            self.status,
            self.desired_count,
            self.running_count,
            if launch.is_empty() {
                "unknown"
            } else {
                &launch
            }
        );
        let mut rows: Vec<Vec<String>> = self
            .schedules
            .iter()
            .map(|r| {
                vec![
                    r.switch.map(|s| s.to_string()).unwrap_or_default(),
                    format!("{}/{}", r.group, r.name),
                    r.expression.clone(),
                    r.timezone.clone(),
                    r.count_text(),
                    r.state.map_or("?", State::as_str).to_string(),
                    r.next_fire_utc.clone().unwrap_or_else(|| r.next_text()),
                ]
            })
            .collect();
        for name in &self.missing {
            rows.push(vec![
                String::new(),
                format!("{}/{name}", self.group),
                "(absent)".into(),
            ]);
        }
        out.push_str(&table(
            &[
                "SWITCH",
                "SCHEDULE",
                "EXPRESSION",
                "TIME ZONE",
                "COUNT",
                "STATE",
                "NEXT (UTC)",
            ],
            &rows,
        ));
        match &self.next_transition {
            Some(t) => {
                let _ = writeln!(
                    out,
                    "\nnext transition: {} at {}, desiredCount {}",
                    t.switch,
                    t.local_text,
                    t.desired_count.map_or("?".into(), |n| n.to_string())
                );
            }
            None => out.push_str("\nnext transition: none scheduled\n"),
        }
        if let Some(o) = &self.override_ {
            let _ = writeln!(out, "{}", o.sentence());
        }
        out
    }
}

/// A service's override.
#[derive(Debug, Clone, Serialize)]
pub struct OverrideRow {
    pub cluster: String,
    pub service: String,
    pub group: String,
    pub region: String,
    /// `on` or `off`: what the override keeps the service.
    pub state: Switch,
    /// The count it keeps.
    pub count: u32,
    /// Its end: RFC 3339 UTC, and in the service's time zone.
    pub until_utc: String,
    pub until_local: String,
    pub timezone: String,
    /// The count its end sets: what the schedules say then.
    pub then_count: u32,
}

impl OverrideRow {
    pub fn new(
        key: &ClientKey,
        group: &str,
        id: &crate::schedule::ServiceId,
        o: &crate::overrides::Override,
    ) -> OverrideRow {
        OverrideRow {
            cluster: id.cluster.to_string(),
            service: id.service.to_string(),
            group: group.to_string(),
            region: key.region.to_string(),
            state: o.state,
            count: o.count,
            until_utc: o.until.to_string(),
            until_local: o.until_local(),
            timezone: o.zone.clone(),
            then_count: o.then_count,
        }
    }

    /// `override: kept on at desiredCount 2 until Sun 2026-11-29 17:00 KST (2026-11-29T08:00:00Z),
    /// then desiredCount 0`.
    pub fn sentence(&self) -> String {
        format!(
            "override: kept {} at desiredCount {} until {} ({}), then desiredCount {}",
            self.state, self.count, self.until_local, self.until_utc, self.then_count
        )
    }
}

/// `override list`: the overrides in a group.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct OverrideList(pub Vec<OverrideRow>);

impl Render for OverrideList {
    fn text(&self, style: &Style) -> String {
        if self.0.is_empty() {
            return "no overrides\n".into();
        }
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|o| {
                vec![
                    format!("{}/{}", o.cluster, o.service),
                    format!("{} ({})", o.state, o.count),
                    o.until_local.clone(),
                    o.until_utc.clone(),
                    o.then_count.to_string(),
                ]
            })
            .collect();
        let _ = style;
        table(&["SERVICE", "KEPT", "UNTIL", "UNTIL (UTC)", "THEN"], &rows)
    }
}

/// One fire time of `next`.
#[derive(Debug, Clone, Serialize)]
pub struct FireRow {
    pub utc: String,
    pub local: String,
    pub timezone: String,
    pub expression: String,
    /// `on` or `off` for a window; absent for one expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Switch>,
    /// An on time on a skipped day: it does not fire as compiled (present only when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
    /// The rule that skips it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip)]
    local_text: String,
}

impl FireRow {
    /// A transition's row; `labelled` shows its switch (not for one expression alone).
    pub fn new(zone: &Zone, t: &crate::compile::Transition, labelled: bool) -> FireRow {
        FireRow {
            utc: t.fire.utc_rfc3339(),
            local: t.fire.local_rfc3339(),
            timezone: zone.name().to_string(),
            expression: t.expression.to_string(),
            action: labelled.then_some(t.switch),
            skipped: t.skipped.is_some(),
            reason: t.skipped.as_ref().map(|r| r.label.clone()),
            local_text: local_time(zone, &t.fire),
        }
    }
}

/// `next`: fire times in time order.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct NextReport {
    pub fires: Vec<FireRow>,
    /// What was evaluated, in words (text output only).
    #[serde(skip)]
    pub heading: String,
}

impl Render for NextReport {
    fn text(&self, style: &Style) -> String {
        let mut out = String::new();
        if !style.quiet {
            let _ = write!(out, "{}\n\n", style.bold(&self.heading));
        }
        let windowed = self.fires.iter().any(|f| f.action.is_some());
        let header = if windowed {
            format!("{:<6} {:<34} {}", "ACTION", "LOCAL", "UTC")
        } else {
            format!("{:<34} {}", "LOCAL", "UTC")
        };
        out.push_str(&style.bold(header.trim_end()));
        out.push('\n');
        for f in &self.fires {
            if windowed {
                let action = f.action.map(|a| a.to_string()).unwrap_or_default();
                let skipped = f
                    .reason
                    .as_ref()
                    .map(|r| format!("  skipped ({r})"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{action:<6} {:<34} {}{}",
                    f.local_text,
                    f.utc,
                    style.dim(&skipped)
                );
            } else {
                let _ = writeln!(out, "{:<34} {}", f.local_text, f.utc);
            }
        }
        out
    }
}

/// `iam create-role`: what was done to the role.
#[derive(Debug, Clone, Serialize)]
pub struct RoleReport {
    pub role_name: String,
    pub role_arn: String,
    /// `created`, `updated` or `unchanged`.
    pub trust_policy: &'static str,
    pub execution_policy: &'static str,
    pub policy_name: &'static str,
    /// What this run added to what the role allows.
    pub added: GrantsReport,
    /// What this run removed (only with --exact).
    pub removed: GrantsReport,
}

/// Schedule groups, services and queues an execution role allows, by ARN.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GrantsReport {
    pub groups: Vec<String>,
    pub services: Vec<String>,
    pub queues: Vec<String>,
    pub topics: Vec<String>,
    /// Auto Scaling groups (ARN patterns) capacity-aware schedules resize.
    pub auto_scaling_groups: Vec<String>,
}

impl From<&crate::iam::Grants> for GrantsReport {
    fn from(g: &crate::iam::Grants) -> GrantsReport {
        GrantsReport {
            groups: g.groups.iter().cloned().collect(),
            services: g.services.iter().cloned().collect(),
            queues: g.queues.iter().cloned().collect(),
            topics: g.topics.iter().cloned().collect(),
            auto_scaling_groups: g.capacity.iter().cloned().collect(),
        }
    }
}

impl Render for RoleReport {
    fn text(&self, _: &Style) -> String {
        format!("{}\n", self.role_arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{plan, Observed, Prune};
    use crate::reconcile::Failure;
    use crate::spec::tests::{key, request_of, spec};

    fn now() -> Timestamp {
        "2026-11-25T00:00:00Z".parse().unwrap()
    }

    fn one_service_plan() -> Plan {
        let r = request_of(spec("staging", "web"), key("eu-central-1"));
        plan(&[r], &Observed::default(), &Prune::Nothing, now())
    }

    #[test]
    fn plan_report_json_and_text() {
        let report = PlanReport::new(&one_service_plan(), now());
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["actions"][0]["action"], "create");
        assert_eq!(json["actions"][0]["switch"], "on");
        assert_eq!(json["actions"][0]["desired_count"], 1);
        assert_eq!(json["actions"][0]["region"], "eu-central-1");
        assert_eq!(json["actions"][0]["next_fire_utc"], "2026-11-25T08:00:00Z");
        assert_eq!(
            json["summary"],
            serde_json::json!({"create": 2, "update": 0, "delete": 0, "unchanged": 0})
        );
        let text = report.text(&Style::default());
        assert!(text.starts_with("+ create    ecs-onoff/staging.web.on  [eu-central-1]  cron(0 9 ? * MON-FRI *)  Europe/Berlin  desiredCount 1\n"), "{text}");
        assert!(
            text.ends_with("Plan: 2 to create, 0 to update, 0 to delete, 0 unchanged.\n"),
            "{text}"
        );
    }

    #[test]
    fn apply_report_uses_done_verbs_and_lists_failures() {
        let plan = one_service_plan();
        let outcome = Outcome {
            results: vec![
                Ok(()),
                Err(Failure {
                    code: "ThrottlingException".into(),
                    message: "CreateSchedule failed: ThrottlingException: slow down".into(),
                }),
            ],
            groups_created: vec![],
            stopped_by: None,
        };
        let report = ApplyReport::new(&plan, &outcome, 1.23456, now());
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["actions"][0]["action"], "created");
        assert_eq!(json["actions"].as_array().unwrap().len(), 1);
        assert_eq!(json["summary"]["created"], 1);
        assert_eq!(json["summary"]["failed"], 1);
        assert_eq!(json["summary"]["elapsed_seconds"], 1.235);
        assert_eq!(json["failures"][0]["action"], "create");
        assert_eq!(json["failures"][0]["code"], "ThrottlingException");
        assert_eq!(json["failures"][0]["name"], "staging.web.off");
        assert_eq!(json["summary"]["interrupted_by"], serde_json::Value::Null);
        assert_eq!(json["incomplete"][0]["service"], "web");
        assert_eq!(json["incomplete"][0]["has"], "on");
        let text = report.text(&Style::default());
        assert!(text.contains("created  ecs-onoff/staging.web.on"), "{text}");
        assert!(
            text.contains("Wed 2026-11-25 09:00 CET +01:00 (2026-11-25T08:00:00Z)"),
            "{text}"
        );
        assert!(
            text.contains(
                "failed  create ecs-onoff/staging.web.off [eu-central-1]: CreateSchedule failed"
            ),
            "{text}"
        );
        assert!(
            text.ends_with(
                "Apply: 1 created, 0 updated, 0 deleted, 0 unchanged, 1 failed in 1.2 s\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_service_left_with_only_its_off_schedule_is_incomplete() {
        let r = request_of(spec("staging", "web"), key("eu-central-1"));
        // The off schedule exists and is up to date; the on schedule is missing.
        let off = r.schedules(1).remove(1);
        let observed = Observed {
            existing: vec![(r.key.clone(), off)],
            ..Observed::default()
        };
        let plan = plan(&[r], &observed, &Prune::Nothing, now());
        assert_eq!(plan.steps[0].action, Action::Create);
        assert_eq!(plan.steps[1].action, Action::Unchanged);
        let failed = Failure {
            code: "Interrupted".into(),
            message: "not written".into(),
        };
        let outcome = Outcome {
            results: vec![Err(failed), Ok(())],
            groups_created: vec![],
            stopped_by: Some(crate::interrupt::Signal::Interrupt),
        };
        let report = ApplyReport::new(&plan, &outcome, 0.5, now());
        assert_eq!(report.incomplete.len(), 1);
        assert_eq!(report.incomplete[0].has, "off");
        let text = report.text(&Style::default());
        assert!(
            text.contains("incomplete  staging/web in ecs-onoff [eu-central-1]: only its off schedule exists, so it is turned off as scheduled but never on again"),
            "{text}"
        );
        assert!(
            text.ends_with("failed in 0.5 s (stopped by SIGINT)\n"),
            "{text}"
        );
        // All done: nothing is incomplete.
        let outcome = Outcome {
            results: vec![Ok(()), Ok(())],
            ..outcome
        };
        assert!(ApplyReport::new(&plan, &outcome, 0.5, now())
            .incomplete
            .is_empty());
    }

    #[test]
    fn disabled_schedules_have_no_next_fire() {
        let mut s = spec("staging", "web");
        s.state = State::Disabled;
        let schedule = request_of(s, key("us-east-1")).schedules(1).remove(0);
        let row = ScheduleRow::new(&key("us-east-1"), &schedule, now());
        assert_eq!(row.next_fire_utc, None);
        assert_eq!(row.next_text(), "disabled");
        assert_eq!(
            StatusReport::next_transition(&[schedule], now()).map(|t| t.utc),
            None
        );
    }

    #[test]
    fn table_aligns_columns() {
        let t = table(&["A", "BB"], &[vec!["xxx".into(), "y".into()]]);
        assert_eq!(t, "A    BB\nxxx  y\n");
    }
}
