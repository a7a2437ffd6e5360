//! The hostile test server itself, checked against reqwest and raw sockets: every framing
//! arrives as scripted, every lie about the body is an error on the client side.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use futures::StreamExt;
use galileo_export_mock::hostile::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("reqwest client builds")
}

/// Whether an `io::Error` of `kind` is somewhere in the error's source chain.
fn has_io_kind(err: &(dyn std::error::Error + 'static), kind: std::io::ErrorKind) -> bool {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == kind {
                return true;
            }
        }
        next = e.source();
    }
    false
}

/// Send a raw request over a plain socket and read everything until close or error.
async fn raw_exchange(server: &HostileServer, request: &[u8]) -> (Vec<u8>, Option<std::io::Error>) {
    let mut stream = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connect to hostile server");
    stream.write_all(request).await.expect("write request");
    let mut received = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) => return (received, None),
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) => return (received, Some(e)),
        }
    }
}

#[tokio::test]
async fn content_length_body_arrives_whole() {
    let server = HostileServer::start(vec![Reply::status(200)
        .header("X-Test", "yes")
        .body("hello ")
        .body("world")])
    .await;
    let resp = client()
        .get(server.url("/a"))
        .send()
        .await
        .expect("response");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.content_length(), Some(11));
    assert_eq!(resp.headers()["x-test"], "yes");
    assert_eq!(resp.headers()["connection"], "close");
    assert_eq!(resp.text().await.expect("body"), "hello world");
}

#[tokio::test]
async fn wire_format_is_as_documented() {
    let server = HostileServer::start(vec![
        Reply::status(201).header("A", "1").body("xyz"),
        Reply::status(599).chunked().body("ab").body("").body("c"),
        Reply::status(200)
            .reason("Fine Thanks")
            .header("Connection", "keep-alive")
            .close_delimited()
            .body("z"),
        Reply::status(200)
            .chunked()
            .drip("hi", Duration::from_millis(1)),
    ])
    .await;
    let get = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let (bytes, err) = raw_exchange(&server, get).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        "HTTP/1.1 201 Created\r\nA: 1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nxyz"
    );
    let (bytes, _) = raw_exchange(&server, get).await;
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        "HTTP/1.1 599 Unknown\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         2\r\nab\r\n1\r\nc\r\n0\r\n\r\n"
    );
    // Close-delimited with a caller Connection header: no framing, no Connection: close,
    // and still closed (close-delimited can't be kept alive).
    let (bytes, _) = raw_exchange(&server, get).await;
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        "HTTP/1.1 200 Fine Thanks\r\nConnection: keep-alive\r\n\r\nz"
    );
    let (bytes, _) = raw_exchange(&server, get).await;
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         1\r\nh\r\n1\r\ni\r\n0\r\n\r\n"
    );
}

#[tokio::test]
async fn short_content_length_is_a_body_error() {
    let server = HostileServer::start(vec![Reply::status(200)
        .content_length(100)
        .body("only twenty bytes...")])
    .await;
    let resp = client()
        .get(server.base_url())
        .send()
        .await
        .expect("response head");
    assert_eq!(resp.content_length(), Some(100));
    let err = resp.bytes().await.expect_err("a short body is an error");
    assert!(err.is_body() || err.is_decode(), "{err:?}");
}

#[tokio::test]
async fn long_content_length_is_cut_at_the_announced_length() {
    let server =
        HostileServer::start(vec![Reply::status(200).content_length(3).body("abcdef")]).await;
    let resp = client()
        .get(server.base_url())
        .send()
        .await
        .expect("response");
    assert_eq!(resp.text().await.expect("body"), "abc");
}

#[tokio::test]
async fn chunked_body_arrives_whole_in_pieces() {
    let server = HostileServer::start(vec![Reply::status(200)
        .chunked()
        .body("a")
        .body("bc")
        .pause(Duration::from_millis(100))
        .body("def")])
    .await;
    let resp = client()
        .get(server.base_url())
        .send()
        .await
        .expect("response");
    assert_eq!(resp.headers()["transfer-encoding"], "chunked");
    assert_eq!(resp.content_length(), None);
    let mut stream = resp.bytes_stream();
    let mut pieces = Vec::new();
    while let Some(piece) = stream.next().await {
        pieces.push(piece.expect("chunk"));
    }
    assert!(pieces.len() >= 2, "the pause splits the body: {pieces:?}");
    assert_eq!(pieces.concat(), b"abcdef");
}

