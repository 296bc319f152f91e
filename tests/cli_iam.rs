//! `iam create-role` against moto_server: the role and its inline policy hold exactly the
//! generated documents, and a second run changes nothing.

mod common;
use common::{ecs_onoff, moto, run, sdk_config};
use ecs_onoff::aws::iam::parse_document;
use ecs_onoff::iam::{self, Scope};
use ecs_onoff::schedule::ServiceId;

fn id(cluster: &str, service: &str) -> ServiceId {
    ServiceId {
        cluster: cluster.parse().unwrap(),
        service: service.parse().unwrap(),
    }
}
use serde_json::Value;

#[tokio::test]
async fn create_role_then_converge() {
    let url = moto().url.clone();
    let iam_client = aws_sdk_iam::Client::new(&sdk_config(&url).await);
    let args = [
        "--endpoint-url",
        &url,
        "--region",
        "us-east-1",
        "iam",
        "create-role",
        "--role-name",
        "ecs-onoff-scheduler",
        "--cluster",
        "staging",
        "--service",
        "web",
        "--service",
        "worker",
        "--output",
        "json",
    ];
    let r = run(ecs_onoff().args(args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out["trust_policy"], "created");
    assert_eq!(out["execution_policy"], "created");
    assert_eq!(
        out["role_arn"],
        "arn:aws:iam::123456789012:role/ecs-onoff-scheduler"
    );

    // The account came from STS (moto's is 123456789012); documents read back exactly.
    let scope = Scope {
        account: "123456789012".into(),
        region: "us-east-1".into(),
    };
    let trust = iam::trust_policy(&scope, "ecs-onoff").unwrap();
    let policy = iam::execution_policy(
        &scope,
        &[id("staging", "web"), id("staging", "worker")],
        None,
    )
    .unwrap();
    let role = iam_client
        .get_role()
        .role_name("ecs-onoff-scheduler")
        .send()
        .await
        .unwrap();
    let stored = role.role().unwrap().assume_role_policy_document().unwrap();
    assert_eq!(parse_document(stored), Some(trust.clone()));
    let got = iam_client
        .get_role_policy()
        .role_name("ecs-onoff-scheduler")
        .policy_name("ecs-onoff-execution")
        .send()
        .await
        .unwrap();
    assert_eq!(parse_document(got.policy_document()), Some(policy));

    // Again: unchanged.
    let r = run(ecs_onoff().args(args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out["trust_policy"], "unchanged");
    assert_eq!(out["execution_policy"], "unchanged");

    // A changed service list updates only the inline policy; text output prints the ARN.
    let r = run(ecs_onoff().args([
        "--endpoint-url",
        &url,
        "--region",
        "us-east-1",
        "iam",
        "create-role",
        "--role-name",
        "ecs-onoff-scheduler",
        "--cluster",
        "staging",
        "--service",
        "web",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "arn:aws:iam::123456789012:role/ecs-onoff-scheduler\n"
    );
    assert!(r.stderr.contains("trust policy unchanged"), "{}", r.stderr);
    assert!(
        r.stderr.contains("ecs-onoff-execution updated"),
        "{}",
        r.stderr
    );

    // A drifted trust policy is brought back in line.
    iam_client
        .update_assume_role_policy()
        .role_name("ecs-onoff-scheduler")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"scheduler.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap();
    let r = run(ecs_onoff().args(args));
    let out: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out["trust_policy"], "updated");
    let role = iam_client
        .get_role()
        .role_name("ecs-onoff-scheduler")
        .send()
        .await
        .unwrap();
    assert_eq!(
        parse_document(role.role().unwrap().assume_role_policy_document().unwrap()),
        Some(trust)
    );
}

#[tokio::test]
async fn documents_without_account_id_use_sts() {
    let url = moto().url.clone();
    let r = run(ecs_onoff().args([
        "--endpoint-url",
        &url,
        "--region",
        "eu-west-1",
        "iam",
        "trust-policy",
        "--group",
        "team-a",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        doc["Statement"][0]["Condition"]["StringEquals"]["aws:SourceArn"],
        "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/team-a"
    );
}

#[tokio::test]
async fn invalid_role_name_creates_nothing() {
    let url = moto().url.clone();
    let r = run(ecs_onoff().args([
        "--endpoint-url",
        &url,
        "--region",
        "us-east-1",
        "iam",
        "create-role",
        "--role-name",
        "bad name",
        "--cluster",
        "staging",
        "--service",
        "web",
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("role name 'bad name'"), "{}", r.stderr);
    let iam_client = aws_sdk_iam::Client::new(&sdk_config(&url).await);
    assert!(iam_client
        .get_role()
        .role_name("bad name")
        .send()
        .await
        .is_err());
}
