//! A tiny writer for classic libpcap files (little-endian, version 2.4).
//!
//! ```
//! use weir_gen::pcap::{LINKTYPE_ETHERNET, PcapWriter};
//!
//! let mut w = PcapWriter::new(Vec::new(), LINKTYPE_ETHERNET, 65535).unwrap();
//! w.write(1_767_225_600_000_001, &[0u8; 60]).unwrap();
//! let bytes = w.into_inner();
//! assert_eq!(bytes.len(), 24 + 16 + 60);
//! assert_eq!(&bytes[..4], &[0xd4, 0xc3, 0xb2, 0xa1]); // microsecond magic, little-endian
//! ```

use std::io::{self, Write};

/// Link type of Ethernet frames.
pub const LINKTYPE_ETHERNET: u32 = 1;
/// Link type of raw IP packets (no link-layer header).
pub const LINKTYPE_RAW: u32 = 101;
/// Magic number of microsecond-resolution files.
pub const MAGIC_MICROS: u32 = 0xa1b2_c3d4;
/// Magic number of nanosecond-resolution files.
pub const MAGIC_NANOS: u32 = 0xa1b2_3c4d;
/// Length of the global file header.
pub const FILE_HEADER_LEN: usize = 24;
/// Length of each record header.
pub const RECORD_HEADER_LEN: usize = 16;

/// Timestamp resolution of a pcap file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TsPrecision {
    /// Microseconds (magic 0xa1b2c3d4), the classic format.
    #[default]
    Micros,
    /// Nanoseconds (magic 0xa1b23c4d).
    Nanos,
}

/// Writes a classic pcap file: the global header on creation, then one record per call.
///
/// Frames longer than the snap length are truncated in the file (the record keeps the
/// original length). Timestamps are absolute, counted from the Unix epoch.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
    precision: TsPrecision,
    snaplen: u32,
}

impl<W: Write> PcapWriter<W> {
    /// Writes a microsecond-resolution file header for `linktype` and `snaplen` to `out`.
    pub fn new(out: W, linktype: u32, snaplen: u32) -> io::Result<Self> {
        Self::with_precision(out, linktype, snaplen, TsPrecision::Micros)
    }

    /// Like [`PcapWriter::new`], with the timestamp resolution chosen.
    pub fn with_precision(
        mut out: W,
        linktype: u32,
        snaplen: u32,
        precision: TsPrecision,
    ) -> io::Result<Self> {
        let magic = match precision {
            TsPrecision::Micros => MAGIC_MICROS,
            TsPrecision::Nanos => MAGIC_NANOS,
        };
        let mut h = [0u8; FILE_HEADER_LEN];
        h[0..4].copy_from_slice(&magic.to_le_bytes());
        h[4..6].copy_from_slice(&2u16.to_le_bytes());
        h[6..8].copy_from_slice(&4u16.to_le_bytes());
        // thiszone (8..12) and sigfigs (12..16) stay 0
        h[16..20].copy_from_slice(&snaplen.to_le_bytes());
        h[20..24].copy_from_slice(&linktype.to_le_bytes());
        out.write_all(&h)?;
        Ok(Self {
            out,
            precision,
            snaplen,
        })
    }

    /// The timestamp resolution of the file.
    pub fn precision(&self) -> TsPrecision {
        self.precision
    }

    /// Writes one record with a timestamp in microseconds since the Unix epoch.
    pub fn write(&mut self, ts_micros: u64, frame: &[u8]) -> io::Result<()> {
        let (secs, frac) = match self.precision {
            TsPrecision::Micros => (ts_micros / 1_000_000, ts_micros % 1_000_000),
            TsPrecision::Nanos => (ts_micros / 1_000_000, (ts_micros % 1_000_000) * 1000),
        };
        self.write_raw(secs, frac, frame)
    }

    /// Writes one record with a timestamp in nanoseconds since the Unix epoch (rounded down
    /// to microseconds in a microsecond file).
    pub fn write_nanos(&mut self, ts_nanos: u64, frame: &[u8]) -> io::Result<()> {
        let secs = ts_nanos / 1_000_000_000;
        let frac = match self.precision {
            TsPrecision::Micros => (ts_nanos % 1_000_000_000) / 1000,
            TsPrecision::Nanos => ts_nanos % 1_000_000_000,
        };
        self.write_raw(secs, frac, frame)
    }

    fn write_raw(&mut self, secs: u64, frac: u64, frame: &[u8]) -> io::Result<()> {
        let caplen = frame.len().min(self.snaplen as usize);
        let mut h = [0u8; RECORD_HEADER_LEN];
        h[0..4].copy_from_slice(&(secs as u32).to_le_bytes());
        h[4..8].copy_from_slice(&(frac as u32).to_le_bytes());
        h[8..12].copy_from_slice(&(caplen as u32).to_le_bytes());
        h[12..16].copy_from_slice(&(frame.len() as u32).to_le_bytes());
        self.out.write_all(&h)?;
        self.out.write_all(&frame[..caplen])
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// Gives back the underlying writer (not flushed).
    pub fn into_inner(self) -> W {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_records() {
        let mut w = PcapWriter::new(Vec::new(), LINKTYPE_ETHERNET, 100).unwrap();
        w.write(1_500_000_123_456, &[1, 2, 3]).unwrap();
        w.write(1_500_000_000_000, &[7u8; 150]).unwrap();
        let b = w.into_inner();
        assert_eq!(&b[..4], &MAGIC_MICROS.to_le_bytes());
        assert_eq!(&b[4..8], &[2, 0, 4, 0]);
        assert_eq!(&b[16..20], &100u32.to_le_bytes());
        assert_eq!(&b[20..24], &1u32.to_le_bytes());
        let r = &b[24..];
        assert_eq!(&r[0..4], &1_500_000u32.to_le_bytes());
        assert_eq!(&r[4..8], &123_456u32.to_le_bytes());
        assert_eq!(&r[8..12], &3u32.to_le_bytes());
        assert_eq!(&r[12..16], &3u32.to_le_bytes());
        let r2 = &r[19..];
        assert_eq!(&r2[8..12], &100u32.to_le_bytes(), "truncated to snaplen");
        assert_eq!(&r2[12..16], &150u32.to_le_bytes(), "original length kept");
        assert_eq!(b.len(), 24 + 16 + 3 + 16 + 100);
    }

    #[test]
    fn nanosecond_files() {
        let mut w = PcapWriter::with_precision(Vec::new(), LINKTYPE_RAW, 65535, TsPrecision::Nanos)
            .unwrap();
        assert_eq!(w.precision(), TsPrecision::Nanos);
        w.write(2_000_001, &[0]).unwrap();
        w.write_nanos(3_000_000_007, &[0]).unwrap();
        let b = w.into_inner();
        assert_eq!(&b[..4], &MAGIC_NANOS.to_le_bytes());
        assert_eq!(&b[20..24], &101u32.to_le_bytes());
        assert_eq!(&b[24 + 4..24 + 8], &1000u32.to_le_bytes());
        let r2 = &b[24 + 17..];
        assert_eq!(&r2[0..4], &3u32.to_le_bytes());
        assert_eq!(&r2[4..8], &7u32.to_le_bytes());
        // Nanoseconds are truncated to microseconds in a microsecond file.
        let mut w = PcapWriter::new(Vec::new(), LINKTYPE_ETHERNET, 65535).unwrap();
        w.write_nanos(3_000_001_999, &[0]).unwrap();
        assert_eq!(&w.get_ref()[24 + 4..24 + 8], &1u32.to_le_bytes());
    }
}
