//! pcapng files: sections of blocks, each block framed by its total length at both ends.
//!
//! This part is parsed here rather than with `pcap-file`, whose pcapng side gets in the
//! way of the reader's requirements:
//! - `PcapNgParser` keeps an owned copy of every Interface Description Block of a section,
//!   options and all, with no limit: memory would grow with the file.
//! - Its block parsers build a `Vec` of options for every Enhanced/obsolete Packet Block
//!   (an allocation per frame when packets carry options) and reject the whole packet
//!   over a malformed option; its Simple Packet Block data includes the padding.
//! - Its Interface Description parser rejects valid descriptions: every `if_tzone`
//!   option (it checks for length 1, then reads 4 bytes), a non-zero reserved field, a
//!   name that is not UTF-8. Losing a description shifts the numbering of the
//!   interfaces after it and loses all its packets.
//! - Its block parsers are generic over `byteorder_slice::ByteOrder`, which it does not
//!   re-export (the Section Header Block could only go through `PcapNgParser`).
//!
//! What we need of a block is a handful of fixed fields and two interface options
//! (`if_tsresol`, `if_tsoffset`), read below with bounds-checked helpers.
//!
//! Fatal or not: when a block's length is unusable (not a multiple of 4, below 12, above
//! [`MAX_RECORD_LEN`]) the next block cannot be found and the error is fatal. When the
//! length is plausible but the contents are not (trailing length differs, a packet
//! longer than its block, an unknown interface), the block is skipped and counted.

use std::io::Read;

use super::error::{BlockDamage, CaptureErrorKind, Fault};
use super::input::Input;
use super::{
    CaptureStats, FrameMeta, InterfaceStats, MAX_INTERFACES, MAX_RECORD_LEN, Step, read_u16,
    read_u32, read_u64, truncated, usize_from,
};
use crate::{LinkType, Timestamp};

/// Block type of a Section Header Block; also the file's magic number.
pub(crate) const SECTION_HEADER: u32 = 0x0a0d_0d0a;
const INTERFACE_DESCRIPTION: u32 = 1;
const PACKET: u32 = 2;
const SIMPLE_PACKET: u32 = 3;
const INTERFACE_STATISTICS: u32 = 5;
const ENHANCED_PACKET: u32 = 6;

/// Section byte-order magic as written by a big-endian writer (read big-endian).
const BYTE_ORDER_BIG: u32 = 0x1a2b_3c4d;
/// The same magic written little-endian (read big-endian).
const BYTE_ORDER_LITTLE: u32 = 0x4d3c_2b1a;

/// Block type + total length + trailing total length.
const MIN_BLOCK_LEN: u32 = 12;
/// A Section Header Block with no options: framing plus 16 bytes of fixed fields.
const MIN_SECTION_HEADER_LEN: u32 = 28;
/// Where a block's body starts.
const BODY_START: usize = 8;

const OPT_END: u16 = 0;
const OPT_IF_TSRESOL: u16 = 9;
const OPT_IF_TSOFFSET: u16 = 14;
const OPT_ISB_IFRECV: u16 = 4;
const OPT_ISB_IFDROP: u16 = 5;
const OPT_ISB_OSDROP: u16 = 7;

/// What packets of one interface need from its description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Interface {
    linktype: LinkType,
    /// 0: no limit.
    snaplen: u32,
    /// `if_tsresol`: bit 7 clear → 10^-n s per unit, set → 2^-n (n = low 7 bits).
    tsresol: u8,
    /// `if_tsoffset`: seconds added to every timestamp.
    tsoffset: i64,
    /// `isb_ifdrop + isb_osdrop` of the interface's last statistics block.
    drops_seen: u64,
}

impl Interface {
    fn timestamp(&self, raw: u64) -> Timestamp {
        Timestamp(to_micros(raw, self.tsresol, self.tsoffset))
    }
}

