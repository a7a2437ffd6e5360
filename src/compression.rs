//! Compressed transfer: the content codings an export offers (`Accept-Encoding`) and the
//! streaming decoder of the answer's body.
//!
//! The export asks for `zstd, gzip, br` (or only `identity` when
//! [`ClientBuilder::compression`](crate::ClientBuilder::compression) turned it off) and
//! decodes the body as it arrives, in constant memory, before framing sees it. The
//! decoding is done here rather than by reqwest's `gzip`/`zstd`/`brotli` features for
//! two reasons: reqwest hides the bytes that crossed the network (the progress and the
//! summary report both), and it reports a truncated compressed stream and a corrupt one
//! alike, while this crate must tell them apart — a compressed body whose HTTP framing
//! ended cleanly but whose compressed stream did not is a cut ([`Error::Cut`], resumable
//! like any other), a body that is not valid for its coding is
//! [`Error::Encoding`](crate::Error::Encoding).
//!
//! An empty body (no byte at all, the HTTP body ended cleanly) is an empty export in any
//! coding, as an empty uncompressed one is. One rule for every coding: a byte after the
//! end of the compressed stream (after the last gzip member or zstd frame that is not
//! another one, after the end of a brotli stream, which has no members) is an error,
//! never ignored.
//!
//! A server that compresses although it was asked not to is still decoded (the coding is
//! in its `Content-Encoding`, so nothing is guessed). An answer with a coding this crate
//! cannot decode (`deflate`, `compress`, a stack of several) is refused with
//! [`Error::Encoding`](crate::Error::Encoding), never handed on as if it were the export.
//!
//! Error bodies (4xx/5xx) are decoded too, up to the same 64 KiB cap as plain ones
//! ([`decode_capped`]).
//!
//! [`Error::Cut`]: crate::Error::Cut

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use async_compression::tokio::bufread::{BrotliDecoder, GzipDecoder, ZstdDecoder};
use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::io::{AsyncBufRead, AsyncRead, AsyncReadExt, ReadBuf};
use tokio_util::io::{ReaderStream, StreamReader};

/// What an export offers when compression is on, in the client's order of preference:
/// zstd decodes fastest, gzip is what every server has, brotli compresses text best.
pub(crate) const OFFER: &str = "zstd, gzip, br";

/// What an export offers when compression is off.
pub(crate) const OFFER_NONE: &str = "identity";

/// Decoded chunks are at most this large (the size of a network read buffer).
const DECODED_CHUNK: usize = 64 * 1024;

/// A content coding of a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    Identity,
    Gzip,
    Zstd,
    Brotli,
}

impl Coding {
    /// The coding named by a `Content-Encoding` header (absent: identity). Several codings
    /// stacked, or one this crate cannot decode, is an error that says which.
    pub(crate) fn from_header(value: Option<&[u8]>) -> Result<Coding, String> {
        let Some(raw) = value else {
            return Ok(Coding::Identity);
        };
        let text = String::from_utf8_lossy(raw);
        let codings: Vec<String> = text
            .split(',')
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty() && c != "identity")
            .collect();
        match codings.as_slice() {
            [] => Ok(Coding::Identity),
            [one] => match one.as_str() {
                "gzip" | "x-gzip" => Ok(Coding::Gzip),
                "zstd" => Ok(Coding::Zstd),
                "br" => Ok(Coding::Brotli),
                other => Err(format!(
                    "the server sent `Content-Encoding: {}`, a coding this client cannot decode \
                     (it offered {OFFER})",
                    crate::text::sanitize(other, 40)
                )),
            },
            _ => Err(format!(
                "the server sent `Content-Encoding: {}`: several codings stacked on one body are \
                 not supported",
                crate::text::sanitize(&text, 80)
            )),
        }
    }

    /// The coding's token, as in `Content-Encoding`; `None` for identity.
    pub(crate) fn token(self) -> Option<&'static str> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some("gzip"),
            Coding::Zstd => Some("zstd"),
            Coding::Brotli => Some("br"),
        }
    }

    /// A number for an atomic (see [`Coding::from_number`]).
    pub(crate) fn number(self) -> u8 {
        match self {
            Coding::Identity => 0,
            Coding::Gzip => 1,
            Coding::Zstd => 2,
            Coding::Brotli => 3,
        }
    }

    pub(crate) fn from_number(n: u8) -> Coding {
        match n {
            1 => Coding::Gzip,
            2 => Coding::Zstd,
            3 => Coding::Brotli,
            _ => Coding::Identity,
        }
    }

    fn name(self) -> &'static str {
        self.token().unwrap_or("identity")
    }
}

