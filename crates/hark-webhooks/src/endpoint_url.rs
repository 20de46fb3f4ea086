//! Which endpoint URLs hark sends to: `http` or `https`, a host, no user name or password,
//! and (unless private networks are allowed) only globally routable addresses.
//!
//! [`check_url`] is for creating or editing an endpoint: it resolves the host once to give
//! early feedback. The deciding check happens at every delivery, on the addresses the
//! connection actually uses (see [`crate::resolver`]), so a DNS answer that changes later
//! (DNS rebinding) cannot bypass it.

use crate::address::{classify, AddressClass};
use std::io;
use std::net::IpAddr;
use url::{Host, Url};

/// Why an endpoint URL is refused.
#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    /// Not a URL at all.
    #[error("not a valid URL: {0}")]
    Parse(#[from] url::ParseError),
    /// A scheme other than http and https.
    #[error("the URL scheme {0:?} is not allowed; use https (or http)")]
    Scheme(String),
    /// No host (`http:///x`, or a scheme without hosts).
    #[error("the URL has no host")]
    MissingHost,
    /// `https://user:password@host/` — credentials belong in headers, not in a logged URL.
    #[error("the URL may not contain a user name or password")]
    Userinfo,
    /// The host name does not resolve.
    #[error("the host {host} does not resolve: {source}")]
    Resolve {
        /// The host name.
        host: String,
        /// The resolver's answer.
        #[source]
        source: io::Error,
    },
    /// The host name resolves to no address at all.
    #[error("the host {host} has no addresses")]
    NoAddresses {
        /// The host name.
        host: String,
    },
    /// The host is, or resolves to, an address the policy forbids.
    #[error("the host {host} is {addr}, {class}; webhooks to private networks are not allowed (allow_private_networks)")]
    Forbidden {
        /// The host as written in the URL.
        host: String,
        /// The forbidden address.
        addr: IpAddr,
        /// Why it is forbidden.
        class: AddressClass,
    },
}

/// Checks the form of an endpoint URL without any network access: http or https, a host,
/// no user information. IP-literal hosts are checked against the address policy here too.
pub fn parse_url(url: &str, allow_private_networks: bool) -> Result<Url, UrlError> {
    let parsed = Url::parse(url.trim())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(UrlError::Scheme(parsed.scheme().to_string()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(UrlError::Userinfo);
    }
    let literal = match parsed.host() {
        None => return Err(UrlError::MissingHost),
        Some(Host::Domain("")) => return Err(UrlError::MissingHost),
        Some(Host::Domain(_)) => None,
        Some(Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
    };
    // The HTTP client connects to IP literals directly, without asking the resolver.
    if let Some(addr) = literal {
        check_addrs(&host_text(&parsed), [addr], allow_private_networks)?;
    }
    Ok(parsed)
}

/// Checks an endpoint URL for creation: [`parse_url`], then the host name resolved and every
/// address it resolves to checked against the policy.
pub async fn check_url(url: &str, allow_private_networks: bool) -> Result<Url, UrlError> {
    let parsed = parse_url(url, allow_private_networks)?;
    if let Some(Host::Domain(domain)) = parsed.host() {
        let port = parsed.port_or_known_default().unwrap_or(443);
        let addrs = tokio::net::lookup_host((domain, port))
            .await
            .map_err(|source| UrlError::Resolve {
                host: domain.to_string(),
                source,
            })?
            .map(|socket| socket.ip());
        check_addrs(domain, addrs, allow_private_networks)?;
    }
    Ok(parsed)
}

/// Fails when `addrs` is empty or, unless private networks are allowed, holds any forbidden
/// address. One forbidden address refuses the host even when others are public: a host that
/// mixes them is either misconfigured or trying to slip through.
pub(crate) fn check_addrs(
    host: &str,
    addrs: impl IntoIterator<Item = IpAddr>,
    allow_private_networks: bool,
) -> Result<(), UrlError> {
    let mut any = false;
    for addr in addrs {
        any = true;
        if allow_private_networks {
            continue;
        }
        if let Some(class) = classify(addr) {
            return Err(UrlError::Forbidden {
                host: host.to_string(),
                addr,
                class,
            });
        }
    }
    if any {
        Ok(())
    } else {
        Err(UrlError::NoAddresses {
            host: host.to_string(),
        })
    }
}

fn host_text(url: &Url) -> String {
    url.host_str().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_with_public_hosts() {
        for url in [
            "https://hooks.example.com/hark",
            "http://hooks.example.com:8080/x?y=1",
            "https://93.184.215.14/hook",
            "https://[2606:4700:4700::1111]/hook",
            "  https://example.com/padded  ",
        ] {
            assert!(parse_url(url, false).is_ok(), "{url}");
        }
    }

    #[test]
    fn refuses_bad_forms_naming_the_problem() {
        assert!(matches!(
            parse_url("not a url", false),
            Err(UrlError::Parse(_))
        ));
        assert!(matches!(parse_url("", false), Err(UrlError::Parse(_))));
        assert!(matches!(
            parse_url("ftp://example.com/", false),
            Err(UrlError::Scheme(s)) if s == "ftp"
        ));
        assert!(matches!(
            parse_url("file:///etc/passwd", false),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(
            parse_url("https://user:pw@example.com/", false),
            Err(UrlError::Userinfo)
        ));
        assert!(matches!(
            parse_url("https://user@example.com/", false),
            Err(UrlError::Userinfo)
        ));
        let err = parse_url("gopher://x", false).expect_err("scheme");
        assert_eq!(
            err.to_string(),
            "the URL scheme \"gopher\" is not allowed; use https (or http)"
        );
    }

    #[test]
    fn refuses_forbidden_ip_literals_in_every_spelling() {
        for url in [
            "http://127.0.0.1/",
            "http://127.0.0.1./",
            "http://127.1/",
            "http://[::]/",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://0.0.0.0:8080/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/",
            "http://10.0.0.5:8080/admin",
        ] {
            assert!(
                matches!(parse_url(url, false), Err(UrlError::Forbidden { .. })),
                "{url}"
            );
            assert!(parse_url(url, true).is_ok(), "{url} with private allowed");
        }
        let err = parse_url("http://169.254.169.254/", false).expect_err("metadata");
        assert_eq!(
            err.to_string(),
            "the host 169.254.169.254 is 169.254.169.254, a cloud metadata service address; \
             webhooks to private networks are not allowed (allow_private_networks)"
        );
    }

    #[tokio::test]
    async fn check_url_resolves_names() {
        assert!(matches!(
            check_url("http://localhost:9/", false).await,
            Err(UrlError::Forbidden { host, .. }) if host == "localhost"
        ));
        assert!(check_url("http://localhost:9/", true).await.is_ok());
        assert!(matches!(
            check_url("https://no-such-host.invalid/", false).await,
            Err(UrlError::Resolve { .. })
        ));
    }

    #[test]
    fn one_forbidden_address_refuses_the_host() {
        let public: IpAddr = "93.184.215.14".parse().expect("ip");
        let private: IpAddr = "10.1.1.1".parse().expect("ip");
        assert!(check_addrs("h", [public], false).is_ok());
        assert!(matches!(
            check_addrs("h", [public, private], false),
            Err(UrlError::Forbidden { addr, .. }) if addr == private
        ));
        assert!(check_addrs("h", [public, private], true).is_ok());
        assert!(matches!(
            check_addrs("h", [], true),
            Err(UrlError::NoAddresses { .. })
        ));
    }
}
