//! The client's address behind a reverse proxy (`OHGOV_TRUSTED_PROXIES`): what the sign-in
//! throttle and the forgot-password limit key on, so that every client behind one proxy is not
//! one address.

use std::net::{IpAddr, SocketAddr};

/// The client's address: when the peer is a trusted proxy, the right-most address in
/// `X-Forwarded-For` that is not itself a trusted proxy; otherwise the peer. Entries left of that
/// one were written by the client and are never believed; an entry that is not an address (where
/// only a trusted proxy can have written it) gives the peer, so that no made-up text becomes a key.
pub fn address(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let entries = forwarded_for.iter().flat_map(|value| value.split(',')).map(str::trim).filter(|e| !e.is_empty());
    for entry in entries.collect::<Vec<_>>().into_iter().rev() {
        match parse_entry(entry) {
            Some(ip) if trusted.contains(&ip) => continue,
            Some(ip) => return ip,
            None => return peer,
        }
    }
    peer
}

/// An `X-Forwarded-For` entry: `192.0.2.7`, `2001:db8::1`, or either with a port
/// (`192.0.2.7:5100`, `[2001:db8::1]:5100`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| entry.strip_prefix('[').and_then(|e| e.strip_suffix(']')).and_then(|e| e.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    const PROXY: &str = "10.0.0.5";

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        assert_eq!(address(ip("203.0.113.9"), &["198.51.100.1"], &[ip(PROXY)]), ip("203.0.113.9"));
        assert_eq!(address(ip("203.0.113.9"), &["198.51.100.1"], &[]), ip("203.0.113.9"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_entry_is_the_client() {
        let trusted = [ip(PROXY), ip("10.0.0.6")];
        assert_eq!(address(ip(PROXY), &["198.51.100.1"], &trusted), ip("198.51.100.1"));
        // The client's own claim (left) is not believed; the address the proxy saw (right) is.
        assert_eq!(address(ip(PROXY), &["1.2.3.4, 198.51.100.1"], &trusted), ip("198.51.100.1"));
        // Two proxies in a row: both are skipped.
        assert_eq!(address(ip(PROXY), &["1.2.3.4, 198.51.100.1, 10.0.0.6"], &trusted), ip("198.51.100.1"));
        // Several headers read as one list, in order.
        assert_eq!(address(ip(PROXY), &["1.2.3.4", "198.51.100.1"], &trusted), ip("198.51.100.1"));
        assert_eq!(address(ip(PROXY), &["2001:db8::7"], &trusted), ip("2001:db8::7"));
        assert_eq!(address(ip(PROXY), &["[2001:db8::7]:5100"], &trusted), ip("2001:db8::7"));
        assert_eq!(address(ip(PROXY), &["198.51.100.1:5100"], &trusted), ip("198.51.100.1"));
    }

    #[test]
    fn no_usable_entry_leaves_the_peer() {
        let trusted = [ip(PROXY)];
        assert_eq!(address(ip(PROXY), &[], &trusted), ip(PROXY));
        assert_eq!(address(ip(PROXY), &[" , "], &trusted), ip(PROXY));
        assert_eq!(address(ip(PROXY), &["10.0.0.5"], &trusted), ip(PROXY));
        assert_eq!(address(ip(PROXY), &["1.2.3.4, unknown"], &trusted), ip(PROXY));
    }
}
