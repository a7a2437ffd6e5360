//! A hostile HTTP/1.1 test server: raw bytes over a real `TcpListener`, no HTTP framework,
//! so a reply can lie about its length, stop mid-chunk, drip bytes, or reset the connection.
//!
//! ```no_run
//! # async fn run() {
//! use galileo_export_mock::hostile::{HostileServer, Reply};
//!
//! let server = HostileServer::start(vec![
//!     Reply::status(200).chunked().body("partial").reset(),
//! ])
//! .await;
//! let url = server.url("/export");
//! # }
//! ```
//!
//! Wire format of a reply: `HTTP/1.1 <code> <reason>`, the caller's header lines in the
//! order given, then the framing header (`Content-Length: n`, `Transfer-Encoding: chunked`,
//! or nothing for close-delimited), then `Connection: close` unless the caller set a
//! `Connection` header, then the empty line and the body segments in order. The connection
//! is closed after the reply (a graceful FIN, or an RST for [`Reply::reset`]); it is only
//! kept open for the next request when the caller set a `Connection` header without
//! `close` and the reply is honestly framed (see [`Reply::header`]).
//!
//! The server runs the connections; [`Reply`] (in `reply`) is the script of one answer
//! and writes it on the wire; [`SilentServer`] never answers at all; [`bodies`] is the
//! table of hostile export bodies every read path must agree on. Used by the tests of
//! `galileo-export` and of its command line, and checked by this crate's own tests.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

pub use reply::Reply;
use reply::{write_reply, Ending};
pub use silent::SilentServer;

pub mod bodies;
mod reply;
mod silent;

/// Largest request head (request line and headers) the server accepts.
const MAX_HEAD: usize = 1024 * 1024;
/// How long a closing connection waits for the client to hang up after the server's FIN.
const LINGER_READ: Duration = Duration::from_secs(2);

type Handler = dyn Fn(&RecordedRequest, usize) -> Reply + Send + Sync;

/// State shared between the server handle and its connection tasks.
struct Shared {
    requests: Mutex<Vec<RecordedRequest>>,
    connections: Mutex<usize>,
    handler: Box<Handler>,
}

impl Shared {
    fn requests(&self) -> MutexGuard<'_, Vec<RecordedRequest>> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A raw HTTP/1.1 server on 127.0.0.1 (ephemeral port); dropping it stops the server.
pub struct HostileServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl fmt::Debug for HostileServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostileServer")
            .field("addr", &self.addr)
            .field("requests", &self.shared.requests().len())
            .finish()
    }
}

impl HostileServer {
    /// Serve `replies` in order, one per request; requests beyond the script get a 500.
    pub async fn start(replies: Vec<Reply>) -> HostileServer {
        Self::start_with(scripted(replies)).await
    }

    /// Compute each reply from the request and its 0-based index (over all connections).
    pub async fn start_with(
        handler: impl Fn(&RecordedRequest, usize) -> Reply + Send + Sync + 'static,
    ) -> HostileServer {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("hostile server: cannot bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("hostile server: listener has no local address");
        let shared = Arc::new(Shared {
            requests: Mutex::new(Vec::new()),
            connections: Mutex::new(0),
            handler: Box::new(handler),
        });
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        HostileServer {
            addr,
            shared,
            accept,
            runtime: None,
        }
    }

    /// Like [`start`](Self::start), on a private runtime: for synchronous tests (no runtime needed).
    pub fn start_blocking(replies: Vec<Reply>) -> HostileServer {
        Self::start_with_blocking(scripted(replies))
    }

    /// Like [`start_with`](Self::start_with), on a private runtime: for synchronous tests.
    pub fn start_with_blocking(
        handler: impl Fn(&RecordedRequest, usize) -> Reply + Send + Sync + 'static,
    ) -> HostileServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("hostile-server")
            .enable_all()
            .build()
            .expect("hostile server: cannot build its runtime");
        let mut server = runtime.block_on(Self::start_with(handler));
        server.runtime = Some(runtime);
        server
    }

