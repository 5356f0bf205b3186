//! Demo page views (访问统计演示数据): four weeks of synthetic visits to the portal and
//! its channels, so the analytics dashboard has something to show (at
//! [`Scale::Small`], the tests' group, three days of 60 views). Every view is before
//! today, so today's figures start at zero. Addresses are made-up private addresses
//! from the 10.0.0.0/8 block, hashed like real ones.

use sitegroup::stats::stats::{self as rules, PageView};
use sitegroup::{Error, SiteGroup};

use super::Scale;

/// Days of page views before today.
const DAYS: i64 = 28;
/// Page views per day across the group (the seed reports more than 10,000 a day; a
/// tenth keeps the demo seed quick).
const VIEWS_PER_DAY: u64 = 1_200;
/// Distinct made-up visitors per day.
const VISITORS_PER_DAY: u64 = 700;

const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0",
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/119.0 Mobile Safari/537.36",
];
const REFERRERS: &[Option<&str>] =
    &[None, None, None, Some("www.baidu.com"), Some("www.so.com"), Some("www.sogou.com"), Some("www.ahszjs.gov.cn")];
const TERMS: &[&str] = &["招聘", "社保", "公积金", "不动产登记", "营业执照", "医保", "中考", "低保"];

/// A small deterministic generator (the demo is the same on every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Seeds the page views and aggregates them.
pub(super) fn seed(group: &SiteGroup, scale: Scale, _progress: &mut dyn FnMut(&str)) -> Result<(), Error> {
    let (days, per_day, visitors) = match scale {
        Scale::Full => (DAYS, VIEWS_PER_DAY, VISITORS_PER_DAY),
        Scale::Small => (3, 60, 40),
    };
    let tree = group.site_tree()?;
    let mut pages: Vec<(i64, Vec<String>, Vec<i64>)> = Vec::new();
    for site in tree.sites() {
        let columns: Vec<String> = group.public_columns(site.id)?.into_iter().map(|c| c.path).take(12).collect();
        let docs: Vec<i64> = group.latest_published(site.id, 40)?.into_iter().map(|d| d.id).collect();
        pages.push((site.id.0, columns, docs));
    }
    if pages.is_empty() {
        return Ok(());
    }
    let now = group.now();
    let mut rng = Lcg(20_261_130);
    for back in (1..=days).rev() {
        let day_start = rules::day_start(rules::beijing_day(now) - back);
        let mut views = Vec::with_capacity(usize::try_from(per_day).unwrap_or(0));
        // Two days in seven are quieter (like weekends).
        let n = if back % 7 < 2 { per_day / 2 } else { per_day };
        for _ in 0..n {
            // The portal (first site) gets about 40 % of the views.
            let idx = if rng.next(10) < 4 { 0 } else { usize::try_from(rng.next(pages.len() as u64)).unwrap_or(0) };
            let Some((site, columns, docs)) = pages.get(idx) else { continue };
            let visitor = rng.next(visitors);
            let mut v = PageView {
                site: *site,
                column_path: None,
                doc: None,
                at: day_start + i64::try_from(rng.next(86_400)).unwrap_or(0),
                address: format!("10.{}.{}.{}", visitor / 65_536 % 256, visitor / 256 % 256, visitor % 256),
                user_agent: AGENTS[usize::try_from(visitor).unwrap_or(0) % AGENTS.len()].to_string(),
                referrer_host: REFERRERS[usize::try_from(rng.next(REFERRERS.len() as u64)).unwrap_or(0)]
                    .map(str::to_string),
                search_terms: None,
            };
            match rng.next(10) {
                0..=4 if !docs.is_empty() => {
                    v.doc = docs.get(usize::try_from(rng.next(docs.len() as u64)).unwrap_or(0)).copied();
                }
                5..=7 if !columns.is_empty() => {
                    v.column_path = columns.get(usize::try_from(rng.next(columns.len() as u64)).unwrap_or(0)).cloned();
                }
                8 => {
                    v.search_terms =
                        Some(TERMS[usize::try_from(rng.next(TERMS.len() as u64)).unwrap_or(0)].to_string());
                }
                _ => {}
            }
            views.push(v);
        }
        group.record_page_views(&views)?;
    }
    group.stats_aggregate()?;
    Ok(())
}
