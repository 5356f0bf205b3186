//! Sanitiser: public XSS collections, own vectors by family, Word/WPS pastes, proptests.

use std::path::PathBuf;

use crate::scan::{assert_safe, start_tags};
use proptest::prelude::*;
use sitegroup_text::sanitize::{Policy, links, plain_text, sanitize_html, summary};

const HOST: &str = "player.video.example.cn";

fn policy() -> Policy {
    Policy { iframe_hosts: vec![HOST.to_string()] }
}

fn xss_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/xss-public")
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        if b[i] == b'+' {
            out.push(b' ');
        } else {
            out.push(b[i]);
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every payload of the public collections, each once as given and once percent-decoded.
fn public_payloads() -> Vec<(String, String)> {
    let dir = xss_dir();
    assert!(dir.is_dir(), "missing {}", dir.display());
    let mut out = Vec::new();
    // DOMPurify fixtures: JSON lines {title, payload, expected}.
    let jsonl = std::fs::read(dir.join("dompurify/dompurify_fixtures.jsonl")).unwrap();
    for (k, line) in String::from_utf8_lossy(&jsonl).lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let p = v["payload"].as_str().unwrap().to_string();
        out.push((format!("dompurify fixture {}", k + 1), p));
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("payloadsallthethings"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .chain([dir.join("dompurify/dompurify_payloads.txt")])
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&f).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let handlers = name.contains("event_handlers");
        for (k, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                continue;
            }
            let ctx = format!("{name}:{}", k + 1);
            if handlers {
                let h = line.trim();
                out.push((ctx.clone(), format!("<img src=x {h}=alert(1)>")));
                out.push((ctx.clone(), format!("<a href=\"/x\" {h}=\"alert(1)\">链接</a>")));
                out.push((ctx.clone(), format!("<p {h}=alert(1) style=\"x\">段落</p>")));
                out.push((ctx, format!("<iframe src=\"https://{HOST}/v\" {h}=alert(1)></iframe>")));
            } else {
                out.push((ctx.clone(), line.to_string()));
                let decoded = percent_decode(line);
                if decoded != line {
                    out.push((format!("{ctx} (percent-decoded)"), decoded));
                }
            }
        }
        // The whole file as one document too (markup spanning lines).
        out.push((format!("{name} (whole file)"), text));
    }
    out
}

#[test]
fn public_payloads_come_out_inert() {
    let payloads = public_payloads();
    assert!(payloads.len() > 3000, "only {} payloads read", payloads.len());
    let mut not_fixed = Vec::new();
    for (ctx, p) in &payloads {
        let out = sanitize_html(p, &policy());
        assert_safe(&out.html, Some(HOST), ctx);
        let again = sanitize_html(&out.html, &policy());
        assert_safe(&again.html, Some(HOST), ctx);
        if again.html != out.html {
            not_fixed.push(ctx.clone());
        }
    }
    assert!(
        not_fixed.is_empty(),
        "not a fixed point for {} payloads: {:?}",
        not_fixed.len(),
        &not_fixed[..not_fixed.len().min(10)]
    );
}

/// Own vectors, by family.
const VECTORS: &[&str] = &[
    // Tags
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<button formaction=javascript:alert(1)>x</button>",
    "<base href=\"javascript:alert(1)//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<iframe src=\"https://evil.example/player\"></iframe>",
    "<iframe src=\"http://player.video.example.cn/v/1\"></iframe>",
    "<iframe src=\"https://player.video.example.cn@evil.example/\"></iframe>",
    "<iframe src=\"https://player.video.example.cn.evil.example/\"></iframe>",
    "<template><script>alert(1)</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<details open ontoggle=alert(1)>",
    // Attributes
    "<img src=x onerror=alert(1)>",
    "<img src=x OnErRoR=alert(1)>",
    "<img src=x onerror\t=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<p style=\"behavior:url(x.htc)\">x</p>",
    "<div class=\"MsoNormal\" id=\"x\" onclick=\"alert(1)\">x</div>",
    "<a href=\"/x\" target=\"_self\">x</a>",
    "<a href=\"/x\" target=\"javascript:alert(1)\">x</a>",
    "<a href=\"/x\" rel=\"opener\">x</a>",
    "<td background=\"javascript:alert(1)\">x</td>",
    "<img src=\"x\" width=\"100 onload=alert(1)\">",
    // URL schemes
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"java\tscript:alert(1)\">x</a>",
    "<a href=\"java&#x09;script:alert(1)\">x</a>",
    "<a href=\"java&#10;script:alert(1)\">x</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"&#x6A;avascript&colon;alert(1)\">x</a>",
    "<a href=\"javascript&#58;alert(1)\">x</a>",
    "<a href=\"%6Aavascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<img src=\"data:image/svg+xml;base64,PHN2Zy8+\">",
    "<img src=\"mailto:a@b.c\">",
    "<video src=\"javascript:alert(1)\" poster=\"javascript:alert(1)\"></video>",
    "<video><source src=\"vbscript:x\"></video>",
    "<a href=\"\u{0}javascript:alert(1)\">x</a>",
    "<a href=\"\u{1}javascript:alert(1)\">x</a>",
    // Malformed and nested markup
    "<<script>alert(1)//<</script>",
    "<img src=\"x\" alt=\"\"\" onerror=alert(1)>",
    "<img \"\"\"><script>alert(1)</script>\">",
    "<a href=\"/x\"<img src=x onerror=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<p><table><tr><td><script>alert(1)</script></td></tr></table></p>",
    "</p><p><b><i>unclosed",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    "<xmp><script>alert(1)</script></xmp>",
    // SVG and MathML
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<svg><animate attributeName=href values=javascript:alert(1) /></svg>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math href=\"javascript:alert(1)\">x</math>",
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
];

