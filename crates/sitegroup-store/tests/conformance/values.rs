//! Values in and out: every type, extremes, awkward text, NULL; the Row API; proptest.

use proptest::prelude::*;
use sitegroup_store::testing::TestDb;
use sitegroup_store::{StoreError, Value, params};

use crate::{both, setup};

const VALS: &str = "CREATE TABLE vals (id {{id}}, i BIGINT, t TEXT, b {{blob}}, r {{real}}, flag BIGINT)";

#[test]
fn integers_round_trip_including_extremes() {
    both(|db| {
        setup(db, "vals", VALS);
        for i in [0, 1, -1, 42, i64::from(i32::MAX) + 1, i64::MIN, i64::MAX] {
            let id: i64 = db
                .write(|tx| tx.query_one("INSERT INTO vals (i) VALUES (?) RETURNING id", params![i])?.get(0))
                .unwrap();
            let back: i64 = db.read(|tx| tx.query_one("SELECT i FROM vals WHERE id = ?", params![id])?.get(0)).unwrap();
            assert_eq!(back, i);
            // Equality on a bound parameter finds it too.
            let found: i64 =
                db.read(|tx| tx.query_one("SELECT COUNT(*) FROM vals WHERE i = ?", params![i])?.get(0)).unwrap();
            assert_eq!(found, 1, "{i}");
        }
    });
}

#[test]
fn text_round_trips_chinese_quotes_and_question_marks() {
    both(|db| {
        setup(db, "vals", VALS);
        let samples = [
            "",
            "县人民政府办公室关于印发《2026年政务公开工作要点》的通知",
            "it's a 'quoted' \"string\"",
            "why? who?? ?",
            "$1 $2 -- not a comment /* nor this */",
            "emoji 🏛️ and 繁體字 and 𠀀",
            "line\nbreak\ttab\\backslash",
            "'; DROP TABLE vals; --",
        ];
        for s in samples {
            let id: i64 = db
                .write(|tx| tx.query_one("INSERT INTO vals (t) VALUES (?) RETURNING id", params![s])?.get(0))
                .unwrap();
            let back: String =
                db.read(|tx| tx.query_one("SELECT t FROM vals WHERE id = ?", params![id])?.get(0)).unwrap();
            assert_eq!(back, s);
            let n: i64 =
                db.read(|tx| tx.query_one("SELECT COUNT(*) FROM vals WHERE t = ?", params![s])?.get(0)).unwrap();
            assert_eq!(n, 1, "{s}");
        }
    });
}

#[test]
fn blobs_nulls_bools_and_reals_round_trip() {
    both(|db| {
        setup(db, "vals", VALS);
        let all_bytes: Vec<u8> = (0..=255).collect();
        for blob in [Vec::new(), vec![0u8], all_bytes] {
            let id: i64 = db
                .write(|tx| tx.query_one("INSERT INTO vals (b) VALUES (?) RETURNING id", params![blob.clone()])?.get(0))
                .unwrap();
            let back: Vec<u8> =
                db.read(|tx| tx.query_one("SELECT b FROM vals WHERE id = ?", params![id])?.get(0)).unwrap();
            assert_eq!(back, blob);
        }
        for flag in [true, false] {
            let id: i64 = db
                .write(|tx| tx.query_one("INSERT INTO vals (flag) VALUES (?) RETURNING id", params![flag])?.get(0))
                .unwrap();
            let row = db.read(|tx| tx.query_one("SELECT flag FROM vals WHERE id = ?", params![id])).unwrap();
            assert_eq!(row.get::<bool>(0).unwrap(), flag);
            assert_eq!(row.get::<i64>(0).unwrap(), i64::from(flag));
        }
        for r in [0.0, 0.1, -2.5, 1e300, -1e-300, f64::MAX, f64::MIN_POSITIVE] {
            let id: i64 = db
                .write(|tx| tx.query_one("INSERT INTO vals (r) VALUES (?) RETURNING id", params![r])?.get(0))
                .unwrap();
            let back: f64 = db.read(|tx| tx.query_one("SELECT r FROM vals WHERE id = ?", params![id])?.get(0)).unwrap();
            assert_eq!(back.to_bits(), r.to_bits(), "{r}");
        }
        // NULL in every column, read as Option and as Value.
        let id: i64 = db
            .write(|tx| {
                tx.query_one(
                    "INSERT INTO vals (i, t, b, r, flag) VALUES (?, ?, ?, ?, ?) RETURNING id",
                    params![None::<i64>, None::<String>, None::<Vec<u8>>, None::<f64>, None::<bool>],
                )?
                .get(0)
            })
            .unwrap();
        let row = db.read(|tx| tx.query_one("SELECT i, t, b, r, flag FROM vals WHERE id = ?", params![id])).unwrap();
        assert_eq!(row.get::<Option<i64>>(0).unwrap(), None);
        assert_eq!(row.get::<Option<String>>(1).unwrap(), None);
        assert_eq!(row.get::<Option<Vec<u8>>>(2).unwrap(), None);
        assert_eq!(row.get::<Option<f64>>(3).unwrap(), None);
        assert_eq!(row.get::<Option<bool>>(4).unwrap(), None);
        assert!(row.values().iter().all(Value::is_null));
        // NULL without Option is a conversion error naming the column.
        match row.get::<i64>(0) {
            Err(StoreError::Conversion { column: Some(c), .. }) => assert_eq!(c, "i"),
            other => panic!("expected a conversion error, got {other:?}"),
        }
    });
}

