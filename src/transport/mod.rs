//! The transport layer and the reader task: where the export request is sent, retried and
//! resumed, so the consumer never knows a connection was replaced.
//!
//! The run-time flow is one straight line, and this module holds its first two stages:
//!
//! ```text
//! ExportBuilder ─► ExportRequest ─► Transport ─► Framing ─► Framed ─► BodyStream / RecordStream / file
//!  (builder)        (checked once)   (sends,      (counts,    (read-ahead  (line check or decoding,
//!                                    retries,     cuts)       channel)     writing, end of progress)
//!                                    resumes)
//! ```
//!
//! - [`Transport`] is the only layer that sends: the first request, retries of what may
//!   succeed later, and resumed requests narrowed by [`ExportRequest::narrowed`]. It
//!   decodes a compressed body as it arrives ([`crate::compression`]) and counts wire
//!   bytes, retries and resumes.
//! - [`Framing`] is the only layer that knows where records end: it counts records and
//!   lines and checks that what is handed on is an export. When a connection breaks it tells the reader
//!   where a resumed request must start ([`Framing::resume_point`]).
//! - The reader task runs both, a few chunks ahead of the consumer ([`Framed`]); errors
//!   travel down the same channel as the data, after the records before them, so every
//!   count in an error is final when it is built. Nothing downstream patches it.
//!
//! Every way a body can go wrong ends in an error, never a quietly short result: a reset
//! connection, a body shorter than its `Content-Length`, a chunked body without its
//! terminator, a body that ends inside a record (also a close-delimited one), a stall
//! (the [`LowSpeedLimit`]), the deadline
//! ([`ClientBuilder::total_timeout`](crate::ClientBuilder::total_timeout)), an answer that
//! is not an export.
//!
//! # Modules
//!
//! - `send`: the [`Transport`] (send, retry, resume, decode).
//! - `stall`: the stall rule as the transport applies it.
//! - `reader`: the reader task and the read-ahead channel ([`Framed`]).
//! - `answer`: the mapping of answers to errors.
//!
//! What the transport and the client's hooks share of one export travels through
//! [`crate::context`].

mod answer;
mod reader;
mod send;
mod stall;

#[cfg(any(galileo_has_project_lookup, galileo_has_counts))]
pub(crate) use answer::map_api_error;
#[cfg(galileo_has_counts)]
pub(crate) use reader::TotalFuture;
pub(crate) use reader::{Framed, TransportConfig};
#[cfg(doc)]
use {crate::client::LowSpeedLimit, crate::framing::Framing, send::Transport};