#[test]
fn own_vectors_come_out_inert() {
    for v in VECTORS {
        let out = sanitize_html(v, &policy());
        assert_safe(&out.html, Some(HOST), v);
        let again = sanitize_html(&out.html, &policy());
        assert_eq!(again.html, out.html, "not a fixed point: {v}");
    }
    // Without configured hosts, no iframe at all.
    let out = sanitize_html(&format!("<iframe src=\"https://{HOST}/v/1\"></iframe>"), &Policy::default());
    assert_safe(&out.html, None, "no hosts");
}

#[test]
fn allowed_content_survives() {
    let input = format!(
        "<h2>标题</h2><p>正文<a href=\"https://www.gov.cn/a.html\" target=\"_blank\" onclick=\"x\">链接</a>\
         <a href=\"mailto:xxgk@wuwei.gov.cn\">邮箱</a><a href=\"/xxgk/1.html\">相对</a></p>\
         <ul><li>一</li></ul><ol start=\"3\"><li>三</li></ol>\
         <table border=\"1\"><tr><th colspan=\"2\" scope=\"col\">表头</th></tr><tr><td rowspan=\"2\">格</td><td>格</td></tr></table>\
         <figure><img src=\"/uploads/a.jpg\" alt=\"图\" width=\"600\" height=\"400\"><figcaption>说明</figcaption></figure>\
         <video src=\"https://v.example.cn/a.mp4\" poster=\"/p.jpg\" controls></video>\
         <iframe src=\"https://{HOST}/v/9\" width=\"640\" height=\"360\" allowfullscreen></iframe>\
         <p><b>粗</b><strong>强</strong><i>斜</i><em>强调</em><u>下</u><sub>2</sub><sup>3</sup><br>换行</p><hr>\
         <blockquote>引用</blockquote><pre>  代码  </pre><code>x</code>"
    );
    let out = sanitize_html(&input, &policy());
    let h = &out.html;
    for want in [
        "<h2>标题</h2>",
        "href=\"https://www.gov.cn/a.html\"",
        "target=\"_blank\"",
        "rel=\"noopener noreferrer\"",
        "href=\"mailto:xxgk@wuwei.gov.cn\"",
        "href=\"/xxgk/1.html\"",
        "<ol start=\"3\">",
        "colspan=\"2\"",
        "rowspan=\"2\"",
        "border=\"1\"",
        "<img alt=\"图\" height=\"400\" src=\"/uploads/a.jpg\" width=\"600\">",
        "<figcaption>说明</figcaption>",
        "poster=\"/p.jpg\"",
        &format!("src=\"https://{HOST}/v/9\""),
        "<sub>2</sub>",
        "<pre>  代码  </pre>",
        "<blockquote>引用</blockquote>",
    ] {
        assert!(h.contains(want), "missing {want} in {h}");
    }
    assert!(!h.contains("onclick"));
    assert_safe(h, Some(HOST), "allowed content");
    let l = links(h);
    assert!(l.contains(&"https://www.gov.cn/a.html".to_string()));
    assert!(l.contains(&"/uploads/a.jpg".to_string()));
    assert!(l.contains(&format!("https://{HOST}/v/9")));
    assert!(l.contains(&"https://v.example.cn/a.mp4".to_string()));
    assert!(out.text.starts_with("标题\n正文链接邮箱相对\n一\n三"), "{}", out.text);
}

#[test]
fn target_other_than_blank_is_dropped() {
    let out = sanitize_html("<a href=\"/x\" target=\"_top\">x</a>", &policy());
    assert!(!out.html.contains("target"), "{}", out.html);
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).unwrap()
}

fn assert_office_clean(html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in
        ["mso", "<o:", "<w:", "<v:", "xml", "style", "class", "font", "<!--", "<![", "&nbsp;&nbsp;", "<span", "file:"]
    {
        assert!(!lower.contains(bad), "{bad} left in {html}");
    }
    assert!(!html.contains("<p></p>") && !html.contains("<p> </p>"), "empty paragraph in {html}");
    assert_safe(html, None, "office paste");
}

