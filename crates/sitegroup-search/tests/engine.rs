//! The engine against a real outbox (SQLite test database) and an in-memory source:
//! substring recall (proptest), public/draft separation (proptest), crash between
//! commit and ack, crash before commit, corrupt index, reindex = incremental.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use proptest::prelude::*;
use sitegroup_search::{
    Audience, DraftScope, Indexer, PublicIndex, SearchDoc, SearchEngine, SearchError, SearchQuery, SearchSource,
    Synonyms,
};
use sitegroup_store::NewEvent;
use sitegroup_store::testing::TestDb;

// ------------------------------------------------------------ substring recall

/// The index, its documents and their folded (title, body).
type RecallFixture = (PublicIndex, Vec<SearchDoc>, Vec<(String, String)>);

fn recall_index() -> &'static RecallFixture {
    static INDEX: OnceLock<RecallFixture> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut docs = common::news_docs(300);
        docs.extend(common::county_docs());
        docs.extend(common::seed_docs());
        let texts = docs.iter().map(common::folded_text).collect();
        (common::build(&docs), docs, texts)
    })
}

/// Every page of results for `text`, until `key` shows up.
fn finds(index: &PublicIndex, text: &str, key: &str) -> bool {
    let syn = Synonyms::default();
    for page in 1..=20 {
        let q = SearchQuery { text: text.into(), page, per_page: 100, ..Default::default() };
        let r = index.search(&syn, &q).unwrap();
        if r.hits.iter().any(|h| h.key == key) {
            return true;
        }
        if r.hits.len() < 100 {
            return false;
        }
    }
    false
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any 2–6 character Han substring of an indexed title or body (folded) finds it.
    #[test]
    fn any_han_substring_finds_its_document(doc in any::<prop::sample::Index>(), title in prop::bool::weighted(0.2),
                                            start in any::<prop::sample::Index>(), len in 2usize..=6) {
        let (index, docs, texts) = recall_index();
        let i = doc.index(docs.len());
        let text: Vec<char> = if title { texts[i].0.chars().collect() } else { texts[i].1.chars().collect() };
        prop_assume!(text.len() >= len);
        let s = start.index(text.len() - len + 1);
        let sub: String = text[s..s + len].iter().collect();
        prop_assume!(sub.chars().all(sitegroup_text::fold::is_han));
        prop_assert!(finds(index, &sub, &docs[i].key), "{sub:?} does not find {}", docs[i].key);
    }
}

#[test]
fn glossed_traditional_seed_is_found_and_highlighted_as_written() {
    let (index, _, _) = recall_index();
    let r = index.search(&Synonyms::default(), &SearchQuery::text("优秀政府网站")).unwrap();
    let hit = r.hits.iter().find(|h| h.key.starts_with("seed:")).unwrap();
    assert!(hit.snippet.contains("<em>優(yōu)秀政府網站</em>"), "{}", hit.snippet);
    let r = index.search(&Synonyms::default(), &SearchQuery::text("政府網站")).unwrap();
    assert!(r.hits.iter().any(|h| h.title_html.contains("<em>政府網站</em>")));
}

// ------------------------------------------------------------ a fake module

#[derive(Clone)]
struct Item {
    doc: SearchDoc,
    public: bool,
}

/// Documents in memory; every change appends an outbox event like the content module.
#[derive(Default)]
struct Fake {
    items: Mutex<BTreeMap<String, Item>>,
    fail_on: Mutex<Option<String>>,
}

impl Fake {
    fn put(&self, db: &TestDb, n: i64, site: i64, public: bool, word: &str) {
        let key = format!("doc:{n}");
        let doc = SearchDoc {
            key: key.clone(),
            site,
            column: Some(site * 10),
            kind: if n % 2 == 0 { "article".into() } else { "disclosure".into() },
            title: format!("第{n}号文件 共同标记"),
            body: format!("无为县政府网站发布{word}相关信息。"),
            url: format!("/docs/{n}.html"),
            published_at: 1_700_000_000 + n,
            state: Some(if public { "published".into() } else { "draft".into() }),
            ..Default::default()
        };
        self.items.lock().unwrap().insert(key.clone(), Item { doc, public });
        let kind = if public { "content.publish" } else { "content.update" };
        db.write(|tx| tx.outbox_append(&NewEvent::new(kind, key.as_str(), serde_json::json!({}), 0).with_site(site)))
            .unwrap();
    }

