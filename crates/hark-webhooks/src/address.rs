//! Which IP addresses a webhook may not be sent to.
//!
//! A webhook URL is chosen by a project member, and hark sends requests to it from inside the
//! operator's network: without a policy, an endpoint such as `http://169.254.169.254/` or
//! `http://10.0.0.5:8080/admin` would make hark a proxy into that network (SSRF). By default
//! every address that is not globally routable is refused: loopback, private, link-local,
//! shared (CGNAT), unspecified, multicast, broadcast, documentation, benchmarking and reserved
//! ranges, unique-local IPv6, cloud metadata services, and IPv6 addresses that embed such an
//! IPv4 address (mapped, NAT64, 6to4). `allow_private_networks` lifts the policy, for
//! operators whose receivers live on their own network.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressClass {
    /// 127.0.0.0/8, ::1.
    Loopback,
    /// 10/8, 172.16/12, 192.168/16, fec0::/10 (site-local), 64:ff9b:1::/48.
    Private,
    /// 100.64.0.0/10 (carrier-grade NAT).
    SharedCgnat,
    /// 169.254.0.0/16, fe80::/10.
    LinkLocal,
    /// 0.0.0.0/8, ::.
    Unspecified,
    /// 224.0.0.0/4, ff00::/8.
    Multicast,
    /// 255.255.255.255.
    Broadcast,
    /// 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20.
    Documentation,
    /// fc00::/7.
    UniqueLocal,
    /// Instance metadata services of cloud providers (AWS, GCP, Azure, Oracle, Alibaba).
    CloudMetadata,
    /// Benchmarking, protocol assignments, reserved and deprecated ranges.
    Reserved,
}

impl AddressClass {
    /// A short description for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            AddressClass::Loopback => "a loopback address",
            AddressClass::Private => "a private network address",
            AddressClass::SharedCgnat => "a shared (carrier-grade NAT) address",
            AddressClass::LinkLocal => "a link-local address",
            AddressClass::Unspecified => "the unspecified address",
            AddressClass::Multicast => "a multicast address",
            AddressClass::Broadcast => "the broadcast address",
            AddressClass::Documentation => "a documentation address",
            AddressClass::UniqueLocal => "a unique-local IPv6 address",
            AddressClass::CloudMetadata => "a cloud metadata service address",
            AddressClass::Reserved => "a reserved address",
        }
    }
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Metadata services, checked before the ranges that contain some of them.
const METADATA: [IpAddr; 7] = [
    // AWS, GCP, Azure, Oracle, OpenStack: IMDS.
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    // AWS ECS task metadata.
    IpAddr::V4(Ipv4Addr::new(169, 254, 170, 2)),
    // Azure wire server (a public address).
    IpAddr::V4(Ipv4Addr::new(168, 63, 129, 16)),
    // Alibaba Cloud.
    IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),
    // Oracle Cloud (legacy).
    IpAddr::V4(Ipv4Addr::new(192, 0, 0, 192)),
    // AWS IMDS and DNS over IPv6.
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x254)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x23)),
];

/// IPv4 ranges, most specific first where they nest (broadcast inside 240/4).
const V4_RANGES: [(Ipv4Addr, u8, AddressClass); 16] = [
    (Ipv4Addr::new(0, 0, 0, 0), 8, AddressClass::Unspecified),
    (Ipv4Addr::new(10, 0, 0, 0), 8, AddressClass::Private),
    (Ipv4Addr::new(100, 64, 0, 0), 10, AddressClass::SharedCgnat),
    (Ipv4Addr::new(127, 0, 0, 0), 8, AddressClass::Loopback),
    (Ipv4Addr::new(169, 254, 0, 0), 16, AddressClass::LinkLocal),
    (Ipv4Addr::new(172, 16, 0, 0), 12, AddressClass::Private),
    (Ipv4Addr::new(192, 0, 0, 0), 24, AddressClass::Reserved),
    (Ipv4Addr::new(192, 0, 2, 0), 24, AddressClass::Documentation),
    (Ipv4Addr::new(192, 88, 99, 0), 24, AddressClass::Reserved),
    (Ipv4Addr::new(192, 168, 0, 0), 16, AddressClass::Private),
    (Ipv4Addr::new(198, 18, 0, 0), 15, AddressClass::Reserved),
    (
        Ipv4Addr::new(198, 51, 100, 0),
        24,
        AddressClass::Documentation,
    ),
    (
        Ipv4Addr::new(203, 0, 113, 0),
        24,
        AddressClass::Documentation,
    ),
    (Ipv4Addr::new(224, 0, 0, 0), 4, AddressClass::Multicast),
    (
        Ipv4Addr::new(255, 255, 255, 255),
        32,
        AddressClass::Broadcast,
    ),
    (Ipv4Addr::new(240, 0, 0, 0), 4, AddressClass::Reserved),
];

