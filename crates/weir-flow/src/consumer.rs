//! Composing [`Consumer`]s, so that an adapter need not forward the nine event
//! methods by hand.
//!
//! - `&mut C` and `Box<C>` are consumers whenever `C` is (also `dyn Consumer`);
//! - `Option<C>` passes the events on when it holds a consumer;
//! - [`Chain`] (built with [`Chain::new`] or [`ConsumerExt::then`]) hands every
//!   event to its first consumer, then to its second.
//!
//! ```
//! use weir_decode::Timestamp;
//! use weir_flow::{Consumer, ConsumerExt, Interface, Tick};
//!
//! #[derive(Default)]
//! struct Ticks(u32);
//! impl Consumer for Ticks {
//!     fn system_tick(&mut self, _tick: Tick, _now: Timestamp) {
//!         self.0 += 1;
//!     }
//! }
//!
//! let (mut a, mut b) = (Ticks::default(), Ticks::default());
//! let mut both = (&mut a).then(&mut b);
//! both.system_tick(Tick::Min, Timestamp(0));
//! both.interface_tick(Tick::Min, Timestamp(0), &Interface::default());
//! assert_eq!((a.0, b.0), (1, 1));
//! ```

use weir_decode::Timestamp;

use crate::engine::{Consumer, EndReason, Tick};
use crate::flow::Flow;
use crate::host::Host;
use crate::iface::Interface;
use crate::network::Network;

/// Implements every [`Consumer`] method by handing the event to the consumer that
/// `$inner` (an expression of `self`) yields.
macro_rules! forward_all {
    ($this:ident => $inner:expr) => {
        fn protocol_detected(&mut self, now: Timestamp, flow: &mut Flow) {
            let $this = self;
            $inner.protocol_detected(now, flow);
        }
        fn status_changed(&mut self, now: Timestamp, flow: &mut Flow) {
            let $this = self;
            $inner.status_changed(now, flow);
        }
        fn periodic_update(&mut self, now: Timestamp, flow: &mut Flow) {
            let $this = self;
            $inner.periodic_update(now, flow);
        }
        fn flow_end(&mut self, now: Timestamp, flow: &mut Flow, reason: EndReason) {
            let $this = self;
            $inner.flow_end(now, flow, reason);
        }
        fn host_tick(&mut self, tick: Tick, now: Timestamp, host: &Host) {
            let $this = self;
            $inner.host_tick(tick, now, host);
        }
        fn network_tick(&mut self, tick: Tick, now: Timestamp, network: &Network) {
            let $this = self;
            $inner.network_tick(tick, now, network);
        }
        fn interface_tick(&mut self, tick: Tick, now: Timestamp, iface: &Interface) {
            let $this = self;
            $inner.interface_tick(tick, now, iface);
        }
        fn system_tick(&mut self, tick: Tick, now: Timestamp) {
            let $this = self;
            $inner.system_tick(tick, now);
        }
        fn host_purged(&mut self, now: Timestamp, host: &Host) {
            let $this = self;
            $inner.host_purged(now, host);
        }
        fn host_pinned(&mut self, host: &Host) -> bool {
            let $this = self;
            $inner.host_pinned(host)
        }
    };
}

impl<C: Consumer + ?Sized> Consumer for &mut C {
    forward_all!(this => (**this));
}

impl<C: Consumer + ?Sized> Consumer for Box<C> {
    forward_all!(this => (**this));
}

