//! Capture-file errors: where in which file, and what went wrong.

use super::{MAX_INTERFACES, MAX_RECORD_LEN};

/// A problem found while reading a capture file.
///
/// Displays as `{name}: byte {offset}: {kind}`, for example
/// `trace.pcap: byte 1048: record cut short: it needs 1514 bytes, only 200 are left in the file`,
/// or `{name}: cannot open: {reason}` when the file could not be opened at all.
///
/// [`is_fatal`](CaptureError::is_fatal) tells whether reading can go on: a fatal error
/// ends the file, a non-fatal one means the reader skipped one damaged record or block
/// and the next call to `next_frame` continues behind it.
#[derive(Debug)]
pub struct CaptureError {
    /// The name the reader was given (normally the file's path).
    pub name: String,
    /// Byte offset in the file of the record or block at fault (0 for the file header).
    pub offset: u64,
    /// What went wrong.
    pub kind: CaptureErrorKind,
}

impl std::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            CaptureErrorKind::Open(_) => write!(f, "{}: {}", self.name, self.kind),
            kind => write!(f, "{}: byte {}: {kind}", self.name, self.offset),
        }
    }
}

impl std::error::Error for CaptureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            CaptureErrorKind::Io(e) | CaptureErrorKind::Open(e) => Some(e),
            _ => None,
        }
    }
}

impl CaptureError {
    /// Whether the error ends the file (`true`) or only cost one record or block
    /// (`false`: the reader skipped it and reading may continue).
    pub fn is_fatal(&self) -> bool {
        self.kind.is_fatal()
    }
}

/// What was wrong with a capture file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureErrorKind {
    /// The source holds no bytes at all. Fatal.
    #[error("empty file")]
    Empty,
    /// The file starts with a number that is neither a pcap nor a pcapng magic number
    /// (the first four bytes, read big-endian, so the hex matches a hex dump). Fatal.
    #[error("not a pcap or pcapng file: bad magic number {0:#010x}")]
    BadMagic(u32),
    /// The file ends inside its file header (pcap) or first section header (pcapng). Fatal.
    #[error("file header cut short")]
    TruncatedHeader,
    /// The file ends inside a record or block: it needs `needed` bytes from its start,
    /// the file has only `available` left. Fatal; the leftover bytes count as skipped.
    #[error("record cut short: it needs {needed} bytes, only {available} are left in the file")]
    TruncatedRecord {
        /// Length of the record or block including its header (for a record cut inside
        /// its header: the header length; for a pcapng block cut inside its length
        /// field: the smallest block, 12).
        needed: u64,
        /// Bytes the file still had from the record's start.
        available: u64,
    },
    /// A record or block claims more than [`MAX_RECORD_LEN`] bytes. The reader refuses
    /// it without reading or allocating. Fatal.
    #[error("record of {0} bytes exceeds the limit of {MAX_RECORD_LEN} bytes")]
    RecordTooLarge(u32),
    /// A block's framing is broken (a total length that is not a multiple of 4 or below
    /// 12, a bad section byte-order magic, an unsupported pcapng version…): the reader
    /// cannot find the next block. Fatal.
    #[error("malformed block: {0}")]
    BadBlock(String),
    /// A pcapng block whose leading and trailing total lengths differ. The block was
    /// skipped on the strength of the leading length. Not fatal.
    #[error("block length {leading} differs from its trailing copy {trailing}; block skipped")]
    LengthMismatch {
        /// The length at the start of the block (used to skip it).
        leading: u32,
        /// The length at its end.
        trailing: u32,
    },
    /// A block whose framing is intact but whose contents are unusable (a packet block
    /// shorter than its fixed fields, a captured length past the end of the block, an
    /// interface description beyond the per-section limit…). Skipped. Not fatal.
    #[error("damaged block skipped: {0}")]
    DamagedBlock(BlockDamage),
    /// A packet block names an interface its section does not describe (or whose
    /// description was damaged). Skipped. Not fatal.
    #[error("packet names interface {0}, which its section does not describe; block skipped")]
    UnknownInterface(u32),
    /// The source failed. Fatal.
    #[error("read error: {0}")]
    Io(std::io::Error),
    /// The file could not be opened (missing, unreadable, a directory). Fatal.
    #[error("cannot open: {0}")]
    Open(std::io::Error),
}