/// IPv6 ranges that do not embed an IPv4 address (those are handled by [`embedded_v4`]).
const V6_RANGES: [(Ipv6Addr, u8, AddressClass); 12] = [
    (Ipv6Addr::UNSPECIFIED, 128, AddressClass::Unspecified),
    (Ipv6Addr::LOCALHOST, 128, AddressClass::Loopback),
    // IPv4-compatible addresses (deprecated), after the two above.
    (Ipv6Addr::UNSPECIFIED, 96, AddressClass::Reserved),
    (
        Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
        48,
        AddressClass::Private,
    ),
    (
        Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0),
        64,
        AddressClass::Reserved,
    ),
    (
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        AddressClass::Documentation,
    ),
    // IETF protocol assignments, Teredo included.
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        23,
        AddressClass::Reserved,
    ),
    (
        Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),
        20,
        AddressClass::Documentation,
    ),
    (
        Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
        7,
        AddressClass::UniqueLocal,
    ),
    (
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0),
        10,
        AddressClass::LinkLocal,
    ),
    (
        Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0),
        10,
        AddressClass::Private,
    ),
    (
        Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0),
        8,
        AddressClass::Multicast,
    ),
];

/// The class that makes `ip` forbidden, or `None` for a globally routable address.
pub fn classify(ip: IpAddr) -> Option<AddressClass> {
    if METADATA.contains(&ip) {
        return Some(AddressClass::CloudMetadata);
    }
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            // An embedded public address is as reachable as the address itself; 6to4 and
            // NAT64 of a public address stay allowed.
            Some(v4) => classify(IpAddr::V4(v4)),
            None => V6_RANGES
                .iter()
                .find(|(net, len, _)| contains(IpAddr::V6(*net), *len, ip))
                .map(|(_, _, class)| *class),
        },
    }
}

/// Whether a request to `ip` is refused under the policy.
pub fn is_forbidden(ip: IpAddr, allow_private_networks: bool) -> bool {
    !allow_private_networks && classify(ip).is_some()
}

