//! Test harness: one moto_server per test binary on a free loopback port, SDK configuration
//! pointed at it with fake credentials, and the ecs-onoff binary with a scrubbed environment.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// A running moto_server. It stops when this test process ends: the supervisor watches its
/// standard input, which closes with the process.
pub struct Moto {
    pub url: String,
    _supervisor: Mutex<(Child, ChildStdin)>,
}

static MOTO: OnceLock<Moto> = OnceLock::new();

/// The shared emulator for this test binary, started on first use.
pub fn moto() -> &'static Moto {
    MOTO.get_or_init(|| {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/moto_supervisor.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 is needed to run moto_server");
        let stdin = child.stdin.take().expect("supervisor stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("supervisor stdout"))
            .read_line(&mut line)
            .expect("read moto_server URL");
        let url = line.trim().to_string();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "moto_server did not start (see the message above); run scripts/test.sh, which installs it"
        );
        Moto {
            url,
            _supervisor: Mutex::new((child, stdin)),
        }
    })
}

/// SDK configuration for moto: fake static keys, us-east-1, endpoint override.
pub async fn sdk_config(url: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_scheduler::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .endpoint_url(url)
        .load()
        .await
}

/// The ecs-onoff binary with an environment that cannot reach real AWS: no profile, no config
/// files, fake keys, no instance metadata.
pub fn ecs_onoff() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecs-onoff"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") || key == "NO_COLOR" {
            cmd.env_remove(&key);
        }
    }
    cmd.env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent/ecs-onoff-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/ecs-onoff-test-credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null());
    cmd
}

/// Output of a finished command.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("run ecs-onoff");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Creates a cluster, a task definition and services with a desired count.
pub async fn create_services(
    config: &aws_config::SdkConfig,
    cluster: &str,
    names: &[impl AsRef<str>],
    desired: i32,
    launch: aws_sdk_ecs::types::LaunchType,
) {
    let ecs = aws_sdk_ecs::Client::new(config);
    ecs.create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .unwrap();
    let family = format!("{cluster}-task");
    ecs.register_task_definition()
        .family(&family)
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
    for name in names {
        ecs.create_service()
            .cluster(cluster)
            .service_name(name.as_ref())
            .task_definition(&family)
            .desired_count(desired)
            .launch_type(launch.clone())
            .send()
            .await
            .unwrap();
    }
}

/// Creates a schedule that ecs-onoff does not manage, with the given target.
pub async fn create_foreign_schedule(
    config: &aws_config::SdkConfig,
    group: &str,
    name: &str,
    target_arn: &str,
) {
    use aws_sdk_scheduler::types::{FlexibleTimeWindow, FlexibleTimeWindowMode, Target};
    aws_sdk_scheduler::Client::new(config)
        .create_schedule()
        .group_name(group)
        .name(name)
        .schedule_expression("rate(1 day)")
        .flexible_time_window(
            FlexibleTimeWindow::builder()
                .mode(FlexibleTimeWindowMode::Off)
                .build()
                .unwrap(),
        )
        .target(
            Target::builder()
                .arn(target_arn)
                .role_arn("arn:aws:iam::123456789012:role/other")
                .input("{}")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}
