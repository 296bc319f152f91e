//! Fleet file parsing: every example loads, the schema is current, and bad files are reported
//! with file, line and column.

use ecs_onoff::fleet;
use ecs_onoff::spec::ServiceSpec;

fn parse(text: &str) -> Result<Vec<ServiceSpec>, Vec<String>> {
    fleet::parse("fleet.toml", text, &mut no_files)
        .map(|f| f.services)
        .map_err(|e| e.errors)
}

fn no_files(path: &str) -> Result<String, String> {
    Err(format!("cannot read {path}"))
}

/// The first on expression of a service, as text.
fn on(spec: &ServiceSpec) -> String {
    spec.times.expressions().0[0].to_string()
}

fn off(spec: &ServiceSpec) -> String {
    spec.times.expressions().1[0].to_string()
}

fn errors(text: &str) -> Vec<String> {
    parse(text).expect_err("should be rejected")
}

const HEAD: &str = "[defaults]\nrole_arn = \"arn:aws:iam::123456789012:role/ecs-onoff\"\nwindow = \"MON-FRI 09:00-18:00\"\n";

#[test]
fn every_example_file_loads() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let folder = path.parent().unwrap().to_path_buf();
            let mut read = |name: &str| -> Result<String, String> {
                std::fs::read_to_string(folder.join(name)).map_err(|e| e.to_string())
            };
            let fleet = fleet::parse(&path.display().to_string(), &text, &mut read)
                .map(|f| f.services)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!fleet.is_empty());
            count += 1;
        }
    }
    assert!(count >= 1);
}

#[test]
fn example_resolves_defaults_and_overrides() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fleet.toml"))
        .unwrap();
    let fleet = parse(&text).unwrap();
    let web = &fleet[0];
    assert_eq!(
        (web.id.cluster.as_str(), web.id.service.as_str()),
        ("staging", "web")
    );
    assert_eq!(on(web), "cron(0 9 ? * MON-FRI *)");
    assert_eq!(off(web), "cron(0 18 ? * MON-FRI *)");
    assert_eq!(web.zone.name(), "Asia/Seoul");
    assert_eq!(
        web.connection.region.as_ref().map(|r| r.as_str()),
        Some("ap-northeast-2")
    );
    assert_eq!(web.on_count, Some(2));
    assert_eq!(web.off_count, 0);
    let worker = &fleet[1];
    assert_eq!(on(worker), "cron(0 8 ? * MON-FRI *)");
    assert_eq!(worker.on_count, None);
    let reports = &fleet[2];
    assert_eq!(on(reports), "cron(0 7 ? * MON-FRI *)");
    assert_eq!(reports.state, ecs_onoff::schedule::State::Disabled);
}

#[test]
fn committed_schema_is_current() {
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fleet.schema.json"))
            .expect("examples/fleet.schema.json (write it with `ecs-onoff schema > examples/fleet.schema.json`)"),
    )
    .unwrap();
    assert_eq!(
        committed,
        fleet::json_schema(),
        "run `ecs-onoff schema > examples/fleet.schema.json`"
    );
    let schema = fleet::json_schema();
    let service = &schema["$defs"]["ServiceEntry"];
    assert_eq!(
        service["required"],
        serde_json::json!(["cluster", "service"])
    );
    assert_eq!(service["additionalProperties"], false);
    for key in [
        "region",
        "profile",
        "timezone",
        "role_arn",
        "group",
        "window",
        "on",
        "off",
        "on_count",
        "off_count",
        "state",
    ] {
        assert!(service["properties"].get(key).is_some(), "{key}");
        assert!(
            schema["$defs"]["Defaults"]["properties"].get(key).is_some(),
            "{key}"
        );
    }
}

#[test]
fn unknown_keys_point_at_the_key() {
    let e = errors(&format!(
        "{HEAD}\n[[service]]\ncluster = \"c\"\nservice = \"s\"\nwindw = \"x\"\n"
    ));
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("fleet.toml:8:1: "), "{e:?}");
    assert!(e[0].contains("windw"), "{e:?}");
    let e = errors("[defaults]\nzone = \"UTC\"\n");
    assert!(
        e.iter()
            .any(|m| m.starts_with("fleet.toml:2:1: ") && m.contains("zone")),
        "{e:?}"
    );
}

