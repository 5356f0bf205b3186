//! Slugs: the URL segment of a column under its parent.
//!
//! A generated slug is the pinyin of the name without tones or separators
//! (新闻动态 → `xinwendongtai`), ASCII letters and digits kept lowercased, every other
//! run of characters turned into one `-`. A typed slug must already have that shape.

use pinyin::ToPinyin;

use crate::ColumnError;

/// The longest slug, in bytes (ASCII only, so also characters).
pub const MAX_SLUG_LEN: usize = 64;

/// Slugs a column may not take: the portal's own routes at the top of a site, and
/// words that would be confusing as a path segment anywhere.
pub const RESERVED_SLUGS: &[&str] = &[
    "admin", "api", "assets", "static", "files", "uploads", "login", "logout", "health", "search", "rss", "feed",
    "sitemap", "index", "new", "edit", "docs", "jiucuo",
];

/// The slug used when a name has no letter, digit or Han character at all.
pub const FALLBACK_SLUG: &str = "column";

/// Generates a slug from a column name (no uniqueness: see [`unique_slug`]).
///
/// ```
/// use sitegroup_columns::slug::slugify;
/// assert_eq!(slugify("新闻动态"), "xinwendongtai");
/// assert_eq!(slugify("2024年 GDP 统计"), "2024nian-gdp-tongji");
/// assert_eq!(slugify("「通知·公告」"), "tongzhi-gonggao");
/// assert_eq!(slugify("！！！"), "column");
/// ```
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    let push = |out: &mut String, s: &str, pending_dash: &mut bool| {
        if *pending_dash && !out.is_empty() {
            out.push('-');
        }
        *pending_dash = false;
        out.push_str(s);
    };
    for ch in name.chars() {
        let ch = fold_width(ch);
        if ch.is_ascii_alphanumeric() {
            push(&mut out, &ch.to_ascii_lowercase().to_string(), &mut pending_dash);
        } else if let Some(py) = ch.to_pinyin() {
            let syllable: String = py
                .plain()
                .chars()
                .filter_map(|c| match c {
                    'ü' => Some('v'),
                    c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
                    _ => None,
                })
                .collect();
            push(&mut out, &syllable, &mut pending_dash);
        } else {
            pending_dash = true;
        }
        if out.len() >= MAX_SLUG_LEN {
            break;
        }
    }
    out.truncate(MAX_SLUG_LEN);
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() { FALLBACK_SLUG.to_string() } else { trimmed.to_string() }
}

/// Full-width ASCII forms (Ａ, ２) to their ASCII letters.
fn fold_width(ch: char) -> char {
    match ch as u32 {
        0xFF01..=0xFF5E => char::from_u32(ch as u32 - 0xFEE0).unwrap_or(ch),
        _ => ch,
    }
}

/// Checks a typed slug: trimmed, ASCII lowercased, then 1–64 of `[a-z0-9-]`, not
/// starting or ending with `-`, not reserved. Returns the normalised slug.
///
/// ```
/// use sitegroup_columns::slug::validate_slug;
/// assert_eq!(validate_slug(" XWDT ").unwrap(), "xwdt");
/// assert!(validate_slug("新闻").is_err());
/// assert!(validate_slug("admin").is_err());
/// ```
pub fn validate_slug(slug: &str) -> Result<String, ColumnError> {
    let s = slug.trim().to_ascii_lowercase();
    let bad = |reason: &str| ColumnError::BadSlug { slug: s.chars().take(80).collect(), reason: reason.to_string() };
    if s.is_empty() {
        return Err(bad("empty"));
    }
    if s.len() > MAX_SLUG_LEN {
        return Err(bad("longer than 64 characters"));
    }
    if !s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(bad("use only a-z, 0-9 and '-'"));
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err(bad("must not start or end with '-'"));
    }
    if RESERVED_SLUGS.contains(&s.as_str()) {
        return Err(ColumnError::ReservedSlug(s));
    }
    Ok(s)
}

/// The first of `base`, `base-2`, `base-3` … that is neither taken nor reserved,
/// keeping the result within [`MAX_SLUG_LEN`].
///
/// ```
/// use sitegroup_columns::slug::unique_slug;
/// assert_eq!(unique_slug("xwdt", |s| s == "xwdt" || s == "xwdt-2"), "xwdt-3");
/// assert_eq!(unique_slug("search", |_| false), "search-2");
/// ```
pub fn unique_slug(base: &str, taken: impl Fn(&str) -> bool) -> String {
    let free = |s: &str| !taken(s) && !RESERVED_SLUGS.contains(&s);
    if free(base) {
        return base.to_string();
    }
    let mut n: u64 = 2;
    loop {
        let suffix = format!("-{n}");
        let keep: String = base.chars().take(MAX_SLUG_LEN.saturating_sub(suffix.len())).collect();
        let candidate = format!("{}{suffix}", keep.trim_end_matches('-'));
        if free(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn slugify_cases() {
        for (name, want) in [
            ("新闻动态", "xinwendongtai"),
            ("政务公开", "zhengwugongkai"),
            ("Party 建设", "party-jianshe"),
            ("ABC新闻", "abcxinwen"),
            ("  通知  公告 ", "tongzhi-gonggao"),
            ("绿色发展", "lvsefazhan"),
            ("新聞動態", "xinwendongtai"),
            ("ＧＤＰ数据", "gdpshuju"),
            ("a---b", "a-b"),
            ("—", "column"),
            ("", "column"),
        ] {
            assert_eq!(slugify(name), want, "{name}");
        }
        let long = slugify(&"政务".repeat(40));
        assert!(long.len() <= MAX_SLUG_LEN && !long.ends_with('-'));
        assert!(validate_slug(&long).is_ok());
    }

    #[test]
    fn validation() {
        for ok in ["xwdt", "a-1", "2024", "x"] {
            assert_eq!(validate_slug(ok).unwrap(), ok);
        }
        for bad in ["", " ", "-a", "a-", "a_b", "a/b", "a b", "新闻", "é", &"a".repeat(65)] {
            assert!(matches!(validate_slug(bad), Err(ColumnError::BadSlug { .. })), "{bad:?}");
        }
        assert!(matches!(validate_slug("Admin"), Err(ColumnError::ReservedSlug(_))));
    }

    #[test]
    fn uniqueness_suffixes() {
        let taken = ["a", "a-2", "a-3"];
        assert_eq!(unique_slug("a", |s| taken.contains(&s)), "a-4");
        let long = "x".repeat(64);
        let got = unique_slug(&long, |s| s == long);
        assert_eq!(got.len(), 64);
        assert!(got.ends_with("-2"));
    }

    proptest::proptest! {
        #[test]
        fn generated_slugs_always_validate(name in "\\PC{0,80}") {
            let s = slugify(&name);
            let s = unique_slug(&s, |_| false);
            proptest::prop_assert!(validate_slug(&s).is_ok(), "{name:?} -> {s:?}");
        }
    }
}
