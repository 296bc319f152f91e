//! Snapshots of every IAM document in the aws, aws-cn and aws-us-gov partitions, and the CLI
//! printing exactly those documents.

mod common;
use common::{ecs_onoff, run};
use ecs_onoff::iam::{self, Scope};
use ecs_onoff::schedule::ServiceId;

fn id(cluster: &str, service: &str) -> ServiceId {
    ServiceId {
        cluster: cluster.parse().unwrap(),
        service: service.parse().unwrap(),
    }
}

const PARTITIONS: [(&str, &str); 3] = [
    ("aws", "eu-central-1"),
    ("aws-cn", "cn-north-1"),
    ("aws-us-gov", "us-gov-west-1"),
];

fn scope(region: &str) -> Scope {
    Scope {
        account: "123456789012".into(),
        region: region.into(),
    }
}

fn services() -> Vec<ServiceId> {
    vec![id("staging", "worker"), id("staging", "web")]
}

#[test]
fn trust_policy_snapshots() {
    for (partition, region) in PARTITIONS {
        let doc = iam::trust_policy(&scope(region), "ecs-onoff").unwrap();
        insta::assert_snapshot!(
            format!("trust_policy_{partition}"),
            ecs_onoff::report::pretty(&doc)
        );
    }
}

#[test]
fn execution_policy_snapshots() {
    for (partition, region) in PARTITIONS {
        let dlq = format!("arn:{partition}:sqs:{region}:123456789012:ecs-onoff-dlq");
        let topic = format!("arn:{partition}:sns:{region}:123456789012:staging-heads-up");
        let doc = iam::execution_policy(
            &scope(region),
            &services(),
            Some(&dlq),
            Some(&topic),
            true,
            &[],
        )
        .unwrap();
        insta::assert_snapshot!(
            format!("execution_policy_{partition}"),
            ecs_onoff::report::pretty(&doc)
        );
    }
    let one = iam::execution_policy(
        &scope("eu-central-1"),
        &services()[..1],
        None,
        None,
        false,
        &[],
    )
    .unwrap();
    insta::assert_snapshot!(
        "execution_policy_one_service",
        ecs_onoff::report::pretty(&one)
    );
    // Capacity-aware schedules: UpdateAutoScalingGroup on exactly the named groups, by name
    // (the group's id in its ARN is `*`).
    for (partition, region) in PARTITIONS {
        let groups: Vec<ecs_onoff::capacity::AsgName> = vec![
            "prod-nodes".parse().unwrap(),
            "batch-nodes".parse().unwrap(),
        ];
        let doc =
            iam::execution_policy(&scope(region), &services()[..1], None, None, false, &groups)
                .unwrap();
        insta::assert_snapshot!(
            format!("execution_policy_capacity_{partition}"),
            ecs_onoff::report::pretty(&doc)
        );
    }
}

#[test]
fn operator_policy_snapshots() {
    for (partition, region) in PARTITIONS {
        let doc = iam::operator_policy(&scope(region), "ecs-onoff-scheduler", "ecs-onoff").unwrap();
        insta::assert_snapshot!(
            format!("operator_policy_{partition}"),
            ecs_onoff::report::pretty(&doc)
        );
    }
}

#[test]
fn cli_prints_the_same_documents() {
    for (_, region) in PARTITIONS {
        let s = scope(region);
        let r = run(ecs_onoff().args([
            "iam",
            "trust-policy",
            "--account-id",
            "123456789012",
            "--region",
            region,
        ]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            r.stdout,
            ecs_onoff::report::pretty(&iam::trust_policy(&s, "ecs-onoff").unwrap())
        );

        let r = run(ecs_onoff().args([
            "iam",
            "execution-policy",
            "--account-id",
            "123456789012",
            "--region",
            region,
            "--cluster",
            "staging",
            "--service",
            "worker",
            "--service",
            "web",
        ]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            r.stdout,
            ecs_onoff::report::pretty(
                &iam::execution_policy(&s, &services(), None, None, true, &[]).unwrap()
            )
        );

        let r = run(ecs_onoff().args([
            "iam",
            "operator-policy",
            "--account-id",
            "123456789012",
            "--region",
            region,
            "--role-name",
            "ecs-onoff-scheduler",
        ]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            r.stdout,
            ecs_onoff::report::pretty(
                &iam::operator_policy(&s, "ecs-onoff-scheduler", "ecs-onoff").unwrap()
            )
        );
    }
}

#[test]
fn invalid_input_exits_2() {
    let base = [
        "iam",
        "execution-policy",
        "--cluster",
        "staging",
        "--service",
        "web",
    ];
    for (extra, needle) in [
        (
            vec!["--account-id", "12345678901", "--region", "us-east-1"],
            "for '--account-id <ID>': account id",
        ),
        (
            vec!["--account-id", "abcdefghijkl", "--region", "us-east-1"],
            "for '--account-id <ID>': account id",
        ),
        (
            vec!["--account-id", "123456789012", "--region", "moon-1"],
            "region 'moon-1'",
        ),
        (
            vec![
                "--account-id",
                "123456789012",
                "--region",
                "us-east-1",
                "--service",
                "bad name",
            ],
            "for '--service <SERVICE>': service name",
        ),
        (
            vec![
                "--account-id",
                "123456789012",
                "--region",
                "us-east-1",
                "--dead-letter-arn",
                "arn:aws:sqs:us-east-1:123456789012:x.fifo",
            ],
            "FIFO",
        ),
    ] {
        let r = run(ecs_onoff().args(base).args(&extra));
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{extra:?}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    let r = run(ecs_onoff().args([
        "iam",
        "execution-policy",
        "--account-id",
        "123456789012",
        "--region",
        "us-east-1",
        "--cluster",
        "bad/cluster",
        "--service",
        "web",
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("for '--cluster <CLUSTER>': cluster name"),
        "{}",
        r.stderr
    );
    let r = run(ecs_onoff().args([
        "iam",
        "operator-policy",
        "--account-id",
        "123456789012",
        "--region",
        "us-east-1",
        "--role-name",
        "has space",
    ]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("role name 'has space'"), "{}", r.stderr);
    let r = run(ecs_onoff().args([
        "iam",
        "trust-policy",
        "--account-id",
        "123456789012",
        "--region",
        "us-east-1",
        "--group",
        "bad group",
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("for '--group <GROUP>': schedule group name"),
        "{}",
        r.stderr
    );
}

#[test]
fn too_many_services_fail_with_how_many_fit() {
    let mut cmd = ecs_onoff();
    cmd.args([
        "iam",
        "execution-policy",
        "--account-id",
        "123456789012",
        "--region",
        "us-east-1",
        "--cluster",
        "a-long-cluster-name-for-the-fleet",
    ]);
    for i in 0..300 {
        cmd.args(["--service", &format!("service-number-{i:04}")]);
    }
    let r = run(&mut cmd);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("at most"), "{}", r.stderr);
    assert!(r.stderr.contains("10240"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}
