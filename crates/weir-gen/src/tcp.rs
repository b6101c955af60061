//! Lazy TCP conversation engine: handshake, ack-clocked data rounds with delayed ACKs,
//! occasional loss (with dup ACKs and fast retransmission) and reordering, then FIN or RST.
//!
//! The capture point is next to the client: client packets are seen when sent, server
//! packets when they arrive, and the server's reaction to a client packet is seen one RTT
//! later. Packets are planned one round at a time as small descriptors and turned into
//! frames only when emitted, so a flow of any size takes a few hundred bytes of memory.

use std::collections::VecDeque;
use std::net::IpAddr;

use rand::Rng;

use crate::bytes;
use crate::frame::{self, ACK, FIN, Headers, IpSpec, L4Spec, PSH, RST, SYN, TcpSpec};
use crate::rng::GenRng;

/// Addressing of a conversation, shared by the TCP engine and the packet-list flows.
#[derive(Clone, Debug)]
pub(crate) struct Endpoints {
    pub c_mac: [u8; 6],
    pub s_mac: [u8; 6],
    pub vlans: Vec<u16>,
    pub c_ip: IpAddr,
    pub s_ip: IpAddr,
    pub c_port: u16,
    pub s_port: u16,
    pub c_ttl: u8,
    pub s_ttl: u8,
    pub c_flow_label: u32,
    pub s_flow_label: u32,
}

impl Endpoints {
    /// Whether this conversation runs over IPv6.
    pub fn is_v6(&self) -> bool {
        self.c_ip.is_ipv6()
    }

    /// Headers of a packet in the given direction.
    pub fn headers(&self, from_client: bool, l4: L4Spec, ip_id: u16, df: bool) -> Headers<'_> {
        let (src_mac, dst_mac, src, dst, ttl, fl) = if from_client {
            (
                self.c_mac,
                self.s_mac,
                self.c_ip,
                self.s_ip,
                self.c_ttl,
                self.c_flow_label,
            )
        } else {
            (
                self.s_mac,
                self.c_mac,
                self.s_ip,
                self.c_ip,
                self.s_ttl,
                self.s_flow_label,
            )
        };
        let ip = match (src, dst) {
            (IpAddr::V4(src), IpAddr::V4(dst)) => IpSpec::V4 {
                src,
                dst,
                ttl,
                id: ip_id,
                dont_fragment: df,
            },
            (IpAddr::V6(src), IpAddr::V6(dst)) => IpSpec::V6 {
                src,
                dst,
                hop_limit: ttl,
                flow_label: fl,
            },
            _ => unreachable!("mixed address families in one flow"),
        };
        Headers {
            src_mac,
            dst_mac,
            vlans: &self.vlans,
            ip,
            l4,
        }
    }

    /// The (src port, dst port) pair of a direction.
    pub fn ports(&self, from_client: bool) -> (u16, u16) {
        if from_client {
            (self.c_port, self.s_port)
        } else {
            (self.s_port, self.c_port)
        }
    }
}

/// Where the bytes of a message body come from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Body {
    /// No body.
    None,
    /// Pseudo-random bytes.
    Binary { salt: u64 },
    /// ASCII text.
    Text { salt: u64 },
    /// A sequence of TLS application-data records with `rec` plaintext bytes each (the last
    /// one shorter), `total` bytes of record payload in all.
    Tls { salt: u64, rec: u32, total: u64 },
}

impl Body {
    /// Stream length of a TLS body carrying `total` record-payload bytes.
    pub fn tls(salt: u64, rec: u32, total: u64) -> (Body, u64) {
        let rec = rec.max(1);
        let n = total.div_ceil(u64::from(rec));
        (Body::Tls { salt, rec, total }, total + 5 * n)
    }

