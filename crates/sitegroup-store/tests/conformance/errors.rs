//! Constraint violations map to the same typed errors on both drivers.

use sitegroup_store::{StoreError, params};

use crate::{both, setup};

const SCHEMA: &str = "
CREATE TABLE parent (id {{id}}, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE child (
    id {{id}},
    parent_id BIGINT NOT NULL REFERENCES parent(id),
    qty BIGINT NOT NULL CHECK (qty >= 0)
);
CREATE TABLE pair (a BIGINT NOT NULL, b TEXT NOT NULL, UNIQUE (a, b));
";

fn err<T: std::fmt::Debug>(r: Result<T, StoreError>) -> StoreError {
    r.expect_err("the statement should have failed")
}

#[test]
fn unique_violation_names_table_and_columns() {
    both(|db| {
        setup(db, "errs", SCHEMA);
        db.write(|tx| tx.execute("INSERT INTO parent (code, name) VALUES (?, ?)", params!["gov", "县政府"])).unwrap();
        let e = err(db.write(|tx| tx.execute("INSERT INTO parent (code, name) VALUES (?, ?)", params!["gov", "重复"])));
        match &e {
            StoreError::UniqueViolation { constraint } => assert_eq!(constraint.as_deref(), Some("parent.code")),
            other => panic!("expected a unique violation, got {other:?}"),
        }
        assert!(e.is_unique_violation_on("code"));
        assert!(e.is_unique_violation_on("parent.code"));
        assert!(!e.is_unique_violation_on("name"));
        // Composite keys list every column in order.
        db.write(|tx| tx.execute("INSERT INTO pair (a, b) VALUES (?, ?)", params![1, "x"])).unwrap();
        let e = err(db.write(|tx| tx.execute("INSERT INTO pair (a, b) VALUES (?, ?)", params![1, "x"])));
        match &e {
            StoreError::UniqueViolation { constraint } => assert_eq!(constraint.as_deref(), Some("pair.a, pair.b")),
            other => panic!("expected a unique violation, got {other:?}"),
        }
        assert!(e.is_unique_violation_on("b"));
        // Primary keys too.
        let e =
            err(db.write(|tx| {
                tx.execute("INSERT INTO parent (id, code, name) VALUES (?, ?, ?)", params![1, "new", "n"])
            }));
        assert!(matches!(e, StoreError::UniqueViolation { .. }), "{e:?}");
        // The failed writes left nothing behind.
        let n: i64 = db.read(|tx| tx.query_one("SELECT COUNT(*) FROM parent", &[])?.get(0)).unwrap();
        assert_eq!(n, 1);
    });
}

#[test]
fn foreign_key_check_and_not_null_violations() {
    both(|db| {
        setup(db, "errs", SCHEMA);
        let e = err(db.write(|tx| tx.execute("INSERT INTO child (parent_id, qty) VALUES (?, ?)", params![999, 1])));
        assert!(matches!(e, StoreError::ForeignKeyViolation), "{e:?}");

        let pid: i64 = db
            .write(|tx| {
                tx.query_one("INSERT INTO parent (code, name) VALUES (?, ?) RETURNING id", params!["p", "P"])?.get(0)
            })
            .unwrap();
        db.write(|tx| tx.execute("INSERT INTO child (parent_id, qty) VALUES (?, ?)", params![pid, 1])).unwrap();
        let e = err(db.write(|tx| tx.execute("DELETE FROM parent WHERE id = ?", params![pid])));
        assert!(matches!(e, StoreError::ForeignKeyViolation), "{e:?}");

        let e = err(db.write(|tx| tx.execute("INSERT INTO child (parent_id, qty) VALUES (?, ?)", params![pid, -1])));
        assert!(matches!(e, StoreError::CheckViolation), "{e:?}");

        let e =
            err(db.write(|tx| tx.execute("INSERT INTO child (parent_id, qty) VALUES (?, ?)", params![None::<i64>, 1])));
        match e {
            StoreError::NotNullViolation { column } => assert_eq!(column.as_deref(), Some("child.parent_id")),
            other => panic!("expected a NOT NULL violation, got {other:?}"),
        }
    });
}

#[test]
fn not_found_and_syntax_errors() {
    both(|db| {
        setup(db, "errs", SCHEMA);
        let e = err(db.read(|tx| tx.query_one("SELECT id FROM parent WHERE code = ?", params!["none"])));
        assert!(matches!(e, StoreError::NotFound), "{e:?}");
        assert!(db.read(|tx| tx.query_opt("SELECT id FROM parent WHERE code = ?", params!["none"])).unwrap().is_none());
        // A driver error is reported with the server's message, not a bare "db error".
        let e = err(db.read(|tx| tx.query("SELECT nope FROM parent", &[])));
        assert!(e.to_string().contains("nope"), "{e}");
        let e = err(db.read(|tx| tx.query("SELECT * FROM missing_table", &[])));
        assert!(e.to_string().contains("missing_table"), "{e}");
    });
}
