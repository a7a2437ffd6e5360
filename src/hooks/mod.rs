//! The generated client's hooks (progenitor's `ClientHooks`), the plumbing under every
//! request of [`api::Client`](crate::api::Client):
//!
//! - **pre**: adds the client's defaults (credentials, extra headers, user agent) that a
//!   request does not already carry; for an export's request, its `Accept-Encoding` and
//!   the body fields the spec does not know ([`EXPORT_EXTRAS`]).
//! - **exec**: sends the request and follows redirects itself, so that credentials never
//!   leave the origin they were configured for: on a hop to another scheme, host or port
//!   every sensitive header (the API key, `Authorization`, `Cookie`, and any extra header
//!   marked sensitive) is removed first. It also reads an error response's body only up
//!   to [`ERROR_BODY_CAP`] (and for at most [`ERROR_BODY_TIME`]), so a hostile 50 MB
//!   error body costs 64 KiB (a compressed one is decoded, up to 64 KiB), and records
//!   the status of the last answer for the export, which progenitor forgets when an error
//!   body does not fit the spec.
//! - **post**: with a `reqwest::Client` of the user's own that follows redirects itself,
//!   refuses an answer that came from another origin.

use std::cell::RefCell;
use std::time::Duration;

use futures::StreamExt;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING,
    CONTENT_LENGTH, CONTENT_TYPE, COOKIE, LOCATION, PROXY_AUTHORIZATION, RETRY_AFTER,
    TRANSFER_ENCODING,
};
use reqwest::{Method, StatusCode, Url};

use crate::client::RequestDefaults;
use crate::compression::{decode_capped, Coding};

/// The most of an error response's body that is read (64 KiB).
pub(crate) const ERROR_BODY_CAP: usize = 64 * 1024;

/// The longest time spent reading an error response's body.
pub(crate) const ERROR_BODY_TIME: Duration = Duration::from_secs(10);

/// Redirects followed before the 3xx answer itself is returned.
const MAX_REDIRECTS: u32 = 10;

/// What the last answer to a request said, as seen by the exec hook.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResponseMeta {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<String>,
    /// The error body was longer than [`ERROR_BODY_CAP`] (or slower than
    /// [`ERROR_BODY_TIME`]) and was cut.
    pub(crate) body_capped: bool,
}

tokio::task_local! {
    /// Set by the export around each request, so that an error body progenitor cannot
    /// parse is still reported with its real status.
    pub(crate) static LAST_RESPONSE: RefCell<Option<ResponseMeta>>;
}

fn header_text(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Same scheme, host and port (default ports made explicit).
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Remove every header that carries a credential.
fn strip_credentials(headers: &mut HeaderMap) {
    let sensitive: Vec<HeaderName> = headers
        .iter()
        .filter(|(name, value)| {
            value.is_sensitive()
                || **name == AUTHORIZATION
                || **name == COOKIE
                || **name == PROXY_AUTHORIZATION
                || crate::spec::security::API_KEY_HEADER
                    .is_some_and(|key| name.as_str().eq_ignore_ascii_case(key))
        })
        .map(|(name, _)| name.clone())
        .collect();
    for name in sensitive {
        headers.remove(name);
    }
}

/// The request for the next hop of a redirect, or `None` when the answer is not one to
/// follow (no usable `Location`, or a body that cannot be sent again).
fn next_hop(
    previous: Option<reqwest::Request>,
    response: &reqwest::Response,
) -> Option<reqwest::Request> {
    let mut next = previous?;
    let location = response.headers().get(LOCATION)?.to_str().ok()?;
    let target = response.url().join(location).ok()?;
    if !matches!(target.scheme(), "http" | "https") {
        return None;
    }
    let status = response.status();
    let becomes_get = (status == StatusCode::SEE_OTHER && *next.method() != Method::HEAD)
        || (matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND)
            && *next.method() == Method::POST);
    if becomes_get {
        *next.method_mut() = Method::GET;
        *next.body_mut() = None;
        for name in [CONTENT_TYPE, CONTENT_LENGTH, TRANSFER_ENCODING] {
            next.headers_mut().remove(name);
        }
    }
    if !same_origin(next.url(), &target) {
        strip_credentials(next.headers_mut());
    }
    *next.url_mut() = target;
    Some(next)
}

/// Marks an answer rebuilt by [`capped`] (whose URL is then a placeholder): it came from
/// the origin, or it would not have been rebuilt.
#[derive(Debug, Clone, Copy)]
struct Rebuilt;

/// An error answer with its body read up to the cap, as a response of its own.
async fn capped(response: reqwest::Response) -> (reqwest::Response, bool) {
    let status = response.status();
    let version = response.version();
    let mut headers = response.headers().clone();
    let mut body = Vec::new();
    let mut capped = false;
    let mut chunks = response.bytes_stream();
    let read = async {
        while let Some(chunk) = chunks.next().await {
            let Ok(chunk) = chunk else { break };
            let room = ERROR_BODY_CAP - body.len();
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if chunk.len() >= room {
                return true;
            }
        }
        false
    };
    match tokio::time::timeout(ERROR_BODY_TIME, read).await {
        Ok(cut) => capped |= cut,
        Err(_) => capped = true,
    }
    // A compressed error body is decoded here (up to the same cap), so that what
    // progenitor parses and the error shows is the text.
    let coding = Coding::from_header(headers.get(CONTENT_ENCODING).map(HeaderValue::as_bytes));
    if let Ok(coding) = coding {
        if coding != Coding::Identity {
            if let Some(decoded) = decode_capped(coding, &body, ERROR_BODY_CAP).await {
                capped |= decoded.len() >= ERROR_BODY_CAP;
                body = decoded;
                headers.remove(CONTENT_ENCODING);
            }
        }
    }
    headers.remove(CONTENT_LENGTH);
    headers.remove(TRANSFER_ENCODING);
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    rebuilt.extensions_mut().insert(Rebuilt);
    (reqwest::Response::from(rebuilt), capped)
}

