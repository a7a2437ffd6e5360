//! One scripted reply of the [`HostileServer`](super::HostileServer): how it is built
//! (status, headers, framing, body segments that may pause, drip, lie or reset) and how
//! it goes out on the wire. Invariant: the bytes written are exactly the ones the script
//! describes, in order, each flushed before the next step (a pause or a drip is seen by
//! the client as such); nothing is added but the framing header and `Connection: close`.

use std::fmt;
use std::io;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Target size of one write when streaming [`Reply::repeat`] bodies.
const WRITE_SIZE: usize = 64 * 1024;

/// How the body's end is signalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// `Content-Length`: the given value, or the body's actual length when `None`.
    Length(Option<u64>),
    /// `Transfer-Encoding: chunked`, with or without the terminating zero chunk.
    Chunked { terminated: bool },
    /// No framing header: the body ends when the server closes the connection.
    CloseDelimited,
}

/// One step of a reply body.
#[derive(Clone)]
enum Segment {
    /// Body bytes (one chunk under chunked framing).
    Data(Vec<u8>),
    /// Bytes written as they are, whatever the framing.
    Raw(Vec<u8>),
    /// `bytes` `times` times, streamed in ~64 KiB writes.
    Repeat { bytes: Vec<u8>, times: u64 },
    /// A sleep.
    Pause(Duration),
    /// One byte at a time with a sleep between bytes.
    Drip { bytes: Vec<u8>, every: Duration },
    /// Abort the connection with a TCP RST.
    Reset,
}

impl fmt::Debug for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn shown(b: &[u8]) -> String {
            let s = String::from_utf8_lossy(&b[..b.len().min(64)]).into_owned();
            if b.len() > 64 {
                format!("{s:?}... ({} bytes)", b.len())
            } else {
                format!("{s:?}")
            }
        }
        match self {
            Segment::Data(b) => write!(f, "Data({})", shown(b)),
            Segment::Raw(b) => write!(f, "Raw({})", shown(b)),
            Segment::Repeat { bytes, times } => write!(f, "Repeat({} x {times})", shown(bytes)),
            Segment::Pause(d) => write!(f, "Pause({d:?})"),
            Segment::Drip { bytes, every } => write!(f, "Drip({} every {every:?})", shown(bytes)),
            Segment::Reset => write!(f, "Reset"),
        }
    }
}

/// A scripted reply, built step by step (every method takes and returns it).
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    reason: Option<String>,
    headers: Vec<Vec<u8>>,
    framing: Framing,
    segments: Vec<Segment>,
}

impl Reply {
    /// A reply with this status code, no headers and an empty body (`Content-Length: 0`).
    pub fn status(code: u16) -> Reply {
        Reply {
            status: code,
            reason: None,
            headers: Vec::new(),
            framing: Framing::Length(None),
            segments: Vec::new(),
        }
    }

    /// A redirect: status `code`, `Location: location`, empty body.
    pub fn redirect(code: u16, location: &str) -> Reply {
        Reply::status(code).header("Location", location)
    }

    /// Use this reason phrase instead of the standard one (any text, even empty).
    pub fn reason(mut self, phrase: &str) -> Reply {
        self.reason = Some(phrase.to_owned());
        self
    }

