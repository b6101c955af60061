//! Capture-file reader tests.
//!
//! Test files are built in code by the small writers below (`Pcap`, `Ng`), so every
//! expectation (offsets, lengths, timestamps) is known exactly; the shared corpus of real
//! captures is checked against `capinfos`/`tshark` figures at the end.

use std::io::{self, Read};

use proptest::prelude::*;
use weir_decode::LinkType;
use weir_decode::capture::{
    CaptureError, CaptureErrorKind, CaptureFormat, CaptureReader, CaptureStats, MAX_RECORD_LEN,
};

// ---------------------------------------------------------------------------------------
// Collecting what a reader gives
// ---------------------------------------------------------------------------------------

/// An owned copy of a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Owned {
    ts: u64,
    linktype: LinkType,
    data: Vec<u8>,
    orig_len: u32,
    interface: u32,
    offset: u64,
}

/// One result of `next_frame`.
#[derive(Debug)]
enum Item {
    Frame(Owned),
    Error(CaptureError),
}

impl Item {
    fn frame(&self) -> Option<&Owned> {
        match self {
            Item::Frame(f) => Some(f),
            Item::Error(_) => None,
        }
    }

    fn error(&self) -> Option<&CaptureError> {
        match self {
            Item::Frame(_) => None,
            Item::Error(e) => Some(e),
        }
    }
}

/// Reads everything, checking the protocol: a fatal error is the last item, and `None`
/// stays `None`.
fn drain<R: Read>(reader: &mut CaptureReader<R>) -> Vec<Item> {
    let mut items = Vec::new();
    while let Some(next) = reader.next_frame() {
        assert!(items.len() < 10_000_000, "runaway reader");
        match next {
            Ok(f) => items.push(Item::Frame(Owned {
                ts: f.ts.as_micros(),
                linktype: f.linktype,
                data: f.data.to_vec(),
                orig_len: f.orig_len,
                interface: f.interface,
                offset: f.offset,
            })),
            Err(e) => {
                let fatal = e.is_fatal();
                items.push(Item::Error(e));
                if fatal {
                    assert!(reader.next_frame().is_none(), "frames after a fatal error");
                    break;
                }
            }
        }
    }
    assert!(reader.next_frame().is_none());
    assert!(reader.next_frame().is_none());
    assert_eq!(
        reader.stats().frames,
        items.iter().filter(|i| i.frame().is_some()).count() as u64
    );
    items
}

struct Outcome {
    format: CaptureFormat,
    items: Vec<Item>,
    stats: CaptureStats,
}

impl Outcome {
    fn frames(&self) -> Vec<&Owned> {
        self.items.iter().filter_map(Item::frame).collect()
    }

    fn errors(&self) -> Vec<&CaptureError> {
        self.items.iter().filter_map(Item::error).collect()
    }

    /// The single error, which must be the last item.
    fn last_error(&self) -> &CaptureError {
        assert_eq!(self.errors().len(), 1, "{:?}", self.errors());
        self.items
            .last()
            .and_then(Item::error)
            .expect("the error comes last")
    }
}

fn read_all(bytes: &[u8]) -> Result<Outcome, CaptureError> {
    let mut reader = CaptureReader::new(bytes, "test")?;
    let items = drain(&mut reader);
    Ok(Outcome {
        format: *reader.format(),
        items,
        stats: *reader.stats(),
    })
}

fn read_ok(bytes: &[u8]) -> Outcome {
    read_all(bytes).unwrap_or_else(|e| panic!("header refused: {e}"))
}

fn open_err(bytes: &[u8]) -> CaptureErrorKind {
    match CaptureReader::new(bytes, "test") {
        Ok(r) => panic!("opened: {r:?}"),
        Err(e) => {
            assert_eq!(e.offset, 0);
            e.kind
        }
    }
}

// ---------------------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------------------

fn u16b(big: bool, v: u16) -> [u8; 2] {
    if big {
        v.to_be_bytes()
    } else {
        v.to_le_bytes()
    }
}

fn u32b(big: bool, v: u32) -> [u8; 4] {
    if big {
        v.to_be_bytes()
    } else {
        v.to_le_bytes()
    }
}

fn u64b(big: bool, v: u64) -> [u8; 8] {
    if big {
        v.to_be_bytes()
    } else {
        v.to_le_bytes()
    }
}

/// A libpcap file under construction.
struct Pcap {
    bytes: Vec<u8>,
    big: bool,
    /// Start of every record.
    records: Vec<usize>,
}

impl Pcap {
    fn new(big: bool, nano: bool, linktype: u32) -> Pcap {
        let magic: u32 = if nano { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
        let mut bytes = u32b(big, magic).to_vec();
        bytes.extend(u16b(big, 2));
        bytes.extend(u16b(big, 4));
        bytes.extend([0; 8]);
        bytes.extend(u32b(big, 65535));
        bytes.extend(u32b(big, linktype));
        Pcap {
            bytes,
            big,
            records: Vec::new(),
        }
    }

    /// A record whose header may lie about its captured length.
    fn raw(mut self, secs: u32, frac: u32, incl_len: u32, orig_len: u32, data: &[u8]) -> Pcap {
        self.records.push(self.bytes.len());
        for v in [secs, frac, incl_len, orig_len] {
            self.bytes.extend(u32b(self.big, v));
        }
        self.bytes.extend(data);
        self
    }

    fn record(self, secs: u32, frac: u32, data: &[u8], orig_len: u32) -> Pcap {
        self.raw(secs, frac, data.len() as u32, orig_len, data)
    }
}

const SHB: u32 = 0x0a0d_0d0a;
const IDB: u32 = 1;
const PB: u32 = 2;
const SPB: u32 = 3;
const NRB: u32 = 4;
const ISB: u32 = 5;
const EPB: u32 = 6;
const DSB: u32 = 0x0a;
const CUSTOM: u32 = 0x0bad;

/// A pcapng file under construction (starts with a section header).
struct Ng {
    bytes: Vec<u8>,
    big: bool,
    /// (start, end) of every block.
    blocks: Vec<(usize, usize)>,
}

/// An interface option: code and value (byte order applied by the caller).
type Opt = (u16, Vec<u8>);

impl Ng {
    fn new(big: bool) -> Ng {
        let mut ng = Ng {
            bytes: Vec::new(),
            big,
            blocks: Vec::new(),
        };
        ng.section(big, 1);
        ng
    }

    fn section(&mut self, big: bool, major: u16) -> &mut Ng {
        self.big = big;
        let mut body = u32b(big, 0x1a2b_3c4d).to_vec();
        body.extend(u16b(big, major));
        body.extend(u16b(big, 0));
        body.extend(u64b(big, u64::MAX)); // section length unknown
        self.options(&mut body, &[(4, b"weir tests".to_vec())]); // shb_userappl
        self.block(SHB, &body)
    }

