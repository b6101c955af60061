//! Classic libpcap files: a 24-byte file header, then 16-byte record headers each
//! followed by the captured bytes.
//!
//! `pcap-file` decodes the file header ([`PcapParser::new`]) and each record
//! ([`PcapParser::next_raw_packet`]). Its slice parsers need the whole record in memory
//! and do not say how long a record is before they have it, so the framing is ours: we
//! read the captured length from the record header, refuse it past [`MAX_RECORD_LEN`]
//! before reading or allocating anything, and load exactly one record into the buffer.
//! We use the raw record rather than pcap-file's validated `PcapPacket`, which rejects
//! records that real captures contain and readers tolerate (captured length above the
//! original length or the snap length, a fraction of a second ≥ 1 s).

use std::io::Read;

use pcap_file::pcap::PcapParser;
use pcap_file::{DataLink, Endianness, TsResolution};

use super::error::{CaptureErrorKind, Fault};
use super::input::Input;
use super::{
    CaptureFormat, CaptureStats, FrameMeta, MAX_RECORD_LEN, Step, read_u32, truncated, usize_from,
};
use crate::{LinkType, Timestamp};

/// Length of the file header.
pub(crate) const HEADER_LEN: usize = 24;
/// Length of a record header.
pub(crate) const RECORD_HEADER_LEN: usize = 16;

/// Whether `magic` (the first four bytes read big-endian) opens a pcap file: micro- or
/// nanosecond, either byte order.
pub(crate) fn is_magic(magic: u32) -> bool {
    matches!(magic, 0xa1b2_c3d4 | 0xd4c3_b2a1 | 0xa1b2_3c4d | 0x4d3c_b2a1)
}

/// The link type in a header's link-type field: its low 16 bits (the high bits hold FCS
/// length information, as libpcap's `LT_LINKTYPE` says).
fn linktype_of(field: DataLink) -> LinkType {
    LinkType::from_raw(u32::from(field) & 0xffff)
}

/// A pcap timestamp in microseconds. Out-of-range fractions (≥ 1 s) are added, not
/// rejected: they are damage in a field weir only orders by.
fn timestamp(secs: u32, frac: u32, nanosecond: bool) -> Timestamp {
    if nanosecond {
        Timestamp::from_secs_nanos(u64::from(secs), frac)
    } else {
        Timestamp(
            u64::from(secs)
                .saturating_mul(1_000_000)
                .saturating_add(u64::from(frac)),
        )
    }
}

/// Reading state of a pcap file.
#[derive(Debug)]
pub(crate) struct PcapState {
    parser: PcapParser,
    nanosecond: bool,
    big_endian: bool,
    linktype: LinkType,
}

impl PcapState {
    /// Reads the file header (the magic number is known to be a pcap one).
    pub(crate) fn open<R: Read>(input: &mut Input<R>) -> Result<(CaptureFormat, Self), Fault> {
        let avail = input
            .fill(HEADER_LEN)
            .map_err(|e| Fault::new(0, CaptureErrorKind::Io(e)))?;
        if avail < HEADER_LEN {
            return Err(Fault::new(0, CaptureErrorKind::TruncatedHeader));
        }
        let (format, state) = Self::from_header(input.available())?;
        input.consume(HEADER_LEN);
        Ok((format, state))
    }

    /// Decodes a file header (at least [`HEADER_LEN`] bytes).
    fn from_header(bytes: &[u8]) -> Result<(CaptureFormat, Self), Fault> {
        let parser = match PcapParser::new(bytes) {
            Ok((_, parser)) => parser,
            Err(pcap_file::PcapError::IncompleteBuffer) => {
                return Err(Fault::new(0, CaptureErrorKind::TruncatedHeader));
            }
            Err(_) => {
                let magic = read_u32(bytes, 0, true).unwrap_or_default();
                return Err(Fault::new(0, CaptureErrorKind::BadMagic(magic)));
            }
        };
        let header = parser.header();
        let nanosecond = header.ts_resolution == TsResolution::NanoSecond;
        let big_endian = header.endianness == Endianness::Big;
        let linktype = linktype_of(header.datalink);
        let format = CaptureFormat::Pcap {
            nanosecond,
            big_endian,
            version: (header.version_major, header.version_minor),
            snaplen: header.snaplen,
            linktype,
        };
        Ok((
            format,
            PcapState {
                parser,
                nanosecond,
                big_endian,
                linktype,
            },
        ))
    }

    /// Reads the next record.
    pub(crate) fn next<R: Read>(&self, input: &mut Input<R>, stats: &mut CaptureStats) -> Step {
        match self.next_record(input, stats) {
            Ok(Some(meta)) => Step::Frame(meta),
            Ok(None) => Step::End,
            Err(fault) => Step::Fault(fault),
        }
    }

