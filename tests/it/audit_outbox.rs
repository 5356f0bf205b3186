//! Every write leaves one audit entry and one outbox event, in order, on both drivers.

use sitegroup::{AuditQuery, Origin};
use sitegroup_tests::{for_each_group, system, two_channels};

#[test]
fn writes_are_audited_and_published_in_order() {
    for_each_group(|driver, group| {
        let start = group.db().outbox_head().unwrap();
        let (_portal, a, _b) = two_channels(group);
        group.close_site(&system(), &Origin::cli(), "a", "维护中", None).unwrap();
        let events = group.db().outbox_read("test-consumer", 100).unwrap();
        let kinds: Vec<&str> = events.iter().filter(|e| e.seq > start).map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, vec!["site.create", "site.create", "site.create", "site.close"], "{driver}");
        assert!(events.windows(2).all(|w| w[0].seq < w[1].seq));
        let close = events.last().unwrap();
        assert_eq!((close.site, close.entity.as_str()), (Some(a.id.0), "site:a"));

        let log = group.audit(&system(), &AuditQuery { site: Some(a.id), ..Default::default() }).unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.entry.action.as_str()).collect();
        assert_eq!(actions, vec!["site.close", "site.create"], "newest first, filed under the site");
        assert_eq!(log[0].entry.actor, "system:test");
        assert_eq!(log[0].entry.origin, "cli");
        let at = log[0].entry.at;
        let later = AuditQuery { site: Some(a.id), since: Some(at + 1), ..Default::default() };
        assert!(group.audit(&system(), &later).unwrap().is_empty());
        let window = AuditQuery { site: None, since: Some(at), until: Some(at + 1), limit: Some(2) };
        assert_eq!(group.audit(&system(), &window).unwrap().len(), 2);
    });
}

#[test]
fn audit_log_refuses_updates_and_deletes() {
    for_each_group(|driver, group| {
        two_channels(group);
        let r = group.db().write(|tx| tx.execute("UPDATE audit_log SET actor = 'x'", &[]));
        assert!(r.is_err(), "{driver}: update went through");
        let r = group.db().write(|tx| tx.execute("DELETE FROM audit_log", &[]));
        assert!(r.is_err(), "{driver}: delete went through");
        assert_eq!(group.audit(&system(), &Default::default()).unwrap().len(), 3);
    });
}
