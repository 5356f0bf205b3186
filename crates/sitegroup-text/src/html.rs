//! A small, forgiving HTML scanner used for text extraction with offsets, link listing
//! and post-processing of ammonia's (well-formed) output. It is never used to decide
//! what is safe: that is ammonia's job.

/// One piece of markup. Offsets are char indexes into the scanned `&[char]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// Text (raw, entities not decoded) in `[start, end)`.
    Text { start: usize, end: usize },
    /// A start tag; `name` lowercased; attributes with raw (undecoded) values.
    Start { name: String, attrs: Vec<(String, String)>, self_closing: bool, start: usize, end: usize },
    /// An end tag.
    End { name: String, start: usize, end: usize },
    /// A comment, doctype, processing instruction or CDATA section.
    Other { start: usize, end: usize },
    /// The content of a raw-text element (script, style, …), not parsed.
    RawText { start: usize, end: usize },
}

const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"];

/// Block-level elements: a line break in plain text.
pub(crate) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "hr"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "blockquote"
            | "pre"
            | "figure"
            | "figcaption"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "address"
            | "video"
            | "iframe"
            | "center"
            | "body"
            | "html"
    )
}

/// Scans `chars` into tokens.
pub(crate) fn tokenize(chars: &[char]) -> Vec<Token> {
    let mut out = Vec::new();
    let n = chars.len();
    let mut i = 0;
    let mut text_start = 0;
    while i < n {
        if chars[i] != '<' {
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        let kind = match next {
            Some(c) if c.is_ascii_alphabetic() => 1,
            Some('/') if chars.get(i + 2).is_some_and(|c| c.is_ascii_alphabetic()) => 2,
            Some('!') | Some('?') => 3,
            Some('/') => 3,
            _ => 0,
        };
        if kind == 0 {
            i += 1;
            continue;
        }
        if text_start < i {
            out.push(Token::Text { start: text_start, end: i });
        }
        match kind {
            3 => {
                let end = if starts_with(chars, i, "<!--") {
                    find(chars, i + 4, "-->").map(|e| e + 3).unwrap_or(n)
                } else if starts_with(chars, i, "<![CDATA[") {
                    find(chars, i + 9, "]]>").map(|e| e + 3).unwrap_or(n)
                } else {
                    find(chars, i + 1, ">").map(|e| e + 1).unwrap_or(n)
                };
                out.push(Token::Other { start: i, end });
                i = end;
            }
            2 => {
                let (name, after) = read_name(chars, i + 2);
                let end = find(chars, after, ">").map(|e| e + 1).unwrap_or(n);
                out.push(Token::End { name, start: i, end });
                i = end;
            }
            _ => {
                let (name, mut j) = read_name(chars, i + 1);
                let mut attrs = Vec::new();
                let mut self_closing = false;
                loop {
                    while j < n && (chars[j].is_whitespace() || chars[j] == '/') {
                        if chars[j] == '/' {
                            self_closing = true;
                        }
                        j += 1;
                    }
                    if j >= n || chars[j] == '>' {
                        break;
                    }
                    self_closing = false;
                    let an_start = j;
                    while j < n && !chars[j].is_whitespace() && !matches!(chars[j], '>' | '=' | '/') {
                        j += 1;
                    }
                    if j == an_start {
                        // A stray '=' : skip it.
                        j += 1;
                        continue;
                    }
                    let attr_name: String = chars[an_start..j].iter().collect::<String>().to_ascii_lowercase();
                    while j < n && chars[j].is_whitespace() {
                        j += 1;
                    }
                    let mut value = String::new();
                    if j < n && chars[j] == '=' {
                        j += 1;
                        while j < n && chars[j].is_whitespace() {
                            j += 1;
                        }
                        if j < n && (chars[j] == '"' || chars[j] == '\'') {
                            let q = chars[j];
                            let vs = j + 1;
                            let ve = (vs..n).find(|&k| chars[k] == q).unwrap_or(n);
                            value = chars[vs..ve].iter().collect();
                            j = (ve + 1).min(n);
                        } else {
                            let vs = j;
                            while j < n && !chars[j].is_whitespace() && chars[j] != '>' {
                                j += 1;
                            }
                            value = chars[vs..j].iter().collect();
                        }
                    }
                    attrs.push((attr_name, value));
                }
                let end = (j + 1).min(n);
                let raw = RAW_TEXT.contains(&name.as_str()) && !self_closing;
                out.push(Token::Start { name: name.clone(), attrs, self_closing, start: i, end });
                i = end;
                if raw {
                    let close = find_end_tag(chars, i, &name).unwrap_or(n);
                    if close > i {
                        out.push(Token::RawText { start: i, end: close });
                    }
                    i = close;
                }
            }
        }
        text_start = i;
    }
    if text_start < n {
        out.push(Token::Text { start: text_start, end: n });
    }
    out
}

fn read_name(chars: &[char], mut j: usize) -> (String, usize) {
    let start = j;
    while j < chars.len() && !chars[j].is_whitespace() && !matches!(chars[j], '>' | '/') {
        j += 1;
    }
    (chars[start..j].iter().collect::<String>().to_ascii_lowercase(), j)
}

fn starts_with(chars: &[char], i: usize, pat: &str) -> bool {
    let mut k = i;
    for p in pat.chars() {
        match chars.get(k) {
            Some(c) if c.eq_ignore_ascii_case(&p) => k += 1,
            _ => return false,
        }
    }
    true
}

fn find(chars: &[char], from: usize, pat: &str) -> Option<usize> {
    (from..chars.len()).find(|&k| starts_with(chars, k, pat))
}

fn find_end_tag(chars: &[char], from: usize, name: &str) -> Option<usize> {
    let mut k = from;
    while let Some(p) = find(chars, k, "</") {
        if starts_with(chars, p + 2, name) {
            let after = chars.get(p + 2 + name.chars().count()).copied();
            if after.is_none_or(|c| c.is_whitespace() || c == '>' || c == '/') {
                return Some(p);
            }
        }
        k = p + 2;
    }
    None
}

/// Decodes one character reference starting at `chars[i] == '&'`: the decoded char and
/// the number of input chars consumed, or `None` when it is not a known reference.
pub(crate) fn decode_entity(chars: &[char], i: usize) -> Option<(char, usize)> {
    if chars.get(i) != Some(&'&') {
        return None;
    }
    let mut j = i + 1;
    if chars.get(j) == Some(&'#') {
        j += 1;
        let hex = matches!(chars.get(j), Some('x' | 'X'));
        if hex {
            j += 1;
        }
        let ds = j;
        let mut value: u32 = 0;
        while let Some(&c) = chars.get(j) {
            let d = if hex { c.to_digit(16) } else { c.to_digit(10) };
            match d {
                Some(d) => {
                    value = value.saturating_mul(if hex { 16 } else { 10 }).saturating_add(d);
                    j += 1;
                }
                None => break,
            }
        }
        if j == ds {
            return None;
        }
        if chars.get(j) == Some(&';') {
            j += 1;
        }
        let c = match value {
            0 => '\u{FFFD}',
            v => char::from_u32(v).unwrap_or('\u{FFFD}'),
        };
        return Some((c, j - i));
    }
    let ns = j;
    while j < chars.len() && chars[j].is_ascii_alphanumeric() && j - ns < 10 {
        j += 1;
    }
    let name: String = chars[ns..j].iter().collect();
    let c = named_entity(&name)?;
    if chars.get(j) == Some(&';') {
        j += 1;
    } else if !matches!(name.as_str(), "amp" | "lt" | "gt" | "quot" | "nbsp" | "AMP" | "LT" | "GT" | "QUOT") {
        return None;
    }
    Some((c, j - i))
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "thinsp" => '\u{2009}',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "middot" => '·',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "times" => '×',
        "divide" => '÷',
        "copy" => '©',
        "reg" => '®',
        "bull" => '•',
        "deg" => '°',
        "plusmn" => '±',
        "yen" => '¥',
        "laquo" => '«',
        "raquo" => '»',
        "colon" => ':',
        "Tab" => '\t',
        "NewLine" => '\n',
        "lpar" => '(',
        "rpar" => ')',
        "sol" => '/',
        "period" => '.',
        "comma" => ',',
        "semi" => ';',
        "excl" => '!',
        "quest" => '?',
        "num" => '#',
        "percnt" => '%',
        "equals" => '=',
        _ => return None,
    })
}

