//! The guarantees of an override, checked by replaying the schedules it writes: no fire of the
//! service's schedules inside the override, at its end the state the schedules say then, and
//! after it exactly what they would have done; also across a daylight-saving change and a
//! skipped day of a calendar.

use ecs_onoff::naming::Switch;
use ecs_onoff::overrides::{plan_set, scheduled_count, timeline};
use ecs_onoff::plan::Action;
use ecs_onoff::schedule::Schedule;
use ecs_onoff::spec::ClientKey;
use jiff::{SignedDuration, Timestamp};

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The regular schedules of one service as `apply` would write them at `now`.
fn regular(keys: &str, now: Timestamp) -> Vec<Schedule> {
    let text = format!(
        "[defaults]\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\ntimezone = \"Europe/Berlin\"\n\
         {keys}\n[[service]]\ncluster = \"c\"\nservice = \"web\"\non_count = 3\n"
    );
    let specs = ecs_onoff::fleet::parse("f.toml", &text, &mut |_| Err("no files".into()))
        .unwrap()
        .services;
    let spec = &specs[0];
    let key = ClientKey {
        region: "eu-central-1".parse().unwrap(),
        profile: None,
    };
    spec.schedules(&key, 3, &spec.compile(now).unwrap())
}

/// Applies an override plan to the schedules (what AWS would hold afterwards).
fn written(
    existing: &[Schedule],
    state: Switch,
    count: u32,
    until: Timestamp,
    now: Timestamp,
) -> Vec<Schedule> {
    let id = existing[0].owner().unwrap().0.clone();
    let plan = plan_set(&id, existing, None, 0, state, count, until, now).unwrap();
    let mut out: Vec<Schedule> = existing.to_vec();
    for (s, action) in plan.steps {
        match action {
            Action::Create => out.push(s),
            Action::Update(_) => {
                let i = out.iter().position(|o| o.name == s.name).unwrap();
                out[i] = s;
            }
            Action::Delete => out.retain(|o| o.name != s.name),
            Action::Unchanged => {}
        }
    }
    out
}

/// Checks the three guarantees over ten days.
fn check(
    regular: &[Schedule],
    state: Switch,
    until: Timestamp,
    now: Timestamp,
) -> Vec<(Timestamp, u32)> {
    let after = written(regular, state, 5, until, now);
    let to = until + SignedDuration::from_hours(24 * 10);
    let replay = timeline(&after, now, to);
    assert!(
        replay.iter().all(|(t, _)| *t >= until),
        "a fire inside: {replay:?}"
    );
    let expected_end = scheduled_count(regular, until).unwrap();
    assert_eq!(replay[0], (until, expected_end), "{replay:?}");
    let rest: Vec<_> = replay.iter().copied().filter(|(t, _)| *t > until).collect();
    let unheld: Vec<_> = timeline(regular, until, to)
        .into_iter()
        .filter(|(t, _)| *t > until)
        .collect();
    assert_eq!(rest, unheld);
    replay
}

#[test]
fn an_on_override_over_a_weekend_with_a_clock_change() {
    // Friday 2027-03-26 17:00 in Berlin; the clocks go forward on Sunday the 28th.
    let now = t("2027-03-26T16:00:00Z");
    let schedules = regular("window = \"MON-FRI 08:00-19:00\"", now);
    // Until Monday 10:00 CEST: the on at 08:00 CEST has fired by then, so the end sets 3.
    let until = t("2027-03-29T08:00:00Z");
    let replay = check(&schedules, Switch::On, until, now);
    assert_eq!(replay[0], (until, 3));
    // Monday's off at 19:00 CEST (17:00Z) follows.
    assert_eq!(replay[1], (t("2027-03-29T17:00:00Z"), 0));
}

#[test]
fn an_override_that_ends_on_a_skipped_day_leaves_the_service_off() {
    let now = t("2027-03-26T16:00:00Z");
    let schedules = regular(
        "window = \"MON-FRI 08:00-19:00\"\ncalendar = \"de\"\n\n[calendars.de]\nskip = [\"2027-03-29\"]\n",
        now,
    );
    // Easter Monday is skipped: at Monday 10:00 the schedules say off (Friday's 19:00).
    let until = t("2027-03-29T08:00:00Z");
    let replay = check(&schedules, Switch::On, until, now);
    assert_eq!(replay[0], (until, 0));
    // The skipped day's off still fires (harmless), then Tuesday's on.
    assert_eq!(replay[1], (t("2027-03-29T17:00:00Z"), 0));
    assert_eq!(replay[2], (t("2027-03-30T06:00:00Z"), 3));
}

#[test]
fn an_off_override_inside_working_hours_ends_on() {
    // Tuesday 2026-12-01 10:00 in Berlin, off until 15:00: the end turns it back on.
    let now = t("2026-12-01T09:00:00Z");
    let schedules = regular(
        "window = [\"MON-FRI 08:00-12:00\", \"MON-FRI 13:00-19:00\"]",
        now,
    );
    let until = t("2026-12-01T14:00:00Z");
    let replay = check(&schedules, Switch::Off, until, now);
    assert_eq!(replay[0], (until, 3));
}
