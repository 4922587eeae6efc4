//! What the store's queries and both engines share: the values bound to a statement, the
//! rows read, the errors, the placeholders. The queries are written once, with SQLite's
//! `?N` placeholders (rewritten to `$N` for PostgreSQL); where the engines differ, the
//! caller asks the connection's engine (`super::conn::Db::engine`) and writes each its own.
//! Below the engines: the PostgreSQL side reads these, and the connection that dispatches
//! to either engine sits above both.

use thiserror::Error;

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A value bound to a statement: the store only ever stores integers, text and NULL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
    Null,
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// The values of a statement, in the order of their placeholders.
macro_rules! args {
    ($($x:expr),* $(,)?) => {
        &[$($crate::store::db::Value::from($x)),*][..]
    };
}
pub(crate) use args;

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Null => ValueRef::Null,
        }))
    }
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        match self {
            Value::Null => Ok(postgres::types::IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Value::Text(s) => s.as_str().to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// What went wrong in the engine.
#[derive(Debug, Error)]
pub enum DbError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}", pg_message(.0))]
    Postgres(#[from] postgres::Error),
    /// No connection to the server (it is down, or unreachable), with why.
    #[error("{0}")]
    Unreachable(String),
    /// The connection was lost while the server was committing: whether the transaction
    /// was kept is not known.
    #[error("{0}")]
    InDoubt(String),
    /// The server takes no write: a standby (SQLSTATE 25006 without `--read-only`).
    #[error("{0}")]
    Standby(String),
    /// A column of an unexpected type: a schema this version does not know.
    #[error("colonne {index} : {what}")]
    Column { index: usize, what: String },
}

impl DbError {
    /// The server's SQLSTATE, for PostgreSQL errors.
    pub fn sql_state(&self) -> Option<&str> {
        match self {
            DbError::Postgres(e) => e.code().map(|c| c.code()),
            _ => None,
        }
    }

    /// The connection is gone: the server went away or cannot be reached.
    pub fn is_connection_lost(&self) -> bool {
        match self {
            DbError::Unreachable(_) => true,
            DbError::Postgres(e) => {
                e.is_closed()
                    || e.code().is_none() && std::error::Error::source(e).is_some_and(is_io)
                    || e.code()
                        .is_some_and(|c| c.code().starts_with("08") || c.code() == "57P01")
            }
            _ => false,
        }
    }
}

fn is_io(e: &(dyn std::error::Error + 'static)) -> bool {
    e.downcast_ref::<std::io::Error>().is_some()
}

/// A PostgreSQL error as one line: the server's message (never the connection's
/// settings, so never a password), or the client's.
fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => e.to_string(),
    }
}

pub type DbResult<T> = std::result::Result<T, DbError>;

/// A row being read.
pub(crate) enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a postgres::Row),
}

impl Row<'_> {
    /// Column `index` (from 0) as `T`.
    pub fn get<T: Column>(&self, index: usize) -> DbResult<T> {
        match self {
            Row::Sqlite(r) => T::from_sqlite(r, index).map_err(DbError::from),
            Row::Postgres(r) => T::from_postgres(r, index),
        }
    }

    /// Column `index` as text, borrowed from the row (a long read allocates nothing).
    pub fn str(&self, index: usize) -> DbResult<&str> {
        match self {
            Row::Sqlite(r) => {
                let v = r.get_ref(index)?;
                v.as_str().map_err(|e| DbError::Column {
                    index,
                    what: e.to_string(),
                })
            }
            Row::Postgres(r) => r.try_get::<_, &str>(index).map_err(DbError::from),
        }
    }
}

/// A Rust type a column is read as, on both engines.
pub(crate) trait Column: Sized {
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self>;
    fn from_postgres(row: &postgres::Row, index: usize) -> DbResult<Self>;
}

/// An integer column of any PostgreSQL integer type (count() is bigint, a comparison a
/// boolean): the store reads them all as i64.
fn pg_int(row: &postgres::Row, index: usize) -> DbResult<Option<i64>> {
    use postgres::types::Type;
    let ty = row
        .columns()
        .get(index)
        .map(|c| c.type_().clone())
        .ok_or_else(|| DbError::Column {
            index,
            what: "absente".into(),
        })?;
    Ok(match ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(index)?,
        Type::INT4 => row.try_get::<_, Option<i32>>(index)?.map(i64::from),
        Type::INT2 => row.try_get::<_, Option<i16>>(index)?.map(i64::from),
        Type::BOOL => row.try_get::<_, Option<bool>>(index)?.map(i64::from),
        other => {
            return Err(DbError::Column {
                index,
                what: format!("entier attendu, {other} trouvé"),
            });
        }
    })
}

impl Column for i64 {
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self> {
        row.get(index)
    }
    fn from_postgres(row: &postgres::Row, index: usize) -> DbResult<Self> {
        pg_int(row, index)?.ok_or_else(|| DbError::Column {
            index,
            what: "NULL inattendu".into(),
        })
    }
}

impl Column for Option<i64> {
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self> {
        row.get(index)
    }
    fn from_postgres(row: &postgres::Row, index: usize) -> DbResult<Self> {
        pg_int(row, index)
    }
}

impl Column for bool {
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self> {
        row.get::<_, i64>(index).map(|v| v != 0)
    }
    fn from_postgres(row: &postgres::Row, index: usize) -> DbResult<Self> {
        i64::from_postgres(row, index).map(|v| v != 0)
    }
}

impl Column for String {
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self> {
        row.get(index)
    }
    fn from_postgres(row: &postgres::Row, index: usize) -> DbResult<Self> {
        Ok(row.try_get(index)?)
    }
}

impl Column for Option<String> {
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self> {
        row.get(index)
    }
    fn from_postgres(row: &postgres::Row, index: usize) -> DbResult<Self> {
        Ok(row.try_get(index)?)
    }
}

/// One row of `COPY … FROM STDIN` in its text format: tab-separated, `\N` for NULL,
/// backslashes and control characters escaped.
pub(crate) fn copy_line(row: &[Value], out: &mut Vec<u8>) {
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match v {
            Value::Null => out.extend_from_slice(b"\\N"),
            Value::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Value::Text(s) => {
                for b in s.bytes() {
                    match b {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        _ => out.push(b),
                    }
                }
            }
        }
    }
    out.push(b'\n');
}

/// `?N` placeholders as PostgreSQL writes them (`$N`); quoted text is left alone.
pub(crate) fn postgres_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(
            postgres_sql("SELECT '?1', x FROM t WHERE a = ?1 AND b LIKE ?12 ESCAPE '\\'"),
            "SELECT '?1', x FROM t WHERE a = $1 AND b LIKE $12 ESCAPE '\\'"
        );
    }

    #[test]
    fn copy_lines_escape_what_copy_reads_specially() {
        let mut out = Vec::new();
        copy_line(
            &[Value::Int(7), Value::Text("a\tb\\c\nd".into()), Value::Null],
            &mut out,
        );
        assert_eq!(out, b"7\ta\\tb\\\\c\\nd\t\\N\n");
    }

    #[test]
    fn values_convert() {
        assert_eq!(Value::from(Some("a")), Value::Text("a".into()));
        assert_eq!(Value::from(None::<i64>), Value::Null);
        assert_eq!(Value::from(true), Value::Int(1));
    }
}