    fn options(&self, body: &mut Vec<u8>, opts: &[Opt]) {
        if opts.is_empty() {
            return;
        }
        for (code, value) in opts {
            body.extend(u16b(self.big, *code));
            body.extend(u16b(self.big, value.len() as u16));
            body.extend(value);
            body.resize(body.len().next_multiple_of(4), 0);
        }
        body.extend([0; 4]); // opt_endofopt
    }

    /// A block with `body` padded to 4 bytes and correct lengths.
    fn block(&mut self, ty: u32, body: &[u8]) -> &mut Ng {
        let len = 12 + body.len().next_multiple_of(4) as u32;
        self.block_with_lengths(ty, body, len, len)
    }

    fn block_with_lengths(&mut self, ty: u32, body: &[u8], lead: u32, trail: u32) -> &mut Ng {
        let start = self.bytes.len();
        self.bytes.extend(u32b(self.big, ty));
        self.bytes.extend(u32b(self.big, lead));
        self.bytes.extend(body);
        self.bytes.resize(self.bytes.len().next_multiple_of(4), 0);
        self.bytes.extend(u32b(self.big, trail));
        self.blocks.push((start, self.bytes.len()));
        self
    }

    fn idb(&mut self, linktype: u16, snaplen: u32, opts: &[Opt]) -> &mut Ng {
        let mut body = u16b(self.big, linktype).to_vec();
        body.extend([0, 0]);
        body.extend(u32b(self.big, snaplen));
        self.options(&mut body, opts);
        self.block(IDB, &body)
    }

    fn tsresol(v: u8) -> Opt {
        (9, vec![v])
    }

    fn tsoffset(&self, secs: i64) -> Opt {
        (14, u64b(self.big, secs as u64).to_vec())
    }

    fn epb(&mut self, interface: u32, ts: u64, data: &[u8], orig_len: u32) -> &mut Ng {
        let mut body = u32b(self.big, interface).to_vec();
        body.extend(u32b(self.big, (ts >> 32) as u32));
        body.extend(u32b(self.big, ts as u32));
        body.extend(u32b(self.big, data.len() as u32));
        body.extend(u32b(self.big, orig_len));
        body.extend(data);
        body.resize(body.len().next_multiple_of(4), 0);
        // epb_flags (inbound) and a comment: options must not get in the way.
        self.options(
            &mut body,
            &[(2, u32b(self.big, 1).to_vec()), (1, b"hi".to_vec())],
        );
        self.block(EPB, &body)
    }

    fn pb(&mut self, interface: u16, ts: u64, data: &[u8], orig_len: u32) -> &mut Ng {
        let mut body = u16b(self.big, interface).to_vec();
        body.extend(u16b(self.big, 0)); // drops
        body.extend(u32b(self.big, (ts >> 32) as u32));
        body.extend(u32b(self.big, ts as u32));
        body.extend(u32b(self.big, data.len() as u32));
        body.extend(u32b(self.big, orig_len));
        body.extend(data);
        self.block(PB, &body)
    }

    fn spb(&mut self, data: &[u8], orig_len: u32) -> &mut Ng {
        let mut body = u32b(self.big, orig_len).to_vec();
        body.extend(data);
        self.block(SPB, &body)
    }

