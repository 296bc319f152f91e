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
use serde_json::{json, Value};

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
        None,
        true,
        &[],
    )
    .unwrap();
    assert_eq!(
        stored_trust(&iam_client, "ecs-onoff-scheduler").await,
        trust
    );
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

    // Fewer services: nothing is removed without --exact; text output prints the ARN.
    let subset = [
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
    ];
    let r = run(ecs_onoff().args(subset));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "arn:aws:iam::123456789012:role/ecs-onoff-scheduler\n"
    );
    assert!(
        r.stderr
            .contains("trust policy unchanged, inline policy ecs-onoff-execution unchanged"),
        "{}",
        r.stderr
    );
    let r = run(ecs_onoff().args(subset).arg("--exact"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "role ecs-onoff-scheduler: removed service arn:aws:ecs:us-east-1:123456789012:service/staging/worker"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("inline policy ecs-onoff-execution updated"),
        "{}",
        r.stderr
    );

    // A trust policy that lost ecs-onoff's statement gets it back; other statements are kept
    // unless --exact.
    let foreign = serde_json::json!({"Effect":"Allow","Principal":{"Service":"scheduler.amazonaws.com"},"Action":"sts:AssumeRole"});
    iam_client
        .update_assume_role_policy()
        .role_name("ecs-onoff-scheduler")
        .policy_document(
            serde_json::json!({"Version":"2012-10-17","Statement":[foreign.clone()]}).to_string(),
        )
        .send()
        .await
        .unwrap();
    let r = run(ecs_onoff().args(args));
    let out: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out["trust_policy"], "updated");
    assert_eq!(
        stored_trust(&iam_client, "ecs-onoff-scheduler").await["Statement"],
        serde_json::json!([foreign, trust["Statement"][0]])
    );
    let r = run(ecs_onoff().args(args).arg("--exact"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        stored_trust(&iam_client, "ecs-onoff-scheduler").await,
        trust
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

/// Runs ecs-onoff against moto with the given command line and parses its JSON output.
fn json_run(url: &str, line: &str) -> Value {
    let r = run(ecs_onoff()
        .args(["--endpoint-url", url, "--output", "json"])
        .args(common::words(line)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

/// The trust policy stored with a role.
async fn stored_trust(client: &aws_sdk_iam::Client, role: &str) -> Value {
    let got = client.get_role().role_name(role).send().await.unwrap();
    parse_document(got.role().unwrap().assume_role_policy_document().unwrap()).unwrap()
}

/// The role's trust SourceArn values and its inline policy's UpdateService resources.
async fn role_grants(client: &aws_sdk_iam::Client, role: &str) -> (Value, Value) {
    let trust = stored_trust(client, role).await;
    let policy = client
        .get_role_policy()
        .role_name(role)
        .policy_name("ecs-onoff-execution")
        .send()
        .await
        .unwrap();
    let policy = parse_document(policy.policy_document()).unwrap();
    (
        trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceArn"].clone(),
        policy["Statement"][0]["Resource"].clone(),
    )
}

#[tokio::test]
async fn one_role_serves_every_region_and_group() {
    let url = moto().url.clone();
    let client = aws_sdk_iam::Client::new(&sdk_config(&url).await);
    let first = json_run(
        &url,
        "--region eu-west-1 iam create-role --role-name shared -c c1 -s web -g team-a",
    );
    assert_eq!(first["trust_policy"], "created");
    // A second Region and group: added, and the first still allowed.
    let second = json_run(
        &url,
        "--region us-east-1 iam create-role --role-name shared -c c2 -s api -g team-b",
    );
    assert_eq!(second["trust_policy"], "updated");
    assert_eq!(
        second["added"]["groups"],
        json!(["arn:aws:scheduler:us-east-1:123456789012:schedule-group/team-b"])
    );
    assert_eq!(
        second["added"]["services"],
        json!(["arn:aws:ecs:us-east-1:123456789012:service/c2/api"])
    );
    assert_eq!(second["removed"]["groups"], json!([]));
    let (groups, services) = role_grants(&client, "shared").await;
    assert_eq!(
        groups,
        json!([
            "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/team-a",
            "arn:aws:scheduler:us-east-1:123456789012:schedule-group/team-b"
        ])
    );
    assert_eq!(
        services,
        json!([
            "arn:aws:ecs:eu-west-1:123456789012:service/c1/web",
            "arn:aws:ecs:us-east-1:123456789012:service/c2/api"
        ])
    );
    // The same again: nothing added, nothing written.
    let again = json_run(
        &url,
        "--region us-east-1 iam create-role --role-name shared -c c2 -s api -g team-b",
    );
    assert_eq!(again["trust_policy"], "unchanged");
    assert_eq!(again["execution_policy"], "unchanged");
    // --exact: only what is asked, and says what went.
    let exact = json_run(
        &url,
        "--region us-east-1 iam create-role --role-name shared -c c2 -s api -g team-b --exact",
    );
    assert_eq!(
        exact["removed"]["groups"],
        json!(["arn:aws:scheduler:eu-west-1:123456789012:schedule-group/team-a"])
    );
    let (groups, _) = role_grants(&client, "shared").await;
    assert_eq!(
        groups,
        json!("arn:aws:scheduler:us-east-1:123456789012:schedule-group/team-b")
    );
}

#[tokio::test]
async fn create_role_from_a_fleet_file_covers_every_group_and_region() {
    let url = moto().url.clone();
    let client = aws_sdk_iam::Client::new(&sdk_config(&url).await);
    let path = common::write_file(
        "roles.toml",
        "[defaults]\nrole_arn = \"arn:aws:iam::123456789012:role/fleet-role\"\n\
         window = \"MON-FRI 08:00-19:00\"\n\n\
         [[service]]\ncluster = \"a\"\nservice = \"web\"\nregion = \"eu-west-1\"\ngroup = \"g1\"\n\n\
         [[service]]\ncluster = \"b\"\nservice = \"api\"\nregion = \"ap-northeast-2\"\ngroup = \"g2\"\n\n\
         [[service]]\ncluster = \"c\"\nservice = \"other\"\nregion = \"eu-west-1\"\n\
         role_arn = \"arn:aws:iam::123456789012:role/another\"\n",
    );
    let path = path.to_str().unwrap();
    let out = json_run(
        &url,
        &format!("--region us-east-1 iam create-role --role-name fleet-role --from-file {path}"),
    );
    assert_eq!(out["added"]["groups"].as_array().unwrap().len(), 2, "{out}");
    let (groups, services) = role_grants(&client, "fleet-role").await;
    assert_eq!(
        groups,
        json!([
            "arn:aws:scheduler:ap-northeast-2:123456789012:schedule-group/g2",
            "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/g1"
        ])
    );
    assert_eq!(
        services,
        json!([
            "arn:aws:ecs:ap-northeast-2:123456789012:service/b/api",
            "arn:aws:ecs:eu-west-1:123456789012:service/a/web"
        ])
    );
    // execution-policy --from-file: one document per role, across its Regions.
    let docs = json_run(&url, &format!("iam execution-policy --from-file {path}"));
    let keys: Vec<&String> = docs.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "arn:aws:iam::123456789012:role/another",
            "arn:aws:iam::123456789012:role/fleet-role"
        ]
    );
    assert_eq!(
        docs["arn:aws:iam::123456789012:role/fleet-role"]["Statement"][0]["Resource"],
        services
    );
}

/// parliament (IAM policy linter, in the test environment that scripts/test.sh makes) finds
/// nothing in the execution and operator policies of every partition. Trust policies are not
/// linted: parliament reads every document as an identity policy, which has a Resource.
#[test]
fn policies_are_parliament_clean() {
    let python = std::path::PathBuf::from(common::python());
    let parliament = python.with_file_name("parliament");
    if !parliament.exists() {
        assert!(
            std::env::var("ECS_ONOFF_TEST_PYTHON").is_err(),
            "scripts/test.sh installs parliament next to {}",
            python.display()
        );
        // Run outside scripts/test.sh without parliament: nothing to lint with.
        return;
    }
    for (partition, region) in [
        ("aws", "eu-central-1"),
        ("aws-cn", "cn-north-1"),
        ("aws-us-gov", "us-gov-west-1"),
    ] {
        let execution = format!(
            "iam execution-policy --account-id 123456789012 --region {region} -c staging -s web \
             -s api --dead-letter-arn arn:{partition}:sqs:{region}:123456789012:dlq \
             --notify-topic arn:{partition}:sns:{region}:123456789012:heads-up"
        );
        let operator = format!(
            "iam operator-policy --account-id 123456789012 --region {region} --role-name ecs-onoff"
        );
        let capacity = execution.clone() + " --asg prod-nodes --asg batch-nodes";
        for line in [
            execution.clone(),
            execution + " --no-autoscaling",
            capacity,
            operator,
        ] {
            let mut cmd = ecs_onoff();
            cmd.args(common::words(&line));
            let out = run(&mut cmd);
            assert_eq!(out.code, 0, "{line}: {}", out.stderr);
            let lint = std::process::Command::new(&parliament)
                .args(["--json", "--string", &out.stdout])
                .stdin(std::process::Stdio::null())
                .output()
                .expect("run parliament");
            assert!(
                lint.status.success() && lint.stdout.is_empty(),
                "{line}:\n{}{}",
                String::from_utf8_lossy(&lint.stdout),
                String::from_utf8_lossy(&lint.stderr)
            );
        }
    }
}

/// A fleet's capacity-aware services with `asg` grant UpdateAutoScalingGroup on exactly those
/// groups, in their Regions, and `create-role --from-file` writes it (read back from moto).
#[tokio::test]
async fn capacity_aware_entries_grant_their_groups() {
    let url = moto().url.clone();
    let client = aws_sdk_iam::Client::new(&sdk_config(&url).await);
    let path = common::write_file(
        "roles-capacity.toml",
        "[defaults]\nrole_arn = \"arn:aws:iam::123456789012:role/capacity-role\"\n\
         window = \"MON-FRI 08:00-19:00\"\ncapacity = true\n\n\
         [[service]]\ncluster = \"a\"\nservice = \"web\"\nregion = \"eu-west-1\"\nasg = \"a-nodes\"\n\n\
         [[service]]\ncluster = \"b\"\nservice = \"api\"\nregion = \"us-east-2\"\nasg = \"b nodes\"\n",
    );
    let path = path.to_str().unwrap();
    let doc = json_run(&url, &format!("iam execution-policy --from-file {path}"));
    let statement = doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Action"] == "autoscaling:UpdateAutoScalingGroup")
        .unwrap_or_else(|| panic!("{doc}"))
        .clone();
    let groups = json!([
        "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/a-nodes",
        "arn:aws:autoscaling:us-east-2:123456789012:autoScalingGroup:*:autoScalingGroupName/b nodes"
    ]);
    assert_eq!(statement["Resource"], groups);
    json_run(
        &url,
        &format!("--region us-east-1 iam create-role --role-name capacity-role --from-file {path}"),
    );
    let stored = client
        .get_role_policy()
        .role_name("capacity-role")
        .policy_name("ecs-onoff-execution")
        .send()
        .await;
    let text = match stored {
        Ok(out) => ecs_onoff::aws::iam::percent_decode(out.policy_document()),
        Err(e) => panic!("{e:?}"),
    };
    let stored: Value = serde_json::from_str(&text).unwrap();
    assert!(
        stored["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["Resource"] == groups),
        "{stored}"
    );
}