/// `None` ignores every event; `Some(c)` hands it to `c`.
impl<C: Consumer> Consumer for Option<C> {
    fn protocol_detected(&mut self, now: Timestamp, flow: &mut Flow) {
        if let Some(c) = self {
            c.protocol_detected(now, flow);
        }
    }
    fn status_changed(&mut self, now: Timestamp, flow: &mut Flow) {
        if let Some(c) = self {
            c.status_changed(now, flow);
        }
    }
    fn periodic_update(&mut self, now: Timestamp, flow: &mut Flow) {
        if let Some(c) = self {
            c.periodic_update(now, flow);
        }
    }
    fn flow_end(&mut self, now: Timestamp, flow: &mut Flow, reason: EndReason) {
        if let Some(c) = self {
            c.flow_end(now, flow, reason);
        }
    }
    fn host_tick(&mut self, tick: Tick, now: Timestamp, host: &Host) {
        if let Some(c) = self {
            c.host_tick(tick, now, host);
        }
    }
    fn network_tick(&mut self, tick: Tick, now: Timestamp, network: &Network) {
        if let Some(c) = self {
            c.network_tick(tick, now, network);
        }
    }
    fn interface_tick(&mut self, tick: Tick, now: Timestamp, iface: &Interface) {
        if let Some(c) = self {
            c.interface_tick(tick, now, iface);
        }
    }
    fn system_tick(&mut self, tick: Tick, now: Timestamp) {
        if let Some(c) = self {
            c.system_tick(tick, now);
        }
    }
    fn host_purged(&mut self, now: Timestamp, host: &Host) {
        if let Some(c) = self {
            c.host_purged(now, host);
        }
    }
    fn host_pinned(&mut self, host: &Host) -> bool {
        self.as_mut().is_some_and(|c| c.host_pinned(host))
    }
}

/// Two consumers in a row: every event goes to `first`, then to `second` (which sees
/// what `first` changed in a `&mut Flow`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Chain<A, B> {
    /// Gets each event first.
    pub first: A,
    /// Gets each event second.
    pub second: B,
}

impl<A, B> Chain<A, B> {
    /// `first`, then `second`.
    pub fn new(first: A, second: B) -> Chain<A, B> {
        Chain { first, second }
    }

    /// The two consumers back.
    pub fn into_inner(self) -> (A, B) {
        (self.first, self.second)
    }
}

impl<A: Consumer, B: Consumer> Consumer for Chain<A, B> {
    fn protocol_detected(&mut self, now: Timestamp, flow: &mut Flow) {
        self.first.protocol_detected(now, flow);
        self.second.protocol_detected(now, flow);
    }
    fn status_changed(&mut self, now: Timestamp, flow: &mut Flow) {
        self.first.status_changed(now, flow);
        self.second.status_changed(now, flow);
    }
    fn periodic_update(&mut self, now: Timestamp, flow: &mut Flow) {
        self.first.periodic_update(now, flow);
        self.second.periodic_update(now, flow);
    }
    fn flow_end(&mut self, now: Timestamp, flow: &mut Flow, reason: EndReason) {
        self.first.flow_end(now, flow, reason);
        self.second.flow_end(now, flow, reason);
    }
    fn host_tick(&mut self, tick: Tick, now: Timestamp, host: &Host) {
        self.first.host_tick(tick, now, host);
        self.second.host_tick(tick, now, host);
    }
    fn network_tick(&mut self, tick: Tick, now: Timestamp, network: &Network) {
        self.first.network_tick(tick, now, network);
        self.second.network_tick(tick, now, network);
    }
    fn interface_tick(&mut self, tick: Tick, now: Timestamp, iface: &Interface) {
        self.first.interface_tick(tick, now, iface);
        self.second.interface_tick(tick, now, iface);
    }
    fn system_tick(&mut self, tick: Tick, now: Timestamp) {
        self.first.system_tick(tick, now);
        self.second.system_tick(tick, now);
    }
    fn host_purged(&mut self, now: Timestamp, host: &Host) {
        self.first.host_purged(now, host);
        self.second.host_purged(now, host);
    }
    fn host_pinned(&mut self, host: &Host) -> bool {
        // Either consumer may keep the host.
        let a = self.first.host_pinned(host);
        self.second.host_pinned(host) || a
    }
}

/// Combinators on every [`Consumer`].
pub trait ConsumerExt: Consumer + Sized {
    /// This consumer, then `next`, for every event ([`Chain`]).
    fn then<B: Consumer>(self, next: B) -> Chain<Self, B> {
        Chain::new(self, next)
    }
}