    fn start(&self, block: usize) -> u64 {
        self.blocks[block].0 as u64
    }
}

fn owned(
    ts: u64,
    linktype: LinkType,
    data: &[u8],
    orig_len: u32,
    interface: u32,
    offset: u64,
) -> Owned {
    Owned {
        ts,
        linktype,
        data: data.to_vec(),
        orig_len,
        interface,
        offset,
    }
}

// ---------------------------------------------------------------------------------------
// libpcap
// ---------------------------------------------------------------------------------------

#[test]
fn pcap_micro_and_nano_in_both_byte_orders() {
    let payload: Vec<u8> = (0..61).collect();
    for big in [false, true] {
        for nano in [false, true] {
            let frac = |us: u32| if nano { us * 1000 + 999 } else { us };
            let file = Pcap::new(big, nano, 1)
                .record(1_700_000_000, frac(123_456), &payload, 61)
                .record(1_700_000_001, frac(0), &payload[..10], 1500) // cut by the snap length
                .record(1_700_000_001, frac(999_999), &payload[..8], 4) // incl_len > orig_len: tolerated
                .record(0, 0, &[], 0);
            let r = read_ok(&file.bytes);
            assert_eq!(
                r.format,
                CaptureFormat::Pcap {
                    nanosecond: nano,
                    big_endian: big,
                    version: (2, 4),
                    snaplen: 65535,
                    linktype: LinkType::Ethernet
                }
            );
            let o = |i: usize| file.records[i] as u64;
            let eth = LinkType::Ethernet;
            assert_eq!(
                r.frames(),
                [
                    &owned(1_700_000_000_123_456, eth, &payload, 61, 0, 24),
                    &owned(1_700_000_001_000_000, eth, &payload[..10], 1500, 0, o(1)),
                    &owned(1_700_000_001_999_999, eth, &payload[..8], 4, 0, o(2)),
                    &owned(0, eth, &[], 0, 0, o(3)),
                ]
            );
            assert!(r.errors().is_empty());
            let len = file.bytes.len() as u64;
            assert_eq!(
                r.stats,
                CaptureStats {
                    frames: 4,
                    bytes_read: len,
                    skipped_records: 0,
                    skipped_bytes: 0,
                    interfaces: 1,
                    ..CaptureStats::default()
                }
            );
        }
    }
}

#[test]
fn pcap_link_types_come_from_the_header() {
    for (raw, lt) in [
        (0, LinkType::Null),
        (113, LinkType::LinuxSll),
        (228, LinkType::Ipv4),
        (147, LinkType::Unknown(147)),
    ] {
        let r = read_ok(&Pcap::new(false, false, raw).record(1, 2, b"x", 1).bytes);
        assert_eq!(r.frames()[0].linktype, lt);
    }
}

#[test]
fn pcap_records_up_to_the_limit_are_read() {
    let big: Vec<u8> = (0..MAX_RECORD_LEN).map(|i| (i % 251) as u8).collect();
    let file = Pcap::new(false, false, 1)
        .record(1, 0, b"small", 5)
        .record(2, 0, &big, 70_000)
        .record(3, 0, b"after", 5);
    let r = read_ok(&file.bytes);
    let frames = r.frames();
    assert_eq!(frames.len(), 3);
    assert_eq!(frames[1].data, big);
    assert_eq!(frames[2].data, b"after");
}

#[test]
fn pcap_absurd_record_length_is_fatal() {
    for incl_len in [MAX_RECORD_LEN + 1, 524_501, u32::MAX] {
        let file = Pcap::new(true, false, 1)
            .record(1, 0, b"fine", 4)
            .raw(2, 0, incl_len, 60, &[0; 100]);
        let r = read_ok(&file.bytes);
        assert_eq!(r.frames().len(), 1);
        let e = r.last_error();
        assert!(e.is_fatal());
        assert_eq!(e.offset, file.records[1] as u64);
        assert!(
            matches!(e.kind, CaptureErrorKind::RecordTooLarge(n) if n == incl_len),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            format!("test: byte 44: record of {incl_len} bytes exceeds the limit of 262144 bytes")
        );
    }
}

#[test]
fn pcap_truncated_last_record() {
    let file = Pcap::new(false, true, 1)
        .record(1, 0, b"first", 5)
        .record(2, 0, b"second", 6)
        .record(3, 0, &[7; 40], 40);
    let last = file.records[2];
    // Cut inside the record header, then inside the data.
    for cut in [
        last + 1,
        last + 15,
        last + 16,
        last + 30,
        file.bytes.len() - 1,
    ] {
        let r = read_ok(&file.bytes[..cut]);
        let frames = r.frames();
        assert_eq!(frames.len(), 2, "cut at {cut}");
        assert_eq!(frames[1].data, b"second");
        let e = r.last_error();
        assert!(e.is_fatal());
        assert_eq!(e.offset, last as u64);
        let available = (cut - last) as u64;
        let needed = if cut - last < 16 { 16 } else { 56 };
        assert!(
            matches!(e.kind, CaptureErrorKind::TruncatedRecord { needed: n, available: a } if n == needed && a == available),
            "{e}"
        );
        assert_eq!(r.stats.skipped_bytes, available);
        assert_eq!(r.stats.skipped_records, 1);
        assert_eq!(r.stats.bytes_read, cut as u64);
    }
}

// ---------------------------------------------------------------------------------------
// pcapng
// ---------------------------------------------------------------------------------------

#[test]
fn pcapng_interfaces_with_their_own_link_types_and_clocks() {
    for big in [false, true] {
        let mut ng = Ng::new(big);
        let offset = ng.tsoffset(-100);
        ng.idb(1, 0, &[(2, b"eth0".to_vec())]) // Ethernet, default microseconds
            .idb(101, 0, &[Ng::tsresol(9)]) // raw IP, nanoseconds
            .idb(113, 0, &[Ng::tsresol(0x80 | 20), offset]) // Linux SLL, 2^-20 s, -100 s
            .idb(228, 0, &[Ng::tsresol(3)]) // raw IPv4, milliseconds
            .epb(0, 1_700_000_000_123_456, &[1; 14], 14)
            .epb(1, 1_700_000_000_987_654_321, &[2; 21], 1500)
            .epb(2, (1_700_000_100u64 << 20) | (1 << 19), &[3; 3], 3)
            .epb(3, 1_700_000_000_042, &[4; 4], 4)
            .epb(0, 7, &[], 0);
        let r = read_ok(&ng.bytes);
        assert_eq!(r.format, CaptureFormat::PcapNg);
        assert!(r.errors().is_empty(), "{:?}", r.errors());
        assert_eq!(
            r.frames(),
            [
                &owned(
                    1_700_000_000_123_456,
                    LinkType::Ethernet,
                    &[1; 14],
                    14,
                    0,
                    ng.start(5)
                ),
                &owned(
                    1_700_000_000_987_654,
                    LinkType::Raw,
                    &[2; 21],
                    1500,
                    1,
                    ng.start(6)
                ),
                &owned(
                    1_700_000_000_500_000,
                    LinkType::LinuxSll,
                    &[3; 3],
                    3,
                    2,
                    ng.start(7)
                ),
                &owned(
                    1_700_000_000_042_000,
                    LinkType::Ipv4,
                    &[4; 4],
                    4,
                    3,
                    ng.start(8)
                ),
                &owned(7, LinkType::Ethernet, &[], 0, 0, ng.start(9)),
            ]
        );
        let len = ng.bytes.len() as u64;
        assert_eq!(
            r.stats,
            CaptureStats {
                frames: 5,
                bytes_read: len,
                skipped_records: 0,
                skipped_bytes: 0,
                interfaces: 4,
                ..CaptureStats::default()
            }
        );
    }
}

#[test]
fn pcapng_simple_and_obsolete_packet_blocks() {
    let mut ng = Ng::new(false);
    ng.idb(1, 6, &[Ng::tsresol(9)])
        .spb(&[9; 4], 4) // before any timestamp: 0
        .epb(0, 5_000_000_000, &[1; 6], 60)
        .spb(&[2; 5], 5) // 5 bytes + 3 of padding: the padding is not data
        .spb(&[3; 6], 100) // cut by the snap length (6); the block holds 8 bytes
        .pb(0, 6_000_000_000, &[4; 7], 7);
    let r = read_ok(&ng.bytes);
    assert!(r.errors().is_empty(), "{:?}", r.errors());
    let eth = LinkType::Ethernet;
    assert_eq!(
        r.frames(),
        [
            &owned(0, eth, &[9; 4], 4, 0, ng.start(2)),
            &owned(5_000_000, eth, &[1; 6], 60, 0, ng.start(3)),
            &owned(5_000_000, eth, &[2; 5], 5, 0, ng.start(4)),
            &owned(5_000_000, eth, &[3; 6], 100, 0, ng.start(5)),
            &owned(6_000_000, eth, &[4; 7], 7, 0, ng.start(6)),
        ]
    );
}

#[test]
fn pcapng_other_blocks_are_skipped_quietly() {
    let mut ng = Ng::new(true);
    ng.idb(1, 0, &[])
        .block(NRB, &[0, 1, 0, 4, 10, 0, 0, 1, 0, 0, 0, 0])
        .epb(0, 1, b"one", 3)
        .block(ISB, &[0; 12])
        .block(DSB, b"TLSK\0\0\0\x04keys")
        .block(CUSTOM, &[0, 0, 0x7e, 0x57, 1, 2, 3])
        .block(0x8000_0001, &[])
        .epb(0, 2, b"two", 3);
    let r = read_ok(&ng.bytes);
    assert!(r.errors().is_empty(), "{:?}", r.errors());
    let data: Vec<_> = r.frames().iter().map(|f| f.data.clone()).collect();
    assert_eq!(data, [b"one".to_vec(), b"two".to_vec()]);
    assert_eq!(r.stats.skipped_records, 0);
    assert_eq!(r.stats.bytes_read, ng.bytes.len() as u64);
}

#[test]
fn pcapng_sections_reset_interfaces_and_byte_order() {
    let mut ng = Ng::new(false);
    ng.idb(1, 0, &[]).idb(1, 0, &[]).epb(1, 10, b"a", 1);
    ng.section(true, 1)
        .idb(101, 0, &[Ng::tsresol(9)])
        .epb(0, 20_000, b"b", 1)
        .epb(1, 30, b"c", 1)
        .epb(0, 40_000, b"d", 1);
    ng.section(false, 1).idb(113, 0, &[]).epb(0, 50, b"e", 1);
    let r = read_ok(&ng.bytes);
    let got: Vec<_> = r
        .frames()
        .iter()
        .map(|f| (f.ts, f.linktype, f.interface, f.data.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (10, LinkType::Ethernet, 1, b"a".to_vec()),
            (20, LinkType::Raw, 0, b"b".to_vec()),
            (40, LinkType::Raw, 0, b"d".to_vec()),
            (50, LinkType::LinuxSll, 0, b"e".to_vec()),
        ]
    );
    // Interface 1 does not exist in the second section.
    let errors = r.errors();
    assert_eq!(errors.len(), 1);
    let e = errors[0];
    assert!(!e.is_fatal());
    assert!(matches!(e.kind, CaptureErrorKind::UnknownInterface(1)));
    assert_eq!(e.offset, ng.start(7));
    let (start, end) = ng.blocks[7];
    assert_eq!(
        (r.stats.skipped_records, r.stats.skipped_bytes),
        (1, (end - start) as u64)
    );
    assert_eq!(r.stats.interfaces, 4);
    assert_eq!(r.stats.bytes_read, ng.bytes.len() as u64);
}

#[test]
fn pcapng_bad_block_lengths() {
    let mut base = Ng::new(false);
    base.idb(1, 0, &[]).epb(0, 1, b"ok", 2);
    let at = base.bytes.len() as u64;
    let fatal = |build: &dyn Fn(&mut Ng)| {
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[]).epb(0, 1, b"ok", 2);
        build(&mut ng);
        ng.epb(0, 2, b"never", 5);
        let r = read_ok(&ng.bytes);
        assert_eq!(r.frames().len(), 1);
        let e = r.last_error();
        assert!(e.is_fatal());
        assert_eq!(e.offset, at);
        e.kind.to_string()
    };
    // Not a multiple of 4, smaller than 12, larger than the limit.
    let k = fatal(&|ng| {
        ng.block_with_lengths(EPB, &[0; 20], 30, 30);
    });
    assert!(k.contains("block total length 30"), "{k}");
    let k = fatal(&|ng| {
        ng.block_with_lengths(EPB, &[], 8, 8);
    });
    assert!(k.contains("block total length 8"), "{k}");
    let k = fatal(&|ng| {
        ng.block_with_lengths(EPB, &[0; 20], MAX_RECORD_LEN + 4, 32);
    });
    assert!(k.contains("exceeds the limit"), "{k}");
    // A new section with a broken byte-order magic, or an unknown version.
    let k = fatal(&|ng| {
        ng.block(SHB, &[1, 2, 3, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    });
    assert!(k.contains("byte-order magic 0x01020304"), "{k}");
    let k = fatal(&|ng| {
        ng.section(false, 2);
    });
    assert!(k.contains("version 2.0"), "{k}");

    // Trailing length differs: the block is skipped on its leading length.
    let mut ng = Ng::new(false);
    ng.idb(1, 0, &[])
        .epb(0, 1, b"ok", 2)
        .block_with_lengths(EPB, &[0; 20], 32, 36)
        .epb(0, 3, b"next", 4);
    let r = read_ok(&ng.bytes);
    assert_eq!(r.frames().len(), 2);
    assert_eq!(r.frames()[1].data, b"next");
    let e = r.errors()[0];
    assert!(!e.is_fatal());
    assert_eq!(e.offset, at);
    assert!(matches!(
        e.kind,
        CaptureErrorKind::LengthMismatch {
            leading: 32,
            trailing: 36
        }
    ));
    assert_eq!((r.stats.skipped_records, r.stats.skipped_bytes), (1, 32));
}

#[test]
fn pcapng_damaged_blocks_are_skipped() {
    let mut ng = Ng::new(true);
    ng.block(IDB, &[0, 1, 0]) // too short: interface 0 is unusable but keeps its id
        .idb(101, 0, &[])
        .epb(1, 1, b"a", 1)
        .epb(0, 2, b"b", 1)
        .block(EPB, &u32b(true, 1)) // too short
        .block(
            EPB,
            &[
                0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 9, 1, 2,
            ],
        ) // 9 bytes claimed, 2 held
        .epb(7, 3, b"c", 1)
        .epb(1, 4, b"d", 1);
    let r = read_ok(&ng.bytes);
    let data: Vec<_> = r
        .frames()
        .iter()
        .map(|f| (f.interface, f.data.clone()))
        .collect();
    assert_eq!(data, [(1, b"a".to_vec()), (1, b"d".to_vec())]);
    let kinds: Vec<_> = r
        .errors()
        .iter()
        .map(|e| (e.offset, e.is_fatal(), e.kind.to_string()))
        .collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    assert!(kinds.iter().all(|(_, fatal, _)| !fatal));
    assert_eq!(kinds[0].0, ng.start(1));
    assert!(
        kinds[0].2.contains("interface description of 4 bytes"),
        "{kinds:?}"
    );
    assert!(kinds[1].2.contains("interface 0"), "{kinds:?}");
    assert!(
        kinds[2].2.contains("packet block body of 4 bytes"),
        "{kinds:?}"
    );
    assert!(kinds[3].2.contains("captured length 9"), "{kinds:?}");
    assert!(kinds[4].2.contains("interface 7"), "{kinds:?}");
    assert_eq!(r.stats.skipped_records, 5);
    assert_eq!(r.stats.interfaces, 1);
}

#[test]
fn pcapng_interface_table_is_bounded() {
    let mut ng = Ng::new(false);
    for _ in 0..4097 {
        ng.idb(1, 0, &[]);
    }
    ng.epb(4095, 1, b"last one kept", 13)
        .epb(4096, 2, b"one too many", 12);
    let r = read_ok(&ng.bytes);
    assert_eq!(r.frames().len(), 1);
    assert_eq!(r.frames()[0].interface, 4095);
    let errors = r.errors();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].to_string().contains("limit of 4096"),
        "{}",
        errors[0]
    );
    assert_eq!(errors[0].offset, ng.start(4097));
    assert!(matches!(
        errors[1].kind,
        CaptureErrorKind::UnknownInterface(4096)
    ));
    assert_eq!(r.stats.interfaces, 4096);
}

