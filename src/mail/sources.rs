//! Mail files, read one message at a time: `.eml` files, mbox files (mboxrd: `>From ` lines
//! unescaped) and maildir folders. An mbox is streamed, so memory holds one message, never the
//! whole file.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One message read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// `PATH`, or `PATH#N` for the Nth message (from 1) of an mbox.
    pub source: String,
    pub raw: Vec<u8>,
    /// The message was longer than the limit: `raw` holds only its start.
    pub too_large: bool,
}

/// The files behind `paths`, in order: a maildir's `cur/` and `new/` (never `tmp/`, never
/// dot-files), a folder's files sorted by name, or the file itself.
pub fn files(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let maildir = path.join("cur").is_dir() || path.join("new").is_dir();
            let dirs = if maildir { vec![path.join("cur"), path.join("new")] } else { vec![path.clone()] };
            for dir in dirs.into_iter().filter(|d| d.is_dir()) {
                let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)?
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
                    })
                    .collect();
                entries.sort();
                out.extend(entries);
            }
        } else if path.exists() {
            out.push(path.clone());
        } else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} does not exist", path.display()),
            ));
        }
    }
    Ok(out)
}

/// Reads the messages of one file, calling `each` for every one, and stops at the first error
/// `each` returns.
pub fn read<E: From<io::Error>>(
    path: &Path,
    limit: usize,
    mut each: impl FnMut(Found) -> Result<(), E>,
) -> Result<(), E> {
    let mut reader = BufReader::with_capacity(256 * 1024, File::open(path)?);
    let source = path.display().to_string();
    if !reader.fill_buf()?.starts_with(b"From ") {
        let mut raw = Vec::new();
        let n = reader.by_ref().take(limit as u64 + 1).read_to_end(&mut raw)?;
        let too_large = n > limit;
        raw.truncate(limit);
        return each(Found { source, raw, too_large });
    }
    let mut mbox = Mbox { reader, limit, number: 0, line: Vec::new(), ended: false };
    while let Some((raw, too_large)) = mbox.next_message()? {
        each(Found { source: format!("{source}#{}", mbox.number), raw, too_large })?;
    }
    Ok(())
}

struct Mbox<R> {
    reader: R,
    limit: usize,
    number: usize,
    /// The separator line that starts the next message, once read.
    line: Vec<u8>,
    ended: bool,
}

impl<R: BufRead> Mbox<R> {
    /// The next message, without its `From ` line and the blank line that ends it.
    fn next_message(&mut self) -> io::Result<Option<(Vec<u8>, bool)>> {
        if self.ended {
            return Ok(None);
        }
        if self.line.is_empty() && read_line(&mut self.reader, &mut self.line, self.limit)?.0 == 0 {
            return Ok(None);
        }
        self.number += 1;
        let mut raw = Vec::new();
        let mut too_large = false;
        let mut previous_blank = true;
        loop {
            let (read, cut) = read_line(&mut self.reader, &mut self.line, self.limit)?;
            if read == 0 {
                self.ended = true;
                break;
            }
            too_large |= cut;
            if previous_blank && self.line.starts_with(b"From ") {
                break;
            }
            previous_blank = self.line == b"\n" || self.line == b"\r\n";
            let line = unescape(&self.line);
            if raw.len() + line.len() > self.limit {
                too_large = true;
            } else {
                raw.extend_from_slice(line);
            }
        }
        // The blank line before the next separator belongs to the mbox, not to the message.
        if raw.ends_with(b"\r\n\r\n") {
            raw.truncate(raw.len() - 2);
        } else if raw.ends_with(b"\n\n") || raw == b"\n" {
            raw.truncate(raw.len() - 1);
        }
        Ok(Some((raw, too_large)))
    }
}

/// Reads one line, through its `\n`, into `line`, keeping at most `keep` bytes of it, so that
/// a file with no line breaks is never held whole. Returns the bytes read (0 at the end) and
/// whether the line was cut.
fn read_line(reader: &mut impl BufRead, line: &mut Vec<u8>, keep: usize) -> io::Result<(usize, bool)> {
    line.clear();
    let (mut read, mut cut) = (0, false);
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((read, cut));
        }
        let end = buf.iter().position(|&b| b == b'\n').map(|i| i + 1);
        let piece = &buf[..end.unwrap_or(buf.len())];
        let room = keep.saturating_sub(line.len());
        cut |= piece.len() > room;
        line.extend_from_slice(&piece[..piece.len().min(room)]);
        let n = piece.len();
        reader.consume(n);
        read += n;
        if end.is_some() {
            return Ok((read, cut));
        }
    }
}

/// mboxrd escapes every `>*From ` line with one more `>`; this takes it off.
fn unescape(line: &[u8]) -> &[u8] {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    if quotes > 0 && line[quotes..].starts_with(b"From ") { &line[1..] } else { line }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(mbox: &str, limit: usize) -> Vec<(String, bool)> {
        let mut m = Mbox { reader: mbox.as_bytes(), limit, number: 0, line: Vec::new(), ended: false };
        let mut out = Vec::new();
        while let Some((raw, big)) = m.next_message().unwrap() {
            out.push((String::from_utf8(raw).unwrap(), big));
        }
        out
    }

    #[test]
    fn an_mbox_splits_on_separator_lines_and_unescapes_from() {
        let mbox = "From a@x Mon Dec  6 10:00:00 2021\nSubject: one\n\n>From here\n>>From there\nFrom the text\n\nFrom b@x Mon Dec  6 10:00:00 2021\nSubject: two\n\nbody\n\n";
        let got = messages(mbox, 1 << 20);
        assert_eq!(
            got,
            vec![
                ("Subject: one\n\nFrom here\n>From there\nFrom the text\n".to_string(), false),
                ("Subject: two\n\nbody\n".to_string(), false),
            ]
        );
    }

    #[test]
    fn a_message_over_the_limit_is_flagged_and_the_next_still_read() {
        let mbox = format!("From a\nSubject: big\n\n{}\n\nFrom b\nSubject: small\n\nok\n", "x".repeat(100));
        let got = messages(&mbox, 50);
        assert!(got[0].1, "the first is too large");
        assert_eq!(got[1], ("Subject: small\n\nok\n".to_string(), false));
    }

    #[test]
    fn a_line_longer_than_the_limit_is_cut_not_held() {
        let mbox =
            format!("From a\nSubject: one line\n\n{}\n\nFrom b\nSubject: next\n\nok\n", "y".repeat(10_000));
        let got = messages(&mbox, 100);
        assert!(got[0].1 && got[0].0.len() <= 100, "flagged, and only its start kept");
        assert_eq!(got[1], ("Subject: next\n\nok\n".to_string(), false));
        let mut line = Vec::new();
        let mut reader = std::io::BufReader::with_capacity(7, "abcdefghij\nrest".as_bytes());
        assert_eq!(read_line(&mut reader, &mut line, 4).unwrap(), (11, true));
        assert_eq!(line, b"abcd");
        assert_eq!(read_line(&mut reader, &mut line, 4).unwrap(), (4, false));
        assert_eq!(read_line(&mut reader, &mut line, 4).unwrap(), (0, false));
    }

    #[test]
    fn unescaping_takes_one_quote_only_from_from_lines() {
        assert_eq!(unescape(b">From x"), b"From x");
        assert_eq!(unescape(b">>From x"), b">From x");
        assert_eq!(unescape(b"> quoted"), b"> quoted");
    }
}
