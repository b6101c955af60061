//! The flow a hook batch is about, as scripts see it ([`FlowView`]), and the state
//! the `flow` functions work on while it is bound ([`FlowState`]).

use std::net::IpAddr;

use serde_json::Value as Json;
use weir_alerts::Severity;
use weir_decode::Timestamp;
use weir_flow::{DirStats, Flow, FlowKey, FlowScore, L7, L7Meta, MAX_SCORE, TcpInfo};

use crate::state::{AlertRef, CallRef};

/// The status nominated for the flow alert in the current hook batch
/// (flow-info.md §6).
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub status: u8,
    pub score: u16,
    pub cli_score: u16,
    pub srv_score: u16,
    pub severity: Option<Severity>,
    pub params: Json,
    pub script: std::rc::Rc<str>,
}

/// What the `flow` functions work on: the flow bound for the hook batch, the
/// nominated alert status, the alerted status of live flows, and handles on the
/// current call and the alert registry.
pub(crate) struct FlowState {
    pub flow: Option<Box<FlowView>>,
    pub candidate: Option<Candidate>,
    /// Alerted status and its score per live flow serial (flow-info.md §6).
    pub alerted: std::collections::HashMap<u64, (u8, u16)>,
    /// Local networks (`cli.localhost`, `flow.isLocal()`, …).
    pub networks: weir_flow::Networks,
    pub call: CallRef,
    pub alerts: AlertRef,
    /// External alerts (JSON text) syslog scripts attached to live flows
    /// (`interface.processFlow`), by flow serial, until
    /// `flow.retrieveExternalAlertInfo()` takes them (at most [`MAX_EXTERNAL`]).
    pub external: std::collections::HashMap<u64, String>,
    /// The metatable of this hook call's `flow.getInfo()` tables: built at the first
    /// call, its `__index` is the one table all the call's scripts read.
    pub(crate) info_meta: Option<mlua::Table>,
}

/// Most external alerts waiting for `flow.retrieveExternalAlertInfo()`.
pub(crate) const MAX_EXTERNAL: usize = 4096;

impl FlowState {
    /// Nothing bound yet.
    pub fn new(networks: weir_flow::Networks, call: CallRef, alerts: AlertRef) -> FlowState {
        FlowState {
            flow: None,
            candidate: None,
            alerted: std::collections::HashMap::new(),
            networks,
            call,
            alerts,
            external: std::collections::HashMap::new(),
            info_meta: None,
        }
    }

    /// The running script is a security check (`is_security`): its scores count as
    /// security scores.
    pub(crate) fn security(&self) -> bool {
        self.call
            .borrow()
            .script
            .as_ref()
            .is_some_and(|c| c.security)
    }

    /// The key of the running script.
    pub(crate) fn script_key(&self) -> Option<std::rc::Rc<str>> {
        self.call.borrow().script.as_ref().map(|c| c.key.clone())
    }
}

/// The flow cell.
pub(crate) type FlowRef = std::rc::Rc<std::cell::RefCell<FlowState>>;

/// The part of a [`Flow`] scripts can see, moved out of the flow for the length of a
/// hook batch (the L7 metadata box is moved, not copied) and written back after it.
#[derive(Debug)]
pub struct FlowView {
    /// Canonical key.
    pub key: FlowKey,
    /// The client is the key's `a` endpoint.
    pub cli_is_a: bool,
    /// Serial number (`ntopng.key`, `hash_entry_id`).
    pub serial: u64,
    /// First packet.
    pub first_seen: Timestamp,
    /// Last packet.
    pub last_seen: Timestamp,
    /// Counters per direction.
    pub dir: [DirStats; 2],
    /// TCP state.
    pub tcp: TcpInfo,
    /// L7 result.
    pub l7: L7,
    /// L7 metadata.
    pub meta: Option<Box<L7Meta>>,
    /// Status bitmap.
    pub status_map: u64,
    /// Scores.
    pub score: FlowScore,
    /// Client/server DSCP+ECN (`tos`).
    pub tos: [u8; 2],
    /// `info` replaced by `flow.setCustomInfo`.
    pub custom_info: Option<String>,
    /// Block-list and GeoIP facts (read-only for scripts).
    pub marks: weir_flow::FlowMarks,
    /// The flow's nDPI risks, computed at the first `flow.hasRisk`/`getRiskInfo` of
    /// the hook batch (the facts they come from do not change within it).
    pub(crate) risk_cache: std::cell::Cell<Option<weir_flow::Risks>>,
}

