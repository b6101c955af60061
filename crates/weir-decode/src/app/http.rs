//! HTTP/1.x requests and responses (RFC 9112), parsed with `httparse` and a lenient
//! line scanner for heads that `httparse` rejects or that are cut short.

use super::starts_with_ci;

/// Most header lines looked at in one head.
pub const MAX_HEADERS: usize = 64;

/// Request methods recognised at the start of a payload.
pub const METHODS: [&str; 13] = [
    "GET",
    "POST",
    "HEAD",
    "PUT",
    "DELETE",
    "OPTIONS",
    "CONNECT",
    "TRACE",
    "PATCH",
    "PROPFIND",
    "PROPPATCH",
    "MKCOL",
    "SUBSCRIBE",
];

/// A parsed request head. Slices borrow the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpRequest<'a> {
    /// The method (one of [`METHODS`]).
    pub method: &'static str,
    /// The request target as sent (e.g. `/index.html?x=1`).
    pub target: &'a [u8],
    /// The `Host` header.
    pub host: Option<&'a [u8]>,
    /// The `User-Agent` header.
    pub user_agent: Option<&'a [u8]>,
    /// The `Content-Type` header.
    pub content_type: Option<&'a [u8]>,
    /// The head ended (blank line seen) within the payload.
    pub complete: bool,
    /// `httparse` refused the head (invalid bytes, too many headers): fields come from
    /// the lenient scanner.
    pub malformed: bool,
}

/// A parsed response head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpResponse<'a> {
    /// Status code (100..=999).
    pub code: u16,
    /// The `Content-Type` header.
    pub content_type: Option<&'a [u8]>,
    /// The `Server` header.
    pub server: Option<&'a [u8]>,
    /// The head ended within the payload.
    pub complete: bool,
}

/// The method if `p` starts with `METHOD SP`.
pub fn probe_request(p: &[u8]) -> Option<&'static str> {
    METHODS
        .iter()
        .copied()
        .find(|m| p.get(..m.len()) == Some(m.as_bytes()) && p.get(m.len()) == Some(&b' '))
}

/// True if `p` starts like a response status line (`HTTP/1.x NNN`).
pub fn probe_response(p: &[u8]) -> bool {
    p.starts_with(b"HTTP/1.") && p.get(8) == Some(&b' ') && p.get(9).is_some_and(u8::is_ascii_digit)
}

fn trim(v: &[u8]) -> &[u8] {
    v.trim_ascii()
}

/// Scans header lines after the first line, at most [`MAX_HEADERS`] of them, calling
/// `f(name, value)`; returns true if the blank line ending the head was seen.
fn scan_headers<'a>(p: &'a [u8], mut f: impl FnMut(&'a [u8], &'a [u8])) -> bool {
    let mut lines = p.split_inclusive(|&b| b == b'\n');
    lines.next();
    for line in lines.take(MAX_HEADERS) {
        if line == b"\r\n" || line == b"\n" {
            return true;
        }
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            let (name, value) = line.split_at(colon);
            f(trim(name), trim(value.get(1..).unwrap_or(&[])));
        }
    }
    false
}

/// Parses a request head.
///
/// Returns `None` unless the payload starts with a known method and a space. Never
/// panics; a head cut short by the segment end gives the fields seen so far.
pub fn parse_request(p: &[u8]) -> Option<HttpRequest<'_>> {
    let method = probe_request(p)?;
    let mut req = HttpRequest {
        method,
        target: &[],
        host: None,
        user_agent: None,
        content_type: None,
        complete: false,
        malformed: false,
    };
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(p) {
        Ok(httparse::Status::Complete(_)) => {
            req.complete = true;
            req.target = parsed.path.map(str::as_bytes).unwrap_or_default();
            for h in parsed.headers.iter() {
                apply_request_header(&mut req, h.name.as_bytes(), h.value);
            }
            return Some(req);
        }
        Ok(httparse::Status::Partial) => {}
        Err(_) => req.malformed = true,
    }
    // Lenient path: request line by hand, then header lines.
    let first = p.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let after_method = first.get(method.len().saturating_add(1)..).unwrap_or(&[]);
    let end = after_method
        .iter()
        .rposition(|&b| b == b' ')
        .filter(|&i| {
            after_method
                .get(i + 1..)
                .is_some_and(|v| v.starts_with(b"HTTP/"))
        })
        .unwrap_or(after_method.len());
    req.target = trim(after_method.get(..end).unwrap_or(after_method));
    let mut host = None;
    let mut ua = None;
    let mut ct = None;
    req.complete = scan_headers(p, |name, value| match name {
        n if n.eq_ignore_ascii_case(b"host") => host = Some(value),
        n if n.eq_ignore_ascii_case(b"user-agent") => ua = Some(value),
        n if n.eq_ignore_ascii_case(b"content-type") => ct = Some(value),
        _ => {}
    });
    req.host = host;
    req.user_agent = ua;
    req.content_type = ct;
    Some(req)
}

