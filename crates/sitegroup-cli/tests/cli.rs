//! The `sitegroup` command end to end: real binary, temp data directory.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

struct Out {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn run(data: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_sitegroup"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("SITEGROUP_DATABASE_URL")
        .output()
        .unwrap();
    Out {
        ok: out.status.success(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn ok(data: &Path, args: &[&str]) -> String {
    let o = run(data, args);
    assert!(o.ok, "{args:?} failed: {}", o.stderr);
    o.stdout
}

/// Fails with exactly one line on stderr, containing `needle`.
fn fails(data: &Path, args: &[&str], needle: &str) {
    let o = run(data, args);
    assert!(!o.ok, "{args:?} succeeded: {}", o.stdout);
    assert_eq!(o.stderr.lines().count(), 1, "{args:?}: {}", o.stderr);
    assert!(o.stderr.starts_with("error: "), "{}", o.stderr);
    assert!(o.stderr.contains(needle), "{args:?}: {:?} lacks {needle:?}", o.stderr);
}

#[test]
fn init_units_sites_users_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let init = ok(d, &["init", "--admin", "admin"]);
    assert!(init.contains("password (shown once): "), "{init}");
    fails(d, &["init", "--admin", "admin2"], "already initialised");
    ok(d, &["unit", "add", "--code", "jyj", "--name", "无为县教育局"]);
    fails(d, &["unit", "add", "--code", "JYJ", "--name", "重复"], "already exists");
    assert!(ok(d, &["unit", "list"]).contains("jyj\tdepartment\t无为县教育局"));
    ok(
        d,
        &[
            "site",
            "add",
            "--code",
            "portal",
            "--name",
            "无为县人民政府",
            "--kind",
            "portal",
            "--host",
            "www.wuwei.gov.cn",
            "--site-id",
            "3402250001",
        ],
    );
    ok(
        d,
        &[
            "site",
            "add",
            "--code",
            "jyj",
            "--name",
            "无为县教育局",
            "--kind",
            "department",
            "--parent",
            "portal",
            "--unit",
            "jyj",
            "--path",
            "/jyj",
        ],
    );
    fails(
        d,
        &[
            "site",
            "add",
            "--code",
            "jyj2",
            "--name",
            "x",
            "--kind",
            "department",
            "--parent",
            "portal",
            "--path",
            "/jyj",
        ],
        "already taken by site jyj",
    );
    fails(
        d,
        &["site", "add", "--code", "x", "--name", "x", "--kind", "department", "--parent", "nosuch", "--path", "/x"],
        "not found",
    );
    fails(
        d,
        &["site", "add", "--code", "x", "--name", "x", "--kind", "planet", "--parent", "portal", "--path", "/x"],
        "unknown site kind",
    );
    ok(
        d,
        &["site", "add", "--code", "zt", "--name", "专题", "--kind", "topic", "--parent", "jyj", "--path", "/jyj/zt"],
    );
    fails(d, &["site", "move", "jyj", "--parent", "zt"], "");
    let show = ok(d, &["site", "show", "zt"]);
    assert!(show.contains("site_id: 3402250001"), "inherited identity: {show}");
    let list = ok(d, &["site", "list"]);
    assert_eq!(list.lines().count(), 4, "{list}");
    ok(d, &["site", "close", "jyj", "--notice", "网站改版，暂停访问", "--redirect", "https://www.wuwei.gov.cn/"]);
    assert!(ok(d, &["site", "show", "jyj"]).contains("status: closed"));
    fails(d, &["site", "show", "nosuch"], "not found");
    let add = ok(d, &["user", "add", "--username", "li", "--name", "李编辑", "--unit", "jyj"]);
    assert!(add.contains("password (shown once)"));
    ok(d, &["user", "grant", "li", "--role", "editor", "--site", "jyj"]);
    fails(d, &["user", "grant", "li", "--role", "emperor", "--site", "jyj"], "unknown role");
    assert!(ok(d, &["user", "list"]).contains("editor@jyj"));
    let audit = ok(d, &["audit", "--site", "jyj"]);
    assert!(audit.contains("site.close") && audit.contains("user.grant"), "{audit}");
    assert!(!audit.contains("unit.create"), "group-wide entries stay out of a site's log");
    fails(d, &["audit", "--site", "jyj", "--since", "2025-13-01"], "malformed date");
    assert_eq!(ok(d, &["audit", "--site", "jyj", "--since", "2999-01-01"]).lines().count(), 1);
}

#[test]
fn calendar_workdays_csv_and_deadline_with_explanation() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = ok(d, &["calendar", "workdays", "--from", "2025-09-27", "--to", "2025-10-12"]);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "date,is_workday");
    assert_eq!(rows.len(), 17);
    for (date, want) in [
        ("2025-09-28", "1"),
        ("2025-10-01", "0"),
        ("2025-10-08", "0"),
        ("2025-10-09", "1"),
        ("2025-10-11", "1"),
        ("2025-10-12", "0"),
    ] {
        assert!(rows.contains(&format!("{date},{want}").as_str()), "{date}: {csv}");
    }
    // Full-width digits, as typed with a Chinese input method.
    assert!(
        ok(d, &["calendar", "workdays", "--from", "２０２６-０２-１４", "--to", "2026-02-14"]).contains("2026-02-14,1")
    );
    fails(d, &["calendar", "workdays", "--from", "2025-02-30", "--to", "2025-03-01"], "malformed date");
    fails(d, &["calendar", "workdays", "--from", "2030-01-01", "--to", "2030-01-02"], "2030");
    fails(d, &["calendar", "workdays", "--from", "2025-02-01", "--to", "2025-01-01"], "before");

    // Received Monday 2025-09-29 10:00: day 1 is Tue 30th, then the National Day
    // holiday (1–8 Oct) is skipped; days 2–5 are 9, 10, 11 (adjusted workday), 13 Oct.
    let out = ok(d, &["calendar", "deadline", "--start", "2025-09-29T10:00", "--days", "5"]);
    assert_eq!(out.trim(), "2025-10-13T23:59:59+08:00");
    let explained = ok(d, &["calendar", "deadline", "--start", "2025-09-29T10:00", "--days", "5", "--explain"]);
    assert!(explained.starts_with("2025-10-13T23:59:59+08:00\n"), "{explained}");
    assert!(explained.contains("2025-10-01") && explained.contains("国庆"), "{explained}");
    assert!(explained.contains("2025-10-11"), "the adjusted Saturday counts: {explained}");
    fails(d, &["calendar", "deadline", "--start", "yesterday", "--days", "5"], "malformed start");
    fails(d, &["calendar", "deadline", "--start", "2026-12-30T10:00", "--days", "5"], "2027");
}

#[test]
fn a_new_year_can_be_added_from_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fails(d, &["calendar", "workdays", "--from", "2027-01-01", "--to", "2027-01-04"], "2027");
    std::fs::write(d.join("calendar.txt"), "2027 元旦 holiday 2027-01-01\n").unwrap();
    let csv = ok(d, &["calendar", "workdays", "--from", "2027-01-01", "--to", "2027-01-04"]);
    assert!(csv.contains("2027-01-01,0") && csv.contains("2027-01-04,1"), "{csv}");
}

