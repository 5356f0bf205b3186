//! Back office of columns and content (issue 3): the column tree, the editor with a
//! Word paste, review and publishing, revisions, uploads, tenancy, CSRF and body limits.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sitegroup::{Actor, DocState, Grant, NewUser, Origin, Role, Scope};

use crate::support::{TestPortal, encode};

/// The CSRF token inside a Cookie header made by `TestPortal::login`.
fn token(cookie: &str) -> String {
    cookie
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == portal::CSRF_COOKIE)
        .map(|(_, v)| v.to_string())
        .unwrap()
}

/// Form body from pairs, with the CSRF token first.
fn form(cookie: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = format!("csrf={}", token(cookie));
    for (k, v) in pairs {
        out.push_str(&format!("&{k}={}", encode(v)));
    }
    out
}

/// Adds a column through the back office and returns its id.
async fn add_column(p: &TestPortal, cookie: &str, site: &str, name: &str) -> i64 {
    let body = form(cookie, &[("name", name), ("kind", "list"), ("duty", "news")]);
    let res = p.post_form(&format!("/admin/sites/{site}/columns"), &body, Some(cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), format!("/admin/sites/{site}/columns?done=column_added"));
    let sid = p.group().site(site).unwrap().id;
    p.group().columns(&Actor::system("test"), sid).unwrap().into_iter().find(|c| c.name == name).unwrap().id
}

/// The document id in a redirect to `/admin/docs/{id}…`.
fn doc_id(location: &str) -> i64 {
    let rest = location.strip_prefix("/admin/docs/").unwrap();
    rest.split(['/', '?']).next().unwrap().parse().unwrap()
}

