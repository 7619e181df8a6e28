//! TLS as libpq's `sslmode` describes it, with rustls.
//!
//! | sslmode       | TLS                          | certificate checked                                   |
//! |---------------|------------------------------|-------------------------------------------------------|
//! | `disable`     | never                        | —                                                     |
//! | `allow`       | treated as `prefer`          | as `prefer`                                           |
//! | `prefer`      | if the server offers it      | chain only if a root certificate file exists, else no |
//! | `require`     | always                       | chain only if a root certificate file exists, else no |
//! | `verify-ca`   | always                       | chain against the root certificates                   |
//! | `verify-full` | always                       | chain and host name                                   |
//!
//! Root certificates come from `sslrootcert` (default `~/.postgresql/root.crt`), or from the
//! system store with `sslrootcert=system` (which needs `verify-full`, as in libpq). Even when the
//! certificate is not checked, the server must prove it holds the certificate's key. Unix-socket
//! connections never use TLS (PostgreSQL does not offer it there).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use super::words::describe_io;

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    /// Reads an `sslmode` value; `None` when it is not one of libpq's six.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    /// The libpq spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// True when a connection without TLS is acceptable.
    pub(crate) fn allows_plain(self) -> bool {
        matches!(self, SslMode::Disable | SslMode::Allow | SslMode::Prefer)
    }

    /// True when the certificate chain must be checked whatever files exist.
    fn verifies(self) -> bool {
        matches!(self, SslMode::VerifyCa | SslMode::VerifyFull)
    }

    /// The mode tokio-postgres should negotiate with.
    pub(crate) fn negotiation(self) -> tokio_postgres::config::SslMode {
        match self {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Allow | SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                tokio_postgres::config::SslMode::Require
            }
        }
    }
}

/// Where trusted root certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RootCert {
    /// A PEM file; it may not exist (then nothing is verified, unless the mode demands it).
    File(PathBuf),
    /// The operating system's store (`sslrootcert=system`).
    System,
}

/// The rustls configuration for `mode` and `root`; `None` for `sslmode=disable`.
pub(crate) fn client_config(
    mode: SslMode,
    root: &RootCert,
) -> Result<Option<ClientConfig>, String> {
    if mode == SslMode::Disable {
        return Ok(None);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = verifier(mode, root, &provider)?;
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("cannot set up TLS: {error}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Some(config))
}

fn verifier(
    mode: SslMode,
    root: &RootCert,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, String> {
    let Some(roots) = load_roots(mode, root)? else {
        return Ok(Arc::new(AnyCertificate {
            algorithms: provider.signature_verification_algorithms,
        }));
    };
    let full = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(provider))
        .build()
        .map_err(|error| format!("cannot set up certificate verification: {error}"))?;
    Ok(if mode == SslMode::VerifyFull {
        full
    } else {
        Arc::new(ChainOnly { full })
    })
}

/// The trusted roots, or `None` when there are none and the mode does not need them.
fn load_roots(mode: SslMode, root: &RootCert) -> Result<Option<RootCertStore>, String> {
    match root {
        RootCert::System => system_roots().map(Some),
        RootCert::File(path) if path.exists() => file_roots(path).map(Some),
        RootCert::File(path) if mode.verifies() => Err(format!(
            "root certificate file {} does not exist (sslmode={} needs one: set sslrootcert or PGSSLROOTCERT)",
            path.display(),
            mode.as_str()
        )),
        RootCert::File(_) => Ok(None),
    }
}

fn file_roots(path: &Path) -> Result<RootCertStore, String> {
    let unreadable = |error: &dyn std::fmt::Display| {
        format!(
            "cannot read root certificate file {}: {error}",
            path.display()
        )
    };
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|error| unreadable(&error))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| unreadable(&error))?;
    let mut roots = RootCertStore::empty();
    for certificate in certificates {
        roots.add(certificate).map_err(|error| unreadable(&error))?;
    }
    if roots.is_empty() {
        return Err(format!(
            "root certificate file {} holds no certificates",
            path.display()
        ));
    }
    Ok(roots)
}

fn system_roots() -> Result<RootCertStore, String> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        let why = found
            .errors
            .first()
            .map(|error| format!(": {error}"))
            .unwrap_or_default();
        return Err(format!(
            "no certificates found in the system certificate store (sslrootcert=system){why}"
        ));
    }
    Ok(roots)
}

/// Accepts any certificate (sslmode `prefer`/`require` without root certificates), but still
/// checks the handshake signatures, so the server must hold the certificate's key.
#[derive(Debug)]
struct AnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Checks the chain against the roots but not the host name (`verify-ca`).
#[derive(Debug)]
struct ChainOnly {
    full: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // The full verifier checks the name only after the chain, so a name error means the
        // chain itself is good.
        match self.full.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.full.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.full.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.full.supported_verify_schemes()
    }
}

/// Why a TLS handshake failed, in words, from the error tokio-postgres reports.
pub(crate) fn describe_failure(
    source: Option<&(dyn std::error::Error + 'static)>,
    mode: SslMode,
) -> String {
    let Some(source) = source else {
        return "the TLS handshake failed".to_owned();
    };
    let io_error = source.downcast_ref::<std::io::Error>();
    let rustls_error = io_error
        .and_then(|io| io.get_ref())
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .or_else(|| source.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls::Error::InvalidCertificate(error)) => {
            format!(
                "certificate verification failed (sslmode={}): {}",
                mode.as_str(),
                describe_certificate_error(error)
            )
        }
        Some(rustls::Error::AlertReceived(alert)) => {
            format!("the server ended the TLS handshake ({alert:?})")
        }
        Some(error) => error.to_string(),
        None if source.to_string() == "server does not support TLS" => {
            format!(
                "the server does not support TLS, and sslmode={} requires it",
                mode.as_str()
            )
        }
        None => io_error.map_or_else(|| source.to_string(), describe_io),
    }
}

