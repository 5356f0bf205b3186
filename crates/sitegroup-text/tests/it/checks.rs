//! Content checks: evasions, personal data, serious errors, markers, config, corpus.

use std::path::PathBuf;

use sitegroup_text::Error;
use sitegroup_text::checks::{CheckConfig, Checker, Finding, Severity};
use sitegroup_text::fold::{FoldOptions, fold, fold_mapped};
use sitegroup_text::personal::{PersonalKind, id_check_char, personal_data};

fn checker() -> Checker {
    let config = CheckConfig::from_lists(
        "# prohibited\n法轮功\n台独 # inline comment\nfalungong\n",
        "敏感词\n上访\n",
        "中华人名共和国 => 中华人民共和国\n张三 = 副县长\n李四 = 县委书记、县长\ntitle: 常务副县长\n",
    )
    .unwrap();
    Checker::try_new(&config).unwrap()
}

fn rules(f: &[Finding]) -> Vec<(&str, Severity, usize, usize, &str)> {
    f.iter().map(|f| (f.rule.as_str(), f.severity, f.start, f.end, f.excerpt.as_str())).collect()
}

#[test]
fn folding_examples() {
    assert_eq!(fold("政府網站"), "政府网站");
    assert_eq!(fold("關於"), "关于");
    assert_eq!(fold("０１２ＡＢ"), "012ab");
    assert_eq!(fold("乾隆年間"), "干隆年间", "context-free: 乾 folds the same everywhere");
    let seed = "電子政務優(yōu)秀企業(yè)也可通過此平臺報名參加年底結果發(fā)布會議";
    let f = fold_mapped(seed, FoldOptions { strip_glosses: true, drop_separators: false });
    assert_eq!(f.text, "电子政务优秀企业也可通过此平台报名参加年底结果发布会议");
    let (s, e) = f.original_span(4, 6).unwrap();
    assert_eq!(seed.chars().skip(s).take(e - s).collect::<String>(), "優(yōu)秀");
    for text in ["政府网站", "無為縣", "a Ｂ　c", "優(yōu)秀"] {
        assert_eq!(fold(text).chars().count(), text.chars().count());
    }
}

#[test]
fn word_evasions_are_caught() {
    let c = checker();
    for (text, excerpt) in [
        ("宣传法轮功的材料", "法轮功"),
        ("宣传法輪功的材料", "法輪功"),
        ("宣传法 轮-功的材料", "法 轮-功"),
        ("宣传法．輪．功的材料", "法．輪．功"),
        ("宣传法★轮☆功的材料", "法★轮☆功"),
        ("宣传ｆａｌｕｎｇｏｎｇ", "ｆａｌｕｎｇｏｎｇ"),
        ("FaLun Gong", "FaLun Gong"),
        ("臺 獨", "臺 獨"),
    ] {
        let f = c.check_text(text);
        let hit = f.iter().find(|f| f.rule == "prohibited_word").unwrap_or_else(|| panic!("{text}: {f:?}"));
        assert_eq!(hit.severity, Severity::Block);
        assert_eq!(hit.excerpt, excerpt, "{text}");
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(chars[hit.start..hit.end].iter().collect::<String>(), excerpt);
    }
    // ASCII words need boundaries.
    assert!(c.check_text("xfalungongs").iter().all(|f| f.rule != "prohibited_word"));
    let f = c.check_text("群众上訪问题");
    assert_eq!(rules(&f), vec![("sensitive_word", Severity::Warn, 2, 4, "上訪")]);
}

#[test]
fn html_offsets_cover_split_words() {
    let c = checker();
    let html = "<p>宣传法<b>轮</b>功&amp;其他</p>";
    let f = c.check_html(html);
    assert_eq!(rules(&f), vec![("prohibited_word", Severity::Block, 5, 15, "法<b>轮</b>功")]);
    let html = "<p>电话&#49;&#51;&#57;1234 5678</p>";
    let f = c.check_html(html);
    assert_eq!(f.len(), 0, "{f:?}");
    let html = "<p>电话&#49;3912345678</p>";
    let f = c.check_html(html);
    assert_eq!(rules(&f), vec![("mobile_number", Severity::Warn, 5, 20, "&#49;3912345678")]);
}

fn make_id(prefix17: &str) -> String {
    let d: Vec<u8> = prefix17.bytes().map(|b| b - b'0').collect();
    let arr: [u8; 17] = d.try_into().unwrap();
    format!("{prefix17}{}", id_check_char(&arr))
}

