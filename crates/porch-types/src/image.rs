//! Structural checks of uploaded raster images (theme logos, asset photos): the file must
//! be built the way its format says, not just start with the format's signature, so that a
//! signature followed by anything (HTML, a script, a zip) is refused (OWASP File Upload
//! Cheat Sheet: validate the file type by content). The checks read headers and walk the
//! container's chunks or segments; they decode no pixels and verify no checksums, since the
//! bytes are served as-is with their own type to browsers, which decode defensively.

/// Why an image was refused; each caller words it for its reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageError {
    /// Not built like the format (bad signature, header, chunk chain or end).
    Malformed,
    /// The header is sound but the width or height is 0 or above the caller's maximum.
    Dimensions { width: u32, height: u32 },
}

/// Width and height in pixels, as the header gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dimensions {
    pub width: u32,
    pub height: u32,
}

impl Dimensions {
    fn within(self, max: u32) -> Result<Dimensions, ImageError> {
        let ok = |d: u32| (1..=max).contains(&d);
        if ok(self.width) && ok(self.height) {
            Ok(self)
        } else {
            Err(ImageError::Dimensions { width: self.width, height: self.height })
        }
    }
}

pub(crate) const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// An IEND chunk is always these 12 bytes: zero length, type, fixed CRC.
pub(crate) const PNG_IEND: [u8; 12] = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];

fn be_u32(bytes: &[u8]) -> Option<u32> {
    bytes.first_chunk::<4>().map(|b| u32::from_be_bytes(*b))
}

fn be_u16(bytes: &[u8]) -> Option<u16> {
    bytes.first_chunk::<2>().map(|b| u16::from_be_bytes(*b))
}

fn le_u32(bytes: &[u8]) -> Option<u32> {
    bytes.first_chunk::<4>().map(|b| u32::from_le_bytes(*b))
}

fn le_u24(bytes: &[u8]) -> Option<u32> {
    match bytes {
        [a, b, c, ..] => Some(u32::from(*a) | u32::from(*b) << 8 | u32::from(*c) << 16),
        _ => None,
    }
}

fn to_usize(n: u32) -> Result<usize, ImageError> {
    usize::try_from(n).map_err(|_| ImageError::Malformed)
}

/// PNG (ISO/IEC 15948 §5.2-5.6): signature, IHDR first, chunks (length, type, data, CRC)
/// that chain exactly to a final IEND with nothing after it.
pub fn check_png(input: &[u8], max_dimension: u32) -> Result<Dimensions, ImageError> {
    let rest = input.strip_prefix(&PNG_SIGNATURE).ok_or(ImageError::Malformed)?;
    if !rest.ends_with(&PNG_IEND) {
        return Err(ImageError::Malformed);
    }
    if be_u32(rest) != Some(13) || rest.get(4..8) != Some(b"IHDR".as_slice()) {
        return Err(ImageError::Malformed);
    }
    let ihdr = rest.get(8..8 + 13 + 4).ok_or(ImageError::Malformed)?;
    let width = be_u32(ihdr).ok_or(ImageError::Malformed)?;
    let height = ihdr.get(4..).and_then(be_u32).ok_or(ImageError::Malformed)?;
    let dimensions = Dimensions { width, height }.within(max_dimension)?;
    let mut remaining = rest;
    loop {
        let len = to_usize(be_u32(remaining).ok_or(ImageError::Malformed)?)?;
        let chunk_type = remaining.get(4..8).ok_or(ImageError::Malformed)?;
        let end = len.checked_add(12).ok_or(ImageError::Malformed)?;
        let after = remaining.get(end..).ok_or(ImageError::Malformed)?;
        if chunk_type == b"IEND" {
            return if after.is_empty() { Ok(dimensions) } else { Err(ImageError::Malformed) };
        }
        remaining = after;
    }
}