/// Logs in a user created in the test (not in the demo's accounts).
async fn login_as(p: &TestPortal, username: &str, password: &str) -> String {
    let (csrf_cookie, token) = p.csrf().await;
    let body = format!("csrf={token}&username={username}&password={}", encode(password));
    let res = p.post_form("/login", &body, Some(&csrf_cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    format!("{csrf_cookie}; {}={}", portal::SESSION_COOKIE, res.cookie(portal::SESSION_COOKIE).unwrap())
}

const WORD_PASTE: &str = concat!(
    "<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]-->",
    "<p class=MsoNormal style='mso-bidi-font-weight:bold;mso-fareast-font-family:宋体'>",
    "<span lang=EN-US style='font-size:16.0pt'>全县春耕生产进展顺利<o:p></o:p></span></p>",
    "<script>alert('x')</script>",
    "<p class=MsoListParagraph onclick=\"steal()\"><span style='mso-list:Ignore'>1.</span>",
    "<a href=\"javascript:alert(1)\">小麦</a>播种面积<span></span>达到十二万亩</p>",
    "<table class=MsoTableGrid><tr><td>乡镇</td><td>面积</td></tr><tr><td>无城镇</td><td>8000</td></tr></table>",
);

#[tokio::test]
async fn a_word_paste_is_saved_sanitised_then_reviewed_published_and_public() {
    let p = TestPortal::new();
    let cookie = p.login("wucheng_admin").await;

    // The site dashboard links the back-office pages.
    let dash = p.get_with_cookie("/admin/sites/wucheng", &cookie).await;
    assert_eq!(dash.status, StatusCode::OK, "{}", dash.body);
    for link in ["/admin/sites/wucheng/columns", "/admin/sites/wucheng/docs", "/admin/review?site=wucheng"] {
        assert!(dash.body.contains(&format!("href=\"{link}\"")), "dashboard lacks {link}");
    }

    // A column with a duty and an owner.
    let column = add_column(&p, &cookie, "wucheng", "春耕专报").await;
    let owners = form(&cookie, &[("owners", "王芳 0553-6612345\n李明")]);
    let res = p.post_form(&format!("/admin/sites/wucheng/columns/{column}/owners"), &owners, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let tree = p.get_with_cookie("/admin/sites/wucheng/columns?done=owners_saved", &cookie).await;
    assert_eq!(tree.status, StatusCode::OK);
    assert!(tree.body.contains("责任人已保存。"));
    assert!(tree.body.contains("春耕专报"));
    assert!(tree.body.contains("王芳（0553-6612345）、李明"));
    assert!(tree.body.contains("动态类（2周内更新）"));

    // The editor: a plain textarea the script turns into the rich editor.
    let editor = p.get_with_cookie(&format!("/admin/docs/new?site=wucheng&column={column}"), &cookie).await;
    assert_eq!(editor.status, StatusCode::OK, "{}", editor.body);
    assert!(editor.body.contains("<textarea name=\"body\" id=\"body\""));
    assert!(editor.body.contains("/static/admin.js"));
    let js = p.get("/static/admin.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.body.contains("contentEditable"));

    // Save a Word paste: stored sanitised, shown sanitised.
    let body = form(
        &cookie,
        &[
            ("kind", "article"),
            ("title", "全县春耕生产有序推进"),
            ("source", "无城镇人民政府"),
            ("tags", "春耕，农业 生产"),
            ("body", WORD_PASTE),
            ("then", "save"),
        ],
    );
    let res = p.post_form(&format!("/admin/docs/new?site=wucheng&column={column}"), &body, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id = doc_id(res.header("location"));
    assert_eq!(res.header("location"), format!("/admin/docs/{id}/edit?done=saved"));
    let doc = p.group().document(&Actor::system("test"), id).unwrap();
    let html = &doc.fields.body_html;
    for bad in ["<script", "alert", "mso", "<o:p", "onclick", "javascript:", "style=", "MsoNormal", "<xml", "[if"] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    assert!(
        html.contains("全县春耕生产进展顺利") && html.contains("<table") && html.contains("达到十二万亩"),
        "{html}"
    );
    assert_eq!(doc.fields.tags, vec!["春耕", "农业", "生产"]);
    assert_eq!(doc.state, DocState::Draft);
    let saved = p.get_with_cookie(&format!("/admin/docs/{id}/edit?done=saved"), &cookie).await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(saved.body.contains("正文已按安全规则清理"));
    assert!(saved.body.contains("已保存的正文（清理后）"));
    assert!(!saved.body.contains("<script>alert"));
    assert!(!saved.body.contains("steal()"));

    // Submit; a site administrator may not review (the library says so): no buttons.
    let res = p.post_form(&format!("/admin/docs/{id}/submit"), &form(&cookie, &[]), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), format!("/admin/docs/{id}?done=submitted"));
    let queue = p.get_with_cookie("/admin/review?site=wucheng", &cookie).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains(&format!("data-doc=\"{id}\"")));
    assert!(!queue.body.contains(&format!("/admin/docs/{id}/approve")));
    let refused = p.post_form(&format!("/admin/docs/{id}/approve"), &form(&cookie, &[]), Some(&cookie)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The group administrator reviews from the queue and publishes now.
    let admin = p.login("admin").await;
    let queue = p.get_with_cookie("/admin/review?site=wucheng", &admin).await;
    assert!(queue.body.contains(&format!("/admin/docs/{id}/approve")));
    let res = p
        .post_form(
            &format!("/admin/docs/{id}/approve"),
            &form(&admin, &[("note", "同意发布"), ("back", "queue")]),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), "/admin/review?site=wucheng&done=approved");
    let public_path = format!("/wucheng/docs/{id}.html");
    assert_eq!(p.get(&public_path).await.status, StatusCode::NOT_FOUND, "reviewed is not public yet");
    let res = p.post_form(&format!("/admin/docs/{id}/publish"), &form(&admin, &[("when", "now")]), Some(&admin)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), format!("/admin/docs/{id}?done=published"));

    // Public, sanitised.
    let public = p.get(&public_path).await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.body);
    assert!(public.body.contains("全县春耕生产进展顺利"));
    assert!(!public.body.contains("steal()") && !public.body.contains("alert("));
    let page = p.get_with_cookie(&format!("/admin/docs/{id}"), &admin).await;
    assert!(page.body.contains("已发布") && page.body.contains("同意发布"));
    assert!(page.body.contains(&format!("href=\"{}\"", crate::support::esc(&public_path))));

    // A new revision, then the comparison: field change and line diff.
    let body = form(
        &cookie,
        &[("title", "全县春耕生产有序推进（续）"), ("body", "<p>全县春耕生产进展顺利</p><p>新增一行</p>")],
    );
    let res = p.post_form(&format!("/admin/docs/{id}/edit"), &body, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let revs = p.group().revisions(&Actor::system("test"), id).unwrap();
    assert_eq!(revs.len(), 2);
    let list = p.get_with_cookie(&format!("/admin/docs/{id}/revisions"), &cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("第 2 版"));
    let cmp = p.get_with_cookie(&format!("/admin/docs/{id}/compare?a={}&b={}", revs[0].id, revs[1].id), &cookie).await;
    assert_eq!(cmp.status, StatusCode::OK, "{}", cmp.body);
    assert!(cmp.body.contains("<th>标题</th>"));
    assert!(cmp.body.contains("全县春耕生产有序推进（续）"));
    assert!(cmp.body.contains("<span class=\"bo-diff-added\">+ 新增一行</span>"));
    // Still public with the reviewed revision until the new one is reviewed.
    assert!(p.get(&public_path).await.body.contains("全县春耕生产有序推进"));
}

#[tokio::test]
async fn a_blocking_finding_is_shown_in_chinese_and_nothing_is_submitted() {
    let p = TestPortal::new();
    let cookie = p.login("wucheng_admin").await;
    let column = add_column(&p, &cookie, "wucheng", "内部通知").await;
    let body = form(
        &cookie,
        &[
            ("kind", "article"),
            ("title", "关于做好防汛工作的通知"),
            ("body", "<p>绝密★一年</p><p>各村：请做好防汛准备。</p>"),
            ("then", "submit"),
        ],
    );
    let res = p.post_form(&format!("/admin/docs/new?site=wucheng&column={column}"), &body, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("内容检查发现必须修改的问题"));
    assert!(res.body.contains("涉密标志"));
    assert!(res.body.contains("必须修改"));
    assert!(res.body.contains("<mark>绝密</mark>"));
    let sid = p.group().site("wucheng").unwrap().id;
    let docs = p.group().documents(&Actor::system("test"), sid, Some(column), &[]).unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].state, DocState::Draft, "saved as a draft, not submitted");
    // The same through the document's submit button.
    let res = p.post_form(&format!("/admin/docs/{}/submit", docs[0].id), &form(&cookie, &[]), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("涉密标志"));
}

