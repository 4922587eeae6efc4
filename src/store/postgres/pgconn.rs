//! The store's connection to the server: one session for its queries and, on a console,
//! for the notifications that another console wrote; re-made in the background when it
//! is lost, after waits that grow ([`super::Backoff`]).
//!
//! While there is no session every query says at once why (unreachable, full, slow): the
//! caller never waits on a reconnection. A server that stops answering is given up after
//! the store's patience ([`PgTarget::patience`]) with « serveur lent : … », whatever it
//! was doing: a backend stopped (`kill -STOP`) enforces no timeout of its own.

use super::PgTarget;
use super::backoff::Backoff;
use super::open::{Settings, slow_sentence};
use super::session::{Failed, Session};
use crate::store::db::{DbError, DbResult, Row, Value, postgres_sql};
use std::collections::HashMap;
use std::future::poll_fn;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::Duration;

/// One connection to the server, re-made in the background when it drops.
pub(crate) struct PgConn {
    target: PgTarget,
    settings: Settings,
    session: Option<Session>,
    /// The session listens to the notifications of writes.
    listening: bool,
    /// Long work (migrations): no statement timeout, no patience.
    unhurried: bool,
    statements: HashMap<String, tokio_postgres::Statement>,
    /// Writes heard (another console, or this one), and sessions re-made (what happened
    /// meanwhile is unknown).
    changes: i64,
    /// A transaction is open: a lost connection is not replaced under it (the rest of the
    /// transaction would run outside of it).
    in_transaction: bool,
    /// The session being re-made, and why there is none.
    reconnecting: Option<Reconnecting>,
    lost: Option<String>,
}

/// The thread that re-makes the session, and what it says.
struct Reconnecting {
    news: Receiver<News>,
    /// Dropped with the store: the thread stops waiting and ends.
    _stop: Sender<()>,
}

enum News {
    /// An attempt failed, and why (the latest reason is the one shown).
    Failed(String),
    /// A session (boxed: it is large, a failure small), and whether it listens.
    Connected(Box<Session>, bool),
}

impl Drop for PgConn {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            session.close();
        }
    }
}

impl PgConn {
    /// Connects now: a server that cannot be reached is an error at once.
    pub fn open(target: &PgTarget) -> DbResult<PgConn> {
        let settings = Settings {
            lock_timeout: crate::store::wait::busy_timeout(),
            listen: false,
        };
        let session = target.session(&settings).map_err(DbError::Unreachable)?;
        Ok(PgConn {
            target: target.clone(),
            settings,
            session: Some(session),
            listening: false,
            unhurried: false,
            statements: HashMap::new(),
            changes: 0,
            in_transaction: false,
            reconnecting: None,
            lost: None,
        })
    }

    /// Why the server cannot be used now, while it cannot.
    pub fn lost(&self) -> Option<&str> {
        self.lost.as_deref()
    }

    /// How long an answer is waited for.
    fn patience(&self) -> Option<Duration> {
        if self.unhurried {
            return None;
        }
        self.target.patience(&self.settings)
    }

    /// From now on, a lock another connection holds is waited for at most `limit`, on
    /// this session and those that replace it.
    pub fn set_lock_timeout(&mut self, limit: Duration) -> DbResult<()> {
        self.settings.lock_timeout = limit;
        self.batch(&format!("SET lock_timeout = {}", limit.as_millis()))
    }

    /// Long work (migrations that build indexes) runs without a statement timeout and
    /// without the store's patience; back to both when `on` is false.
    pub fn set_unhurried(&mut self, on: bool) -> DbResult<()> {
        if on {
            self.batch("SET statement_timeout = 0")?;
            self.unhurried = true;
            Ok(())
        } else {
            self.unhurried = false;
            // Back to the session's value, the one sent with the login.
            self.batch("RESET statement_timeout")
        }
    }

    /// The session, re-made if the background thread succeeded; an error at once while
    /// there is none.
    fn session(&mut self) -> DbResult<&mut Session> {
        if self.session.is_none() {
            self.take_reconnected();
        }
        match self.session.as_mut() {
            Some(s) => Ok(s),
            None => Err(DbError::Unreachable(self.lost.clone().unwrap_or_else(
                || format!("{} : serveur injoignable", self.target.shown),
            ))),
        }
    }