/// JPEG (ITU T.81 Annex B): SOI, then marker segments that chain by their lengths up to the
/// start of scan, with a frame header (`SOFn`) giving the size before it, and an EOI after
/// the scan data. Bytes after EOI are allowed: cameras append data there (a motion photo's
/// video), and no reader of `image/jpeg` looks at them.
pub fn check_jpeg(input: &[u8], max_dimension: u32) -> Result<Dimensions, ImageError> {
    let mut rest = input.strip_prefix(&[0xFF, 0xD8]).ok_or(ImageError::Malformed)?;
    let mut dimensions = None;
    loop {
        let [0xFF, marker, after @ ..] = rest else { return Err(ImageError::Malformed) };
        match *marker {
            // Fill bytes before a marker.
            0xFF => rest = rest.get(1..).ok_or(ImageError::Malformed)?,
            // Markers without a segment: TEM and RST0-7.
            0x01 | 0xD0..=0xD7 => rest = after,
            0x00 | 0xD8 | 0xD9 => return Err(ImageError::Malformed),
            marker => {
                let len = usize::from(be_u16(after).ok_or(ImageError::Malformed)?);
                let segment = after.get(2..len).ok_or(ImageError::Malformed)?;
                let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
                if is_frame {
                    // Precision, then height and width as 16-bit numbers.
                    let height = u32::from(segment.get(1..).and_then(be_u16).ok_or(ImageError::Malformed)?);
                    let width = u32::from(segment.get(3..).and_then(be_u16).ok_or(ImageError::Malformed)?);
                    dimensions = Some(Dimensions { width, height }.within(max_dimension)?);
                }
                let next = after.get(len..).ok_or(ImageError::Malformed)?;
                if marker == 0xDA {
                    let dimensions = dimensions.ok_or(ImageError::Malformed)?;
                    // The scan's data never holds FF D9 (a data FF is stuffed as FF 00).
                    return if next.windows(2).any(|w| w == [0xFF, 0xD9]) {
                        Ok(dimensions)
                    } else {
                        Err(ImageError::Malformed)
                    };
                }
                rest = next;
            }
        }
    }
}

/// WebP (RFC 9649): a RIFF container whose size is the file's, form type `WEBP`, a first
/// chunk `VP8 `, `VP8L` or `VP8X` with a sound header, and chunks that fill the container
/// exactly (each padded to an even length).
pub fn check_webp(input: &[u8], max_dimension: u32) -> Result<Dimensions, ImageError> {
    if input.get(..4) != Some(b"RIFF".as_slice()) || input.get(8..12) != Some(b"WEBP".as_slice()) {
        return Err(ImageError::Malformed);
    }
    let riff_size = to_usize(le_u32(input.get(4..).unwrap_or_default()).ok_or(ImageError::Malformed)?)?;
    if riff_size.checked_add(8) != Some(input.len()) || riff_size % 2 != 0 {
        return Err(ImageError::Malformed);
    }
    let mut chunks = input.get(12..).unwrap_or_default();
    let mut dimensions = None;
    while !chunks.is_empty() {
        let fourcc = chunks.get(..4).ok_or(ImageError::Malformed)?;
        let len = to_usize(le_u32(chunks.get(4..).unwrap_or_default()).ok_or(ImageError::Malformed)?)?;
        let data = chunks.get(8..8usize.checked_add(len).ok_or(ImageError::Malformed)?).ok_or(ImageError::Malformed)?;
        if dimensions.is_none() {
            dimensions = Some(webp_first_chunk(fourcc, data)?.within(max_dimension)?);
        }
        let padded = len.checked_add(len % 2).and_then(|n| n.checked_add(8)).ok_or(ImageError::Malformed)?;
        chunks = chunks.get(padded..).ok_or(ImageError::Malformed)?;
    }
    dimensions.ok_or(ImageError::Malformed)
}

