//! Commit, rollback (by error and by panic), aborted transactions, savepoints, read-only.

use std::panic::{AssertUnwindSafe, catch_unwind};

use sitegroup_store::{Db, DbOptions, NewEvent, StoreError, params};

use crate::{both, ints, setup};

const NOTES: &str = "CREATE TABLE notes (id {{id}}, body TEXT NOT NULL UNIQUE)";

fn event(n: i64) -> NewEvent {
    NewEvent::new("note.create", format!("note:{n}"), serde_json::json!({ "n": n }), 1_700_000_000 + n).with_site(7)
}

#[test]
fn rollback_discards_the_write_and_its_event() {
    both(|db| {
        setup(db, "notes", NOTES);
        let head = db.outbox_head().unwrap();
        let r: Result<(), StoreError> = db.write(|tx| {
            tx.execute("INSERT INTO notes (body) VALUES (?)", params!["draft"])?;
            tx.outbox_append(&event(1))?;
            Err(StoreError::Corrupt("the caller changed its mind".into()))
        });
        assert!(matches!(r, Err(StoreError::Corrupt(_))));
        assert_eq!(ints(db, "SELECT COUNT(*) FROM notes"), [0]);
        assert_eq!(db.outbox_head().unwrap(), head);
        assert!(db.outbox_read("indexer", 10).unwrap().is_empty());
    });
}

#[test]
fn panic_rolls_back_too() {
    both(|db| {
        setup(db, "notes", NOTES);
        let caught = catch_unwind(AssertUnwindSafe(|| {
            db.write(|tx| -> Result<(), StoreError> {
                tx.execute("INSERT INTO notes (body) VALUES (?)", params!["doomed"])?;
                tx.outbox_append(&event(1))?;
                panic!("a bug in the caller");
            })
        }));
        assert!(caught.is_err());
        assert_eq!(ints(db, "SELECT COUNT(*) FROM notes"), [0]);
        assert!(db.outbox_read("indexer", 10).unwrap().is_empty());
        // The pool is still healthy.
        db.write(|tx| tx.execute("INSERT INTO notes (body) VALUES (?)", params!["after"])).unwrap();
        assert_eq!(ints(db, "SELECT COUNT(*) FROM notes"), [1]);
    });
}

#[test]
fn commit_makes_the_write_and_its_event_visible() {
    both(|db| {
        setup(db, "notes", NOTES);
        let (id, seq) = db
            .write(|tx| {
                let id: i64 =
                    tx.query_one("INSERT INTO notes (body) VALUES (?) RETURNING id", params!["公告"])?.get(0)?;
                let seq = tx.outbox_append(&event(id))?;
                Ok::<_, StoreError>((id, seq))
            })
            .unwrap();
        assert_eq!(ints(db, "SELECT id FROM notes"), [id]);
        let events = db.outbox_read("indexer", 10).unwrap();
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!(e.seq, seq);
        assert_eq!(e.site, Some(7));
        assert_eq!(e.kind, "note.create");
        assert_eq!(e.entity, format!("note:{id}"));
        assert_eq!(e.payload, serde_json::json!({ "n": id }));
        assert_eq!(e.at, 1_700_000_000 + id);
        assert_eq!(db.outbox_head().unwrap(), seq);
    });
}

#[test]
fn a_failed_statement_aborts_the_transaction_on_both_drivers() {
    both(|db| {
        setup(db, "notes", NOTES);
        db.write(|tx| tx.execute("INSERT INTO notes (body) VALUES (?)", params!["one"])).unwrap();
        // The caller swallows the error and carries on: the next statement is refused,
        // and even an Ok result rolls back.
        let r = db.write(|tx| {
            tx.execute("INSERT INTO notes (body) VALUES (?)", params!["two"])?;
            let dup = tx.execute("INSERT INTO notes (body) VALUES (?)", params!["one"]);
            assert!(matches!(dup, Err(StoreError::UniqueViolation { .. })));
            let next = tx.execute("INSERT INTO notes (body) VALUES (?)", params!["three"]);
            assert!(matches!(next, Err(StoreError::TxAborted)), "{next:?}");
            Ok::<_, StoreError>(())
        });
        assert!(matches!(r, Err(StoreError::TxAborted)), "{r:?}");
        assert_eq!(ints(db, "SELECT COUNT(*) FROM notes"), [1]);
        // NotFound from query_one is not a failed statement.
        db.write(|tx| {
            assert!(matches!(
                tx.query_one("SELECT id FROM notes WHERE body = ?", params!["x"]),
                Err(StoreError::NotFound)
            ));
            tx.execute("INSERT INTO notes (body) VALUES (?)", params!["four"])
        })
        .unwrap();
        assert_eq!(ints(db, "SELECT COUNT(*) FROM notes"), [2]);
    });
}