#[test]
fn json_is_stored_as_text() {
    both(|db| {
        setup(db, "vals", VALS);
        let doc = serde_json::json!({"标题": "通知", "tags": ["a", "b"], "n": 3, "quote": "it's ?"});
        let id: i64 =
            db.write(|tx| tx.query_one("INSERT INTO vals (t) VALUES (?) RETURNING id", params![&doc])?.get(0)).unwrap();
        let back: serde_json::Value =
            db.read(|tx| tx.query_one("SELECT t FROM vals WHERE id = ?", params![id])?.get(0)).unwrap();
        assert_eq!(back, doc);
    });
}

#[test]
fn row_api_and_conversions() {
    both(|db| {
        let row = db
            .read(|tx| {
                tx.query_one(
                    "SELECT CAST(? AS BIGINT) AS big, CAST(? AS BIGINT) AS neg, CAST(? AS TEXT) AS name",
                    params![5_000_000_000_i64, -1, "名称"],
                )
            })
            .unwrap();
        assert_eq!(row.len(), 3);
        assert!(!row.is_empty());
        assert_eq!(row.columns(), ["big", "neg", "name"]);
        assert_eq!(row.get_named::<String>("name").unwrap(), "名称");
        assert_eq!(row.get_named::<u64>("big").unwrap(), 5_000_000_000);
        assert!(matches!(row.get_named::<i64>("nope"), Err(StoreError::NoSuchColumn(_))));
        assert!(matches!(row.get::<i64>(9), Err(StoreError::NoSuchColumn(_))));
        // Range checks.
        assert!(matches!(row.get::<i32>(0), Err(StoreError::Conversion { .. })));
        assert!(matches!(row.get::<u32>(1), Err(StoreError::Conversion { .. })));
        assert!(matches!(row.get::<bool>(1), Err(StoreError::Conversion { .. })));
        // Type checks.
        assert!(matches!(row.get::<String>(0), Err(StoreError::Conversion { .. })));
        assert!(matches!(row.get::<i64>(2), Err(StoreError::Conversion { .. })));
        assert_eq!(row.get::<f64>(1).unwrap(), -1.0);
        assert_eq!(row.get::<Value>(2).unwrap(), Value::Text("名称".into()));
    });
}

#[test]
fn placeholders_skip_string_literals_and_comments() {
    both(|db| {
        let row = db
            .read(|tx| {
                tx.query_one(
                    "SELECT '?' AS lit, CAST(? AS TEXT) AS a, 'it''s ?' AS esc, -- what?\n \
                     CAST(? AS BIGINT) AS b /* ? */, 'x?y' || CAST(? AS TEXT) AS c",
                    params!["first", 2, "third"],
                )
            })
            .unwrap();
        assert_eq!(row.get::<String>(0).unwrap(), "?");
        assert_eq!(row.get::<String>(1).unwrap(), "first");
        assert_eq!(row.get::<String>(2).unwrap(), "it's ?");
        assert_eq!(row.get::<i64>(3).unwrap(), 2);
        assert_eq!(row.get::<String>(4).unwrap(), "x?ythird");
    });
}

#[test]
fn aggregates_read_back_as_plain_numbers() {
    both(|db| {
        setup(db, "vals", VALS);
        db.write(|tx| {
            tx.execute("INSERT INTO vals (i, r) VALUES (?, ?), (?, ?), (?, ?)", params![1, 0.5, 2, 1.5, 4, 1.0])
        })
        .unwrap();
        let row = db
            .read(|tx| tx.query_one("SELECT COUNT(*), SUM(i), AVG(i), SUM(r), MAX(i), MIN(t) FROM vals", &[]))
            .unwrap();
        assert_eq!(row.get::<i64>(0).unwrap(), 3);
        assert_eq!(row.get::<i64>(1).unwrap(), 7); // NUMERIC on PostgreSQL
        let avg: f64 = row.get(2).unwrap();
        assert!((avg - 7.0 / 3.0).abs() < 1e-12, "{avg}");
        assert_eq!(row.get::<f64>(3).unwrap(), 3.0);
        assert_eq!(row.get::<i64>(4).unwrap(), 4);
        assert_eq!(row.get::<Option<String>>(5).unwrap(), None);
        // A sum too large for i64 still reads (as a real).
        db.write(|tx| tx.execute("INSERT INTO vals (i) VALUES (?), (?)", params![i64::MAX, i64::MAX])).unwrap();
        if db.dialect() == sitegroup_store::Dialect::Postgres {
            let big: f64 = db.read(|tx| tx.query_one("SELECT SUM(i) FROM vals", &[])?.get(0)).unwrap();
            assert!(big > 1.8e19);
        }
    });
}

#[test]
fn proptest_text_and_int_round_trip_on_sqlite() {
    let db = TestDb::sqlite();
    setup(&db, "vals", VALS);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(256));
    runner
        .run(&(any::<i64>(), any::<String>(), any::<Option<i64>>()), |(i, t, o)| {
            let id: i64 = db
                .write(|tx| {
                    tx.query_one(
                        "INSERT INTO vals (i, t, flag) VALUES (?, ?, ?) RETURNING id",
                        params![i, t.as_str(), o],
                    )?
                    .get(0)
                })
                .unwrap();
            let row = db.read(|tx| tx.query_one("SELECT i, t, flag FROM vals WHERE id = ?", params![id])).unwrap();
            prop_assert_eq!(row.get::<i64>(0).unwrap(), i);
            prop_assert_eq!(row.get::<String>(1).unwrap(), t);
            prop_assert_eq!(row.get::<Option<i64>>(2).unwrap(), o);
            Ok(())
        })
        .unwrap();
}
