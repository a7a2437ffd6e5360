//! A server that accepts every connection, reads the request and never answers: every
//! connection is held open until the server is dropped, so only a client's own rule (a
//! stall window, a timeout) can end the wait. Invariant: not one byte is ever written.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// A server on 127.0.0.1 (ephemeral port) that never answers; dropping it closes the
/// listener and every connection it holds.
#[derive(Debug)]
pub struct SilentServer {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    accept: JoinHandle<()>,
}

impl SilentServer {
    /// Start the server on the caller's runtime.
    pub async fn start() -> SilentServer {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("silent server: cannot bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("silent server: listener has no local address");
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&connections);
        let accept = tokio::spawn(async move {
            // Owned here so that aborting this task aborts every held connection too.
            let mut held = JoinSet::new();
            while let Ok((mut socket, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                held.spawn(async move {
                    let mut scratch = [0u8; 4096];
                    while let Ok(n) = socket.read(&mut scratch).await {
                        if n == 0 {
                            break;
                        }
                    }
                    // Held open, never answered.
                    std::future::pending::<()>().await;
                });
            }
        });
        SilentServer {
            addr,
            connections,
            accept,
        }
    }

    /// The server's base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many TCP connections have been accepted so far.
    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for SilentServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}