/// Decodes the character references in `s`.
pub(crate) fn decode_str(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '&'
            && let Some((c, n)) = decode_entity(&chars, i)
        {
            out.push(c);
            i += n;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Text of HTML with, for each char of the text, the span `[start, end)` of input chars it
/// came from. Block elements give a `'\n'` (spanning the tag); entities are decoded;
/// comments and raw-text elements (script, style, …) are skipped; inline tags give
/// nothing, so `法<b>轮</b>功` is one word.
pub(crate) fn text_with_offsets(html: &str) -> (String, Vec<usize>, Vec<usize>) {
    let chars: Vec<char> = html.chars().collect();
    let mut text = String::with_capacity(html.len());
    let mut starts = Vec::with_capacity(chars.len());
    let mut ends = Vec::with_capacity(chars.len());
    for token in tokenize(&chars) {
        match token {
            Token::Text { start, end } => {
                let mut i = start;
                while i < end {
                    if chars[i] == '&'
                        && let Some((c, n)) = decode_entity(&chars[..end], i)
                    {
                        text.push(c);
                        starts.push(i);
                        ends.push(i + n);
                        i += n;
                        continue;
                    }
                    text.push(chars[i]);
                    starts.push(i);
                    ends.push(i + 1);
                    i += 1;
                }
            }
            Token::Start { name, start, end, .. } | Token::End { name, start, end } => {
                if is_block(&name) {
                    text.push('\n');
                    starts.push(start);
                    ends.push(end);
                }
            }
            Token::Other { .. } | Token::RawText { .. } => {}
        }
    }
    (text, starts, ends)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn text_and_offsets() {
        let (t, m, e) = text_with_offsets("<p>法<b>轮</b>功&amp;x</p><script>a</script>");
        assert_eq!(t, "\n法轮功&x\n");
        assert_eq!(m, vec![0, 3, 7, 12, 13, 18, 19]);
        assert_eq!(e, vec![3, 4, 8, 13, 18, 19, 23]);
    }

    #[test]
    fn attrs() {
        let chars: Vec<char> = "<a href='x y' target=_blank data-x>".chars().collect();
        let t = tokenize(&chars);
        match &t[0] {
            Token::Start { name, attrs, .. } => {
                assert_eq!(name, "a");
                assert_eq!(attrs[0], ("href".to_string(), "x y".to_string()));
                assert_eq!(attrs[1], ("target".to_string(), "_blank".to_string()));
                assert_eq!(attrs[2], ("data-x".to_string(), String::new()));
            }
            other => panic!("{other:?}"),
        }
    }
}
