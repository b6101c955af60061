//! The long tail of payload dissectors, grouped by family (one file each).
//!
//! `l7::identify` runs the core dissectors (HTTP, TLS, SSH, DNS, QUIC, mail, SMB …) first;
//! a flow none of them claims reaches [`identify`], which asks each family in turn.
//! A family returns `true` once it has decided the flow (after calling
//! [`crate::l7::identify_as`]); it may also park a candidate in [`crate::flow::DpiState`]
//! and decide on a later packet (a handshake seen in both directions).
//!
//! Rules every dissector follows: it reads only the payload slice it is given (bounded,
//! no allocation on the hot path, no panics: `get`, never indexing), it is cheap to
//! reject (a length or first-byte check before anything else), and a port, when used,
//! only narrows a payload check — a port alone is a guess, and guesses are made in
//! `l7::finish`, never here.

use crate::flow::{DpiState, Flow};
use crate::l7::{Follow, PacketCtx, identify_as};
use crate::proto::Proto;

pub(crate) mod apps;
pub(crate) mod games;
pub(crate) mod infra;
pub(crate) mod p2p;
#[cfg(test)]
pub(crate) mod testing;
pub(crate) mod voip;
pub(crate) mod vpn;

/// Offers a packet of a still-unidentified TCP or UDP flow to every family; `true` once
/// one of them identified the flow.
pub(crate) fn identify(f: &mut Flow, c: &PacketCtx<'_>) -> bool {
    infra::identify(f, c)
        || apps::identify(f, c)
        || voip::identify(f, c)
        || vpn::identify(f, c)
        || p2p::identify(f, c)
        || games::identify(f, c)
}

/// Identifies the flow as `proto`, decided by a long-tail dissector (no dissector
/// follows it); `true` for the caller to return.
pub(crate) fn found(f: &mut Flow, proto: Proto) -> bool {
    identify_as(f, proto, Follow::None);
    true
}

/// One more sighting of `proto`'s signature on the flow, counted in the DPI state
/// (claimed if free): the count so far, or `None` when another dissector owns it.
pub(crate) fn sightings(f: &mut Flow, proto: Proto) -> Option<u8> {
    let st = &mut f.l7.dpi;
    if st.candidate == Proto::UNKNOWN {
        *st = DpiState {
            candidate: proto,
            stage: 0,
            data: 0,
        };
    }
    if st.candidate != proto {
        return None;
    }
    st.stage = st.stage.saturating_add(1);
    Some(st.stage)
}

/// Drops the flow's DPI state if `proto` owns it (its handshake broke off).
pub(crate) fn release(f: &mut Flow, proto: Proto) {
    if f.l7.dpi.candidate == proto {
        f.l7.dpi = DpiState::default();
    }
}
