//! HTML sanitising (净化) for government content, with Word/WPS paste cleanup.
//!
//! Pipeline of [`sanitize_html`]:
//! 1. **Paste cleanup** on the raw string: conditional comments (`<!--[if …]>…<![endif]-->`
//!    removed with their content; downlevel-revealed `<![if …]>`/`<![endif]>` markers
//!    removed, content kept), `<xml>…</xml>` blocks, Office namespaced tags (`<o:p>`,
//!    `<w:…>`, `<v:…>`, `<m:…>`, `<st1:…>`: tag removed, content kept).
//! 2. **ammonia** with a fixed allow-list (see [`Policy`]); `class` and `style` never pass, so
//!    `mso-*` classes and styles go with them; `<script>`/`<style>` go with their content.
//! 3. **Post-pass** on ammonia's output: `&nbsp;` runs (with spaces) collapse to one space
//!    (except in `<pre>`), whitespace at the start and end of a block is trimmed, elements left
//!    empty (`<p>&nbsp;</p>`, `<b></b>`) and iframes whose `src` did not pass are removed.
//!
//! Kept: headings, paragraphs, lists, tables (`colspan`/`rowspan`, `border`), images (`src`
//! http/https/relative, `alt`, `title`, `width`/`height`), links (`href`
//! http/https/mailto/relative, `title`, `target` only `_blank`, `rel="noopener noreferrer"`
//! always), `b strong i em u s sub sup br hr blockquote pre code figure figcaption`, `video`
//! and `source` (`src`/`poster` http/https/relative), `iframe` only with an `https` `src` on a
//! host in [`Policy::iframe_hosts`].

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::html::{self, Token};

/// What the sanitiser lets through beyond the fixed government-content policy.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Policy {
    /// Host names whose `<iframe src>` is kept (video hosts), e.g. `player.example.cn`.
    /// Compared case-insensitively and exactly (no subdomains); the `src` must be `https`.
    pub iframe_hosts: Vec<String>,
}

/// A sanitised body and its plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanitized {
    /// Safe HTML to store and render.
    pub html: String,
    /// Plain text for summaries, checks and search.
    pub text: String,
}

const TAGS: &[&str] = &[
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "div",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "img",
    "a",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "sub",
    "sup",
    "blockquote",
    "pre",
    "code",
    "figure",
    "figcaption",
    "video",
    "source",
    "iframe",
];

/// Elements whose content is dropped with them.
const CLEAN_CONTENT: &[&str] = &["script", "style", "template", "object", "embed", "applet", "xml", "noscript"];

fn tag_attributes() -> HashMap<&'static str, HashSet<&'static str>> {
    let mut m: HashMap<&'static str, HashSet<&'static str>> = HashMap::new();
    let mut add = |tag: &'static str, attrs: &[&'static str]| {
        m.insert(tag, attrs.iter().copied().collect());
    };
    add("a", &["href", "title", "target"]);
    add("img", &["src", "alt", "title", "width", "height"]);
    add("td", &["colspan", "rowspan"]);
    add("th", &["colspan", "rowspan", "scope"]);
    add("table", &["border"]);
    add("ol", &["start"]);
    add("video", &["src", "poster", "controls", "width", "height"]);
    add("source", &["src", "type"]);
    add("iframe", &["src", "width", "height", "allowfullscreen"]);
    m
}

/// The attribute filter: runs after ammonia's allow-list and scheme checks.
fn filter_attr<'u>(element: &str, attr: &str, value: &'u str, hosts: &[String]) -> Option<Cow<'u, str>> {
    match (element, attr) {
        ("iframe", "src") => iframe_src_allowed(value, hosts).then_some(Cow::Borrowed(value)),
        (_, "src") | (_, "poster") => {
            let v = value.trim_start().to_ascii_lowercase();
            (!v.starts_with("mailto:") && !dangerous_url(value)).then_some(Cow::Borrowed(value))
        }
        (_, "href") => (!dangerous_url(value)).then_some(Cow::Borrowed(value)),
        (_, "target") => value.trim().eq_ignore_ascii_case("_blank").then_some(Cow::Borrowed("_blank")),
        (_, "width" | "height" | "colspan" | "rowspan" | "border" | "start") => {
            let v = value.trim();
            let digits = v.strip_suffix('%').unwrap_or(v);
            (!digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| Cow::Owned(v.to_string()))
        }
        ("th", "scope") => matches!(value, "row" | "col" | "rowgroup" | "colgroup").then_some(Cow::Borrowed(value)),
        ("source", "type") => {
            let ok = value.len() <= 64
                && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'+' | b'.'));
            ok.then_some(Cow::Borrowed(value))
        }
        _ => Some(Cow::Borrowed(value)),
    }
}