    fn fill(&self, out: &mut Vec<u8>, mut off: u64, mut len: usize) {
        match *self {
            Body::None => out.resize(out.len() + len, 0),
            Body::Binary { salt } => bytes::fill_binary(out, salt, off, len),
            Body::Text { salt } => bytes::fill_text(out, salt, off, len),
            Body::Tls { salt, rec, total } => {
                let stride = u64::from(rec) + 5;
                let n = total.div_ceil(u64::from(rec));
                while len > 0 {
                    let idx = off / stride;
                    let pos = off % stride;
                    let rec_len = if idx + 1 == n {
                        total - (n - 1) * u64::from(rec)
                    } else {
                        u64::from(rec)
                    };
                    if pos < 5 {
                        let hdr = [0x17, 0x03, 0x03, (rec_len >> 8) as u8, rec_len as u8];
                        let take = (5 - pos as usize).min(len);
                        out.extend_from_slice(&hdr[pos as usize..pos as usize + take]);
                        off += take as u64;
                        len -= take;
                    } else {
                        let end = 5 + rec_len;
                        let take = ((end - pos) as usize).min(len);
                        bytes::fill_binary(out, salt, off, take);
                        off += take as u64;
                        len -= take;
                    }
                }
            }
        }
    }
}

/// One application message: explicit `head` bytes followed by `body_len` generated bytes.
#[derive(Clone, Debug)]
pub(crate) struct Msg {
    pub from_client: bool,
    pub head: Vec<u8>,
    pub body: Body,
    pub body_len: u64,
    /// Delay before the sender starts this message (server think time, user pause).
    pub think_us: u64,
}

impl Msg {
    pub fn new(from_client: bool, head: Vec<u8>, think_us: u64) -> Self {
        Msg {
            from_client,
            head,
            body: Body::None,
            body_len: 0,
            think_us,
        }
    }

    pub fn with_body(mut self, body: Body, body_len: u64) -> Self {
        self.body = body;
        self.body_len = body_len;
        self
    }

    fn len(&self) -> u64 {
        self.head.len() as u64 + self.body_len
    }

    fn fill(&self, out: &mut Vec<u8>, off: u64, len: usize) {
        let head_len = self.head.len() as u64;
        let mut off = off;
        let mut len = len;
        if off < head_len {
            let take = ((head_len - off) as usize).min(len);
            out.extend_from_slice(&self.head[off as usize..off as usize + take]);
            off += take as u64;
            len -= take;
        }
        if len > 0 {
            self.body.fill(out, off - head_len, len);
        }
    }
}

/// How a conversation ends after its last message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Close {
    /// FIN handshake started by the client (true) or the server (false).
    Fin { by_client: bool },
    /// A RST+ACK from the client (true) or the server (false).
    Rst { by_client: bool },
}

/// TCP parameters of a conversation.
#[derive(Clone, Debug)]
pub(crate) struct TcpParams {
    pub mss_c: u16,
    pub mss_s: u16,
    /// Window scale shifts (client, server); both or neither side use scaling.
    pub wscale: Option<(u8, u8)>,
    pub sack: bool,
    pub timestamps: bool,
    pub c_syn_window: u16,
    pub s_syn_window: u16,
    /// Receive windows in bytes after the handshake.
    pub c_window: u32,
    pub s_window: u32,
    pub rtt_us: u64,
    /// Link rate seen by bulk transfers, bytes per millisecond.
    pub bytes_per_ms: u64,
    pub loss_prob: f64,
    pub reorder_prob: f64,
    pub close: Close,
    /// Idle time before closing.
    pub close_after_us: u64,
    /// Fixed segment payload size (64-byte mode) instead of MSS-derived sizes.
    pub fixed_seg: Option<u16>,
    /// No options at all (64-byte mode).
    pub no_options: bool,
    pub pad_to: usize,
    pub cwnd_max: u32,
}

#[derive(Clone, Copy, Debug)]
struct Pkt {
    ts: u64,
    from_client: bool,
    flags: u8,
    seq: u32,
    ack: u32,
    off: u64,
    len: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Handshake,
    Data,
    Close,
    Done,
}

