//! RSS 2.0 per column and `sitemap.xml` per site, written by hand: a handful of
//! elements, every text through [`xml_escape`].

use chrono::TimeZone;

/// Escapes text for XML element content and attribute values, and drops characters
/// XML 1.0 cannot carry at all (controls other than tab, newline and carriage return,
/// U+FFFE, U+FFFF).
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Unix seconds as an RFC 822 date on the Beijing clock (`+0800`), as RSS wants it.
pub fn rfc822(at: i64) -> String {
    match chrono::FixedOffset::east_opt(8 * 3600).and_then(|tz| tz.timestamp_opt(at, 0).single()) {
        Some(t) => t.to_rfc2822(),
        None => String::new(),
    }
}

/// Unix seconds as a W3C date (`YYYY-MM-DD`, Beijing), for `<lastmod>`.
pub fn w3c_date(at: i64) -> String {
    match chrono::FixedOffset::east_opt(8 * 3600).and_then(|tz| tz.timestamp_opt(at, 0).single()) {
        Some(t) => t.format("%Y-%m-%d").to_string(),
        None => String::new(),
    }
}

/// One item of a feed.
#[derive(Debug, Clone)]
pub struct FeedItem {
    /// Title (plain text).
    pub title: String,
    /// Absolute URL.
    pub link: String,
    /// Summary (plain text).
    pub description: String,
    /// Displayed publication time.
    pub published: i64,
}

/// An RSS 2.0 document.
pub fn rss(title: &str, link: &str, description: &str, items: &[FeedItem]) -> String {
    let mut out = String::with_capacity(512 + items.len() * 400);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n<channel>\n");
    out.push_str(&format!("<title>{}</title>\n", xml_escape(title)));
    out.push_str(&format!("<link>{}</link>\n", xml_escape(link)));
    out.push_str(&format!("<description>{}</description>\n", xml_escape(description)));
    out.push_str("<language>zh-cn</language>\n");
    if let Some(first) = items.first() {
        out.push_str(&format!("<lastBuildDate>{}</lastBuildDate>\n", rfc822(first.published)));
    }
    for item in items {
        out.push_str("<item>\n");
        out.push_str(&format!("<title>{}</title>\n", xml_escape(&item.title)));
        out.push_str(&format!("<link>{}</link>\n", xml_escape(&item.link)));
        out.push_str(&format!("<guid isPermaLink=\"true\">{}</guid>\n", xml_escape(&item.link)));
        out.push_str(&format!("<pubDate>{}</pubDate>\n", rfc822(item.published)));
        out.push_str(&format!("<description>{}</description>\n", xml_escape(&item.description)));
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

/// A `sitemap.xml`: (absolute URL, last modification) pairs.
pub fn sitemap(urls: &[(String, Option<i64>)]) -> String {
    let mut out = String::with_capacity(128 + urls.len() * 96);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (loc, lastmod) in urls {
        out.push_str("<url><loc>");
        out.push_str(&xml_escape(loc));
        out.push_str("</loc>");
        if let Some(t) = lastmod {
            out.push_str("<lastmod>");
            out.push_str(&w3c_date(*t));
            out.push_str("</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_drops_controls() {
        assert_eq!(xml_escape("<a href=\"x\">&'</a>\u{1}"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
        assert_eq!(xml_escape("通知\n公告"), "通知\n公告");
    }

    #[test]
    fn dates_are_beijing() {
        // 2024-12-31T16:00:00Z is 2025-01-01 00:00 in Beijing.
        assert_eq!(w3c_date(1_735_660_800), "2025-01-01");
        assert!(rfc822(1_735_660_800).ends_with("+0800"));
    }
}
