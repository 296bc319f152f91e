//! `apply` under injected faults, through tests/common/fault_proxy.py between the CLI and
//! moto_server: answers lost after the write happened, mixed faults (throttling, 5xx, resets,
//! stalls), a token bucket on CreateSchedule, a black-holed request; and credentials: a fleet
//! entry's profile signs its requests even when environment keys are set.

mod common;

use aws_sdk_ecs::types::LaunchType;
use common::{finished, sum, write_file, Env, Proxy};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff";

/// A fleet file of `count` services named svc-NNN in `cluster`, scheduled into `group`.
fn fleet(region: &str, group: &str, cluster: &str, count: usize) -> String {
    let mut text = format!(
        "[defaults]\nregion = \"{region}\"\ntimezone = \"Europe/Berlin\"\nrole_arn = \"{ROLE}\"\n\
         group = \"{group}\"\nwindow = \"MON-FRI 08:00-19:00\"\non_count = 2\n"
    );
    for i in 0..count {
        let _ = write!(
            text,
            "\n[[service]]\ncluster = \"{cluster}\"\nservice = \"svc-{i:03}\"\n"
        );
    }
    text
}

/// Services svc-000.. in a cluster of moto, and their fleet file.
async fn setup(region: &str, group: &str, cluster: &str, count: usize) -> (Env, String) {
    let env = Env::in_region(region).await;
    let names: Vec<String> = (0..count).map(|i| format!("svc-{i:03}")).collect();
    env.services(cluster, &names, 1, LaunchType::Fargate).await;
    let path = write_file(
        &format!("{group}.toml"),
        &fleet(region, group, cluster, count),
    );
    (env, path.display().to_string())
}

/// Every schedule of the fleet is in moto, once, exactly as planned: a direct plan (no proxy)
/// finds nothing to change.
async fn assert_converged(env: &Env, group: &str, path: &str, count: usize) {
    let names = env.names(group).await;
    assert_eq!(names.len(), 2 * count, "two schedules per service");
    let plan = env
        .cli(&format!("plan -f {path} --detailed-exitcode --output json"))
        .ok()
        .json();
    assert_eq!(plan["summary"]["unchanged"], 2 * count);
}

/// `apply` of the fleet file through the proxy exits 0, with 0 failures and `creates` creates.
fn apply_creates_all(proxy: &Proxy, path: &str, flags: &str, creates: u64) {
    let r = proxy
        .cli(&format!("apply -f {path} --yes --output json {flags}"))
        .run();
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    let report = r.json();
    assert_eq!(report["summary"]["failed"], 0, "{}", r.stdout);
    assert_eq!(report["summary"]["created"], creates, "{}", r.stdout);
}

#[tokio::test]
async fn answers_lost_after_the_write_are_not_failures() {
    let (env, path) = setup("eu-west-1", "g-lost", "c-lost", 200).await;
    let proxy = Proxy::start(&["--seed", "7", "--lost", "0.2"]);
    apply_creates_all(&proxy, &path, "", 400);
    let lost = proxy.faults()["lost"].as_u64().unwrap_or(0);
    assert!(
        lost >= 40,
        "about 20% of 400 writes lose their answer: {lost}"
    );
    assert_converged(&env, "g-lost", &path, 200).await;
}

#[tokio::test]
async fn mixed_faults_end_in_a_truthful_report() {
    let (env, path) = setup("eu-west-2", "g-mixed", "c-mixed", 200).await;
    let proxy = Proxy::start(&["--seed", "11", "--mixed", "0.2", "--stall", "3"]);
    apply_creates_all(&proxy, &path, "--timeout 1", 400);
    let seen = proxy.faults();
    for kind in ["throttle", "503", "reset", "lost", "stall"] {
        assert!(
            seen[kind].as_u64().unwrap_or(0) > 0,
            "{kind} injected: {seen}"
        );
    }
    assert_converged(&env, "g-mixed", &path, 200).await;
}

