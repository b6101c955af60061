//! Capture-file reading: libpcap and pcapng, streamed from any [`Read`].
//!
//! [`CaptureReader`] detects the format from the magic number (file extensions lie),
//! then hands out one [`Frame`] at a time. Frames borrow the reader's single buffer
//! (a lending iterator: no allocation per frame), and memory stays flat whatever the
//! file size: the buffer never exceeds [`MAX_RECORD_LEN`] plus a record header, and
//! larger records are refused rather than allocated.
//!
//! Damage is reported precisely and, where possible, survived: every problem comes out
//! of [`CaptureReader::next_frame`] as a [`CaptureError`] naming the file and the byte
//! offset of the record at fault. A non-fatal error means one record or block was
//! skipped and reading continues; after a fatal one the reader returns `None`.
//!
//! ```
//! use weir_decode::capture::CaptureReader;
//!
//! // A little-endian microsecond pcap holding one 4-byte Ethernet frame.
//! let mut file = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
//! file.extend_from_slice(&[0; 8]); // time zone, accuracy
//! file.extend_from_slice(&65535u32.to_le_bytes()); // snap length
//! file.extend_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
//! for field in [1_700_000_000u32, 250_000, 4, 60] {
//!     file.extend_from_slice(&field.to_le_bytes()); // seconds, µs, captured, on the wire
//! }
//! file.extend_from_slice(b"abcd");
//!
//! let mut reader = CaptureReader::new(&file[..], "example.pcap").expect("a pcap header");
//! let mut frames = 0;
//! while let Some(frame) = reader.next_frame() {
//!     match frame {
//!         Ok(frame) => {
//!             assert_eq!(frame.data, b"abcd");
//!             assert_eq!(frame.orig_len, 60);
//!             assert_eq!(frame.ts.to_string(), "1700000000.250000");
//!             frames += 1;
//!         }
//!         Err(e) if e.is_fatal() => panic!("{e}"),
//!         Err(e) => eprintln!("skipped: {e}"),
//!     }
//! }
//! assert_eq!(frames, 1);
//! assert_eq!(reader.stats().bytes_read, file.len() as u64);
//! ```

use std::io::Read;
use std::ops::Range;
use std::path::Path;

use crate::{LinkType, Timestamp};

mod error;
mod input;
mod pcap;
mod pcapng;

pub use error::{BlockDamage, CaptureError, CaptureErrorKind};

use error::Fault;
use input::Input;

/// Largest record (pcap: captured length) or block (pcapng: block total length) the
/// reader accepts; larger ones are refused with [`CaptureErrorKind::RecordTooLarge`].
pub const MAX_RECORD_LEN: u32 = 256 * 1024;

/// Most interfaces one pcapng section may describe; further descriptions are skipped
/// (and their packets reported as [`CaptureErrorKind::UnknownInterface`]), which keeps
/// the interface table small whatever the file says.
pub const MAX_INTERFACES: u32 = 4096;

/// The buffer's ceiling: the largest record plus the largest record header.
const BUFFER_CAPACITY: usize = MAX_RECORD_LEN as usize + 64;

/// The format of a capture file, from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureFormat {
    /// Classic libpcap.
    Pcap {
        /// Timestamps have nanosecond (magic `a1b23c4d`) rather than microsecond resolution.
        nanosecond: bool,
        /// The file was written big-endian.
        big_endian: bool,
        /// Format version (major, minor), normally (2, 4).
        version: (u16, u16),
        /// Snapshot length from the header (informative; records longer than it are
        /// still read).
        snaplen: u32,
        /// Link type of every frame (the low 16 bits of the header's field; the high bits
        /// carry FCS information).
        linktype: LinkType,
    },
    /// pcapng: sections and interfaces, each with its own link type and clock.
    PcapNg,
}

