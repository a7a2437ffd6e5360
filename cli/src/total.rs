//! The count of the export's records, asked for beside the export (in builds whose spec
//! has Galileo's count operations): the progress shows done / total, percent and ETA
//! with it, and the summary says how the export compared with it.
//!
//! Invariant: the count never delays the export (it is sent from the runtime's worker
//! while the export's request goes out) and never fails it: a count that fails, or has
//! not arrived shortly after the export ended, is simply not shown.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use galileo_export::ExportBuilder;
use tokio::runtime::Runtime;

/// How long the summary waits, after the export, for a count still on its way.
#[cfg(galileo_has_counts)]
const LATE_COUNT: std::time::Duration = std::time::Duration::from_secs(2);

/// The count, once known; shared by the progress display and the summary.
#[derive(Clone, Debug, Default)]
pub(crate) struct Total(Arc<AtomicU64>);

impl Total {
    /// Unknown so far.
    pub(crate) fn new() -> Self {
        Total(Arc::new(AtomicU64::new(u64::MAX)))
    }

    /// The count, if it has arrived.
    pub(crate) fn get(&self) -> Option<u64> {
        Some(self.0.load(Ordering::Relaxed)).filter(|t| *t != u64::MAX)
    }

    #[cfg(galileo_has_counts)]
    fn set(&self, total: u64) {
        self.0.store(total.min(u64::MAX - 1), Ordering::Relaxed);
    }
}

/// The count being asked for.
pub(crate) struct Counting(#[cfg(galileo_has_counts)] tokio::task::JoinHandle<()>);

/// Ask for the count of `export`'s records on `runtime`'s worker, into `total`; `None`
/// in a build without the count operations.
#[cfg(galileo_has_counts)]
pub(crate) fn start(runtime: &Runtime, export: &ExportBuilder, total: &Total) -> Option<Counting> {
    let (export, total) = (export.clone(), total.clone());
    Some(Counting(runtime.spawn(async move {
        if let Ok(count) = export.count().await {
            total.set(count);
        }
    })))
}

/// Ask for the count of `export`'s records on `runtime`'s worker, into `total`; `None`
/// in a build without the count operations.
#[cfg(not(galileo_has_counts))]
pub(crate) fn start(
    _runtime: &Runtime,
    _export: &ExportBuilder,
    _total: &Total,
) -> Option<Counting> {
    None
}

/// After the export: give a count still on its way a short while to arrive, then stop
/// asking.
pub(crate) fn finish(runtime: &Runtime, counting: Option<Counting>) {
    #[cfg(galileo_has_counts)]
    if let Some(Counting(handle)) = counting {
        let abort = handle.abort_handle();
        // The timer is made inside the runtime (it needs its clock).
        let _ = runtime.block_on(async move { tokio::time::timeout(LATE_COUNT, handle).await });
        abort.abort();
    }
    #[cfg(not(galileo_has_counts))]
    let _ = (runtime, counting);
}