/// Defence in depth behind ammonia's scheme check: a URL that, with every whitespace and
/// control character removed (e.g. a leading U+2028), starts with a script-capable scheme.
fn dangerous_url(value: &str) -> bool {
    let squeezed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:", "livescript:", "mocha:"].iter().any(|s| squeezed.starts_with(s))
}

/// Is `src` an `https` URL whose host is one of `hosts`?
pub fn iframe_src_allowed(src: &str, hosts: &[String]) -> bool {
    let src = src.trim();
    let Some(rest) = src.get(..8).filter(|p| p.eq_ignore_ascii_case("https://")).map(|_| &src[8..]) else {
        return false;
    };
    let authority_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if authority.is_empty() || authority.contains(['@', '%']) || authority.chars().any(char::is_whitespace) {
        return false;
    }
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        Some(_) => return false,
        None => authority,
    };
    let host = host.trim_end_matches('.');
    hosts.iter().any(|h| h.trim().trim_end_matches('.').eq_ignore_ascii_case(host))
}

fn builder(policy: &Policy) -> ammonia::Builder<'static> {
    let hosts: Vec<String> = policy.iframe_hosts.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    let mut b = ammonia::Builder::empty();
    b.tags(TAGS.iter().copied().collect())
        .clean_content_tags(CLEAN_CONTENT.iter().copied().collect())
        .tag_attributes(tag_attributes())
        .generic_attributes(HashSet::new())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .attribute_filter(move |element, attr, value| filter_attr(element, attr, value, &hosts));
    b
}

/// Sanitises `input` under `policy`.
pub fn sanitize_html(input: &str, policy: &Policy) -> Sanitized {
    let pre = clean_office_paste(input);
    let cleaned = builder(policy).clean(&pre).to_string();
    let html = post_process(&cleaned);
    let text = extract_plain(&html);
    Sanitized { html, text }
}

