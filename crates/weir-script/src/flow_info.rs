//! The flow information tables (`getInfo`, `getFullInfo`, `getHTTPInfo`, …; spec
//! flow-info.md §2–4), built only when a script asks for them.

use std::net::IpAddr;

use mlua::{Lua, Table, Value};
use weir_decode::app::hex16;
use weir_flow::{CLI2SRV, SRV2CLI, l4_name, tcp_state};

use crate::flow_view::FlowState as Shared;
use crate::flow_view::FlowView;

pub(crate) fn is_local(nets: &weir_flow::Networks, ip: IpAddr) -> bool {
    nets.lookup(ip).is_some()
}

pub(crate) fn hexs(d: &[u8; 16]) -> String {
    String::from_utf8_lossy(&hex16(d)).into_owned()
}

/// `flow.getInfo()` (flow-info.md §3).
pub(crate) fn minimal_info(lua: &Lua, s: &Shared, v: &FlowView) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(0, 16)?;
    let (cip, cport) = v.client();
    let (sip, sport) = v.server();
    t.raw_set("cli.ip", cip.to_string())?;
    t.raw_set("srv.ip", sip.to_string())?;
    t.raw_set("cli.port", cport)?;
    t.raw_set("srv.port", sport)?;
    t.raw_set("cli.localhost", is_local(&s.networks, cip))?;
    t.raw_set("srv.localhost", is_local(&s.networks, sip))?;
    t.raw_set("duration", v.duration())?;
    t.raw_set("proto.l4", l4_name(v.key.proto))?;
    t.raw_set("proto.ndpi", v.ndpi_name())?;
    t.raw_set("proto.ndpi_app", v.l7.proto().name())?;
    t.raw_set("proto.ndpi_cat", v.l7.category.name())?;
    t.raw_set("cli2srv.bytes", v.dir[CLI2SRV].bytes)?;
    t.raw_set("srv2cli.bytes", v.dir[SRV2CLI].bytes)?;
    t.raw_set("cli2srv.packets", v.dir[CLI2SRV].packets)?;
    t.raw_set("srv2cli.packets", v.dir[SRV2CLI].packets)?;
    let info = v.info();
    if !info.is_empty() {
        t.raw_set("info", info)?;
    }
    Ok(t)
}

/// The full flow table (`getFullInfo`, check-module `info`; flow-info.md §2).
pub(crate) fn full_info(lua: &Lua, s: &Shared, v: &FlowView) -> mlua::Result<Table> {
    let t = minimal_info(lua, s, v)?;
    t.raw_set("info", v.info())?;
    t.raw_set("vlan", v.key.vlan)?;
    t.raw_set("proto.l4_id", v.key.proto)?;
    t.raw_set("proto.ndpi_id", v.l7.proto().0)?;
    t.raw_set("proto.master_ndpi_id", v.l7.master.0)?;
    t.raw_set("proto.ndpi_cat_id", v.l7.category.0)?;
    t.raw_set("proto.ndpi_breed", "Unrated")?;
    let (cip, _) = v.client();
    let (sip, _) = v.server();
    for (p, ip) in [("cli", cip), ("srv", sip)] {
        t.raw_set(format!("{p}.broadmulticast"), !is_unicast(ip))?;
        t.raw_set(format!("{p}.private"), is_private(ip))?;
        t.raw_set(format!("{p}.allowed_host"), true)?;
        t.raw_set(format!("{p}.devtype"), 0)?;
        t.raw_set(format!("{p}.source_id"), 0)?;
    }
    t.raw_set("bytes", v.bytes())?;
    t.raw_set("packets", v.packets())?;
    t.raw_set(
        "goodput_bytes",
        v.dir[0].goodput_bytes + v.dir[1].goodput_bytes,
    )?;
    t.raw_set("packets.sent", v.dir[CLI2SRV].packets)?;
    t.raw_set("packets.rcvd", v.dir[SRV2CLI].packets)?;
    for (p, d) in [("cli2srv", &v.dir[CLI2SRV]), ("srv2cli", &v.dir[SRV2CLI])] {
        t.raw_set(format!("{p}.goodput_bytes"), d.goodput_bytes)?;
        t.raw_set(format!("{p}.fragments"), d.fragments)?;
        t.raw_set(
            format!("{p}.last"),
            d.bytes.saturating_sub(d.bytes_at_visit),
        )?;
        if v.key.proto == 6 {
            t.raw_set(format!("{p}.retransmissions"), d.retransmissions)?;
            t.raw_set(format!("{p}.out_of_order"), d.out_of_order)?;
            t.raw_set(format!("{p}.lost"), d.lost)?;
            t.raw_set(format!("{p}.keep_alive"), d.keep_alive)?;
            t.raw_set(format!("{p}.zero_window"), d.zero_window)?;
            t.raw_set(format!("{p}.tcp_flags"), d.tcp_flags)?;
        }
    }
    t.raw_set("seen.first", v.first_seen.as_secs())?;
    t.raw_set("seen.last", v.last_seen.as_secs())?;
    if v.key.proto == 6 {
        let st = v.tcp.state;
        t.raw_set(
            "tcp.seq_problems",
            v.dir
                .iter()
                .any(|d| (d.retransmissions | d.out_of_order | d.lost | d.keep_alive) != 0),
        )?;
        t.raw_set(
            "tcp.nw_latency.client",
            f64::from(v.tcp.nw_latency_cli_us) / 1000.0,
        )?;
        t.raw_set(
            "tcp.nw_latency.server",
            f64::from(v.tcp.nw_latency_srv_us) / 1000.0,
        )?;
        t.raw_set(
            "tcp.appl_latency",
            f64::from(v.tcp.appl_latency_us) / 1000.0,
        )?;
        t.raw_set(
            "tcp_established",
            st & tcp_state::ESTABLISHED != 0 && st & tcp_state::CLOSED == 0,
        )?;
        t.raw_set(
            "tcp_connecting",
            st & tcp_state::ESTABLISHED == 0 && st & tcp_state::CLOSED == 0,
        )?;
        t.raw_set("tcp_closed", st & tcp_state::CLOSED != 0)?;
        t.raw_set("tcp_reset", st & tcp_state::RST != 0)?;
    }
    if let Some((ty, code)) = v
        .key
        .is_icmp()
        .then(|| v.key.b_port.to_be_bytes())
        .map(|[a, b]| (a, b))
    {
        let icmp = lua.create_table()?;
        icmp.raw_set("type", ty)?;
        icmp.raw_set("code", code)?;
        t.raw_set("icmp", icmp)?;
    }
    t.raw_set("status_map", v.status_map as i64)?;
    let score = lua.create_table()?;
    score.raw_set("flow_score", v.score.flow)?;
    t.raw_set("score", score)?;
    t.raw_set("ntopng.key", v.serial)?;
    t.raw_set("hash_entry_id", v.serial)?;
    t.raw_set("moreinfo.json", "{}")?;
    if let Some(m) = &v.meta
        && let Some(n) = &m.server_name
    {
        t.raw_set("host_server_name", &**n)?;
    }
    for f in [http_info, tls_info, dns_info, ssh_info] {
        f(lua, v, &t)?;
    }
    // 3.x aliases for check modules.
    if let Ok(Value::Integer(ver)) = t.raw_get::<Value>("protos.tls_version") {
        t.raw_set("protos.ssl_version", ver)?;
    }
    Ok(t)
}

