//! DPI family `apps` (see the module docs of [`crate::dpi`]).

use crate::flow::Flow;
use crate::l7::PacketCtx;

/// Identifies the flow if one of this family's protocols speaks in `c`.
pub(crate) fn identify(_f: &mut Flow, _c: &PacketCtx<'_>) -> bool {
    false
}
