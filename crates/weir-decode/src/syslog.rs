//! Syslog messages (RFC 3164 and RFC 5424) and TCP framing (RFC 6587).
//!
//! [`parse_syslog`] accepts what collectors meet in practice, following the grammar of
//! ntopng's syslog collector: `{TIMESTAMP;HOST; }<PRI>{TIMESTAMP DEVICE} APP{[PID]}{: }CONTENT`
//! for BSD-style messages, and the full RFC 5424 header when the version digit follows
//! the priority. The only hard requirement is the `<PRI>`; everything else is optional
//! and borrowed from the input. [`SyslogFramer`] splits a TCP byte stream into messages
//! by octet counting or by newlines, with a size limit.

use std::fmt;

/// Most bytes of one message weir accepts (larger ones are refused and counted).
pub const MAX_SYSLOG_MESSAGE: usize = 64 * 1024;

/// Which header format a message used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyslogFormat {
    /// BSD syslog (RFC 3164) or a loose variant of it.
    Rfc3164,
    /// RFC 5424.
    Rfc5424,
}

/// A parsed syslog message; every field borrows from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyslogMessage<'a> {
    /// Header format.
    pub format: SyslogFormat,
    /// PRI: facility × 8 + severity.
    pub priority: u8,
    /// The `HOST` of a `TIMESTAMP;HOST; ` prefix some relays add before `<PRI>`.
    pub relay_host: Option<&'a str>,
    /// Timestamp as written.
    pub timestamp: Option<&'a str>,
    /// Host name (RFC 5424 HOSTNAME, RFC 3164 HOSTNAME/"device").
    pub hostname: Option<&'a str>,
    /// Application (RFC 5424 APP-NAME, RFC 3164 TAG).
    pub app_name: Option<&'a str>,
    /// Process id.
    pub proc_id: Option<&'a str>,
    /// RFC 5424 MSGID.
    pub msg_id: Option<&'a str>,
    /// RFC 5424 structured data, as written (brackets included).
    pub structured_data: Option<&'a str>,
    /// The message body.
    pub content: &'a [u8],
}

impl SyslogMessage<'_> {
    /// Facility (0–23).
    pub fn facility(&self) -> u8 {
        self.priority / 8
    }

    /// Severity (0 emergency – 7 debug).
    pub fn severity(&self) -> u8 {
        self.priority % 8
    }

    /// The producer the message goes to when no explicit mapping applies: `fortinet`
    /// for FortiGate's `date=` lines, else the application name in lower case.
    pub fn default_producer(&self) -> Option<String> {
        if self.content.starts_with(b"date=") {
            return Some("fortinet".into());
        }
        self.app_name.map(str::to_ascii_lowercase)
    }
}

/// Why a message could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SyslogError {
    /// Empty message.
    Empty,
    /// No `<PRI>` at the start (after an optional relay prefix).
    NoPriority,
    /// `<PRI>` is not a number from 0 to 191.
    BadPriority,
    /// Longer than [`MAX_SYSLOG_MESSAGE`].
    TooLong,
    /// Not valid UTF-8 in a header field.
    BadHeader,
}

impl fmt::Display for SyslogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SyslogError::Empty => "empty message",
            SyslogError::NoPriority => "no <PRI> at the start of the message",
            SyslogError::BadPriority => "<PRI> is not a number from 0 to 191",
            SyslogError::TooLong => "message longer than 64 KiB",
            SyslogError::BadHeader => "header is not valid UTF-8",
        })
    }
}

impl std::error::Error for SyslogError {}

fn trim_end(mut b: &[u8]) -> &[u8] {
    while let Some((&last, rest)) = b.split_last() {
        if matches!(last, b'\n' | b'\r' | 0) {
            b = rest;
        } else {
            break;
        }
    }
    b
}

fn utf8(b: &[u8]) -> Result<&str, SyslogError> {
    std::str::from_utf8(b).map_err(|_| SyslogError::BadHeader)
}

/// Splits off the next space-delimited token.
fn token(b: &[u8]) -> (&[u8], &[u8]) {
    match b.iter().position(|&c| c == b' ') {
        Some(i) => (b.get(..i).unwrap_or(b), b.get(i + 1..).unwrap_or(&[])),
        None => (b, &[]),
    }
}

/// `-` is RFC 5424's nil value.
fn nil(s: &str) -> Option<&str> {
    (s != "-" && !s.is_empty()).then_some(s)
}