#[test]
fn id_numbers() {
    let valid = make_id("34022519900307123");
    let f = personal_data(&format!("身份证号{valid}。"));
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].kind, f[0].start, f[0].end), (PersonalKind::IdNumber, 4, 22));
    // One with an X check character.
    let mut x = None;
    for seq in 100..999 {
        let id = make_id(&format!("340225198802291{:02}", seq % 100));
        if id.ends_with('X') {
            x = Some(id);
            break;
        }
    }
    let x = x.unwrap();
    assert_eq!(personal_data(&x).len(), 1, "{x}");
    assert_eq!(personal_data(&x.to_lowercase()).len(), 1);
    // Full-width digits count.
    let wide: String = valid.chars().map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap()).collect();
    assert_eq!(personal_data(&wide)[0].kind, PersonalKind::IdNumber);
    // Wrong checksum, bad date, bad region, longer run: nothing.
    let last = valid.chars().last().unwrap();
    let wrong = format!("{}{}", &valid[..17], if last == '0' { '1' } else { '0' });
    assert!(personal_data(&wrong).iter().all(|m| m.kind != PersonalKind::IdNumber));
    assert!(personal_data(&make_id("34022519900230123")).is_empty(), "Feb 30");
    assert!(personal_data(&make_id("94022519900307123")).is_empty(), "region 94");
    assert!(personal_data(&format!("{valid}1")).is_empty());
    let c = checker();
    let f = c.check_text(&format!("张某，身份证{valid}"));
    assert_eq!(rules(&f), vec![("id_number", Severity::Block, 6, 24, valid.as_str())]);
}

#[test]
fn mobiles_and_cards() {
    assert_eq!(personal_data("联系电话13912345678")[0].kind, PersonalKind::MobileNumber);
    assert_eq!(personal_data("139 1234 5678").len(), 1);
    assert_eq!(personal_data("139-1234-5678")[0].end, 13);
    assert_eq!(personal_data("１３９１２３４５６７８").len(), 1);
    assert!(personal_data("12912345678").is_empty());
    assert!(personal_data("213912345678").is_empty());
    assert!(personal_data("139123456789").is_empty());
    assert!(personal_data("0553-6912345").is_empty());
    assert!(personal_data("139-1234 5678").is_empty(), "mixed separators");
    // Luhn-valid card (computed), with and without spaces; invalid one.
    let base = "621700123456789012";
    let digits: Vec<u8> = base.bytes().map(|b| b - b'0').collect();
    let check = (0..10u8)
        .find(|d| {
            let mut v = digits.clone();
            v.push(*d);
            sitegroup_text::personal::luhn_valid(&v)
        })
        .unwrap();
    let card = format!("{base}{check}");
    assert_eq!(card.len(), 19);
    assert_eq!(personal_data(&format!("卡号{card}"))[0].kind, PersonalKind::BankCard);
    let spaced = format!("{} {} {} {} {}", &card[..4], &card[4..8], &card[8..12], &card[12..16], &card[16..]);
    let m = personal_data(&format!("卡号：{spaced}。"));
    assert_eq!((m[0].kind, m[0].start, m[0].end), (PersonalKind::BankCard, 3, 26));
    let bad = format!("{base}{}", (check + 1) % 10);
    assert!(personal_data(&bad).is_empty());
    let c = checker();
    let f = c.check_text(&format!("卡号{card}"));
    assert_eq!(f[0].rule, "bank_card");
    assert_eq!(f[0].severity, Severity::Block);
}

#[test]
fn serious_errors() {
    let c = checker();
    let f = c.check_text("根据中华人名共和国宪法");
    assert_eq!(rules(&f), vec![("serious_error", Severity::Block, 2, 9, "中华人名共和国")]);
    assert!(f[0].message.contains("中华人民共和国"));
    assert!(c.check_text("根据中華人民共和國宪法").is_empty());
    // Leaders.
    assert!(c.check_text("副县长张三出席会议").is_empty());
    assert!(c.check_text("张三副县长出席").is_empty());
    let f = c.check_text("县长张三出席会议");
    assert_eq!(rules(&f), vec![("serious_error", Severity::Block, 0, 4, "县长张三")]);
    let f = c.check_text("張三縣長出席會議");
    assert_eq!(rules(&f), vec![("serious_error", Severity::Block, 0, 4, "張三縣長")]);
    let f = c.check_text("常务副县长张三");
    assert_eq!(f.len(), 1);
    assert!(c.check_text("县委书记、县长李四").is_empty());
    assert!(c.check_text("李四书记强调").is_empty(), "short form of 县委书记");
    assert_eq!(c.check_text("李四副县长").len(), 1);
    assert!(c.check_text("张三，县长李四").is_empty());
}