/// One captured frame. Its bytes borrow the reader's buffer until the next call to
/// [`CaptureReader::next_frame`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Capture time in microseconds (pcapng: converted from the interface's resolution,
    /// with its `if_tsoffset` applied; Simple Packet Blocks repeat the previous frame's).
    pub ts: Timestamp,
    /// Link type of `data` (per interface for pcapng).
    pub linktype: LinkType,
    /// The captured bytes.
    pub data: &'a [u8],
    /// Length of the frame on the wire (may exceed `data.len()` when the snap length cut
    /// it; a smaller value than `data.len()` is passed on as the file says).
    pub orig_len: u32,
    /// pcapng interface id within its section; 0 for pcap.
    pub interface: u32,
    /// Byte offset in the file of the frame's record or block.
    pub offset: u64,
}

/// What a capture file says about its own losses: a pcapng Interface Statistics Block
/// (ISB). Its counters are cumulative since the interface's capture started; the reader
/// also gives the drops new since the previous block of the same interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterfaceStats {
    /// The block's timestamp (the time the counters were taken), converted like a
    /// frame's with the interface's resolution and offset.
    pub ts: Timestamp,
    /// pcapng interface id within its section.
    pub interface: u32,
    /// Byte offset in the file of the block.
    pub offset: u64,
    /// `isb_ifrecv`: packets received by the interface.
    pub received: Option<u64>,
    /// `isb_ifdrop`: packets the interface dropped for lack of resources.
    pub if_drops: Option<u64>,
    /// `isb_osdrop`: packets the operating system (capture buffer) dropped.
    pub os_drops: Option<u64>,
    /// Increase of `if_drops + os_drops` since the previous statistics block of this
    /// interface in this section (all of them for its first block). A counter that went
    /// backwards (a restarted capture) counts from zero again.
    pub new_drops: u64,
}

/// One item of a capture file, as [`CaptureReader::next_record`] hands them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record<'a> {
    /// A captured frame.
    Frame(Frame<'a>),
    /// Capture statistics (pcapng Interface Statistics Block).
    Stats(InterfaceStats),
}

/// Counters for a reader, current after every call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaptureStats {
    /// Frames delivered.
    pub frames: u64,
    /// Interface Statistics Blocks read (pcapng).
    pub stats_blocks: u64,
    /// Sum of [`InterfaceStats::new_drops`] over every statistics block read.
    pub drops: u64,
    /// Bytes of the file consumed: headers, frames, other blocks and skipped bytes. After
    /// a clean end it equals the file size.
    pub bytes_read: u64,
    /// Damaged records and blocks skipped (non-fatal errors, and a truncated last record).
    pub skipped_records: u64,
    /// Bytes of those records and blocks.
    pub skipped_bytes: u64,
    /// Interfaces described: 1 for pcap, every accepted Interface Description Block (in
    /// all sections) for pcapng.
    pub interfaces: u32,
}

/// A streaming reader of pcap and pcapng files. See the [module docs](self).
pub struct CaptureReader<R: Read> {
    input: Input<R>,
    name: String,
    format: CaptureFormat,
    state: State,
    stats: CaptureStats,
    done: bool,
}

/// Per-format reading state.
enum State {
    Pcap(pcap::PcapState),
    PcapNg(pcapng::PcapNgState),
}

/// What one step of a format reader produced.
pub(crate) enum Step {
    /// A frame; its bytes are `data` in the input buffer.
    Frame(FrameMeta),
    /// Capture statistics (only when asked for).
    Stats(InterfaceStats),
    /// A clean end of file.
    End,
    /// A problem (fatal or not).
    Fault(Fault),
}

/// A frame before its bytes are borrowed from the buffer.
pub(crate) struct FrameMeta {
    pub(crate) ts: Timestamp,
    pub(crate) linktype: LinkType,
    /// Absolute range in the input buffer (see `Input::slice`).
    pub(crate) data: Range<usize>,
    pub(crate) orig_len: u32,
    pub(crate) interface: u32,
    pub(crate) offset: u64,
}

