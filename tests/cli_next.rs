//! `ecs-onoff next` run as a user would: exit codes, stdout for data, stderr for notes.

mod common;
use common::{ecs_onoff, run};

fn next(args: &[&str]) -> common::Run {
    run(ecs_onoff().arg("next").args(args))
}

#[test]
fn prints_local_and_utc_times() {
    let r = next(&[
        "cron(0 9 ? * MON-FRI *)",
        "--timezone",
        "Europe/Berlin",
        "--after",
        "2026-11-27T00:00:00Z",
        "--count",
        "2",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("cron(0 9 ? * MON-FRI *) in Europe/Berlin"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Fri 2026-11-27 09:00 CET +01:00"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("2026-11-27T08:00:00Z"), "{}", r.stdout);
    assert!(r.stdout.contains("2026-11-30T08:00:00Z"), "{}", r.stdout);
    assert_eq!(r.stdout.lines().filter(|l| l.contains("Z")).count(), 2);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn json_output() {
    let r = next(&[
        "MON-FRI 09:00-18:00",
        "-t",
        "America/New_York",
        "--after",
        "2026-11-27T00:00:00Z",
        "-n",
        "2",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let items: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 4, "two on and two off times");
    let expected = [
        ("on", "2026-11-27T14:00:00Z", "2026-11-27T09:00:00-05:00"),
        ("off", "2026-11-27T23:00:00Z", "2026-11-27T18:00:00-05:00"),
        ("on", "2026-11-30T14:00:00Z", "2026-11-30T09:00:00-05:00"),
        ("off", "2026-11-30T23:00:00Z", "2026-11-30T18:00:00-05:00"),
    ];
    for (item, (action, utc, local)) in items.iter().zip(expected) {
        assert_eq!(item["action"], action);
        assert_eq!(item["utc"], utc);
        assert_eq!(item["local"], local);
    }
    assert_eq!(items[0]["expression"], "cron(0 9 ? * MON-FRI *)");
    assert_eq!(items[1]["expression"], "cron(0 18 ? * MON-FRI *)");
}

#[test]
fn single_expression_json_has_no_action() {
    let r = next(&[
        "0 9 * * 1-5",
        "--after",
        "2026-11-27T00:00:00Z",
        "-n",
        "1",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let items: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(items[0]["utc"], "2026-11-27T09:00:00Z");
    assert_eq!(items[0]["local"], "2026-11-27T09:00:00+00:00");
    assert_eq!(items[0]["timezone"], "UTC");
    assert_eq!(items[0]["expression"], "cron(0 9 ? * MON-FRI *)");
    assert!(items[0].get("action").is_none());
}

#[test]
fn converted_expression_is_shown() {
    let r = next(&["0 9 * * 1-5", "--after", "2026-11-27T00:00:00Z", "-n", "1"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .contains("cron(0 9 ? * MON-FRI *) in UTC (from the Unix cron '0 9 * * 1-5')"),
        "{}",
        r.stdout
    );
    let r = next(&[
        "MON-FRI 22:00-06:00",
        "--after",
        "2026-11-27T00:00:00Z",
        "-n",
        "1",
    ]);
    assert!(
        r.stdout.contains("on:  cron(0 22 ? * MON-FRI *)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("off: cron(0 6 ? * TUE-SAT *)"),
        "{}",
        r.stdout
    );
}

#[test]
fn dst_gap_and_fold_are_reported_on_stderr() {
    let r = next(&[
        "cron(30 2 * * ? *)",
        "-t",
        "America/New_York",
        "--after",
        "2026-03-07T12:00:00Z",
        "-n",
        "2",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr
            .contains("2026-03-08 02:30 does not exist in America/New_York"),
        "{}",
        r.stderr
    );
    let items: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(items[0]["local"], "2026-03-09T02:30:00-04:00");

    let r = next(&[
        "cron(30 1 * * ? *)",
        "-t",
        "America/New_York",
        "--after",
        "2026-10-31T12:00:00Z",
        "-n",
        "1",
    ]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr
            .contains("2026-11-01 01:30 occurs twice in America/New_York"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("2026-11-01T05:30:00Z"), "{}", r.stderr);

    // Nothing to report outside the listed range.
    let r = next(&[
        "cron(30 2 * * ? *)",
        "-t",
        "America/New_York",
        "--after",
        "2026-03-09T12:00:00Z",
        "-n",
        "2",
    ]);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    // --quiet silences notes.
    let r = next(&[
        "cron(30 2 * * ? *)",
        "-t",
        "America/New_York",
        "--after",
        "2026-03-07T12:00:00Z",
        "-n",
        "2",
        "-q",
    ]);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn invalid_input_exits_2_with_nothing_on_stdout() {
    for (args, needle) in [
        (
            vec!["cron(0 9 ? * 8 *)"],
            "day-of-week: 8 is out of range 1-7 (SUN=1)",
        ),
        (
            vec!["cron(0 9 * * ? *)", "-t", "Mars/Olympus"],
            "time zone 'Mars/Olympus'",
        ),
        (
            vec!["cron(0 9 * * ? *)", "--after", "yesterday"],
            "RFC 3339",
        ),
        (vec!["rate(1 minutes)"], "singular"),
        (vec!["MON-FRI 09:00-09:00"], "two different times"),
        (vec!["every day"], "not a schedule expression"),
        (vec!["cron(0 9 * * ? *)", "--count", "0"], "--count"),
        (vec![], "EXPR"),
    ] {
        let r = next(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn an_expression_that_stops_firing_says_so() {
    let r = next(&["at(2026-12-24T18:00:00)", "--after", "2026-11-25T00:00:00Z"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout
            .lines()
            .filter(|l| l.contains("2026-12-24T18:00:00Z"))
            .count(),
        1
    );
    assert!(r.stderr.contains("fires 1 time(s)"), "{}", r.stderr);
}

#[test]
fn help_has_examples() {
    let r = run(ecs_onoff().args(["next", "--help"]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Examples:"));
    assert!(r.stdout.contains("ecs-onoff next 'MON-FRI 09:00-18:00'"));
    let r = run(ecs_onoff().arg("--help"));
    assert!(r
        .stdout
        .contains("Exit codes: 0 success, 1 runtime or AWS failure, 2 invalid input"));
}

#[test]
fn color_never_and_no_color_give_plain_output() {
    let r = next(&[
        "rate(1 hour)",
        "--after",
        "2026-11-25T00:00:00Z",
        "-n",
        "1",
        "--color",
        "always",
    ]);
    assert!(r.stdout.contains("\x1b["));
    let r = next(&[
        "rate(1 hour)",
        "--after",
        "2026-11-25T00:00:00Z",
        "-n",
        "1",
        "--color",
        "never",
    ]);
    assert!(!r.stdout.contains("\x1b["));
    let r = run(ecs_onoff().env("NO_COLOR", "1").args([
        "next",
        "rate(1 hour)",
        "--after",
        "2026-11-25T00:00:00Z",
        "-n",
        "1",
    ]));
    assert!(!r.stdout.contains("\x1b["));
}

#[test]
fn offline_commands_do_not_list_aws_flags() {
    let help = |args: &[&str]| run(ecs_onoff().args(args)).stdout;
    for command in ["next", "schema"] {
        let text = help(&[command, "--help"]);
        for flag in ["--region", "--profile", "--endpoint-url", "--timeout"] {
            assert!(
                !text.contains(flag),
                "{command} --help lists {flag}:\n{text}"
            );
        }
        assert!(text.contains("--output"), "{text}");
    }
    for command in ["list", "apply", "schedule"] {
        let text = help(&[command, "--help"]);
        assert!(
            text.contains("--region") && text.contains("--timeout"),
            "{text}"
        );
    }
    // Still accepted where they change nothing, before or after the command.
    let r = run(ecs_onoff().args([
        "--region",
        "eu-west-1",
        "next",
        "rate(1 day)",
        "--count",
        "1",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(ecs_onoff().args([
        "next",
        "rate(1 day)",
        "--count",
        "1",
        "--region",
        "eu-west-1",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The `utc` of every row of `next --output json`.
fn utc_column(rows: &serde_json::Value) -> Vec<String> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|f| f["utc"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn start_and_end_dates_bound_the_listed_fires() {
    let r = run(ecs_onoff().args([
        "next",
        "cron(0 9 * * ? *)",
        "--after",
        "2026-11-28T10:00:00Z",
        "--start-date",
        "2026-12-01T09:00:00Z",
        "--end-date",
        "2026-12-02T12:00:00Z",
        "--count",
        "5",
        "--output",
        "json",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let fires = utc_column(&r.json());
    assert_eq!(fires, ["2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z"]);
    assert!(r.stderr.contains("fires 2 time(s)"), "{}", r.stderr);
    // rate() counts from its StartDate.
    let r = run(ecs_onoff().args([
        "next",
        "rate(6 hours)",
        "--after",
        "2026-11-28T10:00:00Z",
        "--start-date",
        "2026-12-01T08:30:00Z",
        "--count",
        "2",
        "--output",
        "json",
    ]));
    let fires = utc_column(&r.json());
    assert_eq!(fires, ["2026-12-01T08:30:00Z", "2026-12-01T14:30:00Z"]);
}

#[test]
fn schedule_options_show_skipped_on_times() {
    let r = next(&[
        "--window",
        "MON-FRI 08:00-19:00",
        "--window",
        "SAT 10:00-14:00",
        "--skip",
        "2026-12-25",
        "--timezone",
        "Asia/Seoul",
        "--after",
        "2026-12-23T12:00:00Z",
        "-n",
        "3",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let items: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let rows: Vec<(String, String, bool)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["action"].as_str().unwrap().to_string(),
                i["local"].as_str().unwrap().to_string(),
                i["skipped"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    let row = |a: &str, l: &str, s: bool| (a.to_string(), l.to_string(), s);
    assert_eq!(
        rows,
        [
            row("on", "2026-12-24T08:00:00+09:00", false),
            row("off", "2026-12-24T19:00:00+09:00", false),
            row("on", "2026-12-25T08:00:00+09:00", true),
            row("off", "2026-12-25T19:00:00+09:00", false),
            row("on", "2026-12-26T10:00:00+09:00", false),
            row("off", "2026-12-26T14:00:00+09:00", false),
        ]
    );
    assert_eq!(items[2]["reason"], "--skip 2026-12-25");
    // Text marks it.
    let r = next(&[
        "--window",
        "MON-FRI 08:00-19:00",
        "--skip",
        "2026-12-25",
        "-t",
        "Asia/Seoul",
        "--after",
        "2026-12-24T12:00:00Z",
        "-n",
        "1",
    ]);
    assert!(
        r.stdout.contains("skipped (--skip 2026-12-25)"),
        "{}",
        r.stdout
    );
    // Off alone, and bad input.
    let r = next(&[
        "--off",
        "cron(0 22 * * ? *)",
        "-n",
        "1",
        "--after",
        "2026-12-24T00:00:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("off "), "{}", r.stdout);
    for (args, needle) in [
        (
            vec!["--window", "MON-FRI 08:00-19:00", "--skip", "2026-02-30"],
            "that month has 28 days",
        ),
        (
            vec![
                "--window",
                "MON-FRI 08:00-19:00",
                "--window",
                "FRI 18:00-20:00",
            ],
            "overlap",
        ),
        (
            vec!["--on", "rate(1 day)", "--skip", "*-12-25"],
            "need cron() on times",
        ),
        (
            vec![
                "--skip-ics",
                "/nonexistent/h.ics",
                "--window",
                "MON 08:00-09:00",
            ],
            "cannot read",
        ),
    ] {
        let r = next(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
}
