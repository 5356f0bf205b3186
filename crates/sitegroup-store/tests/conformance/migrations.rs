//! Migrations: idempotent, atomic, ordered, and protected against edited history.

use sitegroup_store::{Dialect, Migration, StoreError, params};

use crate::{both, ints, table_exists};

const SET: &[Migration] = &[
    Migration {
        module: "alpha",
        version: 1,
        name: "items",
        sql: "CREATE TABLE items (id {{id}}, name TEXT NOT NULL, data {{blob}}, score {{real}});",
        postgres_sql: None,
    },
    Migration {
        module: "beta",
        version: 1,
        name: "tags",
        sql: "CREATE TABLE tags (name TEXT PRIMARY KEY); CREATE INDEX tags_name ON tags (name);",
        postgres_sql: None,
    },
    Migration {
        module: "alpha",
        version: 2,
        name: "items.kind",
        sql: "ALTER TABLE items ADD COLUMN kind TEXT NOT NULL DEFAULT 'doc';",
        postgres_sql: None,
    },
];

fn versions(db: &sitegroup_store::Db, module: &str) -> Vec<i64> {
    db.read(|tx| {
        tx.query("SELECT version FROM schema_migrations WHERE module = ? ORDER BY version", params![module])?
            .iter()
            .map(|r| r.get(0))
            .collect::<Result<Vec<i64>, _>>()
    })
    .unwrap()
}

fn migration_error(r: Result<sitegroup_store::MigrationReport, StoreError>) -> (String, u32, String) {
    match r {
        Err(StoreError::Migration { module, version, message }) => (module, version, message),
        other => panic!("expected a migration error, got {other:?}"),
    }
}

#[test]
fn running_twice_changes_nothing() {
    both(|db| {
        let report = db.migrate(SET).unwrap();
        assert_eq!(report.applied, [("alpha".to_owned(), 1), ("beta".to_owned(), 1), ("alpha".to_owned(), 2)]);
        db.write(|tx| tx.execute("INSERT INTO items (name, score) VALUES (?, ?)", params!["一", 1.5])).unwrap();
        let report = db.migrate(SET).unwrap();
        assert!(report.is_empty(), "{report:?}");
        // Tables and data intact, the new column in place.
        let kind: String = db.read(|tx| tx.query_one("SELECT kind FROM items", &[])?.get(0)).unwrap();
        assert_eq!(kind, "doc");
        assert_eq!(versions(db, "alpha"), [1, 2]);
        assert_eq!(versions(db, "beta"), [1]);
        // The store's own tables are recorded under module `store`.
        assert_eq!(versions(db, "store"), [1]);
        assert!(table_exists(db, "outbox") && table_exists(db, "outbox_cursors"));
        // A new version is applied on its own.
        let more = [
            SET[0],
            SET[2],
            Migration {
                module: "alpha",
                version: 3,
                name: "items.code",
                sql: "ALTER TABLE items ADD COLUMN code TEXT",
                postgres_sql: None,
            },
        ];
        assert_eq!(db.migrate(&more).unwrap().applied, [("alpha".to_owned(), 3)]);
    });
}

#[test]
fn a_failing_migration_leaves_no_trace() {
    both(|db| {
        let broken = [
            SET[0],
            Migration {
                module: "alpha",
                version: 2,
                name: "half done",
                sql: "CREATE TABLE half (x BIGINT); INSERT INTO items (name) VALUES ('x'); CREATE TABLE broken (;",
                postgres_sql: None,
            },
        ];
        let (module, version, message) = migration_error(db.migrate(&broken));
        assert_eq!((module.as_str(), version), ("alpha", 2));
        assert!(!message.is_empty());
        assert_eq!(versions(db, "alpha"), [1], "v1 committed on its own, v2 not recorded");
        assert!(!table_exists(db, "half"), "no partial table");
        assert_eq!(ints(db, "SELECT COUNT(*) FROM items"), [0]);
        // Fixed, it applies.
        let fixed = [SET[0], Migration { sql: "CREATE TABLE half (x BIGINT);", ..broken[1] }];
        assert_eq!(db.migrate(&fixed).unwrap().applied, [("alpha".to_owned(), 2)]);
        assert!(table_exists(db, "half"));
    });
}

