//! `ecs-onoff override` against moto_server: what an override writes, what `status` and
//! `override list` show, that re-applying keeps it, that `cancel` restores the schedules field by
//! field, that `unschedule` removes it, and that the schedules as written, replayed, give the
//! timeline the override promises.

mod common;

use aws_sdk_ecs::types::LaunchType;
use common::Env;
use ecs_onoff::overrides::{scheduled_count, timeline};
use ecs_onoff::schedule::Schedule;
use jiff::{SignedDuration, Timestamp};

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-onoff";

async fn read_all(env: &Env, group: &str) -> Vec<Schedule> {
    let client = env.scheduler();
    let mut out = Vec::new();
    for name in env.names(group).await {
        let s = ecs_onoff::aws::scheduler::get(&client, group, &name)
            .await
            .unwrap()
            .unwrap();
        out.push(s);
    }
    out
}

#[tokio::test]
async fn an_override_holds_the_schedules_and_cancel_restores_them() {
    let env = Env::in_region("eu-central-1").await;
    env.services("ov", &["web", "api"], 2, LaunchType::Fargate)
        .await;
    let schedule = |service: &str| {
        format!(
            "schedule -c ov -s {service} -g g-ov --region eu-central-1 --role-arn {ROLE} \
             --window 'MON-FRI 08:00-19:00' --window 'SAT 10:00-14:00' --skip '*-12-25' \
             --timezone Europe/Berlin --on-count 2"
        )
    };
    env.cli(&schedule("web")).ok();
    env.cli(&schedule("api")).ok();
    let before = read_all(&env, "g-ov").await;

    // Off for a week: the schedules of web are held, api's are not touched.
    let started = Timestamp::now();
    let r = env
        .cli("override -c ov -s web -g g-ov --region eu-central-1 --off --for 7d --output json")
        .ok();
    assert!(
        r.stderr.contains("kept off at desiredCount 0 until"),
        "{}",
        r.stderr
    );
    assert_eq!(env.desired("ov", "web").await, 0, "off at once");
    let after = read_all(&env, "g-ov").await;
    let end = after
        .iter()
        .find(|s| s.name == "ov.web.override")
        .expect("the end schedule");
    assert!(end.expression.starts_with("at("), "{}", end.expression);
    assert_eq!(end.timezone, "UTC");
    assert_eq!(
        end.unmanaged.action_after_completion.as_deref(),
        Some("DELETE")
    );
    let until = end.description.split(" until ").nth(1).unwrap()[..20]
        .parse::<Timestamp>()
        .unwrap();
    assert!(until > started + SignedDuration::from_hours(24 * 7 - 1));
    for (old, new) in before
        .iter()
        .zip(after.iter().filter(|s| s.name != "ov.web.override"))
    {
        assert_eq!(old.name, new.name);
        if old.name.starts_with("ov.api.") {
            assert_eq!(old, new, "another service's schedule is not touched");
        } else if new != old {
            // Held: it starts at the end, or is disabled when it ends first.
            assert!(
                new.description.contains("held by an override until"),
                "{new:?}"
            );
            assert!(
                new.start_date.is_some_and(|s| s >= until)
                    || new.state == Some(ecs_onoff::schedule::State::Disabled),
                "{} fires before the end: {:?}",
                new.name,
                new.start_date
            );
        }
    }

    // Replayed: nothing fires for web before the end; at the end, what the schedules say then;
    // after it, exactly what they would have done.
    let web = |v: &[Schedule]| -> Vec<Schedule> {
        v.iter()
            .filter(|s| s.name.starts_with("ov.web."))
            .cloned()
            .collect()
    };
    let to = until + SignedDuration::from_hours(24 * 10);
    let replay = timeline(&web(&after), started, to);
    assert!(
        replay.iter().all(|(t, _)| *t >= until),
        "a fire inside the override: {replay:?}"
    );
    let regular = web(&before);
    assert_eq!(replay.first().map(|e| e.0), Some(until), "{replay:?}");
    assert_eq!(
        replay.first().map(|e| e.1),
        Some(scheduled_count(&regular, until).unwrap_or(2))
    );
    let expected: Vec<_> = timeline(&regular, until, to);
    let rest: Vec<_> = replay.iter().copied().filter(|(t, _)| *t > until).collect();
    assert_eq!(
        rest,
        expected
            .into_iter()
            .filter(|(t, _)| *t > until)
            .collect::<Vec<_>>()
    );

    // status and override list show it, with its end in local time.
    let status = env
        .cli("status -c ov -s web -g g-ov --region eu-central-1 --output json")
        .json();
    assert_eq!(status["override"]["state"], "off", "{status}");
    assert_eq!(status["override"]["timezone"], "Europe/Berlin");
    let list = env
        .cli("override list -g g-ov --region eu-central-1 --output json")
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["service"], "web");
    assert!(
        list[0]["until_local"].as_str().unwrap().contains("CE"),
        "{list}"
    );

    // Re-applying the same schedule keeps the override: nothing to change.
    let r = env.cli(&(schedule("web") + " --output json")).json();
    assert_eq!(r["summary"]["updated"], 0, "{r}");
    assert_eq!(r["summary"]["created"], 0, "{r}");
    assert!(env.get("g-ov", "ov.web.override").await.is_some());

    // Cancel: every schedule as it was, field by field; the end schedule gone.
    env.cli("override cancel -c ov -s web -g g-ov --region eu-central-1")
        .ok();
    let restored = read_all(&env, "g-ov").await;
    assert_eq!(restored.len(), before.len());
    for (old, new) in before.iter().zip(&restored) {
        let mut new = new.clone();
        new.created = old.created;
        assert_eq!(old, &new);
    }
    let now_count = scheduled_count(&regular, Timestamp::now()).unwrap_or(0);
    assert_eq!(env.desired("ov", "web").await, now_count as i32);

    // unschedule removes an override with the schedules, and says so.
    env.cli("override -c ov -s api -g g-ov --region eu-central-1 --on --for 3h")
        .ok();
    assert!(env.get("g-ov", "ov.api.override").await.is_some());
    let r = env
        .cli("unschedule -c ov -s api -g g-ov --region eu-central-1")
        .ok();
    assert!(r.stderr.contains("override is removed"), "{}", r.stderr);
    assert!(env
        .names("g-ov")
        .await
        .iter()
        .all(|n| !n.starts_with("ov.api.")));
}