/// A TCP conversation generated lazily.
#[derive(Debug)]
pub(crate) struct TcpSession {
    ep: Endpoints,
    p: TcpParams,
    rng: GenRng,
    msgs: VecDeque<Msg>,
    queue: VecDeque<Pkt>,
    state: State,
    now: u64,
    start: u64,
    /// Next sequence number of each side (absolute).
    c_next: u32,
    s_next: u32,
    /// Sequence number at offset 0 of the current message.
    msg_base: u32,
    cur_off: u64,
    cwnd: u32,
    c_ipid: u16,
    s_ipid: u16,
    c_ts_base: u32,
    s_ts_base: u32,
    c_last_tsval: u32,
    s_last_tsval: u32,
}

impl TcpSession {
    /// A conversation starting with the client's SYN at `start`.
    pub fn new(ep: Endpoints, p: TcpParams, msgs: Vec<Msg>, start: u64, mut rng: GenRng) -> Self {
        let c_isn: u32 = rng.random();
        let s_isn: u32 = rng.random();
        let c_ipid: u16 = rng.random();
        let s_ipid: u16 = rng.random();
        let c_ts_base: u32 = rng.random();
        let s_ts_base: u32 = rng.random();
        TcpSession {
            ep,
            p,
            rng,
            msgs: msgs.into(),
            queue: VecDeque::new(),
            state: State::Handshake,
            now: start,
            start,
            c_next: c_isn,
            s_next: s_isn,
            msg_base: 0,
            cur_off: 0,
            cwnd: 10,
            c_ipid,
            s_ipid,
            c_ts_base,
            s_ts_base,
            c_last_tsval: 0,
            s_last_tsval: 0,
        }
    }

    /// Makes this a fast bulk transfer: gigabit pacing, a large congestion window, rare loss.
    pub fn set_fast(&mut self) {
        self.p.bytes_per_ms = 125_000;
        self.p.cwnd_max = 150;
        self.p.loss_prob = 0.002;
    }

    /// Timestamp of the next packet, or `None` when the conversation is over.
    pub fn peek_ts(&mut self) -> Option<u64> {
        while self.queue.is_empty() {
            if self.state == State::Done {
                return None;
            }
            self.plan();
        }
        self.queue.front().map(|p| p.ts)
    }

    /// Writes the next packet's frame into `out` (using `scratch` for its payload) and
    /// returns its timestamp. Call only after [`TcpSession::peek_ts`] returned `Some`.
    pub fn emit(&mut self, out: &mut Vec<u8>, scratch: &mut Vec<u8>) -> u64 {
        let p = self
            .queue
            .pop_front()
            .expect("emit without a planned packet");
        scratch.clear();
        if p.len > 0 {
            let msg = self.msgs.front().expect("payload without a message");
            msg.fill(scratch, p.off, p.len as usize);
        }
        let syn = p.flags & SYN != 0;
        let elapsed_ms = ((p.ts - self.start) / 1000) as u32;
        let (tsval, tsecr) = if p.from_client {
            let v = self.c_ts_base.wrapping_add(elapsed_ms);
            self.c_last_tsval = v;
            (v, if syn { 0 } else { self.s_last_tsval })
        } else {
            let v = self.s_ts_base.wrapping_add(elapsed_ms);
            self.s_last_tsval = v;
            (v, self.c_last_tsval)
        };
        let (src_port, dst_port) = self.ep.ports(p.from_client);
        let mut t = TcpSpec {
            src_port,
            dst_port,
            seq: p.seq,
            ack: p.ack,
            flags: p.flags,
            window: 0,
            mss: None,
            wscale: None,
            sack_permitted: false,
            timestamps: if self.p.timestamps {
                Some((tsval, tsecr))
            } else {
                None
            },
        };
        if syn {
            t.window = if p.from_client {
                self.p.c_syn_window
            } else {
                self.p.s_syn_window
            };
            if !self.p.no_options {
                t.mss = Some(if p.from_client {
                    self.p.mss_c
                } else {
                    self.p.mss_s
                });
                t.sack_permitted = self.p.sack;
                t.wscale = self
                    .p
                    .wscale
                    .map(|(c, s)| if p.from_client { c } else { s });
            }
        } else if p.flags & RST != 0 && p.flags & ACK == 0 {
            t.window = 0;
        } else {
            let (bytes, shift) = if p.from_client {
                (self.p.c_window, self.p.wscale.map_or(0, |w| w.0))
            } else {
                (self.p.s_window, self.p.wscale.map_or(0, |w| w.1))
            };
            t.window = (bytes >> shift).min(65535) as u16;
        }
        if p.flags & RST != 0 {
            t.timestamps = None;
        }
        let ip_id = if p.from_client {
            self.c_ipid = self.c_ipid.wrapping_add(1);
            self.c_ipid
        } else {
            self.s_ipid = self.s_ipid.wrapping_add(1);
            self.s_ipid
        };
        let h = self.ep.headers(p.from_client, L4Spec::Tcp(t), ip_id, true);
        frame::write_frame(out, &h, scratch, self.p.pad_to);
        p.ts
    }

