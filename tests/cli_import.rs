//! `import` end to end against moto_server: a group holding ecs-onoff's schedules (windows and
//! a calendar), schedules made as in the console (other names, camelCase and PascalCase Inputs,
//! a flexible window), one that a fleet entry cannot reproduce and one with another target. The
//! imported file re-plans to no change for ecs-onoff's schedules and to a delete and a create
//! for the adopted ones; after apply everything re-plans to no change and the schedules of other
//! targets are untouched.

mod common;

use aws_sdk_ecs::types::LaunchType;
use aws_sdk_scheduler::types::{FlexibleTimeWindow, FlexibleTimeWindowMode, Target};
use common::{create_foreign_schedule, write_file, Env};
use serde_json::Value;

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff";

/// A schedule as the console makes one: any name, the Input as typed.
async fn console(env: &Env, group: &str, name: &str, expression: &str, input: &str) {
    env.scheduler()
        .create_schedule()
        .group_name(group)
        .name(name)
        .schedule_expression(expression)
        .schedule_expression_timezone("Europe/Berlin")
        .flexible_time_window(
            FlexibleTimeWindow::builder()
                .mode(FlexibleTimeWindowMode::Flexible)
                .maximum_window_in_minutes(15)
                .build()
                .unwrap(),
        )
        .target(
            Target::builder()
                .arn("arn:aws:scheduler:::aws-sdk:ecs:updateService")
                .role_arn(ROLE)
                .input(input)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

fn actions(plan: &Value) -> Vec<(String, String)> {
    plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] != "unchanged")
        .map(|a| {
            (
                a["action"].as_str().unwrap().to_string(),
                format!(
                    "{}/{}",
                    a["group"].as_str().unwrap(),
                    a["name"].as_str().unwrap()
                ),
            )
        })
        .collect()
}