/// Parses one syslog message (without TCP framing).
///
/// # Errors
/// A message without a valid `<PRI>`, or over [`MAX_SYSLOG_MESSAGE`] bytes.
///
/// # Panics
/// Never.
pub fn parse_syslog(msg: &[u8]) -> Result<SyslogMessage<'_>, SyslogError> {
    if msg.len() > MAX_SYSLOG_MESSAGE {
        return Err(SyslogError::TooLong);
    }
    let msg = trim_end(msg);
    if msg.is_empty() {
        return Err(SyslogError::Empty);
    }
    // Optional relay prefix "TIMESTAMP;HOST; " before <PRI>.
    let (relay_host, rest) = if msg.first() == Some(&b'<') {
        (None, msg)
    } else {
        let lt = msg
            .iter()
            .take(256)
            .position(|&c| c == b'<')
            .ok_or(SyslogError::NoPriority)?;
        let prefix = utf8(msg.get(..lt).unwrap_or(&[]))?;
        let mut parts = prefix.split(';').map(str::trim);
        let host = match (parts.next(), parts.next()) {
            (Some(_ts), Some(h)) if !h.is_empty() => Some(h),
            _ => return Err(SyslogError::NoPriority),
        };
        (host, msg.get(lt..).unwrap_or(&[]))
    };
    let gt = rest
        .iter()
        .take(5)
        .position(|&c| c == b'>')
        .ok_or(SyslogError::NoPriority)?;
    let digits = rest.get(1..gt).unwrap_or(&[]);
    if digits.is_empty() || digits.len() > 3 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(SyslogError::BadPriority);
    }
    let pri = digits
        .iter()
        .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    let priority = u8::try_from(pri)
        .ok()
        .filter(|p| *p <= 191)
        .ok_or(SyslogError::BadPriority)?;
    let body = rest.get(gt + 1..).unwrap_or(&[]);
    let mut m = SyslogMessage {
        format: SyslogFormat::Rfc3164,
        priority,
        relay_host,
        timestamp: None,
        hostname: None,
        app_name: None,
        proc_id: None,
        msg_id: None,
        structured_data: None,
        content: body,
    };
    // RFC 5424: a version number (1..999) followed by a space.
    let (ver, after_ver) = token(body);
    if !ver.is_empty()
        && ver.len() <= 3
        && ver.iter().all(u8::is_ascii_digit)
        && ver.first() != Some(&b'0')
    {
        m.format = SyslogFormat::Rfc5424;
        parse_5424(after_ver, &mut m)?;
    } else {
        parse_3164(body, &mut m)?;
    }
    Ok(m)
}

fn parse_5424<'a>(b: &'a [u8], m: &mut SyslogMessage<'a>) -> Result<(), SyslogError> {
    let (ts, b) = token(b);
    let (host, b) = token(b);
    let (app, b) = token(b);
    let (pid, b) = token(b);
    let (mid, b) = token(b);
    m.timestamp = nil(utf8(ts)?);
    m.hostname = nil(utf8(host)?);
    m.app_name = nil(utf8(app)?);
    m.proc_id = nil(utf8(pid)?);
    m.msg_id = nil(utf8(mid)?);
    let (sd, content) = structured_data(b);
    m.structured_data = nil(utf8(sd)?);
    // An optional UTF-8 byte-order mark starts MSG.
    m.content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    Ok(())
}

/// Splits RFC 5424 STRUCTURED-DATA (`-` or `[..][..]`, with `\]` escapes) from MSG.
fn structured_data(b: &[u8]) -> (&[u8], &[u8]) {
    if b.first() != Some(&b'[') {
        let (sd, rest) = token(b);
        return (sd, rest);
    }
    let mut i = 0usize;
    let mut in_elem = false;
    let mut escaped = false;
    while let Some(&c) = b.get(i) {
        if escaped {
            escaped = false;
        } else if c == b'\\' {
            escaped = true;
        } else if c == b'[' && !in_elem {
            in_elem = true;
        } else if c == b']' && in_elem {
            in_elem = false;
            if b.get(i + 1) != Some(&b'[') {
                i += 1;
                break;
            }
        }
        i += 1;
    }
    let sd = b.get(..i).unwrap_or(b);
    let rest = b.get(i..).unwrap_or(&[]);
    (sd, rest.strip_prefix(b" ").unwrap_or(rest))
}

