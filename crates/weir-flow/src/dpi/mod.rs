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

use crate::flow::Flow;
use crate::l7::PacketCtx;

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
