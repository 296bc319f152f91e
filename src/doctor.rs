//! `doctor`: every reason a service's schedules would fail at fire time or save nothing, each
//! with its severity, the fix, and the command that applies it; and what could not be checked,
//! with why. Pure: the AWS edge reads the facts into [`Facts`].

use crate::checks::{self, Capacity};
use crate::expression::timezone::Zone;
use crate::expression::ScheduleExpression;
use crate::iam::{RoleRead, Verdict};
use crate::naming::{GroupName, Switch};
use crate::plan::Scaling;
use crate::schedule::{Schedule, ServiceId, State};
use crate::spec::ClientKey;
use jiff::Timestamp;
use serde::Serialize;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A schedule fails at fire time, or leaves the service on or off when it should not be.
    Error,
    /// The schedules work but save less than they seem to, or will stop working.
    Warning,
}

/// One reason a schedule would fail or save nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// A stable identifier, e.g. `daemon`, `role-trust`, `schedule-disabled`.
    pub code: &'static str,
    pub message: String,
    pub fix: String,
    /// The command that applies the fix, when one does.
    pub command: Option<String>,
}

/// Something that could not be read, so not checked (never called healthy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unchecked {
    pub what: String,
    pub why: String,
}

/// Another writer of the service's desiredCount: an Application Auto Scaling scheduled action, or
/// a Scheduler schedule that is not ecs-onoff's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherWriter {
    pub what: String,
    pub schedule: String,
}

/// One target of an enabled EventBridge rule, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleTarget {
    pub bus: String,
    pub rule: String,
    /// Its schedule expression; `None` for a rule that matches events.
    pub fires: Option<String>,
    pub target_arn: String,
    /// The text the target is sent: its constant Input or its input template; `None` when it is
    /// sent the event itself.
    pub input: Option<String>,
}

impl RuleTarget {
    /// Whether the text it sends names the service: its ARN, or its name and its cluster's name
    /// (or cluster ARN) as JSON strings. A target sent the matched event names nothing.
    pub fn names(&self, id: &ServiceId, arn: &str) -> bool {
        let Some(text) = &self.input else {
            return false;
        };
        let quoted = |s: &str| format!("\"{s}\"");
        // The ARN as a whole: not the start of another service's (`.../web2`).
        let whole = |needle: &str| {
            text.match_indices(needle).any(|(at, _)| {
                text[at + needle.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            })
        };
        whole(arn)
            || (text.contains(&quoted(id.service.as_str()))
                && (text.contains(&quoted(id.cluster.as_str()))
                    || text.contains(&format!(":cluster/{}\"", id.cluster))))
    }
}

/// What is known about a service, as read.
#[derive(Debug, Clone)]
pub struct Facts {
    pub key: ClientKey,
    pub id: ServiceId,
    pub group: GroupName,
    /// The service as DescribeServices gives it, `None` when it does not exist.
    pub service: Option<ServiceFacts>,
    /// The service's Application Auto Scaling target.
    pub scaling: Scaling,
    /// Other writers of its count, or why they could not be read.
    pub others: Result<Vec<OtherWriter>, String>,
    /// The targets of the Region's enabled EventBridge rules, or why they could not be read.
    pub rules: Result<Vec<RuleTarget>, String>,
    /// Its ecs-onoff schedules in the group, or why they could not be read.
    pub schedules: Result<Vec<Schedule>, String>,
    /// Its execution role (from its schedules), as read.
    pub role: Option<(String, RoleRead)>,
    /// The dead-letter queues of its schedules: whether each exists, or why that is unknown.
    pub dead_letter: Vec<(String, Result<bool, String>)>,
    /// The Auto Scaling groups under its EC2 capacity providers, or why they could not be read.
    pub groups: Result<Vec<GroupFacts>, String>,
}

/// An Auto Scaling group under a service's capacity provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupFacts {
    pub name: crate::capacity::AsgName,
    pub min_size: u32,
    /// The capacity provider's managed scaling is on.
    pub managed: bool,
    /// Its instances are protected from scale-in (new ones, or one now), and no capacity
    /// provider's managed termination protection lifts it from idle instances.
    pub protected: bool,
}

#[derive(Debug, Clone)]
pub struct ServiceFacts {
    pub arn: String,
    pub status: String,
    pub desired_count: u32,
    pub daemon: bool,
    pub capacity: Capacity,
}

/// The findings about one service, and what could not be checked.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Examination {
    pub findings: Vec<Finding>,
    pub unchecked: Vec<Unchecked>,
}

