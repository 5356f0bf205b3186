//! Outbox consumers: cursors, resuming after a restart, independence, monotonicity.

use sitegroup_store::{Db, NewEvent, StoreError};

use crate::both;

fn append(db: &Db, n: usize) -> Vec<i64> {
    (0..n)
        .map(|i| {
            db.write(|tx| {
                tx.outbox_append(&NewEvent::new("doc.update", format!("doc:{i}"), serde_json::json!({ "i": i }), 100))
            })
            .unwrap()
        })
        .collect()
}

fn seqs(events: &[sitegroup_store::Event]) -> Vec<i64> {
    events.iter().map(|e| e.seq).collect()
}

#[test]
fn a_new_consumer_starts_at_zero_and_reads_in_order() {
    both(|db| {
        assert_eq!(db.outbox_head().unwrap(), 0);
        assert_eq!(db.outbox_cursor("search").unwrap(), 0);
        let written = append(db, 5);
        assert!(written.windows(2).all(|w| w[0] < w[1]), "{written:?}");
        assert_eq!(db.outbox_head().unwrap(), *written.last().unwrap());
        let events = db.outbox_read("search", 100).unwrap();
        assert_eq!(seqs(&events), written);
        assert_eq!(events[2].entity, "doc:2");
        assert_eq!(events[2].site, None);
        assert_eq!(seqs(&db.outbox_read("search", 2).unwrap()), written[..2]);
        // Reading does not move the cursor.
        assert_eq!(db.outbox_cursor("search").unwrap(), 0);
        assert_eq!(seqs(&db.outbox_since(written[2], 100).unwrap()), written[3..]);
    });
}

#[test]
fn consumers_resume_from_their_cursor_after_reopening() {
    both(|t| {
        let written = append(t, 5);
        let first = t.outbox_read("search", 3).unwrap();
        assert_eq!(seqs(&first), written[..3]);
        t.outbox_ack("search", first[2].seq).unwrap();
        // A new process: a fresh pool on the same file / schema.
        let again = t.reopen();
        assert_eq!(again.outbox_cursor("search").unwrap(), written[2]);
        assert_eq!(seqs(&again.outbox_read("search", 100).unwrap()), written[3..]);
        // Events written by the new handle are seen by the old one and vice versa.
        let more = append(&again, 1);
        assert_eq!(seqs(&t.outbox_read("search", 100).unwrap()), [&written[3..], &more[..]].concat());
    });
}

#[test]
fn a_cursor_never_moves_backwards() {
    both(|db| {
        let written = append(db, 5);
        db.outbox_ack("stats", written[3]).unwrap();
        db.outbox_ack("stats", written[1]).unwrap();
        assert_eq!(db.outbox_cursor("stats").unwrap(), written[3]);
        db.outbox_ack("stats", 0).unwrap();
        db.outbox_ack("stats", written[3]).unwrap();
        assert_eq!(db.outbox_cursor("stats").unwrap(), written[3]);
        // Acknowledging what does not exist yet would skip future events.
        let e = db.outbox_ack("stats", written[4] + 1).unwrap_err();
        assert!(matches!(e, StoreError::AckBeyondHead { .. }), "{e:?}");
        assert_eq!(db.outbox_cursor("stats").unwrap(), written[3]);
        db.outbox_ack("stats", written[4]).unwrap();
        assert!(db.outbox_read("stats", 10).unwrap().is_empty());
    });
}

#[test]
fn consumers_are_independent() {
    both(|db| {
        let written = append(db, 4);
        db.outbox_ack("search", written[3]).unwrap();
        db.outbox_ack("stats", written[0]).unwrap();
        assert!(db.outbox_read("search", 10).unwrap().is_empty());
        assert_eq!(seqs(&db.outbox_read("stats", 10).unwrap()), written[1..]);
        assert_eq!(seqs(&db.outbox_read("fresh", 10).unwrap()), written);
        assert_eq!(
            db.outbox_consumers().unwrap(),
            [("search".to_owned(), written[3]), ("stats".to_owned(), written[0])]
        );
    });
}

#[test]
fn several_events_in_one_transaction_commit_together() {
    both(|db| {
        let seqs_written = db
            .write(|tx| {
                let a = tx.outbox_append(&NewEvent::new("a", "x:1", serde_json::json!(null), 1))?;
                let b = tx.outbox_append(&NewEvent::new("b", "x:1", serde_json::json!([1, "二"]), 1).with_site(2))?;
                Ok::<_, StoreError>(vec![a, b])
            })
            .unwrap();
        let events = db.outbox_read("c", 10).unwrap();
        assert_eq!(seqs(&events), seqs_written);
        assert_eq!(events[1].payload, serde_json::json!([1, "二"]));
        assert_eq!(events[1].site, Some(2));
    });
}