    fn withdraw(&self, db: &TestDb, n: i64) {
        let key = format!("doc:{n}");
        if let Some(i) = self.items.lock().unwrap().get_mut(&key) {
            i.public = false;
        }
        db.write(|tx| tx.outbox_append(&NewEvent::new("content.withdraw", key.as_str(), serde_json::json!({}), 0)))
            .unwrap();
    }

    fn public_keys(&self) -> Vec<String> {
        self.items.lock().unwrap().iter().filter(|(_, i)| i.public).map(|(k, _)| k.clone()).collect()
    }
}

impl SearchSource for Fake {
    fn kinds(&self) -> &[&str] {
        &["article", "disclosure"]
    }

    fn handles(&self, event_kind: &str) -> bool {
        event_kind.starts_with("content.")
    }

    fn load(&self, key: &str, audience: Audience) -> Result<Option<SearchDoc>, SearchError> {
        if self.fail_on.lock().unwrap().as_deref() == Some(key) {
            return Err(SearchError::Internal(format!("cannot load {key}")));
        }
        let items = self.items.lock().unwrap();
        Ok(items.get(key).and_then(|i| match audience {
            Audience::Public => i.public.then(|| i.doc.clone()),
            Audience::BackOffice => Some(i.doc.clone()),
        }))
    }

    fn all(
        &self,
        audience: Audience,
        sink: &mut dyn FnMut(SearchDoc) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        let items: Vec<Item> = self.items.lock().unwrap().values().cloned().collect();
        for i in items {
            if audience == Audience::BackOffice || i.public {
                sink(i.doc)?;
            }
        }
        Ok(())
    }
}

fn open(dir: &std::path::Path) -> Indexer {
    Indexer::new(Arc::new(SearchEngine::open(dir).unwrap()))
}

fn public_keys(ix: &Indexer) -> Vec<String> {
    ix.engine().public().index().all_keys().unwrap()
}

fn public_hits(ix: &Indexer, text: &str) -> Vec<String> {
    let q = SearchQuery { text: text.into(), per_page: 100, ..Default::default() };
    let mut keys: Vec<String> =
        ix.engine().public().search(&Synonyms::default(), &q).unwrap().hits.into_iter().map(|h| h.key).collect();
    keys.sort();
    keys
}

#[test]
fn publish_update_withdraw_follow_the_outbox() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::default();
    let mut ix = open(dir.path());
    let sources: [&dyn SearchSource; 1] = [&fake];
    fake.put(&db, 1, 1, true, "防汛");
    fake.put(&db, 2, 1, false, "防汛");
    let r = ix.poll(&db, &sources).unwrap();
    assert!(r.rebuilt || r.events == 2, "{r:?}");
    assert_eq!(public_hits(&ix, "防汛"), ["doc:1"]);
    // Update replaces (no duplicate), withdraw removes.
    fake.put(&db, 1, 1, true, "抗旱");
    ix.poll(&db, &sources).unwrap();
    assert_eq!(public_hits(&ix, "防汛"), Vec::<String>::new());
    assert_eq!(public_hits(&ix, "抗旱"), ["doc:1"]);
    assert_eq!(public_keys(&ix), ["doc:1"]);
    fake.withdraw(&db, 1);
    ix.poll(&db, &sources).unwrap();
    assert!(public_keys(&ix).is_empty());
    assert_eq!(db.outbox_cursor(sitegroup_search::CONSUMER).unwrap(), db.outbox_head().unwrap());
    // The back office still sees both working revisions, within its scope.
    let drafts = ix.engine().drafts();
    let scope = DraftScope { sites: vec![1], columns: vec![] };
    let r = drafts.search(&Synonyms::default(), &SearchQuery::text("共同标记"), &scope).unwrap();
    assert_eq!(r.total, 2);
    let none = DraftScope { sites: vec![2], columns: vec![] };
    assert_eq!(drafts.search(&Synonyms::default(), &SearchQuery::text("共同标记"), &none).unwrap().total, 0);
}