#[tokio::test]
async fn throttling_slows_the_run_down_instead_of_failing_writes() {
    let (env, path) = setup("eu-west-3", "g-bucket", "c-bucket", 300).await;
    let proxy = Proxy::start(&["--bucket", "CreateSchedule:50:1"]);
    apply_creates_all(&proxy, &path, "", 600);
    assert!(
        proxy.faults()["bucket"].as_u64().unwrap_or(0) > 0,
        "the bucket throttled some creates"
    );
    assert_converged(&env, "g-bucket", &path, 300).await;
}

#[tokio::test]
async fn a_black_holed_request_ends_within_the_timeout_with_a_summary() {
    let (env, path) = setup("eu-north-1", "g-hole", "c-hole", 3).await;
    // The off schedule of svc-001 never gets an answer.
    let proxy = Proxy::start(&[
        "--blackhole",
        "^CreateSchedule /schedules/c-hole\\.svc-001\\.off",
    ]);
    let started = Instant::now();
    let r = proxy
        .cli(&format!("apply -f {path} --yes --output json --timeout 1"))
        .run();
    let took = started.elapsed();
    assert_eq!(r.code, 1, "{}\n{}", r.stderr, r.stdout);
    // One attempt may take --timeout; a whole request at most 8 attempts and 7 waits of 4 s.
    assert!(took < Duration::from_secs(60), "took {took:?}");
    let report = r.json();
    assert_eq!(report["summary"]["created"], 5, "{}", r.stdout);
    assert_eq!(report["summary"]["failed"], 1);
    assert_eq!(report["failures"][0]["name"], "c-hole.svc-001.off");
    assert_eq!(report["failures"][0]["code"], "Timeout");
    assert!(proxy.faults_total() >= 1);
    assert_eq!(env.names("g-hole").await.len(), 5);
}

#[tokio::test]
async fn concurrent_applies_through_lost_answers_both_succeed() {
    let (env, path) = setup("eu-south-1", "g-twice", "c-twice", 60).await;
    let proxy = Proxy::start(&["--seed", "3", "--lost", "0.2"]);
    let line = format!("apply -f {path} --yes --output json");
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| proxy.cli(&line).run());
        let b = s.spawn(|| proxy.cli(&line).run());
        (a.join().unwrap(), b.join().unwrap())
    });
    for r in [&a, &b] {
        assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
        assert_eq!(r.json()["summary"]["failed"], 0, "{}", r.stdout);
    }
    assert_converged(&env, "g-twice", &path, 60).await;
}

/// An AWS config directory with a profile `ops` whose key is `AKIAOPSPROFILE`.
fn profiles() -> (String, String) {
    let config = write_file(
        "profiles-config",
        "[profile ops]\nregion = ca-central-1\n[profile audit]\nregion = ca-central-1\n",
    );
    let credentials = write_file(
        "profiles-credentials",
        "[ops]\naws_access_key_id = AKIAOPSPROFILE\naws_secret_access_key = ops-secret\n",
    );
    (
        config.display().to_string(),
        credentials.display().to_string(),
    )
}

#[tokio::test]
async fn a_fleet_entry_profile_signs_its_requests_over_environment_keys() {
    let env = Env::in_region("ca-central-1").await;
    env.services("c-prof", &["a", "b"], 1, LaunchType::Fargate)
        .await;
    let path = write_file(
        "profiles.toml",
        &format!(
            "[defaults]\nregion = \"ca-central-1\"\nrole_arn = \"{ROLE}\"\ngroup = \"g-prof\"\n\
             window = \"MON-FRI 08:00-19:00\"\n\n\
             [[service]]\ncluster = \"c-prof\"\nservice = \"a\"\nprofile = \"ops\"\n\n\
             [[service]]\ncluster = \"c-prof\"\nservice = \"b\"\n"
        ),
    );
    let (config, credentials) = profiles();
    let proxy = Proxy::start(&[]);
    let r = proxy
        .cli(&format!("apply -f {} --yes --output json", path.display()))
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .run();
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    let keys = proxy.stats()["access_keys"].clone();
    // moto keeps one account for every key: both entries' schedules land in the same group.
    assert!(keys["AKIAOPSPROFILE"].as_u64().unwrap_or(0) > 0, "{keys}");
    assert!(keys["test"].as_u64().unwrap_or(0) > 0, "{keys}");
    assert_eq!(env.names("g-prof").await.len(), 4);

    // --profile for the whole run: every request is signed with the profile's key.
    let proxy = Proxy::start(&[]);
    proxy
        .cli("list --group g-prof --profile ops")
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .ok();
    let keys = proxy.stats()["access_keys"].clone();
    assert!(keys.get("test").is_none(), "{keys}");
    assert!(keys["AKIAOPSPROFILE"].as_u64().unwrap_or(0) > 0, "{keys}");
}

