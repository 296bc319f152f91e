//! `export` against moto_server: after `apply`, the Terraform and CloudFormation exports carry
//! exactly the fields of every schedule moto holds, the template passes cfn-lint and the HCL
//! parses with python-hcl2 (both independent of this code, installed by scripts/test.sh).

mod common;

use aws_sdk_ecs::types::LaunchType;
use common::{python, write_file, Env};
use ecs_onoff::schedule::Schedule;
use serde_json::Value;
use std::process::Command;

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff";
const TOPIC: &str = "arn:aws:sns:eu-central-1:123456789012:exp-heads-up";

/// The fields `apply` sends, as moto holds them, for comparison with an export.
fn fields(s: &Schedule) -> Value {
    serde_json::json!({
        "name": s.name,
        "expression": s.expression,
        "timezone": s.timezone,
        "state": s.state.map(|x| x.as_str()),
        "description": s.description,
        "start": s.start_date.map(|t| t.to_string()),
        "end": s.end_date.map(|t| t.to_string()),
        "arn": s.target_arn,
        "role": s.role_arn,
        "input": serde_json::from_str::<Value>(&s.input.render()).unwrap(),
        "retry": s.retry.map(|r| [r.maximum_event_age_seconds, r.maximum_retry_attempts]),
    })
}

