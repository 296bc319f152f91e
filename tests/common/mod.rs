//! Test harness: one moto_server per test binary on a free loopback port, SDK configuration
//! pointed at it with fake credentials, and the ecs-onoff binary with a scrubbed environment.
#![allow(dead_code)]

use serde_json::Value;
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

/// The Python that has moto (and cfn-lint, python-hcl2): scripts/test.sh installs them into the
/// project's .venv and names it.
pub fn python() -> String {
    std::env::var("ECS_ONOFF_TEST_PYTHON").unwrap_or_else(|_| {
        let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python");
        if std::path::Path::new(venv).exists() {
            venv.to_string()
        } else {
            "python3".to_string()
        }
    })
}

/// Starts one of the Python scripts in tests/common with the test Python, its standard input and
/// output piped, and returns it with the URL it prints on its first line.
fn start_script(name: &str, args: &[&str]) -> (Child, String) {
    let script = format!("{}/tests/common/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(python())
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 is needed to run {name}: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("script stdout"))
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("read the URL of {name}: {e}"));
    (child, line.trim().to_string())
}

/// The shared emulator for this test binary, started on first use.
pub fn moto() -> &'static Moto {
    MOTO.get_or_init(|| {
        let (mut child, url) = start_script("moto_supervisor.py", &[]);
        let stdin = child.stdin.take().expect("supervisor stdin");
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
    scrub(&mut cmd);
    cmd
}

/// The environment of [`ecs_onoff`], for any command (a shell pipeline, say).
pub fn scrub(cmd: &mut Command) {
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
}

/// Splits a command line into words: white space separates, '...' and "..." quote.
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => out.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    assert!(quote.is_none(), "unclosed quote in {line}");
    out.extend(word);
    out
}

/// A command about to run: built from a line, with more arguments when needed.
pub struct Cli(Command);

/// ecs-onoff with the test environment, against `url`.
pub fn cli_at(url: &str, line: &str) -> Cli {
    let mut cmd = ecs_onoff();
    cmd.args(["--endpoint-url", url, "--region", "us-east-1"])
        .args(words(line));
    Cli(cmd)
}

/// ecs-onoff that cannot reach any AWS: its endpoint is a closed loopback port. For offline
/// validation cases, which must fail before any call.
pub fn offline(line: &str) -> Cli {
    cli_at("http://127.0.0.1:9", line)
}

impl Cli {
    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Cli {
        self.0.arg(arg);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, args: I) -> Cli {
        self.0.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Cli {
        self.0.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Cli {
        self.0.env_remove(key);
        self
    }

    pub fn run(mut self) -> Run {
        run(&mut self.0)
    }

    /// Starts it with its output captured, without waiting.
    pub fn spawn(mut self) -> Child {
        self.0
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ecs-onoff")
    }

    /// Runs it and asserts exit 0.
    pub fn ok(self) -> Run {
        let r = self.run();
        assert_eq!(r.code, 0, "stderr: {}\nstdout: {}", r.stderr, r.stdout);
        r
    }

    /// Runs it with `--output json`, asserts exit 0 and returns the parsed output.
    pub fn json(self) -> Value {
        self.arg("--output").arg("json").ok().json()
    }

    /// Runs it and asserts the exit code, that stderr contains `needle`, and (for exit 2)
    /// that nothing was printed on stdout.
    pub fn fails_with(self, code: i32, needle: &str) -> Run {
        let r = self.run();
        assert_eq!(r.code, code, "stderr: {}\nstdout: {}", r.stderr, r.stdout);
        assert!(
            r.stderr.contains(needle),
            "{needle:?} not in stderr: {}",
            r.stderr
        );
        if code == 2 {
            assert!(r.stdout.is_empty(), "stdout: {}", r.stdout);
        }
        r
    }
}

/// Output of a finished command.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", self.stdout, self.stderr))
    }
}

pub fn run(cmd: &mut Command) -> Run {
    finished(cmd.output().expect("run ecs-onoff"))
}