#[test]
fn errors_of_every_kind_are_reported_at_once_in_file_order() {
    let e = errors(
        "[defaults]\nzone = \"UTC\"\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\n\
         window = \"MON-FRI 08:00-19:00\"\nregion = \"mars-1\"\n\
         [[service]]\ncluster = \"c\"\nservice = \"a\"\nwindw = \"x\"\n\
         [[service]]\ncluster = \"c\"\nservice = \"b\"\nstate = \"on\"\ncolour = 1\n\
         [extra]\n",
    );
    let places: Vec<&str> = e.iter().map(|m| m.split(": ").next().unwrap()).collect();
    assert_eq!(
        places,
        [
            "fleet.toml:2:1",
            "fleet.toml:5:10",
            "fleet.toml:9:1",
            "fleet.toml:13:9",
            "fleet.toml:14:1",
            "fleet.toml:15:2"
        ],
        "{e:#?}"
    );
    assert!(e[0].contains("unknown key 'zone' in [defaults]"), "{e:?}");
    assert!(e[1].contains("region"), "{e:?}");
    assert!(e[2].contains("unknown key 'windw' in [[service]]"), "{e:?}");
    assert!(e[3].contains("state"), "{e:?}");
    assert!(e[4].contains("unknown key 'colour'"), "{e:?}");
    assert!(e[5].contains("unknown key 'extra'"), "{e:?}");
    // A bad [defaults] value is reported once, not once per service.
    assert_eq!(e.iter().filter(|m| m.contains("mars-1")).count(), 1);
}

#[test]
fn conflicting_and_missing_keys() {
    let e = errors(&format!(
        "{HEAD}\n[[service]]\ncluster = \"c\"\nservice = \"s\"\nwindow = \"MON-FRI 08:00-17:00\"\non = \"cron(0 8 * * ? *)\"\n"
    ));
    assert!(
        e[0].starts_with("fleet.toml:9:6: ") && e[0].contains("window and on/off"),
        "{e:?}"
    );
    // Off alone is a safety net: valid.
    let fleet = parse(&format!(
        "{HEAD}\n[[service]]\ncluster = \"c\"\nservice = \"s\"\noff = \"cron(0 8 * * ? *)\"\n"
    ))
    .unwrap();
    let (on_exprs, off_exprs) = fleet[0].times.expressions();
    assert!(on_exprs.is_empty());
    assert_eq!(off_exprs.len(), 1);
    let e =
        errors("[[service]]\ncluster = \"c\"\nservice = \"s\"\nwindow = \"MON-FRI 08:00-17:00\"\n");
    assert!(
        e[0].starts_with("fleet.toml:2:11: ") && e[0].contains("role_arn is required"),
        "{e:?}"
    );
    let e =
        errors("[[service]]\ncluster = \"c\"\nrole_arn = \"arn:aws:iam::123456789012:role/x\"\n");
    assert!(e[0].contains("service"), "{e:?}");
    assert!(errors("")[0].contains("no [[service]]"));
}

