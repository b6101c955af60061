//! `weir-gen`: deterministic synthetic traffic for samples, tests and benches.