const MONTHS: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Length of a leading BSD timestamp (`Mmm dd hh:mm:ss`) or ISO 8601 timestamp.
fn timestamp_len(b: &[u8]) -> Option<usize> {
    let bsd = b.get(..15)?;
    let is_month = MONTHS.iter().any(|m| bsd.get(..3) == Some(*m));
    if is_month
        && bsd.get(3) == Some(&b' ')
        && bsd.get(9) == Some(&b':')
        && bsd.get(12) == Some(&b':')
    {
        return Some(15);
    }
    // ISO 8601 (rsyslog's high-precision format): up to the next space.
    let iso = b.get(..10)?;
    if iso.get(4) == Some(&b'-')
        && iso.get(7) == Some(&b'-')
        && iso.get(..4)?.iter().all(u8::is_ascii_digit)
    {
        return Some(b.iter().position(|&c| c == b' ').unwrap_or(b.len()));
    }
    None
}

/// Splits an RFC 3164 TAG into application and pid: `app[123]:` or `app:`.
fn split_tag(tag: &[u8]) -> (&[u8], Option<&[u8]>) {
    let tag = tag.strip_suffix(b":").unwrap_or(tag);
    match tag.iter().position(|&c| c == b'[') {
        Some(i) => {
            let app = tag.get(..i).unwrap_or(tag);
            let pid = tag.get(i + 1..).and_then(|p| p.strip_suffix(b"]"));
            (app, pid)
        }
        None => (tag, None),
    }
}

fn is_tag(t: &[u8]) -> bool {
    t.ends_with(b":") || (t.contains(&b'[') && t.ends_with(b"]:")) || t.ends_with(b"]")
}

fn parse_3164<'a>(b: &'a [u8], m: &mut SyslogMessage<'a>) -> Result<(), SyslogError> {
    let mut rest = b;
    if let Some(n) = timestamp_len(rest) {
        m.timestamp = Some(utf8(rest.get(..n).unwrap_or(&[]))?);
        rest = rest.get(n..).unwrap_or(&[]);
        rest = rest.strip_prefix(b" ").unwrap_or(rest);
    }
    // Up to two tokens before the content: "HOST TAG:" or just "TAG:".
    let (first, after_first) = token(rest);
    let (tag, content) = if is_tag(first) {
        (Some(first), after_first)
    } else {
        let (second, after_second) = token(after_first);
        if is_tag(second) && !first.is_empty() {
            m.hostname = Some(utf8(first)?);
            (Some(second), after_second)
        } else if m.timestamp.is_some() && !first.is_empty() && !after_first.is_empty() {
            // "TIMESTAMP HOST content" without a tag.
            m.hostname = Some(utf8(first)?);
            (None, after_first)
        } else {
            (None, rest)
        }
    };
    if let Some(tag) = tag {
        let (app, pid) = split_tag(tag);
        m.app_name = nil(utf8(app)?);
        m.proc_id = match pid {
            Some(p) => nil(utf8(p)?),
            None => None,
        };
    }
    m.content = content;
    Ok(())
}

/// Splits a TCP syslog stream into messages: octet counting (`LEN SP MSG`, RFC 6587
/// §3.4.1) when a frame starts with a digit, else newline-terminated (§3.4.2). Memory
/// is bounded: a frame longer than the limit is skipped and counted.
#[derive(Debug)]
pub struct SyslogFramer {
    buf: Vec<u8>,
    max: usize,
    /// Frames refused for their size.
    pub oversized: u64,
    /// Bytes discarded while skipping oversized or malformed frames.
    pub discarded_bytes: u64,
    skip: usize,
    skip_to_newline: bool,
}

impl SyslogFramer {
    /// A framer accepting messages up to `max` bytes.
    pub fn new(max: usize) -> SyslogFramer {
        SyslogFramer {
            buf: Vec::new(),
            max,
            oversized: 0,
            discarded_bytes: 0,
            skip: 0,
            skip_to_newline: false,
        }
    }

    /// Adds bytes read from the connection.
    pub fn push(&mut self, data: &[u8]) {
        let mut data = data;
        if self.skip > 0 {
            let n = self.skip.min(data.len());
            self.skip -= n;
            self.discarded_bytes += n as u64;
            data = data.get(n..).unwrap_or(&[]);
        }
        if self.skip_to_newline {
            match data.iter().position(|&c| c == b'\n') {
                Some(i) => {
                    self.discarded_bytes += i as u64 + 1;
                    self.skip_to_newline = false;
                    data = data.get(i + 1..).unwrap_or(&[]);
                }
                None => {
                    self.discarded_bytes += data.len() as u64;
                    return;
                }
            }
        }
        self.buf.extend_from_slice(data);
    }