#[tokio::test]
async fn a_missing_profile_is_invalid_input_naming_the_profiles() {
    let (config, credentials) = profiles();
    let proxy = Proxy::start(&[]);
    let r = proxy
        .cli("list --group g-prof --profile opps")
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .fails_with(2, "AWS profile 'opps' not found");
    assert!(r.stderr.contains("audit, ops"), "{}", r.stderr);
    // A profile without keys, role or SSO says so, before any request.
    let r = proxy
        .cli("list --group g-prof --profile audit")
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("AWS profile 'audit' has no credentials"),
        "{}",
        r.stderr
    );
    // No credentials at all: one short message with the ways to provide them.
    let r = proxy
        .cli("list --group g-prof")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("error: no AWS credentials found"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.lines().count() <= 5, "{}", r.stderr);
    assert_eq!(sum(&proxy.stats()["requests"]), 0, "no request was sent");
}

/// Sends a signal to a process, with the shell's built-in kill (no procps needed).
fn signal(child: &std::process::Child, name: &str) {
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("kill -{name} {}", child.id())])
        .status()
        .expect("run sh");
    assert!(status.success());
}

#[tokio::test]
async fn a_stop_signal_ends_apply_with_the_summary_of_what_was_written() {
    for (signal_name, code, group, count) in
        [("INT", 130, "g-int", 150), ("TERM", 143, "g-term", 60)]
    {
        let cluster = format!("c-{signal_name}");
        let (env, path) = setup("us-west-1", group, &cluster, count).await;
        // CreateSchedule at 10 a second: the run takes long enough to be stopped midway.
        let proxy = Proxy::start(&["--bucket", "CreateSchedule:10:1"]);
        let child = proxy
            .cli(&format!("apply -f {path} --yes --output json"))
            .spawn();
        // Stop it once writing has begun.
        let deadline = Instant::now() + Duration::from_secs(60);
        while env.names(group).await.len() < 10 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        signal(&child, signal_name);
        let r = finished(child.wait_with_output().unwrap());
        assert_eq!(r.code, code, "{}\n{}", r.stderr, r.stdout);
        assert!(
            r.stderr
                .contains(&format!("SIG{signal_name} received: no new write starts")),
            "{}",
            r.stderr
        );
        let report = r.json();
        let summary = &report["summary"];
        assert_eq!(summary["interrupted_by"], format!("SIG{signal_name}"));
        let created = summary["created"].as_u64().unwrap();
        let failed = summary["failed"].as_u64().unwrap();
        assert!(created > 0 && failed > 0, "{summary}");
        assert_eq!(created + failed, 2 * count as u64, "{summary}");
        let failures = report["failures"].as_array().unwrap();
        assert!(
            failures.iter().all(|f| f["code"] == "Interrupted"),
            "{report}"
        );
        // The report is the truth: what it says was created is there; a write still in flight
        // when the grace period ended is reported as of unknown outcome.
        let unknown = failures
            .iter()
            .filter(|f| f["error"].as_str().unwrap().contains("outcome is unknown"))
            .count() as u64;
        let present = env.names(group).await.len() as u64;
        assert!(
            (created..=created + unknown).contains(&present),
            "{present} present, {created} created, {unknown} unknown"
        );
        // On schedules are written first: no service is left with only its off schedule.
        assert!(report["incomplete"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["has"] == "on"));
    }
}
