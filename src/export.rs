//! What `apply` would write, as Terraform (HCL) or a CloudFormation template (JSON), for teams
//! whose infrastructure lives there. Every schedule carries exactly the fields `apply` sends.
//! No I/O.

use crate::schedule::Schedule;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// An execution role to export with its documents.
#[derive(Debug, Clone)]
pub struct Role {
    pub name: String,
    pub arn: String,
    pub trust: Value,
    pub policy: Value,
}

/// Everything exported: schedule groups by Region, the schedules by Region, and roles.
#[derive(Debug, Clone, Default)]
pub struct Bundle {
    pub groups: BTreeMap<String, Vec<String>>,
    pub schedules: BTreeMap<String, Vec<Schedule>>,
    pub roles: Vec<Role>,
}

/// The inline policy name of an exported execution role.
pub const POLICY_NAME: &str = "ecs-onoff-execution";

/// A Terraform identifier from any text: letters, digits and underscores, not starting with a
/// digit; `.` and `-` become `_`. Names that map to the same identifier get a numeric suffix
/// from [`Identifiers`].
fn identifier(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Unique identifiers, stable for the same input order.
#[derive(Default)]
struct Identifiers(BTreeMap<String, usize>);

impl Identifiers {
    fn take(&mut self, wanted: String) -> String {
        let n = self.0.entry(wanted.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            wanted
        } else {
            format!("{wanted}_{n}")
        }
    }
}

/// A quoted HCL string: `"`, `\` and control characters escaped, and `${` / `%{` doubled so
/// that they are not templates.
pub fn hcl_string(text: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The provider alias of a Region when the bundle spans several.
fn provider(region: &str, several: bool) -> String {
    if several {
        format!("  provider = aws.{}\n", identifier(region))
    } else {
        String::new()
    }
}

/// Terraform: `aws_scheduler_schedule_group`, `aws_scheduler_schedule`, and with roles
/// `aws_iam_role` and `aws_iam_role_policy`. Resource addresses come from the names.
pub fn terraform(bundle: &Bundle) -> String {
    let several = bundle.schedules.len() > 1 || bundle.groups.len() > 1;
    let mut out =
        String::from("# Written by ecs-onoff export: what `ecs-onoff apply` would write.\n");
    if several {
        for region in bundle.groups.keys().chain(bundle.schedules.keys()) {
            let alias = identifier(region);
            if out.contains(&format!("alias  = \"{alias}\"")) {
                continue;
            }
            let _ = write!(
                out,
                "\nprovider \"aws\" {{\n  alias  = \"{alias}\"\n  region = {}\n}}\n",
                hcl_string(region)
            );
        }
    }
    let mut ids = Identifiers::default();
    let mut group_ids: BTreeMap<(String, String), String> = BTreeMap::new();
    for (region, groups) in &bundle.groups {
        for group in groups {
            let id = ids.take(identifier(&if several {
                format!("{region}_{group}")
            } else {
                group.clone()
            }));
            let _ = write!(
                out,
                "\nresource \"aws_scheduler_schedule_group\" \"{id}\" {{\n{}  name = {}\n  tags = {{\n    \"managed-by\" = \"ecs-onoff\"\n  }}\n}}\n",
                provider(region, several),
                hcl_string(group)
            );
            group_ids.insert((region.clone(), group.clone()), id);
        }
    }
    for (region, schedules) in &bundle.schedules {
        for s in schedules {
            let id = ids.take(identifier(&if several {
                format!("{region}_{}", s.name)
            } else {
                s.name.clone()
            }));
            let group = match group_ids.get(&(region.clone(), s.group.clone())) {
                Some(g) => format!("aws_scheduler_schedule_group.{g}.name"),
                None => hcl_string(&s.group),
            };
            let mut body = String::new();
            let _ = writeln!(
                body,
                "  name                         = {}",
                hcl_string(&s.name)
            );
            let _ = writeln!(body, "  group_name                   = {group}");
            let _ = writeln!(
                body,
                "  description                  = {}",
                hcl_string(&s.description)
            );
            let _ = writeln!(
                body,
                "  schedule_expression          = {}",
                hcl_string(&s.expression)
            );
            let _ = writeln!(
                body,
                "  schedule_expression_timezone = {}",
                hcl_string(&s.timezone)
            );
            if let Some(state) = s.state {
                let _ = writeln!(
                    body,
                    "  state                        = {}",
                    hcl_string(state.as_str())
                );
            }
            if let Some(t) = s.start_date {
                let _ = writeln!(
                    body,
                    "  start_date                   = {}",
                    hcl_string(&t.to_string())
                );
            }
            if let Some(t) = s.end_date {
                let _ = writeln!(
                    body,
                    "  end_date                     = {}",
                    hcl_string(&t.to_string())
                );
            }
            if let Some(a) = &s.unmanaged.action_after_completion {
                let _ = writeln!(body, "  action_after_completion      = {}", hcl_string(a));
            }
            let mode = if s.flexible_window_off {
                "OFF"
            } else {
                "FLEXIBLE"
            };
            let _ = write!(
                body,
                "\n  flexible_time_window {{\n    mode = \"{mode}\"\n  }}\n"
            );
            let _ = write!(
                body,
                "\n  target {{\n    arn      = {}\n    role_arn = {}\n    input    = {}\n",
                hcl_string(&s.target_arn),
                hcl_string(&s.role_arn),
                hcl_string(&s.input.render())
            );
            if let Some(r) = s.retry {
                let _ = write!(
                    body,
                    "\n    retry_policy {{\n      maximum_event_age_in_seconds = {}\n      maximum_retry_attempts       = {}\n    }}\n",
                    r.maximum_event_age_seconds, r.maximum_retry_attempts
                );
            }
            if let Some(dlq) = &s.dead_letter_arn {
                let _ = write!(
                    body,
                    "\n    dead_letter_config {{\n      arn = {}\n    }}\n",
                    hcl_string(dlq)
                );
            }
            body.push_str("  }\n");
            let _ = write!(
                out,
                "\nresource \"aws_scheduler_schedule\" \"{id}\" {{\n{}{body}}}\n",
                provider(region, several)
            );
        }
    }
    for role in &bundle.roles {
        let id = ids.take(identifier(&role.name));
        let _ = write!(
            out,
            "\nresource \"aws_iam_role\" \"{id}\" {{\n  name               = {}\n  assume_role_policy = {}\n}}\n",
            hcl_string(&role.name),
            hcl_string(&role.trust.to_string())
        );
        let _ = write!(
            out,
            "\nresource \"aws_iam_role_policy\" \"{id}\" {{\n  name   = \"{POLICY_NAME}\"\n  role   = aws_iam_role.{id}.id\n  policy = {}\n}}\n",
            hcl_string(&role.policy.to_string())
        );
    }
    out
}

/// A CloudFormation logical id: alphanumeric, from a name, unique in the template.
fn logical_id(prefix: &str, name: &str, taken: &mut Identifiers) -> String {
    let mut id = String::from(prefix);
    let mut upper = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else {
            upper = true;
        }
    }
    id.truncate(240);
    let unique = taken.take(id);
    unique.replace('_', "")
}

/// A CloudFormation template (JSON) with `AWS::Scheduler::ScheduleGroup`,
/// `AWS::Scheduler::Schedule` and, with roles, `AWS::IAM::Role`. A template is deployed in one
/// Region: a bundle that spans several is refused, naming them.
pub fn cloudformation(bundle: &Bundle) -> Result<Value, String> {
    let regions: Vec<&String> = {
        let mut r: Vec<&String> = bundle
            .groups
            .keys()
            .chain(bundle.schedules.keys())
            .collect();
        r.sort();
        r.dedup();
        r
    };
    if regions.len() > 1 {
        return Err(format!(
            "a CloudFormation template is deployed in one Region, and the file uses {}: export \
             each Region's services from a file of their own, one stack per Region",
            regions
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut resources = Map::new();
    let mut taken = Identifiers::default();
    let mut group_ids = BTreeMap::new();
    for groups in bundle.groups.values() {
        for group in groups {
            let id = logical_id("ScheduleGroup", group, &mut taken);
            resources.insert(
                id.clone(),
                json!({
                    "Type": "AWS::Scheduler::ScheduleGroup",
                    "Properties": {
                        "Name": group,
                        "Tags": [{ "Key": "managed-by", "Value": "ecs-onoff" }]
                    }
                }),
            );
            group_ids.insert(group.clone(), id);
        }
    }
    for schedules in bundle.schedules.values() {
        for s in schedules {
            let id = logical_id("Schedule", &s.name, &mut taken);
            // The CreateSchedule request and the resource's properties share their names.
            let mut properties = s.create_request();
            if let Some(g) = group_ids.get(&s.group) {
                properties["GroupName"] = json!({ "Ref": g });
            }
            resources.insert(
                id,
                json!({ "Type": "AWS::Scheduler::Schedule", "Properties": properties }),
            );
        }
    }
    for role in &bundle.roles {
        let id = logical_id("Role", &role.name, &mut taken);
        resources.insert(
            id,
            json!({
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": role.name,
                    "AssumeRolePolicyDocument": role.trust,
                    "Policies": [{ "PolicyName": POLICY_NAME, "PolicyDocument": role.policy }]
                }
            }),
        );
    }
    Ok(json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Written by ecs-onoff export: what `ecs-onoff apply` would write.",
        "Resources": resources,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_strings_escape_what_hcl_reads() {
        assert_eq!(hcl_string(r#"{"a":"b"}"#), r#""{\"a\":\"b\"}""#);
        assert_eq!(
            hcl_string("x ${y} %{z} $5 100%"),
            r#""x $${y} %%{z} $5 100%""#
        );
        assert_eq!(hcl_string("a\nb\\c"), r#""a\nb\\c""#);
    }

    #[test]
    fn identifiers_are_valid_and_unique() {
        let mut ids = Identifiers::default();
        assert_eq!(ids.take(identifier("staging.web.on")), "staging_web_on");
        assert_eq!(ids.take(identifier("staging.web-on")), "staging_web_on_2");
        assert_eq!(identifier("1a.b"), "_1a_b");
        let mut taken = Identifiers::default();
        assert_eq!(
            logical_id("Schedule", "staging.web.on-20261224", &mut taken),
            "ScheduleStagingWebOn20261224"
        );
        assert_eq!(
            logical_id("Schedule", "staging-web.on.20261224", &mut taken),
            "ScheduleStagingWebOn202612242"
        );
    }
}
