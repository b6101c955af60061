//! Per-layer counts over many decoded frames: what `weir decode FILE` prints.

use std::collections::BTreeMap;

use crate::packet::LayerSet;
use crate::{DecodeError, Layer, LinkType, Packet};

/// Counters over decoded frames: packets per layer, damage per layer and kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodeSummary {
    /// Frames seen.
    pub frames: u64,
    /// Captured bytes seen.
    pub bytes: u64,
    /// Frames per link type name.
    pub linktypes: BTreeMap<&'static str, u64>,
    /// Frames in which each layer was found (indexed like [`LayerSet::ALL`]).
    layer_frames: [u64; LayerSet::ALL.len()],
    /// Frames cut short by the snap length.
    pub truncated: u64,
    /// Frames whose link layer could not be decoded at all.
    pub undecodable: u64,
    /// Frames where decoding stopped early, per "layer kind" (e.g. `ipv4 bad_header_length`).
    pub errors: BTreeMap<String, u64>,
    /// Frames that were tunnelled (GRE, VXLAN, IP-in-IP, Teredo).
    pub tunnelled: u64,
    /// IP fragments.
    pub fragments: u64,
}

impl DecodeSummary {
    /// Counts one decode result of a frame of `len` captured bytes.
    pub fn add(
        &mut self,
        linktype: LinkType,
        len: usize,
        result: &Result<Packet<'_>, DecodeError>,
    ) {
        self.frames += 1;
        self.bytes += len as u64;
        *self.linktypes.entry(linktype.name()).or_default() += 1;
        match result {
            Ok(p) => {
                for (n, layer) in self.layer_frames.iter_mut().zip(LayerSet::ALL) {
                    *n += u64::from(p.layers.contains(layer));
                }
                self.truncated += u64::from(p.truncated);
                self.tunnelled += u64::from(p.tunnel.is_some());
                self.fragments += u64::from(p.ip.is_some_and(|ip| ip.fragment.is_some()));
                if let Some(e) = p.error {
                    self.count_error(e);
                }
            }
            Err(e) => {
                self.undecodable += 1;
                self.count_error(*e);
            }
        }
    }

    fn count_error(&mut self, e: DecodeError) {
        *self
            .errors
            .entry(format!("{} {}", e.layer.name(), e.kind.name()))
            .or_default() += 1;
    }

    /// Frames in which `layer` was found.
    pub fn frames_with(&self, layer: Layer) -> u64 {
        LayerSet::ALL
            .iter()
            .position(|l| *l == layer)
            .and_then(|i| self.layer_frames.get(i).copied())
            .unwrap_or(0)
    }

    /// `(layer, frames)` for every layer found at least once.
    pub fn layers(&self) -> impl Iterator<Item = (Layer, u64)> + '_ {
        LayerSet::ALL
            .iter()
            .map(|l| (*l, self.frames_with(*l)))
            .filter(|(_, n)| *n > 0)
    }

    /// Frames whose decoding stopped early or failed.
    pub fn damaged(&self) -> u64 {
        self.errors.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode;

    #[test]
    fn counts_layers_and_errors() {
        let mut s = DecodeSummary::default();
        let ip = [
            0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0, 1, 0, 2, 0, 8,
            0, 0,
        ];
        s.add(LinkType::Raw, ip.len(), &decode(LinkType::Raw, &ip));
        s.add(LinkType::Raw, 3, &decode(LinkType::Raw, &ip[..3]));
        s.add(LinkType::Ethernet, 3, &decode(LinkType::Ethernet, &ip[..3]));
        s.add(
            LinkType::Unknown(147),
            3,
            &decode(LinkType::Unknown(147), &ip[..3]),
        );
        assert_eq!(s.frames, 4);
        // A damaged header still counts as found (tshark counts it the same way).
        assert_eq!(s.frames_with(Layer::Ipv4), 2);
        assert_eq!(s.frames_with(Layer::Udp), 1);
        assert_eq!(s.frames_with(Layer::Link), 3);
        assert_eq!(s.undecodable, 1);
        assert_eq!(s.damaged(), 3);
        assert_eq!(s.errors.get("ipv4 truncated"), Some(&1));
        assert_eq!(s.errors.get("link truncated"), Some(&1));
        assert_eq!(s.linktypes.get("raw"), Some(&2));
    }
}