#[test]
fn crash_between_commit_and_ack_resumes_without_loss_or_duplicates() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::default();
    let sources: [&dyn SearchSource; 1] = [&fake];
    {
        let mut ix = open(dir.path());
        for n in 1..=3 {
            fake.put(&db, n, 1, true, "乡村振兴");
        }
        ix.poll(&db, &sources).unwrap();
        fake.put(&db, 4, 2, true, "乡村振兴");
        fake.put(&db, 5, 2, true, "乡村振兴");
        fake.withdraw(&db, 2);
        let r = ix.poll_without_ack(&db, &sources).unwrap();
        assert_eq!(r.events, 3);
        // The process dies here: index committed, cursor not saved.
    }
    let head = db.outbox_head().unwrap();
    assert!(db.outbox_cursor(sitegroup_search::CONSUMER).unwrap() < head);
    let mut ix = open(dir.path());
    assert_eq!(ix.engine().committed_seq().unwrap(), Some(head));
    let r = ix.poll(&db, &sources).unwrap();
    assert_eq!(r.events, 0, "nothing is re-read: the index is the truth");
    assert_eq!(db.outbox_cursor(sitegroup_search::CONSUMER).unwrap(), head);
    assert_eq!(public_keys(&ix), fake.public_keys());
    assert_eq!(public_hits(&ix, "乡村振兴"), fake.public_keys());
}

#[test]
fn crash_before_commit_rereads_the_events() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::default();
    let sources: [&dyn SearchSource; 1] = [&fake];
    let mut ix = open(dir.path());
    ix.poll(&db, &sources).unwrap();
    fake.put(&db, 1, 1, true, "营商环境");
    fake.put(&db, 2, 1, true, "营商环境");
    *fake.fail_on.lock().unwrap() = Some("doc:2".into());
    assert!(ix.poll(&db, &sources).is_err());
    assert!(public_keys(&ix).is_empty(), "nothing of a failed batch is committed");
    drop(ix);
    *fake.fail_on.lock().unwrap() = None;
    let mut ix = open(dir.path());
    ix.poll(&db, &sources).unwrap();
    assert_eq!(public_keys(&ix), ["doc:1", "doc:2"]);
}

#[test]
fn corrupt_index_is_rebuilt_and_reindex_equals_incremental() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::default();
    let sources: [&dyn SearchSource; 1] = [&fake];
    let mut ix = open(dir.path());
    for n in 1..=12 {
        fake.put(&db, n, n % 3 + 1, n % 4 != 0, "政务公开");
    }
    fake.withdraw(&db, 5);
    ix.poll(&db, &sources).unwrap();
    let incremental =
        (public_keys(&ix), ix.engine().drafts().index().all_keys().unwrap(), public_hits(&ix, "政务公开"));
    let mut seen = Vec::new();
    let report = ix.reindex(&db, &sources, &mut |p| seen.push(p)).unwrap();
    assert_eq!(report.public as usize, fake.public_keys().len());
    assert_eq!(report.drafts, 12);
    assert!(!seen.is_empty());
    let rebuilt = (public_keys(&ix), ix.engine().drafts().index().all_keys().unwrap(), public_hits(&ix, "政务公开"));
    assert_eq!(incremental, rebuilt);
    // Break the live generation's files: opening again rebuilds.
    let generation = ix.engine().generation();
    drop(ix);
    std::fs::write(dir.path().join(&generation).join("public").join("meta.json"), b"{broken").unwrap();
    let mut ix = open(dir.path());
    assert!(ix.engine().needs_rebuild());
    let r = ix.poll(&db, &sources).unwrap();
    assert!(r.rebuilt);
    assert_eq!(public_keys(&ix), incremental.0);
}