fn classify_v4(v4: Ipv4Addr) -> Option<AddressClass> {
    V4_RANGES
        .iter()
        .find(|(net, len, _)| contains(IpAddr::V4(*net), *len, IpAddr::V4(v4)))
        .map(|(_, _, class)| *class)
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:0:0/96`), NAT64 (`64:ff9b::/96`) or 6to4
/// (`2002::/16`) address, which is where a packet to it ends up.
fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    let o = v6.octets();
    let nat64 = Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0);
    if contains(IpAddr::V6(nat64), 96, IpAddr::V6(v6)) {
        return Some(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    if o[0] == 0x20 && o[1] == 0x02 {
        return Some(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    None
}

fn contains(net: IpAddr, prefix_len: u8, ip: IpAddr) -> bool {
    // The tables hold valid prefix lengths; an invalid one matches nothing.
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(_)) => Ipv4Net::new(n, prefix_len)
            .map(|n| IpNet::V4(n).contains(&ip))
            .unwrap_or(false),
        (IpAddr::V6(n), IpAddr::V6(_)) => Ipv6Net::new(n, prefix_len)
            .map(|n| IpNet::V6(n).contains(&ip))
            .unwrap_or(false),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AddressClass::*;

    #[test]
    fn classifies_the_table() {
        let table: &[(&str, Option<AddressClass>)] = &[
            // Public.
            ("93.184.215.14", None),
            ("8.8.8.8", None),
            ("1.1.1.1", None),
            ("100.63.255.255", None),
            ("100.128.0.0", None),
            ("172.15.255.255", None),
            ("172.32.0.0", None),
            ("192.0.1.1", None),
            ("198.20.0.1", None),
            ("223.255.255.255", None),
            ("2606:4700:4700::1111", None),
            ("2a00:1450:4001:82b::200e", None),
            ("::ffff:8.8.8.8", None),
            ("64:ff9b::808:808", None),
            ("2002:808:808::1", None),
            // IPv4.
            ("127.0.0.1", Some(Loopback)),
            ("127.255.255.254", Some(Loopback)),
            ("10.0.0.1", Some(Private)),
            ("172.16.0.1", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("192.168.1.1", Some(Private)),
            ("100.64.0.1", Some(SharedCgnat)),
            ("100.127.255.255", Some(SharedCgnat)),
            ("169.254.1.1", Some(LinkLocal)),
            ("0.0.0.0", Some(Unspecified)),
            ("0.1.2.3", Some(Unspecified)),
            ("224.0.0.1", Some(Multicast)),
            ("239.255.255.250", Some(Multicast)),
            ("255.255.255.255", Some(Broadcast)),
            ("240.0.0.1", Some(Reserved)),
            ("192.0.0.8", Some(Reserved)),
            ("198.18.0.1", Some(Reserved)),
            ("198.19.255.255", Some(Reserved)),
            ("192.0.2.1", Some(Documentation)),
            ("198.51.100.7", Some(Documentation)),
            ("203.0.113.9", Some(Documentation)),
            // Metadata services.
            ("169.254.169.254", Some(CloudMetadata)),
            ("169.254.170.2", Some(CloudMetadata)),
            ("168.63.129.16", Some(CloudMetadata)),
            ("100.100.100.200", Some(CloudMetadata)),
            ("192.0.0.192", Some(CloudMetadata)),
            ("fd00:ec2::254", Some(CloudMetadata)),
            ("::ffff:169.254.169.254", Some(CloudMetadata)),
            // IPv6.
            ("::1", Some(Loopback)),
            ("::", Some(Unspecified)),
            ("::7f00:1", Some(Reserved)),
            ("fe80::1", Some(LinkLocal)),
            ("febf::1", Some(LinkLocal)),
            ("fec0::1", Some(Private)),
            ("fc00::1", Some(UniqueLocal)),
            ("fd12:3456:789a::1", Some(UniqueLocal)),
            ("ff02::1", Some(Multicast)),
            ("2001:db8::1", Some(Documentation)),
            ("3fff::1", Some(Documentation)),
            ("2001::1", Some(Reserved)),
            ("100::1", Some(Reserved)),
            ("64:ff9b:1::a00:1", Some(Private)),
            // IPv4 inside IPv6.
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:10.1.2.3", Some(Private)),
            ("::ffff:192.168.0.1", Some(Private)),
            ("::ffff:0.0.0.0", Some(Unspecified)),
            ("64:ff9b::7f00:1", Some(Loopback)),
            ("64:ff9b::a9fe:a9fe", Some(CloudMetadata)),
            ("2002:7f00:1::1", Some(Loopback)),
            ("2002:c0a8:101::1", Some(Private)),
        ];
        for (text, expected) in table {
            let ip: IpAddr = text.parse().expect("test addresses parse");
            assert_eq!(classify(ip), *expected, "{text}");
            assert_eq!(is_forbidden(ip, false), expected.is_some(), "{text}");
            assert!(
                !is_forbidden(ip, true),
                "{text} with private networks allowed"
            );
        }
    }

    #[test]
    fn descriptions_read_as_phrases() {
        assert_eq!(Loopback.to_string(), "a loopback address");
        assert_eq!(
            CloudMetadata.to_string(),
            "a cloud metadata service address"
        );
    }
}
