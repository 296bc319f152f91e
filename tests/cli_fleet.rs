//! `plan` and `apply` against moto_server: convergence, exact diffs, pruning, all-or-nothing
//! validation, failures that do not stop the rest, and a fleet larger than a page.

mod common;

use aws_sdk_ecs::types::LaunchType;
use common::{ecs_onoff, moto, run, sdk_config, Run};
use serde_json::Value;
use std::path::PathBuf;

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff";

struct Env {
    url: String,
    config: aws_config::SdkConfig,
}

impl Env {
    async fn new(region: &str) -> Env {
        let url = moto().url.clone();
        let mut config = sdk_config(&url).await.into_builder();
        config.set_region(Some(aws_config::Region::new(region.to_string())));
        Env {
            url,
            config: config.build(),
        }
    }

    async fn services(&self, cluster: &str, names: &[String]) {
        common::create_services(&self.config, cluster, names, 2, LaunchType::Fargate).await;
    }

    fn cli(&self, args: &[&str]) -> Run {
        run(ecs_onoff().args(["--endpoint-url", &self.url]).args(args))
    }

    async fn names(&self, group: &str) -> Vec<String> {
        let client = aws_sdk_scheduler::Client::new(&self.config);
        let mut out = Vec::new();
        let mut pages = client
            .list_schedules()
            .group_name(group)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            out.extend(
                page.unwrap()
                    .schedules()
                    .iter()
                    .map(|s| s.name().unwrap().to_string()),
            );
        }
        out.sort();
        out
    }

    async fn group_exists(&self, group: &str) -> bool {
        aws_sdk_scheduler::Client::new(&self.config)
            .get_schedule_group()
            .name(group)
            .send()
            .await
            .is_ok()
    }
}

fn write_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecs-onoff-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr))
}

fn fleet(region: &str, group: &str, cluster: &str, services: &[&str]) -> String {
    let mut text = format!(
        "[defaults]\nregion = \"{region}\"\ntimezone = \"Europe/Berlin\"\nrole_arn = \"{ROLE}\"\ngroup = \"{group}\"\nwindow = \"MON-FRI 08:00-19:00\"\n"
    );
    for s in services {
        text.push_str(&format!(
            "\n[[service]]\ncluster = \"{cluster}\"\nservice = \"{s}\"\n"
        ));
    }
    text
}