/// An index written by an older version of the crate (another schema, or the same
/// schema with an older analysis version in its commit payload) is never searched: it
/// is rebuilt, so an operator's old index cannot silently give wrong results.
#[test]
fn an_index_of_an_older_schema_or_analysis_version_is_rebuilt() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::default();
    let sources: [&dyn SearchSource; 1] = [&fake];
    let mut ix = open(dir.path());
    for n in 1..=6 {
        fake.put(&db, n, 1, true, "政务公开");
    }
    ix.poll(&db, &sources).unwrap();
    let keys = public_keys(&ix);
    assert_eq!(keys.len(), 6);
    let current = format!("\\\"schema\\\":{}", sitegroup_search::index::SCHEMA_VERSION);
    let edits: [(&str, String, &str); 2] = [
        // The schema of version 1 had `body_ng` where version 2 has `all_ng`.
        ("schema", "\"all_ng\"".to_string(), "\"body_ng\""),
        ("payload", current.clone(), "\\\"schema\\\":1"),
    ];
    for (what, from, to) in edits {
        let generation = ix.engine().generation();
        drop(ix);
        let meta = dir.path().join(&generation).join("public").join("meta.json");
        let text = std::fs::read_to_string(&meta).unwrap();
        assert!(text.contains(&from), "{what}: {from} not in {text}");
        std::fs::write(&meta, text.replace(&from, to)).unwrap();
        ix = open(dir.path());
        assert!(ix.engine().needs_rebuild(), "{what}");
        assert_ne!(ix.engine().generation(), generation, "{what}");
        let r = ix.poll(&db, &sources).unwrap();
        assert!(r.rebuilt, "{what}");
        assert_eq!(public_keys(&ix), keys, "{what}");
        assert_eq!(public_hits(&ix, "政务公开"), keys, "{what}");
    }
}

// ------------------------------------------------------------ tenancy

#[derive(Debug, Clone)]
enum Op {
    Draft(i64, i64),
    Publish(i64, i64),
    Withdraw(i64),
    Poll,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0i64..8, 1i64..=3).prop_map(|(n, s)| Op::Draft(n, s)),
        (0i64..8, 1i64..=3).prop_map(|(n, s)| Op::Publish(n, s)),
        (0i64..8).prop_map(Op::Withdraw),
        Just(Op::Poll),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Public search never returns an unpublished or withdrawn document; a back-office
    /// search scoped to one site never returns another site's drafts.
    #[test]
    fn public_results_are_published_only_and_scopes_hold(ops in prop::collection::vec(op(), 1..25)) {
        let db = TestDb::sqlite();
        let dir = tempfile::tempdir().unwrap();
        let fake = Fake::default();
        let sources: [&dyn SearchSource; 1] = [&fake];
        let mut ix = open(dir.path());
        let mut site_of: BTreeMap<i64, i64> = BTreeMap::new();
        for o in ops {
            match o {
                Op::Draft(n, s) => { let s = *site_of.entry(n).or_insert(s); fake.put(&db, n, s, false, "低保") }
                Op::Publish(n, s) => { let s = *site_of.entry(n).or_insert(s); fake.put(&db, n, s, true, "低保") }
                Op::Withdraw(n) => fake.withdraw(&db, n),
                Op::Poll => { ix.poll(&db, &sources).unwrap(); }
            }
        }
        ix.poll(&db, &sources).unwrap();
        let published = fake.public_keys();
        for text in ["低保", "共同标记", "无为县", ""] {
            let q = SearchQuery { text: text.into(), per_page: 100, ..Default::default() };
            let r = ix.engine().public().search(&Synonyms::default(), &q).unwrap();
            for h in &r.hits {
                prop_assert!(published.contains(&h.key), "{} is not published", h.key);
            }
            if !text.is_empty() {
                prop_assert_eq!(r.total as usize, published.len());
            }
        }
        for site in 1..=3 {
            let scope = DraftScope { sites: vec![site], columns: vec![] };
            let q = SearchQuery { text: "低保".into(), per_page: 100, ..Default::default() };
            let r = ix.engine().drafts().search(&Synonyms::default(), &q, &scope).unwrap();
            for h in &r.hits {
                prop_assert_eq!(h.site, site);
            }
            let expected = site_of.values().filter(|s| **s == site).count();
            prop_assert_eq!(r.total as usize, expected);
            // Column scope: only that column.
            let scope = DraftScope { sites: vec![], columns: vec![site * 10] };
            let r = ix.engine().drafts().search(&Synonyms::default(), &q, &scope).unwrap();
            prop_assert!(r.hits.iter().all(|h| h.column == Some(site * 10)));
        }
    }
}

