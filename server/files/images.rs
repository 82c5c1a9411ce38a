//! Pictures: refused when too large to decode safely, their location and camera metadata
//! removed without re-encoding, and a thumbnail and a preview made for pages.

use std::io::Cursor;

use actix_web::web::Bytes;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use img_parts::{DynImage, ImageEXIF};

/// Longest side a picture may have, in pixels.
const MAX_SIDE: u32 = 20_000;
/// Most pixels a picture may have (a 50-megapixel camera's photo decodes into 200 MB).
const MAX_PIXELS: u64 = 50_000_000;
/// Longest side of the thumbnail shown in lists.
const THUMB_SIDE: u32 = 400;
/// Longest side of the preview shown in the lightbox.
const PREVIEW_SIDE: u32 = 1600;

/// A picture ready to store.
pub struct Picture {
    /// The upload without its metadata (what is stored and downloaded).
    pub original: Vec<u8>,
    /// Size as it displays (after the camera's rotation).
    pub width: u32,
    pub height: u32,
    pub thumb: Vec<u8>,
    pub preview: Vec<u8>,
    /// `jpg`, or `png` for pictures with transparency.
    pub format: &'static str,
}

/// Checks, cleans and previews a picture; the error says why it cannot be used.
pub fn process(bytes: Vec<u8>) -> Result<Picture, String> {
    let (width, height) = reader(&bytes)?.into_dimensions().map_err(unreadable)?;
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "the picture is {width} × {height} pixels; pictures may have at most {} megapixels and \
             {MAX_SIDE} pixels a side",
            MAX_PIXELS / 1_000_000
        ));
    }
    let mut decoder = reader(&bytes)?.into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    picture.apply_orientation(orientation);
    let original = scrub(bytes, orientation)?;
    let alpha = picture.color().has_alpha();
    let preview = if picture.width().max(picture.height()) > PREVIEW_SIDE {
        picture.resize(PREVIEW_SIDE, PREVIEW_SIDE, image::imageops::FilterType::Triangle)
    } else {
        picture.clone()
    };
    let thumb = if preview.width().max(preview.height()) > THUMB_SIDE {
        preview.thumbnail(THUMB_SIDE, THUMB_SIDE)
    } else {
        preview.clone()
    };
    Ok(Picture {
        original,
        width: picture.width(),
        height: picture.height(),
        thumb: encode(&thumb, alpha)?,
        preview: encode(&preview, alpha)?,
        format: if alpha { "png" } else { "jpg" },
    })
}

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, String> {
    let mut reader =
        ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| unreadable(e.into()))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    Ok(reader)
}

fn unreadable(error: image::ImageError) -> String {
    format!("the picture could not be read ({error}); is the file damaged?")
}

fn encode(picture: &DynamicImage, alpha: bool) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let written = if alpha {
        picture.to_rgba8().write_with_encoder(PngEncoder::new(&mut out))
    } else {
        picture.to_rgb8().write_with_encoder(JpegEncoder::new_with_quality(&mut out, 82))
    };
    written.map_err(|e| format!("the preview could not be made: {e}"))?;
    Ok(out)
}

/// JPEG segments that carry XMP or IPTC metadata (places, people, camera owners).
const JPEG_APP1: u8 = 0xE1;
const JPEG_APP13: u8 = 0xED;
/// PNG text chunks, where XMP lives.
const PNG_TEXT: [[u8; 4]; 3] = [*b"tEXt", *b"iTXt", *b"zTXt"];

/// The picture's bytes without EXIF, XMP and IPTC metadata, pixels untouched. A camera's
/// rotation is kept (as a minimal EXIF block holding only it) so the download still shows
/// the right way up. GIFs carry none of these.
fn scrub(bytes: Vec<u8>, orientation: Orientation) -> Result<Vec<u8>, String> {
    let parsed = DynImage::from_bytes(Bytes::from(bytes.clone()))
        .map_err(|e| format!("the picture could not be read ({e}); is the file damaged?"))?;
    let Some(mut picture) = parsed else {
        return Ok(bytes);
    };
    picture.set_exif(None);
    match &mut picture {
        DynImage::Jpeg(jpeg) => {
            jpeg.remove_segments_by_marker(JPEG_APP1);
            jpeg.remove_segments_by_marker(JPEG_APP13);
        }
        DynImage::Png(png) => PNG_TEXT.iter().for_each(|kind| png.remove_chunks_by_type(*kind)),
        DynImage::WebP(webp) => webp.remove_chunks_by_id(img_parts::webp::CHUNK_XMP),
    }
    if orientation != Orientation::NoTransforms {
        picture.set_exif(Some(Bytes::from(orientation_only(orientation))));
    }
    let mut out = Vec::with_capacity(bytes.len());
    picture.encoder().write_to(&mut out).map_err(|e| format!("the picture could not be cleaned: {e}"))?;
    Ok(out)
}

/// An EXIF block (big-endian TIFF) with one entry: the orientation.
fn orientation_only(orientation: Orientation) -> Vec<u8> {
    let mut exif = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    exif.extend_from_slice(&[0, orientation.to_exif(), 0, 0]);
    exif.extend_from_slice(&[0, 0, 0, 0]);
    exif
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_orientation_block_reads_back() {
        let exif = orientation_only(Orientation::Rotate90);
        assert_eq!(Orientation::from_exif_chunk(&exif), Some(Orientation::Rotate90));
    }
}
