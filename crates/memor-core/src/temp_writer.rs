//! The writer an atomic save fills: buffered, and for large files pipelined.
//!
//! Output is gathered in 256 KiB buffers. A small file is written when the save finishes. Once
//! a save fills its first buffer, a second thread takes over the writing: full buffers go to it
//! through a bounded channel and come back empty, so that serializing the rest and copying into
//! the operating system's cache overlap. At most four buffers exist at once.

use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::thread::JoinHandle;

use tempfile::NamedTempFile;

/// The size of each buffer.
const BUFFER: usize = 1 << 18;

/// Where full buffers go.
enum Sink {
    /// Written here, by the caller's thread.
    Direct(NamedTempFile),
    /// Written by a second thread, which hands the file back when the channel closes.
    Pipelined {
        full: SyncSender<Vec<u8>>,
        empty: Receiver<Vec<u8>>,
        writer: JoinHandle<io::Result<NamedTempFile>>,
    },
    /// Between states, or after a failure.
    Gone,
}

/// A buffered writer into a temporary file; see the module's documentation.
pub(crate) struct TempWriter {
    buf: Vec<u8>,
    sink: Sink,
}

fn gone() -> io::Error {
    io::Error::other("the temporary file's writer stopped")
}

impl TempWriter {
    pub(crate) fn new(file: NamedTempFile) -> Self {
        TempWriter {
            buf: Vec::with_capacity(BUFFER),
            sink: Sink::Direct(file),
        }
    }

    /// Writes what is buffered and returns the file, every byte handed to the operating
    /// system.
    ///
    /// # Errors
    /// The first error writing met.
    pub(crate) fn finish(mut self) -> io::Result<NamedTempFile> {
        let buf = std::mem::take(&mut self.buf);
        match std::mem::replace(&mut self.sink, Sink::Gone) {
            Sink::Direct(mut file) => {
                file.write_all(&buf)?;
                Ok(file)
            }
            Sink::Pipelined { full, writer, .. } => {
                let sent = buf.is_empty() || full.send(buf).is_ok();
                drop(full);
                let file = writer.join().map_err(|_| gone())??;
                if sent { Ok(file) } else { Err(gone()) }
            }
            Sink::Gone => Err(gone()),
        }
    }

    /// Hands the full buffer on: to the writing thread, starting it the first time.
    fn pass_on(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if let Sink::Direct(_) = self.sink
            && let Sink::Direct(file) = std::mem::replace(&mut self.sink, Sink::Gone)
        {
            self.sink = start_writer(file)?;
        }
        match &mut self.sink {
            Sink::Pipelined { full, empty, .. } => {
                let next = match empty.try_recv() {
                    Ok(buf) => buf,
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => {
                        Vec::with_capacity(BUFFER)
                    }
                };
                let buf = std::mem::replace(&mut self.buf, next);
                if full.send(buf).is_err() {
                    // The writer stopped on an error: report it.
                    return Err(self.stop().err().unwrap_or_else(gone));
                }
                Ok(())
            }
            Sink::Direct(file) => {
                file.write_all(&self.buf)?;
                self.buf.clear();
                Ok(())
            }
            Sink::Gone => Err(gone()),
        }
    }

    /// Closes the channel and waits for the writing thread: its result.
    fn stop(&mut self) -> io::Result<NamedTempFile> {
        match std::mem::replace(&mut self.sink, Sink::Gone) {
            Sink::Pipelined { full, writer, .. } => {
                drop(full);
                writer.join().map_err(|_| gone())?
            }
            Sink::Direct(file) => Ok(file),
            Sink::Gone => Err(gone()),
        }
    }
}

impl TempWriter {
    /// `write_all` when `data` fills the buffer.
    #[cold]
    fn write_filling(&mut self, data: &[u8]) -> io::Result<()> {
        if data.len() >= BUFFER
            && let Sink::Direct(file) = &mut self.sink
        {
            // One large piece (a whole file's bytes): no copy, no thread.
            file.write_all(&self.buf)?;
            self.buf.clear();
            return file.write_all(data);
        }
        if self.buf.len() + data.len() > BUFFER {
            self.pass_on()?;
        }
        self.buf.extend_from_slice(data);
        if self.buf.len() >= BUFFER {
            self.pass_on()?;
        }
        Ok(())
    }
}

/// Starts the thread that writes full buffers into `file`. If no thread can be started, the
/// caller's thread goes on writing.
fn start_writer(file: NamedTempFile) -> io::Result<Sink> {
    let (full, full_rx) = sync_channel::<Vec<u8>>(2);
    let (empty_tx, empty) = sync_channel::<Vec<u8>>(2);
    // The file travels to the thread in a slot it can be taken back from if spawning fails.
    let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(file)));
    let theirs = std::sync::Arc::clone(&slot);
    let spawned = std::thread::Builder::new()
        .name("memor-save".into())
        .spawn(move || {
            let mut file = theirs
                .lock()
                .ok()
                .and_then(|mut f| f.take())
                .ok_or_else(gone)?;
            for mut buf in full_rx {
                file.write_all(&buf)?;
                buf.clear();
                // The caller may already have enough buffers.
                let _ = empty_tx.try_send(buf);
            }
            Ok(file)
        });
    match spawned {
        Ok(writer) => Ok(Sink::Pipelined {
            full,
            empty,
            writer,
        }),
        Err(_) => slot
            .lock()
            .ok()
            .and_then(|mut f| f.take())
            .map(Sink::Direct)
            .ok_or_else(gone),
    }
}

impl Write for TempWriter {
    #[inline]
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.write_all(data)?;
        Ok(data.len())
    }

    #[inline]
    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        if self.buf.len() + data.len() < BUFFER {
            self.buf.extend_from_slice(data);
            Ok(())
        } else {
            self.write_filling(data)
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        // Everything reaches the file in `finish`.
        Ok(())
    }
}

impl Drop for TempWriter {
    /// A save that failed or was abandoned still waits for its writing thread, so that the
    /// temporary file is removed before the save returns.
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_in_pieces(total: usize, piece: usize) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let file = NamedTempFile::new_in(dir.path()).unwrap();
        let mut w = TempWriter::new(file);
        let data: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
        for chunk in data.chunks(piece) {
            w.write_all(chunk).unwrap();
        }
        let file = w.finish().unwrap();
        let written = std::fs::read(file.path()).unwrap();
        assert_eq!(written, data, "{total} bytes in pieces of {piece}");
        written
    }

    #[test]
    fn small_and_large_files_are_written_whole_and_in_order() {
        for (total, piece) in [
            (0, 1),
            (10, 3),
            (BUFFER - 1, 7),
            (BUFFER, BUFFER),
            (BUFFER + 1, 1000),
            (10 * BUFFER + 17, 4093),
            (3 * BUFFER, 5 * BUFFER),
        ] {
            write_in_pieces(total, piece);
        }
    }

    #[test]
    fn an_abandoned_writer_removes_its_file_before_returning() {
        let dir = tempfile::tempdir().unwrap();
        let file = NamedTempFile::new_in(dir.path()).unwrap();
        let mut w = TempWriter::new(file);
        w.write_all(&vec![b'x'; 5 * BUFFER]).unwrap();
        drop(w);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
