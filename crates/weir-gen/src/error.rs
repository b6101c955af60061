//! The error type of weir-gen.

/// What can go wrong when setting up a generator run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GenError {
    /// A scenario name that is not one of [`crate::Scenarios::names`].
    #[error("unknown scenario {name:?} (known: {known})")]
    UnknownScenario {
        /// The name asked for.
        name: String,
        /// Every known name, comma-separated.
        known: String,
    },
}

/// A result with a [`GenError`].
pub type Result<T> = std::result::Result<T, GenError>;
