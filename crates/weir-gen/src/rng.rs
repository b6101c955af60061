//! The generator's own pseudo-random number generator.
//!
//! The output of `weir-gen` must not change when the `rand` crate changes its small RNG or
//! when it runs on another platform, so it uses this fixed algorithm (xoshiro256++, seeded
//! through SplitMix64). It implements [`rand::RngCore`], so all of [`rand::Rng`] works on it.

use rand::RngCore;

/// Deterministic, portable xoshiro256++ generator.
#[derive(Clone, Debug)]
pub struct GenRng {
    s: [u64; 4],
}

/// One SplitMix64 step: advances `state` and returns a well-mixed value.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl GenRng {
    /// A generator whose whole output is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut st = seed;
        let s = [
            splitmix64(&mut st),
            splitmix64(&mut st),
            splitmix64(&mut st),
            splitmix64(&mut st),
        ];
        Self { s }
    }

    /// A generator for the sub-stream `stream` of `seed` (e.g. one per flow), independent of
    /// how many values other streams draw.
    pub fn derive(seed: u64, stream: u64) -> Self {
        let mut st = seed ^ 0x5851_f42d_4c95_7f2d;
        let a = splitmix64(&mut st);
        let mut st2 = a ^ stream.wrapping_mul(0xd134_2543_de82_ef95);
        Self::new(splitmix64(&mut st2))
    }
}

impl RngCore for GenRng {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        let mut chunks = dst.chunks_exact_mut(8);
        for c in &mut chunks {
            c.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            let v = self.next_u64().to_le_bytes();
            let n = rest.len();
            rest.copy_from_slice(&v[..n]);
        }
    }
}
