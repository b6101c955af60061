//! FTP data connections: the control channel's announce (`227`, `229`, `PORT`, `EPRT`)
//! makes the matching new flow FTP_DATA, once, whatever it carries.

use weir_decode::l4::tcp_flags::{ACK, PSH, SYN};
use weir_flow::{Engine, EngineConfig, NoopConsumer, Proto};

use super::{SEC, T0, feed, tcp};

const CLI: [u8; 4] = [10, 0, 0, 1];
const SRV: [u8; 4] = [10, 0, 0, 2];

/// Opens an FTP control connection from CLI:40000 and plays `exchange` on it
/// (`true`: from the client).
fn control(e: &mut Engine, exchange: &[(bool, &[u8])]) {
    let mut c = NoopConsumer;
    let (mut cseq, mut sseq) = (1000u32, 5000u32);
    feed(e, T0, &tcp(CLI, 40000, SRV, 21, cseq, SYN, b""), &mut c);
    feed(
        e,
        T0 + 1,
        &tcp(SRV, 21, CLI, 40000, sseq, SYN | ACK, b""),
        &mut c,
    );
    cseq += 1;
    sseq += 1;
    for (i, (from_client, line)) in exchange.iter().enumerate() {
        let ts = T0 + 10 + i as u64;
        if *from_client {
            feed(
                e,
                ts,
                &tcp(CLI, 40000, SRV, 21, cseq, PSH | ACK, line),
                &mut c,
            );
            cseq += line.len() as u32;
        } else {
            feed(
                e,
                ts,
                &tcp(SRV, 21, CLI, 40000, sseq, PSH | ACK, line),
                &mut c,
            );
            sseq += line.len() as u32;
        }
    }
}

fn label_of(e: &Engine, port: u16) -> Proto {
    e.flows()
        .iter()
        .find(|(_, f)| f.key.a_port == port || f.key.b_port == port)
        .map_or(Proto::UNKNOWN, |(_, f)| f.l7.proto())
}

#[test]
fn passive_mode_data_connection_is_ftp_data() {
    let mut e = Engine::new(EngineConfig::default());
    control(
        &mut e,
        &[
            (false, b"220 ProFTPD Server ready.\r\n"),
            (true, b"USER anonymous\r\n"),
            (false, b"331 Password required\r\n"),
            (true, b"PASV\r\n"),
            (false, b"227 Entering Passive Mode (10,0,0,2,195,80).\r\n"),
        ],
    );
    assert_eq!(label_of(&e, 21), Proto::FTP_CONTROL);
    // 195 * 256 + 80 = 50000, on the server; the payload is not FTP at all.
    let mut c = NoopConsumer;
    feed(
        &mut e,
        T0 + 2 * SEC,
        &tcp(CLI, 40001, SRV, 50000, 1, SYN, b""),
        &mut c,
    );
    assert_eq!(label_of(&e, 50000), Proto::FTP_DATA);
    assert_eq!(e.expectations().matched, 1);
    // Used up: a second connection to the same port is not FTP data.
    feed(
        &mut e,
        T0 + 3 * SEC,
        &tcp(CLI, 40002, SRV, 50000, 1, SYN, b""),
        &mut c,
    );
    let n = e
        .flows()
        .iter()
        .filter(|(_, f)| f.key.a_port == 40002 || f.key.b_port == 40002)
        .map(|(_, f)| f.l7.proto())
        .next();
    assert_ne!(n, Some(Proto::FTP_DATA));
}

#[test]
fn active_and_extended_modes() {
    let mut e = Engine::new(EngineConfig::default());
    control(
        &mut e,
        &[
            (false, b"220 ready\r\n"),
            (true, b"EPRT |1|10.0.0.1|41000|\r\n"),
            (false, b"200 EPRT command successful\r\n"),
            (true, b"PORT 10,0,0,1,160,50\r\n"),
            (false, b"200 PORT command successful\r\n"),
            (true, b"EPSV\r\n"),
            (false, b"229 Entering Extended Passive Mode (|||52000|)\r\n"),
        ],
    );
    let mut c = NoopConsumer;
    // Active mode: the server connects from port 20 to the announced client ports.
    feed(
        &mut e,
        T0 + 2 * SEC,
        &tcp(SRV, 20, CLI, 41000, 1, SYN, b""),
        &mut c,
    );
    feed(
        &mut e,
        T0 + 2 * SEC,
        &tcp(SRV, 20, CLI, 160 * 256 + 50, 1, SYN, b""),
        &mut c,
    );
    feed(
        &mut e,
        T0 + 2 * SEC,
        &tcp(CLI, 40003, SRV, 52000, 1, SYN, b""),
        &mut c,
    );
    assert_eq!(label_of(&e, 41000), Proto::FTP_DATA);
    assert_eq!(label_of(&e, 160 * 256 + 50), Proto::FTP_DATA);
    assert_eq!(label_of(&e, 52000), Proto::FTP_DATA);
    assert_eq!(e.expectations().added, 3);
}

#[test]
fn auth_tls_makes_ftps() {
    let mut e = Engine::new(EngineConfig::default());
    control(
        &mut e,
        &[
            (false, b"220 ready\r\n"),
            (true, b"AUTH TLS\r\n"),
            (false, b"234 AUTH TLS successful\r\n"),
        ],
    );
    assert_eq!(label_of(&e, 21), Proto::FTPS);
}