fn run_stdin(data: &Path, args: &[&str], stdin: &[u8]) -> Out {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sitegroup"))
        .arg("--data")
        .arg(data)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    Out {
        ok: out.status.success(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[test]
fn content_sanitize_filters_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let paste = r#"<!--[if gte mso 9]><xml><w:WordDocument/></xml><![endif]--><p class="MsoNormal" style="color:red">关于开展<o:p></o:p><span></span>消防检查的通知<script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">点此</a></p>"#;
    let o = run_stdin(dir.path(), &["content", "sanitize"], paste.as_bytes());
    assert!(o.ok, "{}", o.stderr);
    assert!(o.stdout.contains("关于开展") && o.stdout.contains("消防检查的通知"), "{}", o.stdout);
    for bad in ["<script", "onerror", "javascript:", "mso", "<o:p", "style=", "class="] {
        assert!(!o.stdout.to_lowercase().contains(bad), "{bad} left in {}", o.stdout);
    }
    // Not UTF-8: one clear line, exit non-zero.
    let o = run_stdin(dir.path(), &["content", "sanitize"], &[0xb9, 0xd8, 0xd3, 0xda]);
    assert!(!o.ok && o.stderr.contains("UTF-8"), "{}", o.stderr);
}

#[test]
fn content_check_prints_json_lines_with_character_offsets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("checks")).unwrap();
    std::fs::write(dir.path().join("checks/prohibited.txt"), "# 禁用词\n违禁词语\n").unwrap();
    // Traditional form with inserted punctuation, an ID number with a valid checksum, a marker.
    let input = "通知：違．禁 詞語出现。身份证11010519491231002X。\n绝密★1年\n";
    let o = run_stdin(dir.path(), &["content", "check"], input.as_bytes());
    assert!(o.ok, "{}", o.stderr);
    let lines: Vec<serde_json::Value> = o.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let rules: Vec<&str> = lines.iter().map(|l| l["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"prohibited_word") && rules.contains(&"id_number"), "{rules:?}");
    assert!(rules.contains(&"confidential_marker"), "{rules:?}");
    let chars: Vec<char> = input.chars().collect();
    for l in &lines {
        let (s, e) = (l["start"].as_u64().unwrap() as usize, l["end"].as_u64().unwrap() as usize);
        let span: String = chars[s..e].iter().collect();
        assert_eq!(span, l["excerpt"].as_str().unwrap(), "offsets are characters of the input");
        assert!(matches!(l["severity"].as_str(), Some("block" | "warn")));
    }
    // Clean text: no output at all.
    let o = run_stdin(dir.path(), &["content", "check"], "县政府召开常务会议，研究部署春季农业生产工作。".as_bytes());
    assert!(o.ok && o.stdout.is_empty(), "{}", o.stdout);
    // A malformed word list is a one-line error with the line number.
    std::fs::write(dir.path().join("checks/serious.txt"), "这一行没有箭头\n").unwrap();
    let o = run_stdin(dir.path(), &["content", "check"], b"x");
    assert!(!o.ok && o.stderr.lines().count() == 1 && o.stderr.contains('1'), "{}", o.stderr);
}

#[test]
fn import_skips_bad_lines_with_their_numbers_and_export_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["init", "--admin", "admin"]);
    ok(d, &["unit", "add", "--code", "jyj", "--name", "无为县教育局", "--kind", "department"]);
    ok(d, &["site", "add", "--code", "www", "--name", "无为县人民政府", "--kind", "portal"]);
    ok(
        d,
        &[
            "site",
            "add",
            "--code",
            "jy",
            "--name",
            "教育局",
            "--kind",
            "department",
            "--parent",
            "www",
            "--unit",
            "jyj",
            "--path",
            "/jyj",
        ],
    );
    ok(
        d,
        &[
            "site", "add", "--code", "copy", "--name", "副本", "--kind", "township", "--parent", "www", "--path",
            "/copy",
        ],
    );
    std::fs::write(d.join("budget.pdf"), b"%PDF-1.4\n%demo\n").unwrap();
    let lines = [
        r#"{"title":"关于做好春季开学工作的通知","body_html":"<p class=\"MsoNormal\">各学校：<o:p></o:p></p><script>alert(1)</script>","published_at":"2025-02-10T09:00:00+08:00","source":"无为县教育局"}"#,
        r#"{"title":"2024年部门预算公开","body_html":"<p>预算说明</p>","published_at":"2025-01-20T10:00:00+08:00","kind":"disclosure","organ":"无为县教育局","doc_number":"无教〔2025〕3号","category":"财政预算","attachments":["budget.pdf"]}"#,
        "not json at all",
        r#"{"title":"","body_html":"<p>空标题</p>","published_at":"2025-01-20T10:00:00+08:00"}"#,
        r#"{"title":"坏日期","body_html":"<p>x</p>","published_at":"2025-13-45"}"#,
        r#"{"title":"身份证","body_html":"<p>联系人身份证11010519491231002X</p>","published_at":"2025-01-21T10:00:00+08:00"}"#,
        r#"{"title":"政策解读","body_html":"<p>解读</p>","published_at":"2025-02-11T10:00:00+08:00","column":"/zcjd"}"#,
    ];
    std::fs::write(d.join("docs.jsonl"), lines.join("\n")).unwrap();
    let file = d.join("docs.jsonl");
    let o = run(
        d,
        &["import", "--quiet", "--site", "jy", "--column", "/xxgk/tzgg", "--duty", "notice", file.to_str().unwrap()],
    );
    assert!(!o.ok, "skipped lines make the exit status non-zero");
    assert!(o.stdout.contains("imported 3 document(s)") && o.stdout.contains("skipped 4"), "{}", o.stdout);
    for n in [3, 4, 5, 6] {
        assert!(o.stderr.contains(&format!("line {n}: ")), "line {n} not reported: {}", o.stderr);
    }
    assert!(o.stderr.contains("id_number"), "{}", o.stderr);
    // The missing column path was created with the duty given.
    let cols = ok(d, &["columns", "list", "--site", "jy"]);
    assert!(cols.contains("/xxgk/tzgg\ttzgg\tlist\tnotice"), "{cols}");
    assert!(cols.contains("/zcjd"), "{cols}");
    // Export, then import the export into another site: same documents.
    let out = d.join("export.jsonl");
    ok(d, &["export", "--site", "jy", "--out", out.to_str().unwrap()]);
    let exported = std::fs::read_to_string(&out).unwrap();
    assert_eq!(exported.lines().count(), 3, "{exported}");
    assert!(!exported.contains("<script") && !exported.contains("MsoNormal"), "sanitised on import: {exported}");
    assert!(exported.contains("无教〔2025〕3号") && exported.contains("budget.pdf"), "{exported}");
    let again = ok(d, &["import", "--quiet", "--site", "copy", out.to_str().unwrap()]);
    assert!(again.contains("imported 3 document(s)") && again.contains("skipped 0"), "{again}");
    let copy_out = d.join("copy.jsonl");
    ok(d, &["export", "--site", "copy", "--out", copy_out.to_str().unwrap()]);
    let strip = |s: &str| -> Vec<serde_json::Value> {
        let mut v: Vec<serde_json::Value> = s
            .lines()
            .map(|l| {
                let mut j: serde_json::Value = serde_json::from_str(l).unwrap();
                j.as_object_mut().unwrap().remove("attachments");
                j
            })
            .collect();
        v.sort_by_key(|j| j["title"].as_str().unwrap().to_string());
        v
    };
    assert_eq!(strip(&exported), strip(&std::fs::read_to_string(&copy_out).unwrap()));
    // Column health sees the imported documents.
    let health = ok(d, &["columns", "health", "--site", "jy", "--json"]);
    let h: serde_json::Value = serde_json::from_str(health.lines().next().unwrap()).unwrap();
    assert_eq!(h["site"], "jy");
    let cols = h["health"]["columns"].as_array().unwrap();
    let tzgg = cols.iter().find(|c| c["path"] == "/xxgk/tzgg").unwrap();
    assert_eq!(tzgg["published_total"], 2);
    assert_eq!(tzgg["blank"], false);
    // An unknown site is one clear line.
    fails(d, &["import", "--site", "nosuch", "--column", "/x", file.to_str().unwrap()], "nosuch");
}