#[test]
fn edited_history_is_detected() {
    both(|db| {
        db.migrate(&SET[..1]).unwrap();
        let edited = [Migration { name: "items, renamed", ..SET[0] }];
        let (module, version, message) = migration_error(db.migrate(&edited));
        assert_eq!((module.as_str(), version), ("alpha", 1));
        assert!(message.contains("edited"), "{message}");
    });
}

#[test]
fn versions_apply_in_order() {
    both(|db| {
        let one_and_three = [
            SET[0],
            Migration {
                module: "alpha",
                version: 3,
                name: "three",
                sql: "CREATE TABLE three (x BIGINT)",
                postgres_sql: None,
            },
        ];
        db.migrate(&one_and_three).unwrap();
        // Version 2 arrives later (a merge): refused, since 3 already ran.
        let with_two = [
            one_and_three[0],
            Migration {
                module: "alpha",
                version: 2,
                name: "two",
                sql: "CREATE TABLE two (x BIGINT)",
                postgres_sql: None,
            },
            one_and_three[1],
        ];
        let (_, version, message) = migration_error(db.migrate(&with_two));
        assert_eq!(version, 2);
        assert!(message.contains("order"), "{message}");
        assert!(!table_exists(db, "two"));
        // Lists are checked before anything runs.
        let backwards = [one_and_three[1], one_and_three[0]];
        migration_error(db.migrate(&backwards));
        let duplicate = [SET[0], SET[0]];
        migration_error(db.migrate(&duplicate));
        let reserved = [Migration { module: "store", ..SET[0] }];
        migration_error(db.migrate(&reserved));
        let typo = [Migration {
            module: "gamma",
            version: 1,
            name: "typo",
            sql: "CREATE TABLE g (id {{idd}})",
            postgres_sql: None,
        }];
        let (_, _, message) = migration_error(db.migrate(&typo));
        assert!(message.contains("idd"), "{message}");
        assert!(versions(db, "gamma").is_empty());
    });
}

#[test]
fn postgres_sql_replaces_the_whole_migration_on_postgres() {
    both(|db| {
        let m = [Migration {
            module: "pick",
            version: 1,
            name: "dialect-specific default",
            sql: "CREATE TABLE pick (id {{id}}, which TEXT NOT NULL DEFAULT 'sqlite')",
            postgres_sql: Some("CREATE TABLE pick (id {{id}}, which TEXT NOT NULL DEFAULT 'postgres')"),
        }];
        db.migrate(&m).unwrap();
        let which: String =
            db.write(|tx| tx.query_one("INSERT INTO pick DEFAULT VALUES RETURNING which", &[])?.get(0)).unwrap();
        assert_eq!(which, db.dialect().name());
        assert!(m[0].sql_for(Dialect::Sqlite).unwrap().contains("AUTOINCREMENT"));
        assert!(m[0].sql_for(Dialect::Postgres).unwrap().contains("IDENTITY"));
    });
}

#[test]
fn identity_columns_accept_explicit_ids_and_keep_counting() {
    both(|db| {
        db.migrate(&SET[..1]).unwrap();
        let a: i64 = db
            .write(|tx| tx.query_one("INSERT INTO items (name) VALUES (?) RETURNING id", params!["a"])?.get(0))
            .unwrap();
        let b: i64 = db
            .write(|tx| tx.query_one("INSERT INTO items (name) VALUES (?) RETURNING id", params!["b"])?.get(0))
            .unwrap();
        assert!(b > a);
        // A deleted id is never handed out again (AUTOINCREMENT / identity).
        db.write(|tx| tx.execute("DELETE FROM items WHERE id = ?", params![b])).unwrap();
        let c: i64 = db
            .write(|tx| tx.query_one("INSERT INTO items (name) VALUES (?) RETURNING id", params!["c"])?.get(0))
            .unwrap();
        assert!(c > b);
    });
}
