//! A small `multipart/form-data` reader for the upload form (axum's multipart
//! extractor is not built in this workspace). Whole bodies only, already size-limited;
//! never panics on malformed input (it answers `None`).

use axum::body::Bytes;

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// The form field's name.
    pub name: String,
    /// The file name, for file fields.
    pub filename: Option<String>,
    /// The content.
    pub data: Bytes,
}

impl Part {
    /// The content as text (form fields).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// The boundary of a `multipart/form-data` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("boundary").then(|| v.trim().trim_matches('"').to_string())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    let first = needle[0];
    let mut i = from;
    while i + needle.len() <= hay.len() {
        match hay[i..].iter().position(|b| *b == first) {
            Some(p) => {
                let at = i + p;
                if hay.get(at..at + needle.len()) == Some(needle) {
                    return Some(at);
                }
                i = at + 1;
            }
            None => return None,
        }
    }
    None
}

/// A `name="value"` parameter of a header value.
fn param(header: &str, name: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Splits a multipart body into its parts; `None` when it is malformed.
pub(crate) fn parse(boundary: &str, body: &Bytes) -> Option<Vec<Part>> {
    if boundary.is_empty() || boundary.len() > 200 {
        return None;
    }
    let delim = format!("--{boundary}");
    let next_delim = format!("\r\n--{boundary}");
    let mut pos = find(body, delim.as_bytes(), 0)? + delim.len();
    let mut parts = Vec::new();
    loop {
        // After a delimiter: `--` ends the body, CRLF starts a part.
        let rest = body.get(pos..)?;
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        if !rest.starts_with(b"\r\n") {
            return None;
        }
        pos += 2;
        let head_end = find(body, b"\r\n\r\n", pos)?;
        let head = String::from_utf8_lossy(body.get(pos..head_end)?).into_owned();
        let data_start = head_end + 4;
        let data_end = find(body, next_delim.as_bytes(), data_start)?;
        let disposition = head.split("\r\n").find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case("content-disposition").then(|| v.trim().to_string())
        })?;
        let name = param(&disposition, "name")?;
        let filename = param(&disposition, "filename");
        parts.push(Part { name, filename, data: body.slice(data_start..data_end) });
        pos = data_end + next_delim.len();
        if parts.len() > 100 {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parts_and_malformed_bodies() {
        let b = boundary("multipart/form-data; boundary=\"XyZ\"").unwrap();
        assert_eq!(b, "XyZ");
        let body = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\xe9\xa2\x84\xe7\xae\x97.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--\r\n--XyZ--\r\n",
        );
        let parts = parse(&b, &body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].text(), "abc");
        assert_eq!(parts[1].filename.as_deref(), Some("预算.pdf"));
        assert_eq!(&parts[1].data[..], b"%PDF\r\n--");
        assert!(parse(&b, &Bytes::from_static(b"--XyZ\r\nno end")).is_none());
        assert!(parse(&b, &Bytes::from_static(b"")).is_none());
        assert!(boundary("application/x-www-form-urlencoded").is_none());
    }
}
