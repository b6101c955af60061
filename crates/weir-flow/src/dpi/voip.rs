//! DPI family `voip` (see the module docs of [`crate::dpi`]): messaging apps' own
//! transports, calls and media signalling — WhatsApp's chat stream, Xiaomi push,
//! Threema, Viber, Discord voice, Telegram call reflectors, Zoom (media servers and
//! peer-to-peer), RTSP, RTMP, H.323, MGCP, Megaco, IAX2, BFCP, Mumble, TeamSpeak 3,
//! RTCP-only flows, MPEG-TS, SSDP answers, and (the brief's leftovers) HTTP/2's preface
//! and WebSocket frames. The byte-level checks live in [`weir_decode::app::voip`];
//! multi-packet checks park their progress in the flow's [`DpiState`].

use weir_decode::app::voip::{self, WaProgress, WaStep};

use super::{found, release};
use crate::flow::{DpiState, Flow};
use crate::l7::PacketCtx;
use crate::proto::Proto;

/// Identifies the flow if one of this family's protocols speaks in `c`.
pub(crate) fn identify(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    match c.l4 {
        6 => {
            xiaomi(f, c)
                || whatsapp(f, c)
                || threema(f, c)
                || viber_tcp(f, c)
                || one(f, voip::rtsp(c.payload), Proto::RTSP)
                || one(f, voip::h323_tcp(c.payload), Proto::H323)
                || bfcp(f, c)
                || one(f, voip::rtmp_handshake(c.payload), Proto::RTMP)
                || one(f, voip::http2_preface(c.payload), Proto::HTTP2)
                || websocket(f, c)
        }
        17 => {
            discord(f, c)
                || telegram(f, c)
                || zoom(f, c)
                || one(f, voip::zoom_p2p_hello(c.payload), Proto::ZOOM)
                || viber_udp(f, c)
                || ssdp(f, c)
                || one(f, voip::h323_ras(c.payload), Proto::H323)
                || one(f, voip::mgcp_command(c.payload), Proto::MGCP)
                || one(f, voip::megaco(c.payload), Proto::MEGACO)
                || one(f, voip::mpeg_ts(c.payload), Proto::MPEG_TS)
                || one(f, voip::teamspeak3_init(c.payload), Proto::TEAMSPEAK)
                || iax(f, c)
                || mumble(f, c)
                || rtcp(f, c)
                || bfcp(f, c)
        }
        _ => false,
    }
}

/// A protocol decided by one packet's signature.
fn one(f: &mut Flow, matched: bool, proto: Proto) -> bool {
    matched && found(f, proto)
}

/// IAX2 (UDP 4569): a full frame of the IAX control type. (The port narrows the check:
/// IAX frames start like RTP.)
fn iax(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    (c.sport == 4569 || c.cport == 4569) && one(f, voip::iax2_control(c.payload), Proto::IAX)
}

/// Mumble (UDP): the server answers the client's ping with the same identifier.
fn mumble(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    let Some((answer, id)) = voip::mumble_ping(c.payload) else {
        return false;
    };
    if !answer && c.from_client && free_or(f, Proto::MUMBLE) {
        park(f, Proto::MUMBLE, 1, id);
        return false;
    }
    let d = f.l7.dpi;
    if answer && !c.from_client && d.candidate == Proto::MUMBLE && d.data == id {
        return found(f, Proto::MUMBLE);
    }
    false
}

/// RTCP packets in a row (any direction) before an RTCP-only flow is called RTCP (nDPI
/// waits as long; an app's own signature, e.g. Discord's keep-alive, may come first).
const RTCP_PACKETS: u8 = 4;

/// RTCP alone (the RTP stream on its own port pair): [`RTCP_PACKETS`] well-formed
/// compound RTCP datagrams in a row.
fn rtcp(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    if !free_or(f, Proto::RTCP) {
        return false;
    }
    if !weir_decode::app::misc::probe_rtcp(c.payload) {
        release(f, Proto::RTCP);
        return false;
    }
    let seen = if f.l7.dpi.candidate == Proto::RTCP {
        f.l7.dpi.stage
    } else {
        0
    } + 1;
    if seen >= RTCP_PACKETS {
        return found(f, Proto::RTCP);
    }
    park(f, Proto::RTCP, seen, 0);
    false
}

/// BFCP (TCP or UDP): two messages of the flow for the same conference with different
/// primitives (a request and its answer; a retransmitted message does not count). The
/// DPI state keeps the conference id and, in `stage`, the first message's primitive.
fn bfcp(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    if !free_or(f, Proto::BFCP) {
        return false;
    }
    let Some((prim, conf)) = voip::bfcp_header(c.payload) else {
        release(f, Proto::BFCP);
        return false;
    };
    let d = f.l7.dpi;
    if d.candidate == Proto::BFCP && d.data == conf && d.stage != prim {
        return found(f, Proto::BFCP);
    }
    park(f, Proto::BFCP, prim, conf);
    false
}