#[tokio::test]
async fn unterminated_chunked_body_is_an_error() {
    let server = HostileServer::start(vec![Reply::status(200)
        .chunked_unterminated()
        .body("first chunk")
        .body("second chunk")])
    .await;
    let resp = client()
        .get(server.base_url())
        .send()
        .await
        .expect("response head");
    let err = resp.bytes().await.expect_err("no zero chunk is an error");
    assert!(err.is_body() || err.is_decode(), "{err:?}");
}

#[tokio::test]
async fn close_delimited_body_arrives_whole_without_error() {
    let server = HostileServer::start(vec![Reply::status(200)
        .close_delimited()
        .body("start:")
        .repeat("0123456789", 10_000)
        .pause(Duration::from_millis(20))
        .body(":end")])
    .await;
    let resp = client()
        .get(server.base_url())
        .send()
        .await
        .expect("response");
    assert!(resp.headers().get("content-length").is_none());
    assert!(resp.headers().get("transfer-encoding").is_none());
    assert_eq!(resp.content_length(), None);
    let body = resp
        .bytes()
        .await
        .expect("close-delimited body ends cleanly");
    assert_eq!(body.len(), 6 + 100_000 + 4);
    assert!(body.starts_with(b"start:0123456789"));
    assert!(body.ends_with(b"789:end"));
}

#[tokio::test]
async fn reset_mid_body_is_an_error() {
    let server = HostileServer::start(vec![
        Reply::status(200)
            .body("partial")
            .pause(Duration::from_millis(50))
            .reset()
            .body("never sent"),
        Reply::status(200)
            .chunked()
            .body("partial")
            .pause(Duration::from_millis(50))
            .reset(),
        Reply::status(200)
            .close_delimited()
            .body("partial")
            .pause(Duration::from_millis(50))
            .reset(),
    ])
    .await;
    for framing in ["content-length", "chunked", "close-delimited"] {
        let resp = client()
            .get(server.base_url())
            .send()
            .await
            .expect("response head");
        let err = resp.bytes().await.expect_err("a reset is an error");
        assert!(err.is_body() || err.is_decode(), "{framing}: {err:?}");
        assert!(
            has_io_kind(&err, std::io::ErrorKind::ConnectionReset),
            "{framing}: the error comes from an RST, not a clean close: {err:?}"
        );
    }
}

#[tokio::test]
async fn reset_is_a_tcp_rst_on_the_wire() {
    let server = HostileServer::start(vec![Reply::status(200)
        .body("abc")
        .pause(Duration::from_millis(50))
        .reset()])
    .await;
    let (bytes, err) = raw_exchange(&server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let err = err.expect("the read fails");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err:?}");
    assert!(
        String::from_utf8_lossy(&bytes).ends_with("\r\n\r\nabc"),
        "the bytes before the reset arrive: {bytes:?}"
    );
}

