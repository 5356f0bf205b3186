//! The message catalogue, the templates that use it, and the demo tables.

use std::collections::HashSet;

use portal::demo;
use portal::i18n::{Catalogue, LANGUAGES, fill};
use sitegroup::{Role, SiteKind};

fn keys_used_in_templates() -> Vec<String> {
    let mut keys = Vec::new();
    for (name, source) in portal::TEMPLATES {
        for quote in ['"', '\''] {
            let marker = format!("t({quote}");
            for (i, _) in source.match_indices(&marker) {
                // `t(` as a call of its own, not the end of `channel_list(`.
                if source[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &source[i + marker.len()..];
                let end = rest.find(quote).unwrap_or_else(|| panic!("unterminated key in {name}"));
                keys.push(rest[..end].to_string());
            }
        }
    }
    keys
}

#[test]
fn every_language_parses_and_has_the_same_keys() {
    let reference: HashSet<String> = Catalogue::for_lang(LANGUAGES[0].0).unwrap().keys().map(String::from).collect();
    for (lang, _) in LANGUAGES {
        let cat = Catalogue::for_lang(lang).unwrap();
        let keys: HashSet<String> = cat.keys().map(String::from).collect();
        assert_eq!(keys, reference, "{lang}");
    }
}

#[test]
fn every_key_the_templates_and_the_code_use_exists() {
    let cat = Catalogue::for_lang("zh-CN").unwrap();
    let mut wanted = keys_used_in_templates();
    assert!(wanted.len() > 40, "found {} keys", wanted.len());
    wanted.extend(SiteKind::ALL.iter().map(|k| format!("kind.{}", k.as_str())));
    wanted.extend(Role::ALL.iter().map(|r| format!("role.{}", r.as_str())));
    wanted.extend(["open", "closed", "archived"].iter().map(|s| format!("status.{s}")));
    wanted.extend(
        [
            "error.denied",
            "error.csrf",
            "error.bad_credentials",
            "error.locked",
            "error.disabled",
            "error.session",
            "error.internal",
            "error.not_found",
            "error.gone",
            "error.method",
            "error.too_large",
            "error.bad_request",
            "error.heading_403",
            "error.heading_404",
            "error.heading_410",
            "login.missing",
            "admin.audit_denied",
            "action.login.ok",
            "action.user.grant",
            "what.site",
            "field.other",
            "what.record",
        ]
        .map(String::from),
    );
    let missing: Vec<&String> = wanted.iter().filter(|k| !cat.has(k) && !k.ends_with('.')).collect();
    assert!(missing.is_empty(), "missing catalogue keys: {missing:?}");
}

#[test]
fn malformed_catalogues_are_refused() {
    assert!(Catalogue::parse("xx", "no equals sign").is_err());
    assert!(Catalogue::parse("xx", "a = 1\na = 2").is_err());
    assert!(Catalogue::parse("xx", "键 = 值").is_err());
    assert!(Catalogue::parse("xx", "a =").is_err());
    assert!(Catalogue::for_lang("tlh").is_err());
    let cat = Catalogue::parse("xx", "# comment\n\ngreet = 你好，{name}！{missing}\n").unwrap();
    assert_eq!(cat.format("greet", &[("name", "王")]), "你好，王！{missing}");
    assert_eq!(cat.get("absent.key"), "absent.key");
    assert_eq!(fill("{a}{b}{", &[("a", "1"), ("b", "2")]), "12{");
}

#[test]
fn the_demo_tables_are_complete_and_consistent() {
    let channels = demo::channels();
    assert_eq!(channels.iter().filter(|c| c.kind == "department").count(), 45);
    assert_eq!(channels.iter().filter(|c| c.kind == "township").count(), 23);
    let codes: HashSet<&str> = channels.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes.len(), channels.len(), "unique codes");
    for c in &channels {
        assert!(c.code.bytes().all(|b| b.is_ascii_lowercase()), "{}", c.code);
        assert!(sitegroup::core::site::normalize_path_prefix(&format!("/{}", c.code)).is_ok());
        if c.kind == "department" {
            assert!(c.name.starts_with("无为县") && c.short_name.starts_with('县'), "{}", c.name);
        } else {
            assert!(c.name.ends_with('镇') || c.name.ends_with('乡'), "{}", c.name);
        }
    }
    assert_eq!(demo::steps() as usize, 2 + channels.len() + demo::TOPICS.len() + 1);
}

#[test]
fn the_accounts_file_says_it_is_a_demo_convenience() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = demo::Seeded {
        accounts: vec![demo::DemoAccount {
            username: "admin".into(),
            password: "pw".into(),
            role: "group_admin".into(),
        }],
    };
    let path = dir.path().join("demo-accounts.txt");
    demo::write_accounts(&path, &seeded).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.lines().next().unwrap().contains("演示"));
    assert!(text.contains("admin\tpw\tgroup_admin"));
}
