//! `weir-flow`: see the crate description; this crate is filled by its own issue.
//!
//! Owns (per `docs/architecture.md`): the flow key and table, TCP state, L7 detection, hosts, local networks and the visitor that turns packet time into flow events and entity ticks.

/// The crate's name, for logs and `--version` output.
pub const CRATE: &str = "weir-flow";

#[cfg(test)]
mod tests {
    #[test]
    fn crate_name_matches_package() {
        assert_eq!(super::CRATE, env!("CARGO_PKG_NAME"));
    }
}