/// `raw` time units of resolution `tsresol`, plus `offset_secs`, in microseconds since
/// the epoch (truncated, saturating at 0 and `u64::MAX`).
fn to_micros(raw: u64, tsresol: u8, offset_secs: i64) -> u64 {
    let raw = u128::from(raw);
    let exp = tsresol & 0x7f;
    let micros = if tsresol & 0x80 == 0 {
        if exp <= 6 {
            10u128
                .checked_pow(u32::from(6u8.saturating_sub(exp)))
                .map_or(0, |m| raw.saturating_mul(m))
        } else {
            // 10^(exp-6) exceeds any u64 once exp > 25: the result is then 0.
            10u128
                .checked_pow(u32::from(exp.saturating_sub(6)))
                .map_or(0, |d| raw.checked_div(d).unwrap_or(0))
        }
    } else {
        raw.saturating_mul(1_000_000)
            .checked_shr(u32::from(exp))
            .unwrap_or(0)
    };
    let micros = i128::try_from(micros).unwrap_or(i128::MAX);
    let total = micros.saturating_add(i128::from(offset_secs).saturating_mul(1_000_000));
    u64::try_from(total.max(0)).unwrap_or(u64::MAX)
}

/// The options of a block body: `(code, value)` pairs up to `opt_endofopt`, the end of
/// the body, or the first option that overruns it.
struct Options<'a> {
    rest: &'a [u8],
    big_endian: bool,
}

impl<'a> Iterator for Options<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.parse();
        if item.is_none() {
            self.rest = &[];
        }
        item
    }
}

impl<'a> Options<'a> {
    fn parse(&mut self) -> Option<(u16, &'a [u8])> {
        let code = read_u16(self.rest, 0, self.big_endian)?;
        let len = usize::from(read_u16(self.rest, 2, self.big_endian)?);
        if code == OPT_END {
            return None;
        }
        let value = self.rest.get(4..len.checked_add(4)?)?;
        let padded = len.checked_add(3)? & !3;
        self.rest = self.rest.get(padded.checked_add(4)?..).unwrap_or_default();
        Some((code, value))
    }
}

/// Reads an Interface Description Block body. Only a body too short for its fixed
/// fields is an error: unknown, odd-sized or overrunning options are ignored, and so is
/// the reserved field.
fn parse_interface(body: &[u8], big_endian: bool) -> Result<Interface, BlockDamage> {
    let (Some(linktype), Some(snaplen)) =
        (read_u16(body, 0, big_endian), read_u32(body, 4, big_endian))
    else {
        return Err(BlockDamage::InterfaceTooShort { len: body.len() });
    };
    let mut iface = Interface {
        linktype: LinkType::from_raw(u32::from(linktype)),
        snaplen,
        tsresol: 6,
        tsoffset: 0,
        drops_seen: 0,
    };
    let options = Options {
        rest: body.get(8..).unwrap_or_default(),
        big_endian,
    };
    for (code, value) in options {
        match (code, value) {
            (OPT_IF_TSRESOL, &[resol]) => iface.tsresol = resol,
            (OPT_IF_TSOFFSET, _) if value.len() == 8 => {
                if let Some(offset) = read_u64(value, 0, big_endian) {
                    // A signed number of seconds, stored in 64 bits.
                    iface.tsoffset = i64::from_ne_bytes(offset.to_ne_bytes());
                }
            }
            _ => {}
        }
    }
    Ok(iface)
}

/// The counters of an Interface Statistics Block body (interface id, raw timestamp,
/// `isb_ifrecv`, `isb_ifdrop`, `isb_osdrop`); `None` when the body is too short for its
/// fixed fields. Options of the wrong size are ignored.
#[allow(clippy::type_complexity)]
fn parse_statistics(
    body: &[u8],
    big_endian: bool,
) -> Option<(u32, u64, Option<u64>, Option<u64>, Option<u64>)> {
    let interface = read_u32(body, 0, big_endian)?;
    let ts_high = read_u32(body, 4, big_endian)?;
    let ts_low = read_u32(body, 8, big_endian)?;
    let ts = u64::from(ts_high).checked_shl(32).unwrap_or_default() | u64::from(ts_low);
    let (mut recv, mut if_drop, mut os_drop) = (None, None, None);
    let options = Options {
        rest: body.get(12..).unwrap_or_default(),
        big_endian,
    };
    for (code, value) in options {
        let slot = match code {
            OPT_ISB_IFRECV => &mut recv,
            OPT_ISB_IFDROP => &mut if_drop,
            OPT_ISB_OSDROP => &mut os_drop,
            _ => continue,
        };
        if value.len() == 8 {
            *slot = read_u64(value, 0, big_endian);
        }
    }
    Some((interface, ts, recv, if_drop, os_drop))
}

