//! The nDPI flow risks of a script's flow (`flow.hasRisk`, `flow.getRiskInfo`): the
//! engine computes them ([`weir_flow::risk`], which documents every rule); a script
//! sees the flow as it is at the hook, so "Unidirectional Traffic", a fact only once
//! the flow ended, is not reported here.

use weir_flow::{CLI2SRV, RiskFacts, Risks, SRV2CLI};

use crate::flow_view::FlowView;

/// The risks of the flow of a script's view.
pub(crate) fn risks(v: &FlowView) -> Risks {
    weir_flow::risks_of(&RiskFacts {
        l4: v.key.proto,
        ports: (v.client().1, v.server().1),
        l7: &v.l7,
        meta: v.meta.as_deref(),
        first_seen: v.first_seen,
        packets: (v.dir[CLI2SRV].packets, v.dir[SRV2CLI].packets),
        unicast: weir_flow::info::is_unicast(v.server().0),
        ended: false,
    })
}
