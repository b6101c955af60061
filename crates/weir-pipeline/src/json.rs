//! Flows and hosts as JSON objects with ntopng's key names: what `weir flows --json`,
//! `weir hosts --json`, the web snapshots and the REST API print.

use serde_json::{Map, Value, json};
use weir_decode::Timestamp;
use weir_decode::app::hex16;
use weir_flow::{CLI2SRV, Engine, Flow, Host, Networks, Proto, ProtoInfo, SRV2CLI, tcp_state};

fn secs(ts: Timestamp) -> u64 {
    ts.as_secs()
}

fn hex(d: &[u8; 16]) -> String {
    String::from_utf8_lossy(&hex16(d)).into_owned()
}

/// The flow as a JSON object with `flow.getInfo()` keys (spec flow-info.md §2-§4).
pub fn flow_json(f: &Flow, nets: &Networks) -> Map<String, Value> {
    let mut m = Map::new();
    let (cip, cport) = f.client();
    let (sip, sport) = f.server();
    let mut label = [0u8; 64];
    m.insert("cli.ip".into(), json!(cip.to_string()));
    m.insert("cli.port".into(), json!(cport));
    m.insert("srv.ip".into(), json!(sip.to_string()));
    m.insert("srv.port".into(), json!(sport));
    m.insert("cli.localhost".into(), json!(nets.lookup(cip).is_some()));
    m.insert("srv.localhost".into(), json!(nets.lookup(sip).is_some()));
    m.insert("vlan".into(), json!(f.key.vlan));
    m.insert("proto.l4".into(), json!(f.l4_name()));
    m.insert("proto.l4_id".into(), json!(f.key.proto));
    m.insert("proto.ndpi".into(), json!(f.l7.label(&mut label)));
    m.insert("proto.ndpi_app".into(), json!(f.l7.proto().name()));
    m.insert("proto.ndpi_id".into(), json!(f.l7.proto().0));
    m.insert("proto.master_ndpi_id".into(), json!(f.l7.master.0));
    m.insert("proto.ndpi_cat".into(), json!(f.l7.category.name()));
    m.insert("proto.ndpi_cat_id".into(), json!(f.l7.category.0));
    m.insert("proto.ndpi_guessed".into(), json!(f.l7.guessed));
    m.insert("proto.dpi_packets".into(), json!(f.l7.dpi_packets));
    let c2s = &f.dir[CLI2SRV];
    let s2c = &f.dir[SRV2CLI];
    m.insert("bytes".into(), json!(f.bytes()));
    m.insert("packets".into(), json!(f.packets()));
    m.insert(
        "goodput_bytes".into(),
        json!(c2s.goodput_bytes + s2c.goodput_bytes),
    );
    for (name, d) in [("cli2srv", c2s), ("srv2cli", s2c)] {
        m.insert(format!("{name}.bytes"), json!(d.bytes));
        m.insert(format!("{name}.packets"), json!(d.packets));
        m.insert(format!("{name}.goodput_bytes"), json!(d.goodput_bytes));
        m.insert(format!("{name}.fragments"), json!(d.fragments));
        if let Some(avg) = d.bytes.checked_div(d.packets) {
            m.insert(format!("{name}.pkt_len.min"), json!(d.pkt_len_min));
            m.insert(format!("{name}.pkt_len.max"), json!(d.pkt_len_max));
            m.insert(format!("{name}.pkt_len.avg"), json!(avg));
        }
    }
    m.insert("packets.sent".into(), json!(c2s.packets));
    m.insert("packets.rcvd".into(), json!(s2c.packets));
    m.insert("seen.first".into(), json!(secs(f.first_seen)));
    m.insert("seen.last".into(), json!(secs(f.last_seen)));
    m.insert("seen.first_us".into(), json!(f.first_seen.as_micros()));
    m.insert("seen.last_us".into(), json!(f.last_seen.as_micros()));
    m.insert("duration".into(), json!(f.duration_secs()));
    m.insert(
        "tos".into(),
        json!({"client": {"DSCP": f.tos[0] >> 2, "ECN": f.tos[0] & 3}, "server": {"DSCP": f.tos[1] >> 2, "ECN": f.tos[1] & 3}}),
    );
    if let Some((t, code)) = f.icmp_type_code() {
        m.insert("icmp".into(), json!({"type": t, "code": code}));
    }
    if f.key.proto == 6 {
        let t = &f.tcp;
        m.insert("tcp.seq_problems".into(), json!(f.tcp_seq_problems()));
        m.insert(
            "tcp.nw_latency.client".into(),
            json!(f64::from(t.nw_latency_cli_us) / 1000.0),
        );
        m.insert(
            "tcp.nw_latency.server".into(),
            json!(f64::from(t.nw_latency_srv_us) / 1000.0),
        );
        m.insert(
            "tcp.appl_latency".into(),
            json!(f64::from(t.appl_latency_us) / 1000.0),
        );
        for (name, d) in [("cli2srv", c2s), ("srv2cli", s2c)] {
            m.insert(format!("{name}.retransmissions"), json!(d.retransmissions));
            m.insert(format!("{name}.out_of_order"), json!(d.out_of_order));
            m.insert(format!("{name}.lost"), json!(d.lost));
            m.insert(format!("{name}.keep_alive"), json!(d.keep_alive));
            m.insert(format!("{name}.zero_window"), json!(d.zero_window));
            m.insert(format!("{name}.tcp_flags"), json!(d.tcp_flags));
        }
        let st = t.state;
        m.insert(
            "tcp_established".into(),
            json!(st & tcp_state::ESTABLISHED != 0 && st & tcp_state::CLOSED == 0),
        );
        m.insert(
            "tcp_connecting".into(),
            json!(
                st & tcp_state::SYN != 0
                    && st & tcp_state::ESTABLISHED == 0
                    && st & tcp_state::CLOSED == 0
            ),
        );
        m.insert("tcp_closed".into(), json!(st & tcp_state::CLOSED != 0));
        m.insert("tcp_reset".into(), json!(st & tcp_state::RST != 0));
    }
    m.insert("status_map".into(), json!(f.status_map));
    m.insert(
        "score".into(),
        json!({
            "flow_score": f.score.flow,
            "host_categories_total": {"0": f.score.cli[0] + f.score.srv[0], "1": f.score.cli[1] + f.score.srv[1]},
            "host_score_total": {"client_score": f.score.cli[0] + f.score.cli[1], "server_score": f.score.srv[0] + f.score.srv[1]},
        }),
    );
    m.insert("ntopng.key".into(), json!(f.serial));
    m.insert("hash_entry_id".into(), json!(f.serial));
    if let Some(meta) = f.meta.as_deref() {
        if let Some(n) = meta.server_name.as_deref() {
            m.insert("host_server_name".into(), json!(n));
        }
        if let Some(i) = meta.summary().filter(|s| !s.is_empty()) {
            m.insert("info".into(), json!(i));
        }
        match &meta.info {
            ProtoInfo::Http(h) => {
                if h.requests > 0 {
                    m.insert("protos.http.last_url".into(), json!(&*h.url));
                    m.insert("protos.http.last_method".into(), json!(h.method));
                    m.insert("protos.http.last_return_code".into(), json!(h.return_code));
                }
                if let Some(n) = meta.server_name.as_deref() {
                    m.insert("protos.http.server_name".into(), json!(n));
                }
                if let Some(ua) = h.user_agent.as_deref() {
                    m.insert("protos.http.user_agent".into(), json!(ua));
                }
                if let Some(ct) = h.content_type.as_deref() {
                    m.insert("protos.http.content_type".into(), json!(ct));
                }
                if let Some(s) = h.server.as_deref() {
                    m.insert("protos.http.server".into(), json!(s));
                }
            }
            ProtoInfo::Tls(t) => {
                m.insert(
                    "protos.tls_version".into(),
                    json!(if t.version != 0 {
                        t.version
                    } else {
                        t.client_version
                    }),
                );
                if let Some(n) = meta.server_name.as_deref() {
                    m.insert("protos.tls.client_requested_server_name".into(), json!(n));
                }
                if let Some(a) = t.client_alpn.as_deref() {
                    m.insert("protos.tls.client_alpn".into(), json!(a));
                }
                if let Some(v) = t.supported_versions.as_deref() {
                    m.insert("protos.tls.client_tls_supported_versions".into(), json!(v));
                }
                if let Some(j) = &t.ja3c {
                    m.insert("protos.tls.ja3.client_hash".into(), json!(hex(j)));
                }
                if let Some(j) = &t.ja3s {
                    m.insert("protos.tls.ja3.server_hash".into(), json!(hex(j)));
                    m.insert("protos.tls.ja3.server_cipher".into(), json!(t.cipher));
                    m.insert(
                        "protos.tls.ja3.server_unsafe_cipher".into(),
                        json!(weir_decode::app::tls::cipher_strength(t.cipher)),
                    );
                }
                if let Some(c) = t.cert.as_deref() {
                    m.insert("protos.tls.server_names".into(), json!(c.server_names));
                    m.insert("protos.tls.issuerDN".into(), json!(c.issuer));
                    m.insert("protos.tls.subjectDN".into(), json!(c.subject));
                    m.insert("protos.tls.notBefore".into(), json!(c.not_before));
                    m.insert("protos.tls.notAfter".into(), json!(c.not_after));
                }
            }
            ProtoInfo::Dns(d) => {
                if let Some(n) = meta.server_name.as_deref() {
                    m.insert("protos.dns.last_query".into(), json!(n));
                }
                m.insert("protos.dns.last_query_type".into(), json!(d.qtype));
                m.insert("protos.dns.last_return_code".into(), json!(d.rcode));
                m.insert("protos.dns.num_answers".into(), json!(d.answers));
                let addrs: Vec<String> =
                    d.addrs.iter().flatten().map(ToString::to_string).collect();
                if !addrs.is_empty() {
                    m.insert("protos.dns.answers".into(), json!(addrs));
                }
                if d.invalid_chars {
                    m.insert("protos.dns.invalid_chars_in_query".into(), json!(true));
                }
            }
            ProtoInfo::Ssh(s) => {
                if let Some(v) = s.client_signature.as_deref() {
                    m.insert("protos.ssh.client_signature".into(), json!(v));
                }
                if let Some(v) = s.server_signature.as_deref() {
                    m.insert("protos.ssh.server_signature".into(), json!(v));
                }
                if let Some(h) = &s.hassh_client {
                    m.insert("protos.ssh.hassh.client_hash".into(), json!(hex(h)));
                }
                if let Some(h) = &s.hassh_server {
                    m.insert("protos.ssh.hassh.server_hash".into(), json!(hex(h)));
                }
            }
            ProtoInfo::Quic { version } => {
                m.insert(
                    "protos.quic.version".into(),
                    json!(format!("{version:#010x}")),
                );
            }
            ProtoInfo::Dhcp { msg_type, hostname } => {
                m.insert("protos.dhcp.msg_type".into(), json!(msg_type));
                if let Some(h) = hostname.as_deref() {
                    m.insert("protos.dhcp.hostname".into(), json!(h));
                }
            }
            ProtoInfo::Ntp { version, mode } => {
                m.insert("protos.ntp.version".into(), json!(version));
                m.insert("protos.ntp.mode".into(), json!(mode));
            }
            ProtoInfo::Mail { banner } => {
                if let Some(b) = banner.as_deref() {
                    m.insert("protos.mail.banner".into(), json!(b));
                }
            }
            ProtoInfo::None => {}
        }
    }
    m
}

