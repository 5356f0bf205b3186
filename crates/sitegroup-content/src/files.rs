//! Attachments (附件): the file store, upload checks and thumbnails.
//!
//! Files are **content-addressed**: the key is the sha256 of the bytes (hex) plus the
//! checked extension, so the same file uploaded twice is stored once. Uploads pass
//! [`check_upload`] first: a size limit (setting `content.max_file_bytes`, default
//! [`DEFAULT_MAX_FILE_BYTES`]), an allow-list of extensions, and the extension must
//! agree with the type sniffed from the bytes (`infer`), so `report.pdf` holding an
//! executable is refused.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ContentError;

/// Default upload limit: 50 MB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// Default thumbnail size (longest side, pixels).
pub const THUMB_MAX: u32 = 320;

/// Extensions accepted, lowercase.
pub const ALLOWED_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps", "ofd", "zip", "jpg", "jpeg", "png", "gif",
    "mp4", "txt", "csv",
];

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    /// Key: sha256 hex, `.`, extension.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// MIME type to serve it with.
    pub mime: String,
}

/// A store of files by key. The directory implementation is [`DirFileStore`]; an S3 one
/// can follow.
pub trait FileStore: Send + Sync + std::fmt::Debug {
    /// Stores `bytes` (already checked) with extension `ext`; returns the key. Storing the
    /// same bytes again returns the same key and writes nothing.
    fn put(&self, bytes: &[u8], ext: &str) -> Result<String, ContentError>;
    /// The bytes of a key.
    fn get(&self, key: &str) -> Result<Vec<u8>, ContentError>;
    /// Whether a key is stored.
    fn exists(&self, key: &str) -> Result<bool, ContentError>;
    /// Deletes a key (no error if absent).
    fn delete(&self, key: &str) -> Result<(), ContentError>;
}

/// The default file store: a directory, files at `dir/ab/cd/<sha256>.<ext>`.
#[derive(Debug, Clone)]
pub struct DirFileStore {
    dir: PathBuf,
}

impl DirFileStore {
    /// A store in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> DirFileStore {
        DirFileStore { dir: dir.into() }
    }

    fn path(&self, key: &str) -> Result<PathBuf, ContentError> {
        let (hash, ext) = key.split_once('.').ok_or_else(|| bad_key(key))?;
        let ok_hash = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        let ok_ext =
            !ext.is_empty() && ext.len() <= 8 && ext.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !ok_hash || !ok_ext {
            return Err(bad_key(key));
        }
        Ok(self.dir.join(&hash[0..2]).join(&hash[2..4]).join(key))
    }
}

fn bad_key(key: &str) -> ContentError {
    ContentError::FileRejected { name: key.chars().take(80).collect(), reason: "not a file-store key".into() }
}

fn io_err(path: &Path, e: std::io::Error) -> ContentError {
    ContentError::Io { path: path.display().to_string(), source: e }
}

/// The key of some bytes with an extension.
pub fn key_of(bytes: &[u8], ext: &str) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.{ext}")
}

impl FileStore for DirFileStore {
    fn put(&self, bytes: &[u8], ext: &str) -> Result<String, ContentError> {
        let key = key_of(bytes, ext);
        let path = self.path(&key)?;
        if path.exists() {
            return Ok(key);
        }
        let parent = path.parent().ok_or_else(|| bad_key(&key))?;
        std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
        // Write to a temporary name and rename, so a reader never sees half a file.
        let tmp = parent.join(format!(".{key}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, bytes).map_err(|e| io_err(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io_err(&path, e))?;
        Ok(key)
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, ContentError> {
        let path = self.path(key)?;
        std::fs::read(&path).map_err(|e| io_err(&path, e))
    }

    fn exists(&self, key: &str) -> Result<bool, ContentError> {
        Ok(self.path(key)?.exists())
    }

    fn delete(&self, key: &str) -> Result<(), ContentError> {
        let path = self.path(key)?;
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(&path, e)),
        }
    }
}

/// The checked type of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedType {
    /// Normalised extension (`jpeg` → `jpg`).
    pub ext: String,
    /// MIME type.
    pub mime: String,
}