    /// The server's base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The base URL followed by `path_and_query` (which should start with `/`).
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.base_url(), path_and_query)
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests().clone()
    }

    /// How many requests have been received so far.
    pub fn request_count(&self) -> usize {
        self.shared.requests().len()
    }

    /// How many TCP connections have been accepted so far.
    pub fn connection_count(&self) -> usize {
        *self
            .shared
            .connections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        // The accept task owns the listener and the connection tasks (a JoinSet): aborting it
        // closes the listener and aborts every connection still being served.
        self.accept.abort();
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A handler answering request `i` with `replies[i]`, then 500 "script exhausted".
fn scripted(replies: Vec<Reply>) -> impl Fn(&RecordedRequest, usize) -> Reply + Send + Sync {
    let replies: Mutex<Vec<Option<Reply>>> = Mutex::new(replies.into_iter().map(Some).collect());
    move |_req, index| {
        let mut replies = replies.lock().unwrap_or_else(|e| e.into_inner());
        replies
            .get_mut(index)
            .and_then(Option::take)
            .unwrap_or_else(|| Reply::status(500).body("hostile server: script exhausted"))
    }
}

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method, as sent (`GET`, `POST`, ...).
    pub method: String,
    /// The request target as sent: path and query.
    pub target: String,
    /// Header fields in order, names as sent (chunked-body trailers are appended).
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked if it was sent chunked.
    pub body: Vec<u8>,
    /// 0-based index of the TCP connection it came on (equal indexes: a reused connection).
    pub connection: usize,
}

impl RecordedRequest {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of the headers named `name` (case-insensitive), in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The path part of the target (before any `?`).
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The query part of the target (after the first `?`), if any.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// The body as text (lossy UTF-8).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON; panics with the body in the message if it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            let text = self.body_text();
            let shown: String = text.chars().take(500).collect();
            panic!(
                "hostile server: body of {} {} is not JSON ({e}); body ({} bytes): {shown:?}",
                self.method,
                self.target,
                self.body.len()
            )
        })
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    // Owned here so that aborting this task aborts every connection too.
    let mut connections = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let index = {
                    let mut count = shared.connections.lock().unwrap_or_else(|e| e.into_inner());
                    *count += 1;
                    *count - 1
                };
                connections.spawn(serve_connection(stream, index, Arc::clone(&shared)));
                while connections.try_join_next().is_some() {}
            }
            // E.g. out of file descriptors: back off instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Serve requests on one connection until it is closed; I/O errors end it quietly.
async fn serve_connection(mut stream: TcpStream, connection: usize, shared: Arc<Shared>) {
    // Latency matters more than packet count: drips and chunk pieces go out at once.
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    loop {
        let request = match read_request(&mut stream, &mut buf, connection).await {
            Ok(Some(Ok(request))) => request,
            Ok(Some(Err(problem))) => {
                let reply = Reply::status(400)
                    .body(format!("hostile server: malformed request: {problem}"));
                if write_reply(&mut stream, &reply).await.is_ok() {
                    close_gracefully(stream).await;
                }
                return;
            }
            // The client closed the connection or it broke: nothing to answer.
            Ok(None) | Err(_) => return,
        };
        let client_closes = request
            .header("connection")
            .is_some_and(|v| v.to_ascii_lowercase().contains("close"));
        let index = {
            let mut requests = shared.requests();
            requests.push(request.clone());
            requests.len() - 1
        };
        let reply = catch_unwind(AssertUnwindSafe(|| (shared.handler)(&request, index)))
            .unwrap_or_else(|_| {
                Reply::status(500).body(format!(
                    "hostile server: handler panicked on request {index} ({} {})",
                    request.method, request.target
                ))
            });
        match write_reply(&mut stream, &reply).await {
            Ok(Ending::Reset) => {
                reset(stream);
                return;
            }
            Ok(Ending::Done) if reply.keeps_alive() && !client_closes => continue,
            Ok(Ending::Done) => {
                close_gracefully(stream).await;
                return;
            }
            // The client went away mid-reply: legitimate, end quietly.
            Err(_) => return,
        }
    }
}

/// Abort the connection: `SO_LINGER` 0 then close sends an RST instead of a FIN.
fn reset(stream: TcpStream) {
    // Deprecated because a non-zero linger blocks on drop; a zero linger never blocks.
    #[allow(deprecated)]
    let _ = stream.set_linger(Some(Duration::ZERO));
    drop(stream);
}

