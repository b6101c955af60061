//! `weir-script`: see the crate description; this crate is filled by its own issue.
//!
//! Owns (per `docs/architecture.md`): the Lua runtime: plugin discovery and loading, user scripts, hook dispatch, the Lua modules plugins require, sandboxing and budgets.

/// The crate's name, for logs and `--version` output.
pub const CRATE: &str = "weir-script";

#[cfg(test)]
mod tests {
    #[test]
    fn crate_name_matches_package() {
        assert_eq!(super::CRATE, env!("CARGO_PKG_NAME"));
    }
}