    fn seg_max(&self, from_client: bool) -> u64 {
        if let Some(s) = self.p.fixed_seg {
            return u64::from(s);
        }
        // A sender is limited by the MSS its peer announced.
        let mss = if from_client {
            self.p.mss_s
        } else {
            self.p.mss_c
        };
        let opt = if self.p.timestamps { 12 } else { 0 };
        u64::from(mss) - opt
    }

    fn small_delay(&mut self) -> u64 {
        self.rng.random_range(15..60)
    }

    fn plan(&mut self) {
        match self.state {
            State::Handshake => self.plan_handshake(),
            State::Data => self.plan_data(),
            State::Close => self.plan_close(),
            State::Done => {}
        }
    }

    fn push(&mut self, ts: u64, from_client: bool, flags: u8, seq: u32, ack: u32) {
        self.queue.push_back(Pkt {
            ts,
            from_client,
            flags,
            seq,
            ack,
            off: 0,
            len: 0,
        });
    }

    fn plan_handshake(&mut self) {
        let t0 = self.now;
        let (c, s) = (self.c_next, self.s_next);
        self.push(t0, true, SYN, c, 0);
        let t1 = t0 + self.p.rtt_us;
        self.push(t1, false, SYN | ACK, s, c.wrapping_add(1));
        let t2 = t1 + self.small_delay();
        self.c_next = c.wrapping_add(1);
        self.s_next = s.wrapping_add(1);
        self.push(t2, true, ACK, self.c_next, self.s_next);
        self.now = t2 + self.small_delay();
        self.state = State::Data;
    }

    fn plan_close(&mut self) {
        let t0 = self.now + self.p.close_after_us;
        let (c, s) = (self.c_next, self.s_next);
        match self.p.close {
            Close::Rst { by_client: true } => self.push(t0, true, RST | ACK, c, s),
            Close::Rst { by_client: false } => self.push(t0, false, RST | ACK, s, c),
            Close::Fin { by_client: true } => {
                self.push(t0, true, FIN | ACK, c, s);
                let t1 = t0 + self.p.rtt_us;
                self.push(t1, false, FIN | ACK, s, c.wrapping_add(1));
                let t2 = t1 + self.small_delay();
                self.push(t2, true, ACK, c.wrapping_add(1), s.wrapping_add(1));
            }
            Close::Fin { by_client: false } => {
                self.push(t0, false, FIN | ACK, s, c);
                let t1 = t0 + self.small_delay() + 100;
                self.push(t1, true, FIN | ACK, c, s.wrapping_add(1));
                let t2 = t1 + self.p.rtt_us;
                self.push(t2, false, ACK, s.wrapping_add(1), c.wrapping_add(1));
            }
        }
        self.state = State::Done;
    }

