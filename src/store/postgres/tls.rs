//! The encryption of the connections to the server, as `sslmode` asks, set up once per
//! process and mode.
//!
//! The system's certificate bundle is read only by the modes that verify a certificate
//! (`verify-ca`, `verify-full`), and once: parsing it costs some 25 ms of CPU, which
//! `prefer` and `require`, which check nothing, have no reason to pay at every start of a
//! command. Hence openssl used directly: native-tls, the usual way, reads the bundle
//! (twice) for every connector it builds, whatever the mode.

use super::{SslMode, Tls};
use openssl::ssl::{Ssl, SslConnector, SslContext, SslContextBuilder, SslMethod, SslVerifyMode};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect};

/// What makes the TLS session of each connection of one target: the context built for its
/// settings (none when `sslmode=disable`: the client never asks for TLS then).
#[derive(Clone)]
pub(crate) struct MakeTls {
    context: Option<SslContext>,
    /// `verify-full`: the certificate must name the host connected to.
    verify_host: bool,
}

impl Tls {
    /// The maker of TLS sessions for these settings, or why there is none (an unreadable
    /// authority file), naming the store as `shown`.
    pub(crate) fn maker(&self, shown: &str) -> Result<MakeTls, String> {
        Ok(MakeTls {
            context: match self.mode {
                SslMode::Disable => None,
                _ => Some(self.context(shown)?),
            },
            verify_host: self.mode == SslMode::VerifyFull,
        })
    }

    /// The context for these settings, built once per process (every connection of every
    /// store shares it, reconnections included).
    fn context(&self, shown: &str) -> Result<SslContext, String> {
        static BUILT: std::sync::Mutex<Vec<(Tls, SslContext)>> = std::sync::Mutex::new(Vec::new());
        let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, context)) = built.iter().find(|(tls, _)| tls == self) {
            return Ok(context.clone());
        }
        let context = self.build(shown)?;
        built.push((self.clone(), context.clone()));
        Ok(context)
    }

    fn build(&self, shown: &str) -> Result<SslContext, String> {
        let unavailable =
            |e: openssl::error::ErrorStack| format!("{shown} : TLS indisponible ({e})");
        if !matches!(self.mode, SslMode::VerifyCa | SslMode::VerifyFull) {
            return unverified_context().map_err(unavailable);
        }
        // openssl's connector: its settings, and the system's authorities (read here).
        let mut builder = SslConnector::builder(SslMethod::tls()).map_err(unavailable)?;
        if let Some(path) = &self.root_cert {
            let pem = std::fs::read(path)
                .map_err(|e| format!("{shown} : sslrootcert {} illisible ({e})", path.display()))?;
            let not_pem = |e: openssl::error::ErrorStack| {
                format!(
                    "{shown} : sslrootcert {} n'est pas un certificat PEM ({e})",
                    path.display()
                )
            };
            let certs = openssl::x509::X509::stack_from_pem(&pem).map_err(not_pem)?;
            if certs.is_empty() {
                return Err(format!(
                    "{shown} : sslrootcert {} n'est pas un certificat PEM (aucun certificat)",
                    path.display()
                ));
            }
            for cert in certs {
                // A certificate the system already trusts is no error.
                let _ = builder.cert_store_mut().add_cert(cert);
            }
        }
        Ok(builder.build().into_context())
    }
}

/// A context that checks nothing (`prefer`, `require`): openssl's connector settings
/// (protocols, ciphers, the modes an asynchronous stream needs), without its authorities.
fn unverified_context() -> Result<SslContext, openssl::error::ErrorStack> {
    use openssl::ssl::{SslMode as Mode, SslOptions};
    let mut builder = SslContextBuilder::new(SslMethod::tls_client())?;
    let mut options = SslOptions::ALL
        | SslOptions::NO_COMPRESSION
        | SslOptions::NO_SSLV2
        | SslOptions::NO_SSLV3
        | SslOptions::SINGLE_DH_USE
        | SslOptions::SINGLE_ECDH_USE;
    options &= !SslOptions::DONT_INSERT_EMPTY_FRAGMENTS;
    builder.set_options(options);
    // A write retried after the socket was full may come from another buffer.
    builder.set_mode(
        Mode::AUTO_RETRY
            | Mode::ACCEPT_MOVING_WRITE_BUFFER
            | Mode::ENABLE_PARTIAL_WRITE
            | Mode::RELEASE_BUFFERS,
    );
    builder.set_cipher_list(
        "DEFAULT:!aNULL:!eNULL:!MD5:!3DES:!DES:!RC4:!IDEA:!SEED:!aDSS:!SRP:!PSK",
    )?;
    builder.set_verify(SslVerifyMode::NONE);
    Ok(builder.build())
}

/// The TLS session of one connection, about to shake hands; none when `sslmode=disable`
/// (the client library asks for one all the same, and never uses it then).
pub(crate) struct Handshake {
    ssl: Option<Ssl>,
}

