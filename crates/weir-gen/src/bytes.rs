//! Cheap deterministic byte streams for bodies: views into two fixed 64 KiB blobs (binary
//! and ASCII text), at an offset chosen by a per-stream salt.

use std::sync::OnceLock;

use crate::rng::splitmix64;

const N: usize = 1 << 16;

fn binary_blob() -> &'static [u8] {
    static BLOB: OnceLock<Vec<u8>> = OnceLock::new();
    BLOB.get_or_init(|| {
        let mut st = 0x7765_6972_2d67_656e; // "weir-gen"
        let mut v = Vec::with_capacity(N);
        while v.len() < N {
            v.extend_from_slice(&splitmix64(&mut st).to_le_bytes());
        }
        v
    })
}

fn text_blob() -> &'static [u8] {
    static BLOB: OnceLock<Vec<u8>> = OnceLock::new();
    BLOB.get_or_init(|| {
        const WORDS: &[&str] = &[
            "the", "network", "traffic", "monitor", "flow", "packet", "host", "server", "client",
            "stream", "data", "cloud", "green", "river", "north", "market", "photo", "music",
            "video", "news", "search", "secure", "open", "fast", "window", "garden", "city",
            "light", "paper", "story", "travel", "report", "update", "release", "notes", "page",
            "content", "static", "media", "home", "about", "contact", "shop", "cart", "item",
            "price", "review", "weather", "today", "local",
        ];
        let mut st = 0x7465_7874_626c_6f62; // "textblob"
        let mut v = Vec::with_capacity(N + 128);
        let mut line = 0;
        while v.len() < N {
            let w = WORDS[(splitmix64(&mut st) % WORDS.len() as u64) as usize];
            v.extend_from_slice(w.as_bytes());
            line += w.len() + 1;
            if line > 72 {
                v.push(b'\n');
                line = 0;
            } else {
                v.push(b' ');
            }
        }
        v.truncate(N);
        v
    })
}

fn fill_from(blob: &[u8], out: &mut Vec<u8>, salt: u64, offset: u64, mut len: usize) {
    let mut st = salt;
    let base = splitmix64(&mut st);
    let mut pos = (base.wrapping_add(offset) % N as u64) as usize;
    while len > 0 {
        let n = len.min(N - pos);
        out.extend_from_slice(&blob[pos..pos + n]);
        len -= n;
        pos = 0;
    }
}

/// Appends `len` bytes of the binary stream `salt`, starting at stream offset `offset`.
pub(crate) fn fill_binary(out: &mut Vec<u8>, salt: u64, offset: u64, len: usize) {
    fill_from(binary_blob(), out, salt, offset, len)
}

/// Appends `len` bytes of the ASCII text stream `salt`, starting at stream offset `offset`.
pub(crate) fn fill_text(out: &mut Vec<u8>, salt: u64, offset: u64, len: usize) {
    fill_from(text_blob(), out, salt, offset, len)
}