#[test]
fn word_paste_is_cleaned() {
    let out = sanitize_html(&fixture("word_paste.html"), &policy());
    let h = &out.html;
    assert_office_clean(h);
    assert!(h.contains("<b>无为县人民政府办公室关于做好2024年春季森林防火工作的通知</b>"), "{h}");
    assert!(h.contains("<p>各乡镇人民政府，县直各单位：</p>"), "{h}");
    assert!(h.contains("<p>当前正值春季森林防火关键期"), "indent nbsp run not trimmed: {h}");
    assert!(h.contains("一、 压实防火责任"), "list numbering lost: {h}");
    assert!(h.contains("<table border=\"1\">"), "{h}");
    assert!(h.contains("colspan=\"2\""), "{h}");
    assert!(
        h.contains("<img alt=\"森林防火宣传\" height=\"311\" src=\"https://www.wuwei.gov.cn/uploads/2024/fire.png\" width=\"553\">"),
        "{h}"
    );
    assert!(!h.contains("Author") && !h.contains("ZH-CN") && !h.contains("Normal"), "{h}");
    let t = &out.text;
    assert_eq!(t.lines().next(), Some("无为县人民政府办公室关于做好2024年春季森林防火工作的通知"));
    assert!(t.contains("\n乡镇\n值班电话\n无城镇\n0553-6912345\n"), "{t}");
    assert!(t.ends_with("无为县人民政府办公室\n2024年3月1日"), "{t}");
    assert_eq!(sanitize_html(h, &policy()).html, *h, "not a fixed point");
}

#[test]
fn wps_paste_is_cleaned() {
    let out = sanitize_html(&fixture("wps_paste.html"), &policy());
    let h = &out.html;
    assert_office_clean(h);
    assert!(h.contains("<b>关于</b><b>2024年度</b><b>政府信息公开工作年度报告</b>"), "{h}");
    assert!(
        h.contains("根据《中华人民共和国政府信息公开条例》要求，现将本县2024年度政府信息公开工作情况报告如下。"),
        "{h}"
    );
    assert!(h.contains("其中政策文件 312 件。"), "{h}");
    assert!(h.contains("<td><p>规章</p></td>"), "{h}");
    assert_eq!(
        out.text,
        "关于2024年度政府信息公开工作年度报告\n根据《中华人民共和国政府信息公开条例》要求，现将本县2024年度政府信息公开工作情况报告如下。\n\
         一、总体情况\n全年主动公开政府信息9126条，其中政策文件 312 件。\n信息内容\n本年新制作数量\n规章\n0"
    );
}

#[test]
fn plain_text_and_summary() {
    assert_eq!(
        plain_text("<p>第一段&nbsp;&nbsp;文字</p><p>第二段<br>换行&amp;符号</p><script>x</script>"),
        "第一段 文字\n第二段\n换行&符号"
    );
    assert_eq!(plain_text("a &lt;b&gt; &#20013;&#x6587;"), "a <b> 中文");
    let text = "县政府召开常务会议。会议研究了春季森林防火工作！会议强调要压实责任？";
    assert_eq!(summary(text, 100), text);
    assert_eq!(summary(text, 12), "县政府召开常务会议。…");
    let s = summary(text, 16);
    assert_eq!(s.chars().count(), 16);
    assert!(s.ends_with('…'));
    assert_eq!(summary("", 5), "");
}

fn html_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<p>".to_string()),
        Just("</p>".to_string()),
        Just("<b>".to_string()),
        Just("</b>".to_string()),
        Just("<table><tr><td>".to_string()),
        Just("</td></tr></table>".to_string()),
        Just("<a href=\"/x\">".to_string()),
        Just("</a>".to_string()),
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("<script>".to_string()),
        Just("<svg>".to_string()),
        Just("<math>".to_string()),
        Just("<style>".to_string()),
        Just("<iframe src=\"https://player.video.example.cn/v\">".to_string()),
        Just("<!--".to_string()),
        Just("-->".to_string()),
        Just("<o:p>".to_string()),
        Just("&nbsp;".to_string()),
        Just("&amp;".to_string()),
        Just("<pre>".to_string()),
        Just(" ".to_string()),
        "[\\PC]{0,6}",
        "[<>\"'=/a-z 法轮功&;#]{0,8}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_strings(s in "\\PC*") {
        let out = sanitize_html(&s, &policy());
        assert_safe(&out.html, Some(HOST), &s);
        let _ = plain_text(&s);
        let _ = links(&s);
        let _ = summary(&s, 10);
    }

    #[test]
    fn output_is_a_fixed_point(s in html_like()) {
        let out = sanitize_html(&s, &policy());
        assert_safe(&out.html, Some(HOST), &s);
        let again = sanitize_html(&out.html, &policy());
        prop_assert_eq!(&again.html, &out.html, "input {:?}", s);
        prop_assert_eq!(&again.text, &out.text);
        // Every tag in the output is on the allow-list.
        for (tag, _) in start_tags(&out.html) {
            prop_assert!(matches!(tag.as_str(), "p" | "b" | "table" | "tbody" | "tr" | "td" | "a" | "img" | "iframe" | "pre"), "{}", tag);
        }
    }
}
