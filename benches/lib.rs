//! Shared data for the benchmarks: synthetic site trees shaped like a large group.

use sitegroup_core::site::{Site, SiteIdentity, SiteKind, SiteStatus};
use sitegroup_core::{SiteId, UnitId};

/// A group of `n` sites: one portal, websites every 100th site (each with a host), and
/// department/township channels with path prefixes under their website; every 10th
/// channel has a topic under it with a two-segment prefix.
pub fn synthetic_sites(n: usize) -> Vec<Site> {
    let mut sites = Vec::with_capacity(n);
    let base = |id: i64, kind: SiteKind, parent: Option<i64>| Site {
        id: SiteId(id),
        code: format!("s{id}"),
        name: format!("站点{id}"),
        short_name: None,
        kind,
        parent: parent.map(SiteId),
        unit: Some(UnitId(id)),
        status: SiteStatus::Open,
        path_prefix: None,
        hosts: vec![],
        identity: SiteIdentity::default(),
        is_template: false,
        created_at: 0,
    };
    sites.push(Site { hosts: vec!["www.example.gov.cn".into()], ..base(1, SiteKind::Portal, None) });
    let mut website = 1i64;
    let mut last_channel = 1i64;
    for i in 2..=n as i64 {
        let site = if i % 100 == 0 {
            website = i;
            Site { hosts: vec![format!("w{i}.example.gov.cn")], ..base(i, SiteKind::Website, Some(1)) }
        } else if i % 10 == 0 {
            let parent_prefix = format!("/c{last_channel}");
            Site { path_prefix: Some(format!("{parent_prefix}/zt{i}")), ..base(i, SiteKind::Topic, Some(last_channel)) }
        } else {
            last_channel = i;
            let kind = if i % 2 == 0 { SiteKind::Department } else { SiteKind::Township };
            Site { path_prefix: Some(format!("/c{i}")), ..base(i, kind, Some(website)) }
        };
        sites.push(site);
    }
    sites
}

/// The baseline the map resolver is measured against: a linear scan over every site
/// comparing hosts and prefixes, as a naive implementation would.
pub fn resolve_by_scan<'a>(sites: &'a [Site], host: &str, path: &str) -> Option<&'a Site> {
    let by_host = sites.iter().find(|s| s.hosts.iter().any(|h| h == host));
    let mut best: Option<&Site> = None;
    for s in sites {
        if let Some(p) = &s.path_prefix {
            let matches = path == p || path.starts_with(&format!("{p}/"));
            if matches && best.is_none_or(|b| b.path_prefix.as_ref().is_none_or(|bp| bp.len() < p.len())) {
                best = Some(s);
            }
        }
    }
    best.or(by_host)
}

/// The real-text corpus shipped beside the project (`../shared/corpus/` from the
/// workspace root): People's Daily, January 1998, one paragraph per line.
pub fn corpus_paragraphs() -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/peoples-daily-199801.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("corpus at {}: {e}", path.display()));
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

/// `n` distinct words of 2–4 Han characters cut from the corpus at deterministic
/// positions: a word list the size of a real prohibited/sensitive list.
pub fn corpus_word_list(paragraphs: &[String], n: usize) -> Vec<String> {
    let mut words = std::collections::BTreeSet::new();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    while words.len() < n {
        let p = &paragraphs[(next() % paragraphs.len() as u64) as usize];
        let chars: Vec<char> = p.chars().collect();
        let len = 2 + (next() % 3) as usize;
        if chars.len() <= len {
            continue;
        }
        let start = (next() % (chars.len() - len) as u64) as usize;
        let word: String = chars[start..start + len].iter().collect();
        if word.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
            words.insert(word);
        }
    }
    words.into_iter().collect()
}

/// `n` distinct 2–4 character words of rare characters (CJK Extension A) that do not
/// occur in ordinary news text: a prohibited list whose words a clean document does
/// not contain, so publishing benchmarks measure checking rather than refusals.
pub fn rare_word_list(n: usize) -> Vec<String> {
    let mut words = Vec::with_capacity(n);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    while words.len() < n {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = 2 + (state % 3) as usize;
        let word: String =
            (0..len).filter_map(|i| char::from_u32(0x3400 + ((state >> (8 * i + 3)) % 0x19B0) as u32)).collect();
        words.push(word);
    }
    words.sort();
    words.dedup();
    words
}