#[test]
fn grouped_counts_paging_filters_and_date_sort() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::default();
    let sources: [&dyn SearchSource; 1] = [&fake];
    let mut ix = open(dir.path());
    for n in 1..=9 {
        fake.put(&db, n, n % 3 + 1, true, "义务教育");
    }
    ix.poll(&db, &sources).unwrap();
    let public = ix.engine().public();
    let syn = Synonyms::default();
    let q = SearchQuery {
        text: "义务教育".into(),
        site: Some(1),
        kinds: vec!["article".into()],
        per_page: 2,
        ..Default::default()
    };
    let r = public.search(&syn, &q).unwrap();
    // Site 1 holds 3, 6, 9; articles are even: 6.
    assert_eq!(r.total, 1);
    assert_eq!(r.by_kind, vec![("disclosure".to_string(), 2), ("article".to_string(), 1)]);
    assert_eq!(r.by_site.iter().map(|x| x.1).sum::<u64>(), 4); // articles 2, 4, 6, 8 by site
    let q = SearchQuery {
        text: "义务教育".into(),
        per_page: 4,
        page: 2,
        sort: sitegroup_search::Sort::Date,
        ..Default::default()
    };
    let r = public.search(&syn, &q).unwrap();
    assert_eq!(r.total, 9);
    let ids: Vec<i64> = r.hits.iter().filter_map(|h| h.id).collect();
    assert_eq!(ids, [5, 4, 3, 2]);
    let q = SearchQuery {
        text: "义务教育".into(),
        from: Some(1_700_000_003),
        to: Some(1_700_000_005),
        ..Default::default()
    };
    assert_eq!(public.search(&syn, &q).unwrap().total, 2);
    let q = SearchQuery { text: "义务教育".into(), column: Some(20), ..Default::default() };
    assert_eq!(public.search(&syn, &q).unwrap().total, 3);
    let hit = &public.search(&syn, &SearchQuery::text("义务教育")).unwrap().hits[0];
    assert!(hit.snippet.contains("<em>义务教育</em>"), "{}", hit.snippet);
}

/// Every key matching `text` (all pages).
fn all_hits(index: &PublicIndex, text: &str) -> std::collections::BTreeSet<String> {
    let syn = Synonyms::default();
    let mut out = std::collections::BTreeSet::new();
    for page in 1..=50 {
        let q = SearchQuery { text: text.into(), page, per_page: 100, ..Default::default() };
        let r = index.search(&syn, &q).unwrap();
        let n = r.hits.len();
        out.extend(r.hits.into_iter().map(|h| h.key));
        if n < 100 {
            break;
        }
    }
    out
}

#[test]
fn single_characters_and_lone_characters_in_phrases() {
    let (index, docs, texts) = recall_index();
    for c in ["号", "县", "茶", "镇", "藕", "的"] {
        let want: std::collections::BTreeSet<String> = docs
            .iter()
            .zip(texts)
            .filter(|(d, (t, b))| {
                // Disclosure fields are searchable too (the `extra` field).
                let extra = d.disclosure.as_ref().map_or(String::new(), |m| {
                    sitegroup_text::fold::fold(&format!("{} {} {:?}", m.organ, m.category, m.doc_number))
                });
                t.contains(c) || b.contains(c) || extra.contains(c)
            })
            .map(|(d, _)| d.key.clone())
            .collect();
        assert_eq!(all_hits(index, c), want, "{c}");
    }
    // A lone character ending a phrase may start a longer run in the text (1个工作日).
    assert!(all_hits(index, "至1个").contains("county:10"));
    assert!(all_hits(index, "12号").contains("county:19"));
    assert!(all_hits(index, "〔2024〕7号").contains("county:21"));
}

/// A source whose rebuild listing repeats documents (pages shifted under it).
struct Repeating<'a>(&'a Fake);

impl SearchSource for Repeating<'_> {
    fn kinds(&self) -> &[&str] {
        self.0.kinds()
    }

    fn handles(&self, event_kind: &str) -> bool {
        self.0.handles(event_kind)
    }

    fn load(&self, key: &str, audience: Audience) -> Result<Option<SearchDoc>, SearchError> {
        self.0.load(key, audience)
    }

    fn all(
        &self,
        audience: Audience,
        sink: &mut dyn FnMut(SearchDoc) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        self.0.all(audience, sink)?;
        self.0.all(audience, sink)
    }
}