/// Removes Word/WPS paste debris that ammonia would otherwise turn into text: conditional
/// comments, `<xml>` blocks and Office-namespaced tags (`<o:p>`, `<w:…>`, `<v:…>`).
pub fn clean_office_paste(input: &str) -> String {
    if !input.contains("<!") && !input.contains(':') && !input.to_ascii_lowercase().contains("<xml") {
        return input.to_string();
    }
    let chars: Vec<char> = input.chars().collect();
    let lower: Vec<char> = chars.iter().map(|c| c.to_ascii_lowercase()).collect();
    let n = chars.len();
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    let at = |i: usize, pat: &str| -> bool { pat.chars().enumerate().all(|(k, p)| lower.get(i + k) == Some(&p)) };
    let find = |from: usize, pat: &str| -> Option<usize> { (from..n).find(|&k| at(k, pat)) };
    while i < n {
        if chars[i] == '<' {
            // Downlevel-hidden conditional comment: drop with content.
            if at(i, "<!--[if") {
                let end = find(i, "<![endif]-->").map(|e| e + "<![endif]-->".len()).unwrap_or(n);
                i = end;
                continue;
            }
            // Downlevel-revealed markers: drop the marker, keep what is between.
            if at(i, "<![if") || at(i, "<![endif") || at(i, "<!--<![endif]") {
                i = find(i, ">").map(|e| e + 1).unwrap_or(n);
                continue;
            }
            if at(i, "<xml") && lower.get(i + 4).is_some_and(|c| c.is_whitespace() || *c == '>') {
                i = find(i, "</xml>").map(|e| e + "</xml>".len()).unwrap_or(n);
                continue;
            }
            // <prefix:name …> or </prefix:name>
            let name_start = if chars.get(i + 1) == Some(&'/') { i + 2 } else { i + 1 };
            let mut k = name_start;
            while k < n && (chars[k].is_ascii_alphanumeric()) {
                k += 1;
            }
            if k > name_start && chars.get(k) == Some(&':') && chars[name_start].is_ascii_alphabetic() {
                i = find(k, ">").map(|e| e + 1).unwrap_or(n);
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Elements removed when they end up with no content at all.
fn removable_when_empty(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "b"
            | "strong"
            | "i"
            | "em"
            | "u"
            | "s"
            | "sub"
            | "sup"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "code"
            | "a"
            | "figcaption"
    )
}

fn is_void(name: &str) -> bool {
    matches!(name, "br" | "hr" | "img" | "source" | "col" | "wbr")
}

/// Post-processes ammonia output (well-formed, known serialisation).
fn post_process(html: &str) -> String {
    let mut current = normalize_space(html);
    // Removing an empty element can empty its parent or bring whitespace next to a block
    // edge: repeat until nothing changes (bounded by nesting depth).
    for _ in 0..32 {
        let next = normalize_space(&remove_empty_and_bad_iframes(&current));
        if next == current {
            break;
        }
        current = next;
    }
    current
}

/// Collapses runs of spaces mixed with `&nbsp;` to one space and trims whitespace at the
/// start and end of blocks; `<pre>` is left alone.
fn normalize_space(html: &str) -> String {
    let chars: Vec<char> = html.chars().collect();
    let tokens = html::tokenize(&chars);
    let mut out = String::with_capacity(html.len());
    let mut pre_depth = 0usize;
    let mut at_block_start = true;
    for (idx, token) in tokens.iter().enumerate() {
        match token {
            Token::Text { start, end } | Token::RawText { start, end } => {
                let raw: String = chars[*start..*end].iter().collect();
                if pre_depth > 0 {
                    out.push_str(&raw);
                    at_block_start = false;
                    continue;
                }
                let mut t = collapse_nbsp(&raw);
                if at_block_start {
                    t = t.trim_start_matches([' ', '\n', '\t', '\r']).to_string();
                }
                let next_is_block_edge = match tokens.get(idx + 1) {
                    None => true,
                    Some(Token::Start { name, .. }) | Some(Token::End { name, .. }) => html::is_block(name),
                    _ => false,
                };
                if next_is_block_edge {
                    t = t.trim_end_matches([' ', '\n', '\t', '\r']).to_string();
                }
                if !t.is_empty() {
                    at_block_start = false;
                }
                out.push_str(&t);
            }
            Token::Start { name, attrs, self_closing: false, .. } if attrs.len() > 1 => {
                // ammonia's attribute order depends on which attributes it removed; write them
                // sorted so that sanitising again gives the same bytes. Values are ammonia's
                // (double-quoted, escaped), copied verbatim.
                let mut sorted: Vec<&(String, String)> = attrs.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                out.push('<');
                out.push_str(name);
                for (a, v) in sorted {
                    out.push(' ');
                    out.push_str(a);
                    out.push_str("=\"");
                    out.push_str(v);
                    out.push('"');
                }
                out.push('>');
                if html::is_block(name) {
                    at_block_start = true;
                }
            }
            Token::Start { name, start, end, .. } | Token::End { name, start, end } => {
                let is_start = matches!(token, Token::Start { .. });
                if name == "pre" {
                    if is_start {
                        pre_depth += 1;
                    } else {
                        pre_depth = pre_depth.saturating_sub(1);
                    }
                }
                if html::is_block(name) {
                    at_block_start = true;
                }
                out.extend(&chars[*start..*end]);
            }
            Token::Other { start, end } => out.extend(&chars[*start..*end]),
        }
    }
    out
}

/// Replaces every run of spaces/`&nbsp;` that contains at least one `&nbsp;` (or U+00A0)
/// with a single space.
fn collapse_nbsp(s: &str) -> String {
    if !s.contains("&nbsp;") && !s.contains('\u{A0}') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut run = String::new();
    let mut run_has_nbsp = false;
    loop {
        if let Some(r) = rest.strip_prefix("&nbsp;") {
            run.push_str("&nbsp;");
            run_has_nbsp = true;
            rest = r;
            continue;
        }
        let mut it = rest.chars();
        match it.next() {
            Some(c) if c == ' ' || c == '\u{A0}' => {
                run.push(c);
                run_has_nbsp |= c == '\u{A0}';
                rest = it.as_str();
            }
            other => {
                if !run.is_empty() {
                    if run_has_nbsp {
                        out.push(' ');
                    } else {
                        out.push_str(&run);
                    }
                    run.clear();
                    run_has_nbsp = false;
                }
                match other {
                    Some(c) => {
                        out.push(c);
                        rest = it.as_str();
                    }
                    None => break,
                }
            }
        }
    }
    out
}

/// One pass: removes elements (from [`removable_when_empty`]) that contain nothing but
/// whitespace, iframes without a `src` (theirs did not pass the filter) and the content of
/// the remaining iframes.
fn remove_empty_and_bad_iframes(html: &str) -> String {
    let chars: Vec<char> = html.chars().collect();
    let tokens = html::tokenize(&chars);
    let mut drop = vec![false; tokens.len()];
    // Stack of open elements: (token index, name, has content).
    let mut stack: Vec<(usize, String, bool)> = Vec::new();
    for (idx, token) in tokens.iter().enumerate() {
        match token {
            Token::Start { name, attrs, self_closing, .. } => {
                if name == "iframe" && !attrs.iter().any(|(a, _)| a == "src") {
                    // Drop the iframe, its content and its end tag.
                    drop[idx] = true;
                    let mut k = idx + 1;
                    while k < tokens.len() {
                        let is_end = matches!(&tokens[k], Token::End { name, .. } if name == "iframe");
                        drop[k] = true;
                        if is_end {
                            break;
                        }
                        k += 1;
                    }
                    continue;
                }
                if drop[idx] {
                    continue;
                }
                if let Some(top) = stack.last_mut() {
                    top.2 = true;
                }
                if !is_void(name) && !*self_closing {
                    stack.push((idx, name.clone(), false));
                }
            }
            Token::End { name, .. } => {
                if drop[idx] {
                    continue;
                }
                if let Some(pos) = stack.iter().rposition(|(_, n, _)| n == name) {
                    let (open_idx, open_name, has_content) = stack.remove(pos);
                    stack.truncate(pos);
                    if !has_content && removable_when_empty(&open_name) {
                        drop[open_idx] = true;
                        drop[idx] = true;
                        // Whatever whitespace was inside goes too.
                        for d in drop.iter_mut().take(idx).skip(open_idx + 1) {
                            *d = true;
                        }
                    } else if let Some(top) = stack.last_mut() {
                        top.2 = true;
                    }
                }
            }
            Token::RawText { .. } => {
                // Only iframes have raw text in ammonia's output; browsers never render it,
                // and ammonia writes it unescaped: drop it.
                drop[idx] = true;
            }
            Token::Text { start, end } => {
                if drop[idx] {
                    continue;
                }
                let blank = chars[*start..*end].iter().all(|c| c.is_whitespace());
                if !blank && let Some(top) = stack.last_mut() {
                    top.2 = true;
                }
            }
            Token::Other { .. } => {}
        }
    }
    let mut out = String::with_capacity(html.len());
    for (idx, token) in tokens.iter().enumerate() {
        if drop[idx] {
            continue;
        }
        let (start, end) = match token {
            Token::Text { start, end }
            | Token::RawText { start, end }
            | Token::Start { start, end, .. }
            | Token::End { start, end, .. }
            | Token::Other { start, end } => (*start, *end),
        };
        out.extend(&chars[start..end]);
    }
    out
}

/// Plain text of markup already normalised by ammonia.
fn extract_plain(html: &str) -> String {
    let (raw, _, _) = html::text_with_offsets(html);
    collapse_text(&raw)
}

/// Collapses whitespace: runs of spaces/tabs (incl. no-break and ideographic spaces) become
/// one space, lines are trimmed, runs of line breaks become one `'\n'`.
fn collapse_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for line in raw.split(['\n', '\r']) {
        let mut line_out = String::new();
        let mut pending_space = false;
        for c in line.chars() {
            if c.is_whitespace() {
                pending_space = !line_out.is_empty();
            } else {
                if pending_space {
                    line_out.push(' ');
                    pending_space = false;
                }
                line_out.push(c);
            }
        }
        if !line_out.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&line_out);
        }
    }
    out
}

