//! SMTP banner, EHLO and a whole mail transaction.

/// The SMTP greeting of `host`: `220 {host} ESMTP Postfix\r\n`.
pub fn smtp_banner(host: &str) -> Vec<u8> {
    format!("220 {host} ESMTP Postfix\r\n").into_bytes()
}

/// The client's `EHLO {client}\r\n` line.
pub fn smtp_ehlo(client: &str) -> Vec<u8> {
    format!("EHLO {client}\r\n").into_bytes()
}

/// The server's multi-line reply to EHLO.
pub fn smtp_ehlo_reply(host: &str) -> Vec<u8> {
    format!(
        "250-{host}\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n\
         250-8BITMIME\r\n250 SMTPUTF8\r\n"
    )
    .into_bytes()
}

/// One SMTP exchange after EHLO as (client line(s), server reply) pairs: MAIL FROM, RCPT TO,
/// DATA, the message (headers, `body_lines` short text lines, final dot) and QUIT.
pub fn smtp_transaction(
    from: &str,
    to: &str,
    subject: &str,
    body_lines: usize,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut msg = format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\n\
         Date: Thu, 01 Jan 2026 00:00:00 +0000\r\nMessage-ID: <{}.{}@weir.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
        subject.len(),
        body_lines
    );
    for i in 0..body_lines {
        msg.push_str(&format!(
            "Line {i}: the quick brown fox jumps over the lazy dog.\r\n"
        ));
    }
    msg.push_str(".\r\n");
    vec![
        (
            format!("MAIL FROM:<{from}>\r\n").into_bytes(),
            b"250 2.1.0 Ok\r\n".to_vec(),
        ),
        (
            format!("RCPT TO:<{to}>\r\n").into_bytes(),
            b"250 2.1.5 Ok\r\n".to_vec(),
        ),
        (
            b"DATA\r\n".to_vec(),
            b"354 End data with <CR><LF>.<CR><LF>\r\n".to_vec(),
        ),
        (
            msg.into_bytes(),
            b"250 2.0.0 Ok: queued as 4F2A1C0D3B\r\n".to_vec(),
        ),
        (b"QUIT\r\n".to_vec(), b"221 2.0.0 Bye\r\n".to_vec()),
    ]
}
