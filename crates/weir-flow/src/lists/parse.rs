//! Reading list files: plain lists, hosts files and the usual feed formats.
//!
//! One entry per line. Recognised forms, each with `#` / `;` comments (whole lines
//! or after the entry) and blank lines ignored:
//! - an address or a CIDR network: `192.0.2.7`, `198.51.100.0/24`, `2001:db8::/32`
//!   (FireHOL netsets, abuse.ch IP lists, Spamhaus DROP `1.2.3.0/24 ; SBL123`; words
//!   after the address, such as a hit count, are ignored);
//! - a domain: `bad.example` (lists of names, abuse.ch domain lists);
//! - a hosts-file line: `0.0.0.0 bad.example [more.example …]` (the sink address
//!   `0.0.0.0`, `127.0.0.1`, `::` or `::1` followed by names; `localhost` names skipped);
//! - a URL: `http://bad.example:8080/x` lists its host (URLhaus plain lists);
//! - AdBlock: `||bad.example^` lists the domain; other AdBlock rules (paths, options,
//!   exceptions) are skipped and counted, and `!` / `[Adblock …]` lines are comments.
//!
//! Anything else is a bad line: counted, the first [`MAX_REPORTED`] kept with their
//! line number for the caller to log; the rest of the file still loads.

use std::net::IpAddr;

use ipnet::IpNet;

use super::domains::is_domain;

/// Bad lines kept (with their text) per file; the rest are only counted.
pub const MAX_REPORTED: usize = 5;

/// Largest list file read (bytes).
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// What a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListKind {
    /// Addresses and networks, domains, whichever each line is.
    #[default]
    Auto,
    /// Addresses and networks only (a domain is a bad line).
    Ip,
    /// Domains only (an address is a bad line).
    Domain,
}

impl ListKind {
    /// `"auto"`, `"ip"`, `"domain"`.
    pub fn from_name(s: &str) -> Option<ListKind> {
        match s.to_ascii_lowercase().as_str() {
            "auto" | "" => Some(ListKind::Auto),
            "ip" | "ips" | "cidr" | "address" => Some(ListKind::Ip),
            "domain" | "domains" | "host" | "hosts" | "name" => Some(ListKind::Domain),
            _ => None,
        }
    }

    /// The kind's name.
    pub fn name(self) -> &'static str {
        match self {
            ListKind::Auto => "auto",
            ListKind::Ip => "ip",
            ListKind::Domain => "domain",
        }
    }
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number.
    pub line: u32,
    /// Why.
    pub reason: &'static str,
    /// The line (at most 80 characters).
    pub text: String,
}

/// What reading a list file found besides its entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Address and network entries.
    pub ips: usize,
    /// Domain entries.
    pub domains: usize,
    /// Bad lines.
    pub bad: u32,
    /// Lines of a form weir does not use (AdBlock rules with paths or options).
    pub skipped: u32,
    /// The first [`MAX_REPORTED`] bad lines.
    pub first_bad: Vec<BadLine>,
}

impl LoadReport {
    fn bad(&mut self, line: u32, reason: &'static str, text: &str) {
        self.bad = self.bad.saturating_add(1);
        if self.first_bad.len() < MAX_REPORTED {
            self.first_bad.push(BadLine {
                line,
                reason,
                text: text.chars().take(80).collect(),
            });
        }
    }
}

/// One entry of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry<'a> {
    /// An address or network.
    Net(IpNet),
    /// A domain name (as written; the sets normalise it).
    Domain(&'a str),
}

fn is_sink(ip: IpAddr) -> bool {
    ip.is_unspecified() || ip.is_loopback()
}

fn is_local_name(n: &str) -> bool {
    matches!(
        n.to_ascii_lowercase().as_str(),
        "localhost" | "localhost.localdomain" | "local" | "broadcasthost" | "0.0.0.0"
    ) || n.starts_with("ip6-")
}

/// An address or network (host bits cleared).
pub fn parse_net(s: &str) -> Option<IpNet> {
    if let Ok(n) = s.parse::<IpNet>() {
        return Some(n.trunc());
    }
    s.parse::<IpAddr>().ok().map(IpNet::from)
}

/// The host of a URL (`scheme://[user@]host[:port][/…]`).
fn url_host(s: &str) -> Option<&str> {
    let rest = s.split_once("://")?.1;
    let auth = rest.split(['/', '?', '#']).next()?;
    let host = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    if let Some(v6) = host.strip_prefix('[') {
        return v6.split_once(']').map(|(h, _)| h);
    }
    Some(host.split_once(':').map_or(host, |(h, _)| h))
}

/// One word as an entry.
fn word(w: &str) -> Option<Entry<'_>> {
    if let Some(n) = parse_net(w) {
        return Some(Entry::Net(n));
    }
    let d = w.strip_suffix('.').unwrap_or(w);
    let d = d.strip_prefix("*.").unwrap_or(d);
    // A listed name has at least two labels (a bare word is more likely a typo).
    (d.contains('.') && is_domain(d)).then_some(Entry::Domain(d))
}

