//! Public pages of columns and content (issue 3): home, column paging, redirects,
//! documents with the disclosure table, attachments and media, the catalogue, RSS and
//! the sitemap, and that nothing unpublished ever shows.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sitegroup::content::{Attachment, DisclosureMeta, DocInput, DocKind, Validity};
use sitegroup::{Actor, Column, ColumnLookup, ImportDocument, Origin, PublishAt, SiteGroup, SiteId};

use crate::support::{TestPortal, esc, href};

fn system() -> Actor {
    Actor::system("test")
}

fn site_id(g: &SiteGroup, code: &str) -> SiteId {
    g.site(code).unwrap().id
}

fn column(g: &SiteGroup, site: SiteId, path: &str) -> Column {
    match g.column_by_path(site, path).unwrap() {
        ColumnLookup::Found(c) => *c,
        other => panic!("no column at {path}: {other:?}"),
    }
}

/// Imports one published document into a column of a site; returns its id.
fn import(g: &SiteGroup, site: SiteId, col: i64, input: DocInput) -> i64 {
    let at = g.now() - 60;
    g.import_published(&system(), &Origin::cli(), site, col, &ImportDocument { input, published_at: at }).unwrap().id
}

/// Publishes through the whole workflow (draft → submitted → reviewed → published).
fn publish(g: &SiteGroup, site: SiteId, col: i64, input: &DocInput) -> i64 {
    let (a, o) = (system(), Origin::cli());
    let d = g.create_draft(&a, &o, site, col, input).unwrap();
    g.submit(&a, &o, d.id).unwrap();
    g.review_approve(&a, &o, d.id, "保密审查通过").unwrap();
    g.publish(&a, &o, d.id, PublishAt::Now).unwrap();
    d.id
}

fn count_docs(body: &str) -> usize {
    body.matches("data-doc=\"").count()
}

