//! Outbound policy against SSRF: which addresses and ports a target may use.
//!
//! The host is resolved once, every address is checked, and the driver is then
//! pointed at the checked address, so DNS cannot change the answer in between.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use ipnet::IpNet;

use crate::Error;

/// The same text for every refusal, so the endpoint says nothing about what
/// lies behind an address it will not contact.
const REFUSED: &str = "Connections to this host or port are not allowed by the server's policy";

/// A host that passed the policy: connect to `addr` (and name `host` for TLS).
#[derive(Debug, Clone)]
pub struct ResolvedHost {
    pub host: String,
    pub addr: SocketAddr,
}

/// Where target databases may live.
#[derive(Debug, Clone, Default)]
pub struct NetPolicy {
    /// When non-empty, every resolved address must fall in one of these.
    pub allowed: Vec<IpNet>,
    /// Refuse private, loopback and unique-local ranges (multi-tenant deployments).
    pub deny_private: bool,
    /// When non-empty, only these ports.
    pub allowed_ports: Vec<u16>,
}

impl NetPolicy {
    /// Parse `SQLAGENT_ALLOWED_HOSTS` (comma-separated CIDRs or IPs) and friends.
    /// Private, loopback and unique-local ranges are refused unless
    /// `deny_private` says otherwise; `deny_private_default` is the default
    /// (true in production, where the server's own network must stay out of reach).
    pub fn from_settings(
        allowed: Option<&str>,
        deny_private: Option<&str>,
        ports: Option<&str>,
        deny_private_default: bool,
    ) -> crate::Result<Self> {
        let allowed = allowed
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| Error::Invalid(format!("SQLAGENT_ALLOWED_HOSTS: {s:?} is not an IP or CIDR")))
            })
            .collect::<crate::Result<_>>()?;
        let deny_private = match deny_private.map(str::to_ascii_lowercase).as_deref() {
            None => deny_private_default,
            Some("1" | "true" | "yes") => true,
            Some("0" | "false" | "no") => false,
            Some(other) => {
                return Err(Error::Invalid(format!("SQLAGENT_DENY_PRIVATE_HOSTS: {other:?} is not true or false")))
            }
        };
        let allowed_ports = ports
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<u16>().map_err(|_| Error::Invalid(format!("SQLAGENT_ALLOWED_PORTS: {s:?} is not a port")))
            })
            .collect::<crate::Result<_>>()?;
        Ok(NetPolicy { allowed, deny_private, allowed_ports })
    }

    /// Resolve `host` and check the port and every address it resolves to.
    pub async fn resolve(&self, host: &str, port: u16) -> crate::Result<ResolvedHost> {
        if !self.allowed_ports.is_empty() && !self.allowed_ports.contains(&port) {
            return Err(Error::Forbidden(REFUSED.into()));
        }
        let lookup = tokio::time::timeout(Duration::from_secs(3), tokio::net::lookup_host((host, port)));
        let addrs: Vec<SocketAddr> = match lookup.await {
            Ok(Ok(it)) => it.collect(),
            _ => return Err(Error::BadRequest("Could not resolve the database host".into())),
        };
        if addrs.is_empty() {
            return Err(Error::BadRequest("Could not resolve the database host".into()));
        }
        // Every address must pass: a name that resolves to one good and one bad
        // address is refused rather than raced.
        if let Some(bad) = addrs.iter().find(|a| !self.permits(a.ip())) {
            tracing::warn!(ip = %bad.ip(), "outbound policy refused a target address");
            return Err(Error::Forbidden(REFUSED.into()));
        }
        Ok(ResolvedHost { host: host.to_owned(), addr: addrs[0] })
    }

    /// Whether one address may be contacted. An IPv6 address that carries an
    /// IPv4 one (mapped, compatible, NAT64, 6to4, Teredo) is judged as both.
    pub fn permits(&self, ip: IpAddr) -> bool {
        let mut judged = vec![ip];
        if let IpAddr::V6(v6) = ip {
            judged.extend(embedded_v4(v6).into_iter().map(IpAddr::V4));
        }
        let refused = judged.iter().any(|ip| always_refused(*ip) || (self.deny_private && is_private(*ip)));
        // An allow-list names the address as given (or the IPv4 it maps to).
        let listed = |ip: &IpAddr| self.allowed.iter().any(|net| net.contains(ip));
        !refused && (self.allowed.is_empty() || judged.iter().any(listed))
    }
}

