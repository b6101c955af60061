//! Syslog endpoint: RFC 5424 messages over UDP (RFC 5426) or TCP (RFC 6587).
//!
//! Message: `<PRI>1 TIMESTAMP HOSTNAME weir - ACTION - JSON`, where PRI =
//! facility × 8 + the syslog level of the alert severity (RFC 5424 §6.2.1),
//! TIMESTAMP is the alert's packet time in UTC, MSGID is the action (`engage`,
//! `release`, `store`) and MSG is the notification JSON.

use std::io::Write;
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Endpoint;
use crate::alert::Notification;
use crate::error::{Error, Result};

/// Transport of a [`Syslog`] endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SyslogTransport {
    /// One datagram per message (RFC 5426).
    Udp,
    /// A TCP stream (RFC 6587), reconnected on error.
    Tcp,
}

/// Framing of messages on TCP (RFC 6587 §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SyslogFraming {
    /// `LEN SP MSG` (§3.4.1), the default.
    #[default]
    OctetCounting,
    /// `MSG LF` (§3.4.2), for receivers that only split on newlines.
    NewlineTerminated,
}

/// Settings of a [`Syslog`] endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyslogConfig {
    /// Receiver address.
    pub addr: SocketAddr,
    /// UDP or TCP.
    pub transport: SyslogTransport,
    /// TCP framing.
    pub framing: SyslogFraming,
    /// Facility (0..=23); default 16 (local0).
    pub facility: u8,
    /// HOSTNAME field; `-` when empty.
    pub hostname: String,
    /// APP-NAME field.
    pub app_name: String,
    /// TCP connect and write timeout.
    pub timeout: Duration,
}

impl SyslogConfig {
    /// Defaults: local0, hostname `-`, app `weir`, 5 s timeout, octet counting.
    pub fn new(addr: SocketAddr, transport: SyslogTransport) -> SyslogConfig {
        SyslogConfig {
            addr,
            transport,
            framing: SyslogFraming::OctetCounting,
            facility: 16,
            hostname: String::new(),
            app_name: "weir".into(),
            timeout: Duration::from_secs(5),
        }
    }
}

enum Conn {
    Udp(UdpSocket),
    Tcp(Option<TcpStream>),
}

/// Sends notifications to a syslog receiver.
pub struct Syslog {
    config: SyslogConfig,
    conn: Conn,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Syslog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syslog")
            .field("config", &self.config)
            .finish()
    }
}

