//! Flow kinds: each builder turns a flow's RNG and start time into a lazy packet source.

use std::collections::VecDeque;
use std::net::IpAddr;

use rand::Rng;

use crate::frame::{self, FrameSpec, L4Spec};
use crate::net::{self, Client, Os, Site};
use crate::rng::GenRng;
use crate::tcp::{Close, Endpoints, Msg, TcpParams, TcpSession};

mod attacks;
mod dns;
mod http;
mod ntp_icmp;
mod ssh_smtp;
mod tls;

pub(crate) use attacks::{PortScan, SynFlood};
use dns::dns_flow;
pub(crate) use http::{exe_download, http_msgs};
use http::{http_flow, http_flow_small};
use ntp_icmp::{icmp_flow, ntp_flow};
use ssh_smtp::{smtp_flow, ssh_flow};
use tls::tls_flow;
pub(crate) use tls::{heavy_upload, tls_msgs};

/// A source of packets in time order.
#[derive(Debug)]
pub(crate) enum FlowGen {
    Tcp(Box<TcpSession>),
    List(VecDeque<(u64, Vec<u8>)>),
    SynFlood(Box<SynFlood>),
    PortScan(Box<PortScan>),
}

impl FlowGen {
    pub fn peek_ts(&mut self) -> Option<u64> {
        match self {
            FlowGen::Tcp(t) => t.peek_ts(),
            FlowGen::List(l) => l.front().map(|p| p.0),
            FlowGen::SynFlood(s) => s.peek_ts(),
            FlowGen::PortScan(p) => p.peek_ts(),
        }
    }

    /// Writes the next frame into `out`; returns its timestamp.
    pub fn emit(&mut self, out: &mut Vec<u8>, scratch: &mut Vec<u8>) -> u64 {
        match self {
            FlowGen::Tcp(t) => t.emit(out, scratch),
            FlowGen::List(l) => {
                let (ts, f) = l.pop_front().expect("emit on an empty flow");
                out.clear();
                out.extend_from_slice(&f);
                ts
            }
            FlowGen::SynFlood(s) => s.emit(out),
            FlowGen::PortScan(p) => p.emit(out),
        }
    }
}

/// A new flow: its kind label, packet source and how many 5-tuple flows it holds.
pub(crate) struct NewFlow {
    pub kind: &'static str,
    pub source: FlowGen,
    pub count: u64,
}

// ------------------------------------------------------------------------ helpers

fn pick<'a, T, R: Rng + ?Sized>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Log-uniform integer in [lo, hi].
pub(crate) fn log_uniform<R: Rng + ?Sized>(rng: &mut R, lo: u64, hi: u64) -> u64 {
    let (a, b) = ((lo as f64).ln(), (hi as f64).ln());
    (rng.random_range(a..=b).exp() as u64).clamp(lo, hi)
}

/// Heavy-tailed transfer size: mostly small, sometimes large, rarely huge.
fn transfer_size<R: Rng + ?Sized>(rng: &mut R) -> u64 {
    let u: f64 = rng.random();
    if u < 0.85 {
        log_uniform(rng, 300, 16_000)
    } else if u < 0.99 {
        log_uniform(rng, 16_000, 200_000)
    } else {
        log_uniform(rng, 200_000, 4_000_000)
    }
}

fn pick_client<R: Rng + ?Sized>(rng: &mut R) -> &'static Client {
    let cs = net::clients();
    // Some hosts are much busier than others.
    let u: f64 = rng.random();
    &cs[((u.powf(1.6)) * cs.len() as f64) as usize % cs.len()]
}

pub(crate) fn ephemeral<R: Rng + ?Sized>(rng: &mut R, os: Os) -> u16 {
    let (lo, hi) = os.ephemeral();
    rng.random_range(lo..=hi)
}

fn words<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    const W: &[&str] = &[
        "alpha", "cloud", "media", "photo", "music", "store", "travel", "market", "social",
        "search", "metro", "pixel", "stream", "green", "river", "north", "report", "update",
        "summer", "garden",
    ];
    W[rng.random_range(0..W.len())]
}