async fn applied(env: &Env) -> Vec<Schedule> {
    let client = env.scheduler();
    let mut out = Vec::new();
    for name in env.names("g-exp").await {
        out.push(
            ecs_onoff::aws::scheduler::get(&client, "g-exp", &name)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    out
}

#[tokio::test]
async fn exports_carry_exactly_what_apply_wrote_and_are_valid() {
    let env = Env::in_region("eu-central-1").await;
    env.services("exp", &["web", "api"], 2, LaunchType::Fargate)
        .await;
    let fleet = write_file(
        "exp.toml",
        &format!(
            "[defaults]\nregion = \"eu-central-1\"\ntimezone = \"Europe/Berlin\"\nrole_arn = \"{ROLE}\"\n\
             group = \"g-exp\"\nwindow = [\"MON-FRI 08:00-19:00\", \"SAT 10:00-14:00\"]\n\n\
             [[service]]\ncluster = \"exp\"\nservice = \"web\"\nskip = [\"*-12-25\", \"*-01-01\"]\n\
             notify_topic = \"{TOPIC}\"\n\n\
             [[service]]\ncluster = \"exp\"\nservice = \"api\"\non_count = 3\nwindow = \"MON-FRI 07:00-20:00\"\n"
        ),
    );
    let fleet = fleet.to_str().unwrap();
    env.cli(&format!("apply -f {fleet} --yes")).ok();
    let written = applied(&env).await;
    assert!(written.len() > 8, "{}", written.len());

    // CloudFormation: valid, and each schedule equal to what moto holds.
    let template = env
        .cli(&format!(
            "export -f {fleet} --format cloudformation --with-iam"
        ))
        .ok()
        .stdout;
    let path = write_file("exp-template.json", &template);
    let lint = Command::new(python())
        .args([
            "-c",
            "import sys; from cfnlint.runner import main; sys.argv = ['cfn-lint'] + sys.argv[1:]; sys.exit(main())",
            path.to_str().unwrap(),
        ])
        .output()
        .expect("cfn-lint (scripts/test.sh installs it)");
    assert!(
        lint.status.success(),
        "cfn-lint: {}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
    let template: Value = serde_json::from_str(&template).unwrap();
    let resources = template["Resources"].as_object().unwrap();
    let schedules: Vec<&Value> = resources
        .values()
        .filter(|r| r["Type"] == "AWS::Scheduler::Schedule")
        .map(|r| &r["Properties"])
        .collect();
    assert_eq!(schedules.len(), written.len());
    for s in &written {
        let p = schedules
            .iter()
            .find(|p| p["Name"] == s.name.as_str())
            .unwrap();
        let exported = serde_json::json!({
            "name": p["Name"], "expression": p["ScheduleExpression"],
            "timezone": p["ScheduleExpressionTimezone"], "state": p["State"],
            "description": p["Description"], "start": p["StartDate"], "end": p["EndDate"],
            "arn": p["Target"]["Arn"], "role": p["Target"]["RoleArn"],
            "input": serde_json::from_str::<Value>(p["Target"]["Input"].as_str().unwrap()).unwrap(),
            "retry": [p["Target"]["RetryPolicy"]["MaximumEventAgeInSeconds"], p["Target"]["RetryPolicy"]["MaximumRetryAttempts"]],
        });
        assert_eq!(exported, fields(s), "{}", s.name);
    }
    let role = resources
        .values()
        .find(|r| r["Type"] == "AWS::IAM::Role")
        .unwrap();
    assert!(role.to_string().contains("sns:Publish"), "{role}");
    assert!(
        resources
            .values()
            .any(|r| r["Type"] == "AWS::Scheduler::ScheduleGroup"),
        "the group"
    );

    // Terraform: parsed by python-hcl2, each schedule equal to what moto holds.
    let hcl = env
        .cli(&format!("export -f {fleet} --format terraform --with-iam"))
        .ok()
        .stdout;
    let path = write_file("exp.tf", &hcl);
    const DECODE: &str = "import hcl2, json, sys\n\
        def un(v):\n    if isinstance(v, str) and len(v) > 1 and v[0] == '\"' and v[-1] == '\"':\n        return json.loads(v)\n    if isinstance(v, dict):\n        return {un(k): un(x) for k, x in v.items()}\n    if isinstance(v, list):\n        return [un(x) for x in v]\n    return v\n\
        print(json.dumps(un(hcl2.load(open(sys.argv[1])))))\n";
    let parsed = Command::new(python())
        .args(["-c", DECODE, path.to_str().unwrap()])
        .output()
        .expect("python-hcl2 (scripts/test.sh installs it)");
    assert!(
        parsed.status.success(),
        "{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    let doc: Value = serde_json::from_slice(&parsed.stdout).unwrap();
    let mut found = 0;
    for block in doc["resource"].as_array().unwrap() {
        let Some(by_name) = block.get("aws_scheduler_schedule") else {
            continue;
        };
        for r in by_name.as_object().unwrap().values() {
            let s = written
                .iter()
                .find(|s| r["name"] == s.name.as_str())
                .unwrap();
            let t = &r["target"][0];
            let retry = &t["retry_policy"][0];
            let exported = serde_json::json!({
                "name": r["name"], "expression": r["schedule_expression"],
                "timezone": r["schedule_expression_timezone"], "state": r["state"],
                "description": r["description"], "start": r["start_date"], "end": r["end_date"],
                "arn": t["arn"], "role": t["role_arn"],
                "input": serde_json::from_str::<Value>(t["input"].as_str().unwrap()).unwrap(),
                "retry": [retry["maximum_event_age_in_seconds"], retry["maximum_retry_attempts"]],
            });
            assert_eq!(exported, fields(s), "{}", s.name);
            assert_eq!(r["flexible_time_window"][0]["mode"], "OFF");
            found += 1;
        }
    }
    assert_eq!(found, written.len());
    assert!(hcl.contains("resource \"aws_iam_role_policy\""), "{hcl}");
}

#[test]
fn a_template_is_for_one_region() {
    let fleet = write_file(
        "exp-regions.toml",
        &format!(
            "[defaults]\nrole_arn = \"{ROLE}\"\nwindow = \"MON-FRI 08:00-19:00\"\n\n\
             [[service]]\ncluster = \"a\"\nservice = \"web\"\nregion = \"eu-central-1\"\n\n\
             [[service]]\ncluster = \"a\"\nservice = \"web\"\nregion = \"us-east-1\"\n"
        ),
    );
    common::offline(&format!(
        "export -f {} --format cloudformation --offline",
        fleet.display()
    ))
    .fails_with(2, "one Region");
    let hcl = common::offline(&format!(
        "export -f {} --format terraform --offline",
        fleet.display()
    ))
    .ok()
    .stdout;
    assert!(
        hcl.contains("alias  = \"us_east_1\"") && hcl.contains("provider = aws.eu_central_1"),
        "{hcl}"
    );
}
