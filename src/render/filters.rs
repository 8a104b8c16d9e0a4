//! Template filters: generic address arithmetic only (no vendor words: those live in the
//! targets' tables). Each takes a CIDR string such as "10.1.1.0/24".

use std::str::FromStr;

use ipnetwork::IpNetwork;
use minijinja::{Error, ErrorKind};

fn parse(cidr: &str) -> Result<IpNetwork, Error> {
    IpNetwork::from_str(cidr).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("not a CIDR block {cidr:?}: {e}"),
        )
    })
}

/// "10.1.1.0/24" -> "10.1.1.0"
pub fn cidr_network(cidr: &str) -> Result<String, Error> {
    Ok(parse(cidr)?.network().to_string())
}

/// "10.1.1.5/24" -> "10.1.1.5" (the address part of address/prefix)
pub fn cidr_address(cidr: &str) -> Result<String, Error> {
    Ok(parse(cidr)?.ip().to_string())
}

/// "10.1.1.0/24" -> 24
pub fn cidr_prefix(cidr: &str) -> Result<u8, Error> {
    Ok(parse(cidr)?.prefix())
}

/// "10.1.1.0/24" -> "255.255.255.0"
pub fn cidr_netmask(cidr: &str) -> Result<String, Error> {
    Ok(parse(cidr)?.mask().to_string())
}

/// "10.1.1.0/24" -> "0.0.0.255" (Cisco / Huawei ACL wildcard)
pub fn cidr_wildcard(cidr: &str) -> Result<String, Error> {
    match parse(cidr)?.mask() {
        std::net::IpAddr::V4(m) => Ok(std::net::Ipv4Addr::from(!u32::from(m)).to_string()),
        std::net::IpAddr::V6(m) => Ok(std::net::Ipv6Addr::from(!u128::from(m)).to_string()),
    }
}

pub fn register(env: &mut minijinja::Environment<'static>) {
    env.add_filter("cidr_network", cidr_network);
    env.add_filter("cidr_address", cidr_address);
    env.add_filter("cidr_prefix", cidr_prefix);
    env.add_filter("cidr_netmask", cidr_netmask);
    env.add_filter("cidr_wildcard", cidr_wildcard);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_arithmetic() {
        assert_eq!(cidr_network("10.1.1.0/24").ok(), Some("10.1.1.0".into()));
        assert_eq!(
            cidr_address("169.254.11.2/30").ok(),
            Some("169.254.11.2".into())
        );
        assert_eq!(cidr_prefix("10.1.1.0/24").ok(), Some(24));
        assert_eq!(cidr_netmask("10.1.0.0/16").ok(), Some("255.255.0.0".into()));
        assert_eq!(cidr_wildcard("10.1.1.0/24").ok(), Some("0.0.0.255".into()));
        assert!(cidr_netmask("nope").is_err());
    }
}
