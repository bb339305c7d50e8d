//! memor's files: reading them and saving them atomically.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result, msg};
use crate::json;
use crate::json::read::{Kind, Reader};
use crate::prompt::{Prompt, PromptJson};
use crate::prompt_template::PromptTemplate;
use crate::response::Response;
use crate::session::{Session, SessionFile};
use crate::temp_writer::TempWriter;

/// How [`write_atomic_with`] makes a file reach the disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// Atomic: the data is written and flushed to the operating system, then the temporary
    /// file is renamed over the target. A crash of the process at any moment leaves either the
    /// old or the new file.
    #[default]
    Atomic,
    /// Also survives a power loss: the file and its directory are synced to the disk.
    Durable,
}

/// Writes `bytes` to `path` atomically ([`Durability::Atomic`]).
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("a.json");
/// memor_core::write_atomic(&path, b"{}")?;
/// assert_eq!(std::fs::read(&path)?, b"{}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// The directory is not writable, the disk is full, or the rename fails; the old file is then
/// untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, Durability::Atomic, |w| w.write_all(bytes))
}

/// Writes to `path` atomically: `write` fills a temporary file in the same directory, which is
/// flushed (and synced, with [`Durability::Durable`]) and renamed over `path`. On any failure the
/// temporary file is removed and the old file is untouched.
///
/// # Errors
/// As [`write_atomic`], or `write`'s own error.
pub fn write_atomic_with(
    path: &Path,
    durability: Durability,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    replace_file(path, durability, |w| write(w))
}

/// [`write_atomic_with`] with a concrete writer, so that serializers writing many small pieces
/// call the buffer directly.
fn replace_file(
    path: &Path,
    durability: Durability,
    write: impl FnOnce(&mut TempWriter) -> std::io::Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".memor-").suffix(".tmp");
    #[cfg(unix)]
    {
        // A new file gets the mode any new file gets (0o666 less the umask), not the private
        // mode of temporary files.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(dir).map_err(|e| Error::io(path, e))?;
    // A file being replaced keeps its permissions.
    let mut replaced = None;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(|e| Error::io(path, e))?;
        replaced = open_replaced(path, &meta);
    }
    let mut writer = TempWriter::new(tmp);
    write(&mut writer).map_err(|e| Error::io(path, e))?;
    let tmp = writer.finish().map_err(|e| Error::io(path, e))?;
    if durability == Durability::Durable {
        tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    if let Some(file) = replaced {
        release_in_background(file);
    }
    if durability == Durability::Durable
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Files at least this large are released in the background when replaced.
const RELEASE_IN_BACKGROUND: u64 = 1 << 20;

/// The file about to be replaced, kept open so that the rename does not free its blocks: that
/// happens when the last handle closes, which [`release_in_background`] does off the caller's
/// path (freeing a 12 MB file takes ~6 ms on ext4 with `discard`, as long as writing it). Only
/// regular files of at least 1 MiB, opened without following links or blocking (a FIFO put
/// there since the `metadata` call must not stall the save).
#[cfg(unix)]
fn open_replaced(path: &Path, meta: &std::fs::Metadata) -> Option<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    if !meta.is_file() || meta.len() < RELEASE_IN_BACKGROUND {
        return None;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()
}

#[cfg(not(unix))]
fn open_replaced(_: &Path, _: &std::fs::Metadata) -> Option<std::fs::File> {
    // Elsewhere an open handle can keep the rename from replacing the file.
    let _ = RELEASE_IN_BACKGROUND;
    None
}

/// Closes `file` on a background thread, started on first use. If the thread cannot be
/// started the file is closed here. Files still queued when the process exits are closed by
/// the operating system, which frees them just the same.
fn release_in_background(file: std::fs::File) {
    use std::sync::OnceLock;
    use std::sync::mpsc::{Sender, channel};
    static RELEASER: OnceLock<Option<Sender<std::fs::File>>> = OnceLock::new();
    let sender = RELEASER.get_or_init(|| {
        let (tx, rx) = channel::<std::fs::File>();
        std::thread::Builder::new()
            .name("memor-release".into())
            .spawn(move || rx.into_iter().for_each(drop))
            .ok()
            .map(|_| tx)
    });
    if let Some(tx) = sender {
        // A send only fails if the thread is gone; the file comes back and is closed here.
        let _ = tx.send(file);
    }
}

// Files are written from views of the objects (`SessionFile`, `PromptJson::file`) that emit
// work shared between messages as raw JSON (see `json::RawJson`), through `json::to_writer` only.

/// Serializes the file view `value` straight into an atomically written file.
fn save_value<T: Serialize + ?Sized>(path: &Path, durability: Durability, value: &T) -> Result<()> {
    replace_file(path, durability, |w| {
        json::to_writer(w, value).map_err(std::io::Error::other)
    })
}

/// The file view `value` as a string.
fn file_string<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    json::to_string(value).map_err(|e| Error::validation(e.to_string()))
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        Error::validation("Invalid file: it is not UTF-8 text.")
            .context(format!("invalid UTF-8 at byte {offset}"))
            .with_path(path)
    })
}

