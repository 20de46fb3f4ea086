//! Optional TLS for users without a proxy in front: rustls with the certificate chain and key
//! from PEM files, offering HTTP/2 and HTTP/1.1 by ALPN (so browsers and SDKs get HTTP/2 over
//! `https://`, and older clients HTTP/1.1).

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

/// Why TLS could not be set up; names the file, never prints key material.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read or holds nothing usable.
    #[error("TLS {what} file {path}: {reason}")]
    File {
        /// `certificate` or `key`.
        what: &'static str,
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// rustls refused the pair (the key does not match the certificate, say).
    #[error("TLS certificate and key: {0}")]
    Config(#[source] rustls::Error),
}

/// A TLS acceptor, built once at start-up and shared by every connection.
#[derive(Clone)]
pub struct TlsSettings {
    acceptor: TlsAcceptor,
}

impl std::fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsSettings { alpn: [h2, http/1.1] }")
    }
}

impl TlsSettings {
    /// From a PEM certificate chain (leaf first) and a PEM private key (PKCS#8, PKCS#1 or
    /// SEC1).
    pub fn from_pem_files(cert_file: &Path, key_file: &Path) -> Result<Self, TlsError> {
        let file_error = |what, path: &Path, reason: String| TlsError::File {
            what,
            path: path.display().to_string(),
            reason,
        };
        let chain = CertificateDer::pem_file_iter(cert_file)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| file_error("certificate", cert_file, e.to_string()))?;
        if chain.is_empty() {
            return Err(file_error(
                "certificate",
                cert_file,
                "no certificate in it".into(),
            ));
        }
        // The error of a key file never carries its content.
        let key = PrivateKeyDer::from_pem_file(key_file)
            .map_err(|_| file_error("key", key_file, "no readable PEM private key".into()))?;
        Self::new(chain, key)
    }

    /// From a certificate chain and its key, in DER.
    pub fn new(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Self, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Config)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(TlsError::Config)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }

    /// The acceptor connections go through.
    pub(crate) fn acceptor(&self) -> &TlsAcceptor {
        &self.acceptor
    }
}