pub(crate) fn is_unicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => !(a.is_multicast() || a.is_broadcast() || a.octets()[3] == 255),
        IpAddr::V6(a) => !a.is_multicast(),
    }
}

pub(crate) fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => a.is_private(),
        IpAddr::V6(a) => (a.segments()[0] & 0xfe00) == 0xfc00,
    }
}

pub(crate) fn http_info(_lua: &Lua, v: &FlowView, t: &Table) -> mlua::Result<()> {
    let Some(m) = &v.meta else { return Ok(()) };
    let Some(h) = m.http() else { return Ok(()) };
    if !h.url.is_empty() {
        t.raw_set("protos.http.last_url", &*h.url)?;
        t.raw_set("protos.http.last_method", h.method)?;
        t.raw_set("protos.http.last_return_code", h.return_code)?;
    }
    if let Some(n) = &m.server_name {
        t.raw_set("protos.http.server_name", &**n)?;
    }
    Ok(())
}

pub(crate) fn tls_info(_lua: &Lua, v: &FlowView, t: &Table) -> mlua::Result<()> {
    let Some(m) = &v.meta else { return Ok(()) };
    let Some(x) = m.tls() else { return Ok(()) };
    t.raw_set("protos.tls_version", x.version)?;
    if let Some(n) = &m.server_name {
        t.raw_set("protos.tls.client_requested_server_name", &**n)?;
    }
    if let Some(a) = &x.client_alpn {
        t.raw_set("protos.tls.client_alpn", &**a)?;
    }
    if let Some(a) = &x.supported_versions {
        t.raw_set("protos.tls.client_tls_supported_versions", &**a)?;
    }
    if let Some(h) = &x.ja3c {
        t.raw_set("protos.tls.ja3.client_hash", hexs(h))?;
    }
    if let Some(h) = &x.ja3s {
        t.raw_set("protos.tls.ja3.server_hash", hexs(h))?;
        t.raw_set("protos.tls.ja3.server_cipher", x.cipher)?;
    }
    if let Some(c) = &x.cert {
        t.raw_set("protos.tls.server_names", c.server_names.as_str())?;
        t.raw_set("protos.tls.issuerDN", c.issuer.as_str())?;
        t.raw_set("protos.tls.subjectDN", c.subject.as_str())?;
        t.raw_set("protos.tls.notBefore", c.not_before)?;
        t.raw_set("protos.tls.notAfter", c.not_after)?;
    }
    Ok(())
}

pub(crate) fn dns_info(_lua: &Lua, v: &FlowView, t: &Table) -> mlua::Result<()> {
    let Some(m) = &v.meta else { return Ok(()) };
    let Some(d) = m.dns() else { return Ok(()) };
    if let Some(q) = &m.server_name {
        t.raw_set("protos.dns.last_query", &**q)?;
    }
    t.raw_set("protos.dns.last_query_type", d.qtype)?;
    t.raw_set("protos.dns.last_return_code", d.rcode)?;
    if d.invalid_chars {
        t.raw_set("protos.dns.invalid_chars_in_query", true)?;
    }
    Ok(())
}

pub(crate) fn ssh_info(_lua: &Lua, v: &FlowView, t: &Table) -> mlua::Result<()> {
    let Some(m) = &v.meta else { return Ok(()) };
    let Some(x) = m.ssh() else { return Ok(()) };
    if let Some(s) = &x.client_signature {
        t.raw_set("protos.ssh.client_signature", &**s)?;
    }
    if let Some(s) = &x.server_signature {
        t.raw_set("protos.ssh.server_signature", &**s)?;
    }
    if let Some(h) = &x.hassh_client {
        t.raw_set("protos.ssh.hassh.client_hash", hexs(h))?;
    }
    if let Some(h) = &x.hassh_server {
        t.raw_set("protos.ssh.hassh.server_hash", hexs(h))?;
    }
    Ok(())
}
