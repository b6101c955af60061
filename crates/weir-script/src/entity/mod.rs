//! What entity scripts see (spec plugins.md §6.2–6.3): the `host` and `network`
//! globals bound to the entity being visited, `interface` statistics, cached
//! values, and the helpers the tick dispatch (`crate::ticks`) uses.

mod api;
mod binding;
mod geo;
mod hostapp;
mod iface;
mod iface_api;
mod view;

pub(crate) use api::{EntityFns, install_entity_fns, install_host, install_network};
pub(crate) use binding::{HostBinding, HostRef};
pub(crate) use iface::{
    CACHED_VALUES_TTL, CacheEntity, CachedValues, IfaceStats, ScriptStats, extend_interface,
    iface_stats_table, itoa,
};
pub(crate) use view::{CurIndex, Hits, HostPrev, HostView, ROUND_COUNTERS, round_totals};
