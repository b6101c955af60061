//! `weir-alerts`: alert and flow-status registry, alert engine, store and endpoints.
