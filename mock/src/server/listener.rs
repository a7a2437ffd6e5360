//! The TCP listener of the server: connections that record write and flush activity.
//!
//! Invariant: every accepted connection carries its own [`ConnState`], handed to the
//! handler as [`ConnHandle`], so a fault aborts a connection only after the bytes it meant
//! to deliver have been flushed to the kernel.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::stream::ConnState;

/// Connection info handed to handlers: the connection's [`ConnState`].
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnHandle(pub Arc<ConnState>);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, TrackingListener>>
    for ConnHandle
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, TrackingListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP listener whose connections track whether hyper's writes have been
/// flushed, so a fault can abort a connection only after the bytes it meant
/// to deliver have reached the kernel.
pub(crate) struct TrackingListener(pub(crate) TcpListener);

impl Listener for TrackingListener {
    type Io = TrackedStream;
    type Addr = ConnHandle;

    async fn accept(&mut self) -> (TrackedStream, ConnHandle) {
        loop {
            match self.0.accept().await {
                Ok((tcp, _)) => {
                    let _ = tcp.set_nodelay(true);
                    let state = Arc::new(ConnState::default());
                    return (
                        TrackedStream {
                            tcp,
                            state: Arc::clone(&state),
                        },
                        ConnHandle(state),
                    );
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<ConnHandle> {
        Ok(ConnHandle::default())
    }
}

/// A `TcpStream` that records write/flush activity in its [`ConnState`].
pub(crate) struct TrackedStream {
    tcp: TcpStream,
    state: Arc<ConnState>,
}

impl AsyncRead for TrackedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for TrackedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.state.mark_written();
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        self.state.mark_written();
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let r = Pin::new(&mut self.tcp).poll_flush(cx);
        if let Poll::Ready(Ok(())) = r {
            self.state.mark_flushed();
        }
        r
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}
