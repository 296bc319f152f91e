//! Calendars end to end against moto_server: several windows and skipped days (dates, yearly
//! dates, an iCalendar file) apply as segments, re-plan to zero changes, and `unschedule` and
//! `--prune` remove every schedule of a service and nothing else; bad input writes nothing.

mod common;

use aws_sdk_ecs::types::LaunchType;
use common::{create_foreign_schedule, write_file, Env};
use serde_json::Value;
use std::fmt::Write as _;

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff";

const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ecs-onoff tests//EN\r\n\
BEGIN:VEVENT\r\nUID:1@test\r\nDTSTART;VALUE=DATE:20260501\r\nDTEND;VALUE=DATE:20260502\r\n\
RRULE:FREQ=YEARLY\r\nSUMMARY:Labour Day\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:2@test\r\nDTSTART;VALUE=DATE:20261003\r\nRRULE:FREQ=YEARLY\r\n\
SUMMARY:German Unity Day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn fleet(group: &str, cluster: &str, services: &[&str], ics: &str) -> String {
    let mut text = format!(
        "[defaults]\nregion = \"eu-central-1\"\ntimezone = \"Europe/Berlin\"\nrole_arn = \"{ROLE}\"\n\
         group = \"{group}\"\ncalendar = \"de\"\n\
         window = [\"MON-FRI 08:00-19:00\", \"SAT 10:00-14:00\"]\n\n\
         [calendars.de]\nskip = [\"*-12-24..*-12-26\", \"*-01-01\", \"*-12-31\"]\nics = \"{ics}\"\n"
    );
    for s in services {
        let _ = write!(
            text,
            "\n[[service]]\ncluster = \"{cluster}\"\nservice = \"{s}\"\n"
        );
    }
    text
}

fn of<'a>(names: &'a [String], prefix: &str) -> Vec<&'a String> {
    names.iter().filter(|n| n.starts_with(prefix)).collect()
}

