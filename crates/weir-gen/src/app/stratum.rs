//! Stratum mining-pool JSON-RPC messages.

use rand::Rng;

/// A Stratum (JSON-RPC over TCP, one object per line) login as sent by XMRig-style
/// miners.
pub fn stratum_login(wallet: &str, agent: &str) -> Vec<u8> {
    format!(
        "{{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{{\"login\":\"{wallet}\",\"pass\":\"x\",\"agent\":\"{agent}\",\"algo\":[\"rx/0\"]}}}}\n"
    )
    .into_bytes()
}

/// The pool's answer to a login: a session id and the first job.
pub fn stratum_job<R: Rng + ?Sized>(id: u64, rng: &mut R) -> Vec<u8> {
    let blob: String = (0..76)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect();
    format!(
        "{{\"id\":{id},\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{{\"id\":\"{:08x}\",\"job\":{{\"blob\":\"{blob}\",\"job_id\":\"{:x}\",\"target\":\"f3220000\",\"algo\":\"rx/0\"}},\"status\":\"OK\"}}}}\n",
        rng.random::<u32>(),
        rng.random::<u32>()
    )
    .into_bytes()
}

/// A share submitted by the miner.
pub fn stratum_submit<R: Rng + ?Sized>(id: u64, rng: &mut R) -> Vec<u8> {
    format!(
        "{{\"id\":{id},\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{{\"id\":\"{:08x}\",\"job_id\":\"{:x}\",\"nonce\":\"{:08x}\",\"result\":\"{:016x}{:016x}{:016x}{:016x}\"}}}}\n",
        rng.random::<u32>(),
        rng.random::<u32>(),
        rng.random::<u32>(),
        rng.random::<u64>(),
        rng.random::<u64>(),
        rng.random::<u64>(),
        rng.random::<u64>()
    )
    .into_bytes()
}

/// The pool accepting a share.
pub fn stratum_ok(id: u64) -> Vec<u8> {
    format!("{{\"id\":{id},\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{{\"status\":\"OK\"}}}}\n")
        .into_bytes()
}
