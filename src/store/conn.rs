//! One connection to either engine, and the little the store's queries need of it: run a
//! statement, read rows, hold a transaction.

use super::db::{DbError, DbResult, Engine, Row, Value};
use super::postgres::PgConn;
use std::cell::RefCell;

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