/// The fixed fields of a packet block.
#[derive(Debug, PartialEq, Eq)]
struct Packet {
    interface: u32,
    /// Raw timestamp in interface units; `None` for a Simple Packet Block.
    ts: Option<u64>,
    /// Where the data starts in the body.
    data_at: usize,
    /// Captured bytes (for a Simple Packet Block, before the snap length is applied).
    cap_len: usize,
    orig_len: u32,
}

/// Reads an Enhanced Packet Block body (`wide_interface`) or an obsolete Packet Block
/// body (16-bit interface id and a drop count in its place).
fn parse_packet(
    body: &[u8],
    big_endian: bool,
    wide_interface: bool,
) -> Result<Packet, BlockDamage> {
    const FIXED: usize = 20;
    let fields = (
        if wide_interface {
            read_u32(body, 0, big_endian)
        } else {
            read_u16(body, 0, big_endian).map(u32::from)
        },
        read_u32(body, 4, big_endian),
        read_u32(body, 8, big_endian),
        read_u32(body, 12, big_endian),
        read_u32(body, 16, big_endian),
    );
    let (Some(interface), Some(ts_high), Some(ts_low), Some(cap_len), Some(orig_len)) = fields
    else {
        return Err(BlockDamage::PacketTooShort { len: body.len() });
    };
    let room = body.len().saturating_sub(FIXED);
    let cap_len = usize_from(cap_len);
    if cap_len > room {
        return Err(BlockDamage::CapturedLengthTooLong { cap_len, room });
    }
    let ts = u64::from(ts_high).checked_shl(32).unwrap_or_default() | u64::from(ts_low);
    Ok(Packet {
        interface,
        ts: Some(ts),
        data_at: FIXED,
        cap_len,
        orig_len,
    })
}

/// Reads a Simple Packet Block body: interface 0, no timestamp, and a captured length
/// implied by the original length and the block size.
fn parse_simple_packet(body: &[u8], big_endian: bool) -> Result<Packet, BlockDamage> {
    let Some(orig_len) = read_u32(body, 0, big_endian) else {
        return Err(BlockDamage::SimplePacketTooShort { len: body.len() });
    };
    let cap_len = usize_from(orig_len).min(body.len().saturating_sub(4));
    Ok(Packet {
        interface: 0,
        ts: None,
        data_at: 4,
        cap_len,
        orig_len,
    })
}

/// A block framed and loaded: its bytes are `input.available()[..len]`.
struct Block {
    ty: u32,
    len: usize,
    offset: u64,
    big_endian: bool,
}

/// Reading state of a pcapng file.
#[derive(Debug)]
pub(crate) struct PcapNgState {
    /// Byte order of the current section.
    big_endian: bool,
    /// Interfaces of the current section by id; `None` for a damaged description.
    interfaces: Vec<Option<Interface>>,
    /// Timestamp of the last frame, for Simple Packet Blocks.
    last_ts: Timestamp,
}

