//! SMTP (RFC 5321), IMAP (RFC 9051) and POP3 (RFC 1939): banners and first commands.

use super::starts_with_ci;

/// Mail protocol recognised from a banner or command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailProto {
    /// SMTP.
    Smtp,
    /// IMAP.
    Imap,
    /// POP3.
    Pop3,
}

/// Recognises a server greeting: `220 ` + ESMTP/SMTP/mail words (SMTP), `* OK` (IMAP),
/// `+OK` (POP3). FTP also greets with `220`, so a bare `220` is SMTP only if the line
/// mentions SMTP or mail.
pub fn probe_banner(p: &[u8]) -> Option<MailProto> {
    if p.starts_with(b"* OK") || p.starts_with(b"* PREAUTH") {
        return Some(MailProto::Imap);
    }
    if p.starts_with(b"+OK") {
        return Some(MailProto::Pop3);
    }
    if p.starts_with(b"220") && matches!(p.get(3), Some(b' ' | b'-')) {
        let line = p.split(|&b| b == b'\n').next().unwrap_or(p);
        let upper = line.iter().take(200);
        let mut win = [0u8; 4];
        for (i, b) in upper.enumerate() {
            win.rotate_left(1);
            if let Some(last) = win.last_mut() {
                *last = b.to_ascii_uppercase();
            }
            if i >= 3 && (&win == b"SMTP" || &win == b"MAIL") {
                return Some(MailProto::Smtp);
            }
        }
    }
    None
}

/// Recognises a client command typical of the first packets of each protocol.
pub fn probe_command(p: &[u8]) -> Option<MailProto> {
    for c in [&b"EHLO "[..], b"HELO ", b"MAIL FROM:", b"STARTTLS"] {
        if starts_with_ci(p, c) {
            return Some(MailProto::Smtp);
        }
    }
    for c in [&b"USER "[..], b"CAPA", b"APOP ", b"STLS"] {
        if starts_with_ci(p, c) {
            return Some(MailProto::Pop3);
        }
    }
    // IMAP: a tag then a command.
    let mut parts = p.splitn(3, |&b| b == b' ');
    let tag = parts.next().unwrap_or(&[]);
    let cmd = parts.next().unwrap_or(&[]);
    if !tag.is_empty() && tag.len() <= 10 && tag.iter().all(u8::is_ascii_alphanumeric) {
        for c in [&b"LOGIN"[..], b"CAPABILITY", b"STARTTLS", b"AUTHENTICATE"] {
            if cmd.len() >= c.len() && starts_with_ci(cmd, c) {
                return Some(MailProto::Imap);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banners_and_commands() {
        assert_eq!(
            probe_banner(b"220 mx.example.com ESMTP Postfix\r\n"),
            Some(MailProto::Smtp)
        );
        assert_eq!(probe_banner(b"220 ProFTPD Server\r\n"), None);
        assert_eq!(
            probe_banner(b"* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n"),
            Some(MailProto::Imap)
        );
        assert_eq!(probe_banner(b"+OK POP3 ready\r\n"), Some(MailProto::Pop3));
        assert_eq!(probe_command(b"EHLO client\r\n"), Some(MailProto::Smtp));
        assert_eq!(probe_command(b"a001 LOGIN u p\r\n"), Some(MailProto::Imap));
        assert_eq!(probe_command(b"GET / HTTP/1.1"), None);
    }
}
