//! IANA time zone names as EventBridge Scheduler takes them (`ScheduleExpressionTimezone`).
//! Names are matched exactly: `america/new_york` is refused with the right spelling suggested,
//! since AWS is not known to accept other spellings.

use jiff::tz::TimeZone;

/// A time zone name that AWS and the bundled IANA database both know.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    #[error("time zone '{0}' is not an IANA time zone name (for example Europe/Berlin, America/New_York or UTC)")]
    Unknown(String),
    #[error("time zone '{given}' is spelled '{canonical}' in the IANA database; names are case-sensitive")]
    Case { given: String, canonical: String },
    #[error("time zone '{0}' is longer than the 50 characters AWS allows")]
    TooLong(String),
}

impl Zone {
    pub fn parse(name: &str) -> Result<Zone, ZoneError> {
        if name.len() > 50 {
            return Err(ZoneError::TooLong(name.to_string()));
        }
        // Reject POSIX TZ strings and offsets that jiff may interpret but AWS does not take.
        let plausible = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_-+".contains(&b))
            && !name.starts_with(['/', '-', '+']);
        if !plausible {
            return Err(ZoneError::Unknown(name.to_string()));
        }
        let tz = TimeZone::get(name).map_err(|_| ZoneError::Unknown(name.to_string()))?;
        match tz.iana_name() {
            Some(canonical) if canonical == name => Ok(Zone {
                name: name.to_string(),
                tz,
            }),
            Some(canonical) if canonical.eq_ignore_ascii_case(name) => Err(ZoneError::Case {
                given: name.to_string(),
                canonical: canonical.to_string(),
            }),
            _ => Err(ZoneError::Unknown(name.to_string())),
        }
    }

    pub fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }
}

impl std::str::FromStr for Zone {
    type Err = ZoneError;
    fn from_str(name: &str) -> Result<Zone, ZoneError> {
        Zone::parse(name)
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for Zone {}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}
