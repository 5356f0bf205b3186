//! An independent, minimal scanner for sanitiser OUTPUT (ammonia serialises well-formed
//! markup with double-quoted attributes), used to assert on its structure.

/// (tag name, attributes with entity-decoded values) of every start tag.
pub fn start_tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'<' && i + 1 < b.len() && b[i + 1].is_ascii_alphabetic() {
            let mut j = i + 1;
            while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
                j += 1;
            }
            let name = html[i + 1..j].to_ascii_lowercase();
            let mut attrs = Vec::new();
            loop {
                while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                    j += 1;
                }
                if j >= b.len() || b[j] == b'>' {
                    break;
                }
                let s = j;
                while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'=' && b[j] != b'>' {
                    j += 1;
                }
                let an = html[s..j].to_ascii_lowercase();
                let mut val = String::new();
                if j < b.len() && b[j] == b'=' {
                    j += 1;
                    if j < b.len() && b[j] == b'"' {
                        let vs = j + 1;
                        let ve = html[vs..].find('"').map(|k| vs + k).unwrap_or(b.len());
                        val = html[vs..ve].to_string();
                        j = (ve + 1).min(b.len());
                    } else {
                        let vs = j;
                        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                            j += 1;
                        }
                        val = html[vs..j].to_string();
                    }
                }
                attrs.push((an, decode(&val)));
            }
            out.push((name, attrs));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Decodes the entities ammonia emits plus numeric ones.
pub fn decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let end = rest.find(';').filter(|e| *e < 12);
        match end {
            Some(e) => {
                let ent = &rest[1..e];
                let c = match ent {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "nbsp" => Some('\u{a0}'),
                    _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                        u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32)
                    }
                    _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
                    _ => None,
                };
                match c {
                    Some(c) => {
                        out.push(c);
                        rest = &rest[e + 1..];
                    }
                    None => {
                        out.push('&');
                        rest = &rest[1..];
                    }
                }
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Panics with `context` when `html` holds anything executable or disallowed.
pub fn assert_safe(html: &str, allowed_iframe_host: Option<&str>, context: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in ["<script", "<style", "<svg", "<math", "<object", "<embed", "<form", "<input", "<base", "<meta", "<link"]
    {
        assert!(!lower.contains(bad), "{bad} in output of {context:?}: {html}");
    }
    if allowed_iframe_host.is_none() {
        assert!(!lower.contains("<iframe"), "iframe in output of {context:?}: {html}");
    }
    for (tag, attrs) in start_tags(html) {
        for (name, value) in attrs {
            assert!(!name.starts_with("on"), "event handler {name} on <{tag}> from {context:?}: {html}");
            assert!(name != "style" && name != "class" && name != "id", "{name} on <{tag}> from {context:?}: {html}");
            if matches!(name.as_str(), "href" | "src" | "poster" | "xlink:href" | "action" | "formaction") {
                let v: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                for scheme in ["javascript:", "vbscript:", "data:", "livescript:", "mocha:"] {
                    assert!(!v.starts_with(scheme), "{scheme} URL in <{tag} {name}> from {context:?}: {html}");
                }
                if tag == "iframe" {
                    let host = allowed_iframe_host.unwrap_or("\u{0}");
                    assert!(v.starts_with(&format!("https://{host}/")), "iframe src {v} from {context:?}");
                }
            }
        }
    }
}
