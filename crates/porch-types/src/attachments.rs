//! Files attached to ticket messages: which kinds a portal accepts, how large, under what name,
//! and the `Content-Disposition` they are served with.
//!
//! A file is accepted on two counts that must agree: its name's extension picks a kind from an
//! allow-list, and its first bytes must be that kind (OWASP File Upload Cheat Sheet: allow-list
//! extensions, validate the file type, do not trust the Content-Type header). What is stored is
//! the kind's canonical content type, so a file can never be served as something it is not.

use std::fmt::{self, Write as _};

/// Most files on one message.
pub const MAX_FILES_PER_MESSAGE: usize = 5;
/// Largest single file.
pub const MAX_FILE_BYTES: usize = 10 * MIB;
/// Largest total of a message's files.
pub const MAX_MESSAGE_BYTES: usize = 20 * MIB;
/// Longest file name, in characters.
pub const MAX_FILENAME_CHARS: usize = 120;
// `Filename::parse`'s message names this limit in a static text.
const _: () = assert!(MAX_FILENAME_CHARS == 120, "update the file name message with the limit");

const MIB: usize = 1024 * 1024;

/// The kinds of file a portal accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Pdf,
    Text,
    Csv,
    Zip,
    Docx,
    Xlsx,
}

impl FileKind {
    pub const ALL: [FileKind; 10] = [
        FileKind::Png,
        FileKind::Jpeg,
        FileKind::Gif,
        FileKind::Webp,
        FileKind::Pdf,
        FileKind::Text,
        FileKind::Csv,
        FileKind::Zip,
        FileKind::Docx,
        FileKind::Xlsx,
    ];

    /// The content type stored and served for this kind. Text kinds name UTF-8, which their
    /// check guarantees, so no browser guesses another charset.
    pub fn content_type(&self) -> &'static str {
        match self {
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Gif => "image/gif",
            FileKind::Webp => "image/webp",
            FileKind::Pdf => "application/pdf",
            FileKind::Text => "text/plain; charset=utf-8",
            FileKind::Csv => "text/csv; charset=utf-8",
            FileKind::Zip => "application/zip",
            FileKind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The extensions (lower case, without the dot) that name this kind.
    pub fn extensions(&self) -> &'static [&'static str] {
        match self {
            FileKind::Png => &["png"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Gif => &["gif"],
            FileKind::Webp => &["webp"],
            FileKind::Pdf => &["pdf"],
            FileKind::Text => &["txt", "log"],
            FileKind::Csv => &["csv"],
            FileKind::Zip => &["zip"],
            FileKind::Docx => &["docx"],
            FileKind::Xlsx => &["xlsx"],
        }
    }

    /// The kind an extension names, ignoring case; None for anything not on the allow-list.
    pub fn from_extension(extension: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|kind| kind.extensions().iter().any(|e| e.eq_ignore_ascii_case(extension)))
    }

    /// A name for people, used in error messages.
    fn label(self) -> &'static str {
        match self {
            FileKind::Png => "PNG image",
            FileKind::Jpeg => "JPEG image",
            FileKind::Gif => "GIF image",
            FileKind::Webp => "WebP image",
            FileKind::Pdf => "PDF document",
            FileKind::Text => "UTF-8 text file",
            FileKind::Csv => "UTF-8 CSV file",
            FileKind::Zip => "ZIP archive",
            FileKind::Docx => "Word document",
            FileKind::Xlsx => "Excel workbook",
        }
    }

    /// Whether the content is this kind, by its signature ("magic bytes").
    ///
    /// Office documents are ZIP archives; telling a .docx from any other ZIP would mean reading
    /// the archive, and it would not make the file safer: all three are served as downloads
    /// that the browser does not open. Text must be UTF-8 without NUL bytes, which keeps
    /// binaries out of text/plain.
    fn matches(self, data: &[u8]) -> bool {
        match self {
            FileKind::Png => data.starts_with(b"\x89PNG\r\n\x1a\n"),
            FileKind::Jpeg => data.starts_with(&[0xFF, 0xD8, 0xFF]),
            FileKind::Gif => data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a"),
            FileKind::Webp => data.starts_with(b"RIFF") && data.get(8..12) == Some(b"WEBP".as_slice()),
            FileKind::Pdf => data.starts_with(b"%PDF-"),
            FileKind::Zip | FileKind::Docx | FileKind::Xlsx => data.starts_with(b"PK\x03\x04"),
            FileKind::Text | FileKind::Csv => !data.contains(&0) && std::str::from_utf8(data).is_ok(),
        }
    }
}

