//! Deterministic names. A service's schedules are `<cluster>.<service>.on` and
//! `<cluster>.<service>.off`: ECS names cannot contain a dot, so the form is unambiguous. When that
//! is longer than the 64 characters Scheduler allows, both parts are truncated and a 64-bit FNV-1a
//! hash of the full `cluster/service` is added, `<cluster'>.<service'>.<16 hex>.on`, so distinct
//! services never share a name and the same service always gets the same one.

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
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The schedule name for a service's on or off schedule (see the module docs for the rule).
/// Cluster and service must already be valid ECS names.
pub fn schedule_name(cluster: &str, service: &str, switch: Switch) -> String {
    let full = format!("{cluster}.{service}.{switch}");
    if full.len() <= MAX_SCHEDULE_NAME {
        return full;
    }
    let hash = fnv1a64(format!("{cluster}/{service}").as_bytes());
    // Room for both parts: 64 - ".off" - "." - 16 hex - "." = 42, the same for on and off.
    let budget = MAX_SCHEDULE_NAME - 4 - 1 - 16 - 1;
    let half = budget / 2;
    let cluster_len = cluster
        .len()
        .min(half.max(budget.saturating_sub(service.len())));
    let service_len = service.len().min(budget - cluster_len);
    format!(
        "{}.{}.{hash:016x}.{switch}",
        &cluster[..cluster_len],
        &service[..service_len]
    )
}

/// What a managed schedule name says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedName {
    /// Cluster and service, when the name is not shortened (else read them from the Input).
    pub service: Option<(String, String)>,
    pub switch: Switch,
}

/// Recognises names that follow the naming rule; `None` for any other name.
pub fn parse_schedule_name(name: &str) -> Option<ParsedName> {
    let (rest, switch) = if let Some(rest) = name.strip_suffix(".on") {
        (rest, Switch::On)
    } else {
        (name.strip_suffix(".off")?, Switch::Off)
    };
    let parts: Vec<&str> = rest.split('.').collect();
    let valid = |s: &str| validate_cluster(s).is_ok();
    match parts.as_slice() {
        [cluster, service] if valid(cluster) && valid(service) => Some(ParsedName {
            service: Some((cluster.to_string(), service.to_string())),
            switch,
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
                switch,
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
        assert_eq!(schedule_name("prod", "web", Switch::On), "prod.web.on");
        assert_eq!(schedule_name("prod", "web", Switch::Off), "prod.web.off");
        let parsed = parse_schedule_name("prod.web.off").unwrap();
        assert_eq!(parsed.service, Some(("prod".into(), "web".into())));
        assert_eq!(parsed.switch, Switch::Off);
    }

    #[test]
    fn exactly_64_is_kept() {
        let cluster = "c".repeat(30);
        let service = "s".repeat(64 - 30 - 1 - 4);
        let name = schedule_name(&cluster, &service, Switch::Off);
        assert_eq!(name.len(), 64);
        assert_eq!(name, format!("{cluster}.{service}.off"));
        // The on name is shorter by one and also kept whole.
        assert_eq!(schedule_name(&cluster, &service, Switch::On).len(), 63);
    }

    #[test]
    fn long_names_are_shortened_stably_and_distinctly() {
        let cluster = "platform-staging-eu-central-1-cluster";
        let a = "customer-notifications-email-worker-a";
        let b = "customer-notifications-email-worker-b";
        for switch in [Switch::On, Switch::Off] {
            let na = schedule_name(cluster, a, switch);
            let nb = schedule_name(cluster, b, switch);
            assert!(na.len() <= 64 && nb.len() <= 64, "{na} {nb}");
            assert_ne!(na, nb);
            assert_eq!(na, schedule_name(cluster, a, switch), "stable");
            assert!(validate_group(&na).is_ok(), "valid Scheduler name: {na}");
            let parsed = parse_schedule_name(&na).unwrap();
            assert_eq!(parsed.switch, switch);
            assert_eq!(parsed.service, None);
        }
        // Known value: the hash never changes between versions.
        assert_eq!(
            schedule_name(&"c".repeat(100), &"s".repeat(100), Switch::On),
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
        let name = schedule_name(&cluster, "web", Switch::On);
        assert!(
            name.starts_with(&format!("{}.web.", "x".repeat(39))),
            "{name}"
        );
        assert!(name.len() <= 64);
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