#[tokio::test]
async fn redirect_between_two_servers_is_followed() {
    let target = HostileServer::start(vec![Reply::status(200).body("final")]).await;
    let origin = HostileServer::start(vec![Reply::redirect(302, &target.url("/dest?x=1"))]).await;
    let resp = client()
        .get(origin.url("/start"))
        .send()
        .await
        .expect("response");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.url().as_str(), target.url("/dest?x=1"));
    assert_eq!(resp.text().await.expect("body"), "final");
    let first = origin.requests();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].target, "/start");
    let second = target.requests();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].method, "GET");
    assert_eq!(second[0].target, "/dest?x=1");
    assert_eq!(second[0].path(), "/dest");
    assert_eq!(second[0].query(), Some("x=1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeat_streams_a_gibibyte_without_holding_it() {
    const BLOCK: usize = 64 * 1024;
    const TIMES: u64 = 16_384;
    const TOTAL: u64 = BLOCK as u64 * TIMES;
    let mut pattern = vec![b'x'; BLOCK];
    pattern[BLOCK - 1] = b'\n';
    let server = HostileServer::start(vec![Reply::status(200).repeat(pattern, TIMES)]).await;
    let started = Instant::now();
    let resp = client()
        .get(server.base_url())
        .send()
        .await
        .expect("response");
    assert_eq!(resp.content_length(), Some(TOTAL));
    let mut stream = resp.bytes_stream();
    let mut total: u64 = 0;
    let mut first = None;
    while let Some(piece) = stream.next().await {
        let piece = piece.expect("body piece");
        if first.is_none() && !piece.is_empty() {
            first = Some(piece[0]);
        }
        total += piece.len() as u64;
    }
    assert_eq!(total, TOTAL);
    assert_eq!(first, Some(b'x'));
    eprintln!("1 GiB streamed in {:?}", started.elapsed());
}

#[tokio::test]
async fn repeat_with_odd_sizes_and_chunked_framing() {
    // Pattern sizes that don't divide 64 KiB, and one bigger than a write.
    let server = HostileServer::start(vec![
        Reply::status(200).chunked().repeat("abc", 100_001),
        Reply::status(200).repeat(vec![7u8; 100_000], 3),
        Reply::status(200).repeat("never", 0).body("!"),
    ])
    .await;
    let client = client();
    let body = client
        .get(server.base_url())
        .send()
        .await
        .expect("response")
        .bytes()
        .await
        .expect("body");
    assert_eq!(body.len(), 300_003);
    assert!(body.chunks(3).all(|c| c == b"abc"));
    let resp = client
        .get(server.base_url())
        .send()
        .await
        .expect("response");
    assert_eq!(resp.content_length(), Some(300_000));
    assert_eq!(resp.bytes().await.expect("body").len(), 300_000);
    let resp = client
        .get(server.base_url())
        .send()
        .await
        .expect("response");
    assert_eq!(resp.text().await.expect("body"), "!");
}

#[tokio::test]
async fn drip_sends_one_byte_at_a_time() {
    let server = HostileServer::start(vec![
        Reply::status(200)
            .chunked()
            .drip("abcd", Duration::from_millis(40)),
        Reply::status(200).drip("wxyz", Duration::from_millis(40)),
    ])
    .await;
    for expected in ["abcd", "wxyz"] {
        let started = Instant::now();
        let resp = client()
            .get(server.base_url())
            .send()
            .await
            .expect("response");
        let mut stream = resp.bytes_stream();
        let mut pieces = Vec::new();
        while let Some(piece) = stream.next().await {
            pieces.push(piece.expect("piece"));
        }
        assert!(started.elapsed() >= Duration::from_millis(120));
        assert!(pieces.len() >= 3, "bytes arrive separately: {pieces:?}");
        assert_eq!(pieces.concat(), expected.as_bytes());
    }
}

#[tokio::test]
async fn requests_are_recorded() {
    let server = HostileServer::start(vec![
        Reply::status(200).json(json!({"ok": true})),
        Reply::status(204),
    ])
    .await;
    let client = client();
    let resp = client
        .post(server.url("/v2/projects/p1/export?limit=5&x=%20y"))
        .header("X-Custom-Header", "Some Value")
        .header("x-api-key", "secret")
        .json(&json!({"log_stream_id": "abc", "limit": 5}))
        .send()
        .await
        .expect("response");
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(
        resp.json::<serde_json::Value>().await.expect("JSON reply"),
        json!({"ok": true})
    );
    client
        .delete(server.url("/thing"))
        .send()
        .await
        .expect("response");
    let resp = client
        .get(server.url("/third"))
        .send()
        .await
        .expect("response");
    assert_eq!(resp.status(), 500);
    assert_eq!(
        resp.text().await.expect("body"),
        "hostile server: script exhausted"
    );

    let requests = server.requests();
    assert_eq!(server.request_count(), 3);
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.target, "/v2/projects/p1/export?limit=5&x=%20y");
    assert_eq!(first.header("x-custom-header"), Some("Some Value"));
    assert_eq!(first.header("X-CUSTOM-HEADER"), Some("Some Value"));
    assert_eq!(first.header("X-Api-Key"), Some("secret"));
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.header("absent"), None);
    assert_eq!(first.json(), json!({"log_stream_id": "abc", "limit": 5}));
    assert_eq!(
        first.header("content-length"),
        Some(first.body.len().to_string().as_str())
    );
    assert_eq!(requests[1].method, "DELETE");
    assert_eq!(requests[1].target, "/thing");
    assert!(requests[1].body.is_empty());
    assert_eq!(requests[2].target, "/third");
}

#[tokio::test]
async fn start_with_answers_from_the_request_and_its_index() {
    let server = HostileServer::start_with(|req, index| {
        let n = req.json()["n"].as_u64().expect("n is a number");
        Reply::status(200).json(json!({"index": index, "double": n * 2}))
    })
    .await;
    let client = client();
    for i in 0..3u64 {
        let value: serde_json::Value = client
            .post(server.base_url())
            .json(&json!({"n": i + 10}))
            .send()
            .await
            .expect("response")
            .json()
            .await
            .expect("JSON");
        assert_eq!(value, json!({"index": i, "double": (i + 10) * 2}));
    }
}

