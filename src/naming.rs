//! Deterministic names. A service's schedules are `<cluster>.<service>.<slot>`: ECS names cannot
//! contain a dot, so the form is unambiguous. The slot is `on` or `off`, followed for a service
//! with several on (or off) times by the time's number from 2 (`on2`), and for a segment of a
//! calendar that ends before a skipped day by that day (`on-20261224`, `on2-20261224`). When a
//! name would be longer than the 64 characters Scheduler allows, both parts are truncated and a
//! 64-bit FNV-1a hash of the full `cluster/service` is added, `<cluster'>.<service'>.<16 hex>.on`,
//! so distinct services never share a name and the same service always gets the same one.

use std::fmt;

/// Longest schedule or group name Scheduler accepts.
pub const MAX_SCHEDULE_NAME: usize = 64;
/// Longest ECS cluster or service name.
pub const MAX_ECS_NAME: usize = 255;
/// The group used when none is given.
pub const DEFAULT_GROUP: &str = "ecs-onoff";

/// Which of a service's two schedules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Switch {
    On,
    Off,
}

impl Switch {
    /// Both switches, in the order their schedules are written: on first, so that a run that
    /// stops midway never leaves a service with an off schedule and no on schedule.
    pub const ALL: [Switch; 2] = [Switch::On, Switch::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            Switch::On => "on",
            Switch::Off => "off",
        }
    }
}

impl fmt::Display for Switch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("{kind} name is empty")]
    Empty { kind: &'static str },
    #[error("{kind} name '{name}' is {len} characters long; at most {max} are allowed")]
    TooLong {
        kind: &'static str,
        name: String,
        len: usize,
        max: usize,
    },
    #[error("{kind} name '{name}' contains '{bad}'; only {allowed} are allowed{hint}")]
    BadChar {
        kind: &'static str,
        name: String,
        bad: String,
        allowed: &'static str,
        hint: &'static str,
    },
}

fn check(
    kind: &'static str,
    name: &str,
    max: usize,
    ok: fn(char) -> bool,
    allowed: &'static str,
) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty { kind });
    }
    if let Some(bad) = name.chars().find(|c| !ok(*c)) {
        let hint = if name.starts_with("arn:") {
            " (give the name, not the ARN)"
        } else {
            ""
        };
        return Err(NameError::BadChar {
            kind,
            name: crate::text::printable(name),
            bad: bad.escape_default().to_string(),
            allowed,
            hint,
        });
    }
    if name.len() > max {
        return Err(NameError::TooLong {
            kind,
            name: crate::text::printable(name),
            len: name.len(),
            max,
        });
    }
    Ok(())
}

fn ecs_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

fn scheduler_char(c: char) -> bool {
    ecs_char(c) || c == '.'
}

const ECS_ALLOWED: &str = "letters, digits, hyphens and underscores";

/// An ECS cluster name: 1-255 letters, digits, hyphens and underscores.
pub fn validate_cluster(name: &str) -> Result<(), NameError> {
    check("cluster", name, MAX_ECS_NAME, ecs_char, ECS_ALLOWED)
}

/// An ECS service name: 1-255 letters, digits, hyphens and underscores.
pub fn validate_service(name: &str) -> Result<(), NameError> {
    check("service", name, MAX_ECS_NAME, ecs_char, ECS_ALLOWED)
}

/// A Scheduler group name: 1-64 letters, digits, hyphens, underscores and dots.
pub fn validate_group(name: &str) -> Result<(), NameError> {
    check(
        "schedule group",
        name,
        MAX_SCHEDULE_NAME,
        scheduler_char,
        "letters, digits, hyphens, underscores and dots",
    )
}

/// A Scheduler schedule name: 1-64 letters, digits, hyphens, underscores and dots.
pub fn validate_schedule_name(name: &str) -> Result<(), NameError> {
    check(
        "schedule",
        name,
        MAX_SCHEDULE_NAME,
        scheduler_char,
        "letters, digits, hyphens, underscores and dots",
    )
}

validated_string!(
    /// An ECS cluster name.
    ClusterName,
    NameError,
    validate_cluster
);
validated_string!(
    /// An ECS service name.
    ServiceName,
    NameError,
    validate_service
);
validated_string!(
    /// A Scheduler schedule group name.
    GroupName,
    NameError,
    validate_group
);

impl GroupName {
    /// The group used when none is given.
    pub fn default_group() -> GroupName {
        GroupName(DEFAULT_GROUP.to_string())
    }
}

