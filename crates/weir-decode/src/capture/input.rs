//! The reader's one buffer: pulls bytes from any `Read` in large chunks and keeps the
//! current record contiguous, so frames can borrow it.
//!
//! Memory stays flat: the buffer starts at [`INITIAL_CAPACITY`] and grows at most to the
//! capacity the reader asks for (the largest record plus its header), never with the
//! file. Bytes are read greedily into the free tail of the buffer, so a file costs about
//! one `read` call per buffer-full, not two per record.

use std::io::{self, Read};
use std::ops::Range;

/// Starting buffer size; records up to this size never make the buffer grow.
pub(crate) const INITIAL_CAPACITY: usize = 64 * 1024;

/// A buffered, forward-only view of a byte source that tracks the file offset.
pub(crate) struct Input<R> {
    src: R,
    buf: Vec<u8>,
    /// Index of the first unconsumed byte in `buf`.
    start: usize,
    /// Index one past the last byte read into `buf`.
    end: usize,
    /// File offset of `buf[start]`.
    pos: u64,
    /// The source returned 0 bytes once: it is finished.
    eof: bool,
    /// The buffer never grows past this.
    max_capacity: usize,
}

impl<R: Read> Input<R> {
    /// Wraps `src`; the buffer will never exceed `max_capacity` bytes.
    pub(crate) fn new(src: R, max_capacity: usize) -> Self {
        Input {
            src,
            buf: vec![0; INITIAL_CAPACITY.min(max_capacity)],
            start: 0,
            end: 0,
            pos: 0,
            eof: false,
            max_capacity,
        }
    }

    /// File offset of the first unconsumed byte (= bytes consumed so far).
    pub(crate) fn pos(&self) -> u64 {
        self.pos
    }

    /// The unconsumed bytes read so far.
    pub(crate) fn available(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    /// Buffer index of `available()[0]`, to build ranges for [`Input::slice`] that stay
    /// valid after [`Input::consume`] (until the next [`Input::fill`]).
    pub(crate) fn start(&self) -> usize {
        self.start
    }

    /// Bytes of the buffer by absolute index (see [`Input::start`]); empty if out of range.
    pub(crate) fn slice(&self, range: Range<usize>) -> &[u8] {
        self.buf.get(range).unwrap_or_default()
    }

    /// Makes at least `need` unconsumed bytes available (at most the maximum capacity)
    /// and returns how many are. Fewer than `need` means the source has ended: the
    /// return value is then everything the file had left.
    pub(crate) fn fill(&mut self, need: usize) -> io::Result<usize> {
        let need = need.min(self.max_capacity);
        loop {
            let avail = self.end.saturating_sub(self.start);
            if avail >= need || self.eof {
                return Ok(avail);
            }
            if self.start > 0 {
                // Move the partial record to the front so the free tail is as large as
                // possible. This copies less than one record per buffer-full.
                self.buf.copy_within(self.start..self.end, 0);
                self.start = 0;
                self.end = avail;
            }
            if need > self.buf.len() {
                let grown = self
                    .buf
                    .len()
                    .saturating_mul(2)
                    .clamp(need, self.max_capacity);
                self.buf.resize(grown, 0);
            }
            let spare = self.buf.get_mut(self.end..).unwrap_or_default();
            let room = spare.len();
            match self.src.read(spare) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end = self.end.saturating_add(n.min(room)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Marks `n` bytes (at most what is available) as consumed.
    pub(crate) fn consume(&mut self, n: usize) {
        let n = n.min(self.end.saturating_sub(self.start));
        self.start = self.start.saturating_add(n);
        self.pos = self.pos.saturating_add(n as u64);
    }

    /// Gives the source back.
    pub(crate) fn into_inner(self) -> R {
        self.src
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `chunk` bytes per read and interrupts every other call.
    struct Trickle<'a> {
        data: &'a [u8],
        chunk: usize,
        calls: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls.is_multiple_of(2) {
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            let n = self.chunk.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn fill_consume_and_offsets() {
        let data: Vec<u8> = (0..=255).cycle().take(1000).map(|b: i32| b as u8).collect();
        let mut input = Input::new(
            Trickle {
                data: &data,
                chunk: 7,
                calls: 0,
            },
            100,
        );
        assert_eq!(input.fill(10).unwrap(), 14);
        assert_eq!(&input.available()[..3], &[0, 1, 2]);
        input.consume(10);
        assert_eq!(input.pos(), 10);
        // Asking for more than the capacity is clamped.
        assert_eq!(input.fill(500).unwrap(), 100);
        assert_eq!(input.available()[0], 10);
        let start = input.start();
        input.consume(100);
        assert_eq!(input.slice(start..start + 2), &[10, 11]);
        let mut total = 110;
        loop {
            let n = input.fill(64).unwrap();
            if n == 0 {
                break;
            }
            input.consume(n);
            total += n;
        }
        assert_eq!(total, 1000);
        assert_eq!(input.pos(), 1000);
        assert!(input.buf.len() <= 100);
        assert_eq!(input.slice(5000..6000), &[] as &[u8]);
    }

    #[test]
    fn grows_only_on_demand() {
        let data = vec![1u8; 300_000];
        let mut input = Input::new(&data[..], 200_000);
        assert_eq!(input.buf.len(), INITIAL_CAPACITY);
        assert_eq!(input.fill(150_000).unwrap(), 150_000);
        assert_eq!(input.buf.len(), 150_000);
        input.consume(150_000);
        assert_eq!(input.fill(200_000).unwrap(), 150_000);
        assert_eq!(input.buf.len(), 200_000);
    }

    #[test]
    fn errors_pass_through() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let mut input = Input::new(Broken, 64);
        assert_eq!(input.fill(1).unwrap_err().to_string(), "disk on fire");
    }
}