#[test]
fn search_finds_imported_documents_as_json_lines_and_suggests() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["init", "--admin", "admin"]);
    ok(d, &["site", "add", "--code", "www", "--name", "无为县人民政府", "--kind", "portal"]);
    ok(
        d,
        &[
            "site",
            "add",
            "--code",
            "jy",
            "--name",
            "无为县教育局",
            "--kind",
            "department",
            "--parent",
            "www",
            "--path",
            "/jyj",
        ],
    );
    let lines = [
        r#"{"title":"关于做好春季开学工作的通知","body_html":"<p>各學校：請做好開學準備。</p>","published_at":"2025-02-10T09:00:00+08:00"}"#,
        r#"{"title":"部门预算公开","body_html":"<p>预算说明</p>","published_at":"2025-01-20T10:00:00+08:00","kind":"disclosure","organ":"无为县教育局","doc_number":"无教〔2025〕3号","category":"财政预算"}"#,
        r#"{"title":"春季防汛工作部署","body_html":"<p>做好防汛准备</p>","published_at":"2025-03-01T10:00:00+08:00","column":"/xwdt"}"#,
    ];
    std::fs::write(d.join("docs.jsonl"), lines.join("\n")).unwrap();
    ok(d, &["import", "--quiet", "--site", "jy", "--column", "/tzgg", d.join("docs.jsonl").to_str().unwrap()]);
    // Simplified query, Traditional text in the body: one JSON object per line with the documented fields.
    let out = ok(d, &["search", "--json", "学校"]);
    let hits: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(hits.len(), 1, "{out}");
    let h = &hits[0];
    for field in ["id", "site", "kind", "title", "url", "score", "snippet", "published_at"] {
        assert!(h.get(field).is_some(), "missing {field}: {h}");
    }
    assert_eq!(h["site"], "jy");
    assert_eq!(h["title"], "关于做好春季开学工作的通知");
    assert!(h["url"].as_str().unwrap().starts_with("/jyj/docs/"), "{h}");
    assert!(h["snippet"].as_str().unwrap().contains("<em>學校</em>"), "highlight on the original text: {h}");
    assert_eq!(h["published_at"], "2025-02-10T09:00:00+08:00");
    // A document number, whole; a kind filter; a two-character query across documents.
    assert!(ok(d, &["search", "--json", "无教〔2025〕3号"]).contains("部门预算公开"));
    assert_eq!(ok(d, &["search", "--json", "--kind", "disclosure", "春季"]).lines().count(), 0);
    assert_eq!(ok(d, &["search", "--json", "春季"]).lines().count(), 2);
    // Suggestions by pinyin initials of a site name, and did-you-mean from pinyin.
    assert!(ok(d, &["search", "--suggest", "wwxjyj"]).contains("无为县教育局"), "pinyin initials");
    assert!(ok(d, &["search", "fangxun"]).contains("did you mean: 防汛"));
    // Rebuilding gives the same answers.
    assert!(ok(d, &["reindex", "--quiet"]).contains("3 public"));
    assert_eq!(ok(d, &["search", "--json", "春季"]).lines().count(), 2);
    fails(d, &["search", "--site", "nosuch", "春季"], "nosuch");
}