#[test]
fn reindex_adds_a_key_read_twice_once() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::default();
    for n in 1..=3 {
        fake.put(&db, n, 1, true, "招生");
    }
    let repeating = Repeating(&fake);
    let sources: [&dyn SearchSource; 1] = [&repeating];
    let mut ix = open(dir.path());
    let report = ix.reindex(&db, &sources, &mut |_| {}).unwrap();
    assert_eq!(report.public, 3);
    assert_eq!(public_keys(&ix), ["doc:1", "doc:2", "doc:3"]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Any text, as a query or a suggestion prefix, neither panics nor fails.
    #[test]
    fn any_input_is_answered(text in "(\\PC|[〔〕（）\"“”()\\[\\]*?~ 　a-z0-9县无为優(yōu)秀])*") {
        let (index, _, _) = recall_index();
        let syn = Synonyms::parse("县长信箱 ~ 县长邮箱");
        let r = index.search(&syn, &SearchQuery { text: text.clone(), per_page: 5, ..Default::default() }).unwrap();
        prop_assert!(r.hits.len() <= 5);
        index.suggest(&[], &text, Some(1), 5).unwrap();
    }
}

// ------------------------------------------------------------ grouped counts

/// Documents over a few sites (and, when `huge`, one site id so large that sites ×
/// kinds cannot be counted in a dense table) and kinds; `hit` says which contain 义务教育.
fn counting_docs(spec: &[(usize, usize, bool)], huge: bool) -> Vec<SearchDoc> {
    let sites = [1i64, 2, 7, if huge { 5_000_000 } else { 9 }];
    let kinds = ["article", "disclosure", "service"];
    spec.iter()
        .enumerate()
        .map(|(i, &(s, k, hit))| SearchDoc {
            key: format!("doc:{i}"),
            site: sites[s % sites.len()],
            kind: kinds[k % kinds.len()].into(),
            title: format!("第{i}号通知"),
            body: if hit {
                format!("关于义务教育的通知，第{i}次。")
            } else {
                format!("关于道路养护的通知，第{i}次。")
            },
            url: format!("/d/{i}.html"),
            published_at: 1_700_000_000 + i as i64,
            ..Default::default()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// The total and the counts by site and by kind equal a brute-force count, with and
    /// without site and kind filters, whether the segment's (site, kind) table is dense
    /// or not; the page is the same whichever way it is found (a date range that admits
    /// everything turns off the pruned path).
    #[test]
    fn grouped_counts_equal_a_brute_force_count(spec in prop::collection::vec((0usize..4, 0usize..3, any::<bool>()), 1..60),
                                                 huge in any::<bool>(), filter_site in any::<bool>()) {
        let docs = counting_docs(&spec, huge);
        let index = common::build(&docs);
        let syn = Synonyms::default();
        let site = filter_site.then(|| docs[0].site);
        let q = SearchQuery { text: "义务教育".into(), site, ..Default::default() };
        let r = index.search(&syn, &q).unwrap();
        let hits: Vec<&SearchDoc> = docs.iter().filter(|d| d.body.contains("义务教育")).collect();
        let mut by_site: BTreeMap<i64, u64> = BTreeMap::new();
        let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
        for d in &hits {
            *by_site.entry(d.site).or_default() += 1;
            if site.is_none_or(|s| s == d.site) {
                *by_kind.entry(d.kind.clone()).or_default() += 1;
            }
        }
        prop_assert_eq!(r.total, by_kind.values().sum::<u64>());
        prop_assert_eq!(r.by_site.iter().cloned().collect::<BTreeMap<_, _>>(), by_site);
        prop_assert_eq!(r.by_kind.iter().cloned().collect::<BTreeMap<_, _>>(), by_kind);
        prop_assert_eq!(r.hits.len() as u64, r.total.min(10));
        prop_assert!(r.hits.iter().all(|h| site.is_none_or(|s| h.site == s) && h.snippet.contains("义务教育")));
        let everything = SearchQuery { from: Some(0), ..q.clone() };
        let other = index.search(&syn, &everything).unwrap();
        prop_assert_eq!(other.total, r.total);
        // Equal scores may come in another order; the scores may not differ.
        let scores = |r: &sitegroup_search::SearchResults| r.hits.iter().map(|h| h.score).collect::<Vec<_>>();
        prop_assert_eq!(scores(&other).len(), scores(&r).len());
        for (a, b) in scores(&other).iter().zip(scores(&r)) {
            prop_assert!((a - b).abs() <= 1e-4 * b.abs().max(1.0), "{} vs {}", a, b);
        }
        if r.total <= 10 {
            let keys = |r: &sitegroup_search::SearchResults| {
                r.hits.iter().map(|h| h.key.clone()).collect::<std::collections::BTreeSet<_>>()
            };
            prop_assert_eq!(keys(&other), keys(&r));
        }
    }
}
