//! A flow script's `prefilter` (weir extension): conditions on the flow that the
//! dispatcher checks in Rust before entering Lua, so a flow that cannot interest the
//! script costs no Lua call. The script still decides (policy stays in Lua); the
//! prefilter only states what the hook needs to see to have anything to do.
//!
//! ```lua
//! prefilter = {
//!    peers = "local_remote",      -- local_to_remote, remote_to_local, local_remote
//!                                 -- (either), remote_to_remote, local_to_local
//!    min_bytes = "l2r_bytes_value",   -- flow bytes (both ways) above this
//!    min_packets = 50,            -- a direction with at least this many packets
//!    min_duration = "min_duration",   -- duration (s) above this
//!    unidirectional = true,       -- nothing came back from the server
//!    risks = { 5, 16 },           -- one of these nDPI risks (flow.hasRisk)
//!    categories = { "Mining" },   -- one of these nDPI categories
//!    blacklisted = true,          -- a peer or the name is on a block list
//!    meta = "http",               -- the flow carries these protocol fields: "http",
//!                                 -- "tls", "dns" or a list (flow.getHTTPInfo() … not empty)
//!    not_in = "items",            -- the server's address is not in the address list
//!                                 -- (addresses, CIDR networks) of this configuration field
//!    on_config = true,            -- besides, the first flow after the script's
//!                                 -- configuration changed (and the first of all), so
//!                                 -- the hook can apply it (register a list …)
//! }
//! ```
//!
//! A bound is a number, the name of a field of the script's configuration
//! (`script_conf`), or a list of names (the smallest value set among them counts). A
//! bound naming only fields the configuration leaves unset does not filter. All the
//! conditions given must hold.

pub(crate) mod entity;

use mlua::{Table, Value};
use std::cell::Cell;
use std::net::IpAddr;

use weir_decode::Timestamp;
use weir_flow::{CLI2SRV, Category, DirStats, FlowMarks, L7, L7Meta, Networks, SRV2CLI};

/// Which ends of a flow are local.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Peers {
    LocalToRemote,
    RemoteToLocal,
    LocalRemote,
    RemoteToRemote,
    LocalToLocal,
}

impl Peers {
    fn parse(s: &str) -> Option<Peers> {
        Some(match s {
            "local_to_remote" => Peers::LocalToRemote,
            "remote_to_local" => Peers::RemoteToLocal,
            "local_remote" => Peers::LocalRemote,
            "remote_to_remote" => Peers::RemoteToRemote,
            "local_to_local" => Peers::LocalToLocal,
            _ => return None,
        })
    }

    fn admits(self, cli_local: bool, srv_local: bool) -> bool {
        match self {
            Peers::LocalToRemote => cli_local && !srv_local,
            Peers::RemoteToLocal => !cli_local && srv_local,
            Peers::LocalRemote => cli_local != srv_local,
            Peers::RemoteToRemote => !cli_local && !srv_local,
            Peers::LocalToLocal => cli_local && srv_local,
        }
    }
}

/// A lower bound: fixed, or read from the configuration.
#[derive(Debug, Clone, Default)]
enum Bound {
    #[default]
    None,
    Fixed(f64),
    /// Configuration fields (the smallest set value counts).
    Conf(Vec<String>),
}

/// The protocol fields a `meta` condition names.
struct Meta;

impl Meta {
    const HTTP: u8 = 1;
    const TLS: u8 = 2;
    const DNS: u8 = 4;

    fn parse(s: &str) -> Option<u8> {
        Some(match s {
            "http" => Meta::HTTP,
            "tls" => Meta::TLS,
            "dns" => Meta::DNS,
            _ => return None,
        })
    }

    /// The bit of the fields a flow carries (0: none of these).
    fn of(meta: Option<&L7Meta>) -> u8 {
        match meta.map(|m| &m.info) {
            Some(weir_flow::ProtoInfo::Http(_)) => Meta::HTTP,
            Some(weir_flow::ProtoInfo::Tls(_)) => Meta::TLS,
            Some(weir_flow::ProtoInfo::Dns(_)) => Meta::DNS,
            _ => 0,
        }
    }
}