/// The IPv4 addresses an IPv6 address carries or routes to.
fn embedded_v4(v6: Ipv6Addr) -> Vec<Ipv4Addr> {
    let s = v6.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    let mut out = Vec::new();
    if let Some(v4) = v6.to_ipv4_mapped() {
        out.push(v4);
    }
    // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks).
    if s[..6].iter().all(|x| *x == 0) && !v6.is_loopback() && !v6.is_unspecified() {
        out.push(low);
    }
    // NAT64: 64:ff9b::/96 and the local-use 64:ff9b:1::/48.
    if (s[0], s[1]) == (0x64, 0xff9b) {
        out.push(low);
    }
    // 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD.
    if s[0] == 0x2002 {
        out.push(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8));
    }
    // Teredo: 2001:0::/32, the client's address inverted in the last 32 bits,
    // the server's in bits 32–63.
    if (s[0], s[1]) == (0x2001, 0) {
        out.push(Ipv4Addr::from(!u32::from(low)));
        out.push(Ipv4Addr::new((s[2] >> 8) as u8, s[2] as u8, (s[3] >> 8) as u8, s[3] as u8));
    }
    out
}

/// Link-local (cloud metadata lives there), unspecified, multicast, broadcast,
/// reserved and "this network" addresses.
fn always_refused(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.octets()[0] == 0
                || v4.octets()[0] >= 240
        }
        IpAddr::V6(v6) => {
            v6.is_unspecified()
                || v6.is_multicast()
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || is_v6_metadata(v6)
                // discard-only 100::/64
                || (v6.segments()[..4] == [0x100, 0, 0, 0])
        }
    }
}

/// AWS's IPv6 metadata endpoint `fd00:ec2::254`.
fn is_v6_metadata(v6: Ipv6Addr) -> bool {
    v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
}

/// Loopback, private, shared (carrier-grade NAT), benchmarking and IETF
/// ranges; IPv6 loopback, unique-local and the old site-local.
fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_loopback()
                || in_v4(v4, Ipv4Addr::new(100, 64, 0, 0), 10)
                || in_v4(v4, Ipv4Addr::new(198, 18, 0, 0), 15)
                || in_v4(v4, Ipv4Addr::new(192, 0, 0, 0), 24)
        }
        IpAddr::V6(v6) => {
            v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00 || (v6.segments()[0] & 0xffc0) == 0xfec0
        }
    }
}

fn in_v4(ip: Ipv4Addr, net: Ipv4Addr, prefix: u32) -> bool {
    let mask = u32::MAX << (32 - prefix);
    (u32::from(ip) & mask) == (u32::from(net) & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn metadata_link_local_unspecified_and_multicast_are_always_refused() {
        let open = NetPolicy::default();
        for bad in [
            "169.254.169.254",
            "169.254.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "fe80::1",
            "ff02::1",
            "::ffff:169.254.169.254",
            "fd00:ec2::254",
            "0.1.2.3",
            "::169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::a9fe:a9fe",
            "2002:a9fe:a9fe::1",
            "2001:0:4136:e378:8000:63bf:5601:5601",
            "240.0.0.1",
            "100::1",
        ] {
            assert!(!open.permits(ip(bad)), "{bad}");
        }
        for good in ["127.0.0.1", "10.1.2.3", "8.8.8.8", "::1"] {
            assert!(open.permits(ip(good)), "{good}");
        }
    }

    #[test]
    fn private_ranges_can_be_denied_and_allow_lists_restrict() {
        let strict = NetPolicy::from_settings(None, Some("true"), None, false).unwrap();
        for bad in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "100.64.0.1",
            "::1",
            "fd12::1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            "fec0::1",
            "198.18.0.1",
        ] {
            assert!(!strict.permits(ip(bad)), "{bad}");
        }
        assert!(strict.permits(ip("93.184.216.34")));
        assert!(strict.permits(ip("2606:4700::1111")));
        assert!(strict.permits(ip("64:ff9b::5db8:d822")), "NAT64 of a public address");
        let production = NetPolicy::from_settings(None, None, None, true).unwrap();
        assert!(!production.permits(ip("127.0.0.1")), "production refuses private ranges by default");
        let opted_out = NetPolicy::from_settings(None, Some("false"), None, true).unwrap();
        assert!(opted_out.permits(ip("127.0.0.1")));
        assert!(NetPolicy::from_settings(None, Some("maybe"), None, true).is_err());
        let listed = NetPolicy::from_settings(Some("10.0.0.0/8, 192.0.2.7"), None, Some("5432"), false).unwrap();
        assert!(listed.permits(ip("10.9.9.9")) && listed.permits(ip("192.0.2.7")));
        assert!(!listed.permits(ip("192.0.2.8")));
        assert!(NetPolicy::from_settings(Some("not-a-net"), None, None, false).is_err());
    }

    #[tokio::test]
    async fn resolution_checks_ports_and_addresses() {
        let listed = NetPolicy::from_settings(None, None, Some("5432"), false).unwrap();
        assert!(matches!(listed.resolve("127.0.0.1", 22).await, Err(Error::Forbidden(_))));
        assert_eq!(listed.resolve("localhost", 5432).await.unwrap().addr.port(), 5432);
        let open = NetPolicy::default();
        assert!(matches!(open.resolve("169.254.169.254", 80).await, Err(Error::Forbidden(_))));
        assert!(open.resolve("no-such-host.invalid", 5432).await.is_err());
    }
}