/// The canvas size from a WebP file's first chunk (RFC 9649 §2.5-2.7).
fn webp_first_chunk(fourcc: &[u8], data: &[u8]) -> Result<Dimensions, ImageError> {
    match fourcc {
        // Lossy: a 3-byte frame tag, the start code, then 14-bit width and height.
        b"VP8 " => {
            if data.get(3..6) != Some([0x9D, 0x01, 0x2A].as_slice()) {
                return Err(ImageError::Malformed);
            }
            let width = data.get(6..).and_then(be_u16).map(|w| u32::from(w.swap_bytes() & 0x3FFF));
            let height = data.get(8..).and_then(be_u16).map(|h| u32::from(h.swap_bytes() & 0x3FFF));
            Ok(Dimensions { width: width.ok_or(ImageError::Malformed)?, height: height.ok_or(ImageError::Malformed)? })
        }
        // Lossless: signature 0x2F, then width-1 and height-1 in 14 bits each, an alpha bit
        // and a 3-bit version that must be 0.
        b"VP8L" => {
            let [0x2F, bits @ ..] = data else { return Err(ImageError::Malformed) };
            let bits = le_u32(bits).ok_or(ImageError::Malformed)?;
            if bits >> 29 != 0 {
                return Err(ImageError::Malformed);
            }
            Ok(Dimensions { width: (bits & 0x3FFF) + 1, height: ((bits >> 14) & 0x3FFF) + 1 })
        }
        // Extended: flags, 3 reserved bytes, then canvas width-1 and height-1 in 24 bits.
        b"VP8X" => {
            let width = data.get(4..).and_then(le_u24).ok_or(ImageError::Malformed)?;
            let height = data.get(7..).and_then(le_u24).ok_or(ImageError::Malformed)?;
            Ok(Dimensions { width: width + 1, height: height + 1 })
        }
        _ => Err(ImageError::Malformed),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;

    /// A PNG of the given size: signature, IHDR, an empty IDAT, IEND (CRCs are not checked).
    pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = PNG_SIGNATURE.to_vec();
        out.extend_from_slice(&13u32.to_be_bytes());
        out.extend_from_slice(b"IHDR");
        out.extend_from_slice(&width.to_be_bytes());
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&[0, 0, 0, 0, b'I', b'D', b'A', b'T', 0, 0, 0, 0]);
        out.extend_from_slice(&PNG_IEND);
        out
    }

    /// A baseline JPEG's structure: SOI, APP0, SOF0 of the given size, SOS, scan data, EOI.
    pub(crate) fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        out.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 0x08]);
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&width.to_be_bytes());
        out.extend_from_slice(&[0x01, 0x01, 0x11, 0x00]);
        out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
        out.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD9]);
        out
    }

    /// A 1x1 lossless WebP.
    pub(crate) const WEBP_1X1: &[u8] =
        b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0";

    #[test]
    fn sound_images_pass_with_their_size() {
        assert_eq!(check_png(&png(3, 2), 10), Ok(Dimensions { width: 3, height: 2 }));
        assert_eq!(check_jpeg(&jpeg(640, 480), 1000), Ok(Dimensions { width: 640, height: 480 }));
        assert_eq!(check_webp(WEBP_1X1, 10), Ok(Dimensions { width: 1, height: 1 }));
    }

    #[test]
    fn a_signature_followed_by_anything_is_not_an_image() {
        let mut fake_png = PNG_SIGNATURE.to_vec();
        fake_png.extend_from_slice(&[0; 12]);
        assert_eq!(check_png(&fake_png, 10), Err(ImageError::Malformed));
        assert_eq!(check_jpeg(b"\xFF\xD8\xFF<html><script>alert(1)</script>", 10), Err(ImageError::Malformed));
        assert_eq!(check_webp(b"RIFF\x10\0\0\0WEBPVP8 \x04\0\0\0\0\0\0\0", 10), Err(ImageError::Malformed));
    }

    #[test]
    fn a_jpeg_without_a_frame_header_or_an_end_is_refused() {
        let sound = jpeg(4, 4);
        let no_end = &sound[..sound.len() - 2];
        assert_eq!(check_jpeg(no_end, 10), Err(ImageError::Malformed));
        let cut = &sound[..12];
        assert_eq!(check_jpeg(cut, 10), Err(ImageError::Malformed));
        // SOF0 removed: the scan comes with no size.
        let sof = sound.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        let without_frame = [&sound[..sof], &sound[sof + 13..]].concat();
        assert_eq!(check_jpeg(&without_frame, 10), Err(ImageError::Malformed));
        // Data after EOI (a motion photo's video) is allowed.
        let trailer = [sound.as_slice(), b"....ftypmp42"].concat();
        assert!(check_jpeg(&trailer, 10).is_ok());
    }

    #[test]
    fn a_webp_must_fill_its_container_exactly() {
        let mut longer = WEBP_1X1.to_vec();
        longer.extend_from_slice(b"junk");
        assert_eq!(check_webp(&longer, 10), Err(ImageError::Malformed));
        assert_eq!(check_webp(&WEBP_1X1[..WEBP_1X1.len() - 2], 10), Err(ImageError::Malformed));
    }

    #[test]
    fn sizes_outside_the_callers_bounds_are_refused() {
        assert_eq!(check_png(&png(0, 1), 10), Err(ImageError::Dimensions { width: 0, height: 1 }));
        assert_eq!(check_png(&png(11, 1), 10), Err(ImageError::Dimensions { width: 11, height: 1 }));
        assert_eq!(check_jpeg(&jpeg(11, 1), 10), Err(ImageError::Dimensions { width: 11, height: 1 }));
        assert_eq!(check_webp(WEBP_1X1, 0), Err(ImageError::Dimensions { width: 1, height: 1 }));
    }
}