    fn plan_data(&mut self) {
        // Drop finished messages; start the next one.
        loop {
            let Some(msg) = self.msgs.front() else {
                self.state = State::Close;
                return;
            };
            if self.cur_off < msg.len() {
                break;
            }
            self.msgs.pop_front();
            self.cur_off = 0;
        }
        let msg = self.msgs.front().expect("checked above");
        let from_client = msg.from_client;
        let total = msg.len();
        if self.cur_off == 0 {
            self.msg_base = if from_client {
                self.c_next
            } else {
                self.s_next
            };
            self.now += msg.think_us;
            self.cwnd = self.cwnd.clamp(2, 10);
        }
        let seg_max = self.seg_max(from_client);
        let peer_next = if from_client {
            self.s_next
        } else {
            self.c_next
        };

        // Segments of this round.
        let mut segs: Vec<(u64, u32, u64)> = Vec::with_capacity(self.cwnd as usize); // off, len, cap_ts
        let mut off = self.cur_off;
        let mut t = self.now;
        while off < total && segs.len() < self.cwnd as usize {
            let len = (total - off).min(seg_max) as u32;
            segs.push((off, len, t));
            t += 1 + (u64::from(len) + 66) * 1000 / self.p.bytes_per_ms.max(1);
            off += u64::from(len);
        }
        let n = segs.len();
        let round_end_off = off;

        // Loss of a client segment after the capture point, or reordering of server
        // segments before it.
        // Only tail segments are lost, so that fewer than three duplicate ACKs follow and the
        // sender retransmits on its timer: Wireshark reports fast retransmissions inside
        // reassembled PDUs as overlapping fragments (malformed), which we do not want.
        let lost = if from_client && n >= 1 && self.rng.random_bool(self.p.loss_prob) {
            Some(self.rng.random_range(n.saturating_sub(3)..n))
        } else {
            None
        };
        // Never swap the first segment of a round: when it starts an application message,
        // a dissector would take the later segment for the start of the message.
        if !from_client && n >= 3 && self.rng.random_bool(self.p.reorder_prob) {
            let k = self.rng.random_range(1..n - 1);
            let (a, b) = (segs[k].2, segs[k + 1].2);
            segs[k].2 = b;
            segs[k + 1].2 = a;
            segs.swap(k, k + 1);
        }

        let mut out: Vec<Pkt> = Vec::with_capacity(n * 2 + 4);
        for &(off, len, ts) in &segs {
            let last_of_msg = off + u64::from(len) == total;
            out.push(Pkt {
                ts,
                from_client,
                flags: if last_of_msg { ACK | PSH } else { ACK },
                seq: self.msg_base.wrapping_add(off as u32),
                ack: peer_next,
                off,
                len,
            });
        }

        // Receiver: when does each segment arrive (in capture-time terms of its ACK)?
        let one_way = if from_client { self.p.rtt_us } else { 0 };
        let mut arrivals: Vec<(u64, u64, u32)> = segs
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != lost)
            .map(|(_, &(off, len, ts))| (ts + one_way, off, len))
            .collect();
        arrivals.sort_by_key(|a| a.0);
        let mut acks: Vec<(u64, u64)> = Vec::new(); // (visible ts, acked offset)
        let mut rcv_nxt = self.cur_off;
        let mut ooo: Vec<(u64, u32)> = Vec::new();
        let mut unacked = 0;
        let mut dupacks: Vec<u64> = Vec::new();
        let n_arr = arrivals.len();
        for (j, &(at, off, len)) in arrivals.iter().enumerate() {
            let d = self.small_delay();
            if off == rcv_nxt {
                rcv_nxt += u64::from(len);
                let mut filled = false;
                while let Some(pos) = ooo.iter().position(|&(o, _)| o == rcv_nxt) {
                    let (_, l) = ooo.swap_remove(pos);
                    rcv_nxt += u64::from(l);
                    filled = true;
                }
                unacked += 1;
                if filled || unacked >= 2 || j + 1 == n_arr {
                    acks.push((at + d, rcv_nxt));
                    unacked = 0;
                }
            } else {
                ooo.push((off, len));
                acks.push((at + d, rcv_nxt));
                dupacks.push(at + d);
                unacked = 0;
            }
        }
        if let Some(k) = lost {
            let (off, len, ts) = segs[k];
            // The sender retransmits after three duplicate ACKs, or when its timer expires.
            let rto = (2 * self.p.rtt_us).max(200_000);
            let rts = if dupacks.len() >= 3 {
                dupacks[2] + self.small_delay()
            } else {
                let last_seen = acks.iter().map(|a| a.0).max().unwrap_or(ts);
                (ts + rto).max(last_seen + 1000)
            };
            out.push(Pkt {
                ts: rts,
                from_client,
                flags: if off + u64::from(len) == total {
                    ACK | PSH
                } else {
                    ACK
                },
                seq: self.msg_base.wrapping_add(off as u32),
                ack: peer_next,
                off,
                len,
            });
            let at = rts + one_way;
            rcv_nxt = rcv_nxt.max(round_end_off);
            let d = self.small_delay();
            acks.push((at + d, rcv_nxt));
            self.cwnd = (self.cwnd / 2).max(2);
        } else {
            self.cwnd = (self.cwnd * 2).min(self.p.cwnd_max);
        }
        debug_assert_eq!(rcv_nxt, round_end_off);

