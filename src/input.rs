//! Reading files the user names (`-f FILE`): a regular file, or `-` for standard input, no
//! larger than [`MAX_FILE_BYTES`], so a FIFO or `/dev/zero` cannot hang or exhaust the run.

use crate::calendar::Calendar;
use crate::exit::InvalidInput;
use crate::fleet::Fleet;
use std::io::Read;
use std::path::Path;

/// The largest file read: far above any fleet file (a 40,000-service file is about 4 MiB).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The text of a regular file, or of standard input for `-`.
pub fn read_text(path: &Path) -> Result<String, InvalidInput> {
    let shown = crate::text::printable(&path.display().to_string());
    let cannot = |e: std::io::Error| InvalidInput::with_context(format!("cannot read {shown}"), e);
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
    } else {
        let meta = std::fs::metadata(path).map_err(cannot)?;
        if !meta.is_file() {
            return Err(InvalidInput::new(format!(
                "{shown} is not a regular file (give a file, or - for standard input)"
            )));
        }
        std::fs::File::open(path)
            .map_err(cannot)?
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(InvalidInput::new(format!(
            "{shown} is larger than {} MiB",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    String::from_utf8(bytes).map_err(|_| InvalidInput::new(format!("{shown} is not UTF-8 text")))
}

/// Reads and validates a fleet file: its services and selectors. The iCalendar files its calendars
/// name are read relative to the fleet file's folder.
pub fn read_fleet(path: &Path) -> Result<Fleet, InvalidInput> {
    let text = read_text(path)?;
    let folder = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut read = |name: &str| -> Result<String, String> {
        let file = if path == Path::new("-") {
            Path::new(name).to_path_buf()
        } else {
            folder.join(name)
        };
        read_text(&file).map_err(|e| e.to_string())
    };
    crate::fleet::parse(&path.display().to_string(), &text, &mut read).map_err(InvalidInput::new)
}

/// Reads the skipped days of an iCalendar file.
pub fn read_ics(path: &Path) -> Result<Calendar, InvalidInput> {
    let text = read_text(path)?;
    crate::ics::read(&crate::text::printable(&path.display().to_string()), &text)
        .map_err(InvalidInput::new)
}