#[test]
fn confidential_markers() {
    let c = checker();
    let block = |t: &str| {
        let f = c.check_text(t);
        f.iter().any(|f| f.rule == "confidential_marker" && f.severity == Severity::Block)
    };
    let any = |t: &str| c.check_text(t).iter().any(|f| f.rule == "confidential_marker");
    assert!(block("秘密★1年\n关于某事的通知"));
    assert!(block("机密 ★ 10年"));
    assert!(block("密级：绝密"));
    assert!(block("绝密\n正文"));
    assert!(block("　机密级\n"));
    assert!(block("本文件秘密，不得公开"));
    assert!(block("内部资料 注意保存"));
    assert!(block("（内部文件）\n县政府关于某事的通知"));
    assert!(!any("依法保护商业秘密和个人隐私"));
    assert!(!any("秘密投票选举产生"));
    assert!(!any("国家秘密的密级分为三级"));
    // Bare 机密 in prose warns only; 不得外传 in prose warns.
    assert!(!block("严防泄露国家机密的行为发生，确保安全。"));
    assert!(any("严防泄露国家机密的行为发生，确保安全。"));
    assert!(!block("会议强调，讨论内容一律不得外传，各单位要严格执行保密纪律。"));
}

#[test]
fn documents() {
    let c = checker();
    let f = c.check_document("  ", "");
    assert_eq!(f.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(), vec!["empty_title", "empty_body"]);
    let f = c.check_document("关于法轮功的通报", "正文");
    assert_eq!(rules(&f), vec![("title.prohibited_word", Severity::Block, 2, 5, "法轮功")]);
    let json = serde_json::to_string(&f[0]).unwrap();
    assert!(json.contains("\"severity\":\"block\""), "{json}");
}

#[test]
fn config_errors_name_the_line() {
    let e = CheckConfig::from_lists("法轮功\n\n！！！\n", "", "").unwrap_err();
    assert!(matches!(e, Error::Config { ref list, line: 3, .. } if list == "prohibited"), "{e:?}");
    let e = CheckConfig::from_lists("", "", "# rules\n中华人名共和国 => 中华人民共和国\n张三\n").unwrap_err();
    assert!(matches!(e, Error::Config { ref list, line: 3, .. } if list == "serious"), "{e:?}");
    let e = CheckConfig::from_lists("", "", "张三 = \n").unwrap_err();
    assert!(matches!(e, Error::Config { line: 1, .. }), "{e:?}");
    let e = CheckConfig::from_lists("", "", " => 右\n").unwrap_err();
    assert!(matches!(e, Error::Config { line: 1, .. }), "{e:?}");
    // new() skips unusable entries; try_new refuses them.
    let config = CheckConfig { prohibited: vec!["！".into(), "法轮功".into()], ..CheckConfig::default() };
    assert!(Checker::try_new(&config).is_err());
    assert_eq!(Checker::new(&config).check_text("法轮功").len(), 1);
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<Checker>();
}

/// The realistic list: prohibited and sensitive words a county site would configure, plus a
/// generated tail to make it 10,000 entries.
fn big_config() -> CheckConfig {
    let mut prohibited: Vec<String> = [
        "法轮功",
        "台独",
        "藏独",
        "疆独",
        "邪教组织",
        "颠覆国家政权",
        "恐怖袭击",
        "赌博网站",
        "代开发票",
        "枪支弹药出售",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let sensitive: Vec<String> =
        ["上访", "群体性事件", "维权", "罢工", "示威", "暴乱"].iter().map(|s| s.to_string()).collect();
    // Generated but realistic-shaped entries (3-4 rare characters) that do not occur in news.
    let rare: Vec<char> =
        "乂亍亓亘亟仝仡仫仵伛佧佴侪俣俦倮偬傥僦兕冁冱凇刭剀劐勹匚卣厍叵叻吆吡呋呤咂咝哂哏唢啁啮喁喟嗄嗔嗥嗪嗷"
            .chars()
            .collect();
    let mut k = 0usize;
    while prohibited.len() < 10_000 {
        let w: String = (0..3).map(|j| rare[(k / rare.len().pow(j)) % rare.len()]).collect();
        prohibited.push(w);
        k += 1;
    }
    CheckConfig { prohibited, sensitive, ..CheckConfig::default() }
}

#[test]
fn corpus_has_no_false_blocks() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/peoples-daily-199801.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let checker = Checker::new(&big_config());
    let mut lines = 0;
    let mut unexpected = Vec::new();
    let mut words = 0;
    for line in text.lines() {
        lines += 1;
        for f in checker.check_text(line) {
            match f.rule.as_str() {
                // Real occurrences of listed words in 1998 news are correct findings.
                "prohibited_word" | "sensitive_word" => words += 1,
                _ if f.severity == Severity::Block => {
                    unexpected.push((f.rule.clone(), f.excerpt.clone(), line.chars().take(60).collect::<String>()))
                }
                _ => {}
            }
        }
    }
    assert_eq!(lines, 19_484);
    assert!(words > 0, "the list should find some real words in a month of news");
    assert!(
        unexpected.is_empty(),
        "{} unexpected blocks: {:?}",
        unexpected.len(),
        &unexpected[..unexpected.len().min(20)]
    );
}
