//! The flow information tables (`getInfo`, `getFullInfo`, `getHTTPInfo`, …; spec
//! flow-info.md §2–4), built only when a script asks for them. The keys come from the
//! one emitter, [`weir_flow::info`]; this module only turns its calls into Lua tables.

use std::net::IpAddr;

use mlua::{Lua, Table};
use weir_flow::info::{self, InfoSink, InfoSource, Level, Section};
use weir_flow::{CLI2SRV, SRV2CLI};

use crate::flow_view::FlowState as Shared;
use crate::flow_view::FlowView;
use crate::rawtable::TableBuf;

pub(crate) fn is_local(nets: &weir_flow::Networks, ip: IpAddr) -> bool {
    nets.lookup(ip).is_some()
}

pub(crate) fn is_unicast(ip: IpAddr) -> bool {
    info::is_unicast(ip)
}

/// What the emitter reads of a script's view of a flow (its statuses, scores and
/// custom info included).
pub(crate) fn source(v: &FlowView) -> InfoSource<'_> {
    InfoSource {
        key: &v.key,
        cli_is_a: v.cli_is_a,
        serial: v.serial,
        first_seen: v.first_seen,
        last_seen: v.last_seen,
        dir: &v.dir,
        tcp: &v.tcp,
        l7: &v.l7,
        meta: v.meta.as_deref(),
        status_map: v.status_map,
        score: &v.score,
        tos: v.tos,
        custom_info: v.custom_info.as_deref(),
        marks: v.marks,
        ended: false,
    }
}

/// Records the emitter's calls, then fills the Lua table in one protected call
/// ([`TableBuf`]; the getters run once per hook call that asks, with up to a hundred
/// fields).
#[derive(Default)]
struct LuaSink(TableBuf);

thread_local! {
    /// The sink's buffer, kept between calls (its text and field list keep their
    /// capacity).
    static SINK: std::cell::Cell<Option<Box<LuaSink>>> = const { std::cell::Cell::new(None) };
}

/// Runs `emit` into a (reused) sink and returns a new table, sized for them, holding
/// what it recorded (keys through the VM's key cache: the flow tables' keys are a
/// fixed set).
fn build(lua: &Lua, emit: impl FnOnce(&mut LuaSink) -> mlua::Result<()>) -> mlua::Result<Table> {
    let mut sink = SINK.with(|c| c.take()).unwrap_or_default();
    sink.0.clear();
    sink.0.intern_keys(true);
    let r = emit(&mut sink).and_then(|()| sink.0.build(lua));
    SINK.with(|c| c.set(Some(sink)));
    r
}

impl InfoSink for LuaSink {
    type Error = mlua::Error;

    fn str(&mut self, key: &str, v: &str) -> mlua::Result<()> {
        self.0.str(key, v);
        Ok(())
    }

    fn uint(&mut self, key: &str, v: u64) -> mlua::Result<()> {
        // Lua integers are 64-bit signed: a status bitmap keeps its bits (bit 63 makes
        // it negative); counters never come near 2^63.
        self.0.int(key, v as i64);
        Ok(())
    }

    fn int(&mut self, key: &str, v: i64) -> mlua::Result<()> {
        self.0.int(key, v);
        Ok(())
    }

    fn float(&mut self, key: &str, v: f64) -> mlua::Result<()> {
        self.0.float(key, v);
        Ok(())
    }

    fn bool(&mut self, key: &str, v: bool) -> mlua::Result<()> {
        self.0.bool(key, v);
        Ok(())
    }

    fn list(&mut self, key: &str, items: &[String]) -> mlua::Result<()> {
        self.0.list(key, items);
        Ok(())
    }

    fn begin(&mut self, key: &str) -> mlua::Result<()> {
        self.0.begin(key);
        Ok(())
    }

    fn end(&mut self) -> mlua::Result<()> {
        self.0.end();
        Ok(())
    }
}

fn table(lua: &Lua, s: &Shared, v: &FlowView, level: Level) -> mlua::Result<Table> {
    build(lua, |sink| info::emit(&source(v), &s.networks, level, sink))
}

/// `flow.getInfo()` (flow-info.md §3).
pub(crate) fn minimal_info(lua: &Lua, s: &Shared, v: &FlowView) -> mlua::Result<Table> {
    table(lua, s, v, Level::Minimal)
}

/// The full flow table (`getFullInfo`, check-module `info`; flow-info.md §2).
pub(crate) fn full_info(lua: &Lua, s: &Shared, v: &FlowView) -> mlua::Result<Table> {
    table(lua, s, v, Level::Full)
}

fn section(lua: &Lua, v: &FlowView, s: Section) -> mlua::Result<Table> {
    build(lua, |sink| info::emit_section(&source(v), s, sink))
}

/// `flow.getTCPStats()`: the four TCP issue counters of each direction.
pub(crate) fn tcp_stats(lua: &Lua, v: &FlowView) -> mlua::Result<Table> {
    const KEYS: [[&str; 4]; 2] = [
        [
            "cli2srv.retransmissions",
            "cli2srv.out_of_order",
            "cli2srv.lost",
            "cli2srv.zero_window",
        ],
        [
            "srv2cli.retransmissions",
            "srv2cli.out_of_order",
            "srv2cli.lost",
            "srv2cli.zero_window",
        ],
    ];
    build(lua, |sink| {
        for (keys, d) in KEYS.iter().zip([&v.dir[CLI2SRV], &v.dir[SRV2CLI]]) {
            for (k, n) in
                keys.iter()
                    .zip([d.retransmissions, d.out_of_order, d.lost, d.zero_window])
            {
                sink.0.int(k, i64::from(n));
            }
        }
        Ok(())
    })
}

/// `flow.getHTTPInfo()` (flow-info.md §4.1).
pub(crate) fn http_info(lua: &Lua, v: &FlowView) -> mlua::Result<Table> {
    section(lua, v, Section::Http)
}

/// `flow.getTLSInfo()` (flow-info.md §4.2).
pub(crate) fn tls_info(lua: &Lua, v: &FlowView) -> mlua::Result<Table> {
    section(lua, v, Section::Tls)
}

/// `flow.getDNSInfo()` (flow-info.md §4.3).
pub(crate) fn dns_info(lua: &Lua, v: &FlowView) -> mlua::Result<Table> {
    section(lua, v, Section::Dns)
}

/// `flow.getSSHInfo()` (flow-info.md §4.4).
pub(crate) fn ssh_info(lua: &Lua, v: &FlowView) -> mlua::Result<Table> {
    section(lua, v, Section::Ssh)
}