#[tokio::test]
async fn an_editor_of_one_township_gets_403_on_another_townships_pages() {
    let p = TestPortal::new();
    let system = Actor::system("test");
    let origin = Origin::other("test");
    let a = p.group().site("wucheng").unwrap();
    let b = p.group().site("xiangan").unwrap();
    let password = "Chunfeng-2025-editor!";
    p.group()
        .add_user(
            &system,
            &origin,
            &NewUser { username: "wc_editor".into(), display_name: Some("无城编辑".into()), unit: a.unit },
            Some(password),
        )
        .unwrap();
    p.group().grant(&system, &origin, "wc_editor", Grant { role: Role::Editor, scope: Scope::Site(a.id) }).unwrap();
    // Township B's column and a draft in it.
    let col_b = p
        .group()
        .add_column(&system, &origin, b.id, &sitegroup::NewColumn { name: "襄安动态".into(), ..Default::default() })
        .unwrap()
        .id;
    let doc_b = p
        .group()
        .create_draft(&system, &origin, b.id, col_b, &sitegroup::DocInput::article("襄安镇草稿", "<p>内容</p>"))
        .unwrap()
        .id;

    let cookie = login_as(&p, "wc_editor", password).await;
    let own = p.get_with_cookie("/admin/sites/wucheng/columns", &cookie).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(!own.body.contains("新增栏目"), "an editor may not manage columns: no form shown");
    for path in [
        "/admin/sites/xiangan".to_string(),
        "/admin/sites/xiangan/columns".to_string(),
        "/admin/sites/xiangan/docs".to_string(),
        format!("/admin/sites/xiangan/docs?column={col_b}"),
        "/admin/review?site=xiangan".to_string(),
        "/admin/syndication?site=xiangan".to_string(),
        "/admin/sites/xiangan/health".to_string(),
        format!("/admin/docs/{doc_b}"),
        format!("/admin/docs/{doc_b}/edit"),
        format!("/admin/docs/{doc_b}/revisions"),
        format!("/admin/docs/new?site=xiangan&column={col_b}"),
        "/admin/health".to_string(),
    ] {
        let res = p.get_with_cookie(&path, &cookie).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}: {}", res.body);
        assert!(res.body.contains("您没有权限访问此页面或执行此操作"), "{path}");
        assert!(!res.body.contains("襄安镇草稿") && !res.body.contains("襄安动态"), "{path} leaks");
    }
    for (path, body) in [
        ("/admin/sites/xiangan/columns".to_string(), form(&cookie, &[("name", "偷建栏目")])),
        (format!("/admin/docs/{doc_b}/edit"), form(&cookie, &[("title", "改"), ("body", "<p>改</p>")])),
        (format!("/admin/docs/{doc_b}/submit"), form(&cookie, &[])),
        (
            format!("/admin/docs/new?site=xiangan&column={col_b}"),
            form(&cookie, &[("kind", "article"), ("title", "x"), ("body", "y")]),
        ),
    ] {
        let res = p.post_form(&path, &body, Some(&cookie)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}: {}", res.body);
    }
    let after = p.group().document(&system, doc_b).unwrap();
    assert_eq!(after.fields.title, "襄安镇草稿");
    assert_eq!(after.state, DocState::Draft);
    // No session at all: to the login form.
    let anon = p.get("/admin/sites/wucheng/columns").await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
    assert_eq!(anon.header("location"), "/login");
}