impl CaptureReader<std::fs::File> {
    /// Opens the file at `path` and reads its header; the path names it in errors.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CaptureError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let opened = if path.is_dir() {
            Err(std::io::Error::other("is a directory, not a capture file"))
        } else {
            std::fs::File::open(path)
        };
        match opened {
            Ok(file) => CaptureReader::new(file, name),
            Err(e) => Err(Fault::new(0, CaptureErrorKind::Open(e)).named(&name)),
        }
    }
}

impl<R: Read> CaptureReader<R> {
    /// Reads and validates the file header; detects the format from the magic number
    /// (file extensions lie). `name` (normally the path) prefixes every error.
    pub fn new(source: R, name: impl Into<String>) -> Result<Self, CaptureError> {
        let name = name.into();
        let mut input = Input::new(source, BUFFER_CAPACITY);
        let mut stats = CaptureStats::default();
        let opened = Self::open_format(&mut input, &mut stats);
        stats.bytes_read = input.pos();
        match opened {
            Ok((format, state)) => Ok(CaptureReader {
                input,
                name,
                format,
                state,
                stats,
                done: false,
            }),
            Err(fault) => Err(fault.named(&name)),
        }
    }

    /// Sniffs the magic number and reads the header of the right format.
    fn open_format(
        input: &mut Input<R>,
        stats: &mut CaptureStats,
    ) -> Result<(CaptureFormat, State), Fault> {
        let avail = input
            .fill(4)
            .map_err(|e| Fault::new(0, CaptureErrorKind::Io(e)))?;
        let magic = match read_u32(input.available(), 0, true) {
            Some(magic) => magic,
            None if avail == 0 => return Err(Fault::new(0, CaptureErrorKind::Empty)),
            None => return Err(Fault::new(0, CaptureErrorKind::TruncatedHeader)),
        };
        if pcap::is_magic(magic) {
            let (format, state) = pcap::PcapState::open(input)?;
            stats.interfaces = 1;
            Ok((format, State::Pcap(state)))
        } else if magic == pcapng::SECTION_HEADER {
            let state = pcapng::PcapNgState::open(input)?;
            Ok((CaptureFormat::PcapNg, State::PcapNg(state)))
        } else {
            Err(Fault::new(0, CaptureErrorKind::BadMagic(magic)))
        }
    }

    /// The file's format, from its header.
    pub fn format(&self) -> &CaptureFormat {
        &self.format
    }

    /// The name given to [`CaptureReader::new`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Next frame. `None` at a clean end or after a fatal error. `Some(Err(e))` for every
    /// problem; if `!e.is_fatal()`, the reader skipped the damaged part and reading may
    /// continue.
    pub fn next_frame(&mut self) -> Option<Result<Frame<'_>, CaptureError>> {
        match self.step(false)? {
            Ok(Record::Frame(frame)) => Some(Ok(frame)),
            // Not produced when not asked for.
            Ok(Record::Stats(_)) => None,
            Err(e) => Some(Err(e)),
        }
    }

    /// Next frame or statistics block, in file order: as [`CaptureReader::next_frame`],
    /// but pcapng Interface Statistics Blocks come out too (as [`Record::Stats`]), where
    /// they are in the file, so a consumer can account for the capture's drops at the
    /// time they were reported.
    pub fn next_record(&mut self) -> Option<Result<Record<'_>, CaptureError>> {
        self.step(true)
    }

    fn step(&mut self, with_stats: bool) -> Option<Result<Record<'_>, CaptureError>> {
        if self.done {
            return None;
        }
        let step = match &mut self.state {
            State::Pcap(state) => state.next(&mut self.input, &mut self.stats),
            State::PcapNg(state) => state.next(&mut self.input, &mut self.stats, with_stats),
        };
        self.stats.bytes_read = self.input.pos();
        match step {
            Step::End => {
                self.done = true;
                None
            }
            Step::Fault(fault) => {
                let err = fault.named(&self.name);
                self.done = err.is_fatal();
                Some(Err(err))
            }
            Step::Stats(stats) => Some(Ok(Record::Stats(stats))),
            Step::Frame(meta) => {
                self.stats.frames = self.stats.frames.saturating_add(1);
                Some(Ok(Record::Frame(Frame {
                    ts: meta.ts,
                    linktype: meta.linktype,
                    data: self.input.slice(meta.data),
                    orig_len: meta.orig_len,
                    interface: meta.interface,
                    offset: meta.offset,
                })))
            }
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> &CaptureStats {
        &self.stats
    }

    /// Gives the source back (positioned somewhere after the last frame: the reader
    /// reads ahead).
    pub fn into_inner(self) -> R {
        self.input.into_inner()
    }
}

