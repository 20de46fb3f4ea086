//! The DNS resolver of the delivery client: the system resolver, with the address policy
//! applied to its answer at connect time.
//!
//! Checking a host name when the endpoint is created is not enough: its DNS record can point
//! somewhere else by the time hark connects (DNS rebinding). The HTTP client asks this resolver
//! for every new connection, so the addresses checked are the addresses connected to.

use crate::endpoint_url::check_addrs;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Resolves with the operating system (`getaddrinfo`, via tokio) and fails with a
/// [`UrlError::Forbidden`](crate::UrlError::Forbidden) when any address is forbidden.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PolicyResolver;

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            // The connector sets the port; 0 is a placeholder.
            let addrs: Vec<_> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            check_addrs(&host, addrs.iter().map(|a| a.ip()), false)?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UrlError;
    use std::str::FromStr;

    #[tokio::test]
    async fn refuses_names_that_resolve_to_loopback() {
        let name = Name::from_str("localhost").expect("a valid name");
        let err = match PolicyResolver.resolve(name).await {
            Ok(_) => panic!("localhost must be refused"),
            Err(e) => e,
        };
        assert!(matches!(
            err.downcast_ref::<UrlError>(),
            Some(UrlError::Forbidden { .. })
        ));
    }
}