#[test]
fn duplicates_point_at_the_second_entry() {
    let e = errors(&format!(
        "{HEAD}\n[[service]]\ncluster = \"c\"\nservice = \"s\"\n\n[[service]]\ncluster = \"c\"\nservice = \"s\"\n"
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("fleet.toml:10:11: ") && e[0].contains("listed twice (first at line 6)"),
        "{e:?}"
    );
    // The same names in another region are different services.
    parse(&format!(
        "{HEAD}\n[[service]]\ncluster = \"c\"\nservice = \"s\"\n\n[[service]]\ncluster = \"c\"\nservice = \"s\"\nregion = \"eu-west-1\"\n"
    ))
    .unwrap();
}

#[test]
fn every_bad_value_is_reported_with_its_place() {
    let e = errors(&format!(
        "{HEAD}\n[[service]]\ncluster = \"c\"\nservice = \"s\"\non = \"cron(0 8 ? * MON-FRX *)\"\noff = \"cron(0 18 ? * MON-FRI *)\"\n\n\
         [[service]]\ncluster = \"bad cluster\"\nservice = \"s\"\n\n\
         [[service]]\ncluster = \"c\"\nservice = \"t\"\ntimezone = \"Mars/Olympus\"\nrole_arn = \"arn:aws:iam::1:role/x\"\nstate = \"paused\"\non_count = -1\ngroup = \"bad group\"\nregion = \"moon\"\n"
    ));
    let joined = e.join("\n");
    for needle in [
        "fleet.toml:8:6: on: day-of-week: MON-FRX",
        "fleet.toml:12:11: cluster name 'bad cluster'",
        "fleet.toml:18:12: timezone:",
        "fleet.toml:19:12: role_arn:",
        "fleet.toml:20:9: state: 'paused'",
        "fleet.toml:21:12: on_count: '-1' is not a count",
        "fleet.toml:22:9: group:",
        "fleet.toml:23:10: region:",
    ] {
        assert!(joined.contains(needle), "missing {needle} in\n{joined}");
    }
}

#[test]
fn service_schedule_keys_replace_the_defaults_as_a_unit() {
    let fleet = parse(&format!(
        "{HEAD}\n[[service]]\ncluster = \"c\"\nservice = \"s\"\non = \"cron(0 6 * * ? *)\"\noff = \"cron(0 22 * * ? *)\"\n"
    ))
    .unwrap();
    assert_eq!(on(&fleet[0]), "cron(0 6 * * ? *)");
}

const ROLE: &str = "[defaults]\nrole_arn = \"arn:aws:iam::123456789012:role/ecs-onoff\"\n";

#[test]
fn windows_take_a_list_and_calendars_add_skipped_days() {
    let text = format!(
        "{ROLE}calendar = \"kr\"\nwindow = [\"MON-FRI 08:00-19:00\", \"SAT 10:00-14:00\"]\n\n\
         [calendars.kr]\nskip = [\"*-01-01\", \"2026-12-24..2026-12-26\"]\nics = \"kr.ics\"\n\n\
         [[service]]\ncluster = \"c\"\nservice = \"a\"\nskip = [\"2026-08-14\"]\n\n\
         [[service]]\ncluster = \"c\"\nservice = \"b\"\ncalendar = \"none\"\n"
    );
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260301\r\n\
               SUMMARY:Independence Movement Day\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let mut asked = Vec::new();
    let mut read = |name: &str| -> Result<String, String> {
        asked.push(name.to_string());
        Ok(ics.to_string())
    };
    let fleet = fleet::parse("fleet.toml", &text, &mut read)
        .unwrap()
        .services;
    assert_eq!(asked, ["kr.ics"], "each calendar file is read once");
    let (a, b) = (&fleet[0], &fleet[1]);
    assert_eq!(a.times.expressions().0.len(), 2, "two on times");
    let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
    for (date, skipped) in [
        ("2027-01-01", true),
        ("2026-12-25", true),
        ("2027-03-01", true),
        ("2026-08-14", true),
        ("2026-08-13", false),
    ] {
        assert_eq!(a.calendar.skipping(d(date)).is_some(), skipped, "{date}");
    }
    assert!(b.calendar.is_empty(), "calendar = \"none\"");
    let labels: Vec<&str> = a.calendar.rules.iter().map(|r| r.label.as_str()).collect();
    assert!(labels.contains(&"calendar kr: *-01-01"), "{labels:?}");
    assert!(
        labels.contains(&"kr.ics: Independence Movement Day"),
        "{labels:?}"
    );
    assert!(labels.contains(&"skip 2026-08-14"), "{labels:?}");
}

#[test]
fn bad_calendars_and_windows_are_reported_with_their_place() {
    let e = errors(&format!(
        "{ROLE}window = \"MON-FRI 08:00-19:00\"\n\n\
         [calendars.kr]\nskip = [\"2026-02-30\", \"2027-01-01..2026-12-24\"]\nics = \"missing.ics\"\n\n\
         [[service]]\ncluster = \"c\"\nservice = \"a\"\ncalendar = \"jp\"\n\n\
         [[service]]\ncluster = \"c\"\nservice = \"b\"\nwindow = [\"MON-FRI 08:00-19:00\", \"FRI 18:00-20:00\"]\n\n\
         [[service]]\ncluster = \"c\"\nservice = \"d\"\nwindow = \"MON-FRI 24:00-08:00\"\n\n\
         [[service]]\ncluster = \"c\"\nservice = \"e\"\non = \"rate(1 day)\"\nskip = [\"2026-12-25\"]\n\n\
         [calendars.x]\nholidays = 1\n"
    ));
    let joined = e.join("\n");
    for needle in [
        "fleet.toml:6:9: skip: '2026-02-30' is not a date: that month has 28 days",
        "fleet.toml:6:23: skip: the range '2027-01-01..2026-12-24' ends before it starts",
        "fleet.toml:7:7: ics: cannot read missing.ics",
        "fleet.toml:12:12: calendar: unknown calendar 'jp'; the calendars are: kr, x, or none",
        "window: the windows 'MON-FRI 08:00-19:00' and 'FRI 18:00-20:00' overlap",
        "fleet.toml:22:10: window: 'MON-FRI 24:00-08:00' starts at 24:00",
        "skipped days need cron() on times",
        "unknown key 'holidays' in [calendars.x]; the keys are: skip, ics",
    ] {
        assert!(joined.contains(needle), "missing {needle} in\n{joined}");
    }
}

#[test]
fn dead_letter_queues_and_adopted_schedules() {
    let fleet = parse(&format!(
        "{HEAD}dead_letter_arn = \"arn:aws:sqs:eu-west-1:123456789012:dlq\"\n\n\
         [[service]]\ncluster = \"c\"\nservice = \"s\"\ngroup = \"g\"\nadopt = [\"s-start\", \"default/s-stop\"]\n\n\
         [[service]]\ncluster = \"c\"\nservice = \"t\"\ndead_letter_arn = \"arn:aws:sqs:eu-west-1:123456789012:other\"\n"
    ))
    .unwrap();
    assert_eq!(
        fleet[0].dead_letter_arn.as_ref().map(|q| q.to_string()),
        Some("arn:aws:sqs:eu-west-1:123456789012:dlq".to_string())
    );
    let adopted: Vec<String> = fleet[0].adopt.iter().map(|a| a.to_string()).collect();
    assert_eq!(adopted, ["g/s-start", "default/s-stop"]);
    assert_eq!(
        fleet[1].dead_letter_arn.as_ref().map(|q| q.to_string()),
        Some("arn:aws:sqs:eu-west-1:123456789012:other".to_string())
    );
    let e = errors(&format!(
        "{HEAD}\n[[service]]\ncluster = \"c\"\nservice = \"s\"\ndead_letter_arn = \"arn:aws:sns:eu-west-1:1:x\"\n\n\
         [[service]]\ncluster = \"c\"\nservice = \"t\"\nadopt = [\"bad name\"]\n\n\
         [[service]]\ncluster = \"c\"\nservice = \"u\"\nadopt = [\"x\", \"ecs-onoff/x\"]\n"
    ))
    .join("\n");
    for needle in [
        "fleet.toml:8:19: dead_letter_arn:",
        "fleet.toml:13:10: adopt: schedule name 'bad name'",
        "fleet.toml:18:15: adopt: ecs-onoff/x is listed twice",
    ] {
        assert!(e.contains(needle), "missing {needle} in\n{e}");
    }
}

#[test]
fn capacity_is_a_switch_or_a_kind_and_its_keys_need_the_switch() {
    let head = "[defaults]\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\n\
                window = \"MON-FRI 08:00-19:00\"\nlead = \"15m\"\ncapacity = true\n\n";
    // A text (where the tasks run, for `savings`) and the switch are separate settings: an
    // entry's "EC2" keeps the switch of [defaults].
    let specs = parse(&format!(
        "{head}[[service]]\ncluster = \"c\"\nservice = \"api\"\ncapacity = \"EC2\"\nlead = \"5m\"\n"
    ))
    .unwrap();
    assert_eq!(
        specs[0].task.capacity,
        Some(ecs_onoff::savings::Capacity::Ec2)
    );
    assert_eq!(
        specs[0].capacity.as_ref().map(|c| c.lead),
        Some(jiff::SignedDuration::from_mins(5))
    );
    let e = errors(
        "[[service]]\ncluster = \"c\"\nservice = \"web\"\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\n\
         window = \"MON-FRI 08:00-19:00\"\nasg = \"nodes\"\n",
    );
    assert!(e[0].contains("set capacity = true"), "{e:?}");
    let specs = parse(&format!(
        "{head}[[service]]\ncluster = \"c\"\nservice = \"web\"\nasg = \"nodes\"\ndrain = \"0\"\n\
         force = true\n\n[[service]]\ncluster = \"c\"\nservice = \"api\"\n"
    ))
    .unwrap();
    let web = specs[0].capacity.as_ref().unwrap();
    assert_eq!(web.asg.as_ref().map(|a| a.as_str()), Some("nodes"));
    assert_eq!(web.lead, jiff::SignedDuration::from_mins(15));
    assert_eq!(web.drain, jiff::SignedDuration::ZERO);
    assert!(web.force);
    let api = specs[1].capacity.as_ref().unwrap();
    assert_eq!((api.asg.clone(), api.force), (None, false));
    assert_eq!(api.drain, jiff::SignedDuration::from_mins(10));
    let e = errors(
        "[defaults]\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\nwindow = \"MON-FRI 08:00-19:00\"\n\n\
         [[service]]\ncluster = \"c\"\nservice = \"web\"\ncapacity = true\nlead = \"7h\"\n\
         asg = \"arn:aws:autoscaling:x\"\n",
    );
    assert!(
        e.iter().any(|e| e.contains("lead") && e.contains("6h")),
        "{e:?}"
    );
    assert!(
        e.iter().any(|e| e.contains("asg") && e.contains("ARN")),
        "{e:?}"
    );
    let e = errors(
        "[[service]]\ncluster = \"c\"\nservice = \"web\"\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\n\
         window = \"MON-FRI 08:00-19:00\"\ncapacity = \"GPU\"\n",
    );
    assert!(
        e.iter()
            .any(|e| e.contains("capacity") && e.contains("true/false")),
        "{e:?}"
    );
}