fn describe_certificate_error(error: &CertificateError) -> String {
    match error {
        CertificateError::UnknownIssuer => {
            "the certificate is not signed by a trusted root certificate".to_owned()
        }
        CertificateError::NotValidForName => {
            "the certificate is not valid for this host name".to_owned()
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "the certificate has expired".to_owned()
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "the certificate is not valid yet".to_owned()
        }
        CertificateError::Revoked => "the certificate has been revoked".to_owned(),
        CertificateError::BadSignature => "the certificate's signature is invalid".to_owned(),
        CertificateError::BadEncoding => "the certificate is malformed".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tls")
            .join(name)
    }

    fn server_certificate() -> CertificateDer<'static> {
        CertificateDer::from_pem_file(fixture("server.pem")).unwrap()
    }

    fn name(text: &str) -> ServerName<'static> {
        ServerName::try_from(text.to_owned()).unwrap()
    }

    fn check(mode: SslMode, root: &RootCert, host: &str) -> Result<(), String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = verifier(mode, root, &provider)?;
        verifier
            .verify_server_cert(
                &server_certificate(),
                &[],
                &name(host),
                &[],
                UnixTime::now(),
            )
            .map(|_| ())
            .map_err(|error| match error {
                rustls::Error::InvalidCertificate(error) => describe_certificate_error(&error),
                other => other.to_string(),
            })
    }

    #[test]
    fn sslmode_round_trips_and_rejects_unknown_values() {
        for text in [
            "disable",
            "allow",
            "prefer",
            "require",
            "verify-ca",
            "verify-full",
        ] {
            assert_eq!(SslMode::parse(text).unwrap().as_str(), text);
        }
        assert_eq!(SslMode::parse("on"), None);
        assert_eq!(SslMode::parse("Require"), None);
    }

    #[test]
    fn allow_and_prefer_negotiate_like_prefer() {
        use tokio_postgres::config::SslMode as Wire;
        assert_eq!(SslMode::Allow.negotiation(), Wire::Prefer);
        assert_eq!(SslMode::Prefer.negotiation(), Wire::Prefer);
        assert_eq!(SslMode::VerifyCa.negotiation(), Wire::Require);
        assert!(SslMode::Prefer.allows_plain() && !SslMode::Require.allows_plain());
    }

    #[test]
    fn verify_full_checks_chain_and_name() {
        let ca = RootCert::File(fixture("ca.pem"));
        assert_eq!(check(SslMode::VerifyFull, &ca, "localhost"), Ok(()));
        assert_eq!(check(SslMode::VerifyFull, &ca, "127.0.0.1"), Ok(()));
        let wrong_name = check(SslMode::VerifyFull, &ca, "db.example.com").unwrap_err();
        assert!(
            wrong_name.contains("db.example.com") && wrong_name.contains("localhost"),
            "{wrong_name}"
        );
        let other = RootCert::File(fixture("other-ca.pem"));
        assert_eq!(
            check(SslMode::VerifyFull, &other, "localhost"),
            Err("the certificate is not signed by a trusted root certificate".to_owned())
        );
    }

    #[test]
    fn verify_ca_checks_the_chain_but_not_the_name() {
        let ca = RootCert::File(fixture("ca.pem"));
        assert_eq!(check(SslMode::VerifyCa, &ca, "db.example.com"), Ok(()));
        let other = RootCert::File(fixture("other-ca.pem"));
        assert_eq!(
            check(SslMode::VerifyCa, &other, "localhost"),
            Err("the certificate is not signed by a trusted root certificate".to_owned())
        );
    }

    #[test]
    fn require_verifies_only_when_a_root_file_exists() {
        let missing = RootCert::File(fixture("no-such-root.crt"));
        assert_eq!(check(SslMode::Require, &missing, "anything"), Ok(()));
        let other = RootCert::File(fixture("other-ca.pem"));
        assert!(check(SslMode::Require, &other, "localhost").is_err());
        assert!(check(SslMode::Prefer, &other, "localhost").is_err());
    }

    #[test]
    fn verify_modes_need_a_root_file() {
        let missing = fixture("no-such-root.crt");
        assert_eq!(
            check(
                SslMode::VerifyCa,
                &RootCert::File(missing.clone()),
                "localhost"
            ),
            Err(format!(
                "root certificate file {} does not exist (sslmode=verify-ca needs one: set sslrootcert or PGSSLROOTCERT)",
                missing.display()
            ))
        );
        let not_pem = fixture("README.md");
        assert_eq!(
            check(
                SslMode::VerifyFull,
                &RootCert::File(not_pem.clone()),
                "localhost"
            ),
            Err(format!(
                "root certificate file {} holds no certificates",
                not_pem.display()
            ))
        );
    }

    #[test]
    fn disable_needs_no_configuration() {
        assert!(
            client_config(SslMode::Disable, &RootCert::System)
                .unwrap()
                .is_none()
        );
        assert!(
            client_config(SslMode::Prefer, &RootCert::File(fixture("none")))
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn failure_descriptions() {
        let refused: Box<dyn std::error::Error + Send + Sync> =
            "server does not support TLS".into();
        assert_eq!(
            describe_failure(Some(refused.as_ref()), SslMode::Require),
            "the server does not support TLS, and sslmode=require requires it"
        );
        let untrusted = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        );
        assert_eq!(
            describe_failure(Some(&untrusted), SslMode::VerifyCa),
            "certificate verification failed (sslmode=verify-ca): the certificate is not signed by a trusted root certificate"
        );
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(
            describe_failure(Some(&reset), SslMode::Require),
            "connection reset by the server"
        );
    }
}