/// A minimal XML well-formedness check: balanced tags, only the five predefined
/// entities (or numeric ones), no stray `<` or `&`.
fn assert_well_formed_xml(xml: &str) {
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), "{xml}");
    let body = &xml[xml.find("?>").unwrap() + 2..];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find(['<', '&']) {
        let text = &rest[..i];
        assert!(!text.contains('>') || !text.contains('<'), "stray markup in {text:?}");
        rest = &rest[i..];
        if rest.starts_with('&') {
            let end = rest.find(';').expect("unterminated entity");
            let entity = &rest[1..end];
            assert!(
                ["amp", "lt", "gt", "quot", "apos"].contains(&entity) || entity.starts_with('#'),
                "unknown entity &{entity};"
            );
            rest = &rest[end + 1..];
            continue;
        }
        let end = rest.find('>').expect("unterminated tag");
        let tag = &rest[1..end];
        assert!(!tag.contains('<'), "'<' inside a tag: {tag:?}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.trim()), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap().to_string();
            stack.push(name);
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[tokio::test]
async fn the_home_page_lists_the_latest_documents_per_column_and_the_topics() {
    let p = TestPortal::new();
    let g = p.group();
    let portal = site_id(g, "portal");
    let latest = g.latest_published(portal, 3).unwrap();
    assert!(!latest.is_empty(), "the demo has published content");
    let res = p.get("/").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("最新信息"));
    for d in &latest {
        assert!(res.body.contains(&esc(&d.fields.title)), "home lacks {}", d.fields.title);
        assert!(res.body.contains(&href(&format!("/docs/{}.html", d.id))));
    }
    // A block per navigation column, with its newest item and a feed.
    let news = column(g, portal, "/ywdt");
    let newest = &g.published_in_column(portal, news.id, 1, 1).unwrap().items[0];
    assert!(res.body.contains(&href("/ywdt")));
    assert!(res.body.contains(&href("/ywdt/rss.xml")));
    assert!(res.body.contains(&esc(&newest.fields.title)));
    // Topics as cards with their banners, and the channel lists of before.
    for topic in ["学习贯彻党的二十大精神", "优化营商环境", "乡村振兴"] {
        assert!(res.body.contains(topic), "topic {topic}");
    }
    assert!(res.body.contains(&format!("src=\"{}\"", esc("/ztzl/yshj/banner.img"))));
    assert_eq!(res.body.matches(r#"data-kind="department""#).count(), 45);
    // The site navigation.
    assert!(res.body.contains(&format!("<a {}>政策文件</a>", href("/zcwj"))));
    // A channel's home lists its own columns' documents.
    let jyj = p.get("/jyj").await;
    assert!(jyj.body.contains("<h1>无为县教育局</h1>"));
    assert!(jyj.body.contains(&href("/jyj/gzdt")), "channel navigation");
    assert!(count_docs(&jyj.body) > 0, "channel news on its home page");
}

#[tokio::test]
async fn column_pages_page_through_their_documents_and_refuse_bad_page_numbers() {
    let p = TestPortal::new();
    let g = p.group();
    let portal = site_id(g, "portal");
    let notices = column(g, portal, "/tzgg");
    let total = g.published_in_column(portal, notices.id, 1, 1).unwrap().total as usize;
    assert!(total > 20, "the demo fills more than one page ({total})");

    let first = p.get("/tzgg").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("<h1>通知公告"));
    assert_eq!(count_docs(&first.body), 20);
    assert!(first.body.contains(&href("/tzgg?page=2")));
    let second = p.get("/tzgg?page=2").await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(count_docs(&second.body), total - 20);
    // No document on both pages.
    let ids = |body: &str| -> Vec<String> {
        body.split("data-doc=\"").skip(1).map(|s| s[..s.find('"').unwrap()].to_string()).collect()
    };
    let (a, b) = (ids(&first.body), ids(&second.body));
    assert!(a.iter().all(|id| !b.contains(id)));
    // Newest first.
    let newest = &g.published_in_column(portal, notices.id, 1, 1).unwrap().items[0];
    assert_eq!(a[0], newest.id.to_string());

    for (q, status) in [
        ("?page=3", StatusCode::NOT_FOUND),
        ("?page=100001", StatusCode::NOT_FOUND),
        ("?page=99999999999999999999999", StatusCode::BAD_REQUEST),
        ("?page=0", StatusCode::BAD_REQUEST),
        ("?page=-1", StatusCode::BAD_REQUEST),
        ("?page=abc", StatusCode::BAD_REQUEST),
        ("?page=%FF", StatusCode::BAD_REQUEST),
        ("?page=", StatusCode::OK),
    ] {
        let res = p.get(&format!("/tzgg{q}")).await;
        assert_eq!(res.status, status, "{q}");
        assert!(res.is_html(), "{q}: a Chinese page, not a bare status");
    }
    // An empty column shows its empty first page, not an error.
    let blank = p.get("/ztzl/xczx/dxal").await;
    assert_eq!(blank.status, StatusCode::OK);
    assert!(blank.body.contains("暂无信息"));
}

#[tokio::test]
async fn old_column_paths_redirect_permanently_and_link_columns_redirect_out() {
    let p = TestPortal::new();
    for (from, to) in [
        ("/gonggao", "/tzgg"),
        ("/gonggao?page=2", "/tzgg?page=2"),
        ("/GONGGAO/", "/tzgg"),
        ("/gonggao/rss.xml", "/tzgg/rss.xml"),
    ] {
        let res = p.get(from).await;
        assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY, "{from}");
        assert_eq!(res.header("location"), to, "{from}");
    }
    // Renaming a channel's column at run time: the old path follows.
    let g = p.group();
    let jyj = site_id(g, "jyj");
    let news = column(g, jyj, "/gzdt");
    let change = sitegroup::ColumnChange { slug: Some("jydt".into()), ..Default::default() };
    g.update_column(&system(), &Origin::cli(), jyj, news.id, &change).unwrap();
    let res = p.get("/jyj/gzdt").await;
    assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(res.header("location"), "/jyj/jydt");
    assert_eq!(p.get("/jyj/jydt").await.status, StatusCode::OK);

    let link = p.get("/zwfw").await;
    assert_eq!(link.status, StatusCode::FOUND);
    assert_eq!(link.header("location"), "https://www.ahzwfw.gov.cn/");
}

#[tokio::test]
async fn a_disclosure_item_shows_its_metadata_table_and_its_validity() {
    let p = TestPortal::new();
    let g = p.group();
    let portal = site_id(g, "portal");
    let fgwj = column(g, portal, "/xxgk/fgwj");
    let mut input =
        DocInput::article("无为县人民政府关于废止部分规范性文件的决定", "<p>经清理，决定废止以下文件。</p>");
    input.kind = DocKind::Disclosure(DisclosureMeta {
        organ: "无为县人民政府".into(),
        doc_number: Some("无政〔2024〕12号".into()),
        category: "综合政务".into(),
        validity: Validity::Repealed,
        ..Default::default()
    });
    input.subtitle = Some("（2024年第3批）".into());
    input.source = Some("县司法局".into());
    input.author = Some("王芳".into());
    let id = import(g, portal, fgwj.id, input);
    let doc = g.published_document(portal, id).unwrap().unwrap();
    let index = doc.index_number.clone().expect("an index number at publication");

    let res = p.get(&format!("/docs/{id}.html")).await;
    assert_eq!(res.status, StatusCode::OK);
    for expected in [
        "索引号",
        esc(&index).as_str(),
        "发布机构",
        "无为县人民政府",
        "发文字号",
        "无政〔2024〕12号",
        "主题分类",
        "综合政务",
        "有效性",
        "已废止",
        "本文件已废止",
        "<h1>无为县人民政府关于废止部分规范性文件的决定</h1>",
        "（2024年第3批）",
        "来源：县司法局",
        "作者：王芳",
        "<p>经清理，决定废止以下文件。</p>",
    ] {
        assert!(res.body.contains(expected), "document page lacks {expected}");
    }
    // Breadcrumbs through 信息公开 and 法规文件.
    assert!(res.body.contains(&format!("<a {}>信息公开</a>", href("/xxgk"))));
    assert!(res.body.contains(&format!("<a {}>法规文件</a>", href("/xxgk/fgwj"))));
    // The catalogue lists it as repealed, and by category, organ and year.
    let cat = p.get("/xxgk").await;
    assert_eq!(cat.status, StatusCode::OK);
    for expected in ["按主题分类", "按发布机构", "按年份", esc(&index).as_str(), "已废止"] {
        assert!(cat.body.contains(expected), "catalogue lacks {expected}");
    }
    // A seeded demo item: in force, its own number.
    let seeded = g.published_in_column(portal, fgwj.id, 2, 1).unwrap().items.remove(0);
    let res = p.get(&format!("/docs/{}.html", seeded.id)).await;
    assert!(res.body.contains(&esc(seeded.index_number.as_deref().unwrap())));
}

#[tokio::test]
async fn the_catalogue_filters_by_category_organ_and_year_with_counts() {
    let p = TestPortal::new();
    let g = p.group();
    let portal = site_id(g, "portal");
    let facets = g.disclosure_facets(portal).unwrap();
    assert!(facets.categories.len() > 1 && !facets.organs.is_empty() && !facets.years.is_empty());
    let all = p.get("/xxgk").await;
    for (name, n) in &facets.categories {
        assert!(all.body.contains(&format!("{}</a> <span class=\"count\">({n})</span>", esc(name))), "{name}");
    }
    let (category, n) = facets.categories[0].clone();
    let res = p.get(&format!("/xxgk?category={}", crate::support::encode(&category))).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(count_docs(&res.body), (n as usize).min(20));
    let (year, ny) = facets.years[0];
    let res = p.get(&format!("/xxgk?year={year}")).await;
    assert_eq!(count_docs(&res.body), (ny as usize).min(20));
    let (organ, no) = facets.organs[0].clone();
    let res = p.get(&format!("/xxgk?organ={}", crate::support::encode(&organ))).await;
    assert_eq!(count_docs(&res.body), (no as usize).min(20));
    assert_eq!(p.get("/xxgk?year=abc").await.status, StatusCode::BAD_REQUEST);
    let none = p.get("/xxgk?category=%E6%97%A0").await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(count_docs(&none.body), 0);
}

#[tokio::test]
async fn drafts_and_withdrawn_documents_are_never_public() {
    let p = TestPortal::new();
    let g = p.group();
    let portal = site_id(g, "portal");
    let notices = column(g, portal, "/tzgg");
    let title = "关于开展撤回测试的通知";
    let id = publish(g, portal, notices.id, &DocInput::article(title, "<p>正文。</p>"));
    let host = |path: &str| Request::get(path).header(header::HOST, "www.wuwei.gov.cn").body(Body::empty()).unwrap();

    assert_eq!(p.get(&format!("/docs/{id}.html")).await.status, StatusCode::OK);
    assert!(p.get("/tzgg").await.body.contains(title));
    assert!(p.get("/tzgg/rss.xml").await.body.contains(title));
    assert!(p.get("/").await.body.contains(title));
    let url = format!("http://www.wuwei.gov.cn/docs/{id}.html");
    assert!(p.send(host("/sitemap.xml")).await.body.contains(&url));

    g.withdraw(&system(), &Origin::cli(), id, "内容有误").unwrap();
    let gone = p.get(&format!("/docs/{id}.html")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(gone.body.contains("页面不存在"));
    for path in ["/tzgg", "/tzgg/rss.xml", "/"] {
        assert!(!p.get(path).await.body.contains(title), "{path} still shows the withdrawn document");
    }
    assert!(!p.send(host("/sitemap.xml")).await.body.contains(&url));

    // A draft (and a submitted or reviewed one) has no public page either.
    let (a, o) = (system(), Origin::cli());
    let draft = g.create_draft(&a, &o, portal, notices.id, &DocInput::article("草稿通知", "<p>x</p>")).unwrap();
    assert_eq!(p.get(&format!("/docs/{}.html", draft.id)).await.status, StatusCode::NOT_FOUND);
    g.submit(&a, &o, draft.id).unwrap();
    g.review_approve(&a, &o, draft.id, "ok").unwrap();
    assert_eq!(p.get(&format!("/docs/{}.html", draft.id)).await.status, StatusCode::NOT_FOUND);
    assert!(!p.get("/tzgg").await.body.contains("草稿通知"));
    // Another site's document is not found under this one.
    let jyj = site_id(g, "jyj");
    let jyj_news = column(g, jyj, "/gzdt");
    let other = import(g, jyj, jyj_news.id, DocInput::article("教育局的信息", "<p>x</p>"));
    assert_eq!(p.get(&format!("/docs/{other}.html")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(p.get(&format!("/jyj/docs/{other}.html")).await.status, StatusCode::OK);
    for bad in ["/docs/abc.html", "/docs/99999999999999999999.html", "/docs/1/files/0", "/docs/.html"] {
        assert_eq!(p.get(bad).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[tokio::test]
async fn rss_is_well_formed_and_escapes_titles() {
    let p = TestPortal::new();
    let g = p.group();
    let portal = site_id(g, "portal");
    let notices = column(g, portal, "/tzgg");
    let id = import(g, portal, notices.id, DocInput::article("关于<&>及\"引号\"的通知", "<p>正文。</p>"));
    let res = p.get("/tzgg/rss.xml").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").starts_with("application/rss+xml"));
    assert_well_formed_xml(&res.body);
    assert!(res.body.contains("<rss version=\"2.0\">"));
    assert!(res.body.contains("<title>无为县人民政府 - 通知公告</title>"));
    assert_eq!(res.body.matches("<item>").count(), 20);
    assert!(res.body.contains("<title>关于&lt;&amp;&gt;及&quot;引号&quot;的通知</title>"));
    assert!(!res.body.contains("<&>"));
    assert!(res.body.contains(&format!("<link>http://localhost/docs/{id}.html</link>")));
    assert!(res.body.contains("+0800</pubDate>"));
    // A channel's feed, and feeds of things that are not list columns.
    let jyj = p.get("/jyj/gzdt/rss.xml").await;
    assert_eq!(jyj.status, StatusCode::OK);
    assert_well_formed_xml(&jyj.body);
    assert_eq!(p.get("/zwfw/rss.xml").await.status, StatusCode::NOT_FOUND);
    assert_eq!(p.get("/nope/rss.xml").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_sitemap_lists_published_documents_and_columns_with_absolute_urls() {
    let p = TestPortal::new();
    let g = p.group();
    let portal = site_id(g, "portal");
    let req = Request::get("/sitemap.xml").header(header::HOST, "www.wuwei.gov.cn").body(Body::empty()).unwrap();
    let res = p.send(req).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").starts_with("application/xml"));
    assert_well_formed_xml(&res.body);
    assert!(res.body.contains("<loc>http://www.wuwei.gov.cn/</loc>"));
    assert!(res.body.contains("<loc>http://www.wuwei.gov.cn/tzgg</loc>"));
    assert!(!res.body.contains("<loc>http://www.wuwei.gov.cn/zwfw</loc>"), "link columns are not pages");
    let total: i64 = g
        .public_columns(portal)
        .unwrap()
        .iter()
        .filter(|c| c.kind().holds_documents())
        .map(|c| g.published_in_column(portal, c.id, 1, 1).unwrap().total)
        .sum();
    assert_eq!(res.body.matches("/docs/").count() as i64, total);
    // Each channel has its own, under its prefix.
    let jyj = p.get("/jyj/sitemap.xml").await;
    assert!(jyj.body.contains("<loc>http://localhost/jyj/gzdt</loc>"));
    assert!(jyj.body.contains("http://localhost/jyj/docs/"));
}

#[tokio::test]
async fn attachments_download_with_their_name_and_type_and_media_only_of_the_document() {
    let p = TestPortal::new();
    let g = p.group();
    let portal = site_id(g, "portal");
    let notices = column(g, portal, "/tzgg");
    let bytes = "项目,金额\n道路,100\n".as_bytes();
    let up = g.upload(&system(), portal, notices.id, "明细.csv", bytes).unwrap();
    let mut input = DocInput::article("关于资金安排的公示", "<p>详见附件。</p>");
    input.attachments =
        vec![Attachment { key: up.file.key.clone(), name: "2025年资金明细表.csv".into(), size: 24 }];
    let id = import(g, portal, notices.id, input);

    let page = p.get(&format!("/docs/{id}.html")).await;
    assert!(page.body.contains("2025年资金明细表.csv"));
    assert!(page.body.contains(&href(&format!("/docs/{id}/files/1"))));
    let file = p.get(&format!("/docs/{id}/files/1")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.header("content-type"), "text/csv; charset=utf-8");
    let disposition = file.header("content-disposition");
    assert!(disposition.starts_with("attachment; filename="), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''2025%E5%B9%B4"), "{disposition}");
    assert_eq!(file.bytes, bytes);
    file.assert_security_headers();
    assert_eq!(p.get(&format!("/docs/{id}/files/2")).await.status, StatusCode::NOT_FOUND);
    // The file is not reachable through another document, nor as media.
    assert_eq!(p.get(&format!("/docs/{id}/media/{}", up.file.key)).await.status, StatusCode::NOT_FOUND);

    // A seeded photo report: its gallery, captions and pictures.
    let photos = column(g, portal, "/tpxw");
    let photo = g.published_in_column(portal, photos.id, 1, 1).unwrap().items.remove(0);
    let DocKind::Photo { images } = &photo.fields.kind else { panic!("not a photo report") };
    let res = p.get(&format!("/docs/{}.html", photo.id)).await;
    assert!(res.body.contains("<figcaption>"));
    assert!(res.body.contains(&esc(&images[0].caption)));
    let img = p.get(&format!("/docs/{}/media/{}", photo.id, images[0].key)).await;
    assert_eq!(img.status, StatusCode::OK);
    assert_eq!(img.header("content-type"), "image/png");
    let bogus = format!("/docs/{}/media/{}.png", photo.id, "0".repeat(64));
    assert_eq!(p.get(&bogus).await.status, StatusCode::NOT_FOUND);
    // A seeded video with its poster.
    let videos = column(g, portal, "/spxw");
    let video = g.published_in_column(portal, videos.id, 1, 1).unwrap().items.remove(0);
    let res = p.get(&format!("/docs/{}.html", video.id)).await;
    assert!(res.body.contains("<video controls"));
    assert!(res.body.contains("poster="));
}

#[tokio::test]
async fn titles_with_markup_or_traditional_characters_are_shown_escaped() {
    let p = TestPortal::new();
    let g = p.group();
    let portal = site_id(g, "portal");
    let notices = column(g, portal, "/tzgg");
    let title = "<script>alert(1)</script>關於發佈「測試」通知 & <b>加粗</b>";
    let id =
        import(g, portal, notices.id, DocInput::article(title, "<p onclick=\"x()\">正文<script>bad()</script></p>"));
    for path in [format!("/docs/{id}.html"), "/tzgg".to_string(), "/".to_string()] {
        let res = p.get(&path).await;
        assert!(res.body.contains(&esc(title)), "{path}: escaped title");
        assert!(!res.body.contains("<script>alert(1)"), "{path}: raw script");
        assert!(!res.body.contains("<b>加粗</b>"), "{path}: raw markup");
    }
    let doc = p.get(&format!("/docs/{id}.html")).await;
    assert!(!doc.body.contains("bad()") && !doc.body.contains("onclick"), "the body was sanitised on the way in");
    assert!(doc.body.contains("關於發佈「測試」通知"));
}

#[tokio::test]
async fn single_page_and_topic_columns_show_their_content() {
    let p = TestPortal::new();
    let single = p.get("/xxgk/jgzn").await;
    assert_eq!(single.status, StatusCode::OK);
    assert!(single.body.contains("主要职责"));
    let topic = p.get("/ztzl/yshj").await;
    assert_eq!(topic.status, StatusCode::OK);
    assert!(topic.body.contains("<h1>优化营商环境</h1>"));
    assert!(topic.body.contains("专题时间：2023-03-01 —"));
    assert!(topic.body.contains(&href("/ztzl/yshj/zccs")));
    assert!(topic.body.contains(&href("/ztzl/yshj/gzdt")));
    let banner = p.get("/ztzl/yshj/banner.img").await;
    assert_eq!(banner.status, StatusCode::OK);
    assert_eq!(banner.header("content-type"), "image/png");
    assert_eq!(p.get("/tzgg/banner.img").await.status, StatusCode::NOT_FOUND);
    let ended = p.get("/ztzl/xxgc").await;
    assert!(ended.body.contains("2022-10-16 — 2023-12-31"));
}

#[tokio::test]
async fn the_demo_has_owners_duties_and_both_healthy_and_lapsed_columns() {
    let p = TestPortal::new();
    let g = p.group();
    let portal = site_id(g, "portal");
    let health = g.column_health(&system(), portal).unwrap();
    let overdue: Vec<&str> = health.overdue().map(|c| c.name.as_str()).collect();
    assert!(overdue.contains(&"规划计划") && overdue.contains(&"重点领域信息"), "{overdue:?}");
    assert!(health.columns.iter().any(|c| !c.is_overdue() && c.duty == sitegroup::Duty::News && c.published_total > 0));
    assert!(health.blank_count >= 1, "典型案例 is blank");
    let owners = g.column_owners(&system(), portal).unwrap();
    assert!(owners.values().all(|o| !o.is_empty()), "every column has a named owner");
    // Across the channels some news columns have lapsed.
    let mut lapsed = 0;
    for code in ["zfb", "fgw", "jyj", "kjj", "gxj", "gaj", "mzj"] {
        let h = g.column_health(&system(), site_id(g, code)).unwrap();
        lapsed += h.overdue().count();
    }
    assert!(lapsed >= 1);
}
