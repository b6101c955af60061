//! NTPv4 client and server packets.

/// Seconds from 1900-01-01 (NTP era 0) to the Unix epoch.
pub const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// A 64-bit NTP timestamp for `unix_micros`.
pub fn ntp_timestamp(unix_micros: u64) -> [u8; 8] {
    let secs = (unix_micros / 1_000_000 + NTP_UNIX_OFFSET) as u32;
    let frac = (((unix_micros % 1_000_000) << 32) / 1_000_000) as u32;
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&secs.to_be_bytes());
    b[4..].copy_from_slice(&frac.to_be_bytes());
    b
}

/// A 48-byte NTPv4 client request (mode 3) whose transmit timestamp is `tx_micros`.
pub fn ntp_client(tx_micros: u64) -> Vec<u8> {
    let mut out = vec![0u8; 48];
    out[0] = 0x23; // LI 0, version 4, mode 3
    out[2] = 6; // poll 2^6 s
    out[3] = 0xe9; // precision 2^-23 s
    out[40..48].copy_from_slice(&ntp_timestamp(tx_micros));
    out
}

/// A 48-byte NTPv4 server reply (mode 4) to a request sent at `client_tx_micros`, received
/// at `rx_micros` and answered at `tx_micros`, from a server of `stratum` with reference id
/// `ref_id` (an IPv4 address or, at stratum 1, an ASCII clock name such as `GPS\0`).
pub fn ntp_server(
    client_tx_micros: u64,
    rx_micros: u64,
    tx_micros: u64,
    stratum: u8,
    ref_id: [u8; 4],
) -> Vec<u8> {
    let mut out = vec![0u8; 48];
    out[0] = 0x24; // LI 0, version 4, mode 4
    out[1] = stratum;
    out[2] = 6;
    out[3] = 0xe7; // precision 2^-25 s
    out[4..8].copy_from_slice(&0x0000_0a3du32.to_be_bytes()); // root delay ~40 ms
    out[8..12].copy_from_slice(&0x0000_0189u32.to_be_bytes()); // root dispersion ~6 ms
    out[12..16].copy_from_slice(&ref_id);
    out[16..24].copy_from_slice(&ntp_timestamp(tx_micros.saturating_sub(37_000_000)));
    out[24..32].copy_from_slice(&ntp_timestamp(client_tx_micros));
    out[32..40].copy_from_slice(&ntp_timestamp(rx_micros));
    out[40..48].copy_from_slice(&ntp_timestamp(tx_micros));
    out
}
