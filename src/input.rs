//! Reading files the user names (`-f FILE`): a regular file, or `-` for standard input, no
//! larger than [`MAX_FILE_BYTES`], so a FIFO or `/dev/zero` cannot hang or exhaust the run.

use crate::exit::InvalidInput;
use crate::spec::ServiceSpec;
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

/// Reads and validates a fleet file: one request per service.
pub fn read_fleet(path: &Path) -> Result<Vec<ServiceSpec>, InvalidInput> {
    let text = read_text(path)?;
    crate::fleet::parse(&path.display().to_string(), &text).map_err(InvalidInput::new)
}
