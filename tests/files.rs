//! Files: upload, attach and serve; who may fetch a file (the item's policy, for every
//! visibility and state); hostile files; one copy per content; pictures cleaned and
//! previewed; search by file; orphans swept; limits and quotas.

use std::path::Path;
use std::time::Duration;

use agora::domain::account::Role;
use image::ImageDecoder;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::TestApp;

fn upload_form(files: &[(&str, &[u8])]) -> Form {
    files.iter().fold(Form::new(), |form, (name, bytes)| {
        form.part("file", Part::bytes(bytes.to_vec()).file_name((*name).to_owned()))
    })
}

async fn upload(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> reqwest::Response {
    app.api(Method::POST, "/uploads", token).multipart(upload_form(&[(name, bytes)])).send().await.unwrap()
}

async fn refusal(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    (status, body["error"]["message"].as_str().unwrap_or_default().to_owned())
}

async fn fetch(app: &TestApp, token: &str, url: &str) -> reqwest::Response {
    app.client.get(format!("{}{url}", app.url)).bearer_auth(token).send().await.unwrap()
}

async fn post_with(
    app: &TestApp,
    token: &str,
    community: &str,
    body: &str,
    uploads: &[i64],
) -> reqwest::Response {
    let post = json!({"kind": "discussion", "title": "With files", "body": body, "uploads": uploads});
    app.api(Method::POST, &format!("/communities/{community}/posts"), token).json(&post).send().await.unwrap()
}

/// A photo-like picture: a gradient, so its encodings are not trivially small.
fn picture(width: u32, height: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]))
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    picture(width, height).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A JPEG as a phone saves it: EXIF with the camera's rotation (90°) and its owner, and XMP
/// with the place it was taken.
fn phone_photo() -> Vec<u8> {
    use img_parts::ImageEXIF;
    let mut plain = Vec::new();
    picture(64, 32).write_with_encoder(image::codecs::jpeg::JpegEncoder::new(&mut plain)).unwrap();
    let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(plain.into()).unwrap();
    let owner = b"Ada's Secret Camera\0";
    let mut exif = b"II\x2a\0\x08\0\0\0\x02\0".to_vec();
    exif.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
    exif.extend_from_slice(&[0x3b, 0x01, 2, 0, owner.len() as u8, 0, 0, 0, 38, 0, 0, 0]);
    exif.extend_from_slice(&[0, 0, 0, 0]);
    exif.extend_from_slice(owner);
    jpeg.set_exif(Some(exif.into()));
    let xmp =
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>49,28.8N</exif:GPSLatitude></x:xmpmeta>";
    let segment = img_parts::jpeg::JpegSegment::new_with_contents(0xE1, xmp.to_vec().into());
    jpeg.segments_mut().insert(1, segment);
    let mut out = Vec::new();
    jpeg.encoder().write_to(&mut out).unwrap();
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A PNG whose header claims 15,000 × 15,000 pixels (225 megapixels, 900 MB decoded) in a
/// few dozen bytes: a decompression bomb.
fn bomb() -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
        out
    };
    let mut header = 15_000u32.to_be_bytes().to_vec();
    header.extend_from_slice(&15_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &header));
    png.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1]));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// Stored originals (files named by a bare SHA-256) under a files directory.
fn stored_originals(root: &Path) -> usize {
    fn walk(dir: &Path, count: &mut usize) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, count);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.len() == 64 && !n.contains('.'))
            {
                *count += 1;
            }
        }
    }
    let mut count = 0;
    walk(root, &mut count);
    count
}

fn files_dir(app: &TestApp) -> std::path::PathBuf {
    app.data_dir.path().join("files")
}

