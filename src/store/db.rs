//! One connection to either engine, and the little the store's queries need of it: run a
//! statement, read rows, hold a transaction. The queries are written once, with SQLite's
//! `?N` placeholders (rewritten to `$N` for PostgreSQL); where the engines differ, the
//! caller asks [`Db::engine`] and writes each its own.

use super::postgres::PgConn;
use std::cell::RefCell;
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

/// A connection to the desk's database.
pub(crate) enum Db {
    Sqlite(rusqlite::Connection),
    /// The client needs `&mut` for everything; the store reads through `&self`.
    Postgres(Box<RefCell<PgConn>>),
}

impl Db {
    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (pragmas, backups).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Db::Sqlite(c) => Some(c),
            Db::Postgres(_) => None,
        }
    }

    pub fn postgres(&self) -> Option<&RefCell<PgConn>> {
        match self {
            Db::Sqlite(_) => None,
            Db::Postgres(c) => Some(c.as_ref()),
        }
    }

    /// Runs one statement; returns how many rows it changed.
    pub fn execute(&self, sql: &str, args: &[Value]) -> DbResult<u64> {
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(args))? as u64)
            }
            Db::Postgres(c) => c.borrow_mut().execute(sql, args),
        }
    }

    /// Runs statements without arguments, one after the other (migrations).
    pub fn batch(&self, sql: &str) -> DbResult<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Db::Postgres(c) => c.borrow_mut().batch(sql),
        }
    }

    /// The first row, read by `f`; `None` when there is none.
    pub fn query_one<T>(
        &self,
        sql: &str,
        args: &[Value],
        f: impl FnOnce(&Row<'_>) -> DbResult<T>,
    ) -> DbResult<Option<T>> {
        let mut f = Some(f);
        let mut found = None;
        self.query_each(sql, args, |row| {
            if let Some(f) = f.take() {
                found = Some(f(row)?);
            }
            Ok::<(), DbError>(())
        })?;
        Ok(found)
    }

    /// Every row, each read by `f`, collected.
    pub fn query_vec<T>(
        &self,
        sql: &str,
        args: &[Value],
        mut f: impl FnMut(&Row<'_>) -> DbResult<T>,
    ) -> DbResult<Vec<T>> {
        let mut all = Vec::new();
        self.query_each(sql, args, |row| {
            all.push(f(row)?);
            Ok::<(), DbError>(())
        })?;
        Ok(all)
    }

    /// Every row handed to `each` as it is read: a million rows are never held at once.
    /// `each` may stop the walk with its own error.
    pub fn query_each<E: From<DbError>>(
        &self,
        sql: &str,
        args: &[Value],
        mut each: impl FnMut(&Row<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql).map_err(DbError::from)?;
                let mut rows = stmt
                    .query(rusqlite::params_from_iter(args))
                    .map_err(DbError::from)?;
                while let Some(row) = rows.next().map_err(DbError::from)? {
                    each(&Row::Sqlite(row))?;
                }
                Ok(())
            }
            Db::Postgres(c) => c.borrow_mut().query_each(sql, args, each),
        }
    }

    /// Inserts many rows into `table`: one prepared statement on SQLite, `COPY` on
    /// PostgreSQL (one round trip instead of one per row). Returns how many.
    pub fn bulk_insert(
        &self,
        table: &str,
        columns: &[&str],
        rows: &mut dyn Iterator<Item = Vec<Value>>,
    ) -> DbResult<u64> {
        match self {
            Db::Sqlite(c) => {
                let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
                let mut stmt = c.prepare_cached(&format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    columns.join(", "),
                    marks.join(", ")
                ))?;
                let mut n = 0;
                for row in rows {
                    stmt.execute(rusqlite::params_from_iter(&row))?;
                    n += 1;
                }
                Ok(n)
            }
            Db::Postgres(c) => c.borrow_mut().copy_in(table, columns, rows),
        }
    }

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`):
    /// a writer waits its turn up front instead of failing halfway when another commits.
    /// Rolled back unless committed.
    pub fn begin(&self) -> DbResult<Tx<'_>> {
        match self {
            Db::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE")?,
            Db::Postgres(c) => c.borrow_mut().batch("BEGIN")?,
        }
        Ok(Tx {
            db: self,
            done: false,
        })
    }
}

/// A transaction on a [`Db`]: statements go through it as through the connection.
pub(crate) struct Tx<'a> {
    db: &'a Db,
    done: bool,
}

impl std::ops::Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Tx<'_> {
    pub fn commit(mut self) -> DbResult<()> {
        self.done = true;
        // A server that goes away during COMMIT may have committed before it went: the
        // answer was lost, not necessarily the transaction.
        self.db.batch("COMMIT").map_err(|e| match self.db.engine() {
            Engine::Postgres if e.is_connection_lost() => DbError::InDoubt(e.to_string()),
            _ => e,
        })
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.db.batch("ROLLBACK");
        }
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