impl MakeTlsConnect<tokio_postgres::Socket> for MakeTls {
    type Stream = TlsStream;
    type TlsConnect = Handshake;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn make_tls_connect(&mut self, domain: &str) -> Result<Handshake, Self::Error> {
        let Some(context) = self.context.as_ref() else {
            return Ok(Handshake { ssl: None });
        };
        let mut ssl = Ssl::new(context)?;
        // The client library names no host on a socket: nothing to name nor to check.
        if !domain.is_empty() {
            let address = domain.parse::<std::net::IpAddr>();
            if address.is_err() {
                ssl.set_hostname(domain)?;
            }
            if self.verify_host {
                let param = ssl.param_mut();
                param.set_hostflags(openssl::x509::verify::X509CheckFlags::NO_PARTIAL_WILDCARDS);
                match address {
                    Ok(ip) => param.set_ip(ip)?,
                    Err(_) => param.set_host(domain)?,
                }
            }
        }
        Ok(Handshake { ssl: Some(ssl) })
    }
}

impl TlsConnect<tokio_postgres::Socket> for Handshake {
    type Stream = TlsStream;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future = Pin<Box<dyn Future<Output = Result<TlsStream, Self::Error>> + Send>>;

    fn connect(self, socket: tokio_postgres::Socket) -> Self::Future {
        Box::pin(async move {
            let ssl = self.ssl.ok_or("TLS demandé avec sslmode=disable")?;
            let mut stream = tokio_openssl::SslStream::new(ssl, socket)?;
            match Pin::new(&mut stream).connect().await {
                Ok(()) => Ok(TlsStream(stream)),
                Err(e) => {
                    // Why the certificate was refused, in parentheses after openssl's words,
                    // as native-tls said it (the messages read it there).
                    let verdict = stream.ssl().verify_result();
                    let text = if verdict == openssl::x509::X509VerifyResult::OK {
                        e.to_string()
                    } else {
                        format!("{e} ({})", verdict.error_string())
                    };
                    Err(text.into())
                }
            }
        })
    }
}

/// An encrypted connection.
pub(crate) struct TlsStream(tokio_openssl::SslStream<tokio_postgres::Socket>);

impl AsyncRead for TlsStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl tokio_postgres::tls::TlsStream for TlsStream {
    /// The server certificate's digest, which SCRAM binds the login to (`tls-server-end-point`,
    /// RFC 5929): a man in the middle with another certificate cannot relay the password
    /// exchange.
    fn channel_binding(&self) -> ChannelBinding {
        use openssl::hash::MessageDigest;
        use openssl::nid::Nid;
        let digest = (|| {
            let cert = self.0.ssl().peer_certificate()?;
            let algorithms = cert
                .signature_algorithm()
                .object()
                .nid()
                .signature_algorithms()?;
            // RFC 5929: MD5 and SHA-1 are replaced by SHA-256.
            let md = match algorithms.digest {
                Nid::MD5 | Nid::SHA1 => MessageDigest::sha256(),
                nid => MessageDigest::from_nid(nid)?,
            };
            cert.digest(md).ok().map(|d| d.to_vec())
        })();
        match digest {
            Some(d) => ChannelBinding::tls_server_end_point(d),
            None => ChannelBinding::none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls(mode: SslMode) -> Tls {
        Tls {
            mode,
            root_cert: None,
        }
    }

    /// The same openssl context (its address), not a second one alike.
    fn same(a: &SslContext, b: &SslContext) -> bool {
        let (a, b): (&openssl::ssl::SslContextRef, &openssl::ssl::SslContextRef) = (a, b);
        std::ptr::eq(a, b)
    }

    #[test]
    fn a_context_is_built_once_per_process_and_mode() {
        let a = tls(SslMode::Require).context("s").unwrap();
        assert!(same(&a, &tls(SslMode::Require).context("s").unwrap()));
        let verified = tls(SslMode::VerifyCa).context("s").unwrap();
        assert!(!same(&a, &verified));
        assert!(same(
            &verified,
            &tls(SslMode::VerifyCa).context("s").unwrap()
        ));
    }

    #[test]
    fn a_mode_that_verifies_nothing_trusts_no_authority() {
        // The store of a `require` context is empty: the system's bundle was not read.
        let context = tls(SslMode::Require).context("s").unwrap();
        assert!(context.cert_store().all_certificates().is_empty());
        // Where a mode verifies, the system's authorities are there (read once, above).
        let verified = tls(SslMode::VerifyFull).context("s").unwrap();
        assert!(!verified.cert_store().all_certificates().is_empty());
        assert!(tls(SslMode::Disable).maker("s").unwrap().context.is_none());
    }

    #[test]
    fn an_unreadable_authority_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        let with = |path: &std::path::Path| Tls {
            mode: SslMode::VerifyCa,
            root_cert: Some(path.to_path_buf()),
        };
        let e = with(&path).build("srv").err().unwrap();
        assert!(
            e.starts_with("srv : sslrootcert ") && e.contains("illisible"),
            "{e}"
        );
        std::fs::write(&path, "pas un certificat").unwrap();
        let e = with(&path).build("srv").err().unwrap();
        assert!(e.contains("n'est pas un certificat PEM"), "{e}");
    }
}