/// Why the contents of a pcapng block were unusable ([`CaptureErrorKind::DamagedBlock`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum BlockDamage {
    /// An Interface Description Block body shorter than its 8 bytes of fixed fields.
    #[error("interface description of {len} bytes, 8 needed")]
    InterfaceTooShort {
        /// Length of the body.
        len: usize,
    },
    /// An Interface Description Block past the per-section limit.
    #[error("interface description beyond the limit of {MAX_INTERFACES} per section")]
    TooManyInterfaces,
    /// An (Enhanced) Packet Block body shorter than its 20 bytes of fixed fields.
    #[error("packet block body of {len} bytes, 20 needed")]
    PacketTooShort {
        /// Length of the body.
        len: usize,
    },
    /// A packet block whose captured length runs past the end of the block.
    #[error("captured length {cap_len} exceeds the {room} bytes the block holds")]
    CapturedLengthTooLong {
        /// The captured length the block claims.
        cap_len: usize,
        /// The bytes the block has for packet data.
        room: usize,
    },
    /// A Simple Packet Block body shorter than its 4-byte original length.
    #[error("simple packet block body of {len} bytes, 4 needed")]
    SimplePacketTooShort {
        /// Length of the body.
        len: usize,
    },
}

impl CaptureErrorKind {
    /// Whether an error of this kind ends the file. See [`CaptureError::is_fatal`].
    pub fn is_fatal(&self) -> bool {
        !matches!(
            self,
            CaptureErrorKind::LengthMismatch { .. }
                | CaptureErrorKind::DamagedBlock(_)
                | CaptureErrorKind::UnknownInterface(_)
        )
    }
}

/// An error before the reader attaches the file name to it.
#[derive(Debug)]
pub(crate) struct Fault {
    /// Byte offset of the record or block at fault.
    pub(crate) offset: u64,
    /// What went wrong.
    pub(crate) kind: CaptureErrorKind,
}

impl Fault {
    /// A fault at `offset`.
    pub(crate) fn new(offset: u64, kind: CaptureErrorKind) -> Fault {
        Fault { offset, kind }
    }

    /// The public error, naming the file.
    pub(crate) fn named(self, name: &str) -> CaptureError {
        CaptureError {
            name: name.to_owned(),
            offset: self.offset,
            kind: self.kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_fatality() {
        let e = Fault::new(24, CaptureErrorKind::BadMagic(0xdead_beef)).named("x.pcap");
        assert_eq!(
            e.to_string(),
            "x.pcap: byte 24: not a pcap or pcapng file: bad magic number 0xdeadbeef"
        );
        assert!(e.is_fatal());
        let e = Fault::new(7, CaptureErrorKind::UnknownInterface(3)).named("y");
        assert!(!e.is_fatal());
        assert!(
            e.to_string()
                .starts_with("y: byte 7: packet names interface 3")
        );
        let e = CaptureErrorKind::TruncatedRecord {
            needed: 100,
            available: 10,
        };
        assert_eq!(
            e.to_string(),
            "record cut short: it needs 100 bytes, only 10 are left in the file"
        );
        assert!(e.is_fatal());
        assert!(
            !CaptureErrorKind::LengthMismatch {
                leading: 32,
                trailing: 36
            }
            .is_fatal()
        );
        let damaged = CaptureErrorKind::DamagedBlock(BlockDamage::PacketTooShort { len: 7 });
        assert!(!damaged.is_fatal());
        assert_eq!(
            damaged.to_string(),
            "damaged block skipped: packet block body of 7 bytes, 20 needed"
        );
        assert!(CaptureErrorKind::BadBlock(String::new()).is_fatal());
        assert!(
            CaptureErrorKind::RecordTooLarge(1 << 20)
                .to_string()
                .contains("262144")
        );
    }
}