#[test]
fn pcapng_truncated_last_block() {
    let mut ng = Ng::new(false);
    ng.idb(1, 0, &[])
        .epb(0, 1, b"first", 5)
        .epb(0, 2, b"second!", 7);
    let (last, end) = ng.blocks[3];
    for cut in [last + 1, last + 11, last + 12, last + 30, end - 1] {
        let r = read_ok(&ng.bytes[..cut]);
        assert_eq!(r.frames().len(), 1, "cut at {cut}");
        let e = r.last_error();
        assert!(e.is_fatal());
        assert_eq!(e.offset, last as u64);
        let available = (cut - last) as u64;
        let needed = if cut - last < 12 {
            12
        } else {
            (end - last) as u64
        };
        assert!(
            matches!(e.kind, CaptureErrorKind::TruncatedRecord { needed: n, available: a } if n == needed && a == available),
            "{e}"
        );
        assert_eq!(r.stats.skipped_bytes, available);
        assert_eq!(r.stats.bytes_read, cut as u64);
    }
}

// ---------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------

#[test]
fn wrong_magic() {
    let e = CaptureReader::new(&b"hello, world, this is text"[..], "notes.txt").unwrap_err();
    assert!(matches!(e.kind, CaptureErrorKind::BadMagic(0x6865_6c6c)));
    assert!(e.is_fatal());
    assert_eq!(
        e.to_string(),
        "notes.txt: byte 0: not a pcap or pcapng file: bad magic number 0x68656c6c"
    );
    // A modified ("Kuznetzov") pcap is not a format weir reads.
    assert!(matches!(
        open_err(&[0xa1, 0xb2, 0xcd, 0x34, 0, 0, 0, 0]),
        CaptureErrorKind::BadMagic(0xa1b2_cd34)
    ));
}