impl PcapNgState {
    /// Reads the first Section Header Block (the magic number is known to be its type).
    pub(crate) fn open<R: Read>(input: &mut Input<R>) -> Result<Self, Fault> {
        let mut state = PcapNgState {
            big_endian: false,
            interfaces: Vec::new(),
            last_ts: Timestamp(0),
        };
        let mut stats = CaptureStats::default();
        let header_cut = || Fault::new(0, CaptureErrorKind::TruncatedHeader);
        let block = match state.frame(input, &mut stats) {
            Ok(Some(block)) => block,
            Ok(None) => return Err(header_cut()),
            Err(Fault {
                kind: CaptureErrorKind::TruncatedRecord { .. },
                ..
            }) => {
                return Err(header_cut());
            }
            Err(fault) => return Err(fault),
        };
        state.handle(input, &mut stats, &block)?;
        Ok(state)
    }

    /// Reads blocks up to the next frame, problem or end; with `with_stats`, an
    /// Interface Statistics Block of a known interface stops there too.
    pub(crate) fn next<R: Read>(
        &mut self,
        input: &mut Input<R>,
        stats: &mut CaptureStats,
        with_stats: bool,
    ) -> Step {
        loop {
            let handled = match self.frame(input, stats) {
                Ok(Some(block)) if block.ty == INTERFACE_STATISTICS => {
                    match self.statistics(input, stats, &block) {
                        Some(s) if with_stats => return Step::Stats(s),
                        _ => Ok(None),
                    }
                }
                Ok(Some(block)) => self.handle(input, stats, &block),
                Ok(None) => return Step::End,
                Err(fault) => Err(fault),
            };
            match handled {
                Ok(Some(meta)) => return Step::Frame(meta),
                Ok(None) => {}
                Err(fault) => return Step::Fault(fault),
            }
        }
    }

    /// Reads and consumes an Interface Statistics Block. Statistics are informative:
    /// a block too short for its fixed fields, or about an interface the section does
    /// not describe, is ignored (`None`) rather than reported.
    fn statistics<R: Read>(
        &mut self,
        input: &mut Input<R>,
        stats: &mut CaptureStats,
        block: &Block,
    ) -> Option<InterfaceStats> {
        let body = input
            .available()
            .get(BODY_START..block.len.saturating_sub(4))
            .unwrap_or_default();
        let parsed = parse_statistics(body, block.big_endian);
        input.consume(block.len);
        let (interface, raw_ts, received, if_drops, os_drops) = parsed?;
        let iface = self
            .interfaces
            .get_mut(usize_from(interface))
            .and_then(Option::as_mut)?;
        let total = if_drops
            .unwrap_or_default()
            .saturating_add(os_drops.unwrap_or_default());
        // Cumulative counters; one that went backwards belongs to a new capture.
        let new_drops = total.checked_sub(iface.drops_seen).unwrap_or(total);
        iface.drops_seen = total;
        stats.stats_blocks = stats.stats_blocks.saturating_add(1);
        stats.drops = stats.drops.saturating_add(new_drops);
        Some(InterfaceStats {
            ts: iface.timestamp(raw_ts),
            interface,
            offset: block.offset,
            received,
            if_drops,
            os_drops,
            new_drops,
        })
    }