impl<R: Read> std::fmt::Debug for CaptureReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureReader")
            .field("name", &self.name)
            .field("format", &self.format)
            .field("stats", &self.stats)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// Reads a fixed-size array at `at`, or `None` if `bytes` is too short.
fn array_at<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// The `u16` at `at` in the given byte order.
pub(crate) fn read_u16(bytes: &[u8], at: usize, big_endian: bool) -> Option<u16> {
    let b = array_at(bytes, at)?;
    Some(if big_endian {
        u16::from_be_bytes(b)
    } else {
        u16::from_le_bytes(b)
    })
}

/// The `u32` at `at` in the given byte order.
pub(crate) fn read_u32(bytes: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    let b = array_at(bytes, at)?;
    Some(if big_endian {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

/// The `u64` at `at` in the given byte order.
pub(crate) fn read_u64(bytes: &[u8], at: usize, big_endian: bool) -> Option<u64> {
    let b = array_at(bytes, at)?;
    Some(if big_endian {
        u64::from_be_bytes(b)
    } else {
        u64::from_le_bytes(b)
    })
}

/// `u32` to `usize` (lossless on the 32- and 64-bit targets weir supports).
pub(crate) fn usize_from(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Consumes everything left in `input` as the remains of a record cut short at `offset`,
/// counts it as skipped and returns the fatal error. Call only after `fill` came up short
/// (the source has ended), so that `available` is all the file had left.
pub(crate) fn truncated<R: Read>(
    input: &mut Input<R>,
    stats: &mut CaptureStats,
    offset: u64,
    needed: u64,
) -> Fault {
    let left = input.available().len();
    input.consume(left);
    stats.skipped_records = stats.skipped_records.saturating_add(1);
    stats.skipped_bytes = stats.skipped_bytes.saturating_add(left as u64);
    Fault::new(
        offset,
        CaptureErrorKind::TruncatedRecord {
            needed,
            available: left as u64,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECTION_HEADER_MAGIC: u32 = pcapng::SECTION_HEADER;

    #[test]
    fn byte_readers() {
        let b = [1, 2, 3, 4, 5, 6, 7, 8];
        assert_eq!(read_u16(&b, 0, true), Some(0x0102));
        assert_eq!(read_u16(&b, 0, false), Some(0x0201));
        assert_eq!(read_u32(&b, 4, true), Some(0x0506_0708));
        assert_eq!(read_u32(&b, 4, false), Some(0x0807_0605));
        assert_eq!(read_u64(&b, 0, true), Some(0x0102_0304_0506_0708));
        assert_eq!(read_u32(&b, 5, true), None);
        assert_eq!(read_u32(&b, usize::MAX, true), None);
        assert_eq!(read_u64(&b, 1, false), None);
    }

    /// A pcapng block: type, length, body (padded), length.
    fn block(ty: u32, body: &[u8]) -> Vec<u8> {
        let mut body = body.to_vec();
        body.resize(body.len().div_ceil(4) * 4, 0);
        let len = (body.len() + 12) as u32;
        let mut b = ty.to_le_bytes().to_vec();
        b.extend(len.to_le_bytes());
        b.extend(body);
        b.extend(len.to_le_bytes());
        b
    }

    fn option(code: u16, value: &[u8]) -> Vec<u8> {
        let mut o = code.to_le_bytes().to_vec();
        o.extend((value.len() as u16).to_le_bytes());
        o.extend(value);
        o.resize(o.len().div_ceil(4) * 4, 0);
        o
    }

    fn isb(iface: u32, us: u64, if_drop: Option<u64>, os_drop: Option<u64>) -> Vec<u8> {
        let mut body = iface.to_le_bytes().to_vec();
        body.extend(((us >> 32) as u32).to_le_bytes());
        body.extend((us as u32).to_le_bytes());
        if let Some(d) = if_drop {
            body.extend(option(5, &d.to_le_bytes()));
        }
        if let Some(d) = os_drop {
            body.extend(option(7, &d.to_le_bytes()));
        }
        body.extend(option(0, &[]));
        block(5, &body)
    }

    fn epb(iface: u32, us: u64, data: &[u8]) -> Vec<u8> {
        let mut body = iface.to_le_bytes().to_vec();
        body.extend(((us >> 32) as u32).to_le_bytes());
        body.extend((us as u32).to_le_bytes());
        body.extend((data.len() as u32).to_le_bytes());
        body.extend((data.len() as u32).to_le_bytes());
        body.extend(data);
        block(6, &body)
    }

    #[test]
    fn statistics_blocks_in_file_order() {
        let mut shb = 0x1a2b_3c4du32.to_le_bytes().to_vec();
        shb.extend([1, 0, 0, 0]);
        shb.extend(u64::MAX.to_le_bytes());
        let mut f = block(SECTION_HEADER_MAGIC, &shb);
        let mut idb = vec![1, 0, 0, 0];
        idb.extend(0u32.to_le_bytes());
        f.extend(block(1, &idb));
        f.extend(epb(0, 1_000_000, b"one"));
        f.extend(isb(0, 2_000_000, Some(10), Some(5)));
        f.extend(isb(7, 2_500_000, Some(99), None)); // unknown interface: ignored
        f.extend(epb(0, 3_000_000, b"two"));
        f.extend(isb(0, 4_000_000, Some(12), Some(9)));
        f.extend(isb(0, 5_000_000, Some(1), None)); // a restarted counter
        let mut r = CaptureReader::new(&f[..], "t.pcapng").unwrap();
        let mut seen = Vec::new();
        while let Some(rec) = r.next_record() {
            match rec.unwrap() {
                Record::Frame(fr) => seen.push(format!("frame {} {}", fr.ts.0, fr.data.len())),
                Record::Stats(s) => seen.push(format!(
                    "stats {} {:?} {:?} {}",
                    s.ts.0, s.if_drops, s.os_drops, s.new_drops
                )),
            }
        }
        assert_eq!(
            seen,
            [
                "frame 1000000 3",
                "stats 2000000 Some(10) Some(5) 15",
                "frame 3000000 3",
                "stats 4000000 Some(12) Some(9) 6",
                "stats 5000000 Some(1) None 1",
            ]
        );
        assert_eq!(r.stats().stats_blocks, 3);
        assert_eq!(r.stats().drops, 22);
        assert_eq!(r.stats().bytes_read, f.len() as u64);
        // next_frame skips them, and still counts them.
        let mut r = CaptureReader::new(&f[..], "t.pcapng").unwrap();
        let mut frames = 0;
        while let Some(fr) = r.next_frame() {
            fr.unwrap();
            frames += 1;
        }
        assert_eq!((frames, r.stats().drops), (2, 22));
    }

    #[test]
    fn magic_sniffing() {
        let err = |bytes: &[u8]| CaptureReader::new(bytes, "t").unwrap_err().kind;
        assert!(matches!(err(b""), CaptureErrorKind::Empty));
        assert!(matches!(
            err(b"\xd4\xc3"),
            CaptureErrorKind::TruncatedHeader
        ));
        assert!(matches!(
            err(b"\xd4\xc3\xb2\xa1\x02\x00"),
            CaptureErrorKind::TruncatedHeader
        ));
        assert!(matches!(
            err(b"\x0a\x0d\x0d\x0a"),
            CaptureErrorKind::TruncatedHeader
        ));
        assert!(matches!(
            err(b"GET / HTTP/1.1\r\n"),
            CaptureErrorKind::BadMagic(0x4745_5420)
        ));
    }
}