/// WebSocket frames seen without their HTTP upgrade (the flow's start is missing): two
/// segments in a row that are each exactly one frame.
fn websocket(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    if !c.in_order || !free_or(f, Proto::WEBSOCKET) {
        return false;
    }
    if voip::websocket_frame(c.payload).is_none() {
        release(f, Proto::WEBSOCKET);
        return false;
    }
    if f.l7.dpi.candidate == Proto::WEBSOCKET {
        return found(f, Proto::WEBSOCKET);
    }
    park(f, Proto::WEBSOCKET, 1, 0);
    false
}

/// True if the flow's DPI state is free or already ours.
fn free_or(f: &Flow, proto: Proto) -> bool {
    f.l7.dpi.candidate == Proto::UNKNOWN || f.l7.dpi.candidate == proto
}

/// Parks `proto` as the flow's candidate with `stage` and `data`.
fn park(f: &mut Flow, proto: Proto, stage: u8, data: u32) {
    f.l7.dpi = DpiState {
        candidate: proto,
        stage,
        data,
    };
}

/// Xiaomi push (TCP): the `C2 FE 00 05` frame header.
fn xiaomi(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    voip::xiaomi_push(c.payload) && found(f, Proto::XIAOMI)
}

/// Threema (TCP 5222): handshake messages of exactly 48 (client hello: cookie and
/// ephemeral key), 80 (server hello) and 191 (client login) bytes, in this order and
/// direction. (Length-framed messages follow, see [`voip::threema_frame`]; the three
/// sizes already decide, before a flow's packet budget runs out on ACKs.)
fn threema(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    if !(c.cport == 5222 || c.sport == 5222) || !c.in_order || !free_or(f, Proto::THREEMA) {
        return false;
    }
    let stage = if f.l7.dpi.candidate == Proto::THREEMA {
        f.l7.dpi.stage
    } else {
        0
    };
    let want = voip::THREEMA_HANDSHAKE.get(usize::from(stage)).copied();
    let from_client = stage != 1;
    if c.from_client == from_client && Some(c.payload.len()) == want {
        if usize::from(stage) + 1 == voip::THREEMA_HANDSHAKE.len() {
            return found(f, Proto::THREEMA);
        }
        park(f, Proto::THREEMA, stage + 1, 0);
    } else {
        release(f, Proto::THREEMA);
    }
    false
}

/// Viber (TCP 4244/5242/5243): two segments in a row that each hold exactly one frame
/// with its 16-bit little-endian length.
fn viber_tcp(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    if !(voip::viber_tcp_port(c.sport) || voip::viber_tcp_port(c.cport))
        || !c.in_order
        || !free_or(f, Proto::VIBER)
    {
        return false;
    }
    if !voip::viber_tcp_frame(c.payload) {
        release(f, Proto::VIBER);
        return false;
    }
    if f.l7.dpi.candidate == Proto::VIBER {
        return found(f, Proto::VIBER);
    }
    park(f, Proto::VIBER, 1, 0);
    false
}

/// Viber (UDP 7985-7987): two packets with the same session tag and known types.
fn viber_udp(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    if !(voip::viber_udp_port(c.sport) || voip::viber_udp_port(c.cport))
        || !free_or(f, Proto::VIBER)
    {
        return false;
    }
    let Some(tag) = voip::viber_udp(c.payload) else {
        release(f, Proto::VIBER);
        return false;
    };
    if f.l7.dpi.candidate == Proto::VIBER && f.l7.dpi.data == u32::from(tag) {
        return found(f, Proto::VIBER);
    }
    park(f, Proto::VIBER, 1, u32::from(tag));
    false
}

/// SSDP answers (UDP, unicast to the searcher's port): `HTTP/1.1 200 OK` with `ST:` and
/// `USN:` headers.
fn ssdp(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    voip::ssdp_response(c.payload) && found(f, Proto::SSDP)
}

/// WhatsApp chat (TCP 443/5222): the client's stream starts with the `ED 00 01` edge
/// block and/or the `WA` version header, possibly split over several segments; the
/// match progress is parked in the flow's DPI state between segments.
fn whatsapp(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    if !c.from_client || !c.in_order {
        return false;
    }
    let ours = f.l7.dpi.candidate == Proto::WHATSAPP;
    if !ours && f.l7.dpi.candidate != Proto::UNKNOWN {
        return false;
    }
    let prev = if ours {
        WaProgress {
            stage: f.l7.dpi.stage,
            data: f.l7.dpi.data,
        }
    } else {
        WaProgress::default()
    };
    match voip::whatsapp_step(prev, c.payload) {
        WaStep::Match => found(f, Proto::WHATSAPP),
        WaStep::More(p) => {
            f.l7.dpi = DpiState {
                candidate: Proto::WHATSAPP,
                stage: p.stage,
                data: p.data,
            };
            false
        }
        WaStep::NoMatch => {
            if ours {
                f.l7.dpi = DpiState::default();
            }
            false
        }
    }
}

