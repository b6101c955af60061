//! DNS flows: lookups over UDP (A, AAAA, CNAME chains, NXDOMAIN) and sometimes TCP.

use std::net::IpAddr;

use rand::Rng;

use crate::app;
use crate::frame;
use crate::net::{self, Os};
use crate::rng::GenRng;
use crate::tcp::Msg;

use super::{Ctx, ListBuilder, NewFlow, endpoints, ephemeral, pick, pick_client, session};

fn dns_lookup<R: Rng + ?Sized>(
    rng: &mut R,
) -> (String, Option<&'static str>, Vec<IpAddr>, Vec<IpAddr>, bool) {
    let u: f64 = rng.random();
    if u < 0.07 {
        let name = if rng.random_bool(0.5) {
            pick(rng, net::NX_NAMES).to_string()
        } else {
            // A DGA-looking name.
            let len = rng.random_range(10..18);
            let mut s: String = (0..len)
                .map(|_| (b'a' + rng.random_range(0..26u8)) as char)
                .collect();
            s.push_str([".com", ".net", ".info", ".xyz"][rng.random_range(0..4)]);
            s
        };
        return (name, None, Vec::new(), Vec::new(), true);
    }
    let site = if u < 0.75 {
        pick(rng, net::TLS_SITES)
    } else if u < 0.95 {
        pick(rng, net::HTTP_SITES)
    } else {
        pick(rng, net::EXE_SITES)
    };
    let v4 = vec![IpAddr::V4(site.ip4())];
    let v6 = site.ip6().map(IpAddr::V6).into_iter().collect();
    (site.name.to_string(), site.cname, v4, v6, false)
}

pub(super) fn dns_flow(rng: &mut GenRng, ctx: &Ctx, start: u64) -> NewFlow {
    let client = pick_client(rng);
    if ctx.small {
        // A query and its NXDOMAIN answer, 22 bytes of DNS each: 64-byte frames.
        let &(rip, _, rtt, ttl) = &net::RESOLVERS[rng.random_range(0..net::RESOLVERS.len())];
        let c_port = ephemeral(rng, client.os);
        let mut ep = endpoints(rng, client, IpAddr::V4(rip), 53, ttl, c_port);
        ep.vlans.clear();
        let name = format!(
            "{}.{}",
            (b'a' + rng.random_range(0..26u8)) as char,
            pick(rng, &["io", "de", "it", "nl", "fr", "uk"])
        );
        let id: u16 = rng.random();
        let mut lb = ListBuilder::new(rng, &ep, 64);
        lb.udp(start, true, &app::dns_query(id, &name, app::DNS_TYPE_A));
        let resp = app::dns_response(id, &name, app::DNS_TYPE_A, &[], app::DNS_RCODE_NXDOMAIN);
        lb.udp(start + u64::from(rtt), false, &resp);
        return NewFlow {
            kind: "dns",
            source: lb.finish(),
            count: 1,
        };
    }
    let ri = if rng.random_bool(0.6) {
        0
    } else {
        rng.random_range(1..net::RESOLVERS.len())
    };
    let (r4, r6, rtt, ttl) = net::RESOLVERS[ri];
    let use_v6 = client.ip6.is_some() && r6.is_some() && rng.random_bool(0.25);
    let rip = if use_v6 {
        IpAddr::V6(r6.expect("checked"))
    } else {
        IpAddr::V4(r4)
    };
    let (name, cname, a4, a6, nx) = dns_lookup(rng);
    let rtt = u64::from(rtt) * rng.random_range(90..140) / 100 + if nx { 15_000 } else { 0 };

    if rng.random_bool(0.03) {
        // DNS over TCP (e.g. a truncated answer retried).
        let id: u16 = rng.random();
        let q = app::dns_tcp(&app::dns_query(id, &name, app::DNS_TYPE_A));
        let rcode = if nx {
            app::DNS_RCODE_NXDOMAIN
        } else {
            app::DNS_RCODE_NOERROR
        };
        let r = app::dns_tcp(&app::dns_response_cname(
            id,
            &name,
            app::DNS_TYPE_A,
            cname,
            &a4,
            rcode,
        ));
        let msgs = vec![
            Msg::new(true, q, rng.random_range(20..200)),
            Msg::new(false, r, rng.random_range(100..3000)),
        ];
        let source = session(rng, ctx, client, rip, 53, ttl, 1460, rtt, msgs, start);
        return NewFlow {
            kind: "dns",
            source,
            count: 1,
        };
    }

    let c_port = ephemeral(rng, client.os);
    let ep = endpoints(rng, client, rip, 53, ttl, c_port);
    let mut lb = ListBuilder::new(rng, &ep, frame::MIN_FRAME_LEN);
    // glibc asks for A and AAAA from the same socket.
    let both = matches!(client.os, Os::Linux | Os::Android) && rng.random_bool(0.5);
    let qtypes: &[u16] = if both {
        &[app::DNS_TYPE_A, app::DNS_TYPE_AAAA]
    } else if rng.random_bool(0.25) {
        &[app::DNS_TYPE_AAAA]
    } else {
        &[app::DNS_TYPE_A]
    };
    let mut t = start;
    let mut answers = Vec::new();
    for &qt in qtypes {
        let id: u16 = rng.random();
        lb.udp(t, true, &app::dns_query(id, &name, qt));
        let addrs = if qt == app::DNS_TYPE_A { &a4 } else { &a6 };
        let rcode = if nx {
            app::DNS_RCODE_NXDOMAIN
        } else {
            app::DNS_RCODE_NOERROR
        };
        let resp = app::dns_response_cname(id, &name, qt, cname, addrs, rcode);
        answers.push((t + rtt + rng.random_range(0..200), resp));
        t += rng.random_range(20..120);
    }
    for (ts, resp) in answers {
        lb.udp(ts.max(t), false, &resp);
        t = ts.max(t) + 1;
    }
    NewFlow {
        kind: "dns",
        source: lb.finish(),
        count: 1,
    }
}