impl Examination {
    fn error(&mut self, code: &'static str, message: String, fix: String, command: Option<String>) {
        self.push(Severity::Error, code, message, fix, command);
    }

    fn warning(
        &mut self,
        code: &'static str,
        message: String,
        fix: String,
        command: Option<String>,
    ) {
        self.push(Severity::Warning, code, message, fix, command);
    }

    fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        message: String,
        fix: String,
        command: Option<String>,
    ) {
        self.findings.push(Finding {
            severity,
            code,
            message,
            fix,
            command,
        });
    }

    fn unchecked(&mut self, what: &str, why: &str) {
        self.unchecked.push(Unchecked {
            what: what.to_string(),
            why: why.to_string(),
        });
    }
}

/// Examines one service as of `now`.
pub fn examine(facts: &Facts, now: Timestamp) -> Examination {
    let mut out = Examination::default();
    let id = &facts.id;
    let region = facts.key.region.as_str();
    let target = format!(
        "--cluster {} --service {} --group {} --region {region}",
        id.cluster, id.service, facts.group
    );
    let Some(service) = &facts.service else {
        out.error(
            "service-missing",
            format!("service {id} does not exist in {}", facts.key),
            "remove its schedules, or create the service".into(),
            Some(format!("ecs-onoff unschedule {target}")),
        );
        return out;
    };
    let switched: Vec<&crate::capacity::AsgName> = facts
        .schedules
        .as_ref()
        .map(|s| {
            s.iter()
                .filter_map(|s| s.capacity_owner().map(|o| o.0))
                .collect()
        })
        .unwrap_or_default();
    // Instances go at night when capacity schedules switch the group, or when managed scaling
    // may scale every group in to 0.
    let instances_go = !switched.is_empty()
        || facts.groups.as_ref().is_ok_and(|groups| {
            !groups.is_empty() && groups.iter().all(|g| g.managed && g.min_size == 0)
        });
    service_findings(&mut out, service, &target, instances_go);
    for (queue, exists) in &facts.dead_letter {
        match exists {
            Ok(true) => {}
            Ok(false) => out.error(
                "dlq-missing",
                format!(
                    "dead-letter queue {queue} does not exist: invocations that fail are lost \
                     instead of kept there"
                ),
                "create the queue (standard, in the schedules' account and Region), or set \
                 another dead_letter_arn and apply"
                    .into(),
                None,
            ),
            Err(why) => out.unchecked(&format!("dead-letter queue {queue}"), why),
        }
    }
    match &facts.groups {
        Err(why) => out.unchecked("the Auto Scaling groups under its capacity providers", why),
        Ok(groups) => {
            for g in groups
                .iter()
                .filter(|g| g.protected && switched.contains(&&g.name))
            {
                out.warning(
                    "group-protected",
                    format!(
                        "Auto Scaling group {} protects its instances from scale-in: its off \
                         schedule sets it to 0, but protected instances keep running",
                        g.name
                    ),
                    "turn the protection off for new and running instances".into(),
                    Some(format!(
                        "aws autoscaling update-auto-scaling-group --auto-scaling-group-name {} \
                         --no-new-instances-protected-from-scale-in --region {region}; aws \
                         autoscaling set-instance-protection --auto-scaling-group-name {} \
                         --no-protected-from-scale-in --instance-ids ...",
                        g.name, g.name
                    )),
                );
            }
            for g in groups
                .iter()
                .filter(|g| g.min_size > 0 && !switched.contains(&&g.name))
            {
                out.warning(
                    "group-min-size",
                    format!(
                        "Auto Scaling group {} keeps MinSize {} instance(s) running at night{}",
                        g.name,
                        g.min_size,
                        if g.managed {
                            ": managed scaling scales it in no further than MinSize"
                        } else {
                            ""
                        }
                    ),
                    "switch the group with its services (capacity-aware schedules: --capacity), \
                     or set its MinSize to 0"
                        .into(),
                    None,
                );
            }
        }
    }
    let schedules = match &facts.schedules {
        Ok(s) => s.as_slice(),
        Err(why) => {
            out.unchecked("its schedules", why);
            &[]
        }
    };
    scaling_findings(&mut out, facts, schedules, &target);
    match &facts.others {
        Ok(others) => {
            for o in others {
                out.warning(
                    "conflict",
                    format!(
                        "{} also sets its count ({}): the two fight over it",
                        o.what, o.schedule
                    ),
                    "remove one of them (ecs-onoff import adopts a schedule made elsewhere)".into(),
                    None,
                );
            }
        }
        Err(why) => out.unchecked("other schedules and scheduled actions of the service", why),
    }
    match &facts.rules {
        Ok(rules) => {
            for r in rules.iter().filter(|r| r.names(id, &service.arn)) {
                out.warning(
                    "rule-conflict",
                    format!(
                        "EventBridge rule {} on bus {} ({}) sends {} an input that names the \
                         service: if what it starts sets the service's count, the two fight \
                         over it",
                        r.rule,
                        r.bus,
                        r.fires.as_deref().unwrap_or("on matching events"),
                        r.target_arn
                    ),
                    "leave the switching to these schedules and disable the rule, or take the \
                     service out of the rule's input"
                        .into(),
                    Some(format!(
                        "aws events disable-rule --name {} --event-bus-name {} --region {region}",
                        r.rule, r.bus
                    )),
                );
            }
        }
        Err(why) => out.unchecked(
            "EventBridge rules whose targets could change the service",
            why,
        ),
    }
    if facts.schedules.is_ok() {
        schedule_findings(&mut out, facts, service, schedules, &target, now);
    }
    role_findings(&mut out, facts, schedules);
    out
}