    /// Reads the next block's framing and loads the whole block. `Ok(None)` at a clean
    /// end of file (between blocks).
    fn frame<R: Read>(
        &self,
        input: &mut Input<R>,
        stats: &mut CaptureStats,
    ) -> Result<Option<Block>, Fault> {
        let offset = input.pos();
        let io = |e| Fault::new(offset, CaptureErrorKind::Io(e));
        let bad = |msg: String| Fault::new(offset, CaptureErrorKind::BadBlock(msg));
        let min = usize_from(MIN_BLOCK_LEN);
        let avail = input.fill(min).map_err(io)?;
        if avail == 0 {
            return Ok(None);
        }
        if avail < min {
            return Err(truncated(input, stats, offset, u64::from(MIN_BLOCK_LEN)));
        }
        let head = input.available();
        let ty = read_u32(head, 0, self.big_endian).unwrap_or_default();
        let big_endian = if ty == SECTION_HEADER {
            // A new section announces its own byte order (the type reads the same both ways).
            match read_u32(head, 8, true).unwrap_or_default() {
                BYTE_ORDER_BIG => true,
                BYTE_ORDER_LITTLE => false,
                other => {
                    return Err(bad(format!(
                        "section byte-order magic {other:#010x} is not 0x1a2b3c4d"
                    )));
                }
            }
        } else {
            self.big_endian
        };
        let len = read_u32(head, 4, big_endian).unwrap_or_default();
        if len < MIN_BLOCK_LEN || !len.is_multiple_of(4) {
            return Err(bad(format!(
                "block total length {len} is below 12 or not a multiple of 4"
            )));
        }
        if ty == SECTION_HEADER && len < MIN_SECTION_HEADER_LEN {
            return Err(bad(format!(
                "section header block of {len} bytes, 28 needed"
            )));
        }
        if len > MAX_RECORD_LEN {
            return Err(Fault::new(offset, CaptureErrorKind::RecordTooLarge(len)));
        }
        let block_len = usize_from(len);
        if input.fill(block_len).map_err(io)? < block_len {
            return Err(truncated(input, stats, offset, u64::from(len)));
        }
        let trailing = read_u32(input.available(), block_len.saturating_sub(4), big_endian)
            .unwrap_or_default();
        if trailing != len {
            if ty == SECTION_HEADER {
                // Skipping a section header would read the section with the wrong byte
                // order and interfaces.
                return Err(bad(format!(
                    "section header length {len} differs from its trailing copy {trailing}"
                )));
            }
            skip(input, stats, block_len);
            return Err(Fault::new(
                offset,
                CaptureErrorKind::LengthMismatch {
                    leading: len,
                    trailing,
                },
            ));
        }
        Ok(Some(Block {
            ty,
            len: block_len,
            offset,
            big_endian,
        }))
    }

    /// Acts on a loaded block and consumes it: `Ok(Some(_))` for a frame, `Ok(None)` for a
    /// block that yields none.
    fn handle<R: Read>(
        &mut self,
        input: &mut Input<R>,
        stats: &mut CaptureStats,
        block: &Block,
    ) -> Result<Option<FrameMeta>, Fault> {
        let body = input
            .available()
            .get(BODY_START..block.len.saturating_sub(4))
            .unwrap_or_default();
        match block.ty {
            SECTION_HEADER => {
                // Fixed fields: byte-order magic, major and minor version, section length.
                let major = read_u16(body, 4, block.big_endian).unwrap_or_default();
                let minor = read_u16(body, 6, block.big_endian).unwrap_or_default();
                if major != 1 {
                    let msg = format!("pcapng version {major}.{minor} is not supported");
                    return Err(Fault::new(block.offset, CaptureErrorKind::BadBlock(msg)));
                }
                self.big_endian = block.big_endian;
                self.interfaces.clear();
                input.consume(block.len);
                Ok(None)
            }
            INTERFACE_DESCRIPTION => {
                let parsed = parse_interface(body, block.big_endian);
                let damage = if self.interfaces.len() >= usize_from(MAX_INTERFACES) {
                    Some(BlockDamage::TooManyInterfaces)
                } else {
                    match parsed {
                        Ok(iface) => {
                            self.interfaces.push(Some(iface));
                            stats.interfaces = stats.interfaces.saturating_add(1);
                            None
                        }
                        Err(damage) => {
                            // Keep its id taken so later interfaces keep theirs.
                            self.interfaces.push(None);
                            Some(damage)
                        }
                    }
                };
                match damage {
                    None => {
                        input.consume(block.len);
                        Ok(None)
                    }
                    Some(damage) => {
                        skip(input, stats, block.len);
                        Err(Fault::new(
                            block.offset,
                            CaptureErrorKind::DamagedBlock(damage),
                        ))
                    }
                }
            }
            ENHANCED_PACKET | PACKET | SIMPLE_PACKET => self.packet(input, stats, block),
            // Name resolution, interface statistics, decryption secrets, custom blocks…
            _ => {
                input.consume(block.len);
                Ok(None)
            }
        }
    }

