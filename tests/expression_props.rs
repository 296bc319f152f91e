//! Properties over generated input: no string makes the parser panic, valid expressions
//! round-trip through their canonical form, and fire times agree with an independent cron
//! implementation (the `croner` crate in Quartz weekday mode) wherever both define the form.

use ecs_onoff::expression::timezone::Zone;
use ecs_onoff::expression::ScheduleExpression;
use ecs_onoff::window::UserSchedule;
use proptest::prelude::*;

mod support;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        let _ = ScheduleExpression::parse(&text);
        let _ = UserSchedule::parse(&text);
    }

    #[test]
    fn cron_shaped_strings_never_panic(
        fields in prop::collection::vec("[0-9A-Za-z*?,/#LW-]{0,8}", 0..8),
        wrapper in prop::sample::select(vec!["cron(", "rate(", "at(", ""]),
    ) {
        let inner = fields.join(" ");
        let _ = ScheduleExpression::parse(&format!("{wrapper}{inner})"));
        let _ = UserSchedule::parse(&inner);
        if let Ok(expr) = ScheduleExpression::parse(&format!("{wrapper}{inner})")) {
            // Whatever parses evaluates without panicking, in order, strictly after the start.
            let after: jiff::Timestamp = "2026-11-25T00:00:00Z".parse().unwrap();
            let zone = Zone::parse("America/New_York").unwrap();
            let fires = expr.next_fires(&zone, after, 5).fires;
            prop_assert!(fires.windows(2).all(|w| w[0].utc < w[1].utc));
            prop_assert!(fires.iter().all(|f| f.utc > after));
        }
    }
}

fn value(min: u32, max: u32) -> impl Strategy<Value = String> {
    (min..=max).prop_map(|v| v.to_string())
}

/// One list item: value, range, or step, in ascending order (no wrap-around).
fn item(min: u32, max: u32, steps: bool) -> BoxedStrategy<String> {
    let range = (min..=max, min..=max).prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b)));
    if steps {
        prop_oneof![
            3 => value(min, max),
            2 => range.clone(),
            1 => (min..=max, 1..=(max - min).max(1)).prop_map(|(a, s)| format!("{a}/{s}")),
            1 => (1..=(max - min).max(1)).prop_map(|s| format!("*/{s}")),
            1 => (range, 1..=(max - min).max(1)).prop_map(|(r, s)| format!("{r}/{s}")),
        ]
        .boxed()
    } else {
        prop_oneof![3 => value(min, max), 2 => range].boxed()
    }
}

fn list(min: u32, max: u32, steps: bool) -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just("*".to_string()),
        4 => prop::collection::vec(item(min, max, steps), 1..=3).prop_map(|v| v.join(",")),
    ]
}

/// A valid AWS cron expression in the forms both implementations read the same way.
fn aws_cron() -> impl Strategy<Value = String> {
    let days = prop_oneof![
        3 => list(1, 31, true).prop_map(|d| (d, "?".to_string())),
        1 => Just(("L".to_string(), "?".to_string())),
        1 => (1u32..=28).prop_map(|d| (format!("{d}W"), "?".to_string())),
        3 => list(1, 7, false).prop_map(|d| ("?".to_string(), d)),
        1 => (1u32..=7, 1u32..=5).prop_map(|(d, n)| ("?".to_string(), format!("{d}#{n}"))),
        1 => (1u32..=7).prop_map(|d| ("?".to_string(), format!("{d}L"))),
    ];
    (
        list(0, 59, true),
        list(0, 23, true),
        days,
        list(1, 12, true),
        prop_oneof![3 => Just("*".to_string()), 1 => (2026u32..=2030).prop_map(|y| format!("{y}-2035"))],
    )
        .prop_map(|(m, h, (dom, dow), mon, y)| format!("cron({m} {h} {dom} {mon} {dow} {y})"))
}

/// The next `n` fires after `after` according to croner, as Unix seconds.
fn croner_fires(expr: &str, after: i64, n: usize) -> Vec<i64> {
    let cron = support::croner_cron(expr);
    let start = jiff02::Timestamp::from_second(after)
        .unwrap()
        .to_zoned(jiff02::tz::TimeZone::UTC);
    cron.iter_after(start)
        .take(n)
        .map(|z| z.timestamp().as_second())
        .collect()
}

fn our_fires(expr: &str, tz: &str, after: i64, n: usize) -> Vec<i64> {
    let expr = ScheduleExpression::parse(expr).unwrap();
    let after = jiff::Timestamp::from_second(after).unwrap();
    expr.next_fires(&Zone::parse(tz).unwrap(), after, n)
        .fires
        .iter()
        .map(|f| f.utc.as_second())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn generated_crons_round_trip(expr in aws_cron()) {
        let parsed = ScheduleExpression::parse(&expr).unwrap();
        prop_assert_eq!(parsed.to_string(), expr.clone());
        prop_assert_eq!(ScheduleExpression::parse(&parsed.to_string()).unwrap(), parsed);
    }

    #[test]
    fn fire_times_agree_with_croner(
        expr in aws_cron(),
        // 2026-01-01 .. 2028-12-31
        after in 1_767_225_600i64..1_861_833_600i64,
    ) {
        let ours = our_fires(&expr, "UTC", after, 12);
        let theirs = croner_fires(&expr, after, 12);
        prop_assert_eq!(ours, theirs, "{}", expr);
    }
}
