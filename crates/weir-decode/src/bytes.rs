//! Bounds-checked byte accessors.
//!
//! Every accessor returns a value for any offset: bytes past the end read as zero. Views
//! validate their length once (`check_len`, the smoltcp contract), after which these
//! accessors are exact; before it they still cannot panic.

/// The byte at `off`, or 0 past the end.
#[inline]
pub(crate) fn u8_at(b: &[u8], off: usize) -> u8 {
    b.get(off).copied().unwrap_or(0)
}

/// The big-endian `u16` at `off`, or 0 if it does not fit.
#[inline]
pub(crate) fn be16(b: &[u8], off: usize) -> u16 {
    match b.get(off..off.saturating_add(2)) {
        Some(&[x, y]) => u16::from_be_bytes([x, y]),
        _ => 0,
    }
}

/// The big-endian `u32` at `off`, or 0 if it does not fit.
#[inline]
pub(crate) fn be32(b: &[u8], off: usize) -> u32 {
    match b.get(off..off.saturating_add(4)) {
        Some(&[a, c, d, e]) => u32::from_be_bytes([a, c, d, e]),
        _ => 0,
    }
}

/// The little-endian `u32` at `off`, or 0 if it does not fit.
#[inline]
pub(crate) fn le32(b: &[u8], off: usize) -> u32 {
    match b.get(off..off.saturating_add(4)) {
        Some(&[a, c, d, e]) => u32::from_le_bytes([a, c, d, e]),
        _ => 0,
    }
}

/// `N` bytes at `off`, or zeros if they do not fit.
#[inline]
pub(crate) fn array_at<const N: usize>(b: &[u8], off: usize) -> [u8; N] {
    b.get(off..off.saturating_add(N))
        .and_then(|s| <[u8; N]>::try_from(s).ok())
        .unwrap_or([0; N])
}

/// The bytes from `off` to the end (empty past the end).
#[inline]
pub(crate) fn tail(b: &[u8], off: usize) -> &[u8] {
    b.get(off..).unwrap_or(&[])
}

/// `len` bytes from `off`, clamped to what exists.
#[inline]
pub(crate) fn clamp_slice(b: &[u8], off: usize, len: usize) -> &[u8] {
    let t = tail(b, off);
    t.get(..len).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_never_panic() {
        let b = [1u8, 2, 3, 4, 5];
        assert_eq!(u8_at(&b, 4), 5);
        assert_eq!(u8_at(&b, 5), 0);
        assert_eq!(be16(&b, 0), 0x0102);
        assert_eq!(be16(&b, 4), 0);
        assert_eq!(be32(&b, 1), 0x02030405);
        assert_eq!(be32(&b, usize::MAX), 0);
        assert_eq!(le32(&b, 0), 0x04030201);
        assert_eq!(array_at::<2>(&b, 3), [4, 5]);
        assert_eq!(array_at::<2>(&b, 4), [0, 0]);
        assert_eq!(tail(&b, 3), &[4, 5]);
        assert_eq!(tail(&b, 9), &[] as &[u8]);
        assert_eq!(clamp_slice(&b, 1, 2), &[2, 3]);
        assert_eq!(clamp_slice(&b, 3, 9), &[4, 5]);
    }
}