#[test]
fn empty_and_short_headers() {
    assert!(matches!(open_err(&[]), CaptureErrorKind::Empty));
    let pcap = Pcap::new(false, false, 1).bytes;
    let ng = Ng::new(true).bytes;
    for cut in [1, 3, 4, 23] {
        assert!(
            matches!(open_err(&pcap[..cut]), CaptureErrorKind::TruncatedHeader),
            "pcap cut at {cut}"
        );
    }
    for cut in [1, 4, 11, 12, 27, ng.len() - 1] {
        assert!(
            matches!(open_err(&ng[..cut]), CaptureErrorKind::TruncatedHeader),
            "pcapng cut at {cut}"
        );
    }
    let mut bad_order = ng.clone();
    bad_order[8..12].copy_from_slice(b"oops");
    assert!(matches!(
        open_err(&bad_order),
        CaptureErrorKind::BadBlock(_)
    ));
    let mut v2 = Ng {
        bytes: Vec::new(),
        big: false,
        blocks: Vec::new(),
    };
    v2.section(false, 2);
    assert!(
        matches!(open_err(&v2.bytes), CaptureErrorKind::BadBlock(m) if m.contains("version 2.0"))
    );
}

#[test]
fn header_only_files_end_cleanly() {
    let pcap = Pcap::new(true, true, 9).bytes;
    let r = read_ok(&pcap);
    assert!(r.items.is_empty());
    assert_eq!(
        r.stats,
        CaptureStats {
            frames: 0,
            bytes_read: 24,
            skipped_records: 0,
            skipped_bytes: 0,
            interfaces: 1,
            ..CaptureStats::default()
        }
    );
    let mut ng = Ng::new(false);
    let r = read_ok(&ng.bytes);
    assert!(r.items.is_empty());
    assert_eq!(r.stats.bytes_read, ng.bytes.len() as u64);
    ng.idb(1, 0, &[]);
    let r = read_ok(&ng.bytes);
    assert!(r.items.is_empty());
    assert_eq!(r.stats.interfaces, 1);
}

// ---------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------

/// Hands out a few bytes per call, interrupts now and then, and can fail after a point.
struct Awkward<'a> {
    data: &'a [u8],
    calls: usize,
    fail_after: Option<usize>,
    given: usize,
}

impl Read for Awkward<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls.is_multiple_of(3) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        if self.fail_after.is_some_and(|limit| self.given >= limit) {
            return Err(io::Error::other("cable unplugged"));
        }
        let n = (self.calls % 7 + 1).min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.given += n;
        Ok(n)
    }
}

fn sample_files() -> Vec<Vec<u8>> {
    let pcap = Pcap::new(false, true, 1)
        .record(1, 2, &[5; 300], 300)
        .record(3, 4, b"x", 1)
        .bytes;
    let mut ng = Ng::new(true);
    ng.idb(1, 0, &[Ng::tsresol(9)])
        .epb(0, 5, &[1; 99], 99)
        .block(ISB, &[0; 16])
        .spb(b"abc", 3);
    vec![pcap, ng.bytes]
}

#[test]
fn any_read_will_do() {
    for file in sample_files() {
        let whole = read_ok(&file);
        let mut reader = CaptureReader::new(
            Awkward {
                data: &file,
                calls: 0,
                fail_after: None,
                given: 0,
            },
            "slow",
        )
        .unwrap();
        let items = drain(&mut reader);
        let frames: Vec<_> = items.iter().filter_map(Item::frame).collect();
        assert_eq!(frames, whole.frames());
        assert_eq!(reader.stats(), &whole.stats);
    }
}

#[test]
fn read_errors_are_fatal() {
    for file in sample_files() {
        let fail_after = file.len() - 2;
        let mut reader = CaptureReader::new(
            Awkward {
                data: &file,
                calls: 0,
                fail_after: Some(fail_after),
                given: 0,
            },
            "net",
        )
        .unwrap();
        let items = drain(&mut reader);
        let e = items.last().and_then(Item::error).expect("an error");
        assert!(e.is_fatal());
        assert!(matches!(e.kind, CaptureErrorKind::Io(_)));
        assert!(e.to_string().contains("cable unplugged"), "{e}");
        assert!(items.iter().filter_map(Item::frame).count() >= 1);
    }
    let e = CaptureReader::open("/nonexistent/weir/capture.pcap").unwrap_err();
    assert!(matches!(e.kind, CaptureErrorKind::Open(_)));
    assert!(e.is_fatal());
    assert!(
        e.to_string()
            .starts_with("/nonexistent/weir/capture.pcap: cannot open: "),
        "{e}"
    );
    let dir = std::env::temp_dir();
    let e = CaptureReader::open(&dir).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("cannot open: is a directory, not a capture file"),
        "{e}"
    );
}

/// An endless-looking pcap, generated as it is read: the reader must stream it.
struct Generated {
    header: Vec<u8>,
    record: Vec<u8>,
    records_left: u64,
    pos: usize,
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < out.len() {
            let src = if !self.header.is_empty() {
                &self.header
            } else if self.records_left > 0 {
                &self.record
            } else {
                break;
            };
            let k = (src.len() - self.pos).min(out.len() - n);
            out[n..n + k].copy_from_slice(&src[self.pos..self.pos + k]);
            n += k;
            self.pos += k;
            if self.pos == src.len() {
                self.pos = 0;
                if !self.header.is_empty() {
                    self.header.clear();
                } else {
                    self.records_left -= 1;
                }
            }
        }
        Ok(n)
    }
}

