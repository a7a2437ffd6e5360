//! Compressed export bodies: which content coding a request gets (`Accept-Encoding`
//! against the server's preference) and the streaming encoder that compresses each body
//! chunk as it is sent.
//!
//! Every chunk is compressed and *flushed* on its own, so a compressed body arrives as
//! promptly as a plain one: faults that cut, stall or drip the body act on the same
//! record boundaries, and a client can decode what it received before a cut. Encoders
//! run at their fastest level, as a server compressing a streamed export on the fly
//! would (a high level would make the server, not the link, the limit).

use std::io;

use async_compression::tokio::write::{BrotliEncoder, GzipEncoder, ZstdEncoder};
use async_compression::Level;
use bytes::Bytes;
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// A content coding the server can compress export bodies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentCoding {
    /// `gzip` (RFC 1952).
    Gzip,
    /// `zstd` (RFC 8878).
    Zstd,
    /// `br`, Brotli (RFC 7932).
    Brotli,
}

impl ContentCoding {
    /// Every coding, in the server's default order of preference.
    pub const ALL: [ContentCoding; 3] = [
        ContentCoding::Zstd,
        ContentCoding::Gzip,
        ContentCoding::Brotli,
    ];

    /// The coding's token in `Accept-Encoding` / `Content-Encoding`.
    pub fn token(self) -> &'static str {
        match self {
            ContentCoding::Gzip => "gzip",
            ContentCoding::Zstd => "zstd",
            ContentCoding::Brotli => "br",
        }
    }
}

/// The coding for a request that sent `accept` (its `Accept-Encoding`), from the
/// server's `offered` codings in order of preference: the first one the client accepts
/// with a non-zero quality (`*` accepts any not named). `None`: send it uncompressed.
pub(crate) fn negotiate(accept: Option<&str>, offered: &[ContentCoding]) -> Option<ContentCoding> {
    let accept = accept?;
    let mut wildcard = None;
    let mut named: Vec<(String, bool)> = Vec::new();
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let token = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        if token.is_empty() {
            continue;
        }
        let accepted = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .next_back()
            .is_none_or(|q| q.trim().parse::<f32>().is_ok_and(|q| q > 0.0));
        if token == "*" {
            wildcard = Some(accepted);
        } else {
            named.push((token, accepted));
        }
    }
    offered.iter().copied().find(|coding| {
        match named.iter().find(|(token, _)| {
            token == coding.token() || (*coding == ContentCoding::Gzip && token == "x-gzip")
        }) {
            Some((_, accepted)) => *accepted,
            None => wildcard == Some(true),
        }
    })
}

/// A streaming encoder of one body.
pub(crate) enum Encoder {
    Gzip(GzipEncoder<Vec<u8>>),
    Zstd(ZstdEncoder<Vec<u8>>),
    Brotli(Box<BrotliEncoder<Vec<u8>>>),
}

impl Encoder {
    pub(crate) fn new(coding: ContentCoding) -> Self {
        match coding {
            ContentCoding::Gzip => {
                Encoder::Gzip(GzipEncoder::with_quality(Vec::new(), Level::Fastest))
            }
            ContentCoding::Zstd => {
                Encoder::Zstd(ZstdEncoder::with_quality(Vec::new(), Level::Fastest))
            }
            ContentCoding::Brotli => Encoder::Brotli(Box::new(BrotliEncoder::with_quality(
                Vec::new(),
                Level::Fastest,
            ))),
        }
    }

    /// `chunk` compressed and flushed: everything it holds can be decoded from what
    /// was returned so far.
    pub(crate) async fn chunk(&mut self, chunk: &[u8]) -> io::Result<Bytes> {
        self.writer().write_all(chunk).await?;
        self.writer().flush().await?;
        Ok(self.take_output())
    }

    /// The end of the compressed stream (its trailer).
    pub(crate) async fn finish(&mut self) -> io::Result<Bytes> {
        self.writer().shutdown().await?;
        Ok(self.take_output())
    }

    /// The encoder, whatever its coding.
    fn writer(&mut self) -> &mut (dyn AsyncWrite + Unpin + Send) {
        match self {
            Encoder::Gzip(e) => e,
            Encoder::Zstd(e) => e,
            Encoder::Brotli(e) => e.as_mut(),
        }
    }

    /// The compressed bytes written since the last call.
    fn take_output(&mut self) -> Bytes {
        Bytes::from(std::mem::take(match self {
            Encoder::Gzip(e) => e.get_mut(),
            Encoder::Zstd(e) => e.get_mut(),
            Encoder::Brotli(e) => e.get_mut(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation() {
        let all = &ContentCoding::ALL;
        assert_eq!(negotiate(None, all), None);
        assert_eq!(negotiate(Some("identity"), all), None);
        assert_eq!(negotiate(Some("gzip"), all), Some(ContentCoding::Gzip));
        assert_eq!(
            negotiate(Some("gzip, zstd, br"), all),
            Some(ContentCoding::Zstd)
        );
        assert_eq!(
            negotiate(Some("zstd;q=0, gzip"), all),
            Some(ContentCoding::Gzip)
        );
        assert_eq!(
            negotiate(Some("br;q=0.5"), all),
            Some(ContentCoding::Brotli)
        );
        assert_eq!(negotiate(Some("*"), all), Some(ContentCoding::Zstd));
        assert_eq!(
            negotiate(Some("*, zstd;q=0"), all),
            Some(ContentCoding::Gzip)
        );
        assert_eq!(negotiate(Some("x-gzip"), all), Some(ContentCoding::Gzip));
        assert_eq!(
            negotiate(Some("gzip, br"), &[ContentCoding::Brotli]),
            Some(ContentCoding::Brotli)
        );
        assert_eq!(negotiate(Some("zstd"), &[]), None);
        assert_eq!(negotiate(Some("gzip;q=nonsense"), all), None);
    }
}