#[tokio::test]
async fn files_are_uploaded_attached_and_served_with_safe_headers() {
    let app = TestApp::spawn().await;
    let (_, ada) = app.given_api_user("ada");
    app.given_community(&ada, "plant", "open").await;
    let photo = app.given_upload(&ada, "whiteboard.png", &png(2000, 1000)).await;
    assert_eq!(photo["mime"], "image/png");
    assert_eq!((photo["width"].as_i64(), photo["height"].as_i64()), (Some(2000), Some(1000)));
    let deck =
        app.given_upload(&ada, "Q3 plan.pdf", b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n").await;
    assert_eq!(deck["mime"], "application/pdf");
    assert_eq!(deck["url"], format!("/files/{}/Q3%20plan%2Epdf", deck["id"]));

    let ids = [photo["id"].as_i64().unwrap(), deck["id"].as_i64().unwrap()];
    let created = post_with(&app, &ada, "plant", "Notes from the workshop", &ids).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let post: Value = created.json().await.unwrap();
    let names: Vec<&str> =
        post["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["whiteboard.png", "Q3 plan.pdf"]);

    // The picture is shown in the browser; the PDF is downloaded. Neither can run anything.
    let shown = fetch(&app, &ada, photo["url"].as_str().unwrap()).await;
    assert_eq!(shown.status(), StatusCode::OK);
    let headers = shown.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("inline"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert!(headers["cache-control"].to_str().unwrap().contains("private"));
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let again = app
        .client
        .get(format!("{}{}", app.url, photo["url"].as_str().unwrap()))
        .bearer_auth(&ada)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let pdf = fetch(&app, &ada, deck["url"].as_str().unwrap()).await;
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let disposition = pdf.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment") && disposition.contains("Q3%20plan.pdf"), "{disposition}");

    // Ranges: a video player or a resumed download asks for part of a file.
    let part = app
        .client
        .get(format!("{}{}", app.url, deck["url"].as_str().unwrap()))
        .bearer_auth(&ada)
        .header("Range", "bytes=0-7")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes().await.unwrap().as_ref(), b"%PDF-1.7");

    // Thumbnail and preview: smaller, in proportion.
    for (variant, side) in [("thumb", 400), ("preview", 1600)] {
        let url = photo[format!("{variant}{}", if variant == "thumb" { "nail_url" } else { "_url" })]
            .as_str()
            .unwrap();
        let response = fetch(&app, &ada, url).await;
        assert_eq!(response.headers()["content-type"], "image/jpeg", "{variant}");
        let bytes = response.bytes().await.unwrap();
        let small = image::load_from_memory(&bytes).unwrap();
        assert_eq!((small.width(), small.height()), (side, side / 2), "{variant}");
    }
    let bogus = fetch(&app, &ada, &format!("/files/{}/x?v=huge", ids[0])).await;
    assert_eq!(bogus.status(), StatusCode::NOT_FOUND);

    // The post's page shows the thumbnail and the document link.
    let browser = app.signed_in_as("ada").await;
    let page = app.get_as(&browser, &format!("/posts/{}", post["id"])).await.text().await.unwrap();
    assert!(page.contains(photo["thumbnail_url"].as_str().unwrap()), "thumbnail on the page");
    assert!(page.contains("Q3 plan.pdf") && page.contains("PDF"), "document listed");
}

#[tokio::test]
async fn a_file_is_served_only_to_those_who_may_read_its_item() {
    let app = TestApp::spawn().await;
    let (_, owner) = app.given_api_user("owner");
    let (_, member) = app.given_api_user("member");
    let (_, outsider) = app.given_api_user("outsider");
    let admin = app.given_user("root", Role::Admin);
    let admin = app.token_for(&admin);
    app.given_community(&owner, "secret", "private").await;
    app.api(Method::POST, "/communities/secret/members/member/invite", &owner).send().await.unwrap();
    assert!(
        app.api(Method::POST, "/communities/secret/join", &member)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    app.given_community(&owner, "open", "open").await;

    // Not attached yet: only its uploader sees it.
    let draft = app.given_upload(&owner, "draft.png", &png(40, 40)).await;
    let draft_url = draft["url"].as_str().unwrap().to_owned();
    assert_eq!(fetch(&app, &owner, &draft_url).await.status(), StatusCode::OK);
    assert_eq!(fetch(&app, &member, &draft_url).await.status(), StatusCode::NOT_FOUND);

    // In a private community: members and admins, not outsiders (any form of the file).
    let post =
        post_with(&app, &owner, "secret", "Confidential chart", &[draft["id"].as_i64().unwrap()]).await;
    let post: Value = post.json().await.unwrap();
    for url in [draft_url.clone(), format!("{draft_url}?v=thumb"), format!("{draft_url}?v=preview")] {
        assert_eq!(fetch(&app, &member, &url).await.status(), StatusCode::OK, "{url}");
        assert_eq!(fetch(&app, &admin, &url).await.status(), StatusCode::OK, "{url}");
        assert_eq!(fetch(&app, &outsider, &url).await.status(), StatusCode::NOT_FOUND, "{url}");
    }
    // The name in the URL does not matter: the id is checked the same way.
    let renamed = format!("/files/{}/anything.exe", draft["id"]);
    assert_eq!(fetch(&app, &outsider, &renamed).await.status(), StatusCode::NOT_FOUND);
    // Nobody signed in: sent to sign in, never the bytes.
    let anonymous = app.browser().get(format!("{}{draft_url}", app.url)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);

    // A comment's file goes with its post; an idea draft's with the draft.
    let note = app.given_upload(&member, "note.txt", b"minutes of the meeting").await;
    let comment = app
        .api(Method::POST, &format!("/posts/{}/comments", post["id"]), &member)
        .json(&json!({"body": "See the minutes", "uploads": [note["id"]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(comment.status(), StatusCode::CREATED);
    let note_url = note["url"].as_str().unwrap().to_owned();
    assert_eq!(fetch(&app, &owner, &note_url).await.status(), StatusCode::OK);
    assert_eq!(fetch(&app, &outsider, &note_url).await.status(), StatusCode::NOT_FOUND);
    let sketch = app.given_upload(&owner, "sketch.png", &png(30, 30)).await;
    let idea = json!({"title": "A draft idea", "problem": "p", "submit": false, "uploads": [sketch["id"]]});
    assert_eq!(
        app.api(Method::POST, "/ideas", &owner).json(&idea).send().await.unwrap().status(),
        StatusCode::CREATED
    );
    let sketch_url = sketch["url"].as_str().unwrap();
    assert_eq!(fetch(&app, &owner, sketch_url).await.status(), StatusCode::OK);
    assert_eq!(fetch(&app, &member, sketch_url).await.status(), StatusCode::NOT_FOUND);

    // A hidden post's files are hidden with it (moderators still see them); a deleted
    // post's are gone.
    let public = app.given_upload(&owner, "public.png", &png(20, 20)).await;
    let public_post =
        post_with(&app, &owner, "open", "For everyone", &[public["id"].as_i64().unwrap()]).await;
    let public_post: Value = public_post.json().await.unwrap();
    let public_url = public["url"].as_str().unwrap().to_owned();
    assert_eq!(fetch(&app, &outsider, &public_url).await.status(), StatusCode::OK);
    let hide =
        json!({"target_type": "post", "target_id": public_post["id"], "action": "hide", "reason": "Check"});
    assert!(
        app.api(Method::POST, "/moderation/actions", &owner)
            .json(&hide)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    assert_eq!(fetch(&app, &outsider, &public_url).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(fetch(&app, &owner, &public_url).await.status(), StatusCode::OK);
    let deleted = app.api(Method::DELETE, &format!("/posts/{}", post["id"]), &owner).send().await.unwrap();
    assert!(deleted.status().is_success());
    assert_eq!(fetch(&app, &member, &draft_url).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(fetch(&app, &member, &note_url).await.status(), StatusCode::NOT_FOUND);

    // Removed from the private community: its files are gone for them too.
    let kept = app.given_upload(&owner, "kept.png", &png(20, 20)).await;
    post_with(&app, &owner, "secret", "Still secret", &[kept["id"].as_i64().unwrap()]).await;
    let kept_url = kept["url"].as_str().unwrap();
    assert_eq!(fetch(&app, &member, kept_url).await.status(), StatusCode::OK);
    assert!(
        app.api(Method::POST, "/communities/secret/leave", &member)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    assert_eq!(fetch(&app, &member, kept_url).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn hostile_files_are_refused_with_reasons_and_names_are_cleaned() {
    let app = TestApp::spawn().await;
    let (_, ada) = app.given_api_user("ada");
    let gif_with_script = b"GIF89a<script>alert(document.cookie)</script>".to_vec();
    let cases: [(&str, &[u8], &str); 7] = [
        ("empty.txt", b"", "empty"),
        ("cat.png", b"<html><body><script>alert(1)</script></body></html>", "scripts"),
        ("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "scripts"),
        ("tool.png", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0\x01\0\0\0", "not accepted"),
        ("polyglot.gif", &gif_with_script, "could not be read"),
        ("zero.png", b"\x89PNG\r\n\x1a\n", "could not be read"),
        ("bomb.png", &bomb(), "megapixels"),
    ];
    for (name, bytes, reason) in cases {
        let (status, message) = refusal(upload(&app, &ada, name, bytes).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {message}");
        assert!(message.contains(reason), "{name}: {message}");
    }
    assert_eq!(stored_originals(&files_dir(&app)), 0, "nothing refused was stored");

    // Paths, control and direction characters never reach the name; unicode does.
    let traversal = app.given_upload(&ada, "../../etc/passwd", b"root:x:0:0").await;
    assert_eq!(traversal["name"], "passwd");
    assert_eq!(traversal["mime"], "text/plain");
    let spoof = app.given_upload(&ada, "invoice\u{202e}fdp.exe", b"just text").await;
    assert_eq!(spoof["name"], "invoicefdp.exe");
    let long = format!("{}.csv", "Übersicht-東京-".repeat(30));
    let kept = app.given_upload(&ada, &long, b"a,b\n1,2\n").await;
    let name = kept["name"].as_str().unwrap();
    assert!(
        name.chars().count() <= 120 && name.ends_with(".csv") && name.starts_with("Übersicht-東京"),
        "{name}"
    );
    assert_eq!(kept["mime"], "text/csv");
    let served = fetch(&app, &ada, kept["url"].as_str().unwrap()).await;
    assert_eq!(served.status(), StatusCode::OK, "a unicode URL resolves");
    assert_eq!(served.bytes().await.unwrap().as_ref(), b"a,b\n1,2\n");

    // Someone else's upload cannot be attached, and the post is not written without it.
    let (_, mallory) = app.given_api_user("mallory");
    app.given_community(&mallory, "lair", "open").await;
    let (status, message) = refusal(
        post_with(&app, &mallory, "lair", "Look what I found", &[kept["id"].as_i64().unwrap()]).await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
    let posts = app.get_json("/communities/lair/posts", &mallory).await;
    assert_eq!(posts["items"].as_array().unwrap().len(), 0, "nothing written");
    // Nor can a file attached once be attached again.
    app.given_community(&ada, "plant", "open").await;
    let once = post_with(&app, &ada, "plant", "First", &[kept["id"].as_i64().unwrap()]).await;
    assert_eq!(once.status(), StatusCode::CREATED);
    let twice = post_with(&app, &ada, "plant", "Second", &[kept["id"].as_i64().unwrap()]).await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A form without a file, and a discarded upload.
    let nothing = app
        .api(Method::POST, "/uploads", &ada)
        .multipart(Form::new().text("note", "hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(nothing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let gone = app.given_upload(&ada, "oops.txt", b"wrong file").await;
    let discard = app.api(Method::DELETE, &format!("/uploads/{}", gone["id"]), &ada).send().await.unwrap();
    assert_eq!(discard.status(), StatusCode::NO_CONTENT);
    assert_eq!(fetch(&app, &ada, gone["url"].as_str().unwrap()).await.status(), StatusCode::NOT_FOUND);
    let attached = app.api(Method::DELETE, &format!("/uploads/{}", kept["id"]), &ada).send().await.unwrap();
    assert_eq!(attached.status(), StatusCode::NOT_FOUND, "an attached file is not discarded");
}

#[tokio::test]
async fn oversized_uploads_are_refused_early_and_quotas_hold() {
    let app = TestApp::spawn_with(|s| {
        s.upload_max_mib = 1;
        s.upload_files_per_item = 2;
        s.upload_daily_mib = 2;
    })
    .await;
    let (_, ada) = app.given_api_user("ada");

    // A 2 GB upload announced by its length is refused before its body is read.
    let address = app.url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/uploads HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {ada}\r\n\
         Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 2147483648\r\n\r\n--x\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = [0u8; 512];
    let read =
        tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer)).await.unwrap().unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(stored_originals(&files_dir(&app)), 0);

    // A file over the limit sent without a length is cut off at the limit.
    let big = vec![b'a'; 1024 * 1024 + 10];
    let (status, message) = refusal(upload(&app, &ada, "big.txt", &big).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(message.contains("1.0 MB"), "{message}");

    // More files at once than an item may carry.
    let three = upload_form(&[("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c")]);
    let (status, message) =
        refusal(app.api(Method::POST, "/uploads", &ada).multipart(three).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
    app.given_community(&ada, "plant", "open").await;
    let (status, message) = refusal(post_with(&app, &ada, "plant", "Too many", &[1, 2, 3]).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message.contains("at most 2"), "{message}");

    // The daily quota: 2 MiB; the third 900 KB file is over it.
    let chunk = vec![b'q'; 900 * 1024];
    app.given_upload(&ada, "one.txt", &chunk).await;
    app.given_upload(&ada, "two.txt", &chunk).await;
    let over = upload(&app, &ada, "three.txt", &chunk).await;
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(over.headers().contains_key("retry-after"));
    let (_, message) = refusal(over).await;
    assert!(message.contains("daily limit"), "{message}");
}

#[tokio::test]
async fn identical_files_are_stored_once_even_when_sent_together() {
    let app = TestApp::spawn().await;
    let (_, ada) = app.given_api_user("ada");
    let (_, grace) = app.given_api_user("grace");
    let bytes = png(300, 200);
    let (a, b, c) = tokio::join!(
        app.given_upload(&ada, "chart.png", &bytes),
        app.given_upload(&grace, "same chart.png", &bytes),
        app.given_upload(&ada, "chart copy.png", &bytes),
    );
    let ids = [&a, &b, &c].map(|f| f["id"].as_i64().unwrap());
    assert!(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2], "three uploads");
    assert_eq!(stored_originals(&files_dir(&app)), 1, "one copy of the bytes");
    let first = fetch(&app, &ada, a["url"].as_str().unwrap()).await.bytes().await.unwrap();
    let third = fetch(&app, &ada, c["url"].as_str().unwrap()).await.bytes().await.unwrap();
    assert_eq!(first, third);
}

#[tokio::test]
async fn photos_lose_their_metadata_but_keep_their_rotation() {
    let app = TestApp::spawn().await;
    let (_, ada) = app.given_api_user("ada");
    let photo = phone_photo();
    assert!(photo.windows(13).any(|w| w == b"Secret Camera"), "the test photo carries an owner");
    let stored = app.given_upload(&ada, "IMG_0042.jpg", &photo).await;
    // Rotated by the camera's 90°: shown 32 wide and 64 high.
    assert_eq!((stored["width"].as_i64(), stored["height"].as_i64()), (Some(32), Some(64)));
    let served = fetch(&app, &ada, stored["url"].as_str().unwrap()).await.bytes().await.unwrap();
    assert!(!served.windows(13).any(|w| w == b"Secret Camera"), "the owner is gone");
    assert!(!served.windows(11).any(|w| w == b"GPSLatitude"), "the place is gone");
    let mut decoder = image::ImageReader::new(std::io::Cursor::new(served.as_ref()))
        .with_guessed_format()
        .unwrap()
        .into_decoder()
        .unwrap();
    assert_eq!(decoder.orientation().unwrap(), image::metadata::Orientation::Rotate90, "rotation kept");
    let thumb = fetch(&app, &ada, stored["thumbnail_url"].as_str().unwrap()).await.bytes().await.unwrap();
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (32, 64), "the thumbnail is upright");
}

#[tokio::test]
async fn search_finds_items_by_their_files_for_those_who_may_read_them() {
    let app = TestApp::spawn().await;
    let (_, owner) = app.given_api_user("owner");
    let (_, outsider) = app.given_api_user("outsider");
    app.given_community(&owner, "lab", "private").await;
    let notes = app
        .given_upload(&owner, "flamingo-results.md", b"# Findings\n\nThe xylophagous catalyst held.")
        .await;
    post_with(&app, &owner, "lab", "Notes from the lab", &[notes["id"].as_i64().unwrap()]).await;
    app.indexed().await;
    for query in ["flamingo", "xylophagous"] {
        let found = app.get_json(&format!("/search?q={query}"), &owner).await;
        assert_eq!(found["total"], 1, "{query}");
        assert_eq!(found["items"][0]["title"], "With files", "{query}");
        let hidden = app.get_json(&format!("/search?q={query}"), &outsider).await;
        assert_eq!(hidden["total"], 0, "{query} for an outsider");
    }
}

#[tokio::test]
async fn uploads_never_attached_are_swept_after_a_day() {
    use agora::db::schema::uploads;
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    let (_, ada) = app.given_api_user("ada");
    app.given_community(&ada, "plant", "open").await;
    let bytes = png(64, 64);
    let abandoned = app.given_upload(&ada, "abandoned.png", &bytes).await;
    let shared = app.given_upload(&ada, "shared.png", &bytes).await;
    let alone = app.given_upload(&ada, "alone.txt", b"never attached").await;
    let fresh = app.given_upload(&ada, "fresh.txt", b"just uploaded").await;
    post_with(&app, &ada, "plant", "Keeps one", &[shared["id"].as_i64().unwrap()]).await;
    let old = agora::db::models::now() - chrono::Duration::days(2);
    let stale =
        [abandoned["id"].as_i64().unwrap(), shared["id"].as_i64().unwrap(), alone["id"].as_i64().unwrap()];
    app.db
        .write_sync(move |c| {
            diesel::update(uploads::table.filter(uploads::id.eq_any(stale)))
                .set(uploads::created_at.eq(old))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(stored_originals(&files_dir(&app)), 3);

    let files = agora::files::Files::from_settings(&app.settings).unwrap();
    let cutoff = agora::db::models::now() - chrono::Duration::days(1);
    assert_eq!(agora::files::sweep(&app.db, &files, cutoff).await.unwrap(), 2, "abandoned and alone");
    // The picture's bytes stay: the attached upload shares them. The lone text file's go.
    assert_eq!(stored_originals(&files_dir(&app)), 2);
    assert_eq!(fetch(&app, &ada, abandoned["url"].as_str().unwrap()).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(fetch(&app, &ada, shared["url"].as_str().unwrap()).await.status(), StatusCode::OK);
    assert_eq!(fetch(&app, &ada, fresh["url"].as_str().unwrap()).await.status(), StatusCode::OK);
    assert_eq!(agora::files::sweep(&app.db, &files, cutoff).await.unwrap(), 0, "nothing left to sweep");
}

#[tokio::test]
async fn files_travel_with_comments_and_ideas_through_the_browser_forms() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let browser = app.signed_in_as("ada").await;
    let csrf = app.csrf_token(&browser, "/ideas/new").await;
    let token = app.token_for(&app.user("ada").unwrap());
    let sketch = app.given_upload(&token, "sketch.png", &png(50, 50)).await;
    let notes = app.given_upload(&token, "notes.txt", b"details").await;
    let ids = format!("{},{}", sketch["id"], notes["id"]);
    let response = browser
        .post(format!("{}/ideas", app.url))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("title", "Solar carports"),
            ("problem", "Hot cars"),
            ("proposal", "Roofs of panels"),
            ("action", "submit"),
            ("uploads", ids.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", response.text().await.unwrap());
    let location = location.unwrap();
    let page = app.get_as(&browser, &location).await.text().await.unwrap();
    assert!(
        page.contains(sketch["thumbnail_url"].as_str().unwrap()) && page.contains("notes.txt"),
        "{location}"
    );
    let id: i64 = location.trim_start_matches("/ideas/").parse().unwrap();
    let idea = app.get_json(&format!("/ideas/{id}"), &token).await;
    assert_eq!(idea["files"].as_array().unwrap().len(), 2);

    // A comment on the idea with a file; a bad id list is a clear error, not a lost comment.
    let reply = app.given_upload(&token, "reply.txt", b"more").await;
    let form =
        [("csrf_token", csrf.as_str()), ("body", "Here is more"), ("uploads", &reply["id"].to_string())];
    let response = browser.post(format!("{}/ideas/{id}/comments", app.url)).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let comments = app.get_json(&format!("/ideas/{id}/comments"), &token).await;
    assert_eq!(comments["items"][0]["files"][0]["name"], "reply.txt");
    let form = [("csrf_token", csrf.as_str()), ("body", "Kept words"), ("uploads", "1,two")];
    let response = browser.post(format!("{}/ideas/{id}/comments", app.url)).form(&form).send().await.unwrap();
    assert!(response.status().is_client_error());
}