/// Why reading a (decoded) body stopped early.
#[derive(Debug)]
pub(crate) enum BodyFailure {
    /// The connection broke (or the HTTP framing was violated).
    Transport(reqwest::Error),
    /// The HTTP body ended cleanly, its compressed stream did not: the body was cut.
    Truncated(&'static str),
    /// The body is not valid for its coding.
    Corrupt {
        coding: &'static str,
        detail: String,
    },
}

type RawStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;
type DecodedStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// A response body, decoded as it arrives. Every byte that arrives from the network is
/// added to `wire` first.
pub(crate) struct DecodedBody {
    inner: Inner,
    coding: Coding,
    /// Network bytes of this body: none at all is an empty body, whatever its coding.
    arrived: Arc<AtomicU64>,
}

enum Inner {
    Identity(RawStream),
    Decoded(DecodedStream),
}

/// The error a broken connection is carried in through the decoder (which only speaks
/// `io::Error`), to be told apart from the decoder's own errors.
#[derive(Debug)]
struct Broken(reqwest::Error);

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Broken {}

/// A decoder that must end where its input ends: once the decoder reports the end of its
/// stream, any byte still in the input is an error ([`io::ErrorKind::InvalidData`]),
/// whatever the coding.
struct EndsWithInput<D> {
    decoder: D,
    coding: Coding,
}

/// Access to the input under a decoder of `async-compression`.
trait Underlying {
    type Input: AsyncBufRead + Unpin;
    fn input(&mut self) -> &mut Self::Input;
}

macro_rules! underlying {
    ($($decoder:ident),+) => {
        $(
            impl<R: AsyncBufRead + Unpin> Underlying for $decoder<R> {
                type Input = R;
                fn input(&mut self) -> &mut R {
                    self.get_mut()
                }
            }
        )+
    };
}

underlying!(GzipDecoder, ZstdDecoder, BrotliDecoder);

impl<D: AsyncRead + Underlying + Unpin> AsyncRead for EndsWithInput<D> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        futures::ready!(Pin::new(&mut self.decoder).poll_read(cx, buf))?;
        if buf.filled().len() > before || buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        // The decoder is at the end of its stream: the input must be at its end too.
        let coding = self.coding.name();
        let rest = futures::ready!(Pin::new(self.decoder.input()).poll_fill_buf(cx))?;
        if rest.is_empty() {
            return Poll::Ready(Ok(()));
        }
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bytes follow the end of the {coding} stream (the body must end with it)"),
        )))
    }
}

fn decoder<R: AsyncBufRead + Unpin + Send + 'static>(coding: Coding, reader: R) -> DecodedStream {
    fn ended<D: AsyncRead + Underlying + Unpin + Send + 'static>(
        decoder: D,
        coding: Coding,
    ) -> DecodedStream {
        Box::pin(ReaderStream::with_capacity(
            EndsWithInput { decoder, coding },
            DECODED_CHUNK,
        ))
    }
    match coding {
        Coding::Gzip => {
            let mut decoder = GzipDecoder::new(reader);
            // Several gzip members one after the other are one valid body (RFC 1952),
            // and anything after the last member is then an error, not ignored.
            decoder.multiple_members(true);
            ended(decoder, coding)
        }
        Coding::Zstd => {
            let mut decoder = ZstdDecoder::new(reader);
            decoder.multiple_members(true);
            ended(decoder, coding)
        }
        // A brotli stream has no members (no magic number to tell another one from
        // garbage): the body ends with its one stream.
        Coding::Brotli => ended(BrotliDecoder::new(reader), coding),
        Coding::Identity => Box::pin(ReaderStream::with_capacity(reader, DECODED_CHUNK)),
    }
}