impl Syslog {
    /// Creates the socket (UDP) or connects (TCP; when the receiver is not reachable
    /// yet, each message tries to connect again).
    ///
    /// # Errors
    /// [`Error::Config`] for a facility > 23; UDP socket errors naming the receiver.
    pub fn connect(config: SyslogConfig) -> Result<Syslog> {
        if config.facility > 23 {
            return Err(Error::Config(format!(
                "syslog facility {} > 23",
                config.facility
            )));
        }
        let conn = match config.transport {
            SyslogTransport::Udp => {
                let bind: SocketAddr = if config.addr.is_ipv4() {
                    ([0, 0, 0, 0], 0).into()
                } else {
                    ([0u16; 8], 0).into()
                };
                let s =
                    UdpSocket::bind(bind).map_err(Error::io("binding a UDP socket for syslog"))?;
                s.connect(config.addr)
                    .map_err(Error::io(format!("syslog udp://{}", config.addr)))?;
                Conn::Udp(s)
            }
            // A receiver that is not up yet is not fatal: every message retries.
            SyslogTransport::Tcp => Conn::Tcp(match tcp_connect(&config) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::warn!(error = %e, "syslog receiver not reachable yet");
                    None
                }
            }),
        };
        Ok(Syslog {
            config,
            conn,
            buf: Vec::with_capacity(4096),
        })
    }

    /// Formats one RFC 5424 message (without transport framing).
    pub fn format(config: &SyslogConfig, n: &Notification, out: &mut Vec<u8>) -> Result<()> {
        let pri = u32::from(config.facility) * 8 + u32::from(n.record.severity().syslog_level());
        let host = sanitize(&config.hostname, 255);
        let app = sanitize(&config.app_name, 48);
        write!(
            out,
            "<{pri}>1 {} {host} {app} - {} - ",
            rfc3339(n.record.tstamp()),
            n.action.name()
        )
        .map_err(Error::io("formatting a syslog message"))?;
        serde_json::to_writer(&mut *out, n).map_err(|source| Error::Json {
            context: "notification",
            source,
        })
    }

    fn send_tcp(&mut self, msg_len: usize) -> Result<()> {
        let Conn::Tcp(stream) = &mut self.conn else {
            return Ok(());
        };
        let mut frame = Vec::with_capacity(msg_len + 12);
        match self.config.framing {
            SyslogFraming::OctetCounting => {
                frame.extend_from_slice(format!("{msg_len} ").as_bytes());
                frame.extend_from_slice(&self.buf);
            }
            SyslogFraming::NewlineTerminated => {
                frame.extend_from_slice(&self.buf);
                frame.push(b'\n');
            }
        }
        // One reconnect per message: a receiver restart costs no alert.
        for attempt in 0..2 {
            if stream.is_none() {
                *stream = Some(tcp_connect(&self.config)?);
            }
            if let Some(s) = stream.as_mut() {
                match s.write_all(&frame) {
                    Ok(()) => return Ok(()),
                    Err(e) if attempt == 0 => {
                        tracing::debug!(error = %e, "syslog TCP write failed, reconnecting");
                        *stream = None;
                    }
                    Err(e) => {
                        *stream = None;
                        return Err(Error::Io {
                            context: format!("syslog tcp://{}", self.config.addr),
                            source: e,
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

fn tcp_connect(config: &SyslogConfig) -> Result<TcpStream> {
    let s = TcpStream::connect_timeout(&config.addr, config.timeout)
        .map_err(Error::io(format!("syslog tcp://{}", config.addr)))?;
    let _ = s.set_write_timeout(Some(config.timeout));
    let _ = s.set_nodelay(true);
    Ok(s)
}

impl Endpoint for Syslog {
    fn deliver(&mut self, batch: &[Arc<Notification>]) -> Result<()> {
        let mut failed = 0usize;
        let mut last_err = None;
        for n in batch {
            self.buf.clear();
            let mut buf = std::mem::take(&mut self.buf);
            let r = Syslog::format(&self.config, n, &mut buf);
            self.buf = buf;
            r?;
            let sent = match &self.conn {
                Conn::Udp(s) => s
                    .send(&self.buf)
                    .map(|_| ())
                    .map_err(Error::io(format!("syslog udp://{}", self.config.addr))),
                Conn::Tcp(_) => self.send_tcp(self.buf.len()),
            };
            if let Err(e) = sent {
                failed += 1;
                last_err = Some(e);
            }
        }
        match last_err {
            None => Ok(()),
            Some(e) => Err(Error::Delivery {
                endpoint: "syslog".into(),
                reason: format!("{failed} of {} messages not sent: {e}", batch.len()),
            }),
        }
    }

    fn flush(&mut self) -> Result<()> {
        if let Conn::Tcp(Some(s)) = &mut self.conn {
            s.flush().map_err(Error::io("syslog tcp flush"))?;
        }
        Ok(())
    }
}

/// Printable US-ASCII without spaces, at most `max` chars; `-` when empty (RFC 5424 §6).
fn sanitize(s: &str, max: usize) -> String {
    let out: String = s
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(max)
        .collect();
    if out.is_empty() { "-".into() } else { out }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch (UTC).
pub(crate) fn rfc3339(secs: u64) -> String {
    let days = secs / 86400;
    let rem = secs % 86400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{Action, Alert, AlertRecord};
    use crate::keys::AlertKey;
    use crate::types::{Entity, Severity};

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn rfc5424_header() {
        let a = Alert {
            rowid: None,
            ifid: 0,
            alert_type: AlertKey(6),
            alert_name: "alert_dropped_alerts".into(),
            alert_subtype: String::new(),
            alert_granularity: 0,
            alert_severity: Severity::Error,
            entity: Entity::interface(0),
            alert_tstamp: 0,
            alert_tstamp_end: None,
            last_seen: 0,
            count: 1,
            score: 0,
            alert_json: "{}".into(),
            script_key: None,
            msg: "3 alerts could not be stored".into(),
            acknowledged: false,
        };
        let n = Notification {
            action: Action::Store,
            record: AlertRecord::Alert(a),
        };
        let mut cfg = SyslogConfig::new(([127, 0, 0, 1], 514).into(), SyslogTransport::Udp);
        cfg.hostname = "probe 1".into();
        let mut out = Vec::new();
        Syslog::format(&cfg, &n, &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        // local0 (16) * 8 + error (3) = 131
        assert!(
            s.starts_with("<131>1 1970-01-01T00:00:00Z probe1 weir - store - {"),
            "{s}"
        );
        assert!(s.contains(r#""msg":"3 alerts could not be stored""#), "{s}");
    }
}
