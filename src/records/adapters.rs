//! Thin adapters driving a [`RecordDecoder`] from a chunk source: an async
//! [`Stream`], an [`Iterator`] of chunks, a [`Read`]er.
//!
//! Invariants: the three run one pump loop (`State::ready`, `State::feed`), so
//! they end alike: a source error is yielded once and ends the adapter; after the
//! source ends the decoder is drained; a decoder that stopped for good is not fed.

use std::error::Error as StdError;
use std::fmt;
use std::io::Read;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures::Stream;

use super::{Counters, Eof, RecordDecoder, RecordError};

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Where an adapter is in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Pulling chunks from the source.
    Reading,
    /// The source ended and the decoder was told so; draining it.
    Finished,
    /// The source failed; nothing more comes out.
    Failed,
}

/// A decoded record or a record's error, as the adapters yield it.
type Decoded<D> = Result<<D as RecordDecoder>::Item, RecordError>;

/// The pump loop every adapter runs, as the two steps around its read from the
/// source: [`State::ready`] before the read, [`State::feed`] after it. An adapter
/// loops `ready` → read → `feed` until one of them gives it something to yield.
impl State {
    /// What the adapter yields without reading: the decoder's next item, or the end
    /// (`Some(None)`) once the source failed, the decoder is drained after the end,
    /// or the decoder stopped for good; `None` when a chunk must be read first.
    fn ready<D: RecordDecoder>(self, decoder: &mut D) -> Option<Option<Decoded<D>>> {
        if self == State::Failed {
            return Some(None);
        }
        if let Some(item) = decoder.next_record() {
            return Some(Some(item));
        }
        if self == State::Finished || decoder.eof().is_some() {
            // Drained, or the decoder stopped for good: read no further.
            return Some(None);
        }
        None
    }

    /// Hands what the source gave (`None` at its end) to the decoder; a source
    /// error is returned as [`RecordError::Transport`], to be yielded once, and
    /// nothing more comes out after it.
    fn feed<D: RecordDecoder, E: Into<BoxError>>(
        &mut self,
        decoder: &mut D,
        read: Option<Result<Bytes, E>>,
    ) -> Option<Decoded<D>> {
        match read {
            Some(Ok(chunk)) => decoder.push(chunk),
            Some(Err(e)) => {
                *self = State::Failed;
                return Some(Err(RecordError::Transport { source: e.into() }));
            }
            None => {
                *self = State::Finished;
                decoder.finish();
            }
        }
        None
    }
}

/// An async [`Stream`] of records decoded from a [`Stream`] of
/// `Result<Bytes, E>` chunks, such as an HTTP response body.
///
/// Yields `Result<D::Item, RecordError>`. An error about one record does not
/// end the stream (the caller decides whether to go on); a chunk error is
/// yielded once as [`RecordError::Transport`] and ends it. The decoder's
/// [`counters`](Self::counters) and, at the end, [`eof`](Self::eof) can be
/// read between items.
///
/// ```
/// # futures::executor::block_on(async {
/// use bytes::Bytes;
/// use futures::{stream, StreamExt, TryStreamExt};
/// use galileo_export::records::{JsonLinesDecoder, RecordDecoder};
///
/// // Stands for `response.bytes_stream()`.
/// let body = stream::iter(["{\"id\": 1}\n{\"i", "d\": 2}\n"])
///     .map(|chunk| Ok::<_, std::io::Error>(Bytes::from(chunk)));
/// let mut records = JsonLinesDecoder::raw().decode_stream(body);
///
/// let mut ids = Vec::new();
/// while let Some(record) = records.try_next().await? {
///     ids.push(record.into_map()?["id"].as_u64());
/// }
/// assert_eq!(ids, [Some(1), Some(2)]);
/// assert_eq!(records.counters().records, 2);
/// assert!(records.eof().unwrap().is_clean());
/// # Ok::<(), galileo_export::records::RecordError>(())
/// # }).unwrap();
/// ```
pub struct DecodeStream<S, D> {
    body: Pin<Box<S>>,
    decoder: D,
    state: State,
}

// The body is boxed and the decoder is never pinned, so moving the adapter
// is always fine.
impl<S, D> Unpin for DecodeStream<S, D> {}

impl<S, D> DecodeStream<S, D> {
    /// Decodes `body` with `decoder` (see also
    /// [`RecordDecoder::decode_stream`]).
    pub fn new(body: S, decoder: D) -> Self {
        DecodeStream {
            body: Box::pin(body),
            decoder,
            state: State::Reading,
        }
    }

    /// The decoder.
    pub fn decoder(&self) -> &D {
        &self.decoder
    }
}

impl<S, D: RecordDecoder> DecodeStream<S, D> {
    /// The decoder's progress counters.
    pub fn counters(&self) -> Counters {
        self.decoder.counters()
    }

    /// How the input ended; `Some` once the stream has returned `None` after
    /// the body ended (not after a [`RecordError::Transport`]).
    pub fn eof(&self) -> Option<Eof> {
        self.decoder.eof()
    }
}

impl<S, D: fmt::Debug> fmt::Debug for DecodeStream<S, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeStream")
            .field("decoder", &self.decoder)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl<S, E, D> Stream for DecodeStream<S, D>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Into<BoxError>,
    D: RecordDecoder,
{
    type Item = Result<D::Item, RecordError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(next) = this.state.ready(&mut this.decoder) {
                return Poll::Ready(next);
            }
            let read = futures::ready!(this.body.as_mut().poll_next(cx));
            if let Some(error) = this.state.feed(&mut this.decoder, read) {
                return Poll::Ready(Some(error));
            }
        }
    }
}