    /// Turns a packet block into a frame, or skips it.
    fn packet<R: Read>(
        &mut self,
        input: &mut Input<R>,
        stats: &mut CaptureStats,
        block: &Block,
    ) -> Result<Option<FrameMeta>, Fault> {
        let body = input
            .available()
            .get(BODY_START..block.len.saturating_sub(4))
            .unwrap_or_default();
        let parsed = match block.ty {
            ENHANCED_PACKET => parse_packet(body, block.big_endian, true),
            PACKET => parse_packet(body, block.big_endian, false),
            _ => parse_simple_packet(body, block.big_endian),
        };
        let packet = match parsed {
            Ok(packet) => packet,
            Err(damage) => {
                skip(input, stats, block.len);
                return Err(Fault::new(
                    block.offset,
                    CaptureErrorKind::DamagedBlock(damage),
                ));
            }
        };
        let Some(Some(iface)) = self.interfaces.get(usize_from(packet.interface)).copied() else {
            skip(input, stats, block.len);
            return Err(Fault::new(
                block.offset,
                CaptureErrorKind::UnknownInterface(packet.interface),
            ));
        };
        let mut cap_len = packet.cap_len;
        if packet.ts.is_none() && iface.snaplen != 0 {
            cap_len = cap_len.min(usize_from(iface.snaplen));
        }
        let ts = packet.ts.map_or(self.last_ts, |raw| iface.timestamp(raw));
        self.last_ts = ts;
        let data_start = input
            .start()
            .saturating_add(BODY_START)
            .saturating_add(packet.data_at);
        let meta = FrameMeta {
            ts,
            linktype: iface.linktype,
            data: data_start..data_start.saturating_add(cap_len),
            orig_len: packet.orig_len,
            interface: packet.interface,
            offset: block.offset,
        };
        input.consume(block.len);
        Ok(Some(meta))
    }
}

