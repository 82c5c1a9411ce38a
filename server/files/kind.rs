//! What a file is, read from its bytes (never from its name), which kinds are accepted, and
//! the name it is shown under.

/// What an accepted file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    /// The media type it is served as.
    pub mime: &'static str,
    /// A picture we preview (JPEG, PNG, GIF, WebP).
    pub image: bool,
    /// Plain text whose words search should find.
    pub text: bool,
}

/// Images that get a thumbnail and a preview.
const IMAGES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/// Other binary types people share at work; each is only ever downloaded.
const DOCUMENTS: [&str; 17] = [
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/rtf",
    "application/zip",
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "audio/mpeg",
    "audio/m4a",
];

/// Types a browser would run scripts in, were it ever tricked into rendering them.
const ACTIVE: [&str; 3] = ["text/html", "text/xml", "image/svg+xml"];

const ACCEPTED: &str = "images (JPEG, PNG, GIF, WebP), PDF, office documents, text, CSV, Markdown, \
                        zip archives, audio and video";

/// Reads what `bytes` are; `name` only tells kinds of plain text apart (notes, CSV,
/// Markdown), which have no signature. The error says why the file is refused.
pub fn sniff(bytes: &[u8], name: &str) -> Result<Sniffed, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if let Some(found) = infer::get(bytes) {
        let mime = found.mime_type();
        if let Some(image) = IMAGES.iter().find(|m| **m == mime) {
            return Ok(Sniffed { mime: image, image: true, text: false });
        }
        if let Some(document) = DOCUMENTS.iter().find(|m| **m == mime) {
            return Ok(Sniffed { mime: document, image: false, text: false });
        }
        if ACTIVE.contains(&mime) {
            return Err(active());
        }
        return Err(format!("files of type {mime} are not accepted; share {ACCEPTED}"));
    }
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .ok()
        .filter(|text| !text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c')));
    match text {
        Some(text) if looks_like_markup(text) => Err(active()),
        Some(_) => {
            let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
            let mime = match extension.as_str() {
                "md" | "markdown" => "text/markdown",
                "csv" => "text/csv",
                _ => "text/plain",
            };
            Ok(Sniffed { mime, image: false, text: true })
        }
        None => Err(format!("this kind of file is not accepted; share {ACCEPTED}")),
    }
}

fn active() -> String {
    "HTML, SVG and XML files can carry scripts, so they are not accepted; share a PDF or a \
     picture instead"
        .into()
}

/// Text a browser would render as a page or a drawing (what `infer` misses: markup that
/// does not start at byte 0, or in another case).
fn looks_like_markup(text: &str) -> bool {
    let start: String = text.trim_start().chars().take(64).collect::<String>().to_ascii_lowercase();
    ["<!doctype", "<html", "<svg", "<?xml", "<script", "<head", "<body", "<iframe"]
        .iter()
        .any(|tag| start.starts_with(tag))
}

/// Longest file name kept, in characters (the extension survives the cut).
const MAX_NAME: usize = 120;

/// The name a file is shown and downloaded under: the last part of what the browser sent
/// (never a path), without control or direction-changing characters (which can make
/// `invoice<U+202E>fdp.exe` read as `invoiceexe.pdf`), without leading dots, and not too long.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = last.chars().filter(|c| !c.is_control() && !is_direction_mark(*c)).collect();
    let name = kept.trim().trim_start_matches('.').trim();
    if name.is_empty() {
        return "file".into();
    }
    if name.chars().count() <= MAX_NAME {
        return name.to_owned();
    }
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() && extension.chars().count() <= 10 => (stem, extension),
        _ => (name, ""),
    };
    let room = MAX_NAME - extension.chars().count() - 1;
    let stem: String = stem.chars().take(room).collect();
    if extension.is_empty() { stem } else { format!("{stem}.{extension}") }
}

fn is_direction_mark(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_bytes_not_the_name() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(sniff(png, "notes.txt").unwrap().mime, "image/png");
        assert_eq!(sniff(b"%PDF-1.7\n", "x.png").unwrap().mime, "application/pdf");
        assert_eq!(sniff(b"a,b\n1,2\n", "Q3.CSV").unwrap().mime, "text/csv");
        assert_eq!(sniff("# Plan\n\nüber".as_bytes(), "plan.md").unwrap().mime, "text/markdown");
        assert!(sniff(b"", "x.txt").is_err());
        assert!(sniff(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0", "tool.png").is_err());
    }

    #[test]
    fn markup_is_refused_whatever_it_is_called() {
        for markup in [
            "<html><script>alert(1)</script></html>",
            "  \n<SVG xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
            "<?xml version='1.0'?><svg/>",
            "<!DOCTYPE html><p>hi",
        ] {
            assert!(sniff(markup.as_bytes(), "cat.png").is_err(), "{markup}");
        }
        // A script quoted inside notes is just text, served as text/plain for download.
        assert!(sniff(b"Notes: we saw <script> in the logs", "notes.txt").is_ok());
    }

    #[test]
    fn names_lose_paths_controls_and_direction_marks() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\ada\\Q3 plan.pdf"), "Q3 plan.pdf");
        assert_eq!(clean_name("invoice\u{202e}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_name("..."), "file");
        assert_eq!(clean_name(".htaccess"), "htaccess");
        assert_eq!(clean_name("Übersicht 2026 — 東京.xlsx"), "Übersicht 2026 — 東京.xlsx");
        let long = format!("{}.pdf", "ä".repeat(500));
        let cut = clean_name(&long);
        assert_eq!(cut.chars().count(), MAX_NAME);
        assert!(cut.ends_with(".pdf"));
    }
}
