//! Capture-file reader tests.