impl DecodedBody {
    /// The body `raw` in `coding`, counting its network bytes into `wire`.
    pub(crate) fn new<S>(raw: S, coding: Coding, wire: Arc<AtomicU64>) -> Self
    where
        S: Stream<Item = reqwest::Result<Bytes>> + Send + 'static,
    {
        let arrived = Arc::new(AtomicU64::new(0));
        let this_body = arrived.clone();
        let counted = raw.map(move |chunk| {
            if let Ok(bytes) = &chunk {
                wire.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                this_body.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
            chunk
        });
        let inner = match coding {
            Coding::Identity => Inner::Identity(Box::pin(counted)),
            _ => {
                let reader = StreamReader::new(Box::pin(
                    counted.map(|chunk| chunk.map_err(|e| io::Error::other(Broken(e)))),
                ));
                Inner::Decoded(decoder(coding, reader))
            }
        };
        Self {
            inner,
            coding,
            arrived,
        }
    }
}

impl Stream for DecodedBody {
    type Item = Result<Bytes, BodyFailure>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let coding = self.coding.name();
        let arrived = self.arrived.clone();
        match &mut self.inner {
            Inner::Identity(raw) => raw
                .poll_next_unpin(cx)
                .map(|item| item.map(|r| r.map_err(BodyFailure::Transport))),
            Inner::Decoded(decoded) => {
                let item = futures::ready!(decoded.poll_next_unpin(cx));
                // Read after the poll: the bytes this poll brought count.
                let empty = arrived.load(Ordering::Relaxed) == 0;
                Poll::Ready(match item {
                    None => None,
                    Some(Ok(chunk)) => Some(Ok(chunk)),
                    Some(Err(e)) if e.get_ref().is_some_and(|inner| inner.is::<Broken>()) => {
                        match e.into_inner().map(|inner| inner.downcast::<Broken>()) {
                            Some(Ok(broken)) => Some(Err(BodyFailure::Transport(broken.0))),
                            _ => Some(Err(BodyFailure::Truncated(coding))),
                        }
                    }
                    // Not one byte arrived and the HTTP body ended cleanly: an empty
                    // body, as an empty uncompressed one is (a server that does not
                    // compress what it has not got).
                    Some(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof && empty => None,
                    Some(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                        Some(Err(BodyFailure::Truncated(coding)))
                    }
                    Some(Err(e)) => Some(Err(BodyFailure::Corrupt {
                        coding,
                        detail: crate::text::sanitize(&e.to_string(), 200),
                    })),
                })
            }
        }
    }
}

/// An error body (already read up to its cap) decoded, up to `cap` decoded bytes. A body
/// cut by the cap or corrupt keeps what decoded before that; `None` when nothing did.
pub(crate) async fn decode_capped(coding: Coding, body: &[u8], cap: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let reader = body;
    let limit = cap as u64;
    let read = match coding {
        Coding::Identity => return Some(body[..body.len().min(cap)].to_vec()),
        Coding::Gzip => {
            GzipDecoder::new(reader)
                .take(limit)
                .read_to_end(&mut out)
                .await
        }
        Coding::Zstd => {
            ZstdDecoder::new(reader)
                .take(limit)
                .read_to_end(&mut out)
                .await
        }
        Coding::Brotli => {
            BrotliDecoder::new(reader)
                .take(limit)
                .read_to_end(&mut out)
                .await
        }
    };
    match read {
        Ok(_) => Some(out),
        Err(_) if !out.is_empty() => Some(out),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_encoding_values() {
        assert_eq!(Coding::from_header(None), Ok(Coding::Identity));
        assert_eq!(Coding::from_header(Some(b"gzip")), Ok(Coding::Gzip));
        assert_eq!(Coding::from_header(Some(b"X-Gzip")), Ok(Coding::Gzip));
        assert_eq!(Coding::from_header(Some(b" zstd ")), Ok(Coding::Zstd));
        assert_eq!(Coding::from_header(Some(b"br")), Ok(Coding::Brotli));
        assert_eq!(Coding::from_header(Some(b"identity")), Ok(Coding::Identity));
        assert_eq!(
            Coding::from_header(Some(b"identity, gzip")),
            Ok(Coding::Gzip)
        );
        let deflate = Coding::from_header(Some(b"deflate")).unwrap_err();
        assert!(deflate.contains("deflate") && deflate.contains("cannot decode"));
        let stacked = Coding::from_header(Some(b"gzip, br")).unwrap_err();
        assert!(stacked.contains("several codings"), "{stacked}");
        let hostile = Coding::from_header(Some(b"\x1b[31mevil")).unwrap_err();
        assert!(!hostile.contains('\x1b'), "{hostile}");
    }

    #[test]
    fn numbers_round_trip() {
        for coding in [Coding::Identity, Coding::Gzip, Coding::Zstd, Coding::Brotli] {
            assert_eq!(Coding::from_number(coding.number()), coding);
        }
    }
}
