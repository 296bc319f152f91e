//! Rules that real AWS enforces and moto does not (see ../shared/reference/real-aws-audit.md):
//! ecs-onoff checks them itself, before writing, and these tests hold it to that against moto.

mod common;

use aws_sdk_ecs::types::{LaunchType, SchedulingStrategy};
use common::{
    create_auto_scaling_group, register_scalable_target, validate_inputs, write_file, Env,
};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff-scheduler";

#[tokio::test]
async fn a_daemon_service_is_refused_and_nothing_is_written() {
    let env = Env::new().await;
    env.services("c-daemon", &["web"], 1, LaunchType::Ec2).await;
    env.ecs()
        .create_service()
        .cluster("c-daemon")
        .service_name("agent")
        .task_definition("c-daemon-task")
        .scheduling_strategy(SchedulingStrategy::Daemon)
        .launch_type(LaunchType::Ec2)
        .send()
        .await
        .unwrap();
    let r = env
        .cli(&format!(
            "schedule -c c-daemon -s agent --window 'MON-FRI 08:00-19:00' --role-arn {ROLE} \
             -g g-daemon"
        ))
        .fails_with(2, "uses the DAEMON scheduling strategy");
    assert!(r.stderr.contains("Auto Scaling group"), "{}", r.stderr);
    assert!(!env.group_exists("g-daemon").await, "nothing written");
}

#[tokio::test]
async fn names_of_255_characters_make_a_valid_description() {
    let env = Env::new().await;
    let cluster = "c".repeat(255);
    let service = "s".repeat(255);
    env.services(&cluster, &[&service], 1, LaunchType::Fargate)
        .await;
    let out = env
        .cli(&format!(
            "schedule -c {cluster} -s {service} --window 'MON-FRI 08:00-19:00' \
             --role-arn {ROLE} -g g-long"
        ))
        .json();
    assert_eq!(out["summary"]["created"], 2, "{out}");
    for name in env.names("g-long").await {
        let s = env.get("g-long", &name).await.unwrap();
        let description = s.description().unwrap();
        assert!(description.len() <= 512, "{}", description.len());
        // The Input still names the service exactly.
        assert!(s.target().unwrap().input().unwrap().contains(&service));
    }
}

#[tokio::test]
async fn fields_ecs_onoff_does_not_manage_survive_an_update() {
    let env = Env::new().await;
    env.services("c-kms", &["web"], 2, LaunchType::Fargate)
        .await;
    let line = |window: &str| {
        format!("schedule -c c-kms -s web --window '{window}' --role-arn {ROLE} -g g-kms -t UTC")
    };
    env.cli(&line("MON-FRI 08:00-19:00")).ok();
    // Someone adds a customer managed key in the console.
    let key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let on = env.get("g-kms", "c-kms.web.on").await.unwrap();
    env.scheduler()
        .update_schedule()
        .group_name("g-kms")
        .name("c-kms.web.on")
        .schedule_expression(on.schedule_expression().unwrap())
        .schedule_expression_timezone("UTC")
        .flexible_time_window(on.flexible_time_window().unwrap().clone())
        .target(on.target().unwrap().clone())
        .description(on.description().unwrap())
        .state(aws_sdk_scheduler::types::ScheduleState::Enabled)
        .kms_key_arn(key)
        .send()
        .await
        .unwrap();
    // Not a managed field: nothing to change.
    let plan = env.cli(&line("MON-FRI 08:00-19:00")).json();
    assert_eq!(plan["summary"]["unchanged"], 2, "{plan}");
    // A real change keeps it.
    let out = env.cli(&line("MON-FRI 09:00-18:00")).json();
    assert_eq!(out["summary"]["updated"], 2, "{out}");
    let on = env.get("g-kms", "c-kms.web.on").await.unwrap();
    assert_eq!(on.schedule_expression(), Some("cron(0 9 ? * MON-FRI *)"));
    assert_eq!(on.kms_key_arn(), Some(key));
}

#[tokio::test]
async fn a_start_date_that_has_passed_is_left_out_with_a_note() {
    let env = Env::new().await;
    env.services("c-start", &["web"], 1, LaunchType::Fargate)
        .await;
    let r = env
        .cli(&format!(
            "schedule -c c-start -s web --window 'MON-FRI 08:00-19:00' --role-arn {ROLE} \
             -g g-start --start-date 2020-01-01T00:00:00Z --output json"
        ))
        .ok();
    assert!(
        r.stderr
            .contains("the start date 2020-01-01T00:00:00Z has passed, so it is left out"),
        "{}",
        r.stderr
    );
    assert_eq!(r.json()["summary"]["created"], 2);
    let on = env.get("g-start", "c-start.web.on").await.unwrap();
    assert_eq!(on.start_date(), None);
}

