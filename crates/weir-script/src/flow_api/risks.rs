//! The nDPI flow risks of a script's flow (`flow.hasRisk`, `flow.getRiskInfo`): the
//! engine computes them ([`weir_flow::risk`], which documents every rule) from the same
//! source the flow-info tables are built from; a script sees the flow as it is at the
//! hook, so "Unidirectional Traffic", a fact only once the flow ended, is not reported.

use weir_flow::Risks;

use crate::flow_view::FlowView;

/// The risks of the flow of a script's view.
pub(crate) fn risks(v: &FlowView) -> Risks {
    if let Some(r) = v.risk_cache.get() {
        return r;
    }
    let r = crate::flow_info::source(v).risks();
    v.risk_cache.set(Some(r));
    r
}