#[test]
fn tickets_import_and_the_monthly_notice_computed_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["init", "--admin", "admin"]);
    ok(d, &["unit", "add", "--code", "jyj", "--name", "无为县教育局", "--kind", "department"]);
    ok(d, &["unit", "add", "--code", "wsj", "--name", "无为县卫健委", "--kind", "department"]);
    let lines = [
        // Tue 06-03: 5 working days → due Tue 06-10; replied Thu 06-05 after 2 working days: on time.
        r#"{"channel":"complaint","unit":"jyj","subject":"学校门口交通拥堵","body":"每天早上拥堵。","received_at":"2025-06-03T09:00:00+08:00","replied_at":"2025-06-05T10:00:00+08:00","reply":"已协调交警。","public":true,"writer":"张先生"}"#,
        // Tue 06-10 → due Tue 06-17; no reply by 07-01: overdue and open.
        r#"{"channel":"complaint","unit":"jyj","subject":"食堂问题","body":"食堂价格偏高。","received_at":"2025-06-10T09:00:00+08:00"}"#,
        // Wed 06-11 → due Wed 06-18; replied Mon 06-30 after 13 working days: late.
        r#"{"channel":"unit_mailbox","unit":"wsj","subject":"疫苗接种","body":"何时可以接种？","received_at":"2025-06-11T09:00:00+08:00","replied_at":"2025-06-30T10:00:00+08:00","reply":"请咨询社区卫生服务中心。"}"#,
        r#"{"channel":"complaint","unit":"nosuch","subject":"x","body":"y","received_at":"2025-06-11T09:00:00+08:00"}"#,
        r#"{"channel":"complaint","unit":"jyj","subject":"坏时间","body":"y","received_at":"yesterday"}"#,
        // Received in May: not in June's notice.
        r#"{"channel":"complaint","unit":"wsj","subject":"五月来信","body":"y","received_at":"2025-05-20T09:00:00+08:00"}"#,
    ];
    std::fs::write(d.join("t.jsonl"), lines.join("\n")).unwrap();
    let o = run(d, &["tickets", "import", d.join("t.jsonl").to_str().unwrap()]);
    assert!(!o.ok && o.stdout.contains("imported 4 ticket(s); skipped 2"), "{} {}", o.stdout, o.stderr);
    assert!(o.stderr.contains("line 4: ") && o.stderr.contains("line 5: "), "{}", o.stderr);
    let xlsx = d.join("notice.xlsx");
    let json = ok(
        d,
        &[
            "report",
            "monthly",
            "--month",
            "2025-06",
            "--as-of",
            "2025-07-01T00:00:00+08:00",
            "--json",
            "--xlsx",
            xlsx.to_str().unwrap(),
        ],
    );
    let rows: Vec<serde_json::Value> = json.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let row = |u: &str| rows.iter().find(|r| r["unit"] == u).unwrap().clone();
    let jyj = row("jyj");
    assert_eq!(
        (&jyj["received"], &jyj["answered"], &jyj["answered_on_time"], &jyj["overdue_open"]),
        (&serde_json::json!(2), &serde_json::json!(1), &serde_json::json!(1), &serde_json::json!(1))
    );
    assert_eq!(jyj["reply_rate"], 0.5);
    assert_eq!(jyj["on_time_rate"], 0.5);
    assert_eq!(jyj["mean_working_days"], 2.0);
    let wsj = row("wsj");
    assert_eq!(
        (&wsj["received"], &wsj["answered_on_time"], &wsj["overdue_open"]),
        (&serde_json::json!(1), &serde_json::json!(0), &serde_json::json!(0))
    );
    assert_eq!(wsj["mean_working_days"], 13.0);
    assert_eq!(jyj["rank"], 1, "on time beats late");
    assert_eq!(std::fs::read(&xlsx).unwrap()[..2], *b"PK", "an .xlsx is a zip");
    // The table form and a bad month.
    assert!(
        ok(d, &["report", "monthly", "--month", "2025-06", "--as-of", "2025-07-01T00:00:00+08:00"])
            .contains("无为县教育局")
    );
    fails(d, &["report", "monthly", "--month", "2025-13"], "month");
}