/// A file name fit to store and show: no path, no control or direction-changing characters,
/// not hidden, 1 to [`MAX_FILENAME_CHARS`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Filename(String);

impl Filename {
    /// Messages do not repeat the name: it is what is wrong, and may not be fit to show.
    pub fn parse(raw: &str) -> Result<Filename, &'static str> {
        // Browsers send only the base name (HTML: "the file's name"), but old Internet
        // Explorer sends the whole path, `C:\Users\...\x.pdf`; other clients may send `a/b`.
        let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw).trim();
        if base.is_empty() {
            return Err("a file has no name");
        }
        if base.chars().count() > MAX_FILENAME_CHARS {
            return Err("a file name is longer than 120 characters; please rename the file");
        }
        // Control characters could split headers or logs; bidirectional overrides make
        // `invoice\u{202E}fdp.exe` read as `invoiceexe.pdf` (Unicode TR #36 §2.1).
        if base.chars().any(|c| c.is_control() || crate::text::is_invisible_format(c)) {
            return Err("a file name contains control characters; please rename the file");
        }
        // A leading dot hides a file on Unix and names things like `.htaccess`.
        if base.starts_with('.') {
            return Err("a file name may not start with a dot; please rename the file");
        }
        Ok(Filename(base.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What follows the last dot, if there is one.
    pub fn extension(&self) -> Option<&str> {
        self.0.rsplit_once('.').map(|(_, extension)| extension)
    }
}

impl fmt::Display for Filename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What is wrong with an upload: typed, so each side words it for its reader (the portal in
/// the visitor's language, the API in English through `Display`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileProblem {
    /// The name cannot be used; why, in English.
    BadName(&'static str),
    Empty(Filename),
    /// Larger than the cap; its size in bytes.
    TooLarge(Filename, usize),
    /// Within the per-file cap, but with the files before it past the message's total; its
    /// size in bytes.
    Beyond(Filename, usize),
    /// The extension is not on the allow-list.
    NotAccepted(Filename),
    /// The content is not what the extension says.
    Mismatch(Filename, FileKind),
    TooMany,
    TooMuch,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileProblem::BadName(why) => f.write_str(why),
            FileProblem::Empty(name) => write!(f, "\"{name}\" is empty"),
            FileProblem::TooLarge(name, _) => write!(f, "\"{name}\" is larger than {} MiB", MAX_FILE_BYTES / MIB),
            FileProblem::Beyond(name, _) => {
                write!(f, "\"{name}\" takes the message's files past {} MiB together", MAX_MESSAGE_BYTES / MIB)
            }
            FileProblem::NotAccepted(name) => write!(f, "\"{name}\" is not a file type we accept. {}", accepted()),
            FileProblem::Mismatch(name, kind) => write!(
                f,
                "\"{name}\" is not a valid {}: its content does not match its name. {}",
                kind.label(),
                accepted()
            ),
            FileProblem::TooMany => write!(f, "a message can have at most {MAX_FILES_PER_MESSAGE} files"),
            FileProblem::TooMuch => {
                write!(f, "a message's files can be at most {} MiB together", MAX_MESSAGE_BYTES / MIB)
            }
        }
    }
}

/// Checks one uploaded file: its name, its size, and that its content is the kind its
/// extension names.
///
/// The content type the browser declared for the part is not an argument on purpose: it is
/// whatever the client chose to send (an attacker sends `image/png` with an HTML page), so it
/// decides nothing; the kind's canonical type is what gets stored and served.
pub fn check_file(filename: &str, data: &[u8]) -> Result<(Filename, FileKind), FileProblem> {
    check_file_up_to(filename, data, MAX_FILE_BYTES)
}

/// [`check_file`] with another size cap (documents may be larger than ticket attachments);
/// `TooLarge` then means larger than `max_bytes`, which the caller words itself.
pub fn check_file_up_to(filename: &str, data: &[u8], max_bytes: usize) -> Result<(Filename, FileKind), FileProblem> {
    let name = Filename::parse(filename).map_err(FileProblem::BadName)?;
    if data.is_empty() {
        return Err(FileProblem::Empty(name));
    }
    if data.len() > max_bytes {
        return Err(FileProblem::TooLarge(name, data.len()));
    }
    let Some(kind) = name.extension().and_then(FileKind::from_extension) else {
        return Err(FileProblem::NotAccepted(name));
    };
    if !kind.matches(data) {
        return Err(FileProblem::Mismatch(name, kind));
    }
    Ok((name, kind))
}