/// The plain text of HTML: block elements and `<br>` become line breaks, entities are
/// decoded, scripts and styles are dropped, whitespace runs collapse.
pub fn plain_text(html: &str) -> String {
    let mut b = ammonia::Builder::empty();
    b.tags(TAGS.iter().copied().collect())
        .clean_content_tags(CLEAN_CONTENT.iter().copied().collect())
        .strip_comments(true);
    let normalised = b.clean(&clean_office_paste(html)).to_string();
    extract_plain(&normalised)
}

/// The first `max_chars` characters of `text`, with `…` when cut. A cut prefers to end
/// after a sentence end (`。！？!?`) found in the last fifth of the allowed length; the `…`
/// is counted in `max_chars`. Whitespace runs are collapsed to one space first.
pub fn summary(text: &str, max_chars: usize) -> String {
    let mut flat = String::with_capacity(text.len());
    let mut pending = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending = !flat.is_empty();
        } else {
            if pending {
                flat.push(' ');
                pending = false;
            }
            flat.push(c);
        }
    }
    let chars: Vec<char> = flat.chars().collect();
    if chars.len() <= max_chars {
        return flat;
    }
    if max_chars == 0 {
        return String::new();
    }
    let budget = max_chars - 1; // room for the ellipsis
    let window_start = budget - budget / 5;
    let sentence_end =
        (window_start..budget).rev().find(|&k| matches!(chars[k], '。' | '！' | '？' | '!' | '?' | '；' | ';'));
    let mut out: String = match sentence_end {
        Some(k) => chars[..=k].iter().collect(),
        None => chars[..budget].iter().collect::<String>().trim_end().to_string(),
    };
    out.push('…');
    out
}