#[test]
fn savepoints_undo_only_their_part() {
    both(|db| {
        setup(db, "notes", NOTES);
        db.write(|tx| {
            tx.execute("INSERT INTO notes (body) VALUES (?)", params!["kept"])?;
            let dup = tx.savepoint(|tx| {
                tx.execute("INSERT INTO notes (body) VALUES (?)", params!["inner, undone"])?;
                tx.execute("INSERT INTO notes (body) VALUES (?)", params!["kept"])
            });
            assert!(matches!(dup, Err(StoreError::UniqueViolation { .. })));
            // Nested savepoints; the inner Ok part stays.
            tx.savepoint(|tx| {
                tx.execute("INSERT INTO notes (body) VALUES (?)", params!["outer sp"])?;
                let r: Result<(), StoreError> = tx.savepoint(|tx| {
                    tx.execute("INSERT INTO notes (body) VALUES (?)", params!["inner sp"])?;
                    Err(StoreError::NotFound)
                });
                assert!(r.is_err());
                Ok::<_, StoreError>(())
            })?;
            tx.execute("INSERT INTO notes (body) VALUES (?)", params!["after"])
        })
        .unwrap();
        let bodies: Vec<String> = db
            .read(|tx| tx.query("SELECT body FROM notes ORDER BY id", &[])?.iter().map(|r| r.get(0)).collect())
            .unwrap();
        assert_eq!(bodies, ["kept", "outer sp", "after"]);
    });
}

#[test]
fn reads_are_read_only() {
    both(|db| {
        setup(db, "notes", NOTES);
        let r = db.read(|tx| tx.execute("INSERT INTO notes (body) VALUES (?)", params!["sneaky"]));
        assert!(matches!(r, Err(StoreError::ReadOnly)), "{r:?}");
        assert_eq!(ints(db, "SELECT COUNT(*) FROM notes"), [0]);
        db.write(|tx| tx.execute("INSERT INTO notes (body) VALUES (?)", params!["fine"])).unwrap();
    });
}

#[test]
fn sqlite_read_only_mode_does_not_leak_into_the_next_write() {
    let t = sitegroup_store::testing::TestDb::sqlite();
    // One connection, so the write reuses the read's connection.
    let opts = DbOptions { max_connections: 1, ..DbOptions::default() };
    let db = Db::open_sqlite_with(t.sqlite_path().unwrap(), &opts).unwrap();
    setup(&db, "notes", NOTES);
    let _ = db.read(|tx| tx.execute("INSERT INTO notes (body) VALUES (?)", params!["no"]));
    let _ = catch_unwind(AssertUnwindSafe(|| db.read(|_| -> Result<(), StoreError> { panic!("reader bug") })));
    db.write(|tx| tx.execute("INSERT INTO notes (body) VALUES (?)", params!["yes"])).unwrap();
    assert_eq!(ints(&db, "SELECT COUNT(*) FROM notes"), [1]);
}

#[test]
fn execute_counts_rows_even_when_the_statement_returns_some() {
    both(|db| {
        setup(db, "notes", NOTES);
        let n = db
            .write(|tx| tx.execute("INSERT INTO notes (body) VALUES (?), (?) RETURNING id", params!["a", "b"]))
            .unwrap();
        assert_eq!(n, 2);
        let n = db.write(|tx| tx.execute("UPDATE notes SET body = body || ?", params!["!"])).unwrap();
        assert_eq!(n, 2);
        let n = db.write(|tx| tx.execute("DELETE FROM notes WHERE body = ?", params!["zzz"])).unwrap();
        assert_eq!(n, 0);
    });
}

#[test]
fn several_statements_in_one_batch() {
    both(|db| {
        db.write(|tx| {
            tx.execute_batch("CREATE TABLE b1 (x BIGINT); CREATE TABLE b2 (y TEXT); INSERT INTO b1 (x) VALUES (1);")
        })
        .unwrap();
        assert_eq!(ints(db, "SELECT x FROM b1"), [1]);
    });
}