impl<C: Consumer> ConsumerExt for C {}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;
    use crate::key::FlowKey;

    /// Records `<name>:<event>` into a shared log.
    struct Rec<'a> {
        name: &'static str,
        log: &'a std::cell::RefCell<Vec<String>>,
    }

    impl Rec<'_> {
        fn push(&self, ev: &str) {
            self.log.borrow_mut().push(format!("{}:{ev}", self.name));
        }
    }

    impl Consumer for Rec<'_> {
        fn protocol_detected(&mut self, _now: Timestamp, flow: &mut Flow) {
            // Changes the flow: the second consumer of a chain sees it.
            flow.serial += 1;
            self.push(&format!("detected {}", flow.serial));
        }
        fn status_changed(&mut self, _now: Timestamp, _flow: &mut Flow) {
            self.push("status");
        }
        fn periodic_update(&mut self, _now: Timestamp, _flow: &mut Flow) {
            self.push("periodic");
        }
        fn flow_end(&mut self, _now: Timestamp, _flow: &mut Flow, reason: EndReason) {
            self.push(&format!("end {reason:?}"));
        }
        fn interface_tick(&mut self, tick: Tick, _now: Timestamp, _iface: &Interface) {
            self.push(&format!("iface {tick:?}"));
        }
        fn system_tick(&mut self, tick: Tick, _now: Timestamp) {
            self.push(&format!("system {tick:?}"));
        }
    }

    fn flow() -> Flow {
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let (key, cli_is_a) = FlowKey::new(0, 17, (a, 40000), (b, 53));
        Flow::new(key, cli_is_a, 7, Timestamp(1_000_000))
    }

    /// Every flow and tick event a test sends.
    fn drive(c: &mut impl Consumer) {
        let now = Timestamp(2_000_000);
        let mut f = flow();
        c.protocol_detected(now, &mut f);
        c.status_changed(now, &mut f);
        c.periodic_update(now, &mut f);
        c.flow_end(now, &mut f, EndReason::Idle);
        c.interface_tick(Tick::Min, now, &Interface::default());
        c.system_tick(Tick::Hour, now);
    }

    fn log_of(f: impl FnOnce(&std::cell::RefCell<Vec<String>>)) -> Vec<String> {
        let log = std::cell::RefCell::new(Vec::new());
        f(&log);
        log.into_inner()
    }

    #[test]
    fn chain_calls_first_then_second_for_every_event() {
        let log = log_of(|log| {
            let a = Rec { name: "a", log };
            let b = Rec { name: "b", log };
            drive(&mut a.then(b));
        });
        assert_eq!(
            log,
            [
                "a:detected 8",
                "b:detected 9",
                "a:status",
                "b:status",
                "a:periodic",
                "b:periodic",
                "a:end Idle",
                "b:end Idle",
                "a:iface Min",
                "b:iface Min",
                "a:system Hour",
                "b:system Hour",
            ]
        );
    }

    #[test]
    fn references_boxes_and_options_forward() {
        let direct = log_of(|log| drive(&mut Rec { name: "x", log }));
        assert_eq!(direct.len(), 6);
        let by_ref = log_of(|log| {
            let mut r = Rec { name: "x", log };
            drive(&mut &mut r);
        });
        assert_eq!(by_ref, direct);
        let boxed = log_of(|log| {
            let mut b: Box<dyn Consumer + '_> = Box::new(Rec { name: "x", log });
            drive(&mut b);
        });
        assert_eq!(boxed, direct);
        let some = log_of(|log| drive(&mut Some(Rec { name: "x", log })));
        assert_eq!(some, direct);
        let none = log_of(|_| drive(&mut None::<Rec<'_>>));
        assert!(none.is_empty());
    }

    #[test]
    fn chains_nest() {
        let log = log_of(|log| {
            let mut c =
                Chain::new(Rec { name: "a", log }, None::<Rec<'_>>).then(Rec { name: "c", log });
            c.system_tick(Tick::Day, Timestamp(0));
            let (ab, _c) = c.into_inner();
            assert!(ab.second.is_none());
        });
        assert_eq!(log, ["a:system Day", "c:system Day"]);
    }
}