    /// The next complete message, if any. Call until `None` after each `push`.
    pub fn next_frame(&mut self) -> Option<Vec<u8>> {
        loop {
            // Leading newlines between frames are noise.
            let start = self
                .buf
                .iter()
                .position(|&c| c != b'\n' && c != b'\r')
                .unwrap_or(self.buf.len());
            if start > 0 {
                self.buf.drain(..start);
            }
            let first = *self.buf.first()?;
            if first.is_ascii_digit() {
                let sp = self.buf.iter().take(8).position(|&c| c == b' ');
                let Some(sp) = sp else {
                    if self.buf.len() >= 8 {
                        // Digits without a space: not octet counting; treat as a line.
                        return self.line();
                    }
                    return None;
                };
                let digits = self.buf.get(..sp).unwrap_or(&[]);
                if !digits.iter().all(u8::is_ascii_digit) {
                    return self.line();
                }
                let len = digits.iter().fold(0usize, |n, d| {
                    n.saturating_mul(10).saturating_add(usize::from(d - b'0'))
                });
                if len > self.max {
                    self.oversized += 1;
                    let have = self.buf.len().saturating_sub(sp + 1);
                    self.discarded_bytes += have.min(len) as u64;
                    self.skip = len.saturating_sub(have);
                    let drop_to = (sp + 1).saturating_add(len).min(self.buf.len());
                    self.buf.drain(..drop_to);
                    continue;
                }
                if self.buf.len() < sp + 1 + len {
                    return None;
                }
                let frame = self.buf.get(sp + 1..sp + 1 + len).map(<[u8]>::to_vec);
                self.buf.drain(..sp + 1 + len);
                return frame;
            }
            return self.line();
        }
    }

    fn line(&mut self) -> Option<Vec<u8>> {
        match self.buf.iter().position(|&c| c == b'\n') {
            Some(i) if i <= self.max => {
                let frame = self.buf.get(..i).map(<[u8]>::to_vec);
                self.buf.drain(..=i);
                frame
            }
            Some(i) => {
                self.oversized += 1;
                self.discarded_bytes += i as u64 + 1;
                self.buf.drain(..=i);
                self.next_frame()
            }
            None if self.buf.len() > self.max => {
                self.oversized += 1;
                self.discarded_bytes += self.buf.len() as u64;
                self.buf.clear();
                self.skip_to_newline = true;
                None
            }
            None => None,
        }
    }