        let recv_seq = if from_client {
            self.s_next
        } else {
            self.c_next
        };
        let first_ack = acks.iter().map(|a| a.0).min().unwrap_or(self.now);
        for &(ts, acked) in &acks {
            out.push(Pkt {
                ts,
                from_client: !from_client,
                flags: ACK,
                seq: recv_seq,
                ack: self.msg_base.wrapping_add(acked as u32),
                off: 0,
                len: 0,
            });
        }
        out.sort_by_key(|p| p.ts);
        let last = out.last().map_or(self.now, |p| p.ts);
        self.queue.extend(out);

        self.cur_off = round_end_off;
        let next = self.msg_base.wrapping_add(round_end_off as u32);
        if from_client {
            self.c_next = next;
        } else {
            self.s_next = next;
        }
        self.now = if from_client {
            last.max(first_ack) + self.small_delay()
        } else {
            (last + 1).max(first_ack + self.p.rtt_us)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_body_is_a_record_stream_and_fill_is_offset_stable() {
        for total in [1u64, 100, 16_401, 16_402, 50_000] {
            let (body, len) = Body::tls(9, 16_401, total);
            let mut whole = Vec::new();
            body.fill(&mut whole, 0, len as usize);
            assert_eq!(whole.len() as u64, len);
            // Walk the records.
            let mut p = 0;
            let mut payload = 0;
            while p < whole.len() {
                assert_eq!(&whole[p..p + 3], &[0x17, 3, 3]);
                let l = u16::from_be_bytes([whole[p + 3], whole[p + 4]]) as usize;
                payload += l;
                p += 5 + l;
            }
            assert_eq!(p, whole.len());
            assert_eq!(payload as u64, total);
            // Filling in pieces gives the same bytes.
            let mut pieces = Vec::new();
            let mut off = 0;
            for step in [1usize, 4, 1448, 3, 9000].iter().cycle() {
                if off >= whole.len() {
                    break;
                }
                let n = (*step).min(whole.len() - off);
                body.fill(&mut pieces, off as u64, n);
                off += n;
            }
            assert_eq!(pieces, whole);
        }
    }

    #[test]
    fn message_fill_spans_head_and_body() {
        let m = Msg::new(true, b"HEAD".to_vec(), 0).with_body(Body::Text { salt: 1 }, 10);
        let mut a = Vec::new();
        m.fill(&mut a, 0, 14);
        let mut b = Vec::new();
        m.fill(&mut b, 0, 3);
        m.fill(&mut b, 3, 11);
        assert_eq!(a, b);
        assert!(a.starts_with(b"HEAD"));
        assert!(a[4..].iter().all(u8::is_ascii));
    }
}