#[tokio::test]
async fn the_execution_role_is_checked_before_writing() {
    let env = Env::new().await;
    env.services("c-role", &["web", "api"], 1, LaunchType::Fargate)
        .await;
    env.cli("iam create-role --role-name checked -c c-role -s web -g g-role-a")
        .ok();
    let role = "arn:aws:iam::123456789012:role/checked";
    let schedule = |service: &str, group: &str, role: &str| {
        format!(
            "schedule -c c-role -s {service} --window 'MON-FRI 08:00-19:00' -t UTC \
             --role-arn {role} -g {group}"
        )
    };
    // The role allows this group and service: no warning about it.
    let r = env.cli(&schedule("web", "g-role-a", role)).ok();
    assert!(!r.stderr.contains(role), "{}", r.stderr);
    // Another group and service: both gaps are named, with the command that closes them.
    let r = env.cli(&schedule("api", "g-role-b", role)).ok();
    assert!(
        r.stderr.contains(
            "does not let Scheduler assume it for schedule group \
             arn:aws:scheduler:us-east-1:123456789012:schedule-group/g-role-b"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "does not allow ecs:UpdateService on arn:aws:ecs:us-east-1:123456789012:service/c-role/api"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "ecs-onoff iam create-role --role-name checked --region us-east-1 --group g-role-b"
        ),
        "{}",
        r.stderr
    );
    // A role that does not exist.
    let r = env
        .cli(&schedule(
            "api",
            "g-role-b",
            "arn:aws:iam::123456789012:role/nosuch",
        ))
        .ok();
    assert!(
        r.stderr.contains("role/nosuch does not exist"),
        "{}",
        r.stderr
    );
    // --no-verify skips the check.
    let r = env
        .cli(&schedule(
            "api",
            "g-role-c",
            "arn:aws:iam::123456789012:role/nosuch",
        ))
        .arg("--no-verify")
        .ok();
    assert!(!r.stderr.contains("nosuch"), "{}", r.stderr);
}

