//! One connection to the server, driven by guichet itself rather than by the synchronous
//! client: every wait on the server has a deadline, and the server's notifications arrive
//! on the same connection as the queries.
//!
//! The client library is asynchronous; a small runtime of the connection's own (one
//! thread: the caller's) runs each exchange to its end, or to its deadline. Between two
//! exchanges nothing runs: what the server sends meanwhile (a notification that another
//! console wrote) waits in the socket, and [`Session::hear`] reads it without waiting.

use super::CHANGES_CHANNEL;
use super::tls::{MakeTls, TlsStream};
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio_postgres::{AsyncMessage, Client, Connection, Socket};

/// How long a closing connection may take to say goodbye to the server.
const CLOSE_WAIT: Duration = Duration::from_millis(500);

/// A live connection to the server.
pub(crate) struct Session {
    /// `None` once closing: dropping the client is what tells the connection to end.
    client: Option<Client>,
    connection: Connection<Socket, TlsStream>,
    /// Notifications of writes heard and not yet taken.
    heard: i64,
    /// The connection ended (the server closed it, or it broke).
    ended: bool,
    /// Last: the connection's socket is dropped before its runtime.
    runtime: tokio::runtime::Runtime,
}

/// Why an exchange with the server gave no answer.
pub(crate) enum Failed {
    /// The server's error, or the connection's.
    Db(tokio_postgres::Error),
    /// Nothing came from the server within the patience given.
    Silent(Duration),
    /// This machine could not even try (no runtime: too many open files).
    Local(String),
}

impl From<tokio_postgres::Error> for Failed {
    fn from(e: tokio_postgres::Error) -> Self {
        Failed::Db(e)
    }
}

impl Session {
    /// Connects as `config` says (one host), TLS as `tls` makes it. The whole attempt (the
    /// socket, TLS, the start of the session, the login) gives up after `limit`: the
    /// client library's own timeout covers only the socket, and a server that takes the
    /// socket and never answers held it forever.
    pub fn connect(
        config: &tokio_postgres::Config,
        tls: MakeTls,
        limit: Duration,
    ) -> Result<Session, Failed> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| Failed::Local(e.to_string()))?;
        let attempt =
            runtime.block_on(async { tokio::time::timeout(limit, config.connect(tls)).await });
        match attempt {
            Ok(Ok((client, connection))) => Ok(Session {
                client: Some(client),
                connection,
                heard: 0,
                ended: false,
                runtime,
            }),
            Ok(Err(e)) => Err(Failed::Db(e)),
            Err(_) => Err(Failed::Silent(limit)),
        }
    }

    /// Runs one exchange, `op` on the client, to its end. The connection is driven
    /// meanwhile (the request sent, the answer read, notifications counted). Gives up when
    /// nothing answered for `patience` (`None`: waits as long as it takes); the exchange
    /// then stays unfinished and the connection must not be used again.
    pub fn run<'a, T, Fut>(
        &'a mut self,
        patience: Option<Duration>,
        op: impl FnOnce(&'a Client) -> Fut,
    ) -> Result<T, Failed>
    where
        Fut: Future<Output = Result<T, tokio_postgres::Error>>,
    {
        let Session {
            client,
            connection,
            heard,
            ended,
            runtime,
        } = self;
        let client: &'a Option<Client> = client;
        let Some(client) = client.as_ref() else {
            return Err(Failed::Local("connexion fermée".into()));
        };
        let mut op = pin!(op(client));
        runtime.block_on(async {
            let mut silence = None;
            poll_fn(|cx| {
                if let Err(e) = drive(connection, heard, ended, cx) {
                    return Poll::Ready(Err(Failed::Db(e)));
                }
                if let Poll::Ready(done) = op.as_mut().poll(cx) {
                    return Poll::Ready(done.map_err(Failed::Db));
                }
                let Some(limit) = patience else {
                    return Poll::Pending;
                };
                // The timer is made only when the answer is not already there (a row read
                // from what arrived costs no timer).
                let timer = silence.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                timer.as_mut().poll(cx).map(|()| Err(Failed::Silent(limit)))
            })
            .await
        })
    }

    /// The notifications of writes that arrived since last asked, read from what the
    /// server already sent, without waiting for more.
    pub fn hear(&mut self) -> i64 {
        // Once round the runtime's loop: it looks at the socket (without waiting), and
        // the connection reads what it found.
        let _ = self.run(None, |_| async {
            tokio::task::yield_now().await;
            Ok(())
        });
        std::mem::take(&mut self.heard)
    }

    /// The connection is over: the server closed it, or it broke.
    pub fn is_ended(&self) -> bool {
        self.ended || self.client.as_ref().is_none_or(Client::is_closed)
    }

    /// Says goodbye to the server (it then logs no broken connection), briefly: a server
    /// that does not take it is left as it is.
    pub fn close(mut self) {
        if self.is_ended() {
            return;
        }
        self.client = None;
        let Session {
            connection,
            runtime,
            ..
        } = &mut self;
        runtime.block_on(async {
            let ended = poll_fn(|cx| {
                loop {
                    match connection.poll_message(cx) {
                        Poll::Ready(Some(Ok(_))) => {}
                        Poll::Ready(_) => return Poll::Ready(()),
                        Poll::Pending => return Poll::Pending,
                    }
                }
            });
            let _ = tokio::time::timeout(CLOSE_WAIT, ended).await;
        });
    }
}

/// Lets the connection do what it can without waiting: send what the client asked,
/// read what the server sent, count the notifications of writes among it.
fn drive(
    connection: &mut Connection<Socket, TlsStream>,
    heard: &mut i64,
    ended: &mut bool,
    cx: &mut Context<'_>,
) -> Result<(), tokio_postgres::Error> {
    while !*ended {
        match connection.poll_message(cx) {
            Poll::Ready(Some(Ok(AsyncMessage::Notification(n)))) => {
                if n.channel() == CHANGES_CHANNEL {
                    *heard += 1;
                }
            }
            // A notice (a warning of the server): nothing the store acts on.
            Poll::Ready(Some(Ok(_))) => {}
            Poll::Ready(Some(Err(e))) => {
                *ended = true;
                return Err(e);
            }
            Poll::Ready(None) => *ended = true,
            Poll::Pending => break,
        }
    }
    Ok(())
}