pub(crate) struct Ctx {
    pub small: bool,
}

/// Endpoints of a flow from `client` to `s_ip` (`s_port`), v4 or v6 according to `s_ip`.
pub(crate) fn endpoints<R: Rng + ?Sized>(
    rng: &mut R,
    client: &Client,
    s_ip: IpAddr,
    s_port: u16,
    s_ttl: u8,
    c_port: u16,
) -> Endpoints {
    let c_ip = match s_ip {
        IpAddr::V4(_) => IpAddr::V4(client.ip4),
        IpAddr::V6(_) => IpAddr::V6(client.ip6.expect("v6 flow from a v4-only client")),
    };
    Endpoints {
        c_mac: client.mac,
        s_mac: net::mac_of(s_ip),
        vlans: client.vlan.into_iter().collect(),
        c_ip,
        s_ip,
        c_port,
        s_port,
        c_ttl: client.os.ttl(),
        s_ttl,
        c_flow_label: rng.random::<u32>() & 0xfffff,
        s_flow_label: rng.random::<u32>() & 0xfffff,
    }
}

/// TCP parameters for `client` talking to a server announcing `s_mss`.
pub(crate) fn tcp_params<R: Rng + ?Sized>(
    rng: &mut R,
    ctx: &Ctx,
    os: Os,
    v6: bool,
    s_mss: u16,
    rtt_us: u64,
) -> TcpParams {
    let jitter = rng.random_range(0.85..1.3);
    let rtt_us = ((rtt_us as f64 * jitter) as u64).max(150);
    let u: f64 = rng.random();
    let close = if u < 0.62 {
        Close::Fin { by_client: true }
    } else if u < 0.94 {
        Close::Fin { by_client: false }
    } else if u < 0.98 {
        Close::Rst { by_client: true }
    } else {
        Close::Rst { by_client: false }
    };
    let v6_less = if v6 { 20 } else { 0 };
    if ctx.small {
        return TcpParams {
            mss_c: 1460,
            mss_s: 1460,
            wscale: None,
            sack: false,
            timestamps: false,
            c_syn_window: 65535,
            s_syn_window: 65535,
            c_window: 65535,
            s_window: 65535,
            rtt_us,
            bytes_per_ms: 12_500,
            loss_prob: 0.0,
            reorder_prob: 0.0,
            close: match close {
                Close::Rst { .. } => close,
                _ => Close::Fin { by_client: true },
            },
            close_after_us: rng.random_range(200..50_000),
            fixed_seg: Some(10),
            no_options: true,
            pad_to: 64,
            cwnd_max: 32,
        };
    }
    let (ws_c, ts, syn_win) = match os {
        Os::Windows => (8, false, 64240),
        Os::Linux | Os::Android => (7, true, 64240),
        Os::Mac | Os::Ios => (6, true, 65535),
    };
    let ws_s = *pick(rng, &[7u8, 8, 9, 10]);
    let rates = [6_250u64, 12_500, 37_500, 125_000];
    TcpParams {
        mss_c: 1460 - v6_less,
        mss_s: s_mss - v6_less,
        wscale: Some((ws_c, ws_s)),
        sack: true,
        timestamps: ts,
        c_syn_window: syn_win,
        s_syn_window: 65160,
        c_window: 262_144,
        s_window: 1 << 18,
        rtt_us,
        bytes_per_ms: *pick(rng, &rates),
        loss_prob: 0.01,
        reorder_prob: if rng.random_bool(0.05) { 0.05 } else { 0.0 },
        close,
        close_after_us: log_uniform(rng, 2_000, 3_000_000),
        fixed_seg: None,
        no_options: false,
        pad_to: frame::MIN_FRAME_LEN,
        cwnd_max: 32,
    }
}

pub(crate) fn random_bytes<R: Rng + ?Sized>(rng: &mut R, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rng.fill_bytes(&mut v);
    v
}