fn service_findings(
    out: &mut Examination,
    service: &ServiceFacts,
    target: &str,
    instances_go: bool,
) {
    if service.daemon {
        out.error(
            "daemon",
            "the service uses the DAEMON scheduling strategy: UpdateService refuses a desired \
             count for it, so every schedule fails"
                .into(),
            "remove its schedules; a DAEMON service follows its container instances".into(),
            Some(format!("ecs-onoff unschedule {target}")),
        );
    }
    if service.status != "ACTIVE" {
        out.error(
            "not-active",
            format!(
                "the service is {}: UpdateService fails on it",
                service.status
            ),
            "remove its schedules".into(),
            Some(format!("ecs-onoff unschedule {target}")),
        );
    }
    if let Some(w) = checks::short_arn(&service.arn) {
        out.warning(
            "short-arn",
            w,
            "opt in to the long ARN format and recreate the service, or keep the execution \
             policy naming this ARN"
                .into(),
            None,
        );
    }
    if let Some(w) = checks::ec2_cost(&service.capacity).filter(|_| !instances_go) {
        out.warning(
            "saves-nothing",
            w,
            "let the instances go too: capacity-aware schedules switch the Auto Scaling group \
             that carries it (--capacity; --asg NAME for the plain EC2 launch type)"
                .into(),
            None,
        );
    }
}

fn scaling_findings(out: &mut Examination, facts: &Facts, schedules: &[Schedule], target: &str) {
    match &facts.scaling {
        Scaling::Unread(why) => out.unchecked("its Application Auto Scaling target", why),
        Scaling::Targets(targets) => {
            let aware = schedules.iter().any(|s| s.bounds().is_some());
            let min = targets.iter().map(|b| b.min).max().unwrap_or(0);
            if min > 0 && !aware && !schedules.is_empty() {
                out.error(
                    "autoscaling-undoes-off",
                    format!(
                        "its Application Auto Scaling target has MinCapacity {min} and its \
                         schedules set desiredCount: a scale-out brings it back to {min} after \
                         the off time"
                    ),
                    "make its schedules autoscaling-aware (the default of schedule and apply)"
                        .into(),
                    Some(format!(
                        "ecs-onoff plan / apply -f FLEET, or ecs-onoff schedule {target} ..."
                    )),
                );
            }
        }
    }
}