/// Send a FIN, then wait (bounded) for the client to hang up so no unread byte turns the
/// close into an RST that could destroy the reply in flight.
async fn close_gracefully(mut stream: TcpStream) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let drain = async {
        let mut scratch = [0u8; 8192];
        while let Ok(n) = stream.read(&mut scratch).await {
            if n == 0 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(LINGER_READ, drain).await;
}

/// Read more bytes into `buf`; `Ok(0)` at end of stream.
async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<usize> {
    buf.reserve(16 * 1024);
    stream.read_buf(buf).await
}

fn unexpected_eof(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("client closed mid-{what}"),
    )
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Read one request from `stream` (bytes after it stay in `buf` for the next one).
/// `Ok(None)`: the client closed before sending anything; `Ok(Some(Err(_)))`: malformed.
async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    connection: usize,
) -> io::Result<Option<Result<RecordedRequest, String>>> {
    // Head: up to the first CRLFCRLF (empty lines before the request line are ignored).
    let head_end = loop {
        let leading = buf
            .iter()
            .position(|&b| b != b'\r' && b != b'\n')
            .unwrap_or(buf.len());
        buf.drain(..leading);
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Ok(Some(Err(format!("request head over {MAX_HEAD} bytes"))));
        }
        if fill(stream, buf).await? == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(unexpected_eof("request head"))
            };
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    buf.drain(..head_end + 4);

    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let parts: Vec<&str> = request_line.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Ok(Some(Err(format!("bad request line {request_line:?}"))));
    };
    if !version.starts_with("HTTP/") || method.is_empty() || target.is_empty() {
        return Ok(Some(Err(format!("bad request line {request_line:?}"))));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with(' ') || line.starts_with('\t') {
            // Obsolete line folding: continues the previous value.
            match headers.last_mut() {
                Some((_, value)) => {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                None => return Ok(Some(Err(format!("folded first header {line:?}")))),
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Ok(Some(Err(format!("header line without colon {line:?}"))));
        };
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut request = RecordedRequest {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body: Vec::new(),
        connection,
    };

    if request
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await?;
    }

    let chunked = request.header_all("transfer-encoding").iter().any(|v| {
        v.split(',')
            .any(|coding| coding.trim().eq_ignore_ascii_case("chunked"))
    });
    if chunked {
        match read_chunked_body(stream, buf).await? {
            Ok((body, trailers)) => {
                request.body = body;
                request.headers.extend(trailers);
            }
            Err(problem) => return Ok(Some(Err(problem))),
        }
    } else if let Some(length) = request.header("content-length") {
        let Ok(length) = length.parse::<usize>() else {
            return Ok(Some(Err(format!("bad Content-Length {length:?}"))));
        };
        while buf.len() < length {
            if fill(stream, buf).await? == 0 {
                return Err(unexpected_eof("request body"));
            }
        }
        request.body = buf.drain(..length).collect();
    }
    Ok(Some(Ok(request)))
}

/// A de-chunked body and its trailers, or what is malformed about it.
type Chunked = Result<(Vec<u8>, Vec<(String, String)>), String>;

/// Read a chunked request body from `buf` (refilled from `stream` as needed).
async fn read_chunked_body(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<Chunked> {
    let mut body = Vec::new();
    let mut pos = 0;
    // Chunks: "<hex size>[;ext]\r\n<data>\r\n", until size 0.
    loop {
        let line_end = loop {
            if let Some(i) = find(&buf[pos..], b"\r\n") {
                break pos + i;
            }
            if fill(stream, buf).await? == 0 {
                return Err(unexpected_eof("chunked request body"));
            }
        };
        let line = String::from_utf8_lossy(&buf[pos..line_end]).into_owned();
        let size_text = line.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            return Ok(Err(format!("bad chunk size line {line:?}")));
        };
        pos = line_end + 2;
        if size == 0 {
            break;
        }
        let Some(chunk_end) = pos.checked_add(size).and_then(|e| e.checked_add(2)) else {
            return Ok(Err(format!("absurd chunk size {size}")));
        };
        while buf.len() < chunk_end {
            if fill(stream, buf).await? == 0 {
                return Err(unexpected_eof("chunked request body"));
            }
        }
        if &buf[chunk_end - 2..chunk_end] != b"\r\n" {
            return Ok(Err(format!("chunk of {size} bytes not followed by CRLF")));
        }
        body.extend_from_slice(&buf[pos..chunk_end - 2]);
        pos = chunk_end;
    }
    // Trailers: header lines until an empty line.
    let mut trailers = Vec::new();
    loop {
        let line_end = loop {
            if let Some(i) = find(&buf[pos..], b"\r\n") {
                break pos + i;
            }
            if fill(stream, buf).await? == 0 {
                return Err(unexpected_eof("chunked request trailers"));
            }
        };
        let line = String::from_utf8_lossy(&buf[pos..line_end]).into_owned();
        pos = line_end + 2;
        if line.is_empty() {
            break;
        }
        match line.split_once(':') {
            Some((name, value)) => trailers.push((name.trim().to_owned(), value.trim().to_owned())),
            None => return Ok(Err(format!("trailer line without colon {line:?}"))),
        }
    }
    buf.drain(..pos);
    Ok(Ok((body, trailers)))
}