    /// Installs a session the background thread made (never inside a transaction), and
    /// takes the latest reason it could not.
    fn take_reconnected(&mut self) {
        if self.in_transaction {
            return;
        }
        let Some(reconnecting) = &self.reconnecting else {
            self.start_reconnecting();
            return;
        };
        loop {
            match reconnecting.news.try_recv() {
                Ok(News::Failed(why)) => self.lost = Some(why),
                Ok(News::Connected(session, listening)) => {
                    self.reconnecting = None;
                    self.session = Some(*session);
                    self.listening = listening;
                    self.lost = None;
                    // What happened while away is unknown: the console reads everything
                    // again.
                    self.changes += 1;
                    return;
                }
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.reconnecting = None;
                    return;
                }
            }
        }
    }

    fn start_reconnecting(&mut self) {
        let (news_tx, news) = std::sync::mpsc::channel();
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let target = self.target.clone();
        let settings = self.settings.clone();
        std::thread::spawn(move || {
            let mut backoff = Backoff::new();
            loop {
                // A wait first, even after the loss: the consoles that lost the server
                // together do not all ask it again at the same instant.
                match stopped.recv_timeout(backoff.next_wait()) {
                    Err(RecvTimeoutError::Timeout) => {}
                    // The store was dropped: nobody waits for this session.
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                }
                let news = match target.session(&settings) {
                    Ok(session) => News::Connected(Box::new(session), settings.listen),
                    Err(why) => News::Failed(why),
                };
                let connected = matches!(news, News::Connected(..));
                if news_tx.send(news).is_err() || connected {
                    return;
                }
            }
        });
        self.reconnecting = Some(Reconnecting { news, _stop: stop });
    }

    /// Gives the session up (lost, or silent), saying why until another is made.
    fn drop_session(&mut self, why: String) {
        // A session given up is not closed politely: it is broken, or its server silent.
        self.session = None;
        self.listening = false;
        self.statements.clear();
        if self.lost.is_none() {
            self.lost = Some(why);
        }
    }

    /// The store's error for an exchange that failed; a session lost or silent is given up.
    /// `may_write`: the statement may have written outside a transaction, so that a
    /// silence leaves it in doubt.
    fn failed(&mut self, failed: Failed, may_write: bool) -> DbError {
        match failed {
            Failed::Db(e) => self.check(e.into()),
            Failed::Silent(waited) => {
                let why = slow_sentence(&self.target.shown, waited);
                self.drop_session(why.clone());
                if may_write && !self.in_transaction {
                    DbError::InDoubt(why)
                } else {
                    DbError::Unreachable(why)
                }
            }
            Failed::Local(why) => {
                let why = format!("{} : {why}", self.target.shown);
                self.drop_session(why.clone());
                DbError::Unreachable(why)
            }
        }
    }

    /// Notes a lost connection from the error it gave, and passes the error on (a write a
    /// standby refused in the words of a standby).
    fn check(&mut self, e: DbError) -> DbError {
        if let Some(standby) = super::standby_refusal(&self.target, &e) {
            return standby;
        }
        if e.is_connection_lost() || self.session.as_ref().is_some_and(Session::is_ended) {
            let why = format!("{} : connexion perdue ({e})", self.target.shown);
            self.drop_session(why);
            return DbError::Unreachable(self.lost.clone().unwrap_or_default());
        }
        e
    }

    fn statement(&mut self, sql: &str) -> DbResult<tokio_postgres::Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let translated = postgres_sql(sql);
        let patience = self.patience();
        let prepared = self.session()?.run(patience, |c| c.prepare(&translated));
        let statement = prepared.map_err(|f| self.failed(f, false))?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    pub fn execute(&mut self, sql: &str, args: &[Value]) -> DbResult<u64> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = args
            .iter()
            .map(|a| a as &(dyn tokio_postgres::types::ToSql + Sync))
            .collect();
        let patience = self.patience();
        let result = self
            .session()?
            .run(patience, |c| c.execute(&statement, &params));
        result.map_err(|f| self.failed(f, may_write(sql)))
    }

    pub fn batch(&mut self, sql: &str) -> DbResult<()> {
        let word = sql.trim().to_ascii_uppercase();
        let ends = word == "COMMIT" || word == "ROLLBACK";
        if word == "ROLLBACK" && self.session.is_none() {
            // The server already ended the transaction with the connection.
            self.in_transaction = false;
            return Ok(());
        }
        let patience = self.patience();
        let session = match self.session() {
            Ok(s) => s,
            Err(e) => {
                if ends {
                    self.in_transaction = false;
                }
                return Err(e);
            }
        };
        let result = session.run(patience, |c| c.batch_execute(sql));
        let failed = result.err().map(|f| self.failed(f, may_write(sql)));
        if word == "BEGIN" {
            self.in_transaction = failed.is_none();
        } else if ends {
            self.in_transaction = false;
        }
        failed.map_or(Ok(()), Err)
    }

    pub fn query_each<E: From<DbError>>(
        &mut self,
        sql: &str,
        args: &[Value],
        mut each: impl FnMut(&Row<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let statement = self.statement(sql)?;
        let patience = self.patience();
        let session = self.session()?;
        // `each`'s own error stops the walk; the server's is looked at once the rows are
        // dropped.
        let mut stopped = None;
        let walked = (|| -> Result<(), Failed> {
            let rows = session.run(patience, |c| c.query_raw(&statement, args.iter()))?;
            let mut rows = Box::pin(rows);
            loop {
                let next = session.run(patience, |_| {
                    poll_fn(|cx| {
                        futures_util::Stream::poll_next(rows.as_mut(), cx).map(Option::transpose)
                    })
                })?;
                let Some(row) = next else {
                    return Ok(());
                };
                if let Err(e) = each(&Row::Postgres(&row)) {
                    stopped = Some(e);
                    return Ok(());
                }
            }
        })();
        if let Some(e) = stopped {
            return Err(e);
        }
        walked.map_err(|f| self.failed(f, may_write(sql)).into())
    }

    /// Sends rows to `table` with `COPY … FROM STDIN`, in one stream. The statement may
    /// run longer than the statement timeout (a catalogue, a desk copied whole); the
    /// store's patience still bounds each wait on the server.
    pub fn copy_in(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &mut dyn Iterator<Item = Vec<Value>>,
    ) -> DbResult<u64> {
        use futures_util::SinkExt;
        let sql = format!("COPY {table} ({}) FROM STDIN", columns.join(", "));
        let in_transaction = self.in_transaction;
        self.batch(if in_transaction {
            "SET LOCAL statement_timeout = 0"
        } else {
            "SET statement_timeout = 0"
        })?;
        let patience = self.patience();
        let session = self.session()?;
        let copied = (|| -> Result<u64, Failed> {
            let sink = session.run(patience, |c| c.copy_in::<_, bytes::Bytes>(&sql))?;
            let mut sink = Box::pin(sink);
            let mut line = Vec::with_capacity(256);
            let mut buffer = Vec::with_capacity(64 * 1024);
            for row in rows {
                line.clear();
                crate::store::db::copy_line(&row, &mut line);
                buffer.extend_from_slice(&line);
                if buffer.len() >= 60 * 1024 {
                    let chunk = bytes::Bytes::from(std::mem::take(&mut buffer));
                    session.run(patience, |_| sink.send(chunk))?;
                    buffer.reserve(64 * 1024);
                }
            }
            let chunk = bytes::Bytes::from(buffer);
            session.run(patience, |_| sink.send(chunk))?;
            session.run(patience, |_| sink.as_mut().finish())
        })();
        let copied = copied.map_err(|f| self.failed(f, true));
        // A transaction's SET LOCAL ends with it; a session's is taken back.
        if !in_transaction && self.session.is_some() {
            let reset = self.batch("RESET statement_timeout");
            if copied.is_ok() {
                reset?;
            }
        }
        copied
    }

    /// How many notifications of a write have come so far: it moves when another console
    /// wrote, and when the session was re-made (what happened meanwhile is unknown). The
    /// first ask starts listening, on the session the queries use (a command never asks:
    /// it never listens); then asking reads what the server already sent, without a
    /// statement and without waiting. An error while the server cannot be used.
    pub fn changes(&mut self) -> DbResult<i64> {
        self.settings.listen = true;
        let patience = self.patience();
        // LISTEN in a transaction would be undone by its rollback: after it, then.
        let listen = !self.listening && !self.in_transaction;
        let session = self.session()?;
        if listen {
            let sql = format!("LISTEN {}", super::CHANGES_CHANNEL);
            if let Err(f) = session.run(patience, |c| c.batch_execute(&sql)) {
                return Err(self.failed(f, false));
            }
            self.listening = true;
            // Whatever was written before listening is read again.
            self.changes += 1;
        }
        let session = self.session()?;
        let heard = session.hear();
        let ended = session.is_ended();
        self.changes += heard;
        if ended {
            self.drop_session(format!("{} : connexion perdue", self.target.shown));
            self.take_reconnected();
            return Err(DbError::Unreachable(self.lost.clone().unwrap_or_default()));
        }
        Ok(self.changes)
    }
}

/// Whether a statement may have written something: all but reads.
fn may_write(sql: &str) -> bool {
    let word = sql
        .trim_start()
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    !matches!(
        word.as_str(),
        "SELECT" | "SHOW" | "BEGIN" | "ROLLBACK" | "LISTEN" | "SET" | "RESET"
    )
}