fn schedule_findings(
    out: &mut Examination,
    facts: &Facts,
    service: &ServiceFacts,
    schedules: &[Schedule],
    target: &str,
    now: Timestamp,
) {
    let regular: Vec<&Schedule> = schedules.iter().filter(|s| s.owner().is_some()).collect();
    let of = |switch: Switch| {
        regular
            .iter()
            .filter(move |s| s.owner().is_some_and(|o| o.1.switch == switch))
    };
    for (switch, effect) in [
        (
            Switch::On,
            "it is never turned on by schedule (right only for an off-only safety net)",
        ),
        (Switch::Off, "it is never turned off: nothing is saved"),
    ] {
        if of(switch).next().is_none() {
            out.warning(
                "schedule-missing",
                format!(
                    "it has no {switch} schedule in group {}: {effect}",
                    facts.group
                ),
                format!("give it {switch} times"),
                Some(format!("ecs-onoff schedule {target} --window ...")),
            );
        }
    }
    for s in &regular {
        if s.state == Some(State::Disabled) && crate::overrides::held(s).is_none() {
            out.error(
                "schedule-disabled",
                format!("{} is DISABLED: it does not fire", s.name),
                "enable it".into(),
                Some(format!("ecs-onoff schedule {target} --state enabled ...")),
            );
        }
        if s.end_date.is_some_and(|t| t <= now) && !regular_has_later(&regular, s, now) {
            out.error(
                "schedule-expired",
                format!(
                    "{} ended at {}: it does not fire again",
                    s.name,
                    s.end_date.expect("checked")
                ),
                "apply its schedules again".into(),
                Some("ecs-onoff apply -f FLEET".into()),
            );
        }
    }
    // The count it is turned on with, against the live one while its schedules say on (not
    // during an override).
    let held = regular.iter().any(|s| crate::overrides::held(s).is_some());
    let plain: Vec<Schedule> = regular.iter().map(|s| (*s).clone()).collect();
    let now_count = crate::overrides::scheduled_count(&plain, now);
    if let Some(on) = of(Switch::On)
        .filter(|s| s.bounds().is_none())
        .find_map(|s| s.input.desired_count())
    {
        if !held && now_count == Some(on) && service.desired_count != on {
            out.warning(
                "on-count-differs",
                format!(
                    "its on schedule sets desiredCount {on}, but it runs with {} now: the next \
                     on time sets {on}",
                    service.desired_count
                ),
                "set the on count it should have".into(),
                Some(format!(
                    "ecs-onoff schedule {target} --on-count {} ...",
                    service.desired_count
                )),
            );
        }
    }
    let today = jiff::tz::TimeZone::UTC.to_datetime(now).date();
    if let Some(w) = regular
        .iter()
        .filter_map(|s| crate::spec::compiled_until(&s.description))
        .min()
        .and_then(|until| checks::calendar_ends(until, today))
    {
        out.warning(
            "calendar-ends",
            w,
            "apply its schedules again".into(),
            Some("ecs-onoff apply -f FLEET".into()),
        );
    }
    // Daylight saving: each distinct expression once.
    let mut seen = std::collections::BTreeSet::new();
    for s in &regular {
        let Some((_, slot)) = s.owner() else { continue };
        if !seen.insert((s.expression.clone(), s.timezone.clone())) {
            continue;
        }
        let (Ok(expr), Ok(zone)) = (
            ScheduleExpression::parse(&s.expression),
            Zone::parse(&s.timezone),
        ) else {
            continue;
        };
        for w in checks::daylight_saving(slot.switch, &expr, &zone, now) {
            out.warning(
                "daylight-saving",
                w,
                "move the time out of the change hour (02:00-03:00 in most zones)".into(),
                None,
            );
        }
    }
}

/// Whether another schedule of the same switch still fires after `now` (a calendar's next
/// segment follows an ended one).
fn regular_has_later(regular: &[&Schedule], ended: &Schedule, now: Timestamp) -> bool {
    let switch = ended.owner().map(|o| o.1.switch);
    regular
        .iter()
        .any(|s| s.owner().map(|o| o.1.switch) == switch && s.end_date.is_none_or(|t| t > now))
}

