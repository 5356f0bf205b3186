//! Highlighting (高亮) on the ORIGINAL text: matches are found in the folded form
//! (separators ignored) and mapped back, so Traditional, full-width and glossed text
//! shows as written. Output is HTML-escaped with `<em>` marks.

use crate::analysis::{Analyzed, CharClass, class};

/// Escapes `<`, `>`, `&`, `"` and `'`.
pub fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Folded needles without separators (what [`highlight`] looks for).
pub fn compact(folded: &str) -> String {
    folded.chars().filter(|c| class(*c) != CharClass::Separator).collect()
}

/// Original char spans `[start, end)` where any needle occurs, merged and sorted, with
/// the index of the needle that matched first.
fn marks(a: &Analyzed, needles: &[String]) -> Vec<(usize, usize, usize)> {
    // The folded chars without separators, and their folded index.
    let mut text = String::new();
    let mut folded_index: Vec<usize> = Vec::new();
    let mut byte_to_char: Vec<usize> = Vec::new();
    for (i, &c) in a.chars.iter().enumerate() {
        if class(c) == CharClass::Separator {
            continue;
        }
        for _ in 0..c.len_utf8() {
            byte_to_char.push(folded_index.len());
        }
        text.push(c);
        folded_index.push(i);
    }
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    for (n, needle) in needles.iter().enumerate() {
        if needle.is_empty() {
            continue;
        }
        for (b, m) in text.match_indices(needle.as_str()) {
            let (Some(&s), Some(&e)) = (byte_to_char.get(b), byte_to_char.get(b + m.len() - 1)) else { continue };
            let (Some(&fs), Some(&fe)) = (folded_index.get(s), folded_index.get(e)) else { continue };
            if let Some((os, oe)) = a.folded.original_span(fs, fe + 1) {
                spans.push((os, oe, n));
            }
        }
    }
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize, usize)> = Vec::new();
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.0 <= last.1 => last.1 = last.1.max(s.1),
            _ => merged.push(s),
        }
    }
    merged
}

/// `text` with every needle marked, HTML-escaped; when `max_chars` is given, the window
/// of that many characters holding the most distinct needles (with `…` where cut).
pub fn highlight(text: &str, needles: &[String], max_chars: Option<usize>) -> String {
    let a = Analyzed::new(text);
    let m = marks(&a, needles);
    let chars: Vec<char> = text.chars().collect();
    let (from, to) = match max_chars {
        Some(max) if chars.len() > max => {
            let lead = max / 6;
            let mut best = (0usize, 0usize);
            for (i, &(s, _, _)) in m.iter().enumerate() {
                let start = s.saturating_sub(lead);
                let end = start + max;
                let mut seen: Vec<usize> = m[i..].iter().take_while(|x| x.1 <= end).map(|x| x.2).collect();
                seen.sort_unstable();
                seen.dedup();
                if seen.len() > best.1 {
                    best = (start, seen.len());
                }
            }
            let start = best.0.min(chars.len().saturating_sub(max));
            (start, start + max)
        }
        _ => (0, chars.len()),
    };
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut i = from;
    let mut buf = String::new();
    for &(s, e, _) in &m {
        if e <= from || s >= to {
            continue;
        }
        let (s, e) = (s.max(from), e.min(to));
        if s > i {
            buf.clear();
            buf.extend(&chars[i..s]);
            escape_html(&buf, &mut out);
        }
        buf.clear();
        buf.extend(&chars[s.max(i)..e]);
        out.push_str("<em>");
        escape_html(&buf, &mut out);
        out.push_str("</em>");
        i = e;
    }
    if i < to {
        buf.clear();
        buf.extend(&chars[i..to]);
        escape_html(&buf, &mut out);
    }
    if to < chars.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_original_traditional_and_glossed_text() {
        let h = highlight("電子政務優(yōu)秀企業<b>", &["优秀".into(), "政务".into()], None);
        assert_eq!(h, "電子<em>政務優(yōu)秀</em>企業&lt;b&gt;");
        let h = highlight("无政〔２０２４〕12号文件", &["无政202412号".into()], None);
        assert_eq!(h, "<em>无政〔２０２４〕12号</em>文件");
    }

    #[test]
    fn window_around_matches() {
        let text = format!("{}县长信箱{}", "甲".repeat(100), "乙".repeat(100));
        let h = highlight(&text, &["县长信箱".into()], Some(30));
        assert!(h.starts_with('…') && h.ends_with('…') && h.contains("<em>县长信箱</em>"), "{h}");
    }
}