#[test]
fn streams_long_files() {
    let file = Pcap::new(false, false, 1).record(1, 0, &[0xab; 1000], 1000);
    let (header, record) = file.bytes.split_at(24);
    let count = 20_000; // about 20 MB
    let source = Generated {
        header: header.to_vec(),
        record: record.to_vec(),
        records_left: count,
        pos: 0,
    };
    let mut reader = CaptureReader::new(source, "generated").unwrap();
    let mut frames = 0u64;
    while let Some(frame) = reader.next_frame() {
        let frame = frame.unwrap();
        assert_eq!(frame.offset, 24 + frames * 1016);
        assert_eq!(frame.data.len(), 1000);
        frames += 1;
    }
    assert_eq!(frames, count);
    assert_eq!(reader.stats().bytes_read, 24 + count * 1016);
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

/// Reading never panics, and the item protocol holds (checked by `drain`).
fn read_anything(bytes: &[u8]) {
    if let Ok(mut reader) = CaptureReader::new(bytes, "fuzz") {
        let items = drain(&mut reader);
        let stats = reader.stats();
        assert!(stats.bytes_read <= bytes.len() as u64);
        assert!(stats.skipped_bytes <= stats.bytes_read);
        for f in items.iter().filter_map(Item::frame) {
            assert!(f.data.len() <= MAX_RECORD_LEN as usize);
            assert!(f.offset < bytes.len() as u64);
        }
    }
}

/// A valid pcap or pcapng file, the start offset and end of every record/block, and
/// the data of every frame by the index of its record/block.
#[derive(Debug, Clone)]
struct Generated2 {
    bytes: Vec<u8>,
    header_len: usize,
    /// (start, end, Some(data) for a frame).
    units: Vec<(usize, usize, Option<Vec<u8>>)>,
}

fn arb_pcap() -> impl Strategy<Value = Generated2> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(
            (any::<u32>(), prop::collection::vec(any::<u8>(), 0..80)),
            0..6,
        ),
    )
        .prop_map(|(big, nano, records)| {
            let mut p = Pcap::new(big, nano, 1);
            for (ts, data) in &records {
                p = p.record(*ts, ts % 1000, data, data.len() as u32);
            }
            let mut ends: Vec<usize> = p.records.iter().skip(1).copied().collect();
            ends.push(p.bytes.len());
            let units = p
                .records
                .iter()
                .zip(ends)
                .zip(records)
                .map(|((s, e), (_, d))| (*s, e, Some(d)))
                .collect();
            Generated2 {
                bytes: p.bytes,
                header_len: 24,
                units,
            }
        })
}

#[derive(Debug, Clone)]
enum Op {
    Idb(bool),
    Epb(u8, Vec<u8>),
    Spb(Vec<u8>),
    Other(Vec<u8>),
    Section(bool),
}

fn arb_pcapng() -> impl Strategy<Value = Generated2> {
    let data = || prop::collection::vec(any::<u8>(), 0..40);
    let op = prop_oneof![
        any::<bool>().prop_map(Op::Idb),
        (any::<u8>(), data()).prop_map(|(i, d)| Op::Epb(i, d)),
        data().prop_map(Op::Spb),
        data().prop_map(Op::Other),
        any::<bool>().prop_map(Op::Section),
    ];
    (any::<bool>(), prop::collection::vec(op, 0..8)).prop_map(|(big, ops)| {
        let mut ng = Ng::new(big);
        ng.idb(1, 0, &[]);
        let mut interfaces = 1u8;
        let mut frames = vec![None, None];
        for op in ops {
            let frame = match op {
                Op::Idb(nano) => {
                    ng.idb(101, 0, &[Ng::tsresol(if nano { 9 } else { 6 })]);
                    interfaces += 1;
                    None
                }
                Op::Epb(i, d) => {
                    ng.epb(
                        u32::from(i % interfaces),
                        u64::from(i) << 30,
                        &d,
                        d.len() as u32,
                    );
                    Some(d)
                }
                Op::Spb(d) => {
                    ng.spb(&d, d.len() as u32);
                    Some(d)
                }
                Op::Other(d) => {
                    ng.block(NRB, &d);
                    None
                }
                Op::Section(big) => {
                    ng.section(big, 1).idb(1, 0, &[]);
                    interfaces = 1;
                    frames.push(None);
                    None
                }
            };
            frames.push(frame);
        }
        let header_len = ng.blocks[0].1;
        let units = ng.blocks[1..]
            .iter()
            .zip(frames.into_iter().skip(1))
            .map(|(&(s, e), f)| (s, e, f))
            .collect();
        Generated2 {
            bytes: ng.bytes,
            header_len,
            units,
        }
    })
}

/// Every prefix yields the frames wholly inside it, then a clean end exactly when the
/// prefix ends between records, else one fatal `TruncatedRecord` at the cut record.
fn check_prefixes(g: &Generated2) {
    let whole = read_ok(&g.bytes);
    assert!(whole.errors().is_empty(), "{:?}", whole.errors());
    let expected: Vec<&Vec<u8>> = g.units.iter().filter_map(|(_, _, d)| d.as_ref()).collect();
    let got: Vec<&Vec<u8>> = whole.frames().iter().map(|f| &f.data).collect();
    assert_eq!(got, expected);
    let starts: Vec<u64> = g
        .units
        .iter()
        .filter(|u| u.2.is_some())
        .map(|u| u.0 as u64)
        .collect();
    let offsets: Vec<u64> = whole.frames().iter().map(|f| f.offset).collect();
    assert_eq!(offsets, starts);
    assert_eq!(whole.stats.bytes_read, g.bytes.len() as u64);
    for cut in 0..=g.bytes.len() {
        let prefix = &g.bytes[..cut];
        if cut < g.header_len {
            let kind = open_err(prefix);
            assert!(
                matches!(
                    kind,
                    CaptureErrorKind::Empty | CaptureErrorKind::TruncatedHeader
                ),
                "{kind}"
            );
            continue;
        }
        let r = read_ok(prefix);
        let complete = g.units.iter().filter(|(_, end, _)| *end <= cut);
        let want: Vec<&Vec<u8>> = complete.filter_map(|(_, _, d)| d.as_ref()).collect();
        let have: Vec<&Vec<u8>> = r.frames().iter().map(|f| &f.data).collect();
        assert_eq!(have, want, "cut at {cut}");
        match g
            .units
            .iter()
            .find(|(start, end, _)| *start < cut && cut < *end)
        {
            None => assert!(r.errors().is_empty(), "cut at {cut}: {:?}", r.errors()),
            Some((start, _, _)) => {
                let e = r.last_error();
                assert!(e.is_fatal());
                assert_eq!(e.offset, *start as u64);
                assert!(
                    matches!(e.kind, CaptureErrorKind::TruncatedRecord { .. }),
                    "{e}"
                );
            }
        }
        assert_eq!(r.stats.bytes_read, cut as u64);
    }
}