fn role_findings(out: &mut Examination, facts: &Facts, schedules: &[Schedule]) {
    let Some((role, read)) = &facts.role else {
        return;
    };
    let name = role.rsplit('/').next().unwrap_or_default();
    let region = facts.key.region.as_str();
    let fix_command = format!(
        "ecs-onoff iam create-role --role-name {name} --region {region} --group {} --cluster {} \
         --service {}",
        facts.group, facts.id.cluster, facts.id.service
    );
    let docs = match read {
        RoleRead::Read(docs) => docs,
        RoleRead::Missing => {
            out.error(
                "role-missing",
                format!("its execution role {role} does not exist: every invocation fails"),
                "create it".into(),
                Some(fix_command),
            );
            return;
        }
        RoleRead::Unchecked(why) => {
            out.unchecked(&format!("its execution role {role}"), why);
            return;
        }
    };
    let account = crate::arn::account_of(role).unwrap_or_default();
    let group_arn = crate::arn::schedule_group_arn(region, account, &facts.group);
    let trusted = docs.trust.as_ref().map_or(Verdict::Missing, |t| {
        crate::iam::trust_allows(t, &group_arn, account)
    });
    let mut verdicts = vec![(
        trusted,
        "role-trust",
        format!(
            "the trust policy of {role} does not let scheduler.amazonaws.com assume it for \
             {group_arn}"
        ),
    )];
    let service_arn = facts
        .service
        .as_ref()
        .map(|s| s.arn.clone())
        .unwrap_or_default();
    let mut calls: Vec<(String, String)> = Vec::new();
    for s in schedules {
        if crate::schedule::is_update_service_target(&s.target_arn) {
            calls.push(("ecs:UpdateService".into(), service_arn.clone()));
        } else if crate::schedule::is_register_target(&s.target_arn) {
            calls.push((
                "application-autoscaling:RegisterScalableTarget".into(),
                format!(
                    "arn:{}:application-autoscaling:{region}:{account}:scalable-target/*",
                    facts.key.region.partition()
                ),
            ));
        } else if let Some((group, _)) = s.capacity_owner() {
            calls.push((
                "autoscaling:UpdateAutoScalingGroup".into(),
                crate::iam::group_arn(region, account, group),
            ));
        } else if s.target_arn.ends_with(crate::arn::PUBLISH_TARGET_SUFFIX) {
            if let Some(topic) = serde_json::from_str::<serde_json::Value>(&s.input.render())
                .ok()
                .and_then(|v| v["TopicArn"].as_str().map(str::to_string))
            {
                calls.push(("sns:Publish".into(), topic));
            }
        }
        if let Some(dlq) = &s.dead_letter_arn {
            calls.push(("sqs:SendMessage".into(), dlq.clone()));
        }
    }
    calls.sort();
    calls.dedup();
    for (action, resource) in calls {
        verdicts.push((
            crate::iam::policies_allow(&docs.policies, &action, &resource),
            "role-permission",
            format!("{role} does not allow {action} on {resource}"),
        ));
    }
    for (verdict, code, message) in verdicts {
        match verdict {
            Verdict::Allowed => {}
            Verdict::Missing => out.error(
                code,
                format!("{message}: every invocation that needs it fails"),
                "add it to the role".into(),
                Some(fix_command.clone()),
            ),
            Verdict::Unknown => out.unchecked(
                &message.replace(" does not allow ", " allows "),
                "a statement with a condition, NotAction or NotResource decides it",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::RoleDocuments;
    use crate::schedule::Bounds;
    use crate::spec::tests::{key, request_of, spec};
    use crate::spec::Switching;
    use serde_json::json;

    const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff";

    fn now() -> Timestamp {
        "2026-11-25T00:00:00Z".parse().unwrap()
    }

    /// A healthy service: its schedules (on count 2), a Fargate service running 2, a role that
    /// allows what they call.
    fn healthy() -> Facts {
        let mut s = spec("prod", "web");
        s.role_arn = Some(ROLE.parse().unwrap());
        let r = request_of(s, key("us-east-1"));
        let schedules = r.schedules(2);
        Facts {
            key: r.key.clone(),
            id: r.spec.id.clone(),
            group: r.spec.group.clone(),
            service: Some(ServiceFacts {
                arn: "arn:aws:ecs:us-east-1:123456789012:service/prod/web".into(),
                status: "ACTIVE".into(),
                desired_count: 2,
                daemon: false,
                capacity: Capacity {
                    launch_type: Some("FARGATE".into()),
                    capacity_providers: vec![],
                },
            }),
            scaling: Scaling::Targets(vec![]),
            others: Ok(vec![]),
            rules: Ok(vec![]),
            schedules: Ok(schedules),
            role: Some((
                ROLE.into(),
                RoleRead::Read(role_documents(&["ecs:UpdateService"])),
            )),
            dead_letter: vec![],
            groups: Ok(vec![]),
        }
    }

    fn role_documents(actions: &[&str]) -> RoleDocuments {
        let group = "arn:aws:scheduler:us-east-1:123456789012:schedule-group/ecs-onoff";
        RoleDocuments {
            trust: Some(json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012", "aws:SourceArn": group}}
            }]})),
            policies: vec![json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": actions, "Resource": "*"
            }]})],
        }
    }

    fn codes(facts: &Facts) -> Vec<&'static str> {
        let e = examine(facts, now());
        assert!(e.unchecked.is_empty(), "{:?}", e.unchecked);
        e.findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn a_healthy_service_has_no_findings() {
        assert_eq!(codes(&healthy()), Vec::<&str>::new());
    }

    #[test]
    fn the_service_itself() {
        let mut f = healthy();
        let s = f.service.as_mut().unwrap();
        s.daemon = true;
        s.status = "DRAINING".into();
        s.arn = "arn:aws:ecs:us-east-1:123456789012:service/web".into();
        s.capacity = Capacity {
            launch_type: Some("EC2".into()),
            capacity_providers: vec![],
        };
        let c = codes(&f);
        for code in ["daemon", "not-active", "short-arn", "saves-nothing"] {
            assert!(c.contains(&code), "{code} in {c:?}");
        }
        f.service = None;
        let e = examine(&f, now());
        assert_eq!(e.findings[0].code, "service-missing");
        assert_eq!(e.findings[0].severity, Severity::Error);
        assert!(e.findings[0]
            .command
            .as_deref()
            .unwrap()
            .starts_with("ecs-onoff unschedule"));
    }

    #[test]
    fn a_dead_letter_queue_that_does_not_exist() {
        let mut f = healthy();
        let queue = "arn:aws:sqs:us-east-1:123456789012:dlq".to_string();
        f.dead_letter = vec![(queue.clone(), Ok(true))];
        assert_eq!(codes(&f), Vec::<&str>::new());
        f.dead_letter = vec![(queue.clone(), Ok(false))];
        assert_eq!(codes(&f), ["dlq-missing"]);
        let e = examine(&f, now());
        assert_eq!(e.findings[0].severity, Severity::Error);
        assert!(e.findings[0].message.contains(&queue));
        f.dead_letter = vec![(queue, Err("no permission to read it (AccessDenied)".into()))];
        let e = examine(&f, now());
        assert!(e.findings.is_empty() && e.unchecked.len() == 1);
    }

    #[test]
    fn a_groups_min_size_keeps_instances_at_night() {
        let mut f = healthy();
        f.service.as_mut().unwrap().capacity = Capacity {
            launch_type: None,
            capacity_providers: vec!["cp".into()],
        };
        let group = |min_size, managed| GroupFacts {
            name: "prod-nodes".parse().unwrap(),
            min_size,
            managed,
            protected: false,
        };
        // Managed scaling and MinSize 0: the instances go with the tasks.
        f.groups = Ok(vec![group(0, true)]);
        assert_eq!(codes(&f), Vec::<&str>::new());
        // MinSize 2 keeps two instances: both findings, the group named.
        f.groups = Ok(vec![group(2, true)]);
        assert_eq!(codes(&f), ["saves-nothing", "group-min-size"]);
        let e = examine(&f, now());
        assert!(e.findings[1].message.contains("prod-nodes keeps MinSize 2"));
        // Without managed scaling, MinSize 0 alone saves nothing either.
        f.groups = Ok(vec![group(0, false)]);
        assert_eq!(codes(&f), ["saves-nothing"]);
        // Not readable: said, not called healthy.
        f.groups = Err("no permission to read it (AccessDenied)".into());
        let e = examine(&f, now());
        assert_eq!(e.unchecked.len(), 1);
    }

    #[test]
    fn capacity_schedules_make_an_ec2_service_save_and_need_their_permission() {
        let mut f = healthy();
        f.service.as_mut().unwrap().capacity = Capacity {
            launch_type: Some("EC2".into()),
            capacity_providers: vec![],
        };
        assert_eq!(codes(&f), ["saves-nothing"]);
        // The group's capacity schedule, as planning writes it, names the service.
        let group: crate::capacity::AsgName = "prod-nodes".parse().unwrap();
        let slot = crate::naming::Slot::plain(crate::naming::Switch::Off);
        let size = crate::capacity::off_size(&group, false);
        let mut capacity = f.schedules.as_ref().unwrap()[0].clone();
        capacity.name = crate::capacity::schedule_name(&group, slot);
        capacity.target_arn = crate::arn::update_group_target("aws");
        capacity.description = crate::capacity::description(
            &group,
            slot.switch,
            &size.sets(),
            std::slice::from_ref(&f.id),
        );
        capacity.input = crate::schedule::Input::GroupSize(size);
        f.schedules.as_mut().unwrap().push(capacity);
        let c = codes(&f);
        assert_eq!(c, ["role-permission"], "the role cannot resize the group");
        let e = examine(&f, now());
        assert!(e.findings[0]
            .message
            .contains("autoscaling:UpdateAutoScalingGroup"));
        f.role = Some((
            ROLE.into(),
            RoleRead::Read(role_documents(&[
                "ecs:UpdateService",
                "autoscaling:UpdateAutoScalingGroup",
            ])),
        ));
        assert_eq!(codes(&f), Vec::<&str>::new());
        // The group it switches protects its instances from scale-in: they stay at night.
        let protected = |managed| GroupFacts {
            name: group.clone(),
            min_size: 2,
            managed,
            protected: true,
        };
        f.groups = Ok(vec![protected(false)]);
        assert_eq!(codes(&f), ["group-protected"]);
        let e = examine(&f, now());
        assert!(e.findings[0]
            .command
            .as_deref()
            .unwrap()
            .contains("--no-new-instances-protected-from-scale-in"));
        // Under managed scaling too, unless managed termination protection lifts it (then
        // the read reports the group as not protected).
        f.groups = Ok(vec![protected(true)]);
        assert_eq!(codes(&f), ["group-protected"]);
    }

    #[test]
    fn autoscaling_and_other_writers() {
        let mut f = healthy();
        f.scaling = Scaling::Targets(vec![Bounds { min: 2, max: 6 }]);
        assert_eq!(codes(&f), ["autoscaling-undoes-off"]);
        // Autoscaling-aware schedules: nothing to find (the role allows RegisterScalableTarget).
        let mut s = spec("prod", "web");
        s.role_arn = Some(ROLE.parse().unwrap());
        let r = request_of(s, key("us-east-1"));
        f.schedules = Ok(r.schedules_with(Switching::Bounds(Bounds { min: 2, max: 6 })));
        f.role = Some((
            ROLE.into(),
            RoleRead::Read(role_documents(&[
                "application-autoscaling:RegisterScalableTarget",
            ])),
        ));
        assert_eq!(codes(&f), Vec::<&str>::new());
        // The role cannot: an error naming the action.
        f.role = Some((
            ROLE.into(),
            RoleRead::Read(role_documents(&["ecs:UpdateService"])),
        ));
        let e = examine(&f, now());
        assert_eq!(e.findings[0].code, "role-permission");
        assert!(e.findings[0].message.contains("RegisterScalableTarget"));
        let mut f = healthy();
        f.others = Ok(vec![OtherWriter {
            what: "Application Auto Scaling scheduled action night".into(),
            schedule: "cron(0 20 * * ? *)".into(),
        }]);
        assert_eq!(codes(&f), ["conflict"]);
    }

    fn rule(input: Option<&str>) -> RuleTarget {
        RuleTarget {
            bus: "default".into(),
            rule: "nightly-stop".into(),
            fires: Some("cron(0 20 * * ? *)".into()),
            target_arn: "arn:aws:lambda:us-east-1:123456789012:function:stop".into(),
            input: input.map(str::to_string),
        }
    }

    #[test]
    fn rules_whose_input_names_the_service() {
        let id = ServiceId {
            cluster: "prod".parse().unwrap(),
            service: "web".parse().unwrap(),
        };
        let arn = "arn:aws:ecs:us-east-1:123456789012:service/prod/web";
        let names = |input: Option<&str>| rule(input).names(&id, arn);
        // By ARN, by names, by cluster ARN and name; in an input template too.
        assert!(names(Some(&format!(r#"{{"service": "{arn}"}}"#))));
        assert!(names(Some(
            r#"{"cluster":"prod","service":"web","desiredCount":0}"#
        )));
        assert!(names(Some(
            r#"{"Cluster":"arn:aws:ecs:us-east-1:123456789012:cluster/prod","Service":"web"}"#
        )));
        assert!(names(Some(
            r#"{"time": <time>, "cluster": "prod", "service": "web"}"#
        )));
        // Not: another service, another cluster, a name inside a longer word, the event itself.
        assert!(!names(Some(r#"{"cluster":"prod","service":"web2"}"#)));
        assert!(!names(Some(&format!(r#"{{"service": "{arn}2"}}"#))));
        assert!(names(Some(&format!(
            r#"{{"services": ["{arn}2", "{arn}"]}}"#
        ))));
        assert!(!names(Some(r#"{"cluster":"staging","service":"web"}"#)));
        assert!(!names(Some(r#"{"cluster":"prod-eu","service":"web"}"#)));
        assert!(!names(None));

        let mut f = healthy();
        f.rules = Ok(vec![
            rule(Some(r#"{"cluster":"prod","service":"web"}"#)),
            rule(Some(r#"{"cluster":"prod","service":"api"}"#)),
        ]);
        let e = examine(&f, now());
        assert_eq!(codes(&f), ["rule-conflict"]);
        let finding = &e.findings[0];
        assert_eq!(finding.severity, Severity::Warning);
        assert!(
            finding.message.contains(
                "EventBridge rule nightly-stop on bus default (cron(0 20 * * ? *)) sends \
                 arn:aws:lambda:us-east-1:123456789012:function:stop"
            ),
            "{}",
            finding.message
        );
        assert_eq!(
            finding.command.as_deref(),
            Some("aws events disable-rule --name nightly-stop --event-bus-name default --region us-east-1")
        );
        f.rules = Err("no permission to read it (AccessDeniedException)".into());
        let e = examine(&f, now());
        assert!(e.findings.is_empty());
        assert_eq!(
            e.unchecked[0].what,
            "EventBridge rules whose targets could change the service"
        );
    }

    #[test]
    fn the_role() {
        let mut f = healthy();
        f.role = Some((ROLE.into(), RoleRead::Missing));
        assert_eq!(codes(&f), ["role-missing"]);
        let mut docs = role_documents(&["ecs:UpdateService"]);
        docs.trust = Some(json!({"Version": "2012-10-17", "Statement": []}));
        f.role = Some((ROLE.into(), RoleRead::Read(docs)));
        assert_eq!(codes(&f), ["role-trust"]);
        f.role = Some((
            ROLE.into(),
            RoleRead::Read(role_documents(&["sns:Publish"])),
        ));
        assert_eq!(codes(&f), ["role-permission"]);
        // A dead-letter queue the role may not send to.
        let mut f = healthy();
        if let Ok(s) = &mut f.schedules {
            s[0].dead_letter_arn = Some("arn:aws:sqs:us-east-1:123456789012:dlq".into());
        }
        let e = examine(&f, now());
        assert!(
            e.findings[0].message.contains("sqs:SendMessage"),
            "{:?}",
            e.findings
        );
        // What cannot be read is not checked, and said so.
        let mut f = healthy();
        f.role = Some((
            ROLE.into(),
            RoleRead::Unchecked("no permission (AccessDenied)".into()),
        ));
        let e = examine(&f, now());
        assert!(e.findings.is_empty());
        assert!(e.unchecked[0].why.contains("AccessDenied"));
        f.scaling = Scaling::Unread("no permission".into());
        f.others = Err("no permission".into());
        assert_eq!(examine(&f, now()).unchecked.len(), 3);
    }

    #[test]
    fn the_schedules() {
        let mut f = healthy();
        let Ok(schedules) = &mut f.schedules else {
            unreachable!()
        };
        schedules[0].state = Some(State::Disabled);
        schedules[1].end_date = Some("2026-01-01T00:00:00Z".parse().unwrap());
        let c = codes(&f);
        assert_eq!(c, ["schedule-disabled", "schedule-expired"], "{c:?}");
        let mut f = healthy();
        if let Ok(s) = &mut f.schedules {
            s.retain(|s| s.owner().unwrap().1.switch == Switch::On);
        }
        let e = examine(&f, now());
        assert_eq!(e.findings[0].code, "schedule-missing");
        assert_eq!(e.findings[0].severity, Severity::Warning);
        assert!(e.findings[0].message.contains("nothing is saved"));
        // Running with 3 at 11:00 on a Wednesday, while the on schedule sets 2.
        let mut f = healthy();
        f.service.as_mut().unwrap().desired_count = 3;
        let day: Timestamp = "2026-11-25T10:00:00Z".parse().unwrap();
        let e = examine(&f, day);
        assert_eq!(e.findings[0].code, "on-count-differs");
        // At night (the schedules say off) whatever it runs with is not compared.
        assert_eq!(codes(&f), Vec::<&str>::new());
        f.service.as_mut().unwrap().desired_count = 0;
        assert_eq!(codes(&f), Vec::<&str>::new());
        // A calendar compiled until 20 days from now.
        let mut f = healthy();
        if let Ok(s) = &mut f.schedules {
            s[0].description
                .push_str("; skipped days compiled until 2026-12-15 (apply again before then)");
        }
        assert_eq!(codes(&f), ["calendar-ends"]);
        // An on time in the spring-forward gap and the fall-back fold.
        let mut f = healthy();
        if let Ok(s) = &mut f.schedules {
            s[0].expression = "cron(30 2 * * ? *)".into();
            s[0].timezone = "Europe/Berlin".into();
        }
        assert_eq!(codes(&f), ["daylight-saving", "daylight-saving"]);
    }
}
