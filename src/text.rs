//! Text that is safe to show: values from the user or from AWS may hold control characters
//! (which could rewrite the terminal) or be very long. No I/O.

/// Longest value shown whole in a message; longer ones are cut with `…`.
pub const MAX_SHOWN: usize = 300;

/// The text with every control character escaped (`\n`, `\u{1b}`), cut to [`MAX_SHOWN`]
/// characters.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_SHOWN + 8));
    for (i, c) in text.chars().enumerate() {
        if i == MAX_SHOWN {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_cuts() {
        assert_eq!(printable("web"), "web");
        assert_eq!(printable("a\nb\x1b[31m"), "a\\nb\\u{1b}[31m");
        let long = "x".repeat(1000);
        let shown = printable(&long);
        assert_eq!(shown.chars().count(), MAX_SHOWN + 1);
        assert!(shown.ends_with('…'));
    }
}