/// 64-bit FNV-1a: small, fixed forever, and the same on every platform.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Which of a service's schedules: its switch, the number of the on (or off) time when a
/// service has several (1 for the first), and for a segment of a calendar that ends before a
/// skipped day, that day. The last part of the name: `on`, `off2`, `on-20261224`, `on2-20261224`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot {
    pub switch: Switch,
    pub index: u8,
    pub until: Option<jiff::civil::Date>,
}

/// The most on (or off) times one service may have: the index is at most two digits.
pub const MAX_INDEX: u8 = 99;
/// The longest last part of a name with its dot: `.off99-20261224`.
const MAX_SUFFIX: usize = 15;

impl Slot {
    /// The first on or off schedule, without segment: the names ecs-onoff has always used.
    pub fn plain(switch: Switch) -> Slot {
        Slot {
            switch,
            index: 1,
            until: None,
        }
    }

    fn is_plain(&self) -> bool {
        self.index == 1 && self.until.is_none()
    }

    fn suffix(&self) -> String {
        let mut s = self.switch.to_string();
        if self.index > 1 {
            s.push_str(&self.index.to_string());
        }
        if let Some(d) = self.until {
            s.push_str(&d.strftime("-%Y%m%d").to_string());
        }
        s
    }

    pub(crate) fn parse(text: &str) -> Option<Slot> {
        let (head, until) = match text.split_once('-') {
            Some((head, date)) => {
                if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let n = |r: std::ops::Range<usize>| date[r].parse::<i16>().ok();
                let d = jiff::civil::Date::new(n(0..4)?, n(4..6)? as i8, n(6..8)? as i8).ok()?;
                (head, Some(d))
            }
            None => (text, None),
        };
        let (switch, digits) = if let Some(rest) = head.strip_prefix("off") {
            (Switch::Off, rest)
        } else {
            (Switch::On, head.strip_prefix("on")?)
        };
        let index = match digits {
            "" => 1,
            d if !d.starts_with('0') && d.len() <= 2 && d.bytes().all(|b| b.is_ascii_digit()) => {
                d.parse::<u8>().ok().filter(|i| *i >= 2)?
            }
            _ => return None,
        };
        Some(Slot {
            switch,
            index,
            until,
        })
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.suffix())
    }
}

/// The part of a slot's name before its last part: `<cluster>.<service>.` when the whole name
/// fits, else both shortened with the hash. Plain slots keep the rule ecs-onoff has always used
/// (the name as long as it is; 42 characters for both parts when shortened); every other slot is
/// measured with the longest last part, so that all of them share one stem.
fn stem(cluster: &str, service: &str, slot: &Slot) -> String {
    let (fits, hashed) = if slot.is_plain() {
        (slot.suffix().len(), 4)
    } else {
        (MAX_SUFFIX - 1, MAX_SUFFIX)
    };
    if cluster.len() + service.len() + 2 + fits <= MAX_SCHEDULE_NAME {
        return format!("{cluster}.{service}.");
    }
    let hash = fnv1a64(format!("{cluster}/{service}").as_bytes());
    // Room for both parts: 64 - the last part with its dot - "." - 16 hex - ".".
    let budget = MAX_SCHEDULE_NAME - hashed - 1 - 16 - 1;
    let half = budget / 2;
    let cluster_len = cluster
        .len()
        .min(half.max(budget.saturating_sub(service.len())));
    let service_len = service.len().min(budget - cluster_len);
    format!(
        "{}.{}.{hash:016x}.",
        &cluster[..cluster_len],
        &service[..service_len]
    )
}

/// The schedule name of one of a service's schedules (see the module docs for the rule).
/// Cluster and service must already be valid ECS names.
pub fn schedule_name(cluster: &str, service: &str, slot: Slot) -> String {
    format!("{}{slot}", stem(cluster, service, &slot))
}

/// Every name prefix under which a service's schedules are found (one to three, as the plain
/// and other slots may be shortened differently): a ListSchedules `NamePrefix` each.
pub fn stems(cluster: &str, service: &str) -> Vec<String> {
    let other = Slot {
        switch: Switch::On,
        index: 2,
        until: None,
    };
    let mut out = Vec::new();
    for slot in [Slot::plain(Switch::On), Slot::plain(Switch::Off), other] {
        let s = stem(cluster, service, &slot);
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The last part of the name of a service's override schedule: the one-time schedule that
/// ends an override (see [`crate::overrides`]).
pub const OVERRIDE_PART: &str = "override";

/// The name of a service's override schedule: `<cluster>.<service>.override`, shortened like
/// the names of its other schedules.
pub fn override_name(cluster: &str, service: &str) -> String {
    let other = Slot {
        switch: Switch::On,
        index: 2,
        until: None,
    };
    format!("{}{OVERRIDE_PART}", stem(cluster, service, &other))
}

/// The last part of the names of a service's heads-up schedules: `notify`, `notify2`, ...
pub const NOTIFY_PART: &str = "notify";

/// The name of the heads-up schedule before a service's off schedule number `index`.
pub fn notify_name(cluster: &str, service: &str, index: u8) -> String {
    let other = Slot {
        switch: Switch::On,
        index: 2,
        until: None,
    };
    let number = if index > 1 {
        index.to_string()
    } else {
        String::new()
    };
    format!("{}{NOTIFY_PART}{number}", stem(cluster, service, &other))
}

/// What the last part of a managed schedule name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// One of the service's regular schedules.
    Slot(Slot),
    /// The schedule that ends an override of the service.
    Override,
    /// The heads-up before the off schedule with this number.
    Notify(u8),
}

/// What a managed schedule name says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedName {
    /// Cluster and service, when the name is not shortened (else read them from the Input).
    pub service: Option<(String, String)>,
    pub part: Part,
}

