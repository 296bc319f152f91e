//! The heads-up before the off, against moto_server: one SNS Publish schedule before each off,
//! exact, kept in step with the offs, removed with the service; bad topics and off times that
//! cannot be moved exactly write nothing; the execution policy publishes to exactly the topic.

mod common;

use aws_sdk_ecs::types::LaunchType;
use common::Env;
use serde_json::Value;

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff";
const TOPIC: &str = "arn:aws:sns:eu-central-1:123456789012:staging-heads-up";

#[tokio::test]
async fn a_heads_up_before_each_off() {
    let env = Env::in_region("eu-central-1").await;
    env.services("hu", &["web"], 1, LaunchType::Fargate).await;
    let line = format!(
        "schedule -c hu -s web -g g-hu --region eu-central-1 --role-arn {ROLE} \
         --window 'MON-FRI 08:00-19:00' --window 'SAT 22:00-24:00' --timezone Europe/Berlin \
         --notify-topic {TOPIC} --notify-before 15m --output json"
    );
    let r = env.cli(&line).json();
    assert_eq!(r["summary"]["failed"], 0, "{r}");
    assert_eq!(
        env.names("g-hu").await,
        [
            "hu.web.notify",
            "hu.web.notify2",
            "hu.web.off",
            "hu.web.off2",
            "hu.web.on",
            "hu.web.on2"
        ]
    );
    let heads_up = env.get("g-hu", "hu.web.notify").await.unwrap();
    assert_eq!(
        heads_up.schedule_expression(),
        Some("cron(45 18 ? * MON-FRI *)")
    );
    assert_eq!(
        heads_up.schedule_expression_timezone(),
        Some("Europe/Berlin")
    );
    let target = heads_up.target().unwrap();
    assert_eq!(target.arn(), "arn:aws:scheduler:::aws-sdk:sns:publish");
    let input: Value = serde_json::from_str(target.input().unwrap()).unwrap();
    assert_eq!(input["TopicArn"], TOPIC);
    let message = input["Message"].as_str().unwrap();
    assert!(
        message.contains("turned off in 15 minutes, at 19:00 Europe/Berlin"),
        "{message}"
    );
    assert!(
        message.contains("ecs-onoff override --cluster hu --service web --group g-hu --region eu-central-1 --on --for 2h"),
        "{message}"
    );
    // The off at 24:00 on Saturday is 00:00 on Sunday: its heads-up is Saturday 23:45.
    let second = env.get("g-hu", "hu.web.notify2").await.unwrap();
    assert_eq!(second.schedule_expression(), Some("cron(45 23 ? * SAT *)"));

    // Again: nothing to change. Without the topic: the heads-ups are deleted.
    let r = env.cli(&line).json();
    assert_eq!(r["summary"]["unchanged"], 6, "{r}");
    let without = line.replace(&format!("--notify-topic {TOPIC} --notify-before 15m "), "");
    let r = env.cli(&without).json();
    assert_eq!(r["summary"]["deleted"], 2, "{r}");
    env.cli(&line).ok();
    // An override holds them with the offs; unschedule removes them.
    env.cli("override -c hu -s web -g g-hu --region eu-central-1 --on --for 7d")
        .ok();
    let held = env.get("g-hu", "hu.web.notify").await.unwrap();
    assert!(held.start_date().is_some(), "held until the end");
    env.cli("unschedule -c hu -s web -g g-hu --region eu-central-1")
        .ok();
    assert!(env.names("g-hu").await.is_empty());
}

#[tokio::test]
async fn bad_heads_ups_write_nothing() {
    let env = Env::in_region("eu-central-1").await;
    env.services("hu-bad", &["web"], 1, LaunchType::Fargate)
        .await;
    let base = format!(
        "schedule -c hu-bad -s web -g g-hu-bad --region eu-central-1 --role-arn {ROLE} --timezone Europe/Berlin"
    );
    for (args, needle) in [
        (
            format!("--window 'MON-FRI 08:00-19:00' --notify-topic {TOPIC}.fifo"),
            "use a standard topic",
        ),
        (
            "--window 'MON-FRI 08:00-19:00' --notify-topic arn:aws:sns:us-east-1:123456789012:t"
                .into(),
            "publishes in the schedule's Region",
        ),
        (
            format!("--on 'cron(0 8 1 * ? *)' --off 'cron(0 0 2 * ? *)' --notify-topic {TOPIC}"),
            "days of the month",
        ),
        (
            format!("--window 'MON-FRI 08:00-19:00' --notify-topic {TOPIC} --notify-before 1d"),
            "whole minutes, from 1m to 23h59m",
        ),
        (
            "--window 'MON-FRI 08:00-19:00' --notify-before 10m".into(),
            "--notify-topic",
        ),
    ] {
        env.cli(&format!("{base} {args}")).fails_with(2, needle);
    }
    assert!(env.names("g-hu-bad").await.is_empty());
}

#[test]
fn the_execution_policy_publishes_to_exactly_the_topic() {
    let dir = common::write_file(
        "hu-fleet.toml",
        &format!(
            "[defaults]\nregion = \"eu-central-1\"\nrole_arn = \"{ROLE}\"\nwindow = \"MON-FRI 08:00-19:00\"\n\
             notify_topic = \"{TOPIC}\"\nnotify_before = \"10m\"\n\n[[service]]\ncluster = \"c\"\nservice = \"s\"\n"
        ),
    );
    let doc = common::offline(&format!(
        "iam execution-policy --from-file {}",
        dir.display()
    ))
    .json();
    let publish = doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Action"] == "sns:Publish")
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(publish["Resource"], TOPIC);
    let flags = common::offline(&format!(
        "iam execution-policy --account-id 123456789012 --region eu-central-1 -c c -s s --notify-topic {TOPIC}"
    ))
    .json();
    assert!(flags.to_string().contains("sns:Publish"), "{flags}");
}