#[tokio::test]
async fn example_file_applies_and_converges() {
    let env = Env::new("ap-northeast-2").await;
    env.services(
        "staging",
        &["web".into(), "worker".into(), "reports".into()],
    )
    .await;
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fleet.toml");

    let r = env.cli(&[
        "plan",
        "-f",
        example,
        "--detailed-exitcode",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(json(&r)["summary"]["create"], 6);

    let r = env.cli(&["apply", "-f", example, "--yes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
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
    let client = aws_sdk_scheduler::Client::new(&env.config);
    let web_on = client
        .get_schedule()
        .group_name("ecs-onoff")
        .name("staging.web.on")
        .send()
        .await
        .unwrap();
    assert_eq!(
        web_on.schedule_expression(),
        Some("cron(0 9 ? * MON-FRI *)")
    );
    assert_eq!(web_on.schedule_expression_timezone(), Some("Asia/Seoul"));
    assert_eq!(
        web_on.target().unwrap().input(),
        Some(r#"{"Cluster":"staging","Service":"web","DesiredCount":2}"#)
    );
    let reports = client
        .get_schedule()
        .group_name("ecs-onoff")
        .name("staging.reports.on")
        .send()
        .await
        .unwrap();
    assert_eq!(
        reports.state(),
        Some(&aws_sdk_scheduler::types::ScheduleState::Disabled)
    );
    assert_eq!(
        reports.schedule_expression(),
        Some("cron(0 7 ? * MON-FRI *)")
    );

    let r = env.cli(&["plan", "-f", example, "--detailed-exitcode"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
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
    let r = env.cli(&[
        "plan",
        "-f",
        path.to_str().unwrap(),
        "--detailed-exitcode",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let out = json(&r);
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
        serde_json::json!([{"field": "ScheduleExpression", "old": "cron(0 20 ? * MON-FRI *)", "new": "cron(30 21 ? * MON-FRI *)"}])
    );
    let r = env.cli(&["plan", "-f", path.to_str().unwrap()]);
    assert!(
        r.stdout
            .contains("ScheduleExpression: cron(0 20 ? * MON-FRI *) -> cron(30 21 ? * MON-FRI *)"),
        "{}",
        r.stdout
    );
}

#[tokio::test]
async fn prune_removes_only_removed_services() {
    let env = Env::new("eu-west-1").await;
    let services: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    env.services("c-prune", &services).await;
    let full = write_file(
        "prune-full.toml",
        &fleet("eu-west-1", "g-prune", "c-prune", &["a", "b", "c"]),
    );
    let r = env.cli(&["apply", "-f", full.to_str().unwrap(), "--yes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
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
    let r = env.cli(&["plan", "-f", path, "--detailed-exitcode"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = env.cli(&["plan", "-f", path, "--prune", "--output", "json"]);
    let out = json(&r);
    let deletes: Vec<&str> = out["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "delete")
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(deletes, ["c-prune.b.off", "c-prune.b.on"]);
    let r = env.cli(&["apply", "-f", path, "--prune", "--yes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
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
    let env = Env::new("eu-west-2").await;
    let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    env.services("c-bad", &names).await;
    let mut text = fleet("eu-west-2", "g-bad-file", "c-bad", &["a", "b", "c"]);
    text.push_str("on = \"cron(0 8 ? * MON-FRI *)\"\noff = \"cron(0 25 ? * MON-FRI *)\"\n");
    let path = write_file("bad-entry.toml", &text);
    let r = env.cli(&["apply", "-f", path.to_str().unwrap(), "--yes"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("bad-entry.toml:20:7: off: hours: 25 is out of range 0-23"),
        "{}",
        r.stderr
    );
    assert!(!env.group_exists("g-bad-file").await);

    // A service that does not exist, last in the file: confirmed before any write.
    let path = write_file(
        "ghost.toml",
        &fleet("eu-west-2", "g-bad-ghost", "c-bad", &["a", "b", "ghost"]),
    );
    let r = env.cli(&["apply", "-f", path.to_str().unwrap(), "--yes"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("ghost.toml:17:11: service 'ghost' was not found"),
        "{}",
        r.stderr
    );
    assert!(!env.group_exists("g-bad-ghost").await);
    assert!(env.names("g-bad-ghost").await.is_empty());

    // Without a terminal, apply refuses to write unless --yes.
    let path = write_file(
        "no-yes.toml",
        &fleet("eu-west-2", "g-bad-yes", "c-bad", &["a"]),
    );
    let r = env.cli(&["apply", "-f", path.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--yes"), "{}", r.stderr);
    assert!(
        r.stdout.contains("1 to create") || r.stdout.contains("2 to create"),
        "{}",
        r.stdout
    );
    assert!(!env.group_exists("g-bad-yes").await);
}

#[tokio::test]
async fn failures_do_not_stop_the_rest_and_apply_converges() {
    let env = Env::new("us-west-2").await;
    let names: Vec<String> = (0..5).map(|i| format!("s{i}")).collect();
    env.services("c-fail", &names).await;
    let client = aws_sdk_scheduler::Client::new(&env.config);
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
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let path = write_file("fail.toml", &fleet("us-west-2", "g-fail", "c-fail", &refs));
    let r = env.cli(&[
        "apply",
        "-f",
        path.to_str().unwrap(),
        "--yes",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let out = json(&r);
    assert_eq!(out["summary"]["created"], 9);
    assert_eq!(out["summary"]["failed"], 1);
    assert_eq!(out["failures"][0]["name"], "c-fail.s2.on");
    assert!(
        out["failures"][0]["error"]
            .as_str()
            .unwrap()
            .contains("ConflictException"),
        "{out}"
    );

    client
        .delete_schedule()
        .group_name("g-fail")
        .name("c-fail.s2.on")
        .send()
        .await
        .unwrap();
    let r = env.cli(&["apply", "-f", path.to_str().unwrap(), "--yes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("1 created"), "{}", r.stdout);
    let r = env.cli(&["plan", "-f", path.to_str().unwrap(), "--detailed-exitcode"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[tokio::test]
async fn fleet_larger_than_a_page_converges() {
    let env = Env::new("ca-central-1").await;
    let names: Vec<String> = (0..130).map(|i| format!("svc-{i:03}")).collect();
    env.services("c-big", &names).await;
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let path = write_file("big.toml", &fleet("ca-central-1", "g-big", "c-big", &refs));
    let r = env.cli(&[
        "apply",
        "-f",
        path.to_str().unwrap(),
        "--yes",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r)["summary"]["created"], 260);
    assert_eq!(env.names("g-big").await.len(), 260);
    let r = env.cli(&[
        "plan",
        "-f",
        path.to_str().unwrap(),
        "--detailed-exitcode",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r)["summary"]["unchanged"], 260);
    let r = env.cli(&[
        "list",
        "--region",
        "ca-central-1",
        "-g",
        "g-big",
        "--output",
        "json",
    ]);
    assert_eq!(json(&r).as_array().unwrap().len(), 260);

    let policy = env.cli(&[
        "iam",
        "execution-policy",
        "--from-file",
        path.to_str().unwrap(),
    ]);
    assert_eq!(policy.code, 0, "{}", policy.stderr);
    let doc = json(&policy);
    assert_eq!(
        doc["Statement"][0]["Resource"].as_array().unwrap().len(),
        130
    );
}