/// A parsed `prefilter`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prefilter {
    peers: Option<Peers>,
    min_bytes: Bound,
    min_packets: Bound,
    min_duration: Bound,
    unidirectional: bool,
    blacklisted: bool,
    /// nDPI risk ids as a bitmap.
    risks: u64,
    categories: Vec<Category>,
    /// Protocol fields the flow must carry (any of them), as [`Meta`] bits.
    meta: u8,
    /// Admit the first flow after the configuration changed, whatever it is.
    on_config: bool,
    /// The configuration field holding the servers to leave out.
    not_in: Option<String>,
    /// One of the byte, packet or duration bounds is given.
    bounded: bool,
    /// The address list of `not_in` for the configuration last seen (by the script's
    /// configuration generation, `Script::conf_gen`).
    not_in_list: std::cell::RefCell<Option<(u64, std::rc::Rc<crate::addrlist::AddressList>)>>,
    /// The configuration bounds as last resolved, and the configuration generation
    /// they came from.
    resolved: Cell<Resolved>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Resolved {
    conf: Option<u64>,
    min_bytes: Option<f64>,
    min_packets: Option<f64>,
    min_duration: Option<f64>,
}

/// The facts of one flow the prefilters look at, computed once per dispatch (the
/// peers and risks only if a prefilter asks).
pub(crate) struct Facts<'a> {
    /// Client and server address, server port.
    pub cli: IpAddr,
    pub srv: IpAddr,
    pub srv_port: u16,
    pub dir: &'a [DirStats; 2],
    pub l7: &'a L7,
    pub meta: Option<&'a L7Meta>,
    pub marks: &'a FlowMarks,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    pub nets: &'a Networks,
    locals: Cell<Option<(bool, bool)>>,
    risks: Cell<Option<u64>>,
    l4: u8,
    cli_port: u16,
}

impl<'a> Facts<'a> {
    /// The facts of a flow (or a script's view of one).
    pub(crate) fn new(
        (l4, cli, cli_port, srv, srv_port): (u8, IpAddr, u16, IpAddr, u16),
        dir: &'a [DirStats; 2],
        l7: &'a L7,
        (meta, marks): (Option<&'a L7Meta>, &'a FlowMarks),
        (first_seen, last_seen): (Timestamp, Timestamp),
        nets: &'a Networks,
    ) -> Facts<'a> {
        Facts {
            cli,
            srv,
            srv_port,
            dir,
            l7,
            meta,
            marks,
            first_seen,
            last_seen,
            nets,
            locals: Cell::new(None),
            risks: Cell::new(None),
            l4,
            cli_port,
        }
    }

    /// The facts of a flow of the engine.
    pub(crate) fn of_flow(f: &'a weir_flow::Flow, nets: &'a Networks) -> Facts<'a> {
        Facts::new(
            (
                f.key.proto,
                f.client().0,
                f.client().1,
                f.server().0,
                f.server().1,
            ),
            &f.dir,
            &f.l7,
            (f.meta.as_deref(), &f.marks),
            (f.first_seen, f.last_seen),
            nets,
        )
    }

    /// The facts of a detached view of a flow.
    pub(crate) fn of_view(v: &'a crate::flow_view::FlowView, nets: &'a Networks) -> Facts<'a> {
        Facts::new(
            (
                v.key.proto,
                v.client().0,
                v.client().1,
                v.server().0,
                v.server().1,
            ),
            &v.dir,
            &v.l7,
            (v.meta.as_deref(), &v.marks),
            (v.first_seen, v.last_seen),
            nets,
        )
    }

    fn locals(&self) -> (bool, bool) {
        if let Some(l) = self.locals.get() {
            return l;
        }
        let l = (
            self.nets.lookup(self.cli).is_some(),
            self.nets.lookup(self.srv).is_some(),
        );
        self.locals.set(Some(l));
        l
    }

    fn risks(&self) -> u64 {
        if let Some(r) = self.risks.get() {
            return r;
        }
        let r = weir_flow::risks_of(&weir_flow::RiskFacts {
            l4: self.l4,
            ports: (self.cli_port, self.srv_port),
            l7: self.l7,
            meta: self.meta,
            first_seen: self.first_seen,
            packets: (
                self.dir[weir_flow::CLI2SRV].packets,
                self.dir[weir_flow::SRV2CLI].packets,
            ),
            unicast: weir_flow::info::is_unicast(self.srv),
            ended: false,
        })
        .0;
        self.risks.set(Some(r));
        r
    }
}

