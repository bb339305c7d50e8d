//! Workspace tasks. The one task is `codegen`: generating `crates/memor-presets/src/generated.rs`
//! from the data files in `crates/memor-presets/data/`.
//!
//! [`generate`] is a pure function from the data files' text to the generated source, which is
//! already laid out as rustfmt would leave it, so checking for staleness is a plain comparison
//! that does not depend on the installed rustfmt.
//!
//! ```text
//! cargo run -p xtask -- codegen           # write generated.rs
//! cargo run -p xtask -- codegen --check   # exit with 1 when generated.rs is stale
//! ```

pub mod catalog;
mod codegen;
mod rust;

use std::fmt;
use std::path::{Path, PathBuf};

pub use catalog::{Catalog, variant_ident};

/// The catalog data file, relative to the workspace root.
pub const CATALOG_PATH: &str = "crates/memor-presets/data/catalog.json";

/// The generated file, relative to the workspace root.
pub const GENERATED_PATH: &str = "crates/memor-presets/src/generated.rs";

/// A generation failure: unreadable or inconsistent data, or an I/O error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Generates the source of `generated.rs` from the text of `catalog.json`.
///
/// The output depends only on the input (no clock, no environment, no hash-map order).
pub fn generate(catalog_json: &str) -> Result<String, Error> {
    let catalog = Catalog::parse(catalog_json)?;
    Ok(codegen::emit(&catalog))
}

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

/// Reads the data files under `root` and generates the source of `generated.rs`.
pub fn generate_in(root: &Path) -> Result<String, Error> {
    let path = root.join(CATALOG_PATH);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::new(format!("reading {}: {e}", path.display())))?;
    generate(&text)
}

/// What [`check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `generated.rs` is what the generator produces now.
    Fresh,
    /// `generated.rs` differs from what the generator produces now (or is missing).
    Stale,
}

/// Compares `generated.rs` under `root` with what the generator produces now.
pub fn check(root: &Path) -> Result<Status, Error> {
    let expected = generate_in(root)?;
    let path = root.join(GENERATED_PATH);
    match std::fs::read_to_string(&path) {
        Ok(actual) if actual == expected => Ok(Status::Fresh),
        Ok(_) => Ok(Status::Stale),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Status::Stale),
        Err(e) => Err(Error::new(format!("reading {}: {e}", path.display()))),
    }
}

/// Writes `generated.rs` under `root` (only when its content changes); returns whether it did.
pub fn write(root: &Path) -> Result<bool, Error> {
    let expected = generate_in(root)?;
    let path = root.join(GENERATED_PATH);
    if std::fs::read_to_string(&path).is_ok_and(|actual| actual == expected) {
        return Ok(false);
    }
    std::fs::write(&path, expected)
        .map_err(|e| Error::new(format!("writing {}: {e}", path.display())))?;
    Ok(true)
}
