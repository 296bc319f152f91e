//! `schedule`, `unschedule`, `list` and `status` end to end against moto_server, and the
//! offline validation of `schedule` (no emulator needed).

mod common;

use aws_sdk_ecs::types::LaunchType;
use common::{offline, Env};
use serde_json::{json, Value};

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff-scheduler";

#[tokio::test]
async fn schedule_creates_two_exact_schedules_and_is_idempotent() {
    let env = Env::new().await;
    env.services("c-exact", &["web"], 3, LaunchType::Fargate)
        .await;
    let line = format!(
        "schedule --cluster c-exact --service web --window 'MON-FRI 08:00-19:00' \
         --timezone Europe/Berlin --role-arn {ROLE} --group g-exact"
    );
    let out = env.cli(&line).json();
    let actions = out["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[0]["action"], "created");
    assert_eq!(actions[1]["action"], "created");
    assert_eq!(actions[0]["switch"], "on");
    assert_eq!(
        actions[0]["desired_count"], 3,
        "on count defaults to the live desiredCount"
    );
    assert_eq!(actions[1]["desired_count"], 0);
    assert!(actions[0]["next_fire_utc"].as_str().unwrap().ends_with('Z'));
    assert_eq!(out["summary"]["created"], 2);
    assert_eq!(out["failures"], json!([]));

    assert_eq!(
        env.names("g-exact").await,
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
            json!({"Cluster": "c-exact", "Service": "web", "DesiredCount": count})
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
    let modified = |s: Option<aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput>| {
        s.unwrap().last_modification_date().cloned()
    };
    let before_on = modified(env.get("g-exact", "c-exact.web.on").await);
    let before_off = modified(env.get("g-exact", "c-exact.web.off").await);
    let out = env.cli(&line).json();
    assert_eq!(out["actions"][0]["action"], "unchanged");
    assert_eq!(out["actions"][1]["action"], "unchanged");
    assert_eq!(
        modified(env.get("g-exact", "c-exact.web.on").await),
        before_on
    );
    assert_eq!(
        modified(env.get("g-exact", "c-exact.web.off").await),
        before_off
    );

    // Changing --off updates only the off schedule.
    let out = env
        .cli(&format!(
            "schedule -c c-exact -s web --on 'cron(0 8 ? * MON-FRI *)' --off '0 20 * * 1-5' \
             -t Europe/Berlin --role-arn {ROLE} -g g-exact"
        ))
        .json();
    assert_eq!(out["actions"][0]["action"], "unchanged");
    assert_eq!(out["actions"][1]["action"], "updated");
    assert_eq!(
        out["actions"][1]["changes"][0]["field"],
        "ScheduleExpression"
    );
    assert_eq!(out["actions"][1]["changes"].as_array().unwrap().len(), 1);
    assert_eq!(
        modified(env.get("g-exact", "c-exact.web.on").await),
        before_on
    );
    let off = env.get("g-exact", "c-exact.web.off").await.unwrap();
    assert_eq!(off.schedule_expression(), Some("cron(0 20 ? * MON-FRI *)"));
    assert_eq!(
        off.state(),
        Some(&aws_sdk_scheduler::types::ScheduleState::Enabled)
    );
}

#[tokio::test]
async fn schedule_text_report_and_verbose_count_source() {
    let env = Env::new().await;
    env.services("c-text", &["web"], 2, LaunchType::Fargate)
        .await;
    let r = env
        .cli(&format!(
            "schedule -c c-text -s web --window 'MON-FRI 08:00-19:00' --role-arn {ROLE} -g g-text -v"
        ))
        .ok();
    assert!(r.stdout.starts_with("ACTION   SCHEDULE"), "{}", r.stdout);
    assert!(
        r.stdout.contains("created  g-text/c-text.web.on"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Apply: 2 created, 0 updated, 0 deleted, 0 unchanged, 0 failed"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr
            .contains("c-text/web in us-east-1: on count 2, from the service's live desiredCount"),
        "{}",
        r.stderr
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
    env.cli(&format!(
        "schedule -c c-input -s api --on 'cron(0 7 ? * MON-FRI *)' --off 'cron(0 21 ? * MON-FRI *)' \
         --on-count 4 --role-arn {ROLE} -g g-input"
    ))
    .ok();
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

#[test]
fn invalid_flags_are_usage_errors_before_any_call() {
    let base = "schedule -c c-bad -s web";
    let window = "--window 'MON-FRI 08:00-19:00'";
    for (line, needle) in [
        (format!("{base} --on 'cron(0 8 ? * MON-FRI *)' --off 'cron(0 19 ? * MON-FRX *)' --role-arn {ROLE}"), "day-of-week: MON-FRX"),
        (format!("{base} {window} -t Europe/Berlln --role-arn {ROLE}"), "--timezone"),
        (format!("{base} {window} --role-arn arn:aws:iam::123:role/x"), "--role-arn"),
        (format!("schedule -c 'c bad' -s web {window} --role-arn {ROLE}"), "--cluster"),
        (format!("schedule -c c-bad -s web.api {window} --role-arn {ROLE}"), "--service"),
        (format!("{base} {window} --role-arn {ROLE} --end-date 2020-01-01T00:00:00Z"), "invalid --end-date"),
        (format!("{base} {window} --role-arn {ROLE} --end-date yesterday"), "RFC 3339"),
        (format!("{base} {window} --role-arn {ROLE} --dead-letter-arn arn:aws:sqs:us-east-1:123456789012:q.fifo"), "FIFO"),
        (format!("{base} --window 'cron(0 8 * * ? *)' --role-arn {ROLE}"), "not a window"),
        (format!("{base} {window} --role-arn {ROLE} --on-count 5001"), "Tasks per service quota"),
        (format!("{base} {window}"), "--role-arn is required"),
        (format!("--region eu-west-1 {base} {window} --role-arn arn:aws-cn:iam::123456789012:role/x"), "is in partition aws-cn, but Region eu-west-1 is in aws"),
        (format!("--region eu-west-1 {base} {window} --role-arn arn:aws-cn:iam::123456789012:role/x --dry-run"), "is in partition aws-cn"),
        (format!("{base} {window} --role-arn {ROLE} --endpoint-url localhost:4566"), "--endpoint-url"),
        (format!("{base} {window} --role-arn {ROLE} --timeout 0"), "--timeout"),
        (format!("{base} {window} --role-arn {ROLE} --profile 'a\nb'"), "--profile"),
    ] {
        offline(&line).fails_with(2, needle);
    }
}

#[tokio::test]
async fn a_service_that_does_not_exist_writes_nothing() {
    let env = Env::new().await;
    env.services("c-missing", &["web"], 1, LaunchType::Fargate)
        .await;
    for (line, needle, group) in [
        (
            "-c c-missing -s ghost",
            "service 'ghost' was not found",
            "g-missing-1",
        ),
        (
            "-c no-such-cluster -s web",
            "cluster 'no-such-cluster' was not found",
            "g-missing-2",
        ),
    ] {
        env.cli(&format!(
            "schedule {line} --window 'MON-FRI 08:00-19:00' --role-arn {ROLE} -g {group}"
        ))
        .fails_with(2, needle);
        assert!(!env.group_exists(group).await, "{line} created its group");
    }
}

#[tokio::test]
async fn one_failed_write_does_not_stop_the_other_and_both_are_reported() {
    let env = Env::new().await;
    env.services("c-half", &["web"], 1, LaunchType::Fargate)
        .await;
    env.scheduler()
        .create_schedule_group()
        .name("g-half")
        .send()
        .await
        .unwrap();
    // Another owner's schedule holds the name of the off schedule: ecs-onoff never overwrites it.
    common::create_foreign_schedule(
        &env.config,
        "g-half",
        "c-half.web.off",
        "arn:aws:lambda:us-east-1:123456789012:function:other",
    )
    .await;
    let r = env
        .cli(&format!(
            "schedule -c c-half -s web --window 'MON-FRI 08:00-19:00' --role-arn {ROLE} -g g-half --output json"
        ))
        .run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let out = r.json();
    assert_eq!(out["actions"][0]["name"], "c-half.web.on");
    assert_eq!(out["actions"][0]["action"], "created");
    assert_eq!(out["failures"][0]["name"], "c-half.web.off");
    assert_eq!(out["failures"][0]["action"], "create");
    assert_eq!(out["failures"][0]["code"], "ConflictException");
    assert_eq!(out["summary"]["failed"], 1);
    let foreign = env.get("g-half", "c-half.web.off").await.unwrap();
    assert!(
        foreign.target().unwrap().arn().contains(":lambda:"),
        "left as it was"
    );
}

#[tokio::test]
async fn warnings_for_ec2_autoscaling_and_dst() {
    let env = Env::new().await;
    env.services("c-warn", &["batch"], 2, LaunchType::Ec2).await;
    common::register_scalable_target(&env.config, "c-warn", "batch", 1, 4).await;
    let r = env
        .cli(&format!(
            "schedule -c c-warn -s batch --on 'cron(30 2 * * ? *)' --off 'cron(0 20 1 * ? *)' \
             -t America/New_York --role-arn {ROLE} -g g-warn --no-autoscaling"
        ))
        .ok();
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
        env.cli(&format!(
            "schedule -c c-life -s {service} --window 'MON-FRI 08:00-19:00' --role-arn {ROLE} -g g-life"
        ))
        .ok();
    }
    let status = env.cli("status -c c-life -s web -g g-life").json();
    assert_eq!(status["desired_count"], 2);
    assert_eq!(status["launch_type"], "FARGATE");
    assert_eq!(status["schedules"][0]["switch"], "on");
    assert_eq!(status["missing"], json!([]));
    assert!(status["next_transition"]["utc"].as_str().is_some());

    let out = env.cli("unschedule -c c-life -s web -g g-life").json();
    let verbs: Vec<_> = out["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].clone(), a["action"].clone()))
        .collect();
    assert_eq!(
        verbs,
        [
            (json!("c-life.web.on"), json!("deleted")),
            (json!("c-life.web.off"), json!("deleted"))
        ]
    );
    assert_eq!(
        env.names("g-life").await,
        ["c-life.worker.off", "c-life.worker.on"]
    );
    let r = env
        .cli("unschedule -c c-life -s web -g g-life --output json")
        .ok();
    assert_eq!(r.json()["actions"], json!([]));
    assert!(r.stderr.contains("nothing to delete"), "{}", r.stderr);

    let r = env.cli("status -c c-life -s web -g g-life").ok();
    assert!(r.stdout.contains("(absent)"), "{}", r.stdout);
}

#[tokio::test]
async fn list_follows_pagination() {
    let env = Env::new().await;
    let names: Vec<String> = (0..70).map(|i| format!("svc{i:03}")).collect();
    env.services("c-many", &names, 1, LaunchType::Fargate).await;
    for name in &names {
        env.cli(&format!(
            "schedule -c c-many -s {name} --window 'DAILY 07:00-20:00' --role-arn {ROLE} -g g-many --no-verify --on-count 2 -q"
        ))
        .ok();
    }
    // A schedule that does not follow the naming rule is not listed.
    common::create_foreign_schedule(
        &env.config,
        "g-many",
        "hand-made",
        "arn:aws:scheduler:::aws-sdk:ecs:updateService",
    )
    .await;
    let out = env.cli("list -g g-many").json();
    let items = out.as_array().unwrap();
    assert_eq!(items.len(), 140, "more than one page of 100");
    assert_eq!(items[0]["name"], "c-many.svc000.off");
    assert_eq!(items[0]["desired_count"], 0);
    assert_eq!(items[1]["desired_count"], 2);
    assert!(items.iter().all(|i| i["cluster"] == "c-many"));
    let r = env.cli("list -g g-many --cluster other --output json").ok();
    assert_eq!(r.json(), json!([]));
    assert!(
        r.stderr
            .contains("no ecs-onoff schedules for cluster 'other'"),
        "{}",
        r.stderr
    );
}

#[tokio::test]
async fn closed_and_full_outputs() {
    let env = Env::new().await;
    env.services("c-out", &["web"], 1, LaunchType::Fargate)
        .await;
    env.cli(&format!(
        "schedule -c c-out -s web --window 'MON-FRI 08:00-19:00' --role-arn {ROLE} -g g-out"
    ))
    .ok();
    // A full disk is a failure with a message.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut cmd = common::ecs_onoff();
    cmd.args([
        "--endpoint-url",
        &env.url,
        "--region",
        "us-east-1",
        "list",
        "-g",
        "g-out",
    ])
    .stdout(full);
    let r = common::run(&mut cmd);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("cannot write the output"), "{}", r.stderr);
    // A reader that goes away (`| head -1`) is not.
    let script = format!(
        "'{}' --endpoint-url {} --region us-east-1 list -g g-out | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}",
        env!("CARGO_BIN_EXE_ecs-onoff"),
        env.url
    );
    let mut bash = std::process::Command::new("bash");
    common::scrub(&mut bash);
    let out = bash.args(["-c", &script]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "0",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn dry_run_needs_no_credentials_or_endpoint() {
    let r = offline(
        "--region cn-north-1 schedule -c prod -s web --window 'MON-FRI 09:00-18:00' \
         -t Asia/Shanghai --on-count 2 --dry-run",
    )
    .env_remove("AWS_ACCESS_KEY_ID")
    .env_remove("AWS_SECRET_ACCESS_KEY")
    .ok();
    let requests = r.json();
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

#[tokio::test]
async fn an_omitted_timezone_keeps_the_zone_of_existing_schedules() {
    let env = Env::new().await;
    env.services("c-zone", &["web", "new"], 1, LaunchType::Fargate)
        .await;
    env.cli(&format!(
        "schedule --cluster c-zone --service web --window 'MON-FRI 08:00-19:00' \
         --timezone Asia/Tokyo --role-arn {ROLE} --group g-zone"
    ))
    .ok();
    // A later change of the window only: the schedules stay in Asia/Tokyo.
    let r = env
        .cli(&format!(
            "schedule --cluster c-zone --service web --window 'MON-FRI 09:00-18:00' \
             --role-arn {ROLE} --group g-zone"
        ))
        .ok();
    assert!(
        r.stderr.contains(
            "no --timezone given: keeping Asia/Tokyo, the time zone of the existing schedules"
        ),
        "{}",
        r.stderr
    );
    let on = env.get("g-zone", "c-zone.web.on").await.unwrap();
    assert_eq!(on.schedule_expression_timezone(), Some("Asia/Tokyo"));
    assert_eq!(on.schedule_expression(), Some("cron(0 9 ? * MON-FRI *)"));
    // A service with no schedules yet: UTC, said so.
    let r = env
        .cli(&format!(
            "schedule --cluster c-zone --service new --window 'MON-FRI 09:00-18:00' \
             --role-arn {ROLE} --group g-zone"
        ))
        .ok();
    assert!(
        r.stderr
            .contains("no --timezone given: the times are read in UTC"),
        "{}",
        r.stderr
    );
    let on = env.get("g-zone", "c-zone.new.on").await.unwrap();
    assert_eq!(on.schedule_expression_timezone(), Some("UTC"));
}

#[tokio::test]
async fn a_service_moved_to_another_group_is_deleted_there_and_created_here() {
    let env = Env::new().await;
    env.services("c-move", &["web"], 1, LaunchType::Fargate)
        .await;
    let line = |group: &str| {
        format!(
            "schedule --cluster c-move --service web --window 'MON-FRI 08:00-19:00' \
             --timezone UTC --role-arn {ROLE} --group {group}"
        )
    };
    env.cli(&line("g-move-old")).ok();
    let r = env
        .cli(&line("g-move-new"))
        .arg("--output")
        .arg("json")
        .ok();
    assert!(
        r.stderr
            .contains("moves from schedule group 'g-move-old' to 'g-move-new'"),
        "{}",
        r.stderr
    );
    let out = r.json();
    assert_eq!(out["summary"]["created"], 2, "{out}");
    assert_eq!(out["summary"]["deleted"], 2, "{out}");
    let deleted: Vec<&str> = out["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "deleted")
        .map(|a| a["group"].as_str().unwrap())
        .collect();
    assert_eq!(deleted, ["g-move-old", "g-move-old"]);
    assert!(env.names("g-move-old").await.is_empty());
    assert_eq!(
        env.names("g-move-new").await,
        ["c-move.web.off", "c-move.web.on"]
    );
    // Converged: the same command changes nothing.
    let again = env.cli(&line("g-move-new")).json();
    assert_eq!(again["summary"]["unchanged"], 2, "{again}");
}