/// Checks a message's files as a whole, given how many there are and their total size.
pub fn check_totals(count: usize, total_bytes: usize) -> Result<(), FileProblem> {
    if count > MAX_FILES_PER_MESSAGE {
        return Err(FileProblem::TooMany);
    }
    if total_bytes > MAX_MESSAGE_BYTES {
        return Err(FileProblem::TooMuch);
    }
    Ok(())
}

/// "Accepted files: .png, .jpg, ..." for error messages.
fn accepted() -> String {
    let extensions: Vec<String> =
        FileKind::ALL.iter().flat_map(FileKind::extensions).map(|extension| format!(".{extension}")).collect();
    format!("Accepted files: {}.", extensions.join(", "))
}

/// The `Content-Disposition` to serve a file with: a download under its own name.
///
/// RFC 6266 §4.3: `filename*` (RFC 8187, UTF-8 percent-encoded) carries the exact name and
/// `filename` an ASCII fallback for clients that ignore `filename*`. The fallback replaces
/// non-ASCII, `"` and `\` with `_`, so it never needs escaping in the quoted string (a
/// Filename has no control characters, so no header can be split).
pub fn content_disposition(filename: &Filename) -> String {
    let fallback: String = filename
        .as_str()
        .chars()
        .map(|c| if (c.is_ascii_graphic() || c == ' ') && c != '"' && c != '\\' { c } else { '_' })
        .collect();
    let mut encoded = String::with_capacity(filename.as_str().len() * 3);
    for byte in filename.as_str().bytes() {
        // attr-char (RFC 8187 §3.2.1) stays; every other byte of the UTF-8 is %XX.
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
    const ZIP: &[u8] = b"PK\x03\x04\x14\0\0\0";

    fn sample(kind: FileKind) -> &'static [u8] {
        match kind {
            FileKind::Png => PNG,
            FileKind::Jpeg => b"\xFF\xD8\xFF\xE0\0\x10JFIF",
            FileKind::Gif => b"GIF89a\x01\0\x01\0",
            FileKind::Webp => b"RIFF\x24\0\0\0WEBPVP8 ",
            FileKind::Pdf => PDF,
            FileKind::Text => "Läuft nicht\r\nline 2\n".as_bytes(),
            FileKind::Csv => b"id,name\r\n1,Ada\r\n",
            FileKind::Zip | FileKind::Docx | FileKind::Xlsx => ZIP,
        }
    }

    #[test]
    fn every_kind_is_accepted_under_each_of_its_extensions_with_its_signature() {
        for kind in FileKind::ALL {
            for extension in kind.extensions() {
                let (name, found) = check_file(&format!("file.{extension}"), sample(kind)).unwrap();
                assert_eq!((name.as_str(), found), (format!("file.{extension}").as_str(), kind));
            }
        }
    }

    #[test]
    fn extensions_are_matched_without_regard_to_case() {
        assert_eq!(check_file("PHOTO.JPG", sample(FileKind::Jpeg)).unwrap().1, FileKind::Jpeg);
        assert_eq!(check_file("Report.Pdf", PDF).unwrap().1, FileKind::Pdf);
    }

    #[test]
    fn each_kind_has_its_canonical_content_type() {
        assert_eq!(FileKind::Png.content_type(), "image/png");
        assert_eq!(FileKind::Jpeg.content_type(), "image/jpeg");
        assert_eq!(FileKind::Pdf.content_type(), "application/pdf");
        assert_eq!(FileKind::Text.content_type(), "text/plain; charset=utf-8");
        assert_eq!(FileKind::Csv.content_type(), "text/csv; charset=utf-8");
        assert!(FileKind::Docx.content_type().ends_with("wordprocessingml.document"));
        assert!(FileKind::Xlsx.content_type().ends_with("spreadsheetml.sheet"));
    }

    #[test]
    fn an_html_page_named_png_is_refused() {
        let error = check_file("evil.png", b"<html><script>alert(1)</script></html>").unwrap_err().to_string();
        assert!(error.starts_with("\"evil.png\" is not a valid PNG image"), "{error}");
        assert!(error.contains("Accepted files: .png, .jpg, .jpeg"), "{error}");
    }

    #[test]
    fn content_of_another_accepted_kind_is_refused_under_the_wrong_name() {
        assert!(check_file("scan.png", PDF).is_err());
        assert!(check_file("letter.docx", PDF).is_err());
        assert!(check_file("photo.jpg", PNG).is_err());
        assert!(check_file("notes.txt", PNG).is_err());
        assert!(check_file("anim.webp", b"RIFF\x24\0\0\0WAVEfmt ").is_err());
    }

    #[test]
    fn types_off_the_allow_list_are_refused_with_what_is_accepted() {
        for name in ["page.html", "x.svg", "x.exe", "archive.tar.gz", "README"] {
            let error = check_file(name, b"hello").unwrap_err().to_string();
            assert_eq!(
                error,
                format!(
                    "\"{name}\" is not a file type we accept. Accepted files: .png, .jpg, .jpeg, .gif, .webp, .pdf, \
                     .txt, .log, .csv, .zip, .docx, .xlsx."
                )
            );
        }
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert_eq!(check_file("empty.txt", b"").unwrap_err().to_string(), "\"empty.txt\" is empty");
    }

    #[test]
    fn a_file_over_ten_mebibytes_is_refused() {
        let mut big = PDF.to_vec();
        big.resize(MAX_FILE_BYTES, b' ');
        assert!(check_file("big.pdf", &big).is_ok());
        big.push(b' ');
        assert_eq!(check_file("big.pdf", &big).unwrap_err().to_string(), "\"big.pdf\" is larger than 10 MiB");
    }

    #[test]
    fn text_must_be_utf8_without_nul_bytes() {
        assert!(check_file("a.log", b"ok\n").is_ok());
        assert!(check_file("a.txt", b"caf\xE9").is_err());
        assert!(check_file("a.csv", b"a,b\0c").is_err());
    }

    #[test]
    fn the_browsers_path_is_stripped_from_a_file_name() {
        assert_eq!(Filename::parse(r"C:\Users\ada\Desktop\x.pdf").unwrap().as_str(), "x.pdf");
        assert_eq!(Filename::parse("/home/ada/notes.txt").unwrap().as_str(), "notes.txt");
        assert_eq!(Filename::parse("  spaced name.txt  ").unwrap().as_str(), "spaced name.txt");
        assert!(Filename::parse(r"C:\Users\ada\").is_err());
    }

    #[test]
    fn a_file_name_must_have_one_to_120_characters() {
        assert!(Filename::parse("").is_err());
        assert!(Filename::parse("   ").is_err());
        let longest = format!("{}.txt", "ø".repeat(116));
        assert!(Filename::parse(&longest).is_ok());
        assert!(Filename::parse(&format!("ø{longest}")).is_err());
    }

    #[test]
    fn a_file_name_with_control_or_direction_characters_is_refused() {
        assert!(Filename::parse("a\r\nSet-Cookie: x.txt").is_err());
        assert!(Filename::parse("a\0.txt").is_err());
        assert!(Filename::parse("invoice\u{202E}fdp.exe").is_err());
    }

    #[test]
    fn a_hidden_file_name_is_refused() {
        assert!(Filename::parse(".htaccess").is_err());
        assert!(Filename::parse("dir/.env").is_err());
    }

    #[test]
    fn a_file_name_error_does_not_repeat_the_name() {
        let error = Filename::parse("<b>\u{7}.txt").unwrap_err();
        assert!(!error.contains("<b>"), "{error}");
        assert_eq!(
            check_file(".secret.txt", b"x").unwrap_err().to_string(),
            "a file name may not start with a dot; please rename the file"
        );
    }

    #[test]
    fn a_message_may_have_five_files_of_twenty_mebibytes_together() {
        assert!(check_totals(MAX_FILES_PER_MESSAGE, MAX_MESSAGE_BYTES).is_ok());
        assert_eq!(check_totals(6, 1).unwrap_err().to_string(), "a message can have at most 5 files");
        assert_eq!(
            check_totals(2, 20 * MIB + 1).unwrap_err().to_string(),
            "a message's files can be at most 20 MiB together"
        );
    }

    #[test]
    fn an_ascii_file_name_is_served_as_an_attachment_under_its_name() {
        let name = Filename::parse("report 2024.pdf").unwrap();
        assert_eq!(
            content_disposition(&name),
            "attachment; filename=\"report 2024.pdf\"; filename*=UTF-8''report%202024.pdf"
        );
    }

    #[test]
    fn a_non_ascii_file_name_gets_an_ascii_fallback_and_an_encoded_exact_name() {
        let name = Filename::parse("Ångström \"final\" €.txt").unwrap();
        assert_eq!(
            content_disposition(&name),
            "attachment; filename=\"_ngstr_m _final_ _.txt\"; \
             filename*=UTF-8''%C3%85ngstr%C3%B6m%20%22final%22%20%E2%82%AC.txt"
        );
    }
}