#[tokio::test]
async fn posts_without_the_csrf_token_are_refused() {
    let p = TestPortal::new();
    let cookie = p.login("wucheng_admin").await;
    let column = add_column(&p, &cookie, "wucheng", "防伪测试").await;
    let sid = p.group().site("wucheng").unwrap().id;
    let before = p.group().columns(&Actor::system("test"), sid).unwrap().len();
    for (path, body) in [
        ("/admin/sites/wucheng/columns".to_string(), "name=无令牌栏目".to_string()),
        ("/admin/sites/wucheng/columns".to_string(), "csrf=0000&name=错令牌栏目".to_string()),
        (format!("/admin/sites/wucheng/columns/{column}/archive"), String::new()),
        (
            format!("/admin/docs/new?site=wucheng&column={column}"),
            format!("kind=article&title=x&body={}", encode("<p>y</p>")),
        ),
    ] {
        let res = p.post_form(&path, &body, Some(&cookie)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
        assert!(res.body.contains("表单已失效或来源不明"), "{path}: {}", res.body);
    }
    assert_eq!(p.group().columns(&Actor::system("test"), sid).unwrap().len(), before);
    assert!(p.group().documents(&Actor::system("test"), sid, Some(column), &[]).unwrap().is_empty());
}

#[tokio::test]
async fn an_oversized_paste_gets_a_clear_chinese_error() {
    let p = TestPortal::new();
    let cookie = p.login("wucheng_admin").await;
    let column = add_column(&p, &cookie, "wucheng", "大文件测试").await;
    // A 10 MB paste (Word with an inline image).
    let image = "A".repeat(10 * 1024 * 1024);
    let body = form(
        &cookie,
        &[
            ("kind", "article"),
            ("title", "带图片的粘贴"),
            ("body", &format!("<p><img src=\"data:image/png;base64,{image}\"></p>")),
        ],
    );
    let res = p.post_form(&format!("/admin/docs/new?site=wucheng&column={column}"), &body, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.is_html());
    assert!(res.body.contains("提交的内容过大"), "{}", res.body);
    let sid = p.group().site("wucheng").unwrap().id;
    assert!(p.group().documents(&Actor::system("test"), sid, Some(column), &[]).unwrap().is_empty());
}

#[tokio::test]
async fn a_large_word_paste_within_the_editor_limit_is_accepted() {
    let p = TestPortal::new();
    let cookie = p.login("wucheng_admin").await;
    let column = add_column(&p, &cookie, "wucheng", "长文测试").await;
    // About 300 KB of pasted Word paragraphs: above the portal's 64 KiB form limit,
    // within the editor's.
    let para = "<p class=MsoNormal style='mso-line-height-alt:20.0pt'><span style='font-family:仿宋_GB2312'>全县各乡镇认真落实春耕备耕各项措施。<o:p></o:p></span></p>";
    let body_html = para.repeat(300 * 1024 / para.len());
    let body = form(&cookie, &[("kind", "article"), ("title", "长篇工作报告"), ("body", &body_html)]);
    assert!(body.len() > portal::BODY_LIMIT);
    let res = p.post_form(&format!("/admin/docs/new?site=wucheng&column={column}"), &body, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let doc = p.group().document(&Actor::system("test"), doc_id(res.header("location"))).unwrap();
    assert!(!doc.fields.body_html.contains("mso") && doc.fields.body_html.contains("全县各乡镇认真落实"));
}

fn multipart(csrf: &str, files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----sgBoundary7MA4YWxk";
    let mut out = Vec::new();
    out.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n").as_bytes(),
    );
    for (name, bytes) in files {
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), out)
}

