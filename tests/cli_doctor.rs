//! `doctor` against moto_server: a healthy service exits 0; each finding moto can set up is
//! reported with its code, fix and command, and exits 3. The findings moto cannot set up (IAM
//! reads denied, a calendar ending, an expired schedule) are tested in the core (src/doctor.rs).

mod common;

use aws_sdk_applicationautoscaling::types::{
    ScalableDimension, ScalableTargetAction, ServiceNamespace,
};
use aws_sdk_ecs::types::LaunchType;
use common::{register_scalable_target, write_file, Env};
use serde_json::Value;

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff-doctor";

/// The codes of a service's findings in a doctor report.
fn codes(report: &Value, service: &str) -> Vec<String> {
    let s = report["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == service)
        .unwrap_or_else(|| panic!("{service} in {report}"));
    s["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn doctor_finds_what_would_fail_or_save_nothing() {
    let env = Env::in_region("ap-southeast-2").await;
    env.services(
        "doc",
        &["web", "scaled", "clash", "off-only", "counted"],
        2,
        LaunchType::Fargate,
    )
    .await;
    env.services("doc-ec2", &["batch"], 2, LaunchType::Ec2)
        .await;
    let region = "--region ap-southeast-2";
    // The role, made by ecs-onoff for every service.
    env.cli(&format!(
        "iam create-role --role-name ecs-onoff-doctor {region} -g g-doc -c doc -s web -s scaled \
         -s clash -s off-only -s counted"
    ))
    .ok();
    env.cli(&format!(
        "iam create-role --role-name ecs-onoff-doctor {region} -g g-doc -c doc-ec2 -s batch"
    ))
    .ok();
    let schedule = |cluster: &str, service: &str, times: &str| {
        format!(
            "{region} schedule -c {cluster} -s {service} {times} -t Australia/Sydney -g g-doc \
             --role-arn {ROLE} --on-count 2"
        )
    };
    let window = "--window 'MON-FRI 08:00-19:00'";
    env.cli(&schedule("doc", "web", window)).ok();

    // Healthy: exit 0.
    let r = env
        .cli(&format!("{region} doctor -c doc -s web -g g-doc"))
        .run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r
        .stdout
        .contains("doc/web in ap-southeast-2 (group g-doc): nothing found"));

    // A scalable target with MinCapacity 2 under desiredCount schedules.
    register_scalable_target(&env.config, "doc", "scaled", 2, 6).await;
    env.cli(&(schedule("doc", "scaled", window) + " --no-autoscaling"))
        .ok();
    // Another writer: a scheduled action, and a schedule made in the console.
    env.cli(&schedule("doc", "clash", window)).ok();
    register_scalable_target(&env.config, "doc", "clash", 0, 4).await;
    aws_sdk_applicationautoscaling::Client::new(&env.config)
        .put_scheduled_action()
        .service_namespace(ServiceNamespace::Ecs)
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .resource_id("service/doc/clash")
        .scheduled_action_name("night")
        .schedule("cron(0 20 * * ? *)")
        .scalable_target_action(
            ScalableTargetAction::builder()
                .min_capacity(0)
                .max_capacity(0)
                .build(),
        )
        .send()
        .await
        .unwrap();
    env.scheduler()
        .create_schedule_group()
        .name("console")
        .send()
        .await
        .unwrap();
    common::create_foreign_schedule(
        &env.config,
        "console",
        "clash-stop",
        "arn:aws:scheduler:::aws-sdk:ecs:updateService",
    )
    .await;
    let foreign = env.get("console", "clash-stop").await.unwrap();
    env.scheduler()
        .update_schedule()
        .group_name("console")
        .name("clash-stop")
        .schedule_expression("cron(0 21 * * ? *)")
        .flexible_time_window(foreign.flexible_time_window().unwrap().clone())
        .target(
            aws_sdk_scheduler::types::Target::builder()
                .arn("arn:aws:scheduler:::aws-sdk:ecs:updateService")
                .role_arn(ROLE)
                .input(r#"{"cluster":"doc","service":"clash","desiredCount":0}"#)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    // Only an off time; an on time in the DST change; an EC2 service.
    env.cli(&schedule("doc", "off-only", "--off 'cron(0 20 * * ? *)'"))
        .ok();
    env.cli(&schedule(
        "doc-ec2",
        "batch",
        "--window 'DAILY 02:30-06:00'",
    ))
    .ok();
    // Turned on every midnight (so on now, whatever the time) with 2, running with 3.
    env.cli(&schedule("doc", "counted", "--on 'cron(0 0 * * ? *)'"))
        .ok();
    env.ecs()
        .update_service()
        .cluster("doc")
        .service("counted")
        .desired_count(3)
        .send()
        .await
        .unwrap();

    let fleet = write_file(
        "doctor.toml",
        &format!(
            "[defaults]\nregion = \"ap-southeast-2\"\nrole_arn = \"{ROLE}\"\ngroup = \"g-doc\"\n\
             timezone = \"Australia/Sydney\"\nwindow = \"MON-FRI 08:00-19:00\"\n\n\
             [[service]]\ncluster = \"doc\"\nservice = \"web\"\n\n\
             [[service]]\ncluster = \"doc\"\nservice = \"scaled\"\n\n\
             [[service]]\ncluster = \"doc\"\nservice = \"clash\"\n\n\
             [[service]]\ncluster = \"doc\"\nservice = \"off-only\"\n\n\
             [[service]]\ncluster = \"doc\"\nservice = \"counted\"\n\n\
             [[service]]\ncluster = \"doc-ec2\"\nservice = \"batch\"\n"
        ),
    );
    let r = env
        .cli(&format!("doctor -f {} --output json", fleet.display()))
        .run();
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    let report = r.json();
    assert_eq!(codes(&report, "web"), Vec::<String>::new());
    assert_eq!(
        codes(&report, "counted"),
        ["schedule-missing", "on-count-differs"]
    );
    assert_eq!(codes(&report, "scaled"), ["autoscaling-undoes-off"]);
    let clash = codes(&report, "clash");
    assert_eq!(clash, ["conflict", "conflict"], "{report}");
    assert_eq!(codes(&report, "off-only"), ["schedule-missing"]);
    let batch = codes(&report, "batch");
    assert!(batch.contains(&"saves-nothing".to_string()), "{batch:?}");
    assert!(batch.contains(&"daylight-saving".to_string()), "{batch:?}");
    let counted = report["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "counted")
        .unwrap();
    assert_eq!(counted["findings"][1]["severity"], "warning");
    assert!(counted["findings"][1]["command"]
        .as_str()
        .unwrap()
        .contains("--on-count 3"));
    assert_eq!(report["summary"]["errors"], 1, "{report}");

    // The text report: each finding with its fix and command.
    let r = env
        .cli(&format!("{region} doctor -c doc -s scaled -g g-doc"))
        .run();
    assert_eq!(r.code, 3);
    assert!(
        r.stdout.contains("error [autoscaling-undoes-off]"),
        "{}",
        r.stdout
    );
    assert!(r
        .stdout
        .contains("    fix: make its schedules autoscaling-aware"));

    // A role that does not exist, and a service that does not.
    env.cli(&format!(
        "{region} schedule -c doc -s web --window 'MON-FRI 08:00-19:00' -t Australia/Sydney \
         -g g-doc2 --role-arn arn:aws:iam::123456789012:role/nobody --on-count 3"
    ))
    .ok();
    let r = env
        .cli(&format!(
            "{region} doctor -c doc -s web -g g-doc2 --output json"
        ))
        .run();
    assert_eq!(codes(&r.json(), "web"), ["role-missing"]);
    let r = env
        .cli(&format!("{region} doctor -c doc -s ghost --output json"))
        .run();
    assert_eq!(codes(&r.json(), "ghost"), ["service-missing"]);
    // Invalid input: exit 2.
    env.cli(&format!("{region} doctor -c doc"))
        .fails_with(2, "--service");
}

/// A dead-letter queue that does not exist is an error (failed invocations would be lost); once
/// the queue exists, nothing is found.
#[tokio::test]
async fn doctor_finds_a_missing_dead_letter_queue() {
    let env = Env::in_region("ap-southeast-1").await;
    env.services("doc-dlq", &["web"], 1, LaunchType::Fargate)
        .await;
    let region = "--region ap-southeast-1";
    let queue = "arn:aws:sqs:ap-southeast-1:123456789012:ecs-onoff-dlq-doctor";
    env.cli(&format!(
        "iam create-role --role-name ecs-onoff-doctor-dlq {region} -g g-dlq -c doc-dlq -s web \
         --dead-letter-arn {queue}"
    ))
    .ok();
    env.cli(&format!(
        "{region} schedule -c doc-dlq -s web --window 'MON-FRI 08:00-19:00' -g g-dlq \
         --role-arn arn:aws:iam::123456789012:role/ecs-onoff-doctor-dlq --on-count 1 \
         --dead-letter-arn {queue}"
    ))
    .ok();
    let doctor = format!("{region} doctor -c doc-dlq -s web -g g-dlq --output json");
    let r = env.cli(&doctor).run();
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(codes(&r.json(), "web"), ["dlq-missing"]);
    aws_sdk_sqs::Client::new(&env.config)
        .create_queue()
        .queue_name("ecs-onoff-dlq-doctor")
        .send()
        .await
        .unwrap();
    let r = env.cli(&doctor).run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

#[tokio::test]
async fn doctor_finds_eventbridge_rules_whose_input_names_the_service() {
    use aws_sdk_eventbridge::types::{EcsParameters, InputTransformer, RuleState, Target};
    let env = Env::in_region("sa-east-1").await;
    env.services("doc-rule", &["web"], 1, LaunchType::Fargate)
        .await;
    let region = "--region sa-east-1";
    env.cli(&format!(
        "iam create-role --role-name ecs-onoff-doctor-rule {region} -g g-rule -c doc-rule -s web"
    ))
    .ok();
    env.cli(&format!(
        "{region} schedule -c doc-rule -s web --window 'MON-FRI 08:00-19:00' -g g-rule \
         --role-arn arn:aws:iam::123456789012:role/ecs-onoff-doctor-rule --on-count 1"
    ))
    .ok();
    let doctor = format!("{region} doctor -c doc-rule -s web -g g-rule --output json");
    let r = env.cli(&doctor).run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    let events = aws_sdk_eventbridge::Client::new(&env.config);
    let function = "arn:aws:lambda:sa-east-1:123456789012:function:stop-services";
    let rule = |name: &str, bus: &str, state: RuleState| {
        let mut put = events
            .put_rule()
            .name(name)
            .event_bus_name(bus)
            .state(state);
        put = if bus == "default" {
            put.schedule_expression("cron(0 20 * * ? *)")
        } else {
            put.event_pattern(r#"{"source":["ops.deploys"]}"#)
        };
        put.send()
    };
    let target = |name: &str, bus: &str, t: Target| {
        events
            .put_targets()
            .rule(name)
            .event_bus_name(bus)
            .targets(t)
            .send()
    };
    let lambda = |input: &str| {
        Target::builder()
            .id("1")
            .arn(function)
            .input(input)
            .build()
            .unwrap()
    };
    // A function started every evening with the service in its input: reported.
    rule("nightly-stop", "default", RuleState::Enabled)
        .await
        .unwrap();
    target(
        "nightly-stop",
        "default",
        lambda(r#"{"cluster":"doc-rule","service":"web","desiredCount":0}"#),
    )
    .await
    .unwrap();
    // On another bus, by the service's ARN in an input template: reported.
    events.create_event_bus().name("ops").send().await.unwrap();
    rule("on-deploy", "ops", RuleState::Enabled).await.unwrap();
    let transformer = InputTransformer::builder()
        .input_paths_map("at", "$.time")
        .input_template(
            r#"{"at": <at>, "service": "arn:aws:ecs:sa-east-1:123456789012:service/doc-rule/web"}"#,
        )
        .build()
        .unwrap();
    target(
        "on-deploy",
        "ops",
        Target::builder()
            .id("1")
            .arn(function)
            .input_transformer(transformer)
            .build()
            .unwrap(),
    )
    .await
    .unwrap();
    // Not reported: another service, a disabled rule, a rule that runs a task in the cluster.
    rule("other", "default", RuleState::Enabled).await.unwrap();
    target(
        "other",
        "default",
        lambda(r#"{"cluster":"doc-rule","service":"api"}"#),
    )
    .await
    .unwrap();
    rule("paused", "default", RuleState::Disabled)
        .await
        .unwrap();
    target(
        "paused",
        "default",
        lambda(r#"{"cluster":"doc-rule","service":"web"}"#),
    )
    .await
    .unwrap();
    rule("report", "default", RuleState::Enabled).await.unwrap();
    target(
        "report",
        "default",
        Target::builder()
            .id("1")
            .arn("arn:aws:ecs:sa-east-1:123456789012:cluster/doc-rule")
            .role_arn("arn:aws:iam::123456789012:role/run-task")
            .ecs_parameters(
                EcsParameters::builder()
                    .task_definition_arn("arn:aws:ecs:sa-east-1:123456789012:task-definition/doc-rule-task:1")
                    .build()
                    .unwrap(),
            )
            .input(r#"{"containerOverrides":[{"name":"app","environment":[{"name":"service","value":"web"}]}],"cluster":"doc-rule","service":"web"}"#)
            .build()
            .unwrap(),
    )
    .await
    .unwrap();

    let r = env.cli(&doctor).run();
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    let report = r.json();
    assert_eq!(
        codes(&report, "web"),
        ["rule-conflict", "rule-conflict"],
        "{report}"
    );
    let findings = report["services"][0]["findings"].as_array().unwrap();
    let messages: Vec<&str> = findings
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages[0].starts_with(&format!(
            "EventBridge rule nightly-stop on bus default (cron(0 20 * * ? *)) sends {function}"
        )),
        "{messages:?}"
    );
    assert!(
        messages[1].starts_with("EventBridge rule on-deploy on bus ops (on matching events)"),
        "{messages:?}"
    );
    assert_eq!(
        findings[0]["command"],
        "aws events disable-rule --name nightly-stop --event-bus-name default --region sa-east-1"
    );
    // Once both are disabled, nothing is found.
    for (name, bus) in [("nightly-stop", "default"), ("on-deploy", "ops")] {
        events
            .disable_rule()
            .name(name)
            .event_bus_name(bus)
            .send()
            .await
            .unwrap();
    }
    let r = env.cli(&doctor).run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}
