//! `schedule`, `unschedule`, `list` and `status` end to end against moto_server.

mod common;

use aws_sdk_ecs::types::LaunchType;
use common::{ecs_onoff, moto, run, sdk_config, Run};
use serde_json::Value;

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff-scheduler";

struct Env {
    url: String,
    config: aws_config::SdkConfig,
}

impl Env {
    async fn new() -> Env {
        let url = moto().url.clone();
        let config = sdk_config(&url).await;
        Env { url, config }
    }

    fn scheduler(&self) -> aws_sdk_scheduler::Client {
        aws_sdk_scheduler::Client::new(&self.config)
    }

    fn ecs(&self) -> aws_sdk_ecs::Client {
        aws_sdk_ecs::Client::new(&self.config)
    }

    /// Creates a cluster with one service per name, each with the given desired count.
    async fn services(&self, cluster: &str, names: &[&str], desired: i32, launch: LaunchType) {
        common::create_services(&self.config, cluster, names, desired, launch).await;
    }

    fn cli(&self, args: &[&str]) -> Run {
        run(ecs_onoff()
            .args(["--endpoint-url", &self.url, "--region", "us-east-1"])
            .args(args))
    }

    async fn get(
        &self,
        group: &str,
        name: &str,
    ) -> Option<aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput> {
        self.scheduler()
            .get_schedule()
            .group_name(group)
            .name(name)
            .send()
            .await
            .ok()
    }

    async fn group_exists(&self, group: &str) -> bool {
        self.scheduler()
            .get_schedule_group()
            .name(group)
            .send()
            .await
            .is_ok()
    }

    async fn schedule_names(&self, group: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut pages = self
            .scheduler()
            .list_schedules()
            .group_name(group)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            for s in page.unwrap().schedules() {
                names.push(s.name().unwrap().to_string());
            }
        }
        names.sort();
        names
    }
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr))
}

