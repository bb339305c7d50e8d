//! Writing results and the failure type.

use std::fmt;
use std::io::Write;

/// Why a command failed, with its exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) message: String,
    pub(crate) code: u8,
}

impl Failure {
    /// Bad input: exit code 1.
    pub(crate) fn input(message: impl fmt::Display) -> Self {
        Failure {
            message: message.to_string(),
            code: 1,
        }
    }

    /// Wrong usage: exit code 2.
    pub(crate) fn usage(message: impl fmt::Display) -> Self {
        Failure {
            message: message.to_string(),
            code: 2,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

pub(crate) type Result<T, E = Failure> = std::result::Result<T, E>;

/// Writes `text` and a newline to stdout. A closed pipe (`memor ... | head`) is not an error.
pub(crate) fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let written = out
        .write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::input(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// Writes a JSON value to stdout, compact or pretty.
pub(crate) fn print_json(value: &serde_json::Value, pretty: bool) -> Result<()> {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    print(&text.map_err(|e| Failure::input(e.to_string()))?)
}