#[tokio::test]
async fn imported_schedules_re_plan_to_no_change_or_to_a_visible_rename() {
    let env = Env::in_region("eu-central-1").await;
    env.services("staging", &["web", "api", "worker"], 1, LaunchType::Fargate)
        .await;
    // ecs-onoff's own schedules: two windows and skipped days.
    let own = write_file(
        "import-own.toml",
        &format!(
            "[[service]]\ncluster = \"staging\"\nservice = \"web\"\nregion = \"eu-central-1\"\n\
             timezone = \"Europe/Berlin\"\nrole_arn = \"{ROLE}\"\non_count = 2\n\
             window = [\"MON-FRI 08:00-19:00\", \"SAT 10:00-14:00\"]\n\
             skip = [\"*-12-24..*-12-26\", \"*-01-01\"]\n"
        ),
    );
    env.cli(&format!("apply -f {} --yes", own.display())).ok();
    // Made in the console, in the default group.
    console(
        &env,
        "default",
        "api-start",
        "cron(0 7 ? * MON-FRI *)",
        r#"{"cluster":"staging","service":"api","desiredCount":3}"#,
    )
    .await;
    console(
        &env,
        "default",
        "api-stop",
        "cron(30 20 ? * MON-FRI *)",
        r#"{"Cluster":"arn:aws:ecs:eu-central-1:123456789012:cluster/staging","Service":"api","DesiredCount":0}"#,
    )
    .await;
    console(
        &env,
        "default",
        "worker-redeploy",
        "cron(0 6 ? * * *)",
        r#"{"cluster":"staging","service":"worker","desiredCount":1,"forceNewDeployment":true}"#,
    )
    .await;
    create_foreign_schedule(
        &env.config,
        "default",
        "nightly-report",
        "arn:aws:scheduler:::aws-sdk:sqs:sendMessage",
    )
    .await;

    // Default groups: 'default' and 'ecs-onoff'.
    let json = env.cli("import --region eu-central-1 --output json").json();
    assert_eq!(json["groups"], serde_json::json!(["default", "ecs-onoff"]));
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{json}");
    let web = entries.iter().find(|e| e["service"] == "web").unwrap();
    assert_eq!(web["exact"], true, "{web}");
    assert_eq!(
        web["times"]["windows"],
        serde_json::json!(["MON-FRI 08:00-19:00", "SAT 10:00-14:00"])
    );
    assert_eq!(web["on_count"], 2);
    let api = entries.iter().find(|e| e["service"] == "api").unwrap();
    assert_eq!(
        api["times"]["windows"],
        serde_json::json!(["MON-FRI 07:00-20:30"])
    );
    assert_eq!(api["on_count"], 3);
    assert_eq!(api["adopt"], serde_json::json!(["api-start", "api-stop"]));
    let left_out = json["left_out"].as_array().unwrap();
    assert_eq!(left_out.len(), 1, "{json}");
    assert_eq!(
        left_out[0]["schedules"],
        serde_json::json!(["default/worker-redeploy"])
    );
    assert!(left_out[0]["reason"]
        .as_str()
        .unwrap()
        .contains("forceNewDeployment"));
    assert_eq!(
        json["other_targets"][0]["schedule"],
        "default/nightly-report"
    );

    // The text is the fleet file itself; the summary goes to stderr.
    let r = env.cli("import --region eu-central-1").ok();
    assert!(r.stderr.contains("2 service(s) imported"), "{}", r.stderr);
    assert!(
        r.stdout.contains("# - default/worker-redeploy"),
        "{}",
        r.stdout
    );
    let path = write_file("imported.toml", &r.stdout);
    let path = path.display();

    // ecs-onoff's schedules: no change; the console's: a create and a delete each.
    let r = env
        .cli(&format!("plan -f {path} --detailed-exitcode --output json"))
        .run();
    assert_eq!(r.code, 3, "changes: {}\n{}", r.stdout, r.stderr);
    let mut changes = actions(&r.json());
    changes.sort();
    assert_eq!(
        changes,
        [
            ("create".to_string(), "default/staging.api.off".to_string()),
            ("create".to_string(), "default/staging.api.on".to_string()),
            ("delete".to_string(), "default/api-start".to_string()),
            ("delete".to_string(), "default/api-stop".to_string()),
        ]
    );
    let r = env.cli(&format!("plan -f {path}")).ok();
    assert!(
        r.stderr.contains("default/api-start is replaced"),
        "{}",
        r.stderr
    );

    env.cli(&format!("apply -f {path} --yes")).ok();
    let names = env.names("default").await;
    assert_eq!(
        names,
        [
            "nightly-report",
            "staging.api.off",
            "staging.api.on",
            "worker-redeploy"
        ]
    );
    let on = env.get("default", "staging.api.on").await.unwrap();
    assert_eq!(on.schedule_expression(), Some("cron(0 7 ? * MON-FRI *)"));
    assert_eq!(on.schedule_expression_timezone(), Some("Europe/Berlin"));
    let input: Value = serde_json::from_str(on.target().unwrap().input().unwrap()).unwrap();
    assert_eq!(input["DesiredCount"], 3);

    // Applied: no change, and imported again every entry is exact.
    let r = env
        .cli(&format!("plan -f {path} --detailed-exitcode"))
        .run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let json = env.cli("import --region eu-central-1 --output json").json();
    for e in json["entries"].as_array().unwrap() {
        assert_eq!(e["exact"], true, "{e}");
        assert_eq!(e["adopt"], serde_json::json!([]), "{e}");
    }

    // A named group that does not exist is a warning; --group reads only what it names.
    let r = env
        .cli("import --region eu-central-1 --group ecs-onoff --group nope --output json")
        .ok();
    assert!(r.stderr.contains("'nope' does not exist"), "{}", r.stderr);
    let json = r.json();
    assert_eq!(json["groups"], serde_json::json!(["ecs-onoff"]));
    assert_eq!(json["entries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_adopt_entry_never_deletes_a_schedule_of_another_service() {
    let env = Env::in_region("eu-central-1").await;
    env.services("guard", &["web"], 1, LaunchType::Fargate)
        .await;
    env.scheduler()
        .create_schedule_group()
        .name("guarded")
        .send()
        .await
        .unwrap();
    console(
        &env,
        "guarded",
        "someone-elses",
        "cron(0 7 ? * MON-FRI *)",
        r#"{"cluster":"guard","service":"other","desiredCount":1}"#,
    )
    .await;
    let path = write_file(
        "adopt-guard.toml",
        &format!(
            "[[service]]\ncluster = \"guard\"\nservice = \"web\"\nregion = \"eu-central-1\"\n\
             role_arn = \"{ROLE}\"\ngroup = \"guarded\"\nwindow = \"MON-FRI 08:00-18:00\"\n\
             adopt = [\"someone-elses\", \"guarded/gone\"]\n"
        ),
    );
    let r = env.cli(&format!("apply -f {} --yes", path.display())).ok();
    assert!(
        r.stderr
            .contains("turns guard/other on or off, not this service"),
        "{}",
        r.stderr
    );
    assert_eq!(
        env.names("guarded").await,
        ["guard.web.off", "guard.web.on", "someone-elses"]
    );
    // A bad adopt value is refused before anything is read or written.
    let bad = write_file(
        "adopt-bad.toml",
        &format!(
            "[[service]]\ncluster = \"guard\"\nservice = \"web\"\nregion = \"eu-central-1\"\n\
             role_arn = \"{ROLE}\"\nwindow = \"MON-FRI 08:00-18:00\"\nadopt = [\"a b\"]\n"
        ),
    );
    env.cli(&format!("plan -f {}", bad.display()))
        .fails_with(2, "adopt");
}