#[tokio::test]
async fn chunked_request_bodies_are_decoded() {
    let server = HostileServer::start(vec![Reply::status(200)]).await;
    let pieces: Vec<Result<&'static str, std::io::Error>> =
        vec![Ok("hello "), Ok("chunked "), Ok("world")];
    let body = reqwest::Body::wrap_stream(futures::stream::iter(pieces));
    let resp = client()
        .put(server.url("/upload"))
        .body(body)
        .send()
        .await
        .expect("response");
    assert_eq!(resp.status(), 200);
    let req = &server.requests()[0];
    assert_eq!(req.header("transfer-encoding"), Some("chunked"));
    assert_eq!(req.body, b"hello chunked world");

    // Trailers, chunk extensions, and a pipelined second request on the same connection.
    let server = HostileServer::start(vec![
        Reply::status(200).header("Connection", "keep-alive"),
        Reply::status(200),
    ])
    .await;
    let (bytes, _) = raw_exchange(
        &server,
        b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
          3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n\
          GET /b HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .await;
    assert_eq!(
        String::from_utf8_lossy(&bytes)
            .matches("HTTP/1.1 200 OK")
            .count(),
        2
    );
    let requests = server.requests();
    assert_eq!(requests[0].body, b"abc0123456789");
    assert_eq!(requests[0].header("x-trailer"), Some("t"));
    assert_eq!(requests[1].target, "/b");
    assert_eq!(requests[0].connection, requests[1].connection);
}

#[tokio::test]
async fn malformed_requests_get_a_400_and_are_not_recorded() {
    let server = HostileServer::start(vec![]).await;
    let (bytes, _) = raw_exchange(&server, b"NONSENSE\r\n\r\n").await;
    assert!(
        String::from_utf8_lossy(&bytes).starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{bytes:?}"
    );
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn invalid_header_bytes_are_a_client_error() {
    let server = HostileServer::start(vec![
        Reply::status(200).raw_header_line(b"Bad Header Name: x"),
        Reply::status(200).header("X-Huge", &u64::MAX.to_string()),
    ])
    .await;
    let err = client()
        .get(server.base_url())
        .send()
        .await
        .expect_err("an invalid header line is rejected");
    assert!(!err.is_status(), "{err:?}");
    let resp = client()
        .get(server.base_url())
        .send()
        .await
        .expect("response");
    assert_eq!(resp.headers()["x-huge"], "18446744073709551615");
}

#[tokio::test]
async fn keep_alive_reuses_the_connection_only_when_asked() {
    let server = HostileServer::start(vec![
        Reply::status(200)
            .header("Connection", "keep-alive")
            .body("one"),
        Reply::status(200).body("two"),
        Reply::status(200).body("three"),
    ])
    .await;
    let client = client();
    for expected in ["one", "two", "three"] {
        let text = client
            .get(server.base_url())
            .send()
            .await
            .expect("response")
            .text()
            .await
            .expect("body");
        assert_eq!(text, expected);
    }
    let connections: Vec<usize> = server.requests().iter().map(|r| r.connection).collect();
    assert_eq!(connections[0], connections[1], "kept alive after the first");
    assert_ne!(connections[1], connections[2], "closed after the second");
    assert_eq!(server.connection_count(), 2);
}

#[tokio::test]
async fn handler_panics_become_500s() {
    let server = HostileServer::start_with(|_, _| panic!("deliberate test panic")).await;
    let resp = client()
        .get(server.base_url())
        .send()
        .await
        .expect("response");
    assert_eq!(resp.status(), 500);
    assert!(resp
        .text()
        .await
        .expect("body")
        .contains("handler panicked"));
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let server = HostileServer::start(vec![Reply::status(200)
        .chunked()
        .body("first")
        .drip("slow".repeat(1000), Duration::from_millis(10))])
    .await;
    let addr = server.addr();
    let resp = client()
        .get(server.base_url())
        .send()
        .await
        .expect("response");
    let mut stream = resp.bytes_stream();
    let first = stream.next().await.expect("a piece").expect("bytes");
    assert!(first.starts_with(b"f"));
    drop(server);
    // The in-flight reply is aborted too: the stream ends with an error, not after 40 s.
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(piece) = stream.next().await {
            if piece.is_err() {
                return true;
            }
        }
        false
    })
    .await
    .expect("the aborted reply ends promptly");
    assert!(ended, "an unterminated chunked body is an error");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[test]
fn blocking_server_serves_synchronous_tests() {
    let server = HostileServer::start_blocking(vec![Reply::status(200).body("sync")]);
    let mut stream = std::net::TcpStream::connect(server.addr()).expect("connect");
    stream
        .write_all(b"GET /sync HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("write");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read");
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
    assert!(reply.ends_with("\r\n\r\nsync"), "{reply}");
    assert_eq!(server.requests()[0].target, "/sync");
}