fn server_ip<R: Rng + ?Sized>(rng: &mut R, client: &Client, site: &Site, v6_share: f64) -> IpAddr {
    match (client.ip6, site.ip6()) {
        (Some(_), Some(a)) if rng.random_bool(v6_share) => IpAddr::V6(a),
        _ => IpAddr::V4(site.ip4()),
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn session(
    rng: &mut GenRng,
    ctx: &Ctx,
    client: &Client,
    s_ip: IpAddr,
    s_port: u16,
    s_ttl: u8,
    s_mss: u16,
    rtt_us: u64,
    msgs: Vec<Msg>,
    start: u64,
) -> FlowGen {
    let c_port = ephemeral(rng, client.os);
    let mut ep = endpoints(rng, client, s_ip, s_port, s_ttl, c_port);
    if ctx.small {
        ep.vlans.clear();
    }
    let p = tcp_params(rng, ctx, client.os, ep.is_v6(), s_mss, rtt_us);
    let sub = GenRng::new(rng.random());
    FlowGen::Tcp(Box::new(TcpSession::new(ep, p, msgs, start, sub)))
}

// ------------------------------------------------------------------------ packet lists

struct ListBuilder<'a> {
    ep: &'a Endpoints,
    c_id: u16,
    s_id: u16,
    pkts: VecDeque<(u64, Vec<u8>)>,
    pad_to: usize,
}

impl<'a> ListBuilder<'a> {
    fn new<R: Rng + ?Sized>(rng: &mut R, ep: &'a Endpoints, pad_to: usize) -> Self {
        ListBuilder {
            ep,
            c_id: rng.random(),
            s_id: rng.random(),
            pkts: VecDeque::new(),
            pad_to,
        }
    }

    fn next_id(&mut self, from_client: bool) -> u16 {
        let id = if from_client {
            &mut self.c_id
        } else {
            &mut self.s_id
        };
        *id = id.wrapping_add(1);
        *id
    }

    fn push(&mut self, ts: u64, from_client: bool, l4: L4Spec, payload: &[u8], df: bool) {
        let id = self.next_id(from_client);
        let h = self.ep.headers(from_client, l4, id, df);
        let mut out = Vec::with_capacity(64 + payload.len());
        frame::write_frame(&mut out, &h, payload, self.pad_to);
        self.pkts.push_back((ts, out));
    }

    fn udp(&mut self, ts: u64, from_client: bool, payload: &[u8]) {
        let (src_port, dst_port) = self.ep.ports(from_client);
        self.push(
            ts,
            from_client,
            L4Spec::Udp { src_port, dst_port },
            payload,
            false,
        );
    }

    fn spec(&mut self, from_client: bool, l4: L4Spec, payload: &[u8]) -> FrameSpec {
        let id = self.next_id(from_client);
        let h = self.ep.headers(from_client, l4, id, false);
        FrameSpec {
            src_mac: h.src_mac,
            dst_mac: h.dst_mac,
            vlans: h.vlans.to_vec(),
            ip: h.ip,
            l4,
            payload: payload.to_vec(),
        }
    }

    fn finish(self) -> FlowGen {
        FlowGen::List(self.pkts)
    }
}

// ------------------------------------------------------------------------ dispatch

/// Picks and builds normal flow number `idx` of a mixed or 64-byte run.
pub(crate) fn normal_flow(rng: &mut GenRng, small: bool, start: u64) -> NewFlow {
    let ctx = Ctx { small };
    if small {
        return match rng.random_range(0..10) {
            0..4 => http_flow_small(rng, &ctx, start),
            4..7 => tls_flow(rng, &ctx, start),
            _ => dns_flow(rng, &ctx, start),
        };
    }
    let r = rng.random_range(0..1000);
    match r {
        0..320 => tls_flow(rng, &ctx, start),
        320..580 => dns_flow(rng, &ctx, start),
        580..730 => http_flow(rng, &ctx, start, false),
        730..800 => icmp_flow(rng, start),
        800..880 => ntp_flow(rng, start),
        880..930 => ssh_flow(rng, &ctx, start),
        930..960 => smtp_flow(rng, &ctx, start),
        _ => tls_flow(rng, &ctx, start),
    }
}
