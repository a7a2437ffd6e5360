//! The generated client's hooks (progenitor's `ClientHooks`), the plumbing under every
//! request of [`api::Client`](crate::api::Client):
//!
//! - **pre**: adds the client's defaults (credentials, extra headers, user agent) that a
//!   request does not already carry; for an export's request, its `Accept-Encoding` and
//!   the body fields the spec does not know (the export's [`context`]).
//! - **exec**: sends the request and follows redirects itself, so that credentials never
//!   leave the origin they were configured for: on a hop to another scheme, host or port
//!   every sensitive header (the API key, `Authorization`, `Cookie`, and any extra header
//!   marked sensitive) is removed first ([`redirect`]). It also reads an error response's
//!   body only up to [`ERROR_BODY_CAP`] (and for at most [`ERROR_BODY_TIME`]), so a
//!   hostile 50 MB error body costs 64 KiB (a compressed one is decoded, up to 64 KiB)
//!   ([`error_body`]), and records the status of the last answer for the export, which
//!   progenitor forgets when an error body does not fit the spec.
//! - **post**: with a `reqwest::Client` of the user's own that follows redirects itself,
//!   refuses an answer that came from another origin.
//!
//! What the hooks know of the export they serve comes from [`crate::context`], and only
//! inside its `scope`; every other request passes through them with the client's
//! defaults alone.

pub(crate) mod error_body;
mod redirect;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT_ENCODING, RETRY_AFTER};

use crate::client::RequestDefaults;
use crate::context::{self, ResponseMeta};
use error_body::{capped, Rebuilt};
#[cfg(doc)]
use error_body::{ERROR_BODY_CAP, ERROR_BODY_TIME};
use redirect::{next_hop, same_origin, MAX_REDIRECTS};

/// The text of header `name`, if it is there and readable.
fn header_text(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
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
        let unchecked = context::with_extras(|extras| {
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
            Some(result) => result.map_err(progenitor_client::Error::<E>::InvalidRequest),
            None => Ok(()), // not an export's request
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
            context::heard();
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
        context::answered(meta);
        Ok(response)
    }
}
