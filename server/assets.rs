//! Static files embedded in the binary, served with content-hash URLs so browsers can cache
//! them for a year and still see every change.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

#[derive(rust_embed::RustEmbed)]
#[folder = "static/"]
struct Embedded;

/// An embedded file ready to serve.
pub struct Asset {
    /// The file's bytes.
    pub bytes: Cow<'static, [u8]>,
    /// Its content type.
    pub mime: String,
    /// The short content hash used in its URL.
    pub version: String,
}

fn versions() -> &'static HashMap<String, String> {
    static VERSIONS: OnceLock<HashMap<String, String>> = OnceLock::new();
    VERSIONS.get_or_init(|| {
        Embedded::iter()
            .filter_map(|path| {
                let file = Embedded::get(&path)?;
                Some((path.into_owned(), hex::encode(&Sha256::digest(&file.data)[..6])))
            })
            .collect()
    })
}

/// The cache-busting URL of an embedded file, e.g. `/static/css/agora.css?v=1a2b3c4d5e6f`.
pub fn url(path: &str) -> String {
    match versions().get(path) {
        Some(version) => format!("/static/{path}?v={version}"),
        None => format!("/static/{path}"),
    }
}

/// Looks up an embedded file.
pub fn get(path: &str) -> Option<Asset> {
    let file = Embedded::get(path)?;
    Some(Asset {
        bytes: file.data,
        mime: mime_guess::from_path(path).first_or_octet_stream().to_string(),
        version: versions().get(path).cloned().unwrap_or_default(),
    })
}