#[tokio::test]
async fn schedule_creates_two_exact_schedules_and_is_idempotent() {
    let env = Env::new().await;
    env.services("c-exact", &["web"], 3, LaunchType::Fargate)
        .await;
    let args = [
        "schedule",
        "--cluster",
        "c-exact",
        "--service",
        "web",
        "--window",
        "MON-FRI 08:00-19:00",
        "--timezone",
        "Europe/Berlin",
        "--role-arn",
        ROLE,
        "--group",
        "g-exact",
        "--output",
        "json",
    ];
    let r = env.cli(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = json(&r);
    assert_eq!(out.as_array().unwrap().len(), 2);
    assert_eq!(out[0]["action"], "created");
    assert_eq!(out[1]["action"], "created");
    assert_eq!(
        out[0]["desired_count"], 3,
        "on count defaults to the live desiredCount"
    );
    assert_eq!(out[1]["desired_count"], 0);
    assert!(out[0]["next_fire_utc"].as_str().unwrap().ends_with('Z'));

    assert_eq!(
        env.schedule_names("g-exact").await,
        ["c-exact.web.off", "c-exact.web.on"]
    );
    for (name, expr, count, verb) in [
        ("c-exact.web.on", "cron(0 8 ? * MON-FRI *)", 3, "on"),
        ("c-exact.web.off", "cron(0 19 ? * MON-FRI *)", 0, "off"),
    ] {
        let s = env.get("g-exact", name).await.expect(name);
        assert_eq!(s.schedule_expression(), Some(expr));
        assert_eq!(s.schedule_expression_timezone(), Some("Europe/Berlin"));
        assert_eq!(
            s.state(),
            Some(&aws_sdk_scheduler::types::ScheduleState::Enabled)
        );
        assert_eq!(
            s.flexible_time_window().unwrap().mode(),
            &aws_sdk_scheduler::types::FlexibleTimeWindowMode::Off
        );
        let description = s.description().unwrap();
        assert!(
            description.contains("ecs-onoff") && description.contains(verb),
            "{description}"
        );
        let target = s.target().unwrap();
        assert_eq!(
            target.arn(),
            "arn:aws:scheduler:::aws-sdk:ecs:updateService"
        );
        assert_eq!(target.role_arn(), ROLE);
        let input: Value = serde_json::from_str(target.input().unwrap()).unwrap();
        assert_eq!(
            input,
            serde_json::json!({"Cluster": "c-exact", "Service": "web", "DesiredCount": count})
        );
        let keys: Vec<_> = input.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["Cluster", "Service", "DesiredCount"]);
        let retry = target.retry_policy().unwrap();
        assert_eq!(retry.maximum_event_age_in_seconds(), Some(3600));
        assert_eq!(retry.maximum_retry_attempts(), Some(10));
    }
    // The group exists, tagged.
    let group = env
        .scheduler()
        .get_schedule_group()
        .name("g-exact")
        .send()
        .await
        .unwrap();
    let tags = env
        .scheduler()
        .list_tags_for_resource()
        .resource_arn(group.arn().unwrap())
        .send()
        .await
        .unwrap();
    assert!(tags
        .tags()
        .iter()
        .any(|t| t.key() == "managed-by" && t.value() == "ecs-onoff"));

    // Again: nothing changes.
    let before = env
        .get("g-exact", "c-exact.web.on")
        .await
        .unwrap()
        .last_modification_date()
        .cloned();
    let before_off = env
        .get("g-exact", "c-exact.web.off")
        .await
        .unwrap()
        .last_modification_date()
        .cloned();
    let r = env.cli(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = json(&r);
    assert_eq!(out[0]["action"], "unchanged");
    assert_eq!(out[1]["action"], "unchanged");
    assert_eq!(
        env.get("g-exact", "c-exact.web.on")
            .await
            .unwrap()
            .last_modification_date()
            .cloned(),
        before
    );
    assert_eq!(
        env.get("g-exact", "c-exact.web.off")
            .await
            .unwrap()
            .last_modification_date()
            .cloned(),
        before_off
    );

    // Changing --off updates only the off schedule.
    let r = env.cli(&[
        "schedule",
        "-c",
        "c-exact",
        "-s",
        "web",
        "--on",
        "cron(0 8 ? * MON-FRI *)",
        "--off",
        "0 20 * * 1-5",
        "-t",
        "Europe/Berlin",
        "--role-arn",
        ROLE,
        "-g",
        "g-exact",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = json(&r);
    assert_eq!(out[0]["action"], "unchanged");
    assert_eq!(out[1]["action"], "updated");
    assert_eq!(out[1]["changes"][0]["field"], "ScheduleExpression");
    assert_eq!(out[1]["changes"].as_array().unwrap().len(), 1);
    assert_eq!(
        env.get("g-exact", "c-exact.web.on")
            .await
            .unwrap()
            .last_modification_date()
            .cloned(),
        before
    );
    let off = env.get("g-exact", "c-exact.web.off").await.unwrap();
    assert_eq!(off.schedule_expression(), Some("cron(0 20 ? * MON-FRI *)"));
    assert_eq!(
        off.state(),
        Some(&aws_sdk_scheduler::types::ScheduleState::Enabled)
    );
}

/// Sends a schedule's Input to ECS UpdateService the way Scheduler's universal target does:
/// each PascalCase key is the UpdateService member of that name, and nothing else is allowed.
async fn invoke_like_scheduler(ecs: &aws_sdk_ecs::Client, input: &str) {
    let input: Value = serde_json::from_str(input).unwrap();
    let mut request = ecs.update_service();
    for (key, value) in input.as_object().unwrap() {
        request = match key.as_str() {
            "Cluster" => request.cluster(value.as_str().unwrap()),
            "Service" => request.service(value.as_str().unwrap()),
            "DesiredCount" => request.desired_count(value.as_i64().unwrap() as i32),
            other => panic!("{other} is not an UpdateService member ecs-onoff should send"),
        };
    }
    request
        .send()
        .await
        .expect("UpdateService accepts the Input");
}

#[tokio::test]
async fn schedule_inputs_drive_update_service() {
    let env = Env::new().await;
    env.services("c-input", &["api"], 2, LaunchType::Fargate)
        .await;
    let r = env.cli(&[
        "schedule",
        "-c",
        "c-input",
        "-s",
        "api",
        "--on",
        "cron(0 7 ? * MON-FRI *)",
        "--off",
        "cron(0 21 ? * MON-FRI *)",
        "--on-count",
        "4",
        "--role-arn",
        ROLE,
        "-g",
        "g-input",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ecs = env.ecs();
    for (name, expected) in [("c-input.api.off", 0), ("c-input.api.on", 4)] {
        let s = env.get("g-input", name).await.unwrap();
        invoke_like_scheduler(&ecs, s.target().unwrap().input().unwrap()).await;
        let d = ecs
            .describe_services()
            .cluster("c-input")
            .services("api")
            .send()
            .await
            .unwrap();
        assert_eq!(d.services()[0].desired_count(), expected, "after {name}");
    }
}

#[tokio::test]
async fn invalid_input_writes_nothing() {
    let env = Env::new().await;
    env.services("c-bad", &["web"], 1, LaunchType::Fargate)
        .await;
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "-c",
                "c-bad",
                "-s",
                "web",
                "--on",
                "cron(0 8 ? * MON-FRI *)",
                "--off",
                "cron(0 19 ? * MON-FRX *)",
            ],
            "invalid --off: day-of-week: MON-FRX",
        ),
        (
            &[
                "-c",
                "c-bad",
                "-s",
                "web",
                "--window",
                "MON-FRI 08:00-19:00",
                "-t",
                "Europe/Berlln",
            ],
            "invalid --timezone",
        ),
        (
            &[
                "-c",
                "c-bad",
                "-s",
                "web",
                "--window",
                "MON-FRI 08:00-19:00",
                "--role-arn",
                "arn:aws:iam::123:role/x",
            ],
            "invalid --role-arn",
        ),
        (
            &[
                "-c",
                "c bad",
                "-s",
                "web",
                "--window",
                "MON-FRI 08:00-19:00",
            ],
            "invalid --cluster",
        ),
        (
            &[
                "-c",
                "c-bad",
                "-s",
                "web.api",
                "--window",
                "MON-FRI 08:00-19:00",
            ],
            "invalid --service",
        ),
        (
            &[
                "-c",
                "c-bad",
                "-s",
                "ghost",
                "--window",
                "MON-FRI 08:00-19:00",
            ],
            "service 'ghost' was not found",
        ),
        (
            &[
                "-c",
                "no-such-cluster",
                "-s",
                "web",
                "--window",
                "MON-FRI 08:00-19:00",
            ],
            "cluster 'no-such-cluster' was not found",
        ),
        (
            &[
                "-c",
                "c-bad",
                "-s",
                "web",
                "--window",
                "MON-FRI 08:00-19:00",
                "--end-date",
                "2020-01-01T00:00:00Z",
            ],
            "invalid --end-date",
        ),
        (
            &[
                "-c",
                "c-bad",
                "-s",
                "web",
                "--window",
                "MON-FRI 08:00-19:00",
                "--dead-letter-arn",
                "arn:aws:sqs:us-east-1:123456789012:q.fifo",
            ],
            "FIFO",
        ),
    ];
    for (i, (args, needle)) in cases.iter().enumerate() {
        let group = format!("g-bad-{i}");
        let mut full = vec!["schedule", "-g", &group];
        full.extend_from_slice(args);
        if !args.contains(&"--role-arn") {
            full.extend_from_slice(&["--role-arn", ROLE]);
        }
        let r = env.cli(&full);
        assert_ne!(r.code, 0, "{args:?} should fail");
        assert_eq!(r.code, 2, "{args:?}: invalid input is exit 2: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
        assert!(
            !env.group_exists(&group).await,
            "{args:?} created its group"
        );
    }
    // --role-arn is required for a real run.
    let r = env.cli(&[
        "schedule",
        "-c",
        "c-bad",
        "-s",
        "web",
        "--window",
        "MON-FRI 08:00-19:00",
        "-g",
        "g-bad-role",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--role-arn is required"), "{}", r.stderr);
    assert!(!env.group_exists("g-bad-role").await);
}

#[tokio::test]
async fn warnings_for_ec2_autoscaling_and_dst() {
    let env = Env::new().await;
    env.services("c-warn", &["batch"], 2, LaunchType::Ec2).await;
    aws_sdk_applicationautoscaling::Client::new(&env.config)
        .register_scalable_target()
        .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs)
        .resource_id("service/c-warn/batch")
        .scalable_dimension(
            aws_sdk_applicationautoscaling::types::ScalableDimension::EcsServiceDesiredCount,
        )
        .min_capacity(1)
        .max_capacity(4)
        .send()
        .await
        .unwrap();
    let r = env.cli(&[
        "schedule",
        "-c",
        "c-warn",
        "-s",
        "batch",
        "--on",
        "cron(30 2 * * ? *)",
        "--off",
        "cron(0 20 1 * ? *)",
        "-t",
        "America/New_York",
        "--role-arn",
        ROLE,
        "-g",
        "g-warn",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("EC2 launch type"), "{}", r.stderr);
    assert!(r.stderr.contains("MinCapacity 1"), "{}", r.stderr);
    assert!(
        r.stderr.contains("does not exist in America/New_York"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("do not alternate"), "{}", r.stderr);
}

#[tokio::test]
async fn unschedule_status_and_list() {
    let env = Env::new().await;
    env.services("c-life", &["web", "worker"], 2, LaunchType::Fargate)
        .await;
    for service in ["web", "worker"] {
        let r = env.cli(&[
            "schedule",
            "-c",
            "c-life",
            "-s",
            service,
            "--window",
            "MON-FRI 08:00-19:00",
            "--role-arn",
            ROLE,
            "-g",
            "g-life",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let r = env.cli(&[
        "status", "-c", "c-life", "-s", "web", "-g", "g-life", "--output", "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let status = json(&r);
    assert_eq!(status["desired_count"], 2);
    assert_eq!(status["launch_type"], "FARGATE");
    assert_eq!(status["schedules"][0]["exists"], true);
    assert!(status["next_transition"]["utc"].as_str().is_some());

    let r = env.cli(&[
        "unschedule",
        "-c",
        "c-life",
        "-s",
        "web",
        "-g",
        "g-life",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = json(&r);
    assert_eq!(out[0]["action"], "deleted");
    assert_eq!(out[1]["action"], "deleted");
    assert_eq!(
        env.schedule_names("g-life").await,
        ["c-life.worker.off", "c-life.worker.on"]
    );
    let r = env.cli(&[
        "unschedule",
        "-c",
        "c-life",
        "-s",
        "web",
        "-g",
        "g-life",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r)[0]["action"], "absent");

    let r = env.cli(&["status", "-c", "c-life", "-s", "web", "-g", "g-life"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("(absent)"), "{}", r.stdout);
}

#[tokio::test]
async fn list_follows_pagination() {
    let env = Env::new().await;
    let names: Vec<String> = (0..70).map(|i| format!("svc{i:03}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    env.services("c-many", &refs, 1, LaunchType::Fargate).await;
    for name in &refs {
        let r = env.cli(&[
            "schedule",
            "-c",
            "c-many",
            "-s",
            name,
            "--window",
            "DAILY 07:00-20:00",
            "--role-arn",
            ROLE,
            "-g",
            "g-many",
            "--no-verify",
            "--on-count",
            "2",
            "-q",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    // A schedule that does not follow the naming rule is not listed.
    common::create_foreign_schedule(
        &env.config,
        "g-many",
        "hand-made",
        "arn:aws:scheduler:::aws-sdk:ecs:updateService",
    )
    .await;
    let r = env.cli(&["list", "-g", "g-many", "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = json(&r);
    let items = out.as_array().unwrap();
    assert_eq!(items.len(), 140, "more than one page of 100");
    assert_eq!(items[0]["name"], "c-many.svc000.off");
    assert_eq!(items[0]["desired_count"], 0);
    assert_eq!(items[1]["desired_count"], 2);
    assert!(items.iter().all(|i| i["cluster"] == "c-many"));
    let r = env.cli(&[
        "list",
        "-g",
        "g-many",
        "--cluster",
        "other",
        "--output",
        "json",
    ]);
    assert_eq!(json(&r).as_array().unwrap().len(), 0);
}

#[test]
fn dry_run_needs_no_credentials_or_endpoint() {
    let r = run(ecs_onoff()
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args([
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--region",
            "cn-north-1",
        ])
        .args([
            "schedule",
            "-c",
            "prod",
            "-s",
            "web",
            "--window",
            "MON-FRI 09:00-18:00",
            "-t",
            "Asia/Shanghai",
            "--on-count",
            "2",
            "--dry-run",
        ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let requests = json(&r);
    let requests = requests.as_array().unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["Name"], "prod.web.on");
    assert_eq!(requests[0]["GroupName"], "ecs-onoff");
    assert_eq!(requests[0]["ScheduleExpression"], "cron(0 9 ? * MON-FRI *)");
    assert_eq!(requests[0]["ScheduleExpressionTimezone"], "Asia/Shanghai");
    assert_eq!(requests[0]["FlexibleTimeWindow"]["Mode"], "OFF");
    assert_eq!(
        requests[0]["Target"]["Arn"],
        "arn:aws-cn:scheduler:::aws-sdk:ecs:updateService"
    );
    assert_eq!(
        requests[0]["Target"]["Input"],
        r#"{"Cluster":"prod","Service":"web","DesiredCount":2}"#
    );
    assert_eq!(
        requests[1]["Target"]["Input"],
        r#"{"Cluster":"prod","Service":"web","DesiredCount":0}"#
    );
    assert!(r.stderr.contains("placeholder RoleArn"), "{}", r.stderr);
}