fn size_of<T: Serialize + ?Sized>(value: &T) -> usize {
    json::serialized_len(value).unwrap_or(0)
}

macro_rules! file_methods {
    ($ty:ty) => {
        impl $ty {
            /// Loads the object from a memor file.
            ///
            /// # Errors
            /// The file cannot be read, or memor would refuse its content.
            pub fn load(path: impl AsRef<Path>) -> Result<Self> {
                let path = path.as_ref();
                Self::from_json(&read_text(path)?).map_err(|e| e.with_path(path))
            }
        }
    };
}

file_methods!(Response);
file_methods!(Prompt);
file_methods!(Session);
file_methods!(PromptTemplate);

/// `to_json`, `save`, `save_durable` and `size` for the types saved whole, written from the
/// file view `$view(self)`.
macro_rules! save_methods {
    ($ty:ty, $what:literal, $view:expr) => {
        impl $ty {
            #[doc = concat!("The JSON text memor writes for this ", $what, ".")]
            ///
            /// # Errors
            /// Never in practice: serialization of memor's types does not fail.
            pub fn to_json(&self) -> Result<String> {
                file_string(&$view(self))
            }
            #[doc = concat!("Saves the ", $what, " atomically.")]
            ///
            /// # Errors
            /// The file cannot be written; the old file is then untouched.
            pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
                save_value(path.as_ref(), Durability::Atomic, &$view(self))
            }
            /// Saves atomically and syncs to the disk, to survive a power loss.
            ///
            /// # Errors
            /// As `save`.
            pub fn save_durable(&self, path: impl AsRef<Path>) -> Result<()> {
                save_value(path.as_ref(), Durability::Durable, &$view(self))
            }
            /// The size in bytes of the saved JSON (memor's `size`).
            pub fn size(&self) -> usize {
                size_of(&$view(self))
            }
        }
    };
}

save_methods!(Response, "response", std::convert::identity);
save_methods!(Session, "session", SessionFile);
save_methods!(PromptTemplate, "template", std::convert::identity);

impl Prompt {
    /// The JSON text memor writes for this prompt, with or without its template.
    ///
    /// # Errors
    /// Never in practice.
    pub fn to_json(&self, save_template: bool) -> Result<String> {
        file_string(&PromptJson::file(self, save_template))
    }
    /// Saves the prompt atomically, with or without its template.
    ///
    /// # Errors
    /// The file cannot be written; the old file is then untouched.
    pub fn save(&self, path: impl AsRef<Path>, save_template: bool) -> Result<()> {
        save_value(
            path.as_ref(),
            Durability::Atomic,
            &PromptJson::file(self, save_template),
        )
    }
    /// The size in bytes of the JSON with the template (memor's `size`).
    pub fn size(&self) -> usize {
        size_of(&PromptJson::file(self, true))
    }
}

/// Any object memor saves.
#[derive(Clone, Debug)]
pub enum Object {
    /// A response file.
    Response(Response),
    /// A prompt file.
    Prompt(Prompt),
    /// A session file.
    Session(Session),
    /// A template file.
    Template(PromptTemplate),
}

/// The kind of a memor object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    /// `Response`
    Response,
    /// `Prompt`
    Prompt,
    /// `Session`
    Session,
    /// `PromptTemplate`
    Template,
}

impl ObjectKind {
    /// memor's class name.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Response => "Response",
            ObjectKind::Prompt => "Prompt",
            ObjectKind::Session => "Session",
            ObjectKind::Template => "PromptTemplate",
        }
    }
}

impl Object {
    /// Reads any memor object from JSON text: its `type` member decides (`Response`, `Prompt`,
    /// `Session`); an object without `type` that has `content` and `custom_map` is a template.
    ///
    /// # Errors
    /// Not a memor object, or memor would refuse it.
    pub fn from_json(text: &str) -> Result<Self> {
        match detect_kind(text)? {
            ObjectKind::Response => Response::from_json(text).map(Object::Response),
            ObjectKind::Prompt => Prompt::from_json(text).map(Object::Prompt),
            ObjectKind::Session => Session::from_json(text).map(Object::Session),
            ObjectKind::Template => PromptTemplate::from_json(text).map(Object::Template),
        }
    }