#[tokio::test]
async fn attachments_upload_through_a_plain_form() {
    let p = TestPortal::new();
    let cookie = p.login("wucheng_admin").await;
    let column = add_column(&p, &cookie, "wucheng", "预算公开").await;
    let body = form(&cookie, &[("kind", "file"), ("title", "2025年部门预算"), ("body", "<p>见附件。</p>")]);
    let res = p.post_form(&format!("/admin/docs/new?site=wucheng&column={column}"), &body, Some(&cookie)).await;
    let id = doc_id(res.header("location"));
    let send = |ctype: String, bytes: Vec<u8>| {
        Request::post(format!("/admin/docs/{id}/attachments"))
            .header(header::CONTENT_TYPE, ctype)
            .header(header::COOKIE, cookie.clone())
            .body(Body::from(bytes))
            .unwrap()
    };
    let (ctype, bytes) = multipart(&token(&cookie), &[("2025年预算公开表.csv", "科目,金额\n教育,120\n".as_bytes())]);
    let res = p.send(send(ctype, bytes)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), format!("/admin/docs/{id}/edit?done=uploaded"));
    let doc = p.group().document(&Actor::system("test"), id).unwrap();
    assert_eq!(doc.fields.attachments.len(), 1);
    assert_eq!(doc.fields.attachments[0].name, "2025年预算公开表.csv");
    let edit = p.get_with_cookie(&format!("/admin/docs/{id}/edit"), &cookie).await;
    assert!(edit.body.contains("2025年预算公开表.csv"));
    // A refused type: a Chinese explanation, nothing stored.
    let (ctype, bytes) = multipart(&token(&cookie), &[("setup.exe", b"MZ\x90\x00")]);
    let res = p.send(send(ctype, bytes)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("类型不允许上传"));
    // Without the token.
    let (ctype, bytes) = multipart("nope", &[("a.csv", b"a,b\n")]);
    assert_eq!(p.send(send(ctype, bytes)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(p.group().document(&Actor::system("test"), id).unwrap().fields.attachments.len(), 1);
}

#[tokio::test]
async fn column_forms_move_rename_archive_and_explain_refusals() {
    let p = TestPortal::new();
    let cookie = p.login("wucheng_admin").await;
    let parent = add_column(&p, &cookie, "wucheng", "政务公开测试").await;
    let child = add_column(&p, &cookie, "wucheng", "工作动态测试").await;
    // Move under the parent, re-slug and rename, custom duty.
    let body = form(
        &cookie,
        &[
            ("name", "工作动态（测试）"),
            ("slug", "gzdt-test"),
            ("parent", &parent.to_string()),
            ("kind", "list"),
            ("duty", "custom"),
            ("duty_days", "30"),
        ],
    );
    let res = p.post_form(&format!("/admin/sites/wucheng/columns/{child}"), &body, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let sid = p.group().site("wucheng").unwrap().id;
    let c = p.group().column(&Actor::system("test"), sid, child).unwrap();
    assert_eq!(c.parent, Some(parent));
    assert_eq!(c.name, "工作动态（测试）");
    assert!(c.path.ends_with("/gzdt-test"), "{}", c.path);
    assert_eq!(c.duty, sitegroup::Duty::Custom(30));
    let tree = p.get_with_cookie("/admin/sites/wucheng/columns", &cookie).await;
    assert!(tree.body.contains("每 30 天更新"));
    // Archiving the parent while it has a live child: a Chinese explanation.
    let res = p
        .post_form(&format!("/admin/sites/wucheng/columns/{parent}/archive"), &form(&cookie, &[]), Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("请先归档下级栏目"), "{}", res.body);
    // A malformed slug.
    let res = p
        .post_form(
            &format!("/admin/sites/wucheng/columns/{child}"),
            &form(&cookie, &[("name", "x"), ("slug", "Bad Slug!"), ("parent", &parent.to_string())]),
            Some(&cookie),
        )
        .await;
    assert!(res.status.is_client_error());
    assert!(res.body.contains("路径名"), "{}", res.body);
    // Archive the child, then restore it.
    let res =
        p.post_form(&format!("/admin/sites/wucheng/columns/{child}/archive"), &form(&cookie, &[]), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(p.group().column(&Actor::system("test"), sid, child).unwrap().archived_at.is_some());
    assert!(p.get_with_cookie("/admin/sites/wucheng/columns", &cookie).await.body.contains("已归档"));
    let res =
        p.post_form(&format!("/admin/sites/wucheng/columns/{child}/restore"), &form(&cookie, &[]), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(p.group().column(&Actor::system("test"), sid, child).unwrap().archived_at.is_none());
}

#[tokio::test]
async fn the_health_page_shows_blank_columns_owners_and_vetoes() {
    let p = TestPortal::new();
    let cookie = p.login("wucheng_admin").await;
    let column = add_column(&p, &cookie, "wucheng", "空白测试栏目").await;
    let owners = form(&cookie, &[("owners", "赵强 13800000000")]);
    p.post_form(&format!("/admin/sites/wucheng/columns/{column}/owners"), &owners, Some(&cookie)).await;
    let res = p.get_with_cookie("/admin/sites/wucheng/health", &cookie).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let sid = p.group().site("wucheng").unwrap().id;
    let health = p.group().column_health(&Actor::system("test"), sid).unwrap();
    let row_start = res.body.find(&format!("data-column=\"{column}\"")).unwrap();
    let row = &res.body[row_start..row_start + res.body[row_start..].find("</tr>").unwrap()];
    assert!(row.contains("is-blank") && row.contains("空白测试栏目") && row.contains("赵强（13800000000）"), "{row}");
    assert!(res.body.contains("否决项"));
    if health.vetoes.is_empty() {
        assert!(res.body.contains("当前没有触发否决项。"));
    } else {
        assert!(res.body.contains("class=\"bo-vetoes\""));
    }
    // The group overview is the group's, not a township's.
    assert_eq!(p.get_with_cookie("/admin/health", &cookie).await.status, StatusCode::FORBIDDEN);
    let admin = p.login("admin").await;
    let group = p.get_with_cookie("/admin/health", &admin).await;
    assert_eq!(group.status, StatusCode::OK, "{}", group.body);
    assert!(group.body.contains("data-site=\"wucheng\""));
    assert!(group.body.contains("站群栏目更新情况"));
}

#[test]
fn every_dynamic_back_office_key_exists() {
    let cat = portal::i18n::Catalogue::for_lang("zh-CN").unwrap();
    let mut keys: Vec<String> = vec![];
    keys.extend(DocState::ALL.iter().map(|s| format!("admin.state.{}", s.as_str())));
    keys.extend(["article", "photo", "video", "file", "link", "disclosure"].map(|k| format!("admin.dkind.{k}")));
    keys.extend(sitegroup::ColumnKind::BUILT_IN.iter().map(|k| format!("admin.ckind.{}", k.as_str())));
    keys.extend(["news", "notice", "personnel", "static", "custom_n"].map(|k| format!("admin.duty.{k}")));
    keys.extend(["in_force", "amended", "repealed"].map(|k| format!("admin.validity.{k}")));
    keys.extend(["pending", "accepted", "rejected"].map(|k| format!("admin.synd.state_{k}")));
    keys.extend(["title", "body"].map(|k| format!("admin.findings.in.{k}")));
    keys.extend(
        [
            "empty_title",
            "empty_body",
            "prohibited_word",
            "sensitive_word",
            "serious_error",
            "id_number",
            "mobile_number",
            "bank_card",
            "confidential_marker",
            "broken_link",
            "other",
        ]
        .map(|k| format!("admin.rule.{k}")),
    );
    keys.extend(
        [
            "kind",
            "title",
            "subtitle",
            "source",
            "author",
            "display_time",
            "summary",
            "cover",
            "attachments",
            "tags",
            "body_html",
        ]
        .map(|k| format!("admin.field.{k}")),
    );
    let missing: Vec<&String> = keys.iter().filter(|k| !cat.has(k)).collect();
    assert!(missing.is_empty(), "{missing:?}");
}

#[tokio::test]
async fn the_site_dashboard_reminds_of_overdue_and_lapsing_columns_with_their_owners() {
    let p = TestPortal::new();
    let admin = p.login("admin").await;
    let g = p.group();
    let portal = g.site("portal").unwrap().id;
    let reminders = g.column_reminders_now(&Actor::system("test"), portal).unwrap();
    assert!(reminders.iter().any(|r| r.health.name == "规划计划"), "the demo's overdue column is a reminder");
    let dash = p.get_with_cookie("/admin/sites/portal", &admin).await;
    assert_eq!(dash.status, StatusCode::OK, "{}", dash.body);
    assert!(dash.body.contains("栏目更新提醒"));
    for r in &reminders {
        let start = dash.body.find(&format!("data-column=\"{}\"", r.health.column)).unwrap_or_else(|| {
            panic!("{} is missing from the dashboard", r.health.name);
        });
        let row = &dash.body[start..start + dash.body[start..].find("</tr>").unwrap()];
        assert!(row.contains(&r.health.name), "{row}");
        for owner in &r.owners {
            assert!(row.contains(&owner.name), "{row}");
        }
        let class = if r.health.is_overdue() { "is-overdue" } else { "is-lapsing" };
        assert!(row.contains(class), "{row}");
    }
    // Only the columns the library names: a healthy news column is not listed.
    let health = g.column_health(&Actor::system("test"), portal).unwrap();
    let healthy = health.columns.iter().find(|c| c.counted && !c.is_overdue() && !c.lapses_soon()).unwrap();
    assert!(!dash.body.contains(&format!("data-column=\"{}\"", healthy.column)));
}