#[tokio::test]
async fn a_service_with_an_old_short_arn_is_named_as_it_is() {
    let env = Env::in_region("eu-south-2").await;
    env.ecs()
        .put_account_setting()
        .name(aws_sdk_ecs::types::SettingName::ServiceLongArnFormat)
        .value("disabled")
        .send()
        .await
        .unwrap();
    env.services("c-short", &["legacy"], 1, LaunchType::Fargate)
        .await;
    let short = "arn:aws:ecs:eu-south-2:123456789012:service/legacy";
    // The execution policy names the ARN the service really has.
    let out = env
        .cli("--region eu-south-2 iam create-role --role-name short-arn -c c-short -s legacy -g g-short")
        .json();
    assert_eq!(
        out["added"]["services"],
        serde_json::json!([short]),
        "{out}"
    );
    // schedule warns about the old format, and the role check finds the role allows it.
    let r = env
        .cli(
            "--region eu-south-2 schedule -c c-short -s legacy --window 'MON-FRI 08:00-19:00' \
             -t UTC --role-arn arn:aws:iam::123456789012:role/short-arn -g g-short",
        )
        .ok();
    assert!(
        r.stderr
            .contains(&format!("the service has the old ARN format {short}")),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("does not allow ecs:UpdateService"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("does not let Scheduler assume"),
        "{}",
        r.stderr
    );
}

/// Every schedule ecs-onoff writes, of every kind (a service's on and off, autoscaling-aware
/// bounds, capacity-aware group sizes, heads-ups, an override's and a group hold's self-deleting
/// ends, with a dead-letter queue and a skipped day), read back from moto and checked against
/// AWS's own API models by botocore's validator (tests/common/validate_inputs.py): the target's
/// Input as a request of the operation its ARN names, and the schedule as a CreateSchedule
/// request. moto accepts any Input; real AWS fails the call at fire time when a member is
/// misspelt, mistyped or out of range.
#[tokio::test]
async fn every_target_input_is_a_valid_request_of_the_api_it_calls() {
    const REGION: &str = "ca-central-1";
    let env = Env::in_region(REGION).await;
    env.services("models", &["plain", "scaled"], 2, LaunchType::Fargate)
        .await;
    env.services("models-ec2", &["web"], 2, LaunchType::Ec2)
        .await;
    register_scalable_target(&env.config, "models", "scaled", 2, 6).await;
    create_auto_scaling_group(&env.config, REGION, "models-nodes", 1, 4, 2).await;
    let fleet = format!(
        "[defaults]\nregion = \"{REGION}\"\ntimezone = \"America/Toronto\"\n\
         role_arn = \"{ROLE}\"\ngroup = \"g-models\"\n\
         notify_topic = \"arn:aws:sns:{REGION}:123456789012:ops\"\nnotify_before = \"15m\"\n\
         dead_letter_arn = \"arn:aws:sqs:{REGION}:123456789012:ecs-onoff-dlq\"\n\n\
         [[service]]\ncluster = \"models\"\nservice = \"plain\"\nwindow = \"MON-FRI 08:00-19:00\"\n\
         skip = [\"2026-12-25\"]\n\n\
         [[service]]\ncluster = \"models\"\nservice = \"scaled\"\nwindow = \"MON-FRI 08:00-19:00\"\n\n\
         [[service]]\ncluster = \"models-ec2\"\nservice = \"web\"\nwindow = \"MON-FRI 07:00-18:00\"\n\
         capacity = true\nasg = \"models-nodes\"\n"
    );
    let path = write_file("models.toml", &fleet);
    env.cli(&format!("apply -f {} --yes", path.display())).ok();
    for (cluster, service) in [("models-ec2", "web"), ("models", "plain")] {
        env.cli(&format!(
            "override -c {cluster} -s {service} -g g-models --region {REGION} --on --for 2d"
        ))
        .ok();
    }

    let mut requests = Vec::new();
    for name in env.names("g-models").await {
        let s = env.get("g-models", &name).await.unwrap();
        let target = s.target().unwrap();
        let mut target_request = json!({
            "Arn": target.arn(),
            "RoleArn": target.role_arn(),
            "Input": target.input(),
        });
        if let Some(retry) = target.retry_policy() {
            target_request["RetryPolicy"] = json!({
                "MaximumEventAgeInSeconds": retry.maximum_event_age_in_seconds(),
                "MaximumRetryAttempts": retry.maximum_retry_attempts(),
            });
        }
        if let Some(dlq) = target.dead_letter_config() {
            target_request["DeadLetterConfig"] = json!({"Arn": dlq.arn()});
        }
        let window = s.flexible_time_window().unwrap();
        let mut create = json!({
            "Name": s.name(),
            "GroupName": s.group_name(),
            "ScheduleExpression": s.schedule_expression(),
            "FlexibleTimeWindow": {"Mode": window.mode().as_str()},
            "Target": target_request,
        });
        let optional = [
            (
                "ScheduleExpressionTimezone",
                s.schedule_expression_timezone(),
            ),
            ("Description", s.description()),
            ("State", s.state().map(|x| x.as_str())),
            (
                "ActionAfterCompletion",
                s.action_after_completion().map(|x| x.as_str()),
            ),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                create[key] = json!(value);
            }
        }
        requests.push(json!({
            "name": name,
            "arn": target.arn(),
            "input": target.input(),
            "create_schedule": create,
        }));
    }
    let results = validate_inputs(&Value::Array(requests));
    let results = results.as_array().unwrap();
    for r in results {
        assert_eq!(r["errors"], json!([]), "{r}");
    }
    let calls: BTreeSet<String> = results
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r["service"].as_str().unwrap(),
                r["operation"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        calls.into_iter().collect::<Vec<_>>(),
        [
            "application-autoscaling:RegisterScalableTarget",
            "autoscaling:UpdateAutoScalingGroup",
            "ecs:UpdateService",
            "sns:Publish"
        ]
    );
    let ends = results
        .iter()
        .filter(|r| r["name"].as_str().unwrap().ends_with("override"))
        .count();
    assert_eq!(
        ends, 3,
        "two overrides' ends and a group hold's end: {results:?}"
    );
}

/// What `schedule --dry-run` prints is, schedule by schedule, a CreateSchedule request that
/// AWS's model accepts (what `aws scheduler create-schedule --cli-input-json` takes, without the
/// timestamps), whose target Input is a valid request of the operation it calls.
#[test]
fn dry_run_output_is_a_valid_create_schedule_request() {
    let out = common::offline(
        "schedule --cluster staging --service web --window 'MON-FRI 08:00-19:00' \
         --window 'SAT 10:00-14:00' --timezone Europe/Berlin --region eu-central-1 \
         --role-arn arn:aws:iam::123456789012:role/ecs-onoff --skip 2026-12-24 \
         --notify-topic arn:aws:sns:eu-central-1:123456789012:ops --notify-before 15m \
         --dead-letter-arn arn:aws:sqs:eu-central-1:123456789012:ecs-onoff-dlq --dry-run",
    )
    .json();
    let items: Vec<Value> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let mut create = s.clone();
            let fields = create.as_object_mut().unwrap();
            fields.remove("StartDate");
            fields.remove("EndDate");
            json!({
                "name": s["Name"],
                "arn": s["Target"]["Arn"],
                "input": s["Target"]["Input"],
                "create_schedule": create,
            })
        })
        .collect();
    assert!(items.len() >= 6, "{out}");
    for r in validate_inputs(&Value::Array(items)).as_array().unwrap() {
        assert_eq!(r["errors"], json!([]), "{r}");
    }
}