/// Discord voice (UDP): the IP discovery exchange that opens a voice connection, or
/// the 8-byte keep-alive (`13 37 CA FE`) that a flow seen mid-way still carries.
fn discord(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    let p = c.payload;
    if voip::discord_ip_discovery(p).is_some() || voip::discord_keepalive(p) {
        return found(f, Proto::DISCORD);
    }
    false
}

/// Telegram calls (UDP): the reflector's plain ping/pong, tagged with the call's
/// 16-byte peer tag.
fn telegram(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    if voip::telegram_reflector(c.payload) {
        return found(f, Proto::TELEGRAM);
    }
    false
}

/// Zoom media servers (UDP 8801-8810): the client's type-1 hello and the server's
/// type-2 answer carry the same session id; the id's first bytes wait in the DPI state
/// for the answer.
fn zoom(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    if !voip::zoom_sfu_port(c.sport) {
        return false;
    }
    let Some((ty, id)) = voip::zoom_sfu_hello(c.payload) else {
        return false;
    };
    let d = f.l7.dpi;
    match (ty, c.from_client) {
        (1, true) if d.candidate == Proto::UNKNOWN || d.candidate == Proto::ZOOM => {
            f.l7.dpi = DpiState {
                candidate: Proto::ZOOM,
                stage: 1,
                data: id,
            };
            false
        }
        (2, false) if d.candidate == Proto::ZOOM && d.stage == 1 && d.data == id => {
            found(f, Proto::ZOOM)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dpi::testing::{ctx, flow, hex};
    use crate::flow::Detection;

    /// The WhatsApp preamble split over three client segments, as a phone sends it.
    #[test]
    fn whatsapp_over_segments() {
        let mut f = flow(6, 49026, 5222);
        let segs = [hex("45440001"), hex("00000408090805"), hex("57410502")];
        assert!(!identify(&mut f, &ctx(&segs[0], true, 6, 49026, 5222)));
        // A server segment in between changes nothing.
        assert!(!identify(&mut f, &ctx(&hex("0000"), false, 6, 49026, 5222)));
        assert!(!identify(&mut f, &ctx(&segs[1], true, 6, 49026, 5222)));
        assert!(identify(&mut f, &ctx(&segs[2], true, 6, 49026, 5222)));
        assert_eq!(
            (f.l7.master, f.l7.detection),
            (Proto::WHATSAPP, Detection::Done)
        );
        assert_eq!(f.l7.dpi, DpiState::default());
    }

    #[test]
    fn whatsapp_mismatch_releases_state() {
        let mut f = flow(6, 40000, 443);
        assert!(!identify(&mut f, &ctx(b"ED", true, 6, 40000, 443)));
        assert_eq!(f.l7.dpi.candidate, Proto::WHATSAPP);
        assert!(!identify(&mut f, &ctx(b"IT", true, 6, 40000, 443)));
        assert_eq!(f.l7.dpi, DpiState::default());
        assert_eq!(f.l7.master, Proto::UNKNOWN);
    }

    #[test]
    fn discord_keepalive_mid_flow() {
        let mut f = flow(17, 54935, 50001);
        // RTCP receiver report first: not Discord's own.
        let rtcp = hex("81c9000700162ffd537109592cf065d572db9ac11958463c6401471f");
        assert!(!identify(&mut f, &ctx(&rtcp, false, 17, 54935, 50001)));
        assert!(identify(
            &mut f,
            &ctx(&hex("1337cafea9010000"), true, 17, 54935, 50001)
        ));
        assert_eq!(f.l7.master, Proto::DISCORD);
    }

    /// Threema's three handshake sizes; a wrong size or direction stops it.
    #[test]
    fn threema_handshake() {
        let mut f = flow(6, 50298, 5222);
        let c48 = [0x11u8; 48];
        let s80 = [0x22u8; 80];
        let c191 = [0x33u8; 191];
        assert!(!identify(&mut f, &ctx(&c48, true, 6, 50298, 5222)));
        assert!(!identify(&mut f, &ctx(&s80, false, 6, 50298, 5222)));
        assert!(identify(&mut f, &ctx(&c191, true, 6, 50298, 5222)));
        assert_eq!(f.l7.master, Proto::THREEMA);
        assert_eq!(f.l7.dpi, DpiState::default());
        let mut g = flow(6, 50298, 5222);
        assert!(!identify(&mut g, &ctx(&c48, true, 6, 50298, 5222)));
        assert!(!identify(&mut g, &ctx(&c48, false, 6, 50298, 5222)));
        assert_eq!(g.l7.dpi, DpiState::default());
    }

    #[test]
    fn viber_udp_tag_repeats() {
        let a = hex("edf61900ac19358c8f64e44725df4d4ee1cd371b5c9abc26d9d30b4b01bb39b30000");
        let b = hex("edf61a00ac19358c8f64e44732437c5e43b800c8");
        let mut f = flow(17, 47171, 7987);
        assert!(!identify(&mut f, &ctx(&a, true, 17, 47171, 7987)));
        assert!(identify(&mut f, &ctx(&b, false, 17, 47171, 7987)));
        assert_eq!(f.l7.master, Proto::VIBER);
        // Other tags, or another port, do not match.
        let mut g = flow(17, 47171, 7987);
        let mut b2 = b.clone();
        b2[0] ^= 0xff;
        assert!(!identify(&mut g, &ctx(&a, true, 17, 47171, 7987)));
        assert!(!identify(&mut g, &ctx(&b2, false, 17, 47171, 7987)));
        let mut h = flow(17, 47171, 9000);
        assert!(!identify(&mut h, &ctx(&a, true, 17, 47171, 9000)));
        assert!(!identify(&mut h, &ctx(&b, false, 17, 47171, 9000)));
    }

    #[test]
    fn mumble_ping_answered() {
        let q = hex("0000000003d72000fa76287e");
        let a = hex("0001030403d72000fa76287e000000000000006400011940");
        let mut f = flow(17, 50085, 64738);
        assert!(!identify(&mut f, &ctx(&q, true, 17, 50085, 64738)));
        assert!(identify(&mut f, &ctx(&a, false, 17, 50085, 64738)));
        assert_eq!(f.l7.master, Proto::MUMBLE);
        // An answer alone is not enough.
        let mut g = flow(17, 50085, 64738);
        assert!(!identify(&mut g, &ctx(&a, false, 17, 50085, 64738)));
    }

    #[test]
    fn rtcp_after_four() {
        let mut rr = hex("81c9000701932db400000000010000010000bec20000000100000000000000");
        rr.resize(32, 0);
        let mut f = flow(17, 25963, 31601);
        for _ in 0..3 {
            assert!(!identify(&mut f, &ctx(&rr, true, 17, 25963, 31601)));
        }
        assert!(identify(&mut f, &ctx(&rr, false, 17, 25963, 31601)));
        assert_eq!(f.l7.master, Proto::RTCP);
        // Something else in between starts the count again.
        let mut g = flow(17, 25963, 31601);
        for _ in 0..3 {
            assert!(!identify(&mut g, &ctx(&rr, true, 17, 25963, 31601)));
        }
        assert!(!identify(&mut g, &ctx(&[0x55; 20], true, 17, 25963, 31601)));
        assert!(!identify(&mut g, &ctx(&rr, true, 17, 25963, 31601)));
        assert_eq!(g.l7.dpi.stage, 1);
    }

    #[test]
    fn bfcp_needs_an_answer() {
        let req = hex("200300010000000100020504");
        let status = hex("200400010000000100020504");
        let mut f = flow(6, 44450, 5070);
        assert!(!identify(&mut f, &ctx(&req, true, 6, 44450, 5070)));
        assert!(
            !identify(&mut f, &ctx(&req, true, 6, 44450, 5070)),
            "retransmission"
        );
        assert!(identify(&mut f, &ctx(&status, false, 6, 44450, 5070)));
        assert_eq!(f.l7.master, Proto::BFCP);
    }

    #[test]
    fn zoom_needs_matching_answer() {
        let hello = hex(
            "010003c84ac4528718cda2b8477a1b899f33830000000000000002006f613f006f613f00000040e6d766f5",
        );
        let answer = hex(
            "020003c84ac4528718cda2b8477a1b899f3383004f8378006f613f0000000000000000004000400003e00300",
        );
        let mut f = flow(17, 60653, 8801);
        assert!(!identify(&mut f, &ctx(&hello, true, 17, 60653, 8801)));
        assert!(identify(&mut f, &ctx(&answer, false, 17, 60653, 8801)));
        assert_eq!(f.l7.master, Proto::ZOOM);
        // An answer with another session id does not count.
        let mut g = flow(17, 60653, 8801);
        assert!(!identify(&mut g, &ctx(&hello, true, 17, 60653, 8801)));
        let mut other = answer.clone();
        other[5] ^= 1;
        assert!(!identify(&mut g, &ctx(&other, false, 17, 60653, 8801)));
        // Not on another port.
        let mut h = flow(17, 60653, 9000);
        assert!(!identify(&mut h, &ctx(&hello, true, 17, 60653, 9000)));
        assert_eq!(h.l7.dpi, DpiState::default());
    }
}