    /// Loads any memor object from a file.
    ///
    /// # Errors
    /// As [`Object::from_json`], or the file cannot be read.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        Self::from_json(&read_text(path)?).map_err(|e| e.with_path(path))
    }

    /// The kind of object.
    pub fn kind(&self) -> ObjectKind {
        match self {
            Object::Response(_) => ObjectKind::Response,
            Object::Prompt(_) => ObjectKind::Prompt,
            Object::Session(_) => ObjectKind::Session,
            Object::Template(_) => ObjectKind::Template,
        }
    }

    /// The JSON text memor writes for the object (a prompt with its template).
    ///
    /// # Errors
    /// Never in practice.
    pub fn to_json(&self) -> Result<String> {
        match self {
            Object::Response(r) => r.to_json(),
            Object::Prompt(p) => p.to_json(true),
            Object::Session(s) => s.to_json(),
            Object::Template(t) => t.to_json(),
        }
    }
}

/// The kind of the object in `text`, from its members.
///
/// # Errors
/// The text is not a JSON object, or it is not any memor object.
pub fn detect_kind(text: &str) -> Result<ObjectKind> {
    let mut reader = Reader::new(text);
    if reader.peek() != Kind::Dict {
        return Err(
            Error::validation("Not a memor object: expected a JSON object.")
                .context(format!("at byte {}", reader.offset())),
        );
    }
    let mut type_name = None;
    let mut has_content = false;
    let mut has_custom_map = false;
    let scan = reader.object(|r, key| {
        match &*key {
            "type" => type_name = r.value()?.as_str().map(str::to_owned),
            "content" => {
                has_content = true;
                r.skip()?;
            }
            "custom_map" => {
                has_custom_map = true;
                r.skip()?;
            }
            _ => r.skip()?,
        }
        Ok(())
    });
    if let Err(e) = scan {
        return Err(Error::validation("Not a memor object: invalid JSON.").context(e.to_string()));
    }
    match type_name.as_deref() {
        Some("Response") => Ok(ObjectKind::Response),
        Some("Prompt") => Ok(ObjectKind::Prompt),
        Some("Session") => Ok(ObjectKind::Session),
        Some(other) => Err(Error::validation(msg::SESSION_STRUCTURE)
            .context(format!("unknown object type {other:?}"))),
        None if has_content && has_custom_map => Ok(ObjectKind::Template),
        None => Err(Error::validation("Not a memor object: no `type` member.")),
    }
}
/// memor's size-warning texts (Python emits them as `RuntimeWarning`s when rendering).
impl Response {
    /// The size warning memor would emit now, if the size warning is on and exceeded.
    pub fn size_warning(&self) -> Option<String> {
        message_size_warning(&self.warnings, &self.id, || self.size())
    }
}

impl Prompt {
    /// The size warning memor would emit now, if the size warning is on and exceeded.
    pub fn size_warning(&self) -> Option<String> {
        message_size_warning(&self.warnings, &self.id, || self.size())
    }
}

impl crate::Message {
    /// The size warning memor would emit now for the prompt or response.
    pub fn size_warning(&self) -> Option<String> {
        match self {
            crate::Message::Prompt(p) => p.size_warning(),
            crate::Message::Response(r) => r.size_warning(),
        }
    }
}

impl Session {
    /// The size warning memor would emit now for the session itself.
    pub fn size_warning(&self) -> Option<String> {
        let threshold = self.warnings.size_threshold()?;
        let size = self.size();
        (size as f64 > threshold).then(|| {
            format!(
                "Session exceeded size threshold ({size} > {}).",
                self.warnings.threshold_text()
            )
        })
    }

    /// Every warning a STRING render emits, in memor's order: the session's, then each
    /// enabled message's, up to the first message that fails to render.
    pub fn render_warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = self.size_warning().into_iter().collect();
        for (_, message) in self.enabled_messages() {
            out.extend(message.size_warning());
            if let crate::Message::Prompt(p) = message
                && p.render_string().is_err()
            {
                break;
            }
        }
        out
    }
}

/// The size is only computed when the warning is on.
fn message_size_warning(
    warnings: &crate::Warnings,
    id: &str,
    size: impl FnOnce() -> usize,
) -> Option<String> {
    let threshold = warnings.size_threshold()?;
    let size = size();
    (size as f64 > threshold).then(|| {
        format!(
            "Message {id} exceeded size threshold ({size} > {}).",
            warnings.threshold_text()
        )
    })
}
