//! Search (issue 4): the public results page of the portal and of a channel, the JSON
//! suggestions, the back-office search over drafts, and that nothing unpublished or
//! outside the user's scope ever shows. The index is brought up to date with
//! `search_poll()` (what the portal's background task calls), never by sleeping.

use axum::http::StatusCode;
use sitegroup::{
    Actor, Column, ColumnKind, DocInput, Grant, ImportDocument, ImportTicket, NewUser, Origin, PublicDocument, Role,
    Scope, SiteGroup, SiteId,
};

use crate::support::{TestPortal, encode, esc, href};

fn system() -> Actor {
    Actor::system("test")
}

fn site_id(g: &SiteGroup, code: &str) -> SiteId {
    g.site(code).unwrap().id
}

/// The first public list column of a site.
fn list_column(g: &SiteGroup, site: SiteId) -> Column {
    g.public_columns(site).unwrap().into_iter().find(|c| c.kind() == ColumnKind::List).unwrap()
}

/// Imports a published article; returns its id.
fn import(g: &SiteGroup, site: SiteId, title: &str, body: &str) -> i64 {
    let col = list_column(g, site).id;
    let input = DocInput::article(title, body);
    g.import_published(&system(), &Origin::cli(), site, col, &ImportDocument { input, published_at: g.now() - 60 })
        .unwrap()
        .id
}

/// A draft in the first list column of a site; returns its id.
fn draft(g: &SiteGroup, site: SiteId, title: &str) -> i64 {
    let col = list_column(g, site).id;
    g.create_draft(&system(), &Origin::cli(), site, col, &DocInput::article(title, "<p>草稿正文内容。</p>")).unwrap().id
}

fn doc_href(g: &SiteGroup, site: SiteId, id: i64) -> String {
    sitegroup::content::model::doc_url(&g.site_tree().unwrap().path_of(site), id)
}

/// A portal over the demo group with the search index up to date.
fn portal() -> TestPortal {
    let p = TestPortal::new();
    p.group().search_poll().unwrap();
    p
}

fn poll(p: &TestPortal) {
    p.group().search_poll().unwrap();
}

async fn search(p: &TestPortal, path: &str, q: &str) -> crate::support::Resp {
    let res = p.get(&format!("{path}?q={}", encode(q))).await;
    assert_eq!(res.status, StatusCode::OK, "{path} {q}: {}", res.body);
    res.assert_security_headers();
    res
}

/// Traditional forms of characters common in the demo's titles.
const TRADITIONAL: &[(char, char)] = &[
    ('县', '縣'),
    ('发', '發'),
    ('开', '開'),
    ('务', '務'),
    ('关', '關'),
    ('经', '經'),
    ('济', '濟'),
    ('国', '國'),
    ('农', '農'),
    ('业', '業'),
    ('设', '設'),
    ('镇', '鎮'),
    ('乡', '鄉'),
    ('会', '會'),
    ('动', '動'),
    ('产', '產'),
    ('实', '實'),
    ('现', '現'),
    ('为', '為'),
    ('无', '無'),
    ('于', '於'),
    ('进', '進'),
    ('举', '舉'),
    ('组', '組'),
    ('织', '織'),
    ('题', '題'),
    ('议', '議'),
    ('长', '長'),
    ('学', '學'),
    ('习', '習'),
];

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[tokio::test]
async fn demo_documents_are_found_by_two_characters_and_by_traditional_input() {
    let p = portal();
    let g = p.group();
    let portal_site = site_id(g, "portal");
    let docs: Vec<PublicDocument> = g.latest_published(portal_site, 30).unwrap();
    assert!(docs.len() >= 10, "demo has published documents");

    // Two characters from a demo title find it (first page, by relevance, group-wide).
    let mut checked = 0;
    for d in docs.iter().take(5) {
        let chars: Vec<char> = d.fields.title.chars().collect();
        let Some(i) = (0..chars.len().saturating_sub(1)).find(|&i| is_han(chars[i]) && is_han(chars[i + 1])) else {
            continue;
        };
        let two: String = chars[i..i + 2].iter().collect();
        let url = doc_href(g, portal_site, d.id);
        // Narrow to the site and the date so that a common pair still lists the document.
        let res = search(&p, "/search", &two).await;
        let mut found = res.body.contains(&href(&url));
        let mut page = 2;
        while !found && page <= 10 && res.body.contains("rel=\"next\"") {
            let next = p.get(&format!("/search?q={}&page={page}", encode(&two))).await;
            found = next.body.contains(&href(&url));
            page += 1;
        }
        assert!(found, "{two:?} (from {:?}) did not find {url}", d.fields.title);
        checked += 1;
    }
    assert!(checked >= 3, "few demo titles with two Han characters");

    // Traditional input finds the same documents as Simplified.
    let (d, simplified, traditional) = docs
        .iter()
        .find_map(|d| {
            let chars: Vec<char> = d.fields.title.chars().collect();
            chars.windows(2).find_map(|w| {
                let t: Vec<char> =
                    w.iter().map(|c| TRADITIONAL.iter().find(|(s, _)| s == c).map_or(*c, |(_, t)| *t)).collect();
                (t != w && w.iter().all(|c| is_han(*c)))
                    .then(|| (d, w.iter().collect::<String>(), t.into_iter().collect::<String>()))
            })
        })
        .expect("a demo title with a character that has a Traditional form");
    let a = search(&p, "/search", &simplified).await;
    let b = search(&p, "/search", &traditional).await;
    assert!(a.body.contains("共找到相关结果"), "{simplified}: {}", a.body);
    let total = |body: &str| body.split("共找到相关结果 ").nth(1).and_then(|s| s.split(' ').next()).map(str::to_string);
    assert_eq!(total(&a.body), total(&b.body), "{simplified} vs {traditional} ({})", d.fields.title);
    assert!(b.body.contains("<em>"), "Traditional input is highlighted in the results");
}