#[tokio::test]
async fn a_calendar_applies_converges_and_is_removed_whole() {
    let env = Env::in_region("eu-central-1").await;
    env.services("cal", &["web", "api", "plain"], 1, LaunchType::Fargate)
        .await;
    let ics = write_file("de-holidays.ics", ICS);
    let text = fleet("g-cal", "cal", &["web", "api"], "de-holidays.ics")
        + "\n[[service]]\ncluster = \"cal\"\nservice = \"plain\"\ncalendar = \"none\"\n\
           window = \"MON-FRI 08:00-19:00\"\n";
    let path = ics.with_file_name("cal-fleet.toml");
    std::fs::write(&path, &text).unwrap();
    let path = path.to_str().unwrap();

    let plan = env.cli(&format!("plan -f {path} --output json")).json();
    let created = plan["summary"]["create"].as_u64().unwrap();
    // Per calendar service: 2 off times, and on times split around the skipped days.
    assert!(created > 12, "{plan}");
    let r = env
        .cli(&format!("apply -f {path} --yes --output json"))
        .ok();
    let report: Value = r.json();
    assert_eq!(report["summary"]["failed"], 0, "{report}");
    assert_eq!(report["summary"]["created"].as_u64(), Some(created));

    let names = env.names("g-cal").await;
    assert_eq!(names.len() as u64, created);
    let web = of(&names, "cal.web.");
    assert!(web.contains(&&"cal.web.on".to_string()), "{web:?}");
    assert!(web.contains(&&"cal.web.off".to_string()), "{web:?}");
    assert!(web.contains(&&"cal.web.off2".to_string()), "{web:?}");
    assert!(web.iter().any(|n| n.starts_with("cal.web.on-")), "{web:?}");
    assert_eq!(
        of(&names, "cal.plain."),
        [&"cal.plain.off".to_string(), &"cal.plain.on".to_string()]
    );
    // The open segment has no EndDate; every other on segment ends before a skipped day.
    let open = env.get("g-cal", "cal.web.on").await.unwrap();
    assert!(open.end_date().is_none());
    assert!(
        open.description()
            .unwrap_or_default()
            .contains("skipped days compiled until"),
        "{:?}",
        open.description()
    );
    for name in web.iter().filter(|n| n.starts_with("cal.web.on-")) {
        let s = env.get("g-cal", name).await.unwrap();
        assert!(s.end_date().is_some(), "{name} has an EndDate");
    }

    // Applied again: nothing to do.
    let r = env
        .cli(&format!("plan -f {path} --detailed-exitcode"))
        .run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // A schedule that is not the service's own, whose name starts like its names, survives.
    create_foreign_schedule(
        &env.config,
        "g-cal",
        "cal.web.nightly-report",
        "arn:aws:lambda:eu-central-1:123456789012:function:report",
    )
    .await;
    let r = env
        .cli("unschedule -c cal -s web -g g-cal --region eu-central-1 --output json")
        .json();
    assert_eq!(r["summary"]["failed"], 0, "{r}");
    let names = env.names("g-cal").await;
    assert_eq!(
        of(&names, "cal.web."),
        [&"cal.web.nightly-report".to_string()]
    );
    assert!(!of(&names, "cal.api.").is_empty());

    // --prune with api left out of the file removes all of api's schedules, and only those.
    let without_api = fleet("g-cal", "cal", &["web"], "de-holidays.ics");
    let pruned = ics.with_file_name("cal-fleet-pruned.toml");
    std::fs::write(&pruned, without_api).unwrap();
    env.cli(&format!("apply -f {} --yes --prune", pruned.display()))
        .ok();
    let names = env.names("g-cal").await;
    assert!(of(&names, "cal.api.").is_empty(), "{names:?}");
    assert!(of(&names, "cal.web.on").len() > 2, "{names:?}");
    assert!(names.contains(&"cal.web.nightly-report".to_string()));
    assert!(
        of(&names, "cal.plain.").is_empty(),
        "pruned: not in the file"
    );

    // Dropping the calendar deletes the segments and keeps the plain names.
    let plain = format!(
        "[defaults]\nregion = \"eu-central-1\"\ntimezone = \"Europe/Berlin\"\nrole_arn = \"{ROLE}\"\n\
         group = \"g-cal\"\nwindow = [\"MON-FRI 08:00-19:00\", \"SAT 10:00-14:00\"]\n\n\
         [[service]]\ncluster = \"cal\"\nservice = \"web\"\n"
    );
    let no_calendar = write_file("cal-fleet-plain.toml", &plain);
    env.cli(&format!("apply -f {} --yes", no_calendar.display()))
        .ok();
    let names = env.names("g-cal").await;
    assert_eq!(
        of(&names, "cal.web."),
        [
            &"cal.web.nightly-report".to_string(),
            &"cal.web.off".to_string(),
            &"cal.web.off2".to_string(),
            &"cal.web.on".to_string(),
            &"cal.web.on2".to_string()
        ]
    );
    let r = env
        .cli(&format!(
            "plan -f {} --detailed-exitcode",
            no_calendar.display()
        ))
        .run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

#[tokio::test]
async fn bad_calendars_write_nothing() {
    let env = Env::in_region("eu-central-1").await;
    env.services("cal-bad", &["a", "b"], 1, LaunchType::Fargate)
        .await;
    // One good service and one with overlapping windows: nothing is written.
    let text = format!(
        "[defaults]\nregion = \"eu-central-1\"\nrole_arn = \"{ROLE}\"\ngroup = \"g-cal-bad\"\n\n\
         [[service]]\ncluster = \"cal-bad\"\nservice = \"a\"\nwindow = \"MON-FRI 08:00-19:00\"\nskip = [\"*-12-25\"]\n\n\
         [[service]]\ncluster = \"cal-bad\"\nservice = \"b\"\n\
         window = [\"MON-FRI 08:00-19:00\", \"FRI 18:00-22:00\"]\n"
    );
    let path = write_file("cal-bad.toml", &text);
    env.cli(&format!("apply -f {} --yes", path.display()))
        .fails_with(2, "overlap");
    // A calendar that does not exist, a date that does not exist, an unreadable ICS file.
    for (extra, needle) in [
        ("calendar = \"kr\"\n", "unknown calendar 'kr'"),
        ("skip = [\"2026-02-30\"]\n", "that month has 28 days"),
    ] {
        let text = format!(
            "[defaults]\nregion = \"eu-central-1\"\nrole_arn = \"{ROLE}\"\ngroup = \"g-cal-bad\"\n\n\
             [[service]]\ncluster = \"cal-bad\"\nservice = \"a\"\nwindow = \"MON-FRI 08:00-19:00\"\n{extra}"
        );
        let path = write_file("cal-bad-2.toml", &text);
        env.cli(&format!("apply -f {} --yes", path.display()))
            .fails_with(2, needle);
    }
    let not_ics = write_file("not-a-calendar.ics", "hello");
    env.cli(&format!(
        "schedule -c cal-bad -s a -g g-cal-bad --region eu-central-1 --role-arn {ROLE} \
         --window 'MON-FRI 08:00-19:00' --skip-ics {}",
        not_ics.display()
    ))
    .fails_with(2, "is not an iCalendar file");
    env.cli(&format!(
        "schedule -c cal-bad -s a -g g-cal-bad --region eu-central-1 --role-arn {ROLE} \
         --window 'MON-FRI 08:00-19:00' --skip 2027-01-02..2026-12-24"
    ))
    .fails_with(2, "ends before it starts");
    assert!(env.names("g-cal-bad").await.is_empty());
}

#[tokio::test]
async fn off_alone_is_a_safety_net() {
    let env = Env::in_region("eu-central-1").await;
    env.services("cal-net", &["batch"], 2, LaunchType::Fargate)
        .await;
    let r = env
        .cli(&format!(
            "schedule -c cal-net -s batch -g g-cal-net --region eu-central-1 --role-arn {ROLE} \
             --off 'cron(0 22 * * ? *)' --timezone Europe/Berlin --output json"
        ))
        .json();
    assert_eq!(r["summary"]["created"], 1, "{r}");
    assert_eq!(r["summary"]["failed"], 0, "{r}");
    assert!(r["incomplete"].as_array().unwrap().is_empty(), "{r}");
    assert_eq!(env.names("g-cal-net").await, ["cal-net.batch.off"]);
    let status = env
        .cli("status -c cal-net -s batch -g g-cal-net --region eu-central-1 --output json")
        .json();
    assert_eq!(status["next_transition"]["switch"], "off", "{status}");
}
