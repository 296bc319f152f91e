//! `savings` and `timeline`: task sizes read from moto (DescribeServices, DescribeTaskDefinition
//! with cpu, memory and runtimePlatform) give the same figures as the same sizes given offline;
//! an EC2 service saves $0 and says why; bad input is exit 2 with what to do; the SVG week is
//! well-formed XML with one row per service.

mod common;

use aws_sdk_ecs::types::{
    ContainerDefinition, CpuArchitecture, LaunchType, OsFamily, RuntimePlatform,
};
use common::{write_file, Env};
use serde_json::Value;

async fn service_with_task(
    env: &Env,
    cluster: &str,
    service: &str,
    (cpu, memory, arch): (&str, &str, CpuArchitecture),
    launch: LaunchType,
) {
    let ecs = env.ecs();
    ecs.create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .unwrap();
    let family = format!("{cluster}-{service}");
    ecs.register_task_definition()
        .family(&family)
        .cpu(cpu)
        .memory(memory)
        .runtime_platform(
            RuntimePlatform::builder()
                .cpu_architecture(arch)
                .operating_system_family(OsFamily::Linux)
                .build(),
        )
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image("nginx")
                .build(),
        )
        .send()
        .await
        .unwrap();
    ecs.create_service()
        .cluster(cluster)
        .service_name(service)
        .task_definition(&family)
        .desired_count(2)
        .launch_type(launch)
        .send()
        .await
        .unwrap();
}

fn service<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == name)
        .unwrap_or_else(|| panic!("{name} in {report}"))
}

#[tokio::test]
async fn savings_from_live_task_definitions_match_the_offline_figures() {
    let env = Env::in_region("us-east-1").await;
    service_with_task(
        &env,
        "sav",
        "web",
        ("256", "512", CpuArchitecture::X8664),
        LaunchType::Fargate,
    )
    .await;
    service_with_task(
        &env,
        "sav",
        "arm",
        ("1024", "2048", CpuArchitecture::Arm64),
        LaunchType::Fargate,
    )
    .await;
    service_with_task(
        &env,
        "sav",
        "batch",
        ("512", "1024", CpuArchitecture::X8664),
        LaunchType::Ec2,
    )
    .await;
    let fleet = write_file(
        "savings.toml",
        "[defaults]\nregion = \"us-east-1\"\ntimezone = \"Europe/Berlin\"\n\
         role_arn = \"arn:aws:iam::123456789012:role/ecs-onoff\"\nwindow = \"MON-FRI 09:00-18:00\"\n\n\
         [[service]]\ncluster = \"sav\"\nservice = \"web\"\n\n\
         [[service]]\ncluster = \"sav\"\nservice = \"arm\"\n\n\
         [[service]]\ncluster = \"sav\"\nservice = \"batch\"\n",
    );
    let live = env
        .cli(&format!(
            "savings -f {} --from 2026-10-19 --days 7 --output json",
            fleet.display()
        ))
        .json();
    let web = service(&live, "web");
    assert_eq!(web["task"]["cpu_units"], 256);
    assert_eq!(web["task"]["memory_mib"], 512);
    assert_eq!(web["task"]["arch"], "X86_64");
    assert_eq!(web["on_count"], 2, "the live desiredCount");
    // The week of the October change: 169 hours, 45 on, 124 off.
    assert_eq!(web["off_hours"], 124.0);
    assert_eq!(web["period_hours"], 169.0);
    let arm = service(&live, "arm");
    assert_eq!(arm["task"]["arch"], "ARM64");
    // EC2: $0, and why.
    let batch = service(&live, "batch");
    assert_eq!(batch["saved_usd"], 0.0);
    assert!(batch["reason"].as_str().unwrap().starts_with("EC2"));

    // The same sizes offline: the same figures, and no AWS call (no endpoint, no credentials).
    for (name, flags) in [
        ("web", "--task-cpu 256 --task-memory 512"),
        ("arm", "--task-cpu 1024 --task-memory 2048 --arch ARM64"),
    ] {
        let offline = common::offline(&format!(
            "savings -c sav -s {name} --window 'MON-FRI 09:00-18:00' -t Europe/Berlin \
             --on-count 2 {flags} --region us-east-1 --from 2026-10-19 --days 7 --output json"
        ))
        .json();
        let o = &offline["services"][0];
        let l = service(&live, name);
        for key in [
            "off_hours",
            "always_on_usd",
            "scheduled_usd",
            "saved_usd",
            "saved_percent",
        ] {
            assert_eq!(o[key], l[key], "{name} {key}");
        }
    }
    // 2 tasks x 169 hours x (0.25 x 0.04048 + 0.5 x 0.004445), against 2 x 45 hours.
    assert_eq!(web["always_on_usd"], 4.17);
    assert_eq!(web["scheduled_usd"], 1.11);

    // Markdown: a table and the week.
    let r = env
        .cli(&format!(
            "savings -f {} --from 2026-10-19 --days 7 --output markdown",
            fleet.display()
        ))
        .ok();
    assert!(r.stdout.contains("| sav/web | us-east-1 |"), "{}", r.stdout);
    assert!(r.stdout.contains("`sav/batch` saves $0"), "{}", r.stdout);
    assert!(r.stdout.contains("```\n"), "{}", r.stdout);

    // Against an older file with a longer window: the difference per service.
    let old = write_file(
        "savings-old.toml",
        &std::fs::read_to_string(&fleet)
            .unwrap()
            .replace("09:00-18:00", "07:00-20:00"),
    );
    let diff = env
        .cli(&format!(
            "savings -f {} --against {} --from 2026-10-19 --days 7 --output json",
            fleet.display(),
            old.display()
        ))
        .json();
    let changes = diff["against"].as_array().unwrap();
    let web_change = changes.iter().find(|c| c["service"] == "web").unwrap();
    assert!(
        web_change["difference_usd"].as_f64().unwrap() > 0.0,
        "{diff}"
    );
}

