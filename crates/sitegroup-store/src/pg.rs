//! The PostgreSQL driver: value conversions both ways and statement helpers.

use std::error::Error;
use std::sync::Arc;

use bytes::{BufMut, BytesMut};
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use crate::{Row, StoreError, Value};

type BoxError = Box<dyn Error + Sync + Send>;

fn cannot_bind(v: &Value, ty: &Type) -> BoxError {
    format!("cannot bind a {} value to a PostgreSQL {ty} parameter", v.type_name()).into()
}

/// Binds a [`Value`] to whatever type the server inferred for the placeholder.
///
/// `Int` → `INT8`/`INT4`/`INT2` (range-checked), `BOOL` (0/1 only), `FLOAT8`/`FLOAT4`;
/// `Real` → `FLOAT8`/`FLOAT4`; `Text` → `TEXT`/`VARCHAR`/`BPCHAR`/`NAME`/`JSON`/`JSONB`;
/// `Blob` → `BYTEA`; `Null` → any type. Anything else is an error naming both types:
/// when the server cannot infer a type (`SELECT ?`, `? IS NULL`), add a cast
/// (`CAST(? AS BIGINT)`), which works on SQLite too.
impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => {
                    i32::try_from(*i).map_err(|_| format!("{i} is out of range for INTEGER"))?.to_sql(ty, out)
                }
                Type::INT2 => {
                    i16::try_from(*i).map_err(|_| format!("{i} is out of range for SMALLINT"))?.to_sql(ty, out)
                }
                Type::BOOL => match i {
                    0 => false.to_sql(ty, out),
                    1 => true.to_sql(ty, out),
                    _ => Err(format!("{i} is not a boolean (0 or 1)").into()),
                },
                #[allow(clippy::cast_precision_loss)]
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                #[allow(clippy::cast_precision_loss)]
                Type::FLOAT4 => (*i as f32).to_sql(ty, out),
                _ => Err(cannot_bind(self, ty)),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                #[allow(clippy::cast_possible_truncation)]
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => Err(cannot_bind(self, ty)),
            },
            Value::Text(s) => match *ty {
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::JSON => {
                    out.put_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                Type::JSONB => {
                    out.put_u8(1); // jsonb binary format version
                    out.put_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                _ => Err(cannot_bind(self, ty)),
            },
            Value::Blob(b) => match *ty {
                Type::BYTEA => {
                    out.put_slice(b);
                    Ok(IsNull::No)
                }
                _ => Err(cannot_bind(self, ty)),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        // Decided per value in `to_sql` (NULL binds to anything).
        true
    }

    to_sql_checked!();
}

/// One column read by its type.
struct Cell(Value);

const READABLE: &[Type] = &[
    Type::INT2,
    Type::INT4,
    Type::INT8,
    Type::OID,
    Type::BOOL,
    Type::FLOAT4,
    Type::FLOAT8,
    Type::NUMERIC,
    Type::TEXT,
    Type::VARCHAR,
    Type::BPCHAR,
    Type::NAME,
    Type::UNKNOWN,
    Type::JSON,
    Type::JSONB,
    Type::BYTEA,
    Type::VOID,
];

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Cell, BoxError> {
        Ok(Cell(match *ty {
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::OID => Value::Int(u32::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Int(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::NUMERIC => numeric(raw)?,
            Type::JSONB => match raw.split_first() {
                Some((1, json)) => Value::Text(std::str::from_utf8(json)?.to_owned()),
                _ => return Err("unsupported jsonb format version".into()),
            },
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::VOID => Value::Null,
            _ => Value::Text(std::str::from_utf8(raw)?.to_owned()),
        }))
    }

    fn from_sql_null(_: &Type) -> Result<Cell, BoxError> {
        Ok(Cell(Value::Null))
    }

    fn accepts(ty: &Type) -> bool {
        READABLE.contains(ty)
    }
}

/// Decodes PostgreSQL's binary `NUMERIC` (what `SUM(bigint)` and `AVG` return): an
/// integer with no fractional digits that fits `i64` becomes `Int`, anything else `Real`.
fn numeric(raw: &[u8]) -> Result<Value, BoxError> {
    let word = |i: usize| -> Result<u16, BoxError> {
        let b = raw.get(2 * i..2 * i + 2).ok_or("truncated numeric")?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    };
    let ndigits = usize::from(word(0)?);
    #[allow(clippy::cast_possible_wrap)]
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    let dscale = word(3)?;
    match sign {
        0x0000 | 0x4000 => {}
        0xC000 => return Ok(Value::Real(f64::NAN)),
        0xD000 => return Ok(Value::Real(f64::INFINITY)),
        0xF000 => return Ok(Value::Real(f64::NEG_INFINITY)),
        _ => return Err("bad numeric sign".into()),
    }
    let digits = (0..ndigits).map(|i| word(4 + i)).collect::<Result<Vec<u16>, _>>()?;
    let digit = |g: i32| -> u16 { usize::try_from(g).ok().and_then(|g| digits.get(g).copied()).unwrap_or(0) };
    let mut text = String::new();
    if sign == 0x4000 {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    } else {
        for g in 0..=weight {
            if g == 0 {
                text.push_str(&digit(g).to_string());
            } else {
                text.push_str(&format!("{:04}", digit(g)));
            }
        }
    }
    if dscale == 0
        && let Ok(i) = text.parse::<i64>()
    {
        return Ok(Value::Int(i));
    }
    text.push('.');
    #[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)]
    let last = ndigits as i32;
    for g in (weight + 1)..last {
        text.push_str(&format!("{:04}", digit(g)));
    }
    text.push('0');
    Ok(Value::Real(text.parse::<f64>()?))
}

fn row(r: &postgres::Row, names: &Arc<[String]>) -> Result<Row, StoreError> {
    let mut values = Vec::with_capacity(names.len());
    for (i, col) in r.columns().iter().enumerate() {
        if !<Cell as FromSql>::accepts(col.type_()) {
            return Err(StoreError::Conversion {
                column: Some(col.name().to_owned()),
                message: format!(
                    "PostgreSQL type {} is not mapped by the store; cast it in SQL (e.g. to BIGINT or TEXT)",
                    col.type_()
                ),
            });
        }
        values.push(r.try_get::<_, Cell>(i)?.0);
    }
    Ok(Row::new(Arc::clone(names), values))
}

fn args(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

pub(crate) fn query(t: &mut postgres::Transaction<'_>, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
    let sql = crate::sql::rewrite_placeholders(sql);
    let rows = t.query(sql.as_ref(), &args(params))?;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let names: Arc<[String]> = first.columns().iter().map(|c| c.name().to_owned()).collect();
    rows.iter().map(|r| row(r, &names)).collect()
}

pub(crate) fn execute(t: &mut postgres::Transaction<'_>, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
    let sql = crate::sql::rewrite_placeholders(sql);
    Ok(t.execute(sql.as_ref(), &args(params))?)
}

/// Checks a schema name against `[a-z_][a-z0-9_]*` (at most 63 bytes).
pub(crate) fn valid_schema(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && name.len() <= 63
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn enc(ndigits: u16, weight: i16, sign: u16, dscale: u16, digits: &[u16]) -> Vec<u8> {
        let mut v = Vec::new();
        for w in [ndigits, weight as u16, sign, dscale].iter().chain(digits) {
            v.extend_from_slice(&w.to_be_bytes());
        }
        v
    }

    #[test]
    fn numeric_decoding() {
        // 0
        assert_eq!(numeric(&enc(0, 0, 0, 0, &[])).unwrap(), Value::Int(0));
        // 12345678 = 1234 5678, weight 1
        assert_eq!(numeric(&enc(2, 1, 0, 0, &[1234, 5678])).unwrap(), Value::Int(12_345_678));
        // -50000 = 5 0000 → digits [5], weight 1
        assert_eq!(numeric(&enc(1, 1, 0x4000, 0, &[5])).unwrap(), Value::Int(-50_000));
        // 2.5 = 2 . 5000, weight 0, dscale 1
        assert_eq!(numeric(&enc(2, 0, 0, 1, &[2, 5000])).unwrap(), Value::Real(2.5));
        // 0.0012 = weight -1, digits [12]
        assert_eq!(numeric(&enc(1, -1, 0, 4, &[12])).unwrap(), Value::Real(0.0012));
        // 0.000012 = 1200 × 10000^-2
        assert_eq!(numeric(&enc(1, -2, 0, 8, &[1200])).unwrap(), Value::Real(0.000_012));
    }

    #[test]
    fn schema_names() {
        assert!(valid_schema("t_1"));
        assert!(valid_schema("_x"));
        assert!(!valid_schema("1x"));
        assert!(!valid_schema("X"));
        assert!(!valid_schema("a-b"));
        assert!(!valid_schema(""));
        assert!(!valid_schema("a\"; drop"));
        assert!(!valid_schema(&"a".repeat(64)));
    }
}