/// Checks an upload: size, extension on the allow-list, and agreement of the extension
/// with the sniffed type. Pure.
///
/// ```
/// use sitegroup_content::files::check_upload;
/// assert!(check_upload("说明.txt", "你好".as_bytes(), 1024).is_ok());
/// assert!(check_upload("x.pdf", b"MZ\x90\x00 not a pdf", 1024).is_err());
/// assert!(check_upload("x.exe", b"MZ", 1024).is_err());
/// ```
pub fn check_upload(name: &str, bytes: &[u8], max_bytes: u64) -> Result<CheckedType, ContentError> {
    let reject = |reason: String| ContentError::FileRejected { name: name.chars().take(200).collect(), reason };
    let size = bytes.len() as u64;
    if size > max_bytes {
        return Err(ContentError::FileTooLarge { size, max: max_bytes });
    }
    if bytes.is_empty() {
        return Err(reject("empty file".into()));
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.trim().to_ascii_lowercase()).unwrap_or_default();
    let ext = if ext == "jpeg" { "jpg".to_string() } else { ext };
    if !ALLOWED_EXTENSIONS.contains(&ext.as_str()) {
        return Err(reject(format!("extension {ext:?} is not allowed")));
    }
    let sniffed = infer::get(bytes).map(|t| (t.extension().to_string(), t.mime_type().to_string()));
    let sniffed_ext = sniffed.as_ref().map(|(e, _)| if e == "jpeg" { "jpg" } else { e.as_str() });
    let is_ole = bytes.starts_with(&OLE_MAGIC);
    let mime = match ext.as_str() {
        "doc" | "xls" | "ppt" | "wps" | "et" | "dps" => {
            if !is_ole {
                return Err(reject(format!("content is not an Office 97-2003 / WPS file (.{ext})")));
            }
            match ext.as_str() {
                "doc" => "application/msword",
                "xls" => "application/vnd.ms-excel",
                "ppt" => "application/vnd.ms-powerpoint",
                "wps" => "application/vnd.ms-works",
                _ => "application/octet-stream",
            }
            .to_string()
        }
        "docx" | "xlsx" | "pptx" | "ofd" | "zip" => {
            let ok = match sniffed_ext {
                Some("zip") => true,
                Some(s @ ("docx" | "xlsx" | "pptx")) => s == ext || ext == "zip",
                _ => false,
            };
            if !ok {
                return Err(reject(format!("content ({}) does not match .{ext}", sniffed_ext.unwrap_or("unknown"))));
            }
            match ext.as_str() {
                "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "ofd" => "application/ofd",
                _ => "application/zip",
            }
            .to_string()
        }
        "txt" | "csv" => {
            let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            if std::str::from_utf8(body).is_err() || body.contains(&0) {
                return Err(reject("text files must be UTF-8".into()));
            }
            if ext == "csv" { "text/csv; charset=utf-8" } else { "text/plain; charset=utf-8" }.to_string()
        }
        _ => match (&sniffed, sniffed_ext) {
            (Some((_, mime)), Some(s)) if s == ext => mime.clone(),
            _ => return Err(reject(format!("content ({}) does not match .{ext}", sniffed_ext.unwrap_or("unknown")))),
        },
    };
    Ok(CheckedType { ext, mime })
}

/// A JPEG thumbnail whose longest side is at most `max` pixels (aspect kept; never
/// enlarged). Refuses images larger than 12,000 pixels a side before decoding them.
pub fn thumbnail(bytes: &[u8], max: u32) -> Result<Vec<u8>, ContentError> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ContentError::Image(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| ContentError::Image(e.to_string()))?;
    let max = max.max(1);
    let img = if img.width() > max || img.height() > max { img.thumbnail(max, max) } else { img };
    let rgb = image::DynamicImage::ImageRgb8(img.to_rgb8());
    let mut out = Cursor::new(Vec::new());
    rgb.write_to(&mut out, image::ImageFormat::Jpeg).map_err(|e| ContentError::Image(e.to_string()))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 10, 10]));
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn store_dedups_and_refuses_bad_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirFileStore::new(dir.path());
        let a = store.put(b"hello", "txt").unwrap();
        let b = store.put(b"hello", "txt").unwrap();
        assert_eq!(a, b);
        assert!(store.exists(&a).unwrap());
        assert_eq!(store.get(&a).unwrap(), b"hello");
        store.delete(&a).unwrap();
        assert!(!store.exists(&a).unwrap());
        store.delete(&a).unwrap();
        for bad in ["../../etc/passwd", "abc.txt", &format!("{}.t/x", "a".repeat(64)), ""] {
            assert!(store.get(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn uploads() {
        let p = png(10, 10);
        assert_eq!(check_upload("a.PNG", &p, 1 << 20).unwrap().ext, "png");
        assert!(matches!(check_upload("a.jpg", &p, 1 << 20), Err(ContentError::FileRejected { .. })));
        assert!(matches!(check_upload("a.png", &p, 5), Err(ContentError::FileTooLarge { .. })));
        assert!(check_upload("a.pdf", b"%PDF-1.7\n...", 100).is_ok());
        let mut ole = OLE_MAGIC.to_vec();
        ole.extend([0u8; 600]);
        assert!(check_upload("公文.wps", &ole, 1 << 20).is_ok());
        assert!(check_upload("公文.docx", &ole, 1 << 20).is_err());
        assert!(check_upload("a.doc", b"PK\x03\x04", 100).is_err());
        assert!(check_upload("a.txt", &[0xff, 0xfe, 0x00], 100).is_err());
        assert!(check_upload("a.csv", "\u{feff}名称,数量\n".as_bytes(), 100).is_ok());
        assert!(check_upload("noext", b"abc", 100).is_err());
        assert!(check_upload("a.txt", b"", 100).is_err());
    }

    #[test]
    fn thumbnails() {
        let t = thumbnail(&png(1000, 500), THUMB_MAX).unwrap();
        let img = image::load_from_memory(&t).unwrap();
        assert_eq!((img.width(), img.height()), (320, 160));
        let small = thumbnail(&png(40, 30), THUMB_MAX).unwrap();
        assert_eq!(image::load_from_memory(&small).unwrap().width(), 40);
        assert!(thumbnail(b"not an image", 320).is_err());
    }
}