#[test]
fn bad_input_is_refused_with_what_to_do() {
    let base = "savings -c c -s s --window 'MON-FRI 09:00-18:00' --task-cpu 256 --task-memory 512";
    common::offline(&format!("{base} --region sa-east-1")).fails_with(2, "--prices");
    common::offline(&format!("{base} --region us-east-1 --task-memory 4096"))
        .fails_with(2, "256 with memory 512, 1024 or 2048");
    common::offline(&format!("{base} --region us-east-1 --days 0")).fails_with(2, "1 to 366");
    common::offline(&format!("{base} --region us-east-1 --days 367")).fails_with(2, "1 to 366");
    let prices = write_file(
        "bad-prices.toml",
        "[regions.us-east-1]\nx86_64 = { vcpu_hour = 0.04 }\n",
    );
    common::offline(&format!(
        "{base} --region us-east-1 --prices {}",
        prices.display()
    ))
    .fails_with(2, "bad-prices.toml:2:");
    // A table of one's own.
    let prices = write_file(
        "my-prices.toml",
        "[regions.sa-east-1]\nx86_64 = { vcpu_hour = 0.1, gb_hour = 0.01 }\n",
    );
    let r = common::offline(&format!(
        "{base} --region sa-east-1 --prices {} --output json",
        prices.display()
    ))
    .json();
    assert!(r["total"]["saved_usd"].as_f64().unwrap() > 0.0);
}

#[test]
fn the_week_as_svg_is_well_formed_with_a_row_per_service() {
    let fleet = format!("{}/examples/timeline.toml", env!("CARGO_MANIFEST_DIR"));
    let svg = write_file("week.svg", "");
    let r = common::offline(&format!(
        "timeline -f {fleet} --week 2026-12-23 --svg {}",
        svg.display()
    ))
    .ok();
    assert!(
        r.stdout.contains("staging/web (Europe/Berlin)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("skipped (calendar de: *-12-24..*-12-26)"),
        "{}",
        r.stdout
    );
    let check = std::process::Command::new(common::python())
        .arg("-c")
        .arg(
            "import sys, xml.etree.ElementTree as ET\n\
             root = ET.parse(sys.argv[1]).getroot()\n\
             ns = '{http://www.w3.org/2000/svg}'\n\
             assert root.tag == ns + 'svg', root.tag\n\
             rows = [g.get('data-service') for g in root.iter(ns + 'g')]\n\
             print(','.join(rows))",
        )
        .arg(&svg)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&check.stdout).trim(),
        "staging/web,staging/worker,staging/reports"
    );
}

/// A capacity-aware service runs on EC2: its tasks save nothing by price, and the reason says
/// what is saved instead (its group's instances), with its hours off.
#[test]
fn capacity_aware_services_say_what_they_save() {
    let path = write_file(
        "savings-capacity.toml",
        "[[service]]\ncluster = \"c\"\nservice = \"web\"\nregion = \"eu-west-1\"\n\
         timezone = \"Europe/Berlin\"\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\n\
         window = \"MON-FRI 08:00-19:00\"\ncapacity = true\nasg = \"nodes\"\n\
         task_cpu = 256\ntask_memory = 512\non_count = 1\n",
    );
    let json = common::offline(&format!(
        "savings -f {} --from 2026-11-30 --days 7 --output json",
        path.display()
    ))
    .json();
    let row = &json["services"][0];
    assert_eq!(row["task"]["capacity"], "EC2", "{json}");
    assert_eq!(row["off_hours"], 168.0 - 55.0, "{json}");
    assert!(
        row["reason"].as_str().unwrap().contains("capacity-aware"),
        "{json}"
    );
}
