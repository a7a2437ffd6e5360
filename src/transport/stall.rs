//! The stall rule ([`LowSpeedLimit`]) as the transport applies it: an answer must
//! bring at least `bytes` within every window of `time`, counted in bytes on the wire
//! (not what they decode to).
//!
//! Invariants: a window starts when the answer's head arrives and again whenever the
//! window's bytes reach the rule's; a window that ends short is a stall.

use tokio::time::Instant;

use crate::client::LowSpeedLimit;

/// The stall rule: the body must bring `bytes` within every window of `time`.
pub(super) struct StallWatch {
    /// The rule watched.
    pub(super) rule: LowSpeedLimit,
    /// When the current window ends (`None` before the first answer).
    pub(super) window_end: Option<Instant>,
    window_bytes: u64,
}

impl StallWatch {
    /// A watch of `rule`; its first window starts with [`StallWatch::restart`].
    pub(super) fn new(rule: LowSpeedLimit) -> Self {
        Self {
            rule,
            window_end: None,
            window_bytes: 0,
        }
    }

    /// A new window starts now.
    pub(super) fn restart(&mut self) {
        self.window_end = Instant::now().checked_add(self.rule.time());
        self.window_bytes = 0;
    }

    /// `bytes` arrived: enough of them in this window start the next one.
    pub(super) fn arrived(&mut self, bytes: usize) {
        self.window_bytes += bytes as u64;
        if self.window_bytes >= self.rule.bytes() {
            self.restart();
        }
    }

    /// The cut's reason when a window ends short.
    pub(super) fn describe(&self) -> String {
        format!(
            "stalled: fewer than {} bytes arrived in {} s",
            self.rule.bytes(),
            self.rule.time().as_secs_f64()
        )
    }
}