#[tokio::test]
async fn bad_overrides_write_nothing() {
    let env = Env::in_region("eu-central-1").await;
    env.services("ov-bad", &["web", "bare"], 1, LaunchType::Fargate)
        .await;
    env.cli(&format!(
        "schedule -c ov-bad -s web -g g-ov-bad --region eu-central-1 --role-arn {ROLE} \
         --window 'MON-FRI 08:00-19:00'"
    ))
    .ok();
    let before = read_all(&env, "g-ov-bad").await;
    for (args, needle) in [
        ("--on --for 15d", "more than 14d ahead"),
        ("--on --until 2020-01-01T00:00:00Z", "not in the future"),
        ("--on --for 3x", "is not a duration"),
        ("--on --until tomorrow", "is not a time"),
        ("--on --count 5001 --for 1h", "5000"),
    ] {
        env.cli(&format!(
            "override -c ov-bad -s web -g g-ov-bad --region eu-central-1 {args}"
        ))
        .fails_with(2, needle);
    }
    env.cli(
        "override -c ov-bad -s web -g g-ov-bad --region eu-central-1 --on --for 1h --until 20:00",
    )
    .fails_with(2, "cannot be used with");
    env.cli("override -c ov-bad -s bare -g g-ov-bad --region eu-central-1 --on --for 1h")
        .fails_with(2, "nothing to override");
    env.cli("override -c ov-bad -s bare -g g-ov-bad --region eu-central-1 --on --for 1h --force")
        .fails_with(2, "--role-arn");
    assert_eq!(read_all(&env, "g-ov-bad").await, before);
    assert_eq!(env.desired("ov-bad", "web").await, 1);
    assert_eq!(env.desired("ov-bad", "bare").await, 1);
    // --force with a role: a service without schedules gets an end schedule and its count.
    env.cli(&format!(
        "override -c ov-bad -s bare -g g-ov-bad --region eu-central-1 --on --count 3 --for 1h \
         --force --role-arn {ROLE}"
    ))
    .ok();
    assert_eq!(env.desired("ov-bad", "bare").await, 3);
    let end = env.get("g-ov-bad", "ov-bad.bare.override").await.unwrap();
    assert_eq!(
        end.target().unwrap().input(),
        Some(r#"{"Cluster":"ov-bad","Service":"bare","DesiredCount":1}"#),
        "the end restores the count from before"
    );
    env.cli("override cancel -c ov-bad -s bare -g g-ov-bad --region eu-central-1")
        .ok();
    assert!(env.get("g-ov-bad", "ov-bad.bare.override").await.is_none());
    assert_eq!(
        env.desired("ov-bad", "bare").await,
        1,
        "back to the count before"
    );
    // Longer than 14 days when raised explicitly.
    env.cli("override -c ov-bad -s web -g g-ov-bad --region eu-central-1 --on --for 15d --max 30d")
        .ok();
}

#[tokio::test]
async fn fleet_overrides_are_planned_applied_and_kept() {
    let env = Env::in_region("eu-central-1").await;
    env.services("ov-fleet", &["web", "api"], 1, LaunchType::Fargate)
        .await;
    let until = (Timestamp::now() + SignedDuration::from_hours(48))
        .round(jiff::Unit::Minute)
        .unwrap();
    let fleet = |overrides: &str| {
        format!(
            "[defaults]\nregion = \"eu-central-1\"\ntimezone = \"Europe/Berlin\"\nrole_arn = \"{ROLE}\"\n\
             group = \"g-ov-fleet\"\nwindow = \"MON-FRI 08:00-19:00\"\non_count = 2\n\n\
             [[service]]\ncluster = \"ov-fleet\"\nservice = \"web\"\n\n\
             [[service]]\ncluster = \"ov-fleet\"\nservice = \"api\"\n{overrides}"
        )
    };
    let with = fleet(&format!(
        "\n[[override]]\ncluster = \"ov-fleet\"\nservice = \"web\"\nstate = \"on\"\ncount = 3\nuntil = \"{until}\"\n"
    ));
    let path = common::write_file("ov-fleet.toml", &with);
    let path = path.to_str().unwrap();
    let plan = env.cli(&format!("plan -f {path} --output json")).json();
    assert_eq!(plan["counts"][0]["service"], "web", "{plan}");
    assert_eq!(plan["counts"][0]["to"], 3);
    assert!(
        plan["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "ov-fleet.web.override" && a["action"] == "create"),
        "{plan}"
    );
    env.cli(&format!("apply -f {path} --yes")).ok();
    assert_eq!(env.desired("ov-fleet", "web").await, 3, "on at once");
    assert_eq!(env.desired("ov-fleet", "api").await, 1, "api untouched");
    let end = env
        .get("g-ov-fleet", "ov-fleet.web.override")
        .await
        .unwrap();
    assert_eq!(end.schedule_expression_timezone(), Some("UTC"));
    let r = env
        .cli(&format!("plan -f {path} --detailed-exitcode"))
        .run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // The file without the entry keeps the override that has not ended.
    let without = common::write_file("ov-fleet-without.toml", &fleet(""));
    let r = env
        .cli(&format!(
            "plan -f {} --detailed-exitcode",
            without.display()
        ))
        .run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // An entry whose end has passed is ignored, with a note.
    let past = common::write_file(
        "ov-fleet-past.toml",
        &fleet("\n[[override]]\ncluster = \"ov-fleet\"\nservice = \"api\"\nstate = \"off\"\nuntil = \"2020-01-01T00:00:00Z\"\n"),
    );
    let r = env
        .cli(&format!("plan -f {} --output json", past.display()))
        .run();
    assert!(r.stderr.contains("has ended: ignored"), "{}", r.stderr);
    assert!(r.json()["counts"].as_array().unwrap().is_empty());
    // Bad entries: nothing written.
    for (entry, needle) in [
        ("cluster = \"ov-fleet\"\nservice = \"nope\"\nstate = \"on\"\nuntil = \"2030-01-01T00:00:00Z\"\n", "no such [[service]]"),
        ("cluster = \"ov-fleet\"\nservice = \"api\"\nstate = \"on\"\nuntil = \"20:00\"\n", "has no date"),
        ("cluster = \"ov-fleet\"\nservice = \"api\"\nstate = \"up\"\nuntil = \"2030-01-01 08:00\"\n", "not on or off"),
        ("cluster = \"ov-fleet\"\nservice = \"api\"\nstate = \"on\"\nuntil = \"2030-01-01 08:00\"\n", "more than 14d ahead"),
    ] {
        let bad = common::write_file("ov-fleet-bad.toml", &fleet(&format!("\n[[override]]\n{entry}")));
        env.cli(&format!("apply -f {} --yes", bad.display()))
            .fails_with(2, needle);
    }
    assert!(env
        .get("g-ov-fleet", "ov-fleet.api.override")
        .await
        .is_none());
}
