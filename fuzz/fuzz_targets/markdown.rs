//! Any bytes, as Markdown: rendering never panics and never yields active content (the
//! same promise `rendered_markdown_never_holds_active_content` checks with proptest, here
//! with coverage guidance); plain text and excerpts never panic either.
#![no_main]

use agora::domain::markdown;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let html = markdown::render(text);
    if let Some(found) = markdown::active_content(&html) {
        panic!("{found} in {html:?} rendered from {text:?}");
    }
    let plain = markdown::plain_text(text);
    let _ = markdown::excerpt(&plain, 160);
});