fn flip(bytes: &mut [u8], edits: &[(usize, u8)]) {
    for (at, v) in edits {
        if !bytes.is_empty() {
            let len = bytes.len();
            bytes[at % len] = *v;
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        read_anything(&bytes);
    }

    #[test]
    fn arbitrary_records_never_panic(
        magic in prop_oneof![
            Just(vec![0xd4, 0xc3, 0xb2, 0xa1]),
            Just(vec![0xa1, 0xb2, 0x3c, 0x4d]),
            Just(Ng::new(false).bytes),
            Just(Ng::new(true).bytes),
        ],
        tail in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut bytes = magic;
        if bytes.len() == 4 {
            bytes.extend([2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
        }
        bytes.extend(tail);
        read_anything(&bytes);
    }

    #[test]
    fn damaged_files_never_panic(
        g in prop_oneof![arb_pcap(), arb_pcapng()],
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..6),
    ) {
        let mut bytes = g.bytes.clone();
        flip(&mut bytes, &edits);
        read_anything(&bytes);
    }

    #[test]
    fn pcap_prefixes(g in arb_pcap()) {
        check_prefixes(&g);
    }

    #[test]
    fn pcapng_prefixes(g in arb_pcapng()) {
        check_prefixes(&g);
    }
}

// ---------------------------------------------------------------------------------------
// The shared corpus of real captures
// ---------------------------------------------------------------------------------------

/// Per capture: frames, captured bytes, bytes on the wire, first and last timestamp (µs),
/// as `capinfos` and `tshark -T fields -e frame.time_epoch -e frame.cap_len -e frame.len`
/// (Wireshark 4.0.17) report them.
#[rustfmt::skip]
const SHARED: &[(&str, u64, u64, u64, u64, u64)] = &[
    ("ndpi/443-git.pcap", 70, 37_189, 37_189, 1_581_113_657_633_853, 1_581_113_658_456_571),
    ("ndpi/6in4tunnel.pcap", 127, 40_293, 40_293, 1_444_236_893_450_580, 1_444_236_915_586_195),
    ("ndpi/BGP_redist.pcap", 2, 322, 322, 1_256_636_836_167_156, 1_256_636_836_167_195),
    ("ndpi/KakaoTalk_chat.pcap", 347, 71_936, 71_936, 1_430_069_021_959_113, 1_430_069_073_299_933),
    ("ndpi/NTPv4.pcap", 1, 90, 90, 1_436_865_396_190_857, 1_436_865_396_190_857),
    ("ndpi/WebattackRCE.pcap", 797, 191_003, 191_003, 1_576_420_276_577_658, 1_576_420_278_014_387),
    ("ndpi/android.pcap", 500, 133_530, 133_530, 1_582_454_769_772_338, 1_582_454_872_047_699),
    ("ndpi/dlt_ppp.pcap", 1, 1_230, 1_230, 1_031_048, 1_031_048),
    ("ndpi/dns-invalid-chars.pcap", 2, 196, 196, 946_734_886_956_538, 946_734_886_957_011),
    ("ndpi/dns.pcap", 5, 536, 536, 1_112_172_654_366_527, 1_484_673_025_976_144),
    ("ndpi/dns_fragmented.pcap", 66, 23_170, 23_170, 1_558_968_008_021_140, 1_560_869_916_477_286),
    ("ndpi/exe_download.pcap", 20, 14_869, 14_869, 1_569_434_051_004_796, 1_569_434_051_760_034),
    ("ndpi/firefox.pcap", 129, 60_233, 60_233, 1_620_927_997_754_367, 1_620_927_999_228_482),
    ("ndpi/fuzz-2006-06-26-2594.pcap", 691, 99_997, 99_997, 1_120_469_540_839_312, 1_120_471_107_427_770),
    ("ndpi/http_ipv6.pcap", 193, 66_327, 66_327, 1_448_269_123_954_061, 1_448_269_146_970_056),
    ("ndpi/icmp-tunnel.pcap", 961, 195_808, 195_808, 1_360_227_866_458_898, 1_360_228_988_973_740),
    ("ndpi/ip_fragmented_garbage.pcap", 1_252, 62_584, 62_584, 1_534_244_024_697_756, 1_534_244_025_612_419),
    ("ndpi/malformed_icmp.pcap", 1, 42, 42, 1_593_066_612_951_269, 1_593_066_612_951_269),
    ("ndpi/nats.pcap", 27, 2_460, 2_460, 1_586_288_040_558_498, 1_586_288_042_776_134),
    ("ndpi/psiphon3.pcap", 62, 11_818, 11_818, 1_613_865_079_123_029, 1_613_865_079_845_431),
    ("ndpi/quic-29.pcap", 15, 9_386, 9_386, 1_592_171_671_664_832, 1_592_171_671_699_048),
    ("ndpi/rdp_over_tls.pcap", 19, 3_868, 3_868, 1_729_281_221_506_087, 1_729_281_222_755_934),
    ("ndpi/smtp-starttls.pcap", 69, 14_832, 14_832, 1_388_017_124_762_850, 1_524_746_968_663_137),
    ("ndpi/smtp.pcap", 95, 23_157, 23_157, 934_028_408_568_957, 934_028_408_801_610),
    ("ndpi/ssh.pcap", 295, 44_977, 44_977, 1_320_435_464_760_244, 1_720_684_524_712_342),
    ("ndpi/ssl-cert-name-mismatch.pcap", 21, 5_412, 5_412, 1_620_643_422_034_834, 1_620_643_422_754_639),
    ("ndpi/teredo.pcap", 24, 2_574, 2_574, 1_438_853_615_305_874, 1_438_853_653_403_120),
    ("ndpi/tls-rdn-extract.pcap", 6, 7_205, 7_205, 946_681_200_000_000, 946_681_200_000_000),
    ("ndpi/tls_verylong_certificate.pcap", 48, 22_229, 22_229, 1_578_254_908_457_751, 1_578_254_908_551_114),
    ("ndpi/vxlan.pcap", 127, 85_322, 85_322, 1_639_650_442_645_225, 1_639_650_443_276_366),
    ("ndpi/dhcp-fuzz.pcapng", 1, 342, 342, 1_268_519_154_926_217, 1_268_519_154_926_217),
    ("ndpi/google_meet.pcapng", 12, 8_888, 8_888, 1_703_652_259_039_627, 1_703_652_259_298_957),
    ("ndpi/http.pcapng", 10, 1_278, 1_278, 1_643_129_441_023_341, 1_643_129_441_065_505),
    ("ndpi/ossfuzz_seed_fake_traces_1.pcapng", 21, 3_325, 3_325, 1_675_096_016_031_349, 1_675_181_373_264_924),
    ("ndpi/ossfuzz_seed_fake_traces_4.pcapng", 2, 68, 68, 1_675_108_086_330_330, 1_675_108_097_027_766),
    ("ndpi/quic-v2.pcapng", 19, 12_970, 12_970, 1_671_528_048_896_780, 1_671_528_049_435_550),
    ("ndpi/quic_frags_ch_in_multiple_packets.pcapng", 4, 3_998, 3_998, 1_616_775_370_814_360, 1_616_775_370_828_465),
    ("ndpi/reasm_crash_anon.pcapng", 209, 20_760, 20_760, 1_410_865_705_717_955, 1_410_867_180_785_359),
    ("ndpi/tcp_scan.pcapng", 30, 1_772, 1_772, 1_674_583_448_287_506, 1_674_583_501_983_146),
    ("ndpi/tls_2_reasms.pcapng", 14, 6_907, 6_907, 1_639_052_958_270_296, 1_639_052_959_221_756),
    ("ndpi/tls_ech.pcapng", 10, 4_226, 4_226, 1_688_191_412_679_858, 1_688_191_412_746_874),
    ("ndpi/tls_multiple_synack_different_seq.pcapng", 10, 6_532, 6_532, 1_639_054_241_336_766, 1_639_054_270_712_778),
    ("ntopng-e2e/arp_spoofing.pcap", 29_466, 1_767_546, 1_767_546, 1_716_195_496_088_842, 1_716_195_835_867_476),
    ("ntopng-e2e/bad-dns-traffic.pcap", 382, 99_374, 99_374, 1_486_012_623_234_684, 1_486_012_733_669_835),
    ("ntopng-e2e/bcast_domains.pcap", 59, 7_594, 7_594, 1_612_803_485_585_403, 1_612_803_529_940_167),
    ("ntopng-e2e/dhcp_rogue.pcap", 2, 84, 84, 1_716_288_342_175_100, 1_716_288_342_175_248),
    ("ntopng-e2e/dns_contacts.pcap", 33, 2_742, 2_742, 1_612_360_123_503_741, 1_612_360_210_797_476),
    ("ntopng-e2e/invalid_dns_query.pcap", 2, 654, 654, 1_613_488_852_630_647, 1_613_488_852_650_503),
    ("ntopng-e2e/malformed_dns.pcap", 6, 5_860, 5_860, 1_591_551_760_342_902, 1_591_551_765_368_813),
    ("ntopng-e2e/ntp_contacts.pcap", 100, 9_000, 9_000, 1_612_359_954_013_624, 1_612_359_983_583_909),
    ("ntopng-e2e/ssh_notwh_rw.pcap", 10, 3_675, 3_675, 1_614_443_917_671_342, 1_614_443_917_822_412),
    ("ntopng-e2e/test_01.pcap", 4_999, 3_624_437, 3_624_437, 1_589_741_863_882_355, 1_589_741_869_345_491),
    ("ntopng-e2e/tls_cipher_suites.pcap", 11, 5_132, 5_132, 1_557_818_846_743_554, 1_557_818_846_965_822),
    ("ntopng-e2e/tls_nosyn.pcap", 9, 829, 829, 1_627_918_939_750_078, 1_627_918_940_444_211),
    ("ntopng-e2e/unknown_issuer.pcap", 19, 6_072, 6_072, 1_622_701_860_739_447, 1_622_701_861_027_556),
    ("ntopng-e2e/xss.pcap", 13, 5_741, 5_741, 1_676_389_674_650_575, 1_676_389_678_440_038),
    ("ntopng-e2e/zcash.pcap", 145, 20_644, 20_644, 1_514_196_094_240_063, 1_514_197_248_783_309),
];

/// The deliberately broken capture: a nanosecond pcap whose one record claims 524501 bytes.
const BROKEN: &str = "ndpi/fuzz-2021-10-13.pcap";

fn is_capture(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    path.is_file() && (name.ends_with(".pcap") || name.ends_with(".pcapng"))
}

#[test]
fn shared_captures() {
    let root = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/pcaps"
    ));
    if !root.is_dir() {
        eprintln!("SKIPPED: shared_captures: {} not found", root.display());
        return;
    }
    let mut seen = Vec::new();
    for dir in ["ndpi", "ntopng-e2e"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_capture(p))
            .collect();
        paths.sort();
        for path in paths {
            let rel = format!(
                "{dir}/{}",
                path.file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
            );
            let mut reader = CaptureReader::open(&path).unwrap_or_else(|e| panic!("{e}"));
            let items = drain(&mut reader);
            let frames: Vec<_> = items.iter().filter_map(Item::frame).collect();
            let errors: Vec<_> = items.iter().filter_map(Item::error).collect();
            let stats = reader.stats();
            seen.push(rel.clone());
            if rel == BROKEN {
                assert!(frames.is_empty(), "{rel}");
                assert_eq!(errors.len(), 1);
                let e = errors[0];
                assert!(e.is_fatal());
                assert_eq!(e.offset, 24);
                assert!(
                    matches!(
                        e.kind,
                        CaptureErrorKind::RecordTooLarge(524_501)
                            | CaptureErrorKind::TruncatedRecord { .. }
                    ),
                    "{e}"
                );
                assert_eq!(
                    reader.format(),
                    &CaptureFormat::Pcap {
                        nanosecond: true,
                        big_endian: false,
                        version: (2, 0),
                        snaplen: 0,
                        linktype: LinkType::Null,
                    }
                );
                continue;
            }
            let Some(&(_, count, cap, wire, first, last)) = SHARED.iter().find(|s| s.0 == rel)
            else {
                eprintln!(
                    "NOTE: {rel} is not in the expected table: {} frames, {} errors",
                    frames.len(),
                    errors.len()
                );
                continue;
            };
            assert!(errors.is_empty(), "{rel}: {errors:?}");
            assert_eq!(frames.len() as u64, count, "{rel}");
            assert_eq!(
                frames.iter().map(|f| f.data.len() as u64).sum::<u64>(),
                cap,
                "{rel}"
            );
            assert_eq!(
                frames.iter().map(|f| u64::from(f.orig_len)).sum::<u64>(),
                wire,
                "{rel}"
            );
            assert_eq!(frames.first().map(|f| f.ts), Some(first), "{rel}");
            assert_eq!(frames.last().map(|f| f.ts), Some(last), "{rel}");
            let size = std::fs::metadata(&path)
                .map(|m| m.len())
                .unwrap_or_default();
            assert_eq!(stats.bytes_read, size, "{rel}");
            assert_eq!(
                (stats.skipped_records, stats.skipped_bytes),
                (0, 0),
                "{rel}"
            );
        }
    }
    for (name, ..) in SHARED {
        assert!(
            seen.iter().any(|s| s == name),
            "{name} is missing from {}",
            root.display()
        );
    }
}

/// The worker dispatcher's shortcut reads every frame of the shared captures as decode
/// does (`plain_tuple` answers only when it agrees), and it answers for most of them.
#[test]
fn plain_tuple_agrees_with_decode_on_shared_captures() {
    let Some(root) = crate::golden::shared_pcaps() else {
        return;
    };
    let (mut frames, mut plain) = (0u64, 0u64);
    for dir in ["ndpi", "ntopng-e2e"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if !is_capture(&path) {
                continue;
            }
            let Ok(mut reader) = CaptureReader::open(&path) else {
                continue;
            };
            while let Some(next) = reader.next_frame() {
                let Ok(f) = next else { continue };
                frames += 1;
                if let Some(t) = weir_decode::plain_tuple(f.linktype, f.data) {
                    plain += 1;
                    assert_eq!(
                        Some(t),
                        weir_decode::decoded_tuple(f.linktype, f.data),
                        "{} at offset {}",
                        path.display(),
                        f.offset
                    );
                }
            }
        }
    }
    eprintln!("plain_tuple answered for {plain} of {frames} frames");
    assert!(plain * 2 > frames, "{plain} of {frames}");
}