#[tokio::test]
async fn a_published_document_appears_after_one_poll_and_a_draft_never_does() {
    let p = portal();
    let g = p.group();
    let jyj = site_id(g, "jyj");
    let id = draft(g, jyj, "校园周边交通秩序整治草稿");
    poll(&p);
    let res = search(&p, "/search", "交通秩序整治").await;
    assert!(!res.body.contains("校园周边"), "a draft in public results: {}", res.body);
    assert!(res.body.contains("没有找到"), "{}", res.body);

    // Through the back office: submit, approve, publish (as the group administrator).
    let cookie = p.login("admin").await;
    let csrf = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_string();
    for (step, extra) in [("submit", ""), ("approve", "&note=%E5%90%8C%E6%84%8F"), ("publish", "&when=now")] {
        let res = p.post_form(&format!("/admin/docs/{id}/{step}"), &format!("csrf={csrf}{extra}"), Some(&cookie)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{step}: {}", res.body);
    }
    assert_eq!(g.document(&system(), id).unwrap().state, sitegroup::DocState::Published);
    poll(&p);
    let res = search(&p, "/search", "交通秩序整治").await;
    assert!(res.body.contains(&href(&doc_href(g, jyj, id))), "published and polled: {}", res.body);
    assert!(res.body.contains("<em>交通秩序整治</em>"), "{}", res.body);

    // Withdrawn: gone after the next poll.
    g.withdraw(&system(), &Origin::cli(), id, "测试撤回").unwrap();
    poll(&p);
    let res = search(&p, "/search", "交通秩序整治").await;
    assert!(!res.body.contains(&href(&doc_href(g, jyj, id))), "withdrawn still found: {}", res.body);
}

#[tokio::test]
async fn a_published_letter_is_found_as_a_reply_and_links_to_its_page() {
    let p = portal();
    let g = p.group();
    let unit = g.site("jyj").unwrap().unit.unwrap();
    let code = g.list_units(&system()).unwrap().into_iter().find(|u| u.id == unit).unwrap().code;
    let letter = |subject: &str, public: bool| ImportTicket {
        channel: "mailbox".into(),
        unit: code.clone(),
        subject: subject.into(),
        body: "孩子上学的校车接送时间太早，能否调整？".into(),
        received_at: g.now() - 86_400 * 3,
        replied_at: Some(g.now() - 86_400),
        reply: Some("已协调校车公司推迟二十分钟接送。".into()),
        public,
        writer: Some("李四".into()),
        ..Default::default()
    };
    let ids: Vec<i64> = g
        .import_tickets_batch(&system(), &Origin::cli(), &[letter("校车接送时间调整", true), letter("校车私信", false)])
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap().id)
        .collect();
    poll(&p);
    let link = href(&format!("/hudong/xzxx/{}", ids[0]));
    let res = search(&p, "/search", "校车接送").await;
    assert!(res.body.contains(&link), "{}", res.body);
    assert!(res.body.contains("答复选登"), "labelled with its kind: {}", res.body);
    assert!(!res.body.contains("校车私信"), "a private letter in public results: {}", res.body);
    assert!(!res.body.contains(&href(&format!("/hudong/xzxx/{}", ids[1]))));
    let res = search(&p, "/search", "推迟二十分钟").await;
    assert!(res.body.contains(&link), "found by its reply: {}", res.body);
    let res = p.get(&format!("/search?q={}&kind=reply", encode("校车"))).await;
    assert!(res.body.contains(&link) && res.body.contains("value=\"reply\" selected"), "{}", res.body);
    assert_eq!(p.get(&format!("/hudong/xzxx/{}", ids[0])).await.status, StatusCode::OK, "the link opens");
}

