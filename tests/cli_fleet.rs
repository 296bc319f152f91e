//! `plan` and `apply` with fleet files against moto_server: convergence, field-level diffs,
//! pruning, all-or-nothing validation, partial failures, and more services than one page.

mod common;

use aws_sdk_ecs::types::LaunchType;
use common::{write_file, Env};
use serde_json::{json, Value};
use std::fmt::Write as _;

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff";

fn fleet(region: &str, group: &str, cluster: &str, services: &[&str]) -> String {
    let mut text = format!(
        "[defaults]\nregion = \"{region}\"\ntimezone = \"Europe/Berlin\"\nrole_arn = \"{ROLE}\"\ngroup = \"{group}\"\nwindow = \"MON-FRI 08:00-19:00\"\n"
    );
    for s in services {
        let _ = write!(
            text,
            "\n[[service]]\ncluster = \"{cluster}\"\nservice = \"{s}\"\n"
        );
    }
    text
}

async fn env_with(region: &str, cluster: &str, services: &[&str]) -> Env {
    let env = Env::in_region(region).await;
    env.services(cluster, services, 1, LaunchType::Fargate)
        .await;
    env
}

#[tokio::test]
async fn example_file_applies_and_converges() {
    let env = env_with("ap-northeast-2", "staging", &["web", "worker", "reports"]).await;
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fleet.toml");

    let r = env
        .cli(&format!(
            "plan -f {example} --detailed-exitcode --output json"
        ))
        .run();
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.json()["summary"]["create"], 6);

    let r = env.cli(&format!("apply -f {example} --yes")).ok();
    assert!(
        r.stdout
            .contains("Apply: 6 created, 0 updated, 0 deleted, 0 unchanged, 0 failed"),
        "{}",
        r.stdout
    );
    assert_eq!(
        env.names("ecs-onoff").await,
        [
            "staging.reports.off",
            "staging.reports.on",
            "staging.web.off",
            "staging.web.on",
            "staging.worker.off",
            "staging.worker.on"
        ]
    );
    let web_on = env.get("ecs-onoff", "staging.web.on").await.unwrap();
    assert_eq!(
        web_on.schedule_expression(),
        Some("cron(0 9 ? * MON-FRI *)")
    );
    assert_eq!(web_on.schedule_expression_timezone(), Some("Asia/Seoul"));
    assert_eq!(
        web_on.target().unwrap().input(),
        Some(r#"{"Cluster":"staging","Service":"web","DesiredCount":2}"#)
    );
    let reports = env.get("ecs-onoff", "staging.reports.on").await.unwrap();
    assert_eq!(
        reports.state(),
        Some(&aws_sdk_scheduler::types::ScheduleState::Disabled)
    );
    assert_eq!(
        reports.schedule_expression(),
        Some("cron(0 7 ? * MON-FRI *)")
    );

    let r = env
        .cli(&format!("plan -f {example} --detailed-exitcode"))
        .ok();
    assert!(
        r.stdout
            .contains("Plan: 0 to create, 0 to update, 0 to delete, 6 unchanged."),
        "{}",
        r.stdout
    );

    // Editing the file shows exactly that change.
    let edited = std::fs::read_to_string(example).unwrap().replace(
        "off = \"cron(0 20 ? * MON-FRI *)\"",
        "off = \"cron(30 21 ? * MON-FRI *)\"",
    );
    let path = write_file("example-edited.toml", &edited);
    let path = path.to_str().unwrap();
    let r = env
        .cli(&format!("plan -f {path} --detailed-exitcode --output json"))
        .run();
    assert_eq!(r.code, 3, "{}", r.stderr);
    let out = r.json();
    let changed: Vec<&Value> = out["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] != "unchanged")
        .collect();
    assert_eq!(changed.len(), 1, "{out}");
    assert_eq!(changed[0]["name"], "staging.worker.off");
    assert_eq!(changed[0]["action"], "update");
    assert_eq!(
        changed[0]["changes"],
        json!([{"field": "ScheduleExpression", "old": "cron(0 20 ? * MON-FRI *)", "new": "cron(30 21 ? * MON-FRI *)"}])
    );
    let r = env.cli(&format!("plan -f {path}")).ok();
    assert!(
        r.stdout
            .contains("ScheduleExpression: cron(0 20 ? * MON-FRI *) -> cron(30 21 ? * MON-FRI *)"),
        "{}",
        r.stdout
    );
}

#[tokio::test]
async fn apply_warns_and_reports_like_schedule() {
    let env = env_with("eu-north-1", "c-same", &["web"]).await;
    common::register_scalable_target(&env.config, "c-same", "web", 2, 6).await;
    let path = write_file(
        "same.toml",
        &fleet("eu-north-1", "g-same", "c-same", &["web"]),
    );
    let r = env
        .cli(&format!(
            "apply -f {} --yes -v --output json",
            path.display()
        ))
        .ok();
    assert!(r.stderr.contains("autoscaling-aware"), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "c-same/web in eu-north-1: on count 2, the MinCapacity of its bounds \
             (MinCapacity 2, MaxCapacity 6)"
        ),
        "{}",
        r.stderr
    );
    let out = r.json();
    assert_eq!(
        out["actions"][0]["action"], "created",
        "the same verbs as schedule"
    );
    // schedule says the same about the same service.
    let r = env
        .cli(&format!(
            "--region eu-north-1 schedule -c c-same -s web --window 'MON-FRI 08:00-19:00' -t Europe/Berlin --role-arn {ROLE} -g g-same -v --output json"
        ))
        .ok();
    assert!(r.stderr.contains("autoscaling-aware"), "{}", r.stderr);
    assert_eq!(r.json()["actions"][0]["action"], "unchanged");
}