impl ParsedName {
    /// The regular schedule's slot; `None` for an override schedule.
    pub fn slot(&self) -> Option<Slot> {
        match self.part {
            Part::Slot(slot) => Some(slot),
            Part::Override | Part::Notify(_) => None,
        }
    }

    pub fn switch(&self) -> Option<Switch> {
        self.slot().map(|s| s.switch)
    }
}

/// Recognises names that follow the naming rule; `None` for any other name.
pub fn parse_schedule_name(name: &str) -> Option<ParsedName> {
    let (rest, last) = name.rsplit_once('.')?;
    let part = if last == OVERRIDE_PART {
        Part::Override
    } else if let Some(number) = last.strip_prefix(NOTIFY_PART) {
        Part::Notify(match number {
            "" => 1,
            d if !d.starts_with('0') && d.len() <= 2 && d.bytes().all(|b| b.is_ascii_digit()) => {
                d.parse::<u8>().ok().filter(|i| *i >= 2)?
            }
            _ => return None,
        })
    } else {
        Part::Slot(Slot::parse(last)?)
    };
    let parts: Vec<&str> = rest.split('.').collect();
    let valid = |s: &str| validate_cluster(s).is_ok();
    match parts.as_slice() {
        [cluster, service] if valid(cluster) && valid(service) => Some(ParsedName {
            service: Some((cluster.to_string(), service.to_string())),
            part,
        }),
        [cluster, service, hash]
            if valid(cluster)
                && valid(service)
                && hash.len() == 16
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
        {
            Some(ParsedName {
                service: None,
                part,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_plain() {
        assert_eq!(
            schedule_name("prod", "web", Slot::plain(Switch::On)),
            "prod.web.on"
        );
        assert_eq!(
            schedule_name("prod", "web", Slot::plain(Switch::Off)),
            "prod.web.off"
        );
        let parsed = parse_schedule_name("prod.web.off").unwrap();
        assert_eq!(parsed.service, Some(("prod".into(), "web".into())));
        assert_eq!(parsed.switch(), Some(Switch::Off));
    }

    #[test]
    fn exactly_64_is_kept() {
        let cluster = "c".repeat(30);
        let service = "s".repeat(64 - 30 - 1 - 4);
        let name = schedule_name(&cluster, &service, Slot::plain(Switch::Off));
        assert_eq!(name.len(), 64);
        assert_eq!(name, format!("{cluster}.{service}.off"));
        // The on name is shorter by one and also kept whole.
        assert_eq!(
            schedule_name(&cluster, &service, Slot::plain(Switch::On)).len(),
            63
        );
    }

    #[test]
    fn long_names_are_shortened_stably_and_distinctly() {
        let cluster = "platform-staging-eu-central-1-cluster";
        let a = "customer-notifications-email-worker-a";
        let b = "customer-notifications-email-worker-b";
        for switch in [Switch::On, Switch::Off] {
            let na = schedule_name(cluster, a, Slot::plain(switch));
            let nb = schedule_name(cluster, b, Slot::plain(switch));
            assert!(na.len() <= 64 && nb.len() <= 64, "{na} {nb}");
            assert_ne!(na, nb);
            assert_eq!(na, schedule_name(cluster, a, Slot::plain(switch)), "stable");
            assert!(validate_group(&na).is_ok(), "valid Scheduler name: {na}");
            let parsed = parse_schedule_name(&na).unwrap();
            assert_eq!(parsed.switch(), Some(switch));
            assert_eq!(parsed.service, None);
        }
        // Known value: the hash never changes between versions.
        assert_eq!(
            schedule_name(&"c".repeat(100), &"s".repeat(100), Slot::plain(Switch::On)),
            format!(
                "{}.{}.{:016x}.on",
                "c".repeat(21),
                "s".repeat(21),
                fnv1a64(format!("{}/{}", "c".repeat(100), "s".repeat(100)).as_bytes())
            )
        );
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn a_short_service_lends_its_room_to_a_long_cluster() {
        let cluster = "x".repeat(200);
        let name = schedule_name(&cluster, "web", Slot::plain(Switch::On));
        assert!(
            name.starts_with(&format!("{}.web.", "x".repeat(39))),
            "{name}"
        );
        assert!(name.len() <= 64);
    }

    #[test]
    fn slots_extend_the_plain_names() {
        let date = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        let cases = [
            (Slot::plain(Switch::On), "prod.web.on"),
            (Slot::plain(Switch::Off), "prod.web.off"),
            (
                Slot {
                    switch: Switch::Off,
                    index: 2,
                    until: None,
                },
                "prod.web.off2",
            ),
            (
                Slot {
                    switch: Switch::On,
                    index: 1,
                    until: Some(date("2026-12-24")),
                },
                "prod.web.on-20261224",
            ),
            (
                Slot {
                    switch: Switch::On,
                    index: 12,
                    until: Some(date("2027-01-05")),
                },
                "prod.web.on12-20270105",
            ),
        ];
        for (slot, name) in cases {
            assert_eq!(schedule_name("prod", "web", slot), name);
            let parsed = parse_schedule_name(name).unwrap();
            assert_eq!(parsed.slot(), Some(slot), "{name}");
            assert_eq!(parsed.service, Some(("prod".into(), "web".into())));
        }
        assert_eq!(stems("prod", "web"), ["prod.web."]);
        assert_eq!(override_name("prod", "web"), "prod.web.override");
        assert_eq!(notify_name("prod", "web", 1), "prod.web.notify");
        assert_eq!(notify_name("prod", "web", 2), "prod.web.notify2");
        assert_eq!(
            parse_schedule_name("prod.web.notify2").unwrap().part,
            Part::Notify(2)
        );
        assert_eq!(parse_schedule_name("prod.web.notify1"), None);
        assert_eq!(
            parse_schedule_name("prod.web.override").unwrap().part,
            Part::Override
        );
        for name in [
            "prod.web.on1",
            "prod.web.on02",
            "prod.web.on100",
            "prod.web.on-2026122",
            "prod.web.on-20261332",
            "prod.web.onx",
        ] {
            assert_eq!(parse_schedule_name(name), None, "{name}");
        }
    }

    #[test]
    fn long_names_of_every_slot_fit_and_share_their_stems() {
        let longest = Slot {
            switch: Switch::Off,
            index: 99,
            until: Some("2026-12-24".parse().unwrap()),
        };
        for (c, s) in [(10, 10), (25, 25), (30, 20), (60, 3), (200, 200), (3, 60)] {
            let (cluster, service) = ("c".repeat(c), "s".repeat(s));
            let stems = stems(&cluster, &service);
            let o = override_name(&cluster, &service);
            assert!(
                o.len() <= 64 && stems.iter().any(|p| o.starts_with(p)),
                "{o}"
            );
            for slot in [Slot::plain(Switch::On), Slot::plain(Switch::Off), longest] {
                let name = schedule_name(&cluster, &service, slot);
                assert!(name.len() <= 64, "{name}");
                assert!(validate_group(&name).is_ok(), "{name}");
                assert_eq!(
                    parse_schedule_name(&name).unwrap().slot(),
                    Some(slot),
                    "{name}"
                );
                assert!(
                    stems.iter().any(|p| name.starts_with(p)),
                    "{name} {stems:?}"
                );
            }
        }
    }

    #[test]
    fn other_names_are_not_managed() {
        for name in [
            "nightly",
            "prod.web",
            "prod.web.stop",
            "a.b.c.on",
            "prod.web.0123.on",
            ".web.on",
            "prod..on",
        ] {
            assert_eq!(parse_schedule_name(name), None, "{name}");
        }
    }

    #[test]
    fn name_validation() {
        assert!(validate_cluster("prod_cluster-1").is_ok());
        assert!(validate_service(&"s".repeat(255)).is_ok());
        assert!(matches!(
            validate_service(&"s".repeat(256)),
            Err(NameError::TooLong { .. })
        ));
        assert!(matches!(validate_cluster(""), Err(NameError::Empty { .. })));
        let e = validate_cluster("arn:aws:ecs:us-east-1:123456789012:cluster/prod").unwrap_err();
        assert!(e.to_string().contains("not the ARN"), "{e}");
        assert!(validate_service("web.api").is_err());
        assert!(validate_group("team.a-b_c").is_ok());
        assert!(validate_group(&"g".repeat(65)).is_err());
        assert!(validate_group("my group").is_err());
    }
}