    /// What is left when the connection closes: a last unterminated line, if any.
    pub fn finish(&mut self) -> Option<Vec<u8>> {
        let rest = std::mem::take(&mut self.buf);
        let rest = trim_end(&rest);
        (!rest.is_empty() && !self.skip_to_newline && self.skip == 0).then(|| rest.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suricata_line_from_the_shared_log() {
        let line = br#"<128>Jan 11 09:57:56 dev-box suricata[3282]: {"event_type": "alert"}"#;
        let m = parse_syslog(line).unwrap();
        assert_eq!(m.format, SyslogFormat::Rfc3164);
        assert_eq!((m.priority, m.facility(), m.severity()), (128, 16, 0));
        assert_eq!(m.timestamp, Some("Jan 11 09:57:56"));
        assert_eq!(m.hostname, Some("dev-box"));
        assert_eq!(m.app_name, Some("suricata"));
        assert_eq!(m.proc_id, Some("3282"));
        assert_eq!(m.content, br#"{"event_type": "alert"}"#);
        assert_eq!(m.default_producer().as_deref(), Some("suricata"));
    }

    #[test]
    fn rfc3164_variants() {
        let m = parse_syslog(b"<13>Nov 26 22:08:46 host sshd: Failed password\n").unwrap();
        assert_eq!(
            (m.hostname, m.app_name, m.proc_id),
            (Some("host"), Some("sshd"), None)
        );
        assert_eq!(m.content, b"Failed password");
        let m = parse_syslog(b"<13>Nov  6 02:08:46 host CRON[99]: job").unwrap();
        assert_eq!(
            (m.timestamp, m.app_name, m.proc_id),
            (Some("Nov  6 02:08:46"), Some("CRON"), Some("99"))
        );
        let m = parse_syslog(b"<14>sudo: root : TTY=pts/0").unwrap();
        assert_eq!((m.hostname, m.app_name), (None, Some("sudo")));
        assert_eq!(m.content, b"root : TTY=pts/0");
        let m = parse_syslog(b"<14>2026-11-26T22:08:46.123+00:00 box app[1]: hi").unwrap();
        assert_eq!(
            (m.timestamp, m.hostname, m.app_name),
            (
                Some("2026-11-26T22:08:46.123+00:00"),
                Some("box"),
                Some("app")
            )
        );
        let m = parse_syslog(b"<14>just some text").unwrap();
        assert_eq!((m.app_name, m.content), (None, &b"just some text"[..]));
        let m = parse_syslog(b"<189>date=2026-11-26 time=22:08:46 devname=fw").unwrap();
        assert_eq!(m.default_producer().as_deref(), Some("fortinet"));
    }

    #[test]
    fn relay_prefix() {
        let m = parse_syslog(b"2026-11-26T22:00:00;relay1; <30>Nov 26 22:00:00 fw app: x").unwrap();
        assert_eq!(m.relay_host, Some("relay1"));
        assert_eq!(m.app_name, Some("app"));
    }

    #[test]
    fn rfc5424() {
        let m = parse_syslog(
            b"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App\\]lication\"][x@1 a=\"b\"] \xEF\xBB\xBFAn application event",
        )
        .unwrap();
        assert_eq!(m.format, SyslogFormat::Rfc5424);
        assert_eq!(m.timestamp, Some("2003-10-11T22:14:15.003Z"));
        assert_eq!(m.hostname, Some("mymachine.example.com"));
        assert_eq!(
            (m.app_name, m.proc_id, m.msg_id),
            (Some("evntslog"), None, Some("ID47"))
        );
        assert!(m.structured_data.unwrap().ends_with("[x@1 a=\"b\"]"));
        assert_eq!(m.content, b"An application event");
        let m = parse_syslog(b"<34>1 - - su - - - 'su root' failed").unwrap();
        assert_eq!(
            (m.timestamp, m.hostname, m.app_name),
            (None, None, Some("su"))
        );
        assert_eq!(m.content, b"'su root' failed");
    }

    #[test]
    fn malformed() {
        assert_eq!(parse_syslog(b""), Err(SyslogError::Empty));
        assert_eq!(parse_syslog(b"\n"), Err(SyslogError::Empty));
        assert_eq!(parse_syslog(b"no priority"), Err(SyslogError::NoPriority));
        assert_eq!(parse_syslog(b"<>x"), Err(SyslogError::BadPriority));
        assert_eq!(parse_syslog(b"<192>x"), Err(SyslogError::BadPriority));
        assert_eq!(parse_syslog(b"<1a>x"), Err(SyslogError::BadPriority));
        assert_eq!(parse_syslog(b"<12345>x"), Err(SyslogError::NoPriority));
        assert_eq!(
            parse_syslog(&vec![b'a'; MAX_SYSLOG_MESSAGE + 1]),
            Err(SyslogError::TooLong)
        );
        assert!(parse_syslog(b"<13>Nov 26 22:08:46 \xff\xfe app: x").is_err());
    }

    fn frames(f: &mut SyslogFramer, data: &[u8]) -> Vec<Vec<u8>> {
        f.push(data);
        std::iter::from_fn(|| f.next_frame()).collect()
    }

    #[test]
    fn framing_octet_counting_and_newlines_across_reads() {
        let mut f = SyslogFramer::new(100);
        assert_eq!(frames(&mut f, b"16 <13>hello w"), Vec::<Vec<u8>>::new());
        assert_eq!(
            frames(&mut f, b"orld!<14>x\n<15>y"),
            vec![b"<13>hello world!".to_vec(), b"<14>x".to_vec()]
        );
        assert_eq!(frames(&mut f, b"\n"), vec![b"<15>y".to_vec()]);
        assert_eq!(
            frames(&mut f, b"5 <1>ab5 <2>cd"),
            vec![b"<1>ab".to_vec(), b"<2>cd".to_vec()]
        );
        f.push(b"<9>tail");
        assert_eq!(f.next_frame(), None);
        assert_eq!(f.finish(), Some(b"<9>tail".to_vec()));
    }

    #[test]
    fn framing_bounds_memory() {
        let mut f = SyslogFramer::new(16);
        assert_eq!(frames(&mut f, b"1000 "), Vec::<Vec<u8>>::new());
        assert_eq!(f.oversized, 1);
        assert_eq!(frames(&mut f, &[b'x'; 1000]), Vec::<Vec<u8>>::new());
        assert_eq!(frames(&mut f, b"3 <1>"), vec![b"<1>".to_vec()]);
        let mut f = SyslogFramer::new(16);
        assert!(frames(&mut f, &[b'<'; 40]).is_empty());
        assert!(f.buf.is_empty());
        assert_eq!(
            frames(&mut f, b"more junk\n<2>ok\n"),
            vec![b"<2>ok".to_vec()]
        );
        assert_eq!(f.oversized, 1);
    }
}