/// What an export's request carries beyond what the generated client builds.
#[derive(Debug, Clone)]
pub(crate) struct ExportExtras {
    /// Body fields to be sent as given: those the spec does not know
    /// ([`ExportBuilder::field`](crate::ExportBuilder::field) and
    /// [`ExportFormat::Other`](crate::ExportFormat::Other) escape hatches), and those the
    /// generated type would alter (a number filter's value beyond `i64`).
    pub(crate) unchecked: serde_json::Map<String, serde_json::Value>,
    /// The `Accept-Encoding` the export offers (see [`crate::compression`]).
    pub(crate) accept_encoding: &'static str,
    /// Set whenever an answer's head (status line and headers) arrives, a redirect's
    /// included: the stall rule's window for the wait for an answer starts again then.
    pub(crate) heard: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

tokio::task_local! {
    /// Set around an export's request, and only there: other operations of
    /// [`api::Client`](crate::api::Client) read their bodies with reqwest, which does not
    /// decode compressed ones, so they never ask for one.
    pub(crate) static EXPORT_EXTRAS: ExportExtras;
}

/// Put `fields` into the JSON object body of `request`.
fn add_fields(
    request: &mut reqwest::Request,
    fields: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), String> {
    let Some(bytes) = request.body().and_then(reqwest::Body::as_bytes) else {
        return Err("the request has no JSON body to add fields to".into());
    };
    let mut body: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("the request body is not JSON: {e}"))?;
    let Some(map) = body.as_object_mut() else {
        return Err("the request body is not a JSON object".into());
    };
    for (name, value) in fields {
        map.insert(name.clone(), value.clone());
    }
    let bytes =
        serde_json::to_vec(&body).map_err(|e| format!("the request cannot be serialized: {e}"))?;
    *request.body_mut() = Some(reqwest::Body::from(bytes));
    request
        .headers_mut()
        .remove(reqwest::header::CONTENT_LENGTH);
    Ok(())
}

impl ClientHooks<RequestDefaults> for crate::api::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        self.inner().apply(request);
        let unchecked = EXPORT_EXTRAS.try_with(|extras| {
            request.headers_mut().insert(
                ACCEPT_ENCODING,
                HeaderValue::from_static(extras.accept_encoding),
            );
            if extras.unchecked.is_empty() {
                Ok(())
            } else {
                add_fields(request, &extras.unchecked)
            }
        });
        match unchecked {
            Ok(result) => result.map_err(progenitor_client::Error::<E>::InvalidRequest),
            Err(_) => Ok(()), // not an export's request
        }
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        if self.inner().follows_redirects() {
            // Redirects were followed by `exec`, credentials stripped where needed.
            return Ok(());
        }
        if let (Ok(response), Some(base)) = (result, self.inner().origin()) {
            let rebuilt = response.extensions().get::<Rebuilt>().is_some();
            if !rebuilt && !same_origin(response.url(), base) {
                return Err(progenitor_client::Error::Custom(format!(
                    "the answer came from another origin ({}) than the base URL's: your own reqwest::Client \
                     followed a redirect and may have sent the credentials there; build it with \
                     .redirect(reqwest::redirect::Policy::none()) so that this crate follows redirects \
                     and strips credentials on cross-origin hops",
                    crate::text::redact_url(response.url().as_str())
                )));
            }
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let follow = self.inner().follows_redirects();
        let mut request = request;
        let mut hops = 0;
        let response = loop {
            let copy = if follow { request.try_clone() } else { None };
            let response = self.client().execute(request).await?;
            let _ = EXPORT_EXTRAS.try_with(|extras| {
                extras
                    .heard
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            });
            if !follow || !response.status().is_redirection() || hops == MAX_REDIRECTS {
                break response;
            }
            match next_hop(copy, &response) {
                Some(next) => {
                    request = next;
                    hops += 1;
                }
                None => break response,
            }
        };
        let mut meta = ResponseMeta {
            status: response.status().as_u16(),
            retry_after: header_text(response.headers(), RETRY_AFTER),
            body_capped: false,
        };
        let elsewhere = self
            .inner()
            .origin()
            .is_some_and(|base| !same_origin(response.url(), base));
        // An answer from another origin is refused by `post`, which needs its URL: it is
        // not rebuilt (and its body never read).
        let response = if response.status().is_success() || elsewhere {
            response
        } else {
            let (response, cut) = capped(response).await;
            meta.body_capped = cut;
            response
        };
        let _ = LAST_RESPONSE.try_with(|last| *last.borrow_mut() = Some(meta));
        Ok(response)
    }
}
