//! Validated text types: a value of one of these types has passed its check, so code that takes
//! it never checks again. `FromStr` runs the check, so clap parses flags straight into them and a
//! bad value is a usage error (exit 2) with the check's own message.

/// Declares `pub struct $name(String)` whose only constructor is `$check`.
macro_rules! validated_string {
    ($(#[$meta:meta])* $name:ident, $error:ty, $check:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = $error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                $check(text)?;
                Ok($name(text.to_string()))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}
