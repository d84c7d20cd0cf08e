//! A form with files read as it streams in (the portal's support form and ticket reply): a
//! file over its cap, or one that would take the message's files past theirs, is set aside as
//! it arrives (its field, name and size kept, its bytes dropped), so what is held stays within
//! the caps however much is sent, and the page can still say which file was refused and why,
//! and keep the text typed with it. Refusing the whole body with a bare 413 at the edge, as
//! before, lost that text.
//!
//! What is kept is the body less the set-aside parts: each removed part runs from its
//! delimiter to the next one, so the rest is still `multipart/form-data` for the strict
//! parser (`multipart::parse`), which judges everything else as before.

pub use crate::http::SetAside;
use crate::multipart::{find_delimiter, part_from};

/// The caps a trimmed form is read under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    /// Largest single file kept.
    pub file: usize,
    /// Largest total of the files kept.
    pub files: usize,
    /// Most bytes held in all (files, fields, headers): past it the body is refused.
    pub held: usize,
}

/// Longest header block of a part that is read for its file name; a longer one is kept as
/// it is, for the parser to refuse.
const MAX_HEADER_BYTES: usize = 8 * 1024;

/// Where the reader is.
enum State {
    /// Before the first delimiter.
    Preamble,
    /// A part's headers, from its delimiter at `start` on.
    Headers { start: usize },
    /// A part's data, from `data` on; `file` (field, name) when it is a file.
    Data { start: usize, data: usize, file: Option<(String, String)> },
    /// A file set aside: only its size is counted on.
    Dropped(SetAside),
}

/// A `multipart/form-data` body read chunk by chunk.
pub struct Trimmer {
    /// CRLF "--" boundary (RFC 2046 §5.1.1).
    delimiter: Vec<u8>,
    caps: Caps,
    kept: Vec<u8>,
    /// Bytes not yet known to hold no delimiter (at most one delimiter's length after a push).
    pending: Vec<u8>,
    state: State,
    files_kept: usize,
    set_aside: Vec<SetAside>,
}

/// The body held more than `Caps::held`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge;

impl Trimmer {
    pub fn new(boundary: &str, caps: Caps) -> Trimmer {
        // A CRLF before the body makes its opening boundary a delimiter like every other; the
        // parser takes the CRLF as an empty preamble.
        Trimmer {
            delimiter: [b"\r\n--", boundary.as_bytes()].concat(),
            caps,
            kept: Vec::new(),
            pending: b"\r\n".to_vec(),
            state: State::Preamble,
            files_kept: 0,
            set_aside: Vec::new(),
        }
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), TooLarge> {
        self.pending.extend_from_slice(chunk);
        let mut pending = std::mem::take(&mut self.pending);
        let mut from = 0;
        loop {
            let rest = pending.get(from..).unwrap_or_default();
            let Some(at) = find_delimiter(rest, &self.delimiter) else {
                // The last bytes may begin a delimiter the next chunk completes.
                let safe = rest.len().saturating_sub(self.delimiter.len() - 1);
                self.take(rest.get(..safe).unwrap_or_default());
                from += safe;
                break;
            };
            self.take(rest.get(..at).unwrap_or_default());
            self.end_part();
            let start = self.kept.len();
            self.kept.extend_from_slice(&self.delimiter);
            self.state = State::Headers { start };
            from += at + self.delimiter.len();
        }
        pending.drain(..from.min(pending.len()));
        self.pending = pending;
        if self.kept.len() > self.caps.held {
            return Err(TooLarge);
        }
        Ok(())
    }

    /// The body kept and the files set aside.
    pub fn finish(mut self) -> Result<(Vec<u8>, Vec<SetAside>), TooLarge> {
        let pending = std::mem::take(&mut self.pending);
        self.take(&pending);
        self.end_part();
        if self.kept.len() > self.caps.held {
            return Err(TooLarge);
        }
        Ok((self.kept, self.set_aside))
    }

    /// Bytes of the current part.
    fn take(&mut self, bytes: &[u8]) {
        if let State::Dropped(file) = &mut self.state {
            file.size = file.size.saturating_add(bytes.len());
            return;
        }
        self.kept.extend_from_slice(bytes);
        if let State::Headers { start } = self.state {
            self.read_headers(start);
        }
        self.check_file();
    }

    /// Moves from a part's headers to its data once they are complete.
    fn read_headers(&mut self, start: usize) {
        let from = start + self.delimiter.len();
        let block = self.kept.get(from..).unwrap_or_default();
        let Some(end) = block.windows(4).position(|w| w == b"\r\n\r\n") else {
            if block.len() > MAX_HEADER_BYTES {
                self.state = State::Data { start, data: self.kept.len(), file: None };
            }
            return;
        };
        // After the delimiter: transport padding, CRLF, then the header lines.
        let file = block
            .get(..end)
            .map(|head| head.iter().skip_while(|b| **b == b' ' || **b == b'\t').copied().collect::<Vec<u8>>())
            .and_then(|head| head.strip_prefix(b"\r\n").map(<[u8]>::to_vec))
            .and_then(|head| String::from_utf8(head).ok())
            .and_then(|head| part_from(&head, &[]).ok().and_then(|part| Some((part.name, part.filename?))));
        self.state = State::Data { start, data: from + end + 4, file };
    }