/// An [`Iterator`] of records decoded from an iterator of `Result<Bytes, E>`
/// chunks: the blocking counterpart of [`DecodeStream`], with the same
/// error behaviour.
///
/// ```
/// use bytes::Bytes;
/// use galileo_export::records::{CsvDecoder, RecordDecoder};
///
/// let chunks = ["id,na", "me\n1,Ada\n2,\"Lin", "da\"\n"]
///     .map(|c| Ok::<_, std::convert::Infallible>(Bytes::from(c)));
/// let names = CsvDecoder::new()
///     .decode_iter(chunks)
///     .map(|row| row.map(|row| row.get("name").unwrap_or_default().to_owned()))
///     .collect::<Result<Vec<_>, _>>()?;
/// assert_eq!(names, ["Ada", "Linda"]);
/// # Ok::<(), galileo_export::records::RecordError>(())
/// ```
#[derive(Debug)]
pub struct DecodeIter<I, D> {
    chunks: I,
    decoder: D,
    state: State,
}

impl<I, D> DecodeIter<I, D> {
    /// Decodes `chunks` with `decoder` (see also
    /// [`RecordDecoder::decode_iter`]).
    pub fn new(chunks: I, decoder: D) -> Self {
        DecodeIter {
            chunks,
            decoder,
            state: State::Reading,
        }
    }

    /// The decoder.
    pub fn decoder(&self) -> &D {
        &self.decoder
    }
}

impl<I, D: RecordDecoder> DecodeIter<I, D> {
    /// The decoder's progress counters.
    pub fn counters(&self) -> Counters {
        self.decoder.counters()
    }

    /// How the input ended; `Some` once the iterator has returned `None`
    /// after the chunks ended.
    pub fn eof(&self) -> Option<Eof> {
        self.decoder.eof()
    }
}

impl<I, E, D> Iterator for DecodeIter<I, D>
where
    I: Iterator<Item = Result<Bytes, E>>,
    E: Into<BoxError>,
    D: RecordDecoder,
{
    type Item = Result<D::Item, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(next) = self.state.ready(&mut self.decoder) {
                return next;
            }
            let read = self.chunks.next();
            if let Some(error) = self.state.feed(&mut self.decoder, read) {
                return Some(error);
            }
        }
    }
}

/// An [`Iterator`] of records decoded from a [`Read`]er (a file, a blocking
/// response body), read in chunks of 64 KiB.
///
/// Reads interrupted by [`std::io::ErrorKind::Interrupted`] are retried;
/// any other read error is yielded once as [`RecordError::Transport`] and
/// ends the iterator.
///
/// ```
/// use galileo_export::records::{JsonLinesDecoder, RecordDecoder};
///
/// let file: &[u8] = b"{\"id\": 1}\n{\"id\": 2}\n";
/// let records = JsonLinesDecoder::new()
///     .decode_reader(file)
///     .collect::<Result<Vec<_>, _>>()?;
/// assert_eq!(records.len(), 2);
/// # Ok::<(), galileo_export::records::RecordError>(())
/// ```
#[derive(Debug)]
pub struct DecodeReader<R, D> {
    reader: R,
    buf: BytesMut,
    decoder: D,
    state: State,
}

/// Size of the chunks [`DecodeReader`] reads.
const READ_CHUNK: usize = 64 * 1024;

impl<R, D> DecodeReader<R, D> {
    /// Decodes everything read from `reader` with `decoder` (see also
    /// [`RecordDecoder::decode_reader`]).
    pub fn new(reader: R, decoder: D) -> Self {
        DecodeReader {
            reader,
            buf: BytesMut::new(),
            decoder,
            state: State::Reading,
        }
    }

    /// The decoder.
    pub fn decoder(&self) -> &D {
        &self.decoder
    }

    /// Gives up the reader.
    pub fn into_inner(self) -> R {
        self.reader
    }
}

impl<R, D: RecordDecoder> DecodeReader<R, D> {
    /// The decoder's progress counters.
    pub fn counters(&self) -> Counters {
        self.decoder.counters()
    }

    /// How the input ended; `Some` once the iterator has returned `None`
    /// after the reader reached its end.
    pub fn eof(&self) -> Option<Eof> {
        self.decoder.eof()
    }

    /// Reads the next chunk: `Ok(None)` at the end of input.
    fn read_chunk(&mut self) -> std::io::Result<Option<Bytes>>
    where
        R: Read,
    {
        // Reuses the buffer's allocation once the records of the previous
        // chunk have been dropped.
        self.buf.clear();
        self.buf.resize(READ_CHUNK, 0);
        loop {
            match self.reader.read(&mut self.buf) {
                Ok(0) => return Ok(None),
                Ok(n) => {
                    self.buf.truncate(n);
                    return Ok(Some(self.buf.split().freeze()));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl<R: Read, D: RecordDecoder> Iterator for DecodeReader<R, D> {
    type Item = Result<D::Item, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(next) = self.state.ready(&mut self.decoder) {
                return next;
            }
            let read = self.read_chunk().transpose();
            if let Some(error) = self.state.feed(&mut self.decoder, read) {
                return Some(error);
            }
        }
    }
}
