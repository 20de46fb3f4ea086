//! TLS on the listening port: HTTP/2 and HTTP/1.1 offered by ALPN, from PEM files, through the
//! same routes and error shapes.

use crate::common::TestServer;
use hark_server::{ServerConfig, TlsSettings};
use reqwest::{StatusCode, Version};

/// A self-signed certificate for `hark.test`, written as PEM files; the client trusting it.
fn tls_pair(dir: &std::path::Path) -> (TlsSettings, reqwest::Certificate) {
    let rcgen::CertifiedKey { cert, key_pair } =
        rcgen::generate_simple_self_signed(vec!["hark.test".to_string()]).expect("certificate");
    let (cert_file, key_file) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_file, cert.pem()).expect("write cert");
    std::fs::write(&key_file, key_pair.serialize_pem()).expect("write key");
    let settings = TlsSettings::from_pem_files(&cert_file, &key_file).expect("TLS settings");
    let trusted = reqwest::Certificate::from_pem(cert.pem().as_bytes()).expect("client cert");
    (settings, trusted)
}

#[tokio::test]
async fn https_offers_http2_and_http1_by_alpn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (tls, trusted) = tls_pair(dir.path());
    let srv = TestServer::start_with(ServerConfig {
        tls: Some(tls),
        ..ServerConfig::default()
    })
    .await;
    let t = srv.tenant("tls").await;
    let url = |path: &str| format!("https://hark.test:{}{path}", srv.addr.port());
    let client = |http1_only: bool| {
        let builder = reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(trusted.clone())
            .resolve("hark.test", srv.addr);
        let builder = if http1_only {
            builder.http1_only()
        } else {
            builder
        };
        builder.build().expect("client")
    };
    for (http1_only, version) in [(false, Version::HTTP_2), (true, Version::HTTP_11)] {
        let c = client(http1_only);
        let r = c.get(url("/healthz")).send().await.expect("https");
        assert_eq!((r.version(), r.status()), (version, StatusCode::OK));
        let r = c
            .get(url("/api/1/items"))
            .basic_auth(&t.api_key, Some(&t.secret))
            .send()
            .await
            .expect("https");
        assert_eq!((r.version(), r.status()), (version, StatusCode::OK));
    }
    // Cleartext to a TLS port gets no answer, not a silent downgrade.
    let plain = reqwest::Client::new().get(srv.url("/healthz")).send().await;
    assert!(plain.is_err(), "{plain:?}");
    srv.stop().await;
}

#[test]
fn unusable_pem_files_are_clear_errors_without_key_material() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, "not a certificate").expect("write");
    std::fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n",
    )
    .expect("write");
    let e = TlsSettings::from_pem_files(&cert, &key)
        .expect_err("no certificate")
        .to_string();
    assert!(
        e.contains("cert.pem") && e.contains("no certificate"),
        "{e}"
    );
    let missing = dir.path().join("missing.pem");
    let e = TlsSettings::from_pem_files(&missing, &key)
        .expect_err("missing")
        .to_string();
    assert!(e.contains("missing.pem"), "{e}");
}
