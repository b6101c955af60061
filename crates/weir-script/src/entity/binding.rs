//! The entity a host or network hook is bound to.

use std::cell::RefCell;
use std::rc::Rc;

use crate::state::CallRef;

use super::view::HostView;

/// The entity being visited: the host of a host hook, the `entity_info` of the
/// network of a network hook; and a handle on the current call (API misuse).
pub(crate) struct HostBinding {
    pub host: Option<HostView>,
    /// `params.entity_info` of the network being visited (the `network` global).
    pub network: Option<mlua::Table>,
    pub call: CallRef,
}

impl HostBinding {
    /// Nothing bound.
    pub fn new(call: CallRef) -> HostBinding {
        HostBinding {
            host: None,
            network: None,
            call,
        }
    }
}

/// The entity binding cell.
pub(crate) type HostRef = Rc<RefCell<HostBinding>>;
