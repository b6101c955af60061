//! `weir-ts`: see the crate description; this crate is filled by its own issue.
//!
//! Owns (per `docs/architecture.md`): timeseries schemas, the writer trait, the embedded round-robin store and the InfluxDB line-protocol backend.

/// The crate's name, for logs and `--version` output.
pub const CRATE: &str = "weir-ts";

#[cfg(test)]
mod tests {
    #[test]
    fn crate_name_matches_package() {
        assert_eq!(super::CRATE, env!("CARGO_PKG_NAME"));
    }
}