fn apply_request_header<'a>(req: &mut HttpRequest<'a>, name: &[u8], value: &'a [u8]) {
    if name.eq_ignore_ascii_case(b"host") {
        req.host = Some(trim(value));
    } else if name.eq_ignore_ascii_case(b"user-agent") {
        req.user_agent = Some(trim(value));
    } else if name.eq_ignore_ascii_case(b"content-type") {
        req.content_type = Some(trim(value));
    }
}

/// Parses a response head. `None` unless the payload starts with `HTTP/1.x NNN` with
/// `NNN` from 100 to 999.
pub fn parse_response(p: &[u8]) -> Option<HttpResponse<'_>> {
    if !probe_response(p) {
        return None;
    }
    let digits = p.get(9..12)?;
    let mut code: u16 = 0;
    for d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        code = code.saturating_mul(10).saturating_add(u16::from(d - b'0'));
    }
    // RFC 9110 §15: the first digit is the class, 1 to 5 (clients must accept up to 9);
    // "020" is three digits but no status code.
    if code < 100 {
        return None;
    }
    let mut resp = HttpResponse {
        code,
        content_type: None,
        server: None,
        complete: false,
    };
    let mut ct = None;
    let mut server = None;
    resp.complete = scan_headers(p, |name, value| {
        if name.eq_ignore_ascii_case(b"content-type") {
            ct = Some(value);
        } else if name.eq_ignore_ascii_case(b"server") {
            server = Some(value);
        }
    });
    resp.content_type = ct;
    resp.server = server;
    Some(resp)
}

/// True if a proxy-style request (`CONNECT host:port` or an absolute-form target).
pub fn is_proxy_request(req: &HttpRequest<'_>) -> bool {
    req.method == "CONNECT" || starts_with_ci(req.target, b"http://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_complete_and_partial() {
        let p = b"GET /dl/setup.exe?x=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8\r\n\r\n";
        let r = parse_request(p).unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.target, b"/dl/setup.exe?x=1");
        assert_eq!(r.host, Some(&b"www.example.com"[..]));
        assert_eq!(r.user_agent, Some(&b"curl/8"[..]));
        assert!(r.complete && !r.malformed);
        let r = parse_request(&p[..p.len() - 2]).unwrap();
        assert_eq!(r.target, b"/dl/setup.exe?x=1");
        assert_eq!(r.host, Some(&b"www.example.com"[..]));
        assert!(!r.complete);
        assert!(parse_request(b"GETX / HTTP/1.1\r\n").is_none());
    }

    #[test]
    fn malformed_request_still_yields_fields() {
        let p = b"GET /a b<script> HTTP/1.1\r\nHost: 127.0.0.1\r\nBad\x01Header: x\r\n\r\n";
        let r = parse_request(p).unwrap();
        assert_eq!(r.host, Some(&b"127.0.0.1"[..]));
        assert_eq!(r.target, b"/a b<script>");
    }

    #[test]
    fn response() {
        let p = b"HTTP/1.1 301 Moved\r\nServer: gws\r\nContent-Type: text/html\r\n\r\n";
        let r = parse_response(p).unwrap();
        assert_eq!(r.code, 301);
        assert_eq!(r.server, Some(&b"gws"[..]));
        assert_eq!(r.content_type, Some(&b"text/html"[..]));
        assert!(parse_response(b"HTTP/1.1 3x1 M").is_none());
        assert!(parse_response(b"HTTP/1").is_none());
    }

    #[test]
    fn status_codes_below_100_are_not_responses() {
        assert!(parse_response(b"HTTP/1.1 020 OK\r\n\r\n").is_none());
        assert!(parse_response(b"HTTP/1.1 099 OK\r\n\r\n").is_none());
        assert_eq!(
            parse_response(b"HTTP/1.1 100 Continue\r\n\r\n").map(|r| r.code),
            Some(100)
        );
    }
}