#[tokio::test]
async fn prune_removes_only_removed_services() {
    let env = env_with("eu-west-1", "c-prune", &["a", "b", "c"]).await;
    let full = write_file(
        "prune-full.toml",
        &fleet("eu-west-1", "g-prune", "c-prune", &["a", "b", "c"]),
    );
    env.cli(&format!("apply -f {} --yes", full.display())).ok();
    // A schedule ecs-onoff does not manage, in the same group.
    common::create_foreign_schedule(
        &env.config,
        "g-prune",
        "nightly-report",
        "arn:aws:lambda:eu-west-1:123456789012:function:report",
    )
    .await;

    let smaller = write_file(
        "prune-smaller.toml",
        &fleet("eu-west-1", "g-prune", "c-prune", &["a", "c"]),
    );
    let path = smaller.to_str().unwrap();
    // Without --prune nothing is deleted.
    env.cli(&format!("plan -f {path} --detailed-exitcode")).ok();
    let out = env.cli(&format!("plan -f {path} --prune")).json();
    let deletes: Vec<&str> = out["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "delete")
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(deletes, ["c-prune.b.on", "c-prune.b.off"]);
    let r = env.cli(&format!("apply -f {path} --prune --yes")).ok();
    assert!(r.stdout.contains("2 deleted"), "{}", r.stdout);
    assert_eq!(
        env.names("g-prune").await,
        [
            "c-prune.a.off",
            "c-prune.a.on",
            "c-prune.c.off",
            "c-prune.c.on",
            "nightly-report"
        ]
    );
}

#[tokio::test]
async fn one_bad_entry_writes_nothing() {
    let env = env_with("eu-west-2", "c-bad", &["a", "b", "c"]).await;
    let mut text = fleet("eu-west-2", "g-bad-file", "c-bad", &["a", "b", "c"]);
    text.push_str("on = \"cron(0 8 ? * MON-FRI *)\"\noff = \"cron(0 25 ? * MON-FRI *)\"\n");
    let path = write_file("bad-entry.toml", &text);
    env.cli(&format!("apply -f {} --yes", path.display()))
        .fails_with(
            2,
            "bad-entry.toml:20:7: off: hours: 25 is out of range 0-23",
        );
    assert!(!env.group_exists("g-bad-file").await);

    // A service that does not exist, last in the file: confirmed before any write.
    let path = write_file(
        "ghost.toml",
        &fleet("eu-west-2", "g-bad-ghost", "c-bad", &["a", "b", "ghost"]),
    );
    env.cli(&format!("apply -f {} --yes", path.display()))
        .fails_with(
            2,
            "ghost.toml:17:11: c-bad/ghost: service 'ghost' was not found",
        );
    assert!(!env.group_exists("g-bad-ghost").await);
    assert!(env.names("g-bad-ghost").await.is_empty());

    // Without a terminal, apply refuses to write unless --yes; the plan was shown.
    let path = write_file(
        "no-yes.toml",
        &fleet("eu-west-2", "g-bad-yes", "c-bad", &["a"]),
    );
    let r = env.cli(&format!("apply -f {}", path.display())).run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--yes"), "{}", r.stderr);
    assert!(r.stdout.contains("2 to create"), "{}", r.stdout);
    assert!(!env.group_exists("g-bad-yes").await);

    // Files that are not regular files are refused before anything is read.
    env.cli("plan -f /dev/zero")
        .fails_with(2, "/dev/zero is not a regular file");
    env.cli("plan -f /nonexistent/fleet.toml")
        .fails_with(2, "cannot read /nonexistent/fleet.toml");
}

#[tokio::test]
async fn failures_do_not_stop_the_rest_and_apply_converges() {
    let env = env_with("us-west-2", "c-fail", &["s0", "s1", "s2", "s3", "s4"]).await;
    let client = env.scheduler();
    client
        .create_schedule_group()
        .name("g-fail")
        .send()
        .await
        .unwrap();
    // A schedule ecs-onoff does not manage already holds the name of s2's on schedule.
    common::create_foreign_schedule(
        &env.config,
        "g-fail",
        "c-fail.s2.on",
        "arn:aws:lambda:us-west-2:123456789012:function:other",
    )
    .await;
    let path = write_file(
        "fail.toml",
        &fleet(
            "us-west-2",
            "g-fail",
            "c-fail",
            &["s0", "s1", "s2", "s3", "s4"],
        ),
    );
    let path = path.to_str().unwrap();
    let r = env
        .cli(&format!("apply -f {path} --yes --output json"))
        .run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let out = r.json();
    // s2's off schedule is not created without its on schedule: s2 is never left off for good.
    assert_eq!(out["summary"]["created"], 8);
    assert_eq!(out["summary"]["failed"], 2);
    assert_eq!(out["failures"][0]["name"], "c-fail.s2.on");
    assert_eq!(out["failures"][0]["code"], "ConflictException");
    assert_eq!(out["failures"][1]["name"], "c-fail.s2.off");
    assert_eq!(out["failures"][1]["code"], "Skipped");
    assert!(env.get("g-fail", "c-fail.s2.off").await.is_none());

    client
        .delete_schedule()
        .group_name("g-fail")
        .name("c-fail.s2.on")
        .send()
        .await
        .unwrap();
    let r = env.cli(&format!("apply -f {path} --yes")).ok();
    assert!(r.stdout.contains("2 created"), "{}", r.stdout);
    env.cli(&format!("plan -f {path} --detailed-exitcode")).ok();
}

#[tokio::test]
async fn fleet_larger_than_a_page_converges() {
    let names: Vec<String> = (0..130).map(|i| format!("svc-{i:03}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let env = env_with("ca-central-1", "c-big", &refs).await;
    let path = write_file("big.toml", &fleet("ca-central-1", "g-big", "c-big", &refs));
    let path = path.to_str().unwrap();
    let out = env.cli(&format!("apply -f {path} --yes")).json();
    assert_eq!(out["summary"]["created"], 260);
    assert_eq!(env.names("g-big").await.len(), 260);
    let out = env
        .cli(&format!("plan -f {path} --detailed-exitcode"))
        .json();
    assert_eq!(out["summary"]["unchanged"], 260);
    let out = env.cli("list --region ca-central-1 -g g-big").json();
    assert_eq!(out.as_array().unwrap().len(), 260);
    let doc = env
        .cli(&format!("iam execution-policy --from-file {path}"))
        .ok()
        .json();
    assert_eq!(
        doc["Statement"][0]["Resource"].as_array().unwrap().len(),
        130
    );
}