    /// Add the header line `name: value`, sent as given (framing headers are added on top;
    /// use [`close_delimited`](Self::close_delimited) to send only your own). A `Connection`
    /// header replaces the default `Connection: close`; unless its value contains `close`,
    /// an honestly framed reply then keeps the connection open for the next request.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push(format!("{name}: {value}").into_bytes());
        self
    }

    /// Add arbitrary bytes as one header line (CRLF appended), e.g. invalid header bytes.
    pub fn raw_header_line(mut self, line: &[u8]) -> Reply {
        self.headers.push(line.to_vec());
        self
    }

    /// Announce `Content-Length: announced` whatever the body actually is.
    pub fn content_length(mut self, announced: u64) -> Reply {
        self.framing = Framing::Length(Some(announced));
        self
    }

    /// `Transfer-Encoding: chunked`: each body segment is one chunk, then the zero chunk.
    pub fn chunked(mut self) -> Reply {
        self.framing = Framing::Chunked { terminated: true };
        self
    }

    /// Chunked, but the connection is closed without the terminating zero chunk.
    pub fn chunked_unterminated(mut self) -> Reply {
        self.framing = Framing::Chunked { terminated: false };
        self
    }

    /// No `Content-Length`, no `Transfer-Encoding`: the body ends when the server closes.
    pub fn close_delimited(mut self) -> Reply {
        self.framing = Framing::CloseDelimited;
        self
    }

    /// Append `bytes` to the body as one segment (one chunk under chunked framing).
    pub fn body(mut self, bytes: impl Into<Vec<u8>>) -> Reply {
        self.segments.push(Segment::Data(bytes.into()));
        self
    }

    /// Append bytes written verbatim whatever the framing (e.g. a malformed chunk header).
    pub fn raw(mut self, bytes: impl Into<Vec<u8>>) -> Reply {
        self.segments.push(Segment::Raw(bytes.into()));
        self
    }

    /// Append `bytes` `times` times, streamed in ~64 KiB writes (never held whole).
    pub fn repeat(mut self, bytes: impl Into<Vec<u8>>, times: u64) -> Reply {
        self.segments.push(Segment::Repeat {
            bytes: bytes.into(),
            times,
        });
        self
    }

    /// Sleep for `d` at this point of the body.
    pub fn pause(mut self, d: Duration) -> Reply {
        self.segments.push(Segment::Pause(d));
        self
    }

    /// Send `bytes` one byte per write with a sleep of `every` between bytes.
    pub fn drip(mut self, bytes: impl Into<Vec<u8>>, every: Duration) -> Reply {
        self.segments.push(Segment::Drip {
            bytes: bytes.into(),
            every,
        });
        self
    }

    /// At this point abort the connection with a TCP RST (`SO_LINGER` 0, then close).
    pub fn reset(mut self) -> Reply {
        self.segments.push(Segment::Reset);
        self
    }

    /// Append `value` serialized as one segment; adds `Content-Type: application/json`
    /// unless a `Content-Type` header is already set.
    pub fn json(mut self, value: serde_json::Value) -> Reply {
        if self.header_value(b"content-type").is_none() {
            self = self.header("Content-Type", "application/json");
        }
        let bytes = serde_json::to_vec(&value).expect("hostile server: serialize JSON reply");
        self.body(bytes)
    }

    /// The number of body bytes the segments produce (saturating: absurd sizes are allowed).
    fn body_len(&self) -> u64 {
        self.segments.iter().fold(0u64, |sum, s| {
            let n = match s {
                Segment::Data(b) | Segment::Raw(b) => b.len() as u64,
                Segment::Repeat { bytes, times } => (bytes.len() as u64).saturating_mul(*times),
                Segment::Drip { bytes, .. } => bytes.len() as u64,
                Segment::Pause(_) | Segment::Reset => 0,
            };
            sum.saturating_add(n)
        })
    }

    /// The value of the first caller header line named `name` (lowercase ASCII).
    fn header_value(&self, name: &[u8]) -> Option<&[u8]> {
        self.headers.iter().find_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            line[..colon]
                .trim_ascii()
                .eq_ignore_ascii_case(name)
                .then(|| line[colon + 1..].trim_ascii())
        })
    }

    /// Whether the connection may serve another request after this reply.
    pub(super) fn keeps_alive(&self) -> bool {
        let asked = match self.header_value(b"connection") {
            Some(v) => !String::from_utf8_lossy(v)
                .to_ascii_lowercase()
                .contains("close"),
            None => false,
        };
        let honest = matches!(
            self.framing,
            Framing::Length(None) | Framing::Chunked { terminated: true }
        ) && !self
            .segments
            .iter()
            .any(|s| matches!(s, Segment::Reset | Segment::Raw(_)));
        asked && honest
    }

    /// Status line and headers, up to and including the empty line.
    fn head(&self) -> Vec<u8> {
        let reason = self
            .reason
            .clone()
            .unwrap_or_else(|| reason_phrase(self.status).to_owned());
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason).into_bytes();
        for line in &self.headers {
            head.extend_from_slice(line);
            head.extend_from_slice(b"\r\n");
        }
        match self.framing {
            Framing::Length(announced) => {
                let n = announced.unwrap_or_else(|| self.body_len());
                head.extend_from_slice(format!("Content-Length: {n}\r\n").as_bytes());
            }
            Framing::Chunked { .. } => head.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
            Framing::CloseDelimited => {}
        }
        if self.header_value(b"connection").is_none() {
            head.extend_from_slice(b"Connection: close\r\n");
        }
        head.extend_from_slice(b"\r\n");
        head
    }
}