/// The `href`/`src` targets of links, images, videos, sources and iframes in (sanitised)
/// HTML, entity-decoded, in document order.
pub fn links(html: &str) -> Vec<String> {
    let chars: Vec<char> = html.chars().collect();
    let mut out = Vec::new();
    for token in html::tokenize(&chars) {
        if let Token::Start { name, attrs, .. } = token {
            for (attr, value) in attrs {
                let wanted = matches!(
                    (name.as_str(), attr.as_str()),
                    ("a", "href") | ("img" | "video" | "source" | "iframe", "src") | ("video", "poster")
                );
                if wanted {
                    let v = html::decode_str(&value).trim().to_string();
                    if !v.is_empty() {
                        out.push(v);
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn summary_cuts() {
        assert_eq!(summary("短文本", 10), "短文本");
        let s = summary("第一句话。第二句话比较长一些，还没有结束", 12);
        assert_eq!(s, "第一句话。第二句话比较…");
        let s = summary("一二三四五六七八九十。十一十二", 12);
        assert_eq!(s, "一二三四五六七八九十。…");
    }

    #[test]
    fn iframe_hosts() {
        let hosts = vec!["player.example.cn".to_string()];
        assert!(iframe_src_allowed("https://player.example.cn/v/1", &hosts));
        assert!(iframe_src_allowed("HTTPS://PLAYER.example.cn:443/v", &hosts));
        assert!(!iframe_src_allowed("http://player.example.cn/v/1", &hosts));
        assert!(!iframe_src_allowed("https://player.example.cn@evil.com/", &hosts));
        assert!(!iframe_src_allowed("https://evil.com/player.example.cn", &hosts));
        assert!(!iframe_src_allowed("https://player.example.cn.evil.com/", &hosts));
        assert!(!iframe_src_allowed("//player.example.cn/", &hosts));
    }

    #[test]
    fn nbsp_runs() {
        assert_eq!(collapse_nbsp("a&nbsp;&nbsp; b"), "a b");
        assert_eq!(collapse_nbsp("a  b"), "a  b");
    }
}