/// Reads the entries of list text `text`, calling `add` for each; bad lines are
/// counted in the report.
pub fn parse_list(text: &str, kind: ListKind, mut add: impl FnMut(Entry<'_>)) -> LoadReport {
    let mut r = LoadReport::default();
    let mut put = |r: &mut LoadReport, e: Entry<'_>, n: u32, line: &str| match (&e, kind) {
        (Entry::Net(_), ListKind::Domain) => r.bad(n, "an address in a domain list", line),
        (Entry::Domain(_), ListKind::Ip) => r.bad(n, "a domain in an address list", line),
        (Entry::Net(_), _) => {
            r.ips += 1;
            add(e);
        }
        (Entry::Domain(_), _) => {
            r.domains += 1;
            add(e);
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with(['#', ';', '!', '[']) {
            continue;
        }
        if let Some(rule) = line.strip_prefix("||") {
            match rule.strip_suffix('^').filter(|d| is_domain(d)) {
                Some(d) => put(&mut r, Entry::Domain(d), n, line),
                None => r.skipped = r.skipped.saturating_add(1),
            }
            continue;
        }
        if line.starts_with("@@") || line.starts_with('|') {
            r.skipped = r.skipped.saturating_add(1);
            continue;
        }
        let body = line.split(['#', ';']).next().unwrap_or("");
        let mut words = body.split_ascii_whitespace();
        let Some(first) = words.next() else {
            continue;
        };
        if first.contains("://") {
            match url_host(first).and_then(word) {
                Some(e) => put(&mut r, e, n, line),
                None => r.bad(n, "a URL without a usable host", line),
            }
            continue;
        }
        if let Ok(ip) = first.parse::<IpAddr>()
            && is_sink(ip)
        {
            // A hosts-file line: the names after the sink address.
            let mut any = false;
            for w in words.by_ref() {
                any = true;
                if is_local_name(w) {
                    continue;
                }
                match word(w) {
                    Some(e @ Entry::Domain(_)) => put(&mut r, e, n, line),
                    _ => r.bad(n, "not a host name", line),
                }
            }
            if !any {
                put(&mut r, Entry::Net(IpNet::from(ip)), n, line);
            }
            continue;
        }
        match word(first) {
            Some(e) => put(&mut r, e, n, line),
            None => r.bad(n, "not an address, network or domain", line),
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str, kind: ListKind) -> (Vec<String>, LoadReport) {
        let mut out = Vec::new();
        let r = parse_list(text, kind, |e| {
            out.push(match e {
                Entry::Net(n) => n.to_string(),
                Entry::Domain(d) => d.to_string(),
            })
        });
        (out, r)
    }

    #[test]
    fn feed_formats() {
        let text = "\u{feff}# FireHOL netset\n\
            192.0.2.7\n\
            198.51.100.9/24 ; SBL123\n\
            2001:db8::/32\n\
            203.0.113.5\t7\n\
            ; Spamhaus comment\n\
            0.0.0.0 ads.example tracker.example # two names\n\
            127.0.0.1 localhost\n\
            bad.example.\n\
            *.wild.example\n\
            http://evil.example:8080/payload.exe\n\
            ||adblock.example^\n\
            ||adblock.example/path^$third-party\n\
            @@||allowed.example^\n\
            ! adblock comment\n\
            [Adblock Plus 2.0]\n\
            not/a/thing\n\
            \n";
        let (e, r) = entries(text, ListKind::Auto);
        assert_eq!(
            e,
            [
                "192.0.2.7/32",
                "198.51.100.0/24",
                "2001:db8::/32",
                "203.0.113.5/32",
                "ads.example",
                "tracker.example",
                "bad.example",
                "wild.example",
                "evil.example",
                "adblock.example",
            ]
        );
        assert_eq!((r.ips, r.domains, r.bad, r.skipped), (4, 6, 1, 2));
        assert_eq!(r.first_bad[0].line, 17);
    }

    #[test]
    fn kinds_reject_the_other_family() {
        let (e, r) = entries("192.0.2.1\nbad.example\n", ListKind::Ip);
        assert_eq!(e, ["192.0.2.1/32"]);
        assert_eq!(r.bad, 1);
        assert_eq!(r.first_bad[0].line, 2);
        let (e, r) = entries("192.0.2.1\nbad.example\n", ListKind::Domain);
        assert_eq!(e, ["bad.example"]);
        assert_eq!(r.first_bad[0].reason, "an address in a domain list");
    }

    #[test]
    fn many_bad_lines_keep_a_few() {
        let text = "%%%\n".repeat(1000);
        let (_, r) = entries(&text, ListKind::Auto);
        assert_eq!(r.bad, 1000);
        assert_eq!(r.first_bad.len(), MAX_REPORTED);
    }
}
