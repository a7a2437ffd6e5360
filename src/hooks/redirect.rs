//! Following redirects without leaking credentials: the next hop of a 3xx answer,
//! built the way a browser would (a `303`, or a `301`/`302` to a `POST`, becomes a
//! body-less `GET`), and the origin rule.
//!
//! Invariants: a hop to another scheme, host or port carries no credential (the API
//! key, `Authorization`, `Proxy-Authorization`, `Cookie`, and any header marked
//! sensitive are removed first); only `http` and `https` targets are followed; at most
//! [`MAX_REDIRECTS`] hops are taken before the 3xx answer itself is returned.

use reqwest::header::{
    HeaderMap, HeaderName, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, LOCATION,
    PROXY_AUTHORIZATION, TRANSFER_ENCODING,
};
use reqwest::{Method, StatusCode, Url};

/// Redirects followed before the 3xx answer itself is returned.
pub(super) const MAX_REDIRECTS: u32 = 10;

/// Same scheme, host and port (default ports made explicit).
pub(super) fn same_origin(a: &Url, b: &Url) -> bool {
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
pub(super) fn next_hop(
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