#[test]
fn ticket_settings_are_listed_set_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["init", "--admin", "admin"]);
    assert_eq!(ok(d, &["tickets", "settings"]).trim(), "", "nothing stored: defaults");
    ok(d, &["tickets", "set", "interaction.deadline.complaint", "7"]);
    ok(d, &["tickets", "set", "interaction.mail.unit.jyj", "a@example.gov.cn, b@example.gov.cn"]);
    fails(d, &["tickets", "set", "interaction.mail.unit.jyj", "not-an-address"], "interaction.mail.unit.jyj");
    fails(d, &["tickets", "set", "interaction.deadline.complaint", "seven"], "interaction.deadline.complaint");
    fails(d, &["tickets", "set", "interaction.no_such_key", "1"], "interaction.no_such_key");
    let listed = ok(d, &["tickets", "settings"]);
    assert_eq!(
        listed.lines().collect::<Vec<_>>(),
        vec!["interaction.deadline.complaint = 7", "interaction.mail.unit.jyj = a@example.gov.cn, b@example.gov.cn"],
        "refused values were not stored"
    );
}

#[test]
fn check_lists_findings_as_json_and_ranks_sites() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["init", "--admin", "admin"]);
    ok(d, &["unit", "add", "--code", "jyj", "--name", "无为县教育局", "--kind", "department"]);
    ok(
        d,
        &[
            "site",
            "add",
            "--code",
            "portal",
            "--name",
            "无为县人民政府",
            "--kind",
            "portal",
            "--host",
            "www.wuwei.gov.cn",
        ],
    );
    // Nothing published, no identity, no error-report entry.
    let json = ok(d, &["check", "--json"]);
    let rows: Vec<serde_json::Value> = json.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let home = rows.iter().find(|r| r["indicator"] == "home_stale").unwrap();
    assert_eq!((&home["site"], &home["veto"]), (&serde_json::json!("portal"), &serde_json::json!(true)));
    let footer = rows.iter().find(|r| r["indicator"] == "identity_footer").unwrap();
    assert_eq!(footer["veto"], false);
    assert!(footer["evidence"].as_str().unwrap().contains("site_code"), "{footer}");
    assert!(rows.iter().any(|r| r["indicator"] == "error_report_entry"));
    for r in &rows {
        for key in ["site", "indicator", "veto", "evidence", "since"] {
            assert!(r.get(key).is_some(), "{r} lacks {key}");
        }
    }
    let xlsx = d.join("check.xlsx");
    let table = ok(d, &["check", "--site", "portal", "--xlsx", xlsx.to_str().unwrap()]);
    // Identity 5 + error-report entry 5 deducted; the stale home page is a veto.
    assert!(table.contains("1\tportal\t无为县人民政府\t90\t10\t1\tvetoed"), "{table}");
    assert_eq!(std::fs::read(&xlsx).unwrap()[..2], *b"PK");
    fails(d, &["check", "--site", "nosuch"], "nosuch");
}