impl Prefilter {
    /// Reads the script's `prefilter` table (`nil`: none). Errors name the field.
    pub(crate) fn parse(v: &Value) -> Result<Option<Prefilter>, String> {
        let Some(t) = table(v)? else {
            return Ok(None);
        };
        let mut p = Prefilter::default();
        for pair in t.clone().pairs::<String, Value>() {
            let (k, v) = pair.map_err(|e| format!("prefilter: {e}"))?;
            match k.as_str() {
                "peers" => {
                    let s = v
                        .as_string()
                        .map(|s| s.to_string_lossy())
                        .unwrap_or_default();
                    p.peers = Some(Peers::parse(&s).ok_or_else(|| {
                        format!(
                            "prefilter.peers: one of local_to_remote, remote_to_local, \
                             local_remote, remote_to_remote, local_to_local expected, got {s:?}"
                        )
                    })?);
                }
                "min_bytes" => p.min_bytes = bound(&k, &v)?,
                "min_packets" => p.min_packets = bound(&k, &v)?,
                "min_duration" => p.min_duration = bound(&k, &v)?,
                "unidirectional" => p.unidirectional = v.as_boolean() == Some(true),
                "blacklisted" => p.blacklisted = v.as_boolean() == Some(true),
                "on_config" => p.on_config = v.as_boolean() == Some(true),
                "not_in" => match v {
                    Value::String(f) => p.not_in = Some(f.to_string_lossy()),
                    other => {
                        return Err(format!(
                            "prefilter.not_in: a configuration field name expected, got {}",
                            other.type_name()
                        ));
                    }
                },
                "risks" => {
                    for id in list(&k, &v)? {
                        let id = match id {
                            Value::Integer(i) => u8::try_from(i).ok().filter(|i| *i < 64),
                            _ => None,
                        };
                        let id = id.ok_or_else(|| {
                            "prefilter.risks: nDPI risk ids (0..63) expected".to_owned()
                        })?;
                        p.risks |= 1 << id;
                    }
                }
                "categories" => {
                    for c in list(&k, &v)? {
                        let name = c
                            .as_string()
                            .map(|s| s.to_string_lossy())
                            .unwrap_or_default();
                        p.categories.push(Category::from_name(&name).ok_or_else(|| {
                            format!("prefilter.categories: unknown nDPI category {name:?}")
                        })?);
                    }
                }
                "meta" => {
                    for n in list(&k, &v)? {
                        let name = n
                            .as_string()
                            .map(|s| s.to_string_lossy())
                            .unwrap_or_default();
                        p.meta |= Meta::parse(&name).ok_or_else(|| {
                            format!("prefilter.meta: \"http\", \"tls\" or \"dns\" expected, got {name:?}")
                        })?;
                    }
                }
                other => return Err(format!("prefilter: unknown condition `{other}`")),
            }
        }
        p.bounded = [&p.min_bytes, &p.min_packets, &p.min_duration]
            .iter()
            .any(|b| !matches!(b, Bound::None));
        Ok(Some(p))
    }

    /// Whether the flow may interest the script whose configuration is `conf`
    /// (generation `conf_gen`, see `Script::conf_gen`). The conditions are checked
    /// cheapest first (all must hold, none has side effects): the flow's own counters
    /// and bits, then the configured bounds, then what needs a lookup (local networks,
    /// risks, the address list).
    pub(crate) fn admits(&self, facts: &Facts<'_>, conf: &Table, conf_gen: u64) -> bool {
        if self.on_config && self.resolved.get().conf != Some(conf_gen) {
            self.resolve(conf, conf_gen);
            return true;
        }
        let f = facts;
        if self.unidirectional && f.dir[SRV2CLI].packets > 0 {
            return false;
        }
        if self.blacklisted && !f.marks.is_blacklisted() {
            return false;
        }
        if self.meta != 0 && Meta::of(f.meta) & self.meta == 0 {
            return false;
        }
        if !self.categories.is_empty() && !self.categories.contains(&f.l7.category) {
            return false;
        }
        if self.bounded {
            let r = self.resolve(conf, conf_gen);
            let bytes = f.dir[CLI2SRV].bytes + f.dir[SRV2CLI].bytes;
            let packets = f.dir[CLI2SRV].packets.max(f.dir[SRV2CLI].packets);
            // As `flow.getDuration()`: 1 + last − first seen, seconds.
            let duration = 1 + f.last_seen.as_secs().saturating_sub(f.first_seen.as_secs());
            if !(r.min_bytes.is_none_or(|b| bytes as f64 > b)
                && r.min_packets.is_none_or(|b| packets as f64 >= b)
                && r.min_duration.is_none_or(|b| duration as f64 > b))
            {
                return false;
            }
        }
        if let Some(p) = self.peers {
            let (c, s) = facts.locals();
            if !p.admits(c, s) {
                return false;
            }
        }
        if self.risks != 0 && facts.risks() & self.risks == 0 {
            return false;
        }
        if let Some(field) = &self.not_in
            && self.listed(field, conf, conf_gen, f.srv)
        {
            return false;
        }
        true
    }