/// The output of a process that ended.
pub fn finished(out: std::process::Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// One test's view of moto: the CLI pointed at it, and SDK clients to set up and check state.
pub struct Env {
    pub url: String,
    pub config: aws_config::SdkConfig,
}

impl Env {
    pub async fn new() -> Env {
        Env::in_region("us-east-1").await
    }

    pub async fn in_region(region: &str) -> Env {
        let url = moto().url.clone();
        let config = sdk_config(&url)
            .await
            .into_builder()
            .region(aws_config::Region::new(region.to_string()))
            .build();
        Env { url, config }
    }

    pub fn cli(&self, line: &str) -> Cli {
        cli_at(&self.url, line)
    }

    pub fn scheduler(&self) -> aws_sdk_scheduler::Client {
        aws_sdk_scheduler::Client::new(&self.config)
    }

    pub fn ecs(&self) -> aws_sdk_ecs::Client {
        aws_sdk_ecs::Client::new(&self.config)
    }

    /// Creates a cluster with one service per name, each with the given desired count.
    pub async fn services(
        &self,
        cluster: &str,
        names: &[impl AsRef<str>],
        desired: i32,
        launch: aws_sdk_ecs::types::LaunchType,
    ) {
        create_services(&self.config, cluster, names, desired, launch).await;
    }

    pub async fn get(
        &self,
        group: &str,
        name: &str,
    ) -> Option<aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput> {
        self.scheduler()
            .get_schedule()
            .group_name(group)
            .name(name)
            .send()
            .await
            .ok()
    }

    /// A service's desiredCount.
    pub async fn desired(&self, cluster: &str, service: &str) -> i32 {
        self.ecs()
            .describe_services()
            .cluster(cluster)
            .services(service)
            .send()
            .await
            .unwrap()
            .services()[0]
            .desired_count()
    }

    pub async fn group_exists(&self, group: &str) -> bool {
        self.scheduler()
            .get_schedule_group()
            .name(group)
            .send()
            .await
            .is_ok()
    }

    /// Every schedule name in a group, sorted.
    pub async fn names(&self, group: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut pages = self
            .scheduler()
            .list_schedules()
            .group_name(group)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => names.extend(
                    page.schedules()
                        .iter()
                        .filter_map(|s| s.name().map(str::to_string)),
                ),
                Err(_) => break,
            }
        }
        names.sort();
        names
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

/// Registers an Application Auto Scaling target for a service.
pub async fn register_scalable_target(
    config: &aws_config::SdkConfig,
    cluster: &str,
    service: &str,
    min: i32,
    max: i32,
) {
    use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
    aws_sdk_applicationautoscaling::Client::new(config)
        .register_scalable_target()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id(format!("service/{cluster}/{service}"))
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .min_capacity(min)
        .max_capacity(max)
        .send()
        .await
        .unwrap();
}

/// Writes a file under the target directory and returns its path.
pub fn write_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("ecs-onoff-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A fault-injecting proxy in front of moto (tests/common/fault_proxy.py), for one test. It
/// stops when dropped.
pub struct Proxy {
    pub url: String,
    child: Child,
}

impl Proxy {
    /// Starts the proxy with the given fault options (see fault_proxy.py).
    pub fn start(options: &[&str]) -> Proxy {
        let upstream = moto().url.clone();
        let mut args = vec!["--upstream", upstream.as_str(), "--lifetime", "600"];
        args.extend_from_slice(options);
        let (child, url) = start_script("fault_proxy.py", &args);
        assert!(url.starts_with("http://127.0.0.1:"), "proxy did not start");
        Proxy { url, child }
    }

    /// ecs-onoff with the test environment, through this proxy.
    pub fn cli(&self, line: &str) -> Cli {
        cli_at(&self.url, line)
    }

    /// How many faults of each kind it injected.
    pub fn faults(&self) -> Value {
        self.stats()["faults"].clone()
    }

    /// How many faults it injected in all.
    pub fn faults_total(&self) -> u64 {
        sum(&self.faults())
    }

    /// What the proxy saw: requests and faults per operation, access key ids.
    pub fn stats(&self) -> Value {
        use std::io::{Read, Write};
        let addr = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).expect("connect to the proxy");
        write!(
            stream,
            "GET /__proxy__/stats HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let body = response.split("\r\n\r\n").nth(1).expect("a body");
        serde_json::from_str(body).expect("stats are JSON")
    }
}

/// The sum of a JSON object's counts.
pub fn sum(counts: &Value) -> u64 {
    counts
        .as_object()
        .map(|o| o.values().filter_map(Value::as_u64).sum())
        .unwrap_or(0)
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Checks schedules against AWS's API models with botocore (tests/common/validate_inputs.py):
/// `items` is a list of {"name", "arn", "input", "create_schedule"}; returns its report.
pub fn validate_inputs(items: &Value) -> Value {
    use std::io::Write;
    let script = format!(
        "{}/tests/common/validate_inputs.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 with botocore (scripts/test.sh installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(items.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "validate_inputs.py failed");
    serde_json::from_slice(&out.stdout).expect("validate_inputs.py prints JSON")
}

/// Creates an Auto Scaling group (with a launch configuration) in the Region's zone a.
pub async fn create_auto_scaling_group(
    config: &aws_config::SdkConfig,
    region: &str,
    name: &str,
    min: i32,
    max: i32,
    desired: i32,
) {
    let asg = aws_sdk_autoscaling::Client::new(config);
    asg.create_launch_configuration()
        .launch_configuration_name(format!("{name}-lc"))
        .image_id("ami-12c6146b")
        .instance_type("t3.micro")
        .send()
        .await
        .unwrap();
    asg.create_auto_scaling_group()
        .auto_scaling_group_name(name)
        .launch_configuration_name(format!("{name}-lc"))
        .min_size(min)
        .max_size(max)
        .desired_capacity(desired)
        .availability_zones(format!("{region}a"))
        .send()
        .await
        .unwrap();
}