    /// Sets the current file aside once it passes a cap: its bytes so far go, and the rest
    /// are only counted.
    fn check_file(&mut self) {
        let State::Data { start, data, file: Some((field, filename)) } = &self.state else {
            return;
        };
        let size = self.kept.len().saturating_sub(*data);
        if size > self.caps.file || self.files_kept.saturating_add(size) > self.caps.files {
            let file = SetAside { field: field.clone(), filename: filename.clone(), size };
            self.kept.truncate(*start);
            self.state = State::Dropped(file);
        }
    }

    /// The current part ends at a delimiter (or the body's end).
    fn end_part(&mut self) {
        match std::mem::replace(&mut self.state, State::Preamble) {
            State::Data { data, file: Some(_), .. } => {
                self.files_kept = self.files_kept.saturating_add(self.kept.len().saturating_sub(data));
            }
            State::Dropped(file) => self.set_aside.push(file),
            State::Preamble | State::Headers { .. } | State::Data { file: None, .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multipart::{parse, Limits};

    const B: &str = "XyZ";
    const CAPS: Caps = Caps { file: 10, files: 15, held: 1000 };

    fn body(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
        let mut body = Vec::new();
        for (name, filename, data) in parts {
            body.extend_from_slice(format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
            if let Some(filename) = filename {
                body.extend_from_slice(format!("; filename=\"{filename}\"").as_bytes());
            }
            body.extend_from_slice(b"\r\n\r\n");
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{B}--\r\n").as_bytes());
        body
    }

    fn trimmed(body: &[u8], chunk: usize) -> (Vec<u8>, Vec<SetAside>) {
        let mut trimmer = Trimmer::new(B, CAPS);
        for piece in body.chunks(chunk) {
            trimmer.push(piece).unwrap();
        }
        trimmer.finish().unwrap()
    }

    fn names(kept: &[u8]) -> Vec<(String, Vec<u8>)> {
        let limits = Limits { max_parts: 10, max_total_bytes: 1000, max_header_bytes: 1000 };
        parse(kept, B, &limits).unwrap().into_iter().map(|p| (p.name, p.data.to_vec())).collect()
    }

    #[test]
    fn files_within_the_caps_are_kept_whole_whatever_the_chunks() {
        let sent = body(&[
            ("body", None, b"Hello"),
            ("files", Some("a.txt"), b"0123456789"),
            ("files", Some("b.txt"), b"abc"),
        ]);
        for chunk in [1, 2, 3, 7, 64, sent.len()] {
            let (kept, aside) = trimmed(&sent, chunk);
            assert!(aside.is_empty(), "chunk {chunk}");
            assert_eq!(
                names(&kept),
                [
                    ("body".into(), b"Hello".to_vec()),
                    ("files".into(), b"0123456789".to_vec()),
                    ("files".into(), b"abc".to_vec())
                ],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn a_file_over_its_cap_or_past_the_total_is_set_aside_with_its_size_and_the_text_is_kept() {
        let big = [b'x'; 25];
        let sent = body(&[
            ("body", None, b"Keep me"),
            ("files", Some("big.pdf"), &big),
            ("files", Some("nine.txt"), b"123456789"),
            ("files", Some("seven.txt"), b"1234567"),
            ("files", Some("two.txt"), b"12"),
        ]);
        for chunk in [1, 4, 9, 100] {
            let (kept, aside) = trimmed(&sent, chunk);
            assert_eq!(
                aside,
                [
                    SetAside { field: "files".into(), filename: "big.pdf".into(), size: 25 },
                    SetAside { field: "files".into(), filename: "seven.txt".into(), size: 7 },
                ],
                "chunk {chunk}"
            );
            let kept = names(&kept);
            assert_eq!(kept.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["body", "files", "files"]);
            assert_eq!(kept[0].1, b"Keep me");
            assert_eq!((kept[1].1.len(), kept[2].1.len()), (9, 2), "9 + 2 fit under 15; 9 + 7 did not");
        }
    }

    #[test]
    fn what_is_held_is_bounded_and_a_body_of_only_text_past_it_is_refused() {
        let sent = body(&[("body", None, &[b'x'; 2000])]);
        let mut trimmer = Trimmer::new(B, CAPS);
        assert_eq!(sent.chunks(100).try_for_each(|piece| trimmer.push(piece)), Err(TooLarge));
        // A file of any size is only counted.
        let huge = vec![b'y'; 100_000];
        let (kept, aside) = trimmed(&body(&[("files", Some("huge.zip"), &huge)]), 4096);
        assert!(kept.len() < 100, "{}", kept.len());
        assert_eq!(aside[0].size, 100_000);
    }
}