    fn next_record<R: Read>(
        &self,
        input: &mut Input<R>,
        stats: &mut CaptureStats,
    ) -> Result<Option<FrameMeta>, Fault> {
        let offset = input.pos();
        let io = |e| Fault::new(offset, CaptureErrorKind::Io(e));
        let avail = input.fill(RECORD_HEADER_LEN).map_err(io)?;
        if avail == 0 {
            return Ok(None);
        }
        if avail < RECORD_HEADER_LEN {
            return Err(truncated(input, stats, offset, RECORD_HEADER_LEN as u64));
        }
        let incl_len = read_u32(input.available(), 8, self.big_endian).unwrap_or(u32::MAX);
        if incl_len > MAX_RECORD_LEN {
            return Err(Fault::new(
                offset,
                CaptureErrorKind::RecordTooLarge(incl_len),
            ));
        }
        let record_len = RECORD_HEADER_LEN.saturating_add(usize_from(incl_len));
        if input.fill(record_len).map_err(io)? < record_len {
            return Err(truncated(input, stats, offset, record_len as u64));
        }
        let raw = match self.parser.next_raw_packet(input.available()) {
            Ok((_, raw)) => raw,
            // Cannot happen: the whole record is in the buffer.
            Err(e) => {
                return Err(Fault::new(
                    offset,
                    CaptureErrorKind::BadBlock(e.to_string()),
                ));
            }
        };
        let meta = FrameMeta {
            ts: timestamp(raw.ts_sec, raw.ts_frac, self.nanosecond),
            linktype: self.linktype,
            data: {
                let data_start = input.start().saturating_add(RECORD_HEADER_LEN);
                data_start..data_start.saturating_add(raw.data.len())
            },
            orig_len: raw.orig_len,
            interface: 0,
            offset,
        };
        input.consume(record_len);
        Ok(Some(meta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(magic: [u8; 4], big: bool, linktype: u32) -> Vec<u8> {
        let u32b = |v: u32| {
            if big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let mut h = magic.to_vec();
        h.extend(if big { [0, 2, 0, 4] } else { [2, 0, 4, 0] });
        h.extend([0; 8]);
        h.extend(u32b(1514));
        h.extend(u32b(linktype));
        h
    }

    #[test]
    fn magic_numbers() {
        for m in [0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1] {
            assert!(is_magic(m));
        }
        assert!(!is_magic(0x0a0d_0d0a));
        assert!(!is_magic(0xa1b2_cd34)); // Kuznetzov's modified pcap: not supported
    }

    #[test]
    fn headers_in_all_four_flavours() {
        let cases = [
            ([0xa1, 0xb2, 0xc3, 0xd4], true, false),
            ([0xd4, 0xc3, 0xb2, 0xa1], false, false),
            ([0xa1, 0xb2, 0x3c, 0x4d], true, true),
            ([0x4d, 0x3c, 0xb2, 0xa1], false, true),
        ];
        for (magic, big, nano) in cases {
            let (format, state) = PcapState::from_header(&header(magic, big, 113)).unwrap();
            assert_eq!(
                format,
                CaptureFormat::Pcap {
                    nanosecond: nano,
                    big_endian: big,
                    version: (2, 4),
                    snaplen: 1514,
                    linktype: LinkType::LinuxSll
                }
            );
            assert_eq!((state.nanosecond, state.big_endian), (nano, big));
        }
    }

    #[test]
    fn linktype_ignores_fcs_bits() {
        let (_, state) =
            PcapState::from_header(&header([0x4d, 0x3c, 0xb2, 0xa1], false, 0x4000_0000)).unwrap();
        assert_eq!(state.linktype, LinkType::Null);
        let (_, state) =
            PcapState::from_header(&header([0xd4, 0xc3, 0xb2, 0xa1], false, 0x1234_0065)).unwrap();
        assert_eq!(state.linktype, LinkType::Raw);
    }

    #[test]
    fn short_or_foreign_header() {
        let h = header([0xd4, 0xc3, 0xb2, 0xa1], false, 1);
        assert!(matches!(
            PcapState::from_header(&h[..20]).unwrap_err().kind,
            CaptureErrorKind::TruncatedHeader
        ));
        assert!(matches!(
            PcapState::from_header(&[0u8; 24]).unwrap_err().kind,
            CaptureErrorKind::BadMagic(0)
        ));
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp(10, 5, false), Timestamp(10_000_005));
        assert_eq!(timestamp(10, 5_999, true), Timestamp(10_000_005));
        // Out-of-range fractions do not overflow or panic.
        assert_eq!(
            timestamp(1, u32::MAX, false),
            Timestamp(1_000_000 + u64::from(u32::MAX))
        );
        assert_eq!(
            timestamp(u32::MAX, u32::MAX, true).0,
            4_294_967_295_000_000 + 4_294_967
        );
    }
}