#[tokio::test]
async fn back_office_search_stays_within_what_the_user_may_see() {
    let p = portal();
    let g = p.group();
    let (o, s) = (Origin::other("test"), system());
    let a = g.site("wucheng").unwrap();
    let b = g.site("xiangan").unwrap();
    let mine = draft(g, a.id, "无城镇秸秆禁烧巡查草稿");
    let theirs = draft(g, b.id, "襄安镇秸秆禁烧巡查草稿");
    poll(&p);
    let password = "Chunfeng-2025-editor!";
    g.add_user(&s, &o, &NewUser { username: "wc_editor".into(), display_name: None, unit: a.unit }, Some(password))
        .unwrap();
    g.grant(&s, &o, "wc_editor", Grant { role: Role::Editor, scope: Scope::Site(a.id) }).unwrap();
    let (csrf_cookie, token) = p.csrf().await;
    let res = p
        .post_form(
            "/login",
            &format!("csrf={token}&username=wc_editor&password={}", encode(password)),
            Some(&csrf_cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let cookie = format!("{csrf_cookie}; {}={}", portal::SESSION_COOKIE, res.cookie(portal::SESSION_COOKIE).unwrap());

    for path in [
        format!("/admin/search?q={}", encode("秸秆禁烧")),
        format!("/admin/search?q={}&site=xiangan", encode("秸秆禁烧")),
        format!("/admin/search?q={}&sort=date&kind=article", encode("禁烧巡查")),
    ] {
        let res = p.get_with_cookie(&path, &cookie).await;
        assert!(res.status == StatusCode::OK || res.status == StatusCode::FORBIDDEN, "{path}: {}", res.status);
        assert!(!res.body.contains("襄安镇秸秆"), "{path}: township B's draft shown to A's editor");
        assert!(!res.body.contains(&format!("/admin/docs/{theirs}\"")), "{path}");
    }
    let res = p.get_with_cookie(&format!("/admin/search?q={}", encode("秸秆禁烧")), &cookie).await;
    assert!(res.body.contains("无城镇<em>秸秆禁烧</em>巡查草稿"), "own draft found: {}", res.body);
    assert!(res.body.contains(&href(&format!("/admin/docs/{mine}"))));
    assert!(res.body.contains("草稿"), "state label");

    // The group administrator sees both; the public sees neither.
    let admin = p.login("admin").await;
    let res = p.get_with_cookie(&format!("/admin/search?q={}", encode("秸秆禁烧")), &admin).await;
    assert!(
        res.body.contains("无城镇<em>秸秆禁烧</em>") && res.body.contains("襄安镇<em>秸秆禁烧</em>"),
        "{}",
        res.body
    );
    let res = search(&p, "/search", "秸秆禁烧巡查").await;
    assert!(!res.body.contains("巡查草稿"), "{}", res.body);

    // Without a session: the login page.
    let res = p.get("/admin/search?q=x").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_query_and_document_titles_are_escaped() {
    let p = portal();
    let g = p.group();
    let portal_site = site_id(g, "portal");
    let id =
        import(g, portal_site, "关于<script>alert(1)</script>防汛演练的通知", "<p>防汛演练&amp;应急<b>处置</b>。</p>");
    poll(&p);

    let res = p.get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(!res.body.contains("<script>alert(1)"), "the query printed raw");
    assert!(res.body.contains(&esc("<script>alert(1)</script>")), "the query shown escaped");

    let res = search(&p, "/search", "防汛演练").await;
    assert!(res.body.contains(&href(&doc_href(g, portal_site, id))), "{}", res.body);
    assert!(!res.body.contains("<script>alert(1)"), "a title printed raw: {}", res.body);
    assert!(res.body.contains("关于&lt;script&gt;alert(1)&lt;/script&gt;<em>防汛演练</em>的通知"), "{}", res.body);
    assert!(!res.body.contains("<b>处置</b>"), "body markup in a snippet");
}

#[tokio::test]
async fn suggestions_as_you_type_are_json() {
    let p = portal();
    for q in ["wwx", "wuweixian", "无为"] {
        let res = p.get(&format!("/search/suggest?q={}", encode(q))).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.header("content-type").starts_with("application/json"));
        let items: Vec<serde_json::Value> = serde_json::from_str(&res.body).unwrap();
        assert!(!items.is_empty(), "{q}: no suggestions");
        assert!(items.iter().any(|i| i["text"].as_str().unwrap().contains("无为县")), "{q}: {items:?}");
        for i in &items {
            assert!(i["kind"].is_string() && i["url"].as_str().unwrap().starts_with('/'), "{i}");
        }
    }
    // Limited to a site: only that site's names.
    let res = p.get("/search/suggest?q=jyj&site=jyj").await;
    assert_eq!(res.status, StatusCode::OK);
    let _: Vec<serde_json::Value> = serde_json::from_str(&res.body).unwrap();
    // Empty, huge or odd input: an empty list or a list, never an error.
    for q in ["", "%20%20", "%00%01", &"a".repeat(500), "%FF%FE"] {
        let res = p.get(&format!("/search/suggest?q={q}")).await;
        assert_eq!(res.status, StatusCode::OK, "{q}");
        let _: Vec<serde_json::Value> = serde_json::from_str(&res.body).unwrap();
    }
    assert_eq!(p.get("/search/suggest").await.body, "[]");
}

#[tokio::test]
async fn nothing_found_offers_did_you_mean() {
    let p = portal();
    let g = p.group();
    let portal_site = site_id(g, "portal");
    import(g, portal_site, "农村人居环境整治提升行动方案", "<p>推进农村人居环境整治。</p>");
    poll(&p);
    // Pinyin of a word in the documents: nothing matches the Latin letters, and the
    // page offers the word.
    let res = search(&p, "/search", "huanjing").await;
    assert!(res.body.contains("没有找到"), "{}", res.body);
    let dym = res.body.split("class=\"did-you-mean\"").nth(1).unwrap_or_else(|| panic!("pinyin: {}", res.body));
    assert!(dym.contains("环境"), "{dym}");
    // A typo: one character wrong in a word of the document.
    let res = search(&p, "/search", "人居环境整冶").await;
    assert!(res.body.contains("没有找到"), "{}", res.body);
    assert!(res.body.contains("class=\"did-you-mean\""), "typo: {}", res.body);
    // The suggestion is a working search link.
    let start = res.body.find("class=\"did-you-mean\"").unwrap();
    let h = &res.body[start..];
    let link =
        h.split("href=\"").nth(1).unwrap().split('"').next().unwrap().replace("&#x2f;", "/").replace("&amp;", "&");
    let again = p.get(&link).await;
    assert!(again.body.contains("共找到相关结果"), "{link}: {}", again.body);
}

#[tokio::test]
async fn paging_keeps_the_filters() {
    let p = portal();
    let g = p.group();
    let portal_site = site_id(g, "portal");
    let col = list_column(g, portal_site).id;
    for n in 1..=13 {
        let input = DocInput::article(&format!("美丽乡村示范点建设第{n}期"), "<p>示范点建设进展。</p>");
        let published_at = g.now() - 3600 * (20 - n);
        g.import_published(&system(), &Origin::cli(), portal_site, col, &ImportDocument { input, published_at })
            .unwrap();
    }
    poll(&p);
    let res = p.get(&format!("/search?q={}&kind=article&sort=date", encode("示范点建设"))).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body.matches("data-hit=\"").count(), 10, "{}", res.body);
    let next = format!("/search?q={}&kind=article&sort=date&page=2", encode("示范点建设"));
    assert!(res.body.contains(&href(&next)), "next page keeps kind and sort: {}", res.body);
    let page2 = p.get(&next).await;
    assert_eq!(page2.body.matches("data-hit=\"").count(), 3);
    assert!(page2.body.contains("第1期") && !page2.body.contains("第13期"), "date order: oldest last");
    assert!(res.body.contains("第13期"), "date order: newest first");
    // Facet links keep the query and drop the page.
    assert!(page2.body.contains(&href(&format!("/search?q={}&sort=date", encode("示范点建设")))));
    // Beyond the last page: an empty page, not an error; nonsense pages are page 1.
    for page in ["9", "abc", "-1", "99999999999999999999"] {
        let res = p.get(&format!("/search?q={}&page={page}", encode("示范点建设"))).await;
        assert_eq!(res.status, StatusCode::OK, "page={page}");
    }
}

#[tokio::test]
async fn a_channel_searches_itself_and_links_to_the_whole_group() {
    let p = portal();
    let g = p.group();
    let (portal_site, jyj) = (site_id(g, "portal"), site_id(g, "jyj"));
    let here = import(g, jyj, "校园食品安全专项检查", "<p>教育局开展检查。</p>");
    let there = import(g, portal_site, "全县食品安全专项检查通报", "<p>县政府通报。</p>");
    poll(&p);
    let res = search(&p, "/jyj/search", "食品安全").await;
    assert!(res.body.contains(&href(&doc_href(g, jyj, here))));
    assert!(!res.body.contains(&href(&doc_href(g, portal_site, there))), "another site's document on a channel");
    assert!(res.body.contains(&href(&format!("/search?q={}", encode("食品安全")))), "link to the whole group");
    // Every hit on the channel page belongs to the channel.
    assert!(!res.body.contains("<span class=\"hit-site\">无为县人民政府</span>"));

    let res = search(&p, "/search", "食品安全").await;
    assert!(
        res.body.contains(&href(&doc_href(g, jyj, here))) && res.body.contains(&href(&doc_href(g, portal_site, there)))
    );
    // The by-site facet narrows the group search to one site.
    let only = format!("/search?q={}&site=jyj", encode("食品安全"));
    assert!(res.body.contains(&href(&only)), "{}", res.body);
    let res = p.get(&only).await;
    assert!(!res.body.contains(&href(&doc_href(g, portal_site, there))));
    assert!(res.body.contains(&href(&doc_href(g, jyj, here))));
}

#[tokio::test]
async fn empty_long_and_odd_queries_show_a_page_and_hot_queries() {
    let p = portal();
    for q in ["", "%20%20%09", "%00%07%1B", "%FF%FE"] {
        let res = p.get(&format!("/search?q={q}")).await;
        assert_eq!(res.status, StatusCode::OK, "{q}");
        assert!(res.body.contains("请输入要查找的内容") || res.body.contains("没有找到"), "{q}: {}", res.body);
    }
    let res = p.get("/search").await;
    assert!(res.body.contains("近七日热门搜索"));
    let long = encode(&"政务公开".repeat(100));
    let res = p.get(&format!("/search?q={long}")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("搜索词过长"));
    let res = p.get(&format!("/search?q={}", encode("！！！？？"))).await;
    assert_eq!(res.status, StatusCode::OK);
    // Full-width and mixed input.
    let res = p.get(&format!("/search?q={}", encode("ＷＷＸ 政务"))).await;
    assert_eq!(res.status, StatusCode::OK);

    // Searches are counted: the hot list shows them, per site.
    for _ in 0..2 {
        search(&p, "/jyj/search", "招生考试").await;
    }
    let res = p.get("/jyj/search").await;
    assert!(res.body.contains(&href(&format!("/jyj/search?q={}", encode("招生考试")))), "{}", res.body);
}

#[tokio::test]
async fn every_page_has_a_search_box_for_its_site() {
    let p = portal();
    let res = p.get("/").await;
    assert!(res.body.contains(r#"role="search" method="get" action="&#x2f;search""#), "{}", res.body);
    let res = p.get("/jyj/").await;
    assert!(res.body.contains(r#"action="&#x2f;jyj&#x2f;search""#));
    assert!(res.body.contains(r#"data-suggest-site="jyj""#));
    let js = p.get("/static/search.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.header("content-type").starts_with("text/javascript"));
}
