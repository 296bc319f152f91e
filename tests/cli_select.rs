//! `[[select]]` against moto_server: services chosen by tags from a cluster of 150 (more than
//! one page of ListServices), excludes, an explicit [[service]] winning, conflicts between
//! selectors, a selector that chooses nothing, and a re-plan of 0 changes.

mod common;

use aws_sdk_ecs::types::{LaunchType, Tag};
use common::{write_file, Env};

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff";

async fn tagged_services(env: &Env, cluster: &str) {
    let ecs = env.ecs();
    ecs.create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .unwrap();
    ecs.register_task_definition()
        .family("sel-task")
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("app")
                .image("nginx")
                .memory(512)
                .build(),
        )
        .send()
        .await
        .unwrap();
    for i in 0..150 {
        let name = if i == 60 {
            "payments".to_string()
        } else {
            format!("svc-{i:03}")
        };
        let mut create = ecs
            .create_service()
            .cluster(cluster)
            .service_name(&name)
            .task_definition("sel-task")
            .desired_count(1)
            .launch_type(LaunchType::Fargate);
        // Tagged services on both pages of ListServices (100 a page).
        if i <= 60 || i >= 140 {
            create = create.tags(Tag::builder().key("schedule").value("office-hours").build());
        }
        create.send().await.unwrap();
    }
}

fn fleet(extra: &str) -> String {
    format!(
        "[defaults]\nregion = \"eu-central-1\"\ntimezone = \"Europe/Berlin\"\nrole_arn = \"{ROLE}\"\n\
         group = \"g-sel\"\n\n\
         [[select]]\ncluster = \"sel\"\ntags = {{ schedule = \"office-hours\" }}\nexclude = [\"payments\"]\n\
         window = \"MON-FRI 08:00-19:00\"\n\n\
         [[service]]\ncluster = \"sel\"\nservice = \"svc-000\"\nwindow = \"MON-FRI 07:00-20:00\"\n{extra}"
    )
}

#[tokio::test]
async fn selectors_choose_tagged_services() {
    let env = Env::in_region("eu-central-1").await;
    tagged_services(&env, "sel").await;
    let path = write_file("sel.toml", &fleet(""));
    let path = path.to_str().unwrap();
    let r = env.cli(&format!("plan -f {path} --output json -v")).run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("chooses 70 service(s)"), "{}", r.stderr);
    assert!(
        r.stderr.contains("its [[service]] entry wins"),
        "{}",
        r.stderr
    );
    let plan = r.json();
    assert_eq!(
        plan["summary"]["create"], 140,
        "70 services, 2 schedules each"
    );
    let names: Vec<&str> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with("sel.payments.")),
        "excluded"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("sel.svc-061.")),
        "not tagged"
    );
    let explicit = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "sel.svc-000.on")
        .unwrap();
    assert_eq!(
        explicit["expression"], "cron(0 7 ? * MON-FRI *)",
        "the explicit entry wins"
    );
    env.cli(&format!("apply -f {path} --yes")).ok();
    let r = env
        .cli(&format!("plan -f {path} --detailed-exitcode"))
        .run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // The execution policy of a file with selectors names exactly the chosen services.
    let policy = env
        .cli(&format!("iam execution-policy --from-file {path}"))
        .json();
    let services: Vec<&str> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|st| st["Sid"] == "UpdateScheduledServices")
        .flat_map(|st| st["Resource"].as_array().unwrap())
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(services.len(), 70, "{policy}");
    assert!(services.contains(&"arn:aws:ecs:eu-central-1:123456789012:service/sel/svc-000"));
    assert!(services.contains(&"arn:aws:ecs:eu-central-1:123456789012:service/sel/svc-149"));
    assert!(!services
        .iter()
        .any(|s| s.ends_with("/payments") || s.ends_with("/svc-061")));

    // Two selectors choosing one service with different settings: invalid, naming both.
    let conflict = write_file(
        "sel-conflict.toml",
        &fleet("\n[[select]]\ncluster = \"sel\"\nservice = \"*\"\nwindow = \"SAT 10:00-14:00\"\n"),
    );
    env.cli(&format!("plan -f {}", conflict.display()))
        .fails_with(2, "with different settings");
    // A selector that chooses nothing is a warning.
    let nothing = write_file(
        "sel-nothing.toml",
        &fleet("\n[[select]]\ncluster = \"sel\"\ntags = { team = \"nobody\" }\nwindow = \"SAT 10:00-14:00\"\n"),
    );
    let r = env.cli(&format!("plan -f {}", nothing.display())).ok();
    assert!(r.stderr.contains("chooses no service"), "{}", r.stderr);
    // Bad selectors: reported with their place, nothing read.
    let bad = write_file(
        "sel-bad.toml",
        "[defaults]\nrole_arn = \"arn:aws:iam::123456789012:role/x\"\nwindow = \"MON-FRI 08:00-19:00\"\n\n\
         [[select]]\ncluster = \"sel\"\n\n[[select]]\ncluster = \"sel\"\nservice = \"web\"\n",
    );
    let r = env
        .cli(&format!("plan -f {} --region eu-central-1", bad.display()))
        .fails_with(2, "needs tags, or service = \"*\"");
    assert!(
        r.stderr.contains("a [[select]] takes \"*\""),
        "{}",
        r.stderr
    );
}