    /// True if `ip` is in the address list of configuration field `field` (built again
    /// when the configuration changed; entries that do not parse are left out, as the
    /// scripts' own `ntop.newAddressList` does).
    fn listed(&self, field: &str, conf: &Table, conf_gen: u64, ip: IpAddr) -> bool {
        let mut cell = self.not_in_list.borrow_mut();
        if cell.as_ref().is_none_or(|(at, _)| *at != conf_gen) {
            let items: Vec<Option<String>> = match conf.raw_get::<Value>(field) {
                Ok(Value::Table(t)) => t
                    .sequence_values::<Value>()
                    .map(|v| match v {
                        Ok(Value::String(s)) => s.to_str().ok().map(|s| s.to_string()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let (list, _) = crate::addrlist::AddressList::build(items.iter().map(|i| i.as_deref()));
            *cell = Some((conf_gen, std::rc::Rc::new(list)));
        }
        cell.as_ref().is_some_and(|(_, l)| l.contains(ip))
    }

    /// The bounds for `conf`, read again when the configuration changed.
    fn resolve(&self, conf: &Table, conf_gen: u64) -> Resolved {
        let r = self.resolved.get();
        if r.conf == Some(conf_gen) {
            return r;
        }
        let r = Resolved {
            conf: Some(conf_gen),
            min_bytes: value(&self.min_bytes, conf),
            min_packets: value(&self.min_packets, conf),
            min_duration: value(&self.min_duration, conf),
        };
        self.resolved.set(r);
        r
    }
}

/// A script's `prefilter` value: a table, or `nil` for none.
pub(crate) fn table(v: &Value) -> Result<Option<&Table>, String> {
    match v {
        Value::Nil => Ok(None),
        Value::Table(t) => Ok(Some(t)),
        other => Err(format!(
            "prefilter: table expected, got {}",
            other.type_name()
        )),
    }
}

fn bound(k: &str, v: &Value) -> Result<Bound, String> {
    Ok(match v {
        Value::Integer(i) => Bound::Fixed(*i as f64),
        Value::Number(n) => Bound::Fixed(*n),
        Value::String(s) => Bound::Conf(vec![s.to_string_lossy()]),
        Value::Table(_) => Bound::Conf(
            list(k, v)?
                .into_iter()
                .map(|x| match x {
                    Value::String(s) => Ok(s.to_string_lossy()),
                    _ => Err(format!("prefilter.{k}: configuration field names expected")),
                })
                .collect::<Result<_, _>>()?,
        ),
        other => {
            return Err(format!(
                "prefilter.{k}: a number or configuration field name expected, got {}",
                other.type_name()
            ));
        }
    })
}

fn list(k: &str, v: &Value) -> Result<Vec<Value>, String> {
    match v {
        Value::Table(t) => t
            .clone()
            .sequence_values::<Value>()
            .collect::<mlua::Result<Vec<_>>>()
            .map_err(|e| format!("prefilter.{k}: {e}")),
        other => Ok(vec![other.clone()]),
    }
}

fn value(b: &Bound, conf: &Table) -> Option<f64> {
    match b {
        Bound::None => None,
        Bound::Fixed(x) => Some(*x),
        Bound::Conf(fields) => fields
            .iter()
            .filter_map(|f| match conf.raw_get::<Value>(f.as_str()).ok()? {
                Value::Integer(i) => Some(i as f64),
                Value::Number(n) => Some(n),
                Value::String(s) => s.to_str().ok()?.trim().parse().ok(),
                _ => None,
            })
            .reduce(f64::min),
    }
}
