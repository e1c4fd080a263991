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
    pub fn from_settings(
        allowed: Option<&str>,
        deny_private: Option<&str>,
        ports: Option<&str>,
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
        let deny_private = matches!(deny_private.map(str::to_ascii_lowercase).as_deref(), Some("1" | "true" | "yes"));
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

    /// Whether one address may be contacted.
    pub fn permits(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        if always_refused(ip) || (self.deny_private && is_private(ip)) {
            return false;
        }
        self.allowed.is_empty() || self.allowed.iter().any(|net| net.contains(&ip))
    }
}

/// IPv4-mapped and -compatible IPv6 addresses are judged as the IPv4 they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// Link-local (cloud metadata lives there), unspecified, multicast, broadcast.
fn always_refused(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_link_local() || v4.is_unspecified() || v4.is_multicast() || v4.is_broadcast() || v4.octets()[0] == 0
        }
        IpAddr::V6(v6) => {
            v6.is_unspecified() || v6.is_multicast() || (v6.segments()[0] & 0xffc0) == 0xfe80 || is_v6_metadata(v6)
        }
    }
}

/// AWS's IPv6 metadata endpoint `fd00:ec2::254`.
fn is_v6_metadata(v6: Ipv6Addr) -> bool {
    v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
}

fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private() || v4.is_loopback() || in_v4(v4, Ipv4Addr::new(100, 64, 0, 0), 10)
            // carrier-grade NAT
        }
        IpAddr::V6(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
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
        ] {
            assert!(!open.permits(ip(bad)), "{bad}");
        }
        for good in ["127.0.0.1", "10.1.2.3", "8.8.8.8", "::1"] {
            assert!(open.permits(ip(good)), "{good}");
        }
    }

    #[test]
    fn private_ranges_can_be_denied_and_allow_lists_restrict() {
        let strict = NetPolicy::from_settings(None, Some("true"), None).unwrap();
        for bad in
            ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "::1", "fd12::1", "::ffff:10.0.0.1"]
        {
            assert!(!strict.permits(ip(bad)), "{bad}");
        }
        assert!(strict.permits(ip("93.184.216.34")));
        let listed = NetPolicy::from_settings(Some("10.0.0.0/8, 192.0.2.7"), None, Some("5432")).unwrap();
        assert!(listed.permits(ip("10.9.9.9")) && listed.permits(ip("192.0.2.7")));
        assert!(!listed.permits(ip("192.0.2.8")));
        assert!(NetPolicy::from_settings(Some("not-a-net"), None, None).is_err());
    }

    #[tokio::test]
    async fn resolution_checks_ports_and_addresses() {
        let listed = NetPolicy::from_settings(None, None, Some("5432")).unwrap();
        assert!(matches!(listed.resolve("127.0.0.1", 22).await, Err(Error::Forbidden(_))));
        assert_eq!(listed.resolve("localhost", 5432).await.unwrap().addr.port(), 5432);
        let open = NetPolicy::default();
        assert!(matches!(open.resolve("169.254.169.254", 80).await, Err(Error::Forbidden(_))));
        assert!(open.resolve("no-such-host.invalid", 5432).await.is_err());
    }
}
