//! Portable values: what goes into a statement ([`Value`]) and what comes out ([`Row`]).
#![warn(missing_docs)]

use std::sync::Arc;

use crate::StoreError;

/// One SQL value, the same on both drivers.
///
/// SQLite stores these natively. On PostgreSQL a parameter is converted to the type the
/// server inferred for its placeholder (`Int` binds to `BIGINT`, `INTEGER`, `SMALLINT`,
/// `BOOLEAN` or `DOUBLE PRECISION` columns, with range checks), and a column is read
/// back by its type (see [`crate::Tx::query`]). Booleans are stored as `BIGINT` 0/1 by
/// convention, so `Value::from(true)` is `Int(1)`.
///
/// ```
/// use sitegroup_store::Value;
/// assert_eq!(Value::from(true), Value::Int(1));
/// assert_eq!(Value::from("县政府"), Value::Text("县政府".into()));
/// assert_eq!(Value::from(None::<i64>), Value::Null);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// A 64-bit signed integer (also booleans as 0/1).
    Int(i64),
    /// A double-precision float.
    Real(f64),
    /// UTF-8 text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

impl Value {
    /// The name of the variant, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "integer",
            Value::Real(_) => "real",
            Value::Text(_) => "text",
            Value::Blob(_) => "blob",
        }
    }

    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::Int(i64::from(v))
            }
        }
    )*};
}
from_int!(i64, i32, i16, i8, u32, u16, u8);

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Int(i64::from(v))
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Real(v)
    }
}

impl From<f32> for Value {
    fn from(v: f32) -> Value {
        Value::Real(f64::from(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(v.clone())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Value {
        Value::Blob(v)
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Value {
        Value::Blob(v.to_vec())
    }
}

/// JSON is stored as its text (columns of type `TEXT`).
impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Value {
        Value::Text(v.to_string())
    }
}

/// JSON is stored as its text (columns of type `TEXT`).
impl From<&serde_json::Value> for Value {
    fn from(v: &serde_json::Value) -> Value {
        Value::Text(v.to_string())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        match v {
            Some(v) => v.into(),
            None => Value::Null,
        }
    }
}

/// Conversion from a column's [`Value`] to a Rust type, used by [`Row::get`].
///
/// Implemented for `i64`, `i32`, `i16`, `u64`, `u32`, `u16`, `u8`, `usize` (range
/// checked), `bool` (from 0/1), `f64` (from real or integer), `String`, `Vec<u8>`,
/// [`serde_json::Value`] (parsed from text), [`Value`] itself and `Option<T>` of any of
/// them (`NULL` → `None`). Without `Option`, `NULL` is a [`StoreError::Conversion`].
pub trait FromValue: Sized {
    /// Converts, or returns [`StoreError::Conversion`] (with `column: None`; [`Row`]
    /// fills in the column's name).
    fn from_value(value: &Value) -> Result<Self, StoreError>;
}

fn mismatch<T>(expected: &str, found: &Value) -> Result<T, StoreError> {
    Err(StoreError::Conversion { column: None, message: format!("expected {expected}, found {}", describe(found)) })
}

fn describe(v: &Value) -> String {
    match v {
        Value::Int(i) => format!("integer {i}"),
        Value::Real(f) => format!("real {f}"),
        other => other.type_name().to_owned(),
    }
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Result<Self, StoreError> {
        match value {
            Value::Int(i) => Ok(*i),
            other => mismatch("integer", other),
        }
    }
}

macro_rules! from_value_int {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: &Value) -> Result<Self, StoreError> {
                match value {
                    Value::Int(i) => <$t>::try_from(*i).or_else(|_| mismatch(concat!("an integer in the range of ", stringify!($t)), value)),
                    other => mismatch("integer", other),
                }
            }
        }
    )*};
}
from_value_int!(i32, i16, u64, u32, u16, u8, usize);

impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self, StoreError> {
        match value {
            Value::Int(0) => Ok(false),
            Value::Int(1) => Ok(true),
            other => mismatch("boolean 0 or 1", other),
        }
    }
}

impl FromValue for f64 {
    fn from_value(value: &Value) -> Result<Self, StoreError> {
        match value {
            Value::Real(f) => Ok(*f),
            // Integers up to 2^53 convert exactly; SQLite returns integral reals as
            // integers from some expressions, so accept them.
            #[allow(clippy::cast_precision_loss)]
            Value::Int(i) => Ok(*i as f64),
            other => mismatch("real", other),
        }
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self, StoreError> {
        match value {
            Value::Text(s) => Ok(s.clone()),
            other => mismatch("text", other),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Result<Self, StoreError> {
        match value {
            Value::Blob(b) => Ok(b.clone()),
            other => mismatch("blob", other),
        }
    }
}

impl FromValue for serde_json::Value {
    fn from_value(value: &Value) -> Result<Self, StoreError> {
        match value {
            Value::Text(s) => serde_json::from_str(s)
                .map_err(|e| StoreError::Conversion { column: None, message: format!("text is not valid JSON: {e}") }),
            other => mismatch("JSON text", other),
        }
    }
}

impl FromValue for Value {
    fn from_value(value: &Value) -> Result<Self, StoreError> {
        Ok(value.clone())
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Result<Self, StoreError> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One result row: column names and values, owned (no borrow of the connection).
///
/// ```
/// # use sitegroup_store::{testing::TestDb, StoreError};
/// # let t = TestDb::sqlite();
/// let row = t.read(|tx| tx.query_one("SELECT 42 AS answer, 'x' AS name, NULL AS missing", &[]))?;
/// assert_eq!(row.get::<i64>(0)?, 42);
/// assert_eq!(row.get_named::<String>("name")?, "x");
/// assert_eq!(row.get::<Option<i64>>(2)?, None);
/// # Ok::<(), StoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    pub(crate) fn new(columns: Arc<[String]>, values: Vec<Value>) -> Row {
        Row { columns, values }
    }

    /// The value of column `idx` (0-based) converted to `T`.
    pub fn get<T: FromValue>(&self, idx: usize) -> Result<T, StoreError> {
        let value = self.values.get(idx).ok_or_else(|| StoreError::NoSuchColumn(idx.to_string()))?;
        T::from_value(value).map_err(|e| self.name_column(e, idx))
    }

    /// The value of the column called `name` converted to `T`. Names are compared
    /// exactly; PostgreSQL folds unquoted aliases to lower case, so use lower-case aliases.
    pub fn get_named<T: FromValue>(&self, name: &str) -> Result<T, StoreError> {
        let idx = self.index_of(name).ok_or_else(|| StoreError::NoSuchColumn(name.to_owned()))?;
        self.get(idx)
    }

    /// The index of the column called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The raw value of column `idx`.
    pub fn value(&self, idx: usize) -> Option<&Value> {
        self.values.get(idx)
    }

    /// All values in column order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// Takes the values out.
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    /// Column names in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn name_column(&self, e: StoreError, idx: usize) -> StoreError {
        match e {
            StoreError::Conversion { column: None, message } => StoreError::Conversion {
                column: Some(self.columns.get(idx).cloned().unwrap_or_else(|| idx.to_string())),
                message,
            },
            other => other,
        }
    }
}
