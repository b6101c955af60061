//! NTP (RFC 5905) header recognition.

/// NTP header fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ntp {
    /// Version (1..=4).
    pub version: u8,
    /// Mode (1..=7: 3 client, 4 server, 5 broadcast, 6 control, 7 private).
    pub mode: u8,
    /// Stratum.
    pub stratum: u8,
}

/// Parses an NTP header: at least 48 bytes (control/private modes may be shorter),
/// version 1..=4.
pub fn parse(p: &[u8]) -> Option<Ntp> {
    let first = *p.first()?;
    let version = (first >> 3) & 0x7;
    let mode = first & 0x7;
    if !(1..=4).contains(&version) || mode == 0 {
        return None;
    }
    if p.len() < 48 && mode < 6 {
        return None;
    }
    Some(Ntp {
        version,
        mode,
        stratum: p.get(1).copied().unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_packet() {
        let mut p = [0u8; 48];
        p[0] = 0x23;
        assert_eq!(
            parse(&p),
            Some(Ntp {
                version: 4,
                mode: 3,
                stratum: 0
            })
        );
        assert_eq!(parse(&p[..10]), None);
        assert_eq!(parse(&[]), None);
    }
}