impl FlowView {
    /// Moves the visible state out of `flow` (its `meta` box is taken).
    pub fn take(flow: &mut Flow) -> FlowView {
        FlowView {
            key: flow.key,
            cli_is_a: flow.cli_is_a,
            serial: flow.serial,
            first_seen: flow.first_seen,
            last_seen: flow.last_seen,
            dir: flow.dir,
            tcp: flow.tcp,
            l7: flow.l7,
            meta: flow.meta.take(),
            status_map: flow.status_map,
            score: flow.score,
            tos: flow.tos,
            custom_info: None,
            marks: flow.marks,
            risk_cache: std::cell::Cell::new(None),
        }
    }

    /// Writes the metadata, statuses and scores back into `flow`.
    pub fn put_back(self, flow: &mut Flow) {
        flow.meta = self.meta;
        flow.status_map = self.status_map;
        flow.score = self.score;
    }

    /// [`FlowView::take`] into an existing view (no allocation).
    pub fn fill(&mut self, flow: &mut Flow) {
        *self = FlowView::take(flow);
    }

    /// [`FlowView::put_back`] keeping the view for reuse.
    pub fn restore(&mut self, flow: &mut Flow) {
        flow.meta = self.meta.take();
        flow.status_map = self.status_map;
        flow.score = self.score;
    }

    /// A view of a synthetic flow (tests, benches).
    pub fn synthetic(key: FlowKey, cli_is_a: bool, serial: u64, ts: Timestamp) -> FlowView {
        FlowView {
            key,
            cli_is_a,
            serial,
            first_seen: ts,
            last_seen: ts,
            dir: [DirStats::default(); 2],
            tcp: TcpInfo::default(),
            l7: L7::default(),
            meta: None,
            status_map: 0,
            score: FlowScore::default(),
            tos: [0; 2],
            custom_info: None,
            marks: weir_flow::FlowMarks::default(),
            risk_cache: std::cell::Cell::new(None),
        }
    }

    /// [`Flow::set_status`] semantics: scores added (clamped) on the 0→1 transition.
    pub fn set_status(&mut self, bit: u8, f: u16, c: u16, s: u16, security: bool) -> bool {
        if bit == 0 || bit > 63 || self.status_map & (1u64 << bit) != 0 {
            return false;
        }
        self.status_map |= 1u64 << bit;
        let cat = usize::from(security);
        self.score.flow = self.score.flow.saturating_add(u32::from(f.min(MAX_SCORE)));
        self.score.cli[cat] = self.score.cli[cat].saturating_add(u32::from(c.min(MAX_SCORE)));
        self.score.srv[cat] = self.score.srv[cat].saturating_add(u32::from(s.min(MAX_SCORE)));
        true
    }

    /// Client address and port.
    pub fn client(&self) -> (IpAddr, u16) {
        let k = &self.key;
        let (ip, port) = if self.cli_is_a {
            (k.a, k.a_port)
        } else {
            (k.b, k.b_port)
        };
        (ip, if k.is_icmp() { 0 } else { port })
    }

    /// Server address and port.
    pub fn server(&self) -> (IpAddr, u16) {
        let k = &self.key;
        let (ip, port) = if self.cli_is_a {
            (k.b, k.b_port)
        } else {
            (k.a, k.a_port)
        };
        (ip, if k.is_icmp() { 0 } else { port })
    }

    /// `proto.ndpi` (`"TLS.Google"`).
    pub fn ndpi_name(&self) -> String {
        let mut buf = [0u8; 64];
        self.l7.label(&mut buf).to_owned()
    }

    /// The `info` summary.
    pub fn info(&self) -> &str {
        if let Some(c) = &self.custom_info {
            return c;
        }
        self.meta.as_ref().and_then(|m| m.summary()).unwrap_or("")
    }

    pub(crate) fn packets(&self) -> u64 {
        self.dir[0].packets + self.dir[1].packets
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.dir[0].bytes + self.dir[1].bytes
    }

    pub(crate) fn duration(&self) -> u64 {
        1 + self
            .last_seen
            .as_secs()
            .saturating_sub(self.first_seen.as_secs())
    }
}
