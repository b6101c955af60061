//! HTTP/1.1 requests and responses, and the bodies generated flows carry.

/// An HTTP/1.1 request head (no body) with Host, User-Agent, Accept, Accept-Language and
/// Connection headers.
pub fn http_request(method: &str, host: &str, url: &str, user_agent: &str) -> Vec<u8> {
    format!(
        "{method} {url} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {user_agent}\r\n\
         Accept: */*\r\nAccept-Language: en-US,en;q=0.9\r\nConnection: keep-alive\r\n\r\n"
    )
    .into_bytes()
}

/// The head of an HTTP/1.1 response: status line, Date, Server, Content-Type (omitted when
/// empty), Content-Length, any `extra` header lines (without CRLF), and the blank line.
pub fn http_response_head(
    status: u16,
    reason: &str,
    server: &str,
    content_type: &str,
    content_length: u64,
    extra: &[&str],
) -> Vec<u8> {
    let mut s = format!(
        "HTTP/1.1 {status} {reason}\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nServer: {server}\r\n"
    );
    if !content_type.is_empty() {
        s.push_str("Content-Type: ");
        s.push_str(content_type);
        s.push_str("\r\n");
    }
    s.push_str(&format!("Content-Length: {content_length}\r\n"));
    for h in extra {
        s.push_str(h);
        s.push_str("\r\n");
    }
    s.push_str("\r\n");
    s.into_bytes()
}

/// True for the content types this crate uses for Windows executables.
pub fn is_executable_type(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.starts_with("application/x-msdownload")
        || ct.starts_with("application/x-dosexec")
        || ct.starts_with("application/vnd.microsoft.portable-executable")
        || ct.starts_with("application/octet-stream")
}

/// A complete HTTP/1.1 response (`Server: nginx`) with a body of exactly `body_len` bytes.
///
/// The body suits the content type: for executable types (see [`is_executable_type`], which
/// includes `application/octet-stream`) it starts with an "MZ" DOS header and a PE header
/// ([`pe_header`]); text types get ASCII text; anything else gets pseudo-random bytes.
pub fn http_response(status: u16, reason: &str, content_type: &str, body_len: usize) -> Vec<u8> {
    let mut out = http_response_head(status, reason, "nginx", content_type, body_len as u64, &[]);
    out.extend_from_slice(&body_bytes(content_type, body_len, 0));
    out
}

/// Body bytes for `content_type`, as [`http_response`] makes them; `salt` varies the bytes.
pub fn body_bytes(content_type: &str, len: usize, salt: u64) -> Vec<u8> {
    let mut body = Vec::with_capacity(len);
    if is_executable_type(content_type) {
        let pe = pe_header();
        body.extend_from_slice(&pe[..pe.len().min(len)]);
        let start = body.len();
        crate::bytes::fill_binary(&mut body, salt, start as u64, len - start);
    } else if content_type.starts_with("text/")
        || content_type.contains("javascript")
        || content_type.contains("json")
    {
        crate::bytes::fill_text(&mut body, salt, 0, len);
    } else {
        crate::bytes::fill_binary(&mut body, salt, 0, len);
    }
    body
}

/// The first 1024 bytes (the headers) of a PE (Windows executable) file: a DOS header starting with "MZ"
/// whose `e_lfanew` points at offset 0x80, the DOS stub message, the "PE\0\0" signature, a
/// COFF header for x86-64 and the start of a PE32+ optional header.
pub fn pe_header() -> Vec<u8> {
    let mut h = vec![0u8; 1024];
    h[0..2].copy_from_slice(b"MZ");
    h[2..4].copy_from_slice(&0x0090u16.to_le_bytes()); // bytes on last page
    h[4..6].copy_from_slice(&3u16.to_le_bytes()); // pages
    h[8..10].copy_from_slice(&4u16.to_le_bytes()); // header paragraphs
    h[0x0c..0x0e].copy_from_slice(&0xffffu16.to_le_bytes()); // max alloc
    h[0x10..0x12].copy_from_slice(&0x00b8u16.to_le_bytes()); // initial SP
    h[0x18..0x1a].copy_from_slice(&0x0040u16.to_le_bytes()); // relocation table
    h[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes()); // e_lfanew
    let stub_code = [
        0x0e, 0x1f, 0xba, 0x0e, 0x00, 0xb4, 0x09, 0xcd, 0x21, 0xb8, 0x01, 0x4c, 0xcd, 0x21,
    ];
    h[0x40..0x4e].copy_from_slice(&stub_code);
    let msg = b"This program cannot be run in DOS mode.\r\r\n$";
    h[0x4e..0x4e + msg.len()].copy_from_slice(msg);
    h[0x80..0x84].copy_from_slice(b"PE\0\0");
    let coff = 0x84;
    h[coff..coff + 2].copy_from_slice(&0x8664u16.to_le_bytes()); // machine: x86-64
    h[coff + 2..coff + 4].copy_from_slice(&4u16.to_le_bytes()); // sections
    h[coff + 4..coff + 8].copy_from_slice(&1_767_000_000u32.to_le_bytes()); // timestamp
    h[coff + 16..coff + 18].copy_from_slice(&0xf0u16.to_le_bytes()); // optional header size
    h[coff + 18..coff + 20].copy_from_slice(&0x0022u16.to_le_bytes()); // characteristics
    let opt = coff + 20;
    h[opt..opt + 2].copy_from_slice(&0x020bu16.to_le_bytes()); // PE32+
    h[opt + 2] = 14; // linker major
    h[opt + 16..opt + 20].copy_from_slice(&0x1000u32.to_le_bytes()); // entry point
    h[opt + 24..opt + 32].copy_from_slice(&0x1_4000_0000u64.to_le_bytes()); // image base
    h[opt + 32..opt + 36].copy_from_slice(&0x1000u32.to_le_bytes()); // section alignment
    h[opt + 36..opt + 40].copy_from_slice(&0x200u32.to_le_bytes()); // file alignment
    h[opt + 68..opt + 70].copy_from_slice(&2u16.to_le_bytes()); // subsystem: GUI
    let sections: [(&[u8], u32); 4] = [
        (b".text", 0x6000_0020),
        (b".rdata", 0x4000_0040),
        (b".data", 0xc000_0040),
        (b".rsrc", 0x4000_0040),
    ];
    let mut at = opt + 0xf0;
    for (i, (name, ch)) in sections.iter().enumerate() {
        h[at..at + name.len()].copy_from_slice(name);
        let rva = 0x1000 * (i as u32 + 1);
        h[at + 8..at + 12].copy_from_slice(&0x1000u32.to_le_bytes());
        h[at + 12..at + 16].copy_from_slice(&rva.to_le_bytes());
        h[at + 16..at + 20].copy_from_slice(&0x1000u32.to_le_bytes());
        h[at + 20..at + 24].copy_from_slice(&(0x400 + 0x1000 * i as u32).to_le_bytes());
        h[at + 36..at + 40].copy_from_slice(&ch.to_le_bytes());
        at += 40;
    }
    h
}
