//! A bounds-checked forward reader over a byte slice: every read returns `None` past
//! the end instead of panicking.

/// Forward reader (big-endian integers).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    pub(crate) fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.take(1).and_then(|s| s.first().copied())
    }

    pub(crate) fn u16(&mut self) -> Option<u16> {
        match self.take(2)? {
            &[a, b] => Some(u16::from_be_bytes([a, b])),
            _ => None,
        }
    }

    pub(crate) fn u24(&mut self) -> Option<u32> {
        match self.take(3)? {
            &[a, b, c] => Some(u32::from_be_bytes([0, a, b, c])),
            _ => None,
        }
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        match self.take(4)? {
            &[a, b, c, d] => Some(u32::from_be_bytes([a, b, c, d])),
            _ => None,
        }
    }

    /// A length-prefixed (u8) block.
    pub(crate) fn vec8(&mut self) -> Option<&'a [u8]> {
        let save = self.pos;
        let n = self.u8()?;
        let v = self.take(usize::from(n));
        if v.is_none() {
            self.pos = save;
        }
        v
    }

    /// A length-prefixed (u16) block.
    pub(crate) fn vec16(&mut self) -> Option<&'a [u8]> {
        let save = self.pos;
        let n = self.u16()?;
        let v = self.take(usize::from(n));
        if v.is_none() {
            self.pos = save;
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_end() {
        let mut r = Reader::new(&[1, 2, 3, 4, 5]);
        assert_eq!(r.u8(), Some(1));
        assert_eq!(r.u16(), Some(0x0203));
        assert_eq!(r.u32(), None);
        assert_eq!(r.u16(), Some(0x0405));
        assert_eq!(r.u8(), None);
        assert_eq!(r.take(usize::MAX), None);
        let mut r = Reader::new(&[2, 9, 9, 1]);
        assert_eq!(r.vec8(), Some(&[9u8, 9][..]));
        assert_eq!(r.vec8(), None);
    }
}