/// Consumes a damaged block and counts it.
fn skip<R: Read>(input: &mut Input<R>, stats: &mut CaptureStats, len: usize) {
    input.consume(len);
    stats.skipped_records = stats.skipped_records.saturating_add(1);
    stats.skipped_bytes = stats.skipped_bytes.saturating_add(len as u64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolutions() {
        // Default microseconds, nanoseconds, seconds, 2^-20 and 2^-0.
        assert_eq!(
            to_micros(1_700_000_000_123_456, 6, 0),
            1_700_000_000_123_456
        );
        assert_eq!(
            to_micros(1_700_000_000_123_456_789, 9, 0),
            1_700_000_000_123_456
        );
        assert_eq!(to_micros(1_700_000_000, 0, 0), 1_700_000_000_000_000);
        assert_eq!(to_micros(3 << 20 | 1 << 19, 0x80 | 20, 0), 3_500_000);
        assert_eq!(to_micros(5, 0x80, 0), 5_000_000);
        assert_eq!(to_micros(12_345, 2, 0), 123_450_000); // centiseconds
        // Offsets in seconds, both signs, saturating.
        assert_eq!(to_micros(1_000_000, 6, 10), 11_000_000);
        assert_eq!(to_micros(1_000_000, 6, -10), 0);
        assert_eq!(to_micros(u64::MAX, 0, i64::MAX), u64::MAX);
        // Extreme resolutions neither overflow nor panic.
        assert_eq!(to_micros(u64::MAX, 127, 0), 0);
        assert_eq!(to_micros(u64::MAX, 0xff, 0), 0);
        assert_eq!(to_micros(u64::MAX, 25, 0), 1);
        assert_eq!(to_micros(u64::MAX, 26, 0), 0);
        assert_eq!(to_micros(u64::MAX, 19, 0), u64::MAX / 10_000_000_000_000);
    }

    fn option(code: u16, value: &[u8]) -> Vec<u8> {
        let mut o = code.to_le_bytes().to_vec();
        o.extend((value.len() as u16).to_le_bytes());
        o.extend(value);
        o.resize(o.len().div_ceil(4) * 4, 0);
        o
    }

    #[test]
    fn options_walk() {
        let mut body = option(2, b"eth0");
        body.extend(option(9, &[9]));
        body.extend(option(OPT_END, &[]));
        body.extend(option(3, b"after the end"));
        let all: Vec<_> = Options {
            rest: &body,
            big_endian: false,
        }
        .collect();
        assert_eq!(all, vec![(2, &b"eth0"[..]), (9, &[9][..])]);
        // An option running past the body ends the walk.
        let mut body = option(9, &[3]);
        body.extend([1, 0, 200, 0, b'x']);
        let all: Vec<_> = Options {
            rest: &body,
            big_endian: false,
        }
        .collect();
        assert_eq!(all, vec![(9, &[3][..])]);
        assert_eq!(
            Options {
                rest: &[1, 0],
                big_endian: false
            }
            .count(),
            0
        );
    }

    #[test]
    fn interface_descriptions() {
        let mut body = vec![101, 0, 0xff, 0xff]; // raw IP, non-zero reserved field (ignored)
        body.extend(1500u32.to_le_bytes());
        body.extend(option(10, &[0, 0, 0, 0])); // if_tzone: accepted and ignored
        body.extend(option(9, &[0x80 | 10]));
        body.extend(option(14, &(-3i64).to_le_bytes()));
        body.extend(option(9, &[1, 2])); // wrong size: ignored
        let iface = parse_interface(&body, false).unwrap();
        assert_eq!(
            iface,
            Interface {
                linktype: LinkType::Raw,
                snaplen: 1500,
                tsresol: 0x80 | 10,
                tsoffset: -3,
                drops_seen: 0,
            }
        );
        let be = [0, 1, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            parse_interface(&be, true).unwrap().linktype,
            LinkType::Ethernet
        );
        assert_eq!(parse_interface(&be, true).unwrap().tsresol, 6);
        assert!(parse_interface(&be[..7], true).is_err());
    }

    #[test]
    fn statistics_bodies() {
        let mut body = Vec::new();
        for v in [1u32, 0, 1_000_000] {
            body.extend(v.to_le_bytes());
        }
        body.extend(option(OPT_ISB_IFRECV, &500u64.to_le_bytes()));
        body.extend(option(OPT_ISB_IFDROP, &7u64.to_le_bytes()));
        body.extend(option(OPT_ISB_OSDROP, &[1, 2])); // wrong size: ignored
        body.extend(option(OPT_END, &[]));
        assert_eq!(
            parse_statistics(&body, false),
            Some((1, 1_000_000, Some(500), Some(7), None))
        );
        assert_eq!(parse_statistics(&body[..11], false), None);
        assert_eq!(
            parse_statistics(&body[..12], false),
            Some((1, 1_000_000, None, None, None))
        );
    }

    #[test]
    fn packet_bodies() {
        let mut body = Vec::new();
        for v in [2u32, 1, 2, 3, 100] {
            body.extend(v.to_be_bytes());
        }
        body.extend([0xaa; 4]);
        let p = parse_packet(&body, true, true).unwrap();
        assert_eq!(
            p,
            Packet {
                interface: 2,
                ts: Some(1 << 32 | 2),
                data_at: 20,
                cap_len: 3,
                orig_len: 100
            }
        );
        // The obsolete Packet Block: 16-bit interface id, then a drop count.
        let p = parse_packet(&body, true, false).unwrap();
        assert_eq!(p.interface, 0);
        body[15] = 5;
        assert_eq!(
            parse_packet(&body, true, true).unwrap_err(),
            BlockDamage::CapturedLengthTooLong {
                cap_len: 5,
                room: 4
            }
        );
        assert!(parse_packet(&body[..19], true, true).is_err());

        let spb = [60, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        assert_eq!(parse_simple_packet(&spb, false).unwrap().cap_len, 8);
        let spb = [6, 0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0];
        let p = parse_simple_packet(&spb, false).unwrap();
        assert_eq!((p.cap_len, p.ts, p.data_at), (6, None, 4));
        assert!(parse_simple_packet(&spb[..3], false).is_err());
    }
}
