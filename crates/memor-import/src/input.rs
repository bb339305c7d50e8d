//! Where an export's files are: a file, a folder, or a `.zip` of the export.

use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use crate::Source;
use crate::error::{Error, ErrorKind};

/// One file of the export to read.
#[derive(Clone, Debug)]
pub(crate) struct InputFile {
    /// The path shown in errors (`archive.zip/conversations.json` for an archive entry).
    pub(crate) shown: PathBuf,
    /// The file's name without folders.
    pub(crate) name: String,
    place: Place,
}

#[derive(Clone, Debug)]
enum Place {
    Fs(PathBuf),
    Zip { archive: PathBuf, entry: String },
}

impl InputFile {
    /// Opens the file for reading. An archive entry is decompressed to an anonymous temporary
    /// file first, so memory does not grow with the entry.
    pub(crate) fn open(&self) -> Result<Box<dyn Read>, Error> {
        match &self.place {
            Place::Fs(path) => Ok(Box::new(
                File::open(path).map_err(|e| Error::io(&self.shown, e))?,
            )),
            Place::Zip { archive, entry } => {
                let file = File::open(archive).map_err(|e| Error::io(archive, e))?;
                let mut zip = zip::ZipArchive::new(file).map_err(|e| zip_error(archive, &e))?;
                let mut entry = zip.by_name(entry).map_err(|e| zip_error(&self.shown, &e))?;
                let mut tmp = tempfile::tempfile().map_err(|e| Error::io(&self.shown, e))?;
                std::io::copy(&mut entry, &mut tmp).map_err(|e| Error::io(&self.shown, e))?;
                tmp.rewind().map_err(|e| Error::io(&self.shown, e))?;
                Ok(Box::new(tmp))
            }
        }
    }
}

fn zip_error(path: &Path, e: &zip::result::ZipError) -> Error {
    Error::new(ErrorKind::Io, path, format!("cannot read the archive: {e}"))
}

/// Whether a file name belongs to the export of `source` (when reading a folder or archive).
fn wanted(source: Source, name: &str) -> Option<u64> {
    let lower = name.to_ascii_lowercase();
    match source {
        Source::ChatGpt => {
            if lower == "conversations.json" {
                return Some(0);
            }
            let n = lower
                .strip_prefix("conversations-")?
                .strip_suffix(".json")?;
            n.parse::<u64>().ok()?.checked_add(1)
        }
        Source::Claude => (lower == "conversations.json").then_some(0),
        Source::GeminiTakeout => match lower.as_str() {
            "myactivity.json" => Some(0),
            "myactivity.html" => Some(1),
            _ => None,
        },
        // Saved chats have no extension on Drive, or `.json`; the folder also holds uploads.
        Source::AiStudio => {
            let extension = Path::new(&lower).extension().and_then(|e| e.to_str());
            (!lower.starts_with('.') && matches!(extension, None | Some("json"))).then_some(0)
        }
        Source::GeminiCli => {
            let extension = Path::new(&lower).extension().and_then(|e| e.to_str());
            (lower.starts_with("session-") && matches!(extension, Some("json" | "jsonl")))
                .then_some(0)
        }
    }
}

/// Ranks candidate paths: for Takeout, a file under a Gemini (or Bard) folder first.
fn rank(source: Source, path: &str) -> u8 {
    let lower = path.to_ascii_lowercase();
    match source {
        Source::GeminiTakeout if lower.contains("gemini") || lower.contains("bard") => 0,
        Source::GeminiTakeout => 1,
        _ => 0,
    }
}

/// The files to read, in order, and whether `path` was a folder or an archive holding them.
pub(crate) fn resolve(path: &Path, source: Source) -> Result<(Vec<InputFile>, bool), Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        let mut found = Vec::new();
        walk(path, 0, &mut found).map_err(|e| Error::io(path, e))?;
        let mut files: Vec<(u8, u64, String, PathBuf)> = found
            .into_iter()
            .filter_map(|p| {
                let name = p.file_name()?.to_str()?.to_string();
                let key = wanted(source, &name)?;
                Some((
                    rank(source, &p.to_string_lossy()),
                    key,
                    p.to_string_lossy().into_owned(),
                    p,
                ))
            })
            .collect();
        files.sort();
        let files = select(
            source,
            files
                .into_iter()
                .map(|(r, k, s, p)| (r, k, s, Place::Fs(p))),
        );
        if files.is_empty() {
            return Err(missing(path, source));
        }
        return Ok((files, true));
    }
    if is_zip(path) {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let zip = zip::ZipArchive::new(file).map_err(|e| zip_error(path, &e))?;
        let mut entries: Vec<(u8, u64, String, Place)> = zip
            .file_names()
            .filter(|n| !n.ends_with('/') && !n.starts_with("__MACOSX/"))
            .filter_map(|n| {
                let name = n.rsplit('/').next()?;
                let key = wanted(source, name)?;
                Some((
                    rank(source, n),
                    key,
                    n.to_string(),
                    Place::Zip {
                        archive: path.to_path_buf(),
                        entry: n.to_string(),
                    },
                ))
            })
            .collect();
        entries.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
        let files = select(source, entries.into_iter());
        if files.is_empty() {
            return Err(missing(path, source));
        }
        return Ok((files, true));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = InputFile {
        shown: path.to_path_buf(),
        name,
        place: Place::Fs(path.to_path_buf()),
    };
    Ok((vec![file], false))
}

/// Keeps the files that make up one export: for ChatGPT, `conversations.json` or its shards;
/// for Takeout, the best-ranked activity file; for the others, every match.
fn select(
    source: Source,
    sorted: impl Iterator<Item = (u8, u64, String, Place)>,
) -> Vec<InputFile> {
    let mut out: Vec<InputFile> = Vec::new();
    let mut first_key: Option<(u8, u64)> = None;
    for (rank, key, shown, place) in sorted {
        let name = shown
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .to_string();
        let shown_path = match &place {
            Place::Fs(p) => p.clone(),
            Place::Zip { archive, entry } => archive.join(entry),
        };
        match source {
            Source::ChatGpt => {
                // `conversations.json` alone, or the numbered shards.
                if let Some((_, 0)) = first_key {
                    break;
                }
            }
            Source::Claude | Source::GeminiTakeout => {
                if first_key.is_some() {
                    break;
                }
            }
            Source::AiStudio | Source::GeminiCli => {}
        }
        first_key.get_or_insert((rank, key));
        out.push(InputFile {
            shown: shown_path,
            name,
            place,
        });
    }
    out
}

fn missing(path: &Path, source: Source) -> Error {
    let expected = match source {
        Source::ChatGpt => "conversations.json (or conversations-000.json...)",
        Source::Claude => "conversations.json",
        Source::GeminiTakeout => "MyActivity.json",
        Source::AiStudio => "a saved chat",
        Source::GeminiCli => "session-*.json or session-*.jsonl",
    };
    Error::new(ErrorKind::NotFound, path, format!("no {expected} found"))
}

fn is_zip(path: &Path) -> bool {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        return true;
    }
    let mut magic = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == b"PK\x03\x04"
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if depth > 4 {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            walk(&path, depth + 1, out)?;
        } else if kind.is_file() {
            out.push(path);
        }
    }
    Ok(())
}
