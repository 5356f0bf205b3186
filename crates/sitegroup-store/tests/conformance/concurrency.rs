//! Concurrent writers: no busy failures on SQLite, no skipped events on PostgreSQL.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use sitegroup_store::{Dialect, NewEvent, StoreError, params};

use crate::{both, ints, setup};

#[test]
fn concurrent_writers_all_succeed() {
    const PER_THREAD: i64 = 150;
    both(|db| {
        setup(db, "hits", "CREATE TABLE hits (id {{id}}, thread BIGINT NOT NULL, n BIGINT NOT NULL)");
        thread::scope(|s| {
            for t in 0..2 {
                let db = db.db().clone();
                s.spawn(move || {
                    for n in 0..PER_THREAD {
                        db.write(|tx| {
                            // Read then write: the classic lock-upgrade deadlock without BEGIN IMMEDIATE.
                            let before: i64 = tx.query_one("SELECT COUNT(*) FROM hits", &[])?.get(0)?;
                            tx.execute("INSERT INTO hits (thread, n) VALUES (?, ?)", params![t, n])?;
                            let after: i64 = tx.query_one("SELECT COUNT(*) FROM hits", &[])?.get(0)?;
                            if tx.dialect() == Dialect::Sqlite {
                                // One writer at a time (PostgreSQL's READ COMMITTED sees others' commits).
                                assert_eq!(after, before + 1, "no other writer got in between");
                            }
                            Ok::<_, StoreError>(())
                        })
                        .unwrap_or_else(|e| panic!("thread {t} insert {n}: {e}"));
                    }
                });
            }
            // A reader running alongside never blocks the writers (WAL) nor fails.
            let db = db.db().clone();
            s.spawn(move || {
                for _ in 0..50 {
                    db.read(|tx| tx.query("SELECT COUNT(*) FROM hits", &[])).unwrap();
                }
            });
        });
        assert_eq!(ints(db, "SELECT COUNT(*) FROM hits"), [2 * PER_THREAD]);
    });
}

/// Four writers append events while a consumer tails the outbox. Every event must be
/// seen exactly once, in seq order, and the seqs are dense: commit order == seq order
/// (the advisory lock on PostgreSQL; the single writer on SQLite).
#[test]
fn outbox_seqs_are_dense_and_never_skipped_under_concurrent_writers() {
    const WRITERS: usize = 4;
    const PER_WRITER: usize = 40;
    const TOTAL: usize = WRITERS * PER_WRITER;
    both(|db| {
        setup(db, "work", "CREATE TABLE work (id {{id}}, writer BIGINT NOT NULL)");
        let finished = AtomicUsize::new(0);
        let seen = thread::scope(|s| {
            for w in 0..WRITERS {
                let db = db.db().clone();
                let finished = &finished;
                s.spawn(move || {
                    for i in 0..PER_WRITER {
                        db.write(|tx| {
                            let id: i64 = tx
                                .query_one("INSERT INTO work (writer) VALUES (?) RETURNING id", params![w as i64])?
                                .get(0)?;
                            let seq = tx.outbox_append(&NewEvent::new(
                                "work.done",
                                format!("work:{id}"),
                                serde_json::json!({}),
                                0,
                            ))?;
                            // Keep the transaction open a little after the append, so that
                            // without the lock commits would interleave out of seq order.
                            if (i + w) % 3 == 0 {
                                thread::sleep(Duration::from_millis(2));
                            }
                            Ok::<_, StoreError>(seq)
                        })
                        .unwrap_or_else(|e| panic!("writer {w}: {e}"));
                    }
                    finished.fetch_add(1, Ordering::SeqCst);
                });
            }
            let db = db.db().clone();
            let finished = &finished;
            s.spawn(move || {
                let mut seen: Vec<i64> = Vec::new();
                let deadline = Instant::now() + Duration::from_secs(120);
                while seen.len() < TOTAL && Instant::now() < deadline {
                    // Checked before reading: if every writer had finished, this read sees all.
                    let all_written = finished.load(Ordering::SeqCst) == WRITERS;
                    let batch = db.outbox_read("tail", 7).unwrap();
                    if batch.is_empty() && all_written {
                        break; // a skipped event would never show up
                    }
                    for e in &batch {
                        if let Some(last) = seen.last() {
                            assert!(e.seq > *last, "seq {} after {last}", e.seq);
                        }
                        seen.push(e.seq);
                    }
                    match batch.last() {
                        Some(last) => db.outbox_ack("tail", last.seq).unwrap(),
                        None => thread::sleep(Duration::from_millis(1)),
                    }
                }
                seen
            })
            .join()
            .unwrap()
        });
        let all = ints(db, "SELECT seq FROM outbox ORDER BY seq");
        assert_eq!(all.len(), TOTAL);
        assert_eq!(all, (1..=TOTAL as i64).collect::<Vec<_>>(), "dense");
        assert_eq!(seen, all, "the tailing consumer saw every event once, in order");
    });
}