/// The standard reason phrase for `code`, `Unknown` if not in the table.
fn reason_phrase(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// How a reply ended on the wire.
pub(super) enum Ending {
    /// Everything written; the connection may be closed gracefully or reused.
    Done,
    /// The reply asked for an RST.
    Reset,
}

/// Frame `data` as one chunk: `<hex len>\r\n<data>\r\n`.
fn chunk(data: &[u8]) -> Vec<u8> {
    let mut framed = format!("{:x}\r\n", data.len()).into_bytes();
    framed.reserve(data.len() + 2);
    framed.extend_from_slice(data);
    framed.extend_from_slice(b"\r\n");
    framed
}

/// Write `bytes` and flush, so the client sees them before whatever comes next.
async fn send(stream: &mut TcpStream, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes).await?;
    stream.flush().await
}

/// Write body bytes, as one chunk under chunked framing (empty data writes nothing:
/// an empty chunk would end the body).
async fn send_data(stream: &mut TcpStream, data: &[u8], chunked: bool) -> io::Result<()> {
    if data.is_empty() {
        Ok(())
    } else if chunked {
        send(stream, &chunk(data)).await
    } else {
        send(stream, data).await
    }
}

/// Write the status line, headers and body segments of `reply`.
pub(super) async fn write_reply(stream: &mut TcpStream, reply: &Reply) -> io::Result<Ending> {
    send(stream, &reply.head()).await?;
    let chunked = matches!(reply.framing, Framing::Chunked { .. });
    for segment in &reply.segments {
        match segment {
            Segment::Data(data) => send_data(stream, data, chunked).await?,
            Segment::Raw(bytes) => send(stream, bytes).await?,
            Segment::Repeat { bytes, times } => {
                send_repeat(stream, bytes, *times, chunked).await?;
            }
            Segment::Pause(d) => tokio::time::sleep(*d).await,
            Segment::Drip { bytes, every } => {
                for (i, byte) in bytes.iter().enumerate() {
                    if i > 0 {
                        tokio::time::sleep(*every).await;
                    }
                    send_data(stream, std::slice::from_ref(byte), chunked).await?;
                }
            }
            Segment::Reset => return Ok(Ending::Reset),
        }
    }
    if reply.framing == (Framing::Chunked { terminated: true }) {
        send(stream, b"0\r\n\r\n").await?;
    }
    Ok(Ending::Done)
}

/// Stream `bytes` `times` times: whole copies packed into ~64 KiB writes (one chunk each
/// under chunked framing), built once and written again and again.
async fn send_repeat(
    stream: &mut TcpStream,
    bytes: &[u8],
    times: u64,
    chunked: bool,
) -> io::Result<()> {
    if bytes.is_empty() || times == 0 {
        return Ok(());
    }
    let per_write = ((WRITE_SIZE / bytes.len()).max(1) as u64).min(times);
    let block = bytes.repeat(per_write as usize);
    let block = if chunked { chunk(&block) } else { block };
    for _ in 0..times / per_write {
        send(stream, &block).await?;
    }
    let rest = (times % per_write) as usize;
    if rest > 0 {
        send_data(stream, &bytes.repeat(rest), chunked).await?;
    }
    Ok(())
}