/// The host as a JSON object.
pub fn host_json(h: &Host) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("ip".into(), json!(h.ip.to_string()));
    m.insert("vlan".into(), json!(h.vlan));
    m.insert("localhost".into(), json!(h.local));
    m.insert("network_id".into(), json!(h.network_id));
    m.insert("seen.first".into(), json!(h.first_seen.as_secs()));
    m.insert("seen.last".into(), json!(h.last_seen.as_secs()));
    m.insert("bytes.sent".into(), json!(h.bytes_sent));
    m.insert("bytes.rcvd".into(), json!(h.bytes_rcvd));
    m.insert("packets.sent".into(), json!(h.packets_sent));
    m.insert("packets.rcvd".into(), json!(h.packets_rcvd));
    m.insert(
        "active_flows.as_client".into(),
        json!(h.active_flows_as_client),
    );
    m.insert(
        "active_flows.as_server".into(),
        json!(h.active_flows_as_server),
    );
    m.insert("flows.as_client".into(), json!(h.total_flows_as_client));
    m.insert("flows.as_server".into(), json!(h.total_flows_as_server));
    m.insert("syn.sent".into(), json!(h.syn_sent));
    m.insert("syn.rcvd".into(), json!(h.syn_rcvd));
    m.insert("synack.sent".into(), json!(h.synack_sent));
    m.insert("synack.rcvd".into(), json!(h.synack_rcvd));
    m.insert("rst.sent".into(), json!(h.rst_sent));
    m.insert(
        "contacted_peers".into(),
        json!(h.contacted_peers.estimate()),
    );
    m.insert(
        "contacted_ports".into(),
        json!(h.contacted_ports.estimate()),
    );
    m.insert("score".into(), json!(Engine::host_score(h)));
    m.insert("score.network".into(), json!(h.score[0]));
    m.insert("score.security".into(), json!(h.score[1]));
    let l7: Map<String, Value> =
        h.l7.iter()
            .map(|e| {
                let name = if e.proto == Proto(u16::MAX) {
                    "Other"
                } else {
                    e.proto.name()
                };
                (
                    name.to_string(),
                    json!({"bytes": e.bytes, "flows": e.flows}),
                )
            })
            .collect();
    m.insert("ndpi".into(), Value::Object(l7));
    m
}
